/* SPDX-License-Identifier: MIT */
/* Text-level matching of x86-64 instructions against the generated rule tables. */
#include "insn_match.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "previrt_rules.h"

static const char *const prefixes[] = {
	"rep", "repe", "repz", "repne", "repnz", "lock",
	"data16", "data32", "addr32", "rex64", "notrack",
	"cs", "ds", "es", "ss", "fs", "gs",
};

int pv_is_prefix(const char *word, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strlen(prefixes[i]) == len && strncasecmp(prefixes[i], word, len) == 0)
			return 1;
	return 0;
}

static void copy_trimmed(char *dst, size_t cap, const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, s, len);
	dst[len] = 0;
}

int pv_parse_insn(const char *text, size_t len, struct pv_insn_text *out)
{
	const char *p = text, *end = text + len, *hash = memchr(text, '#', len);

	memset(out, 0, sizeof(*out));
	if (hash)
		end = hash;         /* a comment: objdump's "# 0x1234" after a RIP-relative operand */
	for (;;) {
		const char *w;
		size_t wl, i;

		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end || !(isalpha((unsigned char)*p)))
			return -1;                  /* directive ('.'), label, number, ... */
		w = p;
		while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
			p++;
		wl = (size_t)(p - w);
		/* objdump's "rex.W", "rex.WRB", ...: a REX prefix it could not fold into the mnemonic */
		if (wl == 3 && strncasecmp(w, "rex", 3) == 0 && p < end && *p == '.') {
			while (p < end && (isalpha((unsigned char)*p) || *p == '.'))
				p++;
			if (p < end && isspace((unsigned char)*p)) {
				out->nprefixes++;
				continue;
			}
			return -1;
		}
		/* a word must end at white space, an operand start or the end */
		if (p < end && !isspace((unsigned char)*p) && *p != '%' && *p != '(' && *p != '$')
			return -1;
		if (pv_is_prefix(w, wl) && p < end) {
			const char *q = p;

			while (q < end && isspace((unsigned char)*q))
				q++;
			if (q < end && isalpha((unsigned char)*q)) {
				out->nprefixes++;
				continue;
			}
		}
		if (wl >= sizeof(out->mnemonic))
			return -1;
		for (i = 0; i < wl; i++)
			out->mnemonic[i] = (char)tolower((unsigned char)w[i]);
		break;
	}
	/* operands: split at top-level commas */
	while (p < end && isspace((unsigned char)*p))
		p++;
	while (p < end && out->nops < PV_MAX_OPS) {
		const char *s = p;
		int depth = 0;

		while (p < end && (depth || *p != ',')) {
			if (*p == '(' || *p == '[')
				depth++;
			else if ((*p == ')' || *p == ']') && depth)
				depth--;
			p++;
		}
		copy_trimmed(out->ops[out->nops++], sizeof(out->ops[0]), s, (size_t)(p - s));
		if (p < end)
			p++;                            /* the comma */
	}
	return 0;
}

/*
 * Classify an operand: "%%cr3", "%cr3" -> CR; "%db7", "%dr7" -> DR; "%%ds", "%fs" ->
 * SREG ("%ss" -> SS); "$0x80", LLVM's "$$0x80" -> IMM; "(...)" -> MEM; anything else
 * (a GPR, GCC's "%0", LLVM's "${0:k}") -> ANY.  LLVM's "$0" reads as IMM, which every
 * '*' pattern accepts too.
 * Asm templates double the '%' of a register; objdump writes one.
 */
static unsigned op_class(const char *op)
{
	const char *p = op;

	while (*p == '%')
		p++;
	if (p != op) {
		if (strncmp(p, "cr", 2) == 0 && isdigit((unsigned char)p[2]))
			return PREVIRT_OP_CR;
		if ((strncmp(p, "dr", 2) == 0 || strncmp(p, "db", 2) == 0) &&
		    isdigit((unsigned char)p[2]))
			return PREVIRT_OP_DR;
		if (strcmp(p, "ss") == 0)
			return PREVIRT_OP_SS;
		if (strlen(p) == 2 && p[1] == 's' && strchr("ecdfg", p[0]))
			return PREVIRT_OP_SREG;
	}
	/* "$0x80"; LLVM writes a literal '$' as "$$" and an operand as "$0" or "${0:k}" */
	if (op[0] == '$' && op[1] != '{')
		return PREVIRT_OP_IMM;
	if (strchr(op, '('))
		return PREVIRT_OP_MEM;
	return PREVIRT_OP_ANY;
}

