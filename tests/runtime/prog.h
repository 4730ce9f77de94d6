/* SPDX-License-Identifier: MIT */
/* The harness's view of prog.c (the plugin-compiled test code). */
#ifndef PREVIRT_TEST_PROG_H
#define PREVIRT_TEST_PROG_H

#include <stdint.h>

#define PROG_DETERMINISTIC 0x01   /* same input, same output: compare with unpatched */
#define PROG_NEEDS_RDTSCP  0x02
#define PROG_NEEDS_XSAVE   0x04
#define PROG_NEEDS_RDPID   0x08
#define PROG_STAYS_NATIVE  0x10   /* the profile backend must leave its sites alone (entry zone) */

struct prog_test {
	const char *name;                 /* the function's symbol */
	uint64_t  (*fn)(uint64_t);
	unsigned    nsites;               /* sites the plugin must have recorded in it */
	unsigned    flags;
};

extern const struct prog_test prog_tests[];
extern const unsigned prog_ntests;
extern volatile uint32_t fake_regs[16];

#endif
