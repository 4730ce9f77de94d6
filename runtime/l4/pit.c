/* SPDX-License-Identifier: MIT */
/* PIT channel 2 and port 0x61 for the L4 backend: see pit.h. */
#include "l4/pit.h"

/* the counter's value and OUT at time now */
static uint16_t count_at(const struct pv_pit2 *p, uint64_t now, int *out)
{
	uint64_t n = p->reload ? p->reload : 0x10000, e;

	if (!p->loaded) {
		*out = 0;
		return p->reload;
	}
	e = now - p->start;
	if (p->mode == 2 || p->mode == 3 || p->mode == 6 || p->mode == 7) {    /* periodic */
		uint64_t r = e % n;

		*out = p->mode == 2 || p->mode == 6 ? r != n - 1 : r < n / 2;
		return (uint16_t)(n - r);
	}
	*out = e >= n;                   /* modes 0, 1, 4, 5: one shot, then wraps */
	return (uint16_t)(n - e);
}

int pv_pit2_out(struct pv_pit2 *p, unsigned port, uint8_t v, uint64_t now)
{
	if (port == PV_PORT_61) {
		if ((v & 1) && !(p->port61 & 1) && p->loaded)
			p->start = now;      /* a rising gate (re)starts the count */
		p->port61 = v & 3;
		return 1;
	}
	if (port == PV_PORT_PIT_CMD) {
		if ((v >> 6) != 2)
			return 0;            /* channels 0, 1, read-back: uvmm's */
		if (!(v & 0x30)) {       /* counter latch */
			int out;

			if (!p->latched)
				p->latch = count_at(p, now, &out), p->latched = 1, p->rmsb = 0;
			return 1;
		}
		p->rw = (v >> 4) & 3;
		p->mode = (v >> 1) & 7;
		p->wmsb = p->rmsb = 0;
		p->latched = 0;
		p->loaded = 0;           /* counting stops until a new count is written */
		return 1;
	}
	/* 0x42: the count */
	if (p->rw == 1 || (p->rw == 3 && !p->wmsb)) {
		p->reload = (uint16_t)((p->reload & 0xff00) | v);
		if (p->rw == 3) {
			p->wmsb = 1;
			return 1;
		}
	} else {
		p->reload = (uint16_t)((p->reload & 0x00ff) | v << 8);
		p->wmsb = 0;
	}
	p->loaded = 1;
	p->start = now;
	return 1;
}

uint8_t pv_pit2_in(struct pv_pit2 *p, unsigned port, uint64_t now)
{
	int out;
	uint16_t c = count_at(p, now, &out);

	if (port == PV_PORT_61) {
		p->refresh ^= 0x10;
		return (uint8_t)(p->port61 | p->refresh | (out ? 0x20 : 0));
	}
	if (p->latched)
		c = p->latch;
	if (p->rw == 2 || (p->rw == 3 && p->rmsb)) {
		p->rmsb = 0;
		p->latched = 0;
		return (uint8_t)(c >> 8);
	}
	if (p->rw == 3)
		p->rmsb = 1;
	else
		p->latched = 0;
	return (uint8_t)c;
}
