/* SPDX-License-Identifier: MIT */
/*
 * Port I/O the way Linux spells it (arch/x86/include/asm/shared/io.h),
 * compiled WITH the GCC plugin: the code xen-harness patches with the Xen
 * backend and then runs in user space.  Only ports the backend emulates
 * are ever executed (a real in/out would fault outside ring 0); x_post's
 * port 0x80 is never emulated, so its site must stay native.
 */
#include <stdint.h>

#include "xprog.h"

#define NOINLINE __attribute__((noinline, noclone))

static inline void outb(uint8_t v, uint16_t port)
{
	__asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t v, uint16_t port)
{
	__asm__ volatile("outw %w0, %w1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* the 8250 console: wait for THRE, write THR (ports > 0xff: %dx) */
NOINLINE void x_uart_puts(const char *s)
{
	while (*s) {
		while (!(inb(X_COM1 + 5) & 0x20))
			;
		outb((uint8_t)*s++, X_COM1);
	}
}

NOINLINE uint8_t x_uart_reg(unsigned reg)
{
	return inb((uint16_t)(X_COM1 + reg));
}

NOINLINE void x_uart_set(unsigned reg, uint8_t v)
{
	outb(v, (uint16_t)(X_COM1 + reg));
}

NOINLINE uint32_t x_pm_timer(void)
{
	return inl(X_PM_TMR);
}

NOINLINE void x_pm1_control(uint16_t v)
{
	outw(v, X_PM1A_CNT);
}

/* immediate port 0x64 (i8042 command): emulated for 0xfe (reset) */
NOINLINE void x_kbc(uint8_t v)
{
	outb(v, 0x64);
}

/* immediate port 0x80 (POST code): never emulated, never called here */
NOINLINE void x_post(uint8_t v)
{
	outb(v, 0x80);
}

/* PIT channel 2 as Linux's quick_pit_calibrate drives it (immediate ports 0x42, 0x43, 0x61) */
NOINLINE void x_pit2_start(void)
{
	outb((uint8_t)((inb(0x61) & ~0x02) | 0x01), 0x61);   /* gate high, speaker off */
	outb(0xb0, 0x43);                                       /* channel 2, LSB then MSB, mode 0 */
	outb(0xff, 0x42);
	outb(0xff, 0x42);
}

NOINLINE uint8_t x_pit2_msb(void)
{
	inb(0x42);                                              /* LSB, ignored */
	return inb(0x42);
}

NOINLINE uint8_t x_port61(void)
{
	return inb(0x61);
}

NOINLINE void x_pit_cmd(uint8_t v)
{
	outb(v, 0x43);
}

/* flags set before the site survive it: cmp ; outb (scratch register) ; setb ; sete */
NOINLINE uint64_t x_flags(uint64_t x)
{
	uint8_t below, equal;

	__asm__ volatile("cmpq $5, %[x]\n\toutb %%al, %%dx\n\tsetb %[bl]\n\tsete %[eq]"
			 : [bl] "=qm"(below), [eq] "=qm"(equal)
			 : [x] "r"(x), "a"(0x5a), "d"(X_COM1 + 7)
			 : "cc");
	return below | equal << 1 | (uint64_t)inb(X_COM1 + 7) << 8;
}
