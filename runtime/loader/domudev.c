/* SPDX-License-Identifier: MIT */
/*
 * A Xen PVH domU's disk and NIC, the loader's half (domudev.h).
 *
 * Why the handshakes happen here and not in the kernel: the frontend's
 * side of xenbus is a sequence of XenStore reads and writes with waits for
 * the backend between them (docs/misc/xenstore.txt, io/blkif.h and
 * io/netif.h: "state" goes Initialising -> InitWait on the backend,
 * Initialised/Connected on ours).  Before the kernel runs, the loader owns
 * the CPU and can wait by yielding to dom0; inside the kernel the blob
 * would have to do the same from inside a driver's register access.  So
 * the loader connects both devices, and the blob starts from rings that
 * are already connected.
 *
 * Every grant and ring lives in the runtime area (xen/domu-devs.h), which
 * the kernel gets as a setup_data node, i.e. reserved RAM in its direct
 * map.  What XenStore says is the peer's word and is checked: numbers must
 * parse, states are waited for with a bound, a backend that closes fails
 * the set-up.
 */
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/hvm/params.h>
#include <xen/io/protocols.h>
#include <xen/io/xenbus.h>

#include "loader/console.h"
#include "loader/domudev.h"
#include "patch/patch.h"
#include "xen/domu-devs.h"
#include "xen/gnttab.h"
#include "xen/hypercall.h"
#include "xen/xen-rt.h"
#include "xen/xenstore.h"

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

#define XS_BUDGET      200000u        /* yields a XenStore request may wait for xenstored */
#define STATE_WAITS    400000u        /* yields the backend gets to reach a state */
/*
 * The 8259 line the virtio devices raise: COM1's (IRQ 4), shared with the
 * 8250 driver (8250.share_irqs=1), so that one callback vector serves
 * every device and the blob never re-registers it (xen/domu-dev.h).
 */
#define VIRTIO_IRQ     PV_COM1_IRQ

/* "a" "b" "c" into buf (cap bytes, NUL-terminated, cut short if need be) */
static const char *path3(char *buf, size_t cap, const char *a, const char *b, const char *c)
{
	size_t n = 0;
	const char *s[3] = { a, b, c };

	for (int i = 0; i < 3; i++)
		for (const char *p = s[i]; p && *p && n + 1 < cap; p++)
			buf[n++] = *p;
	buf[n] = 0;
	return buf;
}

struct ctx {
	uint64_t amd;
	struct pv_xs xs;
	struct pv_xs_hyper env;
	struct pv_gnttab gt;
	struct pv_domu_devs *d;
	const char *why;
};

static int fail(struct ctx *c, const char *why)
{
	c->why = why;
	return -1;
}

/* The first entry of a XenStore directory into name (0), or 1 when it is empty or absent. */
static int first_entry(struct ctx *c, const char *dir, char *name, size_t cap)
{
	char reply[256];
	struct pv_xs_part p = { dir, 0 };
	long n;

	while (dir[p.len])
		p.len++;
	p.len++;                                /* the path's NUL is part of the request */
	n = pv_xs_request(&c->xs, XS_DIRECTORY, 0, &p, 1, reply, sizeof reply - 1);
	if (n == -PV_XS_E_REMOTE)
		return 1;                       /* ENOENT: no such device class */
	if (n < 0)
		return fail(c, "XenStore: directory listing failed");
	if (n == 0)
		return 1;
	reply[n] = 0;
	for (size_t i = 0; i < cap; i++) {
		name[i] = reply[i];
		if (!reply[i])
			return name[0] ? 0 : 1;
	}
	return fail(c, "XenStore: a device name longer than expected");
}

/* Wait until <be>/state is `want`; a backend that closes, or takes too long, fails. */
static int wait_state(struct ctx *c, const char *be, unsigned want)
{
	char path[128];
	uint64_t st = 0;

	path3(path, sizeof path, be, "/state", 0);
	for (unsigned i = 0; i < STATE_WAITS; i++) {
		long rc = pv_xs_read_uint(&c->xs, 0, path, &st);

		if (rc >= 0 && st >= XenbusStateClosing)
			return fail(c, "the backend closed the device during the handshake");
		if (rc >= 0 && st >= want)
			return 0;
		pv_xen_yield(c->amd);
	}
	return fail(c, "the backend did not reach the state the handshake waits for");
}

