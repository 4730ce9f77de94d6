/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the in-place virtio models (runtime/xen/virtio-blk.c,
 * virtio-net.c over virtio-mmio.c and virtq.c) with the input as both
 * the guest's driver and the backends in dom0.
 *
 * The input is a list of operations, each an opcode byte and its
 * arguments: register reads and writes of either device (any offset,
 * width, value), Linux 6.1's probe of either device (so the fuzzer
 * reaches live queues at once), writes into the fake guest RAM (rings,
 * descriptors, headers, data: anything but the runtime's holes), a
 * descriptor or an available-ring entry written with any fields, a whole
 * chain built as a driver builds one (any buffers) and notified, the
 * played blkback and netback answering well or with any id, status and
 * offset, and the models' service calls.  Whatever the bytes say, the
 * models must never write outside the fake RAM's checked ranges: the
 * guard bytes around it and the two holes inside are compared at the
 * end of every input (abort), and ASan/UBSan watch every host access.
 *
 *   make fuzz-virtio FUZZ_SECONDS=N           (clang-16; crashes -> tests/runtime/fuzz-corpus-virtio/)
 *   build/runtime/tests/fuzz-virtio-replay DIR   (regression inputs, gcc sanitizers, in check-runtime)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* a small fake RAM: rings at 0x10000.., data 0x20000..0x38000, holes above and below */
#define RAM_BYTES   0x40000u
#define HOLE_START  0x38000u
#define HOLE_END    0x40000u
#define HOLE2_START 0x8000u
#define HOLE2_END   0x9000u

#include "play-blkback.h"
#include "play-netback.h"
#include "virtio-driver.h"
#include "xen/virtio-blk.h"
#include "xen/virtio-net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DISK_BYTES (64u << 10)
#define GREF0 100u
#define TXG0  3000u
#define RXG0  3100u

static blkif_sring_t *sring;
static uint8_t *bounce;
static grant_ref_t gref[PV_BLK_SLOTS * PV_BLK_SEGS];
static uint8_t disk[DISK_BYTES];
static struct play_blkback be;
static struct pv_blkfront bf;
static struct pv_vblk vb;

static netif_tx_sring_t *txs;
static netif_rx_sring_t *rxs;
static uint8_t *txbuf, *rxbuf;
static grant_ref_t txg[PV_NET_TXBUF], rxg[PV_NET_RXBUF];
static struct play_netback nb;
static struct pv_netfront nf;
static struct pv_vnet vn;

static struct drv_vq q[3];              /* blk 0; net RX, TX */
static int cur;                         /* which device dev_rd/dev_wr reach: 0 blk, 1 net */

static uint32_t dev_rd(uint32_t off, unsigned width)
{
	return cur ? pv_vnet_read(&vn, off, width) : pv_vblk_read(&vb, off, width);
}

static void dev_wr(uint32_t off, unsigned width, uint32_t val)
{
	int k;

	if (cur)
		pv_vnet_write(&vn, off, width, val, &k);
	else
		pv_vblk_write(&vb, off, width, val, &k);
}

static const uint8_t *in;
static size_t left;

static uint8_t byte(void)
{
	if (!left)
		return 0;
	left--;
	return *in++;
}

static uint32_t word(void)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)byte() << 8 * i;
	return v;
}

static const uint16_t regs[] = {
	PV_VMMIO_MAGIC_VALUE, PV_VMMIO_DEVICE_FEATURES, PV_VMMIO_DEVICE_FEATURES_SEL, PV_VMMIO_DRIVER_FEATURES,
	PV_VMMIO_DRIVER_FEATURES_SEL, PV_VMMIO_QUEUE_SEL, PV_VMMIO_QUEUE_NUM_MAX, PV_VMMIO_QUEUE_NUM,
	PV_VMMIO_QUEUE_READY, PV_VMMIO_QUEUE_NOTIFY, PV_VMMIO_INTERRUPT_STATUS, PV_VMMIO_INTERRUPT_ACK,
	PV_VMMIO_STATUS, PV_VMMIO_QUEUE_DESC_LOW, PV_VMMIO_QUEUE_DESC_HIGH, PV_VMMIO_QUEUE_DRIVER_LOW,
	PV_VMMIO_QUEUE_DRIVER_HIGH, PV_VMMIO_QUEUE_DEVICE_LOW, PV_VMMIO_QUEUE_DEVICE_HIGH,
	PV_VMMIO_CONFIG_GENERATION, PV_VMMIO_CONFIG_SPACE, PV_VMMIO_CONFIG_SPACE + 8,
};

