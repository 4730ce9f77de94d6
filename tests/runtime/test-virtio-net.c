/* SPDX-License-Identifier: MIT */
/*
 * The virtio-net model (runtime/xen/virtio-net.c over virtio-mmio.c and
 * virtq.c) driven the way Linux 6.1's virtio_mmio and virtio_net drive a
 * device (virtio-driver.h: the probe's register sequence; RX buffers of
 * hdr_len + GOOD_PACKET_LEN = 12 + 1518 bytes as add_recvbuf_small posts
 * them; TX chains of one descriptor, header pushed in front of the frame,
 * or two, header apart, as xmit_skb builds them), its frames moved by the
 * netback of test-netfront (play-netback.h) through the real netfront
 * core.  Guest RAM has guard bytes on both sides and a runtime-owned
 * hole inside; every case checks neither was written.
 *
 * Well-formed: the probe (VERSION_1 + MAC, the MAC read as bytes between
 * two ConfigGeneration reads, two queues, DRIVER_OK); frames out byte for
 * byte, their chains used at once; frames in after a zeroed header with
 * num_buffers 1; frames waiting in netback's ring while no RX buffer is
 * posted, none lost; more TX chains than netfront's 64 buffers;
 * NO_INTERRUPT; an RX buffer too small for a frame.
 * Offloads, with a netback that takes sg and TCP GSO: CSUM and HOST_TSO4/6
 * offered; a TSO chain of a header and three pieces becomes one netif
 * GSO frame; a NEEDS_CSUM frame is completed by the device (checked as a
 * receiver checks it); ECN, UDP GSO, GSO without NEEDS_CSUM or MSS,
 * DATA_VALID, checksum bytes past the frame, and offloads the driver did
 * not negotiate are refused; without GSO in netback none is offered.
 * A hostile driver: TX chains with a writable buffer, asking for
 * checksum or GSO, too short, too long; RX chains with a readable buffer
 * or too small (each returned, counted, the queue goes on); a buffer
 * outside RAM or in the hole (the queue breaks: DEVICE_NEEDS_RESET).
 * A hostile netback: an RX response for a buffer not posted, a TX
 * response with an id not in flight (netif breaks: RX chains stay
 * posted and untouched, TX frames are dropped and returned).
 * A reset while frames wait: nothing written, the frames reach the
 * buffers of the next probe.
 */
#include "check.h"
#include "play-netback.h"
#include "virtio-driver.h"
#include "xen/virtio-net.h"

#define TXG0     300u
#define RXG0     600u
#define RX_RING  0x10000u
#define TX_RING  0x14000u
#define RXBUFS   0x40000u               /* RX buffer i at RXBUFS + 2048 i */
#define TXBUFS   0x90000u               /* TX buffer i at TXBUFS + 2048 i (up to the hole) */
#define RXLEN    (12u + 1518u)          /* hdr_len + GOOD_PACKET_LEN */

static netif_tx_sring_t *txs;
static netif_rx_sring_t *rxs;
static uint8_t *txbuf, *rxbuf;
static grant_ref_t txg[PV_NET_TXBUF], rxg[PV_NET_RXBUF];
static struct pv_netfront nf;
static struct play_netback nb;
static struct pv_vnet vn;
static struct drv_vq rxq, txq;
static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56 };
static int kicks;

static uint32_t dev_rd(uint32_t off, unsigned width)
{
	return pv_vnet_read(&vn, off, width);
}

static void dev_wr(uint32_t off, unsigned width, uint32_t val)
{
	int k;

	pv_vnet_write(&vn, off, width, val, &k);
	kicks |= k;
}

static void service(void)
{
	int k;

	pv_vnet_service(&vn, &k);
	kicks |= k;
}

/* Linux 6.1 virtio_net's feature table (VIRTNET_FEATURES) */
static const uint64_t linux_net = 1ull << 0 | 1ull << 1 | 1ull << 5 | 1ull << 11 | 1ull << 14 | 1ull << 12 |
				  1ull << 13 | 1ull << 7 | 1ull << 8 | 1ull << 9 | 1ull << 10 | 1ull << 15 |
				  1ull << 16 | 1ull << 17 | 1ull << 18 | 1ull << 19 | 1ull << 21 | 1ull << 22 |
				  1ull << 23 | 1ull << 3 | 1ull << 2 | 1ull << 63 | 1ull << 62 | 1ull << 60 |
				  1ull << 57 | 1ull << 53;

