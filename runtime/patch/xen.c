/* SPDX-License-Identifier: MIT */
/*
 * The Xen backend (PVH): patch the sites whose native behaviour is wrong
 * or slow on Xen, leave the rest as they are.
 *
 * Patched: in/out whose port the runtime emulates (xen/xen-rt.h: COM1,
 * the ACPI PM timer, ACPI PM1 control, reset ports).  An immediate port is decided here, so
 * a site whose port is never emulated stays native; a %dx port is only
 * known at run time, so every %dx site gets a thunk that asks the blob:
 *
 *   site:    jmp thunk_i ; <pad, never run>
 *   thunk_i: lea -128(%rsp),%rsp ; push $desc ; call pv_xen_pio_entry
 *            <original in/out> ; lea 136(%rsp),%rsp ; jmp site_i + length
 *
 * The entry returns past the original instruction when it emulated the
 * access, or onto it when the real port should be used.  ins/outs stay
 * native (nothing the runtime emulates is driven by string I/O).
 *
 * Left native on purpose: cli/sti/pushf/popf, CR/DR, descriptor tables and
 * page tables need no help under PVH (hardware virtualization); idle
 * `sti; hlt` exits to Xen, which blocks the vCPU race-free.  A
 * SCHEDOP_block hypercall in its place cannot be: Xen sees the STI shadow
 * of the hypercall instruction as "interrupts blocked", so an interrupt
 * that is already pending would not wake the vCPU.  See docs/xen.md.
 *
 * Zones (patch/zone.h): only main-text sites are patched.  A thunk calls
 * the blob, C code in the main pool, so a noinstr or entry site patched to
 * it would leave its zone (kprobe-able text; under PTI, unmapped text).
 * Nothing is lost: Linux 6.1's noinstr and entry code does port I/O only
 * on port 0x61 (the NMI reason, default_do_nmi), which no model emulates;
 * tiny and defconfig measured with previrt-report's "by zone" table.
 */
#include "patch/xen.h"
#include "patch/emit.h"
#include "xen/xen-rt.h"

enum { LEA_SUB = 5, PUSH_IMM = 5, LEA_ADD = 8 };

static const uint8_t lea_sub[LEA_SUB] = { 0x48, 0x8d, 0x64, 0x24, 0x80 };                  /* lea -0x80(%rsp),%rsp */
static const uint8_t lea_add[LEA_ADD] = { 0x48, 0x8d, 0xa4, 0x24, 0x88, 0x00, 0x00, 0x00 }; /* lea 0x88(%rsp),%rsp  */

_Static_assert(LEA_SUB + PUSH_IMM + PV_JMP_LEN + 3 + LEA_ADD + PV_JMP_LEN <= PV_XEN_THUNK,
	       "a thunk holds lea, push, call, a 3-byte in/out, lea, jmp");

/*
 * The PV_PIO_* descriptor of an in/out site, or -1 when it stays native.
 * Forms: e4-e7 ib (immediate port), ec-ef (port in %dx), 66 prefix for 16 bits.
 */
long pv_xen_pio_desc(const struct pv_xen *st, const struct pv_site *site)
{
	const uint8_t *op = site->bytes + site->insn.opcode_off;
	unsigned kind = site->rec->kind, desc, w = site->insn.width;

	if (kind != PREVIRT_KIND_IN && kind != PREVIRT_KIND_OUT)
		return -1;
	if (pv_backend_xen.zone_policy[site->zone] == PV_ZP_NATIVE)
		return -1;
	/* SHADOW pairs stay native: in/out open no shadow, but a record may say otherwise */
	/* NOSTACK: the thunk pushes its descriptor and calls (format.h) */
	if (site->rec->length < PV_JMP_LEN || site->rec->insn_length > 3 ||
	    (site->rec->flags & (PREVIRT_F_EXTABLE | PREVIRT_F_SHADOW)) || (site->rec->xflags & PREVIRT_X_NOSTACK))
		return -1;
	if ((op[0] & 0xf4) != 0xe4)              /* e4-e7, ec-ef */
		return -1;
	desc = (kind == PREVIRT_KIND_OUT ? PV_PIO_OUT : 0) |
	       (unsigned)(w == 4 ? 2 : w == 2 ? 1 : 0) << PV_PIO_WSHIFT |
	       (unsigned)site->rec->insn_length << PV_PIO_LSHIFT;
	if (!(op[0] & 0x08)) {                   /* immediate port */
		if (!pv_xen_port_emulated(st->acpi, op[1]))
			return -1;
		desc |= PV_PIO_IMM | op[1];
	}
	return desc;
}

