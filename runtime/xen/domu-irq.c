/* SPDX-License-Identifier: MIT */
/*
 * A Xen domU's interrupts and events inside the kernel (domu-dev.h says
 * how they work): console input, the 2-level event channel scan, the 8259
 * lines raised through Xen's callback vector.  Part of the handler blob.
 * The devices behind the lines are domu-dev.c's (pv_domu_devs_event,
 * pv_domu_devs_line; the host harness binds its own).
 */
#include <stdint.h>

#include <xen/hvm/params.h>

#include "xen/consout.h"
#include "xen/domu-dev.h"
#include "xen/hypercall.h"
#include "xen/power-button.h"

extern struct pv_xen_slots pv_xen_slots __attribute__((visibility("hidden")));

/*
 * A domU's console input, one byte per call: from the ring's in[] into
 * the UART model when it has room (xenconsoled is told there is room
 * again in in[]).
 */
void pv_domu_console_input(struct pv_xen_state *st)
{
	uint8_t c;

	if (!st->domu || st->com1.rx_full || !(st->com1.ier & PV_UART_IER_RDI))
		return;
	if (pv_consring_get(&st->cons, &c) == 1) {
		pv_uart_rx(&st->com1, c);
		st->com1_rx++;
		pv_domu_notify(st, st->cons.port);      /* room again in in[] */
	}
}

/*
 * The exit rule (domu-dev.h).  `armed`: the callback vector may have been
 * injected since the guest's last exit that the blob knows of, so QEMU may
 * still hold it for a second delivery at the next exit.  That exit is
 * harmless only where the kernel holds no lock an interrupt handler takes:
 * with IF on.  So an entry with IF on first makes that exit itself (a
 * XENVER_version call, before any model lock is taken: a second delivery
 * then lands on the blob's entry, where nothing is held), and an entry
 * with IF off while armed makes none at all.  Only with st->exit_rule:
 * on a VMM that delivers each injection once, `armed` stays 0.
 */
void pv_domu_entry(struct pv_xen_state *st, int irqs_on)
{
	struct shared_info *sh = (struct shared_info *)(uintptr_t)st->shinfo;

	if (!st->domu || !sh)
		return;
	st->entry_if = (uint8_t)irqs_on;
	if (!st->exit_rule)
		return;                         /* a VMM that delivers an injection once: nothing to guard */
	if (__atomic_load_n(&sh->vcpu_info[0].evtchn_upcall_pending, __ATOMIC_ACQUIRE))
		st->armed = 1;                  /* Xen's (an event) or ours: an injection may follow or have been */
	if (irqs_on && st->armed) {
		st->armed = 0;
		st->exits_consumed++;
		pv_xen_kick(pv_xen_slots.vmmcall);
	}
}

/*
 * The end of an entry, every model lock released.  Without the exit rule
 * a line that went up here is made known to Xen at once, by an exit
 * (with more than one vCPU, an event that wakes vCPU 0): with
 * IF on Xen injects the vector right after it (the access's own
 * interrupt, as on hardware: the handler enters the blob afresh, nothing
 * held); with IF off it opens an interrupt window, and the vector comes
 * at the kernel's next sti.  Without it Xen would look at the flag only
 * at the guest's next exit of its own.
 */
void pv_domu_leave(struct pv_xen_state *st)
{
	if (!st->kick)
		return;
	st->kick = 0;
	/*
	 * The flag is vCPU 0's (the 8259's interrupts go to the boot CPU):
	 * an event on the doorbell, bound to vCPU 0, makes Xen look at vCPU
	 * 0 and wakes it from HLT whichever vCPU made the access; its pending
	 * bit is dropped by the next scan (no device owns it).  Without one,
	 * any exit of this vCPU, which is enough with one vCPU.
	 */
	if (st->doorbell)
		pv_xen_evtchn_send(pv_xen_slots.vmmcall, st->doorbell);
	else
		pv_xen_kick(pv_xen_slots.vmmcall);
}

