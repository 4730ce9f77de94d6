/* SPDX-License-Identifier: MIT */
/*
 * A small x86-64 decoder for exactly the instructions the rewriting rules
 * list (plus the NOPs that pad a site).  Freestanding: no libc.
 *
 * It is not a general disassembler.  Given bytes, it answers "is this one
 * of the rule instructions, which kind, how long, and where are its operand
 * bytes" or "no".  The runtime uses it to check that a record's original
 * bytes really are what the record says before touching anything, and the
 * profile backend uses the operand layout to relocate RIP-relative operands
 * when it copies an instruction into a thunk.
 *
 * tests/runtime/decode-diff checks it against libopcodes + the rules'
 * text matcher over every instruction of real objects and of a vmlinux.
 */
#ifndef PREVIRT_RT_DECODE_H
#define PREVIRT_RT_DECODE_H

#include <stdint.h>

/* longest x86 instruction */
#define PV_INSN_MAX 15

struct pv_insn {
	uint8_t  len;        /* bytes, prefixes included                         */
	uint16_t kind;       /* PREVIRT_KIND_* from the generated rules          */
	uint8_t  width;      /* access size in bytes (in/out/ins/outs, MMIO mov) or 0 */
	uint8_t  has_modrm;  /* 1 when a ModRM byte is present                   */
	uint8_t  modrm_mem;  /* 1 when the ModRM operand is memory (mod != 3)     */
	int8_t   rip_disp;   /* offset of a RIP-relative disp32 within the insn, or -1 */
	uint8_t  opcode_off; /* offset of the first opcode byte (after prefixes)  */
};

/*
 * Decode one instruction at p (at most avail bytes readable).
 * Returns 0 and fills *out when it is one of the rule instructions
 * (an instruction kind, 1..63 or 128.., or mmio_read/mmio_write for the plain `mov` forms between a
 * register or immediate and memory), -1 otherwise.  A sequence kind
 * (sti_hlt) is never returned here: see pv_decode_site.
 *
 * `mov` to or from memory decodes as mmio_read/mmio_write: whether it is
 * an MMIO access is the record's claim, the decoder only checks the form.
 */
int pv_decode(const uint8_t *p, unsigned avail, struct pv_insn *out);

/*
 * Decode the original instruction(s) of a site as kind `kind` would be
 * spelled: for sequence kinds (sti_hlt) both instructions.  Returns the
 * total length when the bytes are that kind, -1 when they are not.  *first
 * gets the first instruction's decoding.
 */
int pv_decode_site(const uint8_t *p, unsigned avail, unsigned kind, struct pv_insn *first);

/* Length of the NOP instruction at p (90, 66..90, [66..][2e|3e] 0f 1f /0), or 0. */
unsigned pv_nop_length(const uint8_t *p, unsigned avail);

#endif