static uint32_t reg(void)
{
	uint8_t b = byte();

	return b < 0xc0 ? regs[b % (sizeof regs / sizeof regs[0])] : (uint32_t)byte() << 4 | (b & 0xf);
}

/* a guest-physical address: mostly in the data area, sometimes anything */
static uint64_t gpa(void)
{
	uint8_t b = byte();

	if (b < 0xf0)
		return 0x20000u + (((uint32_t)b << 8 | byte()) % 0x18000u);
	return (uint64_t)word() << 32 | word();
}

/* guest RAM the driver may write: RAM minus the holes (clipped, not moved) */
static void guest_write(uint64_t at, const uint8_t *src, unsigned n)
{
	for (unsigned i = 0; i < n; i++, at++)
		if (at < RAM_BYTES && !(at >= HOLE_START && at < HOLE_END) && !(at >= HOLE2_START && at < HOLE2_END))
			ram[at] = src[i];
}

static void probe(int dev)
{
	uint32_t id;
	uint64_t f;

	cur = dev;
	/* the NIC's driver takes the offloads too: TSO and partial-checksum headers reach the model */
	probe_to_features_ok(dev ? 1ull << PV_VNET_F_MAC | 1ull << PV_VNET_F_CSUM | 1ull << PV_VNET_F_HOST_TSO4 |
					   1ull << PV_VNET_F_HOST_TSO6 : 0x17676ull, &id, &f);
	if (dev) {
		setup_vq(&q[1], 0, 0x14000);
		setup_vq(&q[2], 1, 0x18000);
	} else {
		setup_vq(&q[0], 0, 0x10000);
	}
	add_status(PV_VIRTIO_S_DRIVER_OK);
}

