/* SPDX-License-Identifier: MIT */
/*
 * The code the user-space harness patches: compiled WITH the GCC plugin
 * (-fplugin-arg-previrt-all-code-models, -O2).  Every test function runs
 * each of its sites exactly once per call, so after `calls` calls every
 * site in it must have been counted `calls` times by the profile backend.
 * The sensitive instructions here are the ones user space may execute;
 * the MMIO accessors are the kernel's (same names, same asm) on ordinary
 * memory.
 */
#include <stdint.h>

#include "prog.h"

/* ---- fake MMIO accessors, spelled as in arch/x86/include/asm/io.h ---- */
#define build_mmio_read(name, size, type, reg, barrier) \
static inline type name(const volatile void *addr) \
{ type ret; __asm__ volatile("mov" size " %1,%0" : reg(ret) : "m"(*(volatile type *)addr) barrier); return ret; }
#define build_mmio_write(name, size, type, reg, barrier) \
static inline void name(type val, volatile void *addr) \
{ __asm__ volatile("mov" size " %0,%1" : : reg(val), "m"(*(volatile type *)addr) barrier); }

build_mmio_read(readb, "b", uint8_t, "=q", : "memory")
build_mmio_read(readw, "w", uint16_t, "=r", : "memory")
build_mmio_read(readl, "l", uint32_t, "=r", : "memory")
build_mmio_read(readq, "q", uint64_t, "=r", : "memory")
build_mmio_write(writeb, "b", uint8_t, "q", : "memory")
build_mmio_write(writew, "w", uint16_t, "r", : "memory")
build_mmio_write(writel, "l", uint32_t, "r", : "memory")
build_mmio_write(writeq, "q", uint64_t, "r", : "memory")

/* a device register block that is an ordinary global: RIP-relative operands */
volatile uint32_t fake_regs[16];

#define NOINLINE __attribute__((noinline, noclone))

NOINLINE uint64_t t_cpuid(uint64_t leaf)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"((uint32_t)leaf), "c"(0));
	return (uint64_t)a ^ ((uint64_t)b << 32) ^ c ^ ((uint64_t)d << 16);
}

/* flags set before the site must survive it: cmp ; cpuid ; setb ; sete (CF and ZF) */
NOINLINE uint64_t t_cpuid_flags(uint64_t x)
{
	uint32_t a = 0, b, c = 0, d;
	uint8_t below, equal;

	__asm__ volatile("cmpq $5, %[x]\n\tcpuid\n\tsetb %[bl]\n\tsete %[eq]"
			 : "+a"(a), "=b"(b), "+c"(c), "=d"(d), [bl] "=qm"(below), [eq] "=qm"(equal)
			 : [x] "r"(x));
	return below | equal << 1;
}

/* rdtsc: values differ run to run; report whether time moved forward */
NOINLINE uint64_t t_rdtsc(uint64_t prev)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32 | lo) > prev;
}

/* rdtscp: TSC_AUX (ecx) is deterministic on a pinned CPU */
NOINLINE uint64_t t_rdtscp_aux(uint64_t x)
{
	uint32_t lo, hi, aux;

	(void)x;
	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	return aux;
}

/* pushf reads flags through the stack: cmp sets CF, pushf must see it */
NOINLINE uint64_t t_pushf(uint64_t x)
{
	uint64_t fl;

	__asm__ volatile("cmpq $7, %1\n\tpushfq\n\tpopq %0" : "=r"(fl) : "r"(x) : "cc");
	return fl & 0x8d5;            /* CF PF AF ZF SF OF */
}

/* popf writes flags from the stack: CF and ZF as x asks, read back by setc/setz */
NOINLINE uint64_t t_popf(uint64_t x)
{
	uint8_t c, z;
	uint64_t fl = 0x202 | (x & 1) | ((x & 2) << 5);

	__asm__ volatile("pushq %2\n\tpopfq\n\tsetc %0\n\tsetz %1" : "=q"(c), "=q"(z) : "r"(fl) : "cc");
	return (uint64_t)c | (uint64_t)z << 1;
}

/* xgetbv(XCR0): only called when CPUID.1:ECX.OSXSAVE is set (other XCRs may #GP) */
NOINLINE uint64_t t_xgetbv(uint64_t x)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"((uint32_t)(x & 0)));
	return (uint64_t)hi << 32 | lo;
}

/* rdpid: only called when CPUID.7.0:ECX.RDPID is set */
NOINLINE uint64_t t_rdpid(uint64_t x)
{
	uint64_t id;

	(void)x;
	__asm__ volatile("rdpid %0" : "=r"(id));
	return id;
}

/*
 * A leaf function whose locals GCC keeps in the red zone below %rsp, with
 * a site in the middle, and an asm that parks a value at -8(%rsp) across
 * the site itself: the thunk must not trample either.
 */
NOINLINE uint64_t t_redzone(uint64_t x)
{
	volatile uint64_t buf[12];
	uint64_t sum = 0, parked;
	uint32_t lo, hi;

	for (int i = 0; i < 12; i++)
		buf[i] = x * 31 + i;
	__asm__ volatile("movq %3, -8(%%rsp)\n\trdtsc\n\tmovq -8(%%rsp), %2"
			 : "=a"(lo), "=d"(hi), "=r"(parked) : "r"(x * 77 + 1));
	for (int i = 0; i < 12; i++)
		sum += buf[i] * (i + 1);
	return sum ^ parked << 20;
}

