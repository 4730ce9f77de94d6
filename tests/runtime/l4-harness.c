/* SPDX-License-Identifier: MIT */
/*
 * The L4 backend in user space: patch this program's own plugin-compiled
 * port I/O (xprog.c, the same code xen-harness patches) with patch/l4.c,
 * run the L4 handler blob (l4/pio.c, xen/uart16550.c, xen/entry.S under the
 * L4 names, linked in as they are), and play uvmm in a signal handler: its
 * vmmcall print (RAX = 0, the character in RCX) and the port exits that a
 * real in/out causes (in user space they fault; the handler records the
 * port and steps past the instruction, as uvmm would after emulating it).
 *
 *   - which sites the backend patches: every %dx in/out, an immediate
 *     port only when the blob knows it (0x64 yes, 0x80 no);
 *   - COM1 with IER 0 (the console path): the bytes x_uart_puts writes
 *     reach uvmm as vmmcall prints, one per character, after the line is
 *     complete, with no port exit; LSR reads THRE|TEMT without an exit;
 *     with IER.THRI set (the tty path) every access reaches the device,
 *     and enabling it sends the pending line first;
 *   - COM1's MSR: with the loader's constant (uvmm's 8250 has no modem
 *     lines) answered without an exit on both paths and with DLAB set,
 *     without it the read reaches the device; LSR on the tty path does;
 *   - the PM timer: no exit, and it counts what kvm-clock's parameters say
 *     (a scripted kvm-clock page for a 3 GHz TSC, uvmm's shift 5), and
 *     agrees with pv_pm_ticks(pv_pvclock_ns(...)) at the same TSC;
 *   - power-off: PM1a control with SLP_EN first sends the pending line,
 *     then goes to the real port (one exit, which uvmm turns into the
 *     VM's end); the never-patched 0x80 site exits as compiled;
 *   - PIT channel 2 and port 0x61 answered without exits at the rate the
 *     kvm-clock page gives; a channel-0 command passed to uvmm;
 *   - the blob's statistics count what it answered and what it passed.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <ucontext.h>
#include <x86intrin.h>

#include "patch/backend.h"
#include "l4/l4-rt.h"
#include "selfimage.h"
#include "check.h"
#include "xprog.h"

static uint64_t plan_bits[1 << 11];
#define PLAN .planned = plan_bits, .planned_len = sizeof plan_bits / 8

#define POOL_BYTES 16384
SELF_POOL(l4_pool, 16384);
extern struct pv_l4_slots pv_l4_slots;
extern char pv_l4_pio_entry[];

/* ---- "uvmm": vmmcall print and port exits ---- */
static char printed[256];
static unsigned nprinted, vmmcalls, port_exits, last_port, other_vmmcalls, cli_trapped;

static void on_trap(int sig, siginfo_t *info, void *ctx)
{
	greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
	const uint8_t *ip = (const uint8_t *)(uintptr_t)g[REG_RIP];
	unsigned pre = ip[0] == 0x66, op = ip[pre];

	(void)info;
	if (ip[0] == 0xfa) {                                             /* the shared entry's cli (#GP at CPL 3) */
		cli_trapped++;
		g[REG_RIP] += 1;
		return;
	}
	if (ip[0] == 0x0f && ip[1] == 0x01 && ip[2] == 0xd9) {          /* vmmcall */
		vmmcalls++;
		if (g[REG_RAX] == 0 && nprinted + 1 < sizeof printed)
			printed[nprinted++] = (char)g[REG_RCX];
		else if (g[REG_RAX] != 0)
			other_vmmcalls++;                   /* uvmm would stop the VM */
		g[REG_RIP] += 3;
		return;
	}
	if ((op & 0xf4) == 0xe4) {                                       /* in/out: a port exit */
		port_exits++;
		last_port = (op & 0x08) ? (unsigned)(g[REG_RDX] & 0xffff) : ip[pre + 1];
		if (!(op & 0x02))
			g[REG_RAX] |= 0xff;                 /* an in reads all ones */
		g[REG_RIP] += pre + ((op & 0x08) ? 1 : 2);
		return;
	}
	signal(sig, SIG_DFL);                               /* a real crash: let it happen */
}

static struct self_image si;

