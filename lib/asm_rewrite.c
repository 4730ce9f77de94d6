/* SPDX-License-Identifier: MIT */
/*
 * Inline-asm template rewriting (see asm_rewrite.h).
 *
 * The template is split into statements (gas separates them with newlines
 * and ';', and '#' starts a comment).  Walking the statements we track the
 * section the text is assembled into (.pushsection/.popsection/.section/
 * .previous), labels waiting for the next instruction, and whether we are
 * inside the original instruction of a kernel ALTERNATIVE (the range its
 * .altinstructions entry names).  Each sensitive instruction gets text
 * inserted around it; nothing of the original template is changed or
 * reordered.
 */
#define _GNU_SOURCE   /* memmem */
#include "asm_rewrite.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insn_match.h"
#include "previrt/format.h"
#include "previrt_rules.h"

struct stmt {
	size_t start, end;      /* text of the statement, without separator */
	size_t body;            /* first byte after leading labels */
	size_t def0;            /* index of its first label in the label table */
	int    nlabels;
};

/* A label definition, in text order: what gas resolves "1b"/"1f"/"name" to. */
struct label {
	char   name[48];        /* "" when the name did not fit: never matched */
	size_t stmt;            /* statement that defines it */
};

struct strbuf {
	char  *p;
	size_t len, cap;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		abort();
	return p;
}

