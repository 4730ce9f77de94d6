/* SPDX-License-Identifier: MIT */
/*
 * Zones: which kind of text a site lies in, decided by its address.
 *
 * Linux keeps two kinds of text apart from the rest, with symbols around each:
 *
 *   noinstr  [__noinstr_text_start, __noinstr_text_end)   .noinstr.text:
 *            C entry/exit code (syscall_exit_to_user_mode, exc_page_fault,
 *            exc_nmi, ...).  No instrumentation: kprobes refuse the range,
 *            objtool checks that nothing in it calls out of it.  Runs on the
 *            kernel's page tables and stack.
 *   entry    [__entry_text_start, __entry_text_end)       .entry.text:
 *            the assembly entry points (entry_SYSCALL_64, asm_exc_*,
 *            paranoid_entry, the iret/sysret paths).  Under PTI it runs on
 *            the user's CR3, where only this text (and the CPU entry area) is
 *            mapped, and partly on the user's or the trampoline stack.
 *
 * The record's NOINSTR flag says what the compiler saw (a function or a
 * .pushsection into one of these sections).  The address says where the
 * site really is, and that is what decides: the flag misses sites that
 * .S macros expand into entry code (measured: 6 in the tiny Linux 6.1, 46
 * in defconfig, among them the CR3 switches of the compat entry), because
 * a macro body cannot know its section (lib/asm_rewrite.c).  Hence:
 *
 *   - a site inside a zone belongs to it, flag or not (counted as
 *     "unflagged" so producer gaps stay visible);
 *   - a NOINSTR site outside every zone the kernel names (the kernel has
 *     no such symbols, or the linker put the section elsewhere) is
 *     "unplaced": the runtime cannot tell which rules apply, so it is
 *     treated as the most restrictive zone, entry;
 *   - a site that crosses a zone boundary is refused (PV_E_ZONE): no
 *     compiler makes one, so the record or the symbols are wrong.
 *
 * Freestanding; the loader, the host tests and previrt-report share it.
 */
#ifndef PREVIRT_RT_ZONE_H
#define PREVIRT_RT_ZONE_H

#include <stdint.h>

enum pv_zone {
	PV_ZONE_MAIN = 0,        /* everything else */
	PV_ZONE_NOINSTR,
	PV_ZONE_ENTRY,
	PV_NZONES
};

/*
 * Where the zones lie, in the sites' address space (physical in the
 * loader).  A zone whose start and end are both 0 is unknown (the kernel
 * has no such symbols); at[PV_ZONE_MAIN] is not used.
 */
struct pv_zones {
	struct { uintptr_t start, end; } at[PV_NZONES];
};

/*
 * What a backend does with the sites of a zone (struct pv_backend's
 * zone_policy; docs/runtime.md has the table per backend).  Keeping a site
 * native is always allowed; the policy bounds what patching may do, and
 * the core enforces it (PV_E_ZONE_PATCHED).
 */
enum pv_zone_policy {
	PV_ZP_NATIVE = 0,        /* never patched (the default: a backend must opt in) */
	PV_ZP_MAIN_POOL,         /* handlers anywhere, e.g. the main pool in .text.unlikely */
	PV_ZP_ZONE_POOL,         /* the site becomes jmp rel32 to a handler inside the same zone */
};

/* The symbols that bound each zone in a Linux image (0 for main). */
struct pv_zone_symbols {
	const char *start, *end;
};
extern const struct pv_zone_symbols pv_zone_symbols[PV_NZONES];

const char *pv_zone_name(int zone);              /* "main", "noinstr", "entry" */
const char *pv_zone_policy_name(int policy);     /* "native", "main pool", "zone pool" */

/* Whether zone z of *zs is known (the kernel named it). */
static inline int pv_zone_known(const struct pv_zones *zs, int z)
{
	return zs && z > PV_ZONE_MAIN && z < PV_NZONES && (zs->at[z].start || zs->at[z].end);
}

/* [a, a + len) lies inside known zone z */
static inline int pv_in_zone(const struct pv_zones *zs, int z, uintptr_t a, uintptr_t len)
{
	return pv_zone_known(zs, z) && a >= zs->at[z].start && a <= zs->at[z].end &&
	       len <= zs->at[z].end - a;
}

/*
 * The zone of a site [a, a + len) with record flags `flags` (the rules
 * above); -1 when it crosses a zone boundary.  zs may be NULL (no zone
 * information at all: then every NOINSTR site is unplaced).
 */
int pv_zone_of(const struct pv_zones *zs, uintptr_t a, unsigned len, unsigned flags);

/* The target of a `jmp rel32` at `at` (its bytes at b), or 0 when b is not one. */
static inline uintptr_t pv_jmp_target(const uint8_t *b, uintptr_t at)
{
	int32_t d = (int32_t)((uint32_t)b[1] | (uint32_t)b[2] << 8 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 24);

	return b[0] == 0xe9 ? at + 5 + (uintptr_t)(intptr_t)d : 0;
}

#endif
