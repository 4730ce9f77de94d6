/* SPDX-License-Identifier: MIT */
/*
 * Every field of vmlinux is read through pv_span/pv_strz (loader/checked.h)
 * and checked before use; a failure names the field.  Nothing here writes
 * anywhere but *im, except elfimage_load, which the loader calls only after
 * every check (this file's, the destination check and the validation of
 * every .previrt record against the file's bytes) has passed.
 */
#include "loader/elfimage.h"
#include "pool.h"

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static const Elf64_Phdr *phdr(const struct elfimage *im, unsigned i)
{
	return pv_span(&im->file, im->eh->e_phoff + (uint64_t)i * im->eh->e_phentsize, sizeof(Elf64_Phdr));
}

static const Elf64_Shdr *shdr(const struct elfimage *im, unsigned i)
{
	return pv_span(&im->file, im->eh->e_shoff + (uint64_t)i * im->eh->e_shentsize, sizeof(Elf64_Shdr));
}

int elfimage_parse(struct elfimage *im, const uint8_t *file, uint64_t size, struct pv_err *e)
{
	const Elf64_Ehdr *eh;

	*im = (struct elfimage){ .file = { (uintptr_t)file, 0, size }, .lo = UINT64_MAX };
	eh = im->eh = pv_span(&im->file, 0, sizeof *eh);
	if (!eh || eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 ||
	    eh->e_ident[EI_MAG2] != ELFMAG2 || eh->e_ident[EI_MAG3] != ELFMAG3)
		return pv_fail(e, "e_ident", "the kernel module is not an ELF file (give vmlinux, not bzImage)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return pv_fail(e, "e_ident", "not a little-endian ELF64 file");
	if (eh->e_machine != EM_X86_64)
		return pv_fail(e, "e_machine", "not x86-64");
	if (eh->e_type != ET_EXEC)
		return pv_fail(e, "e_type", "not an executable (ET_EXEC)");
	if (eh->e_phentsize < sizeof(Elf64_Phdr))
		return pv_fail(e, "e_phentsize", "smaller than an Elf64_Phdr");
	if (!eh->e_phnum || eh->e_phnum > ELFIMG_MAX_PHDR)
		return pv_fail(e, "e_phnum", "no program headers, or more than 32");
	if (!pv_span(&im->file, eh->e_phoff, (uint64_t)eh->e_phnum * eh->e_phentsize))
		return pv_fail(e, "e_phoff", "the program headers lie outside the file");
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr(im, i);

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (ph->p_filesz > ph->p_memsz)
			return pv_fail(e, "PT_LOAD p_filesz", "larger than p_memsz");
		if (!pv_span(&im->file, ph->p_offset, ph->p_filesz))
			return pv_fail(e, "PT_LOAD p_offset/p_filesz", "the segment lies outside the file");
		if (!pv_fits(ph->p_paddr, ph->p_memsz, 0x100000000ull))
			return pv_fail(e, "PT_LOAD p_paddr/p_memsz", "the segment does not lie below 4 GiB");
		if (!pv_fits(ph->p_vaddr, ph->p_memsz, UINT64_MAX))
			return pv_fail(e, "PT_LOAD p_vaddr/p_memsz", "wraps around the address space");
		for (unsigned j = 0; j < i; j++) {
			const Elf64_Phdr *q = phdr(im, j);

			if (q->p_type == PT_LOAD && pv_overlaps(ph->p_paddr, ph->p_memsz, q->p_paddr, q->p_memsz))
				return pv_fail(e, "PT_LOAD p_paddr", "two segments overlap");
		}
		if (ph->p_paddr < im->lo)
			im->lo = ph->p_paddr;
		if (ph->p_paddr + ph->p_memsz > im->hi)
			im->hi = ph->p_paddr + ph->p_memsz;
		if ((ph->p_flags & PF_X) && !im->v2p)
			im->v2p = (int64_t)(ph->p_paddr - ph->p_vaddr);
	}
	if (im->hi == 0)
		return pv_fail(e, "program headers", "no loadable segment");
	im->entry = eh->e_entry;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr(im, i);

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && pv_in(ph->p_paddr, ph->p_memsz, im->entry, 1))
			return 0;
	}
	return pv_fail(e, "e_entry", "not a physical address inside an executable segment");
}

