/* SPDX-License-Identifier: MIT */
/*
 * The blkif frontend core (blkfront.h says what it checks and why).
 *
 * Indices: req_prod_pvt counts requests written, rsp_cons responses
 * taken; both are ours and only ever written to the shared page.  The
 * backend's rsp_prod is read once per look and may be at most
 * req_prod_pvt - rsp_cons ahead (a response to a request never pushed is
 * impossible).  A request's id is its slot, so an in-flight request is
 * found without trusting anything else in the response.
 */
#include "xen/blkfront.h"
#include "xen/vmem.h"

static void zero(void *p, size_t n)
{
	volatile uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

static void copy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
}

int pv_blkfront_init(struct pv_blkfront *bf, void *sring, uint16_t handle, uint64_t sectors,
		     uint32_t sector_size, uint8_t *bounce, const grant_ref_t *gref)
{
	blkif_sring_t *s = sring;

	zero(bf, sizeof *bf);
	if (!sring || !bounce || !gref || !sectors || sector_size < 512 || sector_size > PV_BLK_PAGE ||
	    (sector_size & (sector_size - 1)))
		return -PV_BLK_E_ARG;
	/* SHARED_RING_INIT by hand: the macro calls memset, which the blob does not have */
	zero(s, PV_BLK_PAGE);
	s->req_event = s->rsp_event = 1;
	bf->sring = s;
	bf->nr_ents = __RING_SIZE(s, PV_BLK_PAGE);
	if (bf->nr_ents != PV_BLK_SLOTS)        /* the slot table is sized for a one-page ring */
		return -PV_BLK_E_ARG;
	bf->handle = handle;
	bf->sectors = sectors;
	bf->sector_size = sector_size;
	bf->bounce = bounce;
	bf->gref = gref;
	return 0;
}

static uint8_t *slot_pages(const struct pv_blkfront *bf, unsigned slot)
{
	return bf->bounce + (size_t)slot * PV_BLK_SEGS * PV_BLK_PAGE;
}

/* the pieces cover exactly `bytes`, none of them without its bytes (overflow-safe) */
static int pieces_fit(const struct pv_blk_piece *src, unsigned n, uint32_t bytes)
{
	uint32_t left = bytes;

	for (unsigned i = 0; i < n; i++) {
		if (!src[i].p || !src[i].len || src[i].len > left)
			return 0;
		left -= src[i].len;
	}
	return left == 0;
}

/* one read of each source byte: the source may be guest memory in motion */
static void gather(uint8_t *dst, const struct pv_blk_piece *src, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		pv_vmem_read(dst, src[i].p, src[i].len);
		dst += src[i].len;
	}
}

long pv_blkfront_submit(struct pv_blkfront *bf, uint8_t op, uint64_t sector, uint32_t bytes,
			const void *wdata, int *notify)
{
	struct pv_blk_piece one = { wdata, bytes };

	if (op == BLKIF_OP_WRITE && !wdata) {
		*notify = 0;
		return bf->broken ? -PV_BLK_E_RING : -PV_BLK_E_ARG;
	}
	return pv_blkfront_submit_gather(bf, op, sector, bytes, &one, op == BLKIF_OP_WRITE, notify);
}

