/* SPDX-License-Identifier: MIT */
/*
 * The in-place virtio-net device (virtio 1.x 5.1, device type 1) of a
 * non-Xen Xen domU: Linux's own virtio_net driver over virtio-mmio, its
 * frames carried to and from dom0's netback by the netif frontend core
 * (netfront.h), which owns the only memory netback is granted.
 *
 * Offered: VIRTIO_F_VERSION_1 and VIRTIO_NET_F_MAC (the MAC the loader
 * gives, the vif's).  Nothing else: no checksum or segmentation offload
 * (so Linux sends whole, checksummed frames and builds no SG skbs), no
 * MRG_RXBUF (every RX buffer holds a whole frame), no STATUS (Linux
 * assumes the link up), no CTRL_VQ, MQ, MTU.  Queue 0 is RX, 1 is TX;
 * every buffer starts with the 12-byte struct virtio_net_hdr_v1.
 *
 * TX: a chain must be device-readable only, header + 14..4096 frame
 * bytes; its header must ask for nothing (flags 0, GSO_NONE: nothing was
 * offered).  The frame is gathered straight into a netfront TX buffer
 * and the chain goes back to the used ring at once (netfront copied it).
 * A chain that breaks these rules is returned unsent (counted); with no
 * TX buffer free it stays on the available ring until netback returns
 * one (pv_vnet_service reaps first); with netif broken, frames are
 * dropped and returned (a NIC without a link).
 *
 * RX: a frame is taken from netfront only when a posted RX chain can
 * take it, so frames wait in netback's ring while the driver has posted
 * nothing.  A chain must be device-writable only and hold a header and
 * an Ethernet header; the frame goes after a zeroed header with
 * num_buffers 1.  A chain too small for a frame: netfront drops the frame
 * (counted) and the chain waits for the next one; a malformed chain is
 * returned with length 0 (Linux counts it as a short packet).
 * Ring-level errors break the queue as in virtq.h.
 * One caller at a time (the blob's model lock); no allocation, no libc.
 */
#ifndef PREVIRT_RT_VIRTIO_NET_H
#define PREVIRT_RT_VIRTIO_NET_H

#include <stdint.h>

#include "xen/netfront.h"
#include "xen/virtio-mmio.h"

#define PV_VNET_DEVICE_ID  1u
#define PV_VNET_F_MAC      5
#define PV_VNET_HDR        12u          /* struct virtio_net_hdr_v1 (VERSION_1: num_buffers included) */
#define PV_VNET_RXQ        0u
#define PV_VNET_TXQ        1u

/* kick bits: which netif ring netback must be told about */
#define PV_VNET_KICK_TX    1
#define PV_VNET_KICK_RX    2

struct pv_vnet {
	struct pv_vmmio mmio;           /* the register file (device id 1, two queues) */
	struct pv_vmem  mem;
	struct pv_netfront *nf;         /* the connected netif frontend (caller-owned) */
	struct pv_vq_chain stage;       /* the chain being handled (not on the stack) */
	struct pv_net_piece piece[PV_VQ_MAX_CHAIN];
	/* statistics */
	uint64_t tx_frames, tx_bad, tx_dropped;   /* sent; refused chains; dropped (netif broken) */
	uint64_t rx_frames, rx_bad;               /* delivered; malformed RX chains returned empty */
};

/* Set up over a connected frontend, with the MAC the driver reads from config space. */
void pv_vnet_init(struct pv_vnet *d, struct pv_netfront *nf, const struct pv_vmem *mem, const uint8_t mac[6]);

/* A driver's read of `width` (1, 2, 4) bytes at `off` in the 4 KiB window. */
uint32_t pv_vnet_read(struct pv_vnet *d, uint32_t off, unsigned width);

/* A driver's write; *kick: PV_VNET_KICK_* bits for netback's event channel(s). */
void pv_vnet_write(struct pv_vnet *d, uint32_t off, unsigned width, uint32_t val, int *kick);

/*
 * After netif's event channel fired, and at any entry: TX buffers back
 * from netback, waiting TX chains sent, waiting frames into posted RX
 * chains.  *kick as above.
 */
void pv_vnet_service(struct pv_vnet *d, int *kick);

/* The interrupt line's level (InterruptStatus != 0). */
static inline int pv_vnet_irq(const struct pv_vnet *d)
{
	return pv_vmmio_irq(&d->mmio);
}

#endif
