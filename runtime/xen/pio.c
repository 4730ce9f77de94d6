/* SPDX-License-Identifier: MIT */
/*
 * Port I/O on Xen, inside the kernel: every patched in/out site calls
 * pv_xen_pio (through xen/entry.S) with the registers it saved.  Ports
 * the runtime emulates are answered here; for every other port this
 * returns 0 and the thunk runs the original instruction, which Xen
 * handles (or lets through to the device) as it would without us.
 *
 * This file is part of the handler blob: compiled position-independent,
 * no data of its own (its state lives in the kernel's .data, reached
 * through pv_xen_slots), no calls outside the blob.
 */
#include <stdint.h>

#include <xen/hvm/params.h>

#include "xen/domu-dev.h"
#include "xen/hypercall.h"
#include "xen/modellock.h"
#include "xen/power-button.h"
#include "xen/xen-rt.h"

extern struct pv_xen_slots pv_xen_slots __attribute__((visibility("hidden")));
int pv_xen_pio(struct pv_pio_frame *f) __attribute__((visibility("hidden")));

/* dom0: Xen's console (console_io); a domU: its console ring, which xenconsoled reads. */
static void console_write(struct pv_xen_state *st, const char *s, unsigned n)
{
	if (st->domu)
		pv_domu_console_write(st, s, n);       /* its console ring, by the exit rule (xen/domu-dev.h) */
	else
		pv_xen_console_write(pv_xen_slots.vmmcall, s, n);
}

static void flush_console(struct pv_xen_state *st)
{
	if (st->com1.len && st->com1.len <= PV_UART_LINE) {
		console_write(st, st->com1.line, st->com1.len);
		st->com1.len = 0;
	}
}

/* One line on Xen's console when the domain ends: what the blob did. */
static void print_stats(struct pv_xen_state *st)
{
	char line[640], *b = line;          /* every field at 20 digits fits */

	b = pv_put_stat(b, "previrt-xen: port I/O emulated ", st->pio_emulated);
	b = pv_put_stat(b, ", passed to Xen ", st->pio_passed);
	if (st->nmmio_win) {
		b = pv_put_stat(b, ", MMIO emulated ", st->mmio_emulated);
		b = pv_put_stat(b, ", passed ", st->mmio_passed);
	}
	if (st->domu)
		b = pv_put_stat(b, ", COM1 interrupts ", st->com1_irqs);
	if (st->domu)
		b = pv_put_stat(b, ", console input bytes ", st->com1_rx);
	if (st->power_presses)
		b = pv_put_stat(b, ", power button presses ", st->power_presses);
	if (st->lock_timeouts)
		b = pv_put_stat(b, ", model lock waits given up ", st->lock_timeouts);
	if (st->domu && (st->cons.dropped || st->cons.malformed)) {
		b = pv_put_stat(b, ", console bytes dropped ", st->cons.dropped);
		b = pv_put_stat(b, ", malformed ring reads ", st->cons.malformed);
	}
	if (st->domu)
		b = pv_domu_devs_stats(st, b);  /* a domU's disk and NIC (xen/domu-dev.c) */
	*b++ = '\n';
	console_write(st, line, (unsigned)(b - line));
}

