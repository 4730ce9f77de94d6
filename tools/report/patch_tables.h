/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own patch tables: the code ranges Linux rewrites itself
 * (alternatives, jump labels, static calls, lock prefixes, mcount calls,
 * retpoline/return thunks) and the exception table.  Layouts are Linux
 * x86-64's from 6.1 on; struct alt_instr, which changed size in 6.3, is
 * recognised from the table itself.  A previrt site must not overlap any of them except
 * __ex_table (an EXTABLE site is keyed there on purpose).
 */
#ifndef PV_REPORT_PATCH_TABLES_H
#define PV_REPORT_PATCH_TABLES_H

#include "image.h"

enum pv_table {
	PV_TAB_ALTINSTR,      /* .altinstructions: ALTERNATIVE original ranges */
	PV_TAB_JUMP,          /* __jump_table */
	PV_TAB_STATIC_CALL,   /* .static_call_sites */
	PV_TAB_SMP_LOCKS,     /* .smp_locks */
	PV_TAB_MCOUNT,        /* __mcount_loc */
	PV_TAB_RETPOLINE,     /* .retpoline_sites */
	PV_TAB_RETURN,        /* .return_sites */
	PV_TAB_EXTABLE,       /* __ex_table (not an error) */
	PV_TAB_COUNT
};

struct pv_range {
	struct pv_loc loc;
	uint32_t len;
	enum pv_table table;
};

struct pv_ranges {
	struct pv_range *v;   /* sorted by location */
	size_t n;
	size_t present[PV_TAB_COUNT];  /* entries read per table */
	size_t skipped[PV_TAB_COUNT];  /* entries whose pointer did not resolve */
};

const char *pv_table_name(enum pv_table t);

/* Read every table the image has.  0, or -1 (out of memory). */
int pv_load_ranges(struct pv_image *img, struct pv_ranges *out);
void pv_free_ranges(struct pv_ranges *r);

/*
 * Call fn for every range overlapping [loc, loc+len).  Returns how many
 * there were.
 */
size_t pv_ranges_overlapping(const struct pv_ranges *r, struct pv_loc loc, uint64_t len,
			     void (*fn)(const struct pv_range *, void *), void *arg);

/* Does a range of table t contain loc? */
int pv_ranges_contain(const struct pv_ranges *r, enum pv_table t, struct pv_loc loc);

#endif
