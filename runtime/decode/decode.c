/* SPDX-License-Identifier: MIT */
/*
 * Decoder for the rule instructions: prefixes, opcode maps 1-byte / 0F /
 * 0F38 / 0F3A, ModRM + SIB + displacement, immediates.  See decode.h.
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
	case 0x8c: case 0x8e:                           /* mov %sreg,r/m16 / mov r/m16,%sreg */
		/*
		 * /6, /7 name no segment register; REX.R would name sreg 8..15.  8E /1
		 * (mov to %cs) is #UD, but it is spelled `mov ...,%cs` like the others, so
		 * it decodes as what the text says (no assembler emits it).
		 */
		if (!no_rep_lock || (px->rex & 4) || read_modrm(p, avail, i, &m) || m.reg > 5 ||
		    (m.mod == 3 && (px->seg || px->p67)))
			return -1;
		if (op == 0x8c)
			return finish(out, m.end, PREVIRT_KIND_MOV_FROM_SEG, 0, px, &m);
		return finish(out, m.end, m.reg == 2 ? PREVIRT_KIND_MOV_TO_SS : PREVIRT_KIND_MOV_TO_SEG,
			      0, px, &m);
	case 0xcb: case 0xca:                           /* lret, lret $imm16 (66: lretw, 48: lretq) */
		if (!no_rep_lock || px->seg || px->p67 || (px->rex & ~0x48))
			return -1;
		return finish(out, i + (op == 0xca ? 2 : 0), PREVIRT_KIND_FAR_RET, 0, px, 0);
	case 0xcd:                                      /* int $n; `int $3` is int3 to assemblers */
		if (!plain || i >= avail || p[i] == 3)
			return -1;
		return finish(out, i + 1, PREVIRT_KIND_INT_N, 0, px, 0);
	case 0xff:                                      /* FF /3 lcall, /5 ljmp: memory m16:16/32/64 */
		if (!no_rep_lock || read_modrm(p, avail, i, &m) || m.mod == 3 ||
		    (m.reg != 3 && m.reg != 5))
			return -1;
		return finish(out, m.end, m.reg == 3 ? PREVIRT_KIND_FAR_CALL : PREVIRT_KIND_FAR_JMP,
			      0, px, &m);
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

/* 0F 01 register forms (ModRM C0..FF): opcode byte and mandatory prefix -> kind */
struct reg_form { uint8_t modrm, prefix; uint16_t kind; };   /* prefix: 0, 0x66, 0xf2, 0xf3 */

static const struct reg_form forms_0f01[] = {
	{ 0xc0, 0, PREVIRT_KIND_ENCLV },     { 0xc1, 0, PREVIRT_KIND_VMCALL },
	{ 0xc2, 0, PREVIRT_KIND_VMX_ENTER }, { 0xc3, 0, PREVIRT_KIND_VMX_ENTER },
	{ 0xc4, 0, PREVIRT_KIND_VMX },       { 0xc5, 0, PREVIRT_KIND_PCONFIG },
	{ 0xc6, 0, PREVIRT_KIND_WRMSRNS },   { 0xc6, 0xf2, PREVIRT_KIND_RDMSRLIST },
	{ 0xc6, 0xf3, PREVIRT_KIND_WRMSRLIST },
	{ 0xc8, 0, PREVIRT_KIND_MONITOR },   { 0xc9, 0, PREVIRT_KIND_MWAIT },
	{ 0xca, 0, PREVIRT_KIND_CLAC },      { 0xca, 0xf2, PREVIRT_KIND_ERETS },
	{ 0xca, 0xf3, PREVIRT_KIND_ERETU },  { 0xcb, 0, PREVIRT_KIND_STAC },
	{ 0xcc, 0x66, PREVIRT_KIND_TDCALL }, { 0xcf, 0, PREVIRT_KIND_ENCLS },
	{ 0xcf, 0x66, PREVIRT_KIND_SEAMCALL },
	{ 0xd0, 0, PREVIRT_KIND_XGETBV },    { 0xd1, 0, PREVIRT_KIND_XSETBV },
	{ 0xd4, 0, PREVIRT_KIND_VMFUNC },
	{ 0xd8, 0, PREVIRT_KIND_VMRUN },     { 0xd9, 0, PREVIRT_KIND_VMMCALL },
	{ 0xda, 0, PREVIRT_KIND_SVM },       { 0xdb, 0, PREVIRT_KIND_SVM },
	{ 0xdc, 0, PREVIRT_KIND_SVM },       { 0xdd, 0, PREVIRT_KIND_SVM },
	{ 0xde, 0, PREVIRT_KIND_SKINIT },    { 0xdf, 0, PREVIRT_KIND_SVM },
	{ 0xe8, 0xf3, PREVIRT_KIND_SETSSBSY },
	{ 0xee, 0, PREVIRT_KIND_RDPKRU },    { 0xef, 0, PREVIRT_KIND_WRPKRU },
	{ 0xf8, 0, PREVIRT_KIND_SWAPGS },    { 0xf9, 0, PREVIRT_KIND_RDTSCP },
	{ 0xfa, 0, PREVIRT_KIND_MONITORX },  { 0xfb, 0, PREVIRT_KIND_MWAITX },
	{ 0xfd, 0, PREVIRT_KIND_RDPRU },
	{ 0xfe, 0, PREVIRT_KIND_INVLPGB },   { 0xfe, 0xf3, PREVIRT_KIND_RMPADJUST },
	{ 0xfe, 0xf2, PREVIRT_KIND_RMPUPDATE },
	{ 0xff, 0, PREVIRT_KIND_TLBSYNC },   { 0xff, 0xf3, PREVIRT_KIND_PSMASH },
	{ 0xff, 0xf2, PREVIRT_KIND_PVALIDATE },
};

