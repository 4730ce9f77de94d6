/* SPDX-License-Identifier: MIT */
/*
 * The resident module patcher: the part of the runtime that stays in the
 * kernel after boot, so that a module's .previrt sites are validated and
 * patched by the same validator and backend as vmlinux's, when the kernel
 * loads the module and before any of its code can run.
 *
 * How it gets there (runtime/loader/resident.c):
 *   - the build links resident.c, hook.S and the freestanding core
 *     (decode/, patch/) into one position-independent image and flattens
 *     it with mkresident into a struct pv_res_image file, which the loader
 *     carries (.incbin);
 *   - the loader copies the image into the kernel's handler pool
 *     (executable text, within rel32 reach of everything), applies its
 *     R_X86_64_RELATIVE relocations for the kernel-virtual address it will
 *     run at, fills the three slots below, and points every call/jmp of
 *     the kernel's module_finalize() at pv_res_hook: found by symbol, its
 *     bytes checked (e8/e9 rel32 whose target is module_finalize, inside
 *     load_module or post_relocation), patched like a site.
 *   - its writable state (struct pv_res_state) is in the counters area,
 *     which the kernel maps as ordinary data.
 *
 * The kernel calls module_finalize(hdr, sechdrs, mod) after it applied
 * the module's relocations and before the module's text is made
 * read-only and run; every section's sh_addr is then its address in
 * kernel memory.  pv_res_hook validates and patches the module there
 * (all or nothing), then continues into module_finalize; a module whose
 * records do not validate is refused (-ENOEXEC) with a kernel message.
 */
#ifndef PREVIRT_RT_RESIDENT_H
#define PREVIRT_RT_RESIDENT_H

#include <stdint.h>

#include "patch/profile.h"
#include "patch/xen.h"

/* ---- the flattened image (mkresident writes it, the loader reads it) ---- */

#define PV_RES_IMAGE_MAGIC "PVRESID1"

/*
 * File layout: this header, then `size` bytes of image (to be placed at a
 * 64-byte aligned address), then `nrelocs` u32 offsets of the 8-byte
 * places that hold image offsets and must get the image's run-time
 * address added (R_X86_64_RELATIVE with the addend already stored there).
 * The *_off fields are offsets of symbols in the image.
 */
struct pv_res_image {
	char     magic[8];
	uint32_t size;             /* bytes of image */
	uint32_t nrelocs;
	uint32_t hook_off;         /* pv_res_hook: what module_finalize's callers now call */
	uint32_t slots_off;        /* struct pv_res_slots */
	uint32_t finalize_off;     /* a `jmp rel32` to module_finalize (loader fills rel32) */
	uint32_t printk_off;       /* a `jmp rel32` to the kernel's printk (or to pv_res_noprint) */
	uint32_t noprint_off;      /* pv_res_noprint: returns, for a kernel without printk */
	uint32_t reserved;
};

/* ---- what the loader fills in (read-only once the kernel runs) ---- */

struct pv_res_slots {
	uint64_t state;            /* kernel-virtual address of struct pv_res_state */
};

/* ---- the writable state, in the kernel's counters area ---- */

#define PV_RES_STATE_MAGIC 0x53455256u   /* "VRES" */
#define PV_RES_MAX_TEXT    32             /* executable sections per module */
#define PV_RES_MAX_RECORDS 16384          /* records per module (plan bits below) */

enum pv_res_backend { PV_RES_NATIVE = 0, PV_RES_PROFILE, PV_RES_XEN };

struct pv_res_state {
	uint32_t magic;
	uint32_t backend;          /* enum pv_res_backend */
	uint32_t ex_entsize;       /* the kernel's __ex_table entry size (modules use the same) */
	volatile uint32_t lock;    /* one module at a time (load_module runs on any CPU) */
	int64_t  cnt_v2p;          /* physical minus virtual, of the counters (profile site table) */
	/*
	 * What the kernel left over, and how much of it modules used.
	 * profile: thunk slots in the pool and counters, one each per site;
	 * xen: thunk slots.  Kernel-virtual addresses.
	 */
	uint64_t pool;             /* first free slot after the kernel's thunks */
	uint64_t pool_size;
	uint64_t counters;         /* profile only */
	uint64_t ncounters;
	uint64_t used;             /* slots (and counters) modules took */
	struct pv_xen xen;         /* xen: pio_entry, acpi (kernel-virtual); thunks set per module */
	/* totals over every module, for a debugger or a test */
	uint32_t modules, refused, sites, patched, full;
	uint32_t reserved;
	uint64_t planned[PV_RES_MAX_RECORDS / 64];
};

#endif
