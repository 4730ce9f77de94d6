/* SPDX-License-Identifier: MIT */
/*
 * A virtio driver played against the in-place models, for their tests
 * (test-virtio-blk.c, test-virtio-net.c): a fake guest RAM with guard
 * bytes on both sides and two runtime-owned holes inside, the split rings
 * laid out in it as Linux's virtio_ring does, and the register sequence
 * Linux 6.1's virtio_mmio + virtio core perform at probe
 * (drivers/virtio/virtio_mmio.c, virtio.c, include/linux/virtio_config.h).
 *
 * The model is reached through two functions the test defines:
 *   static uint32_t dev_rd(uint32_t off, unsigned width);
 *   static void dev_wr(uint32_t off, unsigned width, uint32_t val);
 */
#ifndef PREVIRT_TEST_VIRTIO_DRIVER_H
#define PREVIRT_TEST_VIRTIO_DRIVER_H

#include <stdlib.h>
#include <string.h>

#include "xen/virtio-mmio.h"

/* (a user may define its own layout first: the fuzzer's RAM is smaller) */
#ifndef RAM_BYTES
#define RAM_BYTES   (1u << 20)
#define HOLE_START  0xe0000u            /* runtime-owned: the last 128 KiB of the fake RAM */
#define HOLE_END    0x100000u
#define HOLE2_START 0x8000u             /* a second one, one page, below the rings */
#define HOLE2_END   0x9000u
#endif
#define GUARD       4096u
#define GUARD_BYTE  0xee
#define HOLE_BYTE   0xcc

static uint32_t dev_rd(uint32_t off, unsigned width);
static void dev_wr(uint32_t off, unsigned width, uint32_t val);

static uint8_t *ram_alloc;              /* guard | RAM | guard */
static uint8_t *ram;
static struct pv_vmem vmem;

static void ram_init(void)
{
	if (!ram_alloc)
		ram_alloc = aligned_alloc(4096, RAM_BYTES + 2 * GUARD);
	memset(ram_alloc, GUARD_BYTE, RAM_BYTES + 2 * GUARD);
	ram = ram_alloc + GUARD;
	memset(ram, 0, HOLE_START);             /* (the holes are filled below) */
	vmem = (struct pv_vmem){ .base = (uintptr_t)ram, .ram_end = RAM_BYTES,
				 .hole = { { HOLE_START, HOLE_END }, { HOLE2_START, HOLE2_END } } };
	memset(ram + HOLE_START, HOLE_BYTE, HOLE_END - HOLE_START);
	memset(ram + HOLE2_START, HOLE_BYTE, HOLE2_END - HOLE2_START);
}

/* nothing written outside the checked ranges: both guards and the hole as they were */
static int ram_intact(void)
{
	for (unsigned i = 0; i < GUARD; i++)
		if (ram_alloc[i] != GUARD_BYTE || ram_alloc[GUARD + RAM_BYTES + i] != GUARD_BYTE)
			return 0;
	for (unsigned i = HOLE_START; i < HOLE_END; i++)
		if (ram[i] != HOLE_BYTE)
			return 0;
	for (unsigned i = HOLE2_START; i < HOLE2_END; i++)
		if (ram[i] != HOLE_BYTE)
			return 0;
	return 1;
}

/* ---- one split ring in the fake RAM, the driver's side ---- */
struct drv_vq {
	uint64_t desc, avail, used;     /* guest-physical */
	uint16_t num, avail_idx, used_seen, next_free;
};

static void *gp(uint64_t gpa)
{
	return ram + gpa;
}

static uint16_t *avail_idx_p(struct drv_vq *v) { return gp(v->avail + 2); }
static uint16_t *avail_flags_p(struct drv_vq *v) { return gp(v->avail); }
static uint16_t used_idx(struct drv_vq *v) { return __atomic_load_n((uint16_t *)gp(v->used + 2), __ATOMIC_ACQUIRE); }

static void used_elem(struct drv_vq *v, uint16_t at, uint32_t *id, uint32_t *len)
{
	uint32_t *e = gp(v->used + 4 + 8 * (uint64_t)(at & (v->num - 1)));

	*id = e[0];
	*len = e[1];
}

