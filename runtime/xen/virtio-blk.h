/* SPDX-License-Identifier: MIT */
/*
 * The in-place virtio-blk device (virtio 1.x 5.2, device type 2) of a
 * non-Xen Xen domU: Linux's own virtio_blk driver over virtio-mmio, its
 * requests forwarded to dom0's blkback through the blkif frontend core
 * (blkfront.h), which owns the only memory the backend is granted.
 *
 * Offered: VIRTIO_F_VERSION_1, VIRTIO_BLK_F_SEG_MAX (11),
 * VIRTIO_BLK_F_SIZE_MAX (4096), VIRTIO_BLK_F_BLK_SIZE (the backend's
 * sector size) and VIRTIO_BLK_F_RO for a read-only backend.  So every
 * request Linux builds has at most 11 data buffers of at most 4096 bytes,
 * which is at most PV_BLK_MAX_BYTES (11 pages): one virtio request is
 * always one blkif request, never split.  Not offered: FLUSH (blkback
 * writes through to the backing store; Linux then sends no flushes),
 * EVENT_IDX, INDIRECT_DESC, MQ, DISCARD, WRITE_ZEROES, TOPOLOGY.
 *
 * Requests: T_IN, T_OUT go to blkfront; T_GET_ID answers the serial from
 * the struct at once; any other type completes with VIRTIO_BLK_S_UNSUPP.
 * The layout is not assumed (ANY_LAYOUT is part of VERSION_1): the
 * header is the first 16 readable bytes, the status the last writable
 * byte, the data what lies between.  A request that breaks a rule
 * (header short, data not whole sectors of blk_size, larger than 11
 * pages, past the disk's end, an OUT with writable data or an IN with
 * readable data) completes with VIRTIO_BLK_S_IOERR; a chain with no
 * writable byte cannot be answered, so it breaks the queue (virtq.h).
 * A backend failure, refused response or broken blkif ring completes
 * with IOERR too.
 *
 * Completion: the header and the chain's buffers were copied/checked at
 * pop; at completion the read data (from blkfront's bounce pages) go to
 * the chain's writable buffers through the private copy, never through
 * the descriptors again.  A request in flight across a reset or
 * QueueReady 0 (its queue generation moved) is dropped when its
 * completion arrives: nothing is written into guest memory for it.
 * blkfront full: the chain stays on the available ring and is taken on
 * the next pv_vblk_service.
 * One caller at a time (the blob's model lock); no allocation, no libc.
 */
#ifndef PREVIRT_RT_VIRTIO_BLK_H
#define PREVIRT_RT_VIRTIO_BLK_H

#include <stdint.h>

#include "xen/blkfront.h"
#include "xen/virtio-mmio.h"

#define PV_VBLK_DEVICE_ID  2u
#define PV_VBLK_SEG_MAX    PV_BLK_SEGS          /* 11 data buffers */
#define PV_VBLK_SIZE_MAX   PV_BLK_PAGE          /* of at most 4096 bytes */
#define PV_VBLK_ID_BYTES   20u                  /* VIRTIO_BLK_ID_BYTES */

/* virtio-blk feature bits and request types (include/uapi/linux/virtio_blk.h) */
#define PV_VBLK_F_SIZE_MAX 1
#define PV_VBLK_F_SEG_MAX  2
#define PV_VBLK_F_RO       5
#define PV_VBLK_F_BLK_SIZE 6
#define PV_VBLK_T_IN       0u
#define PV_VBLK_T_OUT      1u
#define PV_VBLK_T_GET_ID   8u
#define PV_VBLK_S_OK       0u
#define PV_VBLK_S_IOERR    1u
#define PV_VBLK_S_UNSUPP   2u

/* A request handed to blkfront, by blkfront slot. */
struct pv_vblk_req {
	uint8_t  live;                  /* the slot holds one of our requests */
	uint8_t  in;                    /* T_IN: data to scatter at completion */
	uint32_t gen;                   /* the queue's generation when it was taken */
	uint32_t bytes;                 /* data bytes */
	struct pv_vq_chain chain;       /* the private copy of its descriptors */
};

struct pv_vblk {
	struct pv_vmmio mmio;           /* the register file (device id 2, one queue) */
	struct pv_vmem  mem;            /* guest RAM as the driver's addresses name it */
	struct pv_blkfront *bf;         /* the connected blkif frontend (caller-owned) */
	uint8_t  serial[PV_VBLK_ID_BYTES];
	struct pv_vblk_req req[PV_BLK_SLOTS];
	struct pv_vq_chain stage;       /* the chain being taken (not on the stack: the blob's is small) */
	struct pv_blk_piece piece[PV_VQ_MAX_CHAIN];
	/* statistics */
	uint64_t requests;              /* answered (used ring), of which: */
	uint64_t ioerr, unsupp;         /* VIRTIO_BLK_S_IOERR, _UNSUPP */
	uint64_t dropped;               /* completions of a reset queue, not written */
	uint64_t backend_kicks;         /* times blkback was to be notified */
};

/*
 * Set up over a connected frontend: capacity from bf->sectors, blk_size
 * bf->sector_size; `ro` offers VIRTIO_BLK_F_RO (and writes are refused
 * with IOERR); serial (up to 20 bytes, 0: none) answers GET_ID.
 */
void pv_vblk_init(struct pv_vblk *d, struct pv_blkfront *bf, const struct pv_vmem *mem, int ro,
		  const char *serial);

/* A driver's read of `width` (1, 2, 4) bytes at `off` in the 4 KiB window. */
uint32_t pv_vblk_read(struct pv_vblk *d, uint32_t off, unsigned width);

/*
 * A driver's write.  *kick is set when blkback must be notified (the
 * blkif event channel), after requests were queued.
 */
void pv_vblk_write(struct pv_vblk *d, uint32_t off, unsigned width, uint32_t val, int *kick);

/*
 * Completions and waiting requests: call after the blkif event channel
 * fired, and at any entry.  Takes blkfront's finished requests into the
 * used ring (InterruptStatus bit 0 unless the driver asked for none),
 * then queues chains that waited for a free slot.  *kick as above.
 */
void pv_vblk_service(struct pv_vblk *d, int *kick);

/* The interrupt line's level (InterruptStatus != 0). */
static inline int pv_vblk_irq(const struct pv_vblk *d)
{
	return pv_vmmio_irq(&d->mmio);
}

#endif