long pv_blkfront_submit_gather(struct pv_blkfront *bf, uint8_t op, uint64_t sector, uint32_t bytes,
			       const struct pv_blk_piece *src, unsigned npieces, int *notify)
{
	uint32_t unit = bf->sector_size / 512, old = bf->req_prod_pvt, nsect = bytes / 512;
	struct blkif_request r;
	unsigned slot, nseg;

	*notify = 0;
	if (bf->broken)
		return -PV_BLK_E_RING;
	if ((op != BLKIF_OP_READ && op != BLKIF_OP_WRITE) || !bytes || bytes > PV_BLK_MAX_BYTES ||
	    bytes % bf->sector_size || sector % unit || sector > bf->sectors || nsect > bf->sectors - sector ||
	    (op == BLKIF_OP_WRITE && (!src || !pieces_fit(src, npieces, bytes))) ||
	    (op == BLKIF_OP_READ && npieces))
		return -PV_BLK_E_ARG;
	if (bf->req_prod_pvt - bf->rsp_cons >= bf->nr_ents)
		return -PV_BLK_E_BUSY;
	for (slot = 0; slot < PV_BLK_SLOTS && bf->slot[slot].busy; slot++)
		;
	if (slot == PV_BLK_SLOTS)
		return -PV_BLK_E_BUSY;
	if (op == BLKIF_OP_WRITE)
		gather(slot_pages(bf, slot), src, npieces);

	zero(&r, sizeof r);
	r.operation = op;
	r.handle = bf->handle;
	r.id = slot;
	r.sector_number = sector;
	nseg = (bytes + PV_BLK_PAGE - 1) / PV_BLK_PAGE;
	r.nr_segments = (uint8_t)nseg;
	for (unsigned k = 0; k < nseg; k++) {
		uint32_t here = bytes - k * PV_BLK_PAGE;

		if (here > PV_BLK_PAGE)
			here = PV_BLK_PAGE;
		r.seg[k].gref = bf->gref[slot * PV_BLK_SEGS + k];
		r.seg[k].first_sect = 0;
		r.seg[k].last_sect = (uint8_t)(here / 512 - 1);
	}
	copy(&bf->sring->ring[bf->req_prod_pvt & (bf->nr_ents - 1)].req, &r, sizeof r);
	bf->req_prod_pvt++;
	bf->slot[slot].busy = 1;
	bf->slot[slot].op = op;
	bf->slot[slot].failed = 0;
	bf->slot[slot].bytes = bytes;
	bf->inflight++;

	/* RING_PUSH_REQUESTS_AND_CHECK_NOTIFY, with our private old index */
	wmb();
	__atomic_store_n(&bf->sring->req_prod, bf->req_prod_pvt, __ATOMIC_RELAXED);
	mb();
	{
		uint32_t ev = __atomic_load_n(&bf->sring->req_event, __ATOMIC_RELAXED);

		*notify = (uint32_t)(bf->req_prod_pvt - ev) < (uint32_t)(bf->req_prod_pvt - old);
	}
	return slot;
}

/* the ring can no longer be trusted: refuse it, and fail what is in flight */
static void broken(struct pv_blkfront *bf)
{
	bf->broken = PV_BLK_E_RING;
	bf->refused++;
}

int pv_blkfront_poll(struct pv_blkfront *bf, struct pv_blk_done *d)
{
	uint32_t prod, at;
	uint64_t id;
	uint8_t op;
	int16_t status;

	zero(d, sizeof *d);
	if (!bf->broken) {
		prod = __atomic_load_n(&bf->sring->rsp_prod, __ATOMIC_ACQUIRE);
		if (prod == bf->rsp_cons) {
			/* RING_FINAL_CHECK_FOR_RESPONSES: ask for an event, then look once more */
			__atomic_store_n(&bf->sring->rsp_event, bf->rsp_cons + 1, __ATOMIC_RELAXED);
			mb();
			prod = __atomic_load_n(&bf->sring->rsp_prod, __ATOMIC_ACQUIRE);
			if (prod == bf->rsp_cons)
				return 0;
		}
		if (prod - bf->rsp_cons > bf->req_prod_pvt - bf->rsp_cons) {
			broken(bf);
		} else {
			volatile struct blkif_response *rp =
				&bf->sring->ring[bf->rsp_cons & (bf->nr_ents - 1)].rsp;

			/* one read of each field: the backend may change them under us */
			id = rp->id;
			op = rp->operation;
			status = rp->status;
			bf->rsp_cons++;
			if (id >= PV_BLK_SLOTS || !bf->slot[id].busy || bf->slot[id].op != op) {
				broken(bf);
			} else {
				at = (uint32_t)id;
				d->slot = at;
				d->op = op;
				d->status = status;
				d->ok = status == BLKIF_RSP_OKAY;
				d->bytes = bf->slot[at].bytes;
				if (d->ok && op == BLKIF_OP_READ)
					d->data = slot_pages(bf, at);
				bf->slot[at].busy = 0;
				bf->inflight--;
				return 1;
			}
		}
	}
	/* broken: hand back what is in flight, failed, one at a time */
	for (at = 0; at < PV_BLK_SLOTS; at++) {
		if (bf->slot[at].busy) {
			d->slot = at;
			d->op = bf->slot[at].op;
			d->bytes = bf->slot[at].bytes;
			bf->slot[at].busy = 0;
			bf->inflight--;
			return 1;
		}
	}
	return -PV_BLK_E_RING;
}
