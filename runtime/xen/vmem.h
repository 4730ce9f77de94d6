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
 * 8-byte boundary byte by byte, then moved 8 bytes at a time by one
 * `rep movsq` (aligned on the guest side, whatever the runtime side's
 * alignment: x86 takes the unaligned access there, and a virtio-net
 * frame's pieces seldom share their offset mod 8 with the bounce page),
 * then the tail byte by byte.  The guest side is volatile and the string
 * move is an asm with a memory clobber, so the compiler neither repeats
 * an access nor turns the loops into a memcpy call the blob does not
 * have.  (rep movsq: the fastest bulk copy on current x86, and one
 * instruction per 8 bytes where a loop of moves takes seven.)
 */
static inline void pv_vmem_movsq(void *dst, const volatile void *src, uint64_t q)
{
	__asm__ volatile("cld; rep movsq" : "+D"(dst), "+S"(src), "+c"(q) : : "memory", "cc");
}

static inline void pv_vmem_read(void *dst, const volatile void *src, uint64_t n)
{
	uint8_t *d = dst;
	const volatile uint8_t *s = src;

	for (; n && ((uintptr_t)s & 7); n--)
		*d++ = *s++;
	if (n >= 8) {
		pv_vmem_movsq(d, s, n / 8);
		d += n & ~(uint64_t)7, s += n & ~(uint64_t)7, n &= 7;
	}
	for (; n; n--)
		*d++ = *s++;
}

static inline void pv_vmem_write(volatile void *dst, const void *src, uint64_t n)
{
	volatile uint8_t *d = dst;
	const uint8_t *s = src;

	for (; n && ((uintptr_t)d & 7); n--)
		*d++ = *s++;
	if (n >= 8) {
		pv_vmem_movsq((void *)(uintptr_t)d, s, n / 8);
		d += n & ~(uint64_t)7, s += n & ~(uint64_t)7, n &= 7;
	}
	for (; n; n--)
		*d++ = *s++;
}

#endif
