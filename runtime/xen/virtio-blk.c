/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk device over blkfront (virtio-blk.h says what is offered,
 * what is checked and why).
 *
 * One path per request: pop (checked private copy of the chain) ->
 * header read once -> checks -> blkfront (a write's data gathered from
 * the chain's readable buffers into the bounce pages) -> later, poll ->
 * scatter a read's data into the writable buffers -> status byte ->
 * used ring -> InterruptStatus.  Requests that never reach blkfront
 * (refused, GET_ID, unsupported) complete at once.
 */
#include "xen/virtio-blk.h"

#define HDR_BYTES 16u                   /* struct virtio_blk_outhdr: type, ioprio, sector */

static void zero(void *p, unsigned long n)
{
	volatile uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void pv_vblk_init(struct pv_vblk *d, struct pv_blkfront *bf, const struct pv_vmem *mem, int ro,
		  const char *serial)
{
	uint64_t f = 1ull << PV_VBLK_F_SEG_MAX | 1ull << PV_VBLK_F_SIZE_MAX | 1ull << PV_VBLK_F_BLK_SIZE;
	uint8_t *c;

	zero(d, sizeof *d);
	if (ro)
		f |= 1ull << PV_VBLK_F_RO;
	pv_vmmio_init(&d->mmio, PV_VBLK_DEVICE_ID, 1, f);
	d->mem = *mem;
	d->bf = bf;
	for (unsigned i = 0; serial && i < PV_VBLK_ID_BYTES && serial[i]; i++)
		d->serial[i] = (uint8_t)serial[i];
	/* struct virtio_blk_config: capacity @0, size_max @8, seg_max @12, blk_size @20 */
	c = d->mmio.config;
	put32(c, (uint32_t)bf->sectors);
	put32(c + 4, (uint32_t)(bf->sectors >> 32));
	put32(c + 8, PV_VBLK_SIZE_MAX);
	put32(c + 12, PV_VBLK_SEG_MAX);
	put32(c + 20, bf->sector_size);
}

uint32_t pv_vblk_read(struct pv_vblk *d, uint32_t off, unsigned width)
{
	return pv_vmmio_read(&d->mmio, off, width);
}

/* the chain's last writable byte: its status */
static void finish(struct pv_vblk *d, const struct pv_vq_chain *c, uint32_t written, uint8_t status)
{
	struct pv_vq *q = &d->mmio.q[0];

	pv_vq_write(&d->mem, c, c->wlen - 1, &status, 1);
	d->requests++;
	if (status == PV_VBLK_S_IOERR)
		d->ioerr++;
	else if (status == PV_VBLK_S_UNSUPP)
		d->unsupp++;
	if (pv_vq_push(q, &d->mem, c->head, written + 1))
		pv_vmmio_used(&d->mmio);
}

/* Take one request (d->stage, just popped): 1 when it went to blkfront or completed, 0 when blkfront is full. */
static int start(struct pv_vblk *d, int *kick)
{
	struct pv_vq_chain *c = &d->stage;
	uint8_t hdr[HDR_BYTES];
	uint32_t type, bytes;
	uint64_t sector;
	unsigned np = 0;
	int notify = 0;
	long slot;

	if (pv_vq_read(&d->mem, c, 0, hdr, HDR_BYTES) != HDR_BYTES) {
		finish(d, c, 0, PV_VBLK_S_IOERR);       /* header short */
		return 1;
	}
	type = get32(hdr);                      /* the private copy: read once */
	sector = (uint64_t)get32(hdr + 8) | (uint64_t)get32(hdr + 12) << 32;
	if (type == PV_VBLK_T_GET_ID) {
		uint32_t n = c->wlen - 1 < PV_VBLK_ID_BYTES ? c->wlen - 1 : PV_VBLK_ID_BYTES;

		finish(d, c, pv_vq_write(&d->mem, c, 0, d->serial, n), PV_VBLK_S_OK);
		return 1;
	}
	if (type != PV_VBLK_T_IN && type != PV_VBLK_T_OUT) {
		finish(d, c, 0, PV_VBLK_S_UNSUPP);
		return 1;
	}
	if (type == PV_VBLK_T_IN) {
		bytes = c->wlen - 1;
		if (c->rlen != HDR_BYTES) {
			finish(d, c, 0, PV_VBLK_S_IOERR);   /* readable data in a read */
			return 1;
		}
	} else {
		bytes = c->rlen - HDR_BYTES;
		if (c->wlen != 1 || (d->mmio.device_features & 1ull << PV_VBLK_F_RO)) {
			finish(d, c, 0, PV_VBLK_S_IOERR);   /* writable data in a write, or a read-only disk */
			return 1;
		}
		/* the data: the readable bytes after the header, as pieces of guest memory */
		for (uint32_t s = 0, at = 0; s < c->nread; at += c->seg[s].len, s++) {
			uint32_t skip = at >= HDR_BYTES ? 0 : HDR_BYTES - at;

			if (skip >= c->seg[s].len)
				continue;
			d->piece[np].p = pv_vmem_ptr(&d->mem, c->seg[s].gpa + skip, c->seg[s].len - skip);
			d->piece[np].len = c->seg[s].len - skip;
			np++;
		}
	}
	if (!pv_blkfront_has_room(d->bf) && !d->bf->broken)
		return 0;
	/* blkfront checks the rest: length 1..11 pages of whole sectors, inside the disk */
	slot = pv_blkfront_submit_gather(d->bf, type == PV_VBLK_T_IN ? BLKIF_OP_READ : BLKIF_OP_WRITE, sector, bytes,
					 d->piece, np, &notify);
	if (slot == -PV_BLK_E_BUSY)
		return 0;
	if (slot < 0 || slot >= PV_BLK_SLOTS || d->req[slot].live) {
		finish(d, c, 0, PV_VBLK_S_IOERR);
		return 1;
	}
	*kick |= notify;
	d->backend_kicks += notify != 0;
	d->req[slot].live = 1;
	d->req[slot].in = type == PV_VBLK_T_IN;
	d->req[slot].gen = d->mmio.q[0].gen;
	d->req[slot].bytes = bytes;
	{
		volatile uint8_t *dst = (volatile uint8_t *)&d->req[slot].chain;
		const uint8_t *src = (const uint8_t *)c;

		for (unsigned i = 0; i < sizeof *c; i++)
			dst[i] = src[i];
	}
	return 1;
}

/* take what the driver made available, while blkfront has room */
static void take(struct pv_vblk *d, int *kick)
{
	struct pv_vq *q = &d->mmio.q[0];
	int r;

	if (!pv_vmmio_live(&d->mmio))
		return;
	while ((r = pv_vq_pop(q, &d->mem, &d->stage)) == 1) {
		if (!d->stage.wlen) {
			q->broken = 1;          /* no status byte: the request cannot be answered */
			r = -1;
			break;
		}
		if (!start(d, kick)) {
			pv_vq_unpop(q);         /* blkfront full: taken again on the next completion */
			break;
		}
	}
	if (r < 0)
		pv_vmmio_needs_reset(&d->mmio);
}

/* blkfront's finished requests onto the used ring */
static void complete(struct pv_vblk *d)
{
	struct pv_blk_done done;

	while (pv_blkfront_poll(d->bf, &done) == 1) {
		struct pv_vblk_req *r;
		uint32_t written = 0;
		uint8_t status = PV_VBLK_S_IOERR;

		if (done.slot >= PV_BLK_SLOTS)
			continue;
		r = &d->req[done.slot];
		if (!r->live)
			continue;
		r->live = 0;
		if (r->gen != d->mmio.q[0].gen || !pv_vmmio_live(&d->mmio)) {
			d->dropped++;           /* its queue was reset meanwhile: nothing goes to guest memory */
			continue;
		}
		if (done.ok && done.bytes == r->bytes) {
			status = PV_VBLK_S_OK;
			if (r->in) {
				if (!done.data ||
				    pv_vq_write(&d->mem, &r->chain, 0, done.data, r->bytes) != r->bytes)
					status = PV_VBLK_S_IOERR;
				else
					written = r->bytes;
			}
		}
		finish(d, &r->chain, written, status);
	}
}

void pv_vblk_service(struct pv_vblk *d, int *kick)
{
	*kick = 0;
	complete(d);
	take(d, kick);
}

void pv_vblk_write(struct pv_vblk *d, uint32_t off, unsigned width, uint32_t val, int *kick)
{
	uint32_t r = pv_vmmio_write(&d->mmio, &d->mem, off, width, val);

	*kick = 0;
	switch (PV_VMMIO_ACT(r)) {
	case PV_VMMIO_NOTIFY:
	case PV_VMMIO_DRIVER_OK:
		pv_vblk_service(d, kick);
		break;
	case PV_VMMIO_RESET:
		/*
		 * Requests still with blkback stay `live` in their slots: their
		 * queue generation no longer matches, so complete() drops them
		 * when blkback answers, and blkfront keeps their slots busy
		 * until then (no new request can take a slot in flight).
		 */
		break;
	default:
		break;
	}
}
