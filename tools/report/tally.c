/* SPDX-License-Identifier: MIT */
#include "grow.h"
#include "tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pv_tally_add(struct pv_tally *t, const char *key, uint64_t weight)
{
	pv_grow(&t->v, t->n, &t->cap, sizeof(t->v[0]), 64);
	t->v[t->n++] = (struct pv_tally_row){ key ? key : "?", 1, weight };
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct pv_tally_row *)a)->key, ((const struct pv_tally_row *)b)->key);
}

static int by_weight;

static int cmp_count(const void *a, const void *b)
{
	const struct pv_tally_row *x = a, *y = b;
	uint64_t cx = by_weight ? x->weight : x->n, cy = by_weight ? y->weight : y->n;

	if (cx != cy)
		return cx > cy ? -1 : 1;
	return strcmp(x->key, y->key);
}

void pv_tally_group(struct pv_tally *t, int weight_order)
{
	size_t i, o = 0;

	if (!t->grouped) {
		if (t->n > 1)
			qsort(t->v, t->n, sizeof(*t->v), cmp_key);
		for (i = 0; i < t->n; i++) {
			if (o && strcmp(t->v[o - 1].key, t->v[i].key) == 0) {
				t->v[o - 1].n += t->v[i].n;
				t->v[o - 1].weight += t->v[i].weight;
			} else {
				t->v[o++] = t->v[i];
			}
		}
		t->n = o;
		t->grouped = 1;
	}
	by_weight = weight_order;
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), cmp_count);
}

void pv_tally_free(struct pv_tally *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}
