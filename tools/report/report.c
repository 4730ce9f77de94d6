/* SPDX-License-Identifier: MIT */
/* Opening a file for the report modes, and the per-site view they share. */
#include "report.h"

#include <string.h>

#include "disasm.h"
#include "previrt/format.h"

int pv_report_open(struct pv_report *r, const char *path, int want_dwarf)
{
	if (pv_image_open(&r->img, path) || pv_load_sites(&r->img, &r->sites))
		return -1;
	if (pv_load_ranges(&r->img, &r->ranges))
		return pv_err(&r->img, "out of memory");
	if (want_dwarf)
		r->dw = pv_dwarf_open(&r->img);
	return 0;
}

void pv_report_close(struct pv_report *r)
{
	pv_dwarf_close(r->dw);
	r->dw = NULL;
	pv_free_ranges(&r->ranges);
	pv_free_sites(&r->sites);
	pv_image_close(&r->img);
}

const char *pv_where(const struct pv_report *r, struct pv_loc loc, uint64_t addr,
		     char *buf, size_t cap)
{
	if (!loc.shndx)
		snprintf(buf, cap, "?0x%llx", (unsigned long long)addr);
	else if (r->img.relocatable)
		snprintf(buf, cap, "%s+0x%llx", r->img.sec[loc.shndx].name,
			 (unsigned long long)loc.off);
	else
		snprintf(buf, cap, "0x%llx", (unsigned long long)addr);
	return buf;
}

static void flag_names(unsigned flags, char *buf, size_t cap)
{
	static const char *const names[8] = {
		"extable", "noinstr", "mmio", "bytes", "pushed", "toplevel", "asmgoto", "shadow",
	};
	size_t n = 0;
	unsigned i;

	buf[0] = 0;
	for (i = 0; i < 8; i++)
		if (flags & (1u << i))
			n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s%s",
					      n ? "," : "", names[i]);
}

/* The instructions in the site's first insn_length bytes, "; "-separated. */
static void site_disasm(const struct pv_report *r, const struct pv_site *s, char *buf, size_t cap)
{
	struct pv_loc il = { s->loc.shndx, s->loc.off + s->insn_off };      /* after a pad before it */
	const uint8_t *p = pv_loc_bytes(&r->img, il, s->insn_length);
	size_t off = 0, n = 0;

	buf[0] = 0;
	if (!p || !s->insn_length) {
		snprintf(buf, cap, "?");
		return;
	}
	while (off < s->insn_length) {
		struct pv_insn insn;

		pv_disasm(p + off, s->insn_length - off, s->addr + s->insn_off + off, &insn);
		if (insn.length <= 0) {
			snprintf(buf + n, cap - n, "%s(bad)", n ? "; " : "");
			return;
		}
		n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s%s", n ? "; " : "",
				      insn.text);
		if (n >= cap)
			return;
		off += (size_t)insn.length;
	}
}

void pv_site_view(struct pv_report *r, const struct pv_site *s, int want_src,
		  struct pv_site_view *v)
{
	const struct pv_symbol *sym = s->loc.shndx ? pv_symbol_at(&r->img, s->loc) : NULL;

	memset(v, 0, sizeof(*v));
	v->kind = pv_kind_name(s->kind);
	if (!v->kind) {
		snprintf(v->kindbuf, sizeof(v->kindbuf), "kind#%u", s->kind);
		v->kind = v->kindbuf;
	}
	v->section = s->loc.shndx ? r->img.sec[s->loc.shndx].name : "?";
	if (sym) {
		v->function = sym->name;
		v->func_off = s->loc.off - sym->off;
	}
	pv_where(r, s->loc, s->addr, v->where, sizeof(v->where));
	flag_names(s->flags, v->flags, sizeof(v->flags));
	site_disasm(r, s, v->disasm, sizeof(v->disasm));
	if (want_src && s->loc.shndx)
		pv_dwarf_lookup(r->dw, &r->img, s->loc, 1, &v->src);
	if (!v->src.file && sym && sym->file)
		v->src.file = sym->file;       /* at least the file the symbol table names */
}
