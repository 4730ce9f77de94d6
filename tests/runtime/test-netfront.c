/* SPDX-License-Identifier: MIT */
/*
 * The netif frontend core (runtime/xen/netfront.c) against a netback
 * played on the same two ring pages (play-netback.h), which takes TX
 * frames out of the granted pages onto a "wire" and puts frames from the
 * wire into posted RX pages, found by grant reference.
 *
 * Well-formed: frames of every size from a header to a page, both ways,
 * byte for byte; gathered from and scattered to pieces (a device model's
 * path); all 64 TX buffers in flight; RX buffers reposted with the
 * same id; netback's per-buffer errors; notification rules; many times
 * round both 256-slot rings.
 * A hostile netback: TX responses with an id not in flight, a duplicate,
 * an extra slot's NULL status, rsp_prod past the requests; RX responses
 * for a buffer not posted, a frame running past its page, flags we did
 * not negotiate, rsp_prod past the buffers posted.  Each breaks the ring;
 * the caller's buffer is never written from a refused response.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "play-netback.h"
#include "xen/netfront.h"

#define TXG0 300u
#define RXG0 600u

static netif_tx_sring_t *txs;
static netif_rx_sring_t *rxs;
static uint8_t *txbuf, *rxbuf;
static grant_ref_t txg[PV_NET_TXBUF], rxg[PV_NET_RXBUF];
static struct pv_netfront nf;

/* netback's side (play-netback.h) */
static struct play_netback nb;

static void nb_tx(int16_t status)
{
	play_net_tx(&nb, status);
}

static int nb_rx(const uint8_t *frame, uint16_t len, uint16_t off, int16_t status)
{
	return play_net_rx(&nb, frame, len, off, status);
}

static void fresh(void)
{
	int notify = 0, rc;

	memset(&nb, 0, sizeof nb);
	nb.txs = txs;
	nb.rxs = rxs;
	nb.txbuf = txbuf;
	nb.rxbuf = rxbuf;
	nb.txg0 = TXG0;
	nb.rxg0 = RXG0;
	rc = pv_netfront_init(&nf, txs, rxs, txbuf, txg, rxbuf, rxg, &notify);
	check(rc == 0 && rxs->req_prod == PV_NET_RXBUF && notify,
	      "init: both rings, %u RX buffers posted, netback kicked", PV_NET_RXBUF);
}

