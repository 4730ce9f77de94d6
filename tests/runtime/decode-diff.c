/* SPDX-License-Identifier: MIT */
/*
 * Differential test of the runtime's decoder (runtime/decode) against
 * libopcodes (binutils) + the rules' text matcher (lib/insn_match):
 *
 *   decode-diff [--min-sites N] ELF...
 *
 * For every instruction libopcodes finds in every executable section:
 *   - if the matcher says its text is a rule instruction, the runtime
 *     decoder must say the same kind and the same length;
 *   - if the runtime decoder says it is a (non-MMIO) rule instruction,
 *     the matcher must agree;
 *   - for the plain `mov` forms the decoder calls mmio_*, libopcodes' text
 *     must be a mov with a memory operand and the same length;
 *   - for those, the Xen backend's MMIO descriptor (patch/xen.c,
 *     pv_xen_mmio_form) must name the operands libopcodes prints: register
 *     (ah..bh included), base, index, scale, displacement (read from the
 *     bytes as the blob reads it), immediate, width, direction, length;
 *     a form it keeps native must show why in the text (%rip, %rsp, a
 *     segment, 32-bit addressing, a prefix);
 *   - where libopcodes sees a NOP, the decoder's NOP length must agree.
 * For every .previrt site of a linked image (executable or vmlinux): the
 * decoder and libopcodes both read the record's kind and insn_length there,
 * and every pad instruction is a NOP to both.
 *
 * Output: a summary per file, the first mismatches, "N passed, M failed".
 */
#define PACKAGE "previrt"
#define PACKAGE_VERSION "1"
#include <dis-asm.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode/decode.h"
#include "patch/xen.h"
#include "xen/xen-rt.h"
#include "insn_match.h"
#include "previrt/format.h"
#include "previrt_rules.h"
#include "check.h"

static unsigned shown;


/* ---- libopcodes into a string ---- */

struct sbuf { char s[256]; size_t n; };

static int sbuf_vprint(struct sbuf *b, const char *fmt, va_list ap)
{
	int r = vsnprintf(b->s + b->n, sizeof b->s - b->n, fmt, ap);

	if (r > 0)
		b->n += (size_t)r < sizeof b->s - b->n ? (size_t)r : sizeof b->s - b->n - 1;
	return r;
}

static int sprint(void *stream, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = sbuf_vprint(stream, fmt, ap);
	va_end(ap);
	return r;
}

/* libopcodes' styled printer: the style is not needed for matching */
static int sprint_styled(void *stream, enum disassembler_style st, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)st;
	va_start(ap, fmt);
	r = sbuf_vprint(stream, fmt, ap);
	va_end(ap);
	return r;
}

static disassembler_ftype dis;

/*
 * What this libopcodes cannot decode (binutils 2.40 has no LKGS, which
 * Linux 6.12 writes as .byte) but the rules write as an exact .byte
 * encoding is that instruction: text = the kind's name, length = the
 * encoding's.  Otherwise the walk would resume inside it and misread the
 * pad and the code after it.  Longest form first; 0 when none matches.
 */
static int rule_encoding(const uint8_t *p, size_t avail, struct sbuf *b)
{
	for (size_t len = avail < 15 ? avail : 15; len > 0; len--) {
		unsigned k = pv_match_bytes(p, len);

		if (k) {
			b->n = 0;
			sprint(b, "%s", previrt_rule_by_id(k)->name);
			return (int)len;
		}
	}
	return 0;
}

/* Disassemble one instruction at buf[off]: text into b, returns its length. */
static int opcodes_at(const uint8_t *buf, size_t size, uint64_t vma, size_t off, struct sbuf *b)
{
	struct disassemble_info info;
	int len, own;

	b->n = 0;
	b->s[0] = 0;
	init_disassemble_info(&info, b, sprint, sprint_styled);
	info.arch = bfd_arch_i386;
	info.mach = bfd_mach_x86_64;
	info.buffer = (bfd_byte *)buf;
	info.buffer_length = size;
	info.buffer_vma = vma;
	info.read_memory_func = buffer_read_memory;
	disassemble_init_for_target(&info);
	len = dis(vma + off, &info);
	if ((len <= 0 || strstr(b->s, "(bad)")) && off < size &&
	    (own = rule_encoding(buf + off, size - off, b)) > 0)
		return own;
	return len;
}

/*
 * Rule kind of libopcodes text (0 = none).  The rules' .byte forms are exact
 * encodings and come first: binutils 2.40 spells FRED's erets (F2 0F 01 CA)
 * "repnz clac" (and has no lkgs at all: see rule_encoding).
 */
