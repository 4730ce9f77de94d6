/* SPDX-License-Identifier: MIT */
/*
 * The .previrt annotation format: the contract between the compiler plugins
 * (which emit it), previrt-report (which reads it) and the runtime (which
 * patches from it).  docs/format.md is the prose version of this file.
 *
 * Freestanding: only <stdint.h>, so the runtime can include it too.
 */
#ifndef PREVIRT_FORMAT_H
#define PREVIRT_FORMAT_H

#include <stdint.h>

/* Section holding records and header records, SHF_ALLOC ("a"), 4-aligned. */
#define PREVIRT_SECTION        ".previrt"

/*
 * Version 4 (this one): xflags ALT_ORIG.
 * Version 3: the record's last u16 is `xflags` (PREVIRT_X_*),
 * 0 before.  Version 2: EXTABLE means "a linked __ex_table entry names an
 * instruction of this site" (decided from the entries, checked at link and
 * load time), SHADOW is defined, and instruction kinds 128..1023 exist.
 * Readers accept version 1 images too (no SHADOW sites, EXTABLE guessed).
 */
#define PREVIRT_FORMAT_VERSION 4
#define PREVIRT_FORMAT_VERSION_MIN 1
#define PREVIRT_MAGIC          0x54525650u   /* "PVRT" read as a little-endian u32 */

/*
 * kind values: 0 is the header record, 1..63 and 128..1023 instruction
 * kinds, 64..127 MMIO kinds.  (1..63 filled up in version 1; the second
 * instruction range keeps every existing id stable.)
 */
#define PREVIRT_KIND_HEADER    0
#define PREVIRT_KIND_MMIO_MIN  64
#define PREVIRT_KIND_MMIO_MAX  127
#define PREVIRT_KIND_INSN2_MIN 128
#define PREVIRT_KIND_ID_MAX    1023   /* largest id the format allows (the rules use fewer) */

/*
 * One record per sensitive instruction (not per asm statement).
 *
 * addr is self-relative: the site starts at (char *)&rec->addr + rec->addr.
 * That needs no load-time relocation and survives KASLR, like Linux's
 * struct alt_instr.  The site is insn_length bytes of the original
 * instruction(s), exactly as written, followed by length - insn_length bytes
 * of NOPs.
 */
struct previrt_site {
	int32_t  addr;         /* site start, relative to &addr               */
	uint16_t kind;         /* rule id from rewriting-rules (never 0 here)  */
	uint8_t  length;       /* whole site in bytes: instruction(s) + pad    */
	uint8_t  insn_length;  /* bytes of the original instruction(s)         */
	uint8_t  flags;        /* PREVIRT_F_*                                  */
	uint8_t  width;        /* access size in bytes when known, else 0      */
	uint16_t xflags;       /* PREVIRT_X_* (version 3; 0 in versions 1, 2)  */
};

/*
 * Every object that contributes records also contributes one header record
 * of the same size, anywhere in its part of the section.  A linked image
 * therefore holds one header per annotated object, interleaved with the
 * sites: readers skip kind == PREVIRT_KIND_HEADER and require all headers
 * to agree on version and record size.
 */
struct previrt_header {
	uint32_t magic;        /* PREVIRT_MAGIC                                */
	uint16_t kind;         /* PREVIRT_KIND_HEADER                          */
	uint8_t  version;      /* PREVIRT_FORMAT_VERSION                       */
	uint8_t  record_size;  /* sizeof(struct previrt_site) == 12            */
	uint8_t  producer;     /* PREVIRT_PRODUCER_*                           */
	uint8_t  reserved[3];  /* 0                                            */
};

#define PREVIRT_PRODUCER_GCC   1
#define PREVIRT_PRODUCER_CLANG 2
#define PREVIRT_PRODUCER_GAS   3   /* hand-written .S through the macro file */

/* Record flags. */
#define PREVIRT_F_EXTABLE  0x01  /* an exception-table entry is keyed to the insn */
#define PREVIRT_F_NOINSTR  0x02  /* in .noinstr.text / .entry.text: no instrumentation */
#define PREVIRT_F_MMIO     0x04  /* memory-mapped device access (kind is mmio_*) */
#define PREVIRT_F_BYTES    0x08  /* written as .byte in the source */
#define PREVIRT_F_PUSHED   0x10  /* in a section the asm switched to itself */
#define PREVIRT_F_TOPLEVEL 0x20  /* from a top-level (file-scope) asm block */
#define PREVIRT_F_ASMGOTO  0x40  /* from an asm goto statement */
/*
 * The site's original bytes are an interrupt-shadow pair: an instruction
 * whose rule has the `shadow` attribute (sti, mov/pop to %ss) and the one
 * instruction written right after it.  No pad separates them, and the
 * runtime must keep them adjacent (patch both together or leave the site
 * native).  insn_length covers both; `kind` is the first one's.
 */
#define PREVIRT_F_SHADOW   0x80
#define PREVIRT_F_KNOWN    0xff  /* every flag version 2 defines */

/*
 * Extended flags (xflags, version 3).
 * NOSTACK: the site is in early boot text (.head.text, the kernel's
 * startup_64 / secondary_startup_64 path), or in hand-written assembly
 * after a write to %cr3 and before %rsp is loaded again (6.12's
 * secondary_startup_64 is in .text), which runs before the code has
 * a stack of its own and while page tables are being switched: %rsp may
 * point at memory that is no longer mapped.  A backend must not use the
 * stack there (the profile backend's thunk pushes the flags: such sites
 * stay native).
 */
#define PREVIRT_X_NOSTACK  0x0001
/*
 * PAD_BEFORE: the pad comes first and the instruction last: the site is
 * length - insn_length bytes of NOPs, then the instruction.  The compiler
 * uses it for an instruction that opens an interrupt shadow (rule
 * attribute `shadow`) when nothing of its own text follows it (a lone
 * `sti` ending its asm statement): the shadow then covers whatever the
 * compiler put next, exactly as in the plain build.  Only with kinds
 * that have the shadow attribute, never with SHADOW.
 */
#define PREVIRT_X_PAD_BEFORE 0x0002
/*
 * ALT_ORIG (version 4): an MMIO site that is the original instruction of a
 * kernel ALTERNATIVE (inside the range an .altinstructions entry names).
 * Only for accessors the MMIO rules mark `alternative`: those whose
 * replacement the kernel never applies on x86-64 (the local APIC write and
 * its Pentium-only 11AP xchg), so the bytes stay the site's.  Readers
 * accept the overlap with .altinstructions for such a site, and only then.
 */
#define PREVIRT_X_ALT_ORIG 0x0004
#define PREVIRT_X_KNOWN    0x0007  /* every xflag version 4 defines */

/* The record stride: use this (or sizeof), never the literal 12. */
#define PREVIRT_RECORD_SIZE ((unsigned)sizeof(struct previrt_site))

#ifdef __cplusplus
static_assert(sizeof(struct previrt_site) == 12, "record size is part of the ABI");
static_assert(sizeof(struct previrt_header) == 12, "header size is part of the ABI");
#else
_Static_assert(sizeof(struct previrt_site) == 12, "record size is part of the ABI");
_Static_assert(sizeof(struct previrt_header) == 12, "header size is part of the ABI");
#endif

#endif /* PREVIRT_FORMAT_H */
