/* SPDX-License-Identifier: MIT */
/*
 * Which VMM are we running on, and which backend to use.  Freestanding.
 *
 * Detection reads the CPUID hypervisor leaves 0x40000000 + n*0x100
 * (n = 0..255): EBX:ECX:EDX of each base leaf is a 12-byte signature.
 * Xen may sit at 0x40000100 behind a Viridian (Hyper-V) leaf, so every
 * base is looked at and a known signature wins over an unknown one.
 * The CPUID instruction is passed in, so tests can feed fake leaves.
 */
#ifndef PREVIRT_RT_VMM_H
#define PREVIRT_RT_VMM_H

#include <stddef.h>
#include <stdint.h>

enum pv_vmm { PV_VMM_NONE, PV_VMM_XEN, PV_VMM_KVM, PV_VMM_TCG, PV_VMM_OTHER, PV_VMM_UVMM };

/*
 * uvmm (L4Re's VMM on Fiasco) shows KVM's signature at 0x40000000, because
 * its kvm-clock device answers the KVM leaves (uvmm: ARCH-amd64/kvm_clock.h),
 * with max leaf 0x40000001 and features exactly clocksource2 (bit 3), PV EOI
 * (bit 6) and the stable bit (24).  Every KVM sets bit 0 (the old clocksource
 * MSRs 0x11/0x12, kept since Linux 2.6.26); uvmm never does.  So: KVM's
 * signature, bit 3 set and bit 0 clear is uvmm.
 */
#define PV_KVM_FEATURE_CLOCKSOURCE   (1u << 0)
#define PV_KVM_FEATURE_CLOCKSOURCE2  (1u << 3)
#define PV_KVM_FEATURE_PV_EOI        (1u << 6)
#define PV_KVM_FEATURE_STABLE        (1u << 24)
#define PV_UVMM_KVM_FEATURES (PV_KVM_FEATURE_CLOCKSOURCE2 | PV_KVM_FEATURE_PV_EOI | PV_KVM_FEATURE_STABLE)

struct pv_vmm_info {
	enum pv_vmm vmm;
	uint32_t    base;       /* leaf of the signature (0x40000000 + n*0x100), 0 if none */
	uint32_t    max_leaf;   /* EAX of that leaf: highest leaf of this VMM's range */
	char        sig[13];    /* signature as text, NUL-terminated */
	uint32_t    features;   /* KVM signature: EAX of leaf base+1 (0 when absent) */
};

typedef void (*pv_cpuid_fn)(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

/* The real instruction (regs = eax, ebx, ecx, edx). */
void pv_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

void pv_detect_vmm(pv_cpuid_fn cpuid, struct pv_vmm_info *out);
const char *pv_vmm_name(enum pv_vmm vmm);

/*
 * Value of option `key` (e.g. "previrt.backend") in a kernel command line:
 * copies it (NUL-terminated, at most size-1 bytes) and returns its length,
 * or -1 when the option is absent.  A bare "key" gives "".  The last
 * occurrence wins, as with Linux's own parameters.
 */
int pv_cmdline_get(const char *cmdline, const char *key, char *val, size_t size);

/*
 * The backend to use: previrt.backend=NAME from the command line when
 * given, else the VMM's default (xen -> "xen", uvmm -> "l4", everything
 * else -> "native").
 */
const char *pv_choose_backend(const struct pv_vmm_info *vmm, const char *cmdline,
			      char *buf, size_t size);

#endif
