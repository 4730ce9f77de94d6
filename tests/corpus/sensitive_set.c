/*
 * The rest of the sensitive set, in the shapes Linux 6.1 writes them
 * (segment.h, special_insns.h, nospec-branch.h, fpu/xstate.h, smap.h,
 * kvm/vmx/vmx_ops.h, kvm/svm/svm_ops.h, kvm_para.h, sev.c, tdx.c, reboot.c)
 * and the forms that must NOT become sites (int3, `int $3`: assemblers
 * encode both as CC).
 */
#include "kernel_like.h"

/* segment.h: savesegment / loadsegment (loads have an exception-table fixup) */
u16 save_segments(void)
{
	u16 ds, es, fs, gs, cs, ss;

	asm volatile("mov %%ds,%k0" : "=r" (ds));
	asm volatile("mov %%es,%k0" : "=r" (es));
	asm volatile("mov %%fs,%k0" : "=r" (fs));
	asm volatile("mov %%gs,%k0" : "=r" (gs));
	asm volatile("mov %%cs,%k0" : "=r" (cs));
	asm volatile("movl %%ss,%k0" : "=r" (ss));
	return ds ^ es ^ fs ^ gs ^ cs ^ ss;
}

void load_segments(u16 sel, const u16 *mem)
{
	asm volatile("1: mov %k0,%%ds\n"
		     "2:\n"
		     ASM_EXTABLE(1b, 2b, 14)
		     : "+r" (sel) : : "memory");
	asm volatile("mov %0,%%es" : : "rm" (sel) : "memory");
	asm volatile("movw %0,%%fs" : : "m" (*mem) : "memory");
	asm volatile("movl %k0,%%gs" : : "r" (sel) : "memory");
}

/* __switch_to: loadsegment(ss, __KERNEL_DS); mov to %ss is its own kind */
void load_ss(u16 sel)
{
	asm volatile("1: mov %k0,%%ss\n"
		     "2:\n"
		     ASM_EXTABLE(1b, 2b, 14)
		     : "+r" (sel) : : "memory");
}

/* push/pop of segment registers (%fs/%gs: the others are #UD in 64-bit mode) */
u64 push_pop_segments(void)
{
	u64 v;

	asm volatile("push %%fs\n\tpopq %0\n\tpushq %%gs\n\tpop %%gs" : "=r" (v) : : "memory");
	return v;
}

/* lar/lsl/verr/verw (vdso getcpu, signal.c force_valid_ss, MDS buffer clearing) */
u32 descriptor_checks(u32 sel, const u16 *ds)
{
	u32 ar, limit;
	u8 ok;

	asm volatile("lar %1,%0" : "=r" (ar) : "r" (sel));
	asm volatile("lsl %1,%0" : "=r" (limit) : "rm" (sel));
	asm volatile("verr %w1; setz %0" : "=qm" (ok) : "r" (sel) : "cc");
	asm volatile("verw %[ds]" : : [ds] "m" (*ds) : "cc");
	return ar ^ limit ^ ok;
}

/* far transfers: machine_real_restart's ljmp, lretq to a new %cs, lcall */
struct far_ptr { u64 ip; u16 cs; } __attribute__((packed));

void far_transfers(const struct far_ptr *p)
{
	asm volatile("ljmp *%0" : : "m" (*p));
	asm volatile("rex64 lcall *(%0)" : : "r" (p) : "memory");
	asm volatile("pushq $0x10\n\tpushq $1f\n\tlretq\n1:" : : : "memory");
	asm volatile("lretl $8");
}

/* load far pointer into a segment register */
u64 load_far(const struct far_ptr *p)
{
	u64 v;

	asm volatile("lss %1,%k0" : "=r" (v) : "m" (*p));
	asm volatile("lfs %1,%w0" : "=r" (v) : "m" (*p));
	asm volatile("lgs %1,%k0" : "=r" (v) : "m" (*p));
	return v;
}

/* int $n is a site; int3 and `int $3` (the same CC byte) are not */
void software_interrupts(void)
{
	asm volatile("int $0x80");
	asm volatile("int $0x20");
	asm volatile("int3");
	asm volatile("int $3");
	asm volatile("int $0x3");
}

/* smap.h: stac/clac, also as bytes; fpu/xstate.h: XSAVES/XRSTORS as bytes and mnemonics */
void smap_and_xstate(void *buf, u32 lmask, u32 hmask)
{
	int err = 0;

	asm volatile("stac" : : : "memory");
	asm volatile("clac" : : : "memory");
	asm volatile(".byte 0x0f,0x01,0xcb" : : : "memory");
	asm volatile(".byte 0x0f,0x01,0xca" : : : "memory");
	asm volatile("1: .byte 0x48, 0x0f,0xc7,0x2f\n"
		     "2:\n"
		     ASM_EXTABLE(1b, 2b, 3)
		     : "+r" (err) : "D" (buf), "a" (lmask), "d" (hmask) : "memory");
	asm volatile("1: .byte 0x48, 0x0f,0xc7,0x1f\n"
		     "2:\n"
		     ASM_EXTABLE(1b, 2b, 3)
		     : : "D" (buf), "a" (lmask), "d" (hmask) : "memory");
	asm volatile("xsaves (%0)" : : "r" (buf), "a" (lmask), "d" (hmask) : "memory");
	asm volatile("xsaves64 %0" : "=m" (*(char *)buf) : "a" (lmask), "d" (hmask) : "memory");
	asm volatile("xrstors %0" : : "m" (*(char *)buf), "a" (lmask), "d" (hmask) : "memory");
	asm volatile("xrstors64 (%0)" : : "r" (buf), "a" (lmask), "d" (hmask) : "memory");
}