static void op(void)
{
	uint8_t o = byte(), b;
	struct drv_vq *v;

	switch ((o & 0x0f) % 11) {
	case 0: {                               /* register write */
		uint32_t off;

		cur = o >> 7;
		off = reg();
		b = byte();
		dev_wr(off, b & 1 ? 4 : 1u << (b >> 1 & 1), word());
		break;
	}
	case 1:                                 /* register read */
		cur = o >> 7;
		b = byte();
		(void)dev_rd(reg(), 1u << (b % 3));
		break;
	case 2:
		probe(o >> 7);
		break;
	case 3: {                               /* bytes into guest RAM */
		uint8_t buf[32];
		uint64_t at = gpa();
		unsigned n = byte() % 33;

		for (unsigned i = 0; i < n; i++)
			buf[i] = byte();
		guest_write(at, buf, n);
		break;
	}
	case 4: {                               /* a descriptor, any fields */
		uint8_t d[16];
		uint64_t a;
		uint32_t len;

		v = &q[(o >> 4) % 3];
		if (!v->num)
			break;
		b = byte();
		a = gpa();
		len = byte() & 0x80 ? word() : (uint32_t)byte() << 4;
		memcpy(d, &a, 8);
		memcpy(d + 8, &len, 4);
		d[12] = byte() & 7;
		d[13] = 0;
		d[14] = byte();
		d[15] = byte() & 1;
		guest_write(v->desc + 16 * (uint64_t)(b & (v->num - 1)), d, 16);
		break;
	}
	case 5: {                               /* an available entry and index */
		uint16_t head, idx;

		v = &q[o % 3];
		if (!v->num)
			break;
		head = byte();
		head |= (uint16_t)(byte() & 1) << 8;
		guest_write(v->avail + 4 + 2 * (uint64_t)(v->avail_idx & (v->num - 1)), (uint8_t *)&head, 2);
		v->avail_idx = (uint16_t)(v->avail_idx + (byte() & 0x80 ? byte() : 1));
		idx = v->avail_idx;
		guest_write(v->avail + 2, (uint8_t *)&idx, 2);
		break;
	}
	case 6:                                 /* blkback */
		b = byte();
		if (b & 1) {
			play_blk_serve(&be, (int16_t)(b & 2 ? 0 : (int8_t)byte()));
		} else {
			uint64_t id = byte() & 0x80 ? (uint64_t)word() << 32 | word() : byte() % 40;

			play_blk_respond(&be, id, byte() % 3, (int16_t)(int8_t)byte());
			be.rsp_prod += byte() % 3 == 0;
			play_blk_publish(&be);
		}
		break;
	case 7: {                               /* netback */
		uint8_t f[1600];
		uint16_t len, off;

		b = byte();
		if (b & 1) {
			play_net_tx(&nb, (int16_t)(b & 2 ? 0 : (int8_t)byte()));
			nb.nwire = 0;
		} else if (b & 2) {
			len = (uint16_t)(byte() << 4) % sizeof f;
			off = (uint16_t)(byte() << 4);
			memset(f, byte(), len);
			play_net_rx(&nb, f, len, off, (int16_t)(b & 4 ? (int8_t)byte() : 0));
		} else {
			rxs->ring[nb.rx_prod & (PV_NET_RING - 1)].rsp =
				(struct netif_rx_response){ .id = byte(), .offset = (uint16_t)(byte() << 4),
							    .flags = byte(), .status = (int16_t)(byte() << 4) };
			nb.rx_prod += 1 + (byte() % 3 == 0);
			__atomic_store_n(&rxs->rsp_prod, nb.rx_prod, __ATOMIC_RELEASE);
		}
		break;
	}
	case 8: {
		int k;

		pv_vblk_service(&vb, &k);
		pv_vnet_service(&vn, &k);
		break;
	}
	case 9:                                 /* the driver takes its interrupts */
		cur = o >> 7;
		take_interrupt();
		break;
	default: {                              /* a whole chain as a driver builds it, made available, notified */
		struct drv_buf bufs[6];
		unsigned qi = byte() % 3, n = 1 + byte() % 6;

		v = &q[qi];
		if (!v->num)
			break;
		for (unsigned k = 0; k < n; k++) {
			uint8_t l = byte(), f;

			bufs[k].gpa = gpa();
			bufs[k].len = l < 0x80 ? l : (uint32_t)(l - 0x7f) * 512;
			f = byte();
			bufs[k].write = f & 1;
			if (f & 2) {                    /* its first bytes from the input: a header */
				uint8_t h[16];

				for (unsigned i = 0; i < 16; i++)
					h[i] = byte();
				guest_write(bufs[k].gpa, h, bufs[k].len < 16 ? bufs[k].len : 16);
			}
		}
		drv_avail(v, drv_chain(v, bufs, n));
		cur = qi != 0;
		dev_wr(PV_VMMIO_QUEUE_NOTIFY, 4, qi ? qi - 1 : 0);
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	int notify;

	if (!ready) {
		if (play_blk_frontend_memory(&sring, &bounce, gref, GREF0) ||
		    play_net_frontend_memory(&txs, &rxs, &txbuf, &rxbuf, txg, rxg, TXG0, RXG0))
			abort();
		ready = 1;
	}
	ram_init();
	memset(q, 0, sizeof q);
	pv_blkfront_init(&bf, sring, 1, DISK_BYTES / 512, 512, bounce, gref);
	be = (struct play_blkback){ .sring = sring, .bounce = bounce, .gref0 = GREF0, .disk = disk,
				    .disk_bytes = DISK_BYTES };
	pv_vblk_init(&vb, &bf, &vmem, 0, "fuzz");
	pv_netfront_init(&nf, txs, rxs, txbuf, txg, rxbuf, rxg, &notify);
	nf.feat = PV_NET_FEAT_SG | PV_NET_FEAT_GSO_TCPV4 | PV_NET_FEAT_GSO_TCPV6;     /* Linux's netback */
	memset(&nb, 0, sizeof nb);             /* (no compound literal: the wire is over 1 MiB) */
	nb.txs = txs;
	nb.rxs = rxs;
	nb.txbuf = txbuf;
	nb.rxbuf = rxbuf;
	nb.txg0 = TXG0;
	nb.rxg0 = RXG0;
	pv_vnet_init(&vn, &nf, &vmem, (const uint8_t[6]){ 2, 0, 0, 0, 0, 1 });

	in = data;
	left = size;
	for (unsigned n = 0; left && n < 400; n++)
		op();
	if (!ram_intact())
		abort();                        /* a model wrote outside its checked ranges */
	if (bf.inflight > PV_BLK_SLOTS || nf.tx_inflight > PV_NET_TXBUF)
		abort();
	return 0;
}
