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

static void unmask_port(struct shared_info *sh, uint32_t port)
{
	const unsigned bits = 8 * sizeof(xen_ulong_t);

	if (port && port < 8 * sizeof sh->evtchn_mask)
		__atomic_fetch_and(&sh->evtchn_mask[port / bits], ~((xen_ulong_t)1 << (port % bits)), __ATOMIC_ACQ_REL);
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
	rt->mem = (struct pv_vmem){ .base = (uintptr_t)dm, .ram_end = d->ram_end, .hole_start = area,
				    .hole_end = area + (uint64_t)PV_DOMU_AREA_PAGES * PV_DOMU_PAGE };
	if (d->blk.present) {
		if (pv_blkfront_init(&rt->bf, (void *)(uintptr_t)(dm + area + PV_DOMU_PG_BLKRING * PV_DOMU_PAGE),
				     (uint16_t)d->blk.handle, d->blk.sectors, d->blk.sector_size,
				     (uint8_t *)(uintptr_t)(dm + area + PV_DOMU_PG_BLKBUF * PV_DOMU_PAGE), d->blk.gref)) {
			rt->failed = 1;
			return -1;
		}
		pv_vblk_init(&rt->vblk, &rt->bf, &rt->mem, d->blk.readonly, "previrt-xen-vbd");
		unmask_port((struct shared_info *)(uintptr_t)st->shinfo, d->blk.port);
	}
	rt->magic = PV_DOMU_RT_MAGIC;
	st->devs_active = 1;
	return 0;
}

/* Only once activated: before, the direct map may not exist yet (early printk comes through here too). */
static int active(const struct pv_xen_state *st)
{
	return st->devs_active;
}

uint64_t pv_xen_model_read(struct pv_xen_state *st, unsigned win, uint32_t off, unsigned width)
{
	if (activate(st))
		return ~(uint64_t)0;
	if (win == PV_DOMU_WIN_BLK && devs(st)->blk.present)
		return pv_vblk_read(&rt_of(st)->vblk, off, width);
	return ~(uint64_t)0;                    /* no device: reads as a hole reads */
}

void pv_xen_model_write(struct pv_xen_state *st, unsigned win, uint32_t off, unsigned width, uint64_t val)
{
	int kick = 0;

	if (activate(st))
		return;
	if (win == PV_DOMU_WIN_BLK && devs(st)->blk.present) {
		pv_vblk_write(&rt_of(st)->vblk, off, width, (uint32_t)val, &kick);
		if (kick)
			pv_xen_evtchn_send(pv_xen_slots.vmmcall, devs(st)->blk.port);
	}
}

/*
 * A domU's console input, one byte per call: from the ring's in[] into
 * the UART model when it has room (xenconsoled is told there is room
 * again in in[]).
 */
void pv_domu_console_input(struct pv_xen_state *st)
{
	uint8_t c;

	if (!st->domu || st->com1.rx_full || !(st->com1.ier & PV_UART_IER_RDI))
		return;
	if (pv_consring_get(&st->cons, &c) == 1) {
		pv_uart_rx(&st->com1, c);
		st->com1_rx++;
		pv_xen_evtchn_send(pv_xen_slots.vmmcall, st->cons.port);
	}
}

/* Take every pending event of an unmasked port (Xen's 2-level ABI) and serve it. */
static void take_events(struct pv_xen_state *st, struct shared_info *sh)
{
	const unsigned bits = 8 * sizeof(xen_ulong_t);
	xen_ulong_t sel = __atomic_exchange_n(&sh->vcpu_info[0].evtchn_pending_sel, 0, __ATOMIC_ACQ_REL);
	int blk = 0;

	while (sel) {
		unsigned w = (unsigned)__builtin_ctzl(sel);
		xen_ulong_t pend;

		sel &= sel - 1;
		if (w >= sizeof sh->evtchn_pending / sizeof sh->evtchn_pending[0])
			break;
		pend = __atomic_load_n(&sh->evtchn_pending[w], __ATOMIC_ACQUIRE) &
		       ~__atomic_load_n(&sh->evtchn_mask[w], __ATOMIC_ACQUIRE);
		if (!pend)
			continue;
		__atomic_fetch_and(&sh->evtchn_pending[w], ~pend, __ATOMIC_ACQ_REL);
		while (pend) {
			uint32_t port = w * bits + (unsigned)__builtin_ctzl(pend);

			pend &= pend - 1;
			if (active(st) && devs(st)->blk.present && port == devs(st)->blk.port)
				blk = 1;
			if (active(st))
				rt_of(st)->events++;
		}
	}
	if (blk) {
		int kick = 0;

		pv_vblk_service(&rt_of(st)->vblk, &kick);
		if (kick)
			pv_xen_evtchn_send(pv_xen_slots.vmmcall, devs(st)->blk.port);
	}
}

/* The devices' line: up while a virtio device has InterruptStatus set. */
static int virtio_level(const struct pv_xen_state *st)
{
	return active(st) && devs(st)->blk.present && pv_vblk_irq(&rt_of(st)->vblk);
}

/*
 * The line to deliver: the lowest-numbered one (the 8259's fixed
 * priority) that is up and unmasked, or -1.  The 8259 must be through
 * its initialisation (its vector base known).
 */
static int deliverable(const struct pv_xen_state *st, unsigned virtio_irq)
{
	const struct pv_pic *p = &st->pic;
	uint8_t up = 0;

	if (!p->vector[0] || p->init_step[0])
		return -1;
	if (pv_uart_irq(&st->com1))
		up |= 1u << PV_COM1_IRQ;
	if (virtio_irq < 8 && virtio_level(st))
		up |= (uint8_t)(1u << virtio_irq);
	up &= (uint8_t)~p->imr[0];
	return up ? __builtin_ctz(up) : -1;
}

void pv_domu_sync(struct pv_xen_state *st)
{
	struct shared_info *sh = (struct shared_info *)(uintptr_t)st->shinfo;
	unsigned virtio_irq = active(st) ? devs(st)->irq : PV_COM1_IRQ;

	if (!sh)
		return;
	pv_domu_console_input(st);      /* input that arrived while the line was quiet */
	for (unsigned round = 0; round < 4; round++) {
		int line;
		uint8_t vec;

		__atomic_store_n(&sh->vcpu_info[0].evtchn_upcall_pending, 0, __ATOMIC_RELEASE);
		take_events(st, sh);
		pv_domu_console_input(st);
		line = deliverable(st, virtio_irq);
		/* no line up: park the vector where an event's interrupt finds a handler that enters the blob */
		vec = st->pic.vector[0] ? (uint8_t)(st->pic.vector[0] + (line >= 0 ? (unsigned)line : virtio_irq)) : 0;
		if (vec && vec != st->callback_vector &&
		    pv_xen_set_hvm_param(pv_xen_slots.vmmcall, HVM_PARAM_CALLBACK_IRQ,
					 (uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 | vec) == 0)
			st->callback_vector = vec;
		if (line >= 0 && st->callback_vector == vec) {
			__atomic_store_n(&sh->vcpu_info[0].evtchn_upcall_pending, 1, __ATOMIC_RELEASE);
			if (!st->com1_level) {
				if (line == PV_COM1_IRQ)
					st->com1_irqs++;
				pv_xen_kick(pv_xen_slots.vmmcall);      /* a rising edge: make Xen look */
			}
			st->com1_level = 1;
			return;
		}
		st->com1_level = 0;
		/* an event that came in after take_events raised no flag we kept: look again */
		if (!__atomic_load_n(&sh->vcpu_info[0].evtchn_pending_sel, __ATOMIC_ACQUIRE))
			return;
	}
}
