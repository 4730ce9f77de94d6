/* SPDX-License-Identifier: MIT */
/*
 * The domU's `\_S5` SSDT (runtime/loader/acpis5.c) on tables laid out as
 * libxl lays them out for a PVH guest: an RSDP alone at the start of a
 * page, an XSDT listing a FADT and a MADT elsewhere.  The new SSDT and
 * XSDT must land in the RSDP's page after it, every checksum must hold,
 * the old tables stay listed, and nothing is written when the rest of the
 * page is in use.  The SSDT is written to a file for iasl -d
 * (tests/runtime/acpi-s5-iasl.sh).
 *
 *   test-acpi-s5 OUT.aml
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "loader/acpi.h"
#include "loader/acpis5.h"

static uint8_t mem[3 * 4096] __attribute__((aligned(4096)));

static int sum_ok(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s == 0;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static void fix(uint8_t *t, uint32_t n, uint32_t at)
{
	uint8_t s = 0;

	t[at] = 0;
	for (uint32_t i = 0; i < n; i++)
		s = (uint8_t)(s + t[i]);
	t[at] = (uint8_t)-s;
}

static void table(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = 5;
	memcpy(t + 10, "Xen   ", 6);
	fix(t, len, 9);
}

/* libxl's layout: FADT, MADT, XSDT in page 0, the RSDP alone at page 1's start */
static uint64_t layout(void)
{
	uint8_t *fadt = mem + 0x100, *madt = mem + 0x300, *xsdt = mem + 0x400, *rsdp = mem + 4096;

	memset(mem, 0, sizeof mem);
	table(fadt, "FACP", 268);
	table(madt, "APIC", 52);
	memcpy(xsdt, "XSDT", 4);
	put32(xsdt + 4, 36 + 16);
	put64(xsdt + 36, (uint64_t)(uintptr_t)fadt);
	put64(xsdt + 44, (uint64_t)(uintptr_t)madt);
	fix(xsdt, 52, 9);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "Xen   ", 6);
	rsdp[15] = 2;
	put32(rsdp + 20, 36);
	put64(rsdp + 24, (uint64_t)(uintptr_t)xsdt);
	fix(rsdp, 20, 8);
	fix(rsdp, 36, 32);
	return (uint64_t)(uintptr_t)rsdp;
}

int main(int argc, char **argv)
{
	uint64_t rsdp = layout();
	uint8_t *r = (uint8_t *)(uintptr_t)rsdp, *x, *s;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: test-acpi-s5 OUT.aml\n");
		return 2;
	}
	rc = acpi_add_s5(rsdp);
	x = (uint8_t *)(uintptr_t)get64(r + 24);
	s = acpi_find_table(rsdp, "SSDT", 36);
	check(rc == 1, "an SSDT is added (%d)", rc);
	check(sum_ok(r, 20) && sum_ok(r, 36), "both RSDP checksums hold after the XSDT moved");
	check(x > r && x < r + 4096 && !memcmp(x, "XSDT", 4) && get32(x + 4) == 36 + 24 && sum_ok(x, get32(x + 4)),
	      "the new XSDT sits in the RSDP's page after it: 3 entries, checksum right");
	check(acpi_find_table(rsdp, "FACP", 116) == mem + 0x100 && acpi_find_table(rsdp, "APIC", 36) == mem + 0x300,
	      "the FADT and the MADT are still found through it");
	check(s && s > x && s + get32(s + 4) <= r + 4096 && sum_ok(s, get32(s + 4)) &&
	      !memcmp(s + 36, "\x08\\_S5_\x12", 7),
	      "the SSDT is in the same page, checksum right, its AML starts Name(\\_S5, Package");
	if (s) {
		FILE *f = fopen(argv[1], "wb");

		if (!f || fwrite(s, 1, get32(s + 4), f) != get32(s + 4) || fclose(f)) {
			perror(argv[1]);
			return 1;
		}
	}

	/* the rest of the RSDP's page in use: nothing written */
	rsdp = layout();
	mem[4096 + 100] = 0x55;                  /* where the new XSDT would go */
	{
		uint8_t before[sizeof mem];

		memcpy(before, mem, sizeof mem);
		rc = acpi_add_s5(rsdp);
		check(rc == 0 && !memcmp(before, mem, sizeof mem), "a used byte in the way: refused (%d), no byte changed", rc);
	}
	/* an ACPI 1.0 RSDP (no XSDT): nothing to extend */
	rsdp = layout();
	((uint8_t *)(uintptr_t)rsdp)[15] = 0;
	check(acpi_add_s5(rsdp) == -1, "an RSDP of revision 0 (no XSDT): refused");
	return check_summary();
}
