/* SPDX-License-Identifier: MIT */
/*
 * The loader's one way to read untrusted input: every field of the ELF
 * file, the bundle and the boot information is reached through pv_span
 * (an offset and a size inside a buffer, overflow-safe) or pv_strz (a
 * string whose NUL lies inside its table).  Physical memory is a buffer
 * too: [0, 4 GiB) in the loader (identity-mapped), a test's own bytes on
 * the host.  Freestanding, header-only.
 *
 * A failure names the field and says what is wrong; the loader prints it
 * as one line:  previrt-loader: FATAL: <field>: <what>
 */
#ifndef PREVIRT_LOADER_CHECKED_H
#define PREVIRT_LOADER_CHECKED_H

#include <stdint.h>

struct pv_buf {
	uintptr_t base;          /* where byte `lo` of the buffer is read */
	uint64_t  lo;            /* first valid offset (a physical address for memory) */
	uint64_t  size;          /* valid offsets: [lo, lo + size) */
};

/* a range of (physical) addresses */
struct blob {
	uint64_t start, size;
};

struct pv_err {
	const char *field;       /* e.g. "e_phoff", "program header 3 p_filesz", "multiboot mods_addr" */
	const char *what;        /* e.g. "points outside the file" */
};

/* THE check: [off, off + len) lies inside [lo, lo + size).  No sum is formed, so nothing wraps. */
static inline int pv_in(uint64_t lo, uint64_t size, uint64_t off, uint64_t len)
{
	return off >= lo && off - lo <= size && len <= size - (off - lo);
}

/* [off, off + len) inside the buffer: a pointer to it, else 0. */
static inline const void *pv_span(const struct pv_buf *b, uint64_t off, uint64_t len)
{
	if (!pv_in(b->lo, b->size, off, len))
		return 0;
	return (const void *)(b->base + (uintptr_t)(off - b->lo));
}

/* The string at off, only when its NUL is inside the buffer, else 0. */
static inline const char *pv_strz(const struct pv_buf *b, uint64_t off)
{
	const char *s = pv_span(b, off, 1);

	if (!s)
		return 0;
	for (uint64_t i = 0; i < b->size - (off - b->lo); i++)
		if (!s[i])
			return s;
	return 0;
}

/* A sub-buffer [off, off + len) of b, with offsets starting at 0; 0 when it is not inside. */
static inline int pv_sub(const struct pv_buf *b, uint64_t off, uint64_t len, struct pv_buf *out)
{
	const void *p = pv_span(b, off, len);

	if (!p)
		return -1;
	*out = (struct pv_buf){ .base = (uintptr_t)p, .lo = 0, .size = len };
	return 0;
}

static inline int pv_fail(struct pv_err *e, const char *field, const char *what)
{
	e->field = field;
	e->what = what;
	return -1;
}

/* [a, a + an) and [b, b + bn) share a byte (sizes already checked not to wrap) */
static inline int pv_overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return an && bn && a < b + bn && b < a + an;
}

/* [a, a + n) lies below limit (an address range, not a read) */
static inline int pv_fits(uint64_t a, uint64_t n, uint64_t limit)
{
	return pv_in(0, limit, a, n);
}

#endif
