/* SPDX-License-Identifier: MIT */
/*
 * The resident module patcher as the loader carries it: the struct
 * pv_res_image file mkresident wrote (runtime/resident/resident.h), copied
 * into the kernel's pool by loader/resident.c.
 */
	.section .rodata.resident, "a"
	.balign	64
	.globl	pv_res_image_start
pv_res_image_start:
	.incbin	RESIDENT_BIN
	.globl	pv_res_image_end
pv_res_image_end:
	.section .note.GNU-stack, "", @progbits