void elfimage_rebase(struct elfimage *im, const uint8_t *file)
{
	intptr_t d = (intptr_t)((uintptr_t)file - im->file.base);

	im->file.base = (uintptr_t)file;
	im->eh = (const void *)file;
	for (unsigned i = 0; i < im->ntext; i++)
		im->text[i].read_off += d;
	if (im->previrt_file)
		im->previrt_file += d;
	if (im->extable.bytes)
		im->extable.bytes += d;
	if (im->symtab)
		im->symtab = (const void *)((const uint8_t *)im->symtab + d);
	if (im->strtab)
		im->strtab = (const void *)((const uint8_t *)im->strtab + d);
}

/*
 * The PT_LOAD file bytes holding [va, va + len): the segment's physical
 * address for va and the file pointer; -1 when no segment holds all of it
 * in its file part.
 */
static int locate(const struct elfimage *im, uint64_t va, uint64_t len, uint64_t *pa, const uint8_t **p)
{
	for (unsigned i = 0; i < im->eh->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr(im, i);

		/* only the segments elfimage_parse checked (PT_LOAD with p_memsz) */
		if (ph->p_type != PT_LOAD || !ph->p_memsz || !pv_in(ph->p_vaddr, ph->p_filesz, va, len))
			continue;
		*pa = ph->p_paddr + (va - ph->p_vaddr);
		*p = pv_span(&im->file, ph->p_offset + (va - ph->p_vaddr), len);
		return *p ? 0 : -1;
	}
	return -1;
}

/* physical address of a kernel virtual address (bss included), 0 when no segment holds it */
static uint64_t v2p(const struct elfimage *im, uint64_t va, uint64_t len)
{
	for (unsigned i = 0; i < im->eh->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr(im, i);

		if (ph->p_type == PT_LOAD && ph->p_memsz && pv_in(ph->p_vaddr, ph->p_memsz, va, len))
			return ph->p_paddr + (va - ph->p_vaddr);
	}
	return 0;
}

/* The symbol table and its strings, inside the file (elfimage_sections checked both). 0 or -1. */
static int sym_table(const struct elfimage *im, const Elf64_Sym **syms, uint64_t *n, struct pv_buf *strs)
{
	if (!im->symtab)
		return -1;
	*syms = pv_span(&im->file, im->symtab->sh_offset, im->symtab->sh_size);
	*n = im->symtab->sh_size / sizeof **syms;
	return !*syms || pv_sub(&im->file, im->strtab->sh_offset, im->strtab->sh_size, strs) ? -1 : 0;
}

static int sym_lookup(const struct elfimage *im, const char *name, uint64_t *va)
{
	const Elf64_Sym *syms;
	struct pv_buf strs;
	uint64_t n;

	if (sym_table(im, &syms, &n, &strs))
		return -1;
	for (uint64_t k = 0; k < n; k++) {
		/* elfimage_sections checked that .strtab ends in NUL: a range check is enough */
		const char *s = syms[k].st_name ? pv_span(&strs, syms[k].st_name, 1) : 0;

		if (s && streq(s, name)) {
			*va = syms[k].st_value;
			return 0;
		}
	}
	return -1;
}

uint64_t elfimage_symbol(const struct elfimage *im, const char *name)
{
	uint64_t va;

	return sym_lookup(im, name, &va) ? 0 : v2p(im, va, 0);
}

/*
 * A pair of symbols that bound a range of executable text (a zone, a
 * pool): both or neither.  0 with *lo = *hi = 0 when neither exists; 0 and
 * the physical range when it lies inside one executable section; -1 and
 * *e naming `field` otherwise.
 */
