/* SPDX-License-Identifier: MIT */
/*
 * previrt-report: inspect, verify and coverage-check ELF files annotated
 * by previrt (.previrt section, docs/format.md).
 *
 * Exit status: 0 fine; 1 --verify found problems, --coverage is below
 * --min, or --diff found differences; 2 the input cannot be read (one line
 * on stderr naming the file and the problem) or bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "zones.h"

enum mode { M_SUMMARY, M_LIST, M_JSON, M_VERIFY, M_COVERAGE, M_DIFF };

static void usage(FILE *f)
{
	fputs("usage: previrt-report [MODE] [OPTIONS] FILE\n"
	      "       previrt-report --diff OLD NEW\n"
	      "modes:\n"
	      "  (none)          summary: sites by kind, section, source file, function; MMIO; padding\n"
	      "  --list          one line per site: place, kind, length/insn_length, function+off,\n"
	      "                  file:line (innermost inlined frame and its caller), disassembly\n"
	      "  --json          the same, machine-readable\n"
	      "  --verify        check every record; print problems, exit 1 if any\n"
	      "  --coverage      list sensitive instructions no site covers; last line\n"
	      "                  \"coverage: COVERED/TOTAL (PCT%)\"\n"
	      "  --diff OLD NEW  sites added/removed/changed, by function and kind\n"
	      "options:\n"
	      "  --min PCT       with --coverage: exit 1 below PCT percent\n"
	      "  --profile FILE  merge per-site execution counts (docs/profile-counts.md)\n"
	      "  --top N         rows in the summary's per-file/per-function tables (default 10, 0 = all)\n"
	      "  -v              --verify: print one OK line when clean, and notes\n"
	      "exit: 0 ok, 1 problems/below --min/differences, 2 unreadable input or usage\n", f);
}

static int open_or_die(struct pv_report *r, const char *path, int dwarf)
{
	if (pv_report_open(r, path, dwarf) == 0)
		return 0;
	fprintf(stderr, "previrt-report: %s: %s\n", path, r->img.err);
	pv_report_close(r);
	return -1;
}

int main(int argc, char **argv)
{
	enum mode mode = M_SUMMARY;
	const char *file = NULL, *file2 = NULL, *profile = NULL;
	double min_pct = 0;
	int have_min = 0, verbose = 0, i, status;
	unsigned top = 10;
	struct pv_report r = { 0 }, r2 = { 0 };

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		enum mode m = M_SUMMARY;

		if (!strcmp(a, "--list"))
			m = M_LIST;
		else if (!strcmp(a, "--json"))
			m = M_JSON;
		else if (!strcmp(a, "--verify"))
			m = M_VERIFY;
		else if (!strcmp(a, "--coverage"))
			m = M_COVERAGE;
		else if (!strcmp(a, "--diff"))
			m = M_DIFF;
		if (m != M_SUMMARY) {
			if (mode != M_SUMMARY) {
				fprintf(stderr, "previrt-report: choose one mode (%s)\n", a);
				return 2;
			}
			mode = m;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-v")) {
			verbose = 1;
		} else if ((!strcmp(a, "--min") || !strcmp(a, "--profile") || !strcmp(a, "--top"))) {
			char *end;

			if (i + 1 >= argc) {
				fprintf(stderr, "previrt-report: %s needs a value\n", a);
				return 2;
			}
			if (!strcmp(a, "--profile")) {
				profile = argv[++i];
			} else if (!strcmp(a, "--min")) {
				min_pct = strtod(argv[++i], &end);
				if (*end || end == argv[i] || min_pct < 0 || min_pct > 100) {
					fprintf(stderr, "previrt-report: --min wants a percentage 0..100, not '%s'\n", argv[i]);
					return 2;
				}
				have_min = 1;
			} else {
				long t = strtol(argv[++i], &end, 10);

				if (*end || end == argv[i] || t < 0) {
					fprintf(stderr, "previrt-report: --top wants a number, not '%s'\n", argv[i]);
					return 2;
				}
				top = (unsigned)t;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "previrt-report: unknown option %s (see --help)\n", a);
			return 2;
		} else if (!file) {
			file = a;
		} else if (!file2) {
			file2 = a;
		} else {
			fprintf(stderr, "previrt-report: too many files (%s)\n", a);
			return 2;
		}
	}
	if (!file || (file2 && mode != M_DIFF) || (mode == M_DIFF && !file2)) {
		usage(stderr);
		return 2;
	}
	if (profile && (mode == M_DIFF || mode == M_VERIFY || mode == M_COVERAGE)) {
		fprintf(stderr, "previrt-report: --profile goes with the summary, --list or --json\n");
		return 2;
	}
	if (have_min && mode != M_COVERAGE) {
		fprintf(stderr, "previrt-report: --min goes with --coverage\n");
		return 2;
	}
	if (open_or_die(&r, file, mode == M_SUMMARY || mode == M_LIST || mode == M_JSON ||
				   mode == M_COVERAGE))
		return 2;
	r.verbose = verbose;
	r.top = top;
	if (profile) {
		char err[512];

		if (pv_profile_load(&r, profile, err, sizeof(err))) {
			fprintf(stderr, "previrt-report: %s\n", err);
			pv_report_close(&r);
			return 2;
		}
	}
	switch (mode) {
	case M_LIST:     status = pv_mode_list(&r, stdout); break;
	case M_JSON:     status = pv_mode_json(&r, stdout); break;
	case M_VERIFY:   status = pv_mode_verify(&r, stdout); break;
	case M_COVERAGE: status = pv_mode_coverage(&r, stdout, min_pct, have_min); break;
	case M_DIFF:
		if (open_or_die(&r2, file2, 0)) {
			status = 2;
			break;
		}
		status = pv_mode_diff(&r, &r2, stdout);
		pv_report_close(&r2);
		break;
	default:
		status = pv_mode_summary(&r, stdout);
		pv_zone_summary(&r, stdout);
		break;
	}
	pv_report_close(&r);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "previrt-report: error writing output\n");
		return 2;
	}
	return status;
}
