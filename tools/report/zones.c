/* SPDX-License-Identifier: MIT */
/* The "by zone" part of the summary (zones.h). */
#include <inttypes.h>
#include <string.h>

#include "patch/zone.h"
#include "policy.h"
#include "pool.h"
#include "previrt/format.h"
#include "report.h"
#include "zones.h"

/* Address of the code symbol `name`, 0 when the image has none. */
static uint64_t sym(const struct pv_image *img, const char *name)
{
	for (size_t i = 0; i < img->nsyms; i++)
		if (!strcmp(img->syms[i].name, name))
			return img->syms[i].value;
	return 0;
}

void pv_zone_summary(struct pv_report *r, FILE *out)
{
	struct pv_zones zs = { 0 };
	uint64_t sites[PV_NZONES] = { 0 }, flagged[PV_NZONES] = { 0 }, patched[PV_NZONES] = { 0 };
	uint64_t inzone[PV_NZONES] = { 0 }, outside[PV_NZONES] = { 0 }, runs[PV_NZONES] = { 0 };
	uint64_t unflagged = 0, unplaced = 0, pool, pool_end;
	int counts = 0;

	if (r->img.relocatable)
		return;
	for (int z = PV_ZONE_MAIN + 1; z < PV_NZONES; z++) {
		uint64_t a = sym(&r->img, pv_zone_symbols[z].start), b = sym(&r->img, pv_zone_symbols[z].end);

		if (a && b >= a)
			zs.at[z].start = a, zs.at[z].end = b;
	}
	for (size_t i = 0; i < r->sites.n; i++) {
		const struct pv_site *s = &r->sites.v[i];
		int z;

		if (!s->loc.shndx)
			continue;
		z = pv_zone_of(&zs, s->addr, s->length, s->flags);
		if (z < 0) {
			fprintf(out, "warning: the site at 0x%" PRIx64 " crosses a zone boundary (the loader refuses it)\n",
				s->addr);
			continue;
		}
		sites[z]++;
		flagged[z] += (s->flags & PREVIRT_F_NOINSTR) != 0;
		unflagged += z != PV_ZONE_MAIN && !(s->flags & PREVIRT_F_NOINSTR);
		unplaced += z == PV_ZONE_ENTRY && !pv_in_zone(&zs, z, s->addr, s->length);
		counts |= s->has_count;
		runs[z] += s->has_count ? s->count : 0;
		if (s->handler) {
			/* the handler's own zone, by the same rule (its first byte, no flag) */
			patched[z]++;
			if (pv_zone_of(&zs, s->handler, 1, 0) == z)
				inzone[z]++;
			else
				outside[z]++;
		}
	}
	fprintf(out, "by zone (by address: %s..%s, %s..%s%s):\n", pv_zone_symbols[PV_ZONE_NOINSTR].start,
		pv_zone_symbols[PV_ZONE_NOINSTR].end, pv_zone_symbols[PV_ZONE_ENTRY].start,
		pv_zone_symbols[PV_ZONE_ENTRY].end,
		pv_zone_known(&zs, PV_ZONE_NOINSTR) && pv_zone_known(&zs, PV_ZONE_ENTRY) ? "" :
		"; some are missing: NOINSTR sites outside the named zones count as entry");
	for (int z = 0; z < PV_NZONES; z++) {
		fprintf(out, "  %-8s sites %6" PRIu64 "  noinstr-flag %6" PRIu64, pv_zone_name(z), sites[z], flagged[z]);
		if (counts)
			fprintf(out, "  patched %6" PRIu64 "  handler-in-zone %6" PRIu64 "  handler-outside %6" PRIu64
				"  executions %12" PRIu64, patched[z], inzone[z], outside[z], runs[z]);
		fputc('\n', out);
	}
	fprintf(out, "  zone sites without the NOINSTR flag %" PRIu64 " (the address decides), NOINSTR sites "
		"outside the zones %" PRIu64 " (treated as entry)\n", unflagged, unplaced);
	pool = sym(&r->img, PREVIRT_NOINSTR_POOL_SYM);
	pool_end = sym(&r->img, PREVIRT_NOINSTR_POOL_END_SYM);
	if (pool && pool_end > pool)
		fprintf(out, "  noinstr pool %" PRIu64 " bytes (%" PRIu64 " thunks of %u bytes), %s the noinstr zone\n",
			pool_end - pool, (pool_end - pool) / PREVIRT_POOL_THUNK_BYTES, PREVIRT_POOL_THUNK_BYTES,
			pv_in_zone(&zs, PV_ZONE_NOINSTR, pool, pool_end - pool) ? "inside" : "OUTSIDE");
	else
		fprintf(out, "  no noinstr pool: a backend keeps noinstr sites native\n");
	fprintf(out, "zone policy per backend (runtime/patch/*.c):\n  %-8s", "");
	for (int z = 0; z < PV_NZONES; z++)
		fprintf(out, "  %-10s", pv_zone_name(z));
	fputc('\n', out);
	for (unsigned b = 0; b < pv_report_nbackends(); b++) {
		fprintf(out, "  %-8s", pv_report_backend_name(b));
		for (int z = 0; z < PV_NZONES; z++)
			fprintf(out, "  %-10s", pv_report_backend_policy(b, z));
		fputc('\n', out);
	}
}