/* the one mandatory prefix of a register-form encoding: 0, 0x66, 0xf2, 0xf3; -1 for a mix */
static int mandatory_prefix(const struct prefixes *px)
{
	if (px->p66 + px->pf2 + px->pf3 > 1)
		return -1;
	return px->p66 ? 0x66 : px->pf2 ? 0xf2 : px->pf3 ? 0xf3 : 0;
}

/* 0F 01: group 7 (descriptor tables, invlpg, smsw/lmsw) and its register-form specials. */
static int decode_0f01(const uint8_t *p, unsigned avail, const struct prefixes *px,
		       struct pv_insn *out)
{
	unsigned i = px->n + 2, k;
	int mp = mandatory_prefix(px);
	struct modrm m;
	static const uint16_t mem_kind[8] = {
		PREVIRT_KIND_SGDT, PREVIRT_KIND_SIDT, PREVIRT_KIND_LGDT, PREVIRT_KIND_LIDT,
		PREVIRT_KIND_SMSW, 0, PREVIRT_KIND_LMSW, PREVIRT_KIND_INVLPG,
	};

	if (px->lock || read_modrm(p, avail, i, &m))
		return -1;
	if (m.mod != 3) {
		if (px->pf2 || px->pf3 || !mem_kind[m.reg])
			return -1;
		return finish(out, m.end, mem_kind[m.reg], 0, px, &m);
	}
	/* 67 selects %eax for the implicit address of monitor(x) and the SVM instructions */
	if (px->seg || (px->p67 && p[i] != 0xc8 && p[i] != 0xfa && p[i] != 0xd8 && p[i] != 0xda &&
			p[i] != 0xdb && p[i] != 0xdf))
		return -1;
	if (m.reg == 4 || m.reg == 6) {                 /* smsw %reg / lmsw %reg */
		if (px->pf2 || px->pf3)
			return -1;
		return finish(out, m.end, m.reg == 4 ? PREVIRT_KIND_SMSW : PREVIRT_KIND_LMSW, 0, px, &m);
	}
	if (px->rex || mp < 0)
		return -1;
	for (k = 0; k < sizeof forms_0f01 / sizeof forms_0f01[0]; k++)
		if (forms_0f01[k].modrm == p[i] && forms_0f01[k].prefix == mp)
			return finish(out, m.end, forms_0f01[k].kind, 0, px, 0);
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
	case 0x00: {                    /* group 6: sldt str lldt ltr verr verw, F2 /6 lkgs */
		static const uint16_t k[8] = { PREVIRT_KIND_SLDT, PREVIRT_KIND_STR,
					       PREVIRT_KIND_LLDT, PREVIRT_KIND_LTR,
					       PREVIRT_KIND_VERR, PREVIRT_KIND_VERW, 0, 0 };
		if (px->pf3 || px->lock || read_modrm(p, avail, i, &m))
			return -1;
		if (m.reg == 6 && px->pf2 && !px->p66)
			return finish(out, m.end, PREVIRT_KIND_LKGS, 0, px, &m);
		if (px->pf2 || !k[m.reg])
			return -1;
		return finish(out, m.end, k[m.reg], 0, px, &m);
	}
	case 0x02: case 0x03:                           /* lar, lsl */
		if (px->pf2 || px->pf3 || px->lock || read_modrm(p, avail, i, &m))
			return -1;
		return finish(out, m.end, op == 0x02 ? PREVIRT_KIND_LAR : PREVIRT_KIND_LSL, 0, px, &m);
	case 0xa0: case 0xa8: case 0xa1: case 0xa9:     /* push/pop %fs/%gs (66: 16-bit) */
		if (px->pf2 || px->pf3 || px->lock || px->seg || px->p67 || (px->rex & ~0x48))
			return -1;
		return finish(out, i, (op & 1) ? PREVIRT_KIND_POP_SEG : PREVIRT_KIND_PUSH_SEG, 0, px, 0);
	case 0xb2: case 0xb4: case 0xb5:                /* lss, lfs, lgs: memory only */
		if (px->pf2 || px->pf3 || px->lock || read_modrm(p, avail, i, &m) || m.mod == 3)
			return -1;
		return finish(out, m.end, PREVIRT_KIND_LOAD_FAR_PTR, 0, px, &m);
	case 0x37: return none && !px->rex ? finish(out, i, PREVIRT_KIND_GETSEC, 0, px, 0) : -1;
	case 0x78: case 0x79:                           /* vmread, vmwrite (66/F2: SSE4a) */
		if (px->p66 || px->pf2 || px->pf3 || px->lock || read_modrm(p, avail, i, &m))
			return -1;
		return finish(out, m.end, PREVIRT_KIND_VMX, 0, px, &m);
	case 0x3a:                                      /* F3 0F 3A F0 C0 ib: hreset */
		if (!px->pf3 || px->p66 || px->pf2 || px->lock || px->seg || px->p67 || px->rex ||
		    i + 2 >= avail || p[i] != 0xf0 || p[i + 1] != 0xc0)
			return -1;
		return finish(out, i + 3, PREVIRT_KIND_HRESET, 0, px, 0);
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
	case 0xae: {                    /* F3 0F AE /0../3 reg: rd/wr fs/gs base; /6 mem: clrssbsy */
		static const uint16_t k[4] = { PREVIRT_KIND_RDFSBASE, PREVIRT_KIND_RDGSBASE,
					       PREVIRT_KIND_WRFSBASE, PREVIRT_KIND_WRGSBASE };
		if (!px->pf3 || px->p66 || px->pf2 || px->lock || read_modrm(p, avail, i, &m))
			return -1;
		if (m.mod != 3 && m.reg == 6)
			return finish(out, m.end, PREVIRT_KIND_CLRSSBSY, 0, px, &m);
		if (px->seg || px->p67 || m.mod != 3 || m.reg > 3)
			return -1;
		return finish(out, m.end, k[m.reg], 0, px, &m);
	}
	case 0xc7:                      /* group 9: F3 /7 reg rdpid; memory: xrstors xsaves vmx */
		if (px->lock || read_modrm(p, avail, i, &m) || mandatory_prefix(px) < 0)
			return -1;
		if (m.mod == 3) {
			if (!px->pf3 || px->seg || px->p67 || m.reg != 7)
				return -1;
			return finish(out, m.end, PREVIRT_KIND_RDPID, 0, px, &m);
		}
		switch (mandatory_prefix(px) << 8 | m.reg) {
		case 3: return finish(out, m.end, PREVIRT_KIND_XRSTORS, 0, px, &m);
		case 5: return finish(out, m.end, PREVIRT_KIND_XSAVES, 0, px, &m);
		case 6: case 7:                         /* vmptrld, vmptrst */
		case 0x6606: case 0xf306:               /* vmclear, vmxon */
			return !(px->rex & 8) ? finish(out, m.end, PREVIRT_KIND_VMX, 0, px, &m) : -1;
		}
		return -1;
	case 0x38: {                                    /* three-byte map 0F 38 */
		unsigned op3, mp = (unsigned)mandatory_prefix(px);

		if (i >= avail || px->lock || mandatory_prefix(px) < 0)
			return -1;
		op3 = p[i];
		if (read_modrm(p, avail, i + 1, &m))
			return -1;
		switch (mp << 8 | op3) {
		case 0x6680: case 0x6681: case 0x6682:  /* invept, invvpid, invpcid: memory */
			if (m.mod == 3)
				return -1;
			return finish(out, m.end, op3 == 0x82 ? PREVIRT_KIND_INVPCID : PREVIRT_KIND_VMX,
				      0, px, &m);
		case 0x66f5:                            /* wrussd, wrussq (REX.W): memory */
			return m.mod != 3 ? finish(out, m.end, PREVIRT_KIND_WRUSS, 0, px, &m) : -1;
		case 0xf3dc:                            /* loadiwkey xmm, xmm (memory: aesenc128kl) */
			if (m.mod != 3 || px->seg || px->p67)
				return -1;
			return finish(out, m.end, PREVIRT_KIND_LOADIWKEY, 0, px, &m);
		case 0xf3f8:                            /* enqcmds (66: movdir64b, F2: enqcmd) */
			return m.mod != 3 ? finish(out, m.end, PREVIRT_KIND_ENQCMDS, 0, px, &m) : -1;
		}
		return -1;
	}
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
