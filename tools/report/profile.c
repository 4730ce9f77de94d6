/* SPDX-License-Identifier: MIT */
/*
 * --profile COUNTS: per-site execution counts (docs/profile-counts.md)
 * merged into the sites.  Lines are "ADDRESS COUNT [KIND [HANDLER]]";
 * ADDRESS is 0xHEX (linked files) or SECTION+0xOFF (objects); HANDLER
 * (format 2) is 0xHEX, where the patched site jumps.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* The site starting exactly at loc, or NULL (sites are sorted by loc). */
static struct pv_site *site_at(struct pv_report *r, struct pv_loc loc)
{
	size_t lo = 0, hi = r->sites.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pv_site *s = &r->sites.v[mid];

		if (s->loc.shndx < loc.shndx || (s->loc.shndx == loc.shndx && s->loc.off < loc.off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->sites.n && r->sites.v[lo].loc.shndx == loc.shndx &&
	    r->sites.v[lo].loc.off == loc.off)
		return &r->sites.v[lo];
	return NULL;
}

/* Parse the ADDRESS word into a location.  0, or -1 when it is not one. */
static int parse_where(struct pv_report *r, const char *w, struct pv_loc *loc)
{
	const char *plus = strrchr(w, '+');
	char *end;
	unsigned long long v;

	if (plus) {
		char name[256];
		size_t n = (size_t)(plus - w);

		if (n == 0 || n >= sizeof(name))
			return -1;
		memcpy(name, w, n);
		name[n] = 0;
		errno = 0;
		v = strtoull(plus + 1, &end, 16);
		if (*end || errno || !isxdigit((unsigned char)plus[1]))
			return -1;
		loc->shndx = pv_find_section(&r->img, name);
		loc->off = v;
		return 0;
	}
	if (strncmp(w, "0x", 2) != 0 || !isxdigit((unsigned char)w[2]))
		return -1;
	errno = 0;
	v = strtoull(w + 2, &end, 16);
	if (*end || errno)
		return -1;
	*loc = pv_addr_loc(&r->img, v);
	return 0;
}

int pv_profile_load(struct pv_report *r, const char *path, char *err, size_t errcap)
{
	FILE *f = fopen(path, "r");
	char buf[512];
	unsigned lineno = 0, unmatched = 0, wrongkind = 0, matched = 0;

	if (!f) {
		snprintf(err, errcap, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		char w1[256], w2[64], w3[64], w4[64], extra[8];
		unsigned long long handler = 0;
		struct pv_loc loc;
		struct pv_site *s;
		unsigned long long count;
		char *end;
		int n;

		lineno++;
		if (!strchr(buf, '\n') && !feof(f)) {
			snprintf(err, errcap, "%s:%u: line too long", path, lineno);
			goto fail;
		}
		n = sscanf(buf, " %255s %63s %63s %63s %7s", w1, w2, w3, w4, extra);
		if (n <= 0 || w1[0] == '#')
			continue;
		errno = 0;
		if (n < 2 || n > 4 || parse_where(r, w1, &loc) ||
		    !isdigit((unsigned char)w2[0]) || (count = strtoull(w2, &end, 10), *end) || errno ||
		    (n == 4 && (strncmp(w4, "0x", 2) || !isxdigit((unsigned char)w4[2]) ||
				(handler = strtoull(w4 + 2, &end, 16), *end) || errno))) {
			snprintf(err, errcap, "%s:%u: malformed line (want \"ADDRESS COUNT [KIND [HANDLER]]\")",
				 path, lineno);
			goto fail;
		}
		s = loc.shndx ? site_at(r, loc) : NULL;
		if (!s) {
			unmatched++;
			continue;
		}
		if (n == 4)
			s->handler = handler;
		if (n >= 3) {
			const char *k = pv_kind_name(s->kind);

			if (!k || strcmp(k, w3) != 0)
				wrongkind++;
		}
		s->has_count = 1;
		s->count += count;
		matched++;
	}
	if (ferror(f)) {
		snprintf(err, errcap, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	/* every site the file names is counted; the rest ran zero times */
	for (size_t i = 0; i < r->sites.n; i++)
		r->sites.v[i].has_count = 1;
	if (unmatched)
		fprintf(stderr, "previrt-report: %s: warning: %u entries match no site in %s\n",
			path, unmatched, r->img.path);
	if (wrongkind)
		fprintf(stderr, "previrt-report: %s: warning: %u entries name a different kind than the site\n",
			path, wrongkind);
	(void)matched;
	return 0;
fail:
	fclose(f);
	return -1;
}