static unsigned backend_feat;           /* netback's TX features for the next fresh() */

static void fresh(void)
{
	int notify;

	ram_init();
	pv_netfront_init(&nf, txs, rxs, txbuf, txg, rxbuf, rxg, &notify);
	nf.feat = (uint8_t)backend_feat;
	memset(&nb, 0, sizeof nb);
	nb.txs = txs;
	nb.rxs = rxs;
	nb.txbuf = txbuf;
	nb.rxbuf = rxbuf;
	nb.txg0 = TXG0;
	nb.rxg0 = RXG0;
	pv_vnet_init(&vn, &nf, &vmem, mac);
	kicks = 0;
}

/* virtio_dev_probe + virtnet_probe + virtnet_find_vqs, in Linux 6.1's order; the features agreed */
static uint64_t probe_with(uint64_t driver_table, uint8_t got_mac[6])
{
	uint32_t id, gen, old, status;
	uint64_t f;

	status = probe_to_features_ok(driver_table, &id, &f);
	if (id != PV_VNET_DEVICE_ID || !(status & PV_VIRTIO_S_FEATURES_OK))
		return 0;
	if (f & 1ull << PV_VNET_F_MAC) {
		gen = dev_rd(PV_VMMIO_CONFIG_GENERATION, 4);          /* virtio_cread_bytes */
		do {
			old = gen;
			for (unsigned i = 0; i < 6; i++)
				got_mac[i] = (uint8_t)dev_rd(PV_VMMIO_CONFIG_SPACE + i, 1);
			gen = dev_rd(PV_VMMIO_CONFIG_GENERATION, 4);
		} while (gen != old);
	}
	if (setup_vq(&rxq, 0, RX_RING) || setup_vq(&txq, 1, TX_RING))
		return 0;
	add_status(PV_VIRTIO_S_DRIVER_OK);
	return f;
}

static uint64_t probe(uint8_t got_mac[6])
{
	return probe_with(linux_net, got_mac);
}

/* add_recvbuf_small for buffer i (poisoned, so what the device wrote shows) */
static void post_rx(unsigned i, uint32_t len)
{
	memset(gp(RXBUFS + 2048 * (uint64_t)i), 0xa5, len);
	drv_avail(&rxq, drv_chain(&rxq, &(struct drv_buf){ RXBUFS + 2048 * (uint64_t)i, len, 1 }, 1));
}

