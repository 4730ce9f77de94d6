/* SPDX-License-Identifier: MIT */
/*
 * Calling Xen from 64-bit code with the hypercall instruction itself.
 * Used by the loader and by the handler blob inside the kernel.
 *
 * Xen accepts both vmcall (Intel VMX) and vmmcall (AMD SVM) from an HVM or
 * PVH guest, but the one that is not native to the CPU is an exit Xen has
 * to emulate (or, on some setups, a #UD).  So the caller says which one:
 * `amd` = 1 for AMD and Hygon (vmmcall), 0 for Intel (vmcall), from
 * CPUID's vendor (pv_xen_hypercall_amd).  The choice is a conditional
 * jump between the two instructions: no hypercall page, and no indirect
 * call or return, which would otherwise bypass the kernel's retpoline and
 * return-thunk configuration (the blob runs in kernel context).
 *
 * Registers as Linux's own wrappers (arch/x86/include/asm/xen/hypercall.h)
 * have them: nr in rax, arguments in rdi, rsi, rdx, r10, r8; the result in
 * rax; all five argument registers clobbered (Xen's debug builds poison
 * them), and memory.  Built with the latest interface version
 * (runtime.mk: RT_XEN_ABI), so that the names mean today's calls.
 */
#ifndef PREVIRT_RT_XEN_HYPERCALL_H
#define PREVIRT_RT_XEN_HYPERCALL_H

#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/hvm/hvm_op.h>
#include <xen/memory.h>
#include <xen/platform.h>
#include <xen/sched.h>
#include <xen/version.h>

static inline long pv_xen_hypercall5(uint64_t amd, unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3,
				     uint64_t a4, uint64_t a5)
{
	long ret = nr;
	register uint64_t rdx __asm__("rdx") = a3;
	register uint64_t r10 __asm__("r10") = a4;
	register uint64_t r8 __asm__("r8") = a5;

	__asm__ volatile("testq %[amd], %[amd]\n\t"
			 "jnz 1f\n\t"
			 "vmcall\n\t"
			 "jmp 2f\n"
			 "1:\tvmmcall\n"
			 "2:"
			 : "+a"(ret), "+D"(a1), "+S"(a2), "+r"(rdx), "+r"(r10), "+r"(r8)
			 : [amd] "r"(amd)
			 : "memory", "cc");
	return ret;
}

static inline long pv_xen_hypercall3(uint64_t amd, unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return pv_xen_hypercall5(amd, nr, a1, a2, a3, 0, 0);
}

/* 1 when CPUID's vendor is AMD or Hygon (vmmcall), 0 otherwise (Intel: vmcall) */
static inline uint64_t pv_xen_hypercall_amd(void)
{
	uint32_t a = 0, b, c, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	/* "AuthenticAMD": ebx "Auth"; "HygonGenuine": ebx "Hygo" */
	return b == 0x68747541u || b == 0x6f677948u;
}

static inline long pv_xen_console_write(uint64_t amd, const char *s, unsigned n)
{
	return pv_xen_hypercall3(amd, __HYPERVISOR_console_io, CONSOLEIO_write, n, (uint64_t)(uintptr_t)s);
}

static inline long pv_xen_shutdown(uint64_t amd, unsigned reason)
{
	struct sched_shutdown sd = { .reason = reason };

	return pv_xen_hypercall3(amd, __HYPERVISOR_sched_op, SCHEDOP_shutdown, (uint64_t)(uintptr_t)&sd, 0);
}

/*
 * dom0's ACPI sleep (S5 = power off): Xen writes the PM1 control values
 * itself, as it does for a Xen-aware dom0 (XENPF_enter_acpi_sleep).
 */
static inline long pv_xen_acpi_sleep(uint64_t amd, uint16_t pm1a, uint16_t pm1b, unsigned state)
{
	struct xen_platform_op op = { .cmd = XENPF_enter_acpi_sleep,
				      .interface_version = XENPF_INTERFACE_VERSION };

	op.u.enter_acpi_sleep.val_a = pm1a;
	op.u.enter_acpi_sleep.val_b = pm1b;
	op.u.enter_acpi_sleep.sleep_state = state;
	return pv_xen_hypercall3(amd, __HYPERVISOR_platform_op, (uint64_t)(uintptr_t)&op, 0, 0);
}

/* Let another vCPU (dom0's xenconsoled) run: a domU waiting for its console ring to drain. */
static inline long pv_xen_yield(uint64_t amd)
{
	return pv_xen_hypercall3(amd, __HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0);
}

