/* SPDX-License-Identifier: MIT */
/* Opening an ELF file with libelf: sections, code symbols, relocations. */
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pv_err(struct pv_image *img, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(img->err, sizeof(img->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int cmp_reloc(const void *a, const void *b)
{
	const struct pv_reloc *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct pv_symbol *x = a, *y = b;

	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	/* functions before labels at the same place, larger first */
	if (x->func != y->func)
		return y->func - x->func;
	return x->size > y->size ? -1 : x->size < y->size;
}

/* The symbol table: the symbol section index, or 0 when the file has none. */
static size_t find_symtab(struct pv_image *img, GElf_Word type)
{
	size_t i;

	for (i = 1; i < img->nsections; i++)
		if (img->sec[i].shdr.sh_type == type)
			return i;
	return 0;
}

/*
 * In a linked file only local symbols follow their STT_FILE; a global
 * symbol gets the file of its neighbours when the local symbols just
 * before and just after it (same section) agree.
 */
static void guess_global_files(struct pv_image *img)
{
	const char **after = calloc(img->nsyms ? img->nsyms : 1, sizeof(*after));
	const char *last = NULL;
	size_t i;

	if (!after)
		return;                /* only a guess: go without */
	for (i = img->nsyms; i-- > 0;) {
		if (i + 1 < img->nsyms && img->syms[i + 1].shndx != img->syms[i].shndx)
			last = NULL;
		after[i] = last;
		if (img->syms[i].file)
			last = img->syms[i].file;
	}
	last = NULL;
	for (i = 0; i < img->nsyms; i++) {
		struct pv_symbol *s = &img->syms[i];

		if (i && img->syms[i - 1].shndx != s->shndx)
			last = NULL;
		if (!s->file && last && after[i] && strcmp(last, after[i]) == 0)
			s->file = last;
		else if (s->file)
			last = s->file;
	}
	free(after);
}

static int read_symbols(struct pv_image *img)
{
	size_t st = find_symtab(img, SHT_SYMTAB), n, i, cap = 0;
	const char *file = NULL;
	Elf_Data *data;

	if (!st)
		st = find_symtab(img, SHT_DYNSYM);
	if (!st)
		return 0;
	data = elf_getdata(elf_getscn(img->elf, st), NULL);
	if (!data || !img->sec[st].shdr.sh_entsize)
		return pv_err(img, "unreadable symbol table: %s", elf_errmsg(-1));
	n = data->d_size / sizeof(Elf64_Sym);
	for (i = 1; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		int type;

		if (!gelf_getsym(data, (int)i, &sym))
			return pv_err(img, "unreadable symbol %zu: %s", i, elf_errmsg(-1));
		name = elf_strptr(img->elf, img->sec[st].shdr.sh_link, sym.st_name);
		type = GELF_ST_TYPE(sym.st_info);
		if (type == STT_FILE) {
			file = name;
			if (img->relocatable && !img->unit_file)
				img->unit_file = name;
			continue;
		}
		if (GELF_ST_BIND(sym.st_info) != STB_LOCAL && !img->relocatable)
			file = NULL;    /* globals follow every file's locals */
		if ((type != STT_FUNC && type != STT_NOTYPE) || !name || !*name ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE ||
		    sym.st_shndx >= img->nsections || !img->sec[sym.st_shndx].exec)
			continue;
		if (img->nsyms == cap) {
			struct pv_symbol *s;

			cap = cap ? cap * 2 : 256;
			s = realloc(img->syms, cap * sizeof(*s));
			if (!s)
				return pv_err(img, "out of memory");
			img->syms = s;
		}
		img->syms[img->nsyms++] = (struct pv_symbol){
			.shndx = sym.st_shndx, .value = sym.st_value,
			.off = img->relocatable ? sym.st_value
			       : sym.st_value - img->sec[sym.st_shndx].shdr.sh_addr,
			.size = sym.st_size, .name = name,
			.file = file ? file : img->unit_file,
			.func = type == STT_FUNC,
		};
	}
	if (img->nsyms > 1)
		qsort(img->syms, img->nsyms, sizeof(*img->syms), cmp_sym);
	guess_global_files(img);
	return 0;
}

/* ET_REL: attach each SHT_RELA section's entries to the section they patch. */
static int read_relocs(struct pv_image *img)
{
	size_t i, j;

	for (i = 1; i < img->nsections; i++) {
		const GElf_Shdr *sh = &img->sec[i].shdr;
		struct pv_section *target;
		Elf_Data *data, *symdata;
		size_t n, symsec = sh->sh_link;

		if (sh->sh_type != SHT_RELA)
			continue;
		if (sh->sh_info == 0 || sh->sh_info >= img->nsections || symsec == 0 ||
		    symsec >= img->nsections)
			return pv_err(img, "relocation section %s has bad links", img->sec[i].name);
		target = &img->sec[sh->sh_info];
		if (target->relocs)
			continue;              /* the first one wins; two would be odd */
		data = elf_getdata(elf_getscn(img->elf, i), NULL);
		symdata = elf_getdata(elf_getscn(img->elf, symsec), NULL);
		if (!data || !symdata)
			return pv_err(img, "unreadable relocations %s: %s", img->sec[i].name,
				      elf_errmsg(-1));
		n = data->d_size / sizeof(Elf64_Rela);
		target->relocs = calloc(n ? n : 1, sizeof(*target->relocs));
		if (!target->relocs)
			return pv_err(img, "out of memory");
		for (j = 0; j < n; j++) {
			GElf_Rela r;
			GElf_Sym sym;
			struct pv_reloc *o = &target->relocs[target->nrelocs];

			if (!gelf_getrela(data, (int)j, &r))
				return pv_err(img, "unreadable relocation in %s", img->sec[i].name);
			o->offset = r.r_offset;
			o->type = GELF_R_TYPE(r.r_info);
			o->target_off = r.r_addend;
			if (GELF_R_SYM(r.r_info)) {
				if (!gelf_getsym(symdata, (int)GELF_R_SYM(r.r_info), &sym))
					return pv_err(img, "relocation in %s names a missing symbol",
						      img->sec[i].name);
				o->symname = elf_strptr(img->elf, img->sec[symsec].shdr.sh_link,
							sym.st_name);
				if (sym.st_shndx != SHN_UNDEF && sym.st_shndx < img->nsections) {
					o->target_shndx = sym.st_shndx;
					/* modular, like the linker: no signed overflow on junk input */
					o->target_off = (int64_t)((uint64_t)o->target_off + sym.st_value);
				}
			}
			target->nrelocs++;
		}
		if (target->nrelocs > 1)
			qsort(target->relocs, target->nrelocs, sizeof(*target->relocs), cmp_reloc);
	}
	return 0;
}

static int read_sections(struct pv_image *img)
{
	size_t shstrndx, i;

	if (elf_getshdrnum(img->elf, &img->nsections) || elf_getshdrstrndx(img->elf, &shstrndx))
		return pv_err(img, "unreadable section headers: %s", elf_errmsg(-1));
	if (img->nsections == 0)
		return pv_err(img, "no section headers");
	img->sec = calloc(img->nsections, sizeof(*img->sec));
	if (!img->sec)
		return pv_err(img, "out of memory");
	for (i = 1; i < img->nsections; i++) {
		struct pv_section *s = &img->sec[i];
		Elf_Scn *scn = elf_getscn(img->elf, i);

		if (!scn || !gelf_getshdr(scn, &s->shdr))
			return pv_err(img, "unreadable section header %zu: %s", i, elf_errmsg(-1));
		s->name = elf_strptr(img->elf, shstrndx, s->shdr.sh_name);
		if (!s->name)
			s->name = "?";
		s->exec = (s->shdr.sh_flags & SHF_EXECINSTR) != 0;
		s->replacement = strcmp(s->name, ".altinstr_replacement") == 0;
		if (s->shdr.sh_type != SHT_NOBITS && s->shdr.sh_size) {
			Elf_Data *d = elf_getdata(scn, NULL);

			/* a section whose bytes lie outside the file is reported when used */
			if (d && d->d_buf) {
				s->bytes = d->d_buf;
				s->size = d->d_size;
			}
		}
	}
	return 0;
}

static int open_common(struct pv_image *img)
{
	if (elf_kind(img->elf) != ELF_K_ELF)
		return pv_err(img, "not an ELF file");
	if (!gelf_getehdr(img->elf, &img->ehdr))
		return pv_err(img, "unreadable ELF header: %s", elf_errmsg(-1));
	if (img->ehdr.e_ident[EI_CLASS] != ELFCLASS64 || img->ehdr.e_machine != EM_X86_64)
		return pv_err(img, "not an x86-64 ELF64 file");
	img->relocatable = img->ehdr.e_type == ET_REL;
	if (read_sections(img) || read_symbols(img))
		return -1;
	if (img->relocatable && read_relocs(img))
		return -1;
	return 0;
}

int pv_image_open(struct pv_image *img, const char *path)
{
	memset(img, 0, sizeof(*img));
	img->path = path;
	img->fd = open(path, O_RDONLY);
	if (img->fd < 0)
		return pv_err(img, "cannot open: %s", strerror(errno));
	elf_version(EV_CURRENT);
	img->elf = elf_begin(img->fd, ELF_C_READ_MMAP, NULL);
	if (!img->elf)
		return pv_err(img, "not an ELF file (%s)", elf_errmsg(-1));
	return open_common(img);
}

int pv_image_open_memory(struct pv_image *img, const char *name, void *buf, size_t size)
{
	memset(img, 0, sizeof(*img));
	img->path = name;
	img->fd = -1;
	elf_version(EV_CURRENT);
	img->elf = elf_memory(buf, size);
	if (!img->elf)
		return pv_err(img, "not an ELF file (%s)", elf_errmsg(-1));
	return open_common(img);
}

void pv_image_close(struct pv_image *img)
{
	size_t i;

	if (img->sec)
		for (i = 0; i < img->nsections; i++)
			free(img->sec[i].relocs);
	free(img->sec);
	free(img->syms);
	if (img->elf)
		elf_end(img->elf);
	if (img->fd >= 0)
		close(img->fd);
	img->sec = NULL;
	img->syms = NULL;
	img->elf = NULL;
	img->fd = -1;
}

size_t pv_find_section(const struct pv_image *img, const char *name)
{
	size_t i;

	for (i = 1; i < img->nsections; i++)
		if (strcmp(img->sec[i].name, name) == 0)
			return i;
	return 0;
}

uint64_t pv_loc_addr(const struct pv_image *img, struct pv_loc loc)
{
	if (img->relocatable || loc.shndx == 0 || loc.shndx >= img->nsections)
		return loc.off;
	return img->sec[loc.shndx].shdr.sh_addr + loc.off;
}

struct pv_loc pv_addr_loc(const struct pv_image *img, uint64_t addr)
{
	struct pv_loc best = { 0, addr };
	size_t i;

	for (i = 1; i < img->nsections; i++) {
		const GElf_Shdr *sh = &img->sec[i].shdr;

		if (!(sh->sh_flags & SHF_ALLOC) || sh->sh_type == SHT_NOBITS ||
		    addr < sh->sh_addr || addr - sh->sh_addr >= sh->sh_size)
			continue;
		if (!best.shndx || (img->sec[i].exec && !img->sec[best.shndx].exec))
			best = (struct pv_loc){ i, addr - sh->sh_addr };
	}
	return best;
}

const uint8_t *pv_loc_bytes(const struct pv_image *img, struct pv_loc loc, size_t n)
{
	const struct pv_section *s;

	if (loc.shndx == 0 || loc.shndx >= img->nsections)
		return NULL;
	s = &img->sec[loc.shndx];
	if (!s->bytes || loc.off > s->size || n > s->size - loc.off)
		return NULL;
	return s->bytes + loc.off;
}

static const struct pv_reloc *reloc_at(const struct pv_section *s, uint64_t off)
{
	size_t lo = 0, hi = s->nrelocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->relocs[mid].offset < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nrelocs && s->relocs[lo].offset == off ? &s->relocs[lo] : NULL;
}

int pv_resolve_pointer(const struct pv_image *img, struct pv_loc field, int pcrel,
		       struct pv_loc *target, uint64_t *raw_addr, const char **why)
{
	const uint8_t *p = pv_loc_bytes(img, field, pcrel ? 4 : 8);

	*target = (struct pv_loc){ 0, 0 };
	*raw_addr = 0;
	if (!p) {
		*why = "field outside its section";
		return -1;
	}
	if (img->relocatable) {
		const struct pv_reloc *r = reloc_at(&img->sec[field.shndx], field.off);

		if (!r) {
			*why = "no relocation";
			return -1;
		}
		if (pcrel ? r->type != R_X86_64_PC32 && r->type != R_X86_64_PLT32
			  : r->type != R_X86_64_64) {
			*why = "unexpected relocation type";
			return -1;
		}
		*raw_addr = (uint64_t)r->target_off;
		if (!r->target_shndx) {
			*why = "relocation against an undefined symbol";
			return -1;
		}
		if (r->target_off < 0) {
			*why = "relocation target before its section";
			return -1;
		}
		*target = (struct pv_loc){ r->target_shndx, (uint64_t)r->target_off };
		return 0;
	}
	if (pcrel) {
		int32_t rel;

		memcpy(&rel, p, 4);
		*raw_addr = pv_loc_addr(img, field) + (uint64_t)(int64_t)rel;
	} else {
		memcpy(raw_addr, p, 8);
	}
	*target = pv_addr_loc(img, *raw_addr);
	if (!target->shndx) {
		*why = "address outside every section";
		return -1;
	}
	return 0;
}

const struct pv_symbol *pv_symbol_at(const struct pv_image *img, struct pv_loc loc)
{
	size_t lo = 0, hi = img->nsyms;
	const struct pv_symbol *best = NULL;

	/* last symbol at or before loc */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pv_symbol *s = &img->syms[mid];

		if (s->shndx < loc.shndx || (s->shndx == loc.shndx && s->off <= loc.off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	best = &img->syms[lo - 1];
	if (best->shndx != loc.shndx)
		return NULL;
	/*
	 * A plain label (a linker-script marker such as __irqentry_text_end) or
	 * a sized function that ends before loc: prefer a function whose size
	 * covers loc, if one starts shortly before.
	 */
	if (!best->func || (best->size && loc.off >= best->off + best->size)) {
		size_t i = lo - 1, steps = 0;

		while (i-- > 0 && steps++ < 16 && img->syms[i].shndx == loc.shndx)
			if (img->syms[i].func && img->syms[i].size &&
			    loc.off < img->syms[i].off + img->syms[i].size)
				return &img->syms[i];
	}
	return best;
}

const char *pv_describe_loc(const struct pv_image *img, struct pv_loc loc, char *buf, size_t cap)
{
	const struct pv_symbol *s = pv_symbol_at(img, loc);

	if (s)
		snprintf(buf, cap, "%s+0x%llx", s->name, (unsigned long long)(loc.off - s->off));
	else if (loc.shndx && loc.shndx < img->nsections)
		snprintf(buf, cap, "%s+0x%llx", img->sec[loc.shndx].name, (unsigned long long)loc.off);
	else
		snprintf(buf, cap, "?");
	return buf;
}
