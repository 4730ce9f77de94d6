/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk model (runtime/xen/virtio-blk.c over virtio-mmio.c and
 * virtq.c) driven the way Linux 6.1's virtio_mmio and virtio_blk drive a
 * device (virtio-driver.h: the probe's register sequence, rings laid out
 * as vring_init does), its requests answered by the blkback of
 * test-blkfront (play-blkback.h) through the real blkfront core.  Guest
 * RAM is a host array with guard bytes on both sides and a runtime-owned
 * hole inside; every case ends by checking that neither was written.
 *
 * Well-formed: the probe (features, FEATURES_OK, the queue, DRIVER_OK,
 * config at its widths); reads and writes of 1..11 buffers byte for
 * byte; the header split over two descriptors; GET_ID; an unsupported
 * type; more requests than blkfront's 32 slots (the rest wait on the
 * available ring); NO_INTERRUPT; interrupt status and acknowledge.
 * Transport refusals: FEATURES_OK without VERSION_1 or with a feature
 * not offered, DRIVER_OK without FEATURES_OK, odd widths, unaligned
 * config reads, notify before DRIVER_OK.
 * A hostile driver: a buffer outside RAM, in the hole, at an address
 * that overflows, `next` out of range, a loop, avail->idx jumping by
 * more than the queue size, a head out of range, INDIRECT, readable
 * after writable, an empty buffer, a chain too long, no writable status
 * byte, rings placed outside RAM (each breaks the queue:
 * DEVICE_NEEDS_RESET and a config interrupt); a short header, a request
 * over 11 pages, past the disk's end, in partial sectors, a read with
 * readable data, a write to a read-only disk (each IOERR, the queue
 * goes on).
 * A hostile backend: an error status, a response for a slot not in
 * flight (the blkif ring breaks): IOERR, the read buffers untouched.
 * A reset with requests in flight: their completions are dropped.
 */
#include "check.h"
#include "play-blkback.h"
#include "virtio-driver.h"
#include "xen/virtio-blk.h"

#define DISK_BYTES (1u << 20)
#define GREF0      100u
#define RING_BASE  0x10000u
#define HDRS       0x20000u             /* request i: header at HDRS + 32 i, status byte at + 16 */
#define DATA       0x40000u             /* data buffers up to 0xe0000 (the hole) */

static blkif_sring_t *sring;
static uint8_t *bounce;
static grant_ref_t gref[PV_BLK_SLOTS * PV_BLK_SEGS];
static uint8_t disk[DISK_BYTES];
static struct play_blkback be;
static struct pv_blkfront bf;
static struct pv_vblk vb;
static struct drv_vq vq;
static int kicks;

static uint32_t dev_rd(uint32_t off, unsigned width)
{
	return pv_vblk_read(&vb, off, width);
}

static void dev_wr(uint32_t off, unsigned width, uint32_t val)
{
	int k;

	pv_vblk_write(&vb, off, width, val, &k);
	kicks += k;
}

static void service(void)
{
	int k;

	pv_vblk_service(&vb, &k);
	kicks += k;
}

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 9) * 13 + 1);
}

/* Linux 6.1 virtio_blk's feature table */
static const uint64_t linux_blk = 1ull << 2 | 1ull << 1 | 1ull << 4 | 1ull << 5 | 1ull << 6 | 1ull << 9 |
				  1ull << 10 | 1ull << 11 | 1ull << 12 | 1ull << 13 | 1ull << 14 | 1ull << 16;

static void fresh(uint32_t sector_size, int ro)
{
	ram_init();
	for (uint64_t i = 0; i < DISK_BYTES; i++)
		disk[i] = pattern(i);
	pv_blkfront_init(&bf, sring, 51712, DISK_BYTES / 512, sector_size, bounce, gref);
	be = (struct play_blkback){ .sring = sring, .bounce = bounce, .gref0 = GREF0, .disk = disk,
				    .disk_bytes = DISK_BYTES };
	pv_vblk_init(&vb, &bf, &vmem, ro, "previrt-vda");
	kicks = 0;
}

struct blk_seen {
	uint64_t features, capacity;
	uint32_t status, seg_max, size_max, blk_size;
};

