/* SPDX-License-Identifier: MIT */
/*
 * A blkback played on a blkif shared ring page (Xen's io/blkif.h layout),
 * for the tests of what sits on blkfront (test-blkfront.c: the core;
 * test-virtio-blk.c: the virtio-blk model over it).  It serves a disk
 * held in a host array through the frontend's granted bounce pages,
 * found by grant reference (the grants are gref0, gref0 + 1, ... in
 * bounce-page order), and lets a test write any response it likes.
 */
#ifndef PREVIRT_TEST_PLAY_BLKBACK_H
#define PREVIRT_TEST_PLAY_BLKBACK_H

#include <stdlib.h>
#include <string.h>

#include "xen/blkfront.h"

struct play_blkback {
	blkif_sring_t *sring;
	uint8_t *bounce;                /* PV_BLK_SLOTS * PV_BLK_SEGS pages */
	grant_ref_t gref0;
	uint8_t *disk;
	uint64_t disk_bytes;
	uint32_t req_cons, rsp_prod;
	unsigned served, bad_segments;
};

/*
 * The frontend's memory as its tests set it up: a shared ring page, the
 * bounce pages, their grants gref0, gref0 + 1, ... in page order.  0, or
 * -1 when the host has no memory for it.
 */
static inline int play_blk_frontend_memory(blkif_sring_t **sring, uint8_t **bounce, grant_ref_t *gref, grant_ref_t gref0)
{
	*sring = aligned_alloc(PV_BLK_PAGE, PV_BLK_PAGE);
	*bounce = aligned_alloc(PV_BLK_PAGE, (size_t)PV_BLK_SLOTS * PV_BLK_SEGS * PV_BLK_PAGE);
	if (!*sring || !*bounce)
		return -1;
	for (unsigned i = 0; i < PV_BLK_SLOTS * PV_BLK_SEGS; i++)
		gref[i] = gref0 + i;
	return 0;
}

static uint8_t *play_blk_page(struct play_blkback *b, grant_ref_t g)
{
	if (g < b->gref0 || g >= b->gref0 + PV_BLK_SLOTS * PV_BLK_SEGS)
		return 0;
	return b->bounce + (size_t)(g - b->gref0) * PV_BLK_PAGE;
}

/* write one response (not yet published) */
static void play_blk_respond(struct play_blkback *b, uint64_t id, uint8_t op, int16_t status)
{
	struct blkif_response *r = &b->sring->ring[b->rsp_prod & (PV_BLK_SLOTS - 1)].rsp;

	r->id = id;
	r->operation = op;
	r->status = status;
	b->rsp_prod++;
}

static void play_blk_publish(struct play_blkback *b)
{
	__atomic_store_n(&b->sring->rsp_prod, b->rsp_prod, __ATOMIC_RELEASE);
}

/* serve every pushed request, answering each with `status`; how many */
static unsigned play_blk_serve(struct play_blkback *b, int16_t status)
{
	uint32_t prod = __atomic_load_n(&b->sring->req_prod, __ATOMIC_ACQUIRE);
	unsigned n = 0;

	while (b->req_cons != prod) {
		struct blkif_request q = b->sring->ring[b->req_cons++ & (PV_BLK_SLOTS - 1)].req;
		uint64_t off = q.sector_number * 512;

		for (unsigned k = 0; k < q.nr_segments; k++) {
			uint8_t *p = play_blk_page(b, q.seg[k].gref);
			size_t len = (size_t)(q.seg[k].last_sect - q.seg[k].first_sect + 1) * 512;

			if (!p || q.seg[k].first_sect > q.seg[k].last_sect || q.seg[k].last_sect > 7 ||
			    off + len > b->disk_bytes) {
				b->bad_segments++;
				break;
			}
			if (q.operation == BLKIF_OP_READ)
				memcpy(p + q.seg[k].first_sect * 512, b->disk + off, len);
			else
				memcpy(b->disk + off, p + q.seg[k].first_sect * 512, len);
			off += len;
		}
		play_blk_respond(b, q.id, q.operation, status);
		b->served++;
		n++;
	}
	play_blk_publish(b);
	return n;
}

#endif
