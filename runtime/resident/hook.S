/* SPDX-License-Identifier: MIT */
/*
 * The resident patcher's way in and out (resident.h):
 *
 *   pv_res_hook        the kernel's calls (or tail jumps) to module_finalize
 *                      come here instead, with (hdr, sechdrs, mod) in
 *                      rdi/rsi/rdx.  It runs pv_res_module(hdr, sechdrs),
 *                      then goes on into module_finalize with the same
 *                      arguments, or returns its refusal (-ENOEXEC) to
 *                      load_module, which then frees the module.
 *   pv_res_finalize    `jmp rel32` to module_finalize   } the loader writes
 *   pv_res_printk      `jmp rel32` to the kernel's printk } the rel32s
 *   pv_res_noprint     what pv_res_printk jumps to when the kernel has none
 *   pv_res_slots       struct pv_res_slots (the loader fills it)
 *
 * No indirect branch; every return is an inline return thunk, as in the
 * Xen blob (runtime/xen/entry.S), so the code is no retpoline/retbleed
 * hole in a kernel built with those mitigations.
 */
	.text
	.globl	pv_res_hook
	.hidden	pv_res_hook
	.type	pv_res_hook, @function
pv_res_hook:
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	call	pv_res_module
	popq	%rdx
	popq	%rsi
	popq	%rdi
	testl	%eax, %eax
	jz	pv_res_finalize
	/* refused: return eax to load_module (inline return thunk) */
	call	2f
1:	pause
	lfence
	jmp	1b
2:	leaq	8(%rsp), %rsp
	ret
	.size	pv_res_hook, . - pv_res_hook

	.globl	pv_res_finalize
	.hidden	pv_res_finalize
pv_res_finalize:
	.byte	0xe9			/* jmp rel32: module_finalize */
	.long	0

	.globl	pv_res_printk
	.hidden	pv_res_printk
	.type	pv_res_printk, @function
pv_res_printk:
	.byte	0xe9			/* jmp rel32: _printk, or pv_res_noprint */
	.long	0
	.size	pv_res_printk, . - pv_res_printk

	.globl	pv_res_noprint
	.hidden	pv_res_noprint
pv_res_noprint:
	xorl	%eax, %eax
	call	4f
3:	pause
	lfence
	jmp	3b
4:	leaq	8(%rsp), %rsp
	ret

	.section .rodata
	.balign	8
	.globl	pv_res_slots
	.hidden	pv_res_slots
pv_res_slots:
	.quad	0			/* state */
	.size	pv_res_slots, . - pv_res_slots
	.section .note.GNU-stack, "", @progbits
