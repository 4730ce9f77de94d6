/* SPDX-License-Identifier: MIT */
/* The Xen backend (xen.c; the rest of the Xen runtime is in xen/). */
#ifndef PREVIRT_RT_PATCH_XEN_H
#define PREVIRT_RT_PATCH_XEN_H

#include "patch/patch.h"

extern const struct pv_backend pv_backend_xen;

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
	/* as in pv_profile: 1 = a site that finds no thunk space stays native, counted in nfull */
	uint8_t                    keep_when_full;
	unsigned                   nfull;
};
/* The descriptor pushed by a port-I/O site's thunk, or -1 when the site stays native. */
long pv_xen_pio_desc(const struct pv_xen *st, const struct pv_site *site);

#endif
