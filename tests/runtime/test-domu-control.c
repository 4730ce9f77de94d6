/* SPDX-License-Identifier: MIT */
/*
 * xl shutdown and xl reboot as the blob answers them (runtime/xen/
 * domu-control.c): the XenStore client it uses (xenstore.c) against the
 * scripted xenstored of play-xenstored.h, the power button model
 * (power-button.c), its SCHEDOP_shutdown trapped (xen-trap.h).
 *
 * What it pins: nothing is asked of xenstored unless a watch event (or
 * activation) said to look, and never from an entry that may not exit
 * (the exit rule, domu-dev.h) except the SCI handler's PM1 status read; "poweroff" and "halt" are acknowledged
 * (the node written empty) and press the ACPI power button once; an empty
 * or missing node presses nothing; "reboot" is acknowledged and resets the
 * domain; "suspend" is left unanswered; a watch event the read skipped
 * makes the next entry look again (and that look, finding none, ends it);
 * a hostile xenstored (another request's id, no answer) breaks the ring
 * for good without a press.
 */
#define _GNU_SOURCE                     /* REG_RIP and friends (xen-trap.h) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xen/xen.h>
#include <xen/sched.h>

#include "check.h"
#include "play-xenstored.h"
#include "xen/domu-dev.h"
#include "xen/power-button.h"

struct pv_xen_slots pv_xen_slots;

static struct shared_info *sh;
static struct pv_xen_state st;
static struct pv_domu_devs devs;
static struct pv_domu_rt rt;
static int may_exit = 1;
static char said[512];
static size_t nsaid;
static unsigned shutdowns, last_reason;

/* ---- "Xen": SCHEDOP_shutdown recorded ---- */
static long fake_hypercall(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)a3;
	if (nr == 0x7fff)
		return 0x600d;                                  /* xen-trap.h's probe */
	if (nr == __HYPERVISOR_sched_op && a1 == SCHEDOP_shutdown) {
		shutdowns++;
		last_reason = ((const struct sched_shutdown *)(uintptr_t)a2)->reason;
	}
	return 0;
}

#include "xen-trap.h"

/* ---- what domu-dev.c and domu-irq.c give domu-control.c, played ---- */
struct pv_domu_devs *pv_domu_devs_of(const struct pv_xen_state *s)
{
	(void)s;
	return &devs;
}

struct pv_domu_rt *pv_domu_rt_of(const struct pv_xen_state *s)
{
	(void)s;
	return &rt;
}

int pv_domu_may_exit(const struct pv_xen_state *s)
{
	(void)s;
	return may_exit;
}

void pv_domu_console_write(struct pv_xen_state *s, const char *t, unsigned n)
{
	(void)s;
	for (unsigned i = 0; i < n && nsaid + 1 < sizeof said; i++)
		said[nsaid++] = t[i];
	said[nsaid] = 0;
}

/* ---- helpers ---- */
static void node(const char *v)
{
	set("control/shutdown", v, strlen(v));
}

static const char *value(void)
{
	static char v[64];
	int k = key("control/shutdown", 0);

	if (k < 0)
		return "(none)";
	snprintf(v, sizeof v, "%.*s", (int)srv.vlen[k], srv.value[k]);
	return v;
}

/* a fresh store and client, control/shutdown absent, the button unpressed */
static void fresh(enum fault f)
{
	memset(&ring, 0, sizeof ring);
	memset(&srv, 0, sizeof srv);
	srv.chunk = 64;
	srv.fault = f;
	pv_xs_init(&rt.xs, &ring, 1000, 0);
	rt.control_check = 0;
	rt.control_reads = 0;
	st.pm1_sts = 0;
	st.power_presses = 0;
	nsaid = 0;
	said[0] = 0;
	shutdowns = 0;
	may_exit = 1;
}

