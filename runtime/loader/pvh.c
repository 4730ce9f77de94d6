/* SPDX-License-Identifier: MIT */
#include <stdint.h>

#include <xen/xen.h>
#include <xen/memory.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/hvm/params.h>

#include "loader/console.h"
#include "loader/pvh.h"
#include "xen/consout.h"
#include "xen/hypercall.h"

#define MAX_MODULES 2
#define MAX_MAP     128

static struct mb_info mbi;
static struct mb_module mods[MAX_MODULES];
static struct mb_mmap mmap[MAX_MAP];
static struct { uint64_t addr, size; uint32_t type; } __attribute__((packed)) e820[MAX_MAP];
static uint64_t vmmcall;
/*
 * Xen puts the command line (and the start info) right after the module,
 * where the kernel is often loaded: keep a copy.
 */
static char cmdline[2048];

static void xen_console(const char *s, size_t n)
{
	pv_xen_console_write(vmmcall, s, (unsigned)n);
}

/* A domU's console: its ring, at the frame Xen names (identity-mapped here). */
static struct pv_consring ring;
static uint8_t ring_stalled;

static void ring_console(const char *s, size_t n)
{
	pv_xen_consout(vmmcall, &ring, &ring_stalled, s, (unsigned)n);
}

struct pv_consring *pvh_console_ring(void)
{
	return ring.intf ? &ring : 0;
}

/*
 * A domU may not write Xen's console (CONSOLEIO_write is for the control
 * domain on a release build of Xen): find its console ring, whose frame
 * and event channel the domain builder put in two HVM parameters.  0, or
 * -1 with *e naming what is missing.
 */
static int domu_console(const struct pv_buf *mem, struct pv_err *e)
{
	uint64_t pfn, port;

	if (pv_xen_hvm_param(vmmcall, HVM_PARAM_CONSOLE_PFN, &pfn) < 0 || !pfn)
		return pv_fail(e, "HVM_PARAM_CONSOLE_PFN", "a domU without a console ring");
	if (pv_xen_hvm_param(vmmcall, HVM_PARAM_CONSOLE_EVTCHN, &port) < 0 || !port || port > 0xffffffffu)
		return pv_fail(e, "HVM_PARAM_CONSOLE_EVTCHN", "a domU without a console event channel");
	if (!pv_span(mem, pfn << 12, 4096))
		return pv_fail(e, "HVM_PARAM_CONSOLE_PFN", "the console ring lies outside the first 4 GiB");
	pv_consring_init(&ring, (struct xencons_interface *)(uintptr_t)(pfn << 12), (uint32_t)port);
	con_set_sink(ring_console);
	return 0;
}

int pvh_boot_init(uint32_t start_info, const struct pv_vmm_info *vmm, struct pvh_boot *out, struct pv_err *e)
{
	const struct pv_buf mem = { 0, 0, 0x100000000ull };     /* the identity-mapped first 4 GiB */
	const struct hvm_start_info *si = pv_span(&mem, start_info, sizeof *si);
	const struct hvm_modlist_entry *ml;
	struct xen_memory_map map = { .nr_entries = MAX_MAP };
	long rc;

	if (vmm->vmm != PV_VMM_XEN)
		return pv_fail(e, "PVH entry", "CPUID shows no Xen");
	out->xen = 1;
	out->vmmcall = vmmcall = pv_xen_hypercall_amd();
	con_set_sink(xen_console);
	if (!si || si->magic != XEN_HVM_START_MAGIC_VALUE)
		return pv_fail(e, "hvm_start_info magic", "PVH entry without the start info magic");
	/* Xen's dom0 builder sets SIF_INITDOMAIN; libxl's domain builder sets no flag */
	out->domu = !(si->flags & SIF_INITDOMAIN);
	if (out->domu && domu_console(&mem, e))
		return -1;
	con_printf("previrt-loader: PVH entry (%s), hvm_start_info version %u, %u module(s), hypercalls by %s\n",
		   out->domu ? "domU, console ring" : "dom0, Xen's console", si->version, si->nr_modules,
		   vmmcall ? "vmmcall" : "vmcall");

	set_xen_guest_handle(map.buffer, (void *)e820);
	rc = pv_xen_hypercall3(vmmcall, __HYPERVISOR_memory_op, XENMEM_memory_map, (uint64_t)(uintptr_t)&map, 0);
	if (rc < 0 || map.nr_entries == 0 || map.nr_entries > MAX_MAP)
		return pv_fail(e, "XENMEM_memory_map", "failed, or more entries than asked for");
	for (unsigned i = 0; i < map.nr_entries; i++)
		mmap[i] = (struct mb_mmap){ .size = 20, .base = e820[i].addr, .len = e820[i].size,
					    .type = e820[i].type };
	mbi.flags = MB_INFO_MMAP;
	mbi.mmap_addr = (uint32_t)(uintptr_t)mmap;
	mbi.mmap_length = (uint32_t)(map.nr_entries * sizeof mmap[0]);

	if (si->cmdline_paddr) {
		const char *c = pv_strz(&mem, si->cmdline_paddr);
		unsigned n = 0;

		if (!c)
			return pv_fail(e, "hvm_start_info cmdline_paddr", "not a NUL-terminated string in memory");
		while (c[n] && n + 1 < sizeof cmdline) {
			cmdline[n] = c[n];
			n++;
		}
		if (c[n])
			return pv_fail(e, "hvm_start_info cmdline_paddr", "the command line is longer than 2047 bytes");
		mbi.flags |= MB_INFO_CMDLINE;
		mbi.cmdline = (uint32_t)(uintptr_t)cmdline;
	}
	if (si->nr_modules > MAX_MODULES)
		return pv_fail(e, "hvm_start_info nr_modules",
			       "more than two modules (give vmlinux and the initramfs, or one bundle)");
	ml = pv_span(&mem, si->modlist_paddr, (uint64_t)si->nr_modules * sizeof *ml);
	if (si->nr_modules && !ml)
		return pv_fail(e, "hvm_start_info modlist_paddr", "the module list lies outside memory");
	for (uint32_t i = 0; i < si->nr_modules; i++) {
		if (!pv_span(&mem, ml[i].paddr, ml[i].size))
			return pv_fail(e, "hvm_modlist_entry paddr/size", "a module lies outside the first 4 GiB");
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
