/* SPDX-License-Identifier: MIT */
/*
 * MMIO the way Linux spells it (arch/x86/include/asm/io.h's
 * build_mmio_read/build_mmio_write), compiled WITH the GCC plugin: the
 * code xen-harness patches with the Xen backend's MMIO thunks and runs on
 * a fake device window and on ordinary memory.
 *
 * The plugin finds an access by the accessor it is inlined from (the MMIO
 * rules' names), so the variants the tests need are spelled under those
 * names: the _relaxed ones load into and store from one register the
 * caller picks (a local register variable per case, one case left after
 * inlining), __readb/__writeb use ah/ch/dh/bh (%h), the __raw_ writes
 * take immediates ("i" constraints: movb/movw/movl/movq $imm, mem).
 */
#include <stdint.h>

#include "xmmio.h"

#define NOINLINE __attribute__((noinline, noclone))
#define INLINE   static inline __attribute__((always_inline))

#define build_mmio_read(name, size, type, reg)                                          \
	INLINE type name(const volatile void *addr)                                    \
	{                                                                               \
		type ret;                                                               \
		__asm__ volatile("mov" size " %1,%0" : reg(ret) : "m"(*(volatile type *)addr) : "memory"); \
		return ret;                                                             \
	}
#define build_mmio_write(name, size, type, reg)                                         \
	INLINE void name(type val, volatile void *addr)                                 \
	{                                                                               \
		__asm__ volatile("mov" size " %0,%1" : : reg(val), "m"(*(volatile type *)addr) : "memory"); \
	}

build_mmio_read(readb, "b", uint8_t, "=q")
build_mmio_read(readw, "w", uint16_t, "=r")
build_mmio_read(readl, "l", uint32_t, "=r")
build_mmio_read(readq, "q", uint64_t, "=r")
build_mmio_write(writeb, "b", uint8_t, "q")
build_mmio_write(writew, "w", uint16_t, "r")
build_mmio_write(writel, "l", uint32_t, "r")
build_mmio_write(writeq, "q", uint64_t, "r")
/* immediates only: "i" (and "e" for movq's sign-extended imm32) */
build_mmio_write(__raw_writeb, "b", uint8_t, "i")
build_mmio_write(__raw_writew, "w", uint16_t, "i")
build_mmio_write(__raw_writel, "l", uint32_t, "i")
build_mmio_write(__raw_writeq, "q", uint64_t, "e")

NOINLINE uint64_t xm_read(const volatile void *p, unsigned width)
{
	switch (width) {
	case 1: return readb(p);
	case 2: return readw(p);
	case 4: return readl(p);
	}
	return readq(p);
}

NOINLINE void xm_write(volatile void *p, unsigned width, uint64_t v)
{
	switch (width) {
	case 1: writeb((uint8_t)v, p); break;
	case 2: writew((uint16_t)v, p); break;
	case 4: writel((uint32_t)v, p); break;
	default: writeq(v, p); break;
	}
}

NOINLINE void xm_store_imm(volatile void *p)
{
	__raw_writeb(0x5a, p);
	__raw_writew(0xbeef, (volatile char *)p + 2);
	__raw_writel(0x12345678, (volatile char *)p + 4);
	__raw_writeq((uint64_t)-2, (volatile char *)p + 8);
}

/*
 * Addressing forms GCC picks only when it likes (it computes regs + i * 4
 * + 8 with lea for an "m" operand): spelled in the template, under
 * accessor names of the same direction and width.
 */
INLINE uint32_t __readl(const volatile uint32_t *regs, unsigned long i)
{
	uint32_t ret;

	__asm__ volatile("movl 8(%1,%2,4),%0" : "=r"(ret) : "r"(regs), "r"(i), "m"(regs[i + 2]) : "memory");
	return ret;
}

INLINE void __writel(uint32_t v, volatile uint32_t *regs, unsigned long i)
{
	__asm__ volatile("movl %0,8(%1,%2,4)" : : "r"(v), "r"(regs), "r"(i), "m"(regs[i + 2]) : "memory");
}

