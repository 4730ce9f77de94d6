/* SPDX-License-Identifier: MIT */
/*
 * The guest half of Xen's network protocol (public io/netif.h), for the
 * in-place NIC model of a non-Xen domU (issue 13): frames the kernel's own
 * NIC driver sends go out on the TX ring to dom0's netback, frames netback
 * receives for us come in on the RX ring.
 *
 * RX is the simplest netif there is: one page per frame, no
 * scatter-gather, no GSO, no checksum offload (the loader writes none of
 * the frontend's feature-sg, feature-gso-*, and writes
 * feature-no-csum-offload and request-rx-copy), so every RX response is
 * exactly one slot.  TX uses what the backend offers (`feat`, from its
 * feature-sg and feature-gso-tcpv4/-tcpv6, set by the caller after
 * pv_netfront_init): with feature-sg a frame of up to 65535 bytes goes
 * out in up to 16 page-sized slots (NETTXF_more_data); with a GSO feature
 * a segmentation offload frame carries its MSS in a GSO extra-info slot
 * (NETTXF_extra_info) and leaves its checksum to netback
 * (NETTXF_csum_blank); any other frame's partial checksum is completed
 * here, on the private copy (PV_NET_CSUM_FILL: the virtio-net meaning of
 * NEEDS_CSUM, for any protocol).
 * As for the disk (blkfront.h), the backend is granted only runtime-owned
 * bounce pages, posted once for RX and refilled per frame for TX; data
 * reach the kernel by copy after the response is checked.
 *
 * What netback controls is checked before use:
 *  - rsp_prod may not pass the requests we pushed, on either ring;
 *  - a response is read once; its id must be a buffer we have out (TX: a
 *    slot in flight; RX: a buffer posted and not yet answered);
 *  - a TX response with status NULL is accepted only right after the
 *    response to a frame's first slot when that slot carried an extra
 *    slot, and such a response must be followed by it;
 *  - an RX frame must lie inside its page (offset + length <= 4096) and
 *    carry none of the flags we did not negotiate (more_data, extra_info,
 *    gso_prefix): those would make the next slot something other than a
 *    response, so they break the ring;
 *  - TX statuses are OKAY, ERROR or DROPPED (NULL belongs to extra slots).
 * A broken ring is sticky: nothing more is sent or received.
 */
#ifndef PREVIRT_RT_NETFRONT_H
#define PREVIRT_RT_NETFRONT_H

#include <stddef.h>
#include <stdint.h>

#ifndef mb
#define mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#include <xen/xen.h>
#include <xen/io/netif.h>

#define PV_NET_PAGE   4096u
#define PV_NET_RING   256u      /* a one-page TX ring has 256 slots, an RX ring 256 */
#define PV_NET_TXBUF  64u       /* TX pages in flight to netback (a frame takes 1 to PV_NET_MAX_SLOTS) */
#define PV_NET_RXBUF  64u       /* receive pages posted to netback */
#define PV_NET_MIN    14u       /* an Ethernet header */
#define PV_NET_MAX_FRAME 65535u /* a TX frame's length is the first slot's 16-bit size */
#define PV_NET_MAX_SLOTS ((PV_NET_MAX_FRAME + PV_NET_PAGE - 1) / PV_NET_PAGE)   /* 16; netback takes up to 18 */

/* the backend's TX features (struct pv_netfront.feat, from its XenStore directory) */
#define PV_NET_FEAT_SG        1u        /* feature-sg: frames longer than a page, in several slots */
#define PV_NET_FEAT_GSO_TCPV4 2u        /* feature-gso-tcpv4 */
#define PV_NET_FEAT_GSO_TCPV6 4u        /* feature-gso-tcpv6 */

/* What one TX frame asks for (pv_netfront_send_frame). */
enum { PV_NET_CSUM_NONE, PV_NET_CSUM_FILL, PV_NET_CSUM_BLANK };
struct pv_net_tx_offload {
	uint8_t  csum;          /* NONE: the frame is complete; FILL: the Internet checksum of bytes
				 * [csum_start, len), seeded with what is there, is stored (big-endian)
				 * at csum_start + csum_offset, on the private copy; BLANK: netback
				 * completes a TCP/UDP checksum (NETTXF_csum_blank), GSO frames only */
	uint8_t  gso_type;      /* 0, or XEN_NETIF_GSO_TYPE_TCPV4/_TCPV6 (needs the feature and BLANK) */
	uint16_t gso_size;      /* the MSS, > 0 with gso_type */
	uint16_t csum_start, csum_offset;
};

