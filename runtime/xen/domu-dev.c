/* SPDX-License-Identifier: MIT */
/*
 * A Xen domU's devices inside the kernel: activation, event channels,
 * interrupt lines, the windows' register accesses (domu-dev.h says how the
 * pieces fit).  Part of the handler blob: no data of its own, no indirect
 * calls, every piece of state in the runtime area or struct pv_xen_state.
 */
#include <stdint.h>

#include <xen/hvm/params.h>

#include "xen/domu-dev.h"
#include "xen/hypercall.h"

extern struct pv_xen_slots pv_xen_slots __attribute__((visibility("hidden")));

static struct pv_domu_devs *devs(const struct pv_xen_state *st)
{
	return (struct pv_domu_devs *)(uintptr_t)(pv_xen_direct_map(st) + st->devs_pa);
}

static struct pv_domu_rt *rt_of(const struct pv_xen_state *st)
{
	return (struct pv_domu_rt *)(uintptr_t)(pv_xen_direct_map(st) + st->devs_pa + PV_DOMU_PG_RT * PV_DOMU_PAGE);
}

struct pv_domu_devs *pv_domu_devs_of(const struct pv_xen_state *st)
{
	return devs(st);
}

struct pv_domu_rt *pv_domu_rt_of(const struct pv_xen_state *st)
{
	return rt_of(st);
}

/*
 * The devices' state, set up on the first register access of a driver:
 * only then does the kernel's direct map exist (and page_offset_base hold
 * its final value).  The frontends start from the rings the loader
 * connected; their event channels are unmasked only now, when someone is
 * there to take their events.  0 when the devices are there.
 */
static int activate(struct pv_xen_state *st)
{
	struct pv_domu_devs *d;
	struct pv_domu_rt *rt;
	uint64_t dm, area;

	if (!st->devs_pa || !st->shinfo)
		return -1;
	if (st->devs_active)
		return 0;
	rt = rt_of(st);
	if (rt->failed)
		return -1;
	d = devs(st);
	dm = pv_xen_direct_map(st);
	area = st->devs_pa;
	if (d->magic != PV_DOMU_DEVS_MAGIC || d->area != area) {
		rt->failed = 1;
		return -1;
	}
	rt->mem = (struct pv_vmem){ .base = (uintptr_t)dm, .ram_end = d->ram_end };
	rt->mem.hole[0].start = area;                   /* the runtime's own pages */
	rt->mem.hole[0].end = area + (uint64_t)PV_DOMU_AREA_PAGES * PV_DOMU_PAGE;
	for (unsigned i = 0; i < PV_DOMU_GAPS && i + 1 < PV_VMEM_HOLES; i++) {
		rt->mem.hole[i + 1].start = d->gap[i].start;
		rt->mem.hole[i + 1].end = d->gap[i].end;
	}
	if (d->blk.present) {
		if (pv_blkfront_init(&rt->bf, (void *)(uintptr_t)(dm + area + PV_DOMU_PG_BLKRING * PV_DOMU_PAGE),
				     (uint16_t)d->blk.handle, d->blk.sectors, d->blk.sector_size,
				     (uint8_t *)(uintptr_t)(dm + area + PV_DOMU_PG_BLKBUF * PV_DOMU_PAGE), d->blk.gref)) {
			rt->failed = 1;
			return -1;
		}
		pv_vblk_init(&rt->vblk, &rt->bf, &rt->mem, d->blk.readonly, "previrt-xen-vbd");
		pv_domu_unmask_port((struct shared_info *)(uintptr_t)st->shinfo, d->blk.port);
	}
	if (d->net.present) {
		int kick = 0;

		if (pv_netfront_init(&rt->nf, (void *)(uintptr_t)(dm + area + PV_DOMU_PG_NETTX * PV_DOMU_PAGE),
				     (void *)(uintptr_t)(dm + area + PV_DOMU_PG_NETRX * PV_DOMU_PAGE),
				     (uint8_t *)(uintptr_t)(dm + area + PV_DOMU_PG_NETTXBUF * PV_DOMU_PAGE), d->net.tx_gref,
				     (uint8_t *)(uintptr_t)(dm + area + PV_DOMU_PG_NETRXBUF * PV_DOMU_PAGE), d->net.rx_gref,
				     &kick)) {
			rt->failed = 1;
			return -1;
		}
		rt->nf.feat = d->net.backend_feat;     /* before pv_vnet_init: it decides the offloads offered */
		pv_vnet_init(&rt->vnet, &rt->nf, &rt->mem, d->net.mac);
		pv_domu_unmask_port((struct shared_info *)(uintptr_t)st->shinfo, d->net.port);
		if (kick)                       /* the RX buffers just posted */
			pv_domu_notify(st, d->net.port);
	}
	if (d->store.present) {
		/* the ring the loader moved into the area; it left the indices where they are */
		rt->xs_env = (struct pv_xs_hyper){ pv_xen_slots.vmmcall, d->store.port };
		if (pv_xs_init(&rt->xs, (void *)(uintptr_t)(dm + area + PV_DOMU_PG_STORE * PV_DOMU_PAGE),
			       PV_DOMU_XS_BUDGET, &rt->xs_env) == 0) {
			pv_domu_clear_port((struct shared_info *)(uintptr_t)st->shinfo, d->store.port);   /* the loader's own traffic */
			pv_domu_unmask_port((struct shared_info *)(uintptr_t)st->shinfo, d->store.port);
			/*
			 * A watch event already in the ring (an xl shutdown before
			 * anyone listened): look at the next entry that may exit.
			 * Else no XenStore traffic until a watch event comes: the
			 * loader consumed the watch's first event itself.
			 */
			rt->control_check = __atomic_load_n(&rt->xs.ring->rsp_prod, __ATOMIC_ACQUIRE) != rt->xs.rsp_cons;
		}
	}
	rt->magic = PV_DOMU_RT_MAGIC;
	st->devs_active = 1;
	return 0;
}

