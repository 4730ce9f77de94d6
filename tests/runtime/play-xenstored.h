/* SPDX-License-Identifier: MIT */
/*
 * A scripted xenstored for the host tests (test-xenstore.c,
 * test-domu-control.c): it lives in pv_xs_wait(), and each wait lets it
 * read at most srv.chunk request bytes, answer every complete request from
 * a small store (XS_READ, XS_WRITE; anything else ENOSYS), and write at
 * most srv.chunk reply bytes.  srv.fault makes it hostile in one way.  The
 * ring is Xen's public io/xs_wire.h one, `ring`.  Included once per test.
 */
#ifndef PREVIRT_TEST_PLAY_XENSTORED_H
#define PREVIRT_TEST_PLAY_XENSTORED_H

#include <stdio.h>
#include <string.h>

#include "xen/xenstore.h"

#define RING XENSTORE_RING_SIZE

static struct xenstore_domain_interface ring;

/* ---- the scripted xenstored ---- */
enum fault {
	F_NONE,
	F_SILENT,           /* never answers */
	F_PROD_AHEAD,       /* rsp_prod runs more than a ring ahead */
	F_LEN_HUGE,         /* reply header with len > XENSTORE_PAYLOAD_MAX */
	F_OTHER_ID,         /* reply carries another req_id */
	F_OTHER_TYPE,       /* reply of another type */
	F_WATCH_FIRST,      /* a watch event ahead of the reply */
	F_SCRIBBLE_PROD,    /* after answering, overwrite the client's req_prod in the ring */
	F_BAD_OK,           /* XS_WRITE answered with something that is not "OK" */
};

static struct {
	enum fault fault;
	unsigned chunk;             /* bytes per direction per wait */
	uint32_t req_cons, rsp_prod;
	uint8_t in[2 * XENSTORE_PAYLOAD_MAX], out[4 * XENSTORE_PAYLOAD_MAX];
	size_t nin, nout, outoff;
	unsigned waits, notifies, requests;
	char path[64][128], value[64][XENSTORE_PAYLOAD_MAX + 1];
	size_t vlen[64];
	unsigned nkeys;
} srv;

static int key(const char *path, int create)
{
	for (unsigned i = 0; i < srv.nkeys; i++)
		if (!strcmp(srv.path[i], path))
			return (int)i;
	if (!create || srv.nkeys == 64)
		return -1;
	snprintf(srv.path[srv.nkeys], sizeof srv.path[0], "%s", path);
	return (int)srv.nkeys++;
}

static void set(const char *path, const char *v, size_t n)
{
	int k = key(path, 1);

	memcpy(srv.value[k], v, n);
	srv.vlen[k] = n;
}

static void emit(uint32_t type, uint32_t id, const void *p, uint32_t len)
{
	struct xsd_sockmsg h = { .type = type, .req_id = id, .tx_id = 0, .len = len };

	memcpy(srv.out + srv.nout, &h, sizeof h);
	memcpy(srv.out + srv.nout + sizeof h, p, len);
	srv.nout += sizeof h + len;
}

static void answer(const struct xsd_sockmsg *h, const char *payload)
{
	uint32_t type = h->type, id = h->req_id;

	srv.requests++;
	if (srv.fault == F_SILENT)
		return;
	if (srv.fault == F_WATCH_FIRST)
		emit(XS_WATCH_EVENT, 0, "control/shutdown\0tok\0", 21);
	if (srv.fault == F_OTHER_ID)
		id += 7;
	if (srv.fault == F_OTHER_TYPE)
		type = XS_DIRECTORY;
	if (srv.fault == F_LEN_HUGE) {
		struct xsd_sockmsg r = { .type = type, .req_id = id, .len = XENSTORE_PAYLOAD_MAX + 1 };

		memcpy(srv.out + srv.nout, &r, sizeof r);
		srv.nout += sizeof r;
		return;
	}
	if (h->type == XS_READ) {
		int k = key(payload, 0);

		if (k < 0)
			emit(XS_ERROR, id, "ENOENT", 7);
		else
			emit(type, id, srv.value[k], (uint32_t)srv.vlen[k]);
	} else if (h->type == XS_WRITE) {
		size_t pl = strlen(payload) + 1;

		set(payload, payload + pl, h->len - pl);
		if (srv.fault == F_BAD_OK)
			emit(type, id, "NO", 3);
		else
			emit(type, id, "OK", 3);
	} else {
		emit(XS_ERROR, id, "ENOSYS", 7);
	}
}

/* one step of the daemon: read, answer, write */
static void step(void)
{
	uint32_t prod = ring.req_prod, n = 0;

	while (srv.req_cons != prod && n < srv.chunk) {
		srv.in[srv.nin++] = (uint8_t)ring.req[srv.req_cons++ & (RING - 1)];
		n++;
	}
	ring.req_cons = srv.req_cons;
	for (;;) {
		struct xsd_sockmsg h;
		char payload[XENSTORE_PAYLOAD_MAX + 1];

		if (srv.nin < sizeof h)
			break;
		memcpy(&h, srv.in, sizeof h);
		if (srv.nin < sizeof h + h.len)
			break;
		memcpy(payload, srv.in + sizeof h, h.len);
		payload[h.len] = 0;
		memmove(srv.in, srv.in + sizeof h + h.len, srv.nin - sizeof h - h.len);
		srv.nin -= sizeof h + h.len;
		answer(&h, payload);
	}
	n = 0;
	while (srv.outoff < srv.nout && srv.rsp_prod - ring.rsp_cons < RING && n < srv.chunk) {
		ring.rsp[srv.rsp_prod++ & (RING - 1)] = (char)srv.out[srv.outoff++];
		n++;
	}
	if (srv.outoff == srv.nout)
		srv.outoff = srv.nout = 0;
	ring.rsp_prod = srv.fault == F_PROD_AHEAD ? srv.rsp_prod + RING + 1 : srv.rsp_prod;
	if (srv.fault == F_SCRIBBLE_PROD)
		ring.req_prod += 500;
}

void pv_xs_notify(struct pv_xs *xs)
{
	(void)xs;
	srv.notifies++;
}

int pv_xs_wait(struct pv_xs *xs)
{
	(void)xs;
	srv.waits++;
	step();
	return 0;
}


#endif
