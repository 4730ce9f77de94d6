/* SPDX-License-Identifier: MIT */
/*
 * A XenStore client over the shared ring a PVH/HVM domU gets from Xen
 * (HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN): one request at a time,
 * no threads, no allocation.  What a non-Xen guest's in-place frontends
 * need it for: find the console/vbd/vif backends, write their ring
 * references and event channels, follow the xenbus state handshake, and
 * answer `xl shutdown` (control/shutdown).  Protocol: Xen's
 * docs/misc/xenstore.txt and public io/xs_wire.h (libxen-dev), whose types
 * and constants this file uses.
 *
 * The peer (xenstored in dom0) is not trusted.  Everything it controls is
 * checked before use and can at worst make a request fail:
 *  - its indices (req_cons, rsp_prod) may not run more than the ring's
 *    size ahead of ours, or the ring is broken;
 *  - our own indices (req_prod, rsp_cons) live in struct pv_xs and are
 *    only ever written to the ring, never read back from it;
 *  - a reply's length is at most XENSTORE_PAYLOAD_MAX, its req_id is the
 *    request's, its type the request's or XS_ERROR (watch events are
 *    skipped and counted);
 *  - a reply longer than the caller's buffer is consumed and refused, so
 *    the ring stays in step; nothing is written past the buffer;
 *  - every wait is bounded (struct pv_xs.budget calls of pv_xs_wait).
 * A broken ring (indices or framing) is sticky: later calls fail at once,
 * since the byte stream can no longer be trusted to be in step.
 *
 * The environment supplies two functions, bound at link time so that the
 * handler blob has no indirect calls (runtime.mk, check-blob):
 *   pv_xs_notify(xs)  kick the peer (EVTCHNOP_send on the store port);
 *   pv_xs_wait(xs)    let the peer run before the ring is looked at again
 *                     (a yield or a poll on the port); 0 to go on.
 * The host tests play xenstored from pv_xs_wait (tests/runtime/test-xenstore.c).
 */
#ifndef PREVIRT_RT_XENSTORE_H
#define PREVIRT_RT_XENSTORE_H

#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

/* Results: >= 0 success (a length where there is one), else one of these. */
enum {
	PV_XS_E_RING = 1,       /* the peer's indices are impossible: ring broken (sticky) */
	PV_XS_E_PROTO,          /* a reply's header is impossible: ring broken (sticky) */
	PV_XS_E_TIMEOUT,        /* the peer did not move within the budget */
	PV_XS_E_TOOBIG,         /* the reply did not fit the caller's buffer (consumed) */
	PV_XS_E_ARG,            /* the request is malformed or longer than a message may be */
	PV_XS_E_REMOTE,         /* xenstored answered XS_ERROR (pv_xs.remote_error says which) */
};

struct pv_xs {
	volatile struct xenstore_domain_interface *ring;
	uint32_t req_prod, rsp_cons;    /* ours: the ring's copies are written, never read */
	uint32_t req_id;                /* of the next request */
	unsigned budget;                /* pv_xs_wait calls a request may make */
	int      broken;                /* PV_XS_E_RING/PROTO once the ring is out of step */
	uint32_t watch_events;          /* XS_WATCH_EVENT messages skipped */
	char     remote_error[16];      /* the last XS_ERROR's name ("ENOENT"), NUL-terminated */
	void    *env;                   /* for pv_xs_notify/pv_xs_wait: event channel, hypercall flavour */
};

/* One piece of a request's payload (paths and values, with their NULs as the protocol wants). */
struct pv_xs_part {
	const void *p;
	uint32_t    len;
};

/* Provided by the environment (see above). */
void pv_xs_notify(struct pv_xs *xs);
int  pv_xs_wait(struct pv_xs *xs);

/*
 * The environment under Xen (xen/xs-hyper.c, for the loader and the blob
 * alike): pv_xs.env points to one of these; notify is EVTCHNOP_send on
 * the store's port, wait is one SCHEDOP_yield.
 */
struct pv_xs_hyper {
	uint64_t amd;                   /* hypercall flavour (xen/hypercall.h) */
	uint32_t port;                  /* HVM_PARAM_STORE_EVTCHN */
};

/*
 * Take over the ring at `ring`, continuing from the indices it holds now
 * (the toolstack leaves them where the last user stopped).  0, or
 * -PV_XS_E_RING when they are already impossible.
 */
int pv_xs_init(struct pv_xs *xs, volatile struct xenstore_domain_interface *ring, unsigned budget,
	       void *env);

/*
 * Send one message of `type` in transaction `tx` (0: none) made of the
 * parts, and receive its reply into reply[0..cap): the reply's length, or
 * -PV_XS_E_*.  reply may be 0 when cap is 0 (the reply is then checked and
 * dropped unless it is longer than 0 bytes: -PV_XS_E_TOOBIG).
 */
long pv_xs_request(struct pv_xs *xs, uint32_t type, uint32_t tx, const struct pv_xs_part *parts,
		   unsigned nparts, char *reply, size_t cap);

/* XS_READ: the value into buf, NUL-terminated (so at most cap - 1 bytes); its length, or -PV_XS_E_*. */
long pv_xs_read(struct pv_xs *xs, uint32_t tx, const char *path, char *buf, size_t cap);

/* XS_READ of a decimal unsigned value; -PV_XS_E_ARG when the value is not one. */
long pv_xs_read_uint(struct pv_xs *xs, uint32_t tx, const char *path, uint64_t *v);

/* XS_WRITE of a string value (no NUL is sent, as xenstore-write does); 0 or -PV_XS_E_*. */
long pv_xs_write(struct pv_xs *xs, uint32_t tx, const char *path, const char *value);

/* XS_WRITE of a decimal unsigned value. */
long pv_xs_write_uint(struct pv_xs *xs, uint32_t tx, const char *path, uint64_t v);

#endif
