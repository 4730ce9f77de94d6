/* SPDX-License-Identifier: MIT */
/*
 * The blob's real vmcall/vmmcall in user space, trapped (xen-harness.c,
 * test-domu-irq.c).  Both instructions fault at CPL 3 (#UD -> SIGILL, or
 * SIGSEGV under some hypervisors); on_trap reads the call from the
 * registers as Xen would (rax nr; rdi, rsi, rdx), answers in rax with the
 * includer's
 *
 *   static long fake_hypercall(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3);
 *
 * poisons the five argument registers as Xen's debug builds do (a wrapper
 * that forgot a clobber breaks its caller), and steps past the 3-byte
 * instruction.  The blob entry's `cli` faults too (#GP at CPL 3): counted
 * and stepped past, as the CPU would at CPL 0.  Some hypervisors answer a
 * CPL-3 vmcall themselves (KVM: rax = -1, no fault): probe_instruction
 * says which instruction traps here, for the blob to use.  The includer
 * defines _GNU_SOURCE before its first include (ucontext's REG_RIP).
 */
#ifndef PREVIRT_TEST_XEN_TRAP_H
#define PREVIRT_TEST_XEN_TRAP_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <ucontext.h>

#include "xen/hypercall.h"

static unsigned trapped[2], cli_trapped;

static void on_trap(int sig, siginfo_t *info, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;
	const uint8_t *ip = (const uint8_t *)(uintptr_t)g[REG_RIP];
	int amd;

	(void)info;
	if (ip[0] == 0xfa) {                                 /* the entry's cli: privileged at CPL 3 */
		cli_trapped++;
		g[REG_RIP] += 1;
		return;
	}
	if (ip[0] != 0x0f || ip[1] != 0x01 || (ip[2] != 0xc1 && ip[2] != 0xd9)) {
		signal(sig, SIG_DFL);                         /* a real crash: let it happen */
		return;
	}
	amd = ip[2] == 0xd9;
	trapped[amd]++;
	g[REG_RAX] = fake_hypercall((unsigned)g[REG_RAX], (uint64_t)g[REG_RDI], (uint64_t)g[REG_RSI],
				    (uint64_t)g[REG_RDX]);
	g[REG_RDI] = g[REG_RSI] = g[REG_RDX] = g[REG_R10] = g[REG_R8] = (greg_t)0xdeadbeefdeadbeefull;
	g[REG_RIP] += 3;
}

/* Which hypercall instruction traps here: 1 vmmcall, 0 vmcall, -1 neither (fake_hypercall answers 0x7fff with 0x600d). */
__attribute__((noinline)) static int probe_instruction(void)
{
	struct sigaction sa = { 0 };

	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	for (int amd = 1; amd >= 0; amd--) {
		unsigned before = trapped[amd];
		long r = pv_xen_hypercall3((uint64_t)amd, 0x7fff, 1, 2, 3);

		printf("# %s in user space: %s (rax 0x%lx)\n", amd ? "vmmcall" : "vmcall",
		       trapped[amd] > before ? "faults, trapped" : "answered by the host's hypervisor", r);
		if (trapped[amd] > before && r == 0x600d)
			return amd;
	}
	return -1;
}

#endif
