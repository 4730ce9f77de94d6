/* SPDX-License-Identifier: MIT */
/*
 * The blob's device models behind the MMIO windows while there are none:
 * the loader sets no window and no mmio_entry yet, so these are never
 * called; they only let the blob link without outside references
 * (check-blob).  The integrator replaces this file, in runtime.mk's blob
 * lists, with the virtio models' router (one definition of each).
 */
#include "xen/xen-rt.h"

uint64_t pv_xen_model_read(struct pv_xen_state *st, unsigned win, uint32_t off, unsigned width)
{
	(void)st, (void)win, (void)off, (void)width;
	return ~0ull;                   /* what a read of no device returns */
}

void pv_xen_model_write(struct pv_xen_state *st, unsigned win, uint32_t off, unsigned width, uint64_t val)
{
	(void)st, (void)win, (void)off, (void)width, (void)val;
}