static int text_pair(const struct elfimage *im, const char *start, const char *end, const char *field,
		     uint64_t *lo, uint64_t *hi, struct pv_err *e)
{
	uint64_t vs, ve, ps;
	int has_s = !sym_lookup(im, start, &vs), has_e = !sym_lookup(im, end, &ve);

	*lo = *hi = 0;
	if (!has_s && !has_e)
		return 0;
	if (!has_s || !has_e)
		return pv_fail(e, field, "only one of the two symbols exists");
	if (ve < vs)
		return pv_fail(e, field, "the end lies below the start");
	ps = v2p(im, vs, ve - vs);
	for (unsigned t = 0; ps && t < im->ntext; t++) {
		if (pv_in(im->text[t].start, im->text[t].end - im->text[t].start, ps, ve - vs)) {
			*lo = ps, *hi = ps + (ve - vs);
			return 0;
		}
	}
	return pv_fail(e, field, "not inside one executable section");
}

/* "<start>/<end> symbols", the field a zone's FATAL line names (one spelling: patch/zone.c) */
static const char *zone_field(int z)
{
	static char f[PV_NZONES][80];
	unsigned n = 0;

	for (const char *s = pv_zone_symbols[z].start; *s && n < 40; s++)
		f[z][n++] = *s;
	f[z][n++] = '/';
	for (const char *s = pv_zone_symbols[z].end; *s && n < 70; s++)
		f[z][n++] = *s;
	for (const char *s = " symbols"; *s; s++)
		f[z][n++] = *s;
	f[z][n] = 0;
	return f[z];
}

int elfimage_zones(struct elfimage *im, struct pv_err *e)
{
	struct pv_zones *zs = &im->zones;
	uint64_t lo, hi;

	*zs = (struct pv_zones){ 0 };
	im->noinstr_pool = im->noinstr_pool_end = 0;
	im->noinstr_pool_unzoned = 0;
	for (int z = PV_ZONE_MAIN + 1; z < PV_NZONES; z++) {
		if (text_pair(im, pv_zone_symbols[z].start, pv_zone_symbols[z].end, zone_field(z), &lo, &hi, e))
			return -1;
		/* a zone at physical 0 would read as unknown; text_pair found it in a section, never at 0 */
		zs->at[z].start = lo, zs->at[z].end = hi;
	}
	if (pv_zone_known(zs, PV_ZONE_NOINSTR) && pv_zone_known(zs, PV_ZONE_ENTRY) &&
	    pv_overlaps(zs->at[PV_ZONE_NOINSTR].start, zs->at[PV_ZONE_NOINSTR].end - zs->at[PV_ZONE_NOINSTR].start,
			zs->at[PV_ZONE_ENTRY].start, zs->at[PV_ZONE_ENTRY].end - zs->at[PV_ZONE_ENTRY].start))
		return pv_fail(e, "zone symbols", ".noinstr.text and .entry.text overlap");
	if (text_pair(im, PREVIRT_NOINSTR_POOL_SYM, PREVIRT_NOINSTR_POOL_END_SYM,
		      PREVIRT_NOINSTR_POOL_SYM "/" PREVIRT_NOINSTR_POOL_END_SYM " symbols", &lo, &hi, e))
		return -1;
	if (hi == lo)
		return 0;
	if (!pv_zone_known(zs, PV_ZONE_NOINSTR)) {
		im->noinstr_pool_unzoned = 1;
		return 0;
	}
	/* its thunks run as part of noinstr code: they must be noinstr text too */
	if (!pv_in_zone(zs, PV_ZONE_NOINSTR, lo, hi - lo))
		return pv_fail(e, PREVIRT_NOINSTR_POOL_SYM "/" PREVIRT_NOINSTR_POOL_END_SYM " symbols",
			       "not inside __noinstr_text_start..__noinstr_text_end");
	im->noinstr_pool = lo, im->noinstr_pool_end = hi;
	return 0;
}

/*
 * The nth function symbol named `name`, or `name` followed by a GCC clone
 * suffix (".isra.0", ".constprop.0", ".part.0"): its physical address and
 * size, both inside one PT_LOAD.  0, or -1 when there is no nth one.
 */
