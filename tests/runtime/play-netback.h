/* SPDX-License-Identifier: MIT */
/*
 * A netback played on the two netif ring pages (Xen's io/netif.h layout),
 * for the tests of what sits on netfront (test-netfront.c: the core;
 * test-virtio-net.c: the virtio-net model over it).  It takes TX frames
 * out of the granted pages onto a "wire" and puts frames into posted RX
 * pages, found by grant reference (txg0, txg0 + 1, ... and rxg0, ... in
 * buffer order); a test may also write any response it likes.
 * TX as Linux's netback reads it: a frame is its first slot (size = the
 * whole frame), an extra-info slot after it when NETTXF_extra_info, then
 * one slot per NETTXF_more_data; each data slot is answered with its id,
 * the extra slot with NETIF_RSP_NULL right after the first slot's answer.
 */
#ifndef PREVIRT_TEST_PLAY_NETBACK_H
#define PREVIRT_TEST_PLAY_NETBACK_H

#include <stdlib.h>
#include <string.h>

#include "xen/netfront.h"

struct play_netback {
	netif_tx_sring_t *txs;
	netif_rx_sring_t *rxs;
	uint8_t *txbuf, *rxbuf;         /* PV_NET_TXBUF / PV_NET_RXBUF pages */
	grant_ref_t txg0, rxg0;
	RING_IDX tx_cons, tx_prod, rx_cons, rx_prod;
	/* the wire: frames in order, their bytes one after another in arena */
	uint8_t arena[1u << 20];
	uint8_t *wire[PV_NET_TXBUF];
	uint32_t wlen[PV_NET_TXBUF];
	uint16_t wflags[PV_NET_TXBUF];          /* the first slot's flags */
	struct netif_extra_info wextra[PV_NET_TXBUF];   /* with NETTXF_extra_info */
	unsigned wslots[PV_NET_TXBUF];          /* data slots */
	unsigned nwire, bad;
};

/*
 * The frontend's memory as its tests set it up: both ring pages, the TX
 * and RX buffer pages, their grants txg0 + i and rxg0 + i in buffer
 * order.  0, or -1 when the host has no memory for it.
 */
static inline int play_net_frontend_memory(netif_tx_sring_t **txs, netif_rx_sring_t **rxs, uint8_t **txbuf,
					   uint8_t **rxbuf, grant_ref_t *txg, grant_ref_t *rxg, grant_ref_t txg0,
					   grant_ref_t rxg0)
{
	*txs = aligned_alloc(PV_NET_PAGE, PV_NET_PAGE);
	*rxs = aligned_alloc(PV_NET_PAGE, PV_NET_PAGE);
	*txbuf = aligned_alloc(PV_NET_PAGE, (size_t)PV_NET_TXBUF * PV_NET_PAGE);
	*rxbuf = aligned_alloc(PV_NET_PAGE, (size_t)PV_NET_RXBUF * PV_NET_PAGE);
	if (!*txs || !*rxs || !*txbuf || !*rxbuf)
		return -1;
	for (unsigned i = 0; i < PV_NET_TXBUF; i++)
		txg[i] = txg0 + i;
	for (unsigned i = 0; i < PV_NET_RXBUF; i++)
		rxg[i] = rxg0 + i;
	return 0;
}

static uint8_t *play_net_txpage(struct play_netback *b, grant_ref_t g)
{
	return g >= b->txg0 && g < b->txg0 + PV_NET_TXBUF ? b->txbuf + (size_t)(g - b->txg0) * PV_NET_PAGE : 0;
}

static uint8_t *play_net_rxpage(struct play_netback *b, grant_ref_t g)
{
	return g >= b->rxg0 && g < b->rxg0 + PV_NET_RXBUF ? b->rxbuf + (size_t)(g - b->rxg0) * PV_NET_PAGE : 0;
}

static void play_net_tx_answer(struct play_netback *b, uint16_t id, int16_t status)
{
	struct netif_tx_response *r = &b->txs->ring[b->tx_prod++ & (PV_NET_RING - 1)].rsp;

	r->id = id;
	r->status = status;
}

/*
 * take every TX frame onto the wire (while it has room) and answer each
 * of its slots with `status`; a slot in no granted page, past its page,
 * or sizes that do not add up count as bad (the slots are still answered)
 */