/* MMIO on a caller's buffer: one write and one read of each width */
NOINLINE uint64_t t_mmio(uint64_t x)
{
	static uint64_t dev[4];
	uint64_t r;

	writeb((uint8_t)x, &dev[0]);
	writew((uint16_t)(x * 3), (uint8_t *)&dev[0] + 2);
	writel((uint32_t)(x * 5), (uint8_t *)&dev[0] + 4);
	writeq(x * 7, &dev[1]);
	r = readb(&dev[0]);
	r += readw((uint8_t *)&dev[0] + 2);
	r += readl((uint8_t *)&dev[0] + 4);
	r += readq(&dev[1]);
	return r;
}

/* MMIO on a global: RIP-relative operands the thunk copy must re-target */
NOINLINE uint64_t t_mmio_rip(uint64_t x)
{
	writel((uint32_t)x + 1, &fake_regs[3]);
	return readl(&fake_regs[3]) + readl(&fake_regs[5]);
}

/*
 * Segment registers and descriptor checks, all allowed in user mode: the
 * thunk must run push/pop %gs on exactly the stack the site sees (the
 * pushed selector is popped into a GPR and compared), and mov to %ds/%ss,
 * lsl and verw with the flags they set.  The asm steps over the red zone.
 */
NOINLINE uint64_t t_segments(uint64_t x)
{
	uint64_t g1, g2, d, s, lim, z;

	(void)x;
	__asm__ volatile("lea -128(%%rsp),%%rsp\n\t"
			 "mov %%gs,%k[g1]\n\t"
			 "push %%gs\n\t"
			 "pop %[g2]\n\t"
			 "push %[g2]\n\t"
			 "pop %%gs\n\t"
			 "mov %%ds,%k[d]\n\t"
			 "mov %k[d],%%ds\n\t"
			 "mov %%ss,%k[s]\n\t"
			 "mov %k[s],%%ss\n\t"
			 "lsl %k[s],%k[lim]\n\t"
			 "verw %w[s]\n\t"
			 "setz %b[z]\n\t"
			 "lea 128(%%rsp),%%rsp"
			 : [g1] "=&r"(g1), [g2] "=&r"(g2), [d] "=&r"(d), [s] "=&r"(s),
			   [lim] "=&r"(lim), [z] "=&q"(z)
			 : : "cc", "memory");
	return (g1 & 0xffff) ^ (g2 & 0xffff) << 16 ^ (d & 0xffff) << 32 ^ (s & 0xffff) << 48 ^
	       (lim & 0xffffffff) ^ (z & 1) << 63;
}

/*
 * Zones (runtime/patch/zone.h): one function in .noinstr.text and one in
 * .entry.text, as Linux's noinstr C code and entry code are; the plugin
 * flags both sites NOINSTR, and the harness finds the zones by section.
 * Under the profile backend the first gets its thunk in the noinstr pool,
 * the second stays native.
 */
__attribute__((noinline, noclone, section(".noinstr.text"))) uint64_t t_noinstr_cpuid(uint64_t leaf)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"((uint32_t)leaf), "c"(0));
	return (uint64_t)a ^ ((uint64_t)b << 32) ^ c ^ ((uint64_t)d << 16);
}

__attribute__((noinline, noclone, section(".entry.text"))) uint64_t t_entry_cpuid(uint64_t leaf)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"((uint32_t)leaf), "c"(0));
	return (uint64_t)a ^ ((uint64_t)b << 32) ^ c ^ ((uint64_t)d << 16);
}

/*
 * lib/pool.h's anchor: because this unit defines start_kernel, the plugin
 * reserves the handler pools here (main pool in .text.unlikely, noinstr
 * pool in .noinstr.text, counters), exactly as in init/main.c; the harness
 * patches with those.  Sizes: runtime.mk's -fplugin-arg-previrt-*pool=.
 */
void start_kernel(void)
{
}

const struct prog_test prog_tests[] = {
	{ "t_cpuid",       t_cpuid,       1, PROG_DETERMINISTIC },
	{ "t_cpuid_flags", t_cpuid_flags, 1, PROG_DETERMINISTIC },
	{ "t_rdtsc",       t_rdtsc,       1, 0 },
	{ "t_rdtscp_aux",  t_rdtscp_aux,  1, PROG_DETERMINISTIC | PROG_NEEDS_RDTSCP },
	{ "t_pushf",       t_pushf,       1, PROG_DETERMINISTIC },
	{ "t_popf",        t_popf,        1, PROG_DETERMINISTIC },
	{ "t_xgetbv",      t_xgetbv,      1, PROG_DETERMINISTIC | PROG_NEEDS_XSAVE },
	{ "t_rdpid",       t_rdpid,       1, PROG_DETERMINISTIC | PROG_NEEDS_RDPID },
	{ "t_redzone",     t_redzone,     1, PROG_DETERMINISTIC },
	{ "t_mmio",        t_mmio,        8, PROG_DETERMINISTIC },
	{ "t_mmio_rip",    t_mmio_rip,    3, PROG_DETERMINISTIC },
	{ "t_segments",    t_segments,    8, PROG_DETERMINISTIC },  /* mov to %ss + lsl: one SHADOW site */
	{ "t_noinstr_cpuid", t_noinstr_cpuid, 1, PROG_DETERMINISTIC },
	{ "t_entry_cpuid", t_entry_cpuid, 1, PROG_DETERMINISTIC | PROG_STAYS_NATIVE },
};
const unsigned prog_ntests = sizeof prog_tests / sizeof prog_tests[0];
