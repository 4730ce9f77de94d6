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
 *   - zones (runtime/patch/zone.h): the .noinstr.text site's thunk lies in
 *     the noinstr pool inside that section, the .entry.text site stays
 *     native, the flag/zone rules hold, and a backend or a pool that
 *     breaks the zone policy is stopped before anything is written,
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
 * The handler pools and counters: the plugin reserved them in prog.c, the
 * unit that defines start_kernel (lib/pool.h), exactly as in a kernel.
 */
extern uint8_t previrt_pool[], previrt_pool_end[], previrt_noinstr_pool[], previrt_noinstr_pool_end[];
extern uint64_t previrt_counters[], previrt_counters_end[];
#define POOL_BYTES ((size_t)(previrt_pool_end - previrt_pool))
#define NOINSTR_POOL_BYTES ((size_t)(previrt_noinstr_pool_end - previrt_noinstr_pool))

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
	return (a >= (uintptr_t)previrt_pool && a < (uintptr_t)previrt_pool_end) ||
	       (a >= (uintptr_t)previrt_noinstr_pool && a < (uintptr_t)previrt_noinstr_pool_end);
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
/* The run-time address of the last .previrt site inside function `fn`, or 0. */
static uintptr_t site_in_function(const char *fn)
{
	uintptr_t s, e, found = 0;

	if (self_function(fn, &s, &e))
		return 0;
	for (size_t off = 0; off < si.previrt_size; off += PREVIRT_RECORD_SIZE) {
		const struct previrt_site *rec = (const void *)(si.previrt + off);
		uintptr_t a = (uintptr_t)&rec->addr + rec->addr;

		if (rec->kind != PREVIRT_KIND_HEADER && a >= s && a < e)
			found = a;
	}
	return found;
}

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
				  .scratch = ov_scratch_len ? ov_scratch : NULL, .scratch_len = ov_scratch_len,
				  .zones = &si.zones, PLAN };
}

static struct pv_profile profile_state(size_t pool_bytes)
{
	return (struct pv_profile){ .pool = previrt_pool, .pool_size = pool_bytes,
				    .noinstr_pool = previrt_noinstr_pool, .noinstr_pool_size = NOINSTR_POOL_BYTES,
				    .counters = previrt_counters,
				    .ncounters = (unsigned)(previrt_counters_end - previrt_counters) };
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

	/* the backend runs out of main pool on its last main site: still nothing is written */
	n = copy_records(1);
	{
		struct pv_profile st = profile_state(POOL_BYTES);
		unsigned need = 0;

		img = image_of(recbuf, n);
		for (unsigned i = 0; i < n / PREVIRT_RECORD_SIZE; i++) {
			struct pv_site s;

			if (rec_at(i * PREVIRT_RECORD_SIZE)->kind != PREVIRT_KIND_HEADER &&
			    !pv_site_at(&img, i, &s) && s.zone == PV_ZONE_MAIN && !pv_profile_keep_reason(&st, &s))
				need++;
		}
		expect_refused("pool one thunk too small", n, PV_E_BACKEND, (size_t)(need - 1) * PV_PROFILE_THUNK);
	}
}

/* ---------- zones ---------- */

/* Offset in recbuf of the (only) site record inside function `name`, -1 if none. */
static long site_in(size_t n, const char *name)
{
	uintptr_t s, e;

	if (self_function(name, &s, &e))
		return -1;
	for (size_t off = 0; off < n; off += PREVIRT_RECORD_SIZE) {
		uintptr_t a = (uintptr_t)site_of(rec_at(off));

		if (rec_at(off)->kind != PREVIRT_KIND_HEADER && a >= s && a < e)
			return (long)off;
	}
	return -1;
}

/* Patch image *img with backend be and state st: must fail with `want`, no text byte changed. */
static void expect_refused_by(const char *what, const struct pv_image *img, const struct pv_backend *be,
			      struct pv_profile *st, int want)
{
	struct pv_result r;
	int err;

	text_snapshot();
	text_protect(1);
	err = pv_patch_image(img, be, st, &r);
	text_protect(0);
	check(err == want && text_changed() == 0, "zones: %-44s -> refused: \"%s\" (record %u), %zu text bytes changed",
	      what, pv_error_name(err), r.record, text_changed());
}

