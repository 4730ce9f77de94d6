/* SPDX-License-Identifier: MIT */
/*
 * The blkif frontend core (runtime/xen/blkfront.c) against a blkback
 * played on the same shared ring page (play-blkback.h): it serves a
 * patterned 1 MiB disk through the frontend's granted bounce pages,
 * found by grant reference.
 *
 * Well-formed: reads and writes of one to eleven pages (segments and
 * their last_sect), read-back of a write, a write gathered from pieces
 * (pv_blkfront_submit_gather, a device model's path), a full ring, the notification
 * rules (req_event, rsp_event), indices wrapping through 2^32.
 * Refused requests: outside the disk, empty, too long, not whole sectors,
 * misaligned on a 4 KiB-sector disk.
 * A hostile backend: a response id outside the slots, for a slot not in
 * flight (a duplicate), with another operation, rsp_prod ahead of the
 * requests, an error or unknown status.  Each is refused or failed; the
 * caller's buffer is never written from a refused response, and a broken
 * ring fails what was in flight and takes nothing new.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "play-blkback.h"
#include "xen/blkfront.h"

#define DISK_BYTES (1u << 20)
#define GREF0      100u

static blkif_sring_t *sring;
static uint8_t *bounce;
static grant_ref_t gref[PV_BLK_SLOTS * PV_BLK_SEGS];
static uint8_t disk[DISK_BYTES];

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 9) * 13 + 1);
}

/* the backend's side (play-blkback.h) */
static struct play_blkback be;

static void respond(uint64_t id, uint8_t op, int16_t status)
{
	play_blk_respond(&be, id, op, status);
}

static void publish(void)
{
	play_blk_publish(&be);
}

static void serve(int16_t status)
{
	play_blk_serve(&be, status);
}

static struct pv_blkfront bf;

static void fresh(uint32_t sector_size)
{
	for (uint64_t i = 0; i < DISK_BYTES; i++)
		disk[i] = pattern(i);
	be = (struct play_blkback){ .sring = sring, .bounce = bounce, .gref0 = GREF0, .disk = disk,
				    .disk_bytes = DISK_BYTES };
	int rc = pv_blkfront_init(&bf, sring, 51712, DISK_BYTES / 512, sector_size, bounce, gref);

	check(rc == 0, "init: one-page ring of %u slots, %u-byte sectors", bf.nr_ents, sector_size);
}

/* submit, serve, poll: the completion */
static int one(uint8_t op, uint64_t sector, uint32_t bytes, const void *w, struct pv_blk_done *d)
{
	int notify;
	long s = pv_blkfront_submit(&bf, op, sector, bytes, w, &notify);

	if (s < 0)
		return (int)s;
	serve(BLKIF_RSP_OKAY);
	return pv_blkfront_poll(&bf, d) == 1 && d->slot == (unsigned)s ? 0 : -100;
}

static int matches(const uint8_t *p, uint64_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern(off + i))
			return 0;
	return 1;
}

