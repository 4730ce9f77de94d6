/* SPDX-License-Identifier: MIT */
/*
 * Inline-asm template rewriting (see asm_rewrite.h).
 *
 * The template is split into statements (gas separates them with newlines
 * and ';', and '#' starts a comment).  Walking the statements we track the
 * section the text is assembled into (.pushsection/.popsection/.section/
 * .previous), labels waiting for the next instruction, and whether we are
 * inside the original instruction of a kernel ALTERNATIVE (label 661 up to
 * 662).  Each sensitive instruction gets text inserted around it; nothing of
 * the original template is changed or reordered.
 */
#include "asm_rewrite.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insn_match.h"
#include "previrt/format.h"
#include "previrt_rules.h"

struct stmt {
	size_t start, end;      /* text of the statement, without separator or comment */
	size_t body;            /* first byte after leading labels */
	char   labels[4][16];   /* leading labels (numeric or named), truncated */
	int    nlabels;
};

struct strbuf {
	char  *p;
	size_t len, cap;
};

static void sb_add(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			abort();
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

/* Split into statements.  Returns a malloc'd array, *n its length. */
static struct stmt *split(const char *t, size_t *n)
{
	size_t cap = 16, cnt = 0, i = 0, len = strlen(t);
	struct stmt *v = malloc(cap * sizeof(*v));

	if (!v)
		abort();
	while (i <= len) {
		size_t s = i, e;
		int in_str = 0;

		/* find the end of this statement */
		while (i < len) {
			char c = t[i];

			if (in_str) {
				if (c == '\\' && i + 1 < len)
					i++;
				else if (c == '"')
					in_str = 0;
			} else if (c == '"') {
				in_str = 1;
			} else if (c == '\n' || c == ';' || c == '#' ||
				   (c == '/' && i + 1 < len && t[i + 1] == '*')) {
				break;
			}
			i++;
		}
		e = i;
		/* skip the terminator: a comment runs to its end, then the separator */
		if (i < len && t[i] == '#') {
			while (i < len && t[i] != '\n')
				i++;
		} else if (i + 1 < len && t[i] == '/' && t[i + 1] == '*') {
			const char *ce = strstr(t + i + 2, "*/");

			i = ce ? (size_t)(ce - t) + 2 : len;
			/* a comment inside a statement: the statement goes on after it */
			if (i < len && t[i] != '\n' && t[i] != ';') {
				/* rare; treat the rest as a new statement */
			}
		}
		if (cnt == cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		memset(&v[cnt], 0, sizeof(v[cnt]));
		v[cnt].start = s;
		v[cnt].end = e;
		cnt++;
		if (i >= len)
			break;
		i++;                    /* the separator */
	}
	/* leading labels: "1:", "foo:", ".Lx:" (but not "%l[x]" or "a::") */
	for (i = 0; i < cnt; i++) {
		size_t p = v[i].start;

		for (;;) {
			size_t q;

			while (p < v[i].end && isspace((unsigned char)t[p]))
				p++;
			q = p;
			for (;;) {
				/* the compilers' unique-number escapes are label characters
				 * too: GCC's "%=" and LLVM's "${:uid}" (".Lx%=: cli") */
				if (q + 1 < v[i].end && t[q] == '%' && t[q + 1] == '=')
					q += 2;
				else if (q + 6 < v[i].end && strncmp(t + q, "${:uid}", 7) == 0)
					q += 7;
				else if (q < v[i].end && (isalnum((unsigned char)t[q]) || t[q] == '_' ||
							  t[q] == '.' || t[q] == '$'))
					q++;
				else
					break;
			}
			if (q == p || q >= v[i].end || t[q] != ':' ||
			    (q + 1 < v[i].end && t[q + 1] == ':'))
				break;
			if (v[i].nlabels < 4) {
				size_t l = q - p < 15 ? q - p : 15;

				memcpy(v[i].labels[v[i].nlabels], t + p, l);
				v[i].labels[v[i].nlabels][l] = 0;
				v[i].nlabels++;
			}
			p = q + 1;
		}
		v[i].body = p;
	}
	*n = cnt;
	return v;
}

/* ---- sections ------------------------------------------------------------ */

struct section {
	char name[64];
	int  code, replacement, noinstr, pushed;
};

static const char *const code_sections[] = {
	".text", ".noinstr.text", ".entry.text", ".init.text", ".exit.text", ".ref.text",
	".sched.text", ".cpuidle.text", ".head.text", ".fixup", ".altinstr_aux",
	".kprobes.text", ".irqentry.text", ".softirqentry.text", ".spinlock.text",
	".meminit.text", ".cpuinit.text", ".lock.text",
};

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
	snprintf(buf, sizeof(buf),
		 "\n" PAD_LABEL ":\n"
		 "\t.pushsection " PREVIRT_SECTION ",\"a\"\n"
		 "\t.balign 4\n"
		 "\t.long " SITE_LABEL "b - .\n"
		 "\t.short %u\n"
		 "\t.byte " PAD_LABEL "b-" SITE_LABEL "b, " END_LABEL "b-" SITE_LABEL "b, %u, %u\n"
		 "\t.short 0\n"
		 "\t.popsection", kind, flags, width);
	sb_str(b, buf);
}

static int body_is(const char *t, const struct stmt *s, const char *word)
{
	size_t l = strlen(word);

	return s->end - s->body >= l && strncmp(t + s->body, word, l) == 0 &&
	       (s->end - s->body == l || isspace((unsigned char)t[s->body + l]));
}

/* Does the exception-table text refer to label 'lab' ("1b", "1f", "(1b)")? */
static int extable_refers(const char *ex, const char *lab)
{
	size_t l = strlen(lab);
	const char *p = ex;

	if (!ex || !l || !isdigit((unsigned char)lab[0]))
		return 0;
	while ((p = strstr(p, lab)) != 0) {
		int before_ok = p == ex || !isalnum((unsigned char)p[-1]);

		if (before_ok && (p[l] == 'b' || p[l] == 'f') && !isalnum((unsigned char)p[l + 1]))
			return 1;
		p += l;
	}
	return 0;
}

char *pv_rewrite_asm(const char *t, const struct pv_rewrite_opts *o,
		     struct pv_rewrite_stats *st)
{
	struct section stack[16], cur, prev;
	struct strbuf out = { 0 }, ex = { 0 };
	size_t n, i, copied = 0;
	struct stmt *v = split(t, &n);
	int depth = 0, has_alt = strstr(t, ".altinstructions") != 0;
	int alt_labels = has_alt && strstr(t, "661:") != 0, in_alt = has_alt && !alt_labels;
	char pending[8][16];
	int npending = 0, pass;

	memset(st, 0, sizeof(*st));
	/* pass 0 collects the exception-table text, pass 1 rewrites */
	for (pass = 0; pass < 2; pass++) {
		memset(&cur, 0, sizeof(cur));
		cur.code = 1;
		cur.noinstr = (o->flags & PREVIRT_F_NOINSTR) != 0;
		prev = cur;
		depth = 0;
		npending = 0;
		in_alt = has_alt && !alt_labels;
		for (i = 0; i < n; i++) {
			struct stmt *s = &v[i];
			const char *b = t + s->body;
			size_t blen = s->end - s->body;
			struct pv_insn_text insn, next;
			unsigned kind = 0, width = 0, flags, size, k;
			size_t site_end = s->end;
			int l, is_prefix_only;

			for (l = 0; l < s->nlabels; l++) {
				if (alt_labels && !cur.pushed && strcmp(s->labels[l], "661") == 0)
					in_alt = 1;
				if (alt_labels && !cur.pushed && strcmp(s->labels[l], "662") == 0)
					in_alt = 0;
				if (npending < 8)
					strcpy(pending[npending++], s->labels[l]);
			}
			while (blen && isspace((unsigned char)b[blen - 1]))
				blen--;
			if (!blen)
				continue;
			if (pass == 0 && has_prefix(cur.name, "__ex_table")) {
				sb_add(&ex, b, blen);
				sb_add(&ex, "\n", 1);
			}
			if (b[0] == '.') {
				if (body_is(t, s, ".pushsection")) {
					if (depth < 16)
						stack[depth++] = cur;
					prev = cur;
					parse_section(b + 12, blen - 12, &cur);
					cur.pushed = 1;
				} else if (body_is(t, s, ".popsection")) {
					if (depth)
						cur = stack[--depth];
				} else if (body_is(t, s, ".section")) {
					struct section was = cur;

					parse_section(b + 8, blen - 8, &cur);
					cur.pushed = 1;
					prev = was;
				} else if (body_is(t, s, ".previous")) {
					struct section was = cur;

					cur = prev;
					prev = was;
				} else if (body_is(t, s, ".text")) {
					prev = cur;
					memset(&cur, 0, sizeof(cur));
					strcpy(cur.name, ".text");
					cur.code = cur.pushed = 1;
				} else if (body_is(t, s, ".data") || body_is(t, s, ".bss") ||
					   body_is(t, s, ".rodata")) {
					prev = cur;
					memset(&cur, 0, sizeof(cur));
					cur.pushed = 1;
				} else if (body_is(t, s, ".byte") && cur.code) {
					uint8_t bytes[16];
					int nb = pv_parse_byte_list(b + 5, blen - 5, bytes, sizeof(bytes));

					if (nb > 0)
						kind = pv_match_bytes(bytes, (size_t)nb);
				}
				if (!kind) {
					/* data or directives: labels no longer lead to an insn */
					if (!body_is(t, s, ".byte") && !body_is(t, s, ".balign") &&
					    !body_is(t, s, ".p2align") && !body_is(t, s, ".align"))
						continue;
					npending = 0;
					continue;
				}
			} else if (pv_parse_insn(b, blen, &insn) != 0) {
				continue;
			} else {
				is_prefix_only = insn.nops == 0 &&
						 pv_is_prefix(insn.mnemonic, strlen(insn.mnemonic));
				if (is_prefix_only && i + 1 < n && v[i + 1].nlabels == 0 &&
				    pv_parse_insn(t + v[i + 1].body, v[i + 1].end - v[i + 1].body,
						  &next) == 0) {
					/* "rep; outsb": the prefix joins the next statement */
					insn = next;
					site_end = v[i + 1].end;
					i++;
				}
				if (!cur.code) {
					npending = 0;
					continue;
				}
				if (o->mmio_kind) {
					kind = o->mmio_kind;
					width = o->mmio_width;
				} else {
					if (i + 1 < n && v[i + 1].nlabels == 0 &&
					    pv_parse_insn(t + v[i + 1].body,
							  v[i + 1].end - v[i + 1].body, &next) == 0 &&
					    (kind = pv_match_sequence(&insn, &next)) != 0) {
						site_end = v[i + 1].end;
						i++;
					} else {
						kind = pv_match_insn(&insn);
					}
					width = pv_io_width(kind, insn.mnemonic);
				}
				if (!kind) {
					npending = 0;
					continue;
				}
			}
			/* a sensitive instruction from s->body to site_end */
			flags = o->flags;
			if (cur.pushed)
				flags |= PREVIRT_F_PUSHED;
			if (cur.noinstr)
				flags |= PREVIRT_F_NOINSTR;
			if (b[0] == '.')
				flags |= PREVIRT_F_BYTES;
			if (o->mmio_kind)
				flags |= PREVIRT_F_MMIO;
			for (l = 0; l < npending; l++)
				if (extable_refers(ex.p, pending[l]))
					flags |= PREVIRT_F_EXTABLE;
			npending = 0;
			if (pass == 0)
				continue;
			if (cur.replacement) {
				st->skipped_repl++;
				continue;
			}
			if (in_alt && !cur.pushed) {
				st->skipped_alt++;
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
				st->site_flags[k] = flags;
			}
			sb_add(&out, t + copied, s->body - copied);
			sb_str(&out, SITE_LABEL ": ");
			sb_add(&out, t + s->body, site_end - s->body);
			emit_after(&out, o, kind, size, flags, width);
			copied = site_end;
		}
	}
	free(v);
	free(ex.p);
	if (!st->sites) {
		free(out.p);
		return 0;
	}
	sb_str(&out, t + copied);
	return out.p;
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