static int xen_begin(void *state, unsigned nsites)
{
	struct pv_xen *st = state;

	(void)nsites;
	st->used = st->cursor = st->nfull = 0;
	return 0;
}

static int xen_plan(void *state, const struct pv_site *site)
{
	struct pv_xen *st = state;
	uint8_t *t = st->thunks + (size_t)st->used * PV_XEN_THUNK, *p = t;
	unsigned n = site->rec->insn_length;
	long desc = pv_xen_pio_desc(st, site);

	if (desc < 0)
		return PV_KEEP;
	if ((size_t)(st->used + 1) * PV_XEN_THUNK > st->thunks_size) {
		if (!st->keep_when_full)
			return -PV_E_BACKEND;
		st->nfull++;
		return PV_KEEP;
	}
	pv_memcpy(p, lea_sub, LEA_SUB), p += LEA_SUB;
	p[0] = 0x68;                                     /* push imm32 */
	pv_put32(p + 1, (int32_t)desc), p += PUSH_IMM;
	if (pv_emit_rel32(p, 0xe8, (intptr_t)st->pio_entry))
		return -PV_E_BACKEND;
	p += PV_JMP_LEN;
	pv_memcpy(p, site->bytes, n), p += n;             /* in/out: no RIP-relative operand */
	pv_memcpy(p, lea_add, LEA_ADD), p += LEA_ADD;
	if (pv_emit_rel32(p, 0xe9, (intptr_t)site->addr + site->rec->length) ||
	    pv_rel32((intptr_t)site->addr + PV_JMP_LEN, (intptr_t)t, &(int32_t){ 0 }))
		return -PV_E_BACKEND;
	p += PV_JMP_LEN;
	pv_memset(p, 0xcc, PV_XEN_THUNK - (size_t)(p - t));
	st->used++;
	return PV_PATCH;
}

static void xen_rewind(void *state)
{
	((struct pv_xen *)state)->cursor = 0;
}

static int xen_emit(void *state, const struct pv_site *site, uint8_t *out)
{
	struct pv_xen *st = state;
	int32_t d = 0;

	if (pv_xen_pio_desc(st, site) < 0 || st->cursor >= st->used)   /* native, or no thunk space left */
		return PV_KEEP;
	/* the jump is computed for where it will be (site), not where it is written (out) */
	pv_rel32((intptr_t)site->addr + PV_JMP_LEN,
		 (intptr_t)(st->thunks + (size_t)st->cursor++ * PV_XEN_THUNK), &d);
	out[0] = 0xe9;
	pv_put32(out + 1, d);
	pv_memset(out + PV_JMP_LEN, 0x90, site->rec->length - PV_JMP_LEN);
	return PV_PATCH;
}

const struct pv_backend pv_backend_xen = {
	.name = "xen",
	.begin = xen_begin,
	.plan = xen_plan,
	.rewind = xen_rewind,
	.emit = xen_emit,
	/* the blob is main text: why, at the top of this file */
	.zone_policy = {
		[PV_ZONE_MAIN]    = PV_ZP_MAIN_POOL,
		[PV_ZONE_NOINSTR] = PV_ZP_NATIVE,
		[PV_ZONE_ENTRY]   = PV_ZP_NATIVE,
	},
};
