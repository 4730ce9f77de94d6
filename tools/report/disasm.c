/* SPDX-License-Identifier: MIT */
/* libopcodes wrapper: one instruction at a time into a text buffer. */
#define PACKAGE "previrt-report"          /* bfd.h insists on config.h's names */
#define PACKAGE_VERSION "1"
#include "disasm.h"

#include <dis-asm.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "previrt_rules.h"
#include "records.h"     /* pv_kind_name */

struct textbuf {
	char  *s;
	size_t cap, n;
};

static int append(struct textbuf *b, const char *fmt, va_list ap)
{
	int r;

	/* libopcodes mostly prints "%s": copy those without vsnprintf (a
	 * whole-kernel coverage scan makes tens of millions of these calls) */
	if (fmt[0] == '%' && fmt[1] == 's' && fmt[2] == 0) {
		const char *str = va_arg(ap, const char *);
		size_t len = strlen(str);

		if (len >= b->cap - b->n)
			len = b->cap - b->n - 1;
		memcpy(b->s + b->n, str, len);
		b->n += len;
		b->s[b->n] = 0;
		return (int)len;
	}
	r = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);

	if (r > 0)
		b->n = b->n + (size_t)r < b->cap ? b->n + (size_t)r : b->cap - 1;
	return r;
}

static int text_printf(void *stream, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = append(stream, fmt, ap);
	va_end(ap);
	return r;
}

static int text_styled(void *stream, enum disassembler_style style, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)style;
	va_start(ap, fmt);
	r = append(stream, fmt, ap);
	va_end(ap);
	return r;
}

/* Branch targets as plain hex, like objdump without symbols. */
static void print_address(bfd_vma addr, struct disassemble_info *info)
{
	info->fprintf_func(info->stream, "0x%llx", (unsigned long long)addr);
}

static disassembler_ftype decoder(void)
{
	static disassembler_ftype decode;

	if (!decode)
		decode = disassembler(bfd_arch_i386, false, bfd_mach_x86_64, NULL);
	return decode;
}

static void setup(struct disassemble_info *info, struct textbuf *b, const uint8_t *bytes,
		  size_t n, uint64_t vma)
{
	init_disassemble_info(info, b, text_printf, text_styled);
	info->arch = bfd_arch_i386;
	info->mach = bfd_mach_x86_64;
	info->buffer = (bfd_byte *)bytes;
	info->buffer_length = n;
	info->buffer_vma = vma;
	info->print_address_func = print_address;
	disassemble_init_for_target(info);
}

static int maybe_sensitive(const char *m, const char *text);
static unsigned byte_form_lengths(void);

/*
 * An instruction this libopcodes cannot decode but the rules write as
 * .byte (binutils 2.40 knows no LKGS, which Linux 6.12 uses in C): the
 * rules' exact encoding is that instruction, with that length, so the walk
 * stays on instruction boundaries instead of resuming mid-instruction and
 * misreading the pad and the code after it.  Longest form first.  1 when
 * out now holds it.
 */
static int rule_encoding(const uint8_t *p, size_t avail, struct pv_insn *out)
{
	unsigned lengths = byte_form_lengths();

	for (unsigned len = 31; len > 0; len--) {
		unsigned kind;
		const char *name;

		if (!(lengths & (1u << len)) || len > avail || !(kind = pv_match_bytes(p, len)))
			continue;
		name = pv_kind_name(kind);
		snprintf(out->text, sizeof(out->text), "%s", name ? name : "?");
		out->length = (int)len;
		out->quick = 0;
		out->is_insn = pv_parse_insn(out->text, strlen(out->text), &out->parsed) == 0;
		return out->is_insn;
	}
	return 0;
}

/*
 * The mnemonic of disassembler text, after any prefixes written as words
 * ("rep outsb ..." -> "outsb"), the way pv_parse_insn finds it.  0, or -1
 * when the text does not start with a word.
 */
