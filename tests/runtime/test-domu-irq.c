/* SPDX-License-Identifier: MIT */
/*
 * A Xen domU's events, interrupt line and exit rule (runtime/xen/domu-irq.c,
 * docs/xen-domu.md), run as the blob runs them: its real hypercall
 * instructions trapped and logged (xen-trap.h), a fake shared_info page,
 * the console ring of a fake xenconsoled, the 8259 model programmed as
 * Linux's init_8259A does, and the devices behind the line played by this
 * file (pv_domu_devs_event, pv_domu_devs_line).
 *
 * What it pins: an event is taken once, only on an unmasked port, and one
 * Xen sets during the scan is taken in the same pass; the line raises the
 * upcall flag only when the 8259 lets it through, the callback vector is
 * registered once (ICW2's base + 4), a rising edge costs no hypercall; armed with
 * IF off the blob makes no hypercall at all (notifications wait, console
 * output goes into the ring and the rest is held in order, THRE is held
 * back once the held part is half full); an entry with IF on first exits
 * on purpose, then sends what waited, console bytes in their order.
 * Without the rule (previrt.exit_rule=off, the default): a rising line's
 * flag costs one exit at the entry's end (pv_domu_leave: a send on the
 * doorbell when the loader bound one), none for a level already up, and
 * notifications go out at once.
 */
#define _GNU_SOURCE                     /* REG_RIP and friends (xen-trap.h) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xen/xen.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/sched.h>
#include <xen/version.h>

#include "check.h"
#include "xen/domu-dev.h"
#include "xen/power-button.h"

struct pv_xen_slots pv_xen_slots;

static struct shared_info *sh;
static struct xencons_interface *cons;
static struct pv_xen_state st;

/* ---- "Xen": every hypercall logged in order ---- */
enum { H_KICK = 1, H_SEND, H_PARAM, H_YIELD, H_OTHER };
static struct {
	int kind;
	uint64_t arg;
} hlog[4096];
static unsigned nh;
static char drained[16384];             /* what the fake xenconsoled read from out[] */
static size_t ndrained;

static void xenconsoled_reads(void)
{
	uint32_t c = cons->out_cons, p = cons->out_prod;

	while (c != p && ndrained < sizeof drained)
		drained[ndrained++] = cons->out[MASK_XENCONS_IDX(c++, cons->out)];
	cons->out_cons = c;
}

static long fake_hypercall(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	int kind = H_OTHER;
	uint64_t arg = 0;

	(void)a3;
	if (nr == 0x7fff)
		return 0x600d;                                  /* xen-trap.h's probe */
	if (nr == __HYPERVISOR_xen_version && a1 == XENVER_version)
		kind = H_KICK;
	else if (nr == __HYPERVISOR_event_channel_op && a1 == EVTCHNOP_send)
		kind = H_SEND, arg = ((const struct evtchn_send *)(uintptr_t)a2)->port;
	else if (nr == __HYPERVISOR_hvm_op && a1 == HVMOP_set_param)
		kind = H_PARAM, arg = ((const struct xen_hvm_param *)(uintptr_t)a2)->value;
	else if (nr == __HYPERVISOR_sched_op && a1 == SCHEDOP_yield) {
		kind = H_YIELD;
		xenconsoled_reads();                            /* dom0 runs: the ring drains */
	}
	if (nh < sizeof hlog / sizeof hlog[0])
		hlog[nh].kind = kind, hlog[nh].arg = arg, nh++;
	return 0;
}

#include "xen-trap.h"

/* hypercalls of `kind` (0: any) logged since index `from` */
static unsigned calls(unsigned from, int kind)
{
	unsigned n = 0;

	for (unsigned i = from; i < nh; i++)
		n += !kind || hlog[i].kind == kind;
	return n;
}

/* ---- the devices behind the shared line, played ---- */
static int dev_level;                   /* the virtio devices' InterruptStatus != 0 */
static uint32_t events[64];
static unsigned nevents;
static uint32_t raise_during_scan;      /* set a pending bit (+ selector) while port 3 is served */

int pv_domu_devs_event(struct pv_xen_state *s, uint32_t port)
{
	(void)s;
	if (nevents < 64)
		events[nevents++] = port;
	if (port == 3 && raise_during_scan) {
		__atomic_fetch_or(&sh->evtchn_pending[0], (xen_ulong_t)1 << raise_during_scan, __ATOMIC_SEQ_CST);
		__atomic_fetch_or(&sh->vcpu_info[0].evtchn_pending_sel, (xen_ulong_t)1, __ATOMIC_SEQ_CST);
		raise_during_scan = 0;
	}
	return port == 3 || port == 9;
}

