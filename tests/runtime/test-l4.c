/* SPDX-License-Identifier: MIT */
/*
 * The L4 backend's arithmetic and its way in, on the host:
 *
 *   - PIT channel 2 and port 0x61 (l4/pit.h) as the kernel's calibration
 *     drives them, at scripted times;
 *   - kvm-clock (l4/l4-rt.h): the TSC frequency that uvmm's parameters
 *     stand for (uvmm: shift 5 and L4's tsc-to-ns scaler; KVM: other
 *     shifts), nanoseconds at a TSC value, PM timer ticks at a time, all
 *     against values worked out by hand;
 *   - when COM1's modem status may be answered in the kernel: two equal
 *     reads at load without a change bit (l4-rt.h);
 *   - Linux's 32-bit boot protocol as uvmm uses it (loader/linuxboot.c): a
 *     zero page as uvmm's Zeropage writes it becomes the multiboot view the
 *     loader reads (memory map, command line, the ramdisk as the one
 *     module), and each broken field is refused with one named error.
 *
 * Ends with "N passed, M failed".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <asm/bootparam.h>

#include "l4/l4-rt.h"
#include "loader/linuxboot.h"
#include "check.h"

static void clock_checks(void)
{
	/* uvmm's Kvm_clock: shift 5, mul = L4's scaler (ns = tsc * scaler >> 27) */
	check(pv_pvclock_tsc_khz(1u << 26, 5) == 2000000, "2 GHz (mul 2^26, shift 5) -> %u kHz",
	      pv_pvclock_tsc_khz(1u << 26, 5));
	check(pv_pvclock_tsc_khz(44739242, 5) == 3000000, "3 GHz (mul 44739242, shift 5) -> %u kHz",
	      pv_pvclock_tsc_khz(44739242, 5));
	/* KVM's own choice for a 2.5 GHz TSC: shift -1, mul 0.4 * 2 * 2^32 */
	check(pv_pvclock_tsc_khz(3435973836u, -1) == 2500000, "2.5 GHz (mul 3435973836, shift -1) -> %u kHz",
	      pv_pvclock_tsc_khz(3435973836u, -1));
	check(pv_pvclock_tsc_khz(0, 5) == 0 && pv_pvclock_tsc_khz(1, 32) == 0 && pv_pvclock_tsc_khz(1u << 26, -12) == 0,
	      "mul 0, shift 32 and shift -12 give no frequency");
	check(pv_pvclock_tsc_khz(1, 0) == 0, "a frequency above 2^32 kHz is refused, not truncated");

	{
		struct pv_pvclock p = { .version = 2, .tsc_timestamp = 1000, .system_time = 5000000000ull,
					.tsc_to_system_mul = 1u << 26, .tsc_shift = 5 };

		check(pv_pvclock_ns(&p, 1000) == 5000000000ull, "ns at tsc_timestamp is system_time");
		check(pv_pvclock_ns(&p, 1000 + 2000000000ull) == 6000000000ull,
		      "2 GHz: 2e9 ticks later is 1 s later (%llu ns)",
		      (unsigned long long)pv_pvclock_ns(&p, 1000 + 2000000000ull));
		/* a day of TSC ticks: the 64x32 product needs the 128-bit multiply */
		check(pv_pvclock_ns(&p, 1000 + 172800000000000ull) == 5000000000ull + 86400000000000ull,
		      "2 GHz: a day of ticks is 86400 s, no overflow");
		p.tsc_shift = -1, p.tsc_to_system_mul = 3435973836u;
		check(pv_pvclock_ns(&p, 1000 + 2500000000ull) + 1 - 6000000000ull <= 2,
		      "2.5 GHz (shift -1): 2.5e9 ticks are 1 s to within 1 ns (%llu ns)",
		      (unsigned long long)(pv_pvclock_ns(&p, 1000 + 2500000000ull) - 5000000000ull));
	}
	check(pv_pm_ticks(0) == 0 && pv_pm_ticks(279) == 0 && pv_pm_ticks(280) == 1,
	      "PM timer: one tick is 279.365 ns");
	check(pv_pm_ticks(1000000000ull) == PV_PM_TIMER_HZ, "PM timer: 1 s is %llu ticks",
	      (unsigned long long)pv_pm_ticks(1000000000ull));
	/* the constant's rounding (rate error below 2e-10) shows after an hour as at most 2 ticks */
	check(pv_pm_ticks(3600000000000ull) + 2 - 3600ull * PV_PM_TIMER_HZ <= 4,
	      "PM timer: 1 h is 3600 * 3579545 ticks to within 2 (%llu)",
	      (unsigned long long)pv_pm_ticks(3600000000000ull));
}

