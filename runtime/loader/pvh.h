/* SPDX-License-Identifier: MIT */
/*
 * Started by Xen as a PVH guest (dom0): Xen enters pvh_start32 (entry.S,
 * ELF note XEN_ELFNOTE_PHYS32_ENTRY) in 32-bit protected mode with %ebx =
 * the physical address of struct hvm_start_info.  This file turns what Xen
 * gives into what the rest of the loader reads:
 *
 *  - the hypercall page (MSR from CPUID leaf base+2), for the loader's
 *    own calls: its console and the memory map;
 *  - a multiboot information block: modules and command line from the
 *    start info, the memory map from XENMEM_memory_map (a 4.17 PVH dom0
 *    gets start info version 0, which has no memory map);
 *  - the ACPI RSDP address Xen built for the domain.
 */
#ifndef PREVIRT_LOADER_PVH_H
#define PREVIRT_LOADER_PVH_H

#include <stdint.h>

#include "detect/vmm.h"
#include "loader/multiboot.h"

/* what %eax holds when loader_main was entered through pvh_start32 */
#define PVH_ENTRY_MAGIC 0x336ec578u      /* XEN_HVM_START_MAGIC_VALUE */

struct pvh_boot {
	const struct mb_info *mbi;       /* modules, command line, memory map */
	uint64_t              rsdp;      /* physical, 0 if Xen gave none */
	uint64_t              hypercall_page;   /* the loader's own (identity-mapped) */
	uint32_t              hypercall_msr;
};

/* Fill *out from the start info at start_info; NULL, or one line saying what is wrong. */
const char *pvh_boot_init(uint32_t start_info, const struct pv_vmm_info *vmm, struct pvh_boot *out);

/* Point Xen's hypercall page MSR at page (physical, 4 KiB aligned): Xen writes the stubs there. */
void pvh_hypercall_page(uint32_t msr, uint64_t page);

#endif
