/* SPDX-License-Identifier: MIT */
/*
 * The backends the runtime knows, one file each.  A backend is a
 * struct pv_backend (patch.h) plus its own state type.
 *
 *   native   leave every site as it is (bare metal, or a VMM that traps
 *            everything we need: the annotated kernel runs unchanged)
 *   profile  every patchable site jumps to a per-site thunk that counts it
 *            and then runs a copy of the original instruction(s)
 *   xen, l4  (later issues) the same interface: plan decides per kind,
 *            emit writes a jmp/call to handler code in the pool
 */
#ifndef PREVIRT_RT_BACKEND_H
#define PREVIRT_RT_BACKEND_H

#include "patch/patch.h"

extern const struct pv_backend pv_backend_native;
extern const struct pv_backend pv_backend_profile;
extern const struct pv_backend pv_backend_xen;

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
};

/* Why the profile backend leaves a site native (0 = it patches it). */
enum pv_profile_keep {
	PV_PK_PATCH = 0,
	PV_PK_SHORT,                 /* site shorter than a jmp rel32 (5 bytes) */
	PV_PK_EXTABLE,               /* exception-table entry keyed to the address */
	PV_PK_CFLOW,                 /* rule attribute cflow (iret, far ret, int n, vmlaunch, ...):
					a moved copy would push or return to the thunk's address */
	PV_PK_USER_STACK,            /* rule attribute ustack (swapgs): may run on the user's stack */
	PV_PK_SHADOW,                /* SHADOW pair: the thunk relocates only the first instruction */
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

/*
 * Xen backend state (patch/xen.c; the rest of the Xen runtime is in xen/).
 * thunks: PV_XEN_THUNK bytes per patched site, executable, within +-2 GiB
 * of every site and of pio_entry (the blob's entry, already in place).
 */
struct pv_xen_acpi;
struct pv_xen {
	uint8_t                   *thunks;
	size_t                     thunks_size;
	uintptr_t                  pio_entry;    /* pv_xen_pio_entry in the blob's copy */
	const struct pv_xen_acpi *acpi;         /* which ACPI ports are emulated */
	unsigned                   used;         /* thunks built by plan */
	unsigned                   cursor;       /* emit's position */
};
/* The descriptor pushed by a port-I/O site's thunk, or -1 when the site stays native. */
long pv_xen_pio_desc(const struct pv_xen *st, const struct pv_site *site);

#endif