enum {
	PV_NET_E_RING = 1,      /* netback's indices or a response are impossible (sticky) */
	PV_NET_E_ARG,           /* a frame shorter than a header or longer than a page */
	PV_NET_E_BUSY,          /* every TX buffer is in flight */
};

struct pv_netfront {
	netif_tx_sring_t *tx;
	netif_rx_sring_t *rx;
	uint32_t tx_prod_pvt, tx_cons, rx_prod_pvt, rx_cons;    /* ours; shared copies only written */
	uint8_t *txbuf, *rxbuf;                 /* PV_NET_TXBUF / PV_NET_RXBUF runtime-owned pages */
	const grant_ref_t *tx_gref, *rx_gref;   /* their grants, by buffer index */
	uint8_t  tx_busy[PV_NET_TXBUF], rx_posted[PV_NET_RXBUF];
	uint8_t  tx_head[PV_NET_TXBUF];        /* the buffer is a frame's first slot: 1, 2 with an extra slot */
	uint8_t  tx_expect_null;                /* the next TX response must be an extra slot's NULL */
	uint8_t  feat;                          /* PV_NET_FEAT_*: the caller's, after init */
	unsigned tx_inflight;
	int      broken;
	uint64_t tx_frames, tx_errors, rx_frames, rx_errors, rx_toolong;
	uint64_t tx_gso, tx_slots;              /* frames sent with a GSO slot; data slots answered */
};

/*
 * Set up both rings (their pages are initialised here) and post every RX
 * buffer.  0 or -PV_NET_E_ARG; *notify says netback must be kicked.
 */
int pv_netfront_init(struct pv_netfront *nf, void *tx_page, void *rx_page, uint8_t *txbuf,
		     const grant_ref_t *tx_gref, uint8_t *rxbuf, const grant_ref_t *rx_gref, int *notify);

/* Queue one frame (copied into a TX buffer): its buffer index, or -PV_NET_E_*. */
long pv_netfront_send(struct pv_netfront *nf, const void *frame, uint32_t len, int *notify);

/*
 * A frame's bytes in pieces, in order (a virtio-net chain's buffers,
 * already translated and range-checked by the caller): copied once,
 * straight to or from netfront's bounce pages, so a device model needs no
 * second copy.  Volatile: they may be guest memory another vCPU changes.
 */
struct pv_net_piece {
	volatile void *p;
	uint32_t len;
};

/* pv_netfront_send with the frame gathered from src[0..n), whose lengths must add up to len. */
long pv_netfront_send_gather(struct pv_netfront *nf, const struct pv_net_piece *src, unsigned n, uint32_t len,
			     int *notify);

/*
 * The general send: the frame gathered from src[0..n) into as many TX
 * pages as it needs (more than one needs PV_NET_FEAT_SG), with what `off`
 * asks (NULL: nothing).  The first buffer's index, or -PV_NET_E_ARG (a
 * request this backend cannot take, or malformed: checksum bytes outside
 * the frame, GSO without its feature, BLANK without GSO...),
 * -PV_NET_E_BUSY (not enough free TX pages or ring slots: nothing queued),
 * -PV_NET_E_RING.
 */
long pv_netfront_send_frame(struct pv_netfront *nf, const struct pv_net_piece *src, unsigned n, uint32_t len,
			    const struct pv_net_tx_offload *off, int *notify);

/* 1 when a send now would find a TX buffer and a ring slot (a small frame's) */
static inline int pv_netfront_tx_room(const struct pv_netfront *nf)
{
	return !nf->broken && nf->tx_inflight < PV_NET_TXBUF && nf->tx_prod_pvt - nf->tx_cons < PV_NET_RING;
}

/*
 * Retire TX responses: how many buffers came back (>= 0), counting those
 * taken before a response that broke the ring (nf->broken is then set);
 * -PV_NET_E_RING when the ring was already broken.
 */
long pv_netfront_tx_reap(struct pv_netfront *nf);

/*
 * Take one received frame into buf (at most cap bytes; a longer frame is
 * dropped and counted): its length, 0 when none is waiting (netback is
 * asked to notify on the next), -PV_NET_E_RING when broken.  The buffer
 * goes back to netback at once; *notify says it must be kicked.
 */
long pv_netfront_recv(struct pv_netfront *nf, void *buf, size_t cap, uint16_t *flags, int *notify);

/*
 * pv_netfront_recv into the pieces dst[0..n), filled in order (their
 * lengths add up to the capacity).  A frame is taken from netback's ring
 * only by this call, so a caller with nowhere to put one leaves it there.
 */
long pv_netfront_recv_scatter(struct pv_netfront *nf, const struct pv_net_piece *dst, unsigned n, uint16_t *flags,
			      int *notify);

#endif
