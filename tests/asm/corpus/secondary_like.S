/*
 * Linux 6.12's secondary_startup_64 shape (arch/x86/kernel/head_64.S), in
 * .text, not .head.text: a secondary CPU switches page tables, which
 * unmaps the real-mode stack it came with, and runs on without a stack
 * until it loads %rsp.  The sites in between are NOSTACK (xflags 1,
 * format.h), the ones after the %rsp load and after the symbol's end are
 * not.
 */
	.text
	.globl secondary_like
secondary_like:
	movq	%rax, %cr3
	movq	%cr4, %rcx
	orl	$0x20, %ecx
	movq	%rcx, %cr4
	movl	$0x1b, %ecx
	rdmsr
	movq	8(%rdx), %rsp
	lgdt	(%rsp)
	ret
	.size	secondary_like, .-secondary_like

	.globl after_like
after_like:
	rdmsr
	ret
	.size	after_like, .-after_like
