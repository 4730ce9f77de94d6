/* SPDX-License-Identifier: MIT */
/*
 * Console output of a Xen domU through its console ring (xen/consring.h),
 * as the loader and the handler blob both send it: put what fits, notify
 * xenconsoled, and while the ring is full give the CPU away (SCHEDOP_yield)
 * so that dom0 can drain it.
 *
 * A backend that never drains (xenconsoled not running, or gone) must not
 * hang the guest: after PV_CONSOUT_PATIENCE yields without progress the
 * rest of the text is dropped and counted, and the ring is marked stalled:
 * later calls try once and drop, until the backend makes room again.
 * A malformed ring (consring.h) is never written again.
 */
#ifndef PREVIRT_RT_CONSOUT_H
#define PREVIRT_RT_CONSOUT_H

#include "xen/consring.h"
#include "xen/hypercall.h"

#define PV_CONSOUT_PATIENCE 200000u

static inline void pv_xen_consout(uint64_t amd, struct pv_consring *r, uint8_t *stalled, const char *s, unsigned n)
{
	unsigned waits = 0;

	while (n) {
		int k = pv_consring_put(r, s, n);

		if (k == PV_CONSRING_MALFORMED) {
			r->intf = 0;             /* the backend broke the protocol: no more output */
			r->dropped += n;
			return;
		}
		if (k > 0) {
			pv_xen_evtchn_send(amd, r->port);
			s += k, n -= (unsigned)k;
			waits = 0, *stalled = 0;
			continue;
		}
		if (*stalled || ++waits > PV_CONSOUT_PATIENCE) {
			*stalled = 1;
			r->dropped += n;
			return;
		}
		if (waits == 1) {
			r->full_waits++;
			pv_xen_evtchn_send(amd, r->port);
		}
		pv_xen_yield(amd);
	}
}

#endif
