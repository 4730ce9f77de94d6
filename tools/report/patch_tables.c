/* SPDX-License-Identifier: MIT */
/* Reading the kernel's patch tables into sorted code ranges. */
#include "patch_tables.h"

#include <stdlib.h>

#include "disasm.h"

struct table_layout {
	const char *section;
	unsigned entsize;     /* bytes per entry */
	int pcrel;            /* field 0 is a self-relative s32 (else an absolute u64) */
	int len_byte;         /* offset of a u8 length in the entry, or -1: decode it */
	unsigned fixed_len;   /* when nonzero: every range has this length */
};

/* Linux 6.1 x86-64 layouts (arch/x86/include/asm/{alternative,jump_label,...}.h) */
static const struct table_layout layouts[PV_TAB_COUNT] = {
	[PV_TAB_ALTINSTR]    = { ".altinstructions",   12, 1, 10, 0 },  /* struct alt_instr */
	[PV_TAB_JUMP]        = { "__jump_table",       16, 1, -1, 0 },  /* struct jump_entry */
	[PV_TAB_STATIC_CALL] = { ".static_call_sites",  8, 1, -1, 0 },  /* struct static_call_site */
	[PV_TAB_SMP_LOCKS]   = { ".smp_locks",          4, 1, -1, 1 },  /* the lock prefix */
	[PV_TAB_MCOUNT]      = { "__mcount_loc",        8, 0, -1, 0 },  /* call __fentry__ */
	[PV_TAB_RETPOLINE]   = { ".retpoline_sites",    4, 1, -1, 0 },
	[PV_TAB_RETURN]      = { ".return_sites",       4, 1, -1, 0 },
	[PV_TAB_EXTABLE]     = { "__ex_table",         12, 1, -1, 0 },  /* exception_table_entry */
};

const char *pv_table_name(enum pv_table t)
{
	return t < PV_TAB_COUNT ? layouts[t].section : "?";
}

static int cmp_range(const void *a, const void *b)
{
	const struct pv_range *x = a, *y = b;

	int c = pv_loc_cmp(x->loc, y->loc);

	return c ? c : (int)x->table - (int)y->table;
}

/* Length of the instruction at loc (1 when it does not decode). */
static uint32_t insn_len_at(const struct pv_image *img, struct pv_loc loc)
{
	const struct pv_section *s = &img->sec[loc.shndx];
	struct pv_insn insn;

	if (!s->bytes || loc.off >= s->size)
		return 1;
	pv_disasm(s->bytes + loc.off, s->size - loc.off, pv_loc_addr(img, loc), &insn);
	return insn.length > 0 ? (uint32_t)insn.length : 1;
}

int pv_load_ranges(struct pv_image *img, struct pv_ranges *out)
{
	size_t cap = 0;
	unsigned t;

	*out = (struct pv_ranges){ 0 };
	for (t = 0; t < PV_TAB_COUNT; t++) {
		const struct table_layout *L = &layouts[t];
		size_t shndx = pv_find_section(img, L->section), i, n;

		if (!shndx || !img->sec[shndx].bytes)
			continue;
		n = img->sec[shndx].size / L->entsize;
		for (i = 0; i < n; i++) {
			struct pv_loc field = { shndx, i * L->entsize }, target;
			uint64_t raw;
			const char *why;
			uint32_t len;

			if (pv_resolve_pointer(img, field, L->pcrel, &target, &raw, &why)) {
				out->skipped[t]++;
				continue;
			}
			if (L->fixed_len)
				len = L->fixed_len;
			else if (L->len_byte >= 0)
				len = img->sec[shndx].bytes[field.off + (unsigned)L->len_byte];
			else
				len = insn_len_at(img, target);
			if (out->n == cap) {
				struct pv_range *v;

				cap = cap ? cap * 2 : 256;
				v = realloc(out->v, cap * sizeof(*v));
				if (!v)
					return -1;
				out->v = v;
			}
			out->v[out->n++] = (struct pv_range){ target, len, (enum pv_table)t };
			out->present[t]++;
		}
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_range);
	return 0;
}

void pv_free_ranges(struct pv_ranges *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

/* Ranges are short (<= 255 bytes): look back that far from the first start >= loc. */
#define PV_MAX_RANGE 256

size_t pv_ranges_overlapping(const struct pv_ranges *r, struct pv_loc loc, uint64_t len,
			     void (*fn)(const struct pv_range *, void *), void *arg)
{
	uint64_t from = loc.off > PV_MAX_RANGE ? loc.off - PV_MAX_RANGE : 0;
	size_t lo = 0, hi = r->n, i, found = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pv_range *m = &r->v[mid];

		if (m->loc.shndx < loc.shndx || (m->loc.shndx == loc.shndx && m->loc.off < from))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < r->n && r->v[i].loc.shndx == loc.shndx &&
		     r->v[i].loc.off < loc.off + len; i++) {
		const struct pv_range *x = &r->v[i];

		if (x->len && x->loc.off + x->len > loc.off) {
			found++;
			if (fn)
				fn(x, arg);
		}
	}
	return found;
}

struct contain_arg {
	enum pv_table t;
	int hit;
};

static void contain_cb(const struct pv_range *x, void *arg)
{
	struct contain_arg *a = arg;

	if (x->table == a->t)
		a->hit = 1;
}

int pv_ranges_contain(const struct pv_ranges *r, enum pv_table t, struct pv_loc loc)
{
	struct contain_arg a = { t, 0 };

	pv_ranges_overlapping(r, loc, 1, contain_cb, &a);
	return a.hit;
}
