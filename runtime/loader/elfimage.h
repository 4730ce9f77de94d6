/* SPDX-License-Identifier: MIT */
/*
 * The annotated vmlinux as the loader sees it: an ELF64 file in memory (a
 * boot module), its PT_LOAD segments copied to their physical addresses,
 * and the section headers and symbols read from the file to find
 * .previrt, the executable sections and the handler pool.  Freestanding:
 * <elf.h> for the types only.
 */
#ifndef PREVIRT_LOADER_ELFIMAGE_H
#define PREVIRT_LOADER_ELFIMAGE_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "patch/patch.h"

#define ELFIMG_MAX_TEXT 16

struct elfimage {
	const uint8_t  *file;
	size_t          size;
	uint64_t        entry;          /* physical address of startup_64 */
	uint64_t        lo, hi;         /* physical range the segments occupy */
	int64_t         v2p;            /* physical minus virtual, of the kernel text segment */
	struct pv_range text[ELFIMG_MAX_TEXT];   /* physical */
	unsigned        ntext;
	uint64_t        previrt, previrt_size;   /* physical */
};

/* Check the headers and compute the ranges; NULL, or one line saying what is wrong. */
const char *elfimage_parse(struct elfimage *im, const uint8_t *file, size_t size);
/* Copy the PT_LOAD segments to their physical addresses and clear their bss. */
void elfimage_load(const struct elfimage *im);
/* Find .previrt and the executable sections; NULL or the problem. */
const char *elfimage_sections(struct elfimage *im);
/* Physical address of symbol `name` (a kernel virtual address in .symtab), 0 if absent. */
uint64_t elfimage_symbol(const struct elfimage *im, const char *name);

#endif
