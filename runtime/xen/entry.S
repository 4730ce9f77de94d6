/* SPDX-License-Identifier: MIT */
/*
 * The handler blob's entry from a port-I/O thunk (patch/xen.c writes the
 * thunks), and the two addresses the loader fills in (struct pv_xen_slots).
 *
 *   thunk:  lea -128(%rsp),%rsp ; push $desc ; call pv_xen_pio_entry
 *           <original in/out>   ; lea 136(%rsp),%rsp ; jmp <end of site>
 *
 * The entry saves rflags and every register the C code may clobber
 * (struct pv_pio_frame), calls pv_xen_pio(frame), restores everything
 * (with rax as the handler left it, for in) and returns into the thunk:
 * to the original instruction when the port is not emulated, past it
 * (by the length in desc bits 20-23) when it was.
 * Position-independent: the blob is copied into the kernel's pool.
 */
/*
 * The L4 blob (runtime/l4/) is built from this same file with
 * -DPV_PIO_BLOB_L4: the same entry under its own names, calling pv_l4_pio.
 */
#ifdef PV_PIO_BLOB_L4
#define pv_xen_pio_entry pv_l4_pio_entry
#define pv_xen_pio       pv_l4_pio
#define pv_xen_slots     pv_l4_slots
#endif
	.text
	.globl	pv_xen_pio_entry
	.hidden	pv_xen_pio_entry
	.type	pv_xen_pio_entry, @function
pv_xen_pio_entry:
	pushfq
	cli				/* the models' lock is held with interrupts off; popfq restores IF */
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	movq	%rsp, %rdi
	cld				/* the C code may assume DF=0 */
	call	pv_xen_pio
	testl	%eax, %eax
	jz	1f
	movq	88(%rsp), %rcx		/* desc */
	shrl	$20, %ecx
	andl	$15, %ecx
	addq	%rcx, 80(%rsp)		/* return past the original instruction */
1:	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	popfq
	/* ret as an inline return thunk (gcc -mfunction-return=thunk-inline does the same) */
	call	3f
2:	pause
	lfence
	jmp	2b
3:	leaq	8(%rsp), %rsp
	ret
	.size	pv_xen_pio_entry, . - pv_xen_pio_entry

	.balign	8
	.globl	pv_xen_slots
	.hidden	pv_xen_slots
	.type	pv_xen_slots, @object
pv_xen_slots:
	.quad	0			/* state: struct pv_xen_state * */
	.quad	0			/* vmmcall: 1 on AMD/Hygon */
	.size	pv_xen_slots, . - pv_xen_slots

	.section .note.GNU-stack, "", @progbits
