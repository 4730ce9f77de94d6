/* SPDX-License-Identifier: MIT */
/* The reading modes: summary (default), --list and --json. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "previrt/format.h"
#include "previrt_rules.h"
#include "report.h"
#include "tally.h"

static const char *file_kind(const struct pv_image *img)
{
	switch (img->ehdr.e_type) {
	case ET_REL:  return "relocatable object";
	case ET_EXEC: return "executable";
	case ET_DYN:  return "shared object / PIE";
	default:      return "ELF file";
	}
}

static int have_counts(const struct pv_report *r)
{
	size_t i;

	for (i = 0; i < r->sites.n; i++)
		if (r->sites.v[i].has_count)
			return 1;
	return 0;
}

static void print_tally(FILE *out, const char *title, struct pv_tally *t, unsigned top,
			int counts)
{
	size_t i, shown;

	pv_tally_group(t, counts);       /* with a profile: hottest first */
	shown = top && top < t->n ? top : t->n;
	if (top && t->n > top)
		fprintf(out, "%s (top %u of %zu):\n", title, top, t->n);
	else
		fprintf(out, "%s:\n", title);
	for (i = 0; i < shown; i++) {
		fprintf(out, "  %-40s %6" PRIu64, t->v[i].key, t->v[i].n);
		if (counts)
			fprintf(out, "  %12" PRIu64 " executions", t->v[i].weight);
		fputc('\n', out);
	}
}

static void print_mmio(FILE *out, const struct pv_report *r)
{
	/* [write][width] for widths 0 (unknown), 1, 2, 4, 8 */
	size_t n[2][9] = { { 0 } }, total = 0, i;
	int w, d;

	for (i = 0; i < r->sites.n; i++) {
		const struct pv_site *s = &r->sites.v[i];

		if (s->kind < PREVIRT_KIND_MMIO_MIN || s->kind > PREVIRT_KIND_MMIO_MAX)
			continue;
		n[s->kind == PREVIRT_KIND_MMIO_WRITE][s->width <= 8 ? s->width : 0]++;
		total++;
	}
	fprintf(out, "MMIO sites: %zu\n", total);
	for (d = 0; d < 2 && total; d++) {
		fprintf(out, "  %-6s", d ? "write" : "read");
		for (w = 1; w <= 8; w++)
			if (n[d][w])
				fprintf(out, "  %d-byte %zu", w, n[d][w]);
		if (n[d][0])
			fprintf(out, "  unknown-width %zu", n[d][0]);
		fputc('\n', out);
	}
}

