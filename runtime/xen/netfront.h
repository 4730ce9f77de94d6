/* SPDX-License-Identifier: MIT */
/*
 * The guest half of Xen's network protocol (public io/netif.h), for the
 * in-place NIC model of a non-Xen domU (issue 13): frames the kernel's own
 * NIC driver sends go out on the TX ring to dom0's netback, frames netback
 * receives for us come in on the RX ring.
 *
 * The simplest netif there is, on purpose: one page per frame, no
 * scatter-gather, no GSO, no extra-info slots (the model writes none of
 * feature-sg, feature-gso-*, and writes feature-no-csum-offload and
 * request-rx-copy), so every request and response is exactly one slot.
 * As for the disk (blkfront.h), the backend is granted only runtime-owned
 * bounce pages, posted once for RX and refilled per frame for TX; data
 * reach the kernel by copy after the response is checked.
 *
 * What netback controls is checked before use:
 *  - rsp_prod may not pass the requests we pushed, on either ring;
 *  - a response is read once; its id must be a buffer we have out (TX: a
 *    frame in flight; RX: a buffer posted and not yet answered);
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
#define PV_NET_TXBUF  64u       /* frames in flight to netback */
#define PV_NET_RXBUF  64u       /* receive pages posted to netback */
#define PV_NET_MIN    14u       /* an Ethernet header */

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
	unsigned tx_inflight;
	int      broken;
	uint64_t tx_frames, tx_errors, rx_frames, rx_errors, rx_toolong;
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

/* 1 when a send now would find a TX buffer and a ring slot */
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
