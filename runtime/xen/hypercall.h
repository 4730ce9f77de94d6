/* SPDX-License-Identifier: MIT */
/*
 * Calling Xen from 64-bit code through the hypercall page.  Used by the
 * loader (identity-mapped) and by the handler blob inside the kernel: the
 * page address is passed in, as each sees it.
 *
 * Xen fills the page with one 32-byte stub per hypercall
 * (`mov $nr,%eax; vmcall|vmmcall; ret`), arguments in rdi, rsi, rdx;
 * the result comes back in rax.  Argument registers count as clobbered,
 * as Xen's debug builds poison them.  Built with the latest interface
 * version (runtime.mk: RT_XEN_ABI), so that the names mean today's calls.
 */
#ifndef PREVIRT_RT_XEN_HYPERCALL_H
#define PREVIRT_RT_XEN_HYPERCALL_H

#include <stdint.h>

#include <xen/xen.h>
#include <xen/platform.h>
#include <xen/sched.h>

static inline long pv_xen_hypercall3(uint64_t page, unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	long ret;
	register uint64_t rdx __asm__("rdx") = a3;

	__asm__ volatile("call *%[fn]"
			 : "=a"(ret), "+D"(a1), "+S"(a2), "+r"(rdx)
			 : [fn] "r"(page + nr * 32u)
			 : "memory", "cc");
	return ret;
}

static inline long pv_xen_console_write(uint64_t page, const char *s, unsigned n)
{
	return pv_xen_hypercall3(page, __HYPERVISOR_console_io, CONSOLEIO_write, n, (uint64_t)(uintptr_t)s);
}

static inline long pv_xen_shutdown(uint64_t page, unsigned reason)
{
	struct sched_shutdown sd = { .reason = reason };

	return pv_xen_hypercall3(page, __HYPERVISOR_sched_op, SCHEDOP_shutdown, (uint64_t)(uintptr_t)&sd, 0);
}

/*
 * dom0's ACPI sleep (S5 = power off): Xen writes the PM1 control values
 * itself, as it does for a Xen-aware dom0 (XENPF_enter_acpi_sleep).
 */
static inline long pv_xen_acpi_sleep(uint64_t page, uint16_t pm1a, uint16_t pm1b, unsigned state)
{
	struct xen_platform_op op = { .cmd = XENPF_enter_acpi_sleep,
				      .interface_version = XENPF_INTERFACE_VERSION };

	op.u.enter_acpi_sleep.val_a = pm1a;
	op.u.enter_acpi_sleep.val_b = pm1b;
	op.u.enter_acpi_sleep.sleep_state = state;
	return pv_xen_hypercall3(page, __HYPERVISOR_platform_op, (uint64_t)(uintptr_t)&op, 0, 0);
}

#endif
