/* SPDX-License-Identifier: MIT */
/*
 * lib/asm_rewrite.c emits every record as gas directives, field by field
 * (`.long site - .`, `.short kind`, `.byte length, insn_length, flags,
 * width`, `.short 0`; the header: `.long magic`, `.short 0`, `.byte
 * version, record_size, producer, 0, 0, 0`).  Those directives must land
 * on the offsets struct previrt_site / struct previrt_header give in
 * include/previrt/format.h, which every reader (runtime, report, tests)
 * uses.  This file states that beside the emitter: if format.h changes,
 * the build of lib/ stops here until asm_rewrite.c's directives follow.
 */
#include <stddef.h>

#include "previrt/format.h"

/* the site record, in emission order */
_Static_assert(offsetof(struct previrt_site, addr) == 0, ".long site - .");
_Static_assert(sizeof(((struct previrt_site *)0)->addr) == 4, ".long");
_Static_assert(offsetof(struct previrt_site, kind) == 4, ".short kind");
_Static_assert(sizeof(((struct previrt_site *)0)->kind) == 2, ".short");
_Static_assert(offsetof(struct previrt_site, length) == 6, ".byte length");
_Static_assert(offsetof(struct previrt_site, insn_length) == 7, ".byte insn_length");
_Static_assert(offsetof(struct previrt_site, flags) == 8, ".byte flags");
_Static_assert(offsetof(struct previrt_site, width) == 9, ".byte width");
_Static_assert(offsetof(struct previrt_site, xflags) == 10, ".short xflags");
_Static_assert(sizeof(((struct previrt_site *)0)->xflags) == 2, ".short");
_Static_assert(sizeof(struct previrt_site) == 12, "4 + 2 + 4 x 1 + 2 bytes, .balign 4");

/* the header record */
_Static_assert(offsetof(struct previrt_header, magic) == 0, ".long magic");
_Static_assert(offsetof(struct previrt_header, kind) == 4, ".short 0");
_Static_assert(offsetof(struct previrt_header, version) == 6, ".byte version");
_Static_assert(offsetof(struct previrt_header, record_size) == 7, ".byte record_size");
_Static_assert(offsetof(struct previrt_header, producer) == 8, ".byte producer");
_Static_assert(offsetof(struct previrt_header, reserved) == 9, ".byte 0, 0, 0");
_Static_assert(sizeof(struct previrt_header) == 12, "4 + 2 + 6 x 1 bytes");