/* virtio_dev_probe + virtblk_probe, in Linux 6.1's order */
static int probe(struct blk_seen *s)
{
	uint32_t id;

	memset(s, 0, sizeof *s);
	s->status = probe_to_features_ok(linux_blk, &id, &s->features);
	if (id != PV_VBLK_DEVICE_ID || !(s->status & PV_VIRTIO_S_FEATURES_OK))
		return -1;
	if (s->features & 1ull << PV_VBLK_F_SEG_MAX)
		s->seg_max = dev_rd(PV_VMMIO_CONFIG_SPACE + 12, 4);
	if (setup_vq(&vq, 0, RING_BASE))
		return -1;
	if (s->features & 1ull << PV_VBLK_F_SIZE_MAX)
		s->size_max = dev_rd(PV_VMMIO_CONFIG_SPACE + 8, 4);
	if (s->features & 1ull << PV_VBLK_F_BLK_SIZE)
		s->blk_size = dev_rd(PV_VMMIO_CONFIG_SPACE + 20, 4);
	s->capacity = cread64(0);
	add_status(PV_VIRTIO_S_DRIVER_OK);
	s->status = dev_rd(PV_VMMIO_STATUS, 4);
	return 0;
}

static uint8_t *status_byte(unsigned i)
{
	return gp(HDRS + 32 * i + 16);
}

/* virtblk_add_req: header, data buffers, status; made available (not yet notified) */
static uint16_t blk_req(unsigned i, uint32_t type, uint64_t sector, const struct drv_buf *data, unsigned n)
{
	struct drv_buf b[PV_VQ_MAX_CHAIN + 4];
	uint8_t *h = gp(HDRS + 32 * i);
	uint32_t zero = 0;
	uint16_t head;

	memcpy(h, &type, 4);
	memcpy(h + 4, &zero, 4);
	memcpy(h + 8, &sector, 8);
	*status_byte(i) = 0xff;
	b[0] = (struct drv_buf){ HDRS + 32 * i, 16, 0 };
	if (n)
		memcpy(b + 1, data, n * sizeof *data);
	b[n + 1] = (struct drv_buf){ HDRS + 32 * i + 16, 1, 1 };
	head = drv_chain(&vq, b, n + 2);
	drv_avail(&vq, head);
	return head;
}

static void notify(void)
{
	dev_wr(PV_VMMIO_QUEUE_NOTIFY, 4, 0);
}

/* notify, blkback serves, the completion poll */
static void run(void)
{
	notify();
	play_blk_serve(&be, BLKIF_RSP_OKAY);
	service();
}

/* the last used element is (head, len) and used->idx is `idx` */
static int used_is(uint16_t idx, uint16_t head, uint32_t len)
{
	uint32_t id, l;

	if (used_idx(&vq) != idx)
		return 0;
	used_elem(&vq, (uint16_t)(idx - 1), &id, &l);
	return id == head && l == len;
}

static int disk_matches(uint64_t gpa, uint64_t disk_off, uint32_t n)
{
	return !memcmp(gp(gpa), disk + disk_off, n);
}

static int broken_device(void)
{
	return (dev_rd(PV_VMMIO_STATUS, 4) & PV_VIRTIO_S_NEEDS_RESET) &&
	       (dev_rd(PV_VMMIO_INTERRUPT_STATUS, 4) & PV_VMMIO_INT_CONFIG) && pv_vblk_irq(&vb);
}

