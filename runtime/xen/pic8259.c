/* SPDX-License-Identifier: MIT */
/* The 8259A pair without interrupt lines: see pic8259.h for why. */
#include "xen/pic8259.h"

void pv_pic_reset(struct pv_pic *p)
{
	for (int i = 0; i < 2; i++) {
		p->imr[i] = 0xff;               /* everything masked until the kernel says otherwise */
		p->init_step[i] = 0;
		p->icw1[i] = p->vector[i] = p->icw3[i] = p->icw4[i] = 0;
	}
}

void pv_pic_write(struct pv_pic *p, unsigned port, uint8_t val)
{
	int c = (port & 0xf0) == PV_PIC_SLAVE;

	if (!(port & 1)) {
		if (val & 0x10) {               /* ICW1: start of initialisation, IMR cleared */
			p->icw1[c] = val;
			p->imr[c] = 0;
			p->init_step[c] = 1;
		}
		return;                          /* OCW2 (EOI, rotation) and OCW3: nothing pending to act on */
	}
	switch (p->init_step[c]) {
	case 1:                                  /* ICW2 */
		p->vector[c] = val & 0xf8;
		p->init_step[c] = !(p->icw1[c] & 0x02) ? 2 : (p->icw1[c] & 0x01) ? 3 : 0;
		return;
	case 2:                                  /* ICW3 (cascade mode) */
		p->icw3[c] = val;
		p->init_step[c] = (p->icw1[c] & 0x01) ? 3 : 0;
		return;
	case 3:                                  /* ICW4 */
		p->icw4[c] = val;
		p->init_step[c] = 0;
		return;
	default:                                 /* OCW1: the mask */
		p->imr[c] = val;
	}
}

uint8_t pv_pic_read(struct pv_pic *p, unsigned port)
{
	int c = (port & 0xf0) == PV_PIC_SLAVE;

	/* odd port: the mask; even port: IRR or ISR (per OCW3), always empty */
	return (port & 1) ? p->imr[c] : 0;
}
