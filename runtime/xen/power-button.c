/* SPDX-License-Identifier: MIT */
/* A Xen domU's PM1a event registers and GPE0 block: power-button.h says why and how. */
#include <stdint.h>

#include "xen/power-button.h"

int pv_acpi_evt_port(const struct pv_xen_state *st, unsigned port)
{
	const struct pv_xen_acpi *a = &st->acpi;

	return (a->pm1a_evt && port - a->pm1a_evt < 4u) || (a->gpe0 && port - a->gpe0 < a->gpe0_len);
}

/* byte `i` (0..3) of the PM1a block: status low, high, enable low, high */
static uint8_t pm1_byte(const struct pv_xen_state *st, unsigned i)
{
	uint16_t r = i < 2 ? st->pm1_sts : st->pm1_en;

	return (uint8_t)(r >> (8 * (i & 1)));
}

uint32_t pv_acpi_evt_read(const struct pv_xen_state *st, unsigned port, unsigned width)
{
	uint32_t v = 0;

	for (unsigned b = 0; b < width && b < 4; b++) {
		unsigned p = port + b;
		uint8_t x = 0xff;                       /* past the block: as an empty port */

		if (st->acpi.pm1a_evt && p - st->acpi.pm1a_evt < 4u)
			x = pm1_byte(st, p - st->acpi.pm1a_evt);
		else if (st->acpi.gpe0 && p - st->acpi.gpe0 < st->acpi.gpe0_len)
			x = 0;                          /* no general-purpose event, ever */
		v |= (uint32_t)x << (8 * b);
	}
	return v;
}

void pv_acpi_evt_write(struct pv_xen_state *st, unsigned port, unsigned width, uint32_t val)
{
	for (unsigned b = 0; b < width && b < 4; b++) {
		unsigned p = port + b, i;
		uint16_t x = (uint16_t)((val >> (8 * b)) & 0xff);

		if (!st->acpi.pm1a_evt || (i = p - st->acpi.pm1a_evt) >= 4u)
			continue;                       /* GPE0 and beyond: dropped */
		x = (uint16_t)(x << (8 * (i & 1)));
		if (i < 2)
			st->pm1_sts = (uint16_t)(st->pm1_sts & ~x);     /* write 1 to clear */
		else
			st->pm1_en = (uint16_t)((st->pm1_en & ~(0xffu << (8 * (i & 1)))) | x);
	}
}

int pv_acpi_sci(const struct pv_xen_state *st)
{
	return st->acpi.pm1a_evt && (st->pm1_sts & st->pm1_en & (uint16_t)~PV_PM1_WAK) != 0;
}

int pv_acpi_power_button(struct pv_xen_state *st)
{
	if (!st->acpi.pm1a_evt)
		return 0;
	st->pm1_sts |= PV_PM1_PWRBTN;
	st->power_presses++;
	return 1;
}