/* The last output before the domain ends: the pending console line, the statistics. */
static void last_words(struct pv_xen_state *st)
{
	int held;

	st->armed = 0;                          /* the domain ends: its last lines may wait for xenconsoled */
	held = pv_model_lock(st);

	flush_console(st);
	pv_model_unlock(st, held);
	print_stats(st);
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* The ACPI PM timer (3.579545 MHz), from the TSC: ticks = tsc * pm_per_tsc / 2^32. */
static uint32_t pm_timer(const struct pv_xen_state *st)
{
	uint64_t t = (uint64_t)(((unsigned __int128)rdtsc() * st->pm_per_tsc) >> 32);

	return st->acpi.pm_tmr_32bit ? (uint32_t)t : (uint32_t)t & 0xffffff;
}

/* An out to a power port: 1 when it was the request that ends the domain. */
static int power_write(struct pv_xen_state *st, unsigned port, unsigned width, uint32_t val)
{
	const struct pv_xen_acpi *pw = &st->acpi;

	/*
	 * ACPI PM1 control with SLP_EN: the kernel has no sleep state but S5.
	 * dom0 asks Xen to enter it (Xen then powers the machine off); a
	 * domain that may not gets SCHEDOP_shutdown.  PM1b, when the FADT has
	 * one, is written after PM1a with the same sleep type, so PM1a's value
	 * stands for both.
	 */
	int req = pv_power_request(pw, port, width, val);

	if (req == PV_POWER_OFF) {
		last_words(st);
		pv_xen_acpi_sleep(pv_xen_slots.vmmcall, (uint16_t)val, (uint16_t)val, 5);
		pv_xen_shutdown(pv_xen_slots.vmmcall, SHUTDOWN_poweroff);
		return 1;                /* Xen does not return; if it does, the kernel goes on */
	}
	if (req == PV_POWER_RESET) {
		last_words(st);
		pv_xen_shutdown(pv_xen_slots.vmmcall, SHUTDOWN_reboot);
		return 1;
	}
	return 0;
}


int pv_xen_pio(struct pv_pio_frame *f)
{
	struct pv_xen_state *st = (struct pv_xen_state *)(uintptr_t)pv_xen_slots.state;
	unsigned d = (unsigned)f->desc;
	unsigned port = pv_pio_port(f), width = pv_pio_width(f);
	int handled = 0;

	pv_domu_entry(st, (int)((f->rflags >> 9) & 1));      /* a domU's exit rule (xen/domu-dev.h) */

	if (port >= PV_COM1_BASE && port < PV_COM1_BASE + 8) {
		int held = pv_model_lock(st);

		pv_domu_console_input(st);       /* a domU: one byte of console input into the UART */
		if (d & PV_PIO_OUT) {
			if (pv_uart_write(&st->com1, port - PV_COM1_BASE, (uint8_t)f->rax))
				flush_console(st);
		} else {
			pv_pio_set_in(f, width, pv_uart_read(&st->com1, port - PV_COM1_BASE));
		}
		pv_domu_sync(st);                /* a domU: events in, interrupt lines out (xen/domu-dev.h) */
		pv_model_unlock(st, held);
		handled = 1;
	} else if (st->acpi.pic && pv_pic_port(port)) {
		int held = pv_model_lock(st);

		if (d & PV_PIO_OUT)
			pv_pic_write(&st->pic, port, (uint8_t)f->rax);
		else
			pv_pio_set_in(f, width, pv_pic_read(&st->pic, port));
		pv_domu_sync(st);                /* a domU: events in, interrupt lines out (xen/domu-dev.h) */
		pv_model_unlock(st, held);
		handled = 1;
	} else if (port == st->acpi.pm_tmr && st->acpi.pm_tmr) {
		if (!(d & PV_PIO_OUT))
			pv_pio_set_in(f, width, pm_timer(st));
		if (st->domu) {                  /* a timer read with IF on: where deferred notifications go out */
			int held = pv_model_lock(st);

			pv_domu_sync(st);
			pv_model_unlock(st, held);
		}
		handled = 1;
	} else if (st->domu && pv_acpi_evt_port(st, port)) {
		int held = pv_model_lock(st);

		/* ACPI comes after the kernel's direct map: the devices and the control watch may start */
		pv_domu_activate(st);
		if (!(d & PV_PIO_OUT) && port == st->acpi.pm1a_evt) {
			/* the SCI handler's first read: an xl shutdown waiting is answered now, its press seen by this read */
			pv_domu_sync(st);
			pv_domu_control_sci(st);
		}
		if (d & PV_PIO_OUT)
			pv_acpi_evt_write(st, port, width, (uint32_t)f->rax);
		else
			pv_pio_set_in(f, width, pv_acpi_evt_read(st, port, width));
		pv_domu_sync(st);                /* the SCI's level may have changed */
		pv_model_unlock(st, held);
		handled = 1;
	} else if ((d & PV_PIO_OUT) && pv_xen_port_emulated(&st->acpi, port)) {
		handled = power_write(st, port, width, (uint32_t)f->rax);
	}
	__atomic_fetch_add(handled ? &st->pio_emulated : &st->pio_passed, 1, __ATOMIC_RELAXED);
	pv_domu_leave(st);                       /* every lock released: a raised line's kick */
	return handled;
}
