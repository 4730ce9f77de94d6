/* SPDX-License-Identifier: MIT */
/*
 * The L4 backend: a non-paravirt Linux as a guest of uvmm (L4Re's VMM on
 * Fiasco).  Every exit costs a world switch into Fiasco and an IPC to
 * uvmm, a user-level task, and back; the backend removes the exits that
 * the profile backend and uvmm's device models show as the hot ones, using
 * only what uvmm already offers (docs/l4.md):
 *
 *  - the ACPI PM timer: computed in the kernel from the TSC and the
 *    kvm-clock parameters uvmm publishes (no exit); with tsc_early_khz=
 *    (the loader adds it, from the same parameters) the kernel's TSC
 *    frequency is right and its slow PIT calibration never runs;
 *  - PIT channel 2 and port 0x61 (l4/pit.h): the kernel's TSC
 *    calibration reads them tens of thousands of times; computed in the
 *    kernel on the same clock;
 *  - COM1's console path (while the driver's IER is 0, l4/l4-rt.h): LSR
 *    answered in the kernel, lines out through uvmm's vmmcall print (one
 *    exit per character instead of two); the interrupt-driven tty path
 *    stays uvmm's 8250.
 *
 * Mechanism: exactly the Xen backend's port-I/O thunks (patch/xen.c: an
 * immediate port the runtime never emulates stays native, a %dx port gets
 * a thunk that asks the blob), with the L4 blob's entry; the blob passes
 * every other port to the real instruction, which exits to uvmm as before.
 * Zones as for Xen: main text only (the blob is main text).
 */
#include "patch/l4.h"

static int l4_begin(void *state, unsigned nsites)
{
	return pv_backend_xen.begin(&((struct pv_l4 *)state)->pio, nsites);
}

static int l4_plan(void *state, const struct pv_site *site)
{
	return pv_backend_xen.plan(&((struct pv_l4 *)state)->pio, site);
}

static void l4_rewind(void *state)
{
	pv_backend_xen.rewind(&((struct pv_l4 *)state)->pio);
}

static int l4_emit(void *state, const struct pv_site *site, uint8_t *out)
{
	return pv_backend_xen.emit(&((struct pv_l4 *)state)->pio, site, out);
}

const struct pv_backend pv_backend_l4 = {
	.name = "l4",
	.begin = l4_begin,
	.plan = l4_plan,
	.rewind = l4_rewind,
	.emit = l4_emit,
	.zone_policy = {
		[PV_ZONE_MAIN]    = PV_ZP_MAIN_POOL,
		[PV_ZONE_NOINSTR] = PV_ZP_NATIVE,
		[PV_ZONE_ENTRY]   = PV_ZP_NATIVE,
	},
};
