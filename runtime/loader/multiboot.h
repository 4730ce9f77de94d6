/* SPDX-License-Identifier: MIT */
/* Multiboot 1 information structure (the parts the loader reads). */
#ifndef PREVIRT_LOADER_MULTIBOOT_H
#define PREVIRT_LOADER_MULTIBOOT_H

#include <stdint.h>

#define MB_BOOT_MAGIC   0x2badb002
#define MB_INFO_MEM     0x001
#define MB_INFO_CMDLINE 0x004
#define MB_INFO_MODS    0x008
#define MB_INFO_MMAP    0x040

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;     /* KiB below 1 MiB, KiB above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
};

struct mb_module {
	uint32_t mod_start, mod_end;
	uint32_t string;
	uint32_t reserved;
};

struct mb_mmap {
	uint32_t size;                      /* of the rest of this entry */
	uint64_t base, len;
	uint32_t type;                      /* 1 RAM, 3 ACPI, 4 NVS, 5 bad, else reserved */
} __attribute__((packed));

#endif