/* write descriptor i */
static void drv_desc(struct drv_vq *v, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = gp(v->desc + 16 * (uint64_t)i);

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

/* a chain of n buffers from the free descriptors (taken round the table); its head */
struct drv_buf {
	uint64_t gpa;
	uint32_t len;
	int write;
};

static uint16_t drv_chain(struct drv_vq *v, const struct drv_buf *b, unsigned n)
{
	uint16_t head = v->next_free;

	for (unsigned k = 0; k < n; k++) {
		uint16_t i = (uint16_t)((head + k) & (v->num - 1)), nx = (uint16_t)((head + k + 1) & (v->num - 1));

		drv_desc(v, i, b[k].gpa, b[k].len,
			 (uint16_t)((b[k].write ? PV_VQ_DESC_F_WRITE : 0) | (k + 1 < n ? PV_VQ_DESC_F_NEXT : 0)), nx);
	}
	v->next_free = (uint16_t)((head + n) & (v->num - 1));
	return head;
}

/* make head available (ring entry, then the index, as virtqueue_add + kick) */
static void drv_avail(struct drv_vq *v, uint16_t head)
{
	uint16_t *ring = gp(v->avail + 4);

	ring[v->avail_idx & (v->num - 1)] = head;
	__atomic_store_n(avail_idx_p(v), ++v->avail_idx, __ATOMIC_RELEASE);
}

/* ---- the probe, in Linux 6.1's order ---- */

/* virtio_add_status: read, then write with the bit added */
static void add_status(uint32_t bit)
{
	dev_wr(PV_VMMIO_STATUS, 4, (dev_rd(PV_VMMIO_STATUS, 4) & 0xff) | bit);
}

/* vm_get_features: high word first */
static uint64_t get_features(void)
{
	uint64_t f;

	dev_wr(PV_VMMIO_DEVICE_FEATURES_SEL, 4, 1);
	f = (uint64_t)dev_rd(PV_VMMIO_DEVICE_FEATURES, 4) << 32;
	dev_wr(PV_VMMIO_DEVICE_FEATURES_SEL, 4, 0);
	return f | dev_rd(PV_VMMIO_DEVICE_FEATURES, 4);
}

/* vm_finalize_features: high word first */
static void set_features(uint64_t f)
{
	dev_wr(PV_VMMIO_DRIVER_FEATURES_SEL, 4, 1);
	dev_wr(PV_VMMIO_DRIVER_FEATURES, 4, (uint32_t)(f >> 32));
	dev_wr(PV_VMMIO_DRIVER_FEATURES_SEL, 4, 0);
	dev_wr(PV_VMMIO_DRIVER_FEATURES, 4, (uint32_t)f);
}

/*
 * virtio_mmio_probe + register_virtio_device + virtio_dev_probe up to
 * FEATURES_OK: magic, version, ids, reset, ACKNOWLEDGE, DRIVER, features
 * (what the driver's table and the device share, transport bits
 * 28..41 kept as virtio_dev_probe does), FEATURES_OK and its read-back.
 * Returns the read-back status; *device_id and *features what it saw.
 */
static uint32_t probe_to_features_ok(uint64_t driver_table, uint32_t *device_id, uint64_t *features)
{
	uint64_t dev, transport = 0;

	if (dev_rd(PV_VMMIO_MAGIC_VALUE, 4) != PV_VMMIO_MAGIC || dev_rd(PV_VMMIO_VERSION, 4) != 2)
		return 0;
	*device_id = dev_rd(PV_VMMIO_DEVICE_ID, 4);
	(void)dev_rd(PV_VMMIO_VENDOR_ID, 4);
	dev_wr(PV_VMMIO_STATUS, 4, 0);                  /* virtio_reset_device */
	add_status(PV_VIRTIO_S_ACKNOWLEDGE);
	add_status(PV_VIRTIO_S_DRIVER);
	dev = get_features();
	for (int i = 28; i < 42; i++)
		transport |= dev & (1ull << i);
	*features = (driver_table & dev) | transport;
	set_features(*features);
	add_status(PV_VIRTIO_S_FEATURES_OK);
	return dev_rd(PV_VMMIO_STATUS, 4);
}

/*
 * vm_setup_vq: select, QueueReady must read 0, QueueNumMax, QueueNum,
 * the three addresses low then high, QueueReady 1.  The rings go at
 * `base` in the fake RAM (desc, then avail, then used on a 4 KiB
 * boundary, as vring_init lays them out with VIRTIO_MMIO_VRING_ALIGN).
 */
static int setup_vq(struct drv_vq *v, unsigned index, uint64_t base)
{
	uint32_t num;

	dev_wr(PV_VMMIO_QUEUE_SEL, 4, index);
	if (dev_rd(PV_VMMIO_QUEUE_READY, 4))
		return -1;
	num = dev_rd(PV_VMMIO_QUEUE_NUM_MAX, 4);
	if (!num)
		return -1;
	memset(v, 0, sizeof *v);
	v->num = (uint16_t)num;
	v->desc = base;
	v->avail = base + 16 * (uint64_t)num;
	v->used = (v->avail + 6 + 2 * (uint64_t)num + 4095) & ~4095ull;
	memset(gp(base), 0, v->used + 6 + 8 * (uint64_t)num - base);
	dev_wr(PV_VMMIO_QUEUE_NUM, 4, num);
	dev_wr(PV_VMMIO_QUEUE_DESC_LOW, 4, (uint32_t)v->desc);
	dev_wr(PV_VMMIO_QUEUE_DESC_HIGH, 4, (uint32_t)(v->desc >> 32));
	dev_wr(PV_VMMIO_QUEUE_DRIVER_LOW, 4, (uint32_t)v->avail);
	dev_wr(PV_VMMIO_QUEUE_DRIVER_HIGH, 4, (uint32_t)(v->avail >> 32));
	dev_wr(PV_VMMIO_QUEUE_DEVICE_LOW, 4, (uint32_t)v->used);
	dev_wr(PV_VMMIO_QUEUE_DEVICE_HIGH, 4, (uint32_t)(v->used >> 32));
	dev_wr(PV_VMMIO_QUEUE_READY, 4, 1);
	return 0;
}

/* virtio_cread of a 64-bit field: ConfigGeneration around two 32-bit reads, again if it moved */
static __attribute__((unused)) uint64_t cread64(uint32_t at)
{
	uint32_t gen, old;
	uint64_t v;

	gen = dev_rd(PV_VMMIO_CONFIG_GENERATION, 4);
	do {
		old = gen;
		v = dev_rd(PV_VMMIO_CONFIG_SPACE + at, 4);
		v |= (uint64_t)dev_rd(PV_VMMIO_CONFIG_SPACE + at + 4, 4) << 32;
		gen = dev_rd(PV_VMMIO_CONFIG_GENERATION, 4);
	} while (gen != old);
	return v;
}

/* vm_interrupt: read InterruptStatus, acknowledge what was read */
static uint32_t take_interrupt(void)
{
	uint32_t s = dev_rd(PV_VMMIO_INTERRUPT_STATUS, 4);

	dev_wr(PV_VMMIO_INTERRUPT_ACK, 4, s);
	return s;
}

#endif
