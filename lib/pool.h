/* SPDX-License-Identifier: MIT */
/*
 * The handler pools and the per-thunk counters that the runtime needs inside
 * the kernel image, reserved by the compiler itself (GCC plugin and Clang
 * pass alike), so that a kernel build needs nothing but the plugin.
 *
 * Why inside the image: Linux builds its own page tables from its own image
 * and unmaps everything else early, so a patched site can only reach code
 * that lies in the image's executable text (docs/runtime.md).
 *
 * Why two pools: a handler must live in the same kind of text as its site.
 * Sites in .noinstr.text (entry/exit C code such as
 * syscall_exit_to_user_mode's cli) must not jump into ordinary text, where
 * kprobes and tracing may hook; so they get their own pool inside
 * .noinstr.text, which Linux's linker script places between
 * __noinstr_text_start and __noinstr_text_end (kprobes refuse that range).
 * Sites in .entry.text get no pool: no backend moves them (docs/runtime.md,
 * "What a backend may do with noinstr and entry sites").
 *
 * Where: exactly once per linked image, in the unit that defines the
 * anchor function (Linux's start_kernel, in every version).  That unit is
 * part of vmlinux and never of a module, the vDSO, the EFI stub or 32-bit
 * code, so no other condition is needed, and no other object pays for it.
 *
 * The symbol names are the contract with the runtime's loader, which finds
 * the pools by these names in vmlinux's .symtab: they are defined here only.
 */
#ifndef PREVIRT_POOL_H
#define PREVIRT_POOL_H

#define PREVIRT_POOL_ANCHOR        "start_kernel"
#define PREVIRT_POOL_THUNK_BYTES   64            /* one counter per this many pool bytes */
#define PREVIRT_POOL_DEFAULT_BYTES (4096 * PREVIRT_POOL_THUNK_BYTES)
/*
 * The noinstr pool: Linux 6.1 has 50 sites in .noinstr.text in the tiny
 * kernel and 70 in defconfig (previrt-report's "by zone" table), so 256
 * thunks leave 3.6x room over defconfig and cost 16 KiB of noinstr text.
 */
#define PREVIRT_NOINSTR_POOL_DEFAULT_BYTES (256 * PREVIRT_POOL_THUNK_BYTES)
#define PREVIRT_POOL_MAX_BYTES     (16u << 20)

/* The symbols pv_pool_asm defines (read by runtime/loader). */
#define PREVIRT_POOL_SYM           "previrt_pool"
#define PREVIRT_POOL_END_SYM       "previrt_pool_end"
#define PREVIRT_NOINSTR_POOL_SYM     "previrt_noinstr_pool"
#define PREVIRT_NOINSTR_POOL_END_SYM "previrt_noinstr_pool_end"
#define PREVIRT_COUNTERS_SYM       "previrt_counters"
#define PREVIRT_COUNTERS_END_SYM   "previrt_counters_end"

/*
 * Parse a pool size option value (pool=BYTES, noinstr-pool=BYTES): 0 (no
 * pool) or a multiple of PREVIRT_POOL_THUNK_BYTES up to
 * PREVIRT_POOL_MAX_BYTES.  Returns 0 and sets *bytes, or -1 for anything else.
 */
int pv_pool_parse(const char *text, unsigned long *bytes);

/*
 * The assembly that reserves
 *   `bytes` of main pool in .text.unlikely.previrt_pool (previrt_pool/_end),
 *   `noinstr_bytes` of noinstr pool in .noinstr.text (previrt_noinstr_pool/_end),
 * both int3-filled and 64-byte aligned, and one u64 counter per thunk of
 * both pools together in .data.unlikely (previrt_counters/_end).  A pool of
 * 0 bytes is left out with its symbols.  Returns a static buffer; "" when
 * both are 0.
 */
const char *pv_pool_asm(unsigned long bytes, unsigned long noinstr_bytes);

#endif
