/* SPDX-License-Identifier: MIT */
/*
 * previrt-loader: the in-place VMM loader.
 *
 *   boot modules: 1. the annotated vmlinux (ELF), 2. the initramfs (optional)
 *                 or one bundle (runtime/mkbundle) holding both
 *   started by:   a multiboot loader (QEMU -kernel, GRUB), or Xen as a PVH
 *                 dom0 (loader/pvh.c turns Xen's start info into the same
 *                 multiboot information)
 *   command line: passed to the kernel unchanged; the loader reads
 *       previrt.backend=native|profile|xen   (default: by the detected VMM)
 *       previrt.verbose                  more detail on the console
 *
 * Steps: console -> modules -> move modules out of the kernel's way ->
 * load PT_LOAD segments -> detect VMM, choose backend -> validate and
 * patch every site (all or nothing) -> boot_params -> startup_64.
 * Any failure prints one "previrt-loader: FATAL: ..." line and halts:
 * the kernel is never started half-patched.
 */
#include "detect/vmm.h"
#include "loader/acpi.h"
#include "loader/bootparams.h"
#include "loader/console.h"
#include "loader/elfimage.h"
#include "loader/multiboot.h"
#include "loader/pvh.h"
#include "patch/backend.h"
#include "xen/hypercall.h"
#include "xen/xen-rt.h"

void *memmove(void *d, const void *s, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
void pv_enter_kernel(uint64_t entry, void *boot_params) __attribute__((noreturn));
extern char __load_start[], __bss_end[];
/* the Xen handler blob (loader.lds) and two places inside it */
extern char __xenblob_start[], __xenblob_end[], pv_xen_pio_entry[], pv_xen_slots[];

static struct pvh_boot pvh;           /* set when Xen started us (PVH) */
static char cmdline_xen[2048];        /* the command line plus what the Xen backend adds */

/* one bundle module instead of two (Xen gives a PVH dom0 a single module) */
struct bundle_header {
	char     magic[16];                  /* "PREVIRT-BUNDLE1\0" */
	uint64_t kernel_off, kernel_size;
	uint64_t initrd_off, initrd_size;
};

struct blob {
	uint64_t start, size;
};

static uint64_t overlap_scratch[1 << 16];

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
	if (pvh.hypercall_page)               /* on Xen: end the domain, visibly */
		pv_xen_shutdown(pvh.hypercall_page, SHUTDOWN_crash);
	/* QEMU with -device isa-debug-exit: leave with status 3; elsewhere a no-op port */
	outb(0xf4, 1);
	for (;;)
		__asm__ volatile("cli; hlt");
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

static int overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

static int bundle_split(struct blob *kernel, struct blob *initrd)
{
	const struct bundle_header *h = (const void *)(uintptr_t)kernel->start;
	static const char magic[16] = "PREVIRT-BUNDLE1";

	if (kernel->size < sizeof *h)
		return 0;
	for (int i = 0; i < 16; i++)
		if (h->magic[i] != magic[i])
			return 0;
	if (h->kernel_off + h->kernel_size > kernel->size || h->initrd_off + h->initrd_size > kernel->size)
		fatal("bundle", "an offset points outside the module");
	initrd->start = kernel->start + h->initrd_off;
	initrd->size = h->initrd_size;
	kernel->start += h->kernel_off;
	kernel->size = h->kernel_size;
	return 1;
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
	char line[64];
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
		pv_site_at(img, i, &s);         /* patched now: only rule and lengths matter */
		if (!s.rule || pv_profile_keep_reason(&s))
			continue;
		va = (uint64_t)(uintptr_t)s.addr - (uint64_t)im->v2p;
		line[len++] = '0', line[len++] = 'x';
		for (int sh = 60; sh >= 0; sh -= 4)
			line[len++] = "0123456789abcdef"[(va >> sh) & 15];
		line[len++] = ' ';
		for (const char *k = s.rule->name; *k && len < sizeof line - 1; k++)
			line[len++] = *k;
		line[len++] = '\n';
		dbg_write(line, len);
	}
}

struct pool {
	uint64_t pool, pool_end, cnt, cnt_end;     /* physical */
};

