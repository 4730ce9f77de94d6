/* SPDX-License-Identifier: MIT */
/*
 * The few ACPI facts the Xen backend needs, read from the FADT the
 * firmware (or Xen, for a PVH dom0) provides: which I/O ports put the
 * machine to sleep (PM1a/PM1b control), which one resets it, and where
 * the PM timer is.  The kernel writes the first ones to power off or
 * reboot; on Xen those writes must become SCHEDOP_shutdown instead of
 * reaching the hardware.  Xen denies the PM timer to dom0.
 */
#ifndef PREVIRT_LOADER_ACPI_H
#define PREVIRT_LOADER_ACPI_H

#include <stdint.h>

#include "xen/xen-rt.h"

/* Little-endian fields of an ACPI table, at any alignment (the loader's, madt.c's, acpis5.c's). */
static inline uint32_t acpi_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t acpi_rd64(const uint8_t *p)
{
	return acpi_rd32(p) | (uint64_t)acpi_rd32(p + 4) << 32;
}

static inline void acpi_wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void acpi_wr64(uint8_t *p, uint64_t v)
{
	acpi_wr32(p, (uint32_t)v);
	acpi_wr32(p + 4, (uint32_t)(v >> 32));
}

/* Set the checksum byte t[at] so that bytes [0, n) of t add up to 0 (a table's at 9, the RSDP's at 8 and 32). */
void acpi_set_checksum(uint8_t *t, uint32_t n, uint32_t at);

/*
 * The table with signature sig (4 characters) that the RSDP's XSDT (or
 * RSDT) lists, at least min_len bytes long and with a valid checksum, or 0.
 */
uint8_t *acpi_find_table(uint64_t rsdp, const char *sig, uint32_t min_len);

/* 0 when a FADT was found through rsdp (physical), -1 when not (out is zeroed). */
int acpi_read_fadt(uint64_t rsdp, struct pv_xen_acpi *out);

/*
 * Name a PM timer at I/O port `port` in a FADT that has none (a PVH
 * domU's), checksum fixed: 1 added, 0 the FADT has one, -1 no FADT.
 */
int acpi_fadt_add_pm_timer(uint64_t rsdp, uint16_t port);

/* A domU's fixed power button on the blob's PM1a model, SCI on 8259 line `sci` (acpi.c says how). */
int acpi_fadt_power_button(uint64_t rsdp, uint8_t sci, struct pv_xen_acpi *out);

#endif