int elfimage_function(const struct elfimage *im, const char *name, unsigned nth, uint64_t *phys, uint64_t *size)
{
	const Elf64_Sym *syms;
	struct pv_buf strs;
	uint64_t n;

	if (sym_table(im, &syms, &n, &strs))
		return -1;
	for (uint64_t k = 0; k < n; k++) {
		const char *s = syms[k].st_name ? pv_span(&strs, syms[k].st_name, 1) : 0;
		const char *a = name;
		uint64_t p;

		if (!s || ELF64_ST_TYPE(syms[k].st_info) != STT_FUNC || !syms[k].st_size)
			continue;
		while (*a && *a == *s)
			a++, s++;
		if (*a || (*s && *s != '.'))
			continue;
		if (!(p = v2p(im, syms[k].st_value, syms[k].st_size)))
			continue;
		if (nth--)
			continue;
		*phys = p, *size = syms[k].st_size;
		return 0;
	}
	return -1;
}

const uint8_t *elfimage_text_bytes(const struct elfimage *im, uint64_t phys, uint64_t len)
{
	for (unsigned i = 0; i < im->ntext; i++) {
		const struct pv_range *t = &im->text[i];

		if (pv_in(t->start, t->end - t->start, phys, len))
			return (const uint8_t *)(uintptr_t)(phys + (uint64_t)t->read_off);
	}
	return 0;
}

