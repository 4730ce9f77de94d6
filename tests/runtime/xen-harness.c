/* SPDX-License-Identifier: MIT */
/*
 * The Xen backend in user space: patch this program's own plugin-compiled
 * port I/O (xprog.c) with patch/xen.c, run the handler blob (xen/pio.c,
 * xen/uart16550.c, xen/entry.S, linked in as they are) whose hypercalls
 * are the real vmcall/vmmcall instructions, trapped by a signal handler
 * that plays Xen, and check what "Xen" was asked to do.
 *
 *   - which sites the backend patches: every %dx in/out, an immediate port
 *     only when it is emulated (0x64 yes, 0x80 no), text outside sites
 *     untouched;
 *   - the UART: bytes written by x_uart_puts reach console_io as one line,
 *     LSR says THRE|TEMT, the scratch register keeps its value;
 *   - flags and registers around a patched site are as before;
 *   - the PM timer counts at 3.579545 MHz of the TSC it is given;
 *   - PM1 control with SLP_EN -> XENPF_enter_acpi_sleep(S5), i8042 0xfe ->
 *     SCHEDOP_shutdown(reboot);
 *   - the blob's statistics count what it answered.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <x86intrin.h>

#include <xen/xen.h>
#include <xen/platform.h>
#include <xen/sched.h>

#include "patch/backend.h"
#include "selfimage.h"
#include "check.h"
#include "xen/hypercall.h"
#include "xen/xen-rt.h"
#include "xprog.h"

/* the plan's decisions, one bit per record (patch.h: the caller's memory) */
static uint64_t plan_bits[1 << 11];
#define PLAN .planned = plan_bits, .planned_len = sizeof plan_bits / 8

#define POOL_BYTES 16384
SELF_POOL(xen_pool, 16384);
extern struct pv_xen_slots pv_xen_slots;
extern char pv_xen_pio_entry[];

/*
 * ---- "Xen": the blob's real vmcall/vmmcall, trapped ----
 * In user space both instructions fault (#UD -> SIGILL, or SIGSEGV under
 * some hypervisors); the handler reads the call from the registers as Xen
 * would (rax nr; rdi, rsi, rdx, r10, r8), answers in rax, poisons the five
 * argument registers as Xen's debug builds do (so a wrapper that forgot a
 * clobber breaks the caller), and steps past the 3-byte instruction.
 * Some hypervisors answer a CPL-3 vmcall themselves (KVM: rax = -1, no
 * fault); the harness then runs the blob with the instruction that does
 * trap, and says so.  The entry's `cli` faults too (#GP at CPL 3): the
 * handler counts it and steps past it, as the CPU would at CPL 0.
 */
static char console[4096];
static size_t console_len;
static unsigned console_calls, sleep_calls, shutdown_calls, trapped[2], cli_trapped;
static struct xenpf_enter_acpi_sleep last_sleep;
static unsigned last_shutdown = ~0u;

static long fake_hypercall(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	if (nr == __HYPERVISOR_console_io && a1 == CONSOLEIO_write && console_len + a2 < sizeof console) {
		memcpy(console + console_len, (const void *)(uintptr_t)a3, a2);
		console_len += a2;
		console_calls++;
	} else if (nr == __HYPERVISOR_platform_op) {
		const struct xen_platform_op *op = (const void *)(uintptr_t)a1;

		if (op->cmd == XENPF_enter_acpi_sleep && op->interface_version == XENPF_INTERFACE_VERSION)
			last_sleep = op->u.enter_acpi_sleep, sleep_calls++;
	} else if (nr == __HYPERVISOR_sched_op && a1 == SCHEDOP_shutdown) {
		last_shutdown = ((const struct sched_shutdown *)(uintptr_t)a2)->reason;
		shutdown_calls++;
	} else if (nr == 0x7fff) {
		return 0x600d;                                /* the probe */
	}
	return 0;
}

