/* SPDX-License-Identifier: MIT */
/*
 * An ELF file opened for reading: its sections, function symbols and
 * relocations, through libelf.  Every place in the file is a `pv_loc`:
 * a section index plus an offset, because relocatable objects (.o, .ko)
 * have no addresses yet.  In linked files (executables, vmlinux, shared
 * objects) the address is the section's sh_addr plus the offset.
 */
#ifndef PV_REPORT_IMAGE_H
#define PV_REPORT_IMAGE_H

#include <gelf.h>
#include <stddef.h>
#include <stdint.h>

/* A place in the file: section index (0 = nowhere) and offset in it. */
struct pv_loc {
	size_t   shndx;
	uint64_t off;
};

/* File order of two places: by section index, then offset (-1, 0, 1). */
static inline int pv_loc_cmp(struct pv_loc a, struct pv_loc b)
{
	if (a.shndx != b.shndx)
		return a.shndx < b.shndx ? -1 : 1;
	return a.off < b.off ? -1 : a.off > b.off;
}

struct pv_section {
	const char    *name;
	GElf_Shdr      shdr;
	const uint8_t *bytes;      /* section contents, NULL for NOBITS/empty */
	size_t         size;       /* bytes available at `bytes` */
	int            exec;       /* SHF_EXECINSTR */
	int            replacement;/* .altinstr_replacement: code the kernel patches in */
	/* ET_REL: relocations applying to this section, sorted by r_offset */
	struct pv_reloc *relocs;
	size_t         nrelocs;
};

struct pv_reloc {
	uint64_t      offset;      /* r_offset in the section */
	uint32_t      type;        /* R_X86_64_* */
	size_t        target_shndx;/* section of the symbol, 0 when undefined/absolute */
	int64_t       target_off;  /* symbol value + addend */
	const char   *symname;
};

struct pv_symbol {
	size_t      shndx;
	uint64_t    value;         /* section offset (ET_REL) or address, see pv_sym_off */
	uint64_t    off;           /* offset within its section */
	uint64_t    size;
	const char *name;
	const char *file;          /* the STT_FILE it follows, when known */
	int         func;          /* STT_FUNC (else a NOTYPE code label) */
};

struct pv_image {
	const char *path;          /* for messages */
	int         fd;            /* -1 when opened from memory */
	Elf        *elf;
	GElf_Ehdr   ehdr;
	int         relocatable;   /* ET_REL: locations are section+offset */
	size_t      nsections;
	struct pv_section *sec;
	struct pv_symbol  *syms;   /* code symbols sorted by (shndx, off) */
	size_t      nsyms;
	const char *unit_file;     /* ET_REL: the object's STT_FILE, if any */
	char        err[256];      /* why the last call failed */
};

/* Open a file (fd kept open for DWARF) or an in-memory image.  0 or -1 (err set). */
int pv_image_open(struct pv_image *img, const char *path);
int pv_image_open_memory(struct pv_image *img, const char *name, void *buf, size_t size);
void pv_image_close(struct pv_image *img);

/* printf into img->err; returns -1 so callers can `return pv_err(...)`. */
int pv_err(struct pv_image *img, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Section by name, or 0. */
size_t pv_find_section(const struct pv_image *img, const char *name);

/* Address of a location (linked files) or its offset (ET_REL). */
uint64_t pv_loc_addr(const struct pv_image *img, struct pv_loc loc);

/* The allocated section containing an address in a linked file (prefers code). */
struct pv_loc pv_addr_loc(const struct pv_image *img, uint64_t addr);

/* Bytes at a location, or NULL when fewer than n bytes are there. */
const uint8_t *pv_loc_bytes(const struct pv_image *img, struct pv_loc loc, size_t n);

/*
 * Where a pointer field in a table points to.  field = the place of the
 * field; pcrel = a 32-bit self-relative field (else an absolute 64-bit
 * address).  ET_REL: through the relocation on the field; linked: by
 * reading the field.  Returns 0, or -1 with a reason in *why.
 */
int pv_resolve_pointer(const struct pv_image *img, struct pv_loc field, int pcrel,
		       struct pv_loc *target, uint64_t *raw_addr, const char **why);

/* The code symbol containing (or nearest before) loc, or NULL. */
const struct pv_symbol *pv_symbol_at(const struct pv_image *img, struct pv_loc loc);

/* "func+0x12", "section+0x40" into buf. */
const char *pv_describe_loc(const struct pv_image *img, struct pv_loc loc, char *buf, size_t cap);

#endif
