/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the domU frontends' cores (runtime/xen/xenstore.c,
 * runtime/xen/blkfront.c) with the input as the peer in dom0.
 *
 * Byte 0 picks the core.  XenStore: the rest of the input is what
 * xenstored writes, in pieces: each piece is a control byte (how many of
 * the following bytes go into the reply ring, and whether rsp_prod or
 * req_cons jumps) and then its bytes.  The client reads, writes and reads
 * numbers; whatever the bytes say, it must return one of its codes, never
 * write past its caller's buffer (a canary after it), and stay broken
 * once broken.  blkif: the input is a list of responses (id, operation,
 * status, how far rsp_prod moves) to a stream of submitted requests; the
 * caller's buffers are only ever written from completions that say ok,
 * with exactly the bytes asked for, and the in-flight count stays exact.
 * netif: the input is a list of TX and RX responses (any id, offset,
 * flags, status, rsp_prod step) between frames sent; a received frame is
 * never longer than asked for or than a page, never written past the
 * caller's buffer, and the TX in-flight count stays exact.
 *
 *   make fuzz-xenfront FUZZ_SECONDS=N        (clang-16; crashes -> tests/runtime/fuzz-corpus-xenfront/)
 *   build/runtime/tests/fuzz-xenfront-replay DIR   (regression inputs, gcc sanitizers, in check-runtime)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xen/blkfront.h"
#include "xen/netfront.h"
#include "xen/xenstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RING XENSTORE_RING_SIZE

/* ---- XenStore: the input plays xenstored ---- */
static struct xenstore_domain_interface xring;
static const uint8_t *in;
static size_t left;
static uint32_t rsp_prod;

void pv_xs_notify(struct pv_xs *xs)
{
	(void)xs;
}

/* one piece of the peer's output per wait; 1 (give up) when the input is spent */
int pv_xs_wait(struct pv_xs *xs)
{
	uint8_t c, n;

	(void)xs;
	xring.req_cons = xring.req_prod;        /* the peer takes every request byte */
	if (left < 1)
		return 1;
	c = *in++, left--;
	n = c & 0x3f;
	if (n > left)
		n = (uint8_t)left;
	for (uint8_t i = 0; i < n; i++)
		xring.rsp[rsp_prod++ & (RING - 1)] = (char)*in++;
	left -= n;
	xring.rsp_prod = rsp_prod;
	if (c & 0x40)                           /* an impossible jump */
		xring.rsp_prod += RING + c;
	if (c & 0x80)
		xring.req_cons -= (uint32_t)c << 4;
	return 0;
}

static void fail_if(int bad)
{
	if (bad)
		abort();
}

static long known_xs(long r)
{
	return r >= 0 || (r <= -PV_XS_E_RING && r >= -PV_XS_E_REMOTE);
}

static void xenstore(void)
{
	struct pv_xs xs;
	char buf[40];
	uint64_t v;

	memset(&xring, 0, sizeof xring);
	rsp_prod = 0;
	if (pv_xs_init(&xs, &xring, 16, 0))
		abort();
	for (int round = 0; round < 4; round++) {
		long r;
		int was_broken = xs.broken;

		memset(buf, 0x5a, sizeof buf);
		r = pv_xs_read(&xs, 0, "device/vbd/768/backend", buf, 24);
		fail_if(!known_xs(r) || r > 23 || buf[r >= 0 ? r : 0] != 0 || (uint8_t)buf[24] != 0x5a ||
			(uint8_t)buf[39] != 0x5a);
		r = pv_xs_write(&xs, 0, "device/vbd/768/state", "3");
		fail_if(!known_xs(r) || r > 0);
		r = pv_xs_read_uint(&xs, 0, "domid", &v);
		fail_if(!known_xs(r) || r > 0);
		fail_if(was_broken && xs.broken != was_broken);  /* broken stays broken, and as it was */
		fail_if(xs.remote_error[sizeof xs.remote_error - 1] != 0);
	}
}