static void well_formed(void)
{
	struct pv_blk_done d;
	static uint8_t w[PV_BLK_MAX_BYTES];
	int notify, n;

	fresh(512);
	check(one(BLKIF_OP_READ, 0, 4096, 0, &d) == 0 && d.ok && d.data && d.bytes == 4096 &&
	      matches(d.data, 0, 4096), "a 4 KiB read at sector 0 returns the disk's bytes");
	check(one(BLKIF_OP_READ, 8, PV_BLK_MAX_BYTES, 0, &d) == 0 && d.ok && matches(d.data, 4096, PV_BLK_MAX_BYTES) &&
	      be.bad_segments == 0, "a 44 KiB read takes all 11 segments and returns the right bytes");
	{
		long sl = pv_blkfront_submit(&bf, BLKIF_OP_READ, 3, 6144, 0, &notify);
		/* read before the backend answers: a response takes the request's place in the ring */
		struct blkif_request q = sring->ring[(bf.req_prod_pvt - 1) & (PV_BLK_SLOTS - 1)].req;

		check(sl >= 0 && q.nr_segments == 2 && q.seg[0].last_sect == 7 && q.seg[1].last_sect == 3 &&
		      q.seg[0].gref == gref[sl * PV_BLK_SEGS] && q.seg[1].gref == gref[sl * PV_BLK_SEGS + 1] &&
		      q.handle == 51712 && q.sector_number == 3 && q.id == (uint64_t)sl,
		      "a 6 KiB request at an odd sector: 2 segments, last_sect 7 and 3, the slot's grants and id, the device handle");
		serve(BLKIF_RSP_OKAY);
		check(pv_blkfront_poll(&bf, &d) == 1 && d.ok && matches(d.data, 1536, 6144), "and its data are the disk's");
	}
	for (unsigned i = 0; i < 8192; i++)
		w[i] = (uint8_t)(0xa0 ^ i);
	check(one(BLKIF_OP_WRITE, 64, 8192, w, &d) == 0 && d.ok && !d.data && !memcmp(disk + 64 * 512, w, 8192),
	      "a write puts the caller's bytes on the disk (and hands back no data)");
	check(one(BLKIF_OP_READ, 64, 8192, 0, &d) == 0 && d.ok && !memcmp(d.data, w, 8192), "and reads back");
	{
		/* a device model's write: the data in pieces of any length, in order */
		struct pv_blk_piece p[3] = { { w + 5000, 1000 }, { w, 3000 }, { w + 3000, 4192 } };
		long sl = pv_blkfront_submit_gather(&bf, BLKIF_OP_WRITE, 128, 8192, p, 3, &notify);

		serve(BLKIF_RSP_OKAY);
		check(sl >= 0 && pv_blkfront_poll(&bf, &d) == 1 && d.ok && !memcmp(disk + 128 * 512, w + 5000, 1000) &&
		      !memcmp(disk + 128 * 512 + 1000, w, 7192),
		      "a gathered write puts its three pieces on the disk one after the other");
	}

	/* a full ring: 32 in flight, the 33rd waits */
	n = 0;
	for (unsigned i = 0; i < PV_BLK_SLOTS; i++)
		n += pv_blkfront_submit(&bf, BLKIF_OP_READ, i * 8, 4096, 0, &notify) >= 0;
	check(n == PV_BLK_SLOTS && pv_blkfront_submit(&bf, BLKIF_OP_READ, 0, 512, 0, &notify) == -PV_BLK_E_BUSY,
	      "32 requests in flight, the 33rd is refused as busy");
	serve(BLKIF_RSP_OKAY);
	n = 0;
	while (pv_blkfront_poll(&bf, &d) == 1)
		n += d.ok && !memcmp(d.data, disk + (uint64_t)d.slot * 4096, 4096);
	check(n == PV_BLK_SLOTS && bf.inflight == 0, "all 32 complete with their own data (%d)", n);
	check(sring->rsp_event == bf.rsp_cons + 1, "an empty poll asks the backend for an event on the next response");

	/* notification: only when the backend's req_event lies in what was pushed */
	sring->req_event = bf.req_prod_pvt + 1;
	pv_blkfront_submit(&bf, BLKIF_OP_READ, 0, 512, 0, &notify);
	check(notify == 1, "the backend waiting (req_event = next request): notify");
	sring->req_event = bf.req_prod_pvt + 5;
	pv_blkfront_submit(&bf, BLKIF_OP_READ, 0, 512, 0, &notify);
	check(notify == 0, "the backend busy (req_event further on): no notify");
	serve(BLKIF_RSP_OKAY);
	while (pv_blkfront_poll(&bf, &d) == 1)
		;

	/* indices through 2^32 */
	bf.req_prod_pvt = bf.rsp_cons = 0xfffffff0u;
	sring->req_prod = sring->rsp_prod = 0xfffffff0u;
	be.req_cons = be.rsp_prod = 0xfffffff0u;
	n = 0;
	for (unsigned i = 0; i < 40; i++)
		n += one(BLKIF_OP_READ, i * 16, 2048, 0, &d) == 0 && d.ok && !memcmp(d.data, disk + i * 16 * 512, 2048);
	check(n == 40 && bf.req_prod_pvt == 0x18, "40 requests across the 2^32 wrap of the indices (%d)", n);
}

