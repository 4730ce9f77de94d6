/* SPDX-License-Identifier: MIT */
/*
 * pv_xen_mmio_phys in the kernel (xen/xen-rt.h): the current vCPU's page
 * tables, CR3 and CR4.LA57, walked through the kernel's direct map.
 * The blob runs at CPL 0 on the kernel's page tables, so reading CR3 and
 * CR4 costs no exit under PVH (hardware virtualization).  The host harness
 * binds its own pv_xen_mmio_phys instead of this file, since user space
 * may not read control registers.
 */
#include <stdint.h>

#include "xen/pagewalk.h"
#include "xen/xen-rt.h"

#define CR4_LA57 (1ull << 12)

int pv_xen_mmio_phys(const struct pv_xen_state *st, uint64_t linear, uint64_t *phys)
{
	uint64_t cr3, cr4, dm = pv_xen_direct_map(st);

	if (!dm)
		return -1;              /* the loader named no direct map: no model is reachable */
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	return pv_pt_walk(cr3, !!(cr4 & CR4_LA57), dm, linear, phys);
}