/* ---- blkif: the input plays blkback's responses ---- */
static void blkif(void)
{
	static uint8_t page[PV_BLK_PAGE] __attribute__((aligned(4096)));
	static uint8_t bounce[PV_BLK_SLOTS * PV_BLK_SEGS * PV_BLK_PAGE];
	static grant_ref_t gref[PV_BLK_SLOTS * PV_BLK_SEGS];
	static uint8_t caller[PV_BLK_MAX_BYTES + 16];
	struct pv_blkfront bf;
	blkif_sring_t *s = (blkif_sring_t *)page;
	uint32_t prod = 0;
	unsigned submitted = 0, done = 0;

	if (pv_blkfront_init(&bf, page, 1, 1u << 20, 512, bounce, gref))
		abort();
	while (left >= 6) {
		struct pv_blk_done d;
		int notify, r;
		uint32_t bytes = (uint32_t)(in[5] % PV_BLK_SEGS + 1) * 4096 - (in[5] & 0x80 ? 512 : 0);
		long slot = pv_blkfront_submit(&bf, in[4] & 1, (uint64_t)in[4] * 8, bytes, caller, &notify);

		submitted += slot >= 0;
		/* one response as the input says, at the backend's next index */
		{
			struct blkif_response *rp = &s->ring[prod & (PV_BLK_SLOTS - 1)].rsp;

			rp->id = in[0] & 0x80 ? (uint64_t)in[0] << 33 : in[0] % 40;
			rp->operation = in[1] & 3;
			rp->status = (int16_t)(int8_t)in[2];
			prod += in[3] % 4;              /* 0: nothing new, 2-3: maybe past the requests */
			__atomic_store_n(&s->rsp_prod, prod, __ATOMIC_RELEASE);
		}
		memset(caller + PV_BLK_MAX_BYTES, 0x5a, 16);
		while ((r = pv_blkfront_poll(&bf, &d)) == 1) {
			done++;
			fail_if(d.slot >= PV_BLK_SLOTS || (d.data && (!d.ok || d.op != BLKIF_OP_READ)) ||
				d.bytes > PV_BLK_MAX_BYTES || (d.ok && bf.broken));
			if (d.data)
				memcpy(caller, d.data, d.bytes);
		}
		fail_if(r != 0 && r != -PV_BLK_E_RING);
		fail_if(caller[PV_BLK_MAX_BYTES] != 0x5a || caller[PV_BLK_MAX_BYTES + 15] != 0x5a);
		fail_if(bf.inflight != submitted - done || bf.inflight > PV_BLK_SLOTS);
		in += 6, left -= 6;
	}
}

/* ---- netif: the input plays netback's responses ---- */
static void netif(void)
{
	static uint8_t txp[PV_NET_PAGE] __attribute__((aligned(4096))), rxp[PV_NET_PAGE] __attribute__((aligned(4096)));
	static uint8_t txbuf[PV_NET_TXBUF * PV_NET_PAGE], rxbuf[PV_NET_RXBUF * PV_NET_PAGE];
	static grant_ref_t txg[PV_NET_TXBUF], rxg[PV_NET_RXBUF];
	static uint8_t frame[PV_NET_PAGE], got[1600 + 16];
	struct pv_netfront nf;
	netif_tx_sring_t *tx = (netif_tx_sring_t *)txp;
	netif_rx_sring_t *rx = (netif_rx_sring_t *)rxp;
	uint32_t tprod = 0, rprod = 0;
	unsigned sent = 0, back = 0;
	int notify;

	if (pv_netfront_init(&nf, txp, rxp, txbuf, txg, rxbuf, rxg, &notify))
		abort();
	while (left >= 10) {
		uint16_t flags;
		long r;

		sent += pv_netfront_send(&nf, frame, 14u + in[9] * 16u, &notify) >= 0;
		tx->ring[tprod & (PV_NET_RING - 1)].rsp = (struct netif_tx_response){
			.id = in[0] % 80, .status = (int16_t)(int8_t)in[1] };
		tprod += in[2] % 3;
		__atomic_store_n(&tx->rsp_prod, tprod, __ATOMIC_RELEASE);
		rx->ring[rprod & (PV_NET_RING - 1)].rsp = (struct netif_rx_response){
			.id = in[3] % 80, .offset = (uint16_t)(in[4] << 4), .flags = in[5] & 0x1f,
			.status = (int16_t)(in[6] | in[7] << 8) };
		rprod += in[8] % 3;
		__atomic_store_n(&rx->rsp_prod, rprod, __ATOMIC_RELEASE);

		r = pv_netfront_tx_reap(&nf);
		fail_if(r != -PV_NET_E_RING && r < 0);
		back += r > 0 ? (unsigned)r : 0;
		fail_if(nf.tx_inflight != sent - back || nf.tx_inflight > PV_NET_TXBUF);
		memset(got + 1600, 0x5a, 16);
		while ((r = pv_netfront_recv(&nf, got, 1600, &flags, &notify)) > 0)
			fail_if(r > 1600 || r < (long)PV_NET_MIN);
		fail_if(r != 0 && r != -PV_NET_E_RING);
		fail_if(got[1600] != 0x5a || got[1615] != 0x5a);
		in += 10, left -= 10;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 16))
		return 0;
	in = data + 1;
	left = size - 1;
	switch (data[0] % 3) {
	case 0: xenstore(); break;
	case 1: blkif(); break;
	default: netif(); break;
	}
	return 0;
}
