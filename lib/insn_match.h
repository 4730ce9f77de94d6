/* SPDX-License-Identifier: MIT */
/*
 * Text-level matching of x86-64 instructions against the rewriting rules.
 *
 * Used on two kinds of text that spell instructions the same way (AT&T):
 * inline-asm templates (by the compiler plugins, before operands are
 * substituted: "%%cr3", "%0", "%[desc]") and disassembler output (by the
 * report tool's coverage mode: "%cr3", "(%rax)").  Host code only.
 */
#ifndef PREVIRT_INSN_MATCH_H
#define PREVIRT_INSN_MATCH_H

#include <stddef.h>
#include <stdint.h>

#define PV_MAX_OPS 4

/* One parsed statement: "rep outsb %ds:(%rsi),(%dx)" -> prefixes "rep", mnemonic "outsb" */
struct pv_insn_text {
	char mnemonic[32];             /* lower case, without prefixes */
	int  nprefixes;                /* rep/lock/... written before it */
	int  nops;
	char ops[PV_MAX_OPS][64];      /* operand texts, trimmed */
};

/* Is this word an instruction prefix written on its own ("rep", "lock", ...)? */
int pv_is_prefix(const char *word, size_t len);

/*
 * Parse one statement (no labels, no separators) into *out.  Returns 0 when
 * it is an instruction, -1 for a directive, empty text or anything else.
 */
int pv_parse_insn(const char *text, size_t len, struct pv_insn_text *out);

/*
 * Kind of a single instruction, or 0 when no rule matches.  Sequence forms
 * are not considered here; see pv_match_sequence.
 */
unsigned pv_match_insn(const struct pv_insn_text *insn);

/* Kind of the two-instruction sequence a;b ("sti ; hlt"), or 0. */
unsigned pv_match_sequence(const struct pv_insn_text *a, const struct pv_insn_text *b);

/* Kind of a ".byte" statement's constant bytes, or 0 (whole statement must match). */
unsigned pv_match_bytes(const uint8_t *bytes, size_t n);

/*
 * Parse the operands of ".byte a, b, c" (text after ".byte").  Returns the
 * number of bytes, or -1 when any operand is not a plain constant 0..255.
 */
int pv_parse_byte_list(const char *text, size_t len, uint8_t *out, size_t max);

/* Access width in bytes implied by a port-I/O mnemonic's suffix (inb -> 1), else 0. */
unsigned pv_io_width(unsigned kind, const char *mnemonic);

#endif
