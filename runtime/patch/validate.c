/* SPDX-License-Identifier: MIT */
/*
 * Step 1 of patching: check every record of a .previrt section against the
 * code it points at.  Nothing here writes to the image.
 */
#include "patch/patch.h"

static const char *const error_names[PV_E_COUNT] = {
	[PV_OK]                = "ok",
	[PV_E_SECTION_SIZE]    = "section size is not a multiple of the record size",
	[PV_E_NO_HEADER]       = "no header record",
	[PV_E_MAGIC]           = "header record without the PVRT magic",
	[PV_E_VERSION]         = "unknown format version",
	[PV_E_RECORD_SIZE]     = "header gives a record size other than 12",
	[PV_E_HEADER_RESERVED] = "header reserved bytes are not zero",
	[PV_E_FLAGS]           = "reserved flag bit set",
	[PV_E_RESERVED]        = "record xflags use a bit the format does not define",
	[PV_E_KIND]            = "kind not defined by the rules",
	[PV_E_LENGTH]          = "bad site or instruction length",
	[PV_E_BOUNDS]          = "site outside the text ranges",
	[PV_E_DECODE]          = "original bytes are not an instruction of the record's kind",
	[PV_E_INSN_LENGTH]     = "original instruction length differs from the record",
	[PV_E_PAD]             = "pad is not NOPs",
	[PV_E_MMIO]            = "MMIO flag, kind and width disagree",
	[PV_E_OVERLAP]         = "sites overlap",
	[PV_E_BACKEND]         = "backend refused a site",
	[PV_E_SHADOW]          = "SHADOW pair or PAD_BEFORE site is not a shadow instruction (plus, for a pair, one instruction)",
	[PV_E_EXTABLE]         = "EXTABLE flag disagrees with the kernel's __ex_table",
	[PV_E_EMIT]            = "backend's emit disagrees with its plan",
	[PV_E_FAULT_PATCHED]   = "backend patched a faulting site that has an exception-table entry",
	[PV_E_ZONE]            = "site crosses the boundary of .noinstr.text or .entry.text",
	[PV_E_ZONE_PATCHED]    = "backend patched a noinstr/entry site against its zone policy",
};

static const char *const error_fields[PV_E_COUNT] = {
	[PV_E_SECTION_SIZE]    = ".previrt size",
	[PV_E_NO_HEADER]       = ".previrt header",
	[PV_E_MAGIC]           = "header magic",
	[PV_E_VERSION]         = "header version",
	[PV_E_RECORD_SIZE]     = "header record_size",
	[PV_E_HEADER_RESERVED] = "header reserved",
	[PV_E_FLAGS]           = "flags",
	[PV_E_RESERVED]        = "xflags",
	[PV_E_KIND]            = "kind",
	[PV_E_LENGTH]          = "length/insn_length",
	[PV_E_BOUNDS]          = "addr",
	[PV_E_DECODE]          = "kind",
	[PV_E_INSN_LENGTH]     = "insn_length",
	[PV_E_PAD]             = "length",
	[PV_E_MMIO]            = "flags/width",
	[PV_E_OVERLAP]         = "addr",
	[PV_E_BACKEND]         = "backend",
	[PV_E_SHADOW]          = "flags (SHADOW) / xflags (PAD_BEFORE)",
	[PV_E_EXTABLE]         = "flags (EXTABLE)",
	[PV_E_EMIT]            = "backend",
	[PV_E_FAULT_PATCHED]   = "backend",
	[PV_E_ZONE]            = "addr (zone)",
	[PV_E_ZONE_PATCHED]    = "backend zone policy",
};

const char *pv_error_field(int error)
{
	if (error <= 0 || error >= PV_E_COUNT || !error_fields[error])
		return "record";
	return error_fields[error];
}

const char *pv_error_name(int error)
{
	if (error < 0 || error >= PV_E_COUNT)
		return "unknown error";
	return error_names[error];
}