static unsigned ref_kind(const char *text, const uint8_t *p, int len)
{
	struct pv_insn_text t;
	unsigned k = len > 0 ? pv_match_bytes(p, (size_t)len) : 0;

	if (k || pv_parse_insn(text, strlen(text), &t))
		return k;
	return pv_match_insn(&t);
}

static int ref_is_nop(const char *text)
{
	struct pv_insn_text t;

	if (pv_parse_insn(text, strlen(text), &t))
		return 0;
	return strncmp(t.mnemonic, "nop", 3) == 0 ||
	       (strcmp(t.mnemonic, "xchg") == 0 && t.nops == 2 && strcmp(t.ops[0], "%ax") == 0 &&
		strcmp(t.ops[1], "%ax") == 0);
}

/* AT&T operand text that names memory: "(%rax)", "0x8(%rip)", "%fs:0x28", "0x1000" */
static int is_mem_operand(const char *o)
{
	return strchr(o, '(') || strchr(o, ':') || (o[0] != '%' && o[0] != '$');
}

/* a plain mov between memory and a register/immediate, as the decoder's mmio forms */
static int ref_is_mem_mov(const char *text)
{
	struct pv_insn_text t;

	if (pv_parse_insn(text, strlen(text), &t) || t.nops != 2 || t.nprefixes)
		return 0;
	if (strcmp(t.mnemonic, "mov") && strcmp(t.mnemonic, "movb") && strcmp(t.mnemonic, "movw") &&
	    strcmp(t.mnemonic, "movl") && strcmp(t.mnemonic, "movq") && strcmp(t.mnemonic, "movabs"))
		return 0;
	for (int i = 0; i < 2; i++) {       /* the other operand: a GPR or an immediate */
		const char *o = t.ops[i];

		if (is_mem_operand(o))
			continue;
		if (o[0] == '%' && (strstr(o, "mm") || strncmp(o, "%cr", 3) == 0 ||
				    strncmp(o, "%db", 3) == 0 || strncmp(o, "%dr", 3) == 0 ||
				    strncmp(o, "%tr", 3) == 0 ||
				    (strlen(o) == 3 && o[2] == 's' && strchr("cdefgs", o[1]))))
			return 0;
	}
	return is_mem_operand(t.ops[0]) != is_mem_operand(t.ops[1]);
}

/* ---- the MMIO descriptor against libopcodes' operands ---- */

