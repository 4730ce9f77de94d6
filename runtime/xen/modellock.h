/* SPDX-License-Identifier: MIT */
/*
 * The one lock of the Xen blob's device models (the 16550, the 8259 pair,
 * the MMIO models), which every vCPU shares: xen/pio.c and xen/mmio.c
 * take it around every model access.
 *
 * The entries run the blob with interrupts off (xen/entry.S), so an
 * interrupt on this CPU cannot come in while the lock is held.  An NMI
 * still can, and an NMI handler that prints (a panic, the watchdog) would
 * spin on a lock its own CPU holds: the wait is bounded, and after it the
 * access goes on unlocked.  The models stay memory-safe then (their
 * indices are bounded); at worst a console line is garbled, as on real
 * hardware.
 */
#ifndef PREVIRT_RT_XEN_MODELLOCK_H
#define PREVIRT_RT_XEN_MODELLOCK_H

#include "xen/xen-rt.h"

#define PV_MODEL_LOCK_SPINS (1u << 22)

/* 1: held (pass it to pv_model_unlock), 0: gave up waiting (counted in lock_timeouts) */
static inline int pv_model_lock(struct pv_xen_state *st)
{
	for (unsigned i = 0; i < PV_MODEL_LOCK_SPINS; i++) {
		if (!__atomic_exchange_n(&st->lock, 1, __ATOMIC_ACQUIRE))
			return 1;
		__builtin_ia32_pause();
	}
	__atomic_fetch_add(&st->lock_timeouts, 1, __ATOMIC_RELAXED);
	return 0;
}

static inline void pv_model_unlock(struct pv_xen_state *st, int held)
{
	if (held)
		__atomic_store_n(&st->lock, 0, __ATOMIC_RELEASE);
}

#endif
