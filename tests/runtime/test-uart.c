/* SPDX-License-Identifier: MIT */
/*
 * The Xen backend's 16550 model (runtime/xen/uart16550.c) driven the way
 * Linux 6.1's 8250 driver drives a port: autoconfig (scratch, IER and
 * loopback tests, FIFO detection), the start-up THRE and TX-enable tests
 * whose outcome decides how the driver sends (polled: UART_BUG_THRE and
 * UART_BUG_TXEN), then output as whole lines.  The sequences follow
 * drivers/tty/serial/8250/8250_port.c.
 */
#include <string.h>

#include "check.h"
#include "xen/uart16550.h"

static struct pv_uart u;
static char sent[1024];
static size_t nsent;
static unsigned flushes;

static uint8_t in(unsigned reg)
{
	return pv_uart_read(&u, reg);
}

static void out(unsigned reg, uint8_t v)
{
	if (pv_uart_write(&u, reg, v)) {
		memcpy(sent + nsent, u.line, u.len);
		nsent += u.len;
		u.len = 0;
		flushes++;
	}
}

static void puts_uart(const char *s)
{
	while (*s)
		out(UART_RBR_THR, (uint8_t)*s++);
}

int main(void)
{
	uint8_t scratch, ier1, ier2, msr, iir, iir1, lsr;
	char line[PV_UART_LINE + 10];

	pv_uart_reset(&u);

	/* autoconfig: scratch register, IER read-back, loopback modem lines */
	out(UART_SCR, 0xa5);
	scratch = in(UART_SCR);
	out(UART_IER_DLM, 0);
	ier1 = in(UART_IER_DLM);
	out(UART_IER_DLM, 0x0f);
	ier2 = in(UART_IER_DLM);
	out(UART_IER_DLM, 0);
	check(scratch == 0xa5 && ier1 == 0 && (ier2 & 0x0f) == 0x0f,
	      "autoconfig sees a UART: scratch 0x%02x, IER 0x%02x then 0x%02x", scratch, ier1, ier2);
	out(UART_MCR, PV_UART_MCR_LOOP | 0x0a);
	msr = in(UART_MSR) & 0xf0;
	out(UART_MCR, 0);
	check(msr == 0x90, "loopback test: MCR 0x1a reads back as MSR 0x%02x (want 0x90)", msr);

	/* FIFO detection: FCR enable -> IIR bits 7:6 = 11 (a 16550A) */
	out(UART_IIR_FCR, 0x01);
	iir = in(UART_IIR_FCR);
	check((iir & 0xc0) == 0xc0, "FIFO enabled: IIR 0x%02x says 16550A", iir);

	/* divisor latch behind DLAB, and back */
	out(UART_LCR, PV_UART_LCR_DLAB);
	out(UART_RBR_THR, 0x01);
	out(UART_IER_DLM, 0x00);
	check(in(UART_RBR_THR) == 0x01 && in(UART_IER_DLM) == 0, "divisor latch 1 (115200 baud) reads back");
	out(UART_LCR, 0x03);
	check(in(UART_IER_DLM) == 0, "DLAB off: offset 1 is IER again");

	/* console output (IER = 0, polled on LSR) before the port is opened */
	lsr = in(UART_LSR);
	check((lsr & (PV_UART_LSR_THRE | PV_UART_LSR_TEMT)) == 0x60 && lsr != 0xff,
	      "LSR 0x%02x: THRE|TEMT, never busy, not a missing port (0xff)", lsr);
	puts_uart("Linux version 6.1\r\n");
	check(flushes == 1 && nsent == 18 && !memcmp(sent, "Linux version 6.1\n", 18),
	      "a console line leaves as one piece without its \\r (%zu bytes, %u flush)", nsent, flushes);

	/* serial8250_do_startup's THRE test: enable, read IIR, disable, enable, read IIR */
	out(UART_IER_DLM, PV_UART_IER_THRI);
	iir1 = in(UART_IIR_FCR);
	out(UART_IER_DLM, 0);
	out(UART_IER_DLM, PV_UART_IER_THRI);
	iir = in(UART_IIR_FCR);
	out(UART_IER_DLM, 0);
	check(!(iir1 & PV_UART_IIR_NOINT) && (iir & PV_UART_IIR_NOINT),
	      "THRE test: interrupt once (IIR 0x%02x), not again (IIR 0x%02x) -> UART_BUG_THRE, backup timer",
	      iir1, iir);
	/* then the TX-enable test: THRI on, LSR.TEMT with IIR "no interrupt" */
	out(UART_IER_DLM, PV_UART_IER_THRI);
	lsr = in(UART_LSR);
	iir = in(UART_IIR_FCR);
	out(UART_IER_DLM, 0);
	check((lsr & PV_UART_LSR_TEMT) && (iir & PV_UART_IIR_NOINT),
	      "TX-enable test: TEMT and no interrupt -> UART_BUG_TXEN, start_tx sends at once");
	/* after a byte, the backup timer's IIR read sees THRE and acknowledges it */
	out(UART_IER_DLM, PV_UART_IER_THRI);
	out(UART_RBR_THR, 'x');
	iir1 = in(UART_IIR_FCR);
	iir = in(UART_IIR_FCR);
	check((iir1 & 0x0f) == PV_UART_IIR_THRI && (iir & PV_UART_IIR_NOINT),
	      "a written byte raises THRE once: IIR 0x%02x then 0x%02x", iir1, iir);

	/* a line longer than the buffer leaves in pieces, nothing lost */
	nsent = 0, flushes = 0, u.len = 0;
	memset(line, 'a', sizeof line - 2);
	line[sizeof line - 2] = '\n', line[sizeof line - 1] = 0;
	puts_uart(line);
	check(nsent == sizeof line - 1 && flushes == 2, "a %zu-byte line leaves in %u pieces, %zu bytes",
	      sizeof line - 1, flushes, nsent);

	/* loopback: nothing leaves the chip */
	nsent = 0, flushes = 0;
	out(UART_MCR, PV_UART_MCR_LOOP);
	puts_uart("hidden\n");
	out(UART_MCR, 0);
	check(nsent == 0 && u.len == 0, "loopback mode: written bytes do not reach the console");
	check(in(UART_RBR_THR) == 0 && !(in(UART_LSR) & 1), "no input: RBR 0, LSR.DR clear");

	/* one byte of input: DR, and with IER.RDI an RX interrupt that wins over THRE */
	pv_uart_rx(&u, 'k');
	pv_uart_rx(&u, 'z');                         /* no room: dropped, as by a full UART */
	out(UART_IER_DLM, PV_UART_IER_RDI | PV_UART_IER_THRI);
	out(UART_RBR_THR, 'x');
	iir = in(UART_IIR_FCR);
	check((in(UART_LSR) & PV_UART_LSR_DR) && (iir & 0x0f) == PV_UART_IIR_RDI && pv_uart_irq(&u),
	      "a received byte: LSR.DR, IIR 0x%02x (RX before THRE), interrupt output on", iir);
	check(in(UART_RBR_THR) == 'k' && !(in(UART_LSR) & PV_UART_LSR_DR),
	      "RBR gives the first byte, the second was dropped, DR clears");
	iir = in(UART_IIR_FCR);
	check((iir & 0x0f) == PV_UART_IIR_THRI && !pv_uart_irq(&u),
	      "then the THRE interrupt (IIR 0x%02x), acknowledged by that read", iir);
	out(UART_IER_DLM, 0);
	return check_summary();
}
