/* SPDX-License-Identifier: MIT */
/*
 * Patch a linked annotated image (a vmlinux, or any executable) in a
 * user-space copy, with the runtime's own validate/patch code, and measure
 * how long it takes:
 *
 *   patch-elf [--min-sites N] ELF
 *
 * The executable sections and .previrt are copied into one buffer at their
 * link-time distances (self-relative records keep working), the handler
 * pool and counters are placed right after them (within rel32 reach, as
 * the kernel pool in .text would be), then:
 *   - validation passes and finds at least N sites,
 *   - the native backend changes no byte,
 *   - the profile backend patches; every patched site is `jmp thunk`, and
 *     the thunk holds the original instruction bytes followed by a jmp to
 *     the end of the site; every byte outside the sites is unchanged.
 *   - the xen backend with MMIO thunks on (struct pv_xen.mmio_entry): every
 *     patched MMIO site is `jmp thunk`, the thunk pushes the site's
 *     descriptor (pv_xen_mmio_form of the original bytes), calls the MMIO
 *     entry and holds the original instruction and a jmp back; every MMIO
 *     site of main text with a descriptor is patched; with mmio_entry 0
 *     no MMIO site changes;
 *   - zones (runtime/patch/zone.h), when the image names them: the thunks
 *     of .noinstr.text sites lie in the image's own noinstr pool (lib/pool.h,
 *     found by name like the zones), those of main sites in the main pool,
 *     and no .entry.text site is patched.
 * Cycles (rdtsc) per phase are printed.  Ends with "N passed, M failed".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <x86intrin.h>

#include "patch/backend.h"
#include "pool.h"
#include "xen/xen-rt.h"
#include "check.h"

/* the plan's decisions, one bit per record (patch.h: the caller's memory) */
static uint64_t plan_bits[1 << 11];
#define PLAN .planned = plan_bits, .planned_len = sizeof plan_bits / 8



#define MAX_SECS 64

struct loaded {
	uint8_t        *buf;          /* image copy: buf[0] is link address `base` */
	uint64_t        base, span;
	struct pv_range text[MAX_SECS];
	unsigned        ntext;
	size_t          rec_off, rec_size;
	uint8_t        *pool;
	size_t          pool_size;
	uint64_t       *counters;
	unsigned        ncounters;
	struct pv_zones zones;        /* in the copy; unknown zones stay 0 */
	int             have_zones;
	uint8_t        *noinstr_pool; /* the image's own, inside the copy (0: none) */
	size_t          noinstr_pool_size;
};

/* The address in the copy of symbol `name` (link address inside the span), or 0. */
static uintptr_t sym_in_copy(Elf *e, const struct loaded *L, const char *name)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		gelf_getshdr(scn, &sh);
		if (sh.sh_type != SHT_SYMTAB || !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t k = 0; k < sh.sh_size / sh.sh_entsize; k++) {
			GElf_Sym s;
			const char *n;

			gelf_getsym(d, (int)k, &s);
			n = elf_strptr(e, sh.sh_link, s.st_name);
			if (n && !strcmp(n, name) && s.st_value >= L->base && s.st_value <= L->base + L->span)
				return (uintptr_t)L->buf + (s.st_value - L->base);
		}
	}
	return 0;
}

/* Zones and the noinstr pool, found by name as the loader finds them. */
static void find_zones(Elf *e, struct loaded *L)
{
	uintptr_t a, b;

	for (int z = PV_ZONE_MAIN + 1; z < PV_NZONES; z++) {
		a = sym_in_copy(e, L, pv_zone_symbols[z].start);
		b = sym_in_copy(e, L, pv_zone_symbols[z].end);
		if (a && b >= a) {
			L->zones.at[z].start = a, L->zones.at[z].end = b;
			L->have_zones = 1;
		}
	}
	a = sym_in_copy(e, L, PREVIRT_NOINSTR_POOL_SYM);
	b = sym_in_copy(e, L, PREVIRT_NOINSTR_POOL_END_SYM);
	if (a && b > a && pv_in_zone(&L->zones, PV_ZONE_NOINSTR, a, b - a))
		L->noinstr_pool = (uint8_t *)a, L->noinstr_pool_size = b - a;
}