static int cmp_hot(const void *a, const void *b)
{
	const struct pv_site *x = *(const struct pv_site *const *)a;
	const struct pv_site *y = *(const struct pv_site *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The profile's total and its hottest sites. */
static void print_hottest(struct pv_report *r, FILE *out)
{
	const struct pv_site **v = calloc(r->sites.n ? r->sites.n : 1, sizeof(*v));
	uint64_t total = 0;
	size_t i, top = r->top ? r->top : r->sites.n;

	if (!v)
		return;
	for (i = 0; i < r->sites.n; i++) {
		v[i] = &r->sites.v[i];
		total += v[i]->count;
	}
	if (r->sites.n > 1)
		qsort(v, r->sites.n, sizeof(*v), cmp_hot);
	fprintf(out, "profile: %" PRIu64 " executions in all\n", total);
	fprintf(out, "hottest sites:\n");
	for (i = 0; i < r->sites.n && i < top && v[i]->count; i++) {
		char where[96], fn[160];

		pv_where(r, v[i]->loc, v[i]->addr, where, sizeof(where));
		pv_describe_loc(&r->img, v[i]->loc, fn, sizeof(fn));
		fprintf(out, "  %-24s %-12s %-36s %12" PRIu64 " (%.1f%%)\n", where,
			pv_kind_name(v[i]->kind) ? pv_kind_name(v[i]->kind) : "?", fn, v[i]->count,
			total ? 100.0 * (double)v[i]->count / (double)total : 0.0);
	}
	free(v);
}

int pv_mode_summary(struct pv_report *r, FILE *out)
{
	struct pv_tally kinds = { 0 }, files = { 0 }, funcs = { 0 }, secs = { 0 };
	uint64_t site_bytes = 0, insn_bytes = 0, unresolved = 0, flagn[8] = { 0 }, nostack = 0, padbefore = 0, altorig = 0;
	int counts = have_counts(r);
	size_t i;
	unsigned b;

	fprintf(out, "%s: ELF64 %s, x86-64\n", r->img.path, file_kind(&r->img));
	fprintf(out, ".previrt: format version %d, %zu header%s (gcc %zu, clang %zu, gas %zu), %zu sites\n",
		PREVIRT_FORMAT_VERSION, r->sites.nheaders, r->sites.nheaders == 1 ? "" : "s",
		r->sites.nproducer[PREVIRT_PRODUCER_GCC], r->sites.nproducer[PREVIRT_PRODUCER_CLANG],
		r->sites.nproducer[PREVIRT_PRODUCER_GAS], r->sites.n);
	for (i = 0; i < r->sites.n; i++) {
		const struct pv_site *s = &r->sites.v[i];
		const struct pv_symbol *sym = s->loc.shndx ? pv_symbol_at(&r->img, s->loc) : NULL;
		const char *kind = pv_kind_name(s->kind);
		struct pv_srcinfo src;
		uint64_t w = s->has_count ? s->count : 0;

		site_bytes += s->length;
		insn_bytes += s->insn_length < s->length ? s->insn_length : s->length;
		for (b = 0; b < 8; b++)
			if (s->flags & (1u << b))
				flagn[b]++;
		if (s->xflags & PREVIRT_X_NOSTACK)
			nostack++;
		if (s->xflags & PREVIRT_X_PAD_BEFORE)
			padbefore++;
		if (s->xflags & PREVIRT_X_ALT_ORIG)
			altorig++;
		if (!s->loc.shndx) {
			unresolved++;
			continue;
		}
		pv_dwarf_lookup(r->dw, &r->img, s->loc, 0, &src);
		pv_tally_add(&kinds, kind ? kind : "(undefined kind)", w);
		pv_tally_add(&secs, r->img.sec[s->loc.shndx].name, w);
		pv_tally_add(&files, src.file ? src.file : sym && sym->file ? sym->file : "(no source info)", w);
		pv_tally_add(&funcs, sym ? sym->name : "(no symbol)", w);
	}
	fprintf(out, "padding: %" PRIu64 " bytes of NOPs (sites %" PRIu64 " bytes, original instructions %" PRIu64 " bytes)\n",
		site_bytes - insn_bytes, site_bytes, insn_bytes);
	fprintf(out, "flags: extable %" PRIu64 ", noinstr %" PRIu64 ", bytes %" PRIu64 ", pushed %" PRIu64
		", toplevel %" PRIu64 ", asmgoto %" PRIu64 ", shadow %" PRIu64 ", nostack %" PRIu64 ", pad-before %" PRIu64
		", alt-orig %" PRIu64 "\n",
		flagn[0], flagn[1], flagn[3], flagn[4], flagn[5], flagn[6], flagn[7], nostack, padbefore, altorig);
	if (unresolved)
		fprintf(out, "warning: %" PRIu64 " records do not resolve to a place in the file (run --verify)\n",
			unresolved);
	print_tally(out, "by section", &secs, 0, counts);
	print_tally(out, "by kind", &kinds, 0, counts);
	print_tally(out, "by source file", &files, r->top, counts);
	print_tally(out, "by function", &funcs, r->top, counts);
	print_mmio(out, r);
	if (counts)
		print_hottest(r, out);
	pv_tally_free(&kinds);
	pv_tally_free(&files);
	pv_tally_free(&funcs);
	pv_tally_free(&secs);
	return 0;
}

static void print_src(FILE *out, const struct pv_srcinfo *src)
{
	if (!src->file) {
		fputs("-", out);
		return;
	}
	if (src->line)
		fprintf(out, "%s:%d", src->file, src->line);
	else
		fputs(src->file, out);
	if (src->inlined && src->caller)
		fprintf(out, " (%s inlined into %s at %s:%d)", src->inlined, src->caller,
			src->call_file ? src->call_file : "?", src->call_line);
}

int pv_mode_list(struct pv_report *r, FILE *out)
{
	int counts = have_counts(r);
	size_t i;

	for (i = 0; i < r->sites.n; i++) {
		const struct pv_site *s = &r->sites.v[i];
		struct pv_site_view v;
		char fn[160];

		pv_site_view(r, s, 1, &v);
		if (v.function)
			snprintf(fn, sizeof(fn), "%s+0x%" PRIx64, v.function, v.func_off);
		else
			snprintf(fn, sizeof(fn), "-");
		fprintf(out, "%-24s %-12s %2u/%-2u %-36s ", v.where, v.kind, s->length,
			s->insn_length, fn);
		print_src(out, &v.src);
		fprintf(out, "  | %s", v.disasm);
		if (v.flags[0])
			fprintf(out, "  [%s]", v.flags);
		if (s->width)
			fprintf(out, "  width=%u", s->width);
		if (counts)
			fprintf(out, "  count=%" PRIu64, s->has_count ? s->count : 0);
		fputc('\n', out);
	}
	return 0;
}

/* A JSON string (NULL -> null). */
static void json_str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

int pv_mode_json(struct pv_report *r, FILE *out)
{
	struct pv_tally kinds = { 0 };
	uint64_t site_bytes = 0, insn_bytes = 0;
	int counts = have_counts(r);
	size_t i;

	fprintf(out, "{\"format_version\":%d,\"file\":", PREVIRT_FORMAT_VERSION);
	json_str(out, r->img.path);
	fprintf(out, ",\"relocatable\":%s,\"sites\":[", r->img.relocatable ? "true" : "false");
	for (i = 0; i < r->sites.n; i++) {
		const struct pv_site *s = &r->sites.v[i];
		struct pv_site_view v;

		pv_site_view(r, s, 1, &v);
		site_bytes += s->length;
		insn_bytes += s->insn_length < s->length ? s->insn_length : s->length;
		/* v.kind may be v.kindbuf, gone after this iteration: tally a static name */
		pv_tally_add(&kinds, v.kind == v.kindbuf ? "(undefined kind)" : v.kind,
			     s->has_count ? s->count : 0);
		/* address_hex too: JSON readers with doubles lose bits above 2^53 */
		fprintf(out, "%s\n{\"address\":%" PRIu64 ",\"address_hex\":\"0x%" PRIx64 "\",\"section\":",
			i ? "," : "", s->addr, s->addr);
		json_str(out, s->loc.shndx ? v.section : NULL);
		fputs(",\"kind\":", out);
		json_str(out, v.kind);
		fprintf(out, ",\"kind_id\":%u,\"length\":%u,\"insn_length\":%u,\"insn_offset\":%u,\"xflags\":%u,"
			"\"flags\":%u,\"flag_names\":",
			s->kind, s->length, s->insn_length, s->insn_off, s->xflags, s->flags);
		json_str(out, v.flags);
		fprintf(out, ",\"width\":%u,\"function\":", s->width);
		json_str(out, v.function);
		fprintf(out, ",\"function_offset\":%" PRIu64 ",\"file\":", v.func_off);
		json_str(out, v.src.file);
		fprintf(out, ",\"line\":%d,\"inlined\":", v.src.line);
		json_str(out, v.src.inlined);
		fputs(",\"caller\":", out);
		json_str(out, v.src.caller);
		fputs(",\"call_file\":", out);
		json_str(out, v.src.call_file);
		fprintf(out, ",\"call_line\":%d,\"disasm\":", v.src.call_line);
		json_str(out, v.disasm);
		if (counts)
			fprintf(out, ",\"count\":%" PRIu64, s->has_count ? s->count : 0);
		if (s->problem) {
			fputs(",\"problem\":", out);
			json_str(out, s->problem);
		}
		fputc('}', out);
	}
	fprintf(out, "\n],\"summary\":{\"sites\":%zu,\"headers\":%zu,\"site_bytes\":%" PRIu64
		",\"insn_bytes\":%" PRIu64 ",\"padding_bytes\":%" PRIu64 ",\"by_kind\":{",
		r->sites.n, r->sites.nheaders, site_bytes, insn_bytes, site_bytes - insn_bytes);
	pv_tally_group(&kinds, 0);
	for (i = 0; i < kinds.n; i++) {
		fputs(i ? "," : "", out);
		json_str(out, kinds.v[i].key);
		fprintf(out, ":%" PRIu64, kinds.v[i].n);
	}
	fputc('}', out);
	if (counts) {
		fputs(",\"executions_by_kind\":{", out);
		for (i = 0; i < kinds.n; i++) {
			fputs(i ? "," : "", out);
			json_str(out, kinds.v[i].key);
			fprintf(out, ":%" PRIu64, kinds.v[i].weight);
		}
		fputc('}', out);
	}
	fputs("}}\n", out);
	pv_tally_free(&kinds);
	return 0;
}
