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
 * TX with the backend's offloads (feat): frames up to 65535 bytes in
 * page-sized slots whose sizes netback adds up; a GSO frame's extra slot
 * (MSS, type) and csum_blank; a partial checksum completed on the copy,
 * across a page boundary and from an odd offset, checked the way a
 * receiver checks it (region + the seed's pseudo-header sum fold to
 * 0xffff); what the
 * backend did not offer, checksum bytes outside the frame, too few free
 * pages (nothing queued) refused.
 * A hostile netback: TX responses with an id not in flight, a duplicate,
 * an extra slot's NULL status where none was sent, a GSO frame's first
 * answer not followed by its NULL, rsp_prod past the requests; RX responses
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

static void offloads(void)
{
	static uint8_t f[PV_NET_MAX_FRAME];
	struct pv_net_tx_offload gso = { .csum = PV_NET_CSUM_BLANK, .gso_type = XEN_NETIF_GSO_TYPE_TCPV4, .gso_size = 1448 };
	struct pv_net_piece pc[3];
	int notify, ok;
	long r;

	/* scatter-gather: one frame over three slots, gathered from three pieces */
	fresh();
	nf.feat = PV_NET_FEAT_SG;
	frame(f, 9000, 7);
	pc[0] = (struct pv_net_piece){ f, 100 };
	pc[1] = (struct pv_net_piece){ f + 100, 5000 };
	pc[2] = (struct pv_net_piece){ f + 5100, 3900 };
	r = pv_netfront_send_frame(&nf, pc, 3, 9000, 0, &notify);
	ok = r >= 0 && txs->req_prod == 3 && txs->ring[0].req.size == 9000 && txs->ring[0].req.flags == NETTXF_more_data &&
	     txs->ring[1].req.size == 4096 && txs->ring[1].req.flags == NETTXF_more_data && txs->ring[2].req.size == 808 &&
	     txs->ring[2].req.flags == 0 && nf.tx_inflight == 3;
	check(ok, "feature-sg: a 9000-byte frame goes out in 3 slots (first slot's size the frame's, more_data on all but the last)");
	nb_tx(NETIF_RSP_OKAY);
	check(nb.nwire == 1 && nb.wlen[0] == 9000 && nb.wslots[0] == 3 && !memcmp(nb.wire[0], f, 9000) && nb.bad == 0,
	      "netback reassembles it byte for byte");
	check(pv_netfront_tx_reap(&nf) == 3 && nf.tx_inflight == 0 && nf.tx_frames == 1 && !nf.broken,
	      "its 3 answers free 3 pages and count 1 frame");

	/* GSO: the largest frame, 16 slots and the extra slot after the first */
	fresh();
	nf.feat = PV_NET_FEAT_SG | PV_NET_FEAT_GSO_TCPV4;
	frame(f, PV_NET_MAX_FRAME, 9);
	pc[0] = (struct pv_net_piece){ f, PV_NET_MAX_FRAME };
	r = pv_netfront_send_frame(&nf, pc, 1, PV_NET_MAX_FRAME, &gso, &notify);
	{
		const struct netif_extra_info *x = (const void *)&txs->ring[1].req;

		ok = r >= 0 && txs->req_prod == 17 &&
		     txs->ring[0].req.flags == (NETTXF_more_data | NETTXF_extra_info | NETTXF_csum_blank | NETTXF_data_validated) &&
		     x->type == XEN_NETIF_EXTRA_TYPE_GSO && x->flags == 0 && x->u.gso.size == 1448 &&
		     x->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4 && x->u.gso.pad == 0 && x->u.gso.features == 0;
	}
	check(ok, "GSO: a 65535-byte frame is 16 data slots and a GSO extra slot (MSS 1448, TCPv4) after the first, csum_blank");
	nb_tx(NETIF_RSP_OKAY);
	check(nb.nwire == 1 && nb.wlen[0] == PV_NET_MAX_FRAME && nb.wslots[0] == 16 && !memcmp(nb.wire[0], f, PV_NET_MAX_FRAME) &&
	      nb.wextra[0].u.gso.size == 1448 && nb.bad == 0, "netback reads it as one 65535-byte GSO frame");
	check(pv_netfront_tx_reap(&nf) == 16 && nf.tx_inflight == 0 && nf.tx_frames == 1 && nf.tx_gso == 1 && !nf.broken &&
	      !nf.tx_expect_null, "the first slot's answer, the extra slot's NULL, 15 more: all taken, 1 frame");

	/* a partial checksum completed on the copy: from an odd offset, the field across a page boundary */
	fresh();
	nf.feat = PV_NET_FEAT_SG;
	frame(f, 6001, 3);
	{
		struct pv_net_tx_offload c = { .csum = PV_NET_CSUM_FILL, .csum_start = 4093, .csum_offset = 2 };
		uint8_t seed[2] = { f[4095], f[4096] };

		pc[0] = (struct pv_net_piece){ f, 6001 };
		r = pv_netfront_send_frame(&nf, pc, 1, 6001, &c, &notify);
		nb_tx(NETIF_RSP_OKAY);
		/*
		 * The receiver's check (TCP's, with the pseudo-header the seed
		 * stood for): the finished region's 16-bit words from its start,
		 * plus the seed, fold to 0xffff.
		 */
		uint32_t sum = play_net_ones_sum(nb.wire[0] + 4093, 6001 - 4093) + (uint32_t)(seed[0] << 8 | seed[1]);

		sum = (sum & 0xffff) + (sum >> 16);
		ok = r >= 0 && nb.nwire == 1 && sum == 0xffff && !memcmp(nb.wire[0], f, 4095) &&
		     !memcmp(nb.wire[0] + 4097, f + 4097, 6001 - 4097);
	}
	check(ok, "a partial checksum from byte 4093 (odd), its field across the page boundary: region + seed fold to 0xffff "
		  "(the receiver's check), nothing else changed");
	fresh();
	memset(f, 0, 64);
	f[40] = 0xff, f[41] = 0xff;             /* a seed that makes the sum's complement 0 */
	{
		struct pv_net_tx_offload c = { .csum = PV_NET_CSUM_FILL, .csum_start = 20, .csum_offset = 20 };

		pc[0] = (struct pv_net_piece){ f, 64 };
		r = pv_netfront_send_frame(&nf, pc, 1, 64, &c, &notify);
		nb_tx(NETIF_RSP_OKAY);
		check(r >= 0 && nb.wire[0][40] == 0xff && nb.wire[0][41] == 0xff,
		      "a checksum that folds to 0 is sent as 0xffff (UDP's 'none' avoided, as Linux's skb_checksum_help)");
	}

	/* refusals: nothing queued */
	fresh();
	nf.feat = PV_NET_FEAT_SG;
	pc[0] = (struct pv_net_piece){ f, 9000 };
	ok = pv_netfront_send_frame(&nf, pc, 1, 9000, &gso, &notify) == -PV_NET_E_ARG;        /* no GSO feature */
	{
		struct pv_net_tx_offload blank = { .csum = PV_NET_CSUM_BLANK };
		struct pv_net_tx_offload out = { .csum = PV_NET_CSUM_FILL, .csum_start = 8990, .csum_offset = 9 };
		struct pv_net_tx_offload odd = { .csum = 7 };

		ok &= pv_netfront_send_frame(&nf, pc, 1, 9000, &blank, &notify) == -PV_NET_E_ARG;
		ok &= pv_netfront_send_frame(&nf, pc, 1, 9000, &out, &notify) == -PV_NET_E_ARG;
		ok &= pv_netfront_send_frame(&nf, pc, 1, 9000, &odd, &notify) == -PV_NET_E_ARG;
	}
	nf.feat = PV_NET_FEAT_SG | PV_NET_FEAT_GSO_TCPV4;
	{
		struct pv_net_tx_offload v6 = gso, nomss = gso, nocsum = gso;

		v6.gso_type = XEN_NETIF_GSO_TYPE_TCPV6;
		nomss.gso_size = 0;
		nocsum.csum = PV_NET_CSUM_NONE;
		ok &= pv_netfront_send_frame(&nf, pc, 1, 9000, &v6, &notify) == -PV_NET_E_ARG;
		ok &= pv_netfront_send_frame(&nf, pc, 1, 9000, &nomss, &notify) == -PV_NET_E_ARG;
		ok &= pv_netfront_send_frame(&nf, pc, 1, 9000, &nocsum, &notify) == -PV_NET_E_ARG;
	}
	nf.feat = 0;
	ok &= pv_netfront_send_frame(&nf, pc, 1, 9000, 0, &notify) == -PV_NET_E_ARG;         /* > a page without SG */
	check(ok && txs->req_prod == 0 && nf.tx_inflight == 0,
	      "refused, nothing queued: GSO without the feature (v4, v6), BLANK without GSO, checksum bytes past the frame, "
	      "an unknown checksum kind, GSO without MSS or BLANK, 9000 bytes without feature-sg");

	/* not enough free pages for a big frame: busy, nothing queued, then it fits */
	fresh();
	nf.feat = PV_NET_FEAT_SG;
	for (unsigned i = 0; i < PV_NET_TXBUF - 15; i++)
		pv_netfront_send(&nf, f, 60, &notify);
	pc[0] = (struct pv_net_piece){ f, PV_NET_MAX_FRAME };
	ok = pv_netfront_send_frame(&nf, pc, 1, PV_NET_MAX_FRAME, 0, &notify) == -PV_NET_E_BUSY &&
	     txs->req_prod == PV_NET_TXBUF - 15;
	nb_tx(NETIF_RSP_OKAY);
	pv_netfront_tx_reap(&nf);
	ok &= pv_netfront_send_frame(&nf, pc, 1, PV_NET_MAX_FRAME, 0, &notify) >= 0;
	check(ok, "a 16-page frame with 15 pages free: busy, nothing queued; sent once netback returned the rest");
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
/* a GSO frame's first slot answered, then a data answer where its extra slot's NULL belongs */
static void tx_no_null(void)
{
	static uint8_t f[9000];
	struct pv_net_tx_offload gso = { .csum = PV_NET_CSUM_BLANK, .gso_type = XEN_NETIF_GSO_TYPE_TCPV4, .gso_size = 1448 };
	struct pv_net_piece pc = { f, 9000 };
	int notify;

	pv_netfront_tx_reap(&nf);               /* (the two small frames stay unanswered) */
	nf.feat = PV_NET_FEAT_SG | PV_NET_FEAT_GSO_TCPV4;
	pv_netfront_send_frame(&nf, &pc, 1, 9000, &gso, &notify);       /* buffers 2..4, ring slots 2..6 */
	txs->ring[0].rsp = (struct netif_tx_response){ .id = 2, .status = 0 };
	txs->ring[1].rsp = (struct netif_tx_response){ .id = 3, .status = 0 };
	txs->rsp_prod = 2;
}

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
	offloads();
	hostile_tx("response id past the buffers", tx_bad_id, 0);
	hostile_tx("duplicate response", tx_duplicate, 1);
	hostile_tx("NULL status (an extra slot we never sent)", tx_null, 0);
	hostile_tx("rsp_prod past the requests", tx_ahead, 0);
	hostile_tx("a GSO frame's first answer followed by a data answer, not its NULL", tx_no_null, 1);
	hostile_rx("response for a buffer not posted", rx_not_posted);
	hostile_rx("frame running past its page", rx_past_page);
	hostile_rx("extra_info flag", rx_extra);
	hostile_rx("more_data flag", rx_more);
	hostile_rx("rsp_prod past the posted buffers", rx_ahead);
	return check_summary();
}