static int load(const char *file, struct loaded *L)
{
	int fd = open(file, O_RDONLY);
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	uint64_t lo = UINT64_MAX, hi = 0;
	int pass;

	memset(L, 0, sizeof *L);
	elf_version(EV_CURRENT);
	if (fd < 0 || !(e = elf_begin(fd, ELF_C_READ, NULL)) || elf_getshdrstrndx(e, &shstrndx)) {
		fprintf(stderr, "patch-elf: %s: cannot read as ELF\n", file);
		return -1;
	}
	/* pass 0: extent of the sections we need; pass 1: copy them */
	for (pass = 0; pass < 2; pass++) {
		scn = NULL;
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			const char *name;
			Elf_Data *d;
			int is_rec, is_text;

			gelf_getshdr(scn, &sh);
			name = elf_strptr(e, shstrndx, sh.sh_name);
			if (!name || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC))
				continue;
			is_rec = strcmp(name, PREVIRT_SECTION) == 0;
			is_text = (sh.sh_flags & SHF_EXECINSTR) && strcmp(name, ".altinstr_replacement");
			if (!is_rec && !is_text)
				continue;
			if (pass == 0) {
				lo = sh.sh_addr < lo ? sh.sh_addr : lo;
				hi = sh.sh_addr + sh.sh_size > hi ? sh.sh_addr + sh.sh_size : hi;
				continue;
			}
			d = elf_getdata(scn, NULL);
			memcpy(L->buf + (sh.sh_addr - lo), d->d_buf, d->d_size);
			if (is_rec) {
				L->rec_off = sh.sh_addr - lo;
				L->rec_size = sh.sh_size;
			} else if (L->ntext < MAX_SECS) {
				L->text[L->ntext].start = (uintptr_t)L->buf + (sh.sh_addr - lo);
				L->text[L->ntext].end = L->text[L->ntext].start + sh.sh_size;
				L->ntext++;
			}
		}
		if (pass == 0) {
			if (hi <= lo || hi - lo > (1ull << 30)) {
				fprintf(stderr, "patch-elf: %s: no text or a span over 1 GiB\n", file);
				return -1;
			}
			L->base = lo;
			L->span = (hi - lo + 4095) & ~4095ull;
			L->ncounters = 1 << 16;
			L->pool_size = (size_t)L->ncounters * PV_PROFILE_THUNK;
			L->buf = calloc(1, L->span + L->pool_size + L->ncounters * 8);
			L->pool = L->buf + L->span;
			L->counters = (uint64_t *)(L->pool + L->pool_size);
		}
	}
	find_zones(e, L);
	elf_end(e);
	close(fd);
	if (!L->rec_size) {
		fprintf(stderr, "patch-elf: %s: no %s section\n", file, PREVIRT_SECTION);
		return -1;
	}
	return 0;
}

