/* SPDX-License-Identifier: MIT */
/*
 * User-space harness for the runtime's patcher: this program patches its
 * own plugin-annotated code (prog.c) in place with the runtime's own
 * validate/patch code and backends, then checks that
 *   - every kind of malformed record is refused and not a byte of text changes,
 *   - the native backend leaves the text exactly as it was,
 *   - under the profile backend every test function returns what it
 *     returned unpatched, and every site's count equals its known
 *     execution count,
 * and measures how long patching takes.
 *
 *   runtime-harness [PROFILE_OUT]     (PROFILE_OUT: where to write the counts)
 *
 * Output: one line per check, then "N passed, M failed"; exit 1 on failure.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <x86intrin.h>

#include "patch/backend.h"
#include "prog.h"
#include "selfimage.h"
#include "check.h"

/* the plan's decisions, one bit per record (patch.h: the caller's memory) */
static uint64_t plan_bits[1 << 11];
#define PLAN .planned = plan_bits, .planned_len = sizeof plan_bits / 8

/*
 * The handler pool lives in this program's own text, in a section the
 * linker places with the other .text.unlikely.* input sections: the same
 * reservation docs/runtime.md asks the GCC plugin to make in the kernel.
 */
#define POOL_BYTES 65536
#define STR_(x) #x
#define STR(x) STR_(x)
__asm__(".pushsection .text.unlikely.previrt_pool,\"ax\",@progbits\n"
	".balign 64\n"
	".globl previrt_pool\n"
	"previrt_pool: .fill " STR(POOL_BYTES) ", 1, 0xcc\n"
	".globl previrt_pool_end\n"
	"previrt_pool_end:\n"
	".popsection");
extern uint8_t previrt_pool[], previrt_pool_end[];
static uint64_t counters[1024];

#define CALLS_BASE 1000        /* test i is called CALLS_BASE + 7*i times */

static struct self_image si;
static uint8_t *snapshot[SELF_MAX_TEXT];


/* ---------- text access ---------- */

static void text_protect(int writable)
{
	if (self_text_protect(&si, writable))
		exit(2);
}

static void text_snapshot(void)
{
	for (unsigned i = 0; i < si.ntext; i++) {
		size_t n = si.text[i].end - si.text[i].start;

		free(snapshot[i]);
		snapshot[i] = malloc(n);
		memcpy(snapshot[i], (void *)si.text[i].start, n);
	}
}

static int in_pool(uintptr_t a)
{
	return a >= (uintptr_t)previrt_pool && a < (uintptr_t)previrt_pool_end;
}

/* Bytes of text (outside the pool) that differ from the snapshot. */
static size_t text_changed(void)
{
	size_t diff = 0;

	for (unsigned i = 0; i < si.ntext; i++) {
		const uint8_t *now = (const uint8_t *)si.text[i].start;

		for (size_t j = 0; j < si.text[i].end - si.text[i].start; j++)
			if (now[j] != snapshot[i][j] && !in_pool(si.text[i].start + j))
				diff++;
	}
	return diff;
}

/* ---------- running prog.c ---------- */

struct cpu_has { int rdtscp, xsave, rdpid; };
static struct cpu_has cpu;

static void detect_cpu(void)
{
	unsigned a, b, c, d;

	__cpuid(1, a, b, c, d);
	cpu.xsave = (c >> 27) & 1;                 /* OSXSAVE */
	__cpuid(0x80000001, a, b, c, d);
	cpu.rdtscp = (d >> 27) & 1;
	if (__get_cpuid_max(0, 0) >= 7) {
		__cpuid_count(7, 0, a, b, c, d);
		cpu.rdpid = (c >> 22) & 1;
	}
}

static int runnable(const struct prog_test *t)
{
	return !((t->flags & PROG_NEEDS_RDTSCP) && !cpu.rdtscp) &&
	       !((t->flags & PROG_NEEDS_XSAVE) && !cpu.xsave) &&
	       !((t->flags & PROG_NEEDS_RDPID) && !cpu.rdpid);
}

static unsigned calls_of(unsigned i)
{
	return CALLS_BASE + 7 * i;
}