static void probing(void)
{
	struct blk_seen s;

	fresh(512, 0);
	check(probe(&s) == 0, "probe: magic, version 2, device id 2, reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK read back");
	check(s.features == (1ull << 32 | 1ull << PV_VBLK_F_SEG_MAX | 1ull << PV_VBLK_F_SIZE_MAX | 1ull << PV_VBLK_F_BLK_SIZE),
	      "features agreed: VERSION_1, SEG_MAX, SIZE_MAX, BLK_SIZE and nothing else (%#llx)",
	      (unsigned long long)s.features);
	check(s.seg_max == 11 && s.size_max == 4096 && s.blk_size == 512 && s.capacity == DISK_BYTES / 512,
	      "config: seg_max 11, size_max 4096 (11 pages = one blkif request), blk_size 512, capacity 2048 sectors");
	check(s.status == (PV_VIRTIO_S_ACKNOWLEDGE | PV_VIRTIO_S_DRIVER | PV_VIRTIO_S_FEATURES_OK | PV_VIRTIO_S_DRIVER_OK),
	      "status after DRIVER_OK: 0x0f");
	check(dev_rd(PV_VMMIO_VENDOR_ID, 4) == PV_VMMIO_VENDOR && dev_rd(PV_VMMIO_CONFIG_SPACE + 1, 1) == 8 &&
	      dev_rd(PV_VMMIO_CONFIG_SPACE + 0, 2) == 2048 && dev_rd(PV_VMMIO_CONFIG_SPACE + 16, 2) == 0 &&
	      dev_rd(PV_VMMIO_CONFIG_SPACE + 18, 1) == 0, "config reads of 1 and 2 bytes, little-endian; geometry (not offered) reads 0");
	dev_wr(PV_VMMIO_QUEUE_SEL, 4, 1);
	check(dev_rd(PV_VMMIO_QUEUE_NUM_MAX, 4) == 0 && dev_rd(PV_VMMIO_QUEUE_READY, 4) == 0,
	      "queue 1 does not exist: QueueNumMax 0");
	dev_wr(PV_VMMIO_QUEUE_SEL, 4, 0);
	check(dev_rd(PV_VMMIO_QUEUE_READY, 4) == 1 && dev_rd(PV_VMMIO_SHM_LEN_LOW, 4) == 0xffffffffu,
	      "queue 0 ready; no shared memory region (length ~0)");
	{
		uint64_t refused = vb.mmio.refused;

		check(dev_rd(PV_VMMIO_STATUS, 2) == 0 && dev_rd(PV_VMMIO_CONFIG_SPACE + 1, 2) == 0 &&
		      dev_rd(PV_VMMIO_CONFIG_SPACE + 2, 4) == 0 && dev_rd(PV_VMMIO_CONFIG_SPACE + 62, 4) == 0 &&
		      dev_rd(PV_VMMIO_CONFIG_SPACE + 64, 1) == 0 && dev_rd(0x200, 4) == 0 && dev_rd(0x0c8, 4) == 0,
		      "refused reads: a 16-bit register read, unaligned config reads, past config space, unknown offsets");
		dev_wr(PV_VMMIO_STATUS, 1, 0);
		dev_wr(PV_VMMIO_CONFIG_SPACE, 4, 0x12345678);
		dev_wr(PV_VMMIO_QUEUE_NUM, 4, 8);       /* queue 0 is ready: fixed */
		dev_wr(PV_VMMIO_STATUS, 4, PV_VIRTIO_S_ACKNOWLEDGE);  /* clearing bits */
		check(dev_rd(PV_VMMIO_STATUS, 4) == 0x0f && dev_rd(PV_VMMIO_CONFIG_SPACE, 4) == 2048 &&
		      vb.mmio.q[0].num == 256 && vb.mmio.refused == refused + 11,
		      "refused writes: byte-wide status, config space, a ready queue's QueueNum, clearing status bits (%llu refused)",
		      (unsigned long long)(vb.mmio.refused - refused));
	}

	/* FEATURES_OK refused: without VERSION_1, with FLUSH (not offered) */
	fresh(512, 0);
	{
		uint32_t id;
		uint64_t f;

		probe_to_features_ok(0, &id, &f);       /* only the transport bits: VERSION_1 kept */
		dev_wr(PV_VMMIO_STATUS, 4, 0);
		add_status(PV_VIRTIO_S_ACKNOWLEDGE);
		add_status(PV_VIRTIO_S_DRIVER);
		set_features(1ull << PV_VBLK_F_SEG_MAX);
		add_status(PV_VIRTIO_S_FEATURES_OK);
		check(!(dev_rd(PV_VMMIO_STATUS, 4) & PV_VIRTIO_S_FEATURES_OK), "FEATURES_OK refused without VERSION_1");
		dev_wr(PV_VMMIO_STATUS, 4, 0);
		add_status(PV_VIRTIO_S_ACKNOWLEDGE);
		add_status(PV_VIRTIO_S_DRIVER);
		set_features(1ull << 32 | 1ull << 9);
		add_status(PV_VIRTIO_S_FEATURES_OK);
		check(!(dev_rd(PV_VMMIO_STATUS, 4) & PV_VIRTIO_S_FEATURES_OK), "FEATURES_OK refused with FLUSH, never offered");
		add_status(PV_VIRTIO_S_DRIVER_OK);
		check(!(dev_rd(PV_VMMIO_STATUS, 4) & PV_VIRTIO_S_DRIVER_OK), "DRIVER_OK refused without FEATURES_OK");
		add_status(PV_VIRTIO_S_FAILED);
		check(dev_rd(PV_VMMIO_STATUS, 4) == (PV_VIRTIO_S_ACKNOWLEDGE | PV_VIRTIO_S_DRIVER | PV_VIRTIO_S_FAILED),
		      "the driver gives up: FAILED");
	}

	/* read-only backend, 4 KiB sectors */
	fresh(4096, 1);
	check(probe(&s) == 0 && (s.features & 1ull << PV_VBLK_F_RO) && s.blk_size == 4096,
	      "a read-only 4 KiB-sector backend: F_RO offered and taken, blk_size 4096");
	check(ram_intact(), "probing wrote nothing outside the rings");
}

