/* SPDX-License-Identifier: MIT */
/*
 * The domU's grant table, version 1 (public grant_table.h): the entries
 * through which the frontends' rings and bounce pages (xenstore.h,
 * blkfront.h, netfront.h) are shared with the backends in dom0.  The
 * table's frames are the guest's own memory, placed by the loader with
 * XENMEM_add_to_physmap (XENMAPSPACE_grant_table).
 *
 * Entries 0..GNTTAB_NR_RESERVED_ENTRIES-1 belong to the toolstack (the
 * console and XenStore pages) and are never handed out.  A grant is
 * written frame and domid first, flags last (the entry becomes valid only
 * when Xen sees GTF_permit_access).  Revoking is refused while Xen says a
 * backend still has the frame mapped (GTF_reading/GTF_writing): the
 * frontends grant only runtime-owned pages and keep them granted, so that
 * is only ever a teardown question, and a revoked reference is not handed
 * out again.
 */
#ifndef PREVIRT_RT_GNTTAB_H
#define PREVIRT_RT_GNTTAB_H

#include <stdint.h>

#include <xen/xen.h>
#include <xen/grant_table.h>

enum {
	PV_GNT_E_FULL = 1,      /* no free entry */
	PV_GNT_E_ARG,           /* a frame number v1 cannot hold, a reference that is not ours */
	PV_GNT_E_BUSY,          /* the backend still maps the frame */
};

struct pv_gnttab {
	volatile grant_entry_v1_t *e;
	uint32_t n;                     /* entries in the table */
	uint32_t next;                  /* the next never-used entry */
};

/* Over `nframes` 4 KiB frames of entries at `table` (zeroed by Xen). */
void pv_gnttab_init(struct pv_gnttab *gt, void *table, uint32_t nframes);

/* Let `domid` map guest frame `gfn` (read-only or not): the reference, or -PV_GNT_E_*. */
long pv_gnttab_grant(struct pv_gnttab *gt, domid_t domid, uint64_t gfn, int readonly);

/* End a grant: 0, or -PV_GNT_E_BUSY while the backend maps it (nothing changed then). */
int pv_gnttab_revoke(struct pv_gnttab *gt, grant_ref_t ref);

#endif
