/* SPDX-License-Identifier: MIT */
/*
 * --verify: every check docs/format.md lists under "What a valid site
 * satisfies".  Each problem is one line; exit 1 when there was any.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "disasm.h"
#include "previrt/format.h"
#include "previrt_rules.h"
#include "report.h"

struct verifier {
	struct pv_report *r;
	FILE *out;
	size_t problems, notes;
};

static void problem(struct verifier *v, const struct pv_site *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct verifier *v, const struct pv_site *s, const char *fmt, ...)
{
	char where[96], fn[160];
	const char *kind = pv_kind_name(s->kind);
	va_list ap;

	pv_where(v->r, s->loc, s->addr, where, sizeof(where));
	if (s->loc.shndx)
		pv_describe_loc(&v->r->img, s->loc, fn, sizeof(fn));
	else
		snprintf(fn, sizeof(fn), "record %zu", s->record);
	fprintf(v->out, "%s: %s %s (%s): ", v->r->img.path, where, kind ? kind : "?", fn);
	va_start(ap, fmt);
	vfprintf(v->out, fmt, ap);
	va_end(ap);
	fputc('\n', v->out);
	v->problems++;
}

/* The record's own fields, before looking at the code. */
static int check_fields(struct verifier *v, const struct pv_site *s)
{
	int ok = 1;
	int mmio_kind = s->kind >= PREVIRT_KIND_MMIO_MIN && s->kind <= PREVIRT_KIND_MMIO_MAX;

	if (!previrt_rule_by_id(s->kind)) {
		problem(v, s, "kind %u is not defined by the rules", s->kind);
		ok = 0;
	}
	if (s->insn_length < 1 || s->insn_length > s->length) {
		problem(v, s, "insn_length %u and length %u: need 1 <= insn_length <= length",
			s->insn_length, s->length);
		ok = 0;
	}
	if (s->flags & ~PREVIRT_F_KNOWN)
		problem(v, s, "flags 0x%02x use a bit the format does not define", s->flags);
	/* an interrupt-shadow pair starts with an instruction whose rule says `shadow` */
	if ((s->flags & PREVIRT_F_SHADOW) && previrt_rule_by_id(s->kind) &&
	    !(previrt_rule_by_id(s->kind)->attrs & PREVIRT_RA_SHADOW))
		problem(v, s, "SHADOW flag on kind %s, which opens no interrupt shadow",
			previrt_rule_by_id(s->kind)->name);
	if (s->xflags & ~PREVIRT_X_KNOWN)
		problem(v, s, "xflags 0x%04x use a bit the format does not define", s->xflags);
	/* the pad goes before a lone shadow opener only (format.h PREVIRT_X_PAD_BEFORE) */
	if ((s->xflags & PREVIRT_X_PAD_BEFORE) && ((s->flags & PREVIRT_F_SHADOW) || !previrt_rule_by_id(s->kind) ||
						    !(previrt_rule_by_id(s->kind)->attrs & PREVIRT_RA_SHADOW)))
		problem(v, s, "PAD_BEFORE on a site that is not a lone shadow-opening instruction");
	if (mmio_kind != !!(s->flags & PREVIRT_F_MMIO))
		problem(v, s, "MMIO flag %s but kind is %s an MMIO kind",
			s->flags & PREVIRT_F_MMIO ? "set" : "clear", mmio_kind ? "" : "not");
	return ok;
}

/* Where the site is: resolved, in code, inside its section. */
static int check_place(struct verifier *v, const struct pv_site *s)
{
	const struct pv_section *sec;

	if (!s->loc.shndx) {
		problem(v, s, "record does not point into the file: %s", s->problem);
		return 0;
	}
	sec = &v->r->img.sec[s->loc.shndx];
	if (!sec->exec) {
		problem(v, s, "points into %s, which is not an executable section", sec->name);
		return 0;
	}
	if (sec->replacement) {
		problem(v, s, "points into .altinstr_replacement (the kernel patches that code itself)");
		return 0;
	}
	if (!pv_loc_bytes(&v->r->img, s->loc, s->length)) {
		problem(v, s, "site of %u bytes runs past the end of %s", s->length, sec->name);
		return 0;
	}
	return 1;
}

/*
 * An AT&T memory operand: "(%rax)", "0x10(%rdi,%rcx,4)", "%gs:0x28", or a
 * bare absolute address ("0xffffffffff5fd300", the fixmap APIC page):
 * anything but a register ("%eax") or an immediate ("$1").
 */
