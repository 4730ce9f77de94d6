/* SPDX-License-Identifier: MIT */
/*
 * The guest half of Xen's block protocol (public io/blkif.h, io/ring.h),
 * for the in-place disk model of a non-Xen domU (issue 13): the model
 * turns what the kernel's own disk driver asks for into blkif requests on
 * a one-page shared ring, and dom0's blkback answers them.
 *
 * Bounce buffers, on purpose.  The backend is given access (grants) only
 * to pages the runtime owns: PV_BLK_SEGS pages per ring slot, granted once
 * at set-up (as blkfront's "persistent grants").  Data moves between those
 * pages and the kernel's buffers by copy, after a response is checked, so
 * a backend that misbehaves (writes late, answers twice, answers a request
 * that was never sent) can only ever write into runtime pages, never into
 * kernel memory, and the grant table never has to be revoked under a
 * backend that may still hold a mapping.  The copy is the price; Linux's
 * blkfront pays the same one with persistent grants.
 *
 * What the backend controls is checked before use:
 *  - rsp_prod may not pass the requests we pushed (at most nr_ents ahead
 *    of our rsp_cons): otherwise the ring is broken;
 *  - each response is read once into a private copy (no double fetch);
 *    its id must name a slot in flight, its operation the slot's;
 *  - any status but BLKIF_RSP_OKAY completes the request as failed.
 * A broken ring is sticky: every request in flight then completes as
 * failed (pv_blkfront_poll) and no new one is taken.
 *
 * One caller at a time (the model's lock); no allocation, no libc.
 */
#ifndef PREVIRT_RT_BLKFRONT_H
#define PREVIRT_RT_BLKFRONT_H

#include <stddef.h>
#include <stdint.h>

/* io/ring.h leaves its barriers to the includer: x86, the peer on another CPU */
#ifndef mb
#define mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#include <xen/xen.h>
#include <xen/io/blkif.h>

#define PV_BLK_PAGE   4096u
#define PV_BLK_SLOTS  32u                               /* a one-page blkif ring holds 32 requests */
#define PV_BLK_SEGS   BLKIF_MAX_SEGMENTS_PER_REQUEST    /* 11 pages per request */
#define PV_BLK_MAX_BYTES (PV_BLK_SEGS * PV_BLK_PAGE)

enum {
	PV_BLK_E_RING = 1,      /* the backend's indices or a response are impossible (sticky) */
	PV_BLK_E_ARG,           /* a request outside the disk, empty, too long, or unaligned */
	PV_BLK_E_BUSY,          /* no free slot */
};

struct pv_blkfront {
	blkif_sring_t *sring;           /* the shared page (granted to the backend) */
	uint32_t req_prod_pvt, rsp_cons;        /* ours; the shared copies are only written */
	uint32_t nr_ents;
	uint16_t handle;                /* the virtual device number */
	uint32_t sector_size;           /* the backend's "sector-size": 512 .. 4096, a power of two */
	uint64_t sectors;               /* the backend's "sectors", in 512-byte units (blkif's unit) */
	uint8_t *bounce;                /* PV_BLK_SLOTS * PV_BLK_SEGS pages, runtime-owned */
	const grant_ref_t *gref;        /* gref[slot * PV_BLK_SEGS + seg]: the bounce pages' grants */
	struct {
		uint8_t  busy, op, failed;
		uint32_t bytes;
	} slot[PV_BLK_SLOTS];
	unsigned inflight;
	int      broken;
	uint64_t refused;               /* responses refused (ring broken by them) */
};

/* A finished request, as pv_blkfront_poll hands it back. */
struct pv_blk_done {
	unsigned slot;
	int      ok;                    /* BLKIF_RSP_OKAY and the ring intact */
	int16_t  status;                /* the backend's status (0 when the ring broke) */
	uint8_t  op;
	uint32_t bytes;
	const uint8_t *data;            /* a read's data (bytes of it), valid until the slot is reused */
};

/*
 * Set up the frontend over `sring` (one page; initialised here), the
 * bounce pages and their grants.  sectors is the disk size in 512-byte
 * units, sector_size the backend's logical sector size.  0 or -PV_BLK_E_ARG.
 */
int pv_blkfront_init(struct pv_blkfront *bf, void *sring, uint16_t handle, uint64_t sectors,
		     uint32_t sector_size, uint8_t *bounce, const grant_ref_t *gref);

/*
 * Queue a read or write (BLKIF_OP_READ/WRITE) of `bytes` at 512-byte
 * sector `sector`; a write's data is copied from `wdata` into the slot's
 * bounce pages first.  Returns the slot (>= 0) or -PV_BLK_E_*.  *notify
 * is set when the backend must be kicked (its req_event asked for it).
 */
long pv_blkfront_submit(struct pv_blkfront *bf, uint8_t op, uint64_t sector, uint32_t bytes,
			const void *wdata, int *notify);

/*
 * A write's source in pieces, in order (a virtio-blk request's data
 * buffers, already translated and range-checked by the caller): copied
 * once, straight into the slot's bounce pages, so a device model needs no
 * second copy.  The pieces are read through volatile pointers (they may
 * be guest memory that another vCPU changes: each byte is read once).
 */
struct pv_blk_piece {
	const volatile void *p;
	uint32_t len;
};

/*
 * pv_blkfront_submit with the write data gathered from `src[0..npieces)`,
 * whose lengths must add up to exactly `bytes` (else -PV_BLK_E_ARG); a
 * read takes no pieces (npieces 0).  Every check of pv_blkfront_submit.
 */
long pv_blkfront_submit_gather(struct pv_blkfront *bf, uint8_t op, uint64_t sector, uint32_t bytes,
			       const struct pv_blk_piece *src, unsigned npieces, int *notify);

/* 1 when a submit now would find a free slot (the ring has room whenever a slot is free) */
static inline int pv_blkfront_has_room(const struct pv_blkfront *bf)
{
	return !bf->broken && bf->inflight < PV_BLK_SLOTS;
}

/*
 * Take one finished request: 1 with *d filled, 0 when none is ready (the
 * backend is asked to notify on the next response), -PV_BLK_E_RING when
 * the ring is broken and nothing is in flight any more.
 */
int pv_blkfront_poll(struct pv_blkfront *bf, struct pv_blk_done *d);

#endif
