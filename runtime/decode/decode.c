/* SPDX-License-Identifier: MIT */
/*
 * Decoder for the rule instructions: prefixes, opcode maps 1-byte / 0F /
 * 0F38, ModRM + SIB + displacement, immediates.  See decode.h.
 *
 * Strictness: an encoding is accepted only with the prefixes the
 * assembler emits for it (operand-size 66 where it selects a width, F3 as
 * a mandatory prefix or `rep`, segment/address-size overrides on memory
 * operands).  Anything odder is "not a rule instruction", which makes
 * validation refuse the site: refusing is safe, guessing is not.
 */
#include "decode.h"
#include "previrt_rules.h"

struct prefixes {
	uint8_t p66, p67, pf2, pf3, lock, seg;
	uint8_t rex;        /* 0 or 0x40..0x4f */
	unsigned n;         /* bytes of prefixes incl. REX */
};

static int read_prefixes(const uint8_t *p, unsigned avail, struct prefixes *px)
{
	unsigned i = 0;

	*px = (struct prefixes){ 0 };
	for (; i < avail && i < PV_INSN_MAX; i++) {
		switch (p[i]) {
		case 0x66: px->p66 = 1; continue;
		case 0x67: px->p67 = 1; continue;
		case 0xf0: px->lock = 1; continue;
		case 0xf2: px->pf2 = 1; continue;
		case 0xf3: px->pf3 = 1; continue;
		case 0x2e: case 0x36: case 0x3e: case 0x26: case 0x64: case 0x65:
			px->seg = p[i]; continue;
		}
		break;
	}
	if (i < avail && (p[i] & 0xf0) == 0x40)
		px->rex = p[i++];
	if (i >= avail || i >= PV_INSN_MAX)
		return -1;
	px->n = i;
	return 0;
}

struct modrm {
	uint8_t mod, reg, rm;
	int8_t  rip_disp;   /* offset of RIP-relative disp32, or -1 */
	unsigned end;       /* offset just after ModRM/SIB/displacement */
};

/* ModRM at p[i]; 64-bit addressing (67 keeps the same layout). */
static int read_modrm(const uint8_t *p, unsigned avail, unsigned i, struct modrm *m)
{
	unsigned disp = 0;

	if (i >= avail)
		return -1;
	m->mod = p[i] >> 6;
	m->reg = (p[i] >> 3) & 7;
	m->rm = p[i] & 7;
	m->rip_disp = -1;
	i++;
	if (m->mod != 3) {
		if (m->rm == 4) {                       /* SIB */
			if (i >= avail)
				return -1;
			if (m->mod == 0 && (p[i] & 7) == 5)
				disp = 4;               /* no base: disp32 */
			i++;
		} else if (m->mod == 0 && m->rm == 5) {
			m->rip_disp = (int8_t)i;        /* RIP-relative */
			disp = 4;
		}
		if (m->mod == 1)
			disp = 1;
		else if (m->mod == 2)
			disp = 4;
	}
	i += disp;
	if (i > avail || i > PV_INSN_MAX)
		return -1;
	m->end = i;
	return 0;
}

static int finish(struct pv_insn *out, unsigned len, unsigned kind, unsigned width,
		  const struct prefixes *px, const struct modrm *m)
{
	if (len > PV_INSN_MAX)
		return -1;
	out->len = (uint8_t)len;
	out->kind = (uint16_t)kind;
	out->width = (uint8_t)width;
	out->opcode_off = (uint8_t)px->n;
	out->has_modrm = m != 0;
	out->modrm_mem = m && m->mod != 3;
	out->rip_disp = m ? m->rip_disp : -1;
	return 0;
}

/* operand size of a non-byte integer operation */
static unsigned osize(const struct prefixes *px)
{
	return (px->rex & 8) ? 8 : px->p66 ? 2 : 4;
}

/* One-byte opcode map. */
static int decode_1byte(const uint8_t *p, unsigned avail, const struct prefixes *px,
			struct pv_insn *out)
{
	unsigned i = px->n, op = p[i++];
	int plain = !px->p66 && !px->p67 && !px->pf2 && !px->pf3 && !px->lock && !px->seg && !px->rex;
	int no_rep_lock = !px->pf2 && !px->pf3 && !px->lock;
	struct modrm m;

