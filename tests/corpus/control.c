/* special_insns.h, debugreg.h, tlbflush.h, fsgsbase.h shapes: control and
 * debug registers (both %db and %dr spellings), TLB and cache control,
 * swapgs, fs/gs base. */
#include "kernel_like.h"

static __always_inline unsigned long read_cr0(void)
{ unsigned long v; asm volatile("mov %%cr0,%0\n\t" : "=r" (v)); return v; }
static __always_inline void write_cr0(unsigned long v)
{ asm volatile("mov %0,%%cr0" : "+r" (v) : : "memory"); }
static __always_inline unsigned long read_cr2(void)
{ unsigned long v; asm volatile("mov %%cr2,%0" : "=r" (v)); return v; }
static __always_inline unsigned long read_cr3(void)
{ unsigned long v; asm volatile("mov %%cr3,%0" : "=r" (v)); return v; }
static __always_inline void write_cr3(unsigned long v)
{ asm volatile("mov %0,%%cr3" : : "r" (v) : "memory"); }
static __always_inline unsigned long read_cr4(void)
{ unsigned long v; asm volatile("movq %%cr4,%0" : "=r" (v)); return v; }
static __always_inline void write_cr4(unsigned long v)
{ asm volatile("movq %0,%%cr4" : "+r" (v) : : "memory"); }
static __always_inline unsigned long read_cr8(void)
{ unsigned long v; asm volatile("mov %%cr8,%0" : "=r" (v)); return v; }

unsigned long cr_shuffle(unsigned long pgd)
{
	unsigned long cr0 = read_cr0(), cr4 = read_cr4();

	write_cr3(pgd);
	write_cr4(cr4 | 0x80);
	write_cr0(cr0);
	return read_cr2() + read_cr3() + read_cr8();
}

static __always_inline unsigned long get_debugreg0(void)
{ unsigned long v; asm("mov %%db0, %0" : "=r" (v)); return v; }
static __always_inline unsigned long get_debugreg7(void)
{ unsigned long v; asm("mov %%dr7, %0" : "=r" (v)); return v; }
static __always_inline void set_debugreg7(unsigned long v)
{ asm("mov %0, %%db7" : : "r" (v)); }
static __always_inline void set_debugreg6(unsigned long v)
{ asm("movq %0, %%dr6" : : "r" (v)); }

unsigned long dr_shuffle(unsigned long v)
{
	set_debugreg7(v);
	set_debugreg6(0);
	return get_debugreg0() ^ get_debugreg7();
}

void tlb_and_cache(unsigned long addr, unsigned long pcid)
{
	struct { u64 d[2]; } desc = { { pcid, addr } };

	asm volatile("invlpg (%0)" : : "r" (addr) : "memory");
	asm volatile("invpcid %[desc], %[type]" : : [desc] "m" (desc), [type] "r" (2UL) : "memory");
	asm volatile("wbinvd" : : : "memory");
	asm volatile("invd" : : : "memory");
	asm volatile(".byte 0xf3,0x0f,0x09" : : : "memory");    /* wbnoinvd */
}

void msw_and_ts(void)
{
	unsigned short m;

	asm volatile("clts");
	asm volatile("smsw %0" : "=r" (m));
	asm volatile("lmsw %0" : : "r" (m));
}

void native_swapgs(void)
{
	asm volatile("swapgs" : : : "memory");
}

unsigned long fsgs(unsigned long v)
{
	unsigned long fs, gs;

	asm volatile("rdfsbase %0" : "=r" (fs) : : "memory");
	asm volatile("rdgsbase %0" : "=r" (gs) : : "memory");
	asm volatile("wrfsbase %0" : : "r" (v) : "memory");
	asm volatile("wrgsbase %0" : : "r" (v) : "memory");
	return fs ^ gs;
}
