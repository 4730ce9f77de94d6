/* SPDX-License-Identifier: MIT */
/*
 * Present a MADT's x2APIC entries as xAPIC ones, in place.
 *
 * Xen 4.17 describes a PVH dom0's vCPUs with "Processor Local x2APIC"
 * entries (type 9) only.  A kernel built without CONFIG_X86_X2APIC (which
 * needs IRQ_REMAP or HYPERVISOR_GUEST, so neither previrt's configs nor a
 * distro kernel without guest support have it) ignores those entries and
 * brings up the boot CPU alone.  Firmware describes CPUs whose APIC IDs fit
 * in 8 bits with "Processor Local APIC" entries (type 0), which every
 * kernel parses; that is what this does, for every x2APIC entry, and the
 * same for the x2APIC NMI entries (type 10 -> type 4).
 *
 * All or nothing: when one entry cannot be expressed (APIC ID or processor
 * UID above 254), the table is left exactly as it was.  The result is never
 * longer than the original (16 -> 8 and 12 -> 6 bytes), so it is written
 * over the original table and only its length and checksum change; the
 * memory stays where the firmware reserved it.
 */
#include "loader/madt.h"
#include "loader/acpi.h"

#define MADT_HDR       44u     /* ACPI header 36 + local APIC address 4 + flags 4 */
#define T_LAPIC        0
#define T_LAPIC_NMI    4
#define T_X2APIC       9
#define T_X2APIC_NMI   10
#define MADT_MAX       4096u   /* a MADT for a few hundred CPUs; ours is tiny */

int madt_x2apic_to_xapic(uint8_t *madt, struct madt_result *r)
{
	static uint8_t out[MADT_MAX];
	uint32_t len = acpi_rd32(madt + 4), o = MADT_HDR;

	*r = (struct madt_result){ 0 };
	if (len < MADT_HDR || len > MADT_MAX)
		return -1;
	for (uint32_t i = 0; i < MADT_HDR; i++)
		out[i] = madt[i];
	for (uint32_t off = MADT_HDR; off < len;) {
		const uint8_t *e = madt + off;
		uint32_t elen = off + 2 <= len ? e[1] : 0;

		if (elen < 2 || off + elen > len)
			return -1;                      /* malformed: leave it to the kernel */
		if (e[0] == T_X2APIC && elen >= 16) {
			uint32_t id = acpi_rd32(e + 4), flags = acpi_rd32(e + 8), uid = acpi_rd32(e + 12);

			if (id >= 0xff || uid >= 0xff)
				return r->wide++, -2;
			out[o] = T_LAPIC, out[o + 1] = 8, out[o + 2] = (uint8_t)uid, out[o + 3] = (uint8_t)id;
			acpi_wr32(out + o + 4, flags);
			o += 8, r->cpus++;
		} else if (e[0] == T_X2APIC_NMI && elen >= 12) {
			uint32_t uid = acpi_rd32(e + 4);

			if (uid != 0xffffffffu && uid >= 0xff)
				return r->wide++, -2;
			out[o] = T_LAPIC_NMI, out[o + 1] = 6, out[o + 2] = (uint8_t)uid;
			out[o + 3] = e[2], out[o + 4] = e[3];  /* MPS INTI flags */
			out[o + 5] = e[8];                    /* LINT# */
			o += 6, r->nmis++;
		} else {
			if (e[0] == T_LAPIC)
				r->xapic++;
			for (uint32_t i = 0; i < elen; i++)
				out[o + i] = e[i];
			o += elen;
		}
		off += elen;
	}
	if (!r->cpus)
		return 0;                               /* nothing to present */
	acpi_wr32(out + 4, o);
	acpi_set_checksum(out, o, 9);
	for (uint32_t i = 0; i < o; i++)
		madt[i] = out[i];
	r->old_len = len, r->new_len = o;
	return 1;
}

int madt_present_xapic(uint64_t rsdp, struct madt_result *r)
{
	uint8_t *madt = acpi_find_table(rsdp, "APIC", MADT_HDR);

	*r = (struct madt_result){ 0 };
	return madt ? madt_x2apic_to_xapic(madt, r) : -1;
}
