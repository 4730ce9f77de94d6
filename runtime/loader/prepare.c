/* SPDX-License-Identifier: MIT */
#include "loader/prepare.h"

int prepare_boot(const struct pv_buf *mem, struct prepared *p, struct pv_err *e)
{
	const uint8_t *file;

	if (bootinfo_parse(mem, p->mbi_addr, &p->bi, e) || bootinfo_bundle(mem, &p->bi, e))
		return -1;
	file = pv_span(mem, p->bi.kernel.start, p->bi.kernel.size);
	if (!file)
		return pv_fail(e, "kernel module", "lies outside memory");
	return elfimage_parse(&p->im, file, p->bi.kernel.size, e);
}

int prepare_image(struct prepared *p, struct pv_err *e)
{
	static char what[96];
	struct blob avoid[6];
	const char *names[6];
	struct pv_range text[ELFIMG_MAX_TEXT];
	struct pv_extable ex;
	struct pv_image img;
	unsigned n = 0;
	size_t w = 0;
	const char *s;

#define AVOID(st, z, nm) (avoid[n] = (struct blob){ (st), (z) }, names[n++] = (nm))
	AVOID(p->self.start, p->self.size, "the loader");
	AVOID(p->bi.kernel.start, p->bi.kernel.size, "the vmlinux module");
	AVOID(p->bi.initrd.start, p->bi.initrd.size, "the initrd module");
	AVOID(p->mbi_addr, sizeof(struct mb_info), "the multiboot information");
	AVOID(p->bi.mods_array.start, p->bi.mods_array.size, "the multiboot module list");
	AVOID(p->bi.mmap.start, p->bi.mmap.size, "the memory map");
#undef AVOID
	if (elfimage_check_dest(&p->im, p->bi.ram, p->bi.nram, avoid, names, n, e) ||
	    elfimage_sections(&p->im, e))
		return -1;
	elfimage_pv_image(&p->im, 0, text, &ex, &img);
	img.scratch = p->scratch, img.scratch_len = p->scratch_len;
	if (!pv_validate_image(&img, &p->r))
		return 0;
	/* "record N: <error>" */
	for (s = ".previrt record "; *s; s++)
		what[w++] = *s;
	w += pv_fmt_dec(what + w, p->r.record);
	what[w++] = ':', what[w++] = ' ';
	for (s = pv_error_name(p->r.error); *s && w < sizeof what - 1; s++)
		what[w++] = *s;
	what[w] = 0;
	return pv_fail(e, pv_error_field(p->r.error), what);
}