static int32_t get32(const uint8_t *p)
{
	int32_t v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * The Xen backend on the same image, MMIO thunks on and off.  The entries
 * are stand-ins at the pool's start (never run); thunks follow them.
 */
static void xen_mmio(struct loaded *L, const uint8_t *orig, const char *file)
{
	static struct pv_xen_acpi acpi;
	uint8_t *pio_entry = L->pool, *mmio_entry = L->pool + 32;
	struct pv_xen xen = { .thunks = L->pool + 64, .thunks_size = L->pool_size - 64,
			      .pio_entry = (uintptr_t)pio_entry, .acpi = &acpi };
	struct pv_image img;
	struct pv_result r;
	unsigned mmio = 0, patched = 0, bad = 0, changed = 0, main_described = 0;
	int err;

	memcpy(L->buf, orig, L->span);
	img = (struct pv_image){ .records = L->buf + L->rec_off, .size = L->rec_size, .text = L->text,
				 .ntext = L->ntext, PLAN, .zones = L->have_zones ? &L->zones : NULL };
	err = pv_patch_image(&img, &pv_backend_xen, &xen, &r);
	for (size_t off = 0; off < L->rec_size; off += PREVIRT_RECORD_SIZE) {
		const struct previrt_site *rec = (const void *)(img.records + off);
		uint8_t *s = (uint8_t *)&rec->addr + rec->addr;

		if (rec->kind != PREVIRT_KIND_HEADER && (rec->flags & PREVIRT_F_MMIO))
			changed += memcmp(s, orig + (s - L->buf), rec->length) != 0;
	}
	check(err == PV_OK && changed == 0 && xen.nmmio == 0,
	      "%s: xen backend, mmio_entry 0: %s, no MMIO site changed (%u did)", file, pv_error_name(err), changed);

	memcpy(L->buf, orig, L->span);
	xen.mmio_entry = (uintptr_t)mmio_entry;
	err = pv_patch_image(&img, &pv_backend_xen, &xen, &r);
	for (size_t off = 0; off < L->rec_size; off += PREVIRT_RECORD_SIZE) {
		const struct previrt_site *rec = (const void *)(img.records + off);
		uint8_t *s = (uint8_t *)&rec->addr + rec->addr;
		const uint8_t *o = orig + (s - L->buf);
		unsigned io = (rec->xflags & PREVIRT_X_PAD_BEFORE) ? (unsigned)(rec->length - rec->insn_length) : 0;
		struct pv_insn in;
		long d;

		if (rec->kind == PREVIRT_KIND_HEADER || !(rec->flags & PREVIRT_F_MMIO))
			continue;
		mmio++;
		d = pv_decode(o + io, rec->insn_length, &in) ? -1 : pv_xen_mmio_form(o + io, &in);
		main_described += d >= 0 && pv_zone_of(img.zones, (uintptr_t)s, rec->length, rec->flags) == PV_ZONE_MAIN &&
				  !(rec->flags & (PREVIRT_F_EXTABLE | PREVIRT_F_SHADOW)) &&
				  !(rec->xflags & PREVIRT_X_NOSTACK) && rec->length >= 5;
		if (!pv_site_planned(&img, (unsigned)(off / PREVIRT_RECORD_SIZE))) {
			bad += memcmp(s, o, rec->length) != 0;
			continue;
		}
		patched++;
		{
			/* lea(5) push $desc(5) call(5) <insn> lea(8) jmp(5) */
			uint8_t *t = s + 5 + get32(s + 1), *copy = t + 15, *j = copy + rec->insn_length + 8;

			if (s[0] != 0xe9 || t < xen.thunks || t >= xen.thunks + xen.used * PV_XEN_THUNK ||
			    t[5] != 0x68 || get32(t + 6) != d || t[10] != 0xe8 || copy + get32(t + 11) != mmio_entry ||
			    memcmp(copy, o + io, rec->insn_length) || j[0] != 0xe9 || j + 5 + get32(j + 1) != s + rec->length)
				bad++;
		}
	}
	check(err == PV_OK && bad == 0 && patched == xen.nmmio && patched == main_described,
	      "%s: xen backend, mmio_entry set: %s, %u of %u MMIO sites patched (all %u described main-text ones), "
	      "each jmp -> lea; push $desc; call mmio_entry; <original>; lea; jmp back (%u bad), %u thunk slots",
	      file, pv_error_name(err), patched, mmio, main_described, bad, xen.used);
}

int main(int argc, char **argv)
{
	unsigned long min_sites = 1;
	struct loaded L;
	struct pv_image img;
	struct pv_result r;
	struct pv_profile st;
	uint8_t *orig;
	uint64_t t0, t1, best = UINT64_MAX;
	static uint64_t scratch[1 << 16];
	int err, i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && strcmp(argv[1], "--min-sites") == 0)
		min_sites = strtoul(argv[2], NULL, 10), i = 3;
	if (i + 1 != argc) {
		fprintf(stderr, "usage: patch-elf [--min-sites N] ELF\n");
		return 2;
	}
	if (load(argv[i], &L))
		return 2;
	orig = malloc(L.span);
	memcpy(orig, L.buf, L.span);
	img = (struct pv_image){ .records = L.buf + L.rec_off, .size = L.rec_size,
				 .text = L.text, .ntext = L.ntext,
				 .scratch = scratch, .scratch_len = sizeof scratch / 8, PLAN,
				 .zones = L.have_zones ? &L.zones : NULL };

	for (int k = 0; k < 20; k++) {          /* best of 20: a warm, undisturbed run */
		t0 = __rdtsc();
		err = pv_validate_image(&img, &r);
		t1 = __rdtsc();
		best = t1 - t0 < best ? t1 - t0 : best;
	}
	check(err == PV_OK && r.nsites >= min_sites,
	      "%s: validation: %s (record %u), %u sites, %u headers, %u text sections",
	      argv[i], pv_error_name(err), r.record, r.nsites, r.nheaders, L.ntext);
	printf("validate: %llu cycles for %u sites = %.0f cycles/site (best of 20)\n",
	       (unsigned long long)best, r.nsites, (double)best / (r.nsites ? r.nsites : 1));

	t0 = __rdtsc();
	err = pv_patch_image(&img, &pv_backend_native, NULL, &r);
	t1 = __rdtsc();
	check(err == PV_OK && r.npatched == 0 && memcmp(orig, L.buf, L.span) == 0,
	      "native backend: %s, %u sites kept, image unchanged (%llu cycles)",
	      pv_error_name(err), r.nkept, (unsigned long long)(t1 - t0));

	st = (struct pv_profile){ .pool = L.pool, .pool_size = L.pool_size,
				  .noinstr_pool = L.noinstr_pool, .noinstr_pool_size = L.noinstr_pool_size,
				  .counters = L.counters, .ncounters = L.ncounters };
	t0 = __rdtsc();
	err = pv_patch_image(&img, &pv_backend_profile, &st, &r);
	t1 = __rdtsc();
	check(err == PV_OK && r.npatched > 0,
	      "profile backend: %s, %u patched, %u kept native (%llu cycles = %.0f/site, validation included)",
	      pv_error_name(err), r.npatched, r.nkept, (unsigned long long)(t1 - t0),
	      (double)(t1 - t0) / (r.nsites ? r.nsites : 1));
	{
		unsigned keep[PV_PK_NREASONS] = { 0 }, bad = 0, thunks = 0;
		size_t site_bytes = 0, changed = 0;
		uint8_t *mask = calloc(1, L.span);

		/* the image's own noinstr pool is where noinstr thunks go: not "outside the sites" */
		if (L.noinstr_pool)
			memset(mask + (L.noinstr_pool - L.buf), 1, L.noinstr_pool_size);
		for (size_t off = 0; off < L.rec_size; off += PREVIRT_RECORD_SIZE) {
			const struct previrt_site *rec = (const void *)(img.records + off);
			uint8_t *s = (uint8_t *)&rec->addr + rec->addr, *o = orig + (s - L.buf);
			struct pv_site site = { 0 };
			/* the instruction's offset: the pad comes first with PREVIRT_X_PAD_BEFORE */
			unsigned io = (rec->xflags & PREVIRT_X_PAD_BEFORE) ? (unsigned)(rec->length - rec->insn_length) : 0;

			if (rec->kind == PREVIRT_KIND_HEADER)
				continue;
			memset(mask + (s - L.buf), 1, rec->length);
			site_bytes += rec->length;
			if (!pv_site_planned(&img, (unsigned)(off / PREVIRT_RECORD_SIZE))) {
				pv_site_at(&img, (unsigned)(off / PREVIRT_RECORD_SIZE), &site);  /* unpatched: decodes */
				keep[pv_profile_keep_reason(&st, &site)]++;
				bad += memcmp(s, o, rec->length) != 0;
				continue;
			}
			/* jmp thunk; thunk = head, original bytes, jmp site end; in its zone's pool */
			{
				uint8_t *t = s + 5 + get32(s + 1), *copy = t + 23, *j = copy + rec->insn_length;
				int z = pv_zone_of(img.zones, (uintptr_t)s, rec->length, rec->flags);
				uint8_t *pool = z == PV_ZONE_NOINSTR ? L.noinstr_pool : L.pool;
				size_t pool_size = z == PV_ZONE_NOINSTR ? L.noinstr_pool_size : L.pool_size;
				struct pv_insn in;

				thunks++;
				if (s[0] != 0xe9 || !pool || t < pool || t >= pool + pool_size ||
				    pv_decode(o + io, rec->insn_length, &in) ||
				    (in.rip_disp < 0 && memcmp(copy, o + io, rec->insn_length)) ||
				    j[0] != 0xe9 || j + 5 + get32(j + 1) != s + rec->length)
					bad++;
			}
		}
		for (size_t k = 0; k < L.span; k++)
			changed += !mask[k] && orig[k] != L.buf[k];
		check(bad == 0 && changed == 0 && thunks == r.npatched,
		      "profile: %u sites are jmp -> thunk(original bytes; jmp back), %u bad; "
		      "%zu bytes changed outside the %zu bytes of sites%s",
		      thunks, bad, changed, site_bytes, L.noinstr_pool ? " and the noinstr pool" : "");
		printf("kept native: %u too short, %u exception table, %u control flow, %u user stack, "
		       "%u shadow pair, %u zone kept native (entry), %u noinstr without a noinstr pool, "
		       "%u no stack (early boot text)\n",
		       keep[PV_PK_SHORT], keep[PV_PK_EXTABLE], keep[PV_PK_CFLOW],
		       keep[PV_PK_USER_STACK], keep[PV_PK_SHADOW], keep[PV_PK_ZONE], keep[PV_PK_NO_ZONE_POOL],
		       keep[PV_PK_NOSTACK]);
		if (L.have_zones)
			check(r.zone_patched[PV_ZONE_ENTRY] == 0 &&
			      (!L.noinstr_pool || r.zone_patched[PV_ZONE_NOINSTR] > 0),
			      "zones: main %u sites (%u patched), noinstr %u (%u patched into the noinstr pool, "
			      "%zu bytes), entry %u (%u patched); %u zone sites without the NOINSTR flag, "
			      "%u NOINSTR sites outside the zones",
			      r.zone_sites[PV_ZONE_MAIN], r.zone_patched[PV_ZONE_MAIN],
			      r.zone_sites[PV_ZONE_NOINSTR], r.zone_patched[PV_ZONE_NOINSTR], L.noinstr_pool_size,
			      r.zone_sites[PV_ZONE_ENTRY], r.zone_patched[PV_ZONE_ENTRY], r.unflagged, r.unplaced);
		free(mask);
	}
	xen_mmio(&L, orig, argv[i]);
	return check_summary();
}
