/* SPDX-License-Identifier: MIT */
/*
 * --diff OLD NEW: sites added, removed and changed between two builds.
 * Addresses move between builds, so sites are compared per (function,
 * kind): within one function the n-th site of a kind in OLD is paired with
 * the n-th in NEW (in address order); a pair whose lengths, flags or width
 * differ is "changed", unpaired ones are added or removed.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

struct dentry {
	const char *func;
	const char *kind;
	const struct pv_site *site;
	uint64_t func_off;
};

struct dside {
	struct pv_report *r;
	struct dentry *v;
	size_t n;
};

static int cmp_dentry(const void *a, const void *b)
{
	const struct dentry *x = a, *y = b;
	int c = strcmp(x->func, y->func);

	if (c)
		return c;
	c = strcmp(x->kind, y->kind);
	if (c)
		return c;
	return x->func_off < y->func_off ? -1 : x->func_off > y->func_off;
}

static int collect(struct pv_report *r, struct dside *d)
{
	size_t i;

	d->r = r;
	d->n = 0;
	d->v = calloc(r->sites.n ? r->sites.n : 1, sizeof(*d->v));
	if (!d->v)
		return -1;
	for (i = 0; i < r->sites.n; i++) {
		const struct pv_site *s = &r->sites.v[i];
		const struct pv_symbol *sym = s->loc.shndx ? pv_symbol_at(&r->img, s->loc) : NULL;
		const char *kind = pv_kind_name(s->kind);
		struct dentry *e = &d->v[d->n++];

		e->site = s;
		e->kind = kind ? kind : "?";
		if (sym) {
			e->func = sym->name;
			e->func_off = s->loc.off - sym->off;
		} else {
			e->func = s->loc.shndx ? r->img.sec[s->loc.shndx].name : "(unresolved)";
			e->func_off = s->loc.off;
		}
	}
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), cmp_dentry);
	return 0;
}

static int same_group(const struct dentry *a, const struct dentry *b)
{
	return strcmp(a->func, b->func) == 0 && strcmp(a->kind, b->kind) == 0;
}

static void line(FILE *out, char tag, const struct dside *d, const struct dentry *e)
{
	char where[96];

	pv_where(d->r, e->site->loc, e->site->addr, where, sizeof(where));
	fprintf(out, "%c %-32s %-12s +0x%" PRIx64 " (%s, %u/%u)\n", tag, e->func, e->kind,
		e->func_off, where, e->site->length, e->site->insn_length);
}

static int changed(FILE *out, const struct dside *o, const struct dentry *a,
		   const struct dside *n, const struct dentry *b)
{
	const struct pv_site *x = a->site, *y = b->site;
	char wa[96], wb[96];

	if (x->length == y->length && x->insn_length == y->insn_length &&
	    x->flags == y->flags && x->width == y->width)
		return 0;
	pv_where(o->r, x->loc, x->addr, wa, sizeof(wa));
	pv_where(n->r, y->loc, y->addr, wb, sizeof(wb));
	fprintf(out, "~ %-32s %-12s %s -> %s:", a->func, a->kind, wa, wb);
	if (x->length != y->length)
		fprintf(out, " length %u -> %u", x->length, y->length);
	if (x->insn_length != y->insn_length)
		fprintf(out, " insn_length %u -> %u", x->insn_length, y->insn_length);
	if (x->flags != y->flags)
		fprintf(out, " flags 0x%02x -> 0x%02x", x->flags, y->flags);
	if (x->width != y->width)
		fprintf(out, " width %u -> %u", x->width, y->width);
	fputc('\n', out);
	return 1;
}

int pv_mode_diff(struct pv_report *old, struct pv_report *new_, FILE *out)
{
	struct dside o, n;
	size_t i = 0, j = 0, added = 0, removed = 0, nchanged = 0, same = 0;

	if (collect(old, &o) || collect(new_, &n)) {
		fprintf(stderr, "previrt-report: out of memory\n");
		return 2;
	}
	while (i < o.n || j < n.n) {
		int c = i == o.n ? 1 : j == n.n ? -1 : cmp_dentry(&o.v[i], &n.v[j]);
		size_t gi, gj;

		if (c && i < o.n && j < n.n && same_group(&o.v[i], &n.v[j]))
			c = 0;                      /* same group, offsets moved */
		if (c < 0) {
			line(out, '-', &o, &o.v[i++]);
			removed++;
			continue;
		}
		if (c > 0) {
			line(out, '+', &n, &n.v[j++]);
			added++;
			continue;
		}
		/* pair the group's sites in order */
		for (gi = i; gi < o.n && same_group(&o.v[gi], &o.v[i]); gi++)
			;
		for (gj = j; gj < n.n && same_group(&n.v[gj], &n.v[j]); gj++)
			;
		for (; i < gi && j < gj; i++, j++) {
			if (changed(out, &o, &o.v[i], &n, &n.v[j]))
				nchanged++;
			else
				same++;
		}
		for (; i < gi; i++, removed++)
			line(out, '-', &o, &o.v[i]);
		for (; j < gj; j++, added++)
			line(out, '+', &n, &n.v[j]);
	}
	fprintf(out, "diff: %zu added, %zu removed, %zu changed, %zu unchanged (%zu -> %zu sites)\n",
		added, removed, nchanged, same, old->sites.n, new_->sites.n);
	free(o.v);
	free(n.v);
	return added || removed || nchanged ? 1 : 0;
}
