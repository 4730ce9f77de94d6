/* SPDX-License-Identifier: MIT */
/*
 * The Xen blob's page walk (runtime/xen/pagewalk.c) over tables built here
 * by hand, in a buffer that plays guest-physical memory from 0 (the
 * direct map's base is the buffer): 4 KiB, 2 MiB and 1 GiB pages, 4 and 5
 * levels, PCID bits in CR3 and NX in the entries ignored, a missing level
 * at each depth and non-canonical addresses refused.  The expected
 * addresses are written out from the SDM's layout, not computed by the
 * walker's own arithmetic.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "xen/pagewalk.h"

#define PG 4096
static uint64_t mem[16 * PG / 8] __attribute__((aligned(PG)));
#define DM ((uint64_t)(uintptr_t)mem)

/* entry `idx` of the table at guest-physical page `page` */
static void set(unsigned page, unsigned idx, uint64_t e)
{
	mem[page * 512 + idx] = e;
}

static int walk(uint64_t cr3, int la57, uint64_t lin, uint64_t *phys)
{
	*phys = 0xdeadull;
	return pv_pt_walk(cr3, la57, DM, lin, phys);
}

int main(void)
{
	const uint64_t P = 1, RW = 2, PS = 1ull << 7, NX = 1ull << 63;
	uint64_t ph;
	int r;

	/*
	 * 4 levels, CR3 = page 1 with PCID 0x5.  0xffff888000000000 + ... :
	 * PML4 index 0x111, PDPT 0x002, PD 0x003, PT 0x004, offset 0x567.
	 */
	uint64_t lin4k = 0xffff888000000000ull | 2ull << 30 | 3ull << 21 | 4ull << 12 | 0x567;

	set(1, 0x111, 2 * PG | P | RW);
	set(2, 0x002, 3 * PG | P | RW);
	set(3, 0x003, 4 * PG | P | RW);
	set(4, 0x004, 0xfebf1000ull | P | RW | NX);
	r = walk(1 * PG | 0x5, 0, lin4k, &ph);
	check(r == 0 && ph == 0xfebf1567ull, "4 KiB page: 0x%llx -> 0x%llx (want 0xfebf1567)", (unsigned long long)lin4k,
	      (unsigned long long)ph);
	/* 2 MiB: PD index 0x005 with PS */
	set(3, 0x005, 0x40000000ull | P | PS);
	r = walk(1 * PG, 0, 0xffff888000000000ull | 2ull << 30 | 5ull << 21 | 0x12345, &ph);
	check(r == 0 && ph == 0x40012345ull, "2 MiB page: offset 0x12345 -> 0x%llx", (unsigned long long)ph);
	/* 1 GiB: PDPT index 0x006 with PS */
	set(2, 0x006, 0x1c0000000ull | P | PS | NX);
	r = walk(1 * PG, 0, 0xffff888000000000ull | 6ull << 30 | 0x2345678, &ph);
	check(r == 0 && ph == 0x1c2345678ull, "1 GiB page: offset 0x2345678 -> 0x%llx", (unsigned long long)ph);
	/* not present at each depth */
	r = walk(1 * PG, 0, 0xffff890000000000ull, &ph);                           /* PML4 0x112 empty */
	check(r == -1, "a missing PML4 entry: not mapped");
	r = walk(1 * PG, 0, 0xffff888000000000ull | 7ull << 30, &ph);             /* PDPT 7 empty */
	check(r == -1, "a missing PDPT entry: not mapped");
	r = walk(1 * PG, 0, 0xffff888000000000ull | 2ull << 30 | 9ull << 21, &ph); /* PD 9 empty */
	check(r == -1, "a missing PD entry: not mapped");
	set(4, 0x008, 0xfebf2000ull | RW);                                         /* PT 8: P clear */
	r = walk(1 * PG, 0, 0xffff888000000000ull | 2ull << 30 | 3ull << 21 | 8ull << 12, &ph);
	check(r == -1, "a PTE without P: not mapped");
	/* canonical form */
	r = walk(1 * PG, 0, 0x0000888000000000ull | 2ull << 30 | 3ull << 21 | 4ull << 12, &ph);
	check(r == -1, "4 levels: 0x0000888... (bit 47 set, bits 48-63 clear) is not canonical");
	r = walk(1 * PG, 0, 0x0000000000000000ull, &ph);
	check(r == -1, "a canonical address with nothing mapped: not mapped (PML4 0 empty)");

	/*
	 * 5 levels, CR3 = page 5: PML5 index 0x1e2 -> page 6 (a PML4), its
	 * index 0x022 -> page 2 (the PDPT above), then the same 4 KiB chain.
	 * 57-bit canonical: bits 57-63 copy bit 56 (set: 0x1e2 has bit 8).
	 */
	{
		uint64_t lin = 0xfe00000000000000ull | 0x1e2ull << 48 | 0x022ull << 39 | 2ull << 30 | 3ull << 21 |
			       4ull << 12 | 0x0ab;

		set(5, 0x1e2, 6 * PG | P);
		set(6, 0x022, 2 * PG | P);
		r = walk(5 * PG, 1, lin, &ph);
		check(r == 0 && ph == 0xfebf10abull, "5 levels: 0x%llx -> 0x%llx (want 0xfebf10ab)", (unsigned long long)lin,
		      (unsigned long long)ph);
		r = walk(5 * PG, 0, lin, &ph);
		check(r == -1, "the same address with 4 levels: not canonical");
		r = walk(5 * PG, 1, lin & ~(1ull << 60), &ph);
		check(r == -1, "5 levels: bit 60 differing from bit 56 is not canonical");
	}
	return check_summary();
}
