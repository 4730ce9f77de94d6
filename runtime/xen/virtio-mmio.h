/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio register file, version 2 ("modern", virtio 1.x 4.2.2),
 * for the in-place virtio models of a non-Xen Xen domU (issue 13): Linux's
 * own virtio_mmio driver finds the device through
 * virtio_mmio.device=4K@BASE:IRQ, and every register access of it is an
 * annotated MMIO site that the handler blob turns into a call of
 * pv_vmmio_read/pv_vmmio_write with the offset in the 4 KiB window.
 *
 * No callbacks (the blob has no indirect calls): a write returns an
 * action code (PV_VMMIO_ACT/PV_VMMIO_QUEUE) and the device layer acts on
 * it; the device layer fills config[] and device_features, and the
 * transport knows nothing of what the device is.
 *
 * What the driver can do wrong is refused, never trusted:
 *  - a register access that is not 32 bits wide and aligned reads 0 and
 *    writes nothing (counted in `refused`), as does any unknown offset;
 *  - config space reads must be naturally aligned 8/16/32-bit accesses
 *    inside config[]; config writes are refused (no writable field is
 *    offered);
 *  - FEATURES_OK is kept only when the driver accepted
 *    VIRTIO_F_VERSION_1 and nothing that was not offered (the driver's
 *    read-back sees it missing otherwise, as the spec wants); driver
 *    features are frozen from then on;
 *  - DRIVER_OK only after FEATURES_OK; status bits are never cleared
 *    except by writing 0 (reset); DEVICE_NEEDS_RESET is the device's;
 *  - queue registers of a queue that does not exist or is ready are
 *    refused; QueueReady 1 checks the placement (virtq.h) and a bad one
 *    needs a reset.
 * The interrupt line is level: InterruptStatus != 0 (pv_vmmio_irq).
 * One caller at a time (the blob's model lock); no allocation, no libc.
 */
#ifndef PREVIRT_RT_VIRTIO_MMIO_H
#define PREVIRT_RT_VIRTIO_MMIO_H

#include <stdint.h>

#include "xen/virtq.h"
#include "xen/vmem.h"

#define PV_VMMIO_WINDOW   4096u         /* the window the kernel command line names (4K@BASE) */
#define PV_VMMIO_QUEUES   2u            /* virtio-blk: 1; virtio-net: RX, TX */
#define PV_VMMIO_CONFIG   64u           /* config space bytes (from 0x100) */
#define PV_VMMIO_MAGIC    0x74726976u   /* "virt" */
#define PV_VMMIO_VENDOR   0x74727670u   /* "pvrt" */

/* Register offsets (virtio 1.x 4.2.2, version 2). */
enum {
	PV_VMMIO_MAGIC_VALUE = 0x000, PV_VMMIO_VERSION = 0x004, PV_VMMIO_DEVICE_ID = 0x008,
	PV_VMMIO_VENDOR_ID = 0x00c, PV_VMMIO_DEVICE_FEATURES = 0x010, PV_VMMIO_DEVICE_FEATURES_SEL = 0x014,
	PV_VMMIO_DRIVER_FEATURES = 0x020, PV_VMMIO_DRIVER_FEATURES_SEL = 0x024, PV_VMMIO_QUEUE_SEL = 0x030,
	PV_VMMIO_QUEUE_NUM_MAX = 0x034, PV_VMMIO_QUEUE_NUM = 0x038, PV_VMMIO_QUEUE_READY = 0x044,
	PV_VMMIO_QUEUE_NOTIFY = 0x050, PV_VMMIO_INTERRUPT_STATUS = 0x060, PV_VMMIO_INTERRUPT_ACK = 0x064,
	PV_VMMIO_STATUS = 0x070, PV_VMMIO_QUEUE_DESC_LOW = 0x080, PV_VMMIO_QUEUE_DESC_HIGH = 0x084,
	PV_VMMIO_QUEUE_DRIVER_LOW = 0x090, PV_VMMIO_QUEUE_DRIVER_HIGH = 0x094,
	PV_VMMIO_QUEUE_DEVICE_LOW = 0x0a0, PV_VMMIO_QUEUE_DEVICE_HIGH = 0x0a4,
	PV_VMMIO_SHM_SEL = 0x0ac, PV_VMMIO_SHM_LEN_LOW = 0x0b0, PV_VMMIO_SHM_LEN_HIGH = 0x0b4,
	PV_VMMIO_SHM_BASE_LOW = 0x0b8, PV_VMMIO_SHM_BASE_HIGH = 0x0bc,
	PV_VMMIO_CONFIG_GENERATION = 0x0fc, PV_VMMIO_CONFIG_SPACE = 0x100,
};

/* Device status bits (virtio 1.x 2.1). */
#define PV_VIRTIO_S_ACKNOWLEDGE  1u
#define PV_VIRTIO_S_DRIVER       2u
#define PV_VIRTIO_S_DRIVER_OK    4u
#define PV_VIRTIO_S_FEATURES_OK  8u
#define PV_VIRTIO_S_NEEDS_RESET  64u
#define PV_VIRTIO_S_FAILED       128u

#define PV_VIRTIO_F_VERSION_1    32     /* feature bit */

/* InterruptStatus bits. */
#define PV_VMMIO_INT_VRING   1u         /* used buffer */
#define PV_VMMIO_INT_CONFIG  2u         /* configuration change (and DEVICE_NEEDS_RESET) */

/* What a write asks the device layer to do: PV_VMMIO_ACT(r), with PV_VMMIO_QUEUE(r) for NOTIFY. */
enum {
	PV_VMMIO_NONE = 0,
	PV_VMMIO_NOTIFY,        /* the driver made buffers available on queue PV_VMMIO_QUEUE(r) (after DRIVER_OK) */
	PV_VMMIO_RESET,         /* status 0: every queue forgotten; drop what is in flight */
	PV_VMMIO_DRIVER_OK,     /* the driver is ready: the device may use its queues now */
};
#define PV_VMMIO_ACT(r)   ((r) & 0xffu)
#define PV_VMMIO_QUEUE(r) ((r) >> 8)

struct pv_vmmio {
	/* set by the device layer (pv_vmmio_init, then config[] and device_features) */
	uint32_t device_id;             /* 1 net, 2 block */
	uint16_t nqueues;               /* <= PV_VMMIO_QUEUES */
	uint64_t device_features;       /* offered; VIRTIO_F_VERSION_1 always */
	uint8_t  config[PV_VMMIO_CONFIG];
	uint32_t config_gen;            /* ConfigGeneration: bump when config[] changes after DRIVER_OK */
	/* the driver's side */
	uint64_t driver_features;
	uint32_t dev_sel, drv_sel, queue_sel;
	uint8_t  status;
	uint32_t isr;                   /* InterruptStatus */
	struct pv_vq q[PV_VMMIO_QUEUES];
	/* statistics */
	uint64_t refused;               /* accesses refused (width, offset, order) */
	uint64_t broken;                /* times a queue broke (DEVICE_NEEDS_RESET) */
};

/* A device with nqueues queues and VIRTIO_F_VERSION_1 plus `features` offered, reset. */
void pv_vmmio_init(struct pv_vmmio *t, uint32_t device_id, unsigned nqueues, uint64_t features);

/* A read of `width` (1, 2, 4) bytes at `off` in the window. */
uint32_t pv_vmmio_read(struct pv_vmmio *t, uint32_t off, unsigned width);

/* A write; the action for the device layer (PV_VMMIO_ACT, PV_VMMIO_QUEUE). */
uint32_t pv_vmmio_write(struct pv_vmmio *t, const struct pv_vmem *m, uint32_t off, unsigned width, uint32_t val);

/* The device may use its queues: DRIVER_OK, and neither NEEDS_RESET nor FAILED. */
static inline int pv_vmmio_live(const struct pv_vmmio *t)
{
	return (t->status & (PV_VIRTIO_S_DRIVER_OK | PV_VIRTIO_S_NEEDS_RESET | PV_VIRTIO_S_FAILED)) ==
	       PV_VIRTIO_S_DRIVER_OK;
}

/* A queue broke (or the device cannot go on): DEVICE_NEEDS_RESET and a config interrupt, once. */
void pv_vmmio_needs_reset(struct pv_vmmio *t);

/* Used buffers on some queue: InterruptStatus bit 0. */
static inline void pv_vmmio_used(struct pv_vmmio *t)
{
	t->isr |= PV_VMMIO_INT_VRING;
}

/* config[] changed: a new generation, and a config interrupt once the driver is running. */
void pv_vmmio_config_changed(struct pv_vmmio *t);

/* The interrupt line's level. */
static inline int pv_vmmio_irq(const struct pv_vmmio *t)
{
	return t->isr != 0;
}

#endif
