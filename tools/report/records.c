/* SPDX-License-Identifier: MIT */
/* Parsing the .previrt section into sites (docs/format.md, "Readers"). */
#include "records.h"

#include <stdlib.h>
#include <string.h>

#include "previrt/format.h"
#include "previrt_rules.h"

const char *pv_kind_name(unsigned kind)
{
	const struct previrt_rule *r = previrt_rule_by_id(kind);

	return r ? r->name : NULL;
}

static int cmp_site(const void *a, const void *b)
{
	const struct pv_site *x = a, *y = b;

	int c = pv_loc_cmp(x->loc, y->loc);

	if (c)
		return c;
	return x->record < y->record ? -1 : x->record > y->record;
}

static int read_header(struct pv_image *img, struct pv_sites *out, const uint8_t *p, size_t i)
{
	struct previrt_header h;

	memcpy(&h, p, sizeof(h));
	if (h.magic != PREVIRT_MAGIC)
		return pv_err(img, ".previrt record %zu has kind 0 but no PVRT magic (0x%08x)",
			      i, h.magic);
	if (h.version < PREVIRT_FORMAT_VERSION_MIN || h.version > PREVIRT_FORMAT_VERSION)
		return pv_err(img, "unknown .previrt format version %u (record %zu; this tool reads %u..%u)",
			      h.version, i, PREVIRT_FORMAT_VERSION_MIN, PREVIRT_FORMAT_VERSION);
	if (h.record_size != sizeof(struct previrt_site))
		return pv_err(img, ".previrt header %zu says record size %u, the format has %zu",
			      i, h.record_size, sizeof(struct previrt_site));
	out->nheaders++;
	out->nproducer[h.producer <= 3 ? h.producer : 0]++;
	return 0;
}

int pv_load_sites(struct pv_image *img, struct pv_sites *out)
{
	size_t shndx = pv_find_section(img, PREVIRT_SECTION), n, i;
	const struct pv_section *s;

	memset(out, 0, sizeof(*out));
	if (!shndx)
		return pv_err(img, "no .previrt section (not annotated by previrt)");
	s = &img->sec[shndx];
	out->shndx = shndx;
	if (s->shdr.sh_type == SHT_NOBITS)
		return pv_err(img, ".previrt has no contents (NOBITS)");
	if (!s->bytes && s->shdr.sh_size)
		return pv_err(img, ".previrt contents lie outside the file (truncated file?)");
	if (s->size != s->shdr.sh_size)
		return pv_err(img, ".previrt is truncated (%zu of %llu bytes)", s->size,
			      (unsigned long long)s->shdr.sh_size);
	if (s->size % sizeof(struct previrt_site))
		return pv_err(img, ".previrt size %zu is not a multiple of %zu (truncated or malformed)",
			      s->size, sizeof(struct previrt_site));
	n = s->size / sizeof(struct previrt_site);
	out->v = calloc(n ? n : 1, sizeof(*out->v));
	if (!out->v)
		return pv_err(img, "out of memory");
	for (i = 0; i < n; i++) {
		const uint8_t *p = s->bytes + i * sizeof(struct previrt_site);
		struct previrt_site r;
		struct pv_site *o;
		struct pv_loc field = { shndx, i * sizeof(struct previrt_site) };

		memcpy(&r, p, sizeof(r));
		if (r.kind == PREVIRT_KIND_HEADER) {
			if (read_header(img, out, p, i))
				goto fail;
			continue;
		}
		o = &out->v[out->n++];
		o->record = i;
		o->kind = r.kind;
		o->length = r.length;
		o->insn_length = r.insn_length;
		o->flags = r.flags;
		o->width = r.width;
		o->xflags = r.xflags;
		o->insn_off = (r.xflags & PREVIRT_X_PAD_BEFORE) && r.insn_length <= r.length ?
			      (uint8_t)(r.length - r.insn_length) : 0;
		if (pv_resolve_pointer(img, field, 1, &o->loc, &o->addr, &o->problem) == 0)
			o->addr = pv_loc_addr(img, o->loc);
	}
	if (out->nheaders == 0) {
		pv_err(img, ".previrt has %zu records but no header record (malformed)", n);
		goto fail;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_site);
	return 0;
fail:
	pv_free_sites(out);
	return -1;
}

void pv_free_sites(struct pv_sites *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
