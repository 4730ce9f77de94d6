/* SPDX-License-Identifier: MIT */
/* The profile backend (profile.c): count every site, then run it. */
#ifndef PREVIRT_RT_PROFILE_H
#define PREVIRT_RT_PROFILE_H

#include "patch/patch.h"

extern const struct pv_backend pv_backend_profile;

/*
 * Profile backend state.  The caller provides the pools (executable, and
 * writable while patching, within +-2 GiB of every site: rel32 jumps) and
 * the counters (writable data, within +-2 GiB of the pools: RIP-relative).
 *
 * Two pools, because a thunk runs as part of its site and must live in the
 * same kind of text (patch/zone.h): sites in main text get thunks in the
 * main pool, sites in .noinstr.text get thunks in the noinstr pool, which
 * must lie inside that zone (the core checks every jump).  Entry sites
 * stay native: see pv_backend_profile's zone_policy in profile.c.
 */
#define PV_PROFILE_THUNK 64      /* bytes per thunk slot */

struct pv_profile {
	uint8_t  *pool;              /* main pool: PV_PROFILE_THUNK bytes per patched main site */
	size_t    pool_size;
	uint8_t  *noinstr_pool;      /* inside .noinstr.text; 0 bytes: noinstr sites stay native */
	size_t    noinstr_pool_size;
	uint64_t *counters;          /* one per patched site of both pools, in record order */
	unsigned  ncounters;
	unsigned  used;              /* thunks (= counters) built by plan, both pools */
	unsigned  noinstr_used;      /* of them in the noinstr pool */
	unsigned  cursor;            /* emit's position, both pools */
	unsigned  noinstr_cursor;    /* of it in the noinstr pool */
	/*
	 * 0: a full pool refuses the image (PV_E_BACKEND: the kernel at boot,
	 * where the pool is sized for it).  1: a site that finds the pool full
	 * stays native and is counted in nfull (modules patched at load share
	 * what the kernel left over; runtime/resident/).
	 */
	uint8_t   keep_when_full;
	unsigned  nfull;
};

/* Why the profile backend leaves a site native (0 = it patches it). */
enum pv_profile_keep {
	PV_PK_PATCH = 0,
	PV_PK_SHORT,                 /* site shorter than a jmp rel32 (5 bytes) */
	PV_PK_EXTABLE,               /* exception-table entry keyed to the address */
	PV_PK_CFLOW,                 /* rule attribute cflow (iret, far ret, int n, vmlaunch, ...):
					a moved copy would push or return to the thunk's address */
	PV_PK_USER_STACK,            /* rule attribute ustack (swapgs, sysret, eretu): may run on
					the user's stack */
	PV_PK_SHADOW,                /* interrupt-shadow pair whose follower the decoder does not
	                                know, or that has a RIP-relative operand: kept together, native */
	PV_PK_ZONE,                  /* a zone the backend keeps native: entry (and unplaced NOINSTR) */
	PV_PK_NO_ZONE_POOL,          /* a noinstr site, and the kernel has no noinstr pool */
	PV_PK_NOSTACK,               /* xflags NOSTACK: early boot text, %rsp may be unmapped (the
	                                thunk pushes the flags) */
	PV_PK_NREASONS
};
int pv_profile_keep_reason(const struct pv_profile *st, const struct pv_site *site);

/*
 * Write the counts as text, one line per patched site, through put(ctx, s, n).
 * bias is added to every site address (run-time -> link-time address).
 * The format is previrt-report's --profile input (docs/profile-counts.md):
 *   # previrt-profile 2: ADDRESS COUNT KIND HANDLER
 *   0x<site address> <count> <kind name> 0x<thunk address>
 * The order is record order (the order the counters were assigned).
 */
void pv_profile_write(const struct pv_profile *st, const struct pv_image *img, intptr_t bias,
		      void (*put)(void *ctx, const char *s, size_t n), void *ctx);

#endif
