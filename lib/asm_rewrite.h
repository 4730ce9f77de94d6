/* SPDX-License-Identifier: MIT */
/*
 * Rewrite one inline-asm template so that every sensitive instruction in it
 * becomes a previrt site: a label, the instruction exactly as written, a NOP
 * pad up to the rule's minimum size, and one .previrt record.
 *
 * Compiler-independent: the GCC plugin and the Clang pass both call this,
 * so both emit the same records for the same template.  The inserted text
 * uses only numeric local labels (98470/98471/98472), never '%', '$', '{',
 * '|' or '}', so it means the same in basic asm, GCC extended asm and LLVM
 * inline asm, and survives the compiler duplicating the statement.
 */
#ifndef PREVIRT_ASM_REWRITE_H
#define PREVIRT_ASM_REWRITE_H

#include <stddef.h>
#include <stdint.h>

enum pv_pad_style {
	PV_PAD_NOPS,   /* gas: ".nops N" -> the fewest multi-byte NOPs */
	PV_PAD_FILL,   /* LLVM MC: ".fill N,1,0x90" (MC has no .nops with a label expression) */
};

struct pv_rewrite_opts {
	enum pv_pad_style pad;
	unsigned min_size;            /* 0: each rule's size; else this size for every kind */
	const uint8_t *kind_enabled;  /* [PREVIRT_KIND_MAX + 1] 1 = annotate; 0 pointer = all kinds */
	unsigned mmio_kind;           /* nonzero: the template is an MMIO accessor body */
	unsigned mmio_width;
	unsigned mmio_in_alternative; /* the accessor's access may be an ALTERNATIVE's original (rules: "alternative") */
	unsigned flags;               /* PREVIRT_F_* for every site: NOINSTR, TOPLEVEL, ASMGOTO;
				       * and PV_XFLAGS(PREVIRT_X_*) for the record's xflags */
	int whole_file;               /* the text is a whole assembly file (a kernel .S after
				       * cpp), not one asm statement: an .altinstructions entry
				       * that names no range does not make the whole text an
				       * ALTERNATIVE original; .code16/.code32 regions skipped */
};

/* Record xflags ride in bits 8-23 of a site's flags (opts->flags, stats, place_flags). */
#define PV_XFLAGS(x)        ((unsigned)(x) << 8)
#define PV_XFLAGS_OF(flags) (((flags) >> 8) & 0xffffu)

/*
 * What a site gets from the section its code is in (the one definition, for
 * the plugins' C functions and the rewriter's section directives alike):
 * NOINSTR in .noinstr.text / .entry.text, PV_XFLAGS(NOSTACK) in .head.text.
 * NULL: none.
 */
unsigned pv_section_site_flags(const char *section);

struct pv_rewrite_stats {
	unsigned sites;          /* records emitted */
	unsigned skipped_alt;    /* sensitive, but the original of a kernel ALTERNATIVE */
	unsigned skipped_repl;   /* sensitive, but replacement code (.altinstr_replacement) */
	unsigned skipped_kind;   /* sensitive, but its kind is filtered out */
	unsigned skipped_mode;   /* sensitive, but in .code16/.code32 code (not x86-64) */
	unsigned param_sites;    /* macro-parameter mnemonics ("\\op") left to gas's .ifc */
	unsigned kinds[8];       /* kind of the first sites, for verbose output */
	unsigned site_flags[8];
};

/*
 * Returns a malloc'd new template, or 0 when nothing was annotated (then
 * the caller keeps the original).  *stats is filled in either way.
 */
char *pv_rewrite_asm(const char *tmpl, const struct pv_rewrite_opts *opts,
		     struct pv_rewrite_stats *stats);

/* The asm text of one header record (struct previrt_header) for producer p. */
const char *pv_header_asm(unsigned producer);

/*
 * A whole assembly file (opts->whole_file is implied): the rewritten text
 * with one header record for `producer` appended, or 0 when the file has no
 * site.  Used for hand-written .S files after the C preprocessor.
 */
char *pv_rewrite_file(const char *text, const struct pv_rewrite_opts *opts,
		      unsigned producer, struct pv_rewrite_stats *stats);

#endif
