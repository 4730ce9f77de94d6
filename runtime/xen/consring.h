/* SPDX-License-Identifier: MIT */
/*
 * The guest's side of a Xen domU's console ring (the page at
 * HVM_PARAM_CONSOLE_PFN, struct xencons_interface from Xen's public
 * io/console.h): the producer of out[], which xenconsoled in dom0
 * consumes.  Freestanding, no calls: the loader (its own console in a
 * domU) and the handler blob inside the kernel (the 16550 model's output)
 * run the same code, and the host tests drive it on an ordinary buffer.
 *
 * The page is shared with the backend, which may write anything into it at
 * any time.  So:
 *  - our producer index lives here, not in the page: the page's out_prod
 *    is only ever written from it, never read back;
 *  - out_cons (the backend's) is read once per call; a value that says
 *    more bytes are in flight than the ring holds is malformed, and the
 *    call writes nothing and says so (PV_CONSRING_MALFORMED);
 *  - every byte goes to out[index & (sizeof out - 1)]: no index, however
 *    damaged, reaches outside out[].
 * Input (in[], which the backend produces) is read the same way: our
 * consumer index is private, in_prod is read once per call, and an in_prod
 * more than the ring's size ahead of us is refused.
 */
#ifndef PREVIRT_RT_CONSRING_H
#define PREVIRT_RT_CONSRING_H

#include <stdint.h>

#include <xen/xen.h>
#include <xen/io/console.h>

struct pv_consring {
	uint64_t intf;                  /* struct xencons_interface *, in the caller's address space; 0: none */
	uint32_t prod;                  /* the next byte's index: ours, never read from the page */
	uint32_t port;                  /* the console's event channel (HVM_PARAM_CONSOLE_EVTCHN) */
	uint32_t in_cons;               /* the next input byte's index: ours, never read from the page */
	uint64_t malformed;             /* calls refused: out_cons was impossible */
	uint64_t full_waits;            /* times the ring was full when output waited */
	uint64_t dropped;               /* bytes given up on (the backend never made room) */
};

#define PV_CONSRING_MALFORMED (-1)

/* Start producing at the page's current out_prod (what the domain builder or a loader left). */
void pv_consring_init(struct pv_consring *r, struct xencons_interface *intf, uint32_t port);

/*
 * Copy up to n bytes of s into out[] and publish them (out_prod, after a
 * store barrier).  Returns how many were copied (0 when the ring is full),
 * or PV_CONSRING_MALFORMED.  The caller notifies the backend (EVTCHNOP_send)
 * when the result is positive.
 */
int pv_consring_put(struct pv_consring *r, const char *s, unsigned n);

/*
 * Input: 1 and the next byte of in[] into *c (in_cons published), 0 when
 * there is none, PV_CONSRING_MALFORMED when in_prod is impossible.
 */
int pv_consring_get(struct pv_consring *r, uint8_t *c);

/* 1 when in[] holds a byte for us (the same checks, nothing consumed). */
int pv_consring_has_input(const struct pv_consring *r);

#endif