static void on_trap(int sig, siginfo_t *info, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;
	const uint8_t *ip = (const uint8_t *)(uintptr_t)g[REG_RIP];
	int amd;

	(void)info;
	if (ip[0] == 0xfa) {                                 /* the entry's cli: privileged at CPL 3 */
		cli_trapped++;
		g[REG_RIP] += 1;
		return;
	}
	if (ip[0] != 0x0f || ip[1] != 0x01 || (ip[2] != 0xc1 && ip[2] != 0xd9)) {
		signal(sig, SIG_DFL);                         /* a real crash: let it happen */
		return;
	}
	amd = ip[2] == 0xd9;
	trapped[amd]++;
	g[REG_RAX] = fake_hypercall((unsigned)g[REG_RAX], (uint64_t)g[REG_RDI], (uint64_t)g[REG_RSI],
				    (uint64_t)g[REG_RDX]);
	g[REG_RDI] = g[REG_RSI] = g[REG_RDX] = g[REG_R10] = g[REG_R8] = (greg_t)0xdeadbeefdeadbeefull;
	g[REG_RIP] += 3;
}

/*
 * The mapping holding `addr` made read-only+exec (writable 0) or writable
 * too.  The harness's text mapping is writable (the blob's pv_xen_slots
 * lives in its .text); KVM on Intel emulates a vmmcall in a writable page
 * by rewriting it into vmcall in place, so the hypercalls run read-only.
 */
static void text_mode(uintptr_t addr, int writable)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi;
	char line[512];

	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi) {
			if (mprotect((void *)lo, hi - lo, PROT_READ | PROT_EXEC | (writable ? PROT_WRITE : 0)))
				perror("xen-harness: mprotect");
			break;
		}
	if (f)
		fclose(f);
}

/* Which hypercall instruction traps here: 1 vmmcall, 0 vmcall, -1 neither. */
__attribute__((noinline)) static int probe_instruction(void)
{
	struct sigaction sa = { 0 };

	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	for (int amd = 1; amd >= 0; amd--) {
		unsigned before = trapped[amd];
		long r = pv_xen_hypercall3((uint64_t)amd, 0x7fff, 1, 2, 3);

		printf("# %s in user space: %s (rax 0x%lx)\n", amd ? "vmmcall" : "vmcall",
		       trapped[amd] > before ? "faults, trapped" : "answered by the host's hypervisor", r);
		if (trapped[amd] > before && r == 0x600d)
			return amd;
	}
	return -1;
}

static struct self_image si;

