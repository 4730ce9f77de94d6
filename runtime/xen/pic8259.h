/* SPDX-License-Identifier: MIT */
/*
 * A pair of 8259A interrupt controllers (master at 0x20-0x21, slave at
 * 0xa0-0xa1) without interrupt lines: the registers a kernel programs and
 * reads back, and nothing else.  Freestanding, no calls (handler blob and
 * host tests).
 *
 * Why a Xen domU needs it: a PVH domU has no PIC and no IO-APIC, so a
 * kernel without Xen support has no interrupt numbers for its legacy
 * devices, and the 8250 driver cannot open ttyS0 (request_irq(4) fails),
 * so init gets no console.  With this model Linux's 8259 probe
 * (arch/x86/kernel/i8259.c: write the master's mask, read it back) finds a
 * PIC, IRQs 0-15 get their chip, and the 8250 driver opens the port and
 * sends by its backup timer (xen/uart16550.h).  The model never raises an
 * interrupt (IRR and ISR read 0): delivering event channels as interrupts
 * is the next step (docs/xen-domu.md).
 */
#ifndef PREVIRT_RT_PIC8259_H
#define PREVIRT_RT_PIC8259_H

#include <stdint.h>

struct pv_pic {
	uint8_t imr[2];                 /* interrupt masks (OCW1): master, slave */
	uint8_t init_step[2];           /* 0: operating; 1-3: ICW2-ICW4 expected next */
	uint8_t icw1[2];                /* the last ICW1: SNGL (bit 1), IC4 (bit 0) */
	uint8_t vector[2];              /* ICW2: the vector base */
	uint8_t icw3[2], icw4[2];
};

#define PV_PIC_MASTER 0x20
#define PV_PIC_SLAVE  0xa0

/* 1 when port is one of the four PIC ports */
static inline int pv_pic_port(unsigned port)
{
	return port == 0x20 || port == 0x21 || port == 0xa0 || port == 0xa1;
}

void pv_pic_reset(struct pv_pic *p);
void pv_pic_write(struct pv_pic *p, unsigned port, uint8_t val);
uint8_t pv_pic_read(struct pv_pic *p, unsigned port);

#endif