static int grant(struct ctx *c, uint16_t domid, uint64_t pa, grant_ref_t *ref)
{
	long r = pv_gnttab_grant(&c->gt, domid, pa >> 12, 0);

	if (r < 0)
		return fail(c, "grant table full");
	*ref = (grant_ref_t)r;
	return 0;
}

/* The frontend directory's backend path and id: device/<cls>/<id>/{backend,backend-id}. */
static int find_backend(struct ctx *c, const char *fe, char *be, size_t cap, uint16_t *domid)
{
	char path[96];
	uint64_t id;

	if (pv_xs_read(&c->xs, 0, path3(path, sizeof path, fe, "/backend", 0), be, cap) <= 0)
		return fail(c, "XenStore: the device has no backend path");
	if (pv_xs_read_uint(&c->xs, 0, path3(path, sizeof path, fe, "/backend-id", 0), &id) < 0 || id >= DOMID_FIRST_RESERVED)
		return fail(c, "XenStore: the device's backend-id is not a domain id");
	*domid = (uint16_t)id;
	return 0;
}

static int write_uint(struct ctx *c, const char *fe, const char *key, uint64_t v)
{
	char path[96];

	return pv_xs_write_uint(&c->xs, 0, path3(path, sizeof path, fe, "/", key), v) < 0 ?
		       fail(c, "XenStore: a frontend key could not be written") : 0;
}

static int write_str(struct ctx *c, const char *fe, const char *key, const char *v)
{
	char path[96];

	return pv_xs_write(&c->xs, 0, path3(path, sizeof path, fe, "/", key), v) < 0 ?
		       fail(c, "XenStore: a frontend key could not be written") : 0;
}

static int parse_dec(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

/*
 * What every device starts with: device/<cls>/<id> (fe), its numeric name,
 * its backend's path (be) and domain, a new event channel for it.
 */
static int begin_device(struct ctx *c, const char *cls, const char *id, char *fe, size_t fecap, char *be,
			size_t becap, uint32_t *handle, uint16_t *backend_id, uint32_t *port)
{
	uint64_t v;
	long p;

	path3(fe, fecap, cls, id, 0);
	if (parse_dec(id, &v) || v > UINT32_MAX)
		return fail(c, "XenStore: a device name that is not a number");
	*handle = (uint32_t)v;
	if (find_backend(c, fe, be, becap, backend_id))
		return -1;
	p = pv_xen_evtchn_alloc_unbound(c->amd, *backend_id);
	if (p < 0)
		return fail(c, "EVTCHNOP_alloc_unbound refused");
	*port = (uint32_t)p;
	return 0;
}

/* The disk: blkif, one-page ring, bounce pages granted once (xen/blkfront.h). */
static int connect_vbd(struct ctx *c, const char *id)
{
	struct pv_domu_blk *b = &c->d->blk;
	uint64_t area = c->d->area, v;
	char fe[48], be[96], path[128];

	if (begin_device(c, "device/vbd/", id, fe, sizeof fe, be, sizeof be, &b->handle, &b->backend_id, &b->port))
		return -1;
	{
		blkif_sring_t *s = (void *)(uintptr_t)(area + PV_DOMU_PG_BLKRING * PV_DOMU_PAGE);

		memset(s, 0, PV_DOMU_PAGE);
		SHARED_RING_INIT(s);
	}
	if (grant(c, b->backend_id, area + PV_DOMU_PG_BLKRING * PV_DOMU_PAGE, &b->ring_ref))
		return -1;
	for (unsigned i = 0; i < PV_BLK_SLOTS * PV_BLK_SEGS; i++)
		if (grant(c, b->backend_id, area + (PV_DOMU_PG_BLKBUF + i) * PV_DOMU_PAGE, &b->gref[i]))
			return -1;
	if (wait_state(c, be, XenbusStateInitWait))
		return -1;
	if (write_uint(c, fe, "ring-ref", b->ring_ref) || write_uint(c, fe, "event-channel", b->port) ||
	    write_str(c, fe, "protocol", XEN_IO_PROTO_ABI_NATIVE) ||
	    write_uint(c, fe, "state", XenbusStateInitialised))
		return -1;
	if (wait_state(c, be, XenbusStateConnected))
		return -1;
	if (pv_xs_read_uint(&c->xs, 0, path3(path, sizeof path, be, "/sectors", 0), &b->sectors) < 0 || !b->sectors)
		return fail(c, "XenStore: the vbd backend gave no size (sectors)");
	if (pv_xs_read_uint(&c->xs, 0, path3(path, sizeof path, be, "/sector-size", 0), &v) < 0)
		v = 512;
	if (v < 512 || v > 4096 || (v & (v - 1)))
		return fail(c, "XenStore: the vbd backend's sector-size is not 512..4096, a power of two");
	b->sector_size = (uint32_t)v;
	if (pv_xs_read_uint(&c->xs, 0, path3(path, sizeof path, be, "/info", 0), &v) >= 0 && (v & VDISK_READONLY))
		b->readonly = 1;
	if (write_uint(c, fe, "state", XenbusStateConnected))
		return -1;
	b->present = 1;
	con_printf("previrt-loader: xen: domU: disk %s: blkif connected to domain %u (event channel %u), "
		   "%llu sectors of 512 bytes, sector size %u%s\n", id, b->backend_id, b->port,
		   (unsigned long long)b->sectors, b->sector_size, b->readonly ? ", read-only" : "");
	return 0;
}

static int hexdigit(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
	       ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* "00:16:3e:12:34:56" */
static int parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = hexdigit(s[0]), lo = hi < 0 ? -1 : hexdigit(s[1]);

		if (lo < 0 || (i < 5 ? s[2] != ':' : s[2] != 0))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 3;
	}
	return 0;
}

