/* SPDX-License-Identifier: MIT */
/*
 * x86-64 disassembly through binutils' libopcodes: AT&T text of one
 * instruction, the same text `objdump -d` prints, so the shared matcher
 * (lib/insn_match.h) reads it with the rules' own spellings.
 */
#ifndef PV_REPORT_DISASM_H
#define PV_REPORT_DISASM_H

#include <stddef.h>
#include <stdint.h>

#include "insn_match.h"

struct pv_insn {
	int  length;               /* bytes, <= 0 when undecodable */
	char text[160];            /* "mov    %cr3,%rax" */
	struct pv_insn_text parsed;/* pv_parse_insn of text */
	int  is_insn;              /* an instruction ("(bad)", ".byte" are not) */
	int  quick;                /* pv_disasm_walk only: no rule names this mnemonic,
				      so only parsed.mnemonic/nprefixes are filled in */
};

/* Decode the instruction at bytes[0..n) as if it sat at address vma. */
void pv_disasm(const uint8_t *bytes, size_t n, uint64_t vma, struct pv_insn *out);

/*
 * Decode bytes[0..n) from the start, one instruction after another, calling
 * fn for each (off = its offset); undecodable bytes come as length 1 with
 * is_insn 0.  fn returns nonzero to stop.  Instructions whose mnemonic no
 * rule names come with `quick` set and their operands unparsed.
 */
void pv_disasm_walk(const uint8_t *bytes, size_t n, uint64_t vma,
		    int (*fn)(const struct pv_insn *insn, size_t off, void *arg), void *arg);

/* Is this decoded instruction a NOP (nop, nopw/nopl, xchg %ax,%ax, with prefixes)? */
int pv_insn_is_nop(const struct pv_insn *insn);

/* Rule kind of a single decoded instruction (0 = not sensitive). */
unsigned pv_insn_kind(const struct pv_insn *insn, const uint8_t *bytes);

#endif
