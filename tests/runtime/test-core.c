/* SPDX-License-Identifier: MIT */
/*
 * The patcher core on a hand-made image (text and records in one buffer,
 * nothing executed):
 *   - SHADOW pairs: `sti; cpuid` (follower the decoder knows) is patched by
 *     the profile backend as one, both instructions copied together into
 *     the thunk; `sti; push %rax` (follower unknown) stays native; the Xen
 *     backend keeps both; a NOP follower is a pad and refused;
 *   - the exception table: an rdmsr site with EXTABLE and a matching entry
 *     validates; a backend that patches it anyway is stopped
 *     (PV_E_FAULT_PATCHED) before anything is written;
 *   - a backend whose emit disagrees with its plan is stopped by the dry
 *     run (PV_E_EMIT) before anything is written.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "patch/backend.h"
#include "xen/xen-rt.h"

/* the plan's decisions, one bit per record (patch.h: the caller's memory) */
static uint64_t plan_bits[1 << 11];
#define PLAN .planned = plan_bits, .planned_len = sizeof plan_bits / 8

enum { TEXT = 0, RECS = 256, EX = 512, SIZE = 1024 };
static uint8_t buf[SIZE] __attribute__((aligned(64)));
static uint8_t pool[64 * 8] __attribute__((aligned(64)));
static uint64_t counters[8];
static unsigned nrec;

static void put_rec(unsigned site_off, unsigned kind, unsigned len, unsigned ilen, unsigned flags)
{
	struct previrt_site *r = (struct previrt_site *)(buf + RECS + nrec * PREVIRT_RECORD_SIZE);

	*r = (struct previrt_site){ .addr = (int32_t)((intptr_t)(buf + TEXT + site_off) - (intptr_t)r),
				    .kind = (uint16_t)kind, .length = (uint8_t)len, .insn_length = (uint8_t)ilen,
				    .flags = (uint8_t)flags };
	nrec++;
}

static const uint8_t nop3[] = { 0x0f, 0x1f, 0x00 };

/* sites: 0 sti;cpuid (+2 nop), 8 sti;push %rax (+3 nop), 16 rdmsr (+3 nop), 24 cpuid (+3 nop) */
static void build(void)
{
	static const uint8_t code[] = {
		0xfb, 0x0f, 0xa2, 0x66, 0x90, 0xcc, 0xcc, 0xcc,        /* sti; cpuid; xchg %ax,%ax */
		0xfb, 0x50, 0x0f, 0x1f, 0x00, 0xcc, 0xcc, 0xcc,        /* sti; push %rax; nopl (%rax) */
		0x0f, 0x32, 0x0f, 0x1f, 0x00, 0xcc, 0xcc, 0xcc,        /* rdmsr; nopl (%rax) */
		0x0f, 0xa2, 0x0f, 0x1f, 0x00, 0xcc, 0xcc, 0xcc,        /* cpuid; nopl (%rax) */
	};
	struct previrt_header *h;
	int32_t *ex = (int32_t *)(buf + EX);

	(void)nop3;
	memset(buf, 0xcc, sizeof buf);
	memcpy(buf + TEXT, code, sizeof code);
	nrec = 0;
	put_rec(0, PREVIRT_KIND_STI, 5, 3, PREVIRT_F_SHADOW);
	put_rec(8, PREVIRT_KIND_STI, 5, 2, PREVIRT_F_SHADOW);
	put_rec(16, PREVIRT_KIND_RDMSR, 5, 2, PREVIRT_F_EXTABLE);
	put_rec(24, PREVIRT_KIND_CPUID, 5, 2, 0);
	h = (struct previrt_header *)(buf + RECS + nrec++ * PREVIRT_RECORD_SIZE);
	*h = (struct previrt_header){ .magic = PREVIRT_MAGIC, .version = PREVIRT_FORMAT_VERSION,
				      .record_size = PREVIRT_RECORD_SIZE, .producer = PREVIRT_PRODUCER_GAS };
	ex[0] = (int32_t)((intptr_t)(buf + TEXT + 16) - (intptr_t)&ex[0]);    /* insn: the rdmsr */
	ex[1] = (int32_t)((intptr_t)(buf + TEXT + 21) - (intptr_t)&ex[1]);    /* fixup */
	ex[2] = 0;
}

