/* SPDX-License-Identifier: MIT */
/*
 * PIT channel 2 and port 0x61, modelled in the kernel for the L4 backend.
 *
 * Linux calibrates its TSC against PIT channel 2 (quick_pit_calibrate:
 * tens of thousands of reads of port 0x42; pit_calibrate_tsc: polls of
 * port 0x61's OUT2 bit), and on uvmm every read is an exit.  Channel 2
 * drives only the PC speaker, which a uvmm guest does not have, so the
 * blob can own it: the count runs from the TSC through kvm-clock (PIT
 * ticks = ns * 1.193182 / 1000), and the calibration then agrees with
 * kvm-clock.  Channels 0 and 1, and the read-back command, stay uvmm's
 * (port 0x43 commands for them are passed on).
 *
 * Freestanding, no calls: the same code runs in the blob and in the host
 * tests, which give it the time.
 */
#ifndef PREVIRT_RT_L4_PIT_H
#define PREVIRT_RT_L4_PIT_H

#include <stdint.h>

#define PV_PIT_HZ          1193182u
#define PV_PIT_PER_NS_2_40 1311917484ull    /* 1193182 * 2^40 / 10^9, rounded up: whole seconds come out exact */
#define PV_PORT_PIT2       0x42
#define PV_PORT_PIT_CMD    0x43
#define PV_PORT_61         0x61

/* PIT ticks at ns nanoseconds. */
static inline uint64_t pv_pit_ticks(uint64_t ns)
{
	return (uint64_t)(((unsigned __int128)ns * PV_PIT_PER_NS_2_40) >> 40);
}

struct pv_pit2 {
	uint8_t  port61;        /* bit 0 gate, bit 1 speaker data, as written */
	uint8_t  mode;          /* 0..5, from the last channel-2 command */
	uint8_t  rw;            /* 1 LSB, 2 MSB, 3 LSB then MSB */
	uint8_t  wmsb, rmsb;    /* rw 3: the next write / read is the MSB */
	uint8_t  latched;       /* a latched count waits to be read */
	uint8_t  loaded;        /* a count was loaded: the counter runs */
	uint8_t  refresh;       /* port 0x61 bit 4, toggled on each read */
	uint16_t reload, latch;
	uint64_t start;         /* PIT ticks when the count was loaded */
};

static inline int pv_pit2_owns(unsigned port)
{
	return port == PV_PORT_PIT2 || port == PV_PORT_PIT_CMD || port == PV_PORT_61;
}

/*
 * An out to a port pv_pit2_owns() names, at PIT time now: 1 when handled
 * here, 0 when it goes on to the device (port 0x43 commands for channels
 * 0 and 1, and read-back).
 */
int pv_pit2_out(struct pv_pit2 *p, unsigned port, uint8_t v, uint64_t now);
/* An in from port 0x42 or 0x61 at PIT time now. */
uint8_t pv_pit2_in(struct pv_pit2 *p, unsigned port, uint64_t now);

#endif
