/* SPDX-License-Identifier: MIT */
/* The Xen backend (xen.c; the rest of the Xen runtime is in xen/). */
#ifndef PREVIRT_RT_PATCH_XEN_H
#define PREVIRT_RT_PATCH_XEN_H

#include "patch/patch.h"

extern const struct pv_backend pv_backend_xen;

/*
 * Xen backend state (patch/xen.c; the rest of the Xen runtime is in xen/).
 * thunks: PV_XEN_THUNK-byte slots, one per port-I/O site and
 * PV_XEN_MMIO_SLOTS per MMIO site (xen/xen-rt.h), executable, within
 * +-2 GiB of every site and of the blob's entries (already in place).
 */
struct pv_xen_acpi;
struct pv_xen {
	uint8_t                   *thunks;
	size_t                     thunks_size;
	uintptr_t                  pio_entry;    /* pv_xen_pio_entry in the blob's copy */
	const struct pv_xen_acpi *acpi;         /* which ACPI ports are emulated */
	/*
	 * pv_xen_mmio_entry in the blob's copy, set only when the loader set
	 * up MMIO device models (struct pv_xen_state's mmio_win); 0: every
	 * MMIO site stays native and the pool is exactly as without MMIO.
	 */
	uintptr_t                  mmio_entry;
	unsigned                   used;         /* slots taken by plan's thunks: used * PV_XEN_THUNK bytes */
	unsigned                   cursor;       /* emit's position, in slots */
	unsigned                   nmmio;        /* of the thunks, MMIO ones (PV_XEN_MMIO_SLOTS slots each) */
	/* as in pv_profile: 1 = a site that finds no thunk space stays native, counted in nfull */
	uint8_t                    keep_when_full;
	unsigned                   nfull;
};
/* The descriptor pushed by a port-I/O site's thunk, or -1 when the site stays native. */
long pv_xen_pio_desc(const struct pv_xen *st, const struct pv_site *site);
/*
 * The PV_MMIO_* descriptor (xen/xen-rt.h) of the mov at insn, decoded as
 * *in (pv_decode), or -1 when the blob could not carry it out exactly and
 * it stays native.  The form alone: the tests hold it against libopcodes.
 */
long pv_xen_mmio_form(const uint8_t *insn, const struct pv_insn *in);
/* The same for a site, with the site's own reasons to stay native (zone, flags, length, mmio_entry 0). */
long pv_xen_mmio_desc(const struct pv_xen *st, const struct pv_site *site);

#endif
