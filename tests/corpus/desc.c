/* desc.h, sync_core.h, special_insns.h (pkru, monitor/mwait as .byte) shapes. */
#include "kernel_like.h"

struct desc_ptr { u16 size; u64 address; } __attribute__((packed));

void load_tables(const struct desc_ptr *gdt, const struct desc_ptr *idt, u16 ldt, u16 tr)
{
	asm volatile("lgdt %0" : : "m" (*gdt));
	asm volatile("lidt %0" : : "m" (*idt));
	asm volatile("lldt %w0" : : "q" (ldt));
	asm volatile("ltr %w0" : : "q" (tr));
}

u64 store_tables(struct desc_ptr *gdt, struct desc_ptr *idt)
{
	unsigned long ldt, tr;

	asm volatile("sgdt %0" : "=m" (*gdt));
	asm volatile("sidt %0" : "=m" (*idt));
	asm volatile("sldt %0" : "=r" (ldt));
	asm volatile("str %0" : "=r" (tr));
	return ldt + tr;
}

/* sync_core.h: iret_to_self builds a frame with pushfq and returns with iretq */
void iret_to_self(void)
{
	unsigned int tmp;

	asm volatile("mov %%ss, %0\n\t"
		     "pushq %q0\n\t"
		     "pushq %%rsp\n\t"
		     "addq $8, (%%rsp)\n\t"
		     "pushfq\n\t"
		     "mov %%cs, %0\n\t"
		     "pushq %q0\n\t"
		     "pushq $1f\n\t"
		     "iretq\n\t"
		     "1:"
		     : "=&r" (tmp) : : "cc", "memory");
}

/* monitor/mwait and pkru are spelled as bytes in the kernel headers */
void mwait_idle(const void *addr, unsigned long hints)
{
	asm volatile(".byte 0x0f, 0x01, 0xc8;" : : "a" (addr), "c" (0), "d" (0));
	asm volatile(".byte 0x0f, 0x01, 0xc9;" : : "a" (hints), "c" (1));
}

u32 pkru(u32 v)
{
	u32 pk, edx;

	asm volatile(".byte 0x0f,0x01,0xee\n\t" : "=a" (pk), "=d" (edx) : "c" (0));
	asm volatile(".byte 0x0f,0x01,0xef\n\t" : : "a" (v), "c" (0), "d" (0));
	return pk;
}

/* the mnemonic spellings of the same instructions */
void mwait_mnemonic(const void *addr)
{
	asm volatile("monitor" : : "a" (addr), "c" (0), "d" (0));
	asm volatile("mwait" : : "a" (0), "c" (0));
}

unsigned long cpu_number(void)
{
	unsigned long p;

	asm volatile("rdpid %0" : "=r" (p));
	return p;
}