/*
 * The NIC: netif with RX one slot per frame and no offloads, TX with the
 * backend's scatter-gather and TCP GSO when it has them (xen/netfront.h).
 */
static int connect_vif(struct ctx *c, const char *id)
{
	struct pv_domu_net *n = &c->d->net;
	uint64_t area = c->d->area;
	char fe[48], be[96], path[96], mac[32];

	if (begin_device(c, "device/vif/", id, fe, sizeof fe, be, sizeof be, &n->handle, &n->backend_id, &n->port))
		return -1;
	if (pv_xs_read(&c->xs, 0, path3(path, sizeof path, fe, "/mac", 0), mac, sizeof mac) <= 0 ||
	    parse_mac(mac, n->mac))
		return fail(c, "XenStore: the vif's mac is not six hex bytes");
	{
		netif_tx_sring_t *tx = (void *)(uintptr_t)(area + PV_DOMU_PG_NETTX * PV_DOMU_PAGE);
		netif_rx_sring_t *rx = (void *)(uintptr_t)(area + PV_DOMU_PG_NETRX * PV_DOMU_PAGE);

		memset(tx, 0, PV_DOMU_PAGE);
		memset(rx, 0, PV_DOMU_PAGE);
		SHARED_RING_INIT(tx);
		SHARED_RING_INIT(rx);
	}
	if (grant(c, n->backend_id, area + PV_DOMU_PG_NETTX * PV_DOMU_PAGE, &n->tx_ring_ref) ||
	    grant(c, n->backend_id, area + PV_DOMU_PG_NETRX * PV_DOMU_PAGE, &n->rx_ring_ref))
		return -1;
	for (unsigned i = 0; i < PV_NET_TXBUF; i++)
		if (grant(c, n->backend_id, area + (PV_DOMU_PG_NETTXBUF + i) * PV_DOMU_PAGE, &n->tx_gref[i]))
			return -1;
	for (unsigned i = 0; i < PV_NET_RXBUF; i++)
		if (grant(c, n->backend_id, area + (PV_DOMU_PG_NETRXBUF + i) * PV_DOMU_PAGE, &n->rx_gref[i]))
			return -1;
	if (wait_state(c, be, XenbusStateInitWait))
		return -1;
	/* what netback takes on TX: its own keys, absent meaning 0 (io/netif.h) */
	{
		static const struct {
			const char *key;
			uint8_t bit;
		} tx_feat[] = {
			{ "/feature-sg", PV_NET_FEAT_SG },
			{ "/feature-gso-tcpv4", PV_NET_FEAT_GSO_TCPV4 },
			{ "/feature-gso-tcpv6", PV_NET_FEAT_GSO_TCPV6 },
		};
		uint64_t v;

		n->backend_feat = 0;
		for (unsigned i = 0; i < sizeof tx_feat / sizeof tx_feat[0]; i++)
			if (pv_xs_read_uint(&c->xs, 0, path3(path, sizeof path, be, tx_feat[i].key, 0), &v) >= 0 && v == 1)
				n->backend_feat |= tx_feat[i].bit;
	}
	/* what netfront.h negotiates: copy-mode RX, no RX checksum offload, nothing else */
	if (write_uint(c, fe, "tx-ring-ref", n->tx_ring_ref) || write_uint(c, fe, "rx-ring-ref", n->rx_ring_ref) ||
	    write_uint(c, fe, "event-channel", n->port) || write_uint(c, fe, "request-rx-copy", 1) ||
	    write_uint(c, fe, "feature-rx-notify", 1) || write_uint(c, fe, "feature-no-csum-offload", 1) ||
	    write_uint(c, fe, "state", XenbusStateConnected))
		return -1;
	if (wait_state(c, be, XenbusStateConnected))
		return -1;
	n->present = 1;
	con_printf("previrt-loader: xen: domU: NIC %s: netif connected to domain %u (event channel %u), mac %s, TX%s%s%s\n",
		   id, n->backend_id, n->port, mac, n->backend_feat ? "" : " one page a frame",
		   (n->backend_feat & PV_NET_FEAT_SG) ? " sg" : "",
		   (n->backend_feat & PV_NET_FEAT_GSO_TCPV4) ? ((n->backend_feat & PV_NET_FEAT_GSO_TCPV6) ? " gso-tcpv4 gso-tcpv6" : " gso-tcpv4") : "");
	return 0;
}