static int is_mem_operand(const char *op)
{
	if (strchr(op, '('))
		return 1;
	if (op[0] == '%')
		return strchr(op, ':') != NULL;
	return op[0] != '$' && op[0] != 0;
}

static int mmio_insn_ok(const struct pv_insn *in, unsigned kind)
{
	const struct pv_insn_text *t = &in->parsed;

	if (!in->is_insn || strncmp(t->mnemonic, "mov", 3) != 0 || t->nops != 2)
		return 0;
	/* AT&T: source first.  A read loads from memory, a write stores to it. */
	if (kind == PREVIRT_KIND_MMIO_READ)
		return is_mem_operand(t->ops[0]) && !is_mem_operand(t->ops[1]);
	return is_mem_operand(t->ops[1]);
}

/*
 * insn_length bytes are the instruction(s) of the kind, the rest NOPs:
 * the instruction first, or last with PREVIRT_X_PAD_BEFORE (insn_off).
 */
static void check_code(struct verifier *v, const struct pv_site *s)
{
	const uint8_t *site = pv_loc_bytes(&v->r->img, s->loc, s->length);
	const uint8_t *p = site ? site + s->insn_off : NULL;
	const uint64_t at = s->addr + s->insn_off;
	const size_t room = (size_t)(s->length - s->insn_off);   /* bytes from the instruction on */
	struct pv_insn a, b;
	unsigned got = 0;
	size_t off, pad0 = s->insn_off ? 0 : s->insn_length, pad1 = s->insn_off ? s->insn_off : s->length;

	pv_disasm(p, room, at, &a);
	if (a.length <= 0 || !a.is_insn) {
		problem(v, s, "the site's bytes do not decode to an instruction");
		return;
	}
	if (s->kind == PREVIRT_KIND_STI_HLT) {
		if (a.length < s->insn_length) {
			pv_disasm(p + a.length, room - (size_t)a.length, at + (uint64_t)a.length, &b);
			if (b.is_insn && a.length + b.length == s->insn_length)
				got = pv_match_sequence(&a.parsed, &b.parsed);
		}
		if (got != PREVIRT_KIND_STI_HLT) {
			problem(v, s, "first %u bytes are not the sequence sti ; hlt (\"%s\" ...)",
				s->insn_length, a.text);
			return;
		}
	} else if (s->kind >= PREVIRT_KIND_MMIO_MIN && s->kind <= PREVIRT_KIND_MMIO_MAX) {
		if (a.length != s->insn_length || !mmio_insn_ok(&a, s->kind)) {
			problem(v, s, "\"%s\" (%d bytes) is not a %u-byte memory %s", a.text,
				a.length, s->insn_length,
				s->kind == PREVIRT_KIND_MMIO_READ ? "load" : "store");
			return;
		}
	} else {
		unsigned want = s->insn_length;

		if (s->flags & PREVIRT_F_SHADOW) {
			/* the shadow-opening instruction and the one it shadows */
			if (a.length < s->insn_length)
				pv_disasm(p + a.length, room - (size_t)a.length, at + (uint64_t)a.length, &b);
			if (a.length >= s->insn_length || b.length <= 0 || !b.is_insn ||
			    a.length + b.length != s->insn_length) {
				problem(v, s, "SHADOW site: \"%s\" and one more instruction are not "
					"%u bytes", a.text, s->insn_length);
				return;
			}
			want = (unsigned)a.length;
		}
		if ((unsigned)a.length != want) {
			problem(v, s, "instruction \"%s\" is %d bytes, record says %u", a.text,
				a.length, s->insn_length);
			return;
		}
		got = pv_insn_kind(&a, p);
		if (got != s->kind) {
			const char *gn = pv_kind_name(got);

			problem(v, s, "instruction \"%s\" is %s, record says %s", a.text,
				got ? (gn ? gn : "?") : "not sensitive", pv_kind_name(s->kind));
			return;
		}
	}
	for (off = pad0; off < pad1; off += (size_t)a.length) {
		pv_disasm(site + off, pad1 - off, s->addr + off, &a);
		if (a.length <= 0 || !pv_insn_is_nop(&a)) {
			problem(v, s, "pad byte %zu of %u is not a NOP (\"%s\")", off - pad0,
				s->length - s->insn_length, a.length > 0 ? a.text : "undecodable");
			return;
		}
	}
}

struct overlap_arg {
	struct verifier *v;
	const struct pv_site *s;
	int has_entry;          /* an __ex_table entry names one of its instructions */
	int in_alt;             /* an .altinstructions original holds the whole site */
};

