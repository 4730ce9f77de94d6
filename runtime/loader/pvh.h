/* SPDX-License-Identifier: MIT */
/*
 * Started by Xen as a PVH guest (dom0, or a domU that xl created): Xen enters pvh_start32 (entry.S,
 * ELF note XEN_ELFNOTE_PHYS32_ENTRY) in 32-bit protected mode with %ebx =
 * the physical address of struct hvm_start_info.  This file turns what Xen
 * gives into what the rest of the loader reads:
 *
 *  - which hypercall instruction the CPU takes (vmcall/vmmcall, from
 *    CPUID's vendor), for the loader's own calls: its console and the
 *    memory map (no hypercall page: xen/hypercall.h);
 *  - a multiboot information block: modules and command line from the
 *    start info, the memory map from XENMEM_memory_map (a 4.17 PVH dom0
 *    gets start info version 0, which has no memory map);
 *  - the ACPI RSDP address Xen built for the domain;
 *  - dom0 or domU (SIF_INITDOMAIN in the start info's flags): a domU's
 *    console is its console ring (HVM_PARAM_CONSOLE_PFN/_EVTCHN), not
 *    Xen's console, from the first line the loader prints.
 */
#ifndef PREVIRT_LOADER_PVH_H
#define PREVIRT_LOADER_PVH_H

#include <stdint.h>

#include "detect/vmm.h"
#include "loader/checked.h"
#include "loader/multiboot.h"

/* what %eax holds when loader_main was entered through pvh_start32 */
#define PVH_ENTRY_MAGIC 0x336ec578u      /* XEN_HVM_START_MAGIC_VALUE */

struct pvh_boot {
	const struct mb_info *mbi;       /* modules, command line, memory map */
	uint64_t              rsdp;      /* physical, 0 if Xen gave none */
	int                   xen;       /* started by Xen (PVH): hypercalls work */
	int                   domu;      /* no SIF_INITDOMAIN: a guest, console through its ring */
	uint64_t              vmmcall;   /* 1: AMD/Hygon (vmmcall), 0: Intel (vmcall) */
};

/*
 * Fill *out from the start info at start_info, every field read through
 * loader/checked.h; 0, or -1 with *e naming the field.
 */
int pvh_boot_init(uint32_t start_info, const struct pv_vmm_info *vmm, struct pvh_boot *out, struct pv_err *e);

/* A domU's console ring as the loader writes it (identity-mapped), or 0 in dom0. */
struct pv_consring *pvh_console_ring(void);

#endif
