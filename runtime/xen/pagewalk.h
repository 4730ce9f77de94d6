/* SPDX-License-Identifier: MIT */
/*
 * Linear to guest-physical through x86-64 page tables (xen/pagewalk.c),
 * for the MMIO path of the Xen blob (xen/mmio.c): which device window a
 * driver's access falls in is a question about its physical address.
 * Pure: the tables are read through a direct map (kernel-virtual address
 * of physical 0), so the host tests walk tables they built in a buffer.
 */
#ifndef PREVIRT_RT_XEN_PAGEWALK_H
#define PREVIRT_RT_XEN_PAGEWALK_H

#include <stdint.h>

/*
 * Walk from cr3 (the register's value: PCID and flag bits are ignored)
 * with 5 levels when la57, else 4; 1 GiB and 2 MiB pages.  0 and *phys, or
 * -1 when the address is not canonical or a level is not present.
 */
int pv_pt_walk(uint64_t cr3, int la57, uint64_t direct_map, uint64_t linear, uint64_t *phys)
	__attribute__((visibility("hidden")));

#endif
