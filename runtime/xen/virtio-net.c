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
	zero(d, sizeof *d);
	pv_vmmio_init(&d->mmio, PV_VNET_DEVICE_ID, 2, 1ull << PV_VNET_F_MAC);
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

/* Send waiting TX chains while netfront has room: -1 when the queue broke. */
static int transmit(struct pv_vnet *d, int *kick, int *irq)
{
	struct pv_vq *q = &d->mmio.q[PV_VNET_TXQ];
	int r;

	for (;;) {
		struct pv_vq_chain *c = &d->stage;
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
		/* the header read once; it may ask for nothing, as nothing was offered */
		if (c->wlen || c->rlen < PV_VNET_HDR + PV_NET_MIN || len > PV_NET_PAGE ||
		    pv_vq_read(&d->mem, c, 0, hdr, PV_VNET_HDR) != PV_VNET_HDR || hdr[0] || hdr[1]) {
			d->tx_bad++;
			used(d, PV_VNET_TXQ, 0, irq);
			continue;
		}
		sent = pv_netfront_send_gather(d->nf, d->piece, pieces(d, 0, PV_VNET_HDR), len, &notify);
		if (sent == -PV_NET_E_BUSY) {
			pv_vq_unpop(q);
			return 0;
		}
		if (sent >= 0) {
			d->tx_frames++;
			*kick |= notify ? PV_VNET_KICK_TX : 0;
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