static void frame(uint8_t *f, unsigned len, unsigned seed)
{
	for (unsigned i = 0; i < len; i++)
		f[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
}

/* xmit_skb: buffer i holds header + frame; one descriptor, or two with the header apart */
static uint16_t send(unsigned i, const uint8_t *f, unsigned len, int split, uint8_t hflags, uint8_t gso)
{
	uint64_t at = TXBUFS + 2048 * (uint64_t)i;
	uint8_t *p = gp(at);
	uint16_t h;

	memset(p, 0, 12);
	p[0] = hflags;
	p[1] = gso;
	memcpy(p + 12, f, len);
	if (split)
		h = drv_chain(&txq, (struct drv_buf[2]){ { at, 12, 0 }, { at + 12, len, 0 } }, 2);
	else
		h = drv_chain(&txq, &(struct drv_buf){ at, 12 + len, 0 }, 1);
	drv_avail(&txq, h);
	return h;
}

static void notify_q(unsigned q)
{
	dev_wr(PV_VMMIO_QUEUE_NOTIFY, 4, q);
}

/* used element `at` of queue v is (head, len) */
static int used_at(struct drv_vq *v, uint16_t at, uint16_t head, uint32_t len)
{
	uint32_t id, l;

	used_elem(v, at, &id, &l);
	return id == head && l == len;
}

/* RX buffer i holds a zeroed header with num_buffers 1, then f */
static int rx_holds(unsigned i, const uint8_t *f, unsigned len)
{
	static const uint8_t hdr[12] = { [10] = 1 };
	uint8_t *p = gp(RXBUFS + 2048 * (uint64_t)i);

	return !memcmp(p, hdr, 12) && !memcmp(p + 12, f, len) && p[12 + len] == 0xa5;
}

static void well_formed(void)
{
	static uint8_t f[4096];
	uint8_t got[6] = { 0 };
	uint64_t feat;
	uint16_t h0, h1;
	unsigned ok;

	fresh();
	feat = probe(got);
	check(feat == (1ull << 32 | 1ull << PV_VNET_F_MAC) && !memcmp(got, mac, 6),
	      "probe: features VERSION_1 + MAC only (%#llx), the MAC read byte by byte between two generation reads",
	      (unsigned long long)feat);
	check(dev_rd(PV_VMMIO_STATUS, 4) == 0x0f && vn.mmio.q[0].ready && vn.mmio.q[1].ready && vn.mmio.q[0].num == 256,
	      "two queues of 256 ready, DRIVER_OK");

	for (unsigned i = 0; i < 16; i++)
		post_rx(i, RXLEN);
	notify_q(PV_VNET_RXQ);
	check(used_idx(&rxq) == 0 && !pv_vnet_irq(&vn) && nf.rx_cons == 0,
	      "16 RX buffers posted, no frame waiting: nothing used, no interrupt");

	frame(f, 60, 1);
	h0 = send(0, f, 60, 0, 0, 0);
	frame(f, 1514, 2);
	h1 = send(1, f, 1514, 1, 0, 0);
	kicks = 0;
	notify_q(PV_VNET_TXQ);
	check(used_idx(&txq) == 2 && used_at(&txq, 0, h0, 0) && used_at(&txq, 1, h1, 0) && (kicks & PV_VNET_KICK_TX) &&
	      take_interrupt() == PV_VMMIO_INT_VRING,
	      "two TX chains (one descriptor; header apart): used at once, netback kicked, an interrupt");
	play_net_tx(&nb, NETIF_RSP_OKAY);
	ok = nb.nwire == 2 && nb.wlen[0] == 60 && nb.wlen[1] == 1514;
	frame(f, 60, 1);
	ok &= !memcmp(nb.wire[0], f, 60);
	frame(f, 1514, 2);
	ok &= !memcmp(nb.wire[1], f, 1514);
	check(ok && nb.bad == 0, "both frames on the wire byte for byte, without their headers");

	frame(f, 60, 3);
	play_net_rx(&nb, f, 60, 0, 0);
	frame(f, 1514, 4);
	play_net_rx(&nb, f, 1514, 0, 0);
	frame(f, 100, 5);
	play_net_rx(&nb, f, 100, 64, 0);
	service();
	ok = used_idx(&rxq) == 3 && used_at(&rxq, 0, 0, 72) && used_at(&rxq, 1, 1, 1526) && used_at(&rxq, 2, 2, 112);
	frame(f, 60, 3);
	ok &= rx_holds(0, f, 60);
	frame(f, 1514, 4);
	ok &= rx_holds(1, f, 1514);
	frame(f, 100, 5);
	ok &= rx_holds(2, f, 100);
	check(ok && take_interrupt() == PV_VMMIO_INT_VRING,
	      "3 frames in (60, 1514, 100 at offset 64): header zeroed but num_buffers 1, the frame, used len 12 + frame");

	/* 13 buffers still posted; 20 frames arrive: 13 delivered, 7 wait in netback's ring */
	for (unsigned i = 0; i < 20; i++) {
		frame(f, 200, 100 + i);
		play_net_rx(&nb, f, 200, 0, 0);
	}
	service();
	check(used_idx(&rxq) == 16 && nf.rx_cons == 3 + 13, "20 frames, 13 buffers: 13 delivered, 7 left in netback's ring");
	for (unsigned i = 16; i < 23; i++)
		post_rx(i, RXLEN);
	notify_q(PV_VNET_RXQ);
	ok = used_idx(&rxq) == 23;
	for (unsigned i = 0; i < 20; i++) {
		frame(f, 200, 100 + i);
		ok &= rx_holds(3 + i, f, 200);
	}
	check(ok, "7 buffers posted: the 7 waiting frames arrive, all 20 in order, none lost");

	/* an RX buffer too small for a frame: netfront drops the frame, the buffer waits for the next */
	post_rx(23, 100);
	frame(f, 1514, 9);
	play_net_rx(&nb, f, 1514, 0, 0);
	frame(f, 60, 10);
	play_net_rx(&nb, f, 60, 0, 0);
	service();
	check(used_idx(&rxq) == 24 && rx_holds(23, f, 60) && nf.rx_toolong == 1,
	      "a 100-byte RX buffer: the 1514-byte frame is dropped (counted), the next 60-byte one fills it");
	take_interrupt();

	/* more TX chains than netfront's 64 buffers: the rest wait until netback returns some */
	nb.nwire = 0;
	txq.next_free = 0;
	for (unsigned i = 0; i < 70; i++) {
		frame(f, 100, 200 + i);
		send(i, f, 100, 0, 0, 0);
	}
	notify_q(PV_VNET_TXQ);
	check(used_idx(&txq) == 2 + 64 && nf.tx_inflight == 64, "70 TX chains: 64 sent and used, 6 wait on the ring");
	play_net_tx(&nb, NETIF_RSP_OKAY);
	ok = nb.nwire == 64;
	for (unsigned i = 0; i < 64; i++) {
		frame(f, 100, 200 + i);
		ok &= nb.wlen[i] == 100 && !memcmp(nb.wire[i], f, 100);
	}
	check(ok, "the 64 reach the wire in order, byte for byte");
	nb.nwire = 0;
	service();
	play_net_tx(&nb, NETIF_RSP_OKAY);
	ok = used_idx(&txq) == 2 + 70 && nb.nwire == 6;
	for (unsigned i = 64; i < 70; i++) {
		frame(f, 100, 200 + i);
		ok &= !memcmp(nb.wire[i - 64], f, 100);
	}
	check(ok, "netback returns the 64 buffers: the service sends the 6 waiting frames");

	take_interrupt();
	*avail_flags_p(&txq) = PV_VQ_AVAIL_F_NO_INTERRUPT;
	send(0, f, 100, 0, 0, 0);
	notify_q(PV_VNET_TXQ);
	check(used_idx(&txq) == 73 && !pv_vnet_irq(&vn), "NO_INTERRUPT on TX: used, no interrupt");
	check(ram_intact() && vn.tx_bad == 0 && vn.rx_bad == 0, "nothing written outside the buffers");
}

/* ---- malformed chains: returned (len 0), counted, the queue goes on ---- */
static void bad_tx(const char *what, void (*make)(void))
{
	static uint8_t f[64];
	uint8_t got[6];

	fresh();
	probe(got);
	make();
	notify_q(PV_VNET_TXQ);
	play_net_tx(&nb, NETIF_RSP_OKAY);
	check(used_idx(&txq) == 1 && used_at(&txq, 0, 0, 0) && vn.tx_bad == 1 && nb.nwire == 0 && !vn.mmio.q[1].broken &&
	      ram_intact(), "TX %s: returned unsent, counted, nothing on the wire", what);
	frame(f, 60, 1);
	send(5, f, 60, 0, 0, 0);
	notify_q(PV_VNET_TXQ);
	play_net_tx(&nb, NETIF_RSP_OKAY);
	check(used_idx(&txq) == 2 && nb.nwire == 1 && !memcmp(nb.wire[0], f, 60), "TX %s: the next frame goes out", what);
}

static void tx_writable(void)
{
	drv_avail(&txq, drv_chain(&txq, (struct drv_buf[2]){ { TXBUFS, 72, 0 }, { TXBUFS + 100, 64, 1 } }, 2));
}

static void tx_csum(void)
{
	static uint8_t f[60];

	send(0, f, 60, 0, 1 /* VIRTIO_NET_HDR_F_NEEDS_CSUM */, 0);
}

static void tx_gso(void)
{
	static uint8_t f[60];

	send(0, f, 60, 1, 0, 1 /* VIRTIO_NET_HDR_GSO_TCPV4 */);
}

static void tx_short(void)
{
	static uint8_t f[13];

	send(0, f, 13, 0, 0, 0);
}

static void tx_long(void)
{
	memset(gp(TXBUFS), 0, 12);
	drv_avail(&txq, drv_chain(&txq, &(struct drv_buf){ TXBUFS, 12 + 4097, 0 }, 1));
}

static void bad_rx(const char *what, void (*make)(void))
{
	static uint8_t f[64];
	uint8_t got[6];

	fresh();
	probe(got);
	make();
	frame(f, 60, 1);
	play_net_rx(&nb, f, 60, 0, 0);
	notify_q(PV_VNET_RXQ);
	check(used_idx(&rxq) == 1 && used_at(&rxq, 0, 0, 0) && vn.rx_bad == 1 && nf.rx_cons == 0 &&
	      *(uint8_t *)gp(RXBUFS) == 0xa5 && ram_intact(),
	      "RX %s: returned empty (len 0), counted, the frame still waits", what);
	post_rx(1, RXLEN);
	notify_q(PV_VNET_RXQ);
	check(used_idx(&rxq) == 2 && rx_holds(1, f, 60), "RX %s: the frame reaches the next buffer", what);
}

static void rx_readable(void)
{
	memset(gp(RXBUFS), 0xa5, 2048);
	drv_avail(&rxq, drv_chain(&rxq, (struct drv_buf[2]){ { RXBUFS + 1900, 12, 0 }, { RXBUFS, 1518, 1 } }, 2));
}

static void rx_tiny(void)
{
	post_rx(0, 25);
}

/* ---- ring-level: the queue breaks ---- */
static void broken_ring(const char *what, struct drv_vq *v, unsigned qi, uint64_t gpa)
{
	uint8_t got[6];

	fresh();
	probe(got);
	drv_avail(v, drv_chain(v, &(struct drv_buf){ gpa, 100, qi == PV_VNET_RXQ }, 1));
	notify_q(qi);
	check((dev_rd(PV_VMMIO_STATUS, 4) & PV_VIRTIO_S_NEEDS_RESET) && (take_interrupt() & PV_VMMIO_INT_CONFIG) &&
	      vn.mmio.q[qi].broken && used_idx(v) == 0 && nb.nwire == 0 && ram_intact(),
	      "%s: the queue breaks, DEVICE_NEEDS_RESET with a config interrupt, nothing written or sent", what);
}

/* ---- a hostile netback ---- */
static void backend(void)
{
	static uint8_t f[1514];
	uint8_t got[6];

	fresh();
	probe(got);
	post_rx(0, RXLEN);
	notify_q(PV_VNET_RXQ);
	rxs->ring[0].rsp = (struct netif_rx_response){ .id = PV_NET_RXBUF + 1, .offset = 0, .status = 60 };
	rxs->rsp_prod = 1;
	service();
	check(nf.broken && used_idx(&rxq) == 0 && *(uint8_t *)gp(RXBUFS) == 0xa5 && !pv_vnet_irq(&vn) && ram_intact(),
	      "an RX response for a buffer not posted breaks netif: the RX buffer stays posted, untouched");
	frame(f, 60, 1);
	send(0, f, 60, 0, 0, 0);
	notify_q(PV_VNET_TXQ);
	check(used_idx(&txq) == 1 && vn.tx_dropped == 1 && vn.tx_frames == 0,
	      "with netif broken a TX frame is dropped and its chain returned (no hang)");

	fresh();
	probe(got);
	send(0, f, 60, 0, 0, 0);
	send(1, f, 60, 0, 0, 0);
	notify_q(PV_VNET_TXQ);
	txs->ring[0].rsp = (struct netif_tx_response){ .id = PV_NET_TXBUF, .status = 0 };
	txs->rsp_prod = 1;
	service();
	send(2, f, 60, 0, 0, 0);
	notify_q(PV_VNET_TXQ);
	check(nf.broken && used_idx(&txq) == 3 && vn.tx_frames == 2 && vn.tx_dropped == 1 && ram_intact(),
	      "a TX response with an id not in flight breaks netif: later frames are dropped and returned");
}

static void reset_waiting(void)
{
	static uint8_t f[200];
	uint8_t got[6];

	fresh();
	probe(got);
	post_rx(0, RXLEN);
	notify_q(PV_VNET_RXQ);
	dev_wr(PV_VMMIO_STATUS, 4, 0);
	frame(f, 200, 7);
	play_net_rx(&nb, f, 200, 0, 0);
	service();
	check(used_idx(&rxq) == 0 && *(uint8_t *)gp(RXBUFS) == 0xa5 && nf.rx_cons == 0,
	      "a reset with an RX buffer posted: an arriving frame is not written into it, it waits in netback's ring");
	probe(got);
	post_rx(1, RXLEN);
	notify_q(PV_VNET_RXQ);
	check(used_idx(&rxq) == 1 && used_at(&rxq, 0, 0, 212) && rx_holds(1, f, 200) && *(uint8_t *)gp(RXBUFS) == 0xa5 &&
	      ram_intact(), "after the new probe the frame reaches the new buffer, the old one untouched");
}

/* a TX chain: the header (flags, gso_type, gso_size, csum_start, csum_offset) at TXBUFS, the frame in `n` pieces after it */
static uint16_t send_hdr(const uint8_t *f, const uint32_t *piece, unsigned n, uint8_t flags, uint8_t gso,
			 uint16_t gso_size, uint16_t cstart, uint16_t coff)
{
	struct drv_buf b[8];
	uint64_t at = TXBUFS;
	uint8_t *h = gp(at);
	uint16_t head;

	memset(h, 0, 12);
	h[0] = flags, h[1] = gso;
	h[4] = (uint8_t)gso_size, h[5] = (uint8_t)(gso_size >> 8);
	h[6] = (uint8_t)cstart, h[7] = (uint8_t)(cstart >> 8);
	h[8] = (uint8_t)coff, h[9] = (uint8_t)(coff >> 8);
	b[0] = (struct drv_buf){ at, 12, 0 };
	at += 4096;
	for (unsigned i = 0; i < n; i++) {
		memcpy(gp(at), f, piece[i]);    /* each piece on its own pages, a page apart */
		b[1 + i] = (struct drv_buf){ at, piece[i], 0 };
		f += piece[i];
		at += (piece[i] + 2 * 4096 - 1) / 4096 * 4096;
	}
	head = drv_chain(&txq, b, n + 1);
	drv_avail(&txq, head);
	notify_q(PV_VNET_TXQ);
	return head;
}

static void offloads(void)
{
	static uint8_t f[30000];
	static const uint32_t three[3] = { 1000, 15000, 4000 };
	uint8_t got[6];
	uint64_t feat;
	uint16_t h;
	unsigned ok;

	backend_feat = PV_NET_FEAT_SG | PV_NET_FEAT_GSO_TCPV4 | PV_NET_FEAT_GSO_TCPV6;
	fresh();
	feat = probe(got);
	check(feat == (1ull << 32 | 1ull << PV_VNET_F_MAC | 1ull << PV_VNET_F_CSUM | 1ull << PV_VNET_F_HOST_TSO4 |
		       1ull << PV_VNET_F_HOST_TSO6),
	      "netback with sg and TCP GSO: CSUM, HOST_TSO4 and HOST_TSO6 offered and taken by Linux's table (%#llx)",
	      (unsigned long long)feat);

	/* xmit_skb of a TSO skb: header apart, linear part and two frags */
	frame(f, 20000, 21);
	h = send_hdr(f, three, 3, PV_VNET_HDR_F_NEEDS_CSUM, PV_VNET_GSO_TCPV4, 1448, 34, 16);
	play_net_tx(&nb, NETIF_RSP_OKAY);
	ok = used_idx(&txq) == 1 && used_at(&txq, 0, h, 0) && nb.nwire == 1 && nb.wlen[0] == 20000 &&
	     !memcmp(nb.wire[0], f, 20000) && nb.wslots[0] == 5 &&
	     nb.wflags[0] == (NETTXF_more_data | NETTXF_extra_info | NETTXF_csum_blank | NETTXF_data_validated) &&
	     nb.wextra[0].type == XEN_NETIF_EXTRA_TYPE_GSO && nb.wextra[0].u.gso.size == 1448 &&
	     nb.wextra[0].u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4 && vn.tx_gso == 1 && nb.bad == 0;
	check(ok, "a 20000-byte TSO frame in 3 pieces: one netif frame of 5 slots, GSO slot (MSS 1448, TCPv4), csum_blank");
	service();                              /* netback's answers reaped */
	check(nf.tx_inflight == 0 && nf.tx_frames == 1 && !nf.broken, "its answers free every page");

	/* NEEDS_CSUM without GSO: completed by the device, any protocol */
	frame(f, 1514, 22);
	{
		uint8_t seed[2] = { f[50], f[51] };
		uint32_t sum;

		nb.nwire = 0;
		send_hdr(f, (const uint32_t[1]){ 1514 }, 1, PV_VNET_HDR_F_NEEDS_CSUM, PV_VNET_GSO_NONE, 0, 34, 16);
		play_net_tx(&nb, NETIF_RSP_OKAY);
		sum = play_net_ones_sum(nb.wire[0] + 34, 1514 - 34) + (uint32_t)(seed[0] << 8 | seed[1]);
		sum = (sum & 0xffff) + (sum >> 16);
		check(nb.nwire == 1 && nb.wflags[0] == 0 && sum == 0xffff && !memcmp(nb.wire[0], f, 50) &&
		      !memcmp(nb.wire[0] + 52, f + 52, 1514 - 52) && vn.tx_csum == 1,
		      "NEEDS_CSUM at 34+16: the device completes it (region + seed fold to 0xffff), no netif flag");
	}
	service();

	/* what was not offered, or is impossible: returned unsent, counted */
	{
		static const struct {
			uint8_t flags, gso;
			uint16_t mss, start, off;
		} bad[] = {
			{ 1, 0x81, 1448, 34, 16 },      /* TCPV4 with ECN */
			{ 1, 3, 1448, 34, 6 },          /* UDP */
			{ 0, 1, 1448, 0, 0 },           /* GSO without NEEDS_CSUM */
			{ 1, 1, 0, 34, 16 },            /* GSO without MSS */
			{ 2, 0, 0, 0, 0 },              /* DATA_VALID: RX's */
			{ 1, 0, 0, 1999, 0 },           /* csum_start past the frame */
			{ 1, 0, 0, 1990, 9 },           /* the field's bytes past it */
		};
		uint64_t before = vn.tx_bad;

		nb.nwire = 0;
		ok = 1;
		for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			uint16_t used0 = used_idx(&txq);

			h = send_hdr(f, (const uint32_t[1]){ 1998 }, 1, bad[i].flags, bad[i].gso, bad[i].mss, bad[i].start,
				     bad[i].off);
			ok &= used_idx(&txq) == (uint16_t)(used0 + 1) && used_at(&txq, used0, h, 0);
		}
		play_net_tx(&nb, NETIF_RSP_OKAY);
		check(ok && vn.tx_bad == before + sizeof bad / sizeof bad[0] && nb.nwire == 0 && ram_intact(),
		      "ECN, UDP GSO, GSO without NEEDS_CSUM or MSS, DATA_VALID, checksum bytes past the frame: "
		      "each chain returned unsent and counted");
	}

	/* a driver that took no offload may ask for none */
	fresh();
	feat = probe_with(linux_net & ~(1ull << PV_VNET_F_CSUM | 1ull << PV_VNET_F_HOST_TSO4 | 1ull << PV_VNET_F_HOST_TSO6),
			  got);
	nb.nwire = 0;
	send_hdr(f, (const uint32_t[1]){ 1514 }, 1, PV_VNET_HDR_F_NEEDS_CSUM, PV_VNET_GSO_NONE, 0, 34, 16);
	send_hdr(f, three, 3, PV_VNET_HDR_F_NEEDS_CSUM, PV_VNET_GSO_TCPV4, 1448, 34, 16);
	play_net_tx(&nb, NETIF_RSP_OKAY);
	check(!(feat & 1ull << PV_VNET_F_CSUM) && vn.tx_bad == 2 && nb.nwire == 0,
	      "offered but not negotiated: NEEDS_CSUM and TSO chains refused");

	/* a backend without GSO: nothing offered beyond the MAC (the well-formed probe above, with sg only) */
	backend_feat = PV_NET_FEAT_SG;
	fresh();
	feat = probe(got);
	check(feat == (1ull << 32 | 1ull << PV_VNET_F_MAC), "netback with sg but no GSO: no offload offered");
	backend_feat = 0;
}