/* The handler pool and counters that runtime/kernel/previrt-pool.h puts in vmlinux. */
static void find_pool(const struct elfimage *im, const char *backend, struct pool *p)
{
	p->pool = elfimage_symbol(im, "previrt_pool");
	p->pool_end = elfimage_symbol(im, "previrt_pool_end");
	p->cnt = elfimage_symbol(im, "previrt_counters");
	p->cnt_end = elfimage_symbol(im, "previrt_counters_end");
	if (!p->pool || !p->cnt || p->pool_end <= p->pool || p->cnt_end <= p->cnt) {
		con_printf("previrt-loader: backend %s needs a handler pool in the kernel image\n", backend);
		fatal("no previrt_pool/previrt_counters symbols", "build with runtime/kernel/previrt-pool.h");
	}
	con_printf("previrt-loader: pool 0x%lx (%lu bytes), counters 0x%lx (%lu bytes)\n",
		   (unsigned long)p->pool, (unsigned long)(p->pool_end - p->pool),
		   (unsigned long)p->cnt, (unsigned long)(p->cnt_end - p->cnt));
}

/*
 * The Xen backend's memory in the kernel image (xen/xen-rt.h): the
 * hypercall page and the handler blob at the pool's start, the thunks
 * after them, the device state in the counters area.  Nothing here is a
 * site: if patching fails afterwards, the kernel is not started anyway.
 */
static uint64_t xen_setup(const struct elfimage *im, const struct pool *p, const struct pv_vmm_info *vmm,
			  struct pv_xen *xen, uint32_t *tsc_khz)
{
	uint64_t page = align_up(p->pool, 4096);
	uint64_t blob = page + PV_XEN_HYPERCALL_PAGE;
	uint64_t blob_size = (uint64_t)(__xenblob_end - __xenblob_start);
	uint64_t thunks = align_up(blob + blob_size, 64);
	struct pv_xen_slots *slots = (void *)(uintptr_t)(blob + (uint64_t)(pv_xen_slots - __xenblob_start));
	struct pv_xen_state *xs = (void *)(uintptr_t)p->cnt;

	if (thunks + PV_XEN_THUNK > p->pool_end)
		fatal("the handler pool is too small for the Xen backend", 0);
	if (p->cnt_end - p->cnt < sizeof *xs)
		fatal("the counters area is too small for the Xen backend's state", 0);
	memcpy((void *)(uintptr_t)blob, __xenblob_start, blob_size);
	slots->state = p->cnt - (uint64_t)im->v2p;            /* kernel-virtual */
	slots->hypercall_page = page - (uint64_t)im->v2p;
	memset(xs, 0, sizeof *xs);
	xs->magic = PV_XEN_STATE_MAGIC;
	pv_uart_reset(&xs->com1);
	if (acpi_read_fadt(pvh.rsdp, &xs->acpi))
		con_printf("previrt-loader: xen: no ACPI FADT: poweroff and reset stay native\n");
	{
		/* Xen's guest TSC frequency: CPUID leaf base+3, sub-leaf 0, ECX in kHz */
		uint32_t r[4];

		pv_cpuid(vmm->base + 3, 0, r);
		if (!r[2])
			fatal("Xen reports no TSC frequency (CPUID leaf base+3)",
			      "the kernel could neither calibrate nor tick without the PIT");
		*tsc_khz = r[2];
		xs->pm_per_tsc = ((uint64_t)PV_PM_TIMER_HZ << 32) / ((uint64_t)r[2] * 1000);
		con_printf("previrt-loader: xen: TSC %u kHz; PM timer at port 0x%x from the TSC\n", r[2],
			   xs->acpi.pm_tmr);
	}
	con_printf("previrt-loader: xen: blob %lu bytes, COM1 model, PM1a 0x%x PM1b 0x%x reset 0x%x=0x%x\n",
		   (unsigned long)blob_size, xs->acpi.pm1a_cnt, xs->acpi.pm1b_cnt,
		   xs->acpi.reset_port, xs->acpi.reset_value);
	*xen = (struct pv_xen){ .thunks = (uint8_t *)(uintptr_t)thunks, .thunks_size = p->pool_end - thunks,
				.pio_entry = blob + (uint64_t)(pv_xen_pio_entry - __xenblob_start),
				.acpi = &xs->acpi };
	return page;
}

