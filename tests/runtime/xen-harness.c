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
 *
 * MMIO (xmmio.c, xen/mmio.c): with mmio_entry 0 no MMIO site is patched;
 * with it, every plain-mov site of xmmio.c is, and
 *   - readb/w/l/q, writeb/w/l/q, immediate stores, base + index * scale +
 *     disp, (%r13,%r12,2), index without base and absolute addresses
 *     inside a fake device window reach the test's model (offset, width,
 *     value recorded; loads get the model's values), the window's memory
 *     untouched; the page walk (xen/pagewalk.c over tables built here)
 *     finds the window's guest-physical address;
 *   - accesses outside every window, straddling a window's end, or not
 *     mapped by the tables run natively on real memory;
 *   - every destination register and width loads as the CPU does (the
 *     same load run natively on memory holding the model's value is the
 *     truth: 32 bits zero-extend, 8/16 merge, ah/ch/dh/bh), every source
 *     register stores its low bytes (or bits 8-15).
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
#include "xmmio.h"
#include "xen/pagewalk.h"

/* the plan's decisions, one bit per record (patch.h: the caller's memory) */
static uint64_t plan_bits[1 << 11];
#define PLAN .planned = plan_bits, .planned_len = sizeof plan_bits / 8

#define POOL_BYTES 32768
SELF_POOL(xen_pool, 32768);
extern struct pv_xen_slots pv_xen_slots;
extern char pv_xen_pio_entry[], pv_xen_mmio_entry[];

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
static unsigned console_calls, sleep_calls, shutdown_calls;
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

#include "xen-trap.h"

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

static struct self_image si;

/*
 * ---- the fake device: two pages at XM_DEV, guest-physical DEV_PHYS ----
 * Page tables (4-level) in `tables`, whose "physical" address 0 is the
 * buffer's start (the state's dmap_const), map exactly those two pages.
 * Window 0: the first page; window 1: the second page's first 0x100 bytes.
 */
#define DEV_PHYS 0xfebf0000ull
#define SENTINEL 0xee
static uint8_t tables[4 * 4096] __attribute__((aligned(4096)));

int pv_xen_mmio_phys(const struct pv_xen_state *st, uint64_t linear, uint64_t *phys)
{
	return pv_pt_walk(0, 0, pv_xen_direct_map(st), linear, phys);         /* CR3: table 0 */
}

static void map_device(void)
{
	uint64_t *pml4 = (uint64_t *)tables, *pdpt = pml4 + 512, *pd = pdpt + 512, *pt = pd + 512;

	pml4[(XM_DEV >> 39) & 511] = 1 * 4096 | 1;
	pdpt[(XM_DEV >> 30) & 511] = 2 * 4096 | 1;
	pd[(XM_DEV >> 21) & 511] = 3 * 4096 | 1;
	pt[(XM_DEV >> 12) & 511] = DEV_PHYS | 1;
	pt[((XM_DEV >> 12) & 511) + 1] = (DEV_PHYS + 4096) | 1;
}

/* ---- the test's device model: every access recorded, loads answered with known values ---- */
struct access { unsigned win, off, width, write; uint64_t val; };
#define LOG_MAX 1024
static struct access log_[LOG_MAX];
static unsigned nlog;

static uint64_t model_value(unsigned win, uint32_t off, unsigned width)
{
	uint64_t v = 0x8877665544332211ull + off * 0x0101010101010101ull + win * 0x1000;

	return width == 8 ? v : v & ((1ull << (8 * width)) - 1);
}

uint64_t pv_xen_model_read(struct pv_xen_state *st, unsigned win, uint32_t off, unsigned width)
{
	(void)st;
	if (nlog < LOG_MAX)
		log_[nlog++] = (struct access){ win, off, width, 0, 0 };
	return model_value(win, off, width);
}

void pv_xen_model_write(struct pv_xen_state *st, unsigned win, uint32_t off, unsigned width, uint64_t val)
{
	(void)st;
	if (nlog < LOG_MAX)
		log_[nlog++] = (struct access){ win, off, width, 1, val };
}

/*
 * The domU's devices behind the interrupt lines (xen/domu-dev.c in the
 * kernel): none here.  The harness plays dom0 (no shared_info), where
 * xen/domu-irq.c's entry points return before asking.
 */
int pv_domu_devs_event(struct pv_xen_state *st, uint32_t port)
{
	(void)st, (void)port;
	return 0;
}

int pv_domu_activate(struct pv_xen_state *st)
{
	(void)st;
	return -1;
}

void pv_domu_control(struct pv_xen_state *st)
{
	(void)st;
}

void pv_domu_control_sci(struct pv_xen_state *st)
{
	(void)st;
}