/* r13 as base with no displacement (encoded as disp8 0), r12 as index (REX.B, REX.X) */
INLINE uint16_t __readw(const volatile void *base, unsigned long i)
{
	register const volatile void *b __asm__("r13") = base;
	register unsigned long x __asm__("r12") = i;
	uint16_t ret;

	__asm__ volatile("movw (%1,%2,2),%0" : "=r"(ret) : "r"(b), "r"(x) : "memory");
	return ret;
}

/* an index without a base: XM_DEV + i * 8 */
INLINE uint64_t __readq(unsigned long i)
{
	uint64_t ret;

	__asm__ volatile("movq %c2(,%1,8),%0" : "=r"(ret) : "r"(i), "i"(XM_DEV) : "memory");
	return ret;
}

NOINLINE uint32_t xm_read_indexed(const volatile uint32_t *regs, unsigned long i)
{
	return __readl(regs, i);
}

NOINLINE void xm_write_indexed(volatile uint32_t *regs, unsigned long i, uint32_t v)
{
	__writel(v, regs, i);
}

NOINLINE uint16_t xm_read_r13_r12(const volatile void *base, unsigned long i)
{
	return __readw(base, i);
}

NOINLINE uint64_t xm_read_index_only(unsigned long i)
{
	return __readq(i);
}

NOINLINE uint32_t xm_read_abs(void)
{
	return readl((const volatile void *)(XM_DEV + 0x40));
}

NOINLINE void xm_write_abs(uint32_t v)
{
	writel(v, (volatile void *)(XM_DEV + 0x44));
}

/* ---- every register: one case per register, a constant after inlining ---- */

#define REGS(X) X(0, "rax") X(1, "rcx") X(2, "rdx") X(3, "rbx") X(5, "rbp") X(6, "rsi") X(7, "rdi") \
	X(8, "r8") X(9, "r9") X(10, "r10") X(11, "r11") X(12, "r12") X(13, "r13") X(14, "r14") X(15, "r15")

