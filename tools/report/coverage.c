/* SPDX-License-Identifier: MIT */
/*
 * --coverage: disassemble every executable section, find each instruction
 * the rules call sensitive (through the shared matcher, so the rules stay
 * the single source) and check a site covers it.
 *
 * Counted: sensitive instructions in code.  Not counted: code in
 * .altinstr_replacement (replacement code the kernel copies in itself) and
 * instructions inside an ALTERNATIVE's original range (the kernel patches
 * those bytes; previrt must not), which are listed in their own category.
 * MMIO accesses are ordinary movs and cannot be told apart in machine
 * code, so they are not part of coverage.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grow.h"
#include "disasm.h"
#include "previrt_rules.h"
#include "report.h"
#include "tally.h"

struct found {
	struct pv_loc loc;
	unsigned kind;
	char text[160];
};

struct found_list {
	struct found *v;
	size_t n, cap;
};

struct scan {
	struct pv_report *r;
	size_t shndx;
	uint64_t base;             /* offset of the walked segment in its section */
	int counting;              /* 0 in replacement sections: only tally */
	struct pv_insn pending;    /* an sti waiting to see whether hlt follows */
	size_t pending_off;
	int have_pending;
	size_t covered, total, replacement;
	struct found_list uncovered, in_alt;
};

static void push(struct found_list *l, struct pv_loc loc, unsigned kind, const char *text)
{
	pv_grow(&l->v, l->n, &l->cap, sizeof(l->v[0]), 64);
	memset(&l->v[l->n], 0, sizeof(l->v[0]));   /* sent whole through a pipe by workers */
	l->v[l->n].loc = loc;
	l->v[l->n].kind = kind;
	snprintf(l->v[l->n].text, sizeof(l->v[l->n].text), "%s", text);
	l->n++;
}

/* Is loc inside the original instruction(s) of some site? */
static int site_covers(const struct pv_sites *sites, struct pv_loc loc)
{
	size_t lo = 0, hi = sites->n, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pv_site *s = &sites->v[mid];

		if (s->loc.shndx < loc.shndx || (s->loc.shndx == loc.shndx && s->loc.off <= loc.off))
			lo = mid + 1;
		else
			hi = mid;
	}
	/* sites are short: the covering one, if any, is among the last few before loc */
	for (i = lo; i-- > 0 && lo - i <= 4;) {
		const struct pv_site *s = &sites->v[i];

		if (s->loc.shndx != loc.shndx)
			break;
		if (loc.off >= s->loc.off + s->insn_off &&
		    loc.off < s->loc.off + s->insn_off + s->insn_length)
			return 1;
	}
	return 0;
}

static void record(struct scan *sc, size_t off, unsigned kind, const char *text)
{
	struct pv_loc loc = { sc->shndx, off };

	if (!sc->counting) {
		sc->replacement++;
		return;
	}
	if (site_covers(&sc->r->sites, loc)) {
		sc->covered++;
		sc->total++;
	} else if (pv_ranges_contain(&sc->r->ranges, PV_TAB_ALTINSTR, loc)) {
		push(&sc->in_alt, loc, kind, text);
	} else {
		push(&sc->uncovered, loc, kind, text);
		sc->total++;
	}
}

static void flush_pending(struct scan *sc)
{
	if (sc->have_pending)
		record(sc, sc->pending_off, PREVIRT_KIND_STI, sc->pending.text);
	sc->have_pending = 0;
}

static int on_insn(const struct pv_insn *insn, size_t seg_off, void *arg)
{
	struct scan *sc = arg;
	size_t off = (size_t)sc->base + seg_off;
	unsigned kind;

	if (!insn->is_insn) {
		flush_pending(sc);
		return 0;
	}
	if (sc->have_pending) {
		kind = pv_match_sequence(&sc->pending.parsed, &insn->parsed);
		if (kind) {
			char text[2 * sizeof(insn->text) + 4];

			snprintf(text, sizeof(text), "%s ; %s", sc->pending.text, insn->text);
			record(sc, sc->pending_off, kind, text);
			sc->have_pending = 0;
			return 0;
		}
		flush_pending(sc);
	}
	/* The bytes are in the section; pv_insn_kind may compare them. */
	kind = pv_insn_kind(insn, sc->r->img.sec[sc->shndx].bytes + off);
	if (kind == PREVIRT_KIND_STI) {
		sc->pending = *insn;
		sc->pending_off = off;
		sc->have_pending = 1;
	} else if (kind) {
		record(sc, off, kind, insn->text);
	}
	return 0;
}