/*
 * "$3", "$0x3", "$03", LLVM's "$$3" -> 1 and *v; anything else (a symbol,
 * "$%c0") -> 0.  LLVM's operand reference "$3" cannot be told from GCC's
 * immediate 3 by its text: it counts as the value 3, which errs towards an
 * exclusion (`!int $3`: no site) rather than a wrong record.
 */
static int imm_value(const char *op, unsigned long *v)
{
	char *e;

	if (op[0] != '$')
		return 0;
	op += op[1] == '$' ? 2 : 1;
	if (!isdigit((unsigned char)op[0]))
		return 0;
	*v = strtoul(op, &e, 0);
	return *e == 0;
}

static int form_matches(const struct previrt_form *f, const struct pv_insn_text *insn)
{
	unsigned i;

	if (strcmp(f->mnemonic, insn->mnemonic) != 0)
		return 0;
	if (f->nops == 0)
		return 1;
	if ((unsigned)insn->nops != f->nops)
		return 0;
	for (i = 0; i < f->nops; i++) {
		unsigned want = f->op[i], have = op_class(insn->ops[i]);

		if (want == PREVIRT_OP_ANY) {
			/* '*' is a general operand: never a control, debug or segment register */
			if (have == PREVIRT_OP_CR || have == PREVIRT_OP_DR ||
			    have == PREVIRT_OP_SREG || have == PREVIRT_OP_SS)
				return 0;
		} else if (want == PREVIRT_OP_SREG) {
			if (have != PREVIRT_OP_SREG && have != PREVIRT_OP_SS)
				return 0;
		} else if (want == PREVIRT_OP_IMMVAL) {
			unsigned long v;

			if (!imm_value(insn->ops[i], &v) || v != f->imm)
				return 0;
		} else if (want != have) {
			return 0;
		}
	}
	return 1;
}

unsigned pv_match_insn(const struct pv_insn_text *insn)
{
	unsigned i;

	for (i = 0; i < previrt_nforms; i++) {
		const struct previrt_form *f = &previrt_forms[i];

		if (f->nsteps == 1 && form_matches(f, insn))
			return f->exclude ? 0 : f->kind;     /* exclusions come first */
	}
	return 0;
}

unsigned pv_match_sequence(const struct pv_insn_text *a, const struct pv_insn_text *b)
{
	unsigned i;

	for (i = 0; i < previrt_nforms; i++) {
		const struct previrt_form *f = &previrt_forms[i];

		if (f->nsteps == 2 && form_matches(f, a) && b->nprefixes == 0 &&
		    strcmp(f->next_mnemonic, b->mnemonic) == 0)
			return f->kind;
	}
	return 0;
}

unsigned pv_match_bytes(const uint8_t *bytes, size_t n)
{
	unsigned i;

	for (i = 0; i < previrt_nforms; i++) {
		const struct previrt_form *f = &previrt_forms[i];

		if (f->nsteps == 0 && f->nbytes == n && memcmp(f->bytes, bytes, n) == 0)
			return f->kind;
	}
	return 0;
}

int pv_parse_byte_list(const char *text, size_t len, uint8_t *out, size_t max)
{
	const char *p = text, *end = text + len;
	size_t n = 0;

	while (p < end) {
		char buf[16], *e;
		const char *s;
		unsigned long v;

		while (p < end && isspace((unsigned char)*p))
			p++;
		s = p;
		while (p < end && *p != ',')
			p++;
		copy_trimmed(buf, sizeof(buf), s, (size_t)(p - s));
		if (!buf[0] || n == max)
			return -1;
		v = strtoul(buf, &e, 0);
		if (*e || v > 255)
			return -1;
		out[n++] = (uint8_t)v;
		if (p < end)
			p++;
	}
	return n ? (int)n : -1;
}

unsigned pv_io_width(unsigned kind, const char *m)
{
	size_t l = strlen(m);

	if (kind != PREVIRT_KIND_IN && kind != PREVIRT_KIND_OUT &&
	    kind != PREVIRT_KIND_INS && kind != PREVIRT_KIND_OUTS)
		return 0;
	if (l < 2)
		return 0;
	switch (m[l - 1]) {
	case 'b': return 1;
	case 'w': return 2;
	case 'l': case 'd': return 4;
	}
	return 0;
}
