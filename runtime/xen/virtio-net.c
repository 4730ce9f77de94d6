/* SPDX-License-Identifier: MIT */
/*
 * The virtio-net device over netfront (virtio-net.h says what is offered,
 * what is checked and why).  Nothing is in flight across calls: a TX
 * frame is copied into netfront before its chain is used, an RX chain is
 * popped only when a frame goes into it at once, so a reset has nothing
 * to drop.
 */
#include "xen/virtio-net.h"

static void zero(void *p, unsigned long n)
{
	volatile uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

void pv_vnet_init(struct pv_vnet *d, struct pv_netfront *nf, const struct pv_vmem *mem, const uint8_t mac[6])
{
	uint64_t f = 1ull << PV_VNET_F_MAC;

	zero(d, sizeof *d);
	/* the offloads only with a backend that takes what they produce: big frames in slots, GSO */
	if ((nf->feat & PV_NET_FEAT_SG) && (nf->feat & PV_NET_FEAT_GSO_TCPV4)) {
		f |= 1ull << PV_VNET_F_CSUM | 1ull << PV_VNET_F_HOST_TSO4;
		if (nf->feat & PV_NET_FEAT_GSO_TCPV6)
			f |= 1ull << PV_VNET_F_HOST_TSO6;
	}
	pv_vmmio_init(&d->mmio, PV_VNET_DEVICE_ID, 2, f);
	d->mem = *mem;
	d->nf = nf;
	for (unsigned i = 0; i < 6; i++)          /* struct virtio_net_config: mac @0 */
		d->mmio.config[i] = mac[i];
}

uint32_t pv_vnet_read(struct pv_vnet *d, uint32_t off, unsigned width)
{
	return pv_vmmio_read(&d->mmio, off, width);
}

/* the chain's buffers from byte `skip` of its readable (write 0) or writable part, as pieces */
static unsigned pieces(struct pv_vnet *d, int write, uint32_t skip)
{
	const struct pv_vq_chain *c = &d->stage;
	unsigned np = 0, s = write ? c->nread : 0, end = write ? c->n : c->nread;

	for (; s < end; s++) {
		uint32_t len = c->seg[s].len;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		d->piece[np].p = pv_vmem_ptr(&d->mem, c->seg[s].gpa + skip, len - skip);
		d->piece[np].len = len - skip;
		np++;
		skip = 0;
	}
	return np;
}

/* used entry; *irq when the driver wants to hear of it */
static void used(struct pv_vnet *d, unsigned qi, uint32_t len, int *irq)
{
	*irq |= pv_vq_push(&d->mmio.q[qi], &d->mem, d->stage.head, len);
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static int negotiated(const struct pv_vnet *d, unsigned bit)
{
	return (d->mmio.driver_features >> bit) & 1;
}

/*
 * What a TX header (read once, into hdr) asks, as netfront's request: 0,
 * or -1 when it asks for something not negotiated or impossible for a
 * frame of len bytes.
 */
static int tx_offload(const struct pv_vnet *d, const uint8_t *hdr, uint32_t len, struct pv_net_tx_offload *o)
{
	/* struct virtio_net_hdr_v1: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset, num_buffers */
	uint8_t flags = hdr[0], gso = hdr[1];
	uint16_t gso_size = le16(hdr + 4), start = le16(hdr + 6), offset = le16(hdr + 8);

	zero(o, sizeof *o);
	if (flags & ~PV_VNET_HDR_F_NEEDS_CSUM)
		return -1;
	if (flags) {
		if (!negotiated(d, PV_VNET_F_CSUM) || start >= len || (uint32_t)start + offset + 2 > len)
			return -1;
		o->csum = PV_NET_CSUM_FILL;
		o->csum_start = start;
		o->csum_offset = offset;
	}
	switch (gso) {
	case PV_VNET_GSO_NONE:
		return 0;
	case PV_VNET_GSO_TCPV4:
		if (!negotiated(d, PV_VNET_F_HOST_TSO4))
			return -1;
		o->gso_type = XEN_NETIF_GSO_TYPE_TCPV4;
		break;
	case PV_VNET_GSO_TCPV6:
		if (!negotiated(d, PV_VNET_F_HOST_TSO6))
			return -1;
		o->gso_type = XEN_NETIF_GSO_TYPE_TCPV6;
		break;
	default:                        /* UDP, ECN, anything else: never offered */
		return -1;
	}
	if (!flags || !gso_size)
		return -1;
	o->csum = PV_NET_CSUM_BLANK;    /* netback finds the TCP header and completes it per segment */
	o->gso_size = gso_size;
	return 0;
}

/* Send waiting TX chains while netfront has room: -1 when the queue broke. */
static int transmit(struct pv_vnet *d, int *kick, int *irq)
{
	struct pv_vq *q = &d->mmio.q[PV_VNET_TXQ];
	uint32_t max = (d->nf->feat & PV_NET_FEAT_SG) ? PV_NET_MAX_FRAME : PV_NET_PAGE;
	int r;

	for (;;) {
		struct pv_vq_chain *c = &d->stage;
		struct pv_net_tx_offload off;
		uint8_t hdr[PV_VNET_HDR];
		uint32_t len;
		int notify = 0;
		long sent;

		if (!pv_netfront_tx_room(d->nf) && !d->nf->broken)
			return 0;                       /* the rest waits for netback's TX responses */
		r = pv_vq_pop(q, &d->mem, c);
		if (r <= 0)
			return r;
		len = c->rlen - PV_VNET_HDR;
		/* the header read once; it may ask only for what was negotiated */
		if (c->wlen || c->rlen < PV_VNET_HDR + PV_NET_MIN || len > max ||
		    pv_vq_read(&d->mem, c, 0, hdr, PV_VNET_HDR) != PV_VNET_HDR || tx_offload(d, hdr, len, &off)) {
			d->tx_bad++;
			used(d, PV_VNET_TXQ, 0, irq);
			continue;
		}
		sent = pv_netfront_send_frame(d->nf, d->piece, pieces(d, 0, PV_VNET_HDR), len, &off, &notify);
		if (sent == -PV_NET_E_BUSY) {
			pv_vq_unpop(q);
			return 0;
		}
		if (sent >= 0) {
			d->tx_frames++;
			d->tx_gso += off.gso_type != 0;
			d->tx_csum += off.csum == PV_NET_CSUM_FILL;
			*kick |= notify ? PV_VNET_KICK_TX : 0;
		} else if (sent == -PV_NET_E_ARG) {
			d->tx_bad++;                    /* e.g. a GSO frame netback would not take */
		} else {
			d->tx_dropped++;                /* netif broken */
		}
		used(d, PV_VNET_TXQ, 0, irq);
	}
}

/* Move waiting frames into posted RX chains: -1 when the queue broke. */
static int receive(struct pv_vnet *d, int *kick, int *irq)
{
	struct pv_vq *q = &d->mmio.q[PV_VNET_RXQ];
	static const uint8_t hdr[PV_VNET_HDR] = { [10] = 1 };   /* zeroed, num_buffers 1 (le16) */
	int r;

	for (;;) {
		struct pv_vq_chain *c = &d->stage;
		uint16_t flags;
		int notify = 0;
		long got;

		r = pv_vq_pop(q, &d->mem, c);
		if (r <= 0)
			return r;
		if (c->nread || c->wlen < PV_VNET_HDR + PV_NET_MIN) {
			d->rx_bad++;
			used(d, PV_VNET_RXQ, 0, irq);
			continue;
		}
		got = pv_netfront_recv_scatter(d->nf, d->piece, pieces(d, 1, PV_VNET_HDR), &flags, &notify);
		*kick |= notify ? PV_VNET_KICK_RX : 0;
		if (got <= 0) {
			pv_vq_unpop(q);                 /* nothing waiting (or netif broken): the chain stays posted */
			return 0;
		}
		pv_vq_write(&d->mem, c, 0, hdr, PV_VNET_HDR);
		d->rx_frames++;
		used(d, PV_VNET_RXQ, PV_VNET_HDR + (uint32_t)got, irq);
	}
}

void pv_vnet_service(struct pv_vnet *d, int *kick)
{
	int irq = 0, bad;

	*kick = 0;
	pv_netfront_tx_reap(d->nf);
	if (!pv_vmmio_live(&d->mmio))
		return;
	bad = transmit(d, kick, &irq) < 0;
	bad |= receive(d, kick, &irq) < 0;
	if (irq)
		pv_vmmio_used(&d->mmio);
	if (bad)
		pv_vmmio_needs_reset(&d->mmio);
}

void pv_vnet_write(struct pv_vnet *d, uint32_t off, unsigned width, uint32_t val, int *kick)
{
	uint32_t r = pv_vmmio_write(&d->mmio, &d->mem, off, width, val);

	*kick = 0;
	if (PV_VMMIO_ACT(r) == PV_VMMIO_NOTIFY || PV_VMMIO_ACT(r) == PV_VMMIO_DRIVER_OK)
		pv_vnet_service(d, kick);
}
