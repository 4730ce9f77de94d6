/* SPDX-License-Identifier: MIT */
/* The domU console ring's producer: see consring.h for what it trusts and why. */
#include "xen/consring.h"

#define OUT_SIZE ((uint32_t)sizeof(((struct xencons_interface *)0)->out))

void pv_consring_init(struct pv_consring *r, struct xencons_interface *intf, uint32_t port)
{
	r->intf = (uint64_t)(uintptr_t)intf;
	r->prod = intf ? __atomic_load_n(&intf->out_prod, __ATOMIC_RELAXED) : 0;
	r->in_cons = intf ? __atomic_load_n(&intf->in_cons, __ATOMIC_RELAXED) : 0;
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

#define IN_SIZE ((uint32_t)sizeof(((struct xencons_interface *)0)->in))

/* bytes waiting in in[] (0..IN_SIZE), or -1 when in_prod is impossible */
static int64_t input_waiting(const struct pv_consring *r)
{
	const struct xencons_interface *intf = (const struct xencons_interface *)(uintptr_t)r->intf;
	uint32_t n;

	if (!intf)
		return 0;
	n = __atomic_load_n(&intf->in_prod, __ATOMIC_ACQUIRE) - r->in_cons;
	return n > IN_SIZE ? -1 : (int64_t)n;
}

int pv_consring_has_input(const struct pv_consring *r)
{
	return input_waiting(r) > 0;
}

int pv_consring_get(struct pv_consring *r, uint8_t *c)
{
	struct xencons_interface *intf = (struct xencons_interface *)(uintptr_t)r->intf;
	int64_t n = input_waiting(r);

	if (n < 0) {
		r->malformed++;
		return PV_CONSRING_MALFORMED;
	}
	if (!n)
		return 0;
	*c = (uint8_t)intf->in[MASK_XENCONS_IDX(r->in_cons, intf->in)];
	r->in_cons++;
	/* the byte is read before the index that frees its slot */
	__atomic_store_n(&intf->in_cons, r->in_cons, __ATOMIC_RELEASE);
	return 1;
}
