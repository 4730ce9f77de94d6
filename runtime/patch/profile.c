/* SPDX-License-Identifier: MIT */
/*
 * The profile backend: count how often every site runs.
 *
 * A patched site becomes   jmp thunk_i ; <old pad bytes as NOPs>
 * and thunk_i (PV_PROFILE_THUNK bytes in the pool) is
 *
 *     lea   -128(%rsp),%rsp         step over a SysV red zone (user-space harness)
 *     pushfq                        lea leaves flags alone; pushfq keeps them
 *     lock incq counter_i(%rip)     exact on SMP
 *     popfq                         same flags (and IF) as before
 *     lea   128(%rsp),%rsp
 *     <original instruction(s)>     RIP-relative displacement re-targeted
 *     jmp   site_i + length         back after the pad
 *
 * Why jmp and not call: the thunk knows its way back (one thunk per
 * site), so nothing is pushed when the original instruction runs.
 * pushf/popf and any instruction that uses %rsp see the stack exactly as
 * at the site, every register and flag is as the original leaves it, and
 * the thunk works where a call would not (no red zone to trample).
 *
 * SHADOW pairs (sti; <insn>, mov %ax,%ss; <insn>) are copied as one, so
 * the follower still runs in the shadow; a pair whose follower the decoder
 * does not know, or which is RIP-relative, stays native (PV_PK_SHADOW).
 *
 * The counting itself uses 136 bytes below %rsp for a moment, like an
 * interrupt would.  Sites where %rsp may not be a kernel stack, or whose
 * address the kernel knows, stay native: see pv_profile_keep_reason.
 *
 * What the copy preserves, and so which rule attributes decide: %rsp, the
 * stack contents above it, every register and flag are as at the site, so
 * push/pop of a segment register, pushf/popf, and implicit uses=/defs= of
 * any register behave the same in the thunk.  What differs is the address
 * the instruction runs at and the 136 bytes below %rsp.  Hence:
 *   cflow   (far jmp/call/ret, int n, iret, sysret, vmlaunch, erets, ...):
 *           a far call or int n would push the thunk's address, a return
 *           would bypass the jmp back: native.
 *   ustack  (swapgs): %rsp may be the user's: native.
 *   NOSTACK (xflags, early boot text such as secondary_startup_64 before
 *           it loads its stack): %rsp may point at memory the page tables
 *           no longer map: native.
 *   fault   only matters with an exception-table entry (EXTABLE flag): the
 *           entry names the site's address, so such sites stay native.
 *   shadow  a lone sti / mov to %ss / pop %ss is followed by its pad either
 *           way, so its shadow covers a NOP natively and the thunk's jmp
 *           when moved: the same.  A SHADOW pair (flag) keeps both
 *           instructions together; the thunk would relocate only the first,
 *           so pairs stay native.  sti_hlt is one sequence kind and moves.
 *
 * Zones (patch/zone.h, docs/runtime.md "What a backend may do with noinstr
 * and entry sites"):
 *   main     thunks in the main pool (.text.unlikely.previrt_pool).
 *   noinstr  thunks in the noinstr pool, inside .noinstr.text: the thunk
 *            runs on the site's path, so it must be as untouchable as the
 *            site (no kprobe, no tracing: kprobes refuse the noinstr range,
 *            not .text.unlikely).  It touches only the kernel stack below
 *            %rsp and its counter in .data; noinstr C code runs on the
 *            kernel's page tables and stacks, where both are mapped.
 *   entry    native.  Entry code runs on the user's CR3 under PTI until
 *            SWITCH_TO_KERNEL_CR3 (and again after SWITCH_TO_USER_CR3),
 *            where only .entry.text and the CPU entry area are mapped: the
 *            counters in .data are not, so even a thunk in an entry pool
 *            would fault on its lock incq.  It also runs before the kernel
 *            stack is set up (on the user's stack in entry_SYSCALL_64, on the
 *            small trampoline stack, on the NMI stack with its nesting
 *            rules), where the thunk must not push.  A counter mapped in the
 *            user page tables (the CPU entry area) would be needed, and the
 *            kernel offers none for us.  So no entry pool is reserved.
 */
#include "patch/profile.h"
#include "patch/emit.h"

enum { JMP_LEN = PV_JMP_LEN, RED_ZONE = 128 };