/*
 * Code is disassembled symbol by symbol, restarting at every symbol like
 * `objdump -d` (so data or padding in one function cannot desynchronise
 * the next).  These segments are also the unit of parallel work.
 */
struct segment {
	size_t   shndx;
	uint64_t start, end;
};

struct segments {
	struct segment *v;
	size_t n, cap;
	uint64_t bytes;
};

static void add_segment(struct segments *g, size_t shndx, uint64_t start, uint64_t end)
{
	if (end <= start)
		return;
	pv_grow(&g->v, g->n, &g->cap, sizeof(g->v[0]), 256);
	g->v[g->n++] = (struct segment){ shndx, start, end };
	g->bytes += end - start;
}

static void make_segments(const struct pv_image *img, struct segments *g)
{
	size_t i, k = 0;

	for (i = 1; i < img->nsections; i++) {
		const struct pv_section *s = &img->sec[i];
		uint64_t at = 0;

		while (k < img->nsyms && img->syms[k].shndx < i)
			k++;
		if (!s->exec || !s->bytes)
			continue;
		for (; k < img->nsyms && img->syms[k].shndx == i; k++) {
			uint64_t off = img->syms[k].off;

			if (off > at && off < s->size) {
				add_segment(g, i, at, off);
				at = off;
			}
		}
		add_segment(g, i, at, s->size);
	}
}