/*
 * xl shutdown (xen/domu-control.c): the store ring moves into the runtime
 * area, where the blob reaches it through the kernel's direct map (its
 * Xen-made frame is outside guest RAM, so the kernel maps it nowhere;
 * xenstored mapped the page itself, by frame, when the domain was made, so
 * the move is invisible to it), a watch on control/shutdown is set, and
 * control/feature-poweroff says the guest answers "poweroff".  0, or -1
 * with c->why.
 */
static int watch_control(struct ctx *c, uint64_t store_pfn, uint64_t area, uint32_t port)
{
	static const struct pv_xs_part watch[2] = { { "control/shutdown", 17 }, { "previrt", 8 } };
	uint64_t to = (area >> 12) + PV_DOMU_PG_STORE;
	char ok[3];

	if (pv_xen_move_frame(c->amd, store_pfn, to) < 0)
		return fail(c, "XENMEM_add_to_physmap refused to move the XenStore ring into the runtime area");
	c->xs.ring = (volatile struct xenstore_domain_interface *)(uintptr_t)(to << 12);
	if (pv_xs_request(&c->xs, XS_WATCH, 0, watch, 2, ok, sizeof ok) != 3 || ok[0] != 'O' || ok[1] != 'K')
		return fail(c, "XenStore refused the watch on control/shutdown");
	if (pv_xs_write(&c->xs, 0, "control/feature-poweroff", "1") < 0)
		con_printf("previrt-loader: xen: domU: could not write control/feature-poweroff (%s)\n", c->xs.remote_error);
	c->d->store.present = 1;
	c->d->store.port = port;
	return 0;
}

/*
 * 2 MiB of RAM below 4 GiB for the area: the highest that overlaps nothing
 * in `avoid` and has RAM above it.  Not the top of RAM: Linux sizes its
 * direct map by the last E820 RAM page (e820__end_of_ram_pfn), and the
 * setup_data node turns its range into E820_TYPE_RESERVED_KERN, so an area
 * at the very top would fall out of the direct map.
 */