int main(void)
{
	if (play_net_frontend_memory(&txs, &rxs, &txbuf, &rxbuf, txg, rxg, TXG0, RXG0))
		return 2;

	well_formed();
	offloads();
	bad_tx("with a writable buffer", tx_writable);
	bad_tx("asking for a checksum (NEEDS_CSUM, not offered)", tx_csum);
	bad_tx("asking for GSO (TCPV4, not offered)", tx_gso);
	bad_tx("of 13 bytes (no Ethernet header)", tx_short);
	bad_tx("of 4097 bytes (over a page)", tx_long);
	bad_rx("with a readable buffer", rx_readable);
	bad_rx("of 25 bytes (no room for header + Ethernet header)", rx_tiny);
	broken_ring("a TX buffer past the end of RAM", &txq, PV_VNET_TXQ, RAM_BYTES - 50);
	broken_ring("a TX buffer in the runtime's hole", &txq, PV_VNET_TXQ, HOLE_START - 50);
	broken_ring("an RX buffer in the runtime's hole", &rxq, PV_VNET_RXQ, HOLE_START + 0x1000);
	broken_ring("an RX buffer past the end of RAM", &rxq, PV_VNET_RXQ, RAM_BYTES);
	backend();
	reset_waiting();
	return check_summary();
}