	switch (op) {
	case 0xfa: return plain ? finish(out, i, PREVIRT_KIND_CLI, 0, px, 0) : -1;
	case 0xfb: return plain ? finish(out, i, PREVIRT_KIND_STI, 0, px, 0) : -1;
	case 0xf4: return plain ? finish(out, i, PREVIRT_KIND_HLT, 0, px, 0) : -1;
	case 0x9c: case 0x9d:                           /* pushf/popf, pushfw with 66 */
		if (!no_rep_lock || px->seg || px->p67 || (px->rex & ~0x48))
			return -1;
		return finish(out, i, op == 0x9c ? PREVIRT_KIND_PUSHF : PREVIRT_KIND_POPF,
			      px->p66 ? 2 : 8, px, 0);
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:     /* in/out with imm8 port */
		if (!no_rep_lock || px->seg || px->p67 || px->rex)
			return -1;
		return finish(out, i + 1, op < 0xe6 ? PREVIRT_KIND_IN : PREVIRT_KIND_OUT,
			      (op & 1) ? (px->p66 ? 2 : 4) : 1, px, 0);
	case 0xec: case 0xed: case 0xee: case 0xef:     /* in/out with port in %dx */
		if (!no_rep_lock || px->seg || px->p67 || px->rex)
			return -1;
		return finish(out, i, op < 0xee ? PREVIRT_KIND_IN : PREVIRT_KIND_OUT,
			      (op & 1) ? (px->p66 ? 2 : 4) : 1, px, 0);
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:     /* ins/outs, optionally rep */
		if (px->pf2 || px->lock || px->rex)
			return -1;
		return finish(out, i, op < 0x6e ? PREVIRT_KIND_INS : PREVIRT_KIND_OUTS,
			      (op & 1) ? (px->p66 ? 2 : 4) : 1, px, 0);
	case 0xcf:                                      /* iretq (48 cf), iretl, iretw */
		if (!no_rep_lock || px->seg || px->p67 || (px->rex & ~0x48))
			return -1;
		return finish(out, i, PREVIRT_KIND_IRET, 0, px, 0);
	case 0x88: case 0x89: case 0x8a: case 0x8b:     /* mov reg <-> mem */
		if (!no_rep_lock || read_modrm(p, avail, i, &m) || m.mod == 3)
			return -1;
		return finish(out, m.end, op < 0x8a ? PREVIRT_KIND_MMIO_WRITE : PREVIRT_KIND_MMIO_READ,
			      (op & 1) ? osize(px) : 1, px, &m);
	case 0xc6: case 0xc7:                           /* mov $imm, mem */
		if (!no_rep_lock || read_modrm(p, avail, i, &m) || m.mod == 3 || m.reg != 0)
			return -1;
		i = m.end + ((op & 1) ? (px->p66 ? 2 : 4) : 1);
		if (i > avail)
			return -1;
		/* a RIP-relative disp is relative to the end of the insn, imm included: fine */
		return finish(out, i, PREVIRT_KIND_MMIO_WRITE, (op & 1) ? osize(px) : 1, px, &m);
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:     /* movabs moffs <-> %al/%eax/%rax */
		if (!no_rep_lock)
			return -1;
		i += px->p67 ? 4 : 8;
		if (i > avail)
			return -1;
		return finish(out, i, op < 0xa2 ? PREVIRT_KIND_MMIO_READ : PREVIRT_KIND_MMIO_WRITE,
			      (op & 1) ? osize(px) : 1, px, 0);
	}
	return -1;
}

/* 0F 01: group 7 (descriptor tables, invlpg, smsw/lmsw) and its register-form specials. */
static int decode_0f01(const uint8_t *p, unsigned avail, const struct prefixes *px,
		       struct pv_insn *out)
{
	unsigned i = px->n + 2;
	struct modrm m;
	static const uint16_t mem_kind[8] = {
		PREVIRT_KIND_SGDT, PREVIRT_KIND_SIDT, PREVIRT_KIND_LGDT, PREVIRT_KIND_LIDT,
		PREVIRT_KIND_SMSW, 0, PREVIRT_KIND_LMSW, PREVIRT_KIND_INVLPG,
	};