static void requests(void)
{
	struct blk_seen s;
	uint16_t h;
	uint16_t n = 0;

	fresh(512, 0);
	probe(&s);

	memset(gp(DATA), 0, 4096);
	h = blk_req(0, PV_VBLK_T_IN, 8, &(struct drv_buf){ DATA, 4096, 1 }, 1);
	run();
	check(used_is(++n, h, 4097) && *status_byte(0) == PV_VBLK_S_OK && disk_matches(DATA, 4096, 4096),
	      "a 4 KiB read: the disk's bytes, status OK, used len 4097");
	check(kicks > 0 && pv_vblk_irq(&vb) && take_interrupt() == PV_VMMIO_INT_VRING && !pv_vblk_irq(&vb),
	      "blkback was kicked; the used buffer raised InterruptStatus bit 0, the ACK lowered the line");

	{
		/* a write from three uneven buffers, read back through eleven */
		struct drv_buf w[3] = { { DATA + 0x10000, 1024, 0 }, { DATA + 0x20000 + 100, 4096, 0 }, { DATA + 0x30000, 3072, 0 } };
		struct drv_buf r[11];
		uint8_t expect[8192];

		for (unsigned k = 0; k < 3; k++)
			for (unsigned i = 0; i < w[k].len; i++)
				*(uint8_t *)gp(w[k].gpa + i) = (uint8_t)(k * 77 + i * 3);
		memcpy(expect, gp(w[0].gpa), 1024);
		memcpy(expect + 1024, gp(w[1].gpa), 4096);
		memcpy(expect + 5120, gp(w[2].gpa), 3072);
		h = blk_req(1, PV_VBLK_T_OUT, 100, w, 3);
		run();
		check(used_is(++n, h, 1) && *status_byte(1) == PV_VBLK_S_OK && !memcmp(disk + 100 * 512, expect, 8192),
		      "an 8 KiB write gathered from 1 KiB, 4 KiB (unaligned) and 3 KiB buffers reaches the disk");
		for (unsigned k = 0; k < 11; k++)
			r[k] = (struct drv_buf){ DATA + 0x40000 + 4096 * (uint64_t)k, 4096, 1 };
		h = blk_req(2, PV_VBLK_T_IN, 96, r, 11);
		run();
		check(used_is(++n, h, 45057) && *status_byte(2) == PV_VBLK_S_OK && disk_matches(DATA + 0x40000, 96 * 512, 45056) &&
		      !memcmp(gp(DATA + 0x40000 + 2048), expect, 8192),
		      "a 44 KiB read into 11 buffers (seg_max x size_max: one blkif request) returns the write");
	}

	{
		/* ANY_LAYOUT: the header in two descriptors */
		struct drv_buf b[4] = { { HDRS + 32 * 3, 10, 0 }, { HDRS + 32 * 3 + 10, 6, 0 }, { DATA, 1024, 1 },
					{ HDRS + 32 * 3 + 16, 1, 1 } };
		uint32_t type = PV_VBLK_T_IN;
		uint64_t sector = 33;

		memcpy(gp(HDRS + 96), &type, 4);
		memset(gp(HDRS + 100), 0, 4);
		memcpy(gp(HDRS + 104), &sector, 8);
		h = drv_chain(&vq, b, 4);
		drv_avail(&vq, h);
		run();
		check(used_is(++n, h, 1025) && *status_byte(3) == PV_VBLK_S_OK && disk_matches(DATA, 33 * 512, 1024),
		      "the header split over two descriptors (10 + 6 bytes) is read as one");
	}

	memset(gp(DATA), 0x77, 64);
	h = blk_req(4, PV_VBLK_T_GET_ID, 0, &(struct drv_buf){ DATA, 20, 1 }, 1);
	notify();
	check(used_is(++n, h, 21) && *status_byte(4) == PV_VBLK_S_OK && !memcmp(gp(DATA), "previrt-vda\0\0\0\0\0\0\0\0", 20) &&
	      *(uint8_t *)gp(DATA + 20) == 0x77, "GET_ID: the serial, zero-padded to 20 bytes, answered at once");
	h = blk_req(5, 4 /* FLUSH */, 0, 0, 0);
	notify();
	check(used_is(++n, h, 1) && *status_byte(5) == PV_VBLK_S_UNSUPP, "FLUSH (not offered): UNSUPP");
	take_interrupt();

	{
		/* 40 reads: 32 go to blkfront, 8 wait on the available ring */
		uint16_t heads[40];
		unsigned good = 0, first;

		vq.next_free = 0;
		for (unsigned i = 0; i < 40; i++)
			heads[i] = blk_req(8 + i, PV_VBLK_T_IN, i * 8, &(struct drv_buf){ DATA + 4096 * (uint64_t)i, 4096, 1 }, 1);
		notify();
		check(bf.inflight == PV_BLK_SLOTS && vb.mmio.q[0].last_avail == (uint16_t)(n + 32),
		      "40 requests: 32 in blkfront's slots, 8 left on the available ring");
		play_blk_serve(&be, BLKIF_RSP_OKAY);
		service();
		first = used_idx(&vq);
		play_blk_serve(&be, BLKIF_RSP_OKAY);
		service();
		for (unsigned i = 0; i < 40; i++)
			good += *status_byte(8 + i) == PV_VBLK_S_OK && disk_matches(DATA + 4096 * (uint64_t)i, i * 4096, 4096);
		check(first == (uint16_t)(n + 32) && used_idx(&vq) == (uint16_t)(n + 40) && good == 40,
		      "the completion poll answers 32, takes the 8 waiting; then all 40 are answered with their data (%u)", good);
		n = (uint16_t)(n + 40);
		(void)heads;
	}

	/* VIRTQ_AVAIL_F_NO_INTERRUPT */
	take_interrupt();
	*avail_flags_p(&vq) = PV_VQ_AVAIL_F_NO_INTERRUPT;
	h = blk_req(0, PV_VBLK_T_IN, 0, &(struct drv_buf){ DATA, 512, 1 }, 1);
	run();
	check(used_is(++n, h, 513) && !pv_vblk_irq(&vb), "NO_INTERRUPT: the request is answered, no interrupt raised");
	*avail_flags_p(&vq) = 0;
	check(ram_intact(), "nothing written outside the requests' buffers");
}