static void play_net_tx(struct play_netback *b, int16_t status)
{
	while (b->tx_cons != b->txs->req_prod) {
		struct netif_tx_request q[PV_NET_MAX_SLOTS + 2];
		struct netif_extra_info x;
		unsigned n = 0, has_x, ok = 1;
		uint32_t rest = 0, at = b->nwire ? (uint32_t)(b->wire[b->nwire - 1] + b->wlen[b->nwire - 1] - b->arena) : 0;
		uint16_t fl;

		memset(&x, 0, sizeof x);
		q[n++] = b->txs->ring[b->tx_cons++ & (PV_NET_RING - 1)].req;
		has_x = q[0].flags & NETTXF_extra_info;
		if (has_x && b->tx_cons != b->txs->req_prod)
			memcpy(&x, (const void *)&b->txs->ring[b->tx_cons++ & (PV_NET_RING - 1)].req, sizeof x);
		else if (has_x)
			ok = 0;
		for (fl = q[0].flags; ok && (fl & NETTXF_more_data); fl = q[n - 1].flags) {
			if (b->tx_cons == b->txs->req_prod || n == sizeof q / sizeof q[0]) {
				ok = 0;
				break;
			}
			q[n++] = b->txs->ring[b->tx_cons++ & (PV_NET_RING - 1)].req;
			rest += q[n - 1].size;
		}
		if (q[0].flags & ~(NETTXF_more_data | NETTXF_extra_info | NETTXF_csum_blank | NETTXF_data_validated) ||
		    rest >= q[0].size || at + q[0].size > sizeof b->arena || b->nwire == PV_NET_TXBUF)
			ok = 0;
		for (unsigned i = 0; ok && i < n; i++) {
			uint8_t *p = play_net_txpage(b, q[i].gref);
			uint32_t len = i ? q[i].size : q[0].size - rest;

			if (!p || q[i].offset + len > PV_NET_PAGE || (i && (q[i].flags & ~NETTXF_more_data)))
				ok = 0;
		}
		if (ok) {
			uint32_t w = at;

			for (unsigned i = 0; i < n; i++) {
				uint32_t len = i ? q[i].size : q[0].size - rest;

				memcpy(b->arena + w, play_net_txpage(b, q[i].gref) + q[i].offset, len);
				w += len;
			}
			b->wire[b->nwire] = b->arena + at;
			b->wlen[b->nwire] = q[0].size;
			b->wflags[b->nwire] = q[0].flags;
			b->wextra[b->nwire] = x;
			b->wslots[b->nwire++] = n;
		} else {
			b->bad++;
		}
		for (unsigned i = 0; i < n; i++) {
			play_net_tx_answer(b, q[i].id, status);
			if (i == 0 && has_x)
				play_net_tx_answer(b, 0xffff, NETIF_RSP_NULL);
		}
	}
	__atomic_store_n(&b->txs->rsp_prod, b->tx_prod, __ATOMIC_RELEASE);
}

/*
 * A receiver's check of an Internet checksum (RFC 1071): the 16-bit
 * big-endian words of p[0..n) summed end-around; with the pseudo-header's
 * sum added, 0xffff when the checksum in the region is right.
 */
static __attribute__((unused)) uint16_t play_net_ones_sum(const uint8_t *p, uint32_t n)
{
	uint32_t sum = 0;

	for (uint32_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* deliver one frame into the next posted RX buffer, at `off`; status as given (or the length) */
static int play_net_rx(struct play_netback *b, const uint8_t *frame, uint16_t len, uint16_t off, int16_t status)
{
	struct netif_rx_request q;
	struct netif_rx_response *r;
	uint8_t *p;

	if (b->rx_cons == b->rxs->req_prod)
		return -1;
	q = b->rxs->ring[b->rx_cons++ & (PV_NET_RING - 1)].req;
	p = play_net_rxpage(b, q.gref);
	if (!p || off + len > PV_NET_PAGE) {
		b->bad++;
		return -1;
	}
	memcpy(p + off, frame, len);
	r = &b->rxs->ring[b->rx_prod++ & (PV_NET_RING - 1)].rsp;
	r->id = q.id;
	r->offset = off;
	r->flags = NETRXF_data_validated;
	r->status = status ? status : (int16_t)len;
	__atomic_store_n(&b->rxs->rsp_prod, b->rx_prod, __ATOMIC_RELEASE);
	return 0;
}

#endif