/* PIT channel 2 driven as Linux's TSC calibration drives it, at scripted PIT times */
static void pit_checks(void)
{
	struct pv_pit2 p = { 0 };
	int out_before, out_after;
	uint8_t lo, hi;

	check(pv_pit_ticks(1000000000ull) == PV_PIT_HZ, "PIT: 1 s is %llu ticks", (unsigned long long)pv_pit_ticks(1000000000ull));
	check(pv_pit2_out(&p, PV_PORT_61, 0x01, 0) && (pv_pit2_in(&p, PV_PORT_61, 0) & 0x03) == 0x01,
	      "port 0x61: gate high, speaker off, as written");
	check(pv_pit2_in(&p, PV_PORT_61, 0) != pv_pit2_in(&p, PV_PORT_61, 0), "port 0x61: the refresh bit toggles");
	check(pv_pit2_out(&p, PV_PORT_PIT_CMD, 0xb0, 100) && pv_pit2_out(&p, PV_PORT_PIT2, 0xff, 100) &&
	      pv_pit2_out(&p, PV_PORT_PIT2, 0xff, 100), "0xb0 (channel 2, LSB/MSB, mode 0), count 0xffff: handled");
	lo = pv_pit2_in(&p, PV_PORT_PIT2, 100), hi = pv_pit2_in(&p, PV_PORT_PIT2, 100);
	check(lo == 0xff && hi == 0xff, "at load: 0x%02x%02x", hi, lo);
	lo = pv_pit2_in(&p, PV_PORT_PIT2, 100 + 256), hi = pv_pit2_in(&p, PV_PORT_PIT2, 100 + 256);
	check(hi == 0xfe && lo == 0xff, "256 ticks later: 0x%02x%02x (the MSB steps as quick_pit_calibrate expects)", hi, lo);
	out_before = !!(pv_pit2_in(&p, PV_PORT_61, 100 + 0xfffe) & 0x20);
	out_after = !!(pv_pit2_in(&p, PV_PORT_61, 100 + 0xffff) & 0x20);
	check(!out_before && out_after, "mode 0: OUT2 (port 0x61 bit 5) rises when the count runs out");
	check(pv_pit2_out(&p, PV_PORT_PIT_CMD, 0x80, 1000), "counter latch for channel 2: handled");
	lo = pv_pit2_in(&p, PV_PORT_PIT2, 5000), hi = pv_pit2_in(&p, PV_PORT_PIT2, 5000);
	check((uint16_t)(hi << 8 | lo) == (uint16_t)(0xffff - 900), "the latched count is read, not the current one: 0x%02x%02x",
	      hi, lo);
	lo = pv_pit2_in(&p, PV_PORT_PIT2, 5000), hi = pv_pit2_in(&p, PV_PORT_PIT2, 5000);
	check((uint16_t)(hi << 8 | lo) == (uint16_t)(0xffff - 4900), "after the latch, the running count again");
	check(!pv_pit2_out(&p, PV_PORT_PIT_CMD, 0x34, 0) && !pv_pit2_out(&p, PV_PORT_PIT_CMD, 0xe8, 0),
	      "channel-0 and read-back commands are not the model's (they go to uvmm)");
	pv_pit2_out(&p, PV_PORT_PIT_CMD, 0xb6, 0);               /* channel 2, mode 3 (square wave) */
	pv_pit2_out(&p, PV_PORT_PIT2, 100, 0);
	pv_pit2_out(&p, PV_PORT_PIT2, 0, 0);
	check(!!(pv_pit2_in(&p, PV_PORT_61, 10) & 0x20) && !(pv_pit2_in(&p, PV_PORT_61, 60) & 0x20) &&
	      !!(pv_pit2_in(&p, PV_PORT_61, 110) & 0x20), "mode 3 with count 100: OUT2 high 50 ticks, low 50, high again");
}

/* ---- the boot protocol: a zero page in simulated physical memory ---- */
#define MEM_SIZE 0x40000
static uint8_t mem_bytes[MEM_SIZE];
static const struct pv_buf mem = { (uintptr_t)mem_bytes, 0, MEM_SIZE };
#define BP      0x1000          /* where uvmm puts it */
#define CMDLINE 0x2000
#define RD      0x30000
#define RD_SIZE 0x8000

static struct boot_params *zero_page(void)
{
	struct boot_params *bp = (void *)(mem_bytes + BP);

