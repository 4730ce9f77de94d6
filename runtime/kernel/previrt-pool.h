/* SPDX-License-Identifier: MIT */
/*
 * The handler pool inside the kernel image, without touching the kernel's
 * sources: build with
 *
 *     make KCFLAGS="-fplugin=previrt.so -include runtime/kernel/previrt-pool.h"
 *
 * Every C unit of vmlinux then emits the same two COMDAT groups; the linker
 * keeps exactly one copy of each:
 *
 *   previrt_pool .. previrt_pool_end          PREVIRT_POOL_BYTES in .text
 *       (.text.unlikely.* is inside [_text, _etext] in Linux's linker
 *       script: mapped executable for the kernel's whole life, read-only
 *       after mark_rodata_ro, which is fine: the loader writes it before
 *       the kernel runs)
 *   previrt_counters .. previrt_counters_end  PREVIRT_COUNTERS u64 in .data
 *       (.data.unlikely is in DATA_DATA: writable, never freed)
 *
 * The group signatures are symbols of their own that gas makes local:
 * objtool, which rewrites every kernel object, moves the first GLOBAL
 * symbol to a new index without fixing .group sections, so a global
 * signature (e.g. previrt_pool itself) ends up naming a section symbol
 * and the copies no longer merge ("multiple definition").
 *
 * The loader finds them by these symbols in vmlinux's .symtab.  Filled
 * with int3 so that nothing can run there by accident.  Not emitted in
 * the vDSO (BUILD_VDSO), modules (MODULE), the EFI stub
 * (__DISABLE_EXPORTS) or 32-bit code.
 *
 * docs/runtime.md asks the GCC plugin to emit this itself (one unit,
 * option pool=BYTES), which is cleaner than -include.
 */
#if defined(__x86_64__) && !defined(MODULE) && !defined(BUILD_VDSO) && \
	!defined(__DISABLE_EXPORTS) && !defined(__ASSEMBLY__)
#ifndef PREVIRT_POOL_BYTES
#define PREVIRT_POOL_BYTES 262144      /* 4096 thunks of 64 bytes */
#endif
#ifndef PREVIRT_COUNTERS
#define PREVIRT_COUNTERS 4096
#endif
#define PREVIRT_POOL_STR_(x) #x
#define PREVIRT_POOL_STR(x) PREVIRT_POOL_STR_(x)
__asm__(".pushsection .text.unlikely.previrt_pool,\"axG\",@progbits,previrt_pool_group,comdat\n"
	".balign 64\n"
	".globl previrt_pool\n"
	"previrt_pool:\n"
	".fill " PREVIRT_POOL_STR(PREVIRT_POOL_BYTES) ",1,0xcc\n"
	".globl previrt_pool_end\n"
	"previrt_pool_end:\n"
	".popsection\n"
	".pushsection .data.unlikely,\"awG\",@progbits,previrt_counters_group,comdat\n"
	".balign 8\n"
	".globl previrt_counters\n"
	"previrt_counters:\n"
	".fill " PREVIRT_POOL_STR(PREVIRT_COUNTERS) ",8,0\n"
	".globl previrt_counters_end\n"
	"previrt_counters_end:\n"
	".popsection\n");
#endif
