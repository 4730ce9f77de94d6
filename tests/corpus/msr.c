/* msr.h, processor.h, fpu/xcr.h shapes: rdmsr/wrmsr with exception-table
 * entries (labels before the instruction), the unsafe forms, time stamp and
 * performance counters, cpuid and the XCR registers. */
#include "kernel_like.h"

#define EX_TYPE_RDMSR 6
#define EX_TYPE_WRMSR 8

static __always_inline u64 native_read_msr(u32 msr)
{
	u32 low, high;

	asm volatile("1: rdmsr\n"
		     "2:\n"
		     ASM_EXTABLE(1b, 2b, EX_TYPE_RDMSR)
		     : "=a" (low), "=d" (high) : "c" (msr));
	return low | ((u64)high << 32);
}

static __always_inline void native_write_msr(u32 msr, u32 low, u32 high)
{
	asm volatile("1: wrmsr\n"
		     "2:\n"
		     ASM_EXTABLE(1b, 2b, EX_TYPE_WRMSR)
		     : : "c" (msr), "a"(low), "d" (high) : "memory");
}

/* no exception table: the flag must stay clear */
static __always_inline u64 __rdmsr_plain(u32 msr)
{
	u32 low, high;

	asm volatile("rdmsr" : "=a" (low), "=d" (high) : "c" (msr));
	return low | ((u64)high << 32);
}

u64 msr_update(u32 msr, u64 set)
{
	u64 v = native_read_msr(msr) | set;

	native_write_msr(msr, (u32)v, (u32)(v >> 32));
	return v + __rdmsr_plain(msr + 1);
}

u64 timing(void)
{
	u32 lo, hi, aux, plo, phi;

	asm volatile("rdtsc" : "=a" (lo), "=d" (hi));
	asm volatile("rdtscp" : "=a" (lo), "=d" (hi), "=c" (aux));
	asm volatile("rdpmc" : "=a" (plo), "=d" (phi) : "c" (0));
	return ((u64)hi << 32 | lo) + aux + plo + phi;
}

void native_cpuid(u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	asm volatile("cpuid"
		     : "=a" (*eax), "=b" (*ebx), "=c" (*ecx), "=d" (*edx)
		     : "0" (*eax), "2" (*ecx)
		     : "memory");
}

u64 xcr(u32 index, u64 value)
{
	u32 eax, edx;

	asm volatile("xgetbv" : "=a" (eax), "=d" (edx) : "c" (index));
	asm volatile("xsetbv" : : "a" ((u32)value), "d" ((u32)(value >> 32)), "c" (index)
		     : "memory");
	return eax + ((u64)edx << 32);
}