/* ---- a hostile driver: each case breaks the queue, writes nothing, needs a reset ---- */
static void broken_chain(const char *what, void (*make)(void))
{
	struct blk_seen s;
	uint16_t before;

	fresh(512, 0);
	probe(&s);
	before = used_idx(&vq);
	make();
	notify();
	check(broken_device() && vb.mmio.q[0].broken && used_idx(&vq) == before && bf.inflight == 0 && ram_intact(),
	      "%s: the queue breaks, DEVICE_NEEDS_RESET with a config interrupt, nothing written or sent", what);
	notify();
	check(used_idx(&vq) == before && vb.mmio.broken == 1, "%s: later notifies are ignored until a reset", what);
	dev_wr(PV_VMMIO_STATUS, 4, 0);
	check(dev_rd(PV_VMMIO_STATUS, 4) == 0 && !pv_vblk_irq(&vb) && probe(&s) == 0,
	      "%s: a reset clears it, and the device probes again", what);
	blk_req(0, PV_VBLK_T_IN, 0, &(struct drv_buf){ DATA, 512, 1 }, 1);
	run();
	check(used_idx(&vq) == 1 && *status_byte(0) == PV_VBLK_S_OK, "%s: then works", what);
}

static void one_buf(uint64_t gpa, uint32_t len)
{
	blk_req(0, PV_VBLK_T_IN, 0, &(struct drv_buf){ gpa, len, 1 }, 1);
}

static void outside_ram(void) { one_buf(RAM_BYTES - 256, 512); }
static void in_hole(void) { one_buf(HOLE_START + 4096, 512); }
static void in_hole2(void) { one_buf(HOLE2_START - 256, 512); }
static void wraps(void) { one_buf(~0ull - 255, 512); }
static void empty_buf(void) { one_buf(DATA, 0); }

