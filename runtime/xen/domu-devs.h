/* SPDX-License-Identifier: MIT */
/*
 * A Xen domU's disk and NIC (docs/xen-domu.md, "The disk and the NIC"):
 * what the loader (loader/domudev.c) sets up and hands to the handler blob,
 * which models a virtio-mmio device for each of them over blkif and netif.
 *
 * The runtime area.  The frontends need memory that is guest RAM (so that
 * it can be granted to dom0's backends), that the kernel never allocates,
 * and that the kernel's own page tables map (the blob runs on them).  The
 * loader takes PV_DOMU_AREA_PAGES of RAM and hands them to the kernel as a
 * boot protocol setup_data node (its header is the area's first 16 bytes):
 * Linux memblock-reserves every setup_data node and marks it
 * E820_TYPE_RESERVED_KERN, which stays in its direct map.  So the blob
 * reaches the area at direct-map base + physical address; the base is
 * __PAGE_OFFSET, or the kernel's page_offset_base variable when the kernel
 * has one (CONFIG_DYNAMIC_MEMORY_LAYOUT: set at boot, after the loader).
 *
 * Layout, in 4 KiB pages from the area's start:
 */
#ifndef PREVIRT_RT_XEN_DOMU_DEVS_H
#define PREVIRT_RT_XEN_DOMU_DEVS_H

#include <stdint.h>

#include "xen/blkfront.h"
#include "xen/netfront.h"

#define PV_DOMU_PAGE         4096u
#define PV_DOMU_PG_INFO      0u      /* setup_data header + struct pv_domu_devs (the hand-over) */
#define PV_DOMU_PG_RT        2u      /* the blob's device state (xen/domu-dev.h) */
#define PV_DOMU_RT_PAGES     14u
#define PV_DOMU_PG_GNTTAB    16u     /* the grant table's frames (XENMAPSPACE_grant_table) */
#define PV_DOMU_GNT_FRAMES   2u      /* 1024 v1 entries: every page below is granted once */
#define PV_DOMU_PG_BLKRING   18u     /* the blkif shared ring */
#define PV_DOMU_PG_NETTX     19u     /* the netif TX and RX shared rings */
#define PV_DOMU_PG_NETRX     20u
#define PV_DOMU_PG_STORE     21u     /* the XenStore ring, moved here by the loader (xl shutdown's watch) */
#define PV_DOMU_PG_BLKBUF    24u     /* blkfront's bounce pages */
#define PV_DOMU_PG_NETTXBUF  (PV_DOMU_PG_BLKBUF + PV_BLK_SLOTS * PV_BLK_SEGS)
#define PV_DOMU_PG_NETRXBUF  (PV_DOMU_PG_NETTXBUF + PV_NET_TXBUF)
#define PV_DOMU_PG_END       (PV_DOMU_PG_NETRXBUF + PV_NET_RXBUF)
#define PV_DOMU_AREA_PAGES   512u    /* 2 MiB, aligned to 2 MiB */
_Static_assert(PV_DOMU_PG_END <= PV_DOMU_AREA_PAGES, "the runtime area holds every page it lists");

/* The virtio-mmio windows: one 4 KiB page per device, from mmio_base. */
#define PV_DOMU_WIN_SIZE     0x1000u
#define PV_DOMU_WIN_BLK      0u
#define PV_DOMU_WIN_NET      1u
#define PV_DOMU_WINDOWS      2u

#define PV_DOMU_GAPS         3u      /* non-RAM ranges below ram_end the models refuse (+ the area: vmem.h's 4 holes) */
#define PV_DOMU_DEVS_MAGIC   0x56454456u     /* "VDEV" */

/* What the loader's xenbus handshake with blkback found (loader/domudev.c). */
struct pv_domu_blk {
	uint8_t     present;
	uint8_t     readonly;           /* the backend's "info" has VDISK_READONLY */
	uint16_t    backend_id;
	uint8_t     backend_feat;       /* PV_NET_FEAT_*: what netback takes on TX (its feature-sg, -gso-tcpv4, -gso-tcpv6) */
	uint32_t    handle;             /* the virtual device number (device/vbd/<handle>) */
	uint32_t    port;               /* the event channel, bound by blkback */
	uint32_t    sector_size;
	uint64_t    sectors;            /* in 512-byte units */
	grant_ref_t ring_ref;
	grant_ref_t gref[PV_BLK_SLOTS * PV_BLK_SEGS];    /* the bounce pages' grants */
};

/* And with netback. */
struct pv_domu_net {
	uint8_t     present;
	uint8_t     mac[6];
	uint16_t    backend_id;
	uint8_t     backend_feat;       /* PV_NET_FEAT_*: what netback takes on TX (its feature-sg, -gso-tcpv4, -gso-tcpv6) */
	uint32_t    handle;
	uint32_t    port;
	grant_ref_t tx_ring_ref, rx_ring_ref;
	grant_ref_t tx_gref[PV_NET_TXBUF], rx_gref[PV_NET_RXBUF];
};

struct pv_domu_devs {
	/* struct setup_data's header (asm/bootparam.h): next, type, len */
	uint64_t setup_next;
	uint32_t setup_type, setup_len;
	uint32_t magic;                 /* PV_DOMU_DEVS_MAGIC */
	uint64_t area;                  /* physical address of the area (= of this struct) */
	uint64_t mmio_base;             /* physical address of the first window */
	uint8_t  irq;                   /* the 8259 line every window's device shares */
	uint64_t ram_end;               /* guest RAM ends here (the models refuse buffers beyond it) */
	struct {
		uint64_t start, end;
	} gap[PV_DOMU_GAPS];            /* what is not RAM below ram_end (start == end: none) */
	struct pv_domu_blk blk;
	struct pv_domu_net net;
	struct {
		uint8_t  present;       /* the ring is at PV_DOMU_PG_STORE, a watch on control/shutdown set */
		uint32_t port;          /* its event channel (HVM_PARAM_STORE_EVTCHN) */
	} store;
};
_Static_assert(sizeof(struct pv_domu_devs) <= PV_DOMU_PG_RT * PV_DOMU_PAGE, "the info pages hold the hand-over");

#endif
