/* SPDX-License-Identifier: MIT */
/*
 * The XenStore client (xenstore.h says what it checks and why).
 *
 * The byte stream: a request is an xsd_sockmsg header and its payload,
 * written into req[] at our req_prod and published by storing req_prod;
 * a reply is read from rsp[] at our rsp_cons up to the peer's rsp_prod
 * and released by storing rsp_cons.  Both rings are 1024 bytes and a
 * message may be up to 16 + 4096, so either direction may wrap and may
 * need the peer to make room first: put() and get() move what fits, kick
 * the peer and wait for the rest.
 *
 * Ordering (x86, the peer on another CPU): data before the index that
 * publishes it (release store), the peer's index before the data it
 * publishes (acquire load); the index we store before we kick the peer
 * is followed by a full fence, so the peer cannot miss it after the kick.
 */
#include "xen/xenstore.h"

#define RING XENSTORE_RING_SIZE

static size_t slen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* give up on the stream: the peer's position in it is unknown from now on */
static long fail(struct pv_xs *xs, int err)
{
	xs->broken = err;
	return -err;
}

static int wait(struct pv_xs *xs, unsigned *budget)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pv_xs_notify(xs);
	if (!*budget)
		return -PV_XS_E_TIMEOUT;
	--*budget;
	return pv_xs_wait(xs) ? -PV_XS_E_TIMEOUT : 0;
}

/* append n bytes of src to the request stream (waiting for room), not yet published beyond what room needed */
static long put(struct pv_xs *xs, const uint8_t *src, uint32_t n, unsigned *budget)
{
	while (n) {
		uint32_t cons = __atomic_load_n(&xs->ring->req_cons, __ATOMIC_ACQUIRE);
		uint32_t used = xs->req_prod - cons, k, at;

		if (used > RING)
			return fail(xs, PV_XS_E_RING);
		if (used == RING) {             /* full: publish what we have, let the peer read */
			__atomic_store_n(&xs->ring->req_prod, xs->req_prod, __ATOMIC_RELEASE);
			if (wait(xs, budget))
				return fail(xs, PV_XS_E_TIMEOUT);
			continue;
		}
		at = xs->req_prod & (RING - 1);
		k = RING - used;
		if (k > RING - at)
			k = RING - at;
		if (k > n)
			k = n;
		for (uint32_t i = 0; i < k; i++)
			xs->ring->req[at + i] = (char)src[i];
		xs->req_prod += k;
		src += k;
		n -= k;
	}
	return 0;
}

/* take n bytes of the reply stream into dst (0: drop them), waiting for the peer */
static long get(struct pv_xs *xs, uint8_t *dst, uint32_t n, unsigned *budget)
{
	while (n) {
		uint32_t prod = __atomic_load_n(&xs->ring->rsp_prod, __ATOMIC_ACQUIRE);
		uint32_t avail = prod - xs->rsp_cons, k, at;

		if (avail > RING)
			return fail(xs, PV_XS_E_RING);
		if (!avail) {
			if (wait(xs, budget))
				return fail(xs, PV_XS_E_TIMEOUT);
			continue;
		}
		at = xs->rsp_cons & (RING - 1);
		k = avail;
		if (k > RING - at)
			k = RING - at;
		if (k > n)
			k = n;
		for (uint32_t i = 0; i < k; i++) {
			uint8_t c = (uint8_t)xs->ring->rsp[at + i];

			if (dst)
				*dst++ = c;
		}
		xs->rsp_cons += k;
		n -= k;
		/* release the room at once: a long reply needs it */
		__atomic_store_n(&xs->ring->rsp_cons, xs->rsp_cons, __ATOMIC_RELEASE);
	}
	return 0;
}

int pv_xs_init(struct pv_xs *xs, volatile struct xenstore_domain_interface *ring, unsigned budget,
	       void *env)
{
	uint32_t req_cons = ring->req_cons, req_prod = ring->req_prod;
	uint32_t rsp_cons = ring->rsp_cons, rsp_prod = ring->rsp_prod;

	*xs = (struct pv_xs){ .ring = ring, .budget = budget, .env = env, .req_id = 1 };
	/* the only time our indices are read from the ring: where the last user left them */
	if (req_prod - req_cons > RING || rsp_prod - rsp_cons > RING)
		return (int)fail(xs, PV_XS_E_RING);
	xs->req_prod = req_prod;
	xs->rsp_cons = rsp_cons;
	return 0;
}

