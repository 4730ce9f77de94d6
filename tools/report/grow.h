/* SPDX-License-Identifier: MIT */
/* Growing an array by doubling, for the report's result lists. */
#ifndef PV_REPORT_GROW_H
#define PV_REPORT_GROW_H

#include <stdio.h>
#include <stdlib.h>

/*
 * Make room for one more element in *v (n used, *cap allocated, elements of
 * size bytes; first allocation `first` elements).  Out of memory ends the
 * tool with exit 2, like every other unreadable-input condition.
 */
static inline void pv_grow(void *v, size_t n, size_t *cap, size_t size, size_t first)
{
	void **pv = v;

	if (n < *cap)
		return;
	size_t ncap = *cap ? *cap * 2 : first;
	void *p = realloc(*pv, ncap * size);

	if (!p) {
		fprintf(stderr, "previrt-report: out of memory\n");
		exit(2);
	}
	*pv = p;
	*cap = ncap;
}

#endif
