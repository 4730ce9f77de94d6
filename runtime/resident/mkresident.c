/* SPDX-License-Identifier: MIT */
/*
 * mkresident IN.elf OUT.bin: flatten the resident patcher (a PIE linked at
 * address 0) into a struct pv_res_image file the loader can place anywhere
 * (resident.h):
 *   - every allocated section, laid out by its address (NOBITS as zeros);
 *   - its dynamic relocations, which must all be R_X86_64_RELATIVE: the
 *     addend is stored in the image, the offset listed for the loader;
 *   - the offsets of the symbols the loader needs.
 * It refuses what could not work once copied into read-only kernel text:
 * writable data the code writes to (.data, .bss with a size; .got and
 * .data.rel.ro are only written by relocation, which the loader does
 * before the kernel runs), any other relocation type, a missing symbol.
 * One error line and exit 1 on any of these; the output is written to a
 * temporary file and renamed, so it is never half-written.
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resident/resident.h"

static const char *prog = "mkresident";

static void die(const char *what)
{
	fprintf(stderr, "%s: %s\n", prog, what);
	exit(1);
}

static uint8_t *file;
static size_t fsize;

static const void *at(uint64_t off, uint64_t len)
{
	if (off > fsize || len > fsize - off)
		die("input: a table lies outside the file");
	return file + off;
}

int main(int argc, char **argv)
{
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh, *symtab = 0, *strtab = 0;
	const char *shstr;
	uint8_t *img;
	uint64_t size = 0;
	uint32_t *rel = 0;
	size_t nrel = 0;
	struct pv_res_image hdr = { .magic = PV_RES_IMAGE_MAGIC };
	struct {
		const char *name;
		uint32_t   *off;
	} syms[] = {
		{ "pv_res_hook", &hdr.hook_off },         { "pv_res_slots", &hdr.slots_off },
		{ "pv_res_finalize", &hdr.finalize_off }, { "pv_res_printk", &hdr.printk_off },
		{ "pv_res_noprint", &hdr.noprint_off },
	};
	char tmp[4096];
	FILE *f;

	if (argc != 3)
		die("usage: mkresident IN.elf OUT.bin");
	if (!(f = fopen(argv[1], "rb")))
		die("cannot open the input");
	fseek(f, 0, SEEK_END);
	fsize = (size_t)ftell(f);
	rewind(f);
	file = malloc(fsize ? fsize : 1);
	if (!file || fread(file, 1, fsize, f) != fsize)
		die("cannot read the input");
	fclose(f);

	eh = at(0, sizeof *eh);
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_X86_64 || eh->e_type != ET_DYN || eh->e_shentsize != sizeof *sh)
		die("input: not an x86-64 PIE (ET_DYN)");
	sh = at(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof *sh);
	if (eh->e_shstrndx >= eh->e_shnum)
		die("input: bad section name table index");
	shstr = at(sh[eh->e_shstrndx].sh_offset, sh[eh->e_shstrndx].sh_size);

	for (unsigned i = 1; i < eh->e_shnum; i++) {
		const char *n = shstr + sh[i].sh_name;

		if (sh[i].sh_type == SHT_SYMTAB)
			symtab = &sh[i], strtab = &sh[sh[i].sh_link];
		if (!(sh[i].sh_flags & SHF_ALLOC))
			continue;
		if (sh[i].sh_addr + sh[i].sh_size > size)
			size = sh[i].sh_addr + sh[i].sh_size;
		if ((sh[i].sh_flags & SHF_WRITE) && sh[i].sh_size &&
		    (!strncmp(n, ".data", 6) || !strncmp(n, ".bss", 4) || !strcmp(n, ".tbss") ||
		     !strcmp(n, ".tdata")) && strncmp(n, ".data.rel.ro", 12))
			die("input: writable data (.data/.bss): the resident code runs from read-only text; keep state in struct pv_res_state");
	}
	if (!size || size > (1u << 24))
		die("input: no allocated sections, or larger than 16 MiB");
	if (!(img = calloc(1, size)))
		die("out of memory");
	for (unsigned i = 1; i < eh->e_shnum; i++)
		if ((sh[i].sh_flags & SHF_ALLOC) && sh[i].sh_type != SHT_NOBITS)
			memcpy(img + sh[i].sh_addr, at(sh[i].sh_offset, sh[i].sh_size), sh[i].sh_size);

	for (unsigned i = 1; i < eh->e_shnum; i++) {
		const Elf64_Rela *r;
		size_t n;

		if (sh[i].sh_type == SHT_REL)
			die("input: REL relocations (want RELA)");
		if (sh[i].sh_type != SHT_RELA || !(sh[i].sh_flags & SHF_ALLOC))
			continue;
		r = at(sh[i].sh_offset, sh[i].sh_size);
		n = sh[i].sh_size / sizeof *r;
		rel = realloc(rel, (nrel + n) * sizeof *rel);
		if (!rel)
			die("out of memory");
		for (size_t k = 0; k < n; k++) {
			if (ELF64_R_TYPE(r[k].r_info) != R_X86_64_RELATIVE) {
				snprintf(tmp, sizeof tmp, "input: dynamic relocation type %u at 0x%llx (only R_X86_64_RELATIVE can be applied)",
					 (unsigned)ELF64_R_TYPE(r[k].r_info), (unsigned long long)r[k].r_offset);
				die(tmp);
			}
			if (r[k].r_offset > size - 8 || (uint64_t)r[k].r_addend >= size)
				die("input: a relocation lies outside the image");
			memcpy(img + r[k].r_offset, &r[k].r_addend, 8);
			rel[nrel++] = (uint32_t)r[k].r_offset;
		}
	}

	if (!symtab)
		die("input: no symbol table");
	{
		const Elf64_Sym *s = at(symtab->sh_offset, symtab->sh_size);
		const char *str = at(strtab->sh_offset, strtab->sh_size);
		size_t n = symtab->sh_size / sizeof *s;

		for (size_t j = 0; j < sizeof syms / sizeof syms[0]; j++) {
			size_t k;

			for (k = 0; k < n; k++)
				if (s[k].st_name < strtab->sh_size && !strcmp(str + s[k].st_name, syms[j].name) &&
				    s[k].st_shndx != SHN_UNDEF)
					break;
			if (k == n || s[k].st_value >= size) {
				snprintf(tmp, sizeof tmp, "input: symbol %s missing", syms[j].name);
				die(tmp);
			}
			*syms[j].off = (uint32_t)s[k].st_value;
		}
	}
	hdr.size = (uint32_t)size;
	hdr.nrelocs = (uint32_t)nrel;

	snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
	if (!(f = fopen(tmp, "wb")))
		die("cannot write the output");
	if (fwrite(&hdr, sizeof hdr, 1, f) != 1 || fwrite(img, 1, size, f) != size ||
	    (nrel && fwrite(rel, sizeof *rel, nrel, f) != nrel) || fclose(f)) {
		remove(tmp);
		die("cannot write the output");
	}
	if (rename(tmp, argv[2]))
		die("cannot rename the output into place");
	printf("mkresident: %s: %llu bytes of image, %zu relocations\n", argv[2], (unsigned long long)size, nrel);
	return 0;
}
