/*
 * Interrupt shadows (Intel SDM Vol. 3A 6.8.3): sti, mov to %ss and pop %ss
 * keep interrupts blocked for exactly one more instruction.  Linux writes
 * "sti; mwait" and "sti; hlt" as one asm for that reason; a pad between
 * them would let a wake-up interrupt in before the halt.  Each pair below
 * must be one site (kind of the first instruction, flag SHADOW).  (pop %ss
 * does not exist in 64-bit mode.)
 */
#include "kernel_like.h"

void sti_mwait_bytes(unsigned long eax, unsigned long ecx)
{
	/* arch/x86/include/asm/mwait.h: __sti_mwait */
	asm volatile("sti; .byte 0x0f, 0x01, 0xc9;" :: "a"(eax), "c"(ecx));
}

void sti_mwait_mnemonic(unsigned long eax, unsigned long ecx)
{
	asm volatile("sti\n\tmwait" :: "a"(eax), "c"(ecx));
}

void sti_labelled_hlt(void)
{
	asm volatile("sti\n1:\thlt\n\t.pushsection .discard.x,\"a\"\n\t.long 1b - .\n\t.popsection"
		     ::: "memory");
}

void sti_then_nop_with_comment(void)
{
	asm volatile("sti /* the shadow covers the next one */\n\tnop" ::: "memory");
}

void ss_reload(unsigned short sel)
{
	asm volatile("mov %0, %%ss\n\tmov %%rsp, %%rax" :: "r"(sel) : "rax", "memory");
}

void lone_sti(void)
{
	/* the statement ends here: the compiler picks what follows */
	asm volatile("sti" ::: "memory");
}
