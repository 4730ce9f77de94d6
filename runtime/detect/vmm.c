/* SPDX-License-Identifier: MIT */
/* VMM detection by CPUID signature, and the runtime's command-line options. */
#include "detect/vmm.h"

void pv_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(subleaf));
}

static const struct { const char sig[12]; enum pv_vmm vmm; } known[] = {
	{ "XenVMMXenVMM", PV_VMM_XEN },
	{ "KVMKVMKVM\0\0\0", PV_VMM_KVM },
	{ "TCGTCGTCGTCG", PV_VMM_TCG },
};

static int same12(const char *a, const char *b)
{
	for (int i = 0; i < 12; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

const char *pv_vmm_name(enum pv_vmm vmm)
{
	switch (vmm) {
	case PV_VMM_NONE:  return "none";
	case PV_VMM_XEN:   return "xen";
	case PV_VMM_KVM:   return "kvm";
	case PV_VMM_TCG:   return "tcg";
	case PV_VMM_OTHER: return "other";
	case PV_VMM_UVMM:  return "uvmm";
	}
	return "?";
}

void pv_detect_vmm(pv_cpuid_fn cpuid, struct pv_vmm_info *out)
{
	uint32_t r[4];

	*out = (struct pv_vmm_info){ .vmm = PV_VMM_NONE };
	cpuid(1, 0, r);
	if (!(r[2] & (1u << 31)))               /* CPUID.1:ECX.hypervisor */
		return;
	for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
		char sig[12];
		enum pv_vmm v = PV_VMM_OTHER;

		cpuid(base, 0, r);
		for (int i = 0; i < 4; i++) {
			sig[i] = (char)(r[1] >> (8 * i));
			sig[4 + i] = (char)(r[2] >> (8 * i));
			sig[8 + i] = (char)(r[3] >> (8 * i));
		}
		/* an unused base echoes garbage or zero: a VMM leaf covers itself */
		if (r[0] < base || r[0] > base + 0xff)
			continue;
		for (unsigned k = 0; k < sizeof known / sizeof known[0]; k++)
			if (same12(sig, known[k].sig))
				v = known[k].vmm;
		if (out->vmm == PV_VMM_NONE || (out->vmm == PV_VMM_OTHER && v != PV_VMM_OTHER)) {
			out->vmm = v;
			out->base = base;
			out->max_leaf = r[0];
			for (int i = 0; i < 12; i++)
				out->sig[i] = sig[i] ? sig[i] : ' ';
			out->sig[12] = 0;
		}
		if (v != PV_VMM_OTHER)
			break;
	}
	/* KVM's signature: KVM itself, or uvmm's kvm-clock device (vmm.h) */
	if (out->vmm == PV_VMM_KVM && out->max_leaf >= out->base + 1) {
		cpuid(out->base + 1, 0, r);
		out->features = r[0];
		if ((r[0] & PV_KVM_FEATURE_CLOCKSOURCE2) && !(r[0] & PV_KVM_FEATURE_CLOCKSOURCE))
			out->vmm = PV_VMM_UVMM;
	}
}

int pv_cmdline_get(const char *cmdline, const char *key, char *val, size_t size)
{
	int found = -1;
	const char *p = cmdline;

	if (!p || !size)
		return -1;
	while (*p) {
		const char *w = p, *k = key;
		size_t n = 0;

		while (*p && *p != ' ')
			p++;
		while (k[0] && w < p && *w == *k)
			w++, k++;
		if (!*k && (w == p || *w == '=')) {
			if (w < p)
				w++;
			while (w < p && n + 1 < size)
				val[n++] = *w++;
			val[n] = 0;
			found = (int)n;
		}
		while (*p == ' ')
			p++;
	}
	return found;
}

const char *pv_choose_backend(const struct pv_vmm_info *vmm, const char *cmdline,
			      char *buf, size_t size)
{
	if (pv_cmdline_get(cmdline, "previrt.backend", buf, size) > 0)
		return buf;
	return vmm->vmm == PV_VMM_XEN ? "xen" : vmm->vmm == PV_VMM_UVMM ? "l4" : "native";
}
