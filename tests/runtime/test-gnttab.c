/* SPDX-License-Identifier: MIT */
/*
 * The domU grant table (runtime/xen/gnttab.c) on a table in memory, laid
 * out as Xen's public grant_table.h says: the entries a grant writes, the
 * reserved ones it never touches, exhaustion, v1's 32-bit frame limit,
 * and revoking while "Xen" marks the frame mapped.
 */
#include <string.h>

#include "check.h"
#include "xen/gnttab.h"

static grant_entry_v1_t table[2 * 4096 / sizeof(grant_entry_v1_t)];

int main(void)
{
	struct pv_gnttab gt;
	long r0, r1, r;
	unsigned n = 0;

	memset(table, 0, sizeof table);
	table[0] = (grant_entry_v1_t){ .flags = GTF_permit_access, .domid = 0, .frame = 0xfeff0 };  /* the toolstack's */
	pv_gnttab_init(&gt, table, 2);
	check(gt.n == 1024, "two frames hold 1024 v1 entries");

	r0 = pv_gnttab_grant(&gt, 0, 0x12345, 0);
	r1 = pv_gnttab_grant(&gt, 0, 0x23456, 1);
	check(r0 == GNTTAB_NR_RESERVED_ENTRIES && r1 == r0 + 1, "the first references follow the %d reserved ones: %ld, %ld",
	      GNTTAB_NR_RESERVED_ENTRIES, r0, r1);
	check(table[r0].frame == 0x12345 && table[r0].domid == 0 && table[r0].flags == GTF_permit_access,
	      "a writable grant: frame, domid 0, GTF_permit_access");
	check(table[r1].flags == (GTF_permit_access | GTF_readonly), "a read-only grant adds GTF_readonly");
	check(table[0].frame == 0xfeff0 && table[0].flags == GTF_permit_access, "reserved entry 0 untouched");

	check(pv_gnttab_grant(&gt, 0, 1ull << 32, 0) == -PV_GNT_E_ARG && gt.next == r1 + 1,
	      "a frame above 2^32 - 1 is refused and uses no entry");

	table[r0].flags |= GTF_reading;                  /* Xen: blkback has it mapped */
	check(pv_gnttab_revoke(&gt, (grant_ref_t)r0) == -PV_GNT_E_BUSY && (table[r0].flags & GTF_permit_access),
	      "revoking a mapped grant is refused and leaves it valid");
	table[r0].flags &= (uint16_t)~GTF_reading;
	check(pv_gnttab_revoke(&gt, (grant_ref_t)r0) == 0 && table[r0].flags == 0, "once unmapped it is revoked");
	check(pv_gnttab_revoke(&gt, 3) == -PV_GNT_E_ARG && pv_gnttab_revoke(&gt, 900) == -PV_GNT_E_ARG,
	      "a reserved or never-granted reference is refused");

	while ((r = pv_gnttab_grant(&gt, 5, 0x1000 + n, 0)) >= 0)
		n++;
	check(r == -PV_GNT_E_FULL && n == 1024 - GNTTAB_NR_RESERVED_ENTRIES - 2 && table[1023].domid == 5,
	      "the table fills to its last entry, then -PV_GNT_E_FULL (%u more)", n);
	return check_summary();
}
