/* io.h shapes for memory-mapped I/O: the build_mmio_read/build_mmio_write
 * accessors, the __raw_ and _relaxed spellings (macros in Linux 6.1 x86, so
 * the asm is inlined from __raw_*), and an ioread32-like out-of-line caller. */
#include "kernel_like.h"

#define __iomem

#define build_mmio_read(name, size, type, reg, barrier)			\
static inline type name(const volatile void __iomem *addr)		\
{ type ret; asm volatile("mov" size " %1,%0":reg (ret)			\
:"m" (*(volatile type *)addr) barrier); return ret; }

#define build_mmio_write(name, size, type, reg, barrier)		\
static inline void name(type val, volatile void __iomem *addr)		\
{ asm volatile("mov" size " %0,%1": :reg (val),				\
"m" (*(volatile type *)addr) barrier); }

build_mmio_read(readb, "b", unsigned char, "=q", :"memory")
build_mmio_read(readw, "w", unsigned short, "=r", :"memory")
build_mmio_read(readl, "l", unsigned int, "=r", :"memory")
build_mmio_read(readq, "q", unsigned long, "=r", :"memory")
build_mmio_read(__raw_readl, "l", unsigned int, "=r", )
build_mmio_write(writeb, "b", unsigned char, "q", :"memory")
build_mmio_write(writew, "w", unsigned short, "r", :"memory")
build_mmio_write(writel, "l", unsigned int, "r", :"memory")
build_mmio_write(writeq, "q", unsigned long, "r", :"memory")
build_mmio_write(__raw_writel, "l", unsigned int, "r", )

#define readl_relaxed(a) __raw_readl(a)
#define writel_relaxed(v, a) __raw_writel(v, a)

/* each function's accessors, checked at -O2/-Os where they are inlined:
 * expect-mmio: dev_reset mmio_write 1 1
 * expect-mmio: dev_reset mmio_write 4 1
 * expect-mmio: dev_status mmio_read 2 1
 * expect-mmio: dev_status mmio_read 4 2
 * expect-mmio: dev_copy64 mmio_read 8 1
 * expect-mmio: dev_copy64 mmio_write 8 1
 * expect-mmio: dev_copy64 mmio_write 2 1
 * expect-mmio: ioread32 mmio_read 4 1
 * expect-mmio: ioread8 mmio_read 1 1
 * expect-mmio: lapic_eoi mmio_write 4 1
 * expect-mmio: alt_not_marked mmio_read 1 0
 */
void dev_reset(volatile void __iomem *regs)
{
	writeb(1, regs);
	writel_relaxed(0, (volatile char __iomem *)regs + 4);
}

unsigned int dev_status(volatile void __iomem *regs)
{
	return readw(regs) + readl((volatile char __iomem *)regs + 8) +
	       readl_relaxed((volatile char __iomem *)regs + 12);
}

void dev_copy64(volatile void __iomem *dst, const volatile void __iomem *src)
{
	writeq(readq(src), dst);
	writew(0, dst);
}

/* lib/iomap.c: out-of-line functions that inline the accessors */
unsigned int ioread32(const void __iomem *addr) { return readl(addr); }
unsigned int ioread8(const void __iomem *addr) { return readb(addr); }

/* a normal memory access next to them is not a site */
unsigned int not_mmio(const unsigned int *p) { return *p; }

/* arch/x86/include/asm/apic.h: the local APIC is written through an
 * ALTERNATIVE (xchg for the Pentium 11AP erratum, never applied on x86-64);
 * the rules mark this accessor "alternative", so its mov is a site inside
 * the ALTERNATIVE's original */
static inline void native_apic_mem_write(unsigned int reg, unsigned int v)
{
	volatile unsigned int *addr = (volatile unsigned int *)(0xffffffffff5fc000UL + reg);

	asm volatile(ALTERNATIVE("movl %0, %P1", "xchgl %0, %P1", 0x125)
		     : "=r"(v), "=m"(*addr) : "0"(v), "m"(*addr));
}

void lapic_eoi(void) { native_apic_mem_write(0xb0, 0); }

/* an accessor the rules do not mark "alternative", written inside one:
 * the kernel owns those bytes, so no site */
static inline unsigned char readb_relaxed(const volatile void __iomem *addr)
{
	unsigned char ret;

	asm volatile(ALTERNATIVE("movb %1, %0", "movb %1, %0", 0x125) : "=q"(ret) : "m"(*(volatile unsigned char *)addr));
	return ret;
}

unsigned char alt_not_marked(const volatile void __iomem *p) { return readb_relaxed(p); }