int main(void)
{
	static struct pv_l4_state state;
	struct pv_l4 l4 = { .pio = { .thunks = l4_pool, .thunks_size = POOL_BYTES,
				     .pio_entry = (uintptr_t)pv_l4_pio_entry, .acpi = &state.acpi } };
	struct sigaction sa = { 0 };
	struct pv_image img;
	struct pv_result r;
	unsigned n, np;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (self_image_load(&si))
		return 2;
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);

	state.magic = PV_L4_STATE_MAGIC;
	state.acpi = (struct pv_xen_acpi){ .pm1a_cnt = X_PM1A_CNT, .pm_tmr = X_PM_TMR, .pit2 = 1 };
	/* uvmm's kvm-clock page for a 3 GHz TSC: shift 5, mul = 2^32 / (3 * 32) */
	state.clock = (struct pv_pvclock){ .version = 2, .tsc_timestamp = __rdtsc(), .system_time = 1000000000ull,
					   .tsc_to_system_mul = 44739242, .tsc_shift = 5 };

	self_pio_sites(&si, "x_uart_puts", &l4.pio, &n, &np);
	check(n == 2 && np == 2, "x_uart_puts: %u %%dx sites, %u patched", n, np);
	self_pio_sites(&si, "x_kbc", &l4.pio, &n, &np);
	check(n == 1 && np == 1, "x_kbc: immediate port 0x64 goes through the blob: %u of %u", np, n);
	self_pio_sites(&si, "x_post", &l4.pio, &n, &np);
	check(n == 1 && np == 0, "x_post: immediate port 0x80 stays native: %u of %u", np, n);

	if (self_text_protect(&si, 1))
		return 2;
	pv_l4_slots.state = (uint64_t)(uintptr_t)&state;
	img = (struct pv_image){ .records = si.previrt, .size = si.previrt_size, .text = si.text, .ntext = si.ntext, PLAN };
	err = pv_patch_image(&img, &pv_backend_l4, &l4, &r);
	if (self_text_protect(&si, 0))
		return 2;
	check(err == PV_OK && r.npatched == l4.pio.used && r.npatched + r.nkept == r.nsites,
	      "l4 backend: %s, %u of %u sites patched, %u thunks", pv_error_name(err), r.npatched, r.nsites,
	      l4.pio.used);

	x_uart_puts("previrt on l4\r\n");
	check(nprinted == 14 && !memcmp(printed, "previrt on l4\n", 14) && vmmcalls == 14 && port_exits == 0,
	      "x_uart_puts: the line as %u vmmcall prints (%u calls), \\r dropped, %u port exits",
	      nprinted, vmmcalls, port_exits);
	check(x_uart_reg(5) == 0x60 && port_exits == 0, "LSR through a patched inb: 0x%02x, no exit", x_uart_reg(5));
	{
		uint64_t t0 = __rdtsc();
		uint32_t p0 = x_pm_timer();
		uint64_t t1 = __rdtsc();
		uint32_t lo = (uint32_t)pv_pm_ticks(pv_pvclock_ns(&state.clock, t0)) & 0xffffff;
		uint32_t hi = (uint32_t)pv_pm_ticks(pv_pvclock_ns(&state.clock, t1)) & 0xffffff;
		uint32_t p1, want;

		check(((p0 - lo) & 0xffffff) <= ((hi - lo) & 0xffffff) && port_exits == 0,
		      "PM timer = ticks(kvm-clock ns at the TSC): %u within [%u, %u], no exit", p0, lo, hi);
		t0 = __rdtsc();
		p0 = x_pm_timer();
		for (volatile int spin = 0; spin < 2000000; spin++)
			;
		p1 = x_pm_timer();
		t1 = __rdtsc();
		want = (uint32_t)((t1 - t0) * 3579545ull / 3000000000ull);
		check(((p1 - p0) & 0xffffff) > 0 && ((p1 - p0) & 0xffffff) <= want + 2 && p1 <= 0xffffff,
		      "PM timer: 24-bit, %u ticks while a 3 GHz TSC allows %u", (p1 - p0) & 0xffffff, want);
	}
	{
		uint8_t m0, m1, p61;
		uint64_t t0, t1;
		unsigned want;

		x_pit2_start();
		t0 = __rdtsc();
		m0 = x_pit2_msb();
		for (volatile int spin = 0; spin < 2000000; spin++)
			;
		m1 = x_pit2_msb();
		t1 = __rdtsc();
		want = (unsigned)((t1 - t0) * 1193182ull / 3000000000ull / 256);
		p61 = x_port61();
		check(port_exits == 0 && m0 == 0xff && (unsigned)(0xff - m1) <= want + 1 && (unsigned)(0xff - m1) + 1 >= want,
		      "PIT channel 2 as quick_pit_calibrate reads it: MSB 0x%02x -> 0x%02x (%u steps, a 3 GHz TSC says %u), no exit",
		      m0, m1, 0xff - m1, want);
		check((p61 & 0x03) == 0x01, "port 0x61: gate high, speaker off, without an exit (0x%02x)", p61);
		x_pit_cmd(0x34);                 /* channel 0, rate generator: the kernel's tick, uvmm's */
		check(port_exits == 1 && last_port == 0x43, "a channel-0 command reaches uvmm's PIT");
		port_exits = 0;
	}
	x_uart_puts("half a line ");
	x_uart_set(1, 0x02);                    /* IER.THRI: the tty path */
	check(nprinted == 26 && !memcmp(printed + 14, "half a line ", 12) && port_exits == 1 && last_port == X_COM1 + 1,
	      "IER.THRI set: the pending \"half a line \" printed first, the IER write reaches the device");
	x_uart_puts("ab");
	check(nprinted == 26 && port_exits == 5, "with IER set, LSR polls and THR writes reach the device (%u exits for 2 chars)",
	      port_exits - 1);
	{
		uint8_t m = x_uart_reg(6);        /* MSR, as the 8250 driver reads it in every tty interrupt */

		check(m == 0xff && port_exits == 6 && last_port == X_COM1 + 6,
		      "MSR without the loader's constant: the read reaches the device (0x%02x)", m);
		state.com1.msr = 0xb0, state.com1.msr_const = 1;   /* what the loader sets when two reads agree */
		m = x_uart_reg(6);
		check(m == 0xb0 && port_exits == 6, "MSR with the loader's constant, IER set: 0x%02x without an exit", m);
		x_uart_set(3, 0x80);              /* DLAB: MSR has no divisor alias */
		m = x_uart_reg(6);
		check(m == 0xb0 && port_exits == 7 && last_port == X_COM1 + 3,
		      "MSR with DLAB set: still the constant, no exit (only the LCR write exited)");
		x_uart_set(3, 0x03);
		check(x_uart_reg(5) == 0xff && port_exits == 9, "LSR on the tty path still reaches the device (its DR bit is input)");
		port_exits = 5;
	}
	x_uart_set(1, 0);
	check(port_exits == 6, "clearing IER reaches the device too");
	check(x_uart_reg(6) == 0xb0 && port_exits == 6, "MSR on the console path (IER 0): the constant, no exit");
	state.com1.msr_const = 0;
	nprinted = 14, port_exits = 0;
	x_pm1_control(0x1400);                   /* SLP_TYP 5 without SLP_EN: no statistics yet */
	check(nprinted == 14 && port_exits == 1, "PM1a without SLP_EN: nothing printed, the write exits");
	nprinted = 14, port_exits = 0;
	x_uart_puts("bye");
	check(nprinted == 14, "a line without its newline waits in the model");
	x_pm1_control(0x3400);                   /* SLP_TYP 5 | SLP_EN */
	printed[nprinted] = 0;
	check(nprinted > 17 && !memcmp(printed + 14, "bye", 3) && port_exits == 1 && last_port == X_PM1A_CNT,
	      "PM1a with SLP_EN: the pending \"bye\" printed first, then one exit at port 0x%x", last_port);
	check(!strncmp(printed + 17, "previrt-l4: port I/O answered in the kernel ", 44) && printed[nprinted - 1] == '\n',
	      "... after the statistics line: %.*s", (int)(nprinted - 18), printed + 17);
	x_post(0x42);
	check(port_exits == 2 && last_port == 0x80, "the native 0x80 site exits as compiled (port 0x%x)", last_port);
	check(other_vmmcalls == 0, "no vmmcall but print (uvmm stops the VM on any other)");
	check(state.chars == 29 && state.pio_passed == 13 && state.pio_emulated > 0,
	      "statistics: %llu printed, %llu answered by the blob, %llu passed to uvmm",
	      (unsigned long long)state.chars, (unsigned long long)state.pio_emulated,
	      (unsigned long long)state.pio_passed);
	check(cli_trapped == state.pio_emulated + state.pio_passed,
	      "every blob entry cleared IF (%u cli for %llu accesses)", cli_trapped,
	      (unsigned long long)(state.pio_emulated + state.pio_passed));
	return check_summary();
}
