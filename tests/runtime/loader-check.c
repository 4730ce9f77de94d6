/* SPDX-License-Identifier: MIT */
/*
 * The loader's input checks on the host: the same code the loader runs
 * before it writes anything (runtime/loader/prepare.c: boot information,
 * bundle, ELF and program headers, section headers, names, symbols,
 * __ex_table, PT_LOAD destinations, and pv_validate_image over the file's
 * bytes), run on a simulated physical memory holding a multiboot info
 * block, a memory map and the kernel module.
 *
 *   loader-check MINIKERNEL [VMLINUX]
 *
 * The intact image must pass; each corruption (one per field class) must
 * be refused with one "previrt-loader: FATAL: <field>: <what>" line naming
 * the expected field, and the simulated memory (the module, the kernel's
 * load range, the boot information) must be byte for byte as before.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "loader/prepare.h"
#include "loader/resident.h"
#include "pool.h"

#define MEM_SIZE   (96u << 20)
#define SELF       0x100000u
#define MBI        0x9000u
#define MODS       0x9100u
#define MMAP       0x9200u
#define CMDLINE    0x9400u
#define MODULE     0x2000000u

static uint8_t *mem, *snap;
static uint8_t *file;                  /* the intact ELF */
static size_t file_size;
static struct pv_buf membuf;
static uint64_t scratch[1 << 17];

static uint8_t *K(void) { return mem + MODULE; }
static Elf64_Ehdr *EH(void) { return (Elf64_Ehdr *)K(); }
static Elf64_Phdr *PH(unsigned i) { return (Elf64_Phdr *)(K() + EH()->e_phoff + i * sizeof(Elf64_Phdr)); }
static Elf64_Shdr *SH(unsigned i) { return (Elf64_Shdr *)(K() + EH()->e_shoff + i * sizeof(Elf64_Shdr)); }

static Elf64_Shdr *section(const char *name)
{
	const char *strs = (const char *)K() + SH(EH()->e_shstrndx)->sh_offset;

	for (unsigned i = 0; i < EH()->e_shnum; i++)
		if (!strcmp(strs + SH(i)->sh_name, name))
			return SH(i);
	return NULL;
}

static Elf64_Sym *symbol(const char *name)
{
	Elf64_Shdr *st = section(".symtab"), *str = SH(st->sh_link);
	Elf64_Sym *s = (Elf64_Sym *)(K() + st->sh_offset);

	for (size_t k = 0; k < st->sh_size / sizeof *s; k++)
		if (!strcmp((const char *)K() + str->sh_offset + s[k].st_name, name))
			return &s[k];
	return NULL;
}

/* the .previrt record (in the file) of the first site with kind `kind` (0: the first header) */
/* The first record of a kind that has all of `flags` (a real kernel has
 * unprotected rdmsrs and lone stis before the ones a corruption needs). */
static struct previrt_site *record_with(unsigned kind, unsigned flags)
{
	Elf64_Shdr *pv = section(".previrt");

	for (size_t off = 0; off < pv->sh_size; off += PREVIRT_RECORD_SIZE) {
		struct previrt_site *r = (struct previrt_site *)(K() + pv->sh_offset + off);

		if (r->kind == kind && (r->flags & flags) == flags)
			return r;
	}
	return NULL;
}

static struct previrt_site *record(unsigned kind)
{
	return record_with(kind, 0);
}

/* the first executable PT_LOAD */
static Elf64_Phdr *text_seg(void)
{
	for (unsigned i = 0; i < EH()->e_phnum; i++)
		if (PH(i)->p_type == PT_LOAD && (PH(i)->p_flags & PF_X))
			return PH(i);
	return NULL;
}

