/* SPDX-License-Identifier: MIT */
/* rewrite_one TEMPLATE: print the rewritten template (or the original when
 * nothing is sensitive).  A test driver for rules built into it. */
#include <stdio.h>
#include <stdlib.h>

#include "asm_rewrite.h"

int main(int argc, char **argv)
{
	struct pv_rewrite_opts o = { .pad = PV_PAD_NOPS };
	struct pv_rewrite_stats st;
	char *out;

	if (argc != 2) {
		fprintf(stderr, "usage: rewrite_one TEMPLATE\n");
		return 2;
	}
	out = pv_rewrite_asm(argv[1], &o, &st);
	puts(out ? out : argv[1]);
	free(out);
	return 0;
}