static void sb_add(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void sb_str(struct strbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/*
 * A copy of the text with every comment blanked out, byte for byte, so that
 * offsets stay valid in the original.  gas deletes a comment ("#" to the
 * end of the line, "/" "*" ... "*" "/" anywhere), so the statement goes on
 * after it: "cli;" + comment + "sti" is two instructions, and the text after
 * a comment is never lost.  Strings are left alone.
 */
static char *mask_comments(const char *t, size_t len)
{
	char *m = xrealloc(NULL, len + 1);
	size_t i;
	int in_str = 0;

	memcpy(m, t, len + 1);
	for (i = 0; i < len; i++) {
		if (in_str) {
			if (m[i] == '\\' && i + 1 < len)
				i++;
			else if (m[i] == '"')
				in_str = 0;
		} else if (m[i] == '"') {
			in_str = 1;
		} else if (m[i] == '#') {
			while (i < len && m[i] != '\n')
				m[i++] = ' ';
			i--;
		} else if (m[i] == '/' && i + 1 < len && m[i + 1] == '*') {
			const char *ce = strstr(m + i + 2, "*/");
			size_t e = ce ? (size_t)(ce - m) + 2 : len;

			while (i < e)
				m[i++] = ' ';
			i--;
		}
	}
	return m;
}

static int label_char(const char *t, size_t q, size_t end, size_t *step)
{
	/* the compilers' unique-number escapes are label characters too:
	 * GCC's "%=" and LLVM's "${:uid}" (".Lx%=: cli") */
	if (q + 1 < end && t[q] == '%' && t[q + 1] == '=')
		return *step = 2, 1;
	if (q + 6 < end && strncmp(t + q, "${:uid}", 7) == 0)
		return *step = 7, 1;
	if (q < end && (isalnum((unsigned char)t[q]) || t[q] == '_' || t[q] == '.' || t[q] == '$'))
		return *step = 1, 1;
	return 0;
}

/*
 * Split the (comment-masked) text into statements at newlines and ';'
 * outside strings, and collect every leading label ("1:", "foo:", ".Lx:",
 * not "%l[x]" or "a::") into the label table.
 */
static struct stmt *split(const char *t, size_t *n, struct label **labels, size_t *nlabels)
{
	size_t cap = 16, cnt = 0, i = 0, len = strlen(t), lcap = 16, nl = 0;
	struct stmt *v = xrealloc(NULL, cap * sizeof(*v));
	struct label *lv = xrealloc(NULL, lcap * sizeof(*lv));

	for (;;) {
		size_t s = i;
		int in_str = 0;

		while (i < len) {
			char c = t[i];

			if (in_str) {
				if (c == '\\' && i + 1 < len)
					i++;
				else if (c == '"')
					in_str = 0;
			} else if (c == '"') {
				in_str = 1;
			} else if (c == '\n' || c == ';') {
				break;
			}
			i++;
		}
		if (cnt == cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		memset(&v[cnt], 0, sizeof(v[cnt]));
		v[cnt].start = s;
		v[cnt].end = i;
		cnt++;
		if (i >= len)
			break;
		i++;                    /* the separator */
	}
	for (i = 0; i < cnt; i++) {
		size_t p = v[i].start, step;

		v[i].def0 = nl;
		for (;;) {
			size_t q;

			while (p < v[i].end && isspace((unsigned char)t[p]))
				p++;
			q = p;
			while (label_char(t, q, v[i].end, &step))
				q += step;
			if (q == p || q >= v[i].end || t[q] != ':' ||
			    (q + 1 < v[i].end && t[q + 1] == ':'))
				break;
			if (nl == lcap) {
				lcap *= 2;
				lv = xrealloc(lv, lcap * sizeof(*lv));
			}
			lv[nl].stmt = i;
			lv[nl].name[0] = 0;
			if (q - p < sizeof(lv[nl].name)) {
				memcpy(lv[nl].name, t + p, q - p);
				lv[nl].name[q - p] = 0;
			}
			nl++;
			v[i].nlabels++;
			p = q + 1;
		}
		v[i].body = p;
	}
	*n = cnt;
	*labels = lv;
	*nlabels = nl;
	return v;
}

/* ---- sections ------------------------------------------------------------ */

struct section {
	char name[64];
	int  code, replacement, noinstr, pushed;
	unsigned site_flags;     /* pv_section_site_flags of a section directive's name */
};

static const char *const code_sections[] = {
	".text", ".noinstr.text", ".entry.text", ".init.text", ".exit.text", ".ref.text",
	".sched.text", ".cpuidle.text", ".head.text", ".fixup", ".altinstr_aux",
	".kprobes.text", ".irqentry.text", ".softirqentry.text", ".spinlock.text",
	".meminit.text", ".cpuinit.text", ".lock.text",
};

static int has_prefix(const char *s, const char *p);

unsigned pv_section_site_flags(const char *section)
{
	if (!section)
		return 0;
	if (has_prefix(section, ".noinstr.text") || has_prefix(section, ".entry.text"))
		return PREVIRT_F_NOINSTR;
	/* the kernel's early boot text: may run before it has a stack (format.h) */
	if (has_prefix(section, ".head.text"))
		return PV_XFLAGS(PREVIRT_X_NOSTACK);
	return 0;
}

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Parse ".section NAME[, "flags"...]" arguments into *sec. */
static void parse_section(const char *t, size_t len, struct section *sec)
{
	size_t i = 0, n = 0;
	const char *flags;
	unsigned k;

	memset(sec, 0, sizeof(*sec));
	while (i < len && isspace((unsigned char)t[i]))
		i++;
	if (i < len && t[i] == '"')
		i++;
	while (i < len && t[i] != ',' && t[i] != '"' && !isspace((unsigned char)t[i]) &&
	       n < sizeof(sec->name) - 1)
		sec->name[n++] = t[i++];
	sec->name[n] = 0;
	flags = memchr(t + i, '"', len - i);
	if (flags) {
		const char *fe = memchr(flags + 1, '"', len - (size_t)(flags + 1 - t));

		if (fe && memchr(flags + 1, 'x', (size_t)(fe - flags - 1)))
			sec->code = 1;
	}
	for (k = 0; k < sizeof(code_sections) / sizeof(code_sections[0]); k++)
		if (has_prefix(sec->name, code_sections[k]))
			sec->code = 1;
	sec->site_flags = pv_section_site_flags(sec->name) & ~PREVIRT_F_NOINSTR;
	if (has_prefix(sec->name, ".altinstr_replacement")) {
		sec->code = 1;
		sec->replacement = 1;
	}
	if (has_prefix(sec->name, ".noinstr.text") || has_prefix(sec->name, ".entry.text"))
		sec->noinstr = 1;
}

/* ---- the rewrite ----------------------------------------------------------- */

#define SITE_LABEL "98470"
#define END_LABEL  "98471"
#define PAD_LABEL  "98472"
#define MEASURE0   "98475"      /* pad-before: the instruction measured in a discarded section */
#define MEASURE1   "98476"
#define INSN_LABEL "98477"      /* pad-before: where the instruction starts */

/*
 * The record of a site whose labels are already placed, and the same
 * address once more in .discard.noendbr.  With indirect-branch tracking
 * (X86_KERNEL_IBT, on by default from Linux 6.2) objtool takes every
 * relocation from an unknown data section into code for a function pointer
 * and warns "data relocation to !ENDBR" for each record.  .discard.noendbr
 * is where Linux's own ANNOTATE_NOENDBR says "referenced, never branched
 * to" (objtool reads it in every release with IBT); the kernel's and
 * modules' linker scripts discard .discard.*, so the image does not change.
 * Elsewhere it is a small unallocated section.
 * len/ilen: label expressions for length and insn_length.
 */
static void emit_record(struct strbuf *b, unsigned kind, const char *len, const char *ilen,
			unsigned flags, unsigned width, unsigned xflags)
{
	char buf[640];

	snprintf(buf, sizeof(buf),
		 "\t.pushsection " PREVIRT_SECTION ",\"a\"\n"
		 "\t.balign 4\n"
		 "\t.long " SITE_LABEL "b - .\n"
		 "\t.short %u\n"
		 "\t.byte %s, %s, %u, %u\n"
		 "\t.short %u\n"
		 "\t.popsection\n"
		 "\t.pushsection .discard.noendbr\n"
		 "\t.long " SITE_LABEL "b - .\n"
		 "\t.popsection", kind, len, ilen, flags & 0xff, width, xflags);
	sb_str(b, buf);
}

static void emit_after(struct strbuf *b, const struct pv_rewrite_opts *o,
		       unsigned kind, unsigned size, unsigned flags, unsigned width)
{
	char buf[640];
	const char *d = "(" END_LABEL "b-" SITE_LABEL "b)";

	if (o->pad == PV_PAD_NOPS)
		snprintf(buf, sizeof(buf), "\n" END_LABEL ":\n\t.nops -((%u-%s)>0)*(%u-%s)",
			 size, d, size, d);
	else
		snprintf(buf, sizeof(buf), "\n" END_LABEL ":\n\t.fill -((%u-%s)>0)*(%u-%s),1,0x90",
			 size, d, size, d);
	sb_str(b, buf);
	sb_str(b, "\n" PAD_LABEL ":\n");
	emit_record(b, kind, PAD_LABEL "b-" SITE_LABEL "b", END_LABEL "b-" SITE_LABEL "b", flags, width,
		    PV_XFLAGS_OF(flags));
}

/*
 * A pad-before site (format.h PREVIRT_X_PAD_BEFORE): NOPs, then the
 * instruction, then the record.  The pad's size needs the instruction's
 * length before the instruction is assembled here, so a copy of it is
 * assembled first in .discard.previrt_measure (dropped by Linux's linker
 * scripts, vmlinux and modules alike) and measured there.
 */
static void emit_pad_before(struct strbuf *b, const struct pv_rewrite_opts *o, unsigned kind,
			    unsigned size, unsigned flags, unsigned width, const char *insn, size_t ilen)
{
	char buf[640];
	const char *d = "(" MEASURE1 "b-" MEASURE0 "b)";

	sb_str(b, "\n\t.pushsection .discard.previrt_measure,\"a\"\n" MEASURE0 ": ");
	sb_add(b, insn, ilen);
	sb_str(b, "\n" MEASURE1 ":\n\t.popsection\n" SITE_LABEL ":\n");
	if (o->pad == PV_PAD_NOPS)
		snprintf(buf, sizeof(buf), "\t.nops -((%u-%s)>0)*(%u-%s)\n", size, d, size, d);
	else
		snprintf(buf, sizeof(buf), "\t.fill -((%u-%s)>0)*(%u-%s),1,0x90\n", size, d, size, d);
	sb_str(b, buf);
	sb_str(b, INSN_LABEL ": ");
	sb_add(b, insn, ilen);
	sb_str(b, "\n" END_LABEL ":\n");
	emit_record(b, kind, END_LABEL "b-" SITE_LABEL "b", END_LABEL "b-" INSN_LABEL "b", flags, width,
		    PV_XFLAGS_OF(flags) | PREVIRT_X_PAD_BEFORE);
}

static int body_is(const char *t, const struct stmt *s, const char *word)
{
	size_t l = strlen(word);

	return s->end - s->body >= l && strncmp(t + s->body, word, l) == 0 &&
	       (s->end - s->body == l || isspace((unsigned char)t[s->body + l]));
}

/*
 * The gas macros a text defines, found before rewriting (gas needs a macro
 * defined before its use, so one pass over the text sees them all).
 */
struct macro {
	char name[48];          /* lower case: gas matches macro names that way */
	int  emits_code;        /* its body puts instructions or data where it is invoked */
	int  alternative;       /* its body fills .altinstructions: an ALTERNATIVE */
	int  in_alternative;    /* named in an ALTERNATIVE's arguments: its body may be
				 * assembled as an original or replacement instruction */
};

struct macro_table {
	struct macro *v;
	size_t n;
};

/* Where the text is being assembled: section stack and code mode. */
struct asm_state {
	struct section cur, prev, stack[16];
	int depth;
	int code64;             /* 0 after .code16/.code32 until .code64 */
	int new_section;        /* set when a directive switched sections */
	/*
	 * A .macro body runs in whatever section its invocation is in, which
	 * the text of the body cannot tell: the body is tracked from an
	 * unnamed code section (no PUSHED/NOINSTR), and the state outside is
	 * restored at .endm.  The loader and --verify take noinstr/entry from
	 * where a site really landed.
	 */
	int in_macro;
	int alt_macro;          /* the body is an ALTERNATIVE's or runs inside one: no site */
	struct asm_state *outside;
	const struct macro_table *macros;
};

static void state_init(struct asm_state *as, unsigned caller_flags)
{
	memset(as, 0, sizeof(*as));
	as->cur.code = 1;
	as->cur.noinstr = (caller_flags & PREVIRT_F_NOINSTR) != 0;
	as->cur.site_flags = caller_flags & PV_XFLAGS(0xffff);
	as->prev = as->cur;
	as->code64 = 1;
}

/* The name a ".macro NAME[ ,args]" statement defines, lower case, in out. */
static int macro_name(const char *b, size_t blen, char *out, size_t cap)
{
	size_t i = 6, n = 0;

	while (i < blen && isspace((unsigned char)b[i]))
		i++;
	while (i < blen && !isspace((unsigned char)b[i]) && b[i] != ',' && n + 1 < cap)
		out[n++] = (char)tolower((unsigned char)b[i++]);
	out[n] = 0;
	return n > 0;
}

static const struct macro *find_macro(const struct macro_table *tab, const char *word, size_t len)
{
	size_t i;

	if (!tab)
		return NULL;
	for (i = 0; i < tab->n; i++)
		if (strlen(tab->v[i].name) == len && strncasecmp(tab->v[i].name, word, len) == 0)
			return &tab->v[i];
	return NULL;
}

static int emits_bytes(const char *t, const struct stmt *s);

/*
 * Every macro of the text: whether its body emits code where it is invoked
 * (an instruction, data or a parameter statement outside any
 * .pushsection of its own), whether it is an ALTERNATIVE, and whether an
 * ALTERNATIVE's arguments name it (Linux: ALTERNATIVE "", "ZAP_GS", ...).
 */
static void scan_macros(const char *t, const struct stmt *v, size_t n, struct macro_table *tab)
{
	struct macro *cur = NULL;
	size_t i, cap = 0;
	int depth = 0;

	tab->v = NULL;
	tab->n = 0;
	for (i = 0; i < n; i++) {
		const char *b = t + v[i].body;
		size_t blen = v[i].end - v[i].body;
		struct pv_insn_text insn;

		while (blen && isspace((unsigned char)b[blen - 1]))
			blen--;
		if (!blen)
			continue;
		if (!cur && body_is(t, &v[i], ".macro")) {
			if (tab->n == cap) {
				cap = cap ? cap * 2 : 16;
				tab->v = xrealloc(tab->v, cap * sizeof(*tab->v));
			}
			cur = &tab->v[tab->n];
			memset(cur, 0, sizeof(*cur));
			if (!macro_name(b, blen, cur->name, sizeof(cur->name)))
				cur->name[0] = 0;
			tab->n++;
			depth = 0;
			continue;
		}
		if (!cur)
			continue;
		if (body_is(t, &v[i], ".endm") || body_is(t, &v[i], ".endmacro")) {
			cur = NULL;
			continue;
		}
		if (body_is(t, &v[i], ".pushsection")) {
			depth++;
			if (memmem(b, blen, ".altinstructions", 16))
				cur->alternative = 1;
		} else if (body_is(t, &v[i], ".popsection")) {
			depth -= depth > 0;
		} else if (depth == 0 && (emits_bytes(t, &v[i]) || b[0] == '\\' ||
					  (pv_parse_insn(b, blen, &insn) == 0 &&
					   !find_macro(tab, insn.mnemonic, strlen(insn.mnemonic))))) {
			cur->emits_code = 1;
		}
	}
	/* the macros an ALTERNATIVE's arguments name */
	for (i = 0; i < n; i++) {
		const char *b = t + v[i].body, *e = t + v[i].end, *p;
		const struct macro *alt;
		size_t wl = 0;

		while (b + wl < e && (isalnum((unsigned char)b[wl]) || b[wl] == '_'))
			wl++;
		alt = wl ? find_macro(tab, b, wl) : NULL;
		if (!alt || !alt->alternative)
			continue;
		for (p = b + wl; p < e; ) {
			const char *w = p;
			struct macro *m;

			while (p < e && (isalnum((unsigned char)*p) || *p == '_'))
				p++;
			if (p == w) {
				p++;
				continue;
			}
			m = (struct macro *)find_macro(tab, w, (size_t)(p - w));
			if (m)
				m->in_alternative = 1;
		}
	}
}

/* Apply a section or mode directive; 1 when the statement was one. */
static int track_directive(const char *t, const struct stmt *s, struct asm_state *as)
{
	const char *b = t + s->body;
	size_t blen = s->end - s->body;
	struct section was = as->cur;

	if (body_is(t, s, ".pushsection")) {
		if (as->depth < 16)
			as->stack[as->depth++] = as->cur;
		as->prev = as->cur;
		parse_section(b + 12, blen - 12, &as->cur);
		as->cur.pushed = 1;
	} else if (body_is(t, s, ".popsection")) {
		if (as->depth)
			as->cur = as->stack[--as->depth];
	} else if (body_is(t, s, ".section")) {
		parse_section(b + 8, blen - 8, &as->cur);
		as->cur.pushed = 1;
		as->prev = was;
	} else if (body_is(t, s, ".previous")) {
		as->cur = as->prev;
		as->prev = was;
	} else if (body_is(t, s, ".text")) {
		as->prev = as->cur;
		memset(&as->cur, 0, sizeof(as->cur));
		strcpy(as->cur.name, ".text");
		as->cur.code = as->cur.pushed = 1;
	} else if (body_is(t, s, ".data") || body_is(t, s, ".bss") || body_is(t, s, ".rodata")) {
		as->prev = as->cur;
		memset(&as->cur, 0, sizeof(as->cur));
		as->cur.pushed = 1;
	} else if (body_is(t, s, ".code16") || body_is(t, s, ".code16gcc") ||
		   body_is(t, s, ".code32")) {
		as->code64 = 0;
		return 1;
	} else if (body_is(t, s, ".code64")) {
		as->code64 = 1;
		return 1;
	} else if (body_is(t, s, ".macro") && !as->in_macro) {
		*as->outside = *as;
		memset(&as->cur, 0, sizeof(as->cur));
		as->cur.code = 1;
		as->prev = as->cur;
		as->depth = 0;
		as->in_macro = 1;
		{
			char name[48];
			const struct macro *mc = macro_name(b, blen, name, sizeof(name)) ?
						 find_macro(as->macros, name, strlen(name)) : NULL;

			as->alt_macro = mc && (mc->alternative || mc->in_alternative);
		}
		return 1;
	} else if ((body_is(t, s, ".endm") || body_is(t, s, ".endmacro")) && as->in_macro) {
		struct asm_state *o = as->outside;

		*as = *o;
		as->outside = o;
		return 1;
	} else {
		return 0;
	}
	as->new_section = 1;
	return 1;
}

/* ---- exception-table entries ---------------------------------------------- */

/*
 * The EXTABLE flag is decided the way the assembler decides what an
 * __ex_table entry names: the first field of each entry (".long (FROM) - .",
 * Linux's _ASM_EXTABLE* in every version) is a label reference, and a
 * numeric reference "1b"/"1f" means the nearest definition of "1" before /
 * after the reference in the text, a name means that name.  The site gets
 * the flag only if that very definition labels one of its instructions.
 * Label names alone would mislead: templates reuse "1:" and "2:".
 * previrt-report --verify and the loader check the result against the
 * linked __ex_table, so a disagreement can never go unnoticed.
 */
struct exref {
	char   name[48];
	size_t stmt;
};

/* FROM of ".long (FROM) - ." / ".long FROM-." / ".long FROM"; 0 if not a label. */
static int extable_from(const char *b, size_t blen, char *out, size_t cap)
{
	size_t i = 0, n = 0, step;

	while (i < blen && (isspace((unsigned char)b[i]) || b[i] == '('))
		i++;
	while (i < blen && label_char(b, i, blen, &step) && n + step < cap) {
		memcpy(out + n, b + i, step);
		n += step;
		i += step;
	}
	out[n] = 0;
	while (i < blen && (isspace((unsigned char)b[i]) || b[i] == ')'))
		i++;
	/* "- ." (self-relative), "," (more values) or the end */
	return n && (i == blen || b[i] == '-' || b[i] == ',');
}

static int is_data_directive(const char *t, const struct stmt *s, size_t *skip)
{
	static const char *const dirs[] = { ".long", ".int", ".4byte", ".quad", ".8byte" };
	unsigned k;

	for (k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++)
		if (body_is(t, s, dirs[k]))
			return *skip = strlen(dirs[k]), 1;
	return 0;
}

/* Every entry's FROM reference, with the statement it stands in. */
static struct exref *collect_extable(const char *t, const struct stmt *v, size_t n,
				     const struct macro_table *macros, unsigned caller_flags,
				     size_t *nref)
{
	struct asm_state as, outside;
	struct exref *r = NULL;
	size_t i, cnt = 0, cap = 0, skip;
	int want_from = 0;

	state_init(&as, caller_flags);
	as.outside = &outside;
	as.macros = macros;
	for (i = 0; i < n; i++) {
		as.new_section = 0;
		if (track_directive(t, &v[i], &as)) {
			/* a new block of __ex_table: its first data value is FROM */
			if (as.new_section)
				want_from = has_prefix(as.cur.name, "__ex_table");
			continue;
		}
		if (!want_from || !has_prefix(as.cur.name, "__ex_table") ||
		    !is_data_directive(t, &v[i], &skip))
			continue;
		want_from = 0;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			r = xrealloc(r, cap * sizeof(*r));
		}
		if (extable_from(t + v[i].body + skip, v[i].end - v[i].body - skip,
				 r[cnt].name, sizeof(r[cnt].name))) {
			r[cnt].stmt = i;
			cnt++;
		}
	}
	*nref = cnt;
	return r;
}

/* The label definition a reference at statement `at` means, or -1. */
static long resolve_label(const struct label *lv, size_t nl, const char *ref, size_t at)
{
	size_t l = strlen(ref), k, d;
	char dir = l ? ref[l - 1] : 0;
	long hit = -1;

	for (d = 0; d + 1 < l && isdigit((unsigned char)ref[d]); d++)
		;
	if (l >= 2 && d == l - 1 && (dir == 'b' || dir == 'f')) {
		for (k = 0; k < nl; k++) {
			if (strlen(lv[k].name) != l - 1 || strncmp(lv[k].name, ref, l - 1) != 0)
				continue;
			if (dir == 'b' && lv[k].stmt <= at)
				hit = (long)k;          /* the last one before */
			if (dir == 'f' && lv[k].stmt > at)
				return (long)k;         /* the first one after */
		}
		return hit;
	}
	for (k = 0; k < nl; k++)
		if (lv[k].name[0] && strcmp(lv[k].name, ref) == 0)
			return (long)k;
	return -1;
}

/* ex_target[k] = 1 when label definition k is the FROM of an entry. */
static uint8_t *extable_targets(const char *t, const struct stmt *v, size_t n,
				const struct label *lv, size_t nl, const struct macro_table *macros,
				unsigned caller_flags)
{
	size_t nref, i;
	struct exref *r = collect_extable(t, v, n, macros, caller_flags, &nref);
	uint8_t *target = calloc(nl ? nl : 1, 1);

	if (!target)
		abort();
	for (i = 0; i < nref; i++) {
		long k = resolve_label(lv, nl, r[i].name, r[i].stmt);

		if (k >= 0)
			target[k] = 1;
	}
	free(r);
	return target;
}

/* ---- ALTERNATIVE originals ----------------------------------------------------- */

/*
 * Which statements are the original instruction(s) of a kernel ALTERNATIVE,
 * taken from the .altinstructions entries the text itself writes, so no
 * label number of one Linux release is assumed.  Every release's entry
 * starts with ".long ORIG - ." and gives the original's length as
 * ".byte END - ORIG" (6.1: 661b and 663b-661b; 6.12: 771b and 773b-771b,
 * with ALTERNATIVE_2 nesting one ALTERNATIVE inside another's original).
 * ORIG and END resolve as gas resolves them; the statements from ORIG's
 * definition up to END's are the original.  Returns a per-statement map
 * (1 = inside an original), and *unresolved = 1 when some entry named no
 * such range.
 */
static int byte_diff(const char *b, size_t blen, char *end, char *start, size_t cap)
{
	size_t i = 0, n, step;

	for (int f = 0; f < 2; f++) {
		char *out = f ? start : end;

		while (i < blen && (isspace((unsigned char)b[i]) || b[i] == '('))
			i++;
		for (n = 0; i < blen && label_char(b, i, blen, &step) && n + step < cap; i += step, n += step)
			memcpy(out + n, b + i, step);
		out[n] = 0;
		while (i < blen && (isspace((unsigned char)b[i]) || b[i] == ')'))
			i++;
		if (!n || (f == 0 && (i == blen || b[i++] != '-')))
			return 0;
	}
	return i == blen || b[i] == ',';
}

static uint8_t *alt_originals(const char *t, const struct stmt *v, size_t n, const struct label *lv,
			      size_t nl, const struct macro_table *macros, unsigned caller_flags,
			      int *unresolved)
{
	struct asm_state as, outside;
	uint8_t *in = calloc(n ? n : 1, 1);
	long orig = -1;
	int block = 0, found = 0, skip_ok;
	size_t i, skip;

	if (!in)
		abort();
	*unresolved = 0;
	state_init(&as, caller_flags);
	as.outside = &outside;
	as.macros = macros;
	for (i = 0; i < n; i++) {
		char a[48], b[48];

		as.new_section = 0;
		if (track_directive(t, &v[i], &as)) {
			if (as.new_section) {
				/* a block ends: its entry named an original, or not */
				if (block && !found)
					*unresolved = 1;
				block = has_prefix(as.cur.name, ".altinstructions");
				orig = -1;
				found = 0;
			}
			continue;
		}
		if (!block || !has_prefix(as.cur.name, ".altinstructions"))
			continue;
		skip_ok = is_data_directive(t, &v[i], &skip);
		if (skip_ok && orig < 0) {
			if (extable_from(t + v[i].body + skip, v[i].end - v[i].body - skip, a, sizeof(a)))
				orig = resolve_label(lv, nl, a, i);
			if (orig < 0)
				*unresolved = 1;
			continue;
		}
		if (orig < 0 || found || !body_is(t, &v[i], ".byte") ||
		    !byte_diff(t + v[i].body + 5, v[i].end - v[i].body - 5, a, b, sizeof(a)) ||
		    resolve_label(lv, nl, b, i) != orig)
			continue;
		{
			long end = resolve_label(lv, nl, a, i);

			if (end < 0 || lv[end].stmt < lv[orig].stmt) {
				*unresolved = 1;
				continue;
			}
			memset(in + lv[orig].stmt, 1, lv[end].stmt - lv[orig].stmt);
			found = 1;
		}
	}
	if (block && !found)
		*unresolved = 1;
	return in;
}

/* ---- the rewrite ----------------------------------------------------------- */

/* Next statement after i with a body (labels alone do not count), or n. */
static size_t next_body(const char *t, const struct stmt *v, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		size_t p = v[i].body;

		while (p < v[i].end && isspace((unsigned char)t[p]))
			p++;
		if (p < v[i].end)
			return i;
	}
	return n;
}

/*
 * The follower of a shadow-opening instruction at statement i: the next
 * instruction in the text, written as a mnemonic or as .byte.  Returns its
 * statement (a prefix-only statement takes the one after it too, through
 * *last), or n when the template has no follower in the same place.
 */
static size_t shadow_follower(const char *t, const struct stmt *v, size_t n, size_t i,
			      size_t *last)
{
	size_t j = next_body(t, v, n, i);
	struct pv_insn_text f;
	uint8_t bytes[16];

	if (j == n)
		return n;
	*last = j;
	if (body_is(t, &v[j], ".byte"))
		return pv_parse_byte_list(t + v[j].body + 5, v[j].end - v[j].body - 5, bytes,
					  sizeof(bytes)) > 0 ? j : n;
	if (pv_parse_insn(t + v[j].body, v[j].end - v[j].body, &f) != 0)
		return n;
	if (f.nops == 0 && pv_is_prefix(f.mnemonic, strlen(f.mnemonic))) {
		size_t k = next_body(t, v, n, j);

		if (k == n || v[k].nlabels ||
		    pv_parse_insn(t + v[k].body, v[k].end - v[k].body, &f) != 0)
			return n;
		*last = k;
	}
	return j;
}

/* A directive that can put bytes between a label and the next instruction. */
static int emits_bytes(const char *t, const struct stmt *s)
{
	static const char *const dirs[] = {
		".byte", ".short", ".word", ".value", ".2byte", ".long", ".int", ".4byte",
		".quad", ".8byte", ".octa", ".ascii", ".asciz", ".string", ".skip", ".space",
		".fill", ".zero", ".nops", ".balign", ".p2align", ".align", ".org", ".incbin",
	};
	unsigned k;

	for (k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++)
		if (body_is(t, s, dirs[k]))
			return 1;
	return 0;
}

/*
 * A statement in a .macro body whose mnemonic is a macro parameter ("1: \\op"
 * in Linux's msr-reg.S, expanded once as rdmsr and once as wrmsr): which
 * instruction it is, only gas knows, at each expansion.  So the choice is
 * left to gas: a chain of .ifc tests, one per mnemonic a rule matches with
 * any operands, each branch the statement as a site of that kind, the
 * final branch the statement untouched.  Returns the number of branches.
 */
static unsigned emit_param_cascade(struct strbuf *out, const char *stmt, size_t len,
				   const char *param, const struct pv_rewrite_opts *o,
				   unsigned flags)
{
	unsigned i, j, n = 0;
	char buf[160];

	for (i = 0; i < previrt_nforms; i++) {
		const struct previrt_form *f = &previrt_forms[i];
		const struct previrt_rule *r = previrt_rule_by_id(f->kind);
		unsigned size;
		int seen = 0;

		if (f->nsteps != 1 || f->nops != 0 || !r)
			continue;
		if (o->kind_enabled && (f->kind > PREVIRT_KIND_MAX || !o->kind_enabled[f->kind]))
			continue;
		for (j = 0; j < i && !seen; j++)
			seen = previrt_forms[j].nsteps == 1 && previrt_forms[j].nops == 0 &&
			       strcmp(previrt_forms[j].mnemonic, f->mnemonic) == 0;
		if (seen)
			continue;
		size = o->min_size ? o->min_size : r->size;
		/* quoted: a parameter may hold a whole instruction with commas */
		snprintf(buf, sizeof(buf), "\n.ifc \"%s\",\"%s\"\n" SITE_LABEL ": ", param,
			 f->mnemonic);
		sb_str(out, buf);
		sb_add(out, stmt, len);
		emit_after(out, o, f->kind, size, flags, pv_io_width(f->kind, f->mnemonic));
		sb_str(out, "\n.else");
		n++;
	}
	sb_str(out, "\n");
	sb_add(out, stmt, len);
	for (i = 0; i < n; i++)
		sb_str(out, "\n.endif");
	return n;
}

/* "\\name" at the start of a statement body: the parameter reference, else 0. */
static size_t param_mnemonic(const char *b, size_t blen)
{
	size_t n = 1;

	if (blen < 2 || b[0] != '\\' || !(isalpha((unsigned char)b[1]) || b[1] == '_'))
		return 0;
	while (n < blen && (isalnum((unsigned char)b[n]) || b[n] == '_'))
		n++;
	return n < blen && !isspace((unsigned char)b[n]) ? 0 : n;
}

/* The flags every site at this point gets: the caller's, the section's,
 * and EXTABLE when an __ex_table entry names one of the pending labels. */
/*
 * Hand-written code without a stack of its own (format.h NOSTACK).  Not
 * only .head.text: Linux 6.12 moved secondary_startup_64 into .text, and a
 * secondary CPU runs it after `mov ..., %cr3` has unmapped the real-mode
 * stack it came with, until `movq ..., %rsp` gives it one.  In a whole
 * assembly file, the text after a write to %cr3 runs stackless until an
 * instruction loads %rsp (mov or lea; add/sub only move the old stack) or
 * the symbol ends (.size).  C always runs on a mapped kernel stack, and a
 * .macro body runs where it is invoked: neither is tracked.
 * Returns the new state after instruction insn.
 */
static int stackless_after(const struct pv_insn_text *insn, int stackless)
{
	const char *m = insn->mnemonic, *dst = insn->nops ? insn->ops[insn->nops - 1] : "";

	if (strncmp(m, "mov", 3) == 0 && strcmp(dst, "%cr3") == 0)
		return 1;
	if ((strncmp(m, "mov", 3) == 0 || strncmp(m, "lea", 3) == 0) && strcmp(dst, "%rsp") == 0)
		return 0;
	return stackless;
}

static unsigned place_flags(const struct pv_rewrite_opts *o, const struct asm_state *as,
			    const uint8_t *ex_target, const size_t *pending, size_t npending)
{
	unsigned flags = o->flags;
	size_t l;

	if (as->cur.pushed)
		flags |= PREVIRT_F_PUSHED;
	if (as->cur.noinstr)
		flags |= PREVIRT_F_NOINSTR;
	flags |= as->cur.site_flags;
	for (l = 0; l < npending; l++)
		if (ex_target[pending[l]])
			flags |= PREVIRT_F_EXTABLE;
	return flags;
}

static int kind_has(unsigned kind, unsigned attr)
{
	const struct previrt_rule *r = previrt_rule_by_id(kind);

	return r && (r->attrs & attr);
}

static char *rewrite(const char *t, const struct pv_rewrite_opts *o, struct pv_rewrite_stats *st)
{
	struct asm_state as, outside;
	struct strbuf out = { 0 };
	size_t n, nl, i, copied = 0, npending = 0;
	size_t pending[16];
	struct label *lv;
	char *m = mask_comments(t, strlen(t));
	struct stmt *v = split(m, &n, &lv, &nl);
	struct macro_table macros;
	uint8_t *ex_target, *alt_orig;
	int alt_unresolved;
	int stackless = 0;           /* whole files: see stackless_after */

	scan_macros(m, v, n, &macros);
	ex_target = extable_targets(m, v, n, lv, nl, &macros, o->flags);
	/* ALTERNATIVE originals: the ranges the text's own entries name.  A
	 * template whose entry names no range is left alone as a whole (a
	 * whole .S file is not: its ALTERNATIVEs are macros, see alt_macro). */
	alt_orig = alt_originals(m, v, n, lv, nl, &macros, o->flags, &alt_unresolved);
	if (alt_unresolved && !o->whole_file)
		memset(alt_orig, 1, n ? n : 1);
	memset(st, 0, sizeof(*st));
	state_init(&as, o->flags);
	as.outside = &outside;
	as.macros = &macros;
	for (i = 0; i < n; i++) {
		struct stmt *s = &v[i];
		const char *b = m + s->body;
		size_t blen = s->end - s->body;
		struct pv_insn_text insn, next;
		unsigned kind = 0, width = 0, flags, size, k;
		int pad_before = 0;          /* format.h PREVIRT_X_PAD_BEFORE */
		size_t site_end = s->end, l;

		for (l = 0; l < (size_t)s->nlabels; l++)
			if (npending < 16)
				pending[npending++] = s->def0 + l;
		while (blen && isspace((unsigned char)b[blen - 1]))
			blen--;
		if (!blen)
			continue;
		if (b[0] == '.') {
			if (body_is(m, s, ".size") && !as.in_macro)
				stackless = 0;          /* the symbol ends */
			if (track_directive(m, s, &as))
				continue;
			if (body_is(m, s, ".byte") && as.cur.code) {
				uint8_t bytes[16];
				int nb = pv_parse_byte_list(b + 5, blen - 5, bytes, sizeof(bytes));

				if (nb > 0)
					kind = pv_match_bytes(bytes, (size_t)nb);
			}
			if (!kind) {
				/* data and alignment put bytes after the labels: they
				 * no longer name the next instruction */
				if (emits_bytes(m, s))
					npending = 0;
				continue;
			}
		} else if (as.in_macro && !as.alt_macro && as.cur.code && as.code64 &&
			   !as.cur.replacement && param_mnemonic(b, blen) && !o->mmio_kind) {
			char param[48];
			size_t pl = param_mnemonic(b, blen);

			if (pl >= sizeof(param))
				continue;
			memcpy(param, b, pl);
			param[pl] = 0;
			flags = place_flags(o, &as, ex_target, pending, npending);
			npending = 0;
			sb_add(&out, t + copied, s->body - copied);
			if (emit_param_cascade(&out, t + s->body, s->end - s->body, param, o, flags)) {
				st->sites++;
				st->param_sites++;
			}
			copied = s->end;
			continue;
		} else if (pv_parse_insn(b, blen, &insn) != 0) {
			continue;
		} else {
			int is_prefix_only;

			if (o->whole_file && !as.in_macro && as.cur.code)
				stackless = stackless_after(&insn, stackless);
			is_prefix_only = insn.nops == 0 &&
					     pv_is_prefix(insn.mnemonic, strlen(insn.mnemonic));

			if (is_prefix_only && i + 1 < n && v[i + 1].nlabels == 0 &&
			    pv_parse_insn(m + v[i + 1].body, v[i + 1].end - v[i + 1].body, &next) == 0) {
				/* "rep; outsb": the prefix joins the next statement */
				insn = next;
				site_end = v[i + 1].end;
				i++;
			}
			if (!as.cur.code) {
				npending = 0;
				continue;
			}
			if (o->mmio_kind) {
				kind = o->mmio_kind;
				width = o->mmio_width;
			} else {
				if (i + 1 < n && v[i + 1].nlabels == 0 &&
				    pv_parse_insn(m + v[i + 1].body, v[i + 1].end - v[i + 1].body,
						  &next) == 0 &&
				    (kind = pv_match_sequence(&insn, &next)) != 0) {
					site_end = v[i + 1].end;
					i++;
				} else {
					kind = pv_match_insn(&insn);
				}
				width = pv_io_width(kind, insn.mnemonic);
			}
			if (!kind) {
				/* a macro that emits nothing here (Linux's
				 * ANNOTATE_NOENDBR) leaves the labels naming the
				 * next instruction */
				const struct macro *mc = find_macro(&macros, insn.mnemonic,
								    strlen(insn.mnemonic));

				if (!mc || mc->emits_code)
					npending = 0;
				continue;
			}
		}
		/* a sensitive instruction from s->body to site_end */
		flags = 0;
		if (b[0] == '.')
			flags |= PREVIRT_F_BYTES;
		if (o->mmio_kind)
			flags |= PREVIRT_F_MMIO;
		if (!o->mmio_kind && site_end == s->end && kind_has(kind, PREVIRT_RA_SHADOW)) {
			/* the shadowed instruction is part of the site: no pad
			 * may take the one instruction the shadow covers */
			size_t last = n, j = shadow_follower(m, v, n, i, &last);

			if (j < n) {
				for (l = 0; l < (size_t)v[j].nlabels && npending < 16; l++)
					pending[npending++] = v[j].def0 + l;
				site_end = v[last].end;
				i = last;
				flags |= PREVIRT_F_SHADOW;
			} else if (!s->nlabels) {
				/* nothing of this text follows: the compiler's next
				 * instruction must stay the one in the shadow, so the
				 * pad goes before (no label may move off the instruction) */
				pad_before = 1;
			}
		}
		/* after the follower's labels joined the pending ones */
		flags |= place_flags(o, &as, ex_target, pending, npending);
		if (stackless)
			flags |= PV_XFLAGS(PREVIRT_X_NOSTACK);
		npending = 0;
		if (as.cur.replacement) {
			st->skipped_repl++;
			continue;
		}
		/* the kernel owns an ALTERNATIVE's original bytes, except where the
		 * MMIO rules say the accessor's own access sits there (see
		 * x86_64-mmio.rules: the replacement is never applied on x86-64) */
		if ((alt_orig[s - v] && !as.cur.pushed && !(o->mmio_kind && o->mmio_in_alternative)) ||
		    as.alt_macro) {
			st->skipped_alt++;
			continue;
		}
		if (alt_orig[s - v] && !as.cur.pushed)
			flags |= PV_XFLAGS(PREVIRT_X_ALT_ORIG);
		if (!as.code64) {
			st->skipped_mode++;
			continue;
		}
		if (o->kind_enabled && (kind > PREVIRT_KIND_MAX || !o->kind_enabled[kind])) {
			st->skipped_kind++;
			continue;
		}
		size = o->min_size;
		if (!size) {
			const struct previrt_rule *r = previrt_rule_by_id(kind);

			size = r ? r->size : PREVIRT_MMIO_SITE_SIZE;
		}
		k = st->sites++;
		if (k < 8) {
			st->kinds[k] = kind;
			st->site_flags[k] = flags | (pad_before ? PV_XFLAGS(PREVIRT_X_PAD_BEFORE) : 0);
		}
		sb_add(&out, t + copied, s->body - copied);
		if (pad_before) {
			emit_pad_before(&out, o, kind, size, flags, width, t + s->body, site_end - s->body);
		} else {
			sb_str(&out, SITE_LABEL ": ");
			sb_add(&out, t + s->body, site_end - s->body);
			emit_after(&out, o, kind, size, flags, width);
		}
		copied = site_end;
	}
	free(ex_target);
	free(alt_orig);
	free(macros.v);
	free(lv);
	free(v);
	free(m);
	if (!st->sites) {
		free(out.p);
		return 0;
	}
	sb_str(&out, t + copied);
	return out.p;
}

char *pv_rewrite_asm(const char *t, const struct pv_rewrite_opts *o, struct pv_rewrite_stats *st)
{
	return rewrite(t, o, st);
}

char *pv_rewrite_file(const char *text, const struct pv_rewrite_opts *opts, unsigned producer,
		      struct pv_rewrite_stats *st)
{
	struct pv_rewrite_opts o = *opts;
	char *out;
	size_t len;

	o.whole_file = 1;
	out = rewrite(text, &o, st);
	if (!out)
		return 0;
	len = strlen(out);
	out = xrealloc(out, len + 2 + strlen(pv_header_asm(producer)));
	/* a file may end without a newline; the header starts a new line */
	strcpy(out + len, "\n");
	strcat(out, pv_header_asm(producer));
	return out;
}

const char *pv_header_asm(unsigned producer)
{
	static char buf[256];

	snprintf(buf, sizeof(buf),
		 "\t.pushsection " PREVIRT_SECTION ",\"a\"\n"
		 "\t.balign 4\n"
		 "\t.long 0x%08x\n"
		 "\t.short %u\n"
		 "\t.byte %u, %u, %u, 0, 0, 0\n"
		 "\t.popsection\n",
		 PREVIRT_MAGIC, PREVIRT_KIND_HEADER, PREVIRT_FORMAT_VERSION,
		 (unsigned)sizeof(struct previrt_site), producer);
	return buf;
}
