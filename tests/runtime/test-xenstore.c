/* SPDX-License-Identifier: MIT */
/*
 * The runtime's XenStore client (runtime/xen/xenstore.c) against a
 * scripted xenstored that lives in pv_xs_wait(): each wait lets the peer
 * read at most `chunk` request bytes, answer every complete request from a
 * small store, and write at most `chunk` reply bytes.  The ring is the one
 * from Xen's public io/xs_wire.h.
 *
 * Well-formed traffic: reads, writes, XS_ERROR, watch events ahead of the
 * reply, messages across the ring's end and across the 32-bit wrap of the
 * indices, requests and replies longer than the ring.
 * A hostile peer: indices that run ahead, a reply header with a length
 * over XENSTORE_PAYLOAD_MAX, another request's id, another type, a reply
 * longer than the caller's buffer, no reply at all, our own index
 * scribbled over.  Each must fail in its own way without writing past the
 * caller's buffer, and a broken ring stays refused.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xen/xenstore.h"

#include "play-xenstored.h"

/* a fresh ring whose indices all start at `at` (as the toolstack may leave them) */
static void fresh(struct pv_xs *xs, uint32_t at, unsigned chunk, enum fault f, unsigned budget)
{
	memset(&ring, 0, sizeof ring);
	ring.req_cons = ring.req_prod = ring.rsp_cons = ring.rsp_prod = at;
	srv.req_cons = srv.rsp_prod = at;
	srv.nin = srv.nout = srv.outoff = 0;
	srv.waits = srv.notifies = srv.requests = 0;
	srv.chunk = chunk;
	srv.fault = f;
	check(pv_xs_init(xs, &ring, budget, 0) == 0, "init at index 0x%08x", at);
}

static void well_formed(uint32_t at, unsigned chunk)
{
	struct pv_xs xs;
	char b[64], big[XENSTORE_PAYLOAD_MAX + 1];
	uint64_t v = 0;
	long n;

	fresh(&xs, at, chunk, F_NONE, 256);   /* 3 KiB at 37 bytes a step takes ~90 waits */
	srv.nkeys = 0;
	set("domid", "7", 1);
	set("name", "guest-one", 9);

	n = pv_xs_read(&xs, 0, "name", b, sizeof b);
	check(n == 9 && !strcmp(b, "guest-one"), "read returns the value NUL-terminated (at 0x%08x, %u bytes a step): %ld '%s'", at, chunk, n, b);
	n = pv_xs_read_uint(&xs, 0, "domid", &v);
	check(n == 0 && v == 7, "read_uint parses the domain id: %lu", (unsigned long)v);
	check(pv_xs_write(&xs, 0, "device/vbd/768/ring-ref", "8") == 0 &&
	      key("device/vbd/768/ring-ref", 0) >= 0 && srv.vlen[key("device/vbd/768/ring-ref", 0)] == 1,
	      "write sends the path with its NUL and the value without one");
	check(pv_xs_write_uint(&xs, 0, "device/vbd/768/event-channel", 4294967295u) == 0 &&
	      pv_xs_read_uint(&xs, 0, "device/vbd/768/event-channel", &v) == 0 && v == 4294967295u,
	      "write_uint and read_uint round-trip the largest event channel");
	n = pv_xs_read(&xs, 0, "no/such/key", b, sizeof b);
	check(n == -PV_XS_E_REMOTE && !strcmp(xs.remote_error, "ENOENT") && b[0] == 0,
	      "XS_ERROR comes back as -PV_XS_E_REMOTE with its name: %ld %s", n, xs.remote_error);

	/* longer than the ring both ways: the request waits for room, the reply for more */
	memset(big, 'x', sizeof big - 1);
	big[3000] = 0;
	check(pv_xs_write(&xs, 0, "data/long", big) == 0, "a 3000-byte write crosses the ring several times");
	{
		static char rb[XENSTORE_PAYLOAD_MAX + 1];

		n = pv_xs_read(&xs, 0, "data/long", rb, sizeof rb);
		check(n == 3000 && !memcmp(rb, big, 3000) && rb[3000] == 0, "the 3000-byte value reads back whole: %ld", n);
	}
	check(!xs.broken && srv.requests == 8, "eight requests answered, ring in step (%u)", srv.requests);
}

