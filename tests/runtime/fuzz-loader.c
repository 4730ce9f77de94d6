/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the loader's input checks and the validator, built for
 * the host from the same sources as the loader (runtime/loader/prepare.c,
 * bootinfo.c, elfimage.c, runtime/patch/validate.c, runtime/decode/).
 *
 * The input is physical memory from address 0x9000 on, starting with a
 * multiboot information block: its command line, module list, memory map,
 * the module (vmlinux or a bundle) all come from the input (seeds: the
 * mini kernel laid out that way, tests/runtime/fuzz-seed.c).  The chain
 * runs as in the loader: boot info, bundle, ELF and program headers,
 * PT_LOAD destinations, sections, symbols, __ex_table, every record
 * against the file's bytes.  Nothing may be written (the input is
 * compared after each run).  Then the same bytes go straight to
 * pv_validate_image as a .previrt section whose sites lie in the input
 * itself, so the validator is fuzzed without the ELF in front of it.
 *
 *   make fuzz-loader FUZZ_SECONDS=N      (clang-16, -fsanitize=fuzzer,address,undefined)
 *   build/runtime/tests/fuzz-replay DIR  (the regression inputs, without libFuzzer)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/prepare.h"

#define PHYS_BASE 0x9000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t scratch[1 << 12];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct prepared p;
	struct pv_err e;
	uint8_t *copy;

	if (size > (1u << 20))
		return 0;
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	{
		struct pv_buf mem = { (uintptr_t)data, PHYS_BASE, size };

		memset(&p, 0, sizeof p);
		p.mbi_addr = PHYS_BASE;
		p.self = (struct blob){ 0x100000, 0x80000 };
		p.scratch = scratch, p.scratch_len = sizeof scratch / 8;
		int rc = prepare_boot(&mem, &p, &e) || prepare_image(&p, &e);

		if (getenv("FUZZ_VERBOSE"))              /* fuzz-replay: what each input ends in */
			fprintf(stderr, "%s%s%s%s (%u sites)\n", rc ? "previrt-loader: FATAL: " : "accepted",
				rc ? e.field : "", rc ? ": " : "", rc ? e.what : "", p.r.nsites);
	}
	{
		/* the bytes as a .previrt section with one text range: the bytes themselves */
		struct pv_range text = { 0x40000000, 0x40000000 + size, (intptr_t)((uintptr_t)data - 0x40000000) };
		struct pv_image img = { .records = data, .size = size - size % PREVIRT_RECORD_SIZE,
					.records_at = 0x40000000, .text = &text, .ntext = 1,
					.scratch = scratch, .scratch_len = sizeof scratch / 8 };
		struct pv_result r;

		(void)pv_validate_image(&img, &r);
	}
	if (memcmp(copy, data, size))
		abort();                                 /* the checks wrote into their input */
	free(copy);
	return 0;
}
