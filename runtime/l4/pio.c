/* SPDX-License-Identifier: MIT */
/*
 * Port I/O on uvmm, inside the kernel: every patched in/out site calls
 * pv_l4_pio (through xen/entry.S, built with the L4 names) with the
 * registers it saved.  Answered here, without an exit to uvmm:
 *
 *  - the ACPI PM timer (its port from the FADT): from the TSC and the
 *    kvm-clock parameters uvmm keeps in struct pv_l4_state.clock;
 *  - PIT channel 2 and port 0x61 (l4/pit.h), on the same clock: the
 *    kernel's TSC calibration reads them tens of thousands of times;
 *  - COM1 while the driver's IER is 0 (the kernel console's polled path,
 *    l4-rt.h): LSR reads, and THR writes, which collect to a line sent by
 *    uvmm's vmmcall print, one exit per character instead of an LSR read
 *    and a THR write;
 *  - COM1's modem status (MSR) on both paths, when the loader found uvmm
 *    answering it with a constant (l4-rt.h): one exit fewer per character
 *    the tty path sends (the 8250 driver reads it on every pass of its
 *    interrupt handler).
 *
 * Writes to the power and reset ports (PM1a/PM1b control, the FADT reset
 * register, 0xcf9, the i8042's 0x64) first send the pending line and a
 * statistics line, IER writes that enable an interrupt the pending line;
 * then they run natively.
 *
 * Every other access returns 0: the thunk runs the original instruction,
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

/*
 * Before the VM ends (a power or reset write): the pending line, then one
 * line of what the blob did, through vmmcall print as well.
 */
static void last_words(struct pv_l4_state *st)
{
	char line[160], *b = line;

	flush_console(st);
	b = pv_put_stat(b, "previrt-l4: port I/O answered in the kernel ", st->pio_emulated);
	b = pv_put_stat(b, ", passed to uvmm ", st->pio_passed);
	b = pv_put_stat(b, ", console characters by vmmcall ", st->chars);
	*b++ = '\n';
	for (char *c = line; c < b; c++)
		pv_l4_print_char(*c);
}

enum { COM1_THR, COM1_IER, COM1_LCR = 3, COM1_LSR = 5, COM1_MSR = 6 };
#define LCR_DLAB 0x80
#define LSR_THRE_TEMT 0x60

/* A COM1 access: 1 when answered here (the console path), 0 for the real device. */
static int com1(struct pv_l4_state *st, unsigned reg, int out, uint8_t v, uint8_t *in)
{
	struct pv_l4_com1 *c = &st->com1;
	int dlab = c->lcr & LCR_DLAB;

	if (out && reg == COM1_LCR) {
		c->lcr = v;
		return 0;
	}
	if (out && reg == COM1_IER && !dlab) {
		if (v)
			flush_console(st);   /* the tty path takes over: the console's line first */
		c->ier = v;
		return 0;
	}
	if (!out && reg == COM1_MSR && c->msr_const) {
		*in = c->msr;           /* uvmm's constant: no modem lines (either path, any DLAB) */
		return 1;
	}
	if (c->ier || dlab)
		return 0;
	if (!out && reg == COM1_LSR) {
		*in = LSR_THRE_TEMT;
		return 1;
	}
	if (out && reg == COM1_THR) {
		if (v != '\r')
			c->line[c->len++] = (char)v;
		if (v == '\n' || c->len == PV_L4_LINE)
			flush_console(st);
		return 1;
	}
	return 0;
}

int pv_l4_pio(struct pv_pio_frame *f)
{
	struct pv_l4_state *st = (struct pv_l4_state *)(uintptr_t)pv_l4_slots.state;
	unsigned d = (unsigned)f->desc;
	unsigned port = pv_pio_port(f), width = pv_pio_width(f);
	int handled = 0;

	if (st->acpi.pit2 && pv_pit2_owns(port) && width == 1) {
		uint64_t now = pv_pit_ticks(clock_ns(&st->clock));

		if (d & PV_PIO_OUT)
			handled = pv_pit2_out(&st->pit2, port, (uint8_t)f->rax, now);
		else if (port != PV_PORT_PIT_CMD)
			pv_pio_set_in(f, width, pv_pit2_in(&st->pit2, port, now)), handled = 1;
	} else if (port >= PV_COM1_BASE && port < PV_COM1_BASE + 8 && width == 1) {
		uint8_t v = 0;

		handled = com1(st, port - PV_COM1_BASE, !!(d & PV_PIO_OUT), (uint8_t)f->rax, &v);
		if (handled && !(d & PV_PIO_OUT))
			pv_pio_set_in(f, width, v);
	} else if (st->acpi.pm_tmr && port == st->acpi.pm_tmr && !(d & PV_PIO_OUT)) {
		uint64_t t = pv_pm_ticks(clock_ns(&st->clock));

		pv_pio_set_in(f, width, st->acpi.pm_tmr_32bit ? (uint32_t)t : (uint32_t)t & 0xffffff);
		handled = 1;
	} else if ((d & PV_PIO_OUT) && pv_xen_port_emulated(&st->acpi, port)) {
		/* power off or reset: the real port does it (uvmm ends the VM); the last lines go out first */
		if (pv_power_request(&st->acpi, port, width, (uint32_t)f->rax))
			last_words(st);
		else
			flush_console(st);
	}
	__atomic_fetch_add(handled ? &st->pio_emulated : &st->pio_passed, 1, __ATOMIC_RELAXED);
	return handled;
}