static void next_out_of_range(void)
{
	uint16_t h = blk_req(0, PV_VBLK_T_IN, 0, &(struct drv_buf){ DATA, 512, 1 }, 1);

	drv_desc(&vq, (uint16_t)(h + 1), DATA, 512, PV_VQ_DESC_F_WRITE | PV_VQ_DESC_F_NEXT, 300);
}

static void loop(void)
{
	uint16_t h = blk_req(0, PV_VBLK_T_IN, 0, &(struct drv_buf){ DATA, 512, 1 }, 1);

	drv_desc(&vq, (uint16_t)(h + 2), HDRS + 16, 1, PV_VQ_DESC_F_WRITE | PV_VQ_DESC_F_NEXT, (uint16_t)(h + 1));
}

static void idx_jump(void)
{
	blk_req(0, PV_VBLK_T_IN, 0, &(struct drv_buf){ DATA, 512, 1 }, 1);
	*avail_idx_p(&vq) = (uint16_t)(vq.avail_idx + vq.num);  /* num + 1 ahead of the device */
}

static void head_out_of_range(void)
{
	blk_req(0, PV_VBLK_T_IN, 0, &(struct drv_buf){ DATA, 512, 1 }, 1);
	((uint16_t *)gp(vq.avail + 4))[0] = 256;
}

static void indirect(void)
{
	uint16_t h = blk_req(0, PV_VBLK_T_IN, 0, &(struct drv_buf){ DATA, 512, 1 }, 1);

	drv_desc(&vq, (uint16_t)(h + 1), DATA, 512, PV_VQ_DESC_F_WRITE | PV_VQ_DESC_F_NEXT | PV_VQ_DESC_F_INDIRECT,
		 (uint16_t)(h + 2));
}

static void read_after_write(void)
{
	struct drv_buf b[2] = { { DATA, 512, 1 }, { DATA + 512, 512, 0 } };

	blk_req(0, PV_VBLK_T_IN, 0, b, 2);
}

static void too_long(void)
{
	struct drv_buf b[PV_VQ_MAX_CHAIN];

	for (unsigned k = 0; k < PV_VQ_MAX_CHAIN; k++)
		b[k] = (struct drv_buf){ DATA + 512 * (uint64_t)k, 512, 1 };
	blk_req(0, PV_VBLK_T_IN, 0, b, PV_VQ_MAX_CHAIN);       /* 18 descriptors */
}

static void status_not_writable(void)
{
	struct drv_buf b[3] = { { HDRS, 16, 0 }, { DATA, 512, 0 }, { HDRS + 16, 1, 0 } };
	uint32_t type = PV_VBLK_T_OUT;

	memcpy(gp(HDRS), &type, 4);
	drv_avail(&vq, drv_chain(&vq, b, 3));
}

static void rings_outside_ram(void)
{
	/* a second probe with the used ring past the end of RAM */
	uint32_t id;
	uint64_t f;

	dev_wr(PV_VMMIO_STATUS, 4, 0);
	probe_to_features_ok(linux_blk, &id, &f);
	dev_wr(PV_VMMIO_QUEUE_SEL, 4, 0);
	dev_wr(PV_VMMIO_QUEUE_NUM, 4, 256);
	dev_wr(PV_VMMIO_QUEUE_DESC_LOW, 4, RING_BASE);
	dev_wr(PV_VMMIO_QUEUE_DRIVER_LOW, 4, RING_BASE + 4096);
	dev_wr(PV_VMMIO_QUEUE_DEVICE_LOW, 4, RAM_BYTES - 1024);
	dev_wr(PV_VMMIO_QUEUE_READY, 4, 1);
	add_status(PV_VIRTIO_S_DRIVER_OK);
}

/* ---- malformed requests: IOERR, the queue goes on ---- */
static void bad_request(const char *what, uint16_t (*make)(void), int ro)
{
	struct blk_seen s;
	uint16_t h;

	fresh(512, ro);
	probe(&s);
	memset(gp(DATA), 0x5a, 0x30000);
	h = make();
	run();
	check(used_is(1, h, 1) && *status_byte(0) == PV_VBLK_S_IOERR && !vb.mmio.q[0].broken && bf.inflight == 0 &&
	      be.served == 0 && *(uint8_t *)gp(DATA) == 0x5a && ram_intact(),
	      "%s: IOERR, nothing sent to blkback, no data written, the queue goes on", what);
	h = blk_req(1, PV_VBLK_T_IN, 0, &(struct drv_buf){ DATA, 512, 1 }, 1);
	run();
	check(used_is(2, h, 513) && *status_byte(1) == PV_VBLK_S_OK, "%s: the next request works", what);
}

