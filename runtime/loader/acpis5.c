/* SPDX-License-Identifier: MIT */
/* The domU's `\_S5` SSDT: see acpis5.h for why and where. */
#include "loader/acpi.h"
#include "loader/acpis5.h"

/*
 * Name (\_S5, Package (0x04) { 0x05, 0x05, Zero, Zero }) in AML (ACPI 6.x,
 * 20.2.5.1 NameOp, 20.2.5.4 PackageOp): NameOp, the root prefix and the
 * name, PackageOp, PkgLength (8: itself, NumElements and 6 bytes of
 * elements), NumElements 4, BytePrefix 5, BytePrefix 5, ZeroOp, ZeroOp.
 * tests/runtime/acpi-s5-iasl.sh has iasl disassemble it.
 */
static const uint8_t s5_aml[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };

static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev, const char *table_id)
{
	for (int i = 0; i < 4; i++)
		t[i] = (uint8_t)sig[i];
	acpi_wr32(t + 4, len);
	t[8] = rev;
	for (int i = 0; i < 6; i++)
		t[10 + i] = (uint8_t)"PREVRT"[i];
	for (int i = 0; i < 8; i++)
		t[16 + i] = (uint8_t)table_id[i];
	acpi_wr32(t + 24, 1);                              /* OEM revision */
	for (int i = 0; i < 4; i++)
		t[28 + i] = (uint8_t)"PRVT"[i];       /* creator */
	acpi_wr32(t + 32, 1);
}

int acpi_add_s5(uint64_t rsdp)
{
	uint8_t *r = (uint8_t *)(uintptr_t)rsdp, *old, *x, *s;
	uint64_t page_end, xa, sa;
	uint32_t n, xlen, slen = 36 + (uint32_t)sizeof s5_aml;

	if (!rsdp || r[15] < 2 || !acpi_find_table(rsdp, "FACP", 116))
		return -1;
	old = (uint8_t *)(uintptr_t)acpi_rd64(r + 24);
	if (!old || acpi_rd32(old) != 0x54445358u)        /* "XSDT" */
		return -1;
	n = (acpi_rd32(old + 4) - 36) / 8;
	xlen = 36 + 8 * (n + 1);
	xa = (rsdp + 36 + 15) & ~15ull;
	sa = (xa + xlen + 15) & ~15ull;
	page_end = (rsdp | 0xfff) + 1;
	if (n > 32 || sa + slen > page_end)
		return 0;
	for (uint64_t a = rsdp + 36; a < sa + slen; a++)
		if (*(const uint8_t *)(uintptr_t)a)
			return 0;                          /* not ours to overwrite */
	s = (uint8_t *)(uintptr_t)sa;
	header(s, "SSDT", slen, 2, "DOMU-S5 ");
	for (uint32_t i = 0; i < sizeof s5_aml; i++)
		s[36 + i] = s5_aml[i];
	acpi_set_checksum(s, slen, 9);
	x = (uint8_t *)(uintptr_t)xa;
	for (uint32_t i = 0; i < 36 + 8 * n; i++)
		x[i] = old[i];
	acpi_wr64(x + 36 + 8 * n, sa);
	acpi_wr32(x + 4, xlen);
	acpi_set_checksum(x, xlen, 9);
	acpi_wr64(r + 24, xa);
	acpi_set_checksum(r, acpi_rd32(r + 20) >= 36 ? acpi_rd32(r + 20) : 36, 32);  /* the extended checksum covers the whole RSDP */
	return 1;
}
