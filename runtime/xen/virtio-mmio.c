/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio v2 register file (virtio-mmio.h says what it refuses
 * and why).  The sequences it must answer are those of Linux 6.1's
 * drivers/virtio/virtio_mmio.c and virtio.c: probe (magic, version,
 * device and vendor id), reset (status 0), ACKNOWLEDGE, DRIVER, the
 * 64-bit feature words through the two selectors (high word first),
 * FEATURES_OK and its read-back, per queue QueueSel, QueueReady (must
 * read 0), QueueNumMax, QueueNum, the three addresses low then high,
 * QueueReady 1, then DRIVER_OK; config reads at the fields' widths (a
 * 64-bit field as two 32-bit reads between two ConfigGeneration reads).
 */
#include "xen/virtio-mmio.h"

static void zero(void *p, unsigned long n)
{
	volatile uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

/* status 0: everything the driver set is forgotten; the device's own settings stay */
static void reset(struct pv_vmmio *t)
{
	t->driver_features = 0;
	t->dev_sel = t->drv_sel = t->queue_sel = 0;
	t->status = 0;
	t->isr = 0;
	for (unsigned i = 0; i < PV_VMMIO_QUEUES; i++)
		pv_vq_reset(&t->q[i]);
}

void pv_vmmio_init(struct pv_vmmio *t, uint32_t device_id, unsigned nqueues, uint64_t features)
{
	zero(t, sizeof *t);
	t->device_id = device_id;
	t->nqueues = (uint16_t)(nqueues <= PV_VMMIO_QUEUES ? nqueues : PV_VMMIO_QUEUES);
	t->device_features = features | 1ull << PV_VIRTIO_F_VERSION_1;
	reset(t);
}

void pv_vmmio_needs_reset(struct pv_vmmio *t)
{
	if (t->status & PV_VIRTIO_S_NEEDS_RESET)
		return;
	t->status |= PV_VIRTIO_S_NEEDS_RESET;
	t->isr |= PV_VMMIO_INT_CONFIG;
	t->broken++;
}

void pv_vmmio_config_changed(struct pv_vmmio *t)
{
	t->config_gen++;
	if (t->status & PV_VIRTIO_S_DRIVER_OK)
		t->isr |= PV_VMMIO_INT_CONFIG;
}

/* the selected queue, if it exists */
static struct pv_vq *selected(struct pv_vmmio *t)
{
	return t->queue_sel < t->nqueues ? &t->q[t->queue_sel] : 0;
}

static uint32_t config_read(struct pv_vmmio *t, uint32_t off, unsigned width)
{
	uint32_t at = off - PV_VMMIO_CONFIG_SPACE, v = 0;

	if ((width != 1 && width != 2 && width != 4) || (off & (width - 1)) || at >= PV_VMMIO_CONFIG ||
	    width > PV_VMMIO_CONFIG - at) {
		t->refused++;
		return 0;
	}
	for (unsigned i = width; i--;)
		v = v << 8 | t->config[at + i];  /* little-endian, as virtio 1.x config space is */
	return v;
}

uint32_t pv_vmmio_read(struct pv_vmmio *t, uint32_t off, unsigned width)
{
	struct pv_vq *q;

	if (off >= PV_VMMIO_CONFIG_SPACE)
		return config_read(t, off, width);
	if (width != 4 || (off & 3)) {
		t->refused++;
		return 0;
	}
	switch (off) {
	case PV_VMMIO_MAGIC_VALUE:
		return PV_VMMIO_MAGIC;
	case PV_VMMIO_VERSION:
		return 2;
	case PV_VMMIO_DEVICE_ID:
		return t->device_id;
	case PV_VMMIO_VENDOR_ID:
		return PV_VMMIO_VENDOR;
	case PV_VMMIO_DEVICE_FEATURES:
		return t->dev_sel == 0 ? (uint32_t)t->device_features :
		       t->dev_sel == 1 ? (uint32_t)(t->device_features >> 32) : 0;
	case PV_VMMIO_QUEUE_NUM_MAX:
		return selected(t) ? PV_VQ_NUM_MAX : 0;
	case PV_VMMIO_QUEUE_READY:
		q = selected(t);
		return q ? q->ready : 0;
	case PV_VMMIO_INTERRUPT_STATUS:
		return t->isr;
	case PV_VMMIO_STATUS:
		return t->status;
	case PV_VMMIO_SHM_LEN_LOW:
	case PV_VMMIO_SHM_LEN_HIGH:
		return 0xffffffffu;             /* length ~0: no shared memory region */
	case PV_VMMIO_CONFIG_GENERATION:
		return t->config_gen;
	default:
		t->refused++;                   /* write-only or unknown */
		return 0;
	}
}

/* a status write: only ever adds bits; FEATURES_OK and DRIVER_OK have conditions */
static uint32_t status_write(struct pv_vmmio *t, uint32_t val)
{
	uint8_t cur = t->status, want = (uint8_t)(val & ~PV_VIRTIO_S_NEEDS_RESET);
	uint64_t ver1 = 1ull << PV_VIRTIO_F_VERSION_1;

	if (val == 0) {
		reset(t);
		return PV_VMMIO_RESET;
	}
	if (val > 0xff || (cur & ~PV_VIRTIO_S_NEEDS_RESET & ~want)) {
		t->refused++;                   /* clearing bits is a reset's job */
		return PV_VMMIO_NONE;
	}
	if ((want & PV_VIRTIO_S_FEATURES_OK) && !(cur & PV_VIRTIO_S_FEATURES_OK) &&
	    (!(t->driver_features & ver1) || (t->driver_features & ~t->device_features))) {
		want &= (uint8_t)~PV_VIRTIO_S_FEATURES_OK;   /* refused: the driver sees it missing */
		want &= (uint8_t)~PV_VIRTIO_S_DRIVER_OK;
		t->refused++;
	}
	if ((want & PV_VIRTIO_S_DRIVER_OK) && !(want & PV_VIRTIO_S_FEATURES_OK)) {
		want &= (uint8_t)~PV_VIRTIO_S_DRIVER_OK;
		t->refused++;
	}
	t->status = want | (cur & PV_VIRTIO_S_NEEDS_RESET);
	if ((want & PV_VIRTIO_S_DRIVER_OK) && !(cur & PV_VIRTIO_S_DRIVER_OK))
		return PV_VMMIO_DRIVER_OK;
	return PV_VMMIO_NONE;
}

static void set_half(uint64_t *r, int high, uint32_t val)
{
	*r = high ? (*r & 0xffffffffull) | (uint64_t)val << 32 : (*r & ~0xffffffffull) | val;
}

uint32_t pv_vmmio_write(struct pv_vmmio *t, const struct pv_vmem *m, uint32_t off, unsigned width, uint32_t val)
{
	struct pv_vq *q;

	if (off >= PV_VMMIO_CONFIG_SPACE || width != 4 || (off & 3)) {
		t->refused++;                   /* config writes too: nothing writable is offered */
		return PV_VMMIO_NONE;
	}
	switch (off) {
	case PV_VMMIO_DEVICE_FEATURES_SEL:
		t->dev_sel = val;
		return PV_VMMIO_NONE;
	case PV_VMMIO_DRIVER_FEATURES_SEL:
		t->drv_sel = val;
		return PV_VMMIO_NONE;
	case PV_VMMIO_DRIVER_FEATURES:
		if (t->drv_sel > 1 || (t->status & PV_VIRTIO_S_FEATURES_OK)) {
			t->refused++;
			return PV_VMMIO_NONE;
		}
		set_half(&t->driver_features, t->drv_sel == 1, val);
		return PV_VMMIO_NONE;
	case PV_VMMIO_QUEUE_SEL:
		t->queue_sel = val;
		return PV_VMMIO_NONE;
	case PV_VMMIO_QUEUE_NOTIFY:
		if (val >= t->nqueues || !pv_vmmio_live(t))
			return PV_VMMIO_NONE;   /* before DRIVER_OK: DRIVER_OK's action covers it */
		return PV_VMMIO_NOTIFY | val << 8;
	case PV_VMMIO_INTERRUPT_ACK:
		t->isr &= ~val;
		return PV_VMMIO_NONE;
	case PV_VMMIO_STATUS:
		return status_write(t, val);
	case PV_VMMIO_SHM_SEL:
		return PV_VMMIO_NONE;
	}
	q = selected(t);
	if (!q) {
		t->refused++;
		return PV_VMMIO_NONE;
	}
	if (off == PV_VMMIO_QUEUE_READY) {
		if (val == 1 && !q->ready) {
			q->ready = 1;
			if (pv_vq_enable(q, m))
				pv_vmmio_needs_reset(t);
		} else if (val == 0 && q->ready) {
			q->ready = 0;
			q->gen++;               /* what is in flight on it is dropped */
		}
		return PV_VMMIO_NONE;
	}
	if (q->ready) {
		t->refused++;                   /* a live queue's registers are fixed */
		return PV_VMMIO_NONE;
	}
	switch (off) {
	case PV_VMMIO_QUEUE_NUM:
		q->num = (uint16_t)(val <= PV_VQ_NUM_MAX ? val : 0);   /* 0: refused at QueueReady */
		return PV_VMMIO_NONE;
	case PV_VMMIO_QUEUE_DESC_LOW:
	case PV_VMMIO_QUEUE_DESC_HIGH:
		set_half(&q->desc, off == PV_VMMIO_QUEUE_DESC_HIGH, val);
		return PV_VMMIO_NONE;
	case PV_VMMIO_QUEUE_DRIVER_LOW:
	case PV_VMMIO_QUEUE_DRIVER_HIGH:
		set_half(&q->avail, off == PV_VMMIO_QUEUE_DRIVER_HIGH, val);
		return PV_VMMIO_NONE;
	case PV_VMMIO_QUEUE_DEVICE_LOW:
	case PV_VMMIO_QUEUE_DEVICE_HIGH:
		set_half(&q->used, off == PV_VMMIO_QUEUE_DEVICE_HIGH, val);
		return PV_VMMIO_NONE;
	default:
		t->refused++;
		return PV_VMMIO_NONE;
	}
}
