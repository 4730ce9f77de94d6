/* SPDX-License-Identifier: MIT */
/*
 * Steps 2 and 3 of patching: let the backend plan every site, then write
 * the replacement bytes.  Validation (validate.c) has already passed, so
 * the only way to stop after planning started is a backend refusal, and
 * that happens before the first site byte is written.
 *
 * The plan's decision per site is recorded (one bit per record) and
 * handed to emit in site->planned.  Before anything is written, a dry
 * run of emit over every site must agree with it; only then does the
 * commit pass copy the bytes.  So a backend whose emit re-derives a
 * different answer (the bug this guards against) stops with PV_E_EMIT
 * and the image untouched.
 *
 * Zones (patch/zone.h): every site has one, and the backend declares per
 * zone what it does there (zone_policy).  The core checks both halves of
 * the declaration before writing: plan must not patch a site of a native
 * zone, and in a zone-pool zone the dry run's bytes must be a jmp rel32
 * whose target lies inside the site's own zone.  A handler elsewhere would
 * put kprobe-able text (main) or text PTI leaves unmapped (anything but
 * .entry.text) on a path that must not have it.
 */
#include "patch/patch.h"

/*
 * The plan's decisions live in the caller's img->planned, one bit per
 * record: this file keeps no state of its own, so the same object runs in
 * the loader, in the tests and, after boot, read-only inside the kernel
 * (runtime/resident/, where a module is patched at load).
 */
int pv_site_planned(const struct pv_image *img, unsigned i)
{
	return img->planned && i < img->planned_len * 64 && ((img->planned[i / 64] >> (i % 64)) & 1);
}

static int is_site(const struct pv_image *img, unsigned i)
{
	return pv_record(img, i)->kind != PREVIRT_KIND_HEADER;
}

static int refuse(struct pv_result *r, int err, unsigned i, const struct pv_site *s)
{
	r->error = err;
	r->record = i;
	r->site = (uintptr_t)s->addr;
	r->npatched = r->nkept = 0;
	pv_memset(r->zone_patched, 0, sizeof r->zone_patched);
	return err;
}

/* emit over every planned site; write: copy the bytes, else only check the decisions */
static int commit(const struct pv_image *img, const struct pv_backend *be, void *state, int write,
		  struct pv_result *r)
{
	unsigned nrec = pv_nrecords(img);
	uint8_t buf[256];

	if (be->rewind)
		be->rewind(state);
	for (unsigned i = 0; i < nrec; i++) {
		struct pv_site s;
		int d;

		if (!is_site(img, i))
			continue;
		pv_site_at(img, i, &s);
		s.planned = pv_site_planned(img, i) ? PV_PATCH : PV_KEEP;
		d = be->emit(state, &s, buf);
		if (d != s.planned)
			return refuse(r, PV_E_EMIT, i, &s);     /* only ever in the dry run */
		if (d == PV_PATCH && be->zone_policy[s.zone] == PV_ZP_ZONE_POOL &&
		    !pv_in_zone(img->zones, s.zone, pv_jmp_target(buf, (uintptr_t)s.addr), 1))
			return refuse(r, PV_E_ZONE_PATCHED, i, &s);   /* likewise */
		if (write && d == PV_PATCH)
			pv_memcpy(s.addr, buf, s.rec->length);
	}
	return PV_OK;
}

int pv_patch_image(const struct pv_image *img, const struct pv_backend *be, void *state,
		   struct pv_result *r)
{
	unsigned nrec = pv_nrecords(img);
	int err;

	if ((err = pv_validate_image(img, r)))
		return err;
	if (img->planned && nrec <= img->planned_len * 64)
		pv_memset(img->planned, 0, ((size_t)nrec + 63) / 64 * sizeof img->planned[0]);
	if (!be->plan) {                        /* keeps every site: validation was all */
		r->nkept = r->nsites;
		return PV_OK;
	}
	if (!img->planned || nrec > img->planned_len * 64)   /* no room to record the plan */
		return refuse(r, PV_E_BACKEND, 0, &(struct pv_site){ 0 });
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
		if (d < 0 || (d != PV_KEEP && d != PV_PATCH))
			return refuse(r, PV_E_BACKEND, i, &s);
		/*
		 * A faulting kind with a (validated) exception-table entry: the
		 * fixup is keyed to the original address, so the site stays native
		 * whatever the backend thinks.
		 */
		if (d == PV_PATCH && (s.rule->attrs & PREVIRT_RA_FAULT) && (s.rec->flags & PREVIRT_F_EXTABLE))
			return refuse(r, PV_E_FAULT_PATCHED, i, &s);
		/* the backend's own declaration: no patch in a zone it keeps native */
		if (d == PV_PATCH && be->zone_policy[s.zone] == PV_ZP_NATIVE)
			return refuse(r, PV_E_ZONE_PATCHED, i, &s);
		if (d == PV_PATCH) {
			img->planned[i / 64] |= 1ull << (i % 64);
			r->npatched++;
			r->zone_patched[s.zone]++;
		} else {
			r->nkept++;
		}
	}
	if (!r->npatched)
		return PV_OK;
	/* dry run: emit must decide as plan did, for every site, before one byte is written */
	if ((err = commit(img, be, state, 0, r)))
		return err;
	return commit(img, be, state, 1, r);
}
