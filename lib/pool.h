/* SPDX-License-Identifier: MIT */
/*
 * The handler pool and the per-thunk counters that the runtime needs inside
 * the kernel image, reserved by the compiler itself (GCC plugin and Clang
 * pass alike), so that a kernel build needs nothing but the plugin.
 *
 * Why inside the image: Linux builds its own page tables from its own image
 * and unmaps everything else early, so a patched site can only reach code
 * that lies in the image's executable text (docs/runtime.md).
 *
 * Where: exactly once per linked image, in the unit that defines the
 * anchor function (Linux's start_kernel, in every version).  That unit is
 * part of vmlinux and never of a module, the vDSO, the EFI stub or 32-bit
 * code, so no other condition is needed, and no other object pays for it.
 */
#ifndef PREVIRT_POOL_H
#define PREVIRT_POOL_H

#define PREVIRT_POOL_ANCHOR        "start_kernel"
#define PREVIRT_POOL_THUNK_BYTES   64            /* one counter per this many pool bytes */
#define PREVIRT_POOL_DEFAULT_BYTES (4096 * PREVIRT_POOL_THUNK_BYTES)
#define PREVIRT_POOL_MAX_BYTES     (16u << 20)

/*
 * Parse the pool=BYTES option value: 0 (no pool) or a multiple of
 * PREVIRT_POOL_THUNK_BYTES up to PREVIRT_POOL_MAX_BYTES.  Returns 0 and
 * sets *bytes, or -1 for anything else.
 */
int pv_pool_parse(const char *text, unsigned long *bytes);

/*
 * The assembly that reserves `bytes` of pool in .text.unlikely.previrt_pool
 * (int3-filled, symbols previrt_pool/previrt_pool_end) and one u64 counter
 * per thunk in .data.unlikely (previrt_counters/previrt_counters_end).
 * Returns a static buffer.
 */
const char *pv_pool_asm(unsigned long bytes);

#endif
