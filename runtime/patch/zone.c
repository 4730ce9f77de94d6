/* SPDX-License-Identifier: MIT */
/* Zones of text, by address (zone.h has the rules and why). */
#include "patch/zone.h"
#include "previrt/format.h"

const struct pv_zone_symbols pv_zone_symbols[PV_NZONES] = {
	[PV_ZONE_MAIN]    = { 0, 0 },
	[PV_ZONE_NOINSTR] = { "__noinstr_text_start", "__noinstr_text_end" },
	[PV_ZONE_ENTRY]   = { "__entry_text_start", "__entry_text_end" },
};

const char *pv_zone_name(int zone)
{
	static const char *const names[PV_NZONES] = { "main", "noinstr", "entry" };

	return zone >= 0 && zone < PV_NZONES ? names[zone] : "?";
}

const char *pv_zone_policy_name(int policy)
{
	static const char *const names[] = { "native", "main pool", "zone pool" };

	return policy >= 0 && policy <= PV_ZP_ZONE_POOL ? names[policy] : "?";
}

int pv_zone_of(const struct pv_zones *zs, uintptr_t a, unsigned len, unsigned flags)
{
	for (int z = PV_ZONE_MAIN + 1; z < PV_NZONES; z++) {
		if (!pv_zone_known(zs, z))
			continue;
		if (pv_in_zone(zs, z, a, len))
			return z;
		/* shares a byte with the zone without lying inside it (no sum that could wrap) */
		if (a < zs->at[z].end && (zs->at[z].start <= a || zs->at[z].start - a < len))
			return -1;
	}
	/* NOINSTR, but in no zone the kernel names: assume the strictest */
	return flags & PREVIRT_F_NOINSTR ? PV_ZONE_ENTRY : PV_ZONE_MAIN;
}