/* A GPR's name: its number, width in bytes, and whether it is ah/ch/dh/bh; -1 when not one. */
static int gpr(const char *o, unsigned *num, unsigned *width, int *high)
{
	static const char *const n64[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi" };
	static const char *const n32[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
	static const char *const n16[8] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
	static const char *const n8[8] = { "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil" };
	static const char *const hi[4] = { "ah", "ch", "dh", "bh" };
	unsigned r;
	char suf[4] = "";

	if (o[0] != '%')
		return -1;
	o++;
	*high = 0;
	for (r = 0; r < 8; r++) {
		if (!strcmp(o, n64[r])) { *num = r, *width = 8; return 0; }
		if (!strcmp(o, n32[r])) { *num = r, *width = 4; return 0; }
		if (!strcmp(o, n16[r])) { *num = r, *width = 2; return 0; }
		if (!strcmp(o, n8[r]))  { *num = r, *width = 1; return 0; }
		if (r < 4 && !strcmp(o, hi[r])) { *num = r, *width = 1, *high = 1; return 0; }
	}
	if (sscanf(o, "r%u%3s", &r, suf) >= 1 && r >= 8 && r <= 15) {
		*num = r;
		*width = !suf[0] ? 8 : !strcmp(suf, "d") ? 4 : !strcmp(suf, "w") ? 2 : !strcmp(suf, "b") ? 1 : 0;
		return *width ? 0 : -1;
	}
	return -1;
}

struct mem_op { uint64_t disp; int base, index; unsigned scale; };

/* AT&T memory operand: [disp][(base[,index[,scale]])]; 0, or -1 for what the parser does not take */
static int mem_operand(const char *o, struct mem_op *m)
{
	const char *par = strchr(o, '(');
	char in[64], *parts[3] = { 0 }, *save = 0;
	unsigned w;
	int hi, k = 0;

	*m = (struct mem_op){ 0, -1, -1, 0 };
	if (strchr(o, ':'))
		return -1;
	if (o != par) {
		int neg = o[0] == '-';

		m->disp = strtoull(o + neg, 0, 16);
		if (neg)
			m->disp = -m->disp;
	}
	if (!par)
		return 0;
	snprintf(in, sizeof in, "%s", par + 1);
	if (!strchr(in, ')'))
		return -1;
	*strchr(in, ')') = 0;
	/* "(,%rdi,8)": an empty base */
	for (char *p = in, *c; k < 3; p = 0) {
		if (k == 0 && in[0] == ',') {
			parts[k++] = "";
			save = in + 1;
			continue;
		}
		c = strtok_r(p ? p : 0, ",", &save);
		if (!c)
			break;
		parts[k++] = c;
	}
	if (parts[0] && parts[0][0]) {
		unsigned n;

		if (gpr(parts[0], &n, &w, &hi) || w != 8)
			return -1;
		m->base = (int)n;
	}
	if (parts[1] && strcmp(parts[1], "%riz")) {
		unsigned n;

		if (gpr(parts[1], &n, &w, &hi) || w != 8)
			return -1;
		m->index = (int)n;
		m->scale = parts[2] ? (unsigned)atoi(parts[2]) : 1;
	}
	return 0;
}

/*
 * The descriptor d of the mov at p (length len) against libopcodes' text:
 * NULL when they agree, else what differs.
 */
static const char *check_desc(const char *text, const uint8_t *p, int len, long d)
{
	struct pv_insn_text t;
	struct mem_op m;
	const char *mem, *other, *mn;
	unsigned num = 0, w = 0, op;
	int high = 0, load;
	uint32_t u = (uint32_t)d;

	if (pv_parse_insn(text, strlen(text), &t) || t.nops != 2)
		return "libopcodes text not parsed";
	if (d < 0)      /* kept native: the text must show why */
		return strstr(text, "%rip") || strchr(text, ':') || strstr(text, "sp") || strstr(text, "(%e") ||
		       strstr(text, "addr32") || t.nprefixes ? NULL : "kept native without a reason libopcodes shows";
	load = !is_mem_operand(t.ops[1]);
	mem = t.ops[load ? 0 : 1], other = t.ops[load ? 1 : 0];
	mn = t.mnemonic;
	op = pv_mmio_field(u, PV_MMIO_OP_SHIFT, 2);
	if (pv_mmio_field(u, PV_MMIO_LSHIFT, 4) != (unsigned)len)
		return "length";
	if (load != (op == PV_MMIO_LOAD))
		return "direction";
	if (other[0] == '$') {
		uint64_t imm = strtoull(other + 1, 0, 16), mask;

		w = !strcmp(mn, "movb") ? 1 : !strcmp(mn, "movw") ? 2 : !strcmp(mn, "movl") ? 4 : !strcmp(mn, "movq") ? 8 : 0;
		mask = w == 8 ? ~0ull : (1ull << (8 * w)) - 1;
		if (op != PV_MMIO_STORE_IMM || !w || ((pv_mmio_imm(p, u) ^ imm) & mask))
			return "immediate";
	} else {
		if (op == PV_MMIO_STORE_IMM || gpr(other, &num, &w, &high))
			return "register operand";
		if (num != pv_mmio_field(u, PV_MMIO_REG_SHIFT, 4) || high != !!(u & PV_MMIO_HIGH8))
			return "register";
	}
	if (w != pv_mmio_width(u))
		return "width";
	if (mem_operand(mem, &m))
		return "memory operand not parsed";
	if ((m.base >= 0) != !!(u & PV_MMIO_HAS_BASE) ||
	    (m.base >= 0 && (unsigned)m.base != pv_mmio_field(u, PV_MMIO_BASE_SHIFT, 4)))
		return "base";
	if ((m.index >= 0) != !!(u & PV_MMIO_HAS_INDEX) ||
	    (m.index >= 0 && ((unsigned)m.index != pv_mmio_field(u, PV_MMIO_INDEX_SHIFT, 4) ||
			      m.scale != 1u << pv_mmio_field(u, PV_MMIO_SCALE_SHIFT, 2))))
		return "index or scale";
	if ((uint64_t)pv_mmio_disp(p, u) != m.disp)
		return "displacement";
	return NULL;
}

static void mismatch(const char *file, uint64_t a, const uint8_t *p, int len, const char *text,
		     const char *why)
{
	if (shown++ >= 25)
		return;
	printf("  mismatch %s 0x%llx:", file, (unsigned long long)a);
	for (int i = 0; i < len && i < 15; i++)
		printf(" %02x", p[i]);
	printf("  libopcodes \"%s\": %s\n", text, why);
}

struct counts {
	unsigned long insns, sensitive, mmio_movs, nops, bad;
	unsigned long desc_exact, desc_native;
	unsigned long mmio_sites, mmio_sites_native;   /* MMIO records, and those pv_xen_mmio_form keeps native */
	unsigned long sites, site_bad;
};

static void scan_section(const char *file, const uint8_t *buf, size_t size, uint64_t vma,
			 struct counts *c)
{
	struct sbuf b;

	for (size_t off = 0; off < size;) {
		int len = opcodes_at(buf, size, vma, off, &b);
		unsigned rk, mk = 0;
		struct pv_insn in;
		int mine;

		if (len <= 0)
			break;
		c->insns++;
		rk = ref_kind(b.s, buf + off, len);
		mine = pv_decode(buf + off, (unsigned)len, &in) == 0;
		if (mine)
			mk = in.kind;
		if (mk == PREVIRT_KIND_MMIO_READ || mk == PREVIRT_KIND_MMIO_WRITE) {
			c->mmio_movs++;
			if (!ref_is_mem_mov(b.s) || in.len != len) {
				c->bad++;
				mismatch(file, vma + off, buf + off, len, b.s, "decoder: mmio mov form");
			} else {
				long d = pv_xen_mmio_form(buf + off, &in);
				const char *why = check_desc(b.s, buf + off, len, d);

				if (why) {
					char m[96];

					c->bad++;
					snprintf(m, sizeof m, "MMIO descriptor 0x%lx: %s", d, why);
					mismatch(file, vma + off, buf + off, len, b.s, m);
				}
				if (d < 0)
					c->desc_native++;
				else
					c->desc_exact++;
			}
			mk = 0;
		} else if (ref_is_mem_mov(b.s)) {
			c->bad++;
			mismatch(file, vma + off, buf + off, len, b.s, "decoder: missed a mov form");
		}
		if (rk || mk) {
			c->sensitive++;
			if (rk != mk || in.len != len) {
				char why[96];

				c->bad++;
				snprintf(why, sizeof why, "rules say %s, decoder says %s (len %d)",
					 rk ? previrt_rule_by_id(rk)->name : "-",
					 mk ? previrt_rule_by_id(mk)->name : "-", mine ? in.len : -1);
				mismatch(file, vma + off, buf + off, len, b.s, why);
			}
		}
		if (ref_is_nop(b.s)) {
			c->nops++;
			if (pv_nop_length(buf + off, (unsigned)len) != (unsigned)len) {
				c->bad++;
				mismatch(file, vma + off, buf + off, len, b.s, "decoder: NOP length");
			}
		}
		off += (size_t)len;
	}
}

struct exec_sec { uint64_t addr, size; const uint8_t *data; };

static void check_sites(const char *file, const uint8_t *rec, size_t size, uint64_t rec_vma,
			const struct exec_sec *secs, unsigned nsecs, struct counts *c)
{
	for (size_t off = 0; off + PREVIRT_RECORD_SIZE <= size; off += PREVIRT_RECORD_SIZE) {
		const struct previrt_site *r = (const void *)(rec + off);
		uint64_t a = rec_vma + off + (int64_t)r->addr;
		const struct exec_sec *s = NULL;
		const uint8_t *p;
		struct pv_insn in;
		struct sbuf b;
		unsigned total = 0, rk = 0, io;
		int l;

		if (r->kind == PREVIRT_KIND_HEADER)
			continue;
		c->sites++;
		for (unsigned i = 0; i < nsecs; i++)
			if (a >= secs[i].addr && a + r->length <= secs[i].addr + secs[i].size)
				s = &secs[i];
		if (!s) {
			c->site_bad++;
			printf("  site 0x%llx: not in an executable section\n", (unsigned long long)a);
			continue;
		}
		/* the pad is before the instruction with PREVIRT_X_PAD_BEFORE (format.h) */
		io = (r->xflags & PREVIRT_X_PAD_BEFORE) ? (unsigned)(r->length - r->insn_length) : 0;
		a += io;
		p = s->data + (a - s->addr);
		/* libopcodes: the original instruction(s), then the pad */
		l = opcodes_at(s->data, s->size, s->addr, a - s->addr, &b);
		if (r->kind == PREVIRT_KIND_STI_HLT) {
			struct pv_insn_text t1, t2;
			struct sbuf b2;
			int l2 = opcodes_at(s->data, s->size, s->addr, a - s->addr + l, &b2);

			if (!pv_parse_insn(b.s, strlen(b.s), &t1) && !pv_parse_insn(b2.s, strlen(b2.s), &t2))
				rk = pv_match_sequence(&t1, &t2);
			total = l + l2;
		} else {
			int mmio = r->kind >= PREVIRT_KIND_MMIO_MIN && r->kind <= PREVIRT_KIND_MMIO_MAX;

			rk = mmio ? (ref_is_mem_mov(b.s) ? r->kind : 0) : ref_kind(b.s, p, l);
			total = l;
			if (r->flags & PREVIRT_F_SHADOW) {
				/* the shadowed follower: any one instruction */
				struct sbuf b2;

				total += opcodes_at(s->data, s->size, s->addr, a - s->addr + l, &b2);
			}
		}
		if (rk != r->kind || total != r->insn_length ||
		    ((r->flags & PREVIRT_F_SHADOW) ?
		     pv_decode(p, r->insn_length, &in) != 0 || in.kind != r->kind || in.len != l :
		     pv_decode_site(p, r->insn_length, r->kind, &in) != r->insn_length)) {
			c->site_bad++;
			mismatch(file, a, p, r->insn_length, b.s, "site: record, libopcodes and decoder disagree");
			continue;
		}
		if (r->flags & PREVIRT_F_MMIO) {
			c->mmio_sites++;
			c->mmio_sites_native += pv_xen_mmio_form(p, &in) < 0;
		}
		/* the pad: [insn_length, length) after it, or [0, io) before it */
		a -= io, p -= io;
		for (unsigned o = io ? 0 : r->insn_length, end = io ? io : r->length; o < end;) {
			l = opcodes_at(s->data, s->size, s->addr, a - s->addr + o, &b);
			if (l <= 0 || !ref_is_nop(b.s) || pv_nop_length(p + o, end - o) != (unsigned)l) {
				c->site_bad++;
				mismatch(file, a + o, p + o, l, b.s, "site pad: not a NOP to both");
				break;
			}
			o += (unsigned)l;
		}
	}
}

static int do_file(const char *file, unsigned long min_sites)
{
	struct exec_sec secs[64];
	unsigned nsecs = 0;
	int fd = open(file, O_RDONLY);
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Ehdr eh;
	struct counts c = { 0 };
	const uint8_t *rec = NULL;
	size_t rec_size = 0;
	uint64_t rec_vma = 0;

	if (fd < 0 || !(e = elf_begin(fd, ELF_C_READ, NULL)) || !gelf_getehdr(e, &eh) ||
	    elf_getshdrstrndx(e, &shstrndx)) {
		check(0, "%s: cannot read as ELF", file);
		return -1;
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		gelf_getshdr(scn, &sh);
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || sh.sh_type != SHT_PROGBITS || !(d = elf_getdata(scn, NULL)) || !d->d_buf)
			continue;
		if (strcmp(name, PREVIRT_SECTION) == 0) {
			rec = d->d_buf, rec_size = d->d_size, rec_vma = sh.sh_addr;
		} else if ((sh.sh_flags & SHF_EXECINSTR) && nsecs < 64 &&
			   strcmp(name, ".altinstr_replacement") != 0) {
			secs[nsecs++] = (struct exec_sec){ sh.sh_addr, d->d_size, d->d_buf };
			scan_section(file, d->d_buf, d->d_size, sh.sh_addr, &c);
		}
	}
	printf("%s: %lu instructions, %lu sensitive, %lu mov-to/from-memory (MMIO descriptors: %lu exact, "
	       "%lu kept native), %lu NOPs; %lu mismatches\n",
	       file, c.insns, c.sensitive, c.mmio_movs, c.desc_exact, c.desc_native, c.nops, c.bad);
	check(c.insns > 0 && c.bad == 0,
	      "%s: decoder agrees with libopcodes on all %lu instructions (%lu sensitive)",
	      file, c.insns, c.sensitive);
	if (rec && eh.e_type != ET_REL) {
		check_sites(file, rec, rec_size, rec_vma, secs, nsecs, &c);
		if (c.mmio_sites)
			printf("%s: %lu MMIO sites, %lu of them with a descriptor the Xen blob carries out, %lu kept native\n",
			       file, c.mmio_sites, c.mmio_sites - c.mmio_sites_native, c.mmio_sites_native);
		check(c.sites >= min_sites && c.site_bad == 0,
		      "%s: all %lu .previrt sites decode to their kind and length, pads are NOPs (%lu bad)",
		      file, c.sites, c.site_bad);
	}
	elf_end(e);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long min_sites = 0;
	int i = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && strcmp(argv[1], "--min-sites") == 0)
		min_sites = strtoul(argv[2], NULL, 10), i = 3;
	if (i >= argc) {
		fprintf(stderr, "usage: decode-diff [--min-sites N] ELF...\n");
		return 2;
	}
	elf_version(EV_CURRENT);
	dis = disassembler(bfd_arch_i386, false, bfd_mach_x86_64, NULL);
	for (; i < argc; i++)
		do_file(argv[i], min_sites);
	return check_summary();
}
