/* SPDX-License-Identifier: MIT */
/*
 * The backends the runtime knows, one file and one header each:
 *
 *   native.[ch]   leave every site as it is (bare metal, or a VMM that traps
 *                 everything we need: the annotated kernel runs unchanged)
 *   profile.[ch]  every patchable site jumps to a per-site thunk that counts it
 *                 and then runs a copy of the original instruction(s)
 *   xen.[ch]      port I/O of the devices Xen keeps from dom0 goes to models
 *                 in the kernel's pool (docs/xen.md)
 *   l4.[ch]       uvmm (L4Re): the PM timer from kvm-clock and COM1 by vmmcall
 *                 print, in the kernel's pool, without exits (docs/l4.md)
 *
 * A backend is a struct pv_backend (patch.h) plus its own state type in
 * its own header.  The loader registers each in one table
 * (loader/backends.c: name, backend, setup).  This header only gathers them.
 */
#ifndef PREVIRT_RT_BACKEND_H
#define PREVIRT_RT_BACKEND_H

#include "patch/native.h"
#include "patch/profile.h"
#include "patch/xen.h"
#include "patch/l4.h"

/*
 * Every backend, for tools that describe them (previrt-report prints each
 * one's zone_policy).  The loader's table pairs the same ones with setup
 * functions.
 */
#define PV_BACKEND_LIST { &pv_backend_native, &pv_backend_profile, &pv_backend_xen, &pv_backend_l4 }

#endif
