/* SPDX-License-Identifier: MIT */
/*
 * test-madt: the loader's MADT rewrite (runtime/loader/madt.c) on tables
 * shaped like the one Xen 4.17 gives a PVH dom0 (x2APIC CPU entries only),
 * and its refusals, which must leave the table byte for byte as it was.
 *
 *   test-madt OUT.aml    writes the rewritten table for an independent
 *                        check (`iasl -d`, in runtime.mk)
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "loader/madt.h"
#include "check.h"

static uint8_t t[512];
static unsigned n;

static void put8(unsigned v) { t[n++] = (uint8_t)v; }
static void put16(unsigned v) { put8(v & 0xff), put8(v >> 8); }
static void put32(uint32_t v) { put16(v & 0xffff), put16(v >> 16); }

static void header(void)
{
	memset(t, 0, sizeof t);
	n = 0;
	memcpy(t, "APIC", 4);
	n = 36;
	t[8] = 4;                                       /* revision */
	memcpy(t + 10, "XenPVH", 6);
	memcpy(t + 16, "PREVIRT ", 8);
	put32(0xfee00000);                              /* local APIC address */
	put32(1);                                       /* PCAT_COMPAT */
}

static void finish(void)
{
	uint8_t sum = 0;

	t[4] = (uint8_t)n, t[5] = (uint8_t)(n >> 8), t[6] = t[7] = 0;
	t[9] = 0;
	for (unsigned i = 0; i < n; i++)
		sum += t[i];
	t[9] = (uint8_t)-sum;
}

static void x2apic(uint32_t id, uint32_t uid, uint32_t flags)
{
	put8(9), put8(16), put16(0), put32(id), put32(flags), put32(uid);
}

static void ioapic(void)
{
	put8(1), put8(12), put8(0), put8(0), put32(0xfec00000), put32(0);
}

static void x2apic_nmi(uint32_t uid, unsigned lint)
{
	put8(10), put8(12), put16(5), put32(uid), put8(lint), put8(0), put8(0), put8(0);
}

static int sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s == 0;
}

static uint32_t len_of(const uint8_t *p)
{
	return p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24;
}

int main(int argc, char **argv)
{
	struct madt_result r;
	uint8_t before[sizeof t];
	int rc;

	/* Xen's shape: an IOAPIC, two vCPUs with APIC IDs 0 and 2, an NMI entry for all */
	header();
	ioapic();
	x2apic(0, 0, 1);
	x2apic(2, 1, 1);
	x2apic_nmi(0xffffffffu, 1);
	finish();
	rc = madt_x2apic_to_xapic(t, &r);
	check(rc == 1 && r.cpus == 2 && r.nmis == 1 && len_of(t) == 44 + 12 + 8 + 8 + 6 && sum_ok(t, len_of(t)),
	      "Xen's x2APIC-only MADT: 2 CPUs and 1 NMI entry rewritten, %u -> %u bytes, checksum valid",
	      (unsigned)r.old_len, (unsigned)r.new_len);
	check(t[56] == 0 && t[57] == 8 && t[58] == 0 && t[59] == 0 && t[60] == 1 &&
	      t[64] == 0 && t[66] == 1 && t[67] == 2 && t[68] == 1,
	      "CPU entries: type 0, UID 0 APIC 0 and UID 1 APIC 2, enabled");
	check(t[72] == 4 && t[73] == 6 && t[74] == 0xff && t[75] == 5 && t[76] == 0 && t[77] == 1,
	      "NMI entry: type 4, all processors (0xff), flags 5, LINT1");
	check(t[44] == 1 && t[45] == 12, "other entries (the IOAPIC) are kept as they were");
	if (argc > 1) {
		FILE *f = fopen(argv[1], "wb");

		if (!f || fwrite(t, 1, len_of(t), f) != len_of(t) || fclose(f)) {
			perror(argv[1]);
			return 1;
		}
	}

	/* a CPU whose APIC ID does not fit 8 bits: nothing changes */
	header();
	x2apic(0, 0, 1);
	x2apic(0x100, 1, 1);
	finish();
	memcpy(before, t, sizeof t);
	rc = madt_x2apic_to_xapic(t, &r);
	check(rc == -2 && !memcmp(before, t, sizeof t), "APIC ID 0x100: refused (%d), table untouched", rc);

	/* 255 is the broadcast ID, never a CPU's in an xAPIC entry */
	header();
	x2apic(0xff, 0, 1);
	finish();
	memcpy(before, t, sizeof t);
	rc = madt_x2apic_to_xapic(t, &r);
	check(rc == -2 && !memcmp(before, t, sizeof t), "APIC ID 0xff: refused, table untouched");

	/* an entry running past the table's end */
	header();
	x2apic(0, 0, 1);
	t[n - 15] = 40;                                 /* length 40 > what is left */
	finish();
	memcpy(before, t, sizeof t);
	rc = madt_x2apic_to_xapic(t, &r);
	check(rc == -1 && !memcmp(before, t, sizeof t), "an entry longer than the table: malformed, untouched");

	/* an entry of length 0 would loop forever */
	header();
	put8(9), put8(0);
	finish();
	memcpy(before, t, sizeof t);
	rc = madt_x2apic_to_xapic(t, &r);
	check(rc == -1 && !memcmp(before, t, sizeof t), "an entry of length 0: malformed, untouched");

	/* firmware's own xAPIC table: nothing to do */
	header();
	put8(0), put8(8), put8(0), put8(0), put32(1);
	put8(0), put8(8), put8(1), put8(1), put32(1);
	finish();
	memcpy(before, t, sizeof t);
	rc = madt_x2apic_to_xapic(t, &r);
	check(rc == 0 && r.xapic == 2 && !memcmp(before, t, sizeof t), "an xAPIC MADT: nothing to rewrite, untouched");
	return check_summary();
}
