/* SPDX-License-Identifier: MIT */
/*
 * An `_S5` object for a Xen PVH domU's ACPI tables.
 *
 * Why: libxl's DSDT for a PVH guest has no `\_S5` ("ACPI: PM: (supports
 * S0)"), so Linux has no ACPI power-off: `poweroff` halts, and Xen ends
 * the domain only because its last vCPU stopped.  With `\_S5` Linux
 * writes SLP_EN to the FADT's PM1a control port (0xb004 in libxl's FADT),
 * which the blob turns into SCHEDOP_shutdown(poweroff), as it does for
 * dom0 (xen/pio.c power_write).
 *
 * How: an SSDT holding `Name (\_S5, Package () { 5, 5, 0, 0 })` and an
 * XSDT that lists the old entries plus it, both written into the unused
 * rest of the page that holds the RSDP (libxl's ACPI area, which the
 * kernel maps but never uses as RAM), and the RSDP pointed at the new
 * XSDT, checksums fixed.  Nothing is written unless those bytes are all
 * zero and the tables fit before the page ends.
 */
#ifndef PREVIRT_LOADER_ACPIS5_H
#define PREVIRT_LOADER_ACPIS5_H

#include <stdint.h>

/* 1 added, 0 no room (nothing written), -1 no usable RSDP/XSDT */
int acpi_add_s5(uint64_t rsdp);

#endif
