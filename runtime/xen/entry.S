/* SPDX-License-Identifier: MIT */
/*
 * The handler blob's entries from a port-I/O thunk and from an MMIO thunk
 * (patch/xen.c writes the thunks), and the two addresses the loader fills
 * in (struct pv_xen_slots).
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

#ifndef PV_PIO_BLOB_L4
/*
 * The entry from an MMIO thunk (patch/xen.c), the same shape with a
 * different frame:
 *
 *   thunk:  lea -128(%rsp),%rsp ; push $desc ; call pv_xen_mmio_entry
 *           <original mov>      ; lea 136(%rsp),%rsp ; jmp <end of site>
 *
 * Every general register but %rsp is saved, in a frame indexed by
 * register number (struct pv_mmio_frame: r[0] = rax ... r[15] = r15), so
 * pv_xen_mmio can read any address or source register and write any
 * destination; r[4] holds the site's %rsp (the thunk's 136 bytes and this
 * entry's return address and rflags above the frame's r[]: 240 bytes up
 * from where it is pushed).  Everything is restored from the frame, so a
 * load's result reaches its register by the pops.  The L4 blob has no
 * MMIO entry.
 */
	.globl	pv_xen_mmio_entry
	.hidden	pv_xen_mmio_entry
	.type	pv_xen_mmio_entry, @function
pv_xen_mmio_entry:
	pushfq
	cli				/* as the port-I/O entry: the models' lock is held with IF off */
	pushq	%r15
	pushq	%r14
	pushq	%r13
	pushq	%r12
	pushq	%r11
	pushq	%r10
	pushq	%r9
	pushq	%r8
	pushq	%rdi
	pushq	%rsi
	pushq	%rbp
	pushq	%rsp			/* r[4]: pushes the value before the push */
	addq	$240, (%rsp)		/* ... made the site's %rsp (flags are saved) */
	pushq	%rbx
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
	movq	%rsp, %rdi
	cld
	call	pv_xen_mmio
	testl	%eax, %eax
	jz	1f
	movq	144(%rsp), %rcx		/* desc */
	shrl	$20, %ecx
	andl	$15, %ecx
	addq	%rcx, 136(%rsp)		/* return past the original instruction */
1:	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rbx
	leaq	8(%rsp), %rsp		/* r[4]: %rsp is not restored from the frame */
	popq	%rbp
	popq	%rsi
	popq	%rdi
	popq	%r8
	popq	%r9
	popq	%r10
	popq	%r11
	popq	%r12
	popq	%r13
	popq	%r14
	popq	%r15
	popfq
	call	3f			/* ret as an inline return thunk, as above */
2:	pause
	lfence
	jmp	2b
3:	leaq	8(%rsp), %rsp
	ret
	.size	pv_xen_mmio_entry, . - pv_xen_mmio_entry
#endif

	.balign	8
	.globl	pv_xen_slots
	.hidden	pv_xen_slots
	.type	pv_xen_slots, @object
pv_xen_slots:
	.quad	0			/* state: struct pv_xen_state * */
	.quad	0			/* vmmcall: 1 on AMD/Hygon */
	.size	pv_xen_slots, . - pv_xen_slots

	.section .note.GNU-stack, "", @progbits
