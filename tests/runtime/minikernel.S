/* SPDX-License-Identifier: MIT */
/*
 * The hand-written part of the mini kernel that loader-check parses: an
 * entry, an rdmsr site with an exception-table entry (EXTABLE), and an
 * interrupt-shadow pair `sti; push %rax` (SHADOW), each with its own
 * .previrt record as the plugin would write it, plus one header record.
 * Kinds: rdmsr 15, sti 2 (build/gen/previrt_rules.h; loader-check asserts them).
 */
	.text
	.globl	mk_start
mk_start:
	hlt
	jmp	mk_start

	.globl	mk_rdmsr_safe
mk_rdmsr_safe:
1:	rdmsr
	.nops	3
	xorl	%eax, %eax
	ret
3:	movl	$-5, %eax
	ret
	.pushsection __ex_table, "a"
	.balign	4
	.long	1b - ., 3b - ., 0
	.popsection
	.pushsection .previrt, "a"
	.balign	4
	.long	1b - .
	.short	15
	.byte	5, 2, 0x01, 0
	.short	0
	.popsection

	.globl	mk_sti_push
mk_sti_push:
4:	sti
	pushq	%rax
	.nops	3
	popq	%rax
	ret
	.pushsection .previrt, "a"
	.balign	4
	.long	4b - .
	.short	2
	.byte	5, 2, 0x80, 0
	.short	0
	.long	0x54525650
	.short	0
	.byte	2, 12, 3, 0, 0, 0
	.popsection

	.section .note.GNU-stack, "", @progbits
