/* SPDX-License-Identifier: MIT */
/*
 * Seeds for fuzz-loader: a kernel ELF laid out as the fuzz input expects
 * (physical memory from 0x9000: multiboot info, module list, memory map,
 * command line, then the module), once as vmlinux, once as a bundle.
 *   fuzz-seed KERNEL.elf OUTDIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/bootinfo.h"

#define BASE 0x9000u

static void emit(const char *dir, const char *name, const uint8_t *k, size_t ksize, int bundle)
{
	size_t off = 0x400, total = off + (bundle ? 4096 : 0) + ksize;
	uint8_t *b = calloc(1, total);
	struct mb_info *mbi = (void *)b;
	struct mb_module *mod = (void *)(b + 0x100);
	struct mb_mmap *mm = (void *)(b + 0x200);
	char path[4096];
	FILE *f;

	*mbi = (struct mb_info){ .flags = MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MMAP, .cmdline = BASE + 0x300,
				 .mods_count = 1, .mods_addr = BASE + 0x100, .mmap_length = 2 * sizeof *mm,
				 .mmap_addr = BASE + 0x200 };
	mm[0] = (struct mb_mmap){ 20, 0, 0x9fc00, 1 };
	mm[1] = (struct mb_mmap){ 20, 0x100000, 0x7f00000, 1 };
	strcpy((char *)b + 0x300, "console=ttyS0 previrt.backend=native");
	if (bundle) {
		struct bundle_header *h = (void *)(b + off);

		memcpy(h->magic, "PREVIRT-BUNDLE1", 16);
		h->kernel_off = 4096, h->kernel_size = ksize;
		h->initrd_off = 0, h->initrd_size = 0;
		memcpy(b + off + 4096, k, ksize);
	} else {
		memcpy(b + off, k, ksize);
	}
	*mod = (struct mb_module){ BASE + (uint32_t)off, BASE + (uint32_t)total, 0, 0 };
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "wb")) || fwrite(b, 1, total, f) != total || fclose(f)) {
		perror(path);
		exit(2);
	}
	free(b);
}

int main(int argc, char **argv)
{
	FILE *f;
	uint8_t *k;
	long n;

	if (argc != 3 || !(f = fopen(argv[1], "rb")) || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) || !(k = malloc((size_t)n)) || fread(k, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "usage: fuzz-seed KERNEL.elf OUTDIR\n");
		return 2;
	}
	emit(argv[2], "seed-vmlinux", k, (size_t)n, 0);
	emit(argv[2], "seed-bundle", k, (size_t)n, 1);
	return 0;
}