/* does every entry's instruction (first s32) and fixup (second) land in a text range? */
static int extable_plausible(const struct elfimage *im, uint64_t at, const uint8_t *b, uint64_t size,
			     unsigned entsize)
{
	if (size % entsize)
		return 0;
	for (uint64_t k = 0; k < size / entsize; k++) {
		for (unsigned f = 0; f < 2; f++) {
			const uint8_t *q = b + k * entsize + f * 4;
			int32_t rel = (int32_t)((uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
						(uint32_t)q[3] << 24);
			uint64_t a = at + k * entsize + f * 4 + (uint64_t)(int64_t)rel;
			int in = 0;

			for (unsigned t = 0; t < im->ntext && !in; t++)
				in = pv_in(im->text[t].start, im->text[t].end - im->text[t].start, a, 1);
			if (!in)
				return 0;
		}
	}
	return 1;
}

/*
 * __ex_table: from the section header, or the __start___ex_table /
 * __stop___ex_table symbols (both when both exist, and they must agree).
 * The entry size is not in the file (sh_entsize is 0): Linux 6.1 uses
 * 3 x s32 (insn, fixup, data), 4.6..6.x the same size, earlier kernels
 * 2 x s32.  Each candidate must divide the span, fit the alignment and
 * make every entry's insn and fixup land in executable text; exactly one
 * may.
 */
static int find_extable(struct elfimage *im, uint64_t sec_va, uint64_t sec_size, struct pv_err *e)
{
	static const unsigned sizes[] = { 12, 8 };
	uint64_t sva, eva, va, size, pa;
	const uint8_t *p;
	unsigned found = 0;

	if (!sym_lookup(im, "__start___ex_table", &sva) && !sym_lookup(im, "__stop___ex_table", &eva)) {
		if (eva < sva)
			return pv_fail(e, "__stop___ex_table", "below __start___ex_table");
		if (sec_va && (sec_va != sva || sec_size != eva - sva))
			return pv_fail(e, "__ex_table", "section header and __start/__stop symbols disagree");
		va = sva, size = eva - sva;
	} else if (sec_va) {
		va = sec_va, size = sec_size;
	} else {
		return pv_fail(e, "__ex_table", "no section and no __start___ex_table/__stop___ex_table symbols");
	}
	if (va % 4)
		return pv_fail(e, "__ex_table", "not 4-byte aligned (entries are s32 fields)");
	if (size && locate(im, va, size, &pa, &p))
		return pv_fail(e, "__ex_table", "not inside a loaded segment's file bytes");
	if (!size) {
		im->extable = (struct pv_extable){ .bytes = 0, .at = 0, .entsize = 12, .n = 0 };
		return 0;
	}
	for (unsigned c = 0; c < sizeof sizes / sizeof sizes[0]; c++) {
		if (!extable_plausible(im, pa, p, size, sizes[c]))
			continue;
		if (found)
			return pv_fail(e, "__ex_table entry size", "both 8 and 12 bytes fit: cannot tell");
		found = sizes[c];
	}
	if (!found)
		return pv_fail(e, "__ex_table entry size",
			       "neither 12 (3 x s32) nor 8 bytes gives entries that point into the kernel's text");
	im->extable = (struct pv_extable){ .bytes = p, .at = pa, .entsize = found, .n = (unsigned)(size / found) };
	return 0;
}

int elfimage_sections(struct elfimage *im, struct pv_err *e)
{
	const Elf64_Ehdr *eh = im->eh;
	const Elf64_Shdr *strs_sh;
	struct pv_buf strs;
	uint64_t ex_va = 0, ex_size = 0;

	if (eh->e_shentsize < sizeof(Elf64_Shdr))
		return pv_fail(e, "e_shentsize", "smaller than an Elf64_Shdr");
	if (!eh->e_shnum)
		return pv_fail(e, "e_shnum", "no section headers (the loader needs .previrt and .symtab)");
	if (!pv_span(&im->file, eh->e_shoff, (uint64_t)eh->e_shnum * eh->e_shentsize))
		return pv_fail(e, "e_shoff", "the section headers lie outside the file");
	if (eh->e_shstrndx >= eh->e_shnum)
		return pv_fail(e, "e_shstrndx", "no such section");
	strs_sh = shdr(im, eh->e_shstrndx);
	if (strs_sh->sh_type != SHT_STRTAB || pv_sub(&im->file, strs_sh->sh_offset, strs_sh->sh_size, &strs))
		return pv_fail(e, "section name table", "not a string table inside the file");
	im->ntext = 0;
	im->previrt = 0;
	im->symtab = im->strtab = 0;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *sh = shdr(im, i);
		const char *name = pv_strz(&strs, sh->sh_name);
		uint64_t pa;
		const uint8_t *p;

		if (!name)
			return pv_fail(e, "sh_name", "not a string inside the section name table");
		if (sh->sh_type == SHT_SYMTAB) {
			const Elf64_Shdr *st;

			if (sh->sh_link >= eh->e_shnum || (st = shdr(im, sh->sh_link))->sh_type != SHT_STRTAB)
				return pv_fail(e, ".symtab sh_link", "not a string table");
			if (sh->sh_entsize != sizeof(Elf64_Sym) || !pv_span(&im->file, sh->sh_offset, sh->sh_size) ||
			    !pv_span(&im->file, st->sh_offset, st->sh_size))
				return pv_fail(e, ".symtab", "entry size is not 24 or a table lies outside the file");
			im->symtab = sh, im->strtab = st;
			continue;
		}
		if (!(sh->sh_flags & SHF_ALLOC) || sh->sh_type != SHT_PROGBITS || !sh->sh_size)
			continue;
		if (streq(name, "__ex_table")) {
			ex_va = sh->sh_addr, ex_size = sh->sh_size;
			continue;
		}
		if (streq(name, ".previrt")) {
			if (locate(im, sh->sh_addr, sh->sh_size, &pa, &p))
				return pv_fail(e, ".previrt", "not inside a loaded segment's file bytes");
			if (pa % 4 || !pa)
				return pv_fail(e, ".previrt sh_addr", "not 4-byte aligned, or at physical address 0");
			im->previrt = pa;
			im->previrt_size = sh->sh_size;
			im->previrt_file = p;
		} else if ((sh->sh_flags & SHF_EXECINSTR) && !streq(name, ".altinstr_replacement")) {
			if (locate(im, sh->sh_addr, sh->sh_size, &pa, &p))
				return pv_fail(e, "executable section", "not inside a loaded segment's file bytes");
			if (!pa)
				return pv_fail(e, "executable section", "at physical address 0");
			if (im->ntext == ELFIMG_MAX_TEXT)
				return pv_fail(e, "executable sections", "more than 16");
			im->text[im->ntext] = (struct pv_range){ pa, pa + sh->sh_size, (intptr_t)((uintptr_t)p - pa) };
			im->ntext++;
		}
	}
	if (!im->previrt)
		return pv_fail(e, ".previrt", "the kernel has no .previrt section (not built with -fplugin=previrt?)");
	if (!im->symtab)
		return pv_fail(e, ".symtab", "the kernel has no symbol table");
	{
		/* every symbol name inside the string table, once: lookups can then trust them */
		const Elf64_Sym *syms = pv_span(&im->file, im->symtab->sh_offset, im->symtab->sh_size);
		struct pv_buf names;

		if (pv_sub(&im->file, im->strtab->sh_offset, im->strtab->sh_size, &names))
			return pv_fail(e, ".strtab", "lies outside the file");
		/*
		 * A table that ends in NUL holds a NUL after every offset inside
		 * it: one pv_strz on the last byte, then one range check per
		 * symbol (a scan per name cost 8 M guest instructions on Linux).
		 */
		if (!names.size || !pv_strz(&names, names.size - 1))
			return pv_fail(e, ".strtab", "empty, or its last byte is not NUL");
		for (uint64_t k = 0; k < im->symtab->sh_size / sizeof *syms; k++)
			if (!pv_span(&names, syms[k].st_name, 1))
				return pv_fail(e, "symbol st_name", "not a string inside .strtab");
	}
	if (elfimage_zones(im, e))
		return -1;
	return find_extable(im, ex_va, ex_size, e);
}

