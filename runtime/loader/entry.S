/* SPDX-License-Identifier: MIT */
/*
 * Loader entry: multiboot (v1) header, 32-bit protected-mode entry, switch
 * to long mode with identity-mapped page tables (first 4 GiB, 2 MiB
 * pages), call loader_main(magic, info) in 64-bit C, and the jump into the
 * kernel's 64-bit entry.
 *
 * The GDT has the selectors Linux's 64-bit boot protocol asks for:
 * __BOOT_CS = 0x10 (64-bit code), __BOOT_DS = 0x18 (flat data), so the
 * kernel is entered with the segments it expects.
 *
 * QEMU's multiboot loader refuses ELF64 files, unless the header carries
 * the load addresses itself (flag bit 16, the "a.out kludge"): then it
 * loads the bytes from the header's file offset on, which the linker
 * script keeps contiguous.
 */
#define MB_MAGIC  0x1badb002
#define MB_FLAGS  0x00010003     /* page-aligned modules, memory info, address fields */

	.section .multiboot, "a"
	.balign 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long mb_header          /* header_addr   */
	.long __load_start       /* load_addr     */
	.long __load_end         /* load_end_addr */
	.long __bss_end          /* bss_end_addr  */
	.long start32            /* entry_addr    */

/*
 * Xen's PVH entry (Xen's dom0 builder reads this note): 32-bit protected
 * mode, paging off, %ebx = physical address of struct hvm_start_info.
 * It joins the multiboot path with %eax = XEN_HVM_START_MAGIC_VALUE, which
 * tells loader_main how to read %ebx.
 *
 * A third way in is Linux's 32-bit boot protocol, which uvmm (L4Re) uses for
 * an ELF guest: it enters e_entry (start32) in flat 32-bit protected mode,
 * paging off, with %esi = the physical address of a struct boot_params it
 * filled ("HdrS").  start32 keeps %esi for loader_main, which takes that
 * path when %eax holds neither magic (loader/linuxboot.c).
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4                  /* name size: "Xen\0" */
	.long 4                  /* descriptor size */
	.long 18                 /* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_start32

	.section .text.entry, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	movl	$0x336ec578, %eax        /* XEN_HVM_START_MAGIC_VALUE */
	jmp	start32

	.globl start32
start32:
	cli
	cld
	movl	%eax, mb_magic
	movl	%ebx, mb_info
	movl	%esi, lb_params          /* Linux 32-bit boot protocol (uvmm): %esi = boot_params */
	movl	$boot_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..PD3; PDn[i] = 2 MiB page, identity */
	movl	$pdpt, %eax
	orl	$0x3, %eax
	movl	%eax, pml4
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$pd, %eax
	orl	$0x3, %eax
	movl	%eax, pdpt(,%ecx,8)
	incl	%ecx
	cmpl	$4, %ecx
	jne	1b
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$0x83, %eax              /* present, writable, 2 MiB */
	movl	%eax, pd(,%ecx,8)
	movl	%ecx, %eax
	shrl	$11, %eax                /* high dword: bits 32+ of the address */
	movl	%eax, pd+4(,%ecx,8)
	incl	%ecx
	cmpl	$2048, %ecx
	jne	2b

	movl	%cr4, %eax
	orl	$0x20, %eax              /* PAE */
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx        /* EFER */
	rdmsr
	orl	$0x100, %eax             /* LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax        /* PG | PE */
	movl	%eax, %cr0
	lgdt	gdt_desc
	ljmp	$0x10, $start64

	.code64
start64:
	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	movq	$boot_stack_top, %rsp
	movl	mb_magic, %edi
	movl	mb_info, %esi
	movl	lb_params, %edx
	call	loader_main
3:	cli
	hlt
	jmp	3b

/* void pv_enter_kernel(uint64_t entry, void *boot_params): does not return */
	.globl pv_enter_kernel
pv_enter_kernel:
	cli
	movq	%rdi, %rax
	xorl	%ebp, %ebp
	xorl	%edi, %edi
	/* %rsi = boot_params, as the 64-bit boot protocol asks */
	jmp	*%rax

	.section .rodata
	.balign 8
gdt:
	.quad 0                          /* 0x00 null */
	.quad 0                          /* 0x08 unused */
	.quad 0x00af9a000000ffff         /* 0x10 __BOOT_CS: 64-bit code */
	.quad 0x00cf92000000ffff         /* 0x18 __BOOT_DS: flat data */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

	.section .bss
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4 * 4096
boot_stack:
	.skip 65536
boot_stack_top:
mb_magic: .long 0
mb_info:  .long 0
lb_params: .long 0

	.section .note.GNU-stack, "", @progbits
