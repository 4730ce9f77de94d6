/* SPDX-License-Identifier: MIT */
/*
 * MMIO on Xen, inside the kernel: every patched MMIO site calls
 * pv_xen_mmio (through pv_xen_mmio_entry, xen/entry.S) with the registers
 * it saved and the descriptor patch/xen.c computed for its mov.  An access
 * whose guest-physical bytes lie entirely inside one of the state's model
 * windows goes to the device model there (pv_xen_model_read/write, the
 * integrator's) without a page fault or a VM exit; for every other access
 * this returns 0 and the thunk runs the original instruction, as the
 * kernel would without us.
 *
 * Nothing is decoded here: the descriptor names the registers, the width
 * and the direction, and the displacement and immediate are read from the
 * copy of the instruction the thunk runs otherwise.
 *
 * Part of the handler blob: position-independent, no data of its own, no
 * calls outside the blob (the models and pv_xen_mmio_phys are blob code
 * bound at link time).
 */
#include <stdint.h>

#include "xen/domu-dev.h"
#include "xen/modellock.h"
#include "xen/xen-rt.h"

extern struct pv_xen_slots pv_xen_slots __attribute__((visibility("hidden")));
int pv_xen_mmio(struct pv_mmio_frame *f) __attribute__((visibility("hidden")));

static uint64_t low_bytes(uint64_t v, unsigned width)
{
	return width >= 8 ? v : v & ((1ull << (8 * width)) - 1);
}

/* What a store writes: the register's low `width` bytes (or ah/ch/dh/bh), or the immediate. */
static uint64_t store_value(const struct pv_mmio_frame *f, uint32_t d, unsigned width)
{
	uint64_t r = f->r[pv_mmio_field(d, PV_MMIO_REG_SHIFT, 4)];

	if (pv_mmio_field(d, PV_MMIO_OP_SHIFT, 2) == PV_MMIO_STORE_IMM)
		return low_bytes(pv_mmio_imm((const uint8_t *)(uintptr_t)f->ret, d), width);
	if (d & PV_MMIO_HIGH8)
		return (r >> 8) & 0xff;
	return low_bytes(r, width);
}

/*
 * A load's result into its register, as the CPU writes it: a 32-bit
 * destination is zero-extended to 64 bits, 8 and 16 bits merge into the
 * register (ah/ch/dh/bh into bits 8-15), 64 bits replace it.
 */
static void reg_load(struct pv_mmio_frame *f, uint32_t d, unsigned width, uint64_t v)
{
	uint64_t *r = &f->r[pv_mmio_field(d, PV_MMIO_REG_SHIFT, 4)];

	if (d & PV_MMIO_HIGH8)
		*r = (*r & ~0xff00ull) | (v & 0xff) << 8;
	else if (width == 1)
		*r = (*r & ~0xffull) | (v & 0xff);
	else if (width == 2)
		*r = (*r & ~0xffffull) | (v & 0xffff);
	else if (width == 4)
		*r = (uint32_t)v;
	else
		*r = v;
}

/* The linear address the mov accesses: base + index * scale + displacement, wrapping as the CPU does. */
static uint64_t linear_address(const struct pv_mmio_frame *f, uint32_t d)
{
	uint64_t a = (uint64_t)pv_mmio_disp((const uint8_t *)(uintptr_t)f->ret, d);

	if (d & PV_MMIO_HAS_BASE)
		a += f->r[pv_mmio_field(d, PV_MMIO_BASE_SHIFT, 4)];
	if (d & PV_MMIO_HAS_INDEX)
		a += f->r[pv_mmio_field(d, PV_MMIO_INDEX_SHIFT, 4)] << pv_mmio_field(d, PV_MMIO_SCALE_SHIFT, 2);
	return a;
}

/* The window holding [phys, phys + width) entirely, or -1 (outside every window, or straddling one's end). */
static int find_window(const struct pv_xen_state *st, uint64_t phys, unsigned width)
{
	unsigned n = st->nmmio_win < PV_MMIO_WINDOWS ? st->nmmio_win : PV_MMIO_WINDOWS;

	for (unsigned i = 0; i < n; i++) {
		const struct pv_mmio_win *w = &st->mmio_win[i];

		if (phys >= w->base && phys - w->base < w->size && width <= w->size - (phys - w->base))
			return (int)i;
	}
	return -1;
}

int pv_xen_mmio(struct pv_mmio_frame *f)
{
	struct pv_xen_state *st = (struct pv_xen_state *)(uintptr_t)pv_xen_slots.state;
	uint32_t d = (uint32_t)f->desc;
	unsigned width = pv_mmio_width(d), op = pv_mmio_field(d, PV_MMIO_OP_SHIFT, 2);
	uint64_t lin, phys;
	int win = -1, held;

	/* no windows: every access is the device's (the LAPIC's EOI on a domU), at the least cost */
	if (!st->nmmio_win) {
		__atomic_fetch_add(&st->mmio_passed, 1, __ATOMIC_RELAXED);
		return 0;
	}
	lin = linear_address(f, d);
	/*
	 * Only an access within one page is translated: the bytes of one that
	 * crosses a page boundary need not be contiguous in guest-physical
	 * memory, and no device register is laid out across pages.
	 */
	if ((lin & 0xfff) + width <= 0x1000 && pv_xen_mmio_phys(st, lin, &phys) == 0)
		win = find_window(st, phys, width);
	if (win < 0) {
		__atomic_fetch_add(&st->mmio_passed, 1, __ATOMIC_RELAXED);
		return 0;
	}
	pv_domu_entry(st, (int)((f->rflags >> 9) & 1));      /* a domU's exit rule (xen/domu-dev.h), before the lock */
	held = pv_model_lock(st);
	if (op == PV_MMIO_LOAD)
		reg_load(f, d, width, pv_xen_model_read(st, (unsigned)win, (uint32_t)(phys - st->mmio_win[win].base), width));
	else
		pv_xen_model_write(st, (unsigned)win, (uint32_t)(phys - st->mmio_win[win].base), width,
				   store_value(f, d, width));
	pv_model_unlock(st, held);
	pv_domu_leave(st);                       /* a raised line's kick, the lock released */
	__atomic_fetch_add(&st->mmio_emulated, 1, __ATOMIC_RELAXED);
	return 1;
}
