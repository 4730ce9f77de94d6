/* SPDX-License-Identifier: MIT */
/*
 * A unit shaped like Linux's init/main.c for the pool tests: it defines
 * start_kernel (lib/pool.h's anchor), so the compiler reserves the handler
 * pools here, and it has a noinstr function whose site lands in the same
 * .noinstr.text section as the noinstr pool.
 */
#define noinstr __attribute__((noinline, section(".noinstr.text")))

noinstr void exit_to_user(void)
{
	__asm__ volatile("cli" ::: "memory");
}

void start_kernel(void)
{
	exit_to_user();
}
