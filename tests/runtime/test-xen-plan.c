/* SPDX-License-Identifier: MIT */
/*
 * The Xen backend's thunk layout with MMIO sites (patch/xen.c) on a
 * hand-made image: port-I/O thunks take one 32-byte slot, MMIO thunks two,
 * and plan and emit agree on a pool that runs full between them.
 *
 *   - keep_when_full (a module): a later, smaller port-I/O thunk still
 *     takes the slot an MMIO thunk had no room for; the skipped site is
 *     left as it was, every jmp goes to its own thunk;
 *   - at boot (keep_when_full 0) the same pool refuses, nothing written;
 *   - the MMIO thunk's bytes: lea, push $desc (the descriptor written out
 *     by hand from the SDM's encoding), call pv_xen_mmio_entry, the copied
 *     mov, lea, jmp back, int3 to the end of its two slots;
 *   - mmio_entry 0: pool and sites byte for byte what an image without the
 *     MMIO records gives (dom0, every boot without models).
 */
#include <string.h>

#include "check.h"
#include "patch/backend.h"
#include "patch/emit.h"
#include "xen/xen-rt.h"

static uint64_t plan_bits[64];

enum { TEXT = 0, RECS = 256, SIZE = 512 };
static uint8_t buf[SIZE] __attribute__((aligned(64)));
static uint8_t pool[4 * PV_XEN_THUNK] __attribute__((aligned(64)));
static uint8_t entries[64] __attribute__((aligned(64)));   /* stand-ins for the blob's entries: never run */
static unsigned nrec;
static struct pv_range text;

static void put_rec(unsigned site_off, unsigned kind, unsigned ilen, unsigned flags, unsigned width)
{
	struct previrt_site *r = (struct previrt_site *)(buf + RECS + nrec * PREVIRT_RECORD_SIZE);

	*r = (struct previrt_site){ .addr = (int32_t)((intptr_t)(buf + TEXT + site_off) - (intptr_t)r),
				    .kind = (uint16_t)kind, .length = 5, .insn_length = (uint8_t)ilen,
				    .flags = (uint8_t)flags, .width = (uint8_t)width };
	nrec++;
}

/* sites: 0 mov %eax,0x10(%rdi); 8 in (%dx),%al; 16 mov 0x8(%rsi),%rax; 24 out %al,(%dx) */
static void build(int with_mmio)
{
	static const uint8_t code[] = {
		0x89, 0x47, 0x10, 0x66, 0x90, 0xcc, 0xcc, 0xcc,        /* mov %eax,0x10(%rdi); xchg %ax,%ax */
		0xec, 0x0f, 0x1f, 0x40, 0x00, 0xcc, 0xcc, 0xcc,        /* in (%dx),%al; nopl 0(%rax) */
		0x48, 0x8b, 0x46, 0x08, 0x90, 0xcc, 0xcc, 0xcc,        /* mov 0x8(%rsi),%rax; nop */
		0xee, 0x0f, 0x1f, 0x40, 0x00, 0xcc, 0xcc, 0xcc,        /* out %al,(%dx); nopl 0(%rax) */
	};
	struct previrt_header *h;

	memset(buf, 0xcc, sizeof buf);
	memset(pool, 0xcc, sizeof pool);
	memcpy(buf + TEXT, code, sizeof code);
	nrec = 0;
	if (with_mmio)
		put_rec(0, PREVIRT_KIND_MMIO_WRITE, 3, PREVIRT_F_MMIO, 4);
	put_rec(8, PREVIRT_KIND_IN, 1, 0, 0);
	if (with_mmio)
		put_rec(16, PREVIRT_KIND_MMIO_READ, 4, PREVIRT_F_MMIO, 8);
	put_rec(24, PREVIRT_KIND_OUT, 1, 0, 0);
	h = (struct previrt_header *)(buf + RECS + nrec++ * PREVIRT_RECORD_SIZE);
	*h = (struct previrt_header){ .magic = PREVIRT_MAGIC, .version = PREVIRT_FORMAT_VERSION,
				      .record_size = PREVIRT_RECORD_SIZE, .producer = PREVIRT_PRODUCER_GAS };
}

static struct pv_image image(void)
{
	text = (struct pv_range){ (uintptr_t)buf + TEXT, (uintptr_t)buf + TEXT + 32, 0 };
	return (struct pv_image){ .records = buf + RECS, .size = nrec * PREVIRT_RECORD_SIZE, .text = &text,
				  .ntext = 1, .planned = plan_bits, .planned_len = 64 };
}

/* where a rel32 at p (ending at p + 4) goes; integers, since it leaves one object for another */
static uintptr_t rel_target(const uint8_t *p)
{
	return (uintptr_t)p + 4 + (uintptr_t)(intptr_t)pv_get32(p);
}

/* where the jmp at site offset `off` goes (0: not a jmp) */
static uint8_t *jmp_target(unsigned off)
{
	const uint8_t *p = buf + TEXT + off;

	return p[0] == 0xe9 ? (uint8_t *)rel_target(p + 1) : 0;
}