static void overlap_cb(const struct pv_range *x, void *arg)
{
	struct overlap_arg *a = arg;
	char where[96];

	pv_where(a->v->r, x->loc, pv_loc_addr(&a->v->r->img, x->loc), where, sizeof(where));
	if (x->table == PV_TAB_EXTABLE) {
		/* an entry names an instruction of the site, or (never right)
		 * a byte of its pad */
		if (x->loc.off >= a->s->loc.off + a->s->insn_off &&
		    x->loc.off < a->s->loc.off + a->s->insn_off + a->s->insn_length)
			a->has_entry = 1;
		else
			problem(a->v, a->s, "an __ex_table entry at %s names a byte of the pad", where);
		return;
	}
	/* ALT_ORIG (format.h): an MMIO accessor's access that is an ALTERNATIVE's
	 * original instruction, by the rules' word; it must lie inside it */
	if (x->table == PV_TAB_ALTINSTR && (a->s->xflags & PREVIRT_X_ALT_ORIG) && (a->s->flags & PREVIRT_F_MMIO) &&
	    x->loc.shndx == a->s->loc.shndx && a->s->loc.off >= x->loc.off &&
	    a->s->loc.off + a->s->length <= x->loc.off + x->len) {
		a->in_alt = 1;
		return;
	}
	problem(a->v, a->s, "overlaps a %s entry at %s (%u bytes)", pv_table_name(x->table),
		where, x->len);
}

int pv_mode_verify(struct pv_report *r, FILE *out)
{
	struct verifier v = { r, out, 0, 0 };
	const struct pv_site *prev = NULL;
	size_t i;

	for (i = 0; i < r->sites.n; i++) {
		const struct pv_site *s = &r->sites.v[i];
		struct overlap_arg oa = { &v, s, 0, 0 };

		if (!check_fields(&v, s) || !check_place(&v, s))
			continue;
		check_code(&v, s);
		if (prev && prev->loc.shndx == s->loc.shndx &&
		    s->loc.off < prev->loc.off + prev->length) {
			char where[96];

			pv_where(r, prev->loc, prev->addr, where, sizeof(where));
			problem(&v, s, "%s the site at %s (record %zu)",
				s->loc.off == prev->loc.off ? "duplicates" : "overlaps", where,
				prev->record);
		}
		if (!prev || prev->loc.shndx != s->loc.shndx ||
		    s->loc.off + s->length > prev->loc.off + prev->length)
			prev = s;
		pv_ranges_overlapping(&r->ranges, s->loc, s->length, overlap_cb, &oa);
		if ((s->xflags & PREVIRT_X_ALT_ORIG) && !oa.in_alt && !r->ranges.skipped[PV_TAB_ALTINSTR])
			problem(&v, s, "%s", (s->flags & PREVIRT_F_MMIO) ?
				"says ALT_ORIG, but no .altinstructions original holds it" :
				"says ALT_ORIG, which only an MMIO site may");
		/* EXTABLE is a promise the backends rely on to keep *_safe
		 * accesses native: it must match the linked table exactly */
		if (r->ranges.present[PV_TAB_EXTABLE] || r->ranges.skipped[PV_TAB_EXTABLE] ||
		    (s->flags & PREVIRT_F_EXTABLE)) {
			if ((s->flags & PREVIRT_F_EXTABLE) && !oa.has_entry)
				problem(&v, s, "EXTABLE flag, but no __ex_table entry names the site");
			else if (!(s->flags & PREVIRT_F_EXTABLE) && oa.has_entry)
				problem(&v, s, "an __ex_table entry names the site, but it has no "
					"EXTABLE flag");
		}
	}
	if (v.problems)
		return 1;
	if (r->verbose) {
		unsigned t, any = 0;

		fprintf(out, "%s: OK: %zu sites in %zu header%s verified; patch tables:", r->img.path,
			r->sites.n, r->sites.nheaders, r->sites.nheaders == 1 ? "" : "s");
		for (t = 0; t < PV_TAB_COUNT; t++) {
			if (!r->ranges.present[t] && !r->ranges.skipped[t])
				continue;
			fprintf(out, " %s %zu", pv_table_name(t), r->ranges.present[t]);
			if (r->ranges.skipped[t])
				fprintf(out, " (+%zu unresolved)", r->ranges.skipped[t]);
			any = 1;
		}
		fputs(any ? "\n" : " none\n", out);
	}
	return 0;
}
