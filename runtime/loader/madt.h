/* SPDX-License-Identifier: MIT */
/*
 * The MADT as a kernel without x2APIC support can read it: x2APIC CPU and
 * NMI entries rewritten as xAPIC ones, in place (madt.c says why).
 */
#ifndef PREVIRT_LOADER_MADT_H
#define PREVIRT_LOADER_MADT_H

#include <stdint.h>

struct madt_result {
	unsigned cpus;          /* x2APIC CPU entries rewritten */
	unsigned nmis;          /* x2APIC NMI entries rewritten */
	unsigned xapic;         /* xAPIC CPU entries already there */
	unsigned wide;          /* entries that cannot be xAPIC (ID or UID > 254) */
	uint32_t old_len, new_len;
};

/*
 * Rewrite one MADT (its header checksummed by the caller).  1: rewritten;
 * 0: nothing to rewrite; -1: malformed or too long, untouched;
 * -2: an entry has an APIC ID or UID above 254, untouched.
 */
int madt_x2apic_to_xapic(uint8_t *madt, struct madt_result *r);

/* The same for the MADT the RSDP leads to; -1 when there is none. */
int madt_present_xapic(uint64_t rsdp, struct madt_result *r);

#endif
