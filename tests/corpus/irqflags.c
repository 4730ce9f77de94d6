/* irqflags.h shapes: cli/sti, pushf;pop and push;popf templates, the safe-halt
 * sequence (sti;hlt must stay adjacent), hlt. */
#include "kernel_like.h"

static __always_inline unsigned long native_save_fl(void)
{
	unsigned long flags;

	asm volatile("# __raw_save_flags\n\t"
		     "pushf ; pop %0"
		     : "=rm" (flags) : : "memory");
	return flags;
}

static __always_inline void native_restore_fl(unsigned long flags)
{
	asm volatile("push %0 ; popf" : : "g" (flags) : "memory", "cc");
}

static __always_inline void native_irq_disable(void) { asm volatile("cli" : : : "memory"); }
static __always_inline void native_irq_enable(void) { asm volatile("sti" : : : "memory"); }
static __always_inline void native_safe_halt(void) { asm volatile("sti; hlt" : : : "memory"); }
static __always_inline void native_halt(void) { asm volatile("hlt" : : : "memory"); }

unsigned long irq_save(void)
{
	unsigned long f = native_save_fl();

	native_irq_disable();
	return f;
}

void irq_restore(unsigned long f)
{
	if (f & 0x200)
		native_irq_enable();
}

void irq_restore_popf(unsigned long f)
{
	native_restore_fl(f);
}

void idle(int deep)
{
	if (deep)
		native_halt();
	else
		native_safe_halt();
}

/* quadq-style: pushfq/popfq spellings in one multi-instruction template */
unsigned long flags_roundtrip(void)
{
	unsigned long f;

	asm volatile("pushfq\n\tpopq %0\n\tpushq %0\n\tpopfq" : "=&r" (f) : : "memory", "cc");
	return f;
}

/* A loop unrolled at every -O level (pragma): every copy of the asm
 * is its own site.  (The miscompilation check proves the plugin did not
 * change the unrolling: with and without it the code is the same.) */
void cli_many(unsigned long *flags)
{
#pragma GCC unroll 4
	for (int i = 0; i < 4; i++) {
		flags[i] = native_save_fl();
		native_irq_disable();
	}
}
