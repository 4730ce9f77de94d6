/* SPDX-License-Identifier: MIT */
/*
 * What each runtime backend does in each zone, read from the backends
 * themselves (the backends in runtime/patch/, struct pv_backend's zone_policy): the
 * report prints the runtime's own declaration, it does not restate it.
 * policy.c is the one file of previrt-report that includes the runtime's
 * headers (their struct names would clash with report.h's).
 */
#ifndef PV_REPORT_POLICY_H
#define PV_REPORT_POLICY_H

/* The number of backends; name and per-zone policy name of backend i. */
unsigned pv_report_nbackends(void);
const char *pv_report_backend_name(unsigned i);
const char *pv_report_backend_policy(unsigned i, int zone);

#endif