int pv_domu_activate(struct pv_xen_state *st)
{
	return activate(st);
}

/* Only once activated: before, the direct map may not exist yet (early printk comes through here too). */
static int active(const struct pv_xen_state *st)
{
	return st->devs_active;
}

uint64_t pv_xen_model_read(struct pv_xen_state *st, unsigned win, uint32_t off, unsigned width)
{
	uint64_t v = ~(uint64_t)0;              /* no device: reads as a hole reads */

	if (activate(st))
		return v;
	if (win == PV_DOMU_WIN_BLK && devs(st)->blk.present)
		v = pv_vblk_read(&rt_of(st)->vblk, off, width);
	if (win == PV_DOMU_WIN_NET && devs(st)->net.present)
		v = pv_vnet_read(&rt_of(st)->vnet, off, width);
	pv_domu_sync(st);                       /* e.g. InterruptStatus read: the line may drop */
	return v;
}

void pv_xen_model_write(struct pv_xen_state *st, unsigned win, uint32_t off, unsigned width, uint64_t val)
{
	int kick = 0;

	if (activate(st))
		return;
	if (win == PV_DOMU_WIN_BLK && devs(st)->blk.present) {
		pv_vblk_write(&rt_of(st)->vblk, off, width, (uint32_t)val, &kick);
		if (kick)
			pv_domu_notify(st, devs(st)->blk.port);
	}
	if (win == PV_DOMU_WIN_NET && devs(st)->net.present) {
		pv_vnet_write(&rt_of(st)->vnet, off, width, (uint32_t)val, &kick);
		if (kick)
			pv_domu_notify(st, devs(st)->net.port);
	}
	pv_domu_sync(st);                       /* InterruptACK lowers the line; a notify may have completed at once */
}

/* An event on `port`: the device whose event channel it is takes its completions.  1 when it was one. */
int pv_domu_devs_event(struct pv_xen_state *st, uint32_t port)
{
	struct pv_domu_devs *d;
	int kick = 0;

	if (!active(st))
		return 0;
	d = devs(st);
	rt_of(st)->events++;
	if (d->blk.present && port == d->blk.port) {
		pv_vblk_service(&rt_of(st)->vblk, &kick);
		if (kick)
			pv_domu_notify(st, d->blk.port);
		return 1;
	}
	if (d->net.present && port == d->net.port) {
		pv_vnet_service(&rt_of(st)->vnet, &kick);
		if (kick)
			pv_domu_notify(st, d->net.port);
		return 1;
	}
	if (d->store.present && port == d->store.port) {
		rt_of(st)->control_check = 1;   /* a watch event (or a late reply): look at control/shutdown */
		return 1;
	}
	return 0;
}

/* The devices' shared line and its level (a virtio device has InterruptStatus set); -1: no devices yet. */
int pv_domu_devs_line(const struct pv_xen_state *st, int *level)
{
	const struct pv_domu_devs *d;

	*level = 0;
	if (!active(st))
		return -1;
	d = devs(st);
	*level = (d->blk.present && pv_vblk_irq(&rt_of(st)->vblk)) || (d->net.present && pv_vnet_irq(&rt_of(st)->vnet));
	return d->irq;
}

/* The devices' statistics for the blob's last line (pio.c): ", disk requests N ..."; the new end. */
char *pv_domu_devs_stats(const struct pv_xen_state *st, char *b)
{
	const struct pv_domu_rt *rt;

	if (!active(st))
		return b;
	rt = rt_of(st);
	if (devs(st)->blk.present) {
		b = pv_put_stat(b, ", disk requests ", rt->vblk.requests);
		b = pv_put_stat(b, " (I/O errors ", rt->vblk.ioerr);
		*b++ = ')';
	}
	if (devs(st)->net.present) {
		b = pv_put_stat(b, ", NIC frames sent ", rt->vnet.tx_frames);
		b = pv_put_stat(b, " (TSO ", rt->vnet.tx_gso);
		*b++ = ')';
		b = pv_put_stat(b, " received ", rt->vnet.rx_frames);
		b = pv_put_stat(b, " refused ", rt->vnet.tx_bad + rt->vnet.rx_bad);
	}
	if (devs(st)->store.present)
		b = pv_put_stat(b, ", control/shutdown reads ", rt->control_reads);
	b = pv_put_stat(b, ", device events ", rt->events);
	b = pv_put_stat(b, ", exits held back ", st->exits_deferred);
	return pv_put_stat(b, ", disarming exits ", st->exits_consumed);
}