/* Raise the remote end of an event channel (a domU's console: xenconsoled). */
static inline long pv_xen_evtchn_send(uint64_t amd, uint32_t port)
{
	struct evtchn_send op = { .port = port };

	return pv_xen_hypercall3(amd, __HYPERVISOR_event_channel_op, EVTCHNOP_send, (uint64_t)(uintptr_t)&op, 0);
}

/* An event channel's state (EVTCHNSTAT_*), or a negative Xen error. */
static inline long pv_xen_evtchn_status(uint64_t amd, uint32_t port)
{
	struct evtchn_status op = { .dom = DOMID_SELF, .port = port };
	long rc = pv_xen_hypercall3(amd, __HYPERVISOR_event_channel_op, EVTCHNOP_status, (uint64_t)(uintptr_t)&op, 0);

	return rc < 0 ? rc : (long)op.status;
}

/* One of this domain's HVM parameters (HVM_PARAM_*) into *v; 0 or a negative Xen error. */
static inline long pv_xen_hvm_param(uint64_t amd, uint32_t index, uint64_t *v)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
	long rc = pv_xen_hypercall3(amd, __HYPERVISOR_hvm_op, HVMOP_get_param, (uint64_t)(uintptr_t)&p, 0);

	*v = p.value;
	return rc;
}

/* Set one of this domain's HVM parameters; 0 or a negative Xen error. */
static inline long pv_xen_set_hvm_param(uint64_t amd, uint32_t index, uint64_t v)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index, .value = v };

	return pv_xen_hypercall3(amd, __HYPERVISOR_hvm_op, HVMOP_set_param, (uint64_t)(uintptr_t)&p, 0);
}

/*
 * The cheapest hypercall (XENVER_version): a VM exit and re-entry, on
 * which Xen looks at this vCPU's evtchn_upcall_pending and injects the
 * callback vector as soon as the guest takes interrupts.
 */
static inline void pv_xen_kick(uint64_t amd)
{
	pv_xen_hypercall3(amd, __HYPERVISOR_xen_version, XENVER_version, 0, 0);
}

/* Map this domain's shared_info page at frame `gfn` (XENMAPSPACE_shared_info). */
static inline long pv_xen_map_shared_info(uint64_t amd, uint64_t gfn)
{
	struct xen_add_to_physmap a = { .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 0, .gpfn = gfn };

	return pv_xen_hypercall3(amd, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, (uint64_t)(uintptr_t)&a, 0);
}

/*
 * Move this domain's page at frame `from` to frame `to` (XENMEM_add_to_physmap,
 * XENMAPSPACE_gmfn): the same page, now at `to`; the RAM page that was at
 * `to` goes back to Xen.  Mappings that other domains hold keep working:
 * they refer to the page, not to the frame number.
 */
static inline long pv_xen_move_frame(uint64_t amd, uint64_t from, uint64_t to)
{
	struct xen_add_to_physmap a = { .domid = DOMID_SELF, .space = XENMAPSPACE_gmfn, .idx = from, .gpfn = to };

	return pv_xen_hypercall3(amd, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, (uint64_t)(uintptr_t)&a, 0);
}

/*
 * Map frame `idx` of this domain's grant table at guest frame `gfn`
 * (XENMAPSPACE_grant_table): the RAM page that was there goes back to Xen.
 */
static inline long pv_xen_map_grant_frame(uint64_t amd, unsigned idx, uint64_t gfn)
{
	struct xen_add_to_physmap a = { .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table, .idx = idx, .gpfn = gfn };

	return pv_xen_hypercall3(amd, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, (uint64_t)(uintptr_t)&a, 0);
}

/* A new event channel that domain `remote` may bind to: its port (>= 0), or a negative Xen error. */
static inline long pv_xen_evtchn_alloc_unbound(uint64_t amd, domid_t remote)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = remote };
	long rc = pv_xen_hypercall3(amd, __HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound,
				    (uint64_t)(uintptr_t)&op, 0);

	return rc < 0 ? rc : (long)op.port;
}

/* An IPI event channel bound to vCPU `vcpu` (any vCPU may send it): its port, or a negative Xen error. */
static inline long pv_xen_evtchn_bind_ipi(uint64_t amd, uint32_t vcpu)
{
	struct evtchn_bind_ipi op = { .vcpu = vcpu };
	long rc = pv_xen_hypercall3(amd, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi, (uint64_t)(uintptr_t)&op, 0);

	return rc < 0 ? rc : (long)op.port;
}

#endif
