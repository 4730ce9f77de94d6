/* Template shapes that look different in LLVM IR than in GCC: clang turns
 * "%0" into "$0", "%b0" into "${0:b}", "%%cr4" into "%cr4", "$0x80" into
 * "$$0x80", "%[name]" into "$N", "%=" into "${:uid}" and "%l[label]" into
 * "${N:l}".  The pass must classify and copy them exactly as GCC's plugin
 * does the GCC spellings.  Also: an MMIO accessor inlined twice into
 * branches that the optimiser merges, asm goto with outputs (a callbr
 * with results), and an accessor inlined into a noinstr function. */
#include "../../corpus/kernel_like.h"

#define __iomem

static inline void writel(unsigned int val, volatile void __iomem *addr)
{
	asm volatile("movl %0,%1" : : "r" (val), "m" (*(volatile unsigned int *)addr) : "memory");
}

static inline unsigned int readl(const volatile void __iomem *addr)
{
	unsigned int ret;

	asm volatile("movl %1,%0" : "=r" (ret) : "m" (*(volatile unsigned int *)addr) : "memory");
	return ret;
}

/* operand modifiers, immediates, literal '%' registers, named operands */
void modifiers(unsigned char v, unsigned long cr4)
{
	asm volatile("outb %b0, $0x80" : : "a" (v));
	asm volatile("inb $0x71, %b0" : "=a" (v));
	asm volatile("movq %q[val], %%cr4" : : [val] "r" (cr4) : "memory");
	asm volatile("mov %%db7, %q0" : "=r" (cr4));
}

/* %= gives each emitted copy its own label (LLVM: ${:uid}) */
void unique_labels(int n)
{
	for (int i = 0; i < n; i++)
		asm volatile("cli\n.Lpv%=:\n\tnop" : : : "memory");
}

/* asm goto with an output: a callbr that returns a value */
int goto_with_output(unsigned int msr)
{
	unsigned int lo, hi;

	asm goto("rdmsr\n\t"
		 "test %%eax, %%eax\n\t"
		 "jz %l[zero]" : "=a" (lo), "=d" (hi) : "c" (msr) : "cc" : zero);
	return lo + hi;
zero:
	return -1;
}

/* the same accessor call at the head of both arms: the optimiser hoists the
 * two into one call (and drops unknown metadata from it, !srcloc included).
 * It must still be an MMIO site: the early pass's marker is part of the asm
 * text, which a merge keeps.
 * expect-mmio: merged_arms mmio_write 4 1
 */
void ext1(void);
void ext2(void);
void merged_arms(volatile void __iomem *regs, int c)
{
	if (c) {
		writel(1, regs);
		ext1();
	} else {
		writel(1, regs);
		ext2();
	}
}

/* an accessor inlined into entry code: MMIO and NOINSTR flags together
 * expect-mmio: poll_in_entry mmio_read 4 1
 */
noinstr unsigned int poll_in_entry(const volatile void __iomem *regs)
{
	return readl(regs) & 1;
}

/* not an accessor: a plain memory access through the same pointer type */
unsigned int not_mmio(const volatile unsigned int *p) { return *p; }