static uint64_t place_area(const struct bootinfo *bi, const struct domudev_avoid *avoid, unsigned navoid)
{
	const uint64_t size = (uint64_t)PV_DOMU_AREA_PAGES * PV_DOMU_PAGE;
	uint64_t best = 0;

	for (unsigned i = 0; i < bi->nram; i++) {
		uint64_t lo = bi->ram[i].start, hi = lo + bi->ram[i].size;

		if (hi > 0x100000000ull)
			hi = 0x100000000ull;
		if (hi < lo + 2 * size)
			continue;
		for (uint64_t a = (hi - size - 1) & ~(size - 1); a >= lo; a -= size) {
			int clear = a >= 0x1000000;            /* above 16 MiB: not where kernels are loaded */

			for (unsigned k = 0; k < navoid && clear; k++)
				clear = !pv_overlaps(a, size, avoid[k].start, avoid[k].size);
			if (clear) {
				if (a > best)
					best = a;
				break;
			}
			if (a < size)
				break;
		}
	}
	return best;
}

/*
 * Guest RAM as the models may use it: [0, ram_end) less the gaps between
 * RAM ranges (the kernel's direct map has no pages there, so a buffer
 * there must be refused, not followed).  With more gaps than the hand-over
 * holds, RAM is cut at the first one left over.
 */
static void ram_extent(const struct bootinfo *bi, struct pv_domu_devs *d)
{
	uint64_t at = 0;
	unsigned ngap = 0;

	for (;;) {
		/* the RAM range that starts lowest at or above `at`, or that contains it */
		uint64_t lo = UINT64_MAX, hi = 0;

		for (unsigned i = 0; i < bi->nram; i++) {
			uint64_t s = bi->ram[i].start, e = s + bi->ram[i].size;

			if (e > at && s < lo)
				lo = s, hi = e;
		}
		if (lo == UINT64_MAX)
			break;
		if (lo > at) {
			if (ngap == PV_DOMU_GAPS)
				break;
			d->gap[ngap].start = at, d->gap[ngap].end = lo;
			ngap++;
		}
		at = hi > at ? hi : at + 1;
		d->ram_end = at;
	}
}

/* The windows: 4 KiB each, in the first hole of the memory map from 3.5 GiB on (below the LAPIC). */
static uint64_t place_windows(const struct bootinfo *bi)
{
	const struct mb_info *mbi = bi->mbi;

	for (uint64_t base = 0xe0000000ull; base < 0xfec00000ull; base += 0x100000) {
		int clear = 1;

		for (uint32_t off = 0; clear && (mbi->flags & MB_INFO_MMAP) && off + sizeof(struct mb_mmap) <= mbi->mmap_length;) {
			const struct mb_mmap *m = (const void *)(uintptr_t)(mbi->mmap_addr + off);

			clear = !pv_overlaps(base, PV_DOMU_WINDOWS * PV_DOMU_WIN_SIZE, m->base, m->len);
			off += m->size + 4;
		}
		if (clear)
			return base;
	}
	return 0;
}

/* " virtio_mmio.device=4K@0x<base>:<irq>" at b; the new end. */
static char *virtio_param(char *b, uint64_t base, unsigned irq)
{
	static const char hex[] = "0123456789abcdef";
	int shift = 60;

	for (const char *s = " virtio_mmio.device=4K@0x"; *s; s++)
		*b++ = *s;
	while (shift > 0 && !((base >> shift) & 15))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*b++ = hex[(base >> shift) & 15];
	*b++ = ':';
	b += pv_fmt_dec(b, irq);
	*b = 0;
	return b;
}