/* Run every runnable test calls_of(i) times; xor of results per test into out[i]. */
static void run_all(uint64_t *out)
{
	for (unsigned i = 0; i < prog_ntests; i++) {
		const struct prog_test *t = &prog_tests[i];
		uint64_t acc = 0, prev = 0;

		out[i] = 0;
		if (!runnable(t))
			continue;
		for (unsigned k = 0; k < calls_of(i); k++) {
			uint64_t r = t->fn(t->flags & PROG_DETERMINISTIC ? k % 13 : prev);

			if (!(t->flags & PROG_DETERMINISTIC)) {
				acc += r;                       /* rdtsc: count forward steps */
				prev = __rdtsc() - 1000000000;  /* a value safely in the past */
				continue;
			}
			acc = acc * 1000003 ^ r;
		}
		out[i] = acc;
	}
}

/* ---------- record copies for the corruption tests ---------- */

/*
 * The records are self-relative, so a copy at another address must have
 * every addr re-based to keep pointing at the same site.
 */
static uint8_t recbuf[1 << 16] __attribute__((aligned(8)));

static size_t copy_records(int with_headers)
{
	size_t n = 0;

	for (size_t off = 0; off + PREVIRT_RECORD_SIZE <= si.previrt_size; off += PREVIRT_RECORD_SIZE) {
		struct previrt_site *src = (void *)(si.previrt + off), *dst = (void *)(recbuf + n);

		if (src->kind == PREVIRT_KIND_HEADER && !with_headers)
			continue;
		memcpy(dst, src, PREVIRT_RECORD_SIZE);
		if (src->kind != PREVIRT_KIND_HEADER)
			dst->addr = (int32_t)((intptr_t)&src->addr + src->addr - (intptr_t)&dst->addr);
		n += PREVIRT_RECORD_SIZE;
	}
	return n;
}

static struct previrt_site *rec_at(size_t off)
{
	return (struct previrt_site *)(recbuf + off);
}

static uint8_t *site_of(const struct previrt_site *r)
{
	return (uint8_t *)&r->addr + r->addr;
}

/* Offset of the last site record (kind == want, or any site when want == 0). */
static long last_site(size_t n, unsigned want)
{
	long found = -1;

	for (size_t off = 0; off < n; off += PREVIRT_RECORD_SIZE)
		if (rec_at(off)->kind != PREVIRT_KIND_HEADER && (!want || rec_at(off)->kind == want))
			found = (long)off;
	return found;
}

static long last_header(size_t n)
{
	long found = -1;

	for (size_t off = 0; off < n; off += PREVIRT_RECORD_SIZE)
		if (rec_at(off)->kind == PREVIRT_KIND_HEADER)
			found = (long)off;
	return found;
}

static uint64_t ov_scratch[1 << 13];
static size_t ov_scratch_len = sizeof ov_scratch / 8;   /* what image_of offers */

static struct pv_image image_of(const uint8_t *recs, size_t size)
{
	return (struct pv_image){ .records = recs, .size = size, .text = si.text, .ntext = si.ntext,
				  .scratch = ov_scratch_len ? ov_scratch : NULL, .scratch_len = ov_scratch_len, PLAN };
}

static struct pv_profile profile_state(size_t pool_bytes)
{
	return (struct pv_profile){ .pool = previrt_pool, .pool_size = pool_bytes,
				    .counters = counters, .ncounters = 1024 };
}

/* Patch a corrupted copy under the profile backend: must fail with `want`, text untouched. */
static void expect_refused(const char *what, size_t size, int want, size_t pool_bytes)
{
	struct pv_image img = image_of(recbuf, size);
	struct pv_profile st = profile_state(pool_bytes);
	struct pv_result r;
	int err;

	text_snapshot();
	text_protect(1);
	err = pv_patch_image(&img, &pv_backend_profile, &st, &r);
	text_protect(0);
	check(err == want && text_changed() == 0,
	      "corrupt %-34s -> refused: \"%s\" (record %u), %zu text bytes changed",
	      what, pv_error_name(err), r.record, text_changed());
}