	if (px->pf2 || px->pf3 || px->lock || read_modrm(p, avail, i, &m))
		return -1;
	if (m.mod != 3) {
		if (!mem_kind[m.reg])
			return -1;
		return finish(out, m.end, mem_kind[m.reg], 0, px, &m);
	}
	if (px->seg || px->p67)
		return -1;
	if (m.reg == 4 || m.reg == 6)                   /* smsw %reg / lmsw %reg */
		return finish(out, m.end, m.reg == 4 ? PREVIRT_KIND_SMSW : PREVIRT_KIND_LMSW, 0, px, &m);
	if (px->p66 || px->rex)
		return -1;
	switch (p[i]) {
	case 0xc8: return finish(out, m.end, PREVIRT_KIND_MONITOR, 0, px, 0);
	case 0xc9: return finish(out, m.end, PREVIRT_KIND_MWAIT, 0, px, 0);
	case 0xd0: return finish(out, m.end, PREVIRT_KIND_XGETBV, 0, px, 0);
	case 0xd1: return finish(out, m.end, PREVIRT_KIND_XSETBV, 0, px, 0);
	case 0xf8: return finish(out, m.end, PREVIRT_KIND_SWAPGS, 0, px, 0);
	case 0xf9: return finish(out, m.end, PREVIRT_KIND_RDTSCP, 0, px, 0);
	case 0xee: return finish(out, m.end, PREVIRT_KIND_RDPKRU, 0, px, 0);
	case 0xef: return finish(out, m.end, PREVIRT_KIND_WRPKRU, 0, px, 0);
	}
	return -1;
}

/* Two-byte (0F) and three-byte (0F 38) maps. */
static int decode_0f(const uint8_t *p, unsigned avail, const struct prefixes *px,
		     struct pv_insn *out)
{
	unsigned i = px->n + 1, op;
	int none = !px->p66 && !px->pf2 && !px->pf3 && !px->lock && !px->seg && !px->p67;
	struct modrm m;

