/* SPDX-License-Identifier: MIT */
#include "loader/bootinfo.h"

#define MB_MAX_MODS 16

static int add_ram(struct bootinfo *bi, uint64_t base, uint64_t len, struct pv_err *e)
{
	if (!len)
		return 0;
	if (!pv_fits(base, len, UINT64_MAX))
		return pv_fail(e, "memory map entry base/len", "wraps around the address space");
	if (bi->nram == BI_MAX_RAM)
		return pv_fail(e, "memory map", "more usable RAM regions than the loader keeps (64)");
	bi->ram[bi->nram++] = (struct blob){ base, len };
	return 0;
}

int bootinfo_parse(const struct pv_buf *mem, uint64_t mbi_addr, struct bootinfo *bi, struct pv_err *e)
{
	const struct mb_info *mbi = pv_span(mem, mbi_addr, sizeof *mbi);
	const struct mb_module *mods;

	*bi = (struct bootinfo){ .cmdline = "" };
	if (!mbi)
		return pv_fail(e, "multiboot info", "lies outside memory");
	bi->mbi = mbi;
	if (mbi->flags & MB_INFO_CMDLINE) {
		bi->cmdline = pv_strz(mem, mbi->cmdline);
		if (!bi->cmdline)
			return pv_fail(e, "multiboot cmdline", "not a NUL-terminated string in memory");
	}
	if (!(mbi->flags & MB_INFO_MODS) || mbi->mods_count < 1)
		return pv_fail(e, "multiboot mods_count",
			       "no boot module: give the annotated vmlinux as the first module (QEMU: -initrd vmlinux,initramfs)");
	if (mbi->mods_count > MB_MAX_MODS)
		return pv_fail(e, "multiboot mods_count", "more than 16 modules");
	mods = pv_span(mem, mbi->mods_addr, (uint64_t)mbi->mods_count * sizeof *mods);
	if (!mods)
		return pv_fail(e, "multiboot mods_addr", "the module list lies outside memory");
	bi->mods_array = (struct blob){ mbi->mods_addr, (uint64_t)mbi->mods_count * sizeof *mods };
	for (uint32_t i = 0; i < mbi->mods_count && i < 2; i++) {
		if (mods[i].mod_end < mods[i].mod_start)
			return pv_fail(e, "multiboot module mod_end", "below mod_start");
		if (!pv_span(mem, mods[i].mod_start, (uint64_t)mods[i].mod_end - mods[i].mod_start))
			return pv_fail(e, "multiboot module mod_start/mod_end", "the module lies outside memory");
	}
	bi->kernel = (struct blob){ mods[0].mod_start, (uint64_t)mods[0].mod_end - mods[0].mod_start };
	if (mbi->mods_count >= 2)
		bi->initrd = (struct blob){ mods[1].mod_start, (uint64_t)mods[1].mod_end - mods[1].mod_start };
	if (mbi->flags & MB_INFO_MMAP) {
		bi->mmap = (struct blob){ mbi->mmap_addr, mbi->mmap_length };
		if (!pv_span(mem, mbi->mmap_addr, mbi->mmap_length))
			return pv_fail(e, "multiboot mmap_addr/mmap_length", "the memory map lies outside memory");
		for (uint64_t off = 0; off < mbi->mmap_length;) {
			const uint32_t *size = pv_span(mem, mbi->mmap_addr + off, 4);
			const struct mb_mmap *m;

			if (!size || *size < sizeof *m - 4 || !pv_in(0, mbi->mmap_length, off, 4 + (uint64_t)*size))
				return pv_fail(e, "memory map entry size", "runs past mmap_length");
			m = pv_span(mem, mbi->mmap_addr + off, sizeof *m);
			if (!m)
				return pv_fail(e, "memory map entry", "lies outside memory");
			if (m->type == 1 && add_ram(bi, m->base, m->len, e))
				return -1;
			off += 4 + (uint64_t)*size;
		}
	} else if (mbi->flags & MB_INFO_MEM) {
		if (add_ram(bi, 0x100000, (uint64_t)mbi->mem_upper * 1024, e))
			return -1;
	} else {
		return pv_fail(e, "multiboot flags", "neither a memory map nor mem_upper: usable RAM unknown");
	}
	if (!bi->nram)
		return pv_fail(e, "memory map", "no usable RAM");
	return 0;
}

int bootinfo_bundle(const struct pv_buf *mem, struct bootinfo *bi, struct pv_err *e)
{
	static const char magic[16] = "PREVIRT-BUNDLE1";
	const struct bundle_header *h = pv_span(mem, bi->kernel.start, sizeof *h);
	struct pv_buf mod;

	if (bi->kernel.size < sizeof *h || !h)
		return 0;
	for (int i = 0; i < 16; i++)
		if (h->magic[i] != magic[i])
			return 0;
	if (pv_sub(mem, bi->kernel.start, bi->kernel.size, &mod))
		return pv_fail(e, "bundle", "the module lies outside memory");
	if (!pv_span(&mod, h->kernel_off, h->kernel_size))
		return pv_fail(e, "bundle kernel_off/kernel_size", "points outside the module");
	if (!pv_span(&mod, h->initrd_off, h->initrd_size))
		return pv_fail(e, "bundle initrd_off/initrd_size", "points outside the module");
	if (pv_overlaps(h->kernel_off, h->kernel_size, h->initrd_off, h->initrd_size))
		return pv_fail(e, "bundle initrd_off", "the initrd overlaps the kernel");
	bi->initrd = (struct blob){ bi->kernel.start + h->initrd_off, h->initrd_size };
	bi->kernel = (struct blob){ bi->kernel.start + h->kernel_off, h->kernel_size };
	bi->bundle = 1;
	return 0;
}

int bootinfo_in_ram(const struct bootinfo *bi, uint64_t start, uint64_t size)
{
	for (unsigned i = 0; i < bi->nram; i++)
		if (pv_in(bi->ram[i].start, bi->ram[i].size, start, size))
			return 1;
	return 0;
}

uint64_t bootinfo_ram_top(const struct bootinfo *bi)
{
	for (unsigned i = 0; i < bi->nram; i++)
		if (pv_in(bi->ram[i].start, bi->ram[i].size, 0x100000, 1)) {
			uint64_t end = bi->ram[i].start + bi->ram[i].size;

			return end < 0x100000000ull ? end : 0x100000000ull;
		}
	return 0;
}