static struct pv_range text;
static struct pv_extable extable;

static struct pv_image image(void)
{
	text = (struct pv_range){ (uintptr_t)buf + TEXT, (uintptr_t)buf + TEXT + 40, 0 };
	extable = (struct pv_extable){ buf + EX, (uintptr_t)buf + EX, 12, 1 };
	return (struct pv_image){ .records = buf + RECS, .size = nrec * PREVIRT_RECORD_SIZE, .text = &text,
				  .ntext = 1, .extable = &extable, PLAN };
}

/* a backend that patches every site (with a jmp to itself: never run) */
static int all_plan(void *st, const struct pv_site *s) { (void)st, (void)s; return PV_PATCH; }
static int all_emit(void *st, const struct pv_site *s, uint8_t *out)
{
	(void)st;
	memset(out, 0x90, s->rec->length);
	return PV_PATCH;
}
/* plans every site native but emit claims the cpuid one: the re-derivation bug */
static int keep_plan(void *st, const struct pv_site *s) { (void)st, (void)s; return PV_KEEP; }
static int liar_emit(void *st, const struct pv_site *s, uint8_t *out)
{
	(void)st;
	memset(out, 0x90, s->rec->length);
	return s->rec->kind == PREVIRT_KIND_CPUID ? PV_PATCH : PV_KEEP;
}
/* patches only the cpuid site, and emit agrees... except it keeps cpuid: disagreement the other way */
static int cpuid_plan(void *st, const struct pv_site *s) { (void)st; return s->rec->kind == PREVIRT_KIND_CPUID; }
static int never_emit(void *st, const struct pv_site *s, uint8_t *out) { (void)st, (void)s, (void)out; return PV_KEEP; }

static void put(void *ctx, const char *str, size_t n)
{
	strncat((char *)ctx, str, n);
}

static unsigned count_lines(const char *str)
{
	unsigned n = 0;

	while ((str = strchr(str, '\n')))
		n++, str++;
	return n;
}