static void refused_requests(void)
{
	int notify;

	fresh(512);
	check(pv_blkfront_submit(&bf, BLKIF_OP_READ, DISK_BYTES / 512 - 1, 1024, 0, &notify) == -PV_BLK_E_ARG,
	      "a read running past the disk's end is refused");
	check(pv_blkfront_submit(&bf, BLKIF_OP_READ, UINT64_MAX - 1, 1024, 0, &notify) == -PV_BLK_E_ARG,
	      "a sector number that would overflow is refused");
	check(pv_blkfront_submit(&bf, BLKIF_OP_READ, 0, 0, 0, &notify) == -PV_BLK_E_ARG, "an empty request is refused");
	check(pv_blkfront_submit(&bf, BLKIF_OP_READ, 0, PV_BLK_MAX_BYTES + 512, 0, &notify) == -PV_BLK_E_ARG,
	      "a request over 11 pages is refused");
	check(pv_blkfront_submit(&bf, BLKIF_OP_READ, 0, 700, 0, &notify) == -PV_BLK_E_ARG, "a partial sector is refused");
	check(pv_blkfront_submit(&bf, BLKIF_OP_WRITE, 0, 512, 0, &notify) == -PV_BLK_E_ARG, "a write without data is refused");
	check(pv_blkfront_submit(&bf, 9, 0, 512, 0, &notify) == -PV_BLK_E_ARG, "an operation other than read/write is refused");
	{
		static uint8_t w[4096];
		struct pv_blk_piece p[2] = { { w, 512 }, { w, 1024 } }, z[2] = { { w, 0 }, { w, 512 } },
				    n[2] = { { 0, 512 }, { w, 512 } };

		check(pv_blkfront_submit_gather(&bf, BLKIF_OP_WRITE, 0, 1024, p, 2, &notify) == -PV_BLK_E_ARG &&
		      pv_blkfront_submit_gather(&bf, BLKIF_OP_WRITE, 0, 2048, p, 2, &notify) == -PV_BLK_E_ARG &&
		      pv_blkfront_submit_gather(&bf, BLKIF_OP_WRITE, 0, 512, z, 2, &notify) == -PV_BLK_E_ARG &&
		      pv_blkfront_submit_gather(&bf, BLKIF_OP_WRITE, 0, 1024, n, 2, &notify) == -PV_BLK_E_ARG &&
		      pv_blkfront_submit_gather(&bf, BLKIF_OP_WRITE, 0, 512, 0, 1, &notify) == -PV_BLK_E_ARG &&
		      pv_blkfront_submit_gather(&bf, BLKIF_OP_READ, 0, 512, p, 1, &notify) == -PV_BLK_E_ARG,
		      "gathered writes whose pieces do not add up to the length (short, long, an empty or a NULL piece, none), "
		      "a read with pieces: refused");
	}
	fresh(4096);
	check(pv_blkfront_submit(&bf, BLKIF_OP_READ, 4, 4096, 0, &notify) == -PV_BLK_E_ARG &&
	      pv_blkfront_submit(&bf, BLKIF_OP_READ, 8, 2048, 0, &notify) == -PV_BLK_E_ARG,
	      "on 4 KiB sectors a misaligned start or a half sector is refused");
	check(sring->req_prod == 0 && bf.inflight == 0, "nothing refused reached the ring");
	{
		struct pv_blkfront x;

		check(pv_blkfront_init(&x, sring, 1, 100, 1000, bounce, gref) == -PV_BLK_E_ARG &&
		      pv_blkfront_init(&x, sring, 1, 0, 512, bounce, gref) == -PV_BLK_E_ARG &&
		      pv_blkfront_init(&x, 0, 1, 100, 512, bounce, gref) == -PV_BLK_E_ARG,
		      "init refuses a 1000-byte sector, an empty disk, no ring");
	}
}

