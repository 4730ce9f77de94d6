/* SPDX-License-Identifier: MIT */
/*
 * The split virtqueue, device side (virtq.h says what is checked and why).
 *
 * Layout (virtio 1.x 2.7): descriptor table num * 16 bytes (align 16);
 * available ring flags, idx, ring[num], used_event (align 2); used ring
 * flags, idx, ring[num] of {id, len}, avail_event (align 4).  The event
 * fields belong to EVENT_IDX, which is not offered, but Linux allocates
 * them and the spec counts them, so the placement check covers them.
 */
#include "xen/virtq.h"

struct desc_copy {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static int broken(struct pv_vq *q)
{
	q->broken = 1;
	return -1;
}

void pv_vq_reset(struct pv_vq *q)
{
	uint32_t gen = q->gen;
	volatile uint8_t *b = (volatile uint8_t *)q;

	for (unsigned i = 0; i < sizeof *q; i++)
		b[i] = 0;
	q->gen = gen + 1;
}

int pv_vq_enable(struct pv_vq *q, const struct pv_vmem *m)
{
	uint64_t n = q->num;
	volatile uint16_t *uflags;

	q->gen++;
	q->last_avail = q->used_idx = 0;
	if (!n || n > PV_VQ_NUM_MAX || (n & (n - 1)) || (q->desc & 15) || (q->avail & 1) || (q->used & 3) ||
	    !pv_vmem_ptr(m, q->desc, 16 * n) || !pv_vmem_ptr(m, q->avail, 6 + 2 * n) ||
	    !pv_vmem_ptr(m, q->used, 6 + 8 * n))
		return broken(q);
	/* the device's flags: no VIRTQ_USED_F_NO_NOTIFY, every notify is welcome */
	uflags = pv_vmem_ptr(m, q->used, 2);
	*uflags = 0;
	return 0;
}

int pv_vq_pop(struct pv_vq *q, const struct pv_vmem *m, struct pv_vq_chain *c)
{
	volatile uint16_t *aidx, *aent;
	uint16_t idx, head, i, max;
	int seen_write = 0;

	if (q->broken)
		return -1;
	if (!q->ready)
		return 0;
	aidx = pv_vmem_ptr(m, q->avail + 2, 2);
	if (!aidx)
		return broken(q);
	idx = *aidx;                            /* once: the driver may move it meanwhile */
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* the ring entry and descriptors after the index */
	if ((uint16_t)(idx - q->last_avail) > q->num)
		return broken(q);
	if (idx == q->last_avail)
		return 0;
	aent = pv_vmem_ptr(m, q->avail + 4 + 2 * (uint64_t)(q->last_avail & (q->num - 1)), 2);
	if (!aent)
		return broken(q);
	head = *aent;
	if (head >= q->num)
		return broken(q);

	c->head = head;
	c->n = c->nread = 0;
	c->rlen = c->wlen = 0;
	max = q->num < PV_VQ_MAX_CHAIN ? q->num : PV_VQ_MAX_CHAIN;
	for (i = head;;) {
		volatile uint8_t *dp = pv_vmem_ptr(m, q->desc + 16 * (uint64_t)i, 16);
		struct desc_copy d;

		if (!dp || c->n == max)         /* too long, or a loop */
			return broken(q);
		d.addr = *(volatile uint64_t *)dp;
		d.len = *(volatile uint32_t *)(dp + 8);
		d.flags = *(volatile uint16_t *)(dp + 12);
		d.next = *(volatile uint16_t *)(dp + 14);
		if ((d.flags & ~(PV_VQ_DESC_F_NEXT | PV_VQ_DESC_F_WRITE)) || !pv_vmem_ptr(m, d.addr, d.len))
			return broken(q);
		if (d.flags & PV_VQ_DESC_F_WRITE) {
			seen_write = 1;
			c->wlen += d.len;
		} else if (seen_write) {
			return broken(q);       /* readable after writable */
		} else {
			c->rlen += d.len;
			c->nread++;
		}
		if (c->rlen < d.len && !(d.flags & PV_VQ_DESC_F_WRITE))
			return broken(q);       /* 2^32 bytes or more: no model takes that */
		if (c->wlen < d.len && (d.flags & PV_VQ_DESC_F_WRITE))
			return broken(q);
		c->seg[c->n].gpa = d.addr;
		c->seg[c->n].len = d.len;
		c->n++;
		if (!(d.flags & PV_VQ_DESC_F_NEXT))
			break;
		if (d.next >= q->num)
			return broken(q);
		i = d.next;
	}
	q->last_avail++;
	q->popped++;
	return 1;
}

void pv_vq_unpop(struct pv_vq *q)
{
	q->last_avail--;
	q->popped--;
}

int pv_vq_push(struct pv_vq *q, const struct pv_vmem *m, uint16_t head, uint32_t len)
{
	volatile uint32_t *elem;
	volatile uint16_t *uidx, *aflags;
	uint16_t flags;

	if (!q->ready || q->broken)
		return 0;
	elem = pv_vmem_ptr(m, q->used + 4 + 8 * (uint64_t)(q->used_idx & (q->num - 1)), 8);
	uidx = pv_vmem_ptr(m, q->used + 2, 2);
	aflags = pv_vmem_ptr(m, q->avail, 2);
	if (!elem || !uidx || !aflags)          /* checked at enable: cannot happen */
		return broken(q);
	elem[0] = head;
	elem[1] = len;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the element before the index that publishes it */
	*uidx = ++q->used_idx;
	q->pushed++;
	/* the index before the driver's flag: a driver re-enabling interrupts then sees our entry */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = *aflags;
	return !(flags & PV_VQ_AVAIL_F_NO_INTERRUPT);
}

/* walk the readable (write = 0) or writable part of c, copying at byte offset off */
static uint32_t move(const struct pv_vmem *m, const struct pv_vq_chain *c, int write, uint32_t off, uint8_t *buf,
		     uint32_t len)
{
	unsigned first = write ? c->nread : 0, end = write ? c->n : c->nread;
	uint32_t done = 0;

	for (unsigned s = first; s < end && done < len; s++) {
		uint32_t sl = c->seg[s].len, here;
		volatile uint8_t *p;

		if (off >= sl) {
			off -= sl;
			continue;
		}
		here = sl - off;
		if (here > len - done)
			here = len - done;
		p = pv_vmem_ptr(m, c->seg[s].gpa + off, here);
		if (!p)                         /* checked at pop: cannot happen */
			return done;
		if (write)
			pv_vmem_write(p, buf + done, here);
		else
			pv_vmem_read(buf + done, p, here);
		done += here;
		off = 0;
	}
	return done;
}

uint32_t pv_vq_read(const struct pv_vmem *m, const struct pv_vq_chain *c, uint32_t off, void *dst, uint32_t len)
{
	return move(m, c, 0, off, dst, len);
}

uint32_t pv_vq_write(const struct pv_vmem *m, const struct pv_vq_chain *c, uint32_t off, const void *src,
		     uint32_t len)
{
	return move(m, c, 1, off, (uint8_t *)src, len);
}
