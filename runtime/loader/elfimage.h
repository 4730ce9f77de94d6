/* SPDX-License-Identifier: MIT */
/*
 * The annotated vmlinux as the loader sees it: an ELF64 file in memory (a
 * boot module), checked field by field (loader/checked.h) before anything
 * is copied.  Its PT_LOAD segments go to their physical addresses; the
 * section headers and symbols locate .previrt, the executable sections,
 * the kernel's __ex_table and the handler pool.  Every loaded thing is
 * known twice: where it is in the file (read before loading: validation)
 * and where it will be (physical).  Freestanding and host-buildable:
 * <elf.h> for the types only.
 */
#ifndef PREVIRT_LOADER_ELFIMAGE_H
#define PREVIRT_LOADER_ELFIMAGE_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/checked.h"
#include "patch/patch.h"

#define ELFIMG_MAX_TEXT 16


#define ELFIMG_MAX_PHDR 32

struct elfimage {
	struct pv_buf   file;                    /* the module's bytes, offsets from 0 */
	const Elf64_Ehdr *eh;
	uint64_t        entry;                   /* physical address of startup_64 */
	uint64_t        lo, hi;                  /* physical range the segments occupy */
	int64_t         v2p;                     /* physical minus virtual, of the kernel text segment */
	struct pv_range text[ELFIMG_MAX_TEXT];   /* physical; read_off: where the file holds the bytes */
	unsigned        ntext;
	uint64_t        previrt, previrt_size;   /* physical */
	const uint8_t  *previrt_file;            /* the same bytes in the file */
	struct pv_extable extable;               /* physical `at`, `bytes` in the file */
	const Elf64_Shdr *symtab, *strtab;
	/*
	 * .noinstr.text and .entry.text (patch/zone.h), physical, from
	 * __noinstr_text_start/_end and __entry_text_start/_end; a zone the
	 * kernel does not name stays 0.  Each lies inside one executable
	 * section, and they do not overlap.
	 */
	struct pv_zones zones;
	/*
	 * The compiler's noinstr pool (lib/pool.h), physical, inside the
	 * noinstr zone; 0 when the kernel has none.  noinstr_pool_unzoned: it
	 * has one, but names no noinstr zone to check it against, so it is
	 * not used (its NOINSTR sites count as entry and stay native anyway).
	 */
	uint64_t        noinstr_pool, noinstr_pool_end;
	int             noinstr_pool_unzoned;
};

/* ELF header and program headers; 0, or -1 and *e naming the field. */
int elfimage_parse(struct elfimage *im, const uint8_t *file, uint64_t size, struct pv_err *e);
/* The same file at another place (the loader moved the module). */
void elfimage_rebase(struct elfimage *im, const uint8_t *file);
/* Section headers, names, .previrt, text, symbols, __ex_table; 0 or -1 and *e. */
int elfimage_sections(struct elfimage *im, struct pv_err *e);
/*
 * Every PT_LOAD destination inside usable RAM (ram[nram]) and clear of
 * every range in avoid[navoid] (the loader, the boot modules, the boot
 * information); names[] say what each one is.  0, or -1 and *e.
 */
int elfimage_check_dest(const struct elfimage *im, const struct blob *ram, unsigned nram,
			const struct blob *avoid, const char *const *names, unsigned navoid, struct pv_err *e);
/* The records as validation sees them: in the file (before loading) or where they are loaded. */
void elfimage_pv_image(const struct elfimage *im, int loaded, struct pv_range *text, struct pv_extable *ex,
		       struct pv_image *img);
/* Copy the PT_LOAD segments to their physical addresses and clear their bss (after every check). */
void elfimage_load(const struct elfimage *im);
/*
 * The zones and the noinstr pool, by symbol name (called by
 * elfimage_sections; 0, or -1 and *e naming the symbols).
 */
int elfimage_zones(struct elfimage *im, struct pv_err *e);
/* Physical address of symbol `name` inside a PT_LOAD, 0 if absent. */
uint64_t elfimage_symbol(const struct elfimage *im, const char *name);
/* The nth STT_FUNC symbol `name` (or a GCC clone `name.*`): physical address and size. 0 or -1. */
int elfimage_function(const struct elfimage *im, const char *name, unsigned nth, uint64_t *phys, uint64_t *size);
/* Physical address -> where the file holds its bytes (inside a text range), 0 if not text. */
const uint8_t *elfimage_text_bytes(const struct elfimage *im, uint64_t phys, uint64_t len);

#endif
