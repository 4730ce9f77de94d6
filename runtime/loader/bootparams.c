/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "loader/bootparams.h"

void *memset(void *d, int c, size_t n);

static struct boot_params bp __attribute__((aligned(4096)));
static char kernel_cmdline[2048];

/* ACPI RSDP: "RSD PTR " on a 16-byte boundary in the EBDA's first KiB or 0xe0000-0xfffff */
uint64_t bootparams_find_rsdp(void)
{
	uintptr_t bda = 0x40e;              /* BIOS data area: EBDA segment */
	uint64_t ebda;

	__asm__("" : "+r"(bda));            /* a plain address, not a null-based array */
	ebda = (uint64_t)(*(volatile uint16_t *)bda) << 4;
	struct { uint64_t lo, hi; } areas[2] = { { ebda, ebda + 1024 }, { 0xe0000, 0x100000 } };

	for (int a = 0; a < 2; a++) {
		if (!areas[a].lo)
			continue;
		for (uint64_t p = areas[a].lo; p + 20 <= areas[a].hi; p += 16) {
			const volatile uint8_t *s = (const volatile uint8_t *)p;
			uint8_t sum = 0;

			if (s[0] != 'R' || s[1] != 'S' || s[2] != 'D' || s[3] != ' ' ||
			    s[4] != 'P' || s[5] != 'T' || s[6] != 'R' || s[7] != ' ')
				continue;
			for (int i = 0; i < 20; i++)
				sum += s[i];
			if (sum == 0)
				return p;
		}
	}
	return 0;
}

struct boot_params *bootparams_build(const struct mb_info *mbi, const char *cmdline,
				     uint64_t initrd, uint64_t initrd_size, uint64_t rsdp, uint64_t setup_data)
{
	unsigned n = 0;

	memset(&bp, 0, sizeof bp);
	while (cmdline && cmdline[n] && n + 1 < sizeof kernel_cmdline) {
		kernel_cmdline[n] = cmdline[n];
		n++;
	}
	kernel_cmdline[n] = 0;

	bp.hdr.boot_flag = 0xaa55;
	bp.hdr.header = 0x53726448;               /* "HdrS" */
	bp.hdr.version = 0x020f;
	bp.hdr.type_of_loader = 0xff;             /* undefined loader */
	bp.hdr.loadflags = LOADED_HIGH;
	bp.hdr.kernel_alignment = 0x200000;
	bp.hdr.cmd_line_ptr = (uint32_t)(uintptr_t)kernel_cmdline;
	bp.ext_cmd_line_ptr = (uint32_t)((uintptr_t)kernel_cmdline >> 32);
	bp.hdr.cmdline_size = sizeof kernel_cmdline - 1;
	if (initrd_size) {
		bp.hdr.ramdisk_image = (uint32_t)initrd;
		bp.ext_ramdisk_image = (uint32_t)(initrd >> 32);
		bp.hdr.ramdisk_size = (uint32_t)initrd_size;
		bp.ext_ramdisk_size = (uint32_t)(initrd_size >> 32);
	}
	bp.acpi_rsdp_addr = rsdp ? rsdp : bootparams_find_rsdp();
	bp.hdr.setup_data = setup_data;           /* boot protocol 2.09: a list the kernel reserves */

	if (mbi->flags & MB_INFO_MMAP) {
		for (uint32_t off = 0; off < mbi->mmap_length && bp.e820_entries < E820_MAX_ENTRIES_ZEROPAGE;) {
			const struct mb_mmap *m = (const void *)(uintptr_t)(mbi->mmap_addr + off);
			struct boot_e820_entry *e = &bp.e820_table[bp.e820_entries++];

			e->addr = m->base;
			e->size = m->len;
			/* multiboot and e820 share the type numbers 1..5 */
			e->type = m->type >= 1 && m->type <= 5 ? m->type : 2;
			off += m->size + 4;
		}
	} else {
		bp.e820_table[0] = (struct boot_e820_entry){ 0, (uint64_t)mbi->mem_lower * 1024, 1 };
		bp.e820_table[1] = (struct boot_e820_entry){ 0x100000, (uint64_t)mbi->mem_upper * 1024, 1 };
		bp.e820_entries = 2;
	}
	return &bp;
}
