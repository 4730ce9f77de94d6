/* SPDX-License-Identifier: MIT */
/* The handler pools the compilers reserve in the kernel image (see pool.h). */
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
 * One pool: `bytes` of int3 in `section`, between `sym` and `end`.
 *
 * .text.unlikely.* lies inside [_text, _etext] in Linux's linker script:
 * mapped executable for the kernel's whole life, read-only after
 * mark_rodata_ro, which is fine because the loader fills it before the
 * kernel runs.  .noinstr.text lies there too, between __noinstr_text_start
 * and __noinstr_text_end.  The symbols are untyped on purpose: objtool
 * validates functions (and, on vmlinux.o, every function in .noinstr.text),
 * and this is not one until the loader fills it; the int3 filler is what
 * objtool accepts as unreachable bytes (a trap).
 */
static int one_pool(char *b, size_t n, const char *section, const char *sym, const char *end,
		    unsigned long bytes)
{
	if (!bytes)
		return 0;
	return snprintf(b, n,
			"\t.pushsection %s,\"ax\",@progbits\n"
			"\t.balign 64\n"
			"\t.globl %s\n"
			"%s:\n"
			"\t.fill %lu,1,0xcc\n"
			"\t.globl %s\n"
			"%s:\n"
			"\t.popsection\n",
			section, sym, sym, bytes, end, end);
}

/* .data.unlikely is in DATA_DATA: writable, never freed, mapped for all kernel code. */
const char *pv_pool_asm(unsigned long bytes, unsigned long noinstr_bytes)
{
	static char buf[1536];
	int n = 0;

	buf[0] = 0;
	if (!bytes && !noinstr_bytes)
		return buf;
	n += one_pool(buf + n, sizeof buf - n, ".text.unlikely.previrt_pool", PREVIRT_POOL_SYM,
		      PREVIRT_POOL_END_SYM, bytes);
	n += one_pool(buf + n, sizeof buf - n, ".noinstr.text", PREVIRT_NOINSTR_POOL_SYM,
		      PREVIRT_NOINSTR_POOL_END_SYM, noinstr_bytes);
	snprintf(buf + n, sizeof buf - n,
		 "\t.pushsection .data.unlikely,\"aw\",@progbits\n"
		 "\t.balign 8\n"
		 "\t.globl %s\n"
		 "%s:\n"
		 "\t.fill %lu,8,0\n"
		 "\t.globl %s\n"
		 "%s:\n"
		 "\t.popsection\n",
		 PREVIRT_COUNTERS_SYM, PREVIRT_COUNTERS_SYM, (bytes + noinstr_bytes) / PREVIRT_POOL_THUNK_BYTES,
		 PREVIRT_COUNTERS_END_SYM, PREVIRT_COUNTERS_END_SYM);
	return buf;
}
