/* SPDX-License-Identifier: MIT */
/* What every mode of previrt-report works on: one opened, parsed file. */
#ifndef PV_REPORT_REPORT_H
#define PV_REPORT_REPORT_H

#include <stdio.h>

#include "dwarf_info.h"
#include "image.h"
#include "patch_tables.h"
#include "records.h"

struct pv_report {
	struct pv_image  img;
	struct pv_sites  sites;
	struct pv_ranges ranges;   /* kernel patch tables */
	struct pv_dwarf *dw;       /* NULL without debug info */
	int verbose;
	unsigned top;              /* rows in the summary's top-N tables */
};

/* Open, parse .previrt, read patch tables and DWARF.  0, or -1 with
 * r->img.err saying why (the caller prints it and exits 2). */
int pv_report_open(struct pv_report *r, const char *path, int want_dwarf);
void pv_report_close(struct pv_report *r);

/* One site as the list/JSON/diff modes show it. */
struct pv_site_view {
	const char *kind;          /* rule name, or "kind#N" */
	char kindbuf[16];
	const char *section;       /* section name, or "?" */
	const char *function;      /* containing symbol, or NULL */
	uint64_t func_off;
	char where[96];            /* "0xffffffff81000010" or ".text+0x10" */
	char disasm[192];          /* the site's instruction(s), "; "-separated */
	char flags[96];            /* "extable,noinstr" or "" */
	struct pv_srcinfo src;
};

void pv_site_view(struct pv_report *r, const struct pv_site *s, int want_src,
		  struct pv_site_view *v);

/* "0xffffffff81000010" (linked) or ".text+0x10" (object) */
const char *pv_where(const struct pv_report *r, struct pv_loc loc, uint64_t addr,
		     char *buf, size_t cap);

/* The modes.  Each returns the process exit status. */
int pv_mode_summary(struct pv_report *r, FILE *out);
int pv_mode_list(struct pv_report *r, FILE *out);
int pv_mode_json(struct pv_report *r, FILE *out);
int pv_mode_verify(struct pv_report *r, FILE *out);
int pv_mode_coverage(struct pv_report *r, FILE *out, double min_pct, int have_min);
int pv_mode_diff(struct pv_report *old, struct pv_report *new_, FILE *out);

/* --profile: read the counts file into the sites' count fields.  0, or -1
 * with a message in err. */
int pv_profile_load(struct pv_report *r, const char *path, char *err, size_t errcap);

#endif
