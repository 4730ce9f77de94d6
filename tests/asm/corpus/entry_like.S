/*
 * Hand-written assembly shaped like Linux's arch/x86/entry and head code:
 * sensitive instructions in macros, in .entry.text and .noinstr.text, in
 * exception-table-protected form, in ALTERNATIVE replacement code, next to
 * interrupt shadows, and spelled as .byte.  (32-bit code, which 64-bit
 * objdump cannot tell apart, is pinned in tests/rewriter.)
 */
#define SWAPGS swapgs
#define _ASM_EXTABLE(from, to) \
	.pushsection "__ex_table","a" ; .balign 4 ; .long (from) - . ; \
	.long (to) - . ; .long 0 ; .popsection

.macro SWITCH_CR3 reg:req
	mov	%cr3, \reg
	or	$0x1000, \reg
	mov	\reg, %cr3
.endm

	.section .entry.text, "ax"
	.globl entry_like_syscall
entry_like_syscall:
	SWAPGS
	SWITCH_CR3 %rdi
	pushq	%rax
	popq	%rax
	sti			/* the shadow covers sysretq */
	sysretq

	.globl entry_like_iret
entry_like_iret:
	pushfq
	popfq
	iretq

	.section .noinstr.text, "ax"
	.globl safe_msr
safe_msr:
1:	rdmsr
2:	ret
	_ASM_EXTABLE(1b, 2b)
1:	wrmsr			/* reuses label 1: not protected */
	ret

	.text
	.globl halt_loop
halt_loop:
	cli
	.byte 0x0f, 0x01, 0xc8	/* monitor */
	sti
	.byte 0x0f, 0x01, 0xc9	/* mwait, in the sti shadow */
	rdtsc
	ret

	.pushsection .altinstr_replacement, "ax"
	wbinvd			/* replacement code: the kernel patches it itself */
	.popsection

	lgdt	(%rax)
	ret

/* The mnemonic is a macro parameter (Linux's arch/x86/lib/msr-reg.S):
 * only the expansion tells rdmsr from wrmsr, or from a harmless pause. */
.macro op_safe op
1:	\op
2:	ret
	_ASM_EXTABLE(1b, 2b)
.endm
.macro plain_op op
	\op
.endm
	.globl rd_safe, wr_safe
rd_safe:
	op_safe rdmsr
wr_safe:
	op_safe wrmsr
	plain_op pause
	ret

/*
 * Linux's asm_load_gs_index: the exception-table label is followed by a
 * macro that emits no code (ANNOTATE_NOENDBR), so it still names the
 * segment load; and a macro named in an ALTERNATIVE's arguments (ZAP_GS)
 * is assembled into replacement code, where no site may be.
 */
.macro ANNOTATE_X
.Lhere_\@:
	.pushsection .discard.x
	.quad .Lhere_\@
	.popsection
.endm
.macro ZAP
	movl	$0, %eax
	movl	%eax, %gs
.endm
.macro ALT oldinstr, newinstr
140:
	\oldinstr
141:
	.skip -(((144f-143f)-(141b-140b)) > 0) * ((144f-143f)-(141b-140b)),0x90
142:
	.pushsection .altinstructions,"a"
	.long 140b - .
	.long 143f - .
	.short 0
	.byte 141b-140b
	.byte 144f-143f
	.popsection
	.pushsection .altinstr_replacement,"ax"
143:
	\newinstr
144:
	.popsection
.endm
	.globl load_gs_like
load_gs_like:
	swapgs
.Lgs_change:
	ANNOTATE_X
	movl	%edi, %gs
	swapgs
	ret
.Lbad_gs:
	swapgs
	ALT "", "ZAP"
	xorl	%eax, %eax
	movl	%eax, %gs
	ret
	_ASM_EXTABLE(.Lgs_change, .Lbad_gs)
