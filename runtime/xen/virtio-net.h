/* SPDX-License-Identifier: MIT */
/*
 * The in-place virtio-net device (virtio 1.x 5.1, device type 1) of a
 * non-Xen Xen domU: Linux's own virtio_net driver over virtio-mmio, its
 * frames carried to and from dom0's netback by the netif frontend core
 * (netfront.h), which owns the only memory netback is granted.
 *
 * Offered: VIRTIO_F_VERSION_1 and VIRTIO_NET_F_MAC (the MAC the loader
 * gives, the vif's); when netback takes scatter-gather and TCPv4 GSO
 * (netfront.h's feat), also VIRTIO_NET_F_CSUM and HOST_TSO4 (and
 * HOST_TSO6 with its GSO feature): Linux then sends frames of up to 64
 * KiB with a partial checksum, one per TCP burst instead of one per
 * 1448-byte segment, and netback (or dom0's stack) segments them, as it
 * does for Linux's own netfront.  Nothing else: no GUEST_* offloads (RX
 * frames arrive whole and checksummed), no MRG_RXBUF (every RX buffer
 * holds a whole frame), no STATUS (Linux assumes the link up), no
 * CTRL_VQ, MQ, MTU.  Queue 0 is RX, 1 is TX; every buffer starts with the
 * 12-byte struct virtio_net_hdr_v1.
 *
 * TX: a chain must be device-readable only, header + 14..4096 frame
 * bytes (65535 with the offloads); its header is read once and may ask
 * only for what was negotiated: NEEDS_CSUM (flags 1) with VIRTIO_NET_F_CSUM,
 * csum_start + csum_offset + 2 inside the frame; gso_type TCPV4 (1) or
 * TCPV6 (4) with their HOST_TSO feature, NEEDS_CSUM and a gso_size; no
 * ECN bit, no other flag or type.  A GSO frame goes to netback with its
 * MSS and its checksum left blank; any other NEEDS_CSUM frame has its
 * checksum completed by netfront on its private copy, whatever the
 * protocol.  The frame is gathered straight into netfront's TX pages
 * and the chain goes back to the used ring at once (netfront copied it).
 * A chain that breaks these rules is returned unsent (counted); without
 * TX pages for it, it stays on the available ring until netback returns
 * some (pv_vnet_service reaps first); with netif broken, frames are
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
#define PV_VNET_F_CSUM     0
#define PV_VNET_F_MAC      5
#define PV_VNET_F_HOST_TSO4 11
#define PV_VNET_F_HOST_TSO6 12
#define PV_VNET_HDR_F_NEEDS_CSUM 1u
#define PV_VNET_GSO_NONE   0u
#define PV_VNET_GSO_TCPV4  1u
#define PV_VNET_GSO_TCPV6  4u
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
	uint64_t tx_gso, tx_csum;                 /* sent with a GSO slot; with the checksum completed here */
	uint64_t rx_frames, rx_bad;               /* delivered; malformed RX chains returned empty */
};

/*
 * Set up over a connected frontend (its feat already set: it decides the
 * offloads offered), with the MAC the driver reads from config space.
 */
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