	if (i >= avail)
		return -1;
	op = p[i++];
	switch (op) {
	case 0x01:
		return decode_0f01(p, avail, px, out);
	case 0x00: {                                    /* group 6: sldt str lldt ltr */
		static const uint16_t k[4] = { PREVIRT_KIND_SLDT, PREVIRT_KIND_STR,
					       PREVIRT_KIND_LLDT, PREVIRT_KIND_LTR };
		if (px->pf2 || px->pf3 || px->lock || read_modrm(p, avail, i, &m) || m.reg > 3)
			return -1;
		return finish(out, m.end, k[m.reg], 0, px, &m);
	}
	case 0x20: case 0x21: case 0x22: case 0x23: {   /* mov %crN/%drN <-> reg: always register form */
		static const uint16_t k[4] = { PREVIRT_KIND_MOV_FROM_CR, PREVIRT_KIND_MOV_FROM_DR,
					       PREVIRT_KIND_MOV_TO_CR, PREVIRT_KIND_MOV_TO_DR };
		if (!none || i >= avail)
			return -1;
		m = (struct modrm){ 3, (uint8_t)((p[i] >> 3) & 7), (uint8_t)(p[i] & 7), -1, i + 1 };
		return finish(out, m.end, k[op - 0x20], 0, px, &m);
	}
	case 0x06: return none && !px->rex ? finish(out, i, PREVIRT_KIND_CLTS, 0, px, 0) : -1;
	case 0x07: return none && !(px->rex & ~0x48) ? finish(out, i, PREVIRT_KIND_SYSRET, 0, px, 0) : -1;
	case 0x35: return none && !(px->rex & ~0x48) ? finish(out, i, PREVIRT_KIND_SYSEXIT, 0, px, 0) : -1;
	case 0x08: return none && !px->rex ? finish(out, i, PREVIRT_KIND_INVD, 0, px, 0) : -1;
	case 0x09:
		if (px->p66 || px->pf2 || px->lock || px->seg || px->p67 || px->rex)
			return -1;
		return finish(out, i, px->pf3 ? PREVIRT_KIND_WBNOINVD : PREVIRT_KIND_WBINVD, 0, px, 0);
	case 0x30: return none && !px->rex ? finish(out, i, PREVIRT_KIND_WRMSR, 0, px, 0) : -1;
	case 0x31: return none && !px->rex ? finish(out, i, PREVIRT_KIND_RDTSC, 0, px, 0) : -1;
	case 0x32: return none && !px->rex ? finish(out, i, PREVIRT_KIND_RDMSR, 0, px, 0) : -1;
	case 0x33: return none && !px->rex ? finish(out, i, PREVIRT_KIND_RDPMC, 0, px, 0) : -1;
	case 0xa2: return none && !px->rex ? finish(out, i, PREVIRT_KIND_CPUID, 0, px, 0) : -1;
	case 0xae: {                                    /* F3 0F AE /0../3: rd/wr fs/gs base */
		static const uint16_t k[4] = { PREVIRT_KIND_RDFSBASE, PREVIRT_KIND_RDGSBASE,
					       PREVIRT_KIND_WRFSBASE, PREVIRT_KIND_WRGSBASE };
		if (!px->pf3 || px->p66 || px->pf2 || px->lock || px->seg || px->p67 ||
		    read_modrm(p, avail, i, &m) || m.mod != 3 || m.reg > 3)
			return -1;
		return finish(out, m.end, k[m.reg], 0, px, &m);
	}
	case 0xc7:                                      /* F3 0F C7 /7 reg: rdpid */
		if (!px->pf3 || px->p66 || px->pf2 || px->lock || px->seg || px->p67 ||
		    read_modrm(p, avail, i, &m) || m.mod != 3 || m.reg != 7)
			return -1;
		return finish(out, m.end, PREVIRT_KIND_RDPID, 0, px, &m);
	case 0x38:                                      /* 66 0F 38 82 /r mem: invpcid */
		if (i >= avail || p[i] != 0x82 || !px->p66 || px->pf2 || px->pf3 || px->lock ||
		    read_modrm(p, avail, i + 1, &m) || m.mod == 3)
			return -1;
		return finish(out, m.end, PREVIRT_KIND_INVPCID, 0, px, &m);
	}
	return -1;
}

int pv_decode(const uint8_t *p, unsigned avail, struct pv_insn *out)
{
	struct prefixes px;

	if (read_prefixes(p, avail, &px))
		return -1;
	if (p[px.n] == 0x0f)
		return decode_0f(p, avail, &px, out);
	return decode_1byte(p, avail, &px, out);
}

int pv_decode_site(const uint8_t *p, unsigned avail, unsigned kind, struct pv_insn *first)
{
	struct pv_insn second;

	if (pv_decode(p, avail, first))
		return -1;
	if (kind == PREVIRT_KIND_STI_HLT) {
		if (first->kind != PREVIRT_KIND_STI ||
		    pv_decode(p + first->len, avail - first->len, &second) ||
		    second.kind != PREVIRT_KIND_HLT)
			return -1;
		return first->len + second.len;
	}
	return first->kind == kind ? first->len : -1;
}

unsigned pv_nop_length(const uint8_t *p, unsigned avail)
{
	unsigned i = 0;
	struct modrm m;

	while (i < avail && i < PV_INSN_MAX && p[i] == 0x66)
		i++;
	if (i < avail && p[i] == 0x90)                  /* nop, xchg %ax,%ax, data16 ... */
		return i + 1;
	if (i < avail && (p[i] == 0x2e || p[i] == 0x3e))
		i++;
	if (i + 1 < avail && p[i] == 0x0f && p[i + 1] == 0x1f &&
	    !read_modrm(p, avail, i + 2, &m) && m.reg == 0)
		return m.end;
	return 0;
}
