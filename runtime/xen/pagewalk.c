/* SPDX-License-Identifier: MIT */
/* Linear to guest-physical through the page tables: see pagewalk.h. */
#include "xen/pagewalk.h"

#define PT_PRESENT  1ull
#define PT_PS       (1ull << 7)             /* a 1 GiB (level 3) or 2 MiB (level 2) page */
#define PT_ADDR     0x000ffffffffff000ull   /* bits 12-51: the next table or the 4 KiB page */

int pv_pt_walk(uint64_t cr3, int la57, uint64_t direct_map, uint64_t linear, uint64_t *phys)
{
	unsigned levels = la57 ? 5 : 4, top = 12 + 9 * levels;   /* 48 or 57 address bits */
	uint64_t table = cr3 & PT_ADDR;

	/* canonical: the bits above the top one are copies of it */
	if ((uint64_t)((int64_t)(linear << (64 - top)) >> (64 - top)) != linear)
		return -1;
	for (unsigned level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t e = *(const volatile uint64_t *)(uintptr_t)(direct_map + table +
								     8 * ((linear >> shift) & 511));

		if (!(e & PT_PRESENT))
			return -1;
		if (level == 1 || ((level == 2 || level == 3) && (e & PT_PS))) {
			uint64_t off = (1ull << shift) - 1;

			*phys = (e & PT_ADDR & ~off) | (linear & off);
			return 0;
		}
		table = e & PT_ADDR;
	}
	return -1;
}