static void setup(const uint8_t *elf, size_t size)
{
	struct mb_info *mbi = (struct mb_info *)(mem + MBI);
	struct mb_module *mods = (struct mb_module *)(mem + MODS);
	struct mb_mmap *mm = (struct mb_mmap *)(mem + MMAP);

	memset(mem, 0x5a, MEM_SIZE);                    /* "RAM": any pattern, compared afterwards */
	memcpy(mem + MODULE, elf, size);
	*mbi = (struct mb_info){ .flags = MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MMAP, .cmdline = CMDLINE,
				 .mods_count = 1, .mods_addr = MODS,
				 .mmap_length = 2 * sizeof *mm, .mmap_addr = MMAP };
	mods[0] = (struct mb_module){ MODULE, (uint32_t)(MODULE + size), 0, 0 };
	mm[0] = (struct mb_mmap){ 20, 0, 0x9fc00, 1 };
	mm[1] = (struct mb_mmap){ 20, 0x100000, MEM_SIZE - 0x100000, 1 };
	strcpy((char *)mem + CMDLINE, "/boot/previrt-loader.elf console=ttyS0 previrt.backend=native");
}

/* run the loader's checks; 0 when accepted, else -1 and the FATAL line in line[] */
static int run(struct prepared *p, char *line, size_t n)
{
	struct pv_err e;

	memset(p, 0, sizeof *p);
	p->mbi_addr = MBI;
	p->self = (struct blob){ SELF, 0x80000 };
	p->scratch = scratch, p->scratch_len = sizeof scratch / 8;
	if (prepare_boot(&membuf, p, &e) || prepare_image(p, &e)) {
		snprintf(line, n, "previrt-loader: FATAL: %s: %s", e.field, e.what);
		return -1;
	}
	line[0] = 0;
	return 0;
}

struct corruption {
	const char *name, *field;           /* what is broken, the field the FATAL line must name */
	void (*apply)(void);
};

#define C(fn) static void fn(void)
C(c_magic)      { K()[1] = 'X'; }
C(c_machine)    { EH()->e_machine = 3; }
C(c_phoff)      { EH()->e_phoff = 0xffffffffffffff00ull; }
C(c_phnum)      { EH()->e_phnum = 0xffff; }
C(c_entry)      { EH()->e_entry = 0x500000; }
C(c_shoff)      { EH()->e_shoff = file_size - 8; }
C(c_shstrndx)   { EH()->e_shstrndx = EH()->e_shnum; }
C(c_filesz)     { text_seg()->p_filesz = text_seg()->p_memsz + 1; }
C(c_offset)     { text_seg()->p_offset = 0xfffffffffffff000ull; }
C(c_paddr_4g)   { text_seg()->p_paddr = 0xffffff00ull; }
C(c_paddr_self) { text_seg()->p_paddr = SELF; EH()->e_entry = SELF; }
C(c_paddr_mod)  { text_seg()->p_paddr = MODULE; EH()->e_entry = MODULE; }
C(c_paddr_ram)  { text_seg()->p_paddr = 0xa0000; EH()->e_entry = 0xa0000; }
C(c_overlap)    { for (unsigned i = 0; i < EH()->e_phnum; i++)
			if (PH(i)->p_type == PT_LOAD && PH(i) != text_seg()) { PH(i)->p_paddr = text_seg()->p_paddr; break; } }
C(c_shname)     { section(".previrt")->sh_name = 0x7fffffff; }
C(c_strtab_nul) { Elf64_Shdr *s = SH(EH()->e_shstrndx); K()[s->sh_offset + s->sh_size - 1] = 'x';
		  s->sh_name = (uint32_t)s->sh_size - 1; }
C(c_previrt_sz) { section(".previrt")->sh_size += 1u << 24; }
C(c_symlink)    { section(".symtab")->sh_link = EH()->e_shnum + 3; }
C(c_symentsize) { section(".symtab")->sh_entsize = 16; }
C(c_symname)    { symbol("__stop___ex_table")->st_name = 0x7ffffff0; }
C(c_exsym)      { symbol("__stop___ex_table")->st_value += 4; }
C(c_exentry)    { Elf64_Shdr *x = section("__ex_table");
		  *(int32_t *)(K() + x->sh_offset) += 0x10000000; }