static const uint8_t thunk_head[] = {
	0x48, 0x8d, 0x64, 0x24, 0x80,                   /* lea -0x80(%rsp),%rsp     */
	0x9c,                                           /* pushfq                   */
	0xf0, 0x48, 0xff, 0x05, 0, 0, 0, 0,             /* lock incq rel32(%rip)    */
	0x9d,                                           /* popfq                    */
	0x48, 0x8d, 0xa4, 0x24, 0x80, 0x00, 0x00, 0x00, /* lea 0x80(%rsp),%rsp      */
};
enum { INC_DISP = 10, INC_END = 14 };              /* disp32 offset, end of the incq */

_Static_assert(sizeof thunk_head + 2 * PV_INSN_MAX + JMP_LEN <= PV_PROFILE_THUNK,
	       "a thunk slot holds head + two instructions + jmp");

int pv_profile_keep_reason(const struct pv_profile *st, const struct pv_site *site)
{
	if (pv_backend_profile.zone_policy[site->zone] == PV_ZP_NATIVE)
		return PV_PK_ZONE;
	if (site->zone == PV_ZONE_NOINSTR && st->noinstr_pool_size < PV_PROFILE_THUNK)
		return PV_PK_NO_ZONE_POOL;
	if (site->rec->length < JMP_LEN)
		return PV_PK_SHORT;
	if (site->rec->flags & PREVIRT_F_EXTABLE)
		return PV_PK_EXTABLE;
	if (site->rule->attrs & PREVIRT_RA_CFLOW)
		return PV_PK_CFLOW;
	if (site->rule->attrs & PREVIRT_RA_USTACK)
		return PV_PK_USER_STACK;
	if (site->rec->xflags & PREVIRT_X_NOSTACK)
		return PV_PK_NOSTACK;
	/*
	 * An interrupt-shadow pair is copied whole, so the follower stays in
	 * the shadow: only when the decoder knows the follower (its length is
	 * then proven) and it has no RIP-relative operand to re-target.
	 */
	if ((site->rec->flags & PREVIRT_F_SHADOW) &&
	    (!site->follower_known || site->follower.rip_disp >= 0))
		return PV_PK_SHADOW;
	return PV_PK_PATCH;
}

static int profile_begin(void *state, unsigned nsites)
{
	struct pv_profile *st = state;

	(void)nsites;
	st->used = st->cursor = st->noinstr_used = st->noinstr_cursor = st->nfull = 0;
	return 0;
}

/*
 * Thunk slot n (0-based, counting both pools: the n-th patched site) of a
 * site in `zone`, given how many of the first n went to the noinstr pool;
 * 0 when that pool is full.
 */
static uint8_t *slot(const struct pv_profile *st, int zone, unsigned n, unsigned n_noinstr)
{
	int noinstr = zone == PV_ZONE_NOINSTR;
	size_t k = noinstr ? n_noinstr : n - n_noinstr;
	size_t size = noinstr ? st->noinstr_pool_size : st->pool_size;

	if ((k + 1) * PV_PROFILE_THUNK > size)
		return 0;
	return (noinstr ? st->noinstr_pool : st->pool) + k * PV_PROFILE_THUNK;
}

static int profile_plan(void *state, const struct pv_site *site)
{
	struct pv_profile *st = state;
	uint8_t *t = slot(st, site->zone, st->used, st->noinstr_used);
	uint8_t *insn = t + sizeof thunk_head;
	uint8_t *jmp = insn + site->rec->insn_length;
	uint64_t *counter = st->counters + st->used;
	int32_t d = 0;

	if (pv_profile_keep_reason(st, site))
		return PV_KEEP;
	if (!t || st->used >= st->ncounters) {            /* this site's pool, or the counters, full */
		if (!st->keep_when_full)
			return -PV_E_BACKEND;
		st->nfull++;
		return PV_KEEP;
	}
	/* every displacement must reach: site -> thunk, thunk -> counter, thunk -> site */
	if (pv_rel32((intptr_t)site->addr + JMP_LEN, (intptr_t)t, &d) ||
	    pv_rel32((intptr_t)t + INC_END, (intptr_t)counter, &d) ||
	    pv_rel32((intptr_t)jmp + JMP_LEN, (intptr_t)site->addr + site->rec->length, &d))
		return -PV_E_BACKEND;
	pv_memcpy(t, thunk_head, sizeof thunk_head);
	pv_rel32((intptr_t)t + INC_END, (intptr_t)counter, &d);
	pv_put32(t + INC_DISP, d);
	pv_memcpy(insn, site->bytes, site->rec->insn_length);      /* both of a SHADOW pair */
	if (site->insn.rip_disp >= 0) {
		/* same target from the new place: disp' = disp + (site - copy) */
		intptr_t nd = (intptr_t)pv_get32(site->bytes + site->insn.rip_disp) +
			      ((intptr_t)site->addr + site->insn_off - (intptr_t)insn);

		if (nd < INT32_MIN || nd > INT32_MAX)
			return -PV_E_BACKEND;
		pv_put32(insn + site->insn.rip_disp, (int32_t)nd);
	}
	jmp[0] = 0xe9;
	pv_rel32((intptr_t)jmp + JMP_LEN, (intptr_t)site->addr + site->rec->length, &d);
	pv_put32(jmp + 1, d);
	/* the rest of the slot: int3, so a stray jump into it stops at once */
	pv_memset(jmp + JMP_LEN, 0xcc, PV_PROFILE_THUNK - (size_t)(jmp + JMP_LEN - t));
	*counter = 0;
	st->used++;
	st->noinstr_used += site->zone == PV_ZONE_NOINSTR;
	return PV_PATCH;
}