int pv_domu_may_exit(const struct pv_xen_state *st)
{
	return !st->domu || !st->exit_rule || !st->armed;
}

void pv_domu_notify(struct pv_xen_state *st, uint32_t port)
{
	if (pv_domu_may_exit(st) || port >= 64) {
		pv_xen_evtchn_send(pv_xen_slots.vmmcall, port);
		return;
	}
	st->notify_deferred |= 1ull << port;
	st->exits_deferred++;
}

static void pv_domu_console_nowait(struct pv_xen_state *st, const char *s, unsigned n)
{
	unsigned room, i;

	if (!st->cons_over_len) {
		int k = pv_consring_put(&st->cons, s, n);

		if (k == PV_CONSRING_MALFORMED) {
			st->cons.intf = 0;
			st->cons.dropped += n;
			return;
		}
		k = k < 0 ? 0 : k;
		s += k, n -= (unsigned)k;
	}
	room = PV_CONS_OVER - st->cons_over_len;
	for (i = 0; i < n && i < room; i++)
		st->cons_over[st->cons_over_len + i] = s[i];
	st->cons_over_len = (uint16_t)(st->cons_over_len + i);
	st->cons.dropped += n - i;
}

/* Held-over console output, when the entry may exit: in order, before anything newer. */
static void console_flush(struct pv_xen_state *st)
{
	unsigned n = st->cons_over_len;

	if (!n || !pv_domu_may_exit(st))
		return;
	st->cons_over_len = 0;
	pv_xen_consout(pv_xen_slots.vmmcall, &st->cons, &st->cons_stalled, st->cons_over, n);
}

void pv_domu_console_write(struct pv_xen_state *st, const char *s, unsigned n)
{
	if (!pv_domu_may_exit(st)) {
		pv_domu_console_nowait(st, s, n);
		pv_domu_notify(st, st->cons.port);
		return;
	}
	console_flush(st);
	pv_xen_consout(pv_xen_slots.vmmcall, &st->cons, &st->cons_stalled, s, n);
}

/* What waited for an entry that may exit. */
static void flush_deferred(struct pv_xen_state *st)
{
	uint64_t ports;

	if (!pv_domu_may_exit(st))
		return;
	console_flush(st);
	if (!st->notify_deferred)
		return;
	ports = st->notify_deferred;
	st->notify_deferred = 0;
	while (ports) {
		pv_xen_evtchn_send(pv_xen_slots.vmmcall, (uint32_t)__builtin_ctzll(ports));
		ports &= ports - 1;
	}
}

/* Take every pending event of an unmasked port (Xen's 2-level ABI) and serve it. */
static void take_events(struct pv_xen_state *st, struct shared_info *sh)
{
	const unsigned bits = 8 * sizeof(xen_ulong_t);
	xen_ulong_t sel = __atomic_exchange_n(&sh->vcpu_info[0].evtchn_pending_sel, 0, __ATOMIC_ACQ_REL);

	while (sel) {
		unsigned w = (unsigned)__builtin_ctzl(sel);
		xen_ulong_t pend;

		sel &= sel - 1;
		if (w >= sizeof sh->evtchn_pending / sizeof sh->evtchn_pending[0])
			break;
		pend = __atomic_load_n(&sh->evtchn_pending[w], __ATOMIC_ACQUIRE) &
		       ~__atomic_load_n(&sh->evtchn_mask[w], __ATOMIC_ACQUIRE);
		if (!pend)
			continue;
		__atomic_fetch_and(&sh->evtchn_pending[w], ~pend, __ATOMIC_ACQ_REL);
		while (pend) {
			uint32_t port = w * bits + (unsigned)__builtin_ctzl(pend);

			pend &= pend - 1;
			pv_domu_devs_event(st, port);   /* the console's needs nothing: its input is pulled */
		}
	}
}