static uint16_t short_header(void)
{
	struct drv_buf b[3] = { { HDRS, 8, 0 }, { DATA, 512, 1 }, { HDRS + 16, 1, 1 } };
	uint16_t h = drv_chain(&vq, b, 3);

	memset(gp(HDRS), 0, 8);
	drv_avail(&vq, h);
	return h;
}

static uint16_t too_big(void)
{
	struct drv_buf b[12];

	for (unsigned k = 0; k < 12; k++)
		b[k] = (struct drv_buf){ DATA + 4096 * (uint64_t)k, 4096, 1 };
	return blk_req(0, PV_VBLK_T_IN, 0, b, 12);
}

static uint16_t past_end(void) { return blk_req(0, PV_VBLK_T_IN, DISK_BYTES / 512 - 4, &(struct drv_buf){ DATA, 4096, 1 }, 1); }
static uint16_t huge_sector(void) { return blk_req(0, PV_VBLK_T_IN, ~0ull - 3, &(struct drv_buf){ DATA, 4096, 1 }, 1); }
static uint16_t partial(void) { return blk_req(0, PV_VBLK_T_IN, 0, &(struct drv_buf){ DATA, 700, 1 }, 1); }
static uint16_t no_data(void) { return blk_req(0, PV_VBLK_T_IN, 0, 0, 0); }

static uint16_t read_with_readable(void)
{
	struct drv_buf b[2] = { { DATA + 0x20000, 512, 0 }, { DATA, 512, 1 } };

	return blk_req(0, PV_VBLK_T_IN, 0, b, 2);
}

static uint16_t write_ro(void) { return blk_req(0, PV_VBLK_T_OUT, 0, &(struct drv_buf){ DATA + 0x20000, 512, 0 }, 1); }

/* ---- a hostile backend, a reset in flight ---- */
static void backend(void)
{
	struct blk_seen s;
	uint16_t h0, h1;

	fresh(512, 0);
	probe(&s);
	memset(gp(DATA), 0x5a, 8192);
	h0 = blk_req(0, PV_VBLK_T_IN, 0, &(struct drv_buf){ DATA, 4096, 1 }, 1);
	notify();
	play_blk_serve(&be, BLKIF_RSP_ERROR);
	service();
	check(used_is(1, h0, 1) && *status_byte(0) == PV_VBLK_S_IOERR && *(uint8_t *)gp(DATA) == 0x5a,
	      "blkback answers BLKIF_RSP_ERROR: IOERR, the read buffer untouched");

	h0 = blk_req(1, PV_VBLK_T_IN, 0, &(struct drv_buf){ DATA, 4096, 1 }, 1);
	h1 = blk_req(2, PV_VBLK_T_IN, 8, &(struct drv_buf){ DATA + 4096, 4096, 1 }, 1);
	notify();
	play_blk_respond(&be, 7, BLKIF_OP_READ, 0);     /* a slot not in flight */
	play_blk_publish(&be);
	service();
	check(bf.broken && used_idx(&vq) == 3 && *status_byte(1) == PV_VBLK_S_IOERR && *status_byte(2) == PV_VBLK_S_IOERR &&
	      *(uint8_t *)gp(DATA) == 0x5a && *(uint8_t *)gp(DATA + 4096) == 0x5a && ram_intact(),
	      "a response for a slot not in flight breaks the blkif ring: both reads IOERR, their buffers untouched");
	h0 = blk_req(3, PV_VBLK_T_IN, 0, &(struct drv_buf){ DATA, 512, 1 }, 1);
	notify();
	check(used_is(4, h0, 1) && *status_byte(3) == PV_VBLK_S_IOERR && !vb.mmio.q[0].broken,
	      "with blkif broken every new request is IOERR at once (the virtqueue itself is fine)");
	(void)h1;

	/* reset with two reads in flight */
	fresh(512, 0);
	probe(&s);
	memset(gp(DATA), 0x5a, 8192);
	blk_req(0, PV_VBLK_T_IN, 0, &(struct drv_buf){ DATA, 4096, 1 }, 1);
	blk_req(1, PV_VBLK_T_IN, 8, &(struct drv_buf){ DATA + 4096, 4096, 1 }, 1);
	notify();
	dev_wr(PV_VMMIO_STATUS, 4, 0);
	play_blk_serve(&be, BLKIF_RSP_OKAY);
	service();
	check(used_idx(&vq) == 0 && *status_byte(0) == 0xff && *status_byte(1) == 0xff && *(uint8_t *)gp(DATA) == 0x5a &&
	      *(uint8_t *)gp(DATA + 4096) == 0x5a && vb.dropped == 2 && bf.inflight == 0 && ram_intact(),
	      "a reset with two reads in flight: their completions are dropped, nothing written (used entry, data, status)");
	probe(&s);
	memset(gp(DATA), 0x5a, 8192);
	blk_req(0, PV_VBLK_T_IN, 8, &(struct drv_buf){ DATA, 4096, 1 }, 1);
	run();
	check(used_idx(&vq) == 1 && *status_byte(0) == PV_VBLK_S_OK && disk_matches(DATA, 4096, 4096) && ram_intact(),
	      "after the new probe a read works");

	/* reset while requests are still with blkback, answered only after the re-probe */
	fresh(512, 0);
	probe(&s);
	memset(gp(DATA), 0x5a, 8192);
	blk_req(0, PV_VBLK_T_IN, 0, &(struct drv_buf){ DATA, 4096, 1 }, 1);
	notify();
	dev_wr(PV_VMMIO_STATUS, 4, 0);
	probe(&s);                                      /* the same rings again */
	play_blk_serve(&be, BLKIF_RSP_OKAY);
	service();
	check(used_idx(&vq) == 0 && *status_byte(0) == 0xff && *(uint8_t *)gp(DATA) == 0x5a && vb.dropped == 1,
	      "a completion from before the reset, arriving after the re-probe, is dropped too");
}

