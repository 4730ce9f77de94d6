/* SPDX-License-Identifier: MIT */
/* The profile backend (profile.c): count every site, then run it. */
#ifndef PREVIRT_RT_PROFILE_H
#define PREVIRT_RT_PROFILE_H

#include "patch/patch.h"

extern const struct pv_backend pv_backend_profile;

/*
 * Profile backend state.  The caller provides the pool (executable, and
 * writable while patching, within +-2 GiB of every site: rel32 jumps) and
 * the counters (writable data, within +-2 GiB of the pool: RIP-relative).
 */
#define PV_PROFILE_THUNK 64      /* bytes per thunk slot */

struct pv_profile {
	uint8_t  *pool;              /* PV_PROFILE_THUNK bytes per patched site */
	size_t    pool_size;
	uint64_t *counters;          /* one per patched site, in record order */
	unsigned  ncounters;
	unsigned  used;              /* thunks built by plan */
	unsigned  cursor;            /* emit's position */
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
	PV_PK_NOSTACK,               /* xflags NOSTACK: early boot text, %rsp may be unmapped (the
	                                thunk pushes the flags) */
	PV_PK_NREASONS
};
int pv_profile_keep_reason(const struct pv_site *site);

/*
 * Write the counts as text, one line per patched site, through put(ctx, s, n).
 * bias is added to every site address (run-time -> link-time address).
 * The format is previrt-report's --profile input (docs/profile-counts.md):
 *   # previrt-profile 1: ADDRESS COUNT KIND
 *   0x<site address> <count> <kind name>
 * The order is record order (the order the counters were assigned).
 */
void pv_profile_write(const struct pv_profile *st, const struct pv_image *img, intptr_t bias,
		      void (*put)(void *ctx, const char *s, size_t n), void *ctx);

#endif
