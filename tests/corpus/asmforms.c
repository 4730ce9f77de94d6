/* The asm forms the plugin must handle besides plain extended asm: basic
 * asm, asm goto, code pushed into other sections, kernel ALTERNATIVEs (whose
 * original and replacement must not be annotated), noinstr functions, and
 * top-level asm blocks (rethook.c has one with pushf/popf). */
#include "kernel_like.h"

/* basic asm: no operands, '%' is literal, '%=' would not expand */
void basic_asm(void)
{
	asm("cli");
	asm("mov %rax, %cr3");
	asm volatile("sti\n\tnop");
}

/* asm goto: a site inside a template that jumps to a C label */
int asm_goto(int x)
{
	asm goto("1: cli\n\t"
		 "jmp %l[out]" : : : "memory" : out);
	return x;
out:
	return -x;
}

/* a label made unique by the compiler (%= in GCC, ${:uid} once clang has
 * translated the template) on the same line as the instruction */
void unique_label(void)
{
	asm volatile(".Lprevirt_test%=: cli\n\t"
		     "jmp .Lprevirt_test%=\n\t" "nop" : : : "memory");
}

/* code the asm pushes into the noinstr section itself */
void pushed_noinstr(void)
{
	asm volatile(".pushsection .noinstr.text, \"ax\"\n"
		     "pushed_noinstr_thunk:\n\t"
		     "cli\n\t"
		     "ret\n"
		     ".popsection");
}

/* a function placed in .noinstr.text: sites get the NOINSTR flag */
noinstr void entry_like(void)
{
	asm volatile("swapgs" : : : "memory");
	asm volatile("cli" : : : "memory");
}

/* ALTERNATIVE: rdtsc is the original, rdtscp the replacement.  Neither may
 * become a site: the kernel patches these bytes itself. */
u64 rdtsc_ordered(void)
{
	u32 lo, hi;

	asm volatile(ALTERNATIVE("rdtsc", "rdtscp", 123) : "=a" (lo), "=d" (hi) : : "ecx");
	return (u64)hi << 32 | lo;
}

/* a sensitive instruction next to (not inside) an ALTERNATIVE */
void alt_neighbour(void)
{
	asm volatile("cli\n\t" ALTERNATIVE("nop", "wbinvd", 77) : : : "memory");
}

/* data pushed by the asm: a .byte in a data section is not an instruction */
void data_bytes(void)
{
	asm volatile(".pushsection .rodata\n\t.byte 0x0f, 0x01, 0xc8\n\t.popsection");
}

/* top-level asm, as in kernel/trace/rethook.c and entry code */
asm(".pushsection .text, \"ax\"\n"
    ".globl toplevel_trampoline\n"
    "toplevel_trampoline:\n\t"
    "pushfq\n\t"
    "cli\n\t"
    "popfq\n\t"
    "ret\n"
    ".popsection\n");

asm(".pushsection .text, \"ax\"\n"
    ".globl toplevel_exit\n"
    "toplevel_exit:\n\t"
    "swapgs\n\t"
    "sysretq\n"
    "toplevel_exit32:\n\t"
    "sysexitl\n"
    ".popsection\n");
