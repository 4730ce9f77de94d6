/* SPDX-License-Identifier: MIT */
#include "loader/elfimage.h"

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static const Elf64_Phdr *phdr(const struct elfimage *im, unsigned i)
{
	const Elf64_Ehdr *eh = (const void *)im->file;

	return (const void *)(im->file + eh->e_phoff + (size_t)i * eh->e_phentsize);
}

static const Elf64_Shdr *shdr(const struct elfimage *im, unsigned i)
{
	const Elf64_Ehdr *eh = (const void *)im->file;

	return (const void *)(im->file + eh->e_shoff + (size_t)i * eh->e_shentsize);
}

const char *elfimage_parse(struct elfimage *im, const uint8_t *file, size_t size)
{
	const Elf64_Ehdr *eh = (const void *)file;

	*im = (struct elfimage){ .file = file, .size = size, .lo = UINT64_MAX };
	if (size < sizeof *eh || eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 ||
	    eh->e_ident[EI_MAG2] != ELFMAG2 || eh->e_ident[EI_MAG3] != ELFMAG3)
		return "the kernel module is not an ELF file (give vmlinux, not bzImage)";
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
		return "the kernel is not an x86-64 ELF executable";
	if (eh->e_phoff + (uint64_t)eh->e_phnum * eh->e_phentsize > size ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * eh->e_shentsize > size ||
	    eh->e_phentsize < sizeof(Elf64_Phdr) || eh->e_shentsize < sizeof(Elf64_Shdr))
		return "truncated ELF headers";
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr(im, i);

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (ph->p_offset + ph->p_filesz > size || ph->p_filesz > ph->p_memsz)
			return "a PT_LOAD segment lies outside the file";
		if (ph->p_paddr < im->lo)
			im->lo = ph->p_paddr;
		if (ph->p_paddr + ph->p_memsz > im->hi)
			im->hi = ph->p_paddr + ph->p_memsz;
		if ((ph->p_flags & PF_X) && !im->v2p)
			im->v2p = (int64_t)(ph->p_paddr - ph->p_vaddr);
	}
	if (im->hi == 0 || im->hi > 0xffffffffull)
		return "no loadable segment, or one above 4 GiB";
	im->entry = eh->e_entry;
	if (im->entry < im->lo || im->entry >= im->hi)
		return "the entry point is not a physical address inside the image";
	return 0;
}

void elfimage_load(const struct elfimage *im)
{
	const Elf64_Ehdr *eh = (const void *)im->file;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr(im, i);

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		memcpy((void *)(uintptr_t)ph->p_paddr, im->file + ph->p_offset, ph->p_filesz);
		memset((void *)(uintptr_t)(ph->p_paddr + ph->p_filesz), 0, ph->p_memsz - ph->p_filesz);
	}
}

/* physical address of a kernel virtual address, through the PT_LOAD holding it */
static uint64_t v2p(const struct elfimage *im, uint64_t va, uint64_t len)
{
	const Elf64_Ehdr *eh = (const void *)im->file;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = phdr(im, i);

		if (ph->p_type == PT_LOAD && va >= ph->p_vaddr && va + len <= ph->p_vaddr + ph->p_memsz)
			return ph->p_paddr + (va - ph->p_vaddr);
	}
	return 0;
}

const char *elfimage_sections(struct elfimage *im)
{
	const Elf64_Ehdr *eh = (const void *)im->file;
	const Elf64_Shdr *strs;

	if (eh->e_shstrndx >= eh->e_shnum)
		return "no section name table";
	strs = shdr(im, eh->e_shstrndx);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *sh = shdr(im, i);
		const char *name = (const char *)im->file + strs->sh_offset + sh->sh_name;
		uint64_t pa;

		if (!(sh->sh_flags & SHF_ALLOC) || sh->sh_type != SHT_PROGBITS || !sh->sh_size)
			continue;
		pa = v2p(im, sh->sh_addr, sh->sh_size);
		if (streq(name, ".previrt")) {
			if (!pa)
				return ".previrt is not inside a loaded segment";
			im->previrt = pa;
			im->previrt_size = sh->sh_size;
		} else if ((sh->sh_flags & SHF_EXECINSTR) && !streq(name, ".altinstr_replacement") && pa) {
			if (im->ntext == ELFIMG_MAX_TEXT)
				return "too many executable sections";
			im->text[im->ntext].start = pa;
			im->text[im->ntext].end = pa + sh->sh_size;
			im->ntext++;
		}
	}
	if (!im->previrt)
		return "the kernel has no .previrt section (not built with -fplugin=previrt?)";
	return 0;
}

uint64_t elfimage_symbol(const struct elfimage *im, const char *name)
{
	const Elf64_Ehdr *eh = (const void *)im->file;

	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *sh = shdr(im, i), *strtab;
		const Elf64_Sym *sym;

		if (sh->sh_type != SHT_SYMTAB || sh->sh_link >= eh->e_shnum)
			continue;
		strtab = shdr(im, sh->sh_link);
		sym = (const void *)(im->file + sh->sh_offset);
		for (uint64_t k = 0; k < sh->sh_size / sizeof *sym; k++)
			if (sym[k].st_name && streq((const char *)im->file + strtab->sh_offset + sym[k].st_name, name))
				return v2p(im, sym[k].st_value, 0);
	}
	return 0;
}
