/* SPDX-License-Identifier: MIT */
/*
 * RSDP -> XSDT/RSDT -> a table by signature; the FADT ("FACP") facts: PM1
 * control ports, the PM timer and the reset register.
 */
#include "loader/acpi.h"

void acpi_set_checksum(uint8_t *t, uint32_t n, uint32_t at)
{
	uint8_t sum = 0;

	t[at] = 0;
	for (uint32_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + t[i]);
	t[at] = (uint8_t)-sum;
}

static int checksum_ok(const uint8_t *p, uint32_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum += *p++;
	return sum == 0;
}

static int sig_is(const uint8_t *p, const char *s)
{
	return p[0] == s[0] && p[1] == s[1] && p[2] == s[2] && p[3] == s[3];
}

uint8_t *acpi_find_table(uint64_t rsdp, const char *sig, uint32_t min_len)
{
	const uint8_t *r = (const uint8_t *)(uintptr_t)rsdp;
	const uint8_t *sdt;
	unsigned entry;
	uint32_t len;

	if (!rsdp || !checksum_ok(r, 20))
		return 0;
	/* ACPI 2+: XSDT with 64-bit entries; else RSDT with 32-bit ones */
	if (r[15] >= 2 && acpi_rd64(r + 24)) {
		sdt = (const uint8_t *)(uintptr_t)acpi_rd64(r + 24);
		entry = 8;
	} else {
		sdt = (const uint8_t *)(uintptr_t)acpi_rd32(r + 16);
		entry = 4;
	}
	len = acpi_rd32(sdt + 4);
	if (len < 36 || !checksum_ok(sdt, len))
		return 0;
	for (uint32_t off = 36; off + entry <= len; off += entry) {
		uint64_t a = entry == 8 ? acpi_rd64(sdt + off) : acpi_rd32(sdt + off);
		const uint8_t *t = (const uint8_t *)(uintptr_t)a;

		if (a && sig_is(t, sig) && acpi_rd32(t + 4) >= min_len && checksum_ok(t, acpi_rd32(t + 4)))
			return (uint8_t *)t;
	}
	return 0;
}

int acpi_read_fadt(uint64_t rsdp, struct pv_xen_acpi *out)
{
	const uint8_t *f = acpi_find_table(rsdp, "FACP", 116);
	uint32_t len;

	*out = (struct pv_xen_acpi){ 0 };
	if (!f)
		return -1;
	len = acpi_rd32(f + 4);
	out->pm1a_cnt = (uint16_t)acpi_rd32(f + 64);      /* PM1a_CNT_BLK */
	out->pm1b_cnt = (uint16_t)acpi_rd32(f + 68);      /* PM1b_CNT_BLK */
	out->pm_tmr = (uint16_t)acpi_rd32(f + 76);        /* PM_TMR_BLK */
	out->pm_tmr_32bit = (acpi_rd32(f + 112) >> 8) & 1; /* flags: TMR_VAL_EXT */
	/* RESET_REG (generic address at 116, space 1 = I/O), RESET_VALUE at 128, flag RESET_REG_SUP */
	if (len >= 129 && (acpi_rd32(f + 112) & (1u << 10)) && f[116] == 1)
		out->reset_port = (uint16_t)acpi_rd64(f + 120), out->reset_value = f[128];
	return 0;
}

/*
 * A PVH domU's FADT (libxl's) has no PM timer.  Without one, Linux checks
 * its APIC timer calibration against the PIT's jiffies, and a domU has no
 * PIT: the check fails and the kernel runs without a timer.  With a PM
 * timer the calibration is referenced to it and trusted.  So the loader
 * writes a port into PM_TMR_BLK (length 4, TMR_VAL_EXT: 32 bits; the
 * X_PM_TMR_BLK generic address stays empty, so ACPICA takes the legacy
 * field) and fixes the checksum; the blob's PM timer model answers it.
 * 1 added, 0 the FADT already names one, -1 no FADT.
 */
int acpi_fadt_add_pm_timer(uint64_t rsdp, uint16_t port)
{
	uint8_t *f = acpi_find_table(rsdp, "FACP", 116);
	uint32_t len;

	if (!f)
		return -1;
	len = acpi_rd32(f + 4);
	if (acpi_rd32(f + 76) || (len >= 220 && acpi_rd64(f + 212)))
		return 0;
	f[76] = (uint8_t)port, f[77] = (uint8_t)(port >> 8), f[78] = f[79] = 0;   /* PM_TMR_BLK */
	f[91] = 4;                                                               /* PM_TMR_LEN */
	acpi_wr32(f + 112, acpi_rd32(f + 112) | (1u << 8));                      /* TMR_VAL_EXT */
	acpi_set_checksum(f, len, 9);
	return 1;
}

/*
 * A PVH domU's FADT (libxl's) says "no fixed power button" (flags
 * PWR_BUTTON), since Xen emulates no PM1 event block for PVH.  The blob
 * does (xen/power-button.h), so the loader gives the button back: flag
 * PWR_BUTTON cleared, SCI_INT set to `sci` (the 8259 line the blob raises
 * for its devices), and hands the PM1a event block's and GPE0 block's
 * ports to the blob.  1 done, 0 the FADT has no 4-byte PM1a event block
 * (nothing is changed), -1 no FADT.
 */
int acpi_fadt_power_button(uint64_t rsdp, uint8_t sci, struct pv_xen_acpi *out)
{
	uint8_t *f = acpi_find_table(rsdp, "FACP", 116);
	uint32_t evt;

	if (!f)
		return -1;
	evt = acpi_rd32(f + 56);                                        /* PM1a_EVT_BLK */
	if (!evt || evt > 0xfffc || f[88] != 4)                         /* PM1_EVT_LEN */
		return 0;
	f[46] = sci, f[47] = 0;                                         /* SCI_INT */
	acpi_wr32(f + 112, acpi_rd32(f + 112) & ~(1u << 4));            /* PWR_BUTTON: a fixed one */
	acpi_set_checksum(f, acpi_rd32(f + 4), 9);
	out->pm1a_evt = (uint16_t)evt;
	out->sci = sci;
	if (acpi_rd32(f + 80) && acpi_rd32(f + 80) <= 0xffff && f[92])  /* GPE0_BLK, GPE0_BLK_LEN */
		out->gpe0 = (uint16_t)acpi_rd32(f + 80), out->gpe0_len = f[92];
	return 1;
}
