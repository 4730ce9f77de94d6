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

#endif