/* kvm_para.h hypercalls */
long hypercalls(unsigned int nr, unsigned long p1)
{
	long ret;

	asm volatile("vmcall" : "=a" (ret) : "a" (nr), "b" (p1) : "memory");
	asm volatile("vmmcall" : "=a" (ret) : "a" (nr), "b" (p1) : "memory");
	return ret;
}

/* kvm/vmx/vmx_ops.h (with the fault fixups), vmenter */
u64 vmx_ops(u64 field, u64 value, u64 *phys, const void *desc)
{
	u64 v = 0;

	asm volatile("1: vmread %[field], %[output]\n"
		     "2:\n"
		     ASM_EXTABLE(1b, 2b, 3)
		     : [output] "=r" (v) : [field] "r" (field) : "cc");
	asm volatile("vmwrite %[value], %[field]" : : [field] "r" (field), [value] "rm" (value) : "cc");
	asm volatile("vmxon %0" : : "m" (*phys) : "memory", "cc");
	asm volatile("vmptrld %0" : : "m" (*phys) : "cc");
	asm volatile("vmptrst %0" : "=m" (*phys) : : "cc");
	asm volatile("vmclear %0" : : "m" (*phys) : "cc");
	asm volatile("invept %1, %0" : : "r" (field), "m" (*(const char *)desc) : "cc");
	asm volatile("invvpid %1, %0" : : "r" (field), "m" (*(const char *)desc) : "cc");
	asm volatile("vmxoff" : : : "cc");
	asm volatile("vmlaunch" : : : "cc", "memory");
	asm volatile("vmresume" : : : "cc", "memory");
	asm volatile("vmfunc" : : "a" (0), "c" (0) : "memory");
	return v;
}

/* kvm/svm/svm_ops.h */
void svm_ops(unsigned long pa, u32 asid)
{
	asm volatile("vmload %0" : : "a" (pa) : "memory");
	asm volatile("vmsave %0" : : "a" (pa) : "memory");
	asm volatile("stgi" : : : "memory");
	asm volatile("clgi" : : : "memory");
	asm volatile("invlpga %0, %1" : : "a" (pa), "c" (asid) : "memory");
	asm volatile("vmrun %0" : : "a" (pa) : "memory");
	asm volatile("skinit" : : "a" (pa) : "memory");
}

/* TLB, MSR, TDX/SEAM, SEV-SNP, shadow stack, key locker, misc system instructions */
void system_insns(u64 *mem, u32 msr, u64 v)
{
	asm volatile("invlpgb" : : "a" (0), "c" (0), "d" (0) : "memory");
	asm volatile("tlbsync" : : : "memory");
	asm volatile("pconfig" : : "a" (0) : "memory");
	asm volatile("encls" : : "a" (0) : "memory");
	asm volatile("enclv" : : "a" (0) : "memory");
	asm volatile("1: wrmsrns\n2:\n" ASM_EXTABLE(1b, 2b, 8)
		     : : "c" (msr), "a" ((u32)v), "d" ((u32)(v >> 32)) : "memory");
	asm volatile(".byte 0x0f,0x01,0xc6" : : "c" (msr), "a" (0), "d" (0) : "memory");
	asm volatile("rdmsrlist" : : "S" (mem), "D" (mem), "c" (v) : "memory");
	asm volatile("wrmsrlist" : : "S" (mem), "D" (mem), "c" (v) : "memory");
	asm volatile("wrussq %1, %0" : "=m" (*mem) : "r" (v));
	asm volatile("wrussd %k1, %0" : "=m" (*mem) : "r" (v));
	asm volatile("setssbsy" : : : "memory");
	asm volatile("clrssbsy %0" : "+m" (*mem));
	asm volatile("loadiwkey %%xmm1, %%xmm2" : : "a" (0));
	asm volatile("tdcall" : : "a" (0) : "memory");
	asm volatile(".byte 0x66,0x0f,0x01,0xcc" : : "a" (0) : "memory");
	asm volatile("seamcall" : : "a" (0) : "memory");
	asm volatile("rdpru" : : "c" (0) : "rax", "rdx");
	asm volatile("enqcmds %1, %0" : : "r" (v), "m" (*mem) : "cc", "memory");
	asm volatile("hreset $1" : : "a" (1));
	asm volatile("getsec" : : "a" (0) : "rbx", "rcx", "rdx");
	asm volatile(".byte 0xF2, 0x0F, 0x01, 0xFF" : : "a" (v), "c" (0), "d" (0) : "memory");
	asm volatile("rmpadjust" : : "a" (v), "c" (0), "d" (0) : "memory");
	asm volatile("rmpupdate" : : "a" (v), "c" (mem) : "memory");
	asm volatile("psmash" : : "a" (v) : "memory");
	asm volatile(".byte 0x0f, 0x01, 0xfa" : : "a" (mem), "c" (0), "d" (0));
	asm volatile(".byte 0x0f, 0x01, 0xfb" : : "a" (0), "b" (0), "c" (0));
}

/* FRED: binutils 2.40 has no mnemonics; Linux writes the bytes */
void fred_returns(void)
{
	asm volatile(".byte 0xf2,0x0f,0x01,0xca" : : : "memory");
	asm volatile(".byte 0xf3,0x0f,0x01,0xca" : : : "memory");
}
