/* SPDX-License-Identifier: MIT */
/*
 * Guest memory as the device models see it: every guest-physical range a
 * driver names (a ring, a descriptor's buffer) becomes a pointer only
 * through pv_vmem_ptr, which refuses anything outside guest RAM or
 * touching the runtime's own memory (the holes).
 *
 * Why holes: the runtime keeps state the guest must never reach through
 * a device (the blob's state, the frontends' rings and bounce pages) in
 * pages that are, physically, guest RAM.  A driver that pointed a buffer
 * there would make the model write runtime state on its behalf.
 *
 * The pointer is volatile: guest memory may change under the model
 * (another vCPU), so every read of it is one read the compiler may
 * neither repeat nor merge.
 */
#ifndef PREVIRT_RT_VMEM_H
#define PREVIRT_RT_VMEM_H

#include <stdint.h>

#define PV_VMEM_HOLES 4

struct pv_vmem {
	uintptr_t base;                 /* where guest-physical 0 is mapped (kernel-virtual; a host array in tests) */
	uint64_t  ram_end;              /* guest RAM is [0, ram_end) */
	/*
	 * Refused ranges [start, end) (start == end: unused): the runtime's
	 * own pages (its state, the frontends' rings and bounce pages, which
	 * need not be contiguous), and any part of [0, ram_end) that is not
	 * mapped RAM (an MMIO gap below 4 GiB in a large domU).
	 */
	struct {
		uint64_t start, end;
	} hole[PV_VMEM_HOLES];
};

/*
 * The pointer for guest-physical [gpa, gpa + len), or 0 when the range is
 * empty, leaves guest RAM (overflow-safe) or overlaps a hole.
 */
static inline volatile void *pv_vmem_ptr(const struct pv_vmem *m, uint64_t gpa, uint64_t len)
{
	if (!len || gpa >= m->ram_end || len > m->ram_end - gpa)
		return 0;
	for (unsigned i = 0; i < PV_VMEM_HOLES; i++)
		if (gpa < m->hole[i].end && m->hole[i].start < gpa + len)
			return 0;
	return (volatile void *)(m->base + (uintptr_t)gpa);
}

/*
 * Copies between guest memory and the runtime's own buffers.  Each guest
 * byte is read (or written) exactly once: the guest side is brought to an
 * 8-byte boundary byte by byte, then moved 8 bytes at a time with aligned
 * accesses, whatever the runtime side's alignment (x86 takes the
 * unaligned access there: a virtio-net frame's pieces seldom share their
 * offset mod 8 with the bounce page), then the tail byte by byte.
 * Volatile on the guest side, so the compiler neither repeats an access
 * nor turns the loop into a memcpy call the blob does not have.
 */
typedef uint64_t __attribute__((may_alias)) pv_vmem_u64;
typedef uint64_t __attribute__((may_alias, aligned(1))) pv_vmem_u64u;

static inline void pv_vmem_read(void *dst, const volatile void *src, uint64_t n)
{
	uint8_t *d = dst;
	const volatile uint8_t *s = src;

	for (; n && ((uintptr_t)s & 7); n--)
		*d++ = *s++;
	for (; n >= 8; n -= 8, d += 8, s += 8)
		*(pv_vmem_u64u *)d = *(const volatile pv_vmem_u64 *)s;
	for (; n; n--)
		*d++ = *s++;
}

static inline void pv_vmem_write(volatile void *dst, const void *src, uint64_t n)
{
	volatile uint8_t *d = dst;
	const uint8_t *s = src;

	for (; n && ((uintptr_t)d & 7); n--)
		*d++ = *s++;
	for (; n >= 8; n -= 8, d += 8, s += 8)
		*(volatile pv_vmem_u64 *)d = *(const pv_vmem_u64u *)s;
	for (; n; n--)
		*d++ = *s++;
}

#endif
