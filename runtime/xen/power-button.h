/* SPDX-License-Identifier: MIT */
/*
 * A Xen domU's ACPI fixed-feature event hardware, which Xen emulates for
 * HVM guests but not for PVH ones (libxl's FADT for PVH even says "no
 * fixed power button"): the PM1a status and enable registers and a GPE0
 * block.  The loader gives the FADT its fixed power button back and puts
 * the SCI on the devices' 8259 line (loader/acpi.c); the blob answers the
 * registers here.  What presses the button is `xl shutdown`
 * (xen/domu-control.c): the kernel's ACPI button driver reports KEY_POWER
 * to user space, which decides, exactly as for a power button on real
 * hardware or an HVM guest without PV drivers (`xl trigger power`).
 *
 * Registers (ACPI 6.x, 4.8.3.1): PM1 status at pm1a_evt (16 bits, write
 * 1 to clear), PM1 enable at pm1a_evt + 2; any access width within the 4
 * ports, byte by byte.  The GPE0 block has no event behind it: status and
 * enable read 0, writes are dropped (reading Xen's all-ones there would
 * send ACPICA into "no handler for GPE" at every SCI).  The SCI is level:
 * up while a status bit and its enable bit are both set.
 */
#ifndef PREVIRT_RT_XEN_POWER_BUTTON_H
#define PREVIRT_RT_XEN_POWER_BUTTON_H

#include "xen/xen-rt.h"

#define PV_PM1_PWRBTN  (1u << 8)        /* PWRBTN_STS / PWRBTN_EN */
#define PV_PM1_WAK     (1u << 15)       /* WAK_STS: status only */

/* 1 when `port` is one of the ACPI event ports the blob models (acpi.pm1a_evt, acpi.gpe0). */
int pv_acpi_evt_port(const struct pv_xen_state *st, unsigned port);
uint32_t pv_acpi_evt_read(const struct pv_xen_state *st, unsigned port, unsigned width);
void pv_acpi_evt_write(struct pv_xen_state *st, unsigned port, unsigned width, uint32_t val);

/* The SCI's level: a PM1 status bit with its enable bit set. */
int pv_acpi_sci(const struct pv_xen_state *st);

/* Press the power button (PWRBTN_STS); the SCI follows if the kernel enabled it. 1 pressed, 0 no model. */
int pv_acpi_power_button(struct pv_xen_state *st);

#endif