/* The zone and the profile backend's reason for record offset off of an image of recbuf. */
static int zone_of(const struct pv_image *img, long off, int *reason)
{
	struct pv_profile st = profile_state(POOL_BYTES);
	struct pv_site s;

	if (off < 0 || pv_site_at(img, (unsigned)(off / PREVIRT_RECORD_SIZE), &s))
		return -1;
	*reason = pv_profile_keep_reason(&st, &s);
	return s.zone;
}

static void zone_tests(void)
{
	size_t n = copy_records(1);
	long ni = site_in(n, "t_noinstr_cpuid"), en = site_in(n, "t_entry_cpuid"), mn = site_in(n, "t_cpuid");
	struct pv_image img = image_of(recbuf, n);
	struct pv_result r;
	struct pv_zones zs = si.zones;
	struct pv_backend rogue = pv_backend_profile;
	struct pv_profile st;
	int why = -1, z, err;

	check(ni >= 0 && en >= 0 && mn >= 0 && pv_zone_known(&si.zones, PV_ZONE_NOINSTR) &&
	      pv_zone_known(&si.zones, PV_ZONE_ENTRY) &&
	      (rec_at(ni)->flags & PREVIRT_F_NOINSTR) && (rec_at(en)->flags & PREVIRT_F_NOINSTR) &&
	      pv_in_zone(&si.zones, PV_ZONE_NOINSTR, (uintptr_t)previrt_noinstr_pool, NOINSTR_POOL_BYTES),
	      "zones: the plugin flagged the .noinstr.text and .entry.text sites NOINSTR; the noinstr pool "
	      "(%zu bytes) lies in .noinstr.text", NOINSTR_POOL_BYTES);
	err = pv_validate_image(&img, &r);
	check(err == PV_OK && r.zone_sites[PV_ZONE_NOINSTR] == 1 &&
	      r.zone_sites[PV_ZONE_ENTRY] == 1 && !r.unflagged && !r.unplaced,
	      "zones: by address, noinstr %u site, entry %u, main %u; unflagged %u, unplaced %u",
	      r.zone_sites[PV_ZONE_NOINSTR], r.zone_sites[PV_ZONE_ENTRY], r.zone_sites[PV_ZONE_MAIN],
	      r.unflagged, r.unplaced);
	z = zone_of(&img, en, &why);
	check(z == PV_ZONE_ENTRY && why == PV_PK_ZONE, "zones: the profile backend keeps the entry site native "
	      "(zone %s, reason %d)", pv_zone_name(z), why);

	/* the address decides: a zone site without the flag (what .S macros give) is still noinstr */
	rec_at(ni)->flags &= (uint8_t)~PREVIRT_F_NOINSTR;
	z = zone_of(&img, ni, &why);
	err = pv_validate_image(&img, &r);
	check(err == PV_OK && r.unflagged == 1 && z == PV_ZONE_NOINSTR && why == PV_PK_PATCH,
	      "zones: noinstr site without the NOINSTR flag: zone %s, counted unflagged (%u), still patched "
	      "into the noinstr pool", pv_zone_name(z), r.unflagged);
	n = copy_records(1);
	/* a NOINSTR site outside every zone: unplaced, treated as entry (the strictest), native */
	rec_at(mn)->flags |= PREVIRT_F_NOINSTR;
	z = zone_of(&img, mn, &why);
	err = pv_validate_image(&img, &r);
	check(err == PV_OK && r.unplaced == 1 && z == PV_ZONE_ENTRY && why == PV_PK_ZONE,
	      "zones: NOINSTR flag on a main-text site: zone %s (unplaced %u), kept native", pv_zone_name(z),
	      r.unplaced);
	n = copy_records(1);
	/* a kernel that names no zones: every NOINSTR site is unplaced, so native */
	img.zones = NULL;
	z = zone_of(&img, ni, &why);
	err = pv_validate_image(&img, &r);
	check(err == PV_OK && r.unplaced == 2 && r.zone_sites[PV_ZONE_NOINSTR] == 0 &&
	      z == PV_ZONE_ENTRY && why == PV_PK_ZONE,
	      "zones: an image without zone symbols: the %u NOINSTR sites count as entry, kept native", r.unplaced);
	img.zones = &zs;
	/* a zone boundary through a site: refused by validation */
	zs.at[PV_ZONE_NOINSTR].start = (uintptr_t)site_of(rec_at(ni)) + 1;
	expect_refused_by("noinstr zone starting inside a site", &img, &pv_backend_profile,
			  &(struct pv_profile){ 0 }, PV_E_ZONE);
	zs = si.zones;
	/* a backend that patches against its own declaration */
	rogue.zone_policy[PV_ZONE_NOINSTR] = PV_ZP_NATIVE;
	st = profile_state(POOL_BYTES);
	expect_refused_by("backend declares noinstr native, patches it", &img, &rogue, &st, PV_E_ZONE_PATCHED);
	/* a noinstr "pool" outside .noinstr.text: the core's dry run sees the jump leave the zone */
	st = profile_state(POOL_BYTES / 2);
	st.noinstr_pool = previrt_pool + POOL_BYTES / 2, st.noinstr_pool_size = POOL_BYTES / 2;
	expect_refused_by("noinstr thunks outside .noinstr.text", &img, &pv_backend_profile, &st,
			  PV_E_ZONE_PATCHED);
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

/* The handler (4th field) of the site at run-time address a in the written profile, 0 if none. */
static uintptr_t profile_handler(const char *text, uintptr_t a)
{
	char want[32], kind[64];
	const char *p;
	unsigned long long count, h;

	snprintf(want, sizeof want, "\n0x%lx ", (unsigned long)(a - si.bias));
	p = strstr(text, want);
	if (!p || sscanf(p + strlen(want), "%llu %63s 0x%llx", &count, kind, &h) != 3)
		return 0;
	return (uintptr_t)h + si.bias;
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
	zone_tests();

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
		/* a site the backend keeps native is not in the output at all (-1) */
		long long want = !runnable(t) ? 0 : t->flags & PROG_STAYS_NATIVE ? -1 : (long long)calls_of(i);
		unsigned good = 0, seen = 0;

		if (self_function(t->name, &s, &e))
			continue;
		for (size_t off = 0; off < si.previrt_size; off += PREVIRT_RECORD_SIZE) {
			const struct previrt_site *rec = (const void *)(si.previrt + off);
			uintptr_t a = (uintptr_t)&rec->addr + rec->addr;

			if (rec->kind == PREVIRT_KIND_HEADER || a < s || a >= e)
				continue;
			seen++;
			good += profile_count(sink.buf, a) == want;
		}
		check(seen && good == seen, "%s: %u of %u sites counted exactly %lld times%s",
		      t->name, good, seen, want, want < 0 ? " (absent: native)" : "");
	}
	{
		unsigned lines = 0;

		for (const char *p = sink.buf; p && (p = strchr(p, '\n')); p++)
			lines++;
		check(sink.buf && strncmp(sink.buf, "# previrt-profile 2", 19) == 0 && lines == r.npatched + 1,
		      "profile output: header + %u lines for %u patched sites", lines - 1, r.npatched);
	}
	{
		/* zones after the real patch: the handler each site names in the output */
		uintptr_t h = 0, hm = 0, a;
		int entry_native = 0;

		if ((a = site_in_function("t_noinstr_cpuid")))
			h = profile_handler(sink.buf, a);
		if ((a = site_in_function("t_cpuid")))
			hm = profile_handler(sink.buf, a);
		/* still the cpuid the compiler wrote */
		if ((a = site_in_function("t_entry_cpuid")))
			entry_native = ((const uint8_t *)a)[0] == 0x0f && ((const uint8_t *)a)[1] == 0xa2;
		check(r.zone_patched[PV_ZONE_NOINSTR] == 1 && r.zone_patched[PV_ZONE_ENTRY] == 0 &&
		      h >= (uintptr_t)previrt_noinstr_pool && h < (uintptr_t)previrt_noinstr_pool_end &&
		      pv_in_zone(&si.zones, PV_ZONE_NOINSTR, h, PV_PROFILE_THUNK) &&
		      hm >= (uintptr_t)previrt_pool && hm < (uintptr_t)previrt_pool_end && entry_native,
		      "zones after patching: noinstr site -> thunk %#lx in the noinstr pool (in .noinstr.text), "
		      "main site -> %#lx in the main pool, entry site native; patched per zone: main %u, "
		      "noinstr %u, entry %u", (unsigned long)(h - si.bias), (unsigned long)(hm - si.bias),
		      r.zone_patched[PV_ZONE_MAIN], r.zone_patched[PV_ZONE_NOINSTR], r.zone_patched[PV_ZONE_ENTRY]);
	}
	return check_summary();
}