char *pv_domu_devs_stats(const struct pv_xen_state *st, char *b)
{
	(void)st;
	return b;
}

int pv_domu_devs_line(const struct pv_xen_state *st, int *level)
{
	(void)st;
	*level = 0;
	return -1;
}

/* exactly one access recorded since nlog was n0, and it is this one */
static int logged(unsigned n0, unsigned win, unsigned off, unsigned width, unsigned write, uint64_t val)
{
	const struct access *a = &log_[n0];

	return nlog == n0 + 1 && a->win == win && a->off == off && a->width == width && a->write == write &&
	       (!write || a->val == val);
}

static int untouched(const volatile uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != SENTINEL)
			return 0;
	return 1;
}

static const unsigned regs[] = { 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const char *const reg_names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					   "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

/* MMIO sites in the named functions and in load_N/store_N, and how many the backend patches */
static void xmmio_sites(const struct pv_xen *xen, const char *const *fns, unsigned nfns, unsigned *n, unsigned *np)
{
	unsigned a, b;
	char name[16];

	*n = *np = 0;
	for (unsigned i = 0; i < nfns + 2 * 16; i++) {
		if (i >= nfns && (i - nfns) % 16 == 4)
			continue;               /* no %rsp variant */
		if (i >= nfns)
			snprintf(name, sizeof name, "%s_%u", i - nfns < 16 ? "load" : "store", (i - nfns) % 16);
		self_mmio_sites(&si, i < nfns ? fns[i] : name, xen, &a, &b);
		*n += a, *np += b;
	}
}

/* The load of `width` bytes (0: into bits 8-15) of v into a register holding init, as the CPU does it. */
static uint64_t cpu_load(uint64_t init, unsigned width, uint64_t v)
{
	switch (width) {
	case 0: return (init & ~0xff00ull) | (v & 0xff) << 8;
	case 1: return (init & ~0xffull) | (v & 0xff);
	case 2: return (init & ~0xffffull) | (v & 0xffff);
	case 4: return (uint32_t)v;
	}
	return v;
}

static void mmio_tests(struct pv_xen_state *state)
{
	volatile uint8_t *dev = (volatile uint8_t *)XM_DEV;
	static volatile uint8_t ram[64] __attribute__((aligned(16)));
	static const unsigned widths[] = { 1, 2, 4, 8 };
	uint64_t passed0 = state->mmio_passed, emulated0 = state->mmio_emulated;
	unsigned bad, combos, n0, passes = 0;

	/* no windows (a domU's LAPIC EOI before any model): the blob passes at once */
	state->nmmio_win = 0;
	n0 = nlog;
	bad = xm_read(dev + 0x10, 4) != 0xeeeeeeee;
	passes++;
	state->nmmio_win = 2;
	check(!bad && nlog == n0, "no windows: an access inside what would be window 0 runs natively");

	/* each width through a base register */
	bad = 0;
	for (unsigned i = 0; i < 4; i++) {
		unsigned w = widths[i];
		uint64_t got;

		n0 = nlog;
		got = xm_read(dev + 0x10, w);
		bad += got != model_value(0, 0x10, w) || !logged(n0, 0, 0x10, w, 0, 0);
		n0 = nlog;
		xm_write(dev + 0x20, w, 0x0123456789abcdefull);
		bad += !logged(n0, 0, 0x20, w, 1, w == 8 ? 0x0123456789abcdefull : 0x0123456789abcdefull & ((1ull << (8 * w)) - 1));
	}
	check(!bad && untouched(dev, 4096), "readb/w/l/q and writeb/w/l/q in window 0 reach the model "
	      "(offset, width, value) and leave the window's memory alone (%u wrong)", bad);

	n0 = nlog;
	xm_store_imm(dev + 0x30);
	check(nlog == n0 + 4 && log_[n0].off == 0x30 && log_[n0].width == 1 && log_[n0].val == 0x5a &&
	      log_[n0 + 1].off == 0x32 && log_[n0 + 1].width == 2 && log_[n0 + 1].val == 0xbeef &&
	      log_[n0 + 2].off == 0x34 && log_[n0 + 2].width == 4 && log_[n0 + 2].val == 0x12345678 &&
	      log_[n0 + 3].off == 0x38 && log_[n0 + 3].width == 8 && log_[n0 + 3].val == 0xfffffffffffffffeull,
	      "immediate stores (movb/movw/movl/movq $imm): the model sees 0x5a, 0xbeef, 0x12345678, -2 sign-extended");

	n0 = nlog;
	bad = xm_read_indexed((volatile uint32_t *)dev, 3) != model_value(0, 0x14, 4) || !logged(n0, 0, 0x14, 4, 0, 0);
	n0 = nlog;
	xm_write_indexed((volatile uint32_t *)dev, 5, 0xcafe);
	bad += !logged(n0, 0, 0x1c, 4, 1, 0xcafe);
	n0 = nlog;
	bad += xm_read_r13_r12(dev + 0x100, 3) != model_value(0, 0x106, 2) || !logged(n0, 0, 0x106, 2, 0, 0);
	n0 = nlog;
	bad += xm_read_index_only(4) != model_value(0, 0x20, 8) || !logged(n0, 0, 0x20, 8, 0, 0);
	check(!bad, "base + index * 4 + 8 (read, write), (%%r13,%%r12,2), disp32 + index * 8 without a base: "
	      "the model gets the right offsets (%u wrong)", bad);

	n0 = nlog;
	bad = xm_read_abs() != model_value(0, 0x40, 4) || !logged(n0, 0, 0x40, 4, 0, 0);
	n0 = nlog;
	xm_write_abs(0x600d);
	bad += !logged(n0, 0, 0x44, 4, 1, 0x600d);
	check(!bad, "absolute addresses (mov 0x50000040,%%eax; mov %%edi,0x50000044) reach the model");

	n0 = nlog;
	bad = xm_read(dev + 0x1010, 4) != model_value(1, 0x10, 4) || !logged(n0, 1, 0x10, 4, 0, 0);
	check(!bad, "the second page, through its own page-table entry, is window 1 at offset 0x10");

	/* not a model: straddling window 1's end, past it, not mapped by the tables */
	n0 = nlog;
	dev[0x10fe] = 0x11, dev[0x10ff] = 0x22, dev[0x1100] = 0x33, dev[0x1101] = 0x44;
	bad = xm_read(dev + 0x10fe, 4) != 0x44332211;
	xm_write(dev + 0x1800, 4, 0x55667788);
	bad += dev[0x1800] != 0x88 || dev[0x1803] != 0x55;
	passes += 2;
	check(!bad && nlog == n0, "an access straddling window 1's end, and one past it, run natively on the memory");
	bad = 0;
	for (unsigned i = 0; i < 4; i++) {
		unsigned w = widths[i];

		memset((void *)ram, 0, sizeof ram);
		xm_write(ram + 8, w, 0xa1a2a3a4a5a6a7a8ull);
		bad += xm_read(ram + 8, 8) != (w == 8 ? 0xa1a2a3a4a5a6a7a8ull : 0xa1a2a3a4a5a6a7a8ull & ((1ull << (8 * w)) - 1));
		bad += xm_read(ram + 8, w) != (w == 8 ? 0xa1a2a3a4a5a6a7a8ull : 0xa1a2a3a4a5a6a7a8ull & ((1ull << (8 * w)) - 1));
		passes += 3;
	}
	check(!bad && nlog == n0, "memory the page tables do not map: every width runs natively (%u wrong)", bad);

	/* flags set before the site are there after it, emulated and native */
	bad = 0;
	for (uint64_t x = 4; x <= 6; x++) {
		uint64_t want = (x < 5) | (x == 5) << 1, got;

		n0 = nlog;
		got = xm_flags(dev + 0x50, x);
		bad += got != (want | model_value(0, 0x50, 4) << 8) || !logged(n0, 0, 0x50, 4, 0, 0);
		memcpy((void *)ram, "\x11\x22\x33\x44", 4);
		got = xm_flags(ram, x);
		bad += got != (want | 0x44332211ull << 8);
		passes++;
	}
	check(!bad, "flags survive an MMIO site, emulated and run natively (cmp ; movl ; setb ; sete; %u wrong)", bad);

	/*
	 * Every destination register and width: the truth is the same load run
	 * natively, from memory holding the model's value.
	 */
	bad = combos = 0;
	for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++) {
		for (unsigned w = 0; w <= 8; w++) {
			unsigned r = regs[i], off = 0x200 + r * 16;
			uint64_t init = 0xfedcba9876543210ull ^ (uint64_t)r << 56, mv, got, native;

			if ((w == 0 && r > 3) || w == 3 || (w > 4 && w < 8))
				continue;
			combos++;
			mv = model_value(0, off, w ? w : 1);
			memcpy((void *)ram, &mv, 8);
			native = xm_load_into(r, w, ram, init);
			passes++;
			n0 = nlog;
			got = xm_load_into(r, w, dev + off, init);
			if (got != native || got != cpu_load(init, w, mv) || !logged(n0, 0, off, w ? w : 1, 0, 0)) {
				if (bad++ < 5)
					printf("#   load %s width %u: got 0x%llx, native 0x%llx\n", w ? reg_names[r] :
					       (const char *[]){ "ah", "ch", "dh", "bh" }[r], w,
					       (unsigned long long)got, (unsigned long long)native);
			}
		}
	}
	check(!bad && combos == 64, "loads into all 15 registers x 4 widths + ah/ch/dh/bh (%u) agree with the CPU's "
	      "own load of the same value (%u wrong)", combos, bad);
	bad = combos = 0;
	for (unsigned i = 0; i < sizeof regs / sizeof regs[0]; i++) {
		for (unsigned w = 0; w <= 8; w++) {
			unsigned r = regs[i], off = 0x400 + r * 16;
			uint64_t v = 0x0f1e2d3c4b5a6978ull ^ (uint64_t)r << 8, native = 0;

			if ((w == 0 && r > 3) || w == 3 || (w > 4 && w < 8))
				continue;
			combos++;
			memset((void *)ram, 0, sizeof ram);
			xm_store_from(r, w, ram, v);
			memcpy(&native, (const void *)ram, w ? w : 1);
			passes++;
			n0 = nlog;
			xm_store_from(r, w, dev + off, v);
			if (!logged(n0, 0, off, w ? w : 1, 1, native) ||
			    native != (w == 0 ? (v >> 8) & 0xff : w == 8 ? v : v & ((1ull << (8 * w)) - 1)))
				bad++;
		}
	}
	check(!bad && combos == 64 && untouched(dev, 4096),
	      "stores from all 15 registers x 4 widths + ah/ch/dh/bh (%u) give the model what the CPU writes (%u wrong)",
	      combos, bad);
	check(state->mmio_emulated - emulated0 == nlog && state->mmio_passed - passed0 == passes,
	      "statistics: %llu MMIO accesses emulated (%u recorded by the model), %llu passed (%u expected)",
	      (unsigned long long)(state->mmio_emulated - emulated0), nlog,
	      (unsigned long long)(state->mmio_passed - passed0), passes);
}

