/* SPDX-License-Identifier: MIT */
/*
 * The XenStore client's environment under Xen (xen/xenstore.h, struct
 * pv_xs_hyper): the loader's xenbus handshakes and the blob's
 * control/shutdown reads both use it.  The host tests bind their own.
 */
#include "xen/hypercall.h"
#include "xen/xenstore.h"

void pv_xs_notify(struct pv_xs *xs)
{
	const struct pv_xs_hyper *e = xs->env;

	pv_xen_evtchn_send(e->amd, e->port);
}

int pv_xs_wait(struct pv_xs *xs)
{
	pv_xen_yield(((const struct pv_xs_hyper *)xs->env)->amd);
	return 0;
}
