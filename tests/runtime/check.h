/* SPDX-License-Identifier: MIT */
/*
 * The runtime test programs' one assertion helper: an "ok"/"FAIL" line per
 * check, counted, and the closing "N passed, M failed" line.
 */
#ifndef PREVIRT_TEST_CHECK_H
#define PREVIRT_TEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static unsigned npass, nfail;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3), unused));
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok  " : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	ok ? npass++ : nfail++;
}

/* Print the closing line; the program's exit status. */
static int __attribute__((unused)) check_summary(void)
{
	printf("%u passed, %u failed\n", npass, nfail);
	return nfail ? 1 : 0;
}

#endif
