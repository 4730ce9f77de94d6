/* SPDX-License-Identifier: MIT */
/*
 * previrt-loader: the in-place VMM loader.
 *
 *   boot modules: 1. the annotated vmlinux (ELF), 2. the initramfs (optional)
 *                 or one bundle (runtime/mkbundle) holding both
 *   command line: passed to the kernel unchanged; the loader reads
 *       previrt.backend=native|profile   (default: by the detected VMM)
 *       previrt.verbose                  more detail on the console
 *
 * Steps: console -> modules -> move modules out of the kernel's way ->
 * load PT_LOAD segments -> detect VMM, choose backend -> validate and
 * patch every site (all or nothing) -> boot_params -> startup_64.
 * Any failure prints one "previrt-loader: FATAL: ..." line and halts:
 * the kernel is never started half-patched.
 */
#include "detect/vmm.h"
#include "loader/bootparams.h"
#include "loader/console.h"
#include "loader/elfimage.h"
#include "loader/multiboot.h"
#include "patch/backend.h"

void *memmove(void *d, const void *s, size_t n);
void pv_enter_kernel(uint64_t entry, void *boot_params) __attribute__((noreturn));
extern char __load_start[], __bss_end[];

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
	unsigned nrec = img->size / 12, n = 0;
	uint64_t phys = (uint64_t)(uintptr_t)st->counters;

	con_printf("previrt-loader: profile: %u counters at physical 0x%lx\n", st->used, (unsigned long)phys);
	/* "# counters 0xPHYS N" (runtime/qemu-profile reads it) */
	for (const char *h = "# counters 0x"; *h; h++)
		line[n++] = *h;
	for (int sh = 60; sh >= 0; sh -= 4)
		line[n++] = "0123456789abcdef"[(phys >> sh) & 15];
	line[n++] = ' ';
	{
		char d[12];
		int k = 0;
		unsigned v = st->used;

		do
			d[k++] = (char)('0' + v % 10);
		while (v /= 10);
		while (k)
			line[n++] = d[--k];
	}
	line[n++] = '\n';
	dbg_write(line, n);
	for (unsigned i = 0; i < nrec; i++) {
		struct pv_site s = { 0 };
		unsigned len = 0;
		uint64_t va;

		if (((const struct previrt_site *)(img->records + i * 12))->kind == PREVIRT_KIND_HEADER)
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
	const struct pv_backend *be;
	void *state = 0;
	uint64_t top, next, t0, t1;
	int verbose;
	struct boot_params *bp;

	con_init();
	con_printf("\nprevirt-loader: the previrt in-place VMM loader\n");
	if (magic != MB_BOOT_MAGIC)
		fatal("not started by a multiboot loader", 0);
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
		uint64_t pool = elfimage_symbol(&im, "previrt_pool");
		uint64_t pool_end = elfimage_symbol(&im, "previrt_pool_end");
		uint64_t cnt = elfimage_symbol(&im, "previrt_counters");
		uint64_t cnt_end = elfimage_symbol(&im, "previrt_counters_end");

		if (!pool || !cnt || pool_end <= pool || cnt_end <= cnt)
			fatal("backend profile needs a handler pool in the kernel image",
			      "no previrt_pool/previrt_counters symbols (build with runtime/kernel/previrt-pool.h)");
		prof = (struct pv_profile){ .pool = (uint8_t *)(uintptr_t)pool, .pool_size = pool_end - pool,
					    .counters = (uint64_t *)(uintptr_t)cnt,
					    .ncounters = (unsigned)((cnt_end - cnt) / 8) };
		be = &pv_backend_profile;
		state = &prof;
		con_printf("previrt-loader: pool 0x%lx (%lu bytes), %u counters\n", (unsigned long)pool,
			   (unsigned long)(pool_end - pool), prof.ncounters);
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
	if (verbose)
		con_printf("previrt-loader: command line \"%s\"\n", cmdline);

	bp = bootparams_build(mbi, cmdline, initrd.start, initrd.size);
	con_printf("previrt-loader: %u e820 entries, RSDP 0x%lx, initrd 0x%lx; entering the kernel at 0x%lx\n",
		   bp->e820_entries, (unsigned long)bp->acpi_rsdp_addr, (unsigned long)initrd.start,
		   (unsigned long)im.entry);
	pv_enter_kernel(im.entry, bp);
}
