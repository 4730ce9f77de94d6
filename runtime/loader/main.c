/* SPDX-License-Identifier: MIT */
/*
 * previrt-loader: the in-place VMM loader.
 *
 *   boot modules: 1. the annotated vmlinux (ELF), 2. the initramfs (optional)
 *                 or one bundle (runtime/mkbundle) holding both
 *   started by:   a multiboot loader (QEMU -kernel, GRUB), Xen as a PVH
 *                 dom0 (loader/pvh.c turns Xen's start info into the same
 *                 multiboot information), or Linux's 32-bit boot protocol
 *                 as uvmm starts an ELF guest (loader/linuxboot.c: the
 *                 ramdisk is the one module, a bundle)
 *   command line: passed to the kernel unchanged; the loader reads
 *       previrt.backend=native|profile|xen   (default: by the detected VMM)
 *       previrt.verbose                  more detail on the console
 *
 * Steps: console -> boot information (checked) -> modules, bundle -> ELF
 * headers (checked) -> move modules out of the kernel's way -> sections,
 * symbols, __ex_table (checked) -> PT_LOAD destinations against the
 * loader, the modules and usable RAM -> backend (checks only) -> validate
 * every .previrt record against the file's bytes -> only now: copy the
 * segments, set the backend up in the kernel's pool, patch (all or
 * nothing) -> boot_params -> startup_64.
 * Any failure prints one "previrt-loader: FATAL: <field>: <what>" line and
 * halts: the kernel is never started half-patched, and nothing is written
 * into the kernel's memory before every check has passed.
 */
#include "detect/vmm.h"
#include "loader/acpi.h"
#include "loader/bootinfo.h"
#include "loader/prepare.h"
#include "loader/bootparams.h"
#include "loader/console.h"
#include "loader/domudev.h"
#include "loader/elfimage.h"
#include "loader/linuxboot.h"
#include "loader/multiboot.h"
#include "loader/madt.h"
#include "loader/acpis5.h"
#include "loader/pvh.h"
#include "loader/resident.h"
#include "patch/backend.h"
#include "xen/consout.h"
#include "xen/domu-dev.h"
#include "xen/domu-devs.h"
#include "xen/hypercall.h"
#include "xen/xen-rt.h"
#include "l4/l4-rt.h"

