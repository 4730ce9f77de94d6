/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the reading side of previrt-report: the input is an
 * ELF file in memory; it goes through libelf, the .previrt parser, the
 * relocation and patch-table readers, --verify, --list, --json and
 * --coverage (output to /dev/null).  Any crash, leak or sanitizer report is
 * a bug: malformed input must only ever give an error.
 *
 *   make fuzz-report [FUZZ_SECONDS=N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct pv_report r = { 0 };
	void *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (!null)
		null = fopen("/dev/null", "w");
	if (pv_image_open_memory(&r.img, "fuzz", copy, size) == 0 &&
	    pv_load_sites(&r.img, &r.sites) == 0 &&
	    pv_load_ranges(&r.img, &r.ranges) == 0) {
		r.top = 10;
		pv_mode_verify(&r, null);
		pv_mode_summary(&r, null);
		pv_mode_list(&r, null);
		pv_mode_json(&r, null);
		pv_mode_coverage(&r, null, 0, 0);
	}
	pv_report_close(&r);
	free(copy);
	return 0;
}
