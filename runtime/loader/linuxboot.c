/* SPDX-License-Identifier: MIT */
/* Linux's 32-bit boot protocol as a way into the loader (uvmm): see linuxboot.h. */
#include <stddef.h>

#include <asm/bootparam.h>

#include "loader/linuxboot.h"

int linuxboot_detect(const struct pv_buf *mem, uint64_t bp)
{
	const struct boot_params *p = bp ? pv_span(mem, bp, sizeof *p) : 0;

	return p && p->hdr.header == LINUXBOOT_HDRS;
}

int linuxboot_init(const struct pv_buf *mem, uint64_t bp, struct linuxboot *out, struct pv_err *e)
{
	const struct boot_params *p = pv_span(mem, bp, sizeof *p);
	uint64_t rd, rd_size, cl;
	unsigned n;

	*out = (struct linuxboot){ 0 };
	if (!p || p->hdr.header != LINUXBOOT_HDRS)
		return pv_fail(e, "boot_params hdr.header", "no \"HdrS\" signature: not started through Linux's boot protocol");

	/* the e820 map is the memory map (multiboot and e820 share the type numbers) */
	if (!p->e820_entries || p->e820_entries > E820_MAX_ENTRIES_ZEROPAGE)
		return pv_fail(e, "boot_params e820_entries", "none, or more than the zero page holds");
	for (n = 0; n < p->e820_entries; n++)
		out->mmap[n] = (struct mb_mmap){ .size = 20, .base = p->e820_table[n].addr,
						 .len = p->e820_table[n].size, .type = p->e820_table[n].type };
	out->mbi.flags = MB_INFO_MMAP;
	out->mbi.mmap_addr = (uint32_t)(uintptr_t)out->mmap;
	out->mbi.mmap_length = (uint32_t)(n * sizeof out->mmap[0]);

	cl = (uint64_t)p->ext_cmd_line_ptr << 32 | p->hdr.cmd_line_ptr;
	if (cl) {
		const char *c = pv_strz(mem, cl);

		if (!c)
			return pv_fail(e, "boot_params cmd_line_ptr", "not a NUL-terminated string in memory");
		for (n = 0; c[n] && n + 1 < sizeof out->cmdline; n++)
			out->cmdline[n] = c[n];
		if (c[n])
			return pv_fail(e, "boot_params cmd_line_ptr", "the command line is longer than 2047 bytes");
	}
	out->mbi.flags |= MB_INFO_CMDLINE;
	out->mbi.cmdline = (uint32_t)(uintptr_t)out->cmdline;

	rd = (uint64_t)p->ext_ramdisk_image << 32 | p->hdr.ramdisk_image;
	rd_size = (uint64_t)p->ext_ramdisk_size << 32 | p->hdr.ramdisk_size;
	if (!rd_size)
		return pv_fail(e, "boot_params ramdisk_size",
			       "no ramdisk: give a previrt bundle (runtime/mkbundle vmlinux initramfs) as the ramdisk");
	if (!pv_span(mem, rd, rd_size))
		return pv_fail(e, "boot_params ramdisk_image/size", "the ramdisk lies outside the first 4 GiB");
	out->mod = (struct mb_module){ (uint32_t)rd, (uint32_t)(rd + rd_size), 0, 0 };
	out->mbi.flags |= MB_INFO_MODS;
	out->mbi.mods_count = 1;
	out->mbi.mods_addr = (uint32_t)(uintptr_t)&out->mod;
	out->rsdp = p->acpi_rsdp_addr;
	return 0;
}