C(c_extable)    { record_with(PREVIRT_KIND_RDMSR, PREVIRT_F_EXTABLE)->flags &= (uint8_t)~PREVIRT_F_EXTABLE; }
C(c_extable2)   { record(PREVIRT_KIND_CPUID)->flags |= PREVIRT_F_EXTABLE; }
C(c_kind)       { record(PREVIRT_KIND_CPUID)->kind = 1000; }   /* in the format's range, no rule */
C(c_shadow_off) { record_with(PREVIRT_KIND_STI, PREVIRT_F_SHADOW)->flags &= (uint8_t)~PREVIRT_F_SHADOW; }
C(c_shadow_on)  { record(PREVIRT_KIND_CPUID)->flags |= PREVIRT_F_SHADOW; }
C(c_shadow_len) { record_with(PREVIRT_KIND_STI, PREVIRT_F_SHADOW)->insn_length = 1; }
/* zones (runtime/patch/zone.h) and the noinstr pool (lib/pool.h), found by symbol name */
static Elf64_Sym *S(const char *name) { return symbol(name); }
C(c_zone_half)  { S("__noinstr_text_end")->st_name = S("__noinstr_text_start")->st_name; }
C(c_zone_order) { S("__noinstr_text_end")->st_value = S("__noinstr_text_start")->st_value - 1; }
C(c_zone_data)  { S("__entry_text_start")->st_value = S(PREVIRT_COUNTERS_SYM)->st_value;
		  S("__entry_text_end")->st_value = S(PREVIRT_COUNTERS_SYM)->st_value + 8; }
C(c_zone_overlap) { S("__entry_text_start")->st_value = S("__noinstr_text_start")->st_value;
		  S("__entry_text_end")->st_value = S("__noinstr_text_end")->st_value; }
C(c_nipool_out) { S(PREVIRT_NOINSTR_POOL_SYM)->st_value = S(PREVIRT_POOL_SYM)->st_value;
		  S(PREVIRT_NOINSTR_POOL_END_SYM)->st_value = S(PREVIRT_POOL_SYM)->st_value + 64; }
/*
 * A noinstr zone boundary one byte into a site: the end when the noinstr
 * pool lies before the site, else the start, so the pool stays inside and
 * it is the site that crosses.
 */
C(c_zone_cut)   { Elf64_Shdr *pv = section(".previrt"); Elf64_Sym *zs = S("__noinstr_text_start"),
		  *ze = S("__noinstr_text_end"), *pool = S(PREVIRT_NOINSTR_POOL_SYM);
		  for (size_t off = 0; off < pv->sh_size; off += PREVIRT_RECORD_SIZE) {
			struct previrt_site *r = (struct previrt_site *)(K() + pv->sh_offset + off);
			uint64_t a = pv->sh_addr + off + (uint64_t)(int64_t)r->addr;
			if (r->kind && a >= zs->st_value && a < ze->st_value) {
				if (pool && pool->st_value < a) ze->st_value = a + 1; else zs->st_value = a + 1;
				break; } } }
