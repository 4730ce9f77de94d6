/* SPDX-License-Identifier: MIT */
/*
 * A 16550A UART model without a wire: what the kernel's 8250 driver
 * writes to THR collects in a line buffer that the caller sends to Xen's
 * console (HYPERVISOR_console_io).  Freestanding, no calls: the same code
 * runs in the kernel (inside the handler blob) and in the host tests.
 *
 * Why it is needed: Xen keeps COM1 for itself and denies its ports to
 * dom0, so a kernel without Xen support has no console on Xen.
 *
 * Transmission is instant, so THR is always empty again at once.  The
 * model has no interrupt line (the runtime cannot raise IRQ 4: Xen 4.17
 * answers the event-channel calls a PVH dom0 would need with -ENOSYS), so
 * it behaves like a UART Linux already knows how to drive by polling:
 *  - a THRE interrupt is pending only after a THR write, and is not
 *    raised again when IER.THRI is re-enabled.  The 8250 driver's
 *    start-up test sees that and sets UART_BUG_THRE: a backup timer then
 *    sends up to a FIFO's worth of output every ~200 ms;
 *  - its TX-enable test then sees TEMT without an interrupt and sets
 *    UART_BUG_TXEN: start_tx sends the first FIFO's worth at once.
 * The console (printk) path polls LSR, which always says THRE|TEMT.
 * Input is one byte deep: the caller puts a byte in with pv_uart_rx when
 * the model has none (rx_full clear); LSR.DR and, with IER.RDI, an RX
 * interrupt (IIR 0x04, before THRE) say so; reading RBR takes it.
 */
#ifndef PREVIRT_RT_UART16550_H
#define PREVIRT_RT_UART16550_H

#include <stdint.h>

#define PV_UART_LINE 120

struct pv_uart {
	uint8_t  ier, lcr, mcr, scr, dll, dlm, fcr;
	uint8_t  thre_pending;          /* a THRE interrupt waits for an IIR read */
	uint8_t  rx_full, rx;           /* one received byte, not yet read from RBR */
	uint16_t len;                   /* bytes in line[] not yet sent */
	char     line[PV_UART_LINE];
};

/* Register offsets (port - base) and bits the model and its tests use. */
enum { UART_RBR_THR, UART_IER_DLM, UART_IIR_FCR, UART_LCR, UART_MCR, UART_LSR, UART_MSR, UART_SCR };
#define PV_UART_LCR_DLAB  0x80
#define PV_UART_IER_RDI   0x01
#define PV_UART_IER_THRI  0x02
#define PV_UART_LSR_DR    0x01
#define PV_UART_IIR_RDI   0x04
#define PV_UART_MCR_LOOP  0x10
#define PV_UART_LSR_THRE  0x20
#define PV_UART_LSR_TEMT  0x40
#define PV_UART_IIR_NOINT 0x01
#define PV_UART_IIR_THRI  0x02

void pv_uart_reset(struct pv_uart *u);
uint8_t pv_uart_read(struct pv_uart *u, unsigned reg);
/*
 * Returns 1 when the line buffer should be sent now (a newline, or it is
 * full); the caller sends u->line[0..len) and sets len to 0.
 */
int pv_uart_write(struct pv_uart *u, unsigned reg, uint8_t val);

/* A received byte (only when !u->rx_full; otherwise it is dropped, as by a full UART). */
void pv_uart_rx(struct pv_uart *u, uint8_t c);

/* 1 when the model's interrupt output is active (an enabled RX or THRE condition). */
int pv_uart_irq(const struct pv_uart *u);

#endif
