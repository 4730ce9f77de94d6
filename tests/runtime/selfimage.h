/* SPDX-License-Identifier: MIT */
/*
 * Where this running program's .previrt records, text and functions are.
 *
 * A linked executable has no __start_ symbol for `.previrt` (not a C
 * identifier), so the harness reads its own section headers from
 * /proc/self/exe with libelf and adds the load bias that the dynamic
 * loader reports (dl_iterate_phdr: PIE executables load anywhere).
 * The loader image does the same from the vmlinux file it is given.
 */
#ifndef PREVIRT_TEST_SELFIMAGE_H
#define PREVIRT_TEST_SELFIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "patch/patch.h"

#define SELF_MAX_TEXT 16

/*
 * A handler pool of `bytes` (a literal) in this program's text, as the
 * plugin reserves one in the kernel: int3-filled, 64-byte aligned, named
 * `name` (an array of uint8_t).
 */
#define SELF_POOL_STR_(x) #x
#define SELF_POOL(name, bytes)                                                        \
	__asm__(".pushsection .text.unlikely.previrt_pool,\"ax\",@progbits\n"            \
		".balign 64\n" #name ": .fill " SELF_POOL_STR_(bytes) ", 1, 0xcc\n"      \
		".popsection");                                                       \
	extern uint8_t name[]

struct self_image {
	uintptr_t       bias;                    /* run-time minus link-time address */
	uint8_t        *previrt;                 /* the section, at run time */
	size_t          previrt_size;
	struct pv_range text[SELF_MAX_TEXT];     /* SHF_EXECINSTR sections, run time */
	unsigned        ntext;
	/*
	 * .noinstr.text and .entry.text (runtime/patch/zone.h), run time.  A
	 * host program has no __noinstr_text_start symbols (the default linker
	 * script makes each an output section of its own), so the harness takes
	 * the zones from the section headers, as it does .previrt.
	 */
	struct pv_zones zones;
};

/* 0 on success; on failure prints one line to stderr and returns -1. */
int self_image_load(struct self_image *si);

/* Run-time address range of function `name` (from .symtab), 0 on success. */
int self_function(const char *name, uintptr_t *start, uintptr_t *end);

/*
 * The .previrt records inside function `name`: how many (*n), and how many
 * of them a port-I/O backend with state `xen` would patch (pv_xen_pio_desc;
 * the Xen and L4 backends share it).
 */
struct pv_xen;
void self_pio_sites(const struct self_image *si, const char *name, const struct pv_xen *xen,
		    unsigned *n, unsigned *patched);

/* The MMIO records inside function `name` (*n), and how many of them the Xen backend patches (pv_xen_mmio_desc). */
void self_mmio_sites(const struct self_image *si, const char *name, const struct pv_xen *xen,
		     unsigned *n, unsigned *patched);

/* Make the text ranges writable (patching) or not again; 0, or -1 after perror. */
int self_text_protect(const struct self_image *si, int writable);

#endif