static void corruption_tests(void)
{
	size_t n, nh;
	long o, h;
	int err;
	struct pv_result r;
	struct pv_image img;

	n = copy_records(1);
	img = image_of(recbuf, n);
	err = pv_validate_image(&img, &r);
	check(err == PV_OK && r.nsites > 0,
	      "a re-based copy of the records validates (%u sites, %u headers)", r.nsites, r.nheaders);

	n = copy_records(1);
	expect_refused("section size (not a multiple of 12)", n - 4, PV_E_SECTION_SIZE, POOL_BYTES);
	nh = copy_records(0);
	expect_refused("section without header record", nh, PV_E_NO_HEADER, POOL_BYTES);

	n = copy_records(1), h = last_header(n);
	((struct previrt_header *)rec_at(h))->magic ^= 1;
	expect_refused("header magic", n, PV_E_MAGIC, POOL_BYTES);
	n = copy_records(1);
	((struct previrt_header *)rec_at(h))->version = PREVIRT_FORMAT_VERSION + 1;
	expect_refused("header version one past the newest", n, PV_E_VERSION, POOL_BYTES);
	n = copy_records(1);
	((struct previrt_header *)rec_at(h))->record_size = 16;
	expect_refused("header record size 16", n, PV_E_RECORD_SIZE, POOL_BYTES);
	n = copy_records(1);
	((struct previrt_header *)rec_at(h))->reserved[1] = 1;
	expect_refused("header reserved byte", n, PV_E_HEADER_RESERVED, POOL_BYTES);

	/* site corruptions hit the LAST record: every earlier site is valid and patchable */
	n = copy_records(1), o = last_site(n, 0);
	rec_at(o)->flags |= PREVIRT_F_SHADOW;
	expect_refused("SHADOW flag on a kind that opens no shadow", n, PV_E_SHADOW, POOL_BYTES);
	n = copy_records(1);
	rec_at(o)->xflags = 0x8000;
	expect_refused("record xflags bit the format does not define", n, PV_E_RESERVED, POOL_BYTES);
	n = copy_records(1);
	rec_at(o)->kind = 1000;
	expect_refused("kind 1000 (undefined)", n, PV_E_KIND, POOL_BYTES);
	n = copy_records(1);
	rec_at(o)->kind = 100;
	expect_refused("kind 100 (undefined MMIO)", n, PV_E_KIND, POOL_BYTES);
	n = copy_records(1);
	rec_at(o)->kind = 2000;
	expect_refused("kind 2000 (beyond the format)", n, PV_E_KIND, POOL_BYTES);
	n = copy_records(1);
	rec_at(o)->insn_length = 0;
	expect_refused("insn_length 0", n, PV_E_LENGTH, POOL_BYTES);
	n = copy_records(1);
	rec_at(o)->insn_length = rec_at(o)->length + 1;
	expect_refused("insn_length > length", n, PV_E_LENGTH, POOL_BYTES);
	n = copy_records(1);
	rec_at(o)->addr = (int32_t)((intptr_t)si.previrt - (intptr_t)&rec_at(o)->addr);
	expect_refused("addr pointing into .previrt", n, PV_E_BOUNDS, POOL_BYTES);
	n = copy_records(1);
	rec_at(o)->addr = (int32_t)((intptr_t)si.text[si.ntext - 1].end - 2 - (intptr_t)&rec_at(o)->addr);
	expect_refused("site running past the end of text", n, PV_E_BOUNDS, POOL_BYTES);

	n = copy_records(1), o = last_site(n, PREVIRT_KIND_CPUID);
	rec_at(o)->kind = PREVIRT_KIND_RDTSC;
	expect_refused("kind cpuid -> rdtsc", n, PV_E_DECODE, POOL_BYTES);
	n = copy_records(1);
	rec_at(o)->addr += 1;
	expect_refused("addr one byte late", n, PV_E_DECODE, POOL_BYTES);
	n = copy_records(1);
	rec_at(o)->insn_length += 1;
	expect_refused("insn_length one too long", n, PV_E_INSN_LENGTH, POOL_BYTES);
	n = copy_records(1);
	rec_at(o)->insn_length = 1;
	expect_refused("insn_length one too short", n, PV_E_INSN_LENGTH, POOL_BYTES);

	/* a site whose next byte is real code (not 0x90): one byte longer = a non-NOP pad */
	n = copy_records(1), o = -1;
	for (size_t off = 0; off < n; off += PREVIRT_RECORD_SIZE)
		if (rec_at(off)->kind != PREVIRT_KIND_HEADER &&
		    site_of(rec_at(off))[rec_at(off)->length] != 0x90 &&
		    pv_nop_length(site_of(rec_at(off)) + rec_at(off)->length, 1) == 0)
			o = (long)off;
	rec_at(o)->length += 1;
	expect_refused("length one too long (pad into code)", n, PV_E_PAD, POOL_BYTES);

	n = copy_records(1), o = last_site(n, PREVIRT_KIND_MMIO_READ);
	rec_at(o)->flags &= ~PREVIRT_F_MMIO;
	expect_refused("MMIO flag cleared on mmio_read", n, PV_E_MMIO, POOL_BYTES);
	n = copy_records(1);
	rec_at(o)->width = rec_at(o)->width == 8 ? 4 : 8;
	expect_refused("MMIO width changed", n, PV_E_MMIO, POOL_BYTES);

	/* the last site record made to describe the same site as the one before it */
	n = copy_records(1), o = last_site(n, 0);
	{
		long prev = -1;

		for (long off = 0; off < o; off += PREVIRT_RECORD_SIZE)
			if (rec_at(off)->kind != PREVIRT_KIND_HEADER)
				prev = off;
		memcpy(rec_at(o), rec_at(prev), PREVIRT_RECORD_SIZE);
		rec_at(o)->addr -= (int32_t)(o - prev);
	}
	/* each way of checking overlaps: radix sort, heapsort, every pair */
	expect_refused("two records for one site (overlap)", n, PV_E_OVERLAP, POOL_BYTES);
	ov_scratch_len = n / PREVIRT_RECORD_SIZE;
	expect_refused("the same, heapsort (1 scratch/record)", n, PV_E_OVERLAP, POOL_BYTES);
	ov_scratch_len = 0;
	expect_refused("the same, no scratch (every pair)", n, PV_E_OVERLAP, POOL_BYTES);
	ov_scratch_len = sizeof ov_scratch / 8;

	/* the backend runs out of pool on the last site: still nothing is written */
	n = copy_records(1);
	{
		struct pv_profile st = profile_state(POOL_BYTES);

		img = image_of(recbuf, n);
		text_protect(1);
		pv_patch_image(&img, &pv_backend_native, &st, &r);   /* count sites only */
		text_protect(0);
	}
	expect_refused("pool one thunk too small", n, PV_E_BACKEND, (size_t)(r.nsites - 1) * PV_PROFILE_THUNK);
}

