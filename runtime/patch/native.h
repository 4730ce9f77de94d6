/* SPDX-License-Identifier: MIT */
/* The native backend (native.c): validation only, every site kept.  No state. */
#ifndef PREVIRT_RT_NATIVE_H
#define PREVIRT_RT_NATIVE_H

#include "patch/patch.h"

extern const struct pv_backend pv_backend_native;

#endif
