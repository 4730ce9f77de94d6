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
 * MMIO (only when st->mmio_entry is set: the loader set up device models
 * in the kernel, xen/mmio.c): the same thunk around a plain mov, calling
 * pv_xen_mmio_entry with a PV_MMIO_* descriptor of its operands, in
 * PV_XEN_MMIO_SLOTS slots (a mov is up to 15 bytes).  The blob emulates
 * an access inside a model's window and runs the copy for any other.
 * What the descriptor cannot say exactly stays native (pv_xen_mmio_form):
 * RIP-relative operands (the copy would need re-targeting, and a
 * device's registers are never addressed RIP-relatively), %rsp as base
 * or register (the copy runs 136 bytes below the site's %rsp), segment,
 * address-size, lock and rep prefixes, and movabs with a 32-bit address.
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
_Static_assert(LEA_SUB + PUSH_IMM + PV_JMP_LEN + PV_INSN_MAX + LEA_ADD + PV_JMP_LEN <=
	       PV_XEN_MMIO_SLOTS * PV_XEN_THUNK, "an MMIO thunk holds lea, push, call, a 15-byte mov, lea, jmp");
_Static_assert(PV_INSN_MAX < 16 && PV_MMIO_DISP_SHIFT + 2 <= 31, "an MMIO descriptor fits a positive imm32");

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

static unsigned wlog(unsigned w)
{
	return w == 8 ? 3 : w == 4 ? 2 : w == 2 ? 1 : 0;
}

/*
 * Forms (decode.c's mmio forms): 88/89 store a register, 8a/8b load one,
 * c6/c7 store an immediate, each with ModRM [+ SIB] [+ disp]; a0-a3 movabs
 * between al/ax/eax/rax and a 64-bit absolute address.  Prefixes: 66 and
 * one REX only.
 */
long pv_xen_mmio_form(const uint8_t *p, const struct pv_insn *in)
{
	unsigned i, rex = 0, p66 = 0, op, mod, reg, rm, end, imm, base = 0, byte;
	uint32_t d;

	if ((in->kind != PREVIRT_KIND_MMIO_READ && in->kind != PREVIRT_KIND_MMIO_WRITE) ||
	    (in->width != 1 && in->width != 2 && in->width != 4 && in->width != 8))
		return -1;
	for (i = 0; i < in->opcode_off; i++) {
		if (p[i] == 0x66 && !p66)
			p66 = 1;
		else if ((p[i] & 0xf0) == 0x40 && i + 1 == in->opcode_off)
			rex = p[i];
		else
			return -1;      /* segment, address-size, lock, rep: native */
	}
	op = p[i++];
	byte = !(op & 1);
	if (byte && p66)
		return -1;              /* 66 on a byte mov selects nothing: an odd encoding */
	d = wlog(in->width) << PV_MMIO_WSHIFT | (uint32_t)in->len << PV_MMIO_LSHIFT;
	if (op >= 0xa0 && op <= 0xa3) {
		/* moffs64 (no 67 prefix): the address is the 8 bytes after the opcode */
		if (in->len != i + 8)
			return -1;
		return d | (uint32_t)(op < 0xa2 ? PV_MMIO_LOAD : PV_MMIO_STORE_REG) << PV_MMIO_OP_SHIFT |
		       (uint32_t)PV_MMIO_DISP_64 << PV_MMIO_DISP_SHIFT;
	}
	if ((op < 0x88 || op > 0x8b) && op != 0xc6 && op != 0xc7)
		return -1;
	if (in->rip_disp >= 0)
		return -1;              /* RIP-relative: not a device register */
	mod = p[i] >> 6, reg = (p[i] >> 3 & 7) | (rex & 4) << 1, rm = p[i] & 7;
	i++;
	if (mod == 3)
		return -1;
	if (rm == 4) {                          /* SIB */
		unsigned sib = p[i++], idx = (sib >> 3 & 7) | (rex & 2) << 2;

		if (idx != 4)                   /* 4 without REX.X: no index */
			d |= PV_MMIO_HAS_INDEX | idx << PV_MMIO_INDEX_SHIFT |
			     (uint32_t)(sib >> 6) << PV_MMIO_SCALE_SHIFT;
		if ((sib & 7) == 5 && mod == 0)
			d |= (uint32_t)PV_MMIO_DISP_32 << PV_MMIO_DISP_SHIFT;   /* no base: absolute disp32 */
		else
			base = 1, rm = (sib & 7) | (rex & 1) << 3;
	} else {
		base = 1, rm |= (rex & 1) << 3;
	}
	if (base) {
		if (rm == 4)
			return -1;      /* %rsp: the copy runs 136 bytes below the site's */
		d |= PV_MMIO_HAS_BASE | rm << PV_MMIO_BASE_SHIFT;
	}
	if (mod == 1)
		d |= (uint32_t)PV_MMIO_DISP_8 << PV_MMIO_DISP_SHIFT, i += 1;
	else if (mod == 2 || ((d >> PV_MMIO_DISP_SHIFT) & 3) == PV_MMIO_DISP_32)
		d |= (uint32_t)PV_MMIO_DISP_32 << PV_MMIO_DISP_SHIFT, i += 4;
	if (op >= 0xc6) {
		d |= (uint32_t)PV_MMIO_STORE_IMM << PV_MMIO_OP_SHIFT;
	} else {
		if (byte && !rex && reg >= 4)
			d |= PV_MMIO_HIGH8, reg -= 4;   /* ah, ch, dh, bh */
		else if (reg == 4)
			return -1;      /* %rsp / %spl, as for the base */
		d |= reg << PV_MMIO_REG_SHIFT |
		     (uint32_t)(op >= 0x8a ? PV_MMIO_LOAD : PV_MMIO_STORE_REG) << PV_MMIO_OP_SHIFT;
	}
	/* the layout the blob assumes: displacement, then the immediate, end the instruction */
	imm = pv_mmio_imm_bytes(d);
	end = i + imm;
	return end == in->len ? (long)d : -1;
}

long pv_xen_mmio_desc(const struct pv_xen *st, const struct pv_site *site)
{
	unsigned kind = site->rec->kind;

	if (!st->mmio_entry || (kind != PREVIRT_KIND_MMIO_READ && kind != PREVIRT_KIND_MMIO_WRITE))
		return -1;
	/* the same reasons as for port I/O (pv_xen_pio_desc) */
	if (pv_backend_xen.zone_policy[site->zone] == PV_ZP_NATIVE)
		return -1;
	if (site->rec->length < PV_JMP_LEN || site->rec->insn_length != site->insn.len ||
	    (site->rec->flags & (PREVIRT_F_EXTABLE | PREVIRT_F_SHADOW)) || (site->rec->xflags & PREVIRT_X_NOSTACK))
		return -1;
	return pv_xen_mmio_form(site->bytes, &site->insn);
}

/*
 * What a site's thunk is: its descriptor and entry, and its size in slots;
 * 0 when the site stays native.  plan and emit both ask this.
 */
static unsigned thunk_of(const struct pv_xen *st, const struct pv_site *site, long *desc, uintptr_t *entry)
{
	if ((*desc = pv_xen_pio_desc(st, site)) >= 0) {
		*entry = st->pio_entry;
		return 1;
	}
	if ((*desc = pv_xen_mmio_desc(st, site)) >= 0) {
		*entry = st->mmio_entry;
		return PV_XEN_MMIO_SLOTS;
	}
	return 0;
}

static int xen_begin(void *state, unsigned nsites)
{
	struct pv_xen *st = state;

	(void)nsites;
	st->used = st->cursor = st->nfull = st->nmmio = 0;
	return 0;
}

static int xen_plan(void *state, const struct pv_site *site)
{
	struct pv_xen *st = state;
	uint8_t *t = st->thunks + (size_t)st->used * PV_XEN_THUNK, *p = t;
	unsigned n = site->rec->insn_length;
	long desc;
	uintptr_t entry;
	unsigned slots = thunk_of(st, site, &desc, &entry);

	if (!slots)
		return PV_KEEP;
	if ((size_t)(st->used + slots) * PV_XEN_THUNK > st->thunks_size) {
		if (!st->keep_when_full)
			return -PV_E_BACKEND;
		st->nfull++;
		return PV_KEEP;
	}
	pv_memcpy(p, lea_sub, LEA_SUB), p += LEA_SUB;
	p[0] = 0x68;                                     /* push imm32 */
	pv_put32(p + 1, (int32_t)desc), p += PUSH_IMM;
	if (pv_emit_rel32(p, 0xe8, (intptr_t)entry))
		return -PV_E_BACKEND;
	p += PV_JMP_LEN;
	pv_memcpy(p, site->bytes, n), p += n;             /* in/out, mov: no RIP-relative operand */
	pv_memcpy(p, lea_add, LEA_ADD), p += LEA_ADD;
	if (pv_emit_rel32(p, 0xe9, (intptr_t)site->addr + site->rec->length) ||
	    pv_rel32((intptr_t)site->addr + PV_JMP_LEN, (intptr_t)t, &(int32_t){ 0 }))
		return -PV_E_BACKEND;
	p += PV_JMP_LEN;
	pv_memset(p, 0xcc, slots * PV_XEN_THUNK - (size_t)(p - t));
	st->used += slots;
	st->nmmio += slots > 1;
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
	long desc;
	uintptr_t entry;
	unsigned slots = thunk_of(st, site, &desc, &entry);

	/* native, or plan found no thunk space left: the same test at the same position */
	if (!slots || (size_t)(st->cursor + slots) * PV_XEN_THUNK > st->thunks_size)
		return PV_KEEP;
	/* the jump is computed for where it will be (site), not where it is written (out) */
	pv_rel32((intptr_t)site->addr + PV_JMP_LEN, (intptr_t)(st->thunks + (size_t)st->cursor * PV_XEN_THUNK), &d);
	st->cursor += slots;
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
