/* SPDX-License-Identifier: MIT */
/*
 * struct boot_params ("zero page") for Linux's 64-bit boot protocol
 * (Documentation/x86/boot.rst), from the multiboot information: e820 from
 * the memory map, command line, initrd, ACPI RSDP (the one given, else
 * searched for in the BIOS areas).  The layout is Linux's
 * own uapi header (linux-libc-dev: <asm/bootparam.h>).
 */
#ifndef PREVIRT_LOADER_BOOTPARAMS_H
#define PREVIRT_LOADER_BOOTPARAMS_H

#include <asm/bootparam.h>

#include "loader/multiboot.h"

struct boot_params *bootparams_build(const struct mb_info *mbi, const char *cmdline,
				     uint64_t initrd, uint64_t initrd_size, uint64_t rsdp,
				     uint64_t setup_data);

/* The ACPI RSDP found in the EBDA's first KiB or 0xe0000-0xfffff (physical), 0 if none. */
uint64_t bootparams_find_rsdp(void);

#endif
