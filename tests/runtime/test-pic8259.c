/* SPDX-License-Identifier: MIT */
/*
 * The domU's 8259 pair (runtime/xen/pic8259.c) driven as Linux 6.1's
 * arch/x86/kernel/i8259.c drives a PIC: the probe that decides between
 * the 8259 and the "NULL legacy PIC" (a kernel without a PIC has no IRQ
 * 4 for ttyS0), the ICW1-ICW4 initialisation of both chips, masking and
 * unmasking single lines, and the IRR/ISR reads of its spurious-interrupt
 * check, which must say "nothing pending" since the model raises nothing.
 */
#include "check.h"
#include "xen/pic8259.h"

static struct pv_pic p;

int main(void)
{
	uint8_t v;

	pv_pic_reset(&p);
	check(pv_pic_read(&p, 0x21) == 0xff && pv_pic_read(&p, 0xa1) == 0xff, "after reset every line is masked");

	/* probe_8259A: mask the slave, write 0xfb (all but the cascade) to the master, read it back */
	pv_pic_write(&p, 0xa1, 0xff);
	pv_pic_write(&p, 0x21, 0xfb);
	v = pv_pic_read(&p, 0x21);
	check(v == 0xfb, "probe: the master's mask reads back 0x%02x (want 0xfb): Linux keeps the 8259", v);

	/* init_8259A(0): mask all, ICW1 0x11, ICW2 vector 0x30, ICW3 cascade, ICW4 8086 mode, on both */
	pv_pic_write(&p, 0x21, 0xff);
	pv_pic_write(&p, 0xa1, 0xff);
	pv_pic_write(&p, 0x20, 0x11);
	pv_pic_write(&p, 0x21, 0x30);
	pv_pic_write(&p, 0x21, 0x04);
	pv_pic_write(&p, 0x21, 0x01);
	pv_pic_write(&p, 0xa0, 0x11);
	pv_pic_write(&p, 0xa1, 0x38);
	pv_pic_write(&p, 0xa1, 0x02);
	pv_pic_write(&p, 0xa1, 0x01);
	check(p.vector[0] == 0x30 && p.vector[1] == 0x38 && p.icw3[0] == 0x04 && p.icw3[1] == 0x02 &&
	      p.icw4[0] == 0x01 && p.icw4[1] == 0x01 && !p.init_step[0] && !p.init_step[1],
	      "ICW1-ICW4 on both chips: vectors 0x%02x/0x%02x, cascade, 8086 mode, back to operation",
	      p.vector[0], p.vector[1]);
	check(pv_pic_read(&p, 0x21) == 0 && pv_pic_read(&p, 0xa1) == 0,
	      "ICW1 cleared both masks (as the 8259A does)");
	/* then the cached masks are restored */
	pv_pic_write(&p, 0x21, 0xfb);
	pv_pic_write(&p, 0xa1, 0xff);
	check(pv_pic_read(&p, 0x21) == 0xfb && pv_pic_read(&p, 0xa1) == 0xff, "OCW1 after init: masks restored");

	/* request_irq(4): unmask IRQ 4 on the master */
	pv_pic_write(&p, 0x21, 0xfb & ~0x10);
	check(pv_pic_read(&p, 0x21) == 0xeb, "unmask IRQ 4 (ttyS0): master mask 0x%02x", pv_pic_read(&p, 0x21));

	/* the spurious check: OCW3 "read ISR", read; OCW3 "read IRR", read; EOI (OCW2) changes no mask */
	pv_pic_write(&p, 0x20, 0x0b);
	v = pv_pic_read(&p, 0x20);
	pv_pic_write(&p, 0x20, 0x0a);
	check(v == 0 && pv_pic_read(&p, 0x20) == 0 && pv_pic_read(&p, 0xa0) == 0,
	      "ISR and IRR read 0: the model never has an interrupt in service or pending");
	pv_pic_write(&p, 0x20, 0x60 | 4);
	check(pv_pic_read(&p, 0x21) == 0xeb, "a specific EOI (OCW2) leaves the mask alone");

	/* single mode without ICW4 (ICW1 0x12): ICW2 only, then OCW1 again */
	pv_pic_write(&p, 0xa0, 0x12);
	pv_pic_write(&p, 0xa1, 0x70);
	pv_pic_write(&p, 0xa1, 0x5a);
	check(p.vector[1] == 0x70 && pv_pic_read(&p, 0xa1) == 0x5a,
	      "ICW1 with SNGL and no IC4: one ICW, the next write is the mask");
	return check_summary();
}
