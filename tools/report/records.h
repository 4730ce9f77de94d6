/* SPDX-License-Identifier: MIT */
/*
 * The .previrt section of an opened image, parsed per docs/format.md into
 * sites.  Structural problems (no section, size not a multiple of 12, no
 * header, unknown version) make the file unreadable: pv_load_sites fails.
 * Problems of single records (unknown kind, lengths, unresolvable address)
 * are kept on the site (`problem`) for --verify to report.
 */
#ifndef PV_REPORT_RECORDS_H
#define PV_REPORT_RECORDS_H

#include "image.h"

struct pv_site {
	struct pv_loc loc;         /* where the site starts (shndx 0: unresolved) */
	uint64_t addr;             /* address (linked) or offset (ET_REL); raw target when unresolved */
	size_t   record;           /* index of the record in .previrt */
	uint16_t kind;
	uint8_t  length, insn_length, flags, width;
	uint16_t xflags;
	uint8_t  insn_off;         /* the instruction's offset in the site: the pad's length with
	                              PREVIRT_X_PAD_BEFORE (the pad comes first), else 0 */
	const char *problem;       /* why the address could not be resolved, else NULL */
	/* filled by --profile */
	int      has_count;
	uint64_t count;
	uint64_t handler;          /* where the patched site jumps (profile format 2), 0 if not given */
};

struct pv_sites {
	struct pv_site *v;
	size_t n;
	size_t nheaders;
	size_t nproducer[4];       /* headers per producer id (0 = unknown ids) */
	size_t shndx;              /* the .previrt section */
};

/* 0, or -1 with img->err set.  Sites come out sorted by location. */
int pv_load_sites(struct pv_image *img, struct pv_sites *out);
void pv_free_sites(struct pv_sites *s);

/* The rule name of a kind ("cli", "mmio_read"), or NULL when undefined. */
const char *pv_kind_name(unsigned kind);

#endif
