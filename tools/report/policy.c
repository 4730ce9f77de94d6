/* SPDX-License-Identifier: MIT */
/* The backends' zone policies, from the runtime's own objects (policy.h). */
#include "patch/backend.h"
#include "policy.h"

static const struct pv_backend *const backends[] = PV_BACKEND_LIST;

unsigned pv_report_nbackends(void)
{
	return sizeof backends / sizeof backends[0];
}

const char *pv_report_backend_name(unsigned i)
{
	return i < pv_report_nbackends() ? backends[i]->name : "?";
}

const char *pv_report_backend_policy(unsigned i, int zone)
{
	if (i >= pv_report_nbackends() || zone < 0 || zone >= PV_NZONES)
		return "?";
	return pv_zone_policy_name(backends[i]->zone_policy[zone]);
}
