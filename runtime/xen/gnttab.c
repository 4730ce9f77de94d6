/* SPDX-License-Identifier: MIT */
/* The domU's grant table, version 1 (gnttab.h says why it works this way). */
#include "xen/gnttab.h"

void pv_gnttab_init(struct pv_gnttab *gt, void *table, uint32_t nframes)
{
	gt->e = table;
	gt->n = nframes * (4096u / sizeof(grant_entry_v1_t));
	gt->next = GNTTAB_NR_RESERVED_ENTRIES;
}

long pv_gnttab_grant(struct pv_gnttab *gt, domid_t domid, uint64_t gfn, int readonly)
{
	uint32_t ref;

	if (gfn > UINT32_MAX)                   /* v1 frames are 32 bits: 16 TiB of guest memory */
		return -PV_GNT_E_ARG;
	if (gt->next >= gt->n)
		return -PV_GNT_E_FULL;
	ref = gt->next++;
	gt->e[ref].frame = (uint32_t)gfn;
	gt->e[ref].domid = domid;
	/* the entry is valid for Xen from this store on: frame and domid must be seen first */
	__atomic_store_n(&gt->e[ref].flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
			 __ATOMIC_RELEASE);
	return ref;
}

int pv_gnttab_revoke(struct pv_gnttab *gt, grant_ref_t ref)
{
	uint16_t f;

	if (ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= gt->next)
		return -PV_GNT_E_ARG;
	f = __atomic_load_n(&gt->e[ref].flags, __ATOMIC_ACQUIRE);
	do {
		if (f & (GTF_reading | GTF_writing))
			return -PV_GNT_E_BUSY;
		/* Xen sets reading/writing with a cmpxchg of its own: ours fails if it got in first */
	} while (!__atomic_compare_exchange_n(&gt->e[ref].flags, &f, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	return 0;
}
