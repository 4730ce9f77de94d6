/* SPDX-License-Identifier: MIT */
/* Reading this program's own ELF file (libelf) to find .previrt and its text. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <gelf.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "patch/xen.h"
#include "selfimage.h"

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	*(uintptr_t *)data = info->dlpi_addr;   /* the main program comes first */
	return 1;
}

static uintptr_t load_bias(void)
{
	uintptr_t bias = 0;

	dl_iterate_phdr(first_object, &bias);
	return bias;
}

struct elf_file {
	int   fd;
	Elf  *elf;
};

static int open_self(struct elf_file *f)
{
	elf_version(EV_CURRENT);
	f->fd = open("/proc/self/exe", O_RDONLY);
	if (f->fd < 0) {
		perror("selfimage: /proc/self/exe");
		return -1;
	}
	f->elf = elf_begin(f->fd, ELF_C_READ, NULL);
	if (!f->elf) {
		fprintf(stderr, "selfimage: libelf: %s\n", elf_errmsg(-1));
		close(f->fd);
		return -1;
	}
	return 0;
}

static void close_self(struct elf_file *f)
{
	elf_end(f->elf);
	close(f->fd);
}

int self_image_load(struct self_image *si)
{
	struct elf_file f;
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	memset(si, 0, sizeof *si);
	if (open_self(&f))
		return -1;
	si->bias = load_bias();
	if (elf_getshdrstrndx(f.elf, &shstrndx)) {
		fprintf(stderr, "selfimage: no section name table\n");
		close_self(&f);
		return -1;
	}
	while ((scn = elf_nextscn(f.elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		gelf_getshdr(scn, &sh);
		name = elf_strptr(f.elf, shstrndx, sh.sh_name);
		if (!name || !(sh.sh_flags & SHF_ALLOC))
			continue;
		if (strcmp(name, PREVIRT_SECTION) == 0) {
			si->previrt = (uint8_t *)(sh.sh_addr + si->bias);
			si->previrt_size = sh.sh_size;
		}
		for (int z = PV_ZONE_MAIN + 1; z < PV_NZONES; z++)
			if (strcmp(name, z == PV_ZONE_NOINSTR ? ".noinstr.text" : ".entry.text") == 0) {
				si->zones.at[z].start = sh.sh_addr + si->bias;
				si->zones.at[z].end = sh.sh_addr + sh.sh_size + si->bias;
			}
		if ((sh.sh_flags & SHF_EXECINSTR) && si->ntext < SELF_MAX_TEXT) {
			si->text[si->ntext].start = sh.sh_addr + si->bias;
			si->text[si->ntext].end = sh.sh_addr + sh.sh_size + si->bias;
			si->ntext++;
		}
	}
	close_self(&f);
	if (!si->previrt) {
		fprintf(stderr, "selfimage: /proc/self/exe has no %s section\n", PREVIRT_SECTION);
		return -1;
	}
	return 0;
}

int self_function(const char *want, uintptr_t *start, uintptr_t *end)
{
	struct elf_file f;
	Elf_Scn *scn = NULL;
	int found = -1;

	if (open_self(&f))
		return -1;
	while (found && (scn = elf_nextscn(f.elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		gelf_getshdr(scn, &sh);
		if (sh.sh_type != SHT_SYMTAB || !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;

			gelf_getsym(d, (int)i, &s);
			n = elf_strptr(f.elf, sh.sh_link, s.st_name);
			if (n && GELF_ST_TYPE(s.st_info) == STT_FUNC && strcmp(n, want) == 0) {
				*start = s.st_value + load_bias();
				*end = *start + s.st_size;
				found = 0;
				break;
			}
		}
	}
	close_self(&f);
	return found;
}

int self_text_protect(const struct self_image *si, int writable)
{
	long pg = sysconf(_SC_PAGESIZE);

	for (unsigned i = 0; i < si->ntext; i++) {
		uintptr_t a = si->text[i].start & ~(uintptr_t)(pg - 1);

		if (mprotect((void *)a, si->text[i].end - a,
			     PROT_READ | PROT_EXEC | (writable ? PROT_WRITE : 0))) {
			perror("selfimage: mprotect text");
			return -1;
		}
	}
	return 0;
}

/* the records in function `name` (all of them, or the MMIO ones), and how many the Xen backend patches */
static void count_sites(const struct self_image *si, const char *name, const struct pv_xen *xen, int mmio,
			unsigned *n, unsigned *patched)
{
	struct pv_image img = { .records = si->previrt, .size = si->previrt_size, .text = si->text, .ntext = si->ntext };
	uintptr_t s, e;

	*n = *patched = 0;
	if (self_function(name, &s, &e))
		return;
	for (size_t off = 0; off < si->previrt_size; off += PREVIRT_RECORD_SIZE) {
		struct pv_site site;

		if (pv_site_at(&img, (unsigned)(off / PREVIRT_RECORD_SIZE), &site) || !site.rule ||
		    (uintptr_t)site.addr < s || (uintptr_t)site.addr >= e ||
		    (mmio && !(site.rec->flags & PREVIRT_F_MMIO)))
			continue;
		(*n)++;
		*patched += (mmio ? pv_xen_mmio_desc(xen, &site) : pv_xen_pio_desc(xen, &site)) >= 0;
	}
}

void self_pio_sites(const struct self_image *si, const char *name, const struct pv_xen *xen,
		    unsigned *n, unsigned *patched)
{
	count_sites(si, name, xen, 0, n, patched);
}

void self_mmio_sites(const struct self_image *si, const char *name, const struct pv_xen *xen,
		     unsigned *n, unsigned *patched)
{
	count_sites(si, name, xen, 1, n, patched);
}