/*
 * A kernel without Xen support calibrates its TSC against the PIT, which
 * Xen keeps for itself; the PM timer model works, but under emulation
 * (QEMU TCG) its reads can be too slow for the kernel's tolerance.  Xen
 * knows the TSC frequency, so the loader hands it over as the kernel's
 * own boot parameter (unless the command line already sets it).
 */
static const char *xen_cmdline(const char *cmdline, uint32_t tsc_khz)
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
	con_printf("previrt-loader: xen: kernel parameter added: %s (Xen's TSC frequency)\n", cmdline_xen + added);
	return cmdline_xen;
}

void loader_main(uint32_t magic, uint32_t info)
{
	const struct mb_info *mbi = (const void *)(uintptr_t)info;
	const struct mb_module *mods;
	const char *cmdline = "";
	struct blob kernel, initrd = { 0, 0 };
	struct elfimage im;
	struct pv_vmm_info vmm;
	char backend_buf[32], verbose_buf[4];
	const char *backend, *err;
	struct pv_image img;
	struct pv_result r;
	struct pv_profile prof;
	struct pv_xen xen;
	struct pool pool;
	uint64_t xen_page = 0;
	uint32_t tsc_khz = 0;
	const struct pv_backend *be;
	void *state = 0;
	uint64_t top, next, t0, t1;
	int verbose;
	struct boot_params *bp;

	if (magic == PVH_ENTRY_MAGIC) {
		pv_detect_vmm(pv_cpuid, &vmm);
		err = pvh_boot_init(info, &vmm, &pvh);    /* sets up Xen's console first */
		con_printf("\nprevirt-loader: the previrt in-place VMM loader\n");
		if (err)
			fatal(err, 0);
		mbi = pvh.mbi;
	} else {
		con_init();
		con_printf("\nprevirt-loader: the previrt in-place VMM loader\n");
		if (magic != MB_BOOT_MAGIC)
			fatal("not started by a multiboot loader", 0);
	}
	if (mbi->flags & MB_INFO_CMDLINE)
		cmdline = skip_image_path((const char *)(uintptr_t)mbi->cmdline);
	verbose = pv_cmdline_get(cmdline, "previrt.verbose", verbose_buf, sizeof verbose_buf) >= 0;
	if (!(mbi->flags & MB_INFO_MODS) || mbi->mods_count < 1)
		fatal("no boot module", "give the annotated vmlinux as the first module (QEMU: -initrd vmlinux,initramfs)");
	mods = (const void *)(uintptr_t)mbi->mods_addr;
	kernel = (struct blob){ mods[0].mod_start, mods[0].mod_end - mods[0].mod_start };
	if (mbi->mods_count >= 2)
		initrd = (struct blob){ mods[1].mod_start, mods[1].mod_end - mods[1].mod_start };
	if (bundle_split(&kernel, &initrd))
		con_printf("previrt-loader: bundle module: kernel %lu bytes, initrd %lu bytes\n",
			   (unsigned long)kernel.size, (unsigned long)initrd.size);

	if ((err = elfimage_parse(&im, (const uint8_t *)(uintptr_t)kernel.start, kernel.size)))
		fatal(err, 0);
	con_printf("previrt-loader: vmlinux %lu bytes, loads at 0x%lx-0x%lx, entry 0x%lx; initrd %lu bytes\n",
		   (unsigned long)kernel.size, (unsigned long)im.lo, (unsigned long)im.hi,
		   (unsigned long)im.entry, (unsigned long)initrd.size);

	/* move modules that sit where the kernel goes to free RAM above everything */
	top = bootparams_ram_top(mbi);
	next = align_up(im.hi, 0x200000);
	if (kernel.start + kernel.size > next)
		next = align_up(kernel.start + kernel.size, 0x1000);
	if (initrd.start + initrd.size > next)
		next = align_up(initrd.start + initrd.size, 0x1000);
	if (overlaps((uint64_t)(uintptr_t)__load_start, (uint64_t)(__bss_end - __load_start), im.lo, im.hi - im.lo))
		fatal("the kernel's load range overlaps the loader", 0);
	{
		struct blob *b[2] = { &kernel, &initrd };

		for (int i = 0; i < 2; i++) {
			if (!b[i]->size || !overlaps(b[i]->start, b[i]->size, im.lo, im.hi - im.lo))
				continue;
			if (next + b[i]->size > top)
				fatal("not enough memory to move a module out of the kernel's way", 0);
			memmove((void *)(uintptr_t)next, (const void *)(uintptr_t)b[i]->start, b[i]->size);
			b[i]->start = next;
			next = align_up(next + b[i]->size, 0x1000);
		}
		im.file = (const uint8_t *)(uintptr_t)kernel.start;
	}

	elfimage_load(&im);
	if ((err = elfimage_sections(&im)))
		fatal(err, 0);

	pv_detect_vmm(pv_cpuid, &vmm);
	backend = pv_choose_backend(&vmm, cmdline, backend_buf, sizeof backend_buf);
	con_printf("previrt-loader: VMM %s%s%s%s, backend %s\n", pv_vmm_name(vmm.vmm),
		   vmm.base ? " (\"" : "", vmm.base ? vmm.sig : "", vmm.base ? "\")" : "", backend);
	if (streq(backend, "native"))
		be = &pv_backend_native;
	else if (streq(backend, "profile")) {
		find_pool(&im, backend, &pool);
		prof = (struct pv_profile){ .pool = (uint8_t *)(uintptr_t)pool.pool,
					    .pool_size = pool.pool_end - pool.pool,
					    .counters = (uint64_t *)(uintptr_t)pool.cnt,
					    .ncounters = (unsigned)((pool.cnt_end - pool.cnt) / 8) };
		be = &pv_backend_profile;
		state = &prof;
	} else if (streq(backend, "xen")) {
		if (!pvh.hypercall_page)
			fatal("backend xen needs Xen's PVH entry", "boot previrt-loader as Xen's dom0 kernel");
		find_pool(&im, backend, &pool);
		xen_page = xen_setup(&im, &pool, &vmm, &xen, &tsc_khz);
		cmdline = xen_cmdline(cmdline, tsc_khz);
		be = &pv_backend_xen;
		state = &xen;
	} else {
		fatal("unknown or unimplemented backend", backend);
	}

	img = (struct pv_image){ .records = (const uint8_t *)(uintptr_t)im.previrt, .size = im.previrt_size,
				 .text = im.text, .ntext = im.ntext,
				 .scratch = overlap_scratch, .scratch_len = sizeof overlap_scratch / 8 };
	t0 = rdtsc();
	if (pv_patch_image(&img, be, state, &r)) {
		con_printf("previrt-loader: record %u (site 0x%lx): %s\n", r.record,
			   (unsigned long)(r.site ? r.site - (uint64_t)im.v2p : 0), pv_error_name(r.error));
		fatal("validation or patching failed, nothing was patched", 0);
	}
	t1 = rdtsc();
	con_printf("previrt-loader: %u sites (%u headers) valid; %u patched, %u native; %lu TSC cycles\n",
		   r.nsites, r.nheaders, r.npatched, r.nkept, (unsigned long)(t1 - t0));
	if (be == &pv_backend_profile)
		profile_site_table(&img, &im, &prof);
	if (xen_page) {
		/* from now on Xen's stubs live in the kernel's pool, where the blob calls them */
		pvh_hypercall_page(pvh.hypercall_msr, xen_page);
		con_printf("previrt-loader: xen: %u port-I/O thunks, hypercall page at 0x%lx\n", xen.used,
			   (unsigned long)xen_page);
	}
	if (verbose)
		con_printf("previrt-loader: command line \"%s\"\n", cmdline);

	bp = bootparams_build(mbi, cmdline, initrd.start, initrd.size, pvh.rsdp);
	con_printf("previrt-loader: %u e820 entries, RSDP 0x%lx, initrd 0x%lx; entering the kernel at 0x%lx\n",
		   bp->e820_entries, (unsigned long)bp->acpi_rsdp_addr, (unsigned long)initrd.start,
		   (unsigned long)im.entry);
	pv_enter_kernel(im.entry, bp);
}
