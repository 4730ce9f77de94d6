/* SPDX-License-Identifier: MIT */
/*
 * A split virtqueue (virtio 1.x, "2.7 Split Virtqueues") seen from the
 * device: the in-place virtio models (virtio-blk.c, virtio-net.c) take
 * the driver's descriptor chains from the available ring and give them
 * back on the used ring.
 *
 * The driver, and so whoever controls the guest, writes all three rings.
 * What the device takes from them is checked once, on a private copy:
 *  - avail->idx is read once per pop; idx - last_avail may not exceed
 *    the queue size (the driver cannot have made more available);
 *  - a head and every `next` must be < num; each descriptor is copied
 *    once (no double fetch) and its buffer must lie in guest RAM outside
 *    the runtime's holes (vmem.h); an empty buffer is refused;
 *  - a chain has at most min(num, PV_VQ_MAX_CHAIN) descriptors, which
 *    also ends any loop;
 *  - VIRTQ_DESC_F_INDIRECT (never offered) and unknown flags are errors,
 *    and a device-readable descriptor after a device-writable one too
 *    (the spec's order).
 * Anything else marks the queue broken: sticky until the device is
 * reset; the transport then sets DEVICE_NEEDS_RESET (virtio-mmio.h).
 * The device's own indices (last_avail, used_idx) are private and never
 * read back from guest memory.
 *
 * Neither VIRTIO_RING_F_EVENT_IDX nor INDIRECT_DESC is offered, so the
 * driver's only request is VIRTQ_AVAIL_F_NO_INTERRUPT, honoured at push.
 * Freestanding, no calls out, no data of its own (part of the handler blob).
 */
#ifndef PREVIRT_RT_VIRTQ_H
#define PREVIRT_RT_VIRTQ_H

#include <stdint.h>

#include "xen/vmem.h"

#define PV_VQ_NUM_MAX    256u   /* QueueNumMax of every model queue */
#define PV_VQ_MAX_CHAIN  64u    /* virtio-blk: header + 11 data + status = 13; virtio-net TSO: header + linear part + MAX_SKB_FRAGS (17 by default, up to 45) */

#define PV_VQ_DESC_F_NEXT      1u
#define PV_VQ_DESC_F_WRITE     2u
#define PV_VQ_DESC_F_INDIRECT  4u
#define PV_VQ_AVAIL_F_NO_INTERRUPT 1u

struct pv_vq {
	/* the queue registers, as the driver wrote them (virtio-mmio.c) */
	uint64_t desc, avail, used;     /* guest-physical */
	uint16_t num;                   /* QueueNum: a power of two, <= PV_VQ_NUM_MAX */
	uint8_t  ready;                 /* QueueReady */
	uint8_t  broken;                /* a malformed ring or placement: sticky until reset */
	/* the device's side */
	uint16_t last_avail;            /* next avail entry to take */
	uint16_t used_idx;              /* next used entry to write */
	uint32_t gen;                   /* bumped by every reset and QueueReady change (see pv_vq_gen) */
	uint64_t popped, pushed;
};

/* One buffer of a chain: checked (in guest RAM, outside the holes) when popped. */
struct pv_vq_seg {
	uint64_t gpa;
	uint32_t len;
};

/* A popped chain: the device's private copy of its descriptors. */
struct pv_vq_chain {
	uint16_t head;
	uint8_t  n, nread;              /* buffers; the first nread are device-readable, the rest writable */
	uint32_t rlen, wlen;            /* bytes readable, writable */
	struct pv_vq_seg seg[PV_VQ_MAX_CHAIN];
};

/*
 * QueueReady 1: check the rings' placement (sizes for `num`, alignment
 * 16/2/4, every byte in guest RAM outside the holes) and start at index 0.
 * 0, or -1 with the queue marked broken.
 */
int pv_vq_enable(struct pv_vq *q, const struct pv_vmem *m);

/* Forget everything the driver set (reset, QueueReady 0); gen moves on. */
void pv_vq_reset(struct pv_vq *q);

/* 1 with *c filled (the entry taken), 0 when nothing is available, -1 when broken (now or before). */
int pv_vq_pop(struct pv_vq *q, const struct pv_vmem *m, struct pv_vq_chain *c);

/* Give the last popped chain back to the available ring (it is taken again by the next pop). */
void pv_vq_unpop(struct pv_vq *q);

/*
 * Put head on the used ring with `len` bytes written (element first, then
 * used->idx with a release).  1 when the driver wants an interrupt for
 * it (no VIRTQ_AVAIL_F_NO_INTERRUPT), 0 when not or when the queue is
 * not ready or broken (then nothing is written).
 */
int pv_vq_push(struct pv_vq *q, const struct pv_vmem *m, uint16_t head, uint32_t len);

/* Copy bytes [off, off + len) of the chain's readable part into dst: how many there were. */
uint32_t pv_vq_read(const struct pv_vmem *m, const struct pv_vq_chain *c, uint32_t off, void *dst, uint32_t len);

/* Copy src into bytes [off, off + len) of the chain's writable part: how many fitted. */
uint32_t pv_vq_write(const struct pv_vmem *m, const struct pv_vq_chain *c, uint32_t off, const void *src,
		     uint32_t len);

#endif