static void frame(uint8_t *f, unsigned len, unsigned seed)
{
	for (unsigned i = 0; i < len; i++)
		f[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

static void well_formed(void)
{
	static uint8_t f[PV_NET_PAGE], got[PV_NET_PAGE];
	unsigned ok = 0, n = 0, sizes[] = { 14, 60, 1514, 4000, 4096 };
	uint16_t flags;
	int notify;
	long r;

	fresh();
	for (unsigned i = 0; i < 5; i++) {
		frame(f, sizes[i], i);
		ok += pv_netfront_send(&nf, f, sizes[i], &notify) >= 0;
	}
	nb_tx(NETIF_RSP_OKAY);
	for (unsigned i = 0; i < 5; i++) {
		frame(f, sizes[i], i);
		n += nb.wlen[i] == sizes[i] && !memcmp(nb.wire[i], f, sizes[i]);
	}
	check(ok == 5 && n == 5 && nb.bad == 0, "frames of 14, 60, 1514, 4000 and 4096 bytes reach the wire byte for byte");
	check(pv_netfront_tx_reap(&nf) == 5 && nf.tx_inflight == 0 && nf.tx_frames == 5, "their 5 TX buffers come back");

	for (unsigned i = 0; i < 5; i++) {
		frame(f, sizes[i], 10 + i);
		nb_rx(f, (uint16_t)sizes[i], 0, 0);
	}
	n = 0;
	for (unsigned i = 0; i < 5; i++) {
		r = pv_netfront_recv(&nf, got, sizeof got, &flags, &notify);
		frame(f, sizes[i], 10 + i);
		n += r == sizes[i] && !memcmp(got, f, sizes[i]) && flags == NETRXF_data_validated;
	}
	check(n == 5 && pv_netfront_recv(&nf, got, sizeof got, &flags, &notify) == 0,
	      "5 received frames come out whole, with netback's flags, then none");
	check(rxs->req_prod - nb.rx_cons == PV_NET_RXBUF, "every RX buffer was posted again at once");
	check(rxs->rsp_event == nf.rx_cons + 1, "an empty receive asks netback for an event on the next frame");

	frame(f, 100, 3);
	nb_rx(f, 100, 2048, 0);
	check(pv_netfront_recv(&nf, got, sizeof got, &flags, &notify) == 100 && !memcmp(got, f, 100),
	      "a frame at offset 2048 of its page");
	nb_rx(f, 100, 0, NETIF_RSP_ERROR);
	nb_rx(f, 60, 0, 0);
	check(pv_netfront_recv(&nf, got, sizeof got, &flags, &notify) == 60 && nf.rx_errors == 1,
	      "a buffer netback answers with an error is skipped, counted and reposted");
	nb_rx(f, 1514, 0, 0);
	check(pv_netfront_recv(&nf, got, 1000, &flags, &notify) == 0 && nf.rx_toolong == 1 && !nf.broken,
	      "a frame longer than the caller's buffer is dropped and counted, the ring intact");

	{
		/* a device model's path: a frame gathered from pieces, received into pieces */
		static uint8_t a[64], b[2048], c[4096], x[PV_NET_PAGE];
		struct pv_net_piece tx[3] = { { a, 10 }, { b, 50 }, { c, 1454 } }, rx[3] = { { a, 64 }, { b, 1000 }, { c, 4096 } };
		struct pv_net_piece bad[2][2] = { { { a, 10 }, { b, 0 } }, { { 0, 10 }, { b, 50 } } };

		frame(a, 10, 7);
		frame(b, 50, 8);
		frame(c, 1454, 9);
		memcpy(x, a, 10);
		memcpy(x + 10, b, 50);
		memcpy(x + 60, c, 1454);
		nb.nwire = 0;
		r = pv_netfront_send_gather(&nf, tx, 3, 1514, &notify);
		nb_tx(NETIF_RSP_OKAY);
		check(r >= 0 && nb.wlen[0] == 1514 && !memcmp(nb.wire[0], x, 1514) && pv_netfront_tx_reap(&nf) == 1,
		      "a frame gathered from pieces of 10, 50 and 1454 bytes reaches the wire in order");
		check(pv_netfront_send_gather(&nf, tx, 3, 1600, &notify) == -PV_NET_E_ARG &&
		      pv_netfront_send_gather(&nf, tx, 3, 1000, &notify) == -PV_NET_E_ARG &&
		      pv_netfront_send_gather(&nf, bad[0], 2, 10, &notify) == -PV_NET_E_ARG &&
		      pv_netfront_send_gather(&nf, bad[1], 2, 60, &notify) == -PV_NET_E_ARG && nf.tx_inflight == 0,
		      "gathered frames whose pieces do not add up (short, long, an empty or a NULL piece): refused, nothing sent");
		nb_rx(x, 1514, 0, 0);
		memset(a, 0, sizeof a);
		memset(b, 0, sizeof b);
		memset(c, 0x5a, sizeof c);
		check(pv_netfront_recv_scatter(&nf, rx, 3, &flags, &notify) == 1514 && !memcmp(a, x, 64) &&
		      !memcmp(b, x + 64, 1000) && !memcmp(c, x + 1064, 450) && c[450] == 0x5a,
		      "a received frame scattered over pieces of 64, 1000 and 4096 bytes, in order, no byte past it");
		nb_rx(x, 1514, 0, 0);
		check(pv_netfront_recv_scatter(&nf, rx, 2, &flags, &notify) == 0 && nf.rx_toolong == 2 && a[0] == x[0],
		      "a frame longer than the pieces (1064 bytes) is dropped and counted, the pieces untouched");
	}

	/* all TX buffers in flight */
	n = 0;
	for (unsigned i = 0; i < PV_NET_TXBUF; i++)
		n += pv_netfront_send(&nf, f, 60, &notify) >= 0;
	check(n == PV_NET_TXBUF && pv_netfront_send(&nf, f, 60, &notify) == -PV_NET_E_BUSY,
	      "64 frames in flight, the 65th waits");
	nb.nwire = 0;
	nb_tx(NETIF_RSP_DROPPED);
	check(pv_netfront_tx_reap(&nf) == PV_NET_TXBUF && nf.tx_errors == PV_NET_TXBUF,
	      "dropped frames return their buffers and count as errors");

	/* notification on TX */
	txs->req_event = nf.tx_prod_pvt + 1;
	pv_netfront_send(&nf, f, 60, &notify);
	check(notify == 1, "netback waiting on TX: notify");
	txs->req_event = nf.tx_prod_pvt + 9;
	pv_netfront_send(&nf, f, 60, &notify);
	check(notify == 0, "netback busy on TX: no notify");
	nb.nwire = 0;
	nb_tx(NETIF_RSP_OKAY);
	pv_netfront_tx_reap(&nf);

	/* round the rings many times */
	ok = 0;
	for (unsigned round = 0; round < 1200; round++) {
		unsigned len = 14 + round % 1500;

		frame(f, len, round);
		nb.nwire = 0;
		if (pv_netfront_send(&nf, f, len, &notify) < 0)
			break;
		nb_tx(NETIF_RSP_OKAY);
		nb_rx(nb.wire[0], nb.wlen[0], (uint16_t)(round % 2 ? 64 : 0), 0);
		ok += pv_netfront_tx_reap(&nf) == 1 && pv_netfront_recv(&nf, got, sizeof got, &flags, &notify) == (long)len &&
		      !memcmp(got, f, len);
	}
	check(ok == 1200 && nb.bad == 0, "1200 frames out and back in, round both rings several times (%u)", ok);

	check(pv_netfront_send(&nf, f, 13, &notify) == -PV_NET_E_ARG && pv_netfront_send(&nf, f, 4097, &notify) == -PV_NET_E_ARG,
	      "a frame shorter than a header or longer than a page is refused");
}

static void hostile_tx(const char *what, void (*inject)(void), unsigned retired)
{
	static uint8_t f[64];
	int notify;

	fresh();
	pv_netfront_send(&nf, f, 60, &notify);
	pv_netfront_send(&nf, f, 60, &notify);
	inject();
	check(pv_netfront_tx_reap(&nf) == (long)retired && nf.broken && nf.tx_frames == retired &&
	      pv_netfront_tx_reap(&nf) == -PV_NET_E_RING,
	      "TX %s: the ring is refused (%u good response%s taken before it, and counted)", what, retired,
	      retired == 1 ? "" : "s");
	check(pv_netfront_send(&nf, f, 60, &notify) == -PV_NET_E_RING, "TX %s: nothing more is sent", what);
}

static void tx_bad_id(void)
{
	txs->ring[0].rsp = (struct netif_tx_response){ .id = PV_NET_TXBUF, .status = 0 };
	txs->rsp_prod = 1;
}

static void tx_duplicate(void)
{
	txs->ring[0].rsp = (struct netif_tx_response){ .id = 0, .status = 0 };
	txs->ring[1].rsp = (struct netif_tx_response){ .id = 0, .status = 0 };
	txs->rsp_prod = 2;
}

static void tx_null(void)
{
	txs->ring[0].rsp = (struct netif_tx_response){ .id = 0, .status = NETIF_RSP_NULL };
	txs->rsp_prod = 1;
}

/* a good response for frame 0, but rsp_prod 3 ahead with 2 in flight: nothing of it is taken */
static void tx_ahead(void)
{
	txs->ring[0].rsp = (struct netif_tx_response){ .id = 0, .status = 0 };
	txs->rsp_prod = 3;
}

static void hostile_rx(const char *what, void (*inject)(void))
{
	static uint8_t got[PV_NET_PAGE];
	uint16_t flags;
	int notify;

	fresh();
	memset(got, 0x5a, sizeof got);
	inject();
	check(pv_netfront_recv(&nf, got, sizeof got, &flags, &notify) == -PV_NET_E_RING && nf.broken && got[0] == 0x5a &&
	      got[PV_NET_PAGE - 1] == 0x5a, "RX %s: the ring is refused, the caller's buffer untouched", what);
}

static void rx_not_posted(void)
{
	rxs->ring[0].rsp = (struct netif_rx_response){ .id = PV_NET_RXBUF + 1, .offset = 0, .status = 60 };
	rxs->rsp_prod = 1;
}

static void rx_past_page(void)
{
	rxs->ring[0].rsp = (struct netif_rx_response){ .id = 0, .offset = 4000, .status = 200 };
	rxs->rsp_prod = 1;
}

static void rx_extra(void)
{
	rxs->ring[0].rsp = (struct netif_rx_response){ .id = 0, .offset = 0, .flags = NETRXF_extra_info, .status = 60 };
	rxs->rsp_prod = 1;
}

static void rx_more(void)
{
	rxs->ring[0].rsp = (struct netif_rx_response){ .id = 0, .offset = 0, .flags = NETRXF_more_data, .status = 60 };
	rxs->rsp_prod = 1;
}

/* a good frame in buffer 0, but rsp_prod past the 64 buffers posted: nothing of it is taken */
static void rx_ahead(void)
{
	static uint8_t f[60];

	nb_rx(f, 60, 0, 0);
	rxs->rsp_prod = PV_NET_RXBUF + 1;
}

int main(void)
{
	if (play_net_frontend_memory(&txs, &rxs, &txbuf, &rxbuf, txg, rxg, TXG0, RXG0))
		return 2;

	well_formed();
	hostile_tx("response id past the buffers", tx_bad_id, 0);
	hostile_tx("duplicate response", tx_duplicate, 1);
	hostile_tx("NULL status (an extra slot we never sent)", tx_null, 0);
	hostile_tx("rsp_prod past the requests", tx_ahead, 0);
	hostile_rx("response for a buffer not posted", rx_not_posted);
	hostile_rx("frame running past its page", rx_past_page);
	hostile_rx("extra_info flag", rx_extra);
	hostile_rx("more_data flag", rx_more);
	hostile_rx("rsp_prod past the posted buffers", rx_ahead);
	return check_summary();
}
