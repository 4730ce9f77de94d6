/* SPDX-License-Identifier: MIT */
/*
 * Started through Linux's 32-bit boot protocol (Documentation/x86/boot.rst),
 * as uvmm (L4Re's VMM) starts an ELF guest: e_entry in flat 32-bit
 * protected mode, paging off, %esi = the physical address of a struct
 * boot_params ("zero page") with the setup header's "HdrS" signature, the
 * command line (cmd_line_ptr), the e820 map and one ramdisk.
 *
 * This file turns that into the multiboot information the rest of the
 * loader reads: the command line, the e820 map as the memory map, and the
 * ramdisk as the one boot module, which must be a previrt bundle
 * (runtime/mkbundle: vmlinux + initramfs), since the protocol carries only
 * one.  Every field is read through loader/checked.h.  Host-buildable.
 */
#ifndef PREVIRT_LOADER_LINUXBOOT_H
#define PREVIRT_LOADER_LINUXBOOT_H

#include <stdint.h>

#include "loader/checked.h"
#include "loader/multiboot.h"

/* The header signature at boot_params offset 0x202: "HdrS". */
#define LINUXBOOT_HDRS 0x53726448u

struct linuxboot {
	struct mb_info   mbi;
	struct mb_module mod;
	struct mb_mmap   mmap[128];
	char             cmdline[2048];
	uint64_t         rsdp;           /* boot_params.acpi_rsdp_addr, 0 if not given */
};

/*
 * 1 when mem holds a boot_params with the "HdrS" signature at bp (a cheap
 * look that decides which entry path this was), else 0.
 */
int linuxboot_detect(const struct pv_buf *mem, uint64_t bp);

/*
 * Fill *out from the boot_params at bp; 0, or -1 with *e naming the field.
 * out->mbi then reads like a multiboot loader's.
 */
int linuxboot_init(const struct pv_buf *mem, uint64_t bp, struct linuxboot *out, struct pv_err *e);

#endif
