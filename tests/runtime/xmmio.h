/* SPDX-License-Identifier: MIT */
/* The plugin-compiled MMIO functions that xen-harness patches and runs (xmmio.c). */
#ifndef PREVIRT_TEST_XMMIO_H
#define PREVIRT_TEST_XMMIO_H

#include <stdint.h>

/* Where the harness maps the fake device: a fixed address, so that an absolute operand reaches it. */
#define XM_DEV 0x50000000ul

/* one access of each width through a base register: readX/writeX */
uint64_t xm_read(const volatile void *p, unsigned width);
void xm_write(volatile void *p, unsigned width, uint64_t v);
/* stores of immediates: movb $0x5a, movw $0xbeef, movl $0x12345678, movq $-2 at p+0..p+15 */
void xm_store_imm(volatile void *p);
/* base + index * scale + displacement: regs[i + 2] (32-bit registers) */
uint32_t xm_read_indexed(const volatile uint32_t *regs, unsigned long i);
void xm_write_indexed(volatile uint32_t *regs, unsigned long i, uint32_t v);
/* (%r13,%r12,2): 16 bits at base + i * 2 */
uint16_t xm_read_r13_r12(const volatile void *base, unsigned long i);
/* no base: 64 bits at XM_DEV + i * 8 */
uint64_t xm_read_index_only(unsigned long i);
/* absolute addresses: XM_DEV + 0x40 (read), XM_DEV + 0x44 (write) */
uint32_t xm_read_abs(void);
void xm_write_abs(uint32_t v);
/* cmp x with 5 ; 32-bit load from p ; setb ; sete: below | equal << 1 | value << 8 */
uint64_t xm_flags(const volatile void *p, uint64_t x);
/*
 * Every destination register and width: register `reg` (0 rax .. 15 r15,
 * not 4) holds `init`, then a `width`-byte load from p into it; returns the
 * whole register.  width 0: a byte load into ah/ch/dh/bh (reg 0-3).
 */
uint64_t xm_load_into(unsigned reg, unsigned width, const volatile void *p, uint64_t init);
/* the same for stores: `width` bytes of register `reg` (width 0: its bits 8-15) holding v */
void xm_store_from(unsigned reg, unsigned width, volatile void *p, uint64_t v);

#endif