long pv_xs_request(struct pv_xs *xs, uint32_t type, uint32_t tx, const struct pv_xs_part *parts,
		   unsigned nparts, char *reply, size_t cap)
{
	struct xsd_sockmsg h = { .type = type, .req_id = xs->req_id++, .tx_id = tx, .len = 0 };
	unsigned budget = xs->budget;
	long rc;

	if (xs->broken)
		return -xs->broken;
	if (!reply && cap)
		return -PV_XS_E_ARG;
	for (unsigned i = 0; i < nparts; i++) {
		if ((!parts[i].p && parts[i].len) || parts[i].len > XENSTORE_PAYLOAD_MAX - h.len)
			return -PV_XS_E_ARG;
		h.len += parts[i].len;
	}
	if ((rc = put(xs, (const uint8_t *)&h, sizeof h, &budget)))
		return rc;
	for (unsigned i = 0; i < nparts; i++)
		if ((rc = put(xs, parts[i].p, parts[i].len, &budget)))
			return rc;
	__atomic_store_n(&xs->ring->req_prod, xs->req_prod, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pv_xs_notify(xs);

	for (;;) {
		struct xsd_sockmsg r;

		if ((rc = get(xs, (uint8_t *)&r, sizeof r, &budget)))
			return rc;
		if (r.len > XENSTORE_PAYLOAD_MAX)
			return fail(xs, PV_XS_E_PROTO);
		if (r.type == XS_WATCH_EVENT) {     /* asynchronous: not ours to wait for here */
			if ((rc = get(xs, 0, r.len, &budget)))
				return rc;
			xs->watch_events++;
			continue;
		}
		if (r.req_id != h.req_id || (r.type != type && r.type != XS_ERROR))
			return fail(xs, PV_XS_E_PROTO);
		if (r.type == XS_ERROR) {
			uint8_t name[sizeof xs->remote_error];
			uint32_t keep = r.len < sizeof name - 1 ? r.len : (uint32_t)sizeof name - 1;
			uint32_t i;

			if ((rc = get(xs, name, keep, &budget)) || (rc = get(xs, 0, r.len - keep, &budget)))
				return rc;
			for (i = 0; i < keep && name[i]; i++)
				xs->remote_error[i] = (char)name[i];
			xs->remote_error[i] = 0;
			return -PV_XS_E_REMOTE;
		}
		if (r.len > cap) {
			if ((rc = get(xs, 0, r.len, &budget)))
				return rc;
			return -PV_XS_E_TOOBIG;
		}
		if ((rc = get(xs, (uint8_t *)reply, r.len, &budget)))
			return rc;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		pv_xs_notify(xs);               /* the room we released */
		return (long)r.len;
	}
}

/* a path as the protocol wants it: with its NUL, and no longer than an absolute path may be */
static int path_part(const char *path, struct pv_xs_part *p)
{
	size_t n = path ? slen(path) : 0;

	if (!n || n > XENSTORE_ABS_PATH_MAX)
		return -PV_XS_E_ARG;
	*p = (struct pv_xs_part){ path, (uint32_t)n + 1 };
	return 0;
}

long pv_xs_read(struct pv_xs *xs, uint32_t tx, const char *path, char *buf, size_t cap)
{
	struct pv_xs_part p;
	long n;

	if (!buf || !cap || path_part(path, &p))
		return -PV_XS_E_ARG;
	n = pv_xs_request(xs, XS_READ, tx, &p, 1, buf, cap - 1);
	buf[n >= 0 ? n : 0] = 0;
	return n;
}

long pv_xs_read_uint(struct pv_xs *xs, uint32_t tx, const char *path, uint64_t *v)
{
	char b[24];
	long n = pv_xs_read(xs, tx, path, b, sizeof b);
	uint64_t x = 0;

	if (n < 0)
		return n == -PV_XS_E_TOOBIG ? -PV_XS_E_ARG : n;
	if (!n)
		return -PV_XS_E_ARG;
	for (long i = 0; i < n; i++) {
		unsigned d = (unsigned)(b[i] - '0');

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -PV_XS_E_ARG;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

long pv_xs_write(struct pv_xs *xs, uint32_t tx, const char *path, const char *value)
{
	struct pv_xs_part p[2];
	char ok[3];
	long n;

	if (!value || path_part(path, &p[0]))
		return -PV_XS_E_ARG;
	p[1] = (struct pv_xs_part){ value, (uint32_t)slen(value) };
	n = pv_xs_request(xs, XS_WRITE, tx, p, 2, ok, sizeof ok);
	if (n < 0)
		return n;
	/* xenstored answers "OK" and its NUL: anything else is not the answer to this */
	if (n != 3 || ok[0] != 'O' || ok[1] != 'K' || ok[2])
		return fail(xs, PV_XS_E_PROTO);
	return 0;
}

long pv_xs_write_uint(struct pv_xs *xs, uint32_t tx, const char *path, uint64_t v)
{
	char d[21], s[21];
	int n = 0, i = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		s[i++] = d[--n];
	s[i] = 0;
	return pv_xs_write(xs, tx, path, s);
}
