/* SPDX-License-Identifier: MIT */
/*
 * Source information from DWARF through elfutils' libdwfl, which also
 * applies the relocations of .debug_* sections in relocatable objects.
 * Files without debug information simply give no answers.
 */
#ifndef PV_REPORT_DWARF_INFO_H
#define PV_REPORT_DWARF_INFO_H

#include "image.h"

enum pv_origin { PV_ORIGIN_UNKNOWN, PV_ORIGIN_C, PV_ORIGIN_ASM, PV_ORIGIN_OTHER };

struct pv_srcinfo {
	const char *file;          /* innermost file (a header when inlined), or NULL */
	int         line;
	const char *inlined;       /* innermost inlined function, or NULL */
	const char *caller;        /* function it was inlined into */
	const char *call_file;     /* where in the caller */
	int         call_line;
	const char *unit;          /* compilation unit name */
	enum pv_origin origin;     /* from the unit's language and name */
};

struct pv_dwarf;

/* NULL when the file has no usable DWARF (not an error). */
struct pv_dwarf *pv_dwarf_open(const struct pv_image *img);
void pv_dwarf_close(struct pv_dwarf *dw);

/* Fill *out for a location (zeroed when nothing is known).  want_inline:
 * also walk the inline scopes (slower: only --list/--json need it). */
void pv_dwarf_lookup(struct pv_dwarf *dw, const struct pv_image *img, struct pv_loc loc,
		     int want_inline, struct pv_srcinfo *out);

/* Origin of code at loc: DWARF unit first, then the symbol table's STT_FILE. */
enum pv_origin pv_origin_of(struct pv_dwarf *dw, const struct pv_image *img, struct pv_loc loc,
			    const char **unit);
const char *pv_origin_name(enum pv_origin o);

#endif