int elfimage_check_dest(const struct elfimage *im, const struct blob *ram, unsigned nram,
			const struct blob *avoid, const char *const *names, unsigned navoid, struct pv_err *e)
{
	static char what[96];

	for (unsigned i = 0; i < im->eh->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr(im, i);
		int in = 0;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		for (unsigned r = 0; r < nram && !in; r++)
			in = pv_in(ram[r].start, ram[r].size, ph->p_paddr, ph->p_memsz);
		if (!in)
			return pv_fail(e, "PT_LOAD p_paddr/p_memsz", "the segment is not inside usable RAM");
		for (unsigned a = 0; a < navoid; a++) {
			if (!pv_overlaps(ph->p_paddr, ph->p_memsz, avoid[a].start, avoid[a].size))
				continue;
			{
				const char *pre = "the segment would overwrite ";
				unsigned n = 0;

				while (*pre && n < sizeof what - 1)
					what[n++] = *pre++;
				for (const char *s = names[a]; *s && n < sizeof what - 1; s++)
					what[n++] = *s;
				what[n] = 0;
			}
			return pv_fail(e, "PT_LOAD p_paddr", what);
		}
	}
	return 0;
}

void elfimage_pv_image(const struct elfimage *im, int loaded, struct pv_range *text, struct pv_extable *ex,
		       struct pv_image *img)
{
	for (unsigned i = 0; i < im->ntext; i++) {
		text[i] = im->text[i];
		if (loaded)
			text[i].read_off = 0;
	}
	*ex = im->extable;
	if (loaded)
		ex->bytes = (const uint8_t *)(uintptr_t)im->extable.at;
	*img = (struct pv_image){ .records = loaded ? (const uint8_t *)(uintptr_t)im->previrt : im->previrt_file,
				  .size = im->previrt_size, .records_at = (uintptr_t)im->previrt,
				  .text = text, .ntext = im->ntext, .extable = ex, .zones = &im->zones };
}

void elfimage_load(const struct elfimage *im)
{
	for (unsigned i = 0; i < im->eh->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr(im, i);

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		memcpy((void *)(uintptr_t)ph->p_paddr, pv_span(&im->file, ph->p_offset, ph->p_filesz), ph->p_filesz);
		memset((void *)(uintptr_t)(ph->p_paddr + ph->p_filesz), 0, ph->p_memsz - ph->p_filesz);
	}
}