/* a load into register n's low byte, word, dword (zero-extending) or all of it: %b0 %w0 %k0 %q0 */
#define build_load_into(name, mod)                                           \
	INLINE uint64_t name(unsigned reg, const volatile void *addr, uint64_t v)       \
	{                                                                                \
		switch (reg) {                                                           \
		REGS(LOAD_ONE_##mod)                                                     \
		}                                                                        \
		return 0;                                                                \
	}
#define LOAD_ONE(n, reg, size, mod, type)                                                \
	case n: {                                                                        \
		register uint64_t r __asm__(reg) = v;                                    \
		__asm__ volatile("mov" size " %1,%" mod "0" : "+r"(r) : "m"(*(volatile type *)addr) : "memory"); \
		return r;                                                                \
	}
#define LOAD_ONE_b(n, reg) LOAD_ONE(n, reg, "b", "b", uint8_t)
#define LOAD_ONE_w(n, reg) LOAD_ONE(n, reg, "w", "w", uint16_t)
#define LOAD_ONE_k(n, reg) LOAD_ONE(n, reg, "l", "k", uint32_t)
#define LOAD_ONE_q(n, reg) LOAD_ONE(n, reg, "q", "q", uint64_t)

build_load_into(readb_relaxed, b)
build_load_into(readw_relaxed, w)
build_load_into(readl_relaxed, k)
build_load_into(readq_relaxed, q)

#define STORE_ONE(n, reg, size, mod, type)                                               \
	case n: {                                                                        \
		register uint64_t r __asm__(reg) = v;                                    \
		__asm__ volatile("mov" size " %" mod "0,%1" : : "r"(r), "m"(*(volatile type *)addr) : "memory"); \
		return;                                                                  \
	}
#define STORE_ONE_b(n, reg) STORE_ONE(n, reg, "b", "b", uint8_t)
#define STORE_ONE_w(n, reg) STORE_ONE(n, reg, "w", "w", uint16_t)
#define STORE_ONE_k(n, reg) STORE_ONE(n, reg, "l", "k", uint32_t)
#define STORE_ONE_q(n, reg) STORE_ONE(n, reg, "q", "q", uint64_t)
#define build_store_from(name, mod)                                                      \
	INLINE void name(unsigned reg, volatile void *addr, uint64_t v)                 \
	{                                                                                \
		switch (reg) {                                                           \
		REGS(STORE_ONE_##mod)                                                    \
		}                                                                        \
	}

build_store_from(writeb_relaxed, b)
build_store_from(writew_relaxed, w)
build_store_from(writel_relaxed, k)
build_store_from(writeq_relaxed, q)

/* ah/ch/dh/bh: only registers 0-3 have them, and only without a REX prefix */
#define HIGH4(X) X(0, "rax") X(1, "rcx") X(2, "rdx") X(3, "rbx")
#define HLOAD_ONE(n, reg)                                                                \
	case n: {                                                                        \
		register uint64_t r __asm__(reg) = v;                                    \
		__asm__ volatile("movb %1,%h0" : "+Q"(r) : "m"(*(volatile uint8_t *)addr) : "memory"); \
		return r;                                                                \
	}
#define HSTORE_ONE(n, reg)                                                               \
	case n: {                                                                        \
		register uint64_t r __asm__(reg) = v;                                    \
		__asm__ volatile("movb %h0,%1" : : "Q"(r), "m"(*(volatile uint8_t *)addr) : "memory"); \
		return;                                                                  \
	}

INLINE uint64_t __readb(unsigned reg, const volatile void *addr, uint64_t v)
{
	switch (reg) {
	HIGH4(HLOAD_ONE)
	}
	return 0;
}

INLINE void __writeb(unsigned reg, volatile void *addr, uint64_t v)
{
	switch (reg) {
	HIGH4(HSTORE_ONE)
	}
}

/* one function per register: the register stays the one asked for whatever the caller's allocation */
#define LOAD_FN(n, reg)                                                                  \
	static NOINLINE uint64_t load_##n(unsigned width, const volatile void *p, uint64_t init) \
	{                                                                                \
		switch (width) {                                                         \
		case 0: return __readb(n, p, init);                                      \
		case 1: return readb_relaxed(n, p, init);                                \
		case 2: return readw_relaxed(n, p, init);                                \
		case 4: return readl_relaxed(n, p, init);                                \
		}                                                                        \
		return readq_relaxed(n, p, init);                                        \
	}
#define STORE_FN(n, reg)                                                                 \
	static NOINLINE void store_##n(unsigned width, volatile void *p, uint64_t v)   \
	{                                                                                \
		switch (width) {                                                         \
		case 0: __writeb(n, p, v); break;                                        \
		case 1: writeb_relaxed(n, p, v); break;                                  \
		case 2: writew_relaxed(n, p, v); break;                                  \
		case 4: writel_relaxed(n, p, v); break;                                  \
		default: writeq_relaxed(n, p, v); break;                                 \
		}                                                                        \
	}
REGS(LOAD_FN)
REGS(STORE_FN)

NOINLINE uint64_t xm_load_into(unsigned reg, unsigned width, const volatile void *p, uint64_t init)
{
	switch (reg) {
#define LOAD_CALL(n, r) case n: return load_##n(width, p, init);
	REGS(LOAD_CALL)
	}
	return 0;
}

NOINLINE void xm_store_from(unsigned reg, unsigned width, volatile void *p, uint64_t v)
{
	switch (reg) {
#define STORE_CALL(n, r) case n: store_##n(width, p, v); break;
	REGS(STORE_CALL)
	}
}

/*
 * Flags set before an MMIO site survive it, emulated or not: cmp ; the
 * readl site ; setb ; sete.  Three asm statements (the plugin takes an
 * accessor's asm to be its one access), kept in order by volatile; the
 * code GCC puts between them sets no flags (objdump: nothing at -O2 here,
 * and any that did would make the test fail, not pass).
 * Returns below | equal << 1 | the loaded value << 8.
 */
NOINLINE uint64_t xm_flags(const volatile void *p, uint64_t x)
{
	uint8_t below, equal;
	uint32_t v;

	__asm__ volatile("cmpq $5, %0" : : "r"(x) : "cc");
	v = readl(p);
	__asm__ volatile("setb %0\n\tsete %1" : "=qm"(below), "=qm"(equal));
	return below | equal << 1 | (uint64_t)v << 8;
}
