/* SPDX-License-Identifier: MIT */
/* libdwfl lookups: line, inline chain, compilation unit. */
#include "dwarf_info.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pv_dwarf {
	Dwfl        *dwfl;
	Dwfl_Module *mod;
	Elf         *elf;        /* the module's own Elf: in ET_REL it holds the
				    section addresses libdwfl assigned */
	GElf_Addr    bias;
	/* last unit looked up: sites come sorted, most share a unit */
	Dwarf_Die    cu;
	int          have_cu;
	Dwarf_Addr   cu_lo, cu_hi;
	Dwarf_Addr   cu_bias;     /* module address minus DWARF address */
};

static const Dwfl_Callbacks callbacks = {
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

struct pv_dwarf *pv_dwarf_open(const struct pv_image *img)
{
	struct pv_dwarf *dw;
	Dwarf_Addr bias;
	int fd;

	if (img->fd < 0 || !pv_find_section(img, ".debug_info"))
		return NULL;
	dw = calloc(1, sizeof(*dw));
	if (!dw)
		return NULL;
	dw->dwfl = dwfl_begin(&callbacks);
	fd = dup(img->fd);     /* libdwfl closes the descriptor it is given */
	if (!dw->dwfl || fd < 0)
		goto fail;
	dw->mod = dwfl_report_offline(dw->dwfl, img->path, img->path, fd);
	if (!dw->mod) {
		close(fd);
		goto fail;
	}
	dwfl_report_end(dw->dwfl, NULL, NULL);
	dw->elf = dwfl_module_getelf(dw->mod, &dw->bias);
	if (!dw->elf || !dwfl_module_getdwarf(dw->mod, &bias))
		goto fail;
	return dw;
fail:
	pv_dwarf_close(dw);
	return NULL;
}

void pv_dwarf_close(struct pv_dwarf *dw)
{
	if (!dw)
		return;
	if (dw->dwfl)
		dwfl_end(dw->dwfl);
	free(dw);
}

/* The address libdwfl uses for a location. */
static int dwfl_addr(struct pv_dwarf *dw, const struct pv_image *img, struct pv_loc loc,
		     Dwarf_Addr *out)
{
	GElf_Shdr sh;
	Elf_Scn *scn;

	if (!loc.shndx)
		return -1;
	if (!img->relocatable) {
		*out = pv_loc_addr(img, loc) + dw->bias;
		return 0;
	}
	scn = elf_getscn(dw->elf, loc.shndx);
	if (!scn || !gelf_getshdr(scn, &sh))
		return -1;
	*out = sh.sh_addr + loc.off + dw->bias;
	return 0;
}

static const char *strip_dir(const char *path, const char *dir)
{
	size_t n = dir ? strlen(dir) : 0;

	if (path && n && strncmp(path, dir, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

static Dwarf_Die *unit_at(struct pv_dwarf *dw, Dwarf_Addr a)
{
	Dwarf_Addr bias;
	Dwarf_Die *cu;

	if (dw->have_cu && a >= dw->cu_lo && a < dw->cu_hi)
		return &dw->cu;
	cu = dwfl_module_addrdie(dw->mod, a, &bias);
	if (!cu)
		return NULL;
	dw->cu = *cu;
	dw->have_cu = 1;
	dw->cu_bias = bias;
	/* cache only a contiguous unit; ranges with holes are looked up again */
	if (dwarf_lowpc(cu, &dw->cu_lo) || dwarf_highpc(cu, &dw->cu_hi) ||
	    a - bias < dw->cu_lo || a - bias >= dw->cu_hi) {
		dw->cu_lo = dw->cu_hi = 0;
	} else {
		dw->cu_lo += bias;
		dw->cu_hi += bias;
	}
	return &dw->cu;
}

static enum pv_origin origin_of_unit(Dwarf_Die *cu, const char *name)
{
	int lang = dwarf_srclang(cu);
	size_t n = name ? strlen(name) : 0;

	if (lang == DW_LANG_Mips_Assembler || (n > 2 && (!strcmp(name + n - 2, ".S") ||
							 !strcmp(name + n - 2, ".s"))))
		return PV_ORIGIN_ASM;
	switch (lang) {
	case DW_LANG_C: case DW_LANG_C89: case DW_LANG_C99: case DW_LANG_C11:
#ifdef DW_LANG_C17
	case DW_LANG_C17:
#endif
		return PV_ORIGIN_C;
	}
	return lang > 0 ? PV_ORIGIN_OTHER : PV_ORIGIN_UNKNOWN;
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;

	return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
}

static void inline_chain(Dwarf_Die *cu, Dwarf_Addr a, const char *compdir, struct pv_srcinfo *out)
{
	Dwarf_Die *scopes = NULL;
	int n = dwarf_getscopes(cu, a, &scopes), i;

	for (i = 0; i < n; i++) {
		Dwarf_Attribute at;
		Dwarf_Word w;
		Dwarf_Files *files;
		size_t nfiles;
		int j;

		if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
			continue;
		out->inlined = die_name(&scopes[i]);
		if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &at), &w) == 0)
			out->call_line = (int)w;
		if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &at), &w) == 0 &&
		    dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && w < nfiles)
			out->call_file = strip_dir(dwarf_filesrc(files, w, NULL, NULL), compdir);
		/* dwarf_getscopes continues into the abstract origin's context; the
		 * physical caller comes from the concrete DIE's own parents */
		{
			Dwarf_Die *phys = NULL;
			int m = dwarf_getscopes_die(&scopes[i], &phys);

			for (j = 1; j < m; j++) {
				int tag = dwarf_tag(&phys[j]);

				if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) {
					out->caller = die_name(&phys[j]);
					break;
				}
			}
			free(phys);
		}
		break;
	}
	free(scopes);
}

