/* SPDX-License-Identifier: MIT */
/* Counting strings ("sites per function"): add keys, then get them grouped. */
#ifndef PV_REPORT_TALLY_H
#define PV_REPORT_TALLY_H

#include <stddef.h>
#include <stdint.h>

struct pv_tally_row {
	const char *key;
	uint64_t    n;        /* how many times added */
	uint64_t    weight;   /* sum of the weights added */
};

struct pv_tally {
	struct pv_tally_row *v;
	size_t n, cap;
	int grouped;
};

/* key must stay valid until pv_tally_free. */
void pv_tally_add(struct pv_tally *t, const char *key, uint64_t weight);
/* Group equal keys; order by n (by_weight: by weight) descending, then key. */
void pv_tally_group(struct pv_tally *t, int by_weight);
void pv_tally_free(struct pv_tally *t);

#endif
