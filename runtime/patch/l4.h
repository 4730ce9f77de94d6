/* SPDX-License-Identifier: MIT */
/* The L4 backend (l4.c; the handler blob is in l4/, see l4/l4-rt.h). */
#ifndef PREVIRT_RT_PATCH_L4_H
#define PREVIRT_RT_PATCH_L4_H

#include "patch/xen.h"

extern const struct pv_backend pv_backend_l4;

/*
 * L4 backend state.  Port I/O goes through the same thunks as the Xen
 * backend's (patch/xen.c): pio.pio_entry is the L4 blob's entry, pio.acpi
 * names the PM timer and power ports the blob knows.
 */
struct pv_l4 {
	struct pv_xen pio;
};

#endif
