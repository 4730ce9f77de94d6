/* Kernel-header look-alikes for the corpus: the same asm the Linux 6.1 x86
 * headers write (arch/x86/include/asm/{irqflags,msr,special_insns,...}.h),
 * so the plugin is tested on the shapes it meets in a real kernel. */
#ifndef CORPUS_KERNEL_LIKE_H
#define CORPUS_KERNEL_LIKE_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define noinstr __attribute__((noinline, section(".noinstr.text")))
#define __always_inline inline __attribute__((always_inline))

/* Linux's _ASM_EXTABLE_TYPE(from, to, type) */
#define ASM_EXTABLE(from, to, type)				\
	" .pushsection \"__ex_table\",\"a\"\n"			\
	" .balign 4\n"						\
	" .long (" #from ") - .\n"				\
	" .long (" #to ") - .\n"				\
	" .long " #type "\n"					\
	" .popsection\n"

/* Linux 6.1's ALTERNATIVE(oldinstr, newinstr, feature), simplified padding */
#define ALTERNATIVE(oldinstr, newinstr, feature)			\
	"661:\n\t" oldinstr "\n662:\n"					\
	".skip -(((6651f-6641f)-(662b-661b)) > 0) * "			\
	"((6651f-6641f)-(662b-661b)),0x90\n"				\
	"663:\n"							\
	".pushsection .altinstructions,\"a\"\n"				\
	" .long 661b - .\n"						\
	" .long 6641f - .\n"						\
	" .short " #feature "\n"					\
	" .byte 663b-661b\n"						\
	" .byte 6651f-6641f\n"						\
	".popsection\n"							\
	".pushsection .altinstr_replacement, \"ax\"\n"			\
	"6641:\n\t" newinstr "\n6651:\n"				\
	".popsection\n"

#endif
