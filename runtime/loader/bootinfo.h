/* SPDX-License-Identifier: MIT */
/*
 * The boot information, checked: the multiboot (or PVH-derived) info
 * block, its command line, module list and memory map, and the bundle
 * module.  Everything is read through loader/checked.h from `mem`
 * (physical memory).  Host-buildable: the tests and the fuzzer run it on
 * their own bytes.
 */
#ifndef PREVIRT_LOADER_BOOTINFO_H
#define PREVIRT_LOADER_BOOTINFO_H

#include "loader/checked.h"
#include "loader/multiboot.h"

#define BI_MAX_RAM 64

struct bootinfo {
	const struct mb_info *mbi;
	const char  *cmdline;              /* "" when there is none */
	struct blob  kernel, initrd;       /* module 1 and 2 (initrd.size 0: none) */
	struct blob  mods_array, mmap;     /* where the module list and memory map lie */
	struct blob  ram[BI_MAX_RAM];      /* usable RAM (type 1), from the map or mem_upper */
	unsigned     nram;
	int          bundle;               /* module 1 was a bundle, split into kernel + initrd */
};

/* one bundle module instead of two (Xen gives a PVH dom0 a single module) */
struct bundle_header {
	char     magic[16];                /* "PREVIRT-BUNDLE1\0" */
	uint64_t kernel_off, kernel_size;
	uint64_t initrd_off, initrd_size;
};

/* Read the info block at mbi_addr; 0, or -1 with *e naming the field. */
int bootinfo_parse(const struct pv_buf *mem, uint64_t mbi_addr, struct bootinfo *bi, struct pv_err *e);
/* Module 1 a bundle?  Then split it into kernel and initrd.  0 (split or not), or -1 and *e. */
int bootinfo_bundle(const struct pv_buf *mem, struct bootinfo *bi, struct pv_err *e);
/* [start, start + size) inside one usable RAM region */
int bootinfo_in_ram(const struct bootinfo *bi, uint64_t start, uint64_t size);
/* End of the usable RAM region holding 1 MiB (the loader and the modules), below 4 GiB */
uint64_t bootinfo_ram_top(const struct bootinfo *bi);

#endif