/* ---------- profile output ---------- */

struct sink { FILE *f; char *buf; size_t len, cap; };

static void put(void *ctx, const char *s, size_t n)
{
	struct sink *k = ctx;

	if (k->len + n + 1 > k->cap) {
		k->cap = 2 * (k->len + n + 1);
		k->buf = realloc(k->buf, k->cap);
	}
	memcpy(k->buf + k->len, s, n);
	k->len += n;
	k->buf[k->len] = 0;
	if (k->f)
		fwrite(s, 1, n, k->f);
}

/* Count of the site at run-time address a, from the written profile (link-time addresses). */
static long long profile_count(const char *text, uintptr_t a)
{
	char want[32];
	const char *p;

	snprintf(want, sizeof want, "\n0x%lx ", (unsigned long)(a - si.bias));
	p = strstr(text, want);
	return p ? atoll(p + strlen(want)) : -1;
}

int main(int argc, char **argv)
{
	uint64_t before[64], after[64];
	struct pv_image img;
	struct pv_result r;
	struct pv_profile st;
	struct sink sink = { 0 };
	cpu_set_t one;
	uint64_t t0, t1;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* rdtscp's TSC_AUX and rdpid name the CPU: stay on one */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	sched_setaffinity(0, sizeof one, &one);
	if (self_image_load(&si))
		return 2;
	detect_cpu();
	printf("runtime harness: .previrt %zu bytes, %u text ranges, pool %zu bytes; cpu: rdtscp=%d xsave=%d rdpid=%d\n",
	       si.previrt_size, si.ntext, (size_t)(previrt_pool_end - previrt_pool),
	       cpu.rdtscp, cpu.xsave, cpu.rdpid);

	run_all(before);

	/* 1. validation, and refusal of every corruption */
	img = image_of(si.previrt, si.previrt_size);
	t0 = __rdtsc();
	err = pv_validate_image(&img, &r);
	t1 = __rdtsc();
	check(err == PV_OK, "the program's own records validate: %s (%u sites, %u headers, %llu cycles)",
	      pv_error_name(err), r.nsites, r.nheaders, (unsigned long long)(t1 - t0));
	for (unsigned i = 0; i < prog_ntests; i++) {
		uintptr_t s, e;
		unsigned found = 0;

		if (self_function(prog_tests[i].name, &s, &e)) {
			check(0, "%s: symbol not found", prog_tests[i].name);
			continue;
		}
		for (size_t off = 0; off < si.previrt_size; off += PREVIRT_RECORD_SIZE) {
			const struct previrt_site *rec = (const void *)(si.previrt + off);
			uintptr_t a = (uintptr_t)&rec->addr + rec->addr;

			found += rec->kind != PREVIRT_KIND_HEADER && a >= s && a < e;
		}
		check(found == prog_tests[i].nsites, "%s: %u sites recorded (want %u)",
		      prog_tests[i].name, found, prog_tests[i].nsites);
	}
	corruption_tests();

	/* 2. native backend: validates, patches nothing */
	text_snapshot();
	text_protect(1);
	err = pv_patch_image(&img, &pv_backend_native, NULL, &r);
	text_protect(0);
	check(err == PV_OK && r.npatched == 0 && r.nkept == r.nsites && text_changed() == 0,
	      "native backend: %s, %u sites kept, %zu text bytes changed",
	      pv_error_name(err), r.nkept, text_changed());

	/* 3. profile backend: patch for real */
	st = profile_state(POOL_BYTES);
	text_snapshot();
	text_protect(1);
	t0 = __rdtsc();
	err = pv_patch_image(&img, &pv_backend_profile, &st, &r);
	t1 = __rdtsc();
	text_protect(0);
	check(err == PV_OK && r.npatched > 0,
	      "profile backend: %s, %u of %u sites patched, %u kept native",
	      pv_error_name(err), r.npatched, r.nsites, r.nkept);
	printf("patch time: %llu cycles for %u sites (%.0f cycles/site, validation included)\n",
	       (unsigned long long)(t1 - t0), r.nsites, (double)(t1 - t0) / (r.nsites ? r.nsites : 1));
	{
		size_t site_bytes = 0;

		for (size_t off = 0; off < si.previrt_size; off += PREVIRT_RECORD_SIZE) {
			const struct previrt_site *rec = (const void *)(si.previrt + off);

			if (rec->kind != PREVIRT_KIND_HEADER)
				site_bytes += rec->length;
		}
		check(text_changed() > 0 && text_changed() <= site_bytes,
		      "profile backend changed %zu text bytes, all inside the %zu bytes of sites",
		      text_changed(), site_bytes);
	}

	/* 4. same results, and exact counts */
	memset(after, 0, sizeof after);
	run_all(after);
	for (unsigned i = 0; i < prog_ntests; i++) {
		const struct prog_test *t = &prog_tests[i];

		if (!runnable(t)) {
			printf("skip - %s: the CPU lacks the instruction\n", t->name);
			continue;
		}
		if (t->flags & PROG_DETERMINISTIC)
			check(before[i] == after[i], "%s: patched result %#llx, unpatched %#llx",
			      t->name, (unsigned long long)after[i], (unsigned long long)before[i]);
		else
			check(after[i] == calls_of(i) && before[i] == calls_of(i),
			      "%s: time moved forward in %llu/%u calls patched, %llu unpatched",
			      t->name, (unsigned long long)after[i], calls_of(i),
			      (unsigned long long)before[i]);
	}
	{
		FILE *f = argc > 1 ? fopen(argv[1], "w") : NULL;

		sink.f = f;
		pv_profile_write(&st, &img, -(intptr_t)si.bias, put, &sink);
		if (f)
			fclose(f);
	}
	for (unsigned i = 0; i < prog_ntests; i++) {
		const struct prog_test *t = &prog_tests[i];
		uintptr_t s, e;
		unsigned want = runnable(t) ? calls_of(i) : 0, good = 0, seen = 0;

		if (self_function(t->name, &s, &e))
			continue;
		for (size_t off = 0; off < si.previrt_size; off += PREVIRT_RECORD_SIZE) {
			const struct previrt_site *rec = (const void *)(si.previrt + off);
			uintptr_t a = (uintptr_t)&rec->addr + rec->addr;

			if (rec->kind == PREVIRT_KIND_HEADER || a < s || a >= e)
				continue;
			seen++;
			good += profile_count(sink.buf, a) == (long long)want;
		}
		check(seen && good == seen, "%s: %u of %u sites counted exactly %u times",
		      t->name, good, seen, want);
	}
	{
		unsigned lines = 0;

		for (const char *p = sink.buf; p && (p = strchr(p, '\n')); p++)
			lines++;
		check(sink.buf && strncmp(sink.buf, "# previrt-profile 1", 19) == 0 && lines == r.npatched + 1,
		      "profile output: header + %u lines for %u patched sites", lines - 1, r.npatched);
	}
	return check_summary();
}
