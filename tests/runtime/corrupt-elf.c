/* SPDX-License-Identifier: MIT */
/*
 * Copy an annotated ELF file and corrupt one .previrt record in the copy,
 * for the loader's refusal test:
 *
 *   corrupt-elf IN OUT
 *
 * The last site record's kind becomes 60 (no rule defines it), so
 * validation must fail on the very last record, after every other site
 * was found valid: the loader must still patch nothing and not start the
 * kernel.  Prints the record's file offset.
 */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "previrt/format.h"

int main(int argc, char **argv)
{
	int fd;
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx, size;
	long rec_off = -1;
	char *buf;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: corrupt-elf IN OUT\n");
		return 2;
	}
	elf_version(EV_CURRENT);
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || !(e = elf_begin(fd, ELF_C_READ, NULL)) || elf_getshdrstrndx(e, &shstrndx)) {
		fprintf(stderr, "corrupt-elf: %s: cannot read as ELF\n", argv[1]);
		return 2;
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;

		gelf_getshdr(scn, &sh);
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (name && strcmp(name, PREVIRT_SECTION) == 0) {
			Elf_Data *d = elf_getdata(scn, NULL);

			for (size_t off = 0; off + PREVIRT_RECORD_SIZE <= d->d_size; off += PREVIRT_RECORD_SIZE)
				if (((const struct previrt_site *)((const char *)d->d_buf + off))->kind)
					rec_off = (long)(sh.sh_offset + off);
		}
	}
	elf_end(e);
	if (rec_off < 0) {
		fprintf(stderr, "corrupt-elf: %s: no site records\n", argv[1]);
		return 2;
	}
	size = (size_t)lseek(fd, 0, SEEK_END);
	buf = malloc(size);
	if (!buf || pread(fd, buf, size, 0) != (ssize_t)size) {
		fprintf(stderr, "corrupt-elf: %s: read error\n", argv[1]);
		return 2;
	}
	close(fd);
	buf[rec_off + 4] = 60;                   /* kind, little-endian u16 */
	buf[rec_off + 5] = 0;
	f = fopen(argv[2], "wb");
	if (!f || fwrite(buf, 1, size, f) != size || fclose(f)) {
		fprintf(stderr, "corrupt-elf: %s: write error\n", argv[2]);
		return 2;
	}
	printf("corrupt-elf: last site record (file offset 0x%lx) now has kind 60\n", rec_off);
	return 0;
}