int main(void)
{
	struct pv_result r;
	struct pv_image img;
	struct pv_profile prof;
	struct pv_xen xen;
	struct pv_xen_acpi acpi = { 0 };
	uint8_t before[SIZE];
	int err;

	build();
	img = image();
	err = pv_validate_image(&img, &r);
	check(err == PV_OK && r.nsites == 4, "hand-made image validates: %s (%u sites)", pv_error_name(err), r.nsites);

	/* profile: sti;cpuid patched as one, sti;push kept, rdmsr (EXTABLE) kept, cpuid patched */
	prof = (struct pv_profile){ .pool = pool, .pool_size = sizeof pool, .counters = counters, .ncounters = 8 };
	err = pv_patch_image(&img, &pv_backend_profile, &prof, &r);
	check(err == PV_OK && r.npatched == 2 && r.nkept == 2, "profile: %s, %u patched, %u kept (want 2, 2)",
	      pv_error_name(err), r.npatched, r.nkept);
	check(buf[TEXT] == 0xe9 && !memcmp(pool + 23, "\xfb\x0f\xa2\xe9", 4),
	      "profile: the thunk holds sti and cpuid together, then its jmp back");
	check(buf[TEXT + 8] == 0xfb && buf[TEXT + 9] == 0x50, "profile: sti; push %%rax (unknown follower) stays native");
	check(buf[TEXT + 16] == 0x0f && buf[TEXT + 17] == 0x32, "profile: rdmsr with its exception-table entry stays native");
	{
		char out[512] = "";

		pv_profile_write(&prof, &img, 0, put, out);
		char want[64];

		snprintf(want, sizeof want, " 0 sti 0x%lx\n", (unsigned long)(uintptr_t)pool);
		check(!strncmp(out, "# previrt-profile 2", 19) && strstr(out, want) && strstr(out, " 0 cpuid 0x") &&
		      count_lines(out) == 3,
		      "profile counts list the patched SHADOW pair (and its thunk) though its bytes no longer decode");
	}

	/* a lone sti with its pad before it (xflags PAD_BEFORE): valid, and the thunk runs the sti */
	build();
	memcpy(buf + TEXT + 32, "\x0f\x1f\x40\x00\xfb", 5);          /* nopl 0x0(%rax); sti */
	{
		struct previrt_site *h = (struct previrt_site *)(buf + RECS + 4 * PREVIRT_RECORD_SIZE);
		struct previrt_site hdr = *h;                               /* the header stays last */

		nrec = 4;
		put_rec(32, PREVIRT_KIND_STI, 5, 1, 0);
		((struct previrt_site *)(buf + RECS + 4 * PREVIRT_RECORD_SIZE))->xflags = PREVIRT_X_PAD_BEFORE;
		*(struct previrt_site *)(buf + RECS + 5 * PREVIRT_RECORD_SIZE) = hdr;
		nrec = 6;
	}
	img = image();
	err = pv_validate_image(&img, &r);
	check(err == PV_OK && r.nsites == 5, "PAD_BEFORE: a lone sti after its pad validates: %s", pv_error_name(err));
	prof = (struct pv_profile){ .pool = pool, .pool_size = sizeof pool, .counters = counters, .ncounters = 8 };
	err = pv_patch_image(&img, &pv_backend_profile, &prof, &r);
	check(err == PV_OK && r.npatched == 3 && buf[TEXT + 32] == 0xe9 &&
	      pool[2 * PV_PROFILE_THUNK + 23] == 0xfb && pool[2 * PV_PROFILE_THUNK + 24] == 0xe9,
	      "PAD_BEFORE: profile jumps from the site's start to a thunk holding the sti (%s, %u patched)",
	      pv_error_name(err), r.npatched);
	build();
	((struct previrt_site *)(buf + RECS + 3 * PREVIRT_RECORD_SIZE))->xflags = PREVIRT_X_PAD_BEFORE;
	img = image();
	err = pv_validate_image(&img, &r);
	check(err == PV_E_SHADOW, "PAD_BEFORE on cpuid (no shadow) is refused: %s", pv_error_name(err));

	/* early boot text (xflags NOSTACK): the thunk would push on a stack that may be unmapped */
	build();
	((struct previrt_site *)(buf + RECS + 3 * PREVIRT_RECORD_SIZE))->xflags = PREVIRT_X_NOSTACK;
	img = image();
	prof = (struct pv_profile){ .pool = pool, .pool_size = sizeof pool, .counters = counters, .ncounters = 8 };
	err = pv_patch_image(&img, &pv_backend_profile, &prof, &r);
	check(err == PV_OK && r.npatched == 1 && buf[TEXT + 24] == 0x0f && buf[TEXT + 25] == 0xa2,
	      "profile: a NOSTACK cpuid stays native (%s, %u patched: only sti;cpuid)", pv_error_name(err), r.npatched);
	build();
	((struct previrt_site *)(buf + RECS + 3 * PREVIRT_RECORD_SIZE))->xflags = 0x0100;
	img = image();
	err = pv_validate_image(&img, &r);
	check(err == PV_E_RESERVED, "an xflags bit the format does not define is refused: %s", pv_error_name(err));
	build();
	((struct previrt_site *)(buf + RECS + 3 * PREVIRT_RECORD_SIZE))->xflags = PREVIRT_X_ALT_ORIG;
	img = image();
	err = pv_validate_image(&img, &r);
	check(err == PV_E_RESERVED, "ALT_ORIG on cpuid (only an MMIO accessor may claim it) is refused: %s",
	      pv_error_name(err));

	/* a pool with room for one thunk: the kernel at boot refuses, a module keeps the rest native */
	build();
	img = image();
	prof = (struct pv_profile){ .pool = pool, .pool_size = 64, .counters = counters, .ncounters = 8 };
	err = pv_patch_image(&img, &pv_backend_profile, &prof, &r);
	check(err == PV_E_BACKEND && buf[TEXT] == 0xfb && buf[TEXT + 24] == 0x0f,
	      "profile, pool full at boot (keep_when_full 0): %s, no site written", pv_error_name(err));
	build();
	img = image();
	prof = (struct pv_profile){ .pool = pool, .pool_size = 64, .counters = counters, .ncounters = 8,
				    .keep_when_full = 1 };
	err = pv_patch_image(&img, &pv_backend_profile, &prof, &r);
	check(err == PV_OK && r.npatched == 1 && prof.nfull == 1 && buf[TEXT] == 0xe9 &&
	      buf[TEXT + 24] == 0x0f && buf[TEXT + 25] == 0xa2,
	      "profile, pool full for a module (keep_when_full 1): %s, %u patched, %u native for want of room "
	      "(the later site stays as it was, emit agrees with plan)", pv_error_name(err), r.npatched, prof.nfull);

	build();
	img = image();
	xen = (struct pv_xen){ .thunks = pool, .thunks_size = sizeof pool, .pio_entry = (uintptr_t)pool, .acpi = &acpi };
	memcpy(before, buf, SIZE);
	err = pv_patch_image(&img, &pv_backend_xen, &xen, &r);
	check(err == PV_OK && r.npatched == 0 && !memcmp(before, buf, SIZE), "xen: keeps both SHADOW pairs (and everything here)");

	/* a NOP follower is a pad between the pair */
	build();
	buf[TEXT + 9] = 0x90;
	img = image();
	err = pv_validate_image(&img, &r);
	check(err == PV_E_SHADOW && r.record == 1, "sti; nop as a SHADOW pair: %s (record %u)", pv_error_name(err), r.record);

	/* EXTABLE from the table: the entry moved off the rdmsr */
	build();
	((int32_t *)(buf + EX))[0] += 24;
	img = image();
	err = pv_validate_image(&img, &r);
	check(err == PV_E_EXTABLE, "rdmsr whose entry points elsewhere: %s", pv_error_name(err));

	{
		/* (the image names no zones: every site is main, which these backends may patch) */
		const struct pv_backend all = { .name = "all", .plan = all_plan, .emit = all_emit,
						.zone_policy = { PV_ZP_MAIN_POOL } };
		const struct pv_backend liar = { .name = "liar", .plan = keep_plan, .emit = liar_emit,
						 .zone_policy = { PV_ZP_MAIN_POOL } };
		const struct pv_backend never = { .name = "never", .plan = cpuid_plan, .emit = never_emit,
						  .zone_policy = { PV_ZP_MAIN_POOL } };

		build();
		img = image();
		memcpy(before, buf, SIZE);
		err = pv_patch_image(&img, &all, NULL, &r);
		check(err == PV_E_FAULT_PATCHED && r.record == 2 && !memcmp(before, buf, SIZE),
		      "a backend patching rdmsr with an exception-table entry: %s, nothing written", pv_error_name(err));
		/* without the table the same backend may (the harness case): still nothing half-done */
		err = pv_patch_image(&img, &liar, NULL, &r);
		check(err == PV_OK && !memcmp(before, buf, SIZE),
		      "emit claiming a site plan kept: no site planned, emit never asked, nothing written");
		err = pv_patch_image(&img, &never, NULL, &r);
		check(err == PV_E_EMIT && r.record == 3 && !memcmp(before, buf, SIZE),
		      "emit keeping a site plan patched: %s (record %u), nothing written", pv_error_name(err), r.record);
	}
	return check_summary();
}