	memset(mem_bytes, 0, sizeof mem_bytes);
	/* as uvmm's Zeropage::write for an ELF guest */
	bp->hdr.header = LINUXBOOT_HDRS;
	bp->hdr.version = 0x209;
	bp->hdr.type_of_loader = 0xff;
	bp->e820_entries = 2;
	bp->e820_table[0] = (struct boot_e820_entry){ 0, 0x20000000, 1 };
	bp->e820_table[1] = (struct boot_e820_entry){ 0x20000000, 0x1000, 2 };
	strcpy((char *)mem_bytes + CMDLINE, "console=ttyS0 previrt.backend=l4");
	bp->hdr.cmd_line_ptr = CMDLINE;
	bp->hdr.ramdisk_image = RD;
	bp->hdr.ramdisk_size = RD_SIZE;
	return bp;
}

static void refused(const char *what, const char *field)
{
	struct linuxboot lb;
	struct pv_err e = { 0 };
	int rc = linuxboot_init(&mem, BP, &lb, &e);

	check(rc < 0 && e.field && !strcmp(e.field, field), "%s: refused, field \"%s\" (%s)", what,
	      e.field ? e.field : "-", e.what ? e.what : "accepted");
}

static void boot_checks(void)
{
	static struct linuxboot lb;
	struct boot_params *bp = zero_page();
	struct pv_err e = { 0 };
	const struct mb_mmap *m;

	check(linuxboot_detect(&mem, BP), "uvmm's zero page is recognised (\"HdrS\")");
	check(!linuxboot_detect(&mem, 0) && !linuxboot_detect(&mem, MEM_SIZE - 16),
	      "no zero page at 0 or past the end of memory");
	check(linuxboot_init(&mem, BP, &lb, &e) == 0, "accepted: %s", e.what ? e.what : "ok");
	/* (the mbi's 32-bit addresses point into lb itself in the loader; on the host, read lb) */
	m = lb.mmap;
	check(lb.mbi.mmap_length == 2 * sizeof *m && m[0].base == 0 && m[0].len == 0x20000000 && m[0].type == 1 &&
	      m[1].type == 2, "memory map: the two e820 entries, types kept");
	check(!strcmp(lb.cmdline, "console=ttyS0 previrt.backend=l4") && (lb.mbi.flags & MB_INFO_CMDLINE),
	      "command line copied");
	check(lb.mbi.mods_count == 1 && (lb.mbi.flags & MB_INFO_MODS) && lb.mod.mod_start == RD && lb.mod.mod_end == RD + RD_SIZE,
	      "the ramdisk is the one module [0x%x, 0x%x)", lb.mod.mod_start, lb.mod.mod_end);
	bp->hdr.cmd_line_ptr = 0;
	check(linuxboot_init(&mem, BP, &lb, &e) == 0 && !lb.cmdline[0],
	      "no command line: an empty one");

	zero_page()->hdr.header = 0x12345678;
	refused("no HdrS", "boot_params hdr.header");
	zero_page()->e820_entries = 0;
	refused("no e820 entries", "boot_params e820_entries");
	zero_page()->e820_entries = E820_MAX_ENTRIES_ZEROPAGE + 1;
	refused("e820_entries above the table", "boot_params e820_entries");
	bp = zero_page();
	memset(mem_bytes + CMDLINE, 'x', MEM_SIZE - CMDLINE);
	refused("command line without NUL in memory", "boot_params cmd_line_ptr");
	bp = zero_page();
	memset(mem_bytes + CMDLINE, 'x', 2100);
	refused("command line over 2047 bytes", "boot_params cmd_line_ptr");
	zero_page()->hdr.ramdisk_size = 0;
	refused("no ramdisk", "boot_params ramdisk_size");
	zero_page()->hdr.ramdisk_image = MEM_SIZE - 0x1000;
	refused("ramdisk past the end of memory", "boot_params ramdisk_image/size");
	zero_page()->ext_ramdisk_image = 1;
	refused("ramdisk above 4 GiB", "boot_params ramdisk_image/size");
}

/* COM1's modem status: when the loader lets the blob answer it (l4-rt.h) */
static void msr_checks(void)
{
	check(pv_l4_msr_constant(0x00, 0x00), "uvmm's MSR (0, 0: no modem lines) is taken as its constant");
	check(pv_l4_msr_constant(0xb0, 0xb0), "DCD|DSR|CTS steady (0xb0 twice) is taken too");
	check(!pv_l4_msr_constant(0x00, 0x10), "two reads that differ leave MSR to the device");
	check(!pv_l4_msr_constant(0x01, 0x01) && !pv_l4_msr_constant(0x08, 0x08),
	      "a change bit (DCTS, DDCD) leaves MSR to the device: the lines move");
}

int main(void)
{
	clock_checks();
	pit_checks();
	msr_checks();
	boot_checks();
	return check_summary();
}