int domudev_setup(uint64_t vmmcall, const struct bootinfo *bi, const struct domudev_avoid *avoid,
		  unsigned navoid, struct domudev_result *r, const char **why)
{
	static struct ctx c;
	uint64_t store_pfn = 0, store_port = 0, area;
	char vbd[16], vif[16];
	int no_vbd, no_vif;

	r->area = 0;
	r->cmdline[0] = 0;
	c = (struct ctx){ .amd = vmmcall, .why = "" };
	*why = "";
	if (pv_xen_hvm_param(vmmcall, HVM_PARAM_STORE_PFN, &store_pfn) || !store_pfn || store_pfn >= (1ull << 20) ||
	    pv_xen_hvm_param(vmmcall, HVM_PARAM_STORE_EVTCHN, &store_port) || !store_port) {
		con_printf("previrt-loader: xen: domU: no XenStore ring: no disk or NIC\n");
		return 0;
	}
	c.env = (struct pv_xs_hyper){ vmmcall, (uint32_t)store_port };
	if (pv_xs_init(&c.xs, (void *)(uintptr_t)(store_pfn << 12), XS_BUDGET, &c.env) < 0)
		return *why = "XenStore: the ring's indices are impossible", -1;
	no_vbd = first_entry(&c, "device/vbd", vbd, sizeof vbd);
	no_vif = no_vbd < 0 ? -1 : first_entry(&c, "device/vif", vif, sizeof vif);
	if (no_vbd < 0 || no_vif < 0)
		return *why = c.why, -1;
	if (no_vbd && no_vif)
		con_printf("previrt-loader: xen: domU: no vbd or vif in XenStore: no disk or NIC "
			   "(the runtime area still carries xl shutdown's XenStore watch)\n");
	area = place_area(bi, avoid, navoid);
	if (!area)
		return *why = "no 2 MiB of RAM below 4 GiB left for the runtime area", -1;
	c.d = (void *)(uintptr_t)area;
	memset(c.d, 0, (PV_DOMU_PG_RT + PV_DOMU_RT_PAGES) * PV_DOMU_PAGE);
	c.d->setup_type = 0;            /* SETUP_NONE: the kernel only reserves it */
	c.d->setup_len = PV_DOMU_AREA_PAGES * PV_DOMU_PAGE - 16;
	c.d->magic = PV_DOMU_DEVS_MAGIC;
	c.d->area = area;
	c.d->irq = VIRTIO_IRQ;
	ram_extent(bi, c.d);
	if (!no_vbd || !no_vif) {
		c.d->mmio_base = place_windows(bi);
		if (!c.d->mmio_base)
			return *why = "no hole in the memory map for the virtio-mmio windows", -1;
	}
	if (watch_control(&c, store_pfn, area, (uint32_t)store_port))
		return *why = c.why, -1;
	for (unsigned f = 0; f < PV_DOMU_GNT_FRAMES; f++)
		if (pv_xen_map_grant_frame(vmmcall, f, (area >> 12) + PV_DOMU_PG_GNTTAB + f) < 0)
			return *why = "XENMEM_add_to_physmap refused a grant table frame", -1;
	pv_gnttab_init(&c.gt, (void *)(uintptr_t)(area + PV_DOMU_PG_GNTTAB * PV_DOMU_PAGE), PV_DOMU_GNT_FRAMES);
	if ((!no_vbd && connect_vbd(&c, vbd)) || (!no_vif && connect_vif(&c, vif)))
		return *why = c.why, -1;
	{
		char *b = r->cmdline;

		if (c.d->blk.present)
			b = virtio_param(b, c.d->mmio_base + PV_DOMU_WIN_BLK * PV_DOMU_WIN_SIZE, c.d->irq);
		if (c.d->net.present)
			b = virtio_param(b, c.d->mmio_base + PV_DOMU_WIN_NET * PV_DOMU_WIN_SIZE, c.d->irq);
		/* COM1's line is theirs too, and the ACPI SCI's (the power button: loader/acpi.c) */
		for (const char *p = " 8250.share_irqs=1"; *p; p++)
			*b++ = *p;
		*b = 0;
	}
	con_printf("previrt-loader: xen: domU: runtime area 0x%llx (2 MiB, setup_data), virtio-mmio windows at 0x%llx, IRQ %u\n",
		   (unsigned long long)area, (unsigned long long)c.d->mmio_base, c.d->irq);
	r->area = area;
	return 0;
}
