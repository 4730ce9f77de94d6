/* SPDX-License-Identifier: MIT */
/*
 * Everything the loader checks before it writes a byte of the kernel's
 * memory, in the loader's order, shared by the loader (main.c) and by the
 * host tests and fuzzer (tests/runtime/loader-check.c, fuzz-loader.c):
 *
 *   prepare_boot:   boot information, bundle, ELF and program headers
 *   (the loader then moves modules out of the kernel's way: its only
 *    write, and not into the kernel's range)
 *   prepare_image:  PT_LOAD destinations (usable RAM, clear of the loader,
 *                   the modules and the boot information), section
 *                   headers, names, symbols, __ex_table, and every
 *                   .previrt record against the file's bytes
 *                   (pv_validate_image)
 *
 * Both return 0, or -1 with *e naming the field: the loader prints it as
 * "previrt-loader: FATAL: <field>: <what>".  Host-buildable, no writes.
 */
#ifndef PREVIRT_LOADER_PREPARE_H
#define PREVIRT_LOADER_PREPARE_H

#include "loader/bootinfo.h"
#include "loader/elfimage.h"

struct prepared {
	struct bootinfo   bi;
	struct elfimage   im;
	struct pv_result  r;            /* of the validation */
	uint64_t          mbi_addr;
	struct blob       self;          /* the loader's own image (PT_LOAD must avoid it) */
	uint64_t         *scratch;       /* overlap check (patch.h) */
	size_t            scratch_len;
};

int prepare_boot(const struct pv_buf *mem, struct prepared *p, struct pv_err *e);
int prepare_image(struct prepared *p, struct pv_err *e);

#endif