static void profile_rewind(void *state)
{
	struct pv_profile *st = state;

	st->cursor = st->noinstr_cursor = 0;
}

static int profile_emit(void *state, const struct pv_site *site, uint8_t *out)
{
	struct pv_profile *st = state;
	uint8_t *t = slot(st, site->zone, st->cursor, st->noinstr_cursor);
	int32_t d = 0;

	if (pv_profile_keep_reason(st, site))     /* re-derived: the core checks it against the plan */
		return PV_KEEP;
	/* plan found this site's pool (or the counters) full: the same test at the same position */
	if (!t || st->cursor >= st->ncounters)
		return PV_KEEP;
	st->cursor++;
	st->noinstr_cursor += site->zone == PV_ZONE_NOINSTR;
	out[0] = 0xe9;                                  /* jmp thunk */
	pv_rel32((intptr_t)site->addr + JMP_LEN, (intptr_t)t, &d);
	pv_put32(out + 1, d);
	/* the rest becomes 1-byte NOPs: never executed (the thunk returns after the pad) */
	pv_memset(out + JMP_LEN, 0x90, site->rec->length - JMP_LEN);
	return PV_PATCH;
}

const struct pv_backend pv_backend_profile = {
	.name = "profile",
	.begin = profile_begin,
	.plan = profile_plan,
	.rewind = profile_rewind,
	.emit = profile_emit,
	/* why each: the comment at the top of this file */
	.zone_policy = {
		[PV_ZONE_MAIN]    = PV_ZP_MAIN_POOL,
		[PV_ZONE_NOINSTR] = PV_ZP_ZONE_POOL,
		[PV_ZONE_ENTRY]   = PV_ZP_NATIVE,
	},
};

/* ---- writing the counts out (freestanding number formatting) ---- */

static size_t fmt_hex(char *b, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0, i = 0;

	do
		tmp[n++] = digits[v & 15];
	while (v >>= 4);
	b[i++] = '0', b[i++] = 'x';
	while (n)
		b[i++] = tmp[--n];
	return i;
}

void pv_profile_write(const struct pv_profile *st, const struct pv_image *img, intptr_t bias,
		      void (*put)(void *ctx, const char *s, size_t n), void *ctx)
{
	unsigned nrec = pv_nrecords(img), c = 0;
	static const char head[] = "# previrt-profile 2: ADDRESS COUNT KIND HANDLER\n";

	put(ctx, head, sizeof head - 1);
	for (unsigned i = 0; i < nrec && c < st->used; i++) {
		struct pv_site s = { 0 };
		char line[112];
		size_t n = 0;
		const char *k;
		uintptr_t h;

		if (pv_record(img, i)->kind == PREVIRT_KIND_HEADER)
			continue;
		/* a patched site no longer decodes: the plan's recorded decision says which */
		if (!pv_site_planned(img, i))
			continue;
		pv_site_at(img, i, &s);
		if (!s.rule)
			continue;
		n += fmt_hex(line + n, (uintptr_t)s.addr + (uintptr_t)bias);
		line[n++] = ' ';
		n += pv_fmt_dec(line + n, st->counters[c++]);
		line[n++] = ' ';
		for (k = s.rule->name; *k && n < 64; k++)
			line[n++] = *k;
		/* where the site jumps now: its thunk (and so which pool, which zone) */
		if (s.bytes && (h = pv_jmp_target(s.bytes, (uintptr_t)s.addr))) {
			line[n++] = ' ';
			n += fmt_hex(line + n, h + (uintptr_t)bias);
		}
		line[n++] = '\n';
		put(ctx, line, n);
	}
}