/* vmem.h's copies: every alignment and length, exactly the bytes asked for */
static void copies(void)
{
	static uint8_t a[128], b[128], ref[128];
	unsigned bad = 0;

	for (unsigned so = 0; so < 16; so++)
		for (unsigned d = 0; d < 16; d++)
			for (unsigned n = 0; n < 48; n++) {
				for (unsigned i = 0; i < sizeof a; i++)
					a[i] = (uint8_t)(i * 13 + so), b[i] = ref[i] = 0x5a;
				memcpy(ref + d, a + so, n);
				pv_vmem_read(b + d, a + so, n);
				bad += memcmp(b, ref, sizeof b) != 0;
				memset(b, 0x5a, sizeof b);
				pv_vmem_write(b + d, a + so, n);
				bad += memcmp(b, ref, sizeof b) != 0;
			}
	check(bad == 0, "guest-memory copies (vmem.h) at every alignment pair and length 0..47: the bytes, nothing around them");
}

int main(void)
{
	if (play_blk_frontend_memory(&sring, &bounce, gref, GREF0))
		return 2;

	copies();
	probing();
	requests();
	broken_chain("a buffer running past the end of RAM", outside_ram);
	broken_chain("a buffer in the runtime's hole", in_hole);
	broken_chain("a buffer running into the runtime's second hole", in_hole2);
	broken_chain("a buffer address that wraps", wraps);
	broken_chain("an empty buffer", empty_buf);
	broken_chain("next out of range", next_out_of_range);
	broken_chain("a loop", loop);
	broken_chain("avail->idx num + 1 ahead", idx_jump);
	broken_chain("a head out of range", head_out_of_range);
	broken_chain("INDIRECT (never offered)", indirect);
	broken_chain("a readable buffer after a writable one", read_after_write);
	broken_chain("a chain of 18 descriptors", too_long);
	broken_chain("no writable status byte", status_not_writable);
	broken_chain("rings placed past the end of RAM", rings_outside_ram);
	bad_request("a header of 8 bytes", short_header, 0);
	bad_request("a read of 12 pages (over seg_max x size_max)", too_big, 0);
	bad_request("a read past the disk's end", past_end, 0);
	bad_request("a sector number that overflows", huge_sector, 0);
	bad_request("a read of 700 bytes (partial sector)", partial, 0);
	bad_request("a read without data", no_data, 0);
	bad_request("a read with readable data", read_with_readable, 0);
	bad_request("a write to a read-only disk", write_ro, 1);
	backend();
	return check_summary();
}
