/* SPDX-License-Identifier: MIT */
#include <stdint.h>

#include <xen/xen.h>
#include <xen/memory.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "loader/console.h"
#include "loader/pvh.h"
#include "xen/hypercall.h"

#define MAX_MODULES 2
#define MAX_MAP     128

static uint8_t loader_hypercall_page[4096] __attribute__((aligned(4096)));
static struct mb_info mbi;
static struct mb_module mods[MAX_MODULES];
static struct mb_mmap mmap[MAX_MAP];
static struct { uint64_t addr, size; uint32_t type; } __attribute__((packed)) e820[MAX_MAP];
static uint64_t console_page;
/*
 * Xen puts the command line (and the start info) right after the module,
 * where the kernel is often loaded: keep a copy.
 */
static char cmdline[2048];

static void xen_console(const char *s, size_t n)
{
	pv_xen_console_write(console_page, s, (unsigned)n);
}

void pvh_hypercall_page(uint32_t msr, uint64_t page)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)page), "d"((uint32_t)(page >> 32)));
}

const char *pvh_boot_init(uint32_t start_info, const struct pv_vmm_info *vmm, struct pvh_boot *out)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)start_info;
	const struct hvm_modlist_entry *ml;
	struct xen_memory_map map = { .nr_entries = MAX_MAP };
	uint32_t r[4];
	long rc;

	if (si->magic != XEN_HVM_START_MAGIC_VALUE)
		return "PVH entry without the hvm_start_info magic";
	if (vmm->vmm != PV_VMM_XEN)
		return "PVH entry, but CPUID shows no Xen";
	/* leaf base+2: EAX pages of hypercall stubs, EBX the MSR that places them */
	pv_cpuid(vmm->base + 2, 0, r);
	if (r[0] < 1 || !r[1])
		return "Xen's CPUID leaf base+2 names no hypercall page MSR";
	out->hypercall_msr = r[1];
	out->hypercall_page = (uint64_t)(uintptr_t)loader_hypercall_page;
	pvh_hypercall_page(out->hypercall_msr, out->hypercall_page);
	console_page = out->hypercall_page;
	con_set_sink(xen_console);
	con_printf("previrt-loader: PVH entry, hvm_start_info version %u, %u module(s)\n",
		   si->version, si->nr_modules);

	set_xen_guest_handle(map.buffer, (void *)e820);
	rc = pv_xen_hypercall3(out->hypercall_page, __HYPERVISOR_memory_op, XENMEM_memory_map,
			       (uint64_t)(uintptr_t)&map, 0);
	if (rc < 0 || map.nr_entries == 0)
		return "XENMEM_memory_map failed";
	for (unsigned i = 0; i < map.nr_entries && i < MAX_MAP; i++)
		mmap[i] = (struct mb_mmap){ .size = 20, .base = e820[i].addr, .len = e820[i].size,
					    .type = e820[i].type };
	mbi.flags = MB_INFO_MMAP;
	mbi.mmap_addr = (uint32_t)(uintptr_t)mmap;
	mbi.mmap_length = (uint32_t)(map.nr_entries * sizeof mmap[0]);

	if (si->cmdline_paddr) {
		const char *c = (const char *)(uintptr_t)si->cmdline_paddr;
		unsigned n = 0;

		while (c[n] && n + 1 < sizeof cmdline) {
			cmdline[n] = c[n];
			n++;
		}
		mbi.flags |= MB_INFO_CMDLINE;
		mbi.cmdline = (uint32_t)(uintptr_t)cmdline;
	}
	if (si->nr_modules > MAX_MODULES)
		return "more than two modules (give vmlinux and the initramfs, or one bundle)";
	ml = (const void *)(uintptr_t)si->modlist_paddr;
	for (uint32_t i = 0; i < si->nr_modules; i++) {
		if (ml[i].paddr + ml[i].size > (uint64_t)0x100000000ull)
			return "a module lies above 4 GiB";
		mods[i] = (struct mb_module){ (uint32_t)ml[i].paddr, (uint32_t)(ml[i].paddr + ml[i].size), 0, 0 };
	}
	if (si->nr_modules) {
		mbi.flags |= MB_INFO_MODS;
		mbi.mods_count = si->nr_modules;
		mbi.mods_addr = (uint32_t)(uintptr_t)mods;
	}
	out->mbi = &mbi;
	out->rsdp = si->rsdp_paddr;
	return 0;
}