static int quick_mnemonic(const char *t, struct pv_insn_text *out)
{
	for (;;) {
		const char *w;
		size_t n;

		while (*t == ' ' || *t == '\t')
			t++;
		w = t;
		while ((*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') || *t == '_' || *t == '.')
			t++;
		n = (size_t)(t - w);
		if (n == 0 || n >= sizeof(out->mnemonic) || !(*w >= 'a' && *w <= 'z'))
			return -1;
		if (n == 4 && strncmp(w, "rex.", 4) == 0) {     /* objdump's "rex.W", "rex.WB": a prefix */
			while ((*t >= 'A' && *t <= 'Z'))
				t++;
			if (*t == ' ' && t[1] >= 'a' && t[1] <= 'z') {
				out->nprefixes++;
				continue;
			}
			return -1;
		}
		if (*t == ' ' && pv_is_prefix(w, n) && t[1] >= 'a' && t[1] <= 'z') {
			out->nprefixes++;
			continue;
		}
		memcpy(out->mnemonic, w, n);
		out->mnemonic[n] = 0;
		return 0;
	}
}

/* Decode at vma (inside info's buffer) into out.  !full: parse the
 * operands only when some rule names the mnemonic (out->quick otherwise). */
static void decode_one(struct disassemble_info *info, struct textbuf *b, uint64_t vma,
		       size_t avail, struct pv_insn *out, int full)
{
	size_t i;

	b->s = out->text;
	b->cap = sizeof(out->text);
	b->n = 0;
	out->text[0] = 0;
	out->is_insn = 0;
	out->length = decoder()(vma, info);
	/* objdump pads the mnemonic with spaces; drop trailing ones */
	for (i = b->n; i > 0 && out->text[i - 1] == ' '; i--)
		out->text[i - 1] = 0;
	out->quick = 0;
	if (out->length <= 0 || (size_t)out->length > avail || strstr(out->text, "(bad)")) {
		rule_encoding(info->buffer + (vma - info->buffer_vma), avail, out);
		return;
	}
	if (!full) {
		memset(&out->parsed, 0, sizeof(out->parsed));
		if (quick_mnemonic(out->text, &out->parsed) == 0 &&
		    !maybe_sensitive(out->parsed.mnemonic, out->text)) {
			out->is_insn = 1;
			out->quick = 1;
			return;
		}
	}
	out->is_insn = pv_parse_insn(out->text, strlen(out->text), &out->parsed) == 0;
}

void pv_disasm(const uint8_t *bytes, size_t n, uint64_t vma, struct pv_insn *out)
{
	struct disassemble_info info;
	struct textbuf b = { out->text, sizeof(out->text), 0 };

	out->text[0] = 0;
	out->is_insn = 0;
	out->length = 0;
	if (n == 0)
		return;
	setup(&info, &b, bytes, n, vma);
	decode_one(&info, &b, vma, n, out, 1);
}

void pv_disasm_walk(const uint8_t *bytes, size_t n, uint64_t vma,
		    int (*fn)(const struct pv_insn *insn, size_t off, void *arg), void *arg)
{
	struct disassemble_info info;
	struct pv_insn insn;
	struct textbuf b = { insn.text, sizeof(insn.text), 0 };
	size_t off = 0;

	if (n == 0)
		return;
	setup(&info, &b, bytes, n, vma);
	while (off < n) {
		decode_one(&info, &b, vma + off, n - off, &insn, 0);
		if (insn.length <= 0 || (size_t)insn.length > n - off) {
			insn.length = 1;       /* undecodable: step a byte, like objdump */
			insn.is_insn = 0;
		}
		if (fn(&insn, off, arg))
			return;
		off += (size_t)insn.length;
	}
}

int pv_insn_is_nop(const struct pv_insn *insn)
{
	const char *m = insn->parsed.mnemonic;

	if (!insn->is_insn)
		return 0;
	if (!strcmp(m, "nop") || !strcmp(m, "nopw") || !strcmp(m, "nopl") || !strcmp(m, "nopq"))
		return 1;
	/* 66 90: the two-byte NOP, printed as xchg %ax,%ax */
	return !strcmp(m, "xchg") && insn->parsed.nops == 2 &&
	       !strcmp(insn->parsed.ops[0], "%ax") && !strcmp(insn->parsed.ops[1], "%ax");
}

/*
 * Could this mnemonic match any rule?  A fast filter in front of the
 * shared matcher (which compares every form): built from the same
 * generated tables, so the rules stay the single source.  Whole-kernel
 * coverage scans millions of instructions; almost none are sensitive.
 */
#define MNEMONIC_SLOTS 512

struct mnemonic_slot {
	const char *m;
	int needs_crdr;    /* every form of m has a %cr/%dr or segment-register operand
			      (mov_to_cr, mov_to_seg, push_seg, ...) */
};

static struct mnemonic_slot mnemonic_set[MNEMONIC_SLOTS];

static unsigned hash_mnemonic(const char *m)
{
	unsigned h = 5381;

	while (*m)
		h = h * 33 + (unsigned char)*m++;
	return h % MNEMONIC_SLOTS;
}

static struct mnemonic_slot *find_slot(const char *m)
{
	unsigned h;

	for (h = hash_mnemonic(m); mnemonic_set[h].m; h = (h + 1) % MNEMONIC_SLOTS)
		if (strcmp(mnemonic_set[h].m, m) == 0)
			return &mnemonic_set[h];
	return &mnemonic_set[h];           /* the empty slot where m belongs */
}

static void add_form(const struct previrt_form *f)
{
	struct mnemonic_slot *slot;
	int crdr = 0;
	unsigned i;

	if (!f->mnemonic)
		return;
	for (i = 0; i < f->nops && i < 2; i++)
		if (f->op[i] == PREVIRT_OP_CR || f->op[i] == PREVIRT_OP_DR ||
		    f->op[i] == PREVIRT_OP_SREG || f->op[i] == PREVIRT_OP_SS)
			crdr = 1;
	slot = find_slot(f->mnemonic);
	if (!slot->m) {
		slot->m = f->mnemonic;
		slot->needs_crdr = crdr;
	} else if (!crdr) {
		slot->needs_crdr = 0;
	}
}

/* Does the text name a control, debug or segment register (not a "%gs:" override)? */
static int names_special_register(const char *text)
{
	const char *p;

	if (strstr(text, "%cr") || strstr(text, "%dr") || strstr(text, "%db"))
		return 1;
	for (p = strchr(text, '%'); p; p = strchr(p + 1, '%'))
		if (p[1] && strchr("ecsdfg", p[1]) && p[2] == 's' && p[3] != ':' &&
		    !((p[3] >= 'a' && p[3] <= 'z') || (p[3] >= '0' && p[3] <= '9')))
			return 1;
	return 0;
}

/* Could a rule match this instruction?  text: the whole disassembly. */
static int maybe_sensitive(const char *m, const char *text)
{
	static int built;
	const struct mnemonic_slot *slot;
	unsigned i;

	if (!built) {
		for (i = 0; i < previrt_nforms; i++)
			add_form(&previrt_forms[i]);
		built = 1;
	}
	slot = find_slot(m);
	if (!slot->m)
		return 0;
	/* "mov", "push", "pop" are everywhere; only their special-register forms are sensitive */
	return !slot->needs_crdr || names_special_register(text);
}

/* Lengths of the rules' .byte forms (bit n set: a form of n bytes). */
static unsigned byte_form_lengths(void)
{
	static unsigned lengths, built;
	unsigned i;

	if (!built) {
		for (i = 0; i < previrt_nforms; i++)
			if (previrt_forms[i].nsteps == 0 && previrt_forms[i].nbytes < 32)
				lengths |= 1u << previrt_forms[i].nbytes;
		built = 1;
	}
	return lengths;
}

unsigned pv_insn_kind(const struct pv_insn *insn, const uint8_t *bytes)
{
	unsigned k = 0;

	if (!insn->is_insn)
		return 0;
	/*
	 * The rules' exact encodings first: a disassembler may spell them
	 * differently from the rules' mnemonic, or as another instruction
	 * (binutils 2.40 shows FRED's erets, F2 0F 01 CA, as "repnz clac").
	 */
	if (insn->length > 0 && insn->length < 32 && (byte_form_lengths() & (1u << insn->length)))
		k = pv_match_bytes(bytes, (size_t)insn->length);
	if (!k && !insn->quick && maybe_sensitive(insn->parsed.mnemonic, insn->text))
		k = pv_match_insn(&insn->parsed);
	return k;
}