/*
 * The line to deliver: the lowest-numbered one (the 8259's fixed
 * priority) that is up and unmasked, or -1.  The 8259 must be through
 * its initialisation (its vector base known).
 */
static int deliverable(const struct pv_xen_state *st)
{
	const struct pv_pic *p = &st->pic;
	uint8_t up = 0;
	int level, line;

	if (!p->vector[0] || p->init_step[0])
		return -1;
	/* THRE held back while held-over console output waits (see cons_over) */
	if (pv_uart_irq(&st->com1) && (st->cons_over_len < PV_CONS_OVER / 2 || (st->com1.rx_full && (st->com1.ier & PV_UART_IER_RDI))))
		up |= 1u << PV_COM1_IRQ;
	line = pv_domu_devs_line(st, &level);
	if (line >= 0 && line < 8 && level)
		up |= (uint8_t)(1u << line);
	if (pv_acpi_sci(st) && st->acpi.sci < 8)        /* the power button (xen/power-button.h) */
		up |= (uint8_t)(1u << st->acpi.sci);
	up &= (uint8_t)~p->imr[0];
	return up ? __builtin_ctz(up) : -1;
}

void pv_domu_sync(struct pv_xen_state *st)
{
	struct shared_info *sh = (struct shared_info *)(uintptr_t)st->shinfo;
	int level, devline = pv_domu_devs_line(st, &level);
	unsigned park = devline >= 0 && devline < 8 ? (unsigned)devline : PV_COM1_IRQ;

	(void)level;
	if (!sh)
		return;
	flush_deferred(st);
	pv_domu_control(st);                    /* a control/shutdown request, when the entry may exit */
	for (unsigned round = 0; round < 4; round++) {
		int line;
		uint8_t vec;

		__atomic_store_n(&sh->vcpu_info[0].evtchn_upcall_pending, 0, __ATOMIC_RELEASE);
		take_events(st, sh);
		pv_domu_console_input(st);      /* input that arrived while the line was quiet */
		line = deliverable(st);
		/* no line up: park the vector where an event's interrupt finds a handler that enters the blob */
		vec = st->pic.vector[0] ? (uint8_t)(st->pic.vector[0] + (line >= 0 ? (unsigned)line : park)) : 0;
		if (vec && vec != st->callback_vector && (!st->callback_vector || pv_domu_may_exit(st)) &&
		    pv_xen_set_hvm_param(pv_xen_slots.vmmcall, HVM_PARAM_CALLBACK_IRQ,
					 (uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 | vec) == 0)
			st->callback_vector = vec;
		if (line >= 0 && st->callback_vector == vec) {
			/*
			 * Without the exit rule, a rising line's kick comes from
			 * pv_domu_leave, after the model lock.  With it, no kick:
			 * Xen injects at its next look at the flag (the idle HLT,
			 * the tick, any exit).  A kick would have it inject right
			 * after this entry, in the middle of whatever the kernel
			 * is doing (a text_poke's int3 window at a first TCP
			 * connect, say), where an unpatched QEMU's second delivery
			 * (domu-dev.h) then lands inside the handler: boots with
			 * the kick stopped at the network test's start 4 times in
			 * 4, boots without it 1 in 6.
			 */
			__atomic_store_n(&sh->vcpu_info[0].evtchn_upcall_pending, 1, __ATOMIC_RELEASE);
			if (!st->upcall && !st->exit_rule)
				st->kick = 1;           /* pv_domu_leave: as hardware, the interrupt follows the access */
			if (!st->upcall && line == PV_COM1_IRQ)
				st->com1_irqs++;
			st->armed = st->exit_rule;     /* (the rule's bookkeeping: without it nothing disarms) */
			st->upcall = 1;
			return;
		}
		st->upcall = 0;
		/* an event that came in after take_events raised no flag we kept: look again */
		if (!__atomic_load_n(&sh->vcpu_info[0].evtchn_pending_sel, __ATOMIC_ACQUIRE))
			return;
	}
}
