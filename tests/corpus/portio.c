/* shared/io.h and io.h shapes: in/out with every width, %dx and immediate
 * ports, suffixless forms, and the string forms with rep as a separate
 * statement ("rep; insb"). */
#include "kernel_like.h"

#define BUILDIO(bwl, bw, type)						\
static __always_inline void __out##bwl(type value, u16 port)		\
{									\
	asm volatile("out" #bwl " %" #bw "0, %w1"			\
		     : : "a"(value), "Nd"(port));			\
}									\
static __always_inline type __in##bwl(u16 port)			\
{									\
	type value;							\
	asm volatile("in" #bwl " %w1, %" #bw "0"			\
		     : "=a"(value) : "Nd"(port));			\
	return value;							\
}									\
static inline void ins##bwl(u16 port, void *addr, unsigned long count)	\
{									\
	asm volatile("rep; ins" #bwl					\
		     : "+D"(addr), "+c"(count) : "d"(port) : "memory");	\
}									\
static inline void outs##bwl(u16 port, const void *addr, unsigned long count) \
{									\
	asm volatile("rep; outs" #bwl					\
		     : "+S"(addr), "+c"(count) : "d"(port));		\
}

BUILDIO(b, b, u8)
BUILDIO(w, w, u16)
BUILDIO(l, , u32)

u32 port_roundtrip(u16 port)
{
	__outb(1, port);
	__outw(2, port);
	__outl(3, port);
	return __inb(port) + __inw(port) + __inl(port);
}

/* a constant port gives the imm8 encodings */
void io_delay(void)
{
	__outb(0, 0x80);
}

u8 cmos_read(u8 reg)
{
	__outb(reg, 0x70);
	return __inb(0x71);
}

void string_io(void *buf, unsigned long n)
{
	insb(0x1f0, buf, n);
	insw(0x1f0, buf, n);
	insl(0x1f0, buf, n);
	outsb(0x1f0, buf, n);
	outsw(0x1f0, buf, n);
	outsl(0x1f0, buf, n);
}

/* suffixless spellings with explicit registers */
u8 raw_in(void)
{
	u8 v;

	asm volatile("in (%%dx),%%al\n\tout %%al,(%%dx)" : "=a"(v) : "d"(0x3f8));
	return v;
}