int main(void)
{
	static struct pv_xen_state state;
	struct pv_xen xen = { .thunks = xen_pool, .thunks_size = POOL_BYTES,
			      .pio_entry = (uintptr_t)pv_xen_pio_entry, .acpi = &state.acpi };
	/* xmmio.c's functions with MMIO sites: these, and load_N/store_N for every register N but 4 */
	static const char *const mmio_fns[] = { "xm_read", "xm_write", "xm_store_imm", "xm_read_indexed",
						"xm_write_indexed", "xm_read_r13_r12", "xm_read_index_only",
						"xm_read_abs", "xm_write_abs", "xm_flags" };
	unsigned nm = 0, nmp = 0;
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

	/* MMIO: none without mmio_entry (dom0, every boot without models), every one of xmmio.c's with it */
	xmmio_sites(&xen, mmio_fns, sizeof mmio_fns / sizeof mmio_fns[0], &nm, &nmp);
	check(nm == 19 + 2 * (15 * 4 + 4) && nmp == 0, "mmio_entry 0: none of xmmio.c's %u MMIO sites is patched", nm);
	xen.mmio_entry = (uintptr_t)pv_xen_mmio_entry;
	nm = nmp = 0;
	xmmio_sites(&xen, mmio_fns, sizeof mmio_fns / sizeof mmio_fns[0], &nm, &nmp);
	check(nmp == nm, "mmio_entry set: %u of %u MMIO sites get a thunk", nmp, nm);
	state.dmap_const = (uint64_t)(uintptr_t)tables;
	state.nmmio_win = 2;
	state.mmio_win[0] = (struct pv_mmio_win){ DEV_PHYS, 4096, 7 };
	state.mmio_win[1] = (struct pv_mmio_win){ DEV_PHYS + 4096, 0x100, 9 };
	map_device();
	if (mmap((void *)XM_DEV, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		 -1, 0) != (void *)XM_DEV) {
		perror("xen-harness: mmap the fake device at 0x50000000");
		return 2;
	}
	memset((void *)XM_DEV, SENTINEL, 2 * 4096);

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
	check(err == PV_OK && r.npatched + (PV_XEN_MMIO_SLOTS - 1) * xen.nmmio == xen.used &&
	      r.npatched + r.nkept == r.nsites && xen.nmmio >= nm,
	      "xen backend: %s, %u of %u sites patched, %u thunk slots (%u MMIO thunks)", pv_error_name(err),
	      r.npatched, r.nsites, xen.used, xen.nmmio);
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
	mmio_tests(&state);
	check(cli_trapped == state.pio_emulated + state.pio_passed + state.mmio_emulated + state.mmio_passed &&
	      state.lock == 0 && state.lock_timeouts == 0,
	      "every blob entry cleared IF (%u cli for %llu accesses) and left the models' lock free",
	      cli_trapped, (unsigned long long)(state.pio_emulated + state.pio_passed + state.mmio_emulated +
						 state.mmio_passed));
	return check_summary();
}