void pv_memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
}

void pv_memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
}

size_t pv_fmt_dec(char *b, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		b[i++] = tmp[--n];
	return i;
}

/*
 * Kind id -> rule, one lookup per record: a binary search, because
 * rewriting-rules/gen-tables.py emits previrt_rules sorted by id.  No
 * cache: this code also runs from read-only text inside the kernel
 * (runtime/resident/), where it cannot keep state.
 */
static const struct previrt_rule *rule_of(unsigned id)
{
	unsigned lo = 0, hi = previrt_nrules;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (previrt_rules[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < previrt_nrules && previrt_rules[lo].id == id ? &previrt_rules[lo] : 0;
}

static int fail(struct pv_result *r, int error, unsigned record, uintptr_t site)
{
	r->error = error;
	r->record = record;
	r->site = site;
	return error;
}

static int check_header(const struct previrt_header *h)
{
	if (h->magic != PREVIRT_MAGIC)
		return PV_E_MAGIC;
	if (h->version < PREVIRT_FORMAT_VERSION_MIN || h->version > PREVIRT_FORMAT_VERSION)
		return PV_E_VERSION;
	if (h->record_size != sizeof(struct previrt_site))
		return PV_E_RECORD_SIZE;
	if (h->reserved[0] || h->reserved[1] || h->reserved[2])
		return PV_E_HEADER_RESERVED;
	return PV_OK;
}

static int range_index(const struct pv_image *img, uintptr_t a, unsigned len)
{
	for (unsigned i = 0; i < img->ntext; i++) {
		const struct pv_range *t = &img->text[i];

		if (a >= t->start && a < t->end && len <= t->end - a)
			return (int)i;
	}
	return -1;
}

/* Load address of record i's site (self-relative, from where the record is loaded). */
static uintptr_t site_addr(const struct pv_image *img, unsigned i)
{
	uintptr_t rec_at = (img->records_at ? img->records_at : (uintptr_t)img->records) +
			   (uintptr_t)i * sizeof(struct previrt_site);

	return rec_at + (uintptr_t)(intptr_t)pv_record(img, i)->addr;   /* addr is at offset 0 */
}

/*
 * Does an exception-table entry name an instruction in [a, a + n)?
 * sorted: the entries come in ascending instruction order (Linux sorts
 * the table at build time), so a binary search finds the first entry at
 * or above a; otherwise every entry is looked at.
 */
static uintptr_t ex_insn(const struct pv_extable *ex, unsigned k)
{
	const uint8_t *e = ex->bytes + (size_t)k * ex->entsize;
	int32_t rel = (int32_t)((uint32_t)e[0] | (uint32_t)e[1] << 8 | (uint32_t)e[2] << 16 | (uint32_t)e[3] << 24);

	return ex->at + (uintptr_t)k * ex->entsize + (uintptr_t)(intptr_t)rel;
}

static int ex_sorted(const struct pv_extable *ex)
{
	for (unsigned k = 1; k < ex->n; k++)
		if (ex_insn(ex, k) < ex_insn(ex, k - 1))
			return 0;
	return 1;
}

static int ex_hit(const struct pv_extable *ex, int sorted, uintptr_t a, unsigned n)
{
	if (sorted) {
		unsigned lo = 0, hi = ex->n;

		while (lo < hi) {
			unsigned mid = lo + (hi - lo) / 2;

			if (ex_insn(ex, mid) < a)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo < ex->n && ex_insn(ex, lo) - a < n;
	}
	for (unsigned k = 0; k < ex->n; k++)
		if (ex_insn(ex, k) - a < n)
			return 1;
	return 0;
}

/*
 * An interrupt-shadow pair (PREVIRT_F_SHADOW): the first instruction is of
 * the record's kind and opens a shadow; the follower is one instruction of
 * insn_length - first bytes, right after it (a NOP there is a pad, which
 * would leave the shadow on the NOP).  The decoder knows only the rule
 * instructions: a follower it knows must decode to exactly that length,
 * one it does not is taken as 1..15 bytes (the backends keep such a pair native).
 */
static int check_shadow(const struct previrt_site *rec, const uint8_t *p, struct pv_site *s)
{
	unsigned flen;

	if (!(s->rule->attrs & PREVIRT_RA_SHADOW))
		return PV_E_SHADOW;
	if (pv_decode(p, rec->insn_length, &s->insn) || s->insn.kind != rec->kind)
		return PV_E_DECODE;
	if (s->insn.len >= rec->insn_length || rec->insn_length - s->insn.len > PV_INSN_MAX)
		return PV_E_SHADOW;
	flen = rec->insn_length - s->insn.len;
	if (pv_nop_length(p + s->insn.len, flen))
		return PV_E_SHADOW;
	s->follower_len = (uint8_t)flen;
	if (!pv_decode(p + s->insn.len, flen, &s->follower)) {
		if (s->follower.len != flen)
			return PV_E_SHADOW;
		s->follower_known = 1;
	}
	return PV_OK;
}

/*
 * Fill *s for record i, checking everything that concerns the record alone.
 * ex_sorted: -1 = do not look at the exception table (the site was validated).
 */
static int check_site(const struct pv_image *img, unsigned i, struct pv_site *s, int ex_sorted)
{
	const struct previrt_site *rec = pv_record(img, i);
	uintptr_t a = site_addr(img, i);
	const uint8_t *p, *pad;
	int mmio_kind, n, t;

	s->addr = (uint8_t *)a;
	s->bytes = 0;
	s->insn_off = 0;
	s->rule = 0;
	s->follower_len = s->follower_known = s->planned = s->zone = 0;
	s->rec = rec;
	s->index = i;
	if (rec->flags & ~PREVIRT_F_KNOWN)
		return PV_E_FLAGS;
	if (rec->xflags & ~PREVIRT_X_KNOWN)
		return PV_E_RESERVED;
	/* ALT_ORIG is an MMIO accessor's promise (format.h): nothing else may claim it */
	if ((rec->xflags & PREVIRT_X_ALT_ORIG) && !(rec->flags & PREVIRT_F_MMIO))
		return PV_E_RESERVED;
	s->rule = rule_of(rec->kind);
	if (!s->rule)
		return PV_E_KIND;
	/* an interrupt-shadow pair starts with an instruction whose rule says `shadow` */
	if ((rec->flags & PREVIRT_F_SHADOW) && !(s->rule->attrs & PREVIRT_RA_SHADOW))
		return PV_E_SHADOW;
	/* the pad before a lone shadow opener: never with a pair, never for another kind */
	if ((rec->xflags & PREVIRT_X_PAD_BEFORE) &&
	    (!(s->rule->attrs & PREVIRT_RA_SHADOW) || (rec->flags & PREVIRT_F_SHADOW)))
		return PV_E_SHADOW;
	if (rec->insn_length == 0 || rec->insn_length > rec->length ||
	    rec->insn_length > 2 * PV_INSN_MAX)
		return PV_E_LENGTH;
	if (rec->xflags & PREVIRT_X_PAD_BEFORE)
		s->insn_off = (uint8_t)(rec->length - rec->insn_length);
	if ((t = range_index(img, a, rec->length)) < 0)
		return PV_E_BOUNDS;
	if ((n = pv_zone_of(img->zones, a, rec->length, rec->flags)) < 0)
		return PV_E_ZONE;
	s->zone = (uint8_t)n;
	/* only now is there something to read */
	p = (const uint8_t *)(a + (uintptr_t)img->text[t].read_off);
	pad = p;                                  /* the pad: after the instruction, or before it */
	p += s->insn_off;
	s->bytes = p;
	mmio_kind = (s->rule->attrs & PREVIRT_RA_MMIO) != 0;
	if (mmio_kind != ((rec->flags & PREVIRT_F_MMIO) != 0))
		return PV_E_MMIO;
	if (rec->flags & PREVIRT_F_SHADOW) {
		if ((n = check_shadow(rec, p, s)))
			return n;
	} else {
		/* decode only within the instruction bytes the record claims */
		n = pv_decode_site(p, rec->insn_length, rec->kind, &s->insn);
		if (n < 0)
			return pv_decode_site(p, rec->length, rec->kind, &s->insn) < 0 ?
				PV_E_DECODE : PV_E_INSN_LENGTH;
		if (n != rec->insn_length)
			return PV_E_INSN_LENGTH;
	}
	if (mmio_kind && rec->width && rec->width != s->insn.width)
		return PV_E_MMIO;
	if (!s->insn_off)
		pad = p + rec->insn_length;
	for (unsigned off = 0, plen = rec->length - rec->insn_length; off < plen;) {
		unsigned nop = pv_nop_length(pad + off, plen - off);

		if (!nop)
			return PV_E_PAD;
		off += nop;
	}
	if (img->extable && ex_sorted >= 0 &&
	    ex_hit(img->extable, ex_sorted, a + s->insn_off, rec->insn_length) != !!(rec->flags & PREVIRT_F_EXTABLE))
		return PV_E_EXTABLE;
	return PV_OK;
}

/* In-place heapsort of keys (no recursion, no allocation). */
static void sift(uint64_t *k, size_t root, size_t n)
{
	for (;;) {
		size_t c = 2 * root + 1;
		uint64_t t;

		if (c >= n)
			return;
		if (c + 1 < n && k[c + 1] > k[c])
			c++;
		if (k[root] >= k[c])
			return;
		t = k[root], k[root] = k[c], k[c] = t;
		root = c;
	}
}

static void heapsort_u64(uint64_t *k, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift(k, i, n);
	for (size_t i = n; i-- > 1;) {
		uint64_t t = k[0];

		k[0] = k[i], k[i] = t;
		sift(k, 0, i);
	}
}


static unsigned site_len(const struct pv_image *img, unsigned i)
{
	return pv_record(img, i)->length;
}

/*
 * LSD radix sort of keys by bits 16..47 (the site offset), 11 bits a pass,
 * stable, through tmp (n entries).  About 6n element moves: for a kernel's
 * few thousand sites several times cheaper than the heapsort.
 */
static void radix_sort_u64(uint64_t *k, uint64_t *tmp, size_t n)
{
	uint32_t count[2048];

	for (unsigned shift = 16; shift < 49; shift += 11) {
		uint32_t sum = 0;

		pv_memset(count, 0, sizeof count);
		for (size_t i = 0; i < n; i++)
			count[(k[i] >> shift) & 2047]++;
		for (unsigned d = 0; d < 2048; d++) {
			uint32_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(k[i] >> shift) & 2047]++] = k[i];
		pv_memcpy(k, tmp, n * sizeof *k);
	}
}

/*
 * No two sites share a byte.  Sorting key: offset from the lowest text
 * start (up to 2^33, beyond that the heapsort sorts all 48 bits), 16-bit
 * record index (enough for 65536 records; beyond that the quadratic check
 * is used).
 */
static int check_overlaps(const struct pv_image *img, unsigned nrec, struct pv_result *r)
{
	uintptr_t base = (uintptr_t)-1, top = 0;
	size_t n = 0;

	for (unsigned t = 0; t < img->ntext; t++) {
		if (img->text[t].start < base)
			base = img->text[t].start;
		if (img->text[t].end > top)
			top = img->text[t].end;
	}
	if (img->scratch && img->scratch_len >= nrec && nrec <= 0x10000) {
		for (unsigned i = 0; i < nrec; i++)
			if (pv_record(img, i)->kind != PREVIRT_KIND_HEADER)
				img->scratch[n++] = ((uint64_t)(site_addr(img, i) - base) << 16) | i;
		if (img->scratch_len >= 2 * (size_t)nrec && top - base < (1ull << 33))
			radix_sort_u64(img->scratch, img->scratch + n, n);
		else
			heapsort_u64(img->scratch, n);
		for (size_t j = 1; j < n; j++) {
			unsigned prev = img->scratch[j - 1] & 0xffff, cur = img->scratch[j] & 0xffff;

			if (site_addr(img, prev) + site_len(img, prev) > site_addr(img, cur))
				return fail(r, PV_E_OVERLAP, cur, site_addr(img, cur));
		}
		return PV_OK;
	}
	for (unsigned i = 0; i < nrec; i++) {
		if (pv_record(img, i)->kind == PREVIRT_KIND_HEADER)
			continue;
		for (unsigned j = i + 1; j < nrec; j++) {
			uintptr_t a = site_addr(img, i), b = site_addr(img, j);

			if (pv_record(img, j)->kind == PREVIRT_KIND_HEADER)
				continue;
			if (a < b + site_len(img, j) && b < a + site_len(img, i))
				return fail(r, PV_E_OVERLAP, j, b);
		}
	}
	return PV_OK;
}

/*
 * Linkers keep each object's records in address order and objects in the
 * same order in every output section, so within one text range the sites
 * nearly always come in ascending order: then "starts at or after the end
 * of the previous site in its range" proves there is no overlap in O(n).
 * Otherwise check_overlaps sorts.
 */
#define PV_FAST_RANGES 16

int pv_validate_image(const struct pv_image *img, struct pv_result *r)
{
	uintptr_t last_end[PV_FAST_RANGES] = { 0 };
	int ascending = img->ntext <= PV_FAST_RANGES;
	int sorted = img->extable ? ex_sorted(img->extable) : 0;
	unsigned nrec;
	int err;

	pv_memset(r, 0, sizeof *r);
	if (img->size % sizeof(struct previrt_site))
		return fail(r, PV_E_SECTION_SIZE, 0, 0);
	nrec = pv_nrecords(img);
	/* headers first: an unknown version means nothing else can be trusted */
	for (unsigned i = 0; i < nrec; i++) {
		const struct previrt_header *h = (const void *)pv_record(img, i);

		if (h->kind != PREVIRT_KIND_HEADER)
			continue;
		if ((err = check_header(h)))
			return fail(r, err, i, 0);
		r->nheaders++;
	}
	if (!r->nheaders)
		return fail(r, PV_E_NO_HEADER, 0, 0);
	for (unsigned i = 0; i < nrec; i++) {
		struct pv_site s;

		if (pv_record(img, i)->kind == PREVIRT_KIND_HEADER)
			continue;
		if ((err = check_site(img, i, &s, sorted)))
			return fail(r, err, i, (uintptr_t)s.addr);
		r->nsites++;
		r->zone_sites[s.zone]++;
		if (s.zone != PV_ZONE_MAIN && !(s.rec->flags & PREVIRT_F_NOINSTR))
			r->unflagged++;
		if (s.zone == PV_ZONE_ENTRY && !pv_in_zone(img->zones, PV_ZONE_ENTRY, (uintptr_t)s.addr, s.rec->length))
			r->unplaced++;
		if (ascending) {
			int t = range_index(img, (uintptr_t)s.addr, s.rec->length);

			if ((uintptr_t)s.addr < last_end[t])
				ascending = 0;
			else
				last_end[t] = (uintptr_t)s.addr + s.rec->length;
		}
	}
	return ascending ? PV_OK : check_overlaps(img, nrec, r);
}

/* Used by patch.c: the decoded site for a record already validated. */
int pv_site_at(const struct pv_image *img, unsigned i, struct pv_site *s)
{
	return check_site(img, i, s, -1);
}
