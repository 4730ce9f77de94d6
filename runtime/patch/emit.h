/* SPDX-License-Identifier: MIT */
/* Little helpers the backends share to write jumps and displacements. */
#ifndef PREVIRT_RT_EMIT_H
#define PREVIRT_RT_EMIT_H

#include <stdint.h>

enum { PV_JMP_LEN = 5 };                /* jmp/call rel32 */

/* rel32 from the end of an instruction at from_end to `to`; -1 when out of reach */
static inline int pv_rel32(intptr_t from_end, intptr_t to, int32_t *out)
{
	intptr_t d = to - from_end;

	if (d < INT32_MIN || d > INT32_MAX)
		return -1;
	*out = (int32_t)d;
	return 0;
}

static inline void pv_put32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;

	p[0] = (uint8_t)u, p[1] = (uint8_t)(u >> 8), p[2] = (uint8_t)(u >> 16), p[3] = (uint8_t)(u >> 24);
}

static inline int32_t pv_get32(const uint8_t *p)
{
	return (int32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);
}

/* `op rel32` (0xe9 jmp, 0xe8 call) at p to target; -1 when out of reach */
static inline int pv_emit_rel32(uint8_t *p, uint8_t op, intptr_t target)
{
	int32_t d;

	if (pv_rel32((intptr_t)p + PV_JMP_LEN, target, &d))
		return -1;
	p[0] = op;
	pv_put32(p + 1, d);
	return 0;
}

#endif
