/* SPDX-License-Identifier: MIT */
/*
 * Port I/O on uvmm, inside the kernel: every patched in/out site calls
 * pv_l4_pio (through xen/entry.S, built with the L4 names) with the
 * registers it saved.  Answered here, without an exit to uvmm:
 *
 *  - the ACPI PM timer (its port from the FADT): from the TSC and the
 *    kvm-clock parameters uvmm keeps in struct pv_l4_state.clock;
 *  - COM1 (0x3f8-0x3ff): the 16550 model; a finished line goes out
 *    character by character through uvmm's vmmcall print, one exit per
 *    character instead of an LSR read and a THR write.
 *
 * Writes to the power and reset ports (PM1a/PM1b control, the FADT reset
 * register, 0xcf9, the i8042's 0x64) first send the model's pending line,
 * then run natively: uvmm ends or resets the VM itself.
 *
 * Every other port returns 0: the thunk runs the original instruction,
 * which exits to uvmm as without previrt.  Part of the L4 handler blob:
 * position-independent, no data of its own, no calls outside the blob.
 */
#include "l4/l4-rt.h"

extern struct pv_l4_slots pv_l4_slots __attribute__((visibility("hidden")));
int pv_l4_pio(struct pv_pio_frame *f) __attribute__((visibility("hidden")));

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* nanoseconds now, from a consistent copy of uvmm's kvm-clock page */
static uint64_t clock_ns(const volatile struct pv_pvclock *p)
{
	struct pv_pvclock c;
	uint32_t v;

	do {
		v = p->version;
		__asm__ volatile("" ::: "memory");
		c.tsc_timestamp = p->tsc_timestamp;
		c.system_time = p->system_time;
		c.tsc_to_system_mul = p->tsc_to_system_mul;
		c.tsc_shift = p->tsc_shift;
		__asm__ volatile("" ::: "memory");
	} while ((v & 1) || v != p->version);
	return pv_pvclock_ns(&c, rdtsc());
}

static void flush_console(struct pv_l4_state *st)
{
	for (unsigned i = 0; i < st->com1.len; i++)
		pv_l4_print_char(st->com1.line[i]);
	st->chars += st->com1.len;
	st->com1.len = 0;
}

/* the result of an in: al/ax merge into rax, eax zero-extends */
static void set_in(struct pv_pio_frame *f, unsigned width, uint32_t v)
{
	if (width == 4)
		f->rax = v;
	else if (width == 2)
		f->rax = (f->rax & ~(uint64_t)0xffff) | (v & 0xffff);
	else
		f->rax = (f->rax & ~(uint64_t)0xff) | (v & 0xff);
}

int pv_l4_pio(struct pv_pio_frame *f)
{
	struct pv_l4_state *st = (struct pv_l4_state *)(uintptr_t)pv_l4_slots.state;
	unsigned d = (unsigned)f->desc;
	unsigned port = (d & PV_PIO_IMM) ? (d & PV_PIO_PORT_MASK) : (unsigned)(f->rdx & 0xffff);
	unsigned width = 1u << ((d >> PV_PIO_WSHIFT) & 3);
	int handled = 0;

	if (port >= PV_COM1_BASE && port < PV_COM1_BASE + 8) {
		if (d & PV_PIO_OUT) {
			if (pv_uart_write(&st->com1, port - PV_COM1_BASE, (uint8_t)f->rax))
				flush_console(st);
		} else {
			set_in(f, width, pv_uart_read(&st->com1, port - PV_COM1_BASE));
		}
		handled = 1;
	} else if (st->acpi.pm_tmr && port == st->acpi.pm_tmr && !(d & PV_PIO_OUT)) {
		uint64_t t = pv_pm_ticks(clock_ns(&st->clock));

		set_in(f, width, st->acpi.pm_tmr_32bit ? (uint32_t)t : (uint32_t)t & 0xffffff);
		handled = 1;
	} else if ((d & PV_PIO_OUT) && pv_xen_port_emulated(&st->acpi, port)) {
		/* power off or reset: the real port does it (uvmm ends the VM); the last line goes out first */
		flush_console(st);
	}
	__atomic_fetch_add(handled ? &st->pio_emulated : &st->pio_passed, 1, __ATOMIC_RELAXED);
	return handled;
}
