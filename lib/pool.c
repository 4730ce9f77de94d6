/* SPDX-License-Identifier: MIT */
/* The handler pool the compilers reserve in the kernel image (see pool.h). */
#include "pool.h"

#include <stdio.h>
#include <stdlib.h>

int pv_pool_parse(const char *text, unsigned long *bytes)
{
	char *end;
	unsigned long v;

	if (!text || !*text || *text == '-' || *text == '+')
		return -1;
	v = strtoul(text, &end, 10);
	if (*end || v > PREVIRT_POOL_MAX_BYTES || v % PREVIRT_POOL_THUNK_BYTES)
		return -1;
	*bytes = v;
	return 0;
}

/*
 * .text.unlikely.* lies inside [_text, _etext] in Linux's linker script:
 * mapped executable for the kernel's whole life, read-only after
 * mark_rodata_ro, which is fine because the loader fills it before the
 * kernel runs.  .data.unlikely is in DATA_DATA: writable, never freed.
 * The symbols are untyped on purpose: objtool validates functions, and
 * this is not one until the loader fills it.
 */
const char *pv_pool_asm(unsigned long bytes)
{
	static char buf[640];

	snprintf(buf, sizeof(buf),
		 "\t.pushsection .text.unlikely.previrt_pool,\"ax\",@progbits\n"
		 "\t.balign 64\n"
		 "\t.globl previrt_pool\n"
		 "previrt_pool:\n"
		 "\t.fill %lu,1,0xcc\n"
		 "\t.globl previrt_pool_end\n"
		 "previrt_pool_end:\n"
		 "\t.popsection\n"
		 "\t.pushsection .data.unlikely,\"aw\",@progbits\n"
		 "\t.balign 8\n"
		 "\t.globl previrt_counters\n"
		 "previrt_counters:\n"
		 "\t.fill %lu,8,0\n"
		 "\t.globl previrt_counters_end\n"
		 "previrt_counters_end:\n"
		 "\t.popsection\n",
		 bytes, bytes / PREVIRT_POOL_THUNK_BYTES);
	return buf;
}
