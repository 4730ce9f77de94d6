/* SPDX-License-Identifier: MIT */
/*
 * The native backend: every site stays as the compiler wrote it.  The
 * annotated kernel then runs exactly as an unannotated one (plus the NOP
 * pads).  It still goes through validation, so a corrupt image is refused
 * the same way under every backend.
 */
#include "patch/native.h"

const struct pv_backend pv_backend_native = {
	.name = "native",
	.plan = 0,              /* no plan: every site is kept, nothing to visit again */
	.zone_policy = { PV_ZP_NATIVE, PV_ZP_NATIVE, PV_ZP_NATIVE },   /* every zone, like every site */
};
