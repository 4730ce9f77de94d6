/* SPDX-License-Identifier: MIT */
/*
 * The netif frontend core (netfront.h says what it checks and why).
 *
 * Ids: a TX request's id is its TX buffer's index, an RX request's id its
 * RX buffer's; an RX buffer is reposted with the same id as soon as its
 * frame is copied out, so rx_prod_pvt - rx_cons is always the number of
 * buffers netback holds.
 */
#include "xen/netfront.h"
#include "xen/vmem.h"

static void zero(void *p, size_t n)
{
	volatile uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

/* publish our producer index; whether netback asked to be told (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY) */
static int push(volatile RING_IDX *prod, const volatile RING_IDX *event, RING_IDX old, RING_IDX now)
{
	RING_IDX ev;

	wmb();
	*prod = now;
	mb();
	ev = *event;
	return (RING_IDX)(now - ev) < (RING_IDX)(now - old);
}

static int post_rx(struct pv_netfront *nf, unsigned id)
{
	struct netif_rx_request *q = &nf->rx->ring[nf->rx_prod_pvt & (PV_NET_RING - 1)].req;
	RING_IDX old = nf->rx_prod_pvt;

	q->id = (uint16_t)id;
	q->pad = 0;
	q->gref = nf->rx_gref[id];
	nf->rx_posted[id] = 1;
	nf->rx_prod_pvt++;
	return push(&nf->rx->req_prod, &nf->rx->req_event, old, nf->rx_prod_pvt);
}

int pv_netfront_init(struct pv_netfront *nf, void *tx_page, void *rx_page, uint8_t *txbuf,
		     const grant_ref_t *tx_gref, uint8_t *rxbuf, const grant_ref_t *rx_gref, int *notify)
{
	zero(nf, sizeof *nf);
	*notify = 0;
	if (!tx_page || !rx_page || !txbuf || !tx_gref || !rxbuf || !rx_gref)
		return -PV_NET_E_ARG;
	zero(tx_page, PV_NET_PAGE);
	zero(rx_page, PV_NET_PAGE);
	nf->tx = tx_page;
	nf->rx = rx_page;
	nf->tx->req_event = nf->tx->rsp_event = 1;
	nf->rx->req_event = nf->rx->rsp_event = 1;
	if (__RING_SIZE(nf->tx, PV_NET_PAGE) != PV_NET_RING || __RING_SIZE(nf->rx, PV_NET_PAGE) != PV_NET_RING)
		return -PV_NET_E_ARG;
	nf->txbuf = txbuf;
	nf->rxbuf = rxbuf;
	nf->tx_gref = tx_gref;
	nf->rx_gref = rx_gref;
	for (unsigned i = 0; i < PV_NET_RXBUF; i++)
		*notify |= post_rx(nf, i);
	return 0;
}

/* the pieces hold exactly `len` bytes, none of them empty or missing (overflow-safe) */
static int pieces_fit(const struct pv_net_piece *src, unsigned n, uint32_t len)
{
	for (unsigned i = 0; i < n; i++) {
		if (!src[i].p || !src[i].len || src[i].len > len)
			return 0;
		len -= src[i].len;
	}
	return len == 0;
}

long pv_netfront_send(struct pv_netfront *nf, const void *frame, uint32_t len, int *notify)
{
	struct pv_net_piece one = { (volatile void *)(uintptr_t)frame, len };

	return pv_netfront_send_gather(nf, &one, 1, len, notify);
}

long pv_netfront_send_gather(struct pv_netfront *nf, const struct pv_net_piece *src, unsigned n, uint32_t len,
			     int *notify)
{
	return pv_netfront_send_frame(nf, src, n, len, 0, notify);
}

/* the request a frame's offload asks for is one this backend takes, and fits the frame */
static int offload_ok(const struct pv_netfront *nf, const struct pv_net_tx_offload *o, uint32_t len)
{
	switch (o->csum) {
	case PV_NET_CSUM_NONE:
		break;
	case PV_NET_CSUM_FILL:
		if (o->gso_type || o->csum_start >= len || (uint32_t)o->csum_start + o->csum_offset + 2 > len)
			return 0;
		break;
	case PV_NET_CSUM_BLANK:         /* netback finds the TCP/UDP header itself */
		if (!o->gso_type)
			return 0;
		break;
	default:
		return 0;
	}
	if (!o->gso_type)
		return 1;
	if (o->csum != PV_NET_CSUM_BLANK || !o->gso_size)
		return 0;
	return (o->gso_type == XEN_NETIF_GSO_TYPE_TCPV4 && (nf->feat & PV_NET_FEAT_GSO_TCPV4)) ||
	       (o->gso_type == XEN_NETIF_GSO_TYPE_TCPV6 && (nf->feat & PV_NET_FEAT_GSO_TCPV6));
}

/*
 * The Internet checksum (RFC 1071) of the copy's bytes [start, len), whose
 * field at start + offset holds the seed (virtio's partial checksum),
 * stored there; the copy lies in page[0], page[1], ... in slot order.
 */
static void fill_csum(uint8_t *const *page, uint32_t len, uint32_t start, uint32_t offset)
{
	uint64_t sum = 0;
	uint32_t at = start + offset;
	uint16_t c;

	for (uint32_t i = start; i < len; i++)
		sum += (uint32_t)page[i / PV_NET_PAGE][i % PV_NET_PAGE] << (((i - start) & 1) ? 0 : 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	if (!c)
		c = 0xffff;             /* as Linux's skb_checksum_help: 0 means "none" to UDP */
	page[at / PV_NET_PAGE][at % PV_NET_PAGE] = (uint8_t)(c >> 8);
	at++;
	page[at / PV_NET_PAGE][at % PV_NET_PAGE] = (uint8_t)c;
}

long pv_netfront_send_frame(struct pv_netfront *nf, const struct pv_net_piece *src, unsigned n, uint32_t len,
			    const struct pv_net_tx_offload *off, int *notify)
{
	static const struct pv_net_tx_offload none;
	unsigned id[PV_NET_MAX_SLOTS], slots, extra, k = 0;
	uint8_t *page[PV_NET_MAX_SLOTS];
	RING_IDX old = nf->tx_prod_pvt;
	uint32_t at = 0;

	*notify = 0;
	if (!off)
		off = &none;
	if (nf->broken)
		return -PV_NET_E_RING;
	if (!src || len < PV_NET_MIN || len > ((nf->feat & PV_NET_FEAT_SG) ? PV_NET_MAX_FRAME : PV_NET_PAGE) ||
	    !pieces_fit(src, n, len) || !offload_ok(nf, off, len))
		return -PV_NET_E_ARG;
	slots = (len + PV_NET_PAGE - 1) / PV_NET_PAGE;
	extra = off->gso_type ? 1 : 0;
	if (nf->tx_prod_pvt - nf->tx_cons + slots + extra > PV_NET_RING || nf->tx_inflight + slots > PV_NET_TXBUF)
		return -PV_NET_E_BUSY;
	for (unsigned b = 0; b < PV_NET_TXBUF && k < slots; b++)
		if (!nf->tx_busy[b]) {
			id[k] = b;
			page[k++] = nf->txbuf + (size_t)b * PV_NET_PAGE;
		}
	if (k < slots)
		return -PV_NET_E_BUSY;
	/* one read of each source byte, into consecutive pages */
	for (unsigned i = 0; i < n; i++) {
		const volatile uint8_t *p = src[i].p;
		uint32_t left = src[i].len;

		while (left) {
			uint32_t room = PV_NET_PAGE - at % PV_NET_PAGE, here = left < room ? left : room;

			pv_vmem_read(page[at / PV_NET_PAGE] + at % PV_NET_PAGE, p, here);
			p += here;
			at += here;
			left -= here;
		}
	}
	if (off->csum == PV_NET_CSUM_FILL)
		fill_csum(page, len, off->csum_start, off->csum_offset);
	for (unsigned i = 0; i < slots; i++) {
		struct netif_tx_request *q = &nf->tx->ring[nf->tx_prod_pvt++ & (PV_NET_RING - 1)].req;
		uint16_t fl = i + 1 < slots ? NETTXF_more_data : 0;

		if (i == 0) {
			fl |= extra ? NETTXF_extra_info : 0;
			fl |= off->csum == PV_NET_CSUM_BLANK ? NETTXF_csum_blank | NETTXF_data_validated : 0;
		}
		q->gref = nf->tx_gref[id[i]];
		q->offset = 0;
		q->flags = fl;
		q->id = (uint16_t)id[i];
		/* the first slot's size is the frame's, every other slot's its own bytes */
		q->size = (uint16_t)(i == 0 ? len : (i + 1 < slots ? PV_NET_PAGE : len - i * PV_NET_PAGE));
		nf->tx_busy[id[i]] = 1;
		nf->tx_head[id[i]] = i == 0 ? (uint8_t)(1 + extra) : 0;
		if (i == 0 && extra) {
			struct netif_extra_info *x =
				(struct netif_extra_info *)&nf->tx->ring[nf->tx_prod_pvt++ & (PV_NET_RING - 1)].req;

			zero(x, sizeof *x);
			x->type = XEN_NETIF_EXTRA_TYPE_GSO;
			x->flags = 0;
			x->u.gso.size = off->gso_size;
			x->u.gso.type = off->gso_type;
		}
	}
	nf->tx_inflight += slots;
	nf->tx_gso += extra;
	*notify = push(&nf->tx->req_prod, &nf->tx->req_event, old, nf->tx_prod_pvt);
	return id[0];
}

static long broken(struct pv_netfront *nf)
{
	nf->broken = PV_NET_E_RING;
	return -PV_NET_E_RING;
}

long pv_netfront_tx_reap(struct pv_netfront *nf)
{
	long n = 0;

	if (nf->broken)
		return -PV_NET_E_RING;
	for (;;) {
		RING_IDX prod = __atomic_load_n(&nf->tx->rsp_prod, __ATOMIC_ACQUIRE);
		volatile struct netif_tx_response *rp;
		uint16_t id;
		int16_t status;

		if (prod - nf->tx_cons > nf->tx_prod_pvt - nf->tx_cons) {
			broken(nf);
			return n;
		}
		if (prod == nf->tx_cons) {
			__atomic_store_n(&nf->tx->rsp_event, nf->tx_cons + 1, __ATOMIC_RELAXED);
			mb();
			if (__atomic_load_n(&nf->tx->rsp_prod, __ATOMIC_ACQUIRE) == nf->tx_cons)
				return n;
			continue;
		}
		rp = &nf->tx->ring[nf->tx_cons & (PV_NET_RING - 1)].rsp;
		id = rp->id;
		status = rp->status;
		nf->tx_cons++;
		if (nf->tx_expect_null || status == NETIF_RSP_NULL) {
			/* an extra slot's answer comes right after its frame's first slot's, and only then */
			if (!nf->tx_expect_null || status != NETIF_RSP_NULL) {
				broken(nf);
				return n;
			}
			nf->tx_expect_null = 0;
			continue;
		}
		if (id >= PV_NET_TXBUF || !nf->tx_busy[id] ||
		    (status != NETIF_RSP_OKAY && status != NETIF_RSP_ERROR && status != NETIF_RSP_DROPPED)) {
			broken(nf);
			return n;
		}
		nf->tx_busy[id] = 0;
		nf->tx_inflight--;
		nf->tx_slots++;
		if (nf->tx_head[id]) {          /* a frame's fate is its first slot's status */
			nf->tx_expect_null = nf->tx_head[id] == 2;
			nf->tx_head[id] = 0;
			if (status == NETIF_RSP_OKAY)
				nf->tx_frames++;
			else
				nf->tx_errors++;
		}
		n++;
	}
}

long pv_netfront_recv(struct pv_netfront *nf, void *buf, size_t cap, uint16_t *flags, int *notify)
{
	struct pv_net_piece one = { buf, cap > PV_NET_PAGE ? PV_NET_PAGE : (uint32_t)cap };

	return pv_netfront_recv_scatter(nf, &one, buf ? 1 : 0, flags, notify);
}

long pv_netfront_recv_scatter(struct pv_netfront *nf, const struct pv_net_piece *dst, unsigned n, uint16_t *flags,
			      int *notify)
{
	uint32_t cap = 0;

	/* the capacity, saturating at a page: no frame is longer */
	for (unsigned i = 0; i < n; i++)
		if (dst[i].p)
			cap = dst[i].len < PV_NET_PAGE - cap ? cap + dst[i].len : PV_NET_PAGE;
	*notify = 0;
	*flags = 0;
	for (;;) {
		RING_IDX prod;
		volatile struct netif_rx_response *rp;
		uint16_t id, off, fl;
		int16_t status;

		if (nf->broken)
			return -PV_NET_E_RING;
		prod = __atomic_load_n(&nf->rx->rsp_prod, __ATOMIC_ACQUIRE);
		if (prod - nf->rx_cons > nf->rx_prod_pvt - nf->rx_cons)
			return broken(nf);
		if (prod == nf->rx_cons) {
			__atomic_store_n(&nf->rx->rsp_event, nf->rx_cons + 1, __ATOMIC_RELAXED);
			mb();
			if (__atomic_load_n(&nf->rx->rsp_prod, __ATOMIC_ACQUIRE) == nf->rx_cons)
				return 0;
			continue;
		}
		rp = &nf->rx->ring[nf->rx_cons & (PV_NET_RING - 1)].rsp;
		id = rp->id;
		off = rp->offset;
		fl = rp->flags;
		status = rp->status;
		nf->rx_cons++;
		if (id >= PV_NET_RXBUF || !nf->rx_posted[id] ||
		    (fl & (NETRXF_more_data | NETRXF_extra_info | NETRXF_gso_prefix)) ||
		    (status > 0 && ((uint32_t)off + (uint32_t)status > PV_NET_PAGE)))
			return broken(nf);
		nf->rx_posted[id] = 0;
		if (status <= 0) {                      /* netback's error for this buffer: repost it */
			nf->rx_errors++;
			*notify |= post_rx(nf, id);
			continue;
		}
		if ((uint32_t)status > cap || (uint32_t)status < PV_NET_MIN) {
			nf->rx_toolong += (uint32_t)status > cap;
			nf->rx_errors += (uint32_t)status < PV_NET_MIN;
			*notify |= post_rx(nf, id);
			continue;
		}
		{
			const uint8_t *src = nf->rxbuf + (size_t)id * PV_NET_PAGE + off;
			uint32_t left = (uint32_t)status;

			for (unsigned i = 0; i < n && left; i++) {
				uint32_t here = dst[i].len < left ? dst[i].len : left;

				if (!dst[i].p)
					continue;
				pv_vmem_write(dst[i].p, src, here);
				src += here;
				left -= here;
			}
		}
		*flags = fl;
		nf->rx_frames++;
		*notify |= post_rx(nf, id);
		return status;
	}
}