int pv_domu_devs_line(const struct pv_xen_state *s, int *level)
{
	(void)s;
	*level = dev_level;
	return PV_COM1_IRQ;
}

char *pv_domu_devs_stats(const struct pv_xen_state *s, char *b)
{
	(void)s;
	return b;
}

/* xen/domu-control.c (its XenStore side): here only whether sync asks it, and when */
static unsigned control_calls, control_calls_may_exit;

void pv_domu_control(struct pv_xen_state *s)
{
	control_calls++;
	control_calls_may_exit += (unsigned)pv_domu_may_exit(s);
}

static void post_event(uint32_t port)
{
	sh->evtchn_pending[0] |= (xen_ulong_t)1 << port;
	sh->vcpu_info[0].evtchn_pending_sel |= 1;
	sh->vcpu_info[0].evtchn_upcall_pending = 1;
}

/* what the blob does at one port-I/O or MMIO entry of a domU: the rule's bookkeeping, then the sync */
static void entry(int irqs_on)
{
	pv_domu_entry(&st, irqs_on);
	pv_domu_sync(&st);
}

int main(void)
{
	int insn;
	unsigned h;
	static char text[7000];

	sh = aligned_alloc(4096, 4096);
	cons = aligned_alloc(4096, 4096);
	if (!sh || !cons)
		return 2;
	memset(sh, 0, 4096);
	memset(cons, 0, 4096);
	insn = probe_instruction();
	if (insn < 0) {
		printf("FAIL - neither vmcall nor vmmcall traps here: nothing to test with\n");
		return 1;
	}
	pv_xen_slots.vmmcall = (uint64_t)insn;
	st.magic = PV_XEN_STATE_MAGIC;
	st.domu = 1;
	st.shinfo = (uint64_t)(uintptr_t)sh;
	pv_uart_reset(&st.com1);
	pv_consring_init(&st.cons, cons, 2);
	pv_pic_reset(&st.pic);
	st.acpi.pic = 1;
	st.exit_rule = 1;                       /* sections 1-5: previrt.exit_rule=on (an unpatched QEMU) */
	/* every port masked but the console's (2) and the devices' (3, 5, 9), as the loader and activation leave them */
	for (unsigned i = 0; i < sizeof sh->evtchn_mask / sizeof sh->evtchn_mask[0]; i++)
		sh->evtchn_mask[i] = ~(xen_ulong_t)0;
	sh->evtchn_mask[0] &= ~((xen_ulong_t)1 << 2 | (xen_ulong_t)1 << 3 | (xen_ulong_t)1 << 5 | (xen_ulong_t)1 << 9);
	/* Linux's init_8259A: mask all, ICW1..4 with the master's vector base 0x30 */
	for (unsigned i = 0; i < 8; i++)
		pv_pic_write(&st.pic, (const unsigned[]){ 0x21, 0xa1, 0x20, 0x21, 0x21, 0x21, 0xa0, 0xa1 }[i],
			     (const uint8_t[]){ 0xff, 0xff, 0x11, 0x30, 0x04, 0x01, 0x11, 0x38 }[i]);
	pv_pic_write(&st.pic, 0xa1, 0x02);
	pv_pic_write(&st.pic, 0xa1, 0x01);

	/* 1: events, only on unmasked ports, each once */
	post_event(3);
	sh->evtchn_pending[0] |= (xen_ulong_t)1 << 7;           /* masked: Xen would not raise the flag for it */
	h = nh;
	entry(1);
	check(nevents == 1 && events[0] == 3, "an event on an unmasked port is served once (%u served, first port %u)",
	      nevents, nevents ? events[0] : 0);
	check(!(sh->evtchn_pending[0] & 8) && (sh->evtchn_pending[0] & 0x80) && !sh->vcpu_info[0].evtchn_pending_sel,
	      "its pending bit and the selector are cleared, a masked port's bit is left for later");
	check(!sh->vcpu_info[0].evtchn_upcall_pending && !st.upcall,
	      "no line up (the 8259 masks IRQ 4): the upcall flag stays down");
	check(calls(h, H_PARAM) == 1 && hlog[h + calls(h, H_KICK)].kind != H_SEND,
	      "the callback vector is registered on the first sync after ICW2 (once)");

	/* 2: the line through the 8259 */
	pv_pic_write(&st.pic, 0x21, 0xef);                      /* request_irq(4): IRQ 4 unmasked */
	dev_level = 1;
	h = nh;
	entry(1);
	check(sh->vcpu_info[0].evtchn_upcall_pending && st.upcall && st.armed,
	      "a device's level on an unmasked line raises the upcall flag and arms the exit rule");
	check(st.callback_vector == 0x34, "the callback vector is ICW2's base + 4 (0x%02x)", st.callback_vector);
	check(calls(h, 0) == 0, "no hypercall for the rising edge (Xen injects at its next look), the vector not registered again");
	h = nh;
	entry(0);
	check(calls(h, 0) == 0 && sh->vcpu_info[0].evtchn_upcall_pending,
	      "the line still up, IF off, armed: no hypercall at all, the flag up again");
	pv_pic_write(&st.pic, 0x21, 0xff);                      /* mask_and_ack: IRQ 4 masked */
	entry(0);
	check(!sh->vcpu_info[0].evtchn_upcall_pending && !st.upcall, "the handler masks the line: the flag goes down");

	/* 3: armed with IF off: what waits, and in what order it goes out */
	dev_level = 0;
	st.armed = 1;
	h = nh;
	pv_domu_entry(&st, 0);
	pv_domu_notify(&st, 5);
	for (unsigned i = 0; i < sizeof text; i++)
		text[i] = (char)('a' + i % 26);
	pv_domu_console_write(&st, text, sizeof text);
	check(calls(h, 0) == 0, "armed with IF off: a notification and 7000 console bytes cost no hypercall (%u)",
	      calls(h, 0));
	check(st.notify_deferred == (1ull << 5 | 1ull << 2) && st.cons_over_len == PV_CONS_OVER &&
	      st.cons.dropped == sizeof text - 2048 - PV_CONS_OVER,
	      "the notifications wait; the ring took 2048 bytes, 4096 are held, the rest counted as dropped (held %u, dropped %lu)",
	      st.cons_over_len, (unsigned long)st.cons.dropped);
	pv_uart_write(&st.com1, UART_IER_DLM, PV_UART_IER_THRI);  /* the 8250 waits for THRE */
	pv_uart_write(&st.com1, UART_RBR_THR, 'x');
	st.com1.len = 0;
	pv_pic_write(&st.pic, 0x21, 0xef);
	pv_domu_sync(&st);
	check(!sh->vcpu_info[0].evtchn_upcall_pending, "THRE is held back while the held output is over half full");
	h = nh;
	entry(1);
	check(nh > h && hlog[h].kind == H_KICK, "an entry with IF on exits first, on purpose (disarming: %s)",
	      nh > h && hlog[h].kind == H_KICK ? "kick" : "something else");
	xenconsoled_reads();
	check(ndrained == 2048 + PV_CONS_OVER && !memcmp(drained, text, ndrained),
	      "then the held console output reaches xenconsoled whole and in order (%zu bytes)", ndrained);
	{
		int sent5 = 0;

		for (unsigned i = h; i < nh; i++)
			sent5 |= hlog[i].kind == H_SEND && hlog[i].arg == 5;
		check(sent5 && !st.notify_deferred, "and the waiting notification of port 5 is sent");
	}
	check(sh->vcpu_info[0].evtchn_upcall_pending, "THRE's interrupt is let through again once the held output is out");
	pv_pic_write(&st.pic, 0x21, 0xff);
	st.com1.ier = 0;
	entry(0);

	/* 4: an event Xen posts while the blob scans is taken in the same pass */
	nevents = 0;
	st.armed = 0;
	raise_during_scan = 9;
	post_event(3);
	entry(1);
	check(nevents == 2 && events[0] == 3 && events[1] == 9,
	      "an event posted during the scan is served in the same sync (%u served)", nevents);
	check(!sh->vcpu_info[0].evtchn_pending_sel && !(sh->evtchn_pending[0] & (1u << 9)),
	      "nothing left pending");

	/* 5: xl shutdown's power button (xen/power-button.h): the SCI on IRQ 4, level */
	control_calls = control_calls_may_exit = 0;
	st.armed = 0;
	st.acpi.pm1a_evt = 0xb000, st.acpi.gpe0 = 0xafe0, st.acpi.gpe0_len = 4, st.acpi.sci = PV_COM1_IRQ;
	pv_pic_write(&st.pic, 0x21, 0xef);                      /* IRQ 4 unmasked */
	dev_level = 0;
	entry(1);
	check(!sh->vcpu_info[0].evtchn_upcall_pending && control_calls && control_calls == control_calls_may_exit,
	      "no button pressed: the line stays down; sync asks about control/shutdown only where it may exit");
	pv_acpi_power_button(&st);
	entry(1);
	check(!sh->vcpu_info[0].evtchn_upcall_pending, "a press the kernel has not enabled (PWRBTN_EN clear) raises nothing");
	pv_acpi_evt_write(&st, 0xb002, 2, PV_PM1_PWRBTN);      /* acpi_enable_event(ACPI_EVENT_POWER_BUTTON) */
	entry(1);
	check(sh->vcpu_info[0].evtchn_upcall_pending && st.upcall, "enabled and pressed: the SCI raises IRQ 4");
	check(pv_acpi_evt_read(&st, 0xb000, 2) == PV_PM1_PWRBTN && pv_acpi_evt_read(&st, 0xb000, 4) == (PV_PM1_PWRBTN | PV_PM1_PWRBTN << 16),
	      "PM1 status reads PWRBTN_STS, the 32-bit read status and enable (0x%x)", pv_acpi_evt_read(&st, 0xb000, 4));
	check(pv_acpi_evt_read(&st, 0xafe0, 1) == 0 && pv_acpi_evt_read(&st, 0xafe2, 2) == 0,
	      "the GPE0 block reads nothing pending, nothing enabled");
	pv_acpi_evt_write(&st, 0xb000, 2, 0x0001);             /* a status bit that is not set: nothing changes */
	check(st.pm1_sts == PV_PM1_PWRBTN, "writing 1 to another status bit leaves PWRBTN_STS");
	pv_acpi_evt_write(&st, 0xb001, 1, PV_PM1_PWRBTN >> 8); /* the handler clears it, byte-wide */
	entry(1);
	check(!st.pm1_sts && !sh->vcpu_info[0].evtchn_upcall_pending, "write 1 to clear: the SCI goes down with it");
	check(pv_acpi_evt_port(&st, 0xb003) && !pv_acpi_evt_port(&st, 0xb004) && pv_acpi_evt_port(&st, 0xafe3) &&
	      !pv_acpi_evt_port(&st, 0xafe4) && st.power_presses == 1,
	      "the modelled ports are the PM1a event block's 4 and GPE0's gpe0_len");
	pv_acpi_evt_write(&st, 0xb002, 2, 0);                   /* the button's enable off again */

	/* 6: without the exit rule (a VMM that delivers an injection once): hardware's timing */
	st.exit_rule = 0;
	st.armed = 0;
	st.upcall = 0;
	dev_level = 0;
	pv_pic_write(&st.pic, 0x21, 0xef);                      /* IRQ 4 unmasked */
	entry(0);
	pv_domu_leave(&st);
	dev_level = 1;
	h = nh;
	entry(0);                               /* the access that raises the device's level, IF off */
	check(sh->vcpu_info[0].evtchn_upcall_pending && st.upcall && !st.armed && calls(h, 0) == 0 && st.kick,
	      "rule off: a rising line raises the flag with no hypercall under the lock, nothing armed, a kick due "
	      "(%u %u %u %u %u)", sh->vcpu_info[0].evtchn_upcall_pending, st.upcall, st.armed, calls(h, 0), st.kick);
	pv_domu_leave(&st);
	check(calls(h, H_KICK) == 1 && calls(h, 0) == 1 && !st.kick,
	      "at the entry's end, every lock released: one exit, so Xen injects now or opens its interrupt window");
	h = nh;
	entry(1);
	pv_domu_leave(&st);
	check(calls(h, 0) == 0 && sh->vcpu_info[0].evtchn_upcall_pending,
	      "the line still up at the next entry, IF on: no second kick (a level, not a new edge), no disarming exit");
	h = nh;
	pv_domu_entry(&st, 0);
	pv_domu_notify(&st, 5);
	check(calls(h, H_SEND) == 1 && hlog[h].arg == 5 && !st.notify_deferred,
	      "rule off: a notification from an entry with IF off goes out at once (%u sends, %u calls, arg %lu)",
	      calls(h, H_SEND), calls(h, 0), (unsigned long)hlog[h].arg);
	pv_pic_write(&st.pic, 0x21, 0xff);
	entry(0);
	dev_level = 0;
	pv_pic_write(&st.pic, 0x21, 0xef);
	entry(0);
	dev_level = 1;
	h = nh;
	entry(0);
	pv_domu_leave(&st);
	check(calls(h, H_KICK) == 1, "the line down and up again: a new edge, a new kick");
	/* more than one vCPU: the kick is the doorbell, an event bound to vCPU 0 (the loader's IPI channel) */
	st.doorbell = 11;
	pv_pic_write(&st.pic, 0x21, 0xff);
	entry(0);
	pv_pic_write(&st.pic, 0x21, 0xef);
	h = nh;
	entry(0);
	pv_domu_leave(&st);
	check(calls(h, 0) == 1 && calls(h, H_SEND) == 1 && hlog[h].arg == 11,
	      "with a doorbell the kick is one send on it (it wakes vCPU 0, whichever vCPU made the access)");
	st.doorbell = 0;
	return check_summary();
}
