/* SPDX-License-Identifier: MIT */
/* The domU console ring's producer: see consring.h for what it trusts and why. */
#include "xen/consring.h"

#define OUT_SIZE ((uint32_t)sizeof(((struct xencons_interface *)0)->out))

void pv_consring_init(struct pv_consring *r, struct xencons_interface *intf, uint32_t port)
{
	r->intf = (uint64_t)(uintptr_t)intf;
	r->prod = intf ? __atomic_load_n(&intf->out_prod, __ATOMIC_RELAXED) : 0;
	r->port = port;
	r->malformed = r->full_waits = r->dropped = 0;
}

int pv_consring_put(struct pv_consring *r, const char *s, unsigned n)
{
	struct xencons_interface *intf = (struct xencons_interface *)(uintptr_t)r->intf;
	uint32_t cons, used, room, k;

	if (!intf)
		return 0;
	/* once: the backend may change it between two reads */
	cons = __atomic_load_n(&intf->out_cons, __ATOMIC_ACQUIRE);
	used = r->prod - cons;                  /* modulo 2^32, as the protocol counts */
	if (used > OUT_SIZE) {
		r->malformed++;
		return PV_CONSRING_MALFORMED;
	}
	room = OUT_SIZE - used;
	for (k = 0; k < n && k < room; k++)
		intf->out[MASK_XENCONS_IDX(r->prod + k, intf->out)] = s[k];
	r->prod += k;
	/* the bytes before the index that makes them visible */
	__atomic_store_n(&intf->out_prod, r->prod, __ATOMIC_RELEASE);
	return (int)k;
}
