/* SPDX-License-Identifier: MIT */
/*
 * Steps 2 and 3 of patching: let the backend plan every site, then write
 * the replacement bytes.  Validation (validate.c) has already passed, so
 * the only way to stop after planning started is a backend refusal, and
 * that happens before the first site byte is written.
 */
#include "patch/patch.h"

static int is_site(const struct pv_image *img, unsigned i)
{
	return ((const struct previrt_site *)(img->records + i * 12))->kind != PREVIRT_KIND_HEADER;
}

int pv_patch_image(const struct pv_image *img, const struct pv_backend *be, void *state,
		   struct pv_result *r)
{
	unsigned nrec = img->size / sizeof(struct previrt_site);
	uint8_t buf[256];
	int err;

	if ((err = pv_validate_image(img, r)))
		return err;
	if (!be->plan) {                        /* keeps every site: validation was all */
		r->nkept = r->nsites;
		return PV_OK;
	}
	if (be->begin && be->begin(state, r->nsites) < 0) {
		r->error = PV_E_BACKEND;
		return PV_E_BACKEND;
	}
	/* plan: the backend may build handlers, the sites stay untouched */
	for (unsigned i = 0; i < nrec; i++) {
		struct pv_site s;
		int d;

		if (!is_site(img, i))
			continue;
		pv_site_at(img, i, &s);
		d = be->plan(state, &s);
		if (d < 0 || (d != PV_KEEP && d != PV_PATCH)) {
			r->error = PV_E_BACKEND;
			r->record = i;
			r->site = (uintptr_t)s.addr;
			r->npatched = r->nkept = 0;
			return PV_E_BACKEND;
		}
		if (d == PV_PATCH)
			r->npatched++;
		else
			r->nkept++;
	}
	if (!r->npatched)
		return PV_OK;
	if (be->rewind)
		be->rewind(state);
	/* commit: emit decides as plan did and fills the new bytes */
	for (unsigned i = 0; i < nrec; i++) {
		struct pv_site s;

		if (!is_site(img, i))
			continue;
		pv_site_at(img, i, &s);
		if (be->emit(state, &s, buf) == PV_PATCH)
			pv_memcpy(s.addr, buf, s.rec->length);
	}
	return PV_OK;
}
