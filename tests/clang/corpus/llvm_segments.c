/* The new kinds in template shapes that LLVM IR spells differently from
 * GCC: "int $0x80" becomes "int $$0x80" (and "int $3", which assemblers
 * encode as int3, "int $$3"), "mov %0,%%ds" becomes "mov $0,%ds", "%k0"
 * becomes "${0:k}", "%w[s]" a "${N:w}", "%%ss" "%ss".  The pass must give
 * each the kind (or no site) the GCC plugin gives the GCC spelling. */
#include "../../corpus/kernel_like.h"

void llvm_int(void)
{
	asm volatile("int $0x80");
	asm volatile("int $3");      /* no site: CC */
	asm volatile("int3");        /* no site */
	asm volatile("int $0x21");
}

u32 llvm_segments(u16 sel)
{
	u32 v, w;

	asm volatile("mov %0,%%ds" : : "r" (sel) : "memory");
	asm volatile("mov %k0,%%es" : : "r" ((u32)sel) : "memory");
	asm volatile("mov %k[s],%%ss" : : [s] "r" ((u32)sel) : "memory");
	asm volatile("mov %%gs,%k0" : "=r" (v));
	asm volatile("push %%fs\n\tpop %%fs" : : : "memory");
	asm volatile("lsl %k1,%k0" : "=r" (w) : "r" ((u32)sel));
	asm volatile("verw %w[s]" : : [s] "r" (sel) : "cc");
	return v ^ w;
}

void llvm_far_and_system(const void *p, void *xbuf)
{
	asm volatile("ljmp *%0" : : "m" (*(const char *)p));
	asm volatile("lretq");
	asm volatile("stac\n\tclac" : : : "memory");
	asm volatile("xsaves64 %0" : "=m" (*(char *)xbuf) : "a" (-1), "d" (-1) : "memory");
	asm volatile("xrstors64 %0" : : "m" (*(char *)xbuf), "a" (-1), "d" (-1) : "memory");
	asm volatile("vmmcall" : : "a" (0) : "memory");
}