void *memmove(void *d, const void *s, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void pv_enter_kernel(uint64_t entry, void *boot_params) __attribute__((noreturn));
extern char __load_start[], __bss_end[];
/* the Xen handler blob (loader.lds) and two places inside it */
extern char __xenblob_start[], __xenblob_end[], pv_xen_pio_entry[], pv_xen_mmio_entry[], pv_xen_slots[];
/* the L4 handler blob (loader.lds) and its two places */
extern char __l4blob_start[], __l4blob_end[], pv_l4_pio_entry[], pv_l4_slots[];

static struct pvh_boot pvh;           /* set when Xen started us (PVH) */
static char cmdline_xen[2048];        /* the command line plus what the Xen backend adds */

static uint64_t overlap_scratch[1 << 16];
static uint64_t plan_bits[1 << 12];          /* the plan's decisions: 2^18 records */

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static __attribute__((noreturn)) void fatal(const char *what, const char *detail)
{
	con_printf("previrt-loader: FATAL: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	con_printf("previrt-loader: the kernel is not started\n");
	if (pvh.xen)                          /* on Xen: end the domain, visibly */
		pv_xen_shutdown(pvh.vmmcall, SHUTDOWN_crash);
	/* QEMU with -device isa-debug-exit: leave with status 3; elsewhere a no-op port */
	outb(0xf4, 1);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static __attribute__((noreturn)) void fatal_err(const struct pv_err *e)
{
	fatal(e->field, e->what);
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/*
 * Multiboot loaders (GRUB, QEMU) put the image's own path first on the
 * command line; it is not a kernel parameter.
 */
static const char *skip_image_path(const char *c)
{
	const char *w = c;

	while (*w == ' ')
		w++;
	for (const char *p = w; *p && *p != ' '; p++) {
		if (*p == '=')
			return c;
		if (*p == '/') {
			while (*p && *p != ' ')
				p++;
			while (*p == ' ')
				p++;
			return p;
		}
	}
	return c;
}

static void profile_site_table(const struct pv_image *img, const struct elfimage *im,
			       const struct pv_profile *st)
{
	/*
	 * For the counts: one line per counter on the debug console, in
	 * counter order, so that a dump of the counters (QEMU pmemsave)
	 * can be turned into previrt-report --profile input.
	 */
	char line[80];
	unsigned nrec = pv_nrecords(img), n = 0;
	uint64_t phys = (uint64_t)(uintptr_t)st->counters;

	con_printf("previrt-loader: profile: %u counters at physical 0x%lx\n", st->used, (unsigned long)phys);
	/* "# counters 0xPHYS N" (runtime/qemu-profile reads it) */
	for (const char *h = "# counters 0x"; *h; h++)
		line[n++] = *h;
	for (int sh = 60; sh >= 0; sh -= 4)
		line[n++] = "0123456789abcdef"[(phys >> sh) & 15];
	line[n++] = ' ';
	n += pv_fmt_dec(line + n, st->used);
	line[n++] = '\n';
	dbg_write(line, n);
	for (unsigned i = 0; i < nrec; i++) {
		struct pv_site s = { 0 };
		unsigned len = 0;
		uint64_t va;

		if (pv_record(img, i)->kind == PREVIRT_KIND_HEADER)
			continue;
		if (!pv_site_planned(img, i))   /* patched now: the plan's recorded decision says which */
			continue;
		pv_site_at(img, i, &s);
		if (!s.rule)
			continue;
		va = (uint64_t)(uintptr_t)s.addr - (uint64_t)im->v2p;
		line[len++] = '0', line[len++] = 'x';
		for (int sh = 60; sh >= 0; sh -= 4)
			line[len++] = "0123456789abcdef"[(va >> sh) & 15];
		line[len++] = ' ';
		for (const char *k = s.rule->name; *k && len < 40; k++)
			line[len++] = *k;
		/* and where it jumps now (its thunk: which pool, so which zone), virtual too */
		va = (uint64_t)pv_jmp_target(s.addr, (uintptr_t)s.addr) - (uint64_t)im->v2p;
		line[len++] = ' ', line[len++] = '0', line[len++] = 'x';
		for (int sh = 60; sh >= 0; sh -= 4)
			line[len++] = "0123456789abcdef"[(va >> sh) & 15];
		line[len++] = '\n';
		dbg_write(line, len);
	}
}

/* What a backend's setup works with. */
struct loader_ctx {
	const struct elfimage  *im;
	const struct pv_vmm_info *vmm;
	const char             *name;
	const char             *cmdline;      /* setup may extend it (xen: tsc_early_khz=) */
	const struct pv_backend *be;
	void                   *state;
	uint64_t pool, pool_end, cnt, cnt_end;   /* physical: the handler pool and counters */
	struct pv_profile       prof;
	struct pv_xen           xen;
	struct pv_l4            l4;
	uint32_t                tsc_khz;
	const struct bootinfo  *bi;           /* memory map, modules */
	struct blob             self;         /* the loader's own image */
	uint64_t                setup_data;   /* boot_params.hdr.setup_data (a Xen domU's runtime area) */
	struct res_plan         res;          /* the resident module patcher (res.ncalls: installed) */
};

/* The handler pool and counters the compiler plugin reserves in vmlinux (lib/pool.h). */
static void find_pool(struct loader_ctx *c)
{
	c->pool = elfimage_symbol(c->im, "previrt_pool");
	c->pool_end = elfimage_symbol(c->im, "previrt_pool_end");
	c->cnt = elfimage_symbol(c->im, "previrt_counters");
	c->cnt_end = elfimage_symbol(c->im, "previrt_counters_end");
	if (!c->pool || !c->cnt || c->pool_end <= c->pool || c->cnt_end <= c->cnt) {
		con_printf("previrt-loader: backend %s needs a handler pool in the kernel image\n", c->name);
		fatal("previrt_pool/previrt_counters symbols", "absent or empty: build with -fplugin=previrt (pool=BYTES above 0)");
	}
	if (c->pool < c->im->lo || c->pool_end > c->im->hi || c->cnt < c->im->lo || c->cnt_end > c->im->hi)
		fatal("previrt_pool/previrt_counters symbols", "outside the kernel's loaded segments");
	{
		/* thunks go into executable text; the counters must not be code or records */
		int pool_in_text = 0;

		for (unsigned i = 0; i < c->im->ntext; i++) {
			const struct pv_range *t = &c->im->text[i];

			pool_in_text |= pv_in(t->start, t->end - t->start, c->pool, c->pool_end - c->pool);
			if (pv_overlaps(t->start, t->end - t->start, c->cnt, c->cnt_end - c->cnt))
				fatal("previrt_counters symbols", "overlap executable text");
		}
		if (!pool_in_text)
			fatal("previrt_pool symbols", "not inside one executable section");
		if (pv_overlaps(c->im->previrt, c->im->previrt_size, c->pool, c->pool_end - c->pool) ||
		    pv_overlaps(c->im->previrt, c->im->previrt_size, c->cnt, c->cnt_end - c->cnt))
			fatal("previrt_pool/previrt_counters symbols", "overlap .previrt");
	}
	con_printf("previrt-loader: pool 0x%lx (%lu bytes), counters 0x%lx (%lu bytes)\n",
		   (unsigned long)c->pool, (unsigned long)(c->pool_end - c->pool),
		   (unsigned long)c->cnt, (unsigned long)(c->cnt_end - c->cnt));
}

/*
 * Modules (loader/resident.c): when the kernel loads modules, the resident
 * patcher takes the end of the pool and of the counters, so the backend
 * gets what is before them.  Checked before anything is written.
 */
static void plan_modules(struct loader_ctx *c)
{
	struct pv_err e;

	if (resident_check(c->im, c->pool, c->pool_end, c->cnt, c->cnt_end, &c->res, &e))
		fatal_err(&e);
	if (!c->res.ncalls) {
		con_printf("previrt-loader: modules: the kernel has no module_finalize: no module support to hook\n");
		return;
	}
	c->pool_end = c->res.at;
	c->cnt_end = c->res.state;
}

static void setup_native(struct loader_ctx *c, int commit)
{
	/* native patches no site, but modules are still validated at load when there is a pool */
	if (commit || !elfimage_symbol(c->im, "previrt_pool"))
		return;
	find_pool(c);
	plan_modules(c);
}

static void setup_profile(struct loader_ctx *c, int commit)
{
	if (commit)
		return;                          /* plan fills the pool, after validation */
	find_pool(c);
	plan_modules(c);
	c->prof = (struct pv_profile){ .pool = (uint8_t *)(uintptr_t)c->pool, .pool_size = c->pool_end - c->pool,
				       /* checked inside the noinstr zone by elfimage_zones */
				       .noinstr_pool = (uint8_t *)(uintptr_t)c->im->noinstr_pool,
				       .noinstr_pool_size = c->im->noinstr_pool_end - c->im->noinstr_pool,
				       .counters = (uint64_t *)(uintptr_t)c->cnt,
				       .ncounters = (unsigned)((c->cnt_end - c->cnt) / 8) };
	con_printf("previrt-loader: noinstr pool 0x%lx (%lu bytes)%s\n", (unsigned long)c->im->noinstr_pool,
		   (unsigned long)c->prof.noinstr_pool_size,
		   c->im->noinstr_pool_unzoned ? ", unused: the kernel names no noinstr zone" :
		   c->prof.noinstr_pool_size ? "" : ": none, noinstr sites stay native");
	c->state = &c->prof;
}

/*
 * A kernel without Xen support calibrates its TSC against the PIT, which
 * Xen keeps for itself; the PM timer model works, but under emulation
 * (QEMU TCG) its reads can be too slow for the kernel's tolerance.  Xen
 * knows the TSC frequency, so the loader hands it over as the kernel's
 * own boot parameter (unless the command line already sets it).
 */
static const char *tsc_cmdline(const char *cmdline, uint32_t tsc_khz, const char *who)
{
	char v[16];
	unsigned n = 0, added;

	if (!tsc_khz || pv_cmdline_get(cmdline, "tsc_early_khz", v, sizeof v) >= 0)
		return cmdline;
	while (cmdline[n] && n + 40 < sizeof cmdline_xen) {
		cmdline_xen[n] = cmdline[n];
		n++;
	}
	added = n + 1;
	for (const char *a = " tsc_early_khz="; *a; a++)
		cmdline_xen[n++] = *a;
	n += (unsigned)pv_fmt_dec(cmdline_xen + n, tsc_khz);
	cmdline_xen[n] = 0;
	con_printf("previrt-loader: %s: kernel parameter added: %s\n", who, cmdline_xen + added);
	return cmdline_xen;
}

/* Add " text" to the kernel's command line (in cmdline_xen); a line too long for it stops the boot. */
static void cmdline_append(struct loader_ctx *c, const char *text)
{
	size_t n = 0;

	if (c->cmdline != cmdline_xen) {
		while (c->cmdline[n] && n + 1 < sizeof cmdline_xen) {
			cmdline_xen[n] = c->cmdline[n];
			n++;
		}
		cmdline_xen[n] = 0;
		c->cmdline = cmdline_xen;
	}
	while (cmdline_xen[n])
		n++;
	for (; *text; text++) {
		if (n + 1 >= sizeof cmdline_xen)
			fatal("kernel command line", "too long for what the loader must add to it");
		cmdline_xen[n++] = *text;
	}
	cmdline_xen[n] = 0;
}

/*
 * A domU's disk and NIC (loader/domudev.h): the runtime area away from the
 * kernel, its modules and the loader; the kernel gets it as setup_data,
 * the blob its address and how to reach the kernel's direct map.
 */
static void domu_devices(struct loader_ctx *c, struct pv_xen_state *xs)
{
	const struct bootinfo *bi = c->bi;
	struct domudev_avoid avoid[] = {
		{ c->im->lo, c->im->hi - c->im->lo }, { bi->kernel.start, bi->kernel.size },
		{ bi->initrd.start, bi->initrd.size }, { c->self.start, c->self.size },
		{ bi->mods_array.start, bi->mods_array.size }, { bi->mmap.start, bi->mmap.size },
	};
	static struct domudev_result r;
	const char *why;
	uint64_t pob;

	if (domudev_setup(pvh.vmmcall, bi, avoid, sizeof avoid / sizeof avoid[0], &r, &why))
		fatal("xen domU disk/NIC", why);
	if (!r.area)
		return;
	c->setup_data = r.area;
	xs->devs_pa = r.area;
	/* CONFIG_DYNAMIC_MEMORY_LAYOUT kernels set page_offset_base at boot; others use __PAGE_OFFSET_BASE_L4 */
	pob = elfimage_symbol(c->im, "page_offset_base");
	xs->dmap_var = pob ? pob - (uint64_t)c->im->v2p : 0;
	xs->dmap_const = 0xffff888000000000ull;
	cmdline_append(c, r.cmdline);
	/*
	 * The windows, one per device at a fixed index (PV_DOMU_WIN_*, the
	 * index domu-dev.c routes by; an absent device's window is empty),
	 * and the MMIO thunks that reach them (patch/xen.c): only now, so a
	 * domU without devices, and dom0, keep every MMIO site native.
	 */
	{
		const struct pv_domu_devs *d = (const void *)(uintptr_t)r.area;

		/* xl shutdown presses a power button the blob models (xen/domu-control.c) */
		if (d->store.present) {
			int pb = acpi_fadt_power_button(pvh.rsdp, d->irq, &xs->acpi);

			con_printf("previrt-loader: xen: domU: %s\n", pb > 0 ?
				   "xl shutdown -> XenStore watch -> ACPI fixed power button (FADT: PWR_BUTTON cleared, SCI on the devices' IRQ)" :
				   "no PM1a event block in the FADT: xl shutdown is not answered");
		}
		if (!d->blk.present && !d->net.present)
			goto params;
		xs->nmmio_win = PV_DOMU_WINDOWS;
		for (unsigned w = 0; w < PV_DOMU_WINDOWS; w++) {
			xs->mmio_win[w].base = d->mmio_base + (uint64_t)w * PV_DOMU_WIN_SIZE;
			xs->mmio_win[w].model = (uint8_t)w;
		}
		xs->mmio_win[PV_DOMU_WIN_BLK].size = d->blk.present ? PV_DOMU_WIN_SIZE : 0;
		xs->mmio_win[PV_DOMU_WIN_NET].size = d->net.present ? PV_DOMU_WIN_SIZE : 0;
		c->xen.mmio_entry = align_up(c->pool, 64) + (uint64_t)(pv_xen_mmio_entry - __xenblob_start);
	}
params:
	con_printf("previrt-loader: xen: domU: kernel parameters added:%s; direct map %s\n", r.cmdline,
		   pob ? "from page_offset_base" : "at __PAGE_OFFSET (0xffff888000000000)");
}

/*
 * A handler blob's place (Xen, L4): the blob at the pool's start (64-byte
 * aligned), the thunks after it, the state at the counters' start.  Finds
 * the pool, leaves the modules' part out of it, checks both sizes; returns
 * where the thunks begin.
 */
static uint64_t plan_blob(struct loader_ctx *c, uint64_t blob_size, uint64_t state_size, const char *who)
{
	uint64_t thunks;

	find_pool(c);
	plan_modules(c);
	thunks = align_up(align_up(c->pool, 64) + blob_size, 64);
	if (thunks + PV_XEN_THUNK > c->pool_end) {
		con_printf("previrt-loader: the %s backend needs a larger handler pool\n", who);
		fatal("previrt_pool", "too small for the backend's blob and one thunk");
	}
	if (c->cnt_end - c->cnt < state_size) {
		con_printf("previrt-loader: the %s backend needs more counters space\n", who);
		fatal("previrt_counters", "too small for the backend's state");
	}
	return thunks;
}

/*
 * A domU's console ring inside the kernel image.  The blob runs on the
 * kernel's page tables, which map the kernel image and RAM but not the
 * reserved frame where the domain builder put the ring; so the loader
 * moves the ring's page (XENMEM_add_to_physmap) to a page-aligned frame of
 * the counters area, after the blob's state, where the kernel's own
 * mapping of its image covers it.  The move keeps the page itself, so
 * xenconsoled's mapping of it stays valid, but xenconsoled maps it only
 * once, when it connects: the loader waits for that (the console event
 * channel bound interdomain) before it moves anything.  Returns the
 * ring's new (physical) address.
 */
static struct pv_xen_state *domu_state;  /* handed the loader's ring at kernel entry */

static uint64_t domu_ring_page(const struct loader_ctx *c)
{
	return align_up(c->cnt + sizeof(struct pv_xen_state), 4096);
}

static void domu_move_ring(struct loader_ctx *c, struct pv_xen_state *xs)
{
	struct pv_consring *r = pvh_console_ring();
	uint64_t page = domu_ring_page(c), from = r->intf >> 12;
	unsigned waits = 0;
	long st;

	while ((st = pv_xen_evtchn_status(pvh.vmmcall, r->port)) == EVTCHNSTAT_unbound && waits++ < PV_CONSOUT_PATIENCE)
		pv_xen_yield(pvh.vmmcall);
	if (st != EVTCHNSTAT_interdomain)
		fatal("console event channel", "xenconsoled never connected to the domU's console ring");
	if (pv_xen_move_frame(pvh.vmmcall, from, page >> 12) < 0)
		fatal("XENMEM_add_to_physmap", "Xen refused to move the console ring into the kernel image");
	r->intf = page;                          /* the loader goes on printing through it */
	xs->domu = 1;
	domu_state = xs;
	con_printf("previrt-loader: xen: domU: console ring moved from frame 0x%lx into the kernel image at 0x%lx "
		   "(xenconsoled connected after %u yields), event channel %u\n", (unsigned long)from,
		   (unsigned long)page, waits, r->port);
}

/*
 * A domU's shared_info page, for COM1's interrupt (xen/pio.c): mapped at
 * the frame after the console ring, inside the kernel image, where the
 * blob reaches it.  Every event channel but the console's is masked: the
 * upcall flag is IRQ 4's level, and console input raises it.  0, or -1
 * when Xen refused.
 */
static int domu_shared_info(struct loader_ctx *c, struct pv_xen_state *xs)
{
	uint64_t page = domu_ring_page(c) + 4096;
	struct shared_info *sh = (struct shared_info *)(uintptr_t)page;

	if (pv_xen_map_shared_info(pvh.vmmcall, page >> 12) < 0)
		return -1;
	for (unsigned i = 0; i < sizeof sh->evtchn_mask / sizeof sh->evtchn_mask[0]; i++)
		sh->evtchn_mask[i] = ~(xen_ulong_t)0;
	pv_domu_unmask_port(sh, pvh_console_ring()->port);
	/*
	 * The blob's doorbell (xen/domu-irq.c, pv_domu_leave): an IPI channel
	 * bound to vCPU 0, unmasked, so that a line raised by an access on
	 * any vCPU wakes vCPU 0, where the 8259's interrupts go.  Without it
	 * the blob makes a plain exit, which reaches only its own vCPU.
	 */
	{
		long db = pv_xen_evtchn_bind_ipi(pvh.vmmcall, 0);

		if (db > 0 && (uint64_t)db < 8 * sizeof sh->evtchn_mask) {
			xs->doorbell = (uint32_t)db;
			pv_domu_unmask_port(sh, xs->doorbell);
		}
	}
	sh->vcpu_info[0].evtchn_upcall_pending = 0;
	xs->shinfo = page - (uint64_t)c->im->v2p;
	return 0;
}

/* At kernel entry: the blob's copy of the ring, with the loader's last index, at the kernel's address. */
static void domu_handoff(const struct loader_ctx *c)
{
	struct pv_consring *r = pvh_console_ring();

	domu_state->cons = *r;
	domu_state->cons.intf = r->intf - (uint64_t)c->im->v2p;
}

/*
 * The Xen backend's memory in the kernel image (xen/xen-rt.h): the handler
 * blob at the pool's start, the thunks after it, the device state in the
 * counters area.  commit 0: checks and the plan of it; commit 1 (after
 * validation and loading): the blob copy and the state.  Nothing here is
 * a site: if patching fails afterwards, the kernel is not started anyway.
 */
static void setup_xen(struct loader_ctx *c, int commit)
{
	uint64_t blob = align_up(c->pool, 64);
	uint64_t blob_size = (uint64_t)(__xenblob_end - __xenblob_start);
	uint64_t thunks = align_up(blob + blob_size, 64);
	struct pv_xen_slots *slots = (void *)(uintptr_t)(blob + (uint64_t)(pv_xen_slots - __xenblob_start));
	struct pv_xen_state *xs = (void *)(uintptr_t)c->cnt;
	uint32_t r[4];

	if (!commit) {
		if (!pvh.xen)
			fatal("previrt.backend=xen", "needs Xen's PVH entry: boot previrt-loader as Xen's dom0 kernel or a PVH domU's");
		thunks = plan_blob(c, blob_size, sizeof *xs, "xen");
		blob = align_up(c->pool, 64);
		if (pvh.domu && domu_ring_page(c) + 2 * 4096 > c->cnt_end)
			fatal("previrt_counters", "too small for the Xen state, a page-aligned console ring and shared_info (a domU needs all three)");
		/* Xen's guest TSC frequency: CPUID leaf base+3, sub-leaf 0, ECX in kHz */
		pv_cpuid(c->vmm->base + 3, 0, r);
		if (!r[2])
			fatal("Xen CPUID leaf base+3", "no TSC frequency: the kernel could neither calibrate nor tick without the PIT");
		c->tsc_khz = r[2];
		c->cmdline = tsc_cmdline(c->cmdline, c->tsc_khz, "xen (Xen's TSC frequency)");
		c->xen = (struct pv_xen){ .thunks = (uint8_t *)(uintptr_t)thunks, .thunks_size = c->pool_end - thunks,
					  .pio_entry = blob + (uint64_t)(pv_xen_pio_entry - __xenblob_start) };
		c->state = &c->xen;
		return;
	}
	memcpy((void *)(uintptr_t)blob, __xenblob_start, blob_size);
	slots->state = c->cnt - (uint64_t)c->im->v2p;            /* kernel-virtual */
	slots->vmmcall = pvh.vmmcall;
	memset(xs, 0, sizeof *xs);
	xs->magic = PV_XEN_STATE_MAGIC;
	pv_uart_reset(&xs->com1);
	if (pvh.domu) {
		char rule[8];

		/*
		 * The exit rule (xen/domu-dev.h) guards against a VMM that
		 * delivers an injected interrupt twice: Debian 12's QEMU 7.2 under
		 * Xen (docs/xen-domu.md, "The second delivery").  Real hardware
		 * and a fixed QEMU need none of its held-back notifications.
		 */
		if (pv_cmdline_get(c->cmdline, "previrt.exit_rule", rule, sizeof rule) >= 0) {
			if (!streq(rule, "on") && !streq(rule, "off"))
				fatal("previrt.exit_rule", "must be on or off");
			xs->exit_rule = streq(rule, "on");
		}
		domu_move_ring(c, xs);
		/*
		 * A domU has no PM timer: give the FADT one at the port Xen's HVM
		 * layout uses for it, answered by the blob's model (the one dom0
		 * uses).  Linux then trusts its TSC-polled APIC timer calibration
		 * instead of verifying it against the PIT, which a domU lacks.
		 */
		if (acpi_fadt_add_pm_timer(pvh.rsdp, PV_DOMU_PM_TMR) > 0)
			con_printf("previrt-loader: xen: domU: FADT given a PM timer at port 0x%x (32-bit)\n", PV_DOMU_PM_TMR);
		/* and an \_S5, so that the kernel's power-off reaches PM1a and SCHEDOP_shutdown (loader/acpis5.h) */
		con_printf("previrt-loader: xen: domU: %s\n", acpi_add_s5(pvh.rsdp) > 0 ?
			   "an SSDT with \\_S5 added (power-off through PM1a -> SCHEDOP_shutdown)" :
			   "no room for an \\_S5 SSDT next to the RSDP: power-off halts");
	}
	if (acpi_read_fadt(pvh.rsdp, &xs->acpi))
		con_printf("previrt-loader: xen: no ACPI FADT: poweroff and reset stay native\n");
	if (pvh.domu) {
		/*
		 * No PIC in a PVH domU: the blob's 8259 pair.  libxl's FADT for
		 * a PVH guest is not hardware-reduced, so Linux probes for it.
		 */
		xs->acpi.pic = 1;
		pv_pic_reset(&xs->pic);
		con_printf("previrt-loader: xen: domU: 8259 PIC model at 0x20/0xa0; COM1's IRQ 4 %s\n",
			   domu_shared_info(c, xs) ? "polled only (Xen refused to map shared_info)" :
			   "through Xen's callback vector (shared_info mapped in the kernel image)");
		domu_devices(c, xs);
		con_printf("previrt-loader: xen: domU: a raised line wakes vCPU 0 through %s\n",
			   xs->doorbell ? "an IPI event channel bound to it" : "a plain exit (no IPI channel: one vCPU only)");
		con_printf("previrt-loader: xen: domU: exit rule %s\n", xs->exit_rule ?
			   "on (previrt.exit_rule=on: no hypercall from an entry with IF off after an injection)" :
			   "off (each injected interrupt is delivered once)");
	}
	xs->pm_per_tsc = ((uint64_t)PV_PM_TIMER_HZ << 32) / ((uint64_t)c->tsc_khz * 1000);
	con_printf("previrt-loader: xen: TSC %u kHz; PM timer at port 0x%x from the TSC\n", c->tsc_khz,
		   xs->acpi.pm_tmr);
	con_printf("previrt-loader: xen: blob %lu bytes, hypercalls by %s, COM1 model, PM1a 0x%x PM1b 0x%x reset 0x%x=0x%x\n",
		   (unsigned long)blob_size, pvh.vmmcall ? "vmmcall" : "vmcall", xs->acpi.pm1a_cnt,
		   xs->acpi.pm1b_cnt, xs->acpi.reset_port, xs->acpi.reset_value);
	c->xen.acpi = &xs->acpi;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/*
 * uvmm's kvm-clock (l4/l4-rt.h): register a pvclock page (physical
 * address, bit 0 enables) and read what uvmm wrote into it.  0, or -1
 * when uvmm left it unset.
 */
static int kvmclock_register(volatile struct pv_pvclock *p)
{
	*p = (struct pv_pvclock){ 0 };
	wrmsr(PV_MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)(uintptr_t)p | 1);
	return p->tsc_to_system_mul && !(p->version & 1) ? 0 : -1;
}

/*
 * The L4 backend (patch/l4.c, l4/): the L4 blob at the pool's start, the
 * port-I/O thunks after it, struct pv_l4_state in the counters area, as
 * for Xen.  commit 0: checks, uvmm's kvm-clock parameters (on a page of
 * the loader's own: nothing written into the kernel yet), the TSC
 * frequency for the command line, the FADT's ports; commit 1: the blob,
 * the state, and kvm-clock moved to the state's page, which the blob reads.
 */
static void setup_l4(struct loader_ctx *c, int commit)
{
	static struct pv_pvclock probe __attribute__((aligned(64)));
	static struct pv_xen_acpi acpi;
	uint64_t blob = align_up(c->pool, 64);
	uint64_t blob_size = (uint64_t)(__l4blob_end - __l4blob_start);
	uint64_t thunks = align_up(blob + blob_size, 64);
	struct pv_l4_slots *slots = (void *)(uintptr_t)(blob + (uint64_t)(pv_l4_slots - __l4blob_start));
	struct pv_l4_state *ls = (void *)(uintptr_t)c->cnt;

	if (!commit) {
		if (c->vmm->vmm != PV_VMM_UVMM)
			fatal("previrt.backend=l4", "needs uvmm (CPUID: KVM's signature with uvmm's kvm-clock features)");
		thunks = plan_blob(c, blob_size, sizeof *ls, "l4");
		blob = align_up(c->pool, 64);
		if (kvmclock_register(&probe))
			fatal("kvm-clock (MSR 0x4b564d01)", "uvmm wrote no parameters: is the kvm-clock device in its device tree?");
		c->tsc_khz = pv_pvclock_tsc_khz(probe.tsc_to_system_mul, probe.tsc_shift);
		if (!c->tsc_khz)
			fatal("kvm-clock tsc_to_system_mul/tsc_shift", "no TSC frequency follows from them");
		c->cmdline = tsc_cmdline(c->cmdline, c->tsc_khz, "l4 (TSC frequency from kvm-clock)");
		if (acpi_read_fadt(pvh.rsdp ? pvh.rsdp : bootparams_find_rsdp(), &acpi))
			con_printf("previrt-loader: l4: no ACPI FADT: the PM timer stays native\n");
		acpi.pit2 = 1;                   /* PIT channel 2 and port 0x61 in the blob */
		c->l4 = (struct pv_l4){ .pio = { .thunks = (uint8_t *)(uintptr_t)thunks, .thunks_size = c->pool_end - thunks,
						 .pio_entry = blob + (uint64_t)(pv_l4_pio_entry - __l4blob_start),
						 .acpi = &acpi } };
		c->state = &c->l4;
		return;
	}
	memcpy((void *)(uintptr_t)blob, __l4blob_start, blob_size);
	slots->state = c->cnt - (uint64_t)c->im->v2p;            /* kernel-virtual */
	memset(ls, 0, sizeof *ls);
	ls->magic = PV_L4_STATE_MAGIC;
	ls->acpi = acpi;
	if (kvmclock_register(&ls->clock))
		fatal("kvm-clock (MSR 0x4b564d01)", "uvmm wrote no parameters into the kernel's page");
	{
		/* COM1's modem status: uvmm answers a constant (l4-rt.h); taken when two reads agree */
		uint8_t m0 = inb(PV_COM1_BASE + 6), m1 = inb(PV_COM1_BASE + 6);

		ls->com1.msr = m0;
		ls->com1.msr_const = (uint8_t)pv_l4_msr_constant(m0, m1);
	}
	con_printf("previrt-loader: l4: TSC %u kHz (kvm-clock mul %u shift %d); PM timer at port 0x%x from kvm-clock; "
		   "PIT channel 2 from kvm-clock; COM1's console path by vmmcall print; COM1 MSR %s 0x%02x; blob %lu bytes\n",
		   c->tsc_khz, ls->clock.tsc_to_system_mul, ls->clock.tsc_shift, acpi.pm_tmr,
		   ls->com1.msr_const ? "answered in the kernel:" : "left to uvmm, it changed:", ls->com1.msr,
		   (unsigned long)blob_size);
}

/*
 * Xen lists a PVH dom0's vCPUs as x2APIC entries, which a kernel without
 * X86_X2APIC ignores (it would run on one CPU): rewrite them as xAPIC
 * entries when every ID fits (loader/madt.c).
 */
static void present_xapic(uint64_t rsdp)
{
	struct madt_result m;
	int rc = madt_present_xapic(rsdp, &m);

	if (rc == 1)
		con_printf("previrt-loader: MADT: %u x2APIC CPU entries (and %u NMI entries) presented as xAPIC ones, %u -> %u bytes\n",
			   m.cpus, m.nmis, (unsigned)m.old_len, (unsigned)m.new_len);
	else if (rc == -2)
		con_printf("previrt-loader: MADT: kept as it is: a CPU's APIC ID or processor UID is above 254 (needs an x2APIC kernel)\n");
	else if (rc == -1)
		con_printf("previrt-loader: MADT: none, or malformed: kept as it is\n");
}

/*
 * After the kernel's sites: the resident patcher, with what the kernel's
 * backend left of the pool (module thunks go right after the kernel's).
 */
static void install_modules(struct loader_ctx *c)
{
	struct pv_res_state st = { .backend = PV_RES_NATIVE };
	uint64_t free = c->pool, v2p = (uint64_t)c->im->v2p;

	if (c->be == &pv_backend_profile) {
		/* the main pool's used slots: the noinstr thunks live in the noinstr pool */
		free = (uint64_t)(uintptr_t)c->prof.pool +
		       (uint64_t)(c->prof.used - c->prof.noinstr_used) * PV_PROFILE_THUNK;
		st.backend = PV_RES_PROFILE;
		st.counters = (uint64_t)(uintptr_t)(c->prof.counters + c->prof.used) - v2p;
		st.ncounters = c->prof.ncounters - c->prof.used;
	} else if (c->be == &pv_backend_l4) {
		/* modules are validated, and keep their sites: the L4 blob serves the kernel only */
		free = (uint64_t)(uintptr_t)c->l4.pio.thunks + (uint64_t)c->l4.pio.used * PV_XEN_THUNK;
	} else if (c->be == &pv_backend_xen) {
		free = (uint64_t)(uintptr_t)c->xen.thunks + (uint64_t)c->xen.used * PV_XEN_THUNK;
		st.backend = PV_RES_XEN;
		st.xen = c->xen;
		st.xen.pio_entry = c->xen.pio_entry - v2p;
		st.xen.mmio_entry = c->xen.mmio_entry ? c->xen.mmio_entry - v2p : 0;
		st.xen.acpi = (const void *)((uintptr_t)c->xen.acpi - v2p);
		st.xen.thunks = 0, st.xen.thunks_size = 0, st.xen.used = st.xen.cursor = 0;
	}
	st.pool = free - v2p;
	st.pool_size = c->res.at > free ? c->res.at - free : 0;
	resident_install(c->im, &c->res, &st);
	con_printf("previrt-loader: modules: resident patcher %u bytes at 0x%lx, hooked %u call(s) of module_finalize in %s; %lu bytes of pool left for module handlers\n",
		   c->res.hdr->size, (unsigned long)c->res.at, c->res.ncalls, c->res.caller,
		   (unsigned long)st.pool_size);
}

/* Every backend the loader knows: previrt.backend=<name>.  One line each. */
static const struct {
	const char              *name;
	const struct pv_backend *backend;
	void                   (*setup)(struct loader_ctx *c, int commit);
} backends[] = {
	{ "native",  &pv_backend_native,  setup_native },
	{ "profile", &pv_backend_profile, setup_profile },
	{ "xen",     &pv_backend_xen,     setup_xen },
	{ "l4",      &pv_backend_l4,      setup_l4 },
};

void loader_main(uint32_t magic, uint32_t info, uint32_t linux_bp)
{
	static struct linuxboot lb;           /* set when started through Linux's boot protocol (uvmm) */
	const struct pv_buf mem = { 0, 0, 0x100000000ull };     /* the identity-mapped first 4 GiB */
	static struct prepared prep;
	struct bootinfo *bi = &prep.bi;
	struct elfimage *im = &prep.im;
	struct pv_err e;
	struct pv_vmm_info vmm;
	char backend_buf[32], verbose_buf[4];
	const char *backend;
	struct pv_image img;
	struct pv_range text[ELFIMG_MAX_TEXT];
	struct pv_extable ex;
	struct pv_result r;
	struct loader_ctx ctx = { 0 };
	unsigned bi_idx = 0;
	uint64_t top, next, t0, t1, mbi_addr = info;
	int verbose;
	struct boot_params *bp;

	if (magic == PVH_ENTRY_MAGIC) {
		pv_detect_vmm(pv_cpuid, &vmm);
		if (pvh_boot_init(info, &vmm, &pvh, &e)) {      /* sets up Xen's console first */
			con_printf("\nprevirt-loader: the previrt in-place VMM loader\n");
			fatal_err(&e);
		}
		con_printf("\nprevirt-loader: the previrt in-place VMM loader\n");
		mbi_addr = (uint64_t)(uintptr_t)pvh.mbi;
		present_xapic(pvh.rsdp);
	} else if (magic != MB_BOOT_MAGIC && linuxboot_detect(&mem, linux_bp)) {
		con_init();
		con_printf("\nprevirt-loader: the previrt in-place VMM loader\n");
		if (linuxboot_init(&mem, linux_bp, &lb, &e))
			fatal_err(&e);
		con_printf("previrt-loader: Linux boot protocol entry (boot_params at 0x%lx), ramdisk as the boot module\n",
			   (unsigned long)linux_bp);
		mbi_addr = (uint64_t)(uintptr_t)&lb.mbi;
		pvh.rsdp = lb.rsdp;
	} else {
		con_init();
		con_printf("\nprevirt-loader: the previrt in-place VMM loader\n");
		if (magic != MB_BOOT_MAGIC)
			fatal("boot magic", "not started by a multiboot loader, Xen (PVH) or Linux's boot protocol");
	}
	prep.mbi_addr = mbi_addr;
	prep.self = (struct blob){ (uint64_t)(uintptr_t)__load_start, (uint64_t)(__bss_end - __load_start) };
	prep.scratch = overlap_scratch, prep.scratch_len = sizeof overlap_scratch / 8;
	if (prepare_boot(&mem, &prep, &e))
		fatal_err(&e);
	ctx.cmdline = skip_image_path(bi->cmdline);
	verbose = pv_cmdline_get(ctx.cmdline, "previrt.verbose", verbose_buf, sizeof verbose_buf) >= 0;
	if (bi->bundle)
		con_printf("previrt-loader: bundle module: kernel %lu bytes, initrd %lu bytes\n",
			   (unsigned long)bi->kernel.size, (unsigned long)bi->initrd.size);
	con_printf("previrt-loader: vmlinux %lu bytes, loads at 0x%lx-0x%lx, entry 0x%lx; initrd %lu bytes\n",
		   (unsigned long)bi->kernel.size, (unsigned long)im->lo, (unsigned long)im->hi,
		   (unsigned long)im->entry, (unsigned long)bi->initrd.size);

	/* move modules that sit where the kernel goes to free RAM above everything */
	top = bootinfo_ram_top(bi);
	next = align_up(im->hi, 0x200000);
	if (bi->kernel.start + bi->kernel.size > next)
		next = align_up(bi->kernel.start + bi->kernel.size, 0x1000);
	if (bi->initrd.start + bi->initrd.size > next)
		next = align_up(bi->initrd.start + bi->initrd.size, 0x1000);
	{
		struct blob *b[2] = { &bi->kernel, &bi->initrd };

		for (int i = 0; i < 2; i++) {
			if (!b[i]->size || !pv_overlaps(b[i]->start, b[i]->size, im->lo, im->hi - im->lo))
				continue;
			if (!pv_fits(next, b[i]->size, top))
				fatal("memory map", "not enough RAM to move a module out of the kernel's way");
			memmove((void *)(uintptr_t)next, (const void *)(uintptr_t)b[i]->start, b[i]->size);
			b[i]->start = next;
			next = align_up(next + b[i]->size, 0x1000);
		}
		elfimage_rebase(im, (const uint8_t *)(uintptr_t)bi->kernel.start);
	}

	pv_detect_vmm(pv_cpuid, &vmm);
	backend = pv_choose_backend(&vmm, ctx.cmdline, backend_buf, sizeof backend_buf);
	con_printf("previrt-loader: VMM %s%s%s%s, backend %s\n", pv_vmm_name(vmm.vmm),
		   vmm.base ? " (\"" : "", vmm.base ? vmm.sig : "", vmm.base ? "\")" : "", backend);
	while (bi_idx < sizeof backends / sizeof backends[0] && !streq(backend, backends[bi_idx].name))
		bi_idx++;
	if (bi_idx == sizeof backends / sizeof backends[0])
		fatal("previrt.backend", "unknown or unimplemented backend");

	/* sections, symbols, __ex_table, destinations, every record against the file's bytes */
	t0 = rdtsc();
	if (prepare_image(&prep, &e)) {
		con_printf("previrt-loader: .previrt record %u (site 0x%lx): %s\n", prep.r.record,
			   (unsigned long)(prep.r.site ? prep.r.site - (uint64_t)im->v2p : 0),
			   pv_error_name(prep.r.error));
		fatal_err(&e);
	}
	t1 = rdtsc();
	con_printf("previrt-loader: __ex_table %u entries of %u bytes; %u sites checked against the file in %lu TSC cycles\n",
		   im->extable.n, im->extable.entsize, prep.r.nsites, (unsigned long)(t1 - t0));
	ctx.im = im, ctx.vmm = &vmm, ctx.name = backend, ctx.be = backends[bi_idx].backend;
	ctx.bi = bi, ctx.self = prep.self;
	backends[bi_idx].setup(&ctx, 0);

	/* only now: into the kernel's memory */
	elfimage_load(im);
	backends[bi_idx].setup(&ctx, 1);
	elfimage_pv_image(im, 1, text, &ex, &img);
	img.scratch = overlap_scratch, img.scratch_len = sizeof overlap_scratch / 8;
	img.planned = plan_bits, img.planned_len = sizeof plan_bits / 8;
	t0 = rdtsc();
	if (pv_patch_image(&img, ctx.be, ctx.state, &r)) {
		con_printf("previrt-loader: .previrt record %u (site 0x%lx): %s\n", r.record,
			   (unsigned long)(r.site ? r.site - (uint64_t)im->v2p : 0), pv_error_name(r.error));
		fatal(pv_error_field(r.error), "validation of the loaded copy or patching failed, nothing was patched");
	}
	t1 = rdtsc();
	con_printf("previrt-loader: %u sites (%u headers) valid; %u patched, %u native; %lu TSC cycles (validate + patch the loaded copy)\n",
		   r.nsites, r.nheaders, r.npatched, r.nkept, (unsigned long)(t1 - t0));
	/* per zone (patch/zone.h): what the backend did there; the profile boot test reads it */
	con_printf("previrt-loader: zones: main %u sites %u patched; noinstr %u sites %u patched; "
		   "entry %u sites %u patched; %u zone sites without NOINSTR, %u NOINSTR sites unplaced\n",
		   r.zone_sites[PV_ZONE_MAIN], r.zone_patched[PV_ZONE_MAIN], r.zone_sites[PV_ZONE_NOINSTR],
		   r.zone_patched[PV_ZONE_NOINSTR], r.zone_sites[PV_ZONE_ENTRY], r.zone_patched[PV_ZONE_ENTRY],
		   r.unflagged, r.unplaced);
	if (ctx.be == &pv_backend_profile)
		profile_site_table(&img, im, &ctx.prof);
	if (ctx.be == &pv_backend_xen)
		con_printf("previrt-loader: xen: %u port-I/O thunks, %u MMIO thunks (%u thunk slots)\n",
			   ctx.xen.used - 2 * ctx.xen.nmmio, ctx.xen.nmmio, ctx.xen.used);
	if (ctx.be == &pv_backend_l4)
		con_printf("previrt-loader: l4: %u port-I/O thunks\n", ctx.l4.pio.used);
	if (ctx.res.ncalls)
		install_modules(&ctx);
	if (verbose)
		con_printf("previrt-loader: command line \"%s\"\n", ctx.cmdline);

	bp = bootparams_build(bi->mbi, ctx.cmdline, bi->initrd.start, bi->initrd.size, pvh.rsdp, ctx.setup_data);
	con_printf("previrt-loader: %u e820 entries, RSDP 0x%lx, initrd 0x%lx; entering the kernel at 0x%lx\n",
		   bp->e820_entries, (unsigned long)bp->acpi_rsdp_addr, (unsigned long)bi->initrd.start,
		   (unsigned long)im->entry);
	if (domu_state)
		domu_handoff(&ctx);
	pv_enter_kernel(im->entry, bp);
}