int main(void)
{
	static struct pv_xen_state state;
	struct pv_xen xen = { .thunks = xen_pool, .thunks_size = POOL_BYTES,
			      .pio_entry = (uintptr_t)pv_xen_pio_entry, .acpi = &state.acpi };
	struct pv_image img;
	struct pv_result r;
	uint8_t *post_before, post_copy[16];
	uintptr_t post_s, post_e;
	unsigned n, np;
	int err, insn;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (self_image_load(&si))
		return 2;

	state.magic = PV_XEN_STATE_MAGIC;
	state.acpi = (struct pv_xen_acpi){ .pm1a_cnt = X_PM1A_CNT, .pm_tmr = X_PM_TMR, .reset_port = 0xcf9,
					   .reset_value = 6 };
	state.pm_per_tsc = ((uint64_t)PV_PM_TIMER_HZ << 32) / 3000000000ull;   /* a 3 GHz TSC */
	pv_uart_reset(&state.com1);

	/* which sites the backend takes */
	self_pio_sites(&si, "x_uart_puts", &xen, &n, &np);
	check(n == 2 && np == 2, "x_uart_puts: %u %%dx sites, %u patched", n, np);
	self_pio_sites(&si, "x_kbc", &xen, &n, &np);
	check(n == 1 && np == 1, "x_kbc: immediate port 0x64 is emulated: %u of %u patched", np, n);
	self_pio_sites(&si, "x_post", &xen, &n, &np);
	check(n == 1 && np == 0, "x_post: immediate port 0x80 is not: %u of %u patched", np, n);

	if (self_function("x_post", &post_s, &post_e))
		return 2;
	post_before = (uint8_t *)post_s;
	memcpy(post_copy, post_before, sizeof post_copy);

	if (self_text_protect(&si, 1))
		return 2;
	pv_xen_slots.state = (uint64_t)(uintptr_t)&state;

	img = (struct pv_image){ .records = si.previrt, .size = si.previrt_size, .text = si.text, .ntext = si.ntext, PLAN };
	err = pv_patch_image(&img, &pv_backend_xen, &xen, &r);
	if (self_text_protect(&si, 0))
		return 2;
	/*
	 * Probe only now, with the text read-only again: KVM on Intel emulates
	 * a vmmcall by rewriting it into vmcall in place when the page is
	 * writable (and faults when it is not).
	 */
	text_mode((uintptr_t)pv_xen_pio_entry, 0);
	insn = probe_instruction();
	check(insn >= 0, "one hypercall instruction traps in user space (%s)",
	      insn < 0 ? "none" : insn ? "vmmcall" : "vmcall");
	if (insn < 0)
		return check_summary();
	text_mode((uintptr_t)pv_xen_pio_entry, 1);
	pv_xen_slots.vmmcall = (uint64_t)insn;
	text_mode((uintptr_t)pv_xen_pio_entry, 0);
	check(err == PV_OK && r.npatched == xen.used && r.npatched + r.nkept == r.nsites,
	      "xen backend: %s, %u of %u sites patched, %u thunks", pv_error_name(err), r.npatched, r.nsites,
	      xen.used);
	check(!memcmp(post_copy, post_before, sizeof post_copy), "x_post's native site is byte for byte as compiled");

	/* run the patched code: nothing here may reach a real port */
	x_uart_puts("previrt on xen\r\n");
	check(console_len == 15 && !memcmp(console, "previrt on xen\n", 15) && console_calls == 1,
	      "x_uart_puts: one console_io call with the line, \\r dropped (%zu bytes, %u calls)",
	      console_len, console_calls);
	check(x_uart_reg(5) == 0x60, "LSR through a patched inb: 0x%02x", x_uart_reg(5));
	{
		uint64_t lt = x_flags(4), eq = x_flags(5), gt = x_flags(6);

		check((lt & 0xff) == 1 && (eq & 0xff) == 2 && (gt & 0xff) == 0 && (lt >> 8) == 0x5a,
		      "flags survive a patched out (below %llu, equal %llu, above %llu); scratch register 0x%02llx",
		      (unsigned long long)(lt & 0xff), (unsigned long long)(eq & 0xff),
		      (unsigned long long)(gt & 0xff), (unsigned long long)(lt >> 8));
	}
	{
		uint64_t t0 = __rdtsc();
		uint32_t p0 = x_pm_timer();
		uint32_t p1, want;
		uint64_t t1;

		for (volatile int spin = 0; spin < 2000000; spin++)
			;
		p1 = x_pm_timer();
		t1 = __rdtsc();
		want = (uint32_t)((((unsigned __int128)(t1 - t0)) * state.pm_per_tsc) >> 32);
		check(((p1 - p0) & 0xffffff) > 0 && ((p1 - p0) & 0xffffff) <= want + 2 && p0 <= 0xffffff,
		      "PM timer: 24-bit, %u ticks while the TSC (3 GHz model) allows %u", (p1 - p0) & 0xffffff, want);
	}
	x_pm1_control(0x3400);                   /* SLP_TYP 5 | SLP_EN */
	check(sleep_calls == 1 && last_sleep.val_a == 0x3400 && last_sleep.sleep_state == 5,
	      "PM1a with SLP_EN: XENPF_enter_acpi_sleep(val_a 0x%x, S%u)", last_sleep.val_a,
	      last_sleep.sleep_state);
	check(shutdown_calls == 1 && last_shutdown == SHUTDOWN_poweroff,
	      "... and SCHEDOP_shutdown(poweroff) if Xen returns from it");
	x_kbc(0xfe);
	check(shutdown_calls == 2 && last_shutdown == SHUTDOWN_reboot, "i8042 0xfe: SCHEDOP_shutdown(reboot)");
	check(trapped[insn] == 1 + console_calls + sleep_calls + shutdown_calls,
	      "every call reached \"Xen\" through the real %s instruction (%u trapped)",
	      insn ? "vmmcall" : "vmcall", trapped[insn]);
	check(state.pio_emulated > 0 && state.pio_passed == 0,
	      "the blob answered %llu accesses itself and passed none to a real port",
	      (unsigned long long)state.pio_emulated);
	check(cli_trapped == state.pio_emulated + state.pio_passed && state.lock == 0 && state.lock_timeouts == 0,
	      "every blob entry cleared IF (%u cli for %llu accesses) and left the models' lock free",
	      cli_trapped, (unsigned long long)(state.pio_emulated + state.pio_passed));
	return check_summary();
}