void pv_dwarf_lookup(struct pv_dwarf *dw, const struct pv_image *img, struct pv_loc loc,
		     int want_inline, struct pv_srcinfo *out)
{
	Dwarf_Addr a;
	Dwarf_Die *cu;
	Dwfl_Line *line;
	Dwarf_Attribute at;
	const char *compdir;

	memset(out, 0, sizeof(*out));
	if (!dw || dwfl_addr(dw, img, loc, &a))
		return;
	cu = unit_at(dw, a);
	if (!cu)
		return;
	compdir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &at));
	out->unit = strip_dir(dwarf_diename(cu), compdir);
	out->origin = origin_of_unit(cu, out->unit);
	line = dwfl_module_getsrc(dw->mod, a);
	if (line) {
		out->file = strip_dir(dwfl_lineinfo(line, NULL, &out->line, NULL, NULL, NULL),
				      compdir);
	}
	if (want_inline)
		inline_chain(cu, a - dw->cu_bias, compdir, out);
}

/*
 * Origin from an STT_FILE name.  GCC names the unit after its C source
 * ("msr.c").  In a Linux 6.1 vmlinux the units gas builds from .S files are
 * named after the object instead ("entry_64.o", "head_64.o"): gas gets the
 * preprocessed source through a pipe.  So ".o" means assembly here.
 */
static enum pv_origin origin_of_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n > 2 && (!strcmp(name + n - 2, ".S") || !strcmp(name + n - 2, ".s") ||
		      !strcmp(name + n - 2, ".o")))
		return PV_ORIGIN_ASM;
	if (n > 2 && !strcmp(name + n - 2, ".c"))
		return PV_ORIGIN_C;
	return PV_ORIGIN_UNKNOWN;
}

enum pv_origin pv_origin_of(struct pv_dwarf *dw, const struct pv_image *img, struct pv_loc loc,
			    const char **unit)
{
	const struct pv_symbol *s;
	Dwarf_Addr a;
	Dwarf_Die *cu;

	*unit = NULL;
	if (dw && dwfl_addr(dw, img, loc, &a) == 0 && (cu = unit_at(dw, a)) != NULL) {
		Dwarf_Attribute at;
		const char *compdir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &at));

		*unit = strip_dir(dwarf_diename(cu), compdir);
		return origin_of_unit(cu, *unit);
	}
	s = pv_symbol_at(img, loc);
	*unit = s && s->file ? s->file : img->unit_file;
	return origin_of_name(*unit);
}

const char *pv_origin_name(enum pv_origin o)
{
	switch (o) {
	case PV_ORIGIN_C:     return "C";
	case PV_ORIGIN_ASM:   return "asm (.S)";
	case PV_ORIGIN_OTHER: return "other language";
	default:              return "unknown origin";
	}
}