C(c_version)    { ((struct previrt_header *)record(0))->version = PREVIRT_FORMAT_VERSION + 1; }
C(c_bi_cmdline) { struct mb_info *m = (void *)(mem + MBI); m->cmdline = MEM_SIZE - 4; memset(mem + MEM_SIZE - 4, 'x', 4); }
C(c_bi_mods)    { ((struct mb_info *)(mem + MBI))->mods_addr = 0xfffffff8u; }
C(c_bi_modend)  { ((struct mb_module *)(mem + MODS))->mod_end = MODULE - 1; }
C(c_bi_modbig)  { ((struct mb_module *)(mem + MODS))->mod_end = 0xffffffffu; }
C(c_bi_mmap)    { ((struct mb_mmap *)(mem + MMAP))[1].size = 0x1000; }
C(c_bi_noram)   { ((struct mb_mmap *)(mem + MMAP))[0].type = 2; ((struct mb_mmap *)(mem + MMAP))[1].type = 2; }
C(c_bi_nomods)  { ((struct mb_info *)(mem + MBI))->mods_count = 0; }
/* a bundle around the intact kernel, with its kernel_off past the end */
C(c_bundle)     { static uint8_t b[4096]; struct bundle_header *h = (void *)b;
		  memmove(K() + 4096, K(), file_size); memset(K(), 0, 4096);
		  memcpy(h->magic, "PREVIRT-BUNDLE1", 16); h->kernel_off = 4096; h->kernel_size = file_size;
		  h->initrd_off = 0xfffffffffffff000ull; h->initrd_size = 0x2000;
		  memcpy(K(), b, sizeof b);
		  ((struct mb_module *)(mem + MODS))->mod_end = (uint32_t)(MODULE + 4096 + file_size); }

