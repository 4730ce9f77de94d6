/* SPDX-License-Identifier: MIT */
/*
 * VMM detection and the runtime's command-line options, with fake CPUID
 * leaves (each VMM's signature at the place it really uses), plus what
 * the real CPUID says here (printed, not judged: it depends on the host).
 * Ends with "N passed, M failed".
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "detect/vmm.h"
#include "check.h"



/* A fake CPU: hypervisor bit, and up to two signature leaves. */
static struct {
	int      hv_bit;
	uint32_t base[2];
	char     sig[2][12];
	uint32_t max[2];
	int      has_feat;      /* leaf base[0]+1 answers feat in EAX */
	uint32_t feat;
} fake;

static void fake_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	(void)sub;
	r[0] = r[1] = r[2] = r[3] = 0;
	if (leaf == 1) {
		r[2] = fake.hv_bit ? 1u << 31 : 0;
		return;
	}
	if (fake.has_feat && fake.base[0] && leaf == fake.base[0] + 1) {
		r[0] = fake.feat;
		return;
	}
	for (int i = 0; i < 2; i++)
		if (fake.base[i] && leaf == fake.base[i]) {
			r[0] = fake.max[i];
			memcpy(&r[1], fake.sig[i], 4);
			memcpy(&r[2], fake.sig[i] + 4, 4);
			memcpy(&r[3], fake.sig[i] + 8, 4);
			return;
		}
	/* unused leaves above the hypervisor range read as the highest basic leaf: garbage */
	r[0] = 0x0d;
}

static void set_fake(int hv, uint32_t b0, const char *s0, uint32_t b1, const char *s1)
{
	memset(&fake, 0, sizeof fake);
	fake.hv_bit = hv;
	fake.base[0] = b0, fake.max[0] = b0 + 5;
	fake.base[1] = b1, fake.max[1] = b1 + 5;
	if (s0)
		memcpy(fake.sig[0], s0, 12);
	if (s1)
		memcpy(fake.sig[1], s1, 12);
}

static void expect(const char *what, enum pv_vmm want, uint32_t want_base)
{
	struct pv_vmm_info v;

	pv_detect_vmm(fake_cpuid, &v);
	check(v.vmm == want && v.base == want_base, "%-42s -> %s at %#x (\"%s\")", what,
	      pv_vmm_name(v.vmm), v.base, v.sig);
}