static void scan_segments(struct scan *sc, const struct segment *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct pv_section *s = &sc->r->img.sec[v[i].shndx];

		sc->shndx = v[i].shndx;
		sc->base = v[i].start;
		sc->counting = !s->replacement;
		pv_disasm_walk(s->bytes + v[i].start, v[i].end - v[i].start,
			       pv_loc_addr(&sc->r->img, (struct pv_loc){ v[i].shndx, v[i].start }),
			       on_insn, sc);
		flush_pending(sc);
	}
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, void *p, size_t n)
{
	char *c = p;

	while (n) {
		ssize_t r = read(fd, c, n);

		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

/* A worker's results: counters, then both lists. */
static int send_results(int fd, const struct scan *sc)
{
	size_t hdr[5] = { sc->covered, sc->total, sc->replacement, sc->uncovered.n, sc->in_alt.n };

	return write_all(fd, hdr, sizeof(hdr)) ||
	       write_all(fd, sc->uncovered.v, sc->uncovered.n * sizeof(struct found)) ||
	       write_all(fd, sc->in_alt.v, sc->in_alt.n * sizeof(struct found));
}

static int receive_results(int fd, struct scan *sc)
{
	size_t hdr[5], i;
	struct found f;

	if (read_all(fd, hdr, sizeof(hdr)))
		return -1;
	sc->covered += hdr[0];
	sc->total += hdr[1];
	sc->replacement += hdr[2];
	for (i = 0; i < hdr[3] + hdr[4]; i++) {
		if (read_all(fd, &f, sizeof(f)))
			return -1;
		push(i < hdr[3] ? &sc->uncovered : &sc->in_alt, f.loc, f.kind, f.text);
	}
	return 0;
}

/* Worker processes: PREVIRT_REPORT_JOBS, else one per CPU for big files. */
static unsigned job_count(uint64_t bytes)
{
	const char *e = getenv("PREVIRT_REPORT_JOBS");
	long n = e ? strtol(e, NULL, 10) : (bytes >= (1u << 20) ? sysconf(_SC_NPROCESSORS_ONLN) : 1);

	return n < 1 ? 1 : n > 16 ? 16 : (unsigned)n;
}

/*
 * Scan every segment.  With several jobs, forked workers take contiguous
 * runs of segments (the image is mapped, so they share it) and send their
 * results back through a pipe; concatenating them in job order keeps the
 * address order.  Any failure falls back to scanning in this process.
 */
static void scan_all(struct pv_report *r, struct scan *sc)
{
	struct segments g = { 0 };
	unsigned jobs, j;
	size_t first[17], at = 0;
	uint64_t acc = 0;
	pid_t pid[16];
	int fd[16];

	make_segments(&r->img, &g);
	jobs = job_count(g.bytes);
	if (g.n < jobs)
		jobs = 1;
	/* job j scans segments [first[j], first[j+1]) of about equal bytes */
	first[0] = 0;
	for (j = 1; j < jobs; j++) {
		while (at < g.n && acc < g.bytes / jobs * j)
			acc += g.v[at].end - g.v[at].start, at++;
		first[j] = at;
	}
	first[jobs] = g.n;
	fflush(NULL);
	for (j = 1; j < jobs; j++) {
		int p[2];

		pid[j] = -1;
		if (pipe(p))
			break;
		pid[j] = fork();
		if (pid[j] == 0) {
			struct scan mine = { .r = r };

			close(p[0]);
			scan_segments(&mine, g.v + first[j], first[j + 1] - first[j]);
			_exit(send_results(p[1], &mine) ? 1 : 0);
		}
		close(p[1]);
		fd[j] = p[0];
		if (pid[j] < 0) {
			close(p[0]);
			break;
		}
	}
	if (j < jobs) {
		/* could not start them all: stop those that run, do it alone */
		while (j-- > 1) {
			close(fd[j]);
			waitpid(pid[j], NULL, 0);
		}
		scan_segments(sc, g.v, g.n);
		free(g.v);
		return;
	}
	scan_segments(sc, g.v, first[1]);
	for (j = 1; j < jobs; j++) {
		int status = 0, bad = receive_results(fd[j], sc);

		close(fd[j]);
		if (waitpid(pid[j], &status, 0) < 0 || bad || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "previrt-report: coverage worker %u failed\n", j);
			exit(2);
		}
	}
	free(g.v);
}

static void print_found(struct pv_report *r, FILE *out, const struct found *f)
{
	char where[96], fn[160];
	const char *unit;
	enum pv_origin o = pv_origin_of(r->dw, &r->img, f->loc, &unit);
	struct pv_srcinfo src;
	const char *kind = pv_kind_name(f->kind);

	pv_where(r, f->loc, pv_loc_addr(&r->img, f->loc), where, sizeof(where));
	pv_describe_loc(&r->img, f->loc, fn, sizeof(fn));
	pv_dwarf_lookup(r->dw, &r->img, f->loc, 0, &src);
	fprintf(out, "  %-24s %-12s %-36s %-9s ", where, kind ? kind : "?", fn,
		o == PV_ORIGIN_ASM ? ".S" : o == PV_ORIGIN_C ? "C" : "?");
	if (src.file)
		fprintf(out, "%s:%d", src.file, src.line);
	else
		fputs(unit ? unit : "-", out);
	fprintf(out, "  | %s\n", f->text);
}

int pv_mode_coverage(struct pv_report *r, FILE *out, double min_pct, int have_min)
{
	struct scan sc = { .r = r };
	struct pv_tally origins = { 0 }, kinds = { 0 };
	unsigned long long tenths;
	double pct;
	size_t i;

	scan_all(r, &sc);
	if (sc.uncovered.n) {
		fprintf(out, "sensitive instructions without a site (%zu):\n", sc.uncovered.n);
		for (i = 0; i < sc.uncovered.n; i++) {
			const struct found *f = &sc.uncovered.v[i];
			const char *unit, *kind = pv_kind_name(f->kind);

			print_found(r, out, f);
			pv_tally_add(&origins, pv_origin_name(pv_origin_of(r->dw, &r->img, f->loc, &unit)), 0);
			pv_tally_add(&kinds, kind ? kind : "?", 0);
		}
		pv_tally_group(&origins, 0);
		pv_tally_group(&kinds, 0);
		fputs("uncovered by origin:", out);
		for (i = 0; i < origins.n; i++)
			fprintf(out, "  %s %" PRIu64, origins.v[i].key, origins.v[i].n);
		fputs("\nuncovered by kind:", out);
		for (i = 0; i < kinds.n; i++)
			fprintf(out, "  %s %" PRIu64, kinds.v[i].key, kinds.v[i].n);
		fputc('\n', out);
	}
	if (sc.in_alt.n) {
		fprintf(out, "inside ALTERNATIVE originals (the kernel patches these; not counted): %zu\n",
			sc.in_alt.n);
		for (i = 0; i < sc.in_alt.n; i++)
			print_found(r, out, &sc.in_alt.v[i]);
	}
	if (sc.replacement)
		fprintf(out, "in .altinstr_replacement (not counted): %zu\n", sc.replacement);
	/* tenths of a percent, rounded down: 1999/2000 is 99.9%, never 100.0% */
	tenths = sc.total ? (unsigned long long)sc.covered * 1000 / sc.total : 1000;
	pct = sc.total ? 100.0 * (double)sc.covered / (double)sc.total : 100.0;
	fprintf(out, "coverage: %zu/%zu (%llu.%llu%%)\n", sc.covered, sc.total, tenths / 10,
		tenths % 10);
	pv_tally_free(&origins);
	pv_tally_free(&kinds);
	free(sc.uncovered.v);
	free(sc.in_alt.v);
	return have_min && pct < min_pct ? 1 : 0;
}