int main(void)
{
	int insn;

	sh = aligned_alloc(4096, 4096);
	if (!sh)
		return 2;
	memset(sh, 0, 4096);
	insn = probe_instruction();
	if (insn < 0) {
		printf("FAIL - neither vmcall nor vmmcall traps here: nothing to test with\n");
		return 1;
	}
	pv_xen_slots.vmmcall = (uint64_t)insn;
	st.magic = PV_XEN_STATE_MAGIC;
	st.domu = 1;
	st.devs_active = 1;
	st.shinfo = (uint64_t)(uintptr_t)sh;
	st.acpi.pm1a_evt = 0xb000, st.acpi.sci = 4;
	devs.store.present = 1;
	devs.store.port = 7;

	/* 1: nothing said to look, or may not exit: xenstored is not asked */
	fresh(F_NONE);
	node("poweroff");
	pv_domu_control(&st);
	check(srv.requests == 0 && !st.pm1_sts, "no watch event: control/shutdown is not read");
	rt.control_check = 1;
	may_exit = 0;
	pv_domu_control(&st);
	check(srv.requests == 0 && rt.control_check == 1,
	      "an entry that may not exit (armed, IF off) asks nothing and keeps the look for later");

	/* 1b: from the SCI handler's status read, armed: asked at once */
	pv_domu_control_sci(&st);
	check(srv.requests == 2 && st.pm1_sts == PV_PM1_PWRBTN && !rt.control_check,
	      "from the SCI's PM1 status read the look is made even while armed (an idle kernel makes no IF-on entry)");
	fresh(F_NONE);
	node("poweroff");
	rt.control_check = 1;

		/* 2: poweroff */
	may_exit = 1;
	sh->evtchn_pending[0] = (xen_ulong_t)1 << 7;
	pv_domu_control(&st);
	check(srv.requests == 2 && !strcmp(value(), ""), "poweroff: read, then acknowledged by writing \"\" (value now '%s')", value());
	check(st.pm1_sts == PV_PM1_PWRBTN && st.power_presses == 1 && strstr(said, "ACPI power button pressed"),
	      "poweroff presses the power button once and says so");
	check(!rt.control_check && !(sh->evtchn_pending[0] & ((xen_ulong_t)1 << 7)) && rt.control_reads == 1,
	      "the look is done: the store port's pending bit (our own replies) cleared");
	check(shutdowns == 0, "poweroff ends nothing itself: the kernel's user space powers off");
	rt.control_check = 1;
	pv_domu_control(&st);
	check(st.power_presses == 1 && srv.requests == 3, "the acknowledged (empty) node presses nothing again");

	/* 3: halt is poweroff; missing node is nothing */
	fresh(F_NONE);
	node("halt");
	rt.control_check = 1;
	pv_domu_control(&st);
	check(st.power_presses == 1 && !strcmp(value(), ""), "halt: acknowledged, the power button pressed");
	fresh(F_NONE);
	rt.control_check = 1;
	pv_domu_control(&st);
	check(srv.requests == 1 && !st.power_presses && !rt.xs.broken, "no control/shutdown node (ENOENT): nothing pressed, the ring fine");

	/* 4: reboot resets; suspend is not answered */
	fresh(F_NONE);
	node("reboot");
	rt.control_check = 1;
	pv_domu_control(&st);
	check(shutdowns == 1 && last_reason == SHUTDOWN_reboot && !strcmp(value(), "") && !st.power_presses,
	      "reboot: acknowledged, SCHEDOP_shutdown(reboot), no button");
	fresh(F_NONE);
	node("suspend");
	rt.control_check = 1;
	pv_domu_control(&st);
	check(srv.requests == 1 && !strcmp(value(), "suspend") && !shutdowns && !st.power_presses,
	      "suspend: read, left unanswered (not supported), nothing done");

	/* 5: a watch event during the read, beside the one that caused it */
	fresh(F_WATCH_FIRST);
	node("");
	rt.xs.watch_events = 0;
	rt.control_check = 1;
	pv_domu_control(&st);
	check(rt.control_check == 1 && rt.xs.watch_events == 1,
	      "a watch event skipped by the read (its write may be newer than the answer): the next entry looks again");
	srv.fault = F_NONE;
	node("poweroff");
	pv_domu_control(&st);
	check(!rt.control_check && st.power_presses == 1, "that look sees the newer value and finds no event: the looking ends");

	/* 6: hostile xenstored */
	fresh(F_OTHER_ID);
	node("poweroff");
	rt.control_check = 1;
	pv_domu_control(&st);
	check(rt.xs.broken && !st.power_presses, "a reply with another request's id breaks the ring: no press");
	srv.fault = F_NONE;
	rt.control_check = 1;
	{
		unsigned before = srv.requests;

		pv_domu_control(&st);
		check(!st.power_presses && srv.requests == before, "a broken ring stays refused: later looks ask nothing");
	}
	fresh(F_SILENT);
	node("poweroff");
	rt.control_check = 1;
	pv_domu_control(&st);
	check(!st.power_presses && rt.xs.broken, "a silent xenstored: the read gives up after its budget, no press");
	return check_summary();
}