int main(void)
{
	struct pv_vmm_info v;
	char buf[32];
	const char *b;

	set_fake(0, 0, NULL, 0, NULL);
	expect("no hypervisor bit", PV_VMM_NONE, 0);
	set_fake(0, 0x40000000, "XenVMMXenVMM", 0, NULL);
	expect("signature but no hypervisor bit", PV_VMM_NONE, 0);
	set_fake(1, 0x40000000, "XenVMMXenVMM", 0, NULL);
	expect("Xen at 0x40000000", PV_VMM_XEN, 0x40000000);
	set_fake(1, 0x40000000, "Microsoft Hv", 0x40000100, "XenVMMXenVMM");
	expect("Viridian at 0x40000000, Xen at 0x40000100", PV_VMM_XEN, 0x40000100);
	set_fake(1, 0x40000000, "KVMKVMKVM\0\0\0", 0, NULL);
	expect("KVM", PV_VMM_KVM, 0x40000000);
	/* KVM as Linux's KVM presents it: clocksource (bit 0) always set */
	set_fake(1, 0x40000000, "KVMKVMKVM\0\0\0", 0, NULL);
	fake.has_feat = 1, fake.feat = 0x01007afb;
	expect("KVM (features 0x01007afb, bit 0 set)", PV_VMM_KVM, 0x40000000);
	/* uvmm: kvm-clock's leaves exactly as ARCH-amd64/kvm_clock.h answers them */
	set_fake(1, 0x40000000, "KVMKVMKVM\0\0\0", 0, NULL);
	fake.max[0] = 0x40000001, fake.has_feat = 1, fake.feat = PV_UVMM_KVM_FEATURES;
	expect("uvmm (KVM sig, features 0x01000048)", PV_VMM_UVMM, 0x40000000);
	check(PV_UVMM_KVM_FEATURES == 0x01000048, "uvmm's kvm-clock features are 0x01000048");
	/* uvmm's leaf without the features leaf (max leaf = base): plain KVM */
	set_fake(1, 0x40000000, "KVMKVMKVM\0\0\0", 0, NULL);
	fake.max[0] = 0x40000000, fake.has_feat = 1, fake.feat = PV_UVMM_KVM_FEATURES;
	expect("KVM sig, max leaf base: features unread", PV_VMM_KVM, 0x40000000);
	/* no clocksource2 either: not uvmm */
	set_fake(1, 0x40000000, "KVMKVMKVM\0\0\0", 0, NULL);
	fake.has_feat = 1, fake.feat = 0;
	expect("KVM sig, features 0: KVM", PV_VMM_KVM, 0x40000000);
	set_fake(1, 0x40000000, "TCGTCGTCGTCG", 0, NULL);
	expect("QEMU TCG", PV_VMM_TCG, 0x40000000);
	set_fake(1, 0x40000000, "VMwareVMware", 0, NULL);
	expect("an unknown VMM", PV_VMM_OTHER, 0x40000000);
	set_fake(1, 0, NULL, 0, NULL);
	expect("hypervisor bit, no signature leaves", PV_VMM_NONE, 0);

	check(pv_cmdline_get("console=ttyS0 previrt.backend=profile quiet", "previrt.backend", buf,
			     sizeof buf) == 7 && strcmp(buf, "profile") == 0,
	      "cmdline: previrt.backend=profile is read");
	check(pv_cmdline_get("previrt.backend=xen previrt.backend=native", "previrt.backend", buf,
			     sizeof buf) == 6 && strcmp(buf, "native") == 0, "cmdline: the last occurrence wins");
	check(pv_cmdline_get("previrt.verbose console=ttyS0", "previrt.verbose", buf, sizeof buf) == 0,
	      "cmdline: a bare flag reads as present and empty");
	check(pv_cmdline_get("xprevirt.backend=x previrt.backendx=y", "previrt.backend", buf,
			     sizeof buf) == -1, "cmdline: no match on a longer or shorter word");
	check(pv_cmdline_get("previrt.backend=averyveryverylongname", "previrt.backend", buf, 8) == 7 &&
	      strcmp(buf, "averyve") == 0, "cmdline: the value is cut to the buffer");

	set_fake(1, 0x40000000, "XenVMMXenVMM", 0, NULL);
	pv_detect_vmm(fake_cpuid, &v);
	b = pv_choose_backend(&v, "console=ttyS0", buf, sizeof buf);
	check(strcmp(b, "xen") == 0, "backend default on Xen: %s", b);
	b = pv_choose_backend(&v, "previrt.backend=native", buf, sizeof buf);
	check(strcmp(b, "native") == 0, "previrt.backend=native overrides Xen: %s", b);
	set_fake(1, 0x40000000, "TCGTCGTCGTCG", 0, NULL);
	pv_detect_vmm(fake_cpuid, &v);
	b = pv_choose_backend(&v, "", buf, sizeof buf);
	check(strcmp(b, "native") == 0, "backend default on TCG: %s", b);
	set_fake(1, 0x40000000, "KVMKVMKVM\0\0\0", 0, NULL);
	fake.max[0] = 0x40000001, fake.has_feat = 1, fake.feat = PV_UVMM_KVM_FEATURES;
	pv_detect_vmm(fake_cpuid, &v);
	b = pv_choose_backend(&v, "console=ttyS0", buf, sizeof buf);
	check(strcmp(b, "l4") == 0, "backend default on uvmm: %s", b);
	b = pv_choose_backend(&v, "previrt.backend=native", buf, sizeof buf);
	check(strcmp(b, "native") == 0, "previrt.backend=native overrides uvmm: %s", b);

	pv_detect_vmm(pv_cpuid, &v);
	printf("this machine: %s (%s%s%s)\n", pv_vmm_name(v.vmm), v.base ? "signature \"" : "no signature",
	       v.sig, v.base ? "\"" : "");
	return check_summary();
}
