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

/*
 * Linux x86-64 layouts (arch/x86/include/asm/{alternative,jump_label,...}.h),
 * the same from 6.1 on except struct alt_instr, whose size is found per
 * image (alt_layout below); its entry here is the 6.1 one.
 */
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

/*
 * struct alt_instr is s32 instr_offset, s32 repl_offset, feature bits, u8
 * instrlen, u8 replacementlen.  The feature field grew from u16 cpuid (up
 * to 6.2: 12 bytes) to u32 ft_flags (6.3 on: 14 bytes), and no version is
 * written in the image.  So the table tells its own layout: the first size
 * under which every entry names ordinary code and a replacement inside
 * .altinstr_replacement.  Misaligned reads of another size would make the
 * pointers garbage, so one fitting size is the real one.  0: none fits.
 */
static const unsigned alt_sizes[] = { 12, 14 };

static int alt_entry_fits(const struct pv_image *img, size_t shndx, uint64_t off, unsigned size)
{
	struct pv_loc orig, repl, field = { shndx, off };
	uint64_t raw;
	const char *why;
	const struct pv_section *rs;
	uint8_t rlen = img->sec[shndx].bytes[off + size - 1];

	if (pv_resolve_pointer(img, field, 1, &orig, &raw, &why) || !img->sec[orig.shndx].exec ||
	    img->sec[orig.shndx].replacement)
		return 0;
	field.off += 4;
	if (!pv_resolve_pointer(img, field, 1, &repl, &raw, &why)) {
		rs = &img->sec[repl.shndx];
		return rs->replacement && repl.off + rlen <= rs->shdr.sh_size;
	}
	/* an empty replacement may end its section: one past the end resolves nowhere */
	if (img->relocatable)
		return 0;
	for (size_t i = 1; i < img->nsections; i++) {
		rs = &img->sec[i];
		if (rs->replacement && raw == rs->shdr.sh_addr + rs->shdr.sh_size && !rlen)
			return 1;
	}
	return 0;
}

static unsigned alt_layout(const struct pv_image *img, size_t shndx)
{
	const struct pv_section *s = &img->sec[shndx];

	for (size_t k = 0; k < sizeof(alt_sizes) / sizeof(alt_sizes[0]); k++) {
		unsigned size = alt_sizes[k];
		uint64_t off;

		if (!s->size || s->size % size)
			continue;
		for (off = 0; off < s->size; off += size)
			if (!alt_entry_fits(img, shndx, off, size))
				break;
		if (off == s->size)
			return size;
	}
	return 0;
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
		struct table_layout alt;
		const struct table_layout *L = &layouts[t];
		size_t shndx = pv_find_section(img, L->section), i, n;

		if (!shndx || !img->sec[shndx].bytes)
			continue;
		if (t == PV_TAB_ALTINSTR) {
			alt = *L;
			alt.entsize = alt_layout(img, shndx);
			if (!alt.entsize) {
				/* no layout fits: every entry counts as unresolved */
				out->skipped[t] += img->sec[shndx].size / L->entsize;
				continue;
			}
			alt.len_byte = (int)alt.entsize - 2;        /* instrlen */
			L = &alt;
		}
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
