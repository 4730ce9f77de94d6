/* SPDX-License-Identifier: MIT */
/*
 * The summary's "by zone" table: sites per zone of text (.noinstr.text,
 * .entry.text, the rest), classified by the runtime's own rule
 * (runtime/patch/zone.c, by address from the kernel's zone symbols), the
 * noinstr pool, what each backend declares for each zone, and with
 * --profile what ran where: patched sites, their handlers inside or
 * outside the site's zone, executions.  Linked images only: an object has
 * no addresses and no zone symbols.
 */
#ifndef PV_REPORT_ZONES_H
#define PV_REPORT_ZONES_H

#include <stdio.h>

struct pv_report;

void pv_zone_summary(struct pv_report *r, FILE *out);

#endif