/* a hostile backend: each case starts with two reads in flight */
static void hostile_case(const char *what, void (*inject)(void))
{
	struct pv_blk_done d;
	static uint8_t caller[8192];
	int notify, failed = 0, r;
	long s0, s1;

	fresh(512);
	s0 = pv_blkfront_submit(&bf, BLKIF_OP_READ, 0, 4096, 0, &notify);
	s1 = pv_blkfront_submit(&bf, BLKIF_OP_READ, 8, 4096, 0, &notify);
	memset(caller, 0x5a, sizeof caller);
	inject();
	while ((r = pv_blkfront_poll(&bf, &d)) == 1) {
		if (d.ok && d.data)                       /* what a model would copy to the kernel */
			memcpy(caller, d.data, d.bytes);
		failed += !d.ok && !d.data;
	}
	check(s0 >= 0 && s1 >= 0 && bf.broken && failed == 2 && r == -PV_BLK_E_RING && caller[0] == 0x5a &&
	      bf.inflight == 0 && bf.refused == 1,
	      "%s: ring refused, both requests failed, the caller's buffer untouched", what);
	check(pv_blkfront_submit(&bf, BLKIF_OP_READ, 0, 512, 0, &notify) == -PV_BLK_E_RING,
	      "%s: no new request is taken", what);
}

static void bad_id(void) { respond(PV_BLK_SLOTS + 3, BLKIF_OP_READ, 0); publish(); }
static void idle_slot(void) { respond(7, BLKIF_OP_READ, 0); publish(); }
static void other_op(void) { respond(0, BLKIF_OP_WRITE, 0); publish(); }
/* a good answer for the first request, but rsp_prod 4 ahead with 2 in flight: nothing of it is taken */
static void prod_ahead(void) { respond(0, BLKIF_OP_READ, 0); be.rsp_prod += 3; publish(); }
static void huge_id(void) { respond(1ull << 40, BLKIF_OP_READ, 0); publish(); }

static void duplicate(void)
{
	struct pv_blk_done d;
	int notify;
	long s0 = pv_blkfront_submit(&bf, BLKIF_OP_READ, 0, 512, 0, &notify);

	respond((uint64_t)s0, BLKIF_OP_READ, 0);
	respond((uint64_t)s0, BLKIF_OP_READ, 0);
	publish();
	/* the first answer is good; the second names a slot no longer in flight */
	check(pv_blkfront_poll(&bf, &d) == 1 && d.ok && d.slot == (unsigned)s0, "duplicate: the first response is taken");
}

static void statuses(void)
{
	struct pv_blk_done d;
	int notify;
	long s;

	fresh(512);
	s = pv_blkfront_submit(&bf, BLKIF_OP_READ, 0, 4096, 0, &notify);
	serve(BLKIF_RSP_ERROR);
	check(pv_blkfront_poll(&bf, &d) == 1 && d.slot == (unsigned)s && !d.ok && !d.data && d.status == BLKIF_RSP_ERROR &&
	      !bf.broken, "BLKIF_RSP_ERROR fails the request, hands back no data, the ring stays usable");
	s = pv_blkfront_submit(&bf, BLKIF_OP_READ, 0, 4096, 0, &notify);
	serve(7);
	check(pv_blkfront_poll(&bf, &d) == 1 && !d.ok && !d.data && d.status == 7, "an unknown status fails the request");
	check(one(BLKIF_OP_READ, 0, 512, 0, &d) == 0 && d.ok, "and the next request works");
}

int main(void)
{
	if (play_blk_frontend_memory(&sring, &bounce, gref, GREF0))
		return 2;

	well_formed();
	refused_requests();
	statuses();
	hostile_case("response id past the slots", bad_id);
	hostile_case("response id of 2^40", huge_id);
	hostile_case("response for a slot not in flight", idle_slot);
	hostile_case("response with another operation", other_op);
	hostile_case("rsp_prod ahead of the requests", prod_ahead);
	hostile_case("a duplicate response", duplicate);
	return check_summary();
}