int main(void)
{
	struct pv_xen_acpi acpi = { 0 };
	struct pv_xen xen;
	struct pv_image img;
	struct pv_result r;
	uint8_t before[SIZE], pool_a[sizeof pool], buf_a[SIZE];
	int err;
	/* 89 47 10: reg 0 (eax), base 7 (rdi), disp8, 4 bytes, 3 long, a register store */
	const uint32_t desc = 0u << PV_MMIO_REG_SHIFT | 7u << PV_MMIO_BASE_SHIFT | PV_MMIO_HAS_BASE |
			      2u << PV_MMIO_WSHIFT | 3u << PV_MMIO_LSHIFT | (uint32_t)PV_MMIO_STORE_REG << PV_MMIO_OP_SHIFT |
			      (uint32_t)PV_MMIO_DISP_8 << PV_MMIO_DISP_SHIFT;
	static const uint8_t head[] = { 0x48, 0x8d, 0x64, 0x24, 0x80 };                       /* lea -0x80(%rsp),%rsp */
	static const uint8_t tail[] = { 0x48, 0x8d, 0xa4, 0x24, 0x88, 0x00, 0x00, 0x00 };   /* lea 0x88(%rsp),%rsp */
	int thunk_ok;

	/* a module's pool of 4 slots: MMIO (2), in (1), MMIO (no room: native), out (the last slot) */
	build(1);
	img = image();
	xen = (struct pv_xen){ .thunks = pool, .thunks_size = sizeof pool, .pio_entry = (uintptr_t)entries,
			       .mmio_entry = (uintptr_t)entries + 32, .acpi = &acpi, .keep_when_full = 1 };
	err = pv_patch_image(&img, &pv_backend_xen, &xen, &r);
	check(err == PV_OK && r.npatched == 3 && xen.used == 4 && xen.nmmio == 1 && xen.nfull == 1,
	      "keep_when_full: %s, %u patched, %u slots, %u MMIO thunk, %u native for want of room",
	      pv_error_name(err), r.npatched, xen.used, xen.nmmio, xen.nfull);
	check(jmp_target(0) == pool && jmp_target(8) == pool + 2 * PV_XEN_THUNK && !jmp_target(16) &&
	      jmp_target(24) == pool + 3 * PV_XEN_THUNK && buf[TEXT + 16] == 0x48 && buf[TEXT + 19] == 0x08,
	      "each site jumps to its own thunk (slots 0, 2, 3); the MMIO site without room is as compiled");
	thunk_ok = !memcmp(pool, head, sizeof head) && pool[5] == 0x68 && (uint32_t)pv_get32(pool + 6) == desc &&
		   pool[10] == 0xe8 && rel_target(pool + 11) == (uintptr_t)entries + 32 &&
		   !memcmp(pool + 15, "\x89\x47\x10", 3) && !memcmp(pool + 18, tail, sizeof tail) &&
		   pool[26] == 0xe9 && rel_target(pool + 27) == (uintptr_t)buf + TEXT + 5;
	for (unsigned i = 31; i < 2 * PV_XEN_THUNK; i++)
		thunk_ok &= pool[i] == 0xcc;
	check(thunk_ok, "the MMIO thunk: lea ; push $0x%x ; call mmio_entry ; mov %%eax,0x10(%%rdi) ; lea ; "
	      "jmp site+5 ; int3 to 64 bytes (pushed 0x%x)", desc, (uint32_t)pv_get32(pool + 6));
	check(pool[2 * PV_XEN_THUNK + 10] == 0xe8 && rel_target(pool + 2 * PV_XEN_THUNK + 11) == (uintptr_t)entries,
	      "the port-I/O thunk after it calls pio_entry");

	/* the same pool at boot: refused, nothing written */
	build(1);
	img = image();
	memcpy(before, buf, SIZE);
	xen.keep_when_full = 0;
	err = pv_patch_image(&img, &pv_backend_xen, &xen, &r);
	check(err == PV_E_BACKEND && r.record == 2 && !memcmp(before, buf, SIZE),
	      "keep_when_full 0: %s at record %u, no site written", pv_error_name(err), r.record);

	/* mmio_entry 0: exactly the image without MMIO records */
	build(0);
	img = image();
	xen = (struct pv_xen){ .thunks = pool, .thunks_size = sizeof pool, .pio_entry = (uintptr_t)entries, .acpi = &acpi };
	err = pv_patch_image(&img, &pv_backend_xen, &xen, &r);
	memcpy(pool_a, pool, sizeof pool);
	memcpy(buf_a, buf, RECS);
	build(1);
	img = image();
	xen = (struct pv_xen){ .thunks = pool, .thunks_size = sizeof pool, .pio_entry = (uintptr_t)entries, .acpi = &acpi };
	err |= pv_patch_image(&img, &pv_backend_xen, &xen, &r);
	check(err == PV_OK && r.npatched == 2 && xen.used == 2 && xen.nmmio == 0 && !memcmp(pool, pool_a, sizeof pool) &&
	      !memcmp(buf, buf_a, RECS),
	      "mmio_entry 0: MMIO sites native, pool and text byte for byte as without MMIO records");
	return check_summary();
}