static void hostile(void)
{
	struct pv_xs xs;
	char b[32];
	uint64_t v;
	long n;

	srv.nkeys = 0;
	set("name", "guest", 5);
	set("notanumber", "12x", 3);
	set("huge", "99999999999999999999999", 23);
	set("big", "0123456789012345678901234567890123456789", 40);

	fresh(&xs, 0, 4096, F_NONE, 64);
	memset(b, 0x5a, sizeof b);
	n = pv_xs_read(&xs, 0, "big", b, 16);
	check(n == -PV_XS_E_TOOBIG && b[0] == 0 && (unsigned char)b[16] == 0x5a,
	      "a reply longer than the buffer is refused, nothing written past it: %ld", n);
	check(pv_xs_read(&xs, 0, "name", b, sizeof b) == 5 && !strcmp(b, "guest"),
	      "after a refused long reply the ring is still in step");
	check(pv_xs_read_uint(&xs, 0, "notanumber", &v) == -PV_XS_E_ARG, "read_uint refuses '12x'");
	check(pv_xs_read_uint(&xs, 0, "huge", &v) == -PV_XS_E_ARG, "read_uint refuses a value that overflows 64 bits");
	check(pv_xs_read(&xs, 0, "", b, sizeof b) == -PV_XS_E_ARG && srv.requests == 5 - 1,
	      "an empty path is refused before anything is sent");
	{
		static char huge[XENSTORE_PAYLOAD_MAX + 2];
		uint32_t prod = ring.req_prod;

		memset(huge, 'y', sizeof huge - 1);
		check(pv_xs_write(&xs, 0, "k", huge) == -PV_XS_E_ARG && ring.req_prod == prod && !xs.broken,
		      "a request over XENSTORE_PAYLOAD_MAX is refused before a byte is written");
	}
	check(pv_xs_request(&xs, XS_READ, 0, 0, 0, 0, 5) == -PV_XS_E_ARG, "a reply capacity without a buffer is refused");

	fresh(&xs, 0, 4096, F_WATCH_FIRST, 64);
	check(pv_xs_read(&xs, 0, "name", b, sizeof b) == 5 && xs.watch_events == 1,
	      "a watch event ahead of the reply is skipped and counted");

	fresh(&xs, 0, 4096, F_SILENT, 64);
	n = pv_xs_read(&xs, 0, "name", b, sizeof b);
	check(n == -PV_XS_E_TIMEOUT && srv.waits == 64, "a peer that never answers: -PV_XS_E_TIMEOUT after the budget's 64 waits (%u)", srv.waits);
	check(pv_xs_read(&xs, 0, "name", b, sizeof b) == -PV_XS_E_TIMEOUT && srv.requests == 1,
	      "after a timeout the stream is given up: the next request is refused without sending");

	fresh(&xs, 0, 4096, F_PROD_AHEAD, 64);
	memset(b, 0x5a, sizeof b);
	n = pv_xs_read(&xs, 0, "name", b, sizeof b);
	check(n == -PV_XS_E_RING && b[0] == 0 && (unsigned char)b[1] == 0x5a,
	      "rsp_prod more than a ring ahead is a broken ring; nothing read: %ld", n);
	srv.fault = F_NONE;
	check(pv_xs_read(&xs, 0, "name", b, sizeof b) == -PV_XS_E_RING, "a broken ring stays refused");

	fresh(&xs, 0, 4096, F_LEN_HUGE, 64);
	check(pv_xs_read(&xs, 0, "name", b, sizeof b) == -PV_XS_E_PROTO && xs.broken == PV_XS_E_PROTO,
	      "a reply length over XENSTORE_PAYLOAD_MAX is a protocol error");
	fresh(&xs, 0, 4096, F_OTHER_ID, 64);
	check(pv_xs_read(&xs, 0, "name", b, sizeof b) == -PV_XS_E_PROTO, "a reply to another request id is a protocol error");
	fresh(&xs, 0, 4096, F_OTHER_TYPE, 64);
	check(pv_xs_read(&xs, 0, "name", b, sizeof b) == -PV_XS_E_PROTO, "a reply of another type is a protocol error");
	fresh(&xs, 0, 4096, F_BAD_OK, 64);
	check(pv_xs_write(&xs, 0, "k", "v") == -PV_XS_E_PROTO, "a write answered with anything but \"OK\" is refused");

	fresh(&xs, 0, 4096, F_SCRIBBLE_PROD, 64);
	check(pv_xs_read(&xs, 0, "name", b, sizeof b) == 5 && pv_xs_read(&xs, 0, "name", b, sizeof b) == 5 &&
	      !strcmp(b, "guest"), "the peer overwriting our req_prod in the ring changes nothing: ours is private");

	{
		struct pv_xs x2;

		memset(&ring, 0, sizeof ring);
		ring.rsp_cons = 0;
		ring.rsp_prod = RING + 5;
		check(pv_xs_init(&x2, &ring, 8, 0) == -PV_XS_E_RING &&
		      pv_xs_read(&x2, 0, "name", b, sizeof b) == -PV_XS_E_RING,
		      "a ring handed over with impossible indices is refused at init");
	}
}

int main(void)
{
	well_formed(0, 4096);                   /* whole messages per step */
	well_formed(1000, 100);                 /* messages across the ring's end, peer slow */
	well_formed(0xfffffe00u, 37);           /* indices wrap through 2^32 mid-message */
	hostile();
	return check_summary();
}