static const struct corruption corruptions[] = {
	{ "ELF: not an ELF file",                    "e_ident",           c_magic },
	{ "ELF: e_machine",                          "e_machine",         c_machine },
	{ "ELF: e_phoff wraps around",               "e_phoff",           c_phoff },
	{ "ELF: e_phnum 65535",                      "e_phnum",           c_phnum },
	{ "ELF: e_entry outside the segments",       "e_entry",           c_entry },
	{ "ELF: e_shoff past the file",              "e_shoff",           c_shoff },
	{ "ELF: e_shstrndx",                         "e_shstrndx",        c_shstrndx },
	{ "phdr: p_filesz > p_memsz",                "p_filesz",          c_filesz },
	{ "phdr: p_offset wraps around",             "p_offset",          c_offset },
	{ "phdr: segment crosses 4 GiB",             "p_paddr",           c_paddr_4g },
	{ "phdr: segment over the loader",           "p_paddr",           c_paddr_self },
	{ "phdr: segment over the vmlinux module",   "p_paddr",           c_paddr_mod },
	{ "phdr: segment outside usable RAM",        "p_paddr",           c_paddr_ram },
	{ "phdr: two segments overlap",              "p_paddr",           c_overlap },
	{ "shdr: sh_name past the name table",       "sh_name",           c_shname },
	{ "shdr: name table without its last NUL",   "sh_name",           c_strtab_nul },
	{ "shdr: .previrt past its segment",         ".previrt",          c_previrt_sz },
	{ "symtab: sh_link",                         ".symtab sh_link",   c_symlink },
	{ "symtab: sh_entsize",                      ".symtab",           c_symentsize },
	{ "symtab: st_name past .strtab",            "st_name",           c_symname },
	{ "__ex_table: symbols and section disagree","__ex_table",        c_exsym },
	{ "__ex_table: an entry points off text",    "__ex_table entry size", c_exentry },
	{ "record: EXTABLE missing on rdmsr_safe",   "flags (EXTABLE)",   c_extable },
	{ "record: EXTABLE claimed by cpuid",        "flags (EXTABLE)",   c_extable2 },
	{ "record: kind 1000 (undefined)",           "kind",              c_kind },
	{ "record: SHADOW pair without the flag",    "insn_length",       c_shadow_off },
	{ "record: SHADOW on cpuid",                 "flags (SHADOW)",    c_shadow_on },
	{ "record: SHADOW pair without a follower",   "flags (SHADOW)",    c_shadow_len },
	{ "record: header version past the newest",  "header version",    c_version },
	{ "zone: only __noinstr_text_start",         "__noinstr_text_start/__noinstr_text_end symbols", c_zone_half },
	{ "zone: noinstr end below its start",        "__noinstr_text_start/__noinstr_text_end symbols", c_zone_order },
	{ "zone: entry text in data",                 "__entry_text_start/__entry_text_end symbols", c_zone_data },
	{ "zone: entry and noinstr overlap",          "zone symbols",      c_zone_overlap },
	{ "zone: boundary through a site",            "addr (zone)",       c_zone_cut },
	{ "pool: noinstr pool outside the zone",      "previrt_noinstr_pool/previrt_noinstr_pool_end symbols", c_nipool_out },
	{ "boot info: cmdline without NUL",          "cmdline",           c_bi_cmdline },
	{ "boot info: mods_addr outside memory",     "mods_addr",         c_bi_mods },
	{ "boot info: mod_end below mod_start",      "mod_end",           c_bi_modend },
	{ "boot info: module past memory",           "mod_start/mod_end", c_bi_modbig },
	{ "boot info: memory map entry size",        "memory map entry size", c_bi_mmap },
	{ "boot info: no usable RAM",                "memory map",        c_bi_noram },
	{ "boot info: no module",                    "mods_count",        c_bi_nomods },
	{ "bundle: initrd_off past the module",      "bundle initrd_off", c_bundle },
};

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;

	if (!f || fseek(f, 0, SEEK_END) || (*size = (size_t)ftell(f)) == 0 || fseek(f, 0, SEEK_SET) ||
	    !(b = malloc(*size)) || fread(b, 1, *size, f) != *size) {
		fprintf(stderr, "loader-check: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	return b;
}

static void one_image(const char *path, int all)
{
	struct prepared p;
	char line[256];
	int rc;

	file = read_file(path, &file_size);
	if (file_size > MEM_SIZE - MODULE - 8192) {
		fprintf(stderr, "loader-check: %s is too big\n", path);
		exit(2);
	}
	setup(file, file_size);
	rc = run(&p, line, sizeof line);
	check(rc == 0, "%s: accepted (%u sites, %u headers, __ex_table %u x %u bytes)%s%s", path, p.r.nsites,
	      p.r.nheaders, p.im.extable.n, p.im.extable.entsize, rc ? "; " : "", line);
	/* the zones were found by name; the mini kernel has one site in each and a noinstr pool */
	check(rc == 0 && pv_zone_known(&p.im.zones, PV_ZONE_NOINSTR) && pv_zone_known(&p.im.zones, PV_ZONE_ENTRY) &&
	      (!all || (p.r.zone_sites[PV_ZONE_NOINSTR] == 1 && p.r.zone_sites[PV_ZONE_ENTRY] == 1 &&
			p.im.noinstr_pool_end > p.im.noinstr_pool)),
	      "%s: zones by symbol: noinstr %u sites, entry %u, main %u (unflagged %u, unplaced %u); "
	      "noinstr pool %lu bytes", path, p.r.zone_sites[PV_ZONE_NOINSTR], p.r.zone_sites[PV_ZONE_ENTRY],
	      p.r.zone_sites[PV_ZONE_MAIN], p.r.unflagged, p.r.unplaced,
	      (unsigned long)(p.im.noinstr_pool_end - p.im.noinstr_pool));
	for (size_t i = 0; i < sizeof corruptions / sizeof corruptions[0]; i++) {
		const struct corruption *c = &corruptions[i];
		int changed;

		if (!all && strncmp(c->name, "record: SHADOW", 14) == 0)
			continue;                        /* the real kernel has no SHADOW site to break */
		if (!all && strncmp(c->name, "pool:", 5) == 0 && !symbol(PREVIRT_NOINSTR_POOL_SYM))
			continue;                        /* built before the noinstr pool existed */
		setup(file, file_size);
		c->apply();
		memcpy(snap, mem, MEM_SIZE);
		rc = run(&p, line, sizeof line);
		changed = memcmp(snap, mem, MEM_SIZE) != 0;
		check(rc < 0 && strstr(line, c->field) && !strchr(line, '\n') && !changed,
		      "%-42s -> %s%s", c->name, rc < 0 ? line : "ACCEPTED", changed ? " (memory changed!)" : "");
	}
	free(file);
}

/*
 * The module hook (loader/resident.c) on a real kernel: the calls of
 * module_finalize are found by symbol and decoded bytes; with their rel32
 * changed, none is found and the loader refuses (it could not patch the
 * kernel's modules), before writing anything.
 */
static void module_hook(const char *path)
{
	struct prepared p;
	struct res_plan rp;
	struct pv_err e = { 0 };
	char line[256];
	uint64_t pool, pool_end, cnt, cnt_end;
	uint8_t *call;
	int rc;

	file = read_file(path, &file_size);
	setup(file, file_size);
	if (run(&p, line, sizeof line)) {
		check(0, "%s: module hook: %s", path, line);
		free(file);
		return;
	}
	pool = elfimage_symbol(&p.im, "previrt_pool"), pool_end = elfimage_symbol(&p.im, "previrt_pool_end");
	cnt = elfimage_symbol(&p.im, "previrt_counters"), cnt_end = elfimage_symbol(&p.im, "previrt_counters_end");
	if (!elfimage_symbol(&p.im, "module_finalize")) {
		check(resident_check(&p.im, pool, pool_end, cnt, cnt_end, &rp, &e) == 0 && rp.ncalls == 0,
		      "%s: no module_finalize: no module support, nothing to hook", path);
		free(file);
		return;
	}
	rc = resident_check(&p.im, pool, pool_end, cnt, cnt_end, &rp, &e);
	check(rc == 0 && rp.ncalls >= 1 && rp.at >= pool && rp.at + rp.hdr->size <= pool_end &&
	      rp.state >= cnt && rp.state + sizeof(struct pv_res_state) <= cnt_end,
	      "%s: module hook: %u call(s) of module_finalize in %s; image at the pool's end, state at the counters' end%s%s",
	      path, rp.ncalls, rp.caller ? rp.caller : "?", rc ? ": " : "", rc ? e.what : "");
	if (rc || !rp.ncalls) {
		free(file);
		return;
	}
	memcpy(snap, mem, MEM_SIZE);
	{
		struct res_plan small;

		rc = resident_check(&p.im, pool, pool + 64, cnt, cnt_end, &small, &e);
		check(rc < 0 && strstr(e.field, "previrt_pool") && !memcmp(snap, mem, MEM_SIZE),
		      "module hook, pool too small -> previrt-loader: FATAL: %s: %s", rc < 0 ? e.field : "(accepted)",
		      rc < 0 ? e.what : "");
	}
	for (unsigned i = 0; i < rp.ncalls; i++) {
		call = (uint8_t *)elfimage_text_bytes(&p.im, rp.calls[i], 5);
		check(call && (call[0] == 0xe8 || call[0] == 0xe9), "module hook: call %u is an e8/e9 rel32 in the file", i);
		if (call)
			call[1] ^= 0x40;                     /* aim it elsewhere */
	}
	memcpy(snap, mem, MEM_SIZE);
	rc = resident_check(&p.im, pool, pool_end, cnt, cnt_end, &rp, &e);
	check(rc < 0 && e.field && strstr(e.field, "module_finalize") && !memcmp(snap, mem, MEM_SIZE),
	      "module hook, no call of module_finalize left -> previrt-loader: FATAL: %s: %s",
	      e.field ? e.field : "(accepted)", e.what ? e.what : "");
	free(file);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: loader-check MINIKERNEL [VMLINUX]\n");
		return 2;
	}
	mem = malloc(MEM_SIZE), snap = malloc(MEM_SIZE);
	if (!mem || !snap)
		return 2;
	membuf = (struct pv_buf){ (uintptr_t)mem, 0, MEM_SIZE };
	one_image(argv[1], 1);
	if (argc > 2) {
		one_image(argv[2], 0);
		module_hook(argv[2]);
	}
	return check_summary();
}
