/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of lib/asm_rewrite.c on template text: which statements become
 * sites (and which look similar but must not), with which kind and flags,
 * and the exact text emitted for one site (the format the assembler sees).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm_rewrite.h"
#include "previrt/format.h"
#include "previrt_rules.h"

static int passed, failed;

static void expect_sites(const char *name, const char *tmpl, unsigned flags,
			 unsigned nsites, const unsigned *kinds, const unsigned *site_flags)
{
	struct pv_rewrite_opts o = { .pad = PV_PAD_NOPS, .flags = flags };
	struct pv_rewrite_stats st;
	char *out = pv_rewrite_asm(tmpl, &o, &st);
	int ok = st.sites == nsites && (nsites == 0) == (out == NULL);

	for (unsigned i = 0; ok && i < nsites && i < 8; i++) {
		if (kinds && st.kinds[i] != kinds[i])
			ok = 0;
		if (site_flags && st.site_flags[i] != site_flags[i])
			ok = 0;
	}
	/* the original text survives: removing what we inserted gives it back */
	if (ok && out && strstr(out, "98470:") == NULL)
		ok = 0;
	printf("%s %s\n", ok ? "PASS" : "FAIL", name);
	if (!ok) {
		printf("    sites %u (want %u):", st.sites, nsites);
		for (unsigned i = 0; i < st.sites && i < 8; i++)
			printf(" %u/%#x", st.kinds[i], st.site_flags[i]);
		printf("\n    text: %s\n", out ? out : "(unchanged)");
	}
	ok ? passed++ : failed++;
	free(out);
}

#define K(...) ((const unsigned[]){ __VA_ARGS__ })

static void test_exact_text(void)
{
	struct pv_rewrite_opts o = { .pad = PV_PAD_NOPS };
	struct pv_rewrite_stats st;
	char *out = pv_rewrite_asm("1: cli\n2:", &o, &st);
	const char *want =
		"1: 98470: cli\n"
		"98471:\n"
		"\t.nops -((5-(98471b-98470b))>0)*(5-(98471b-98470b))\n"
		"98472:\n"
		"\t.pushsection .previrt,\"a\"\n"
		"\t.balign 4\n"
		"\t.long 98470b - .\n"
		"\t.short 1\n"
		"\t.byte 98472b-98470b, 98471b-98470b, 0, 0\n"
		"\t.short 0\n"
		"\t.popsection\n"
		"\t.pushsection .discard.noendbr\n"
		"\t.long 98470b - .\n"
		"\t.popsection\n"
		"2:";
	int ok = out && strcmp(out, want) == 0;

	printf("%s emitted_text_is_pinned\n", ok ? "PASS" : "FAIL");
	if (!ok)
		printf("    got:\n%s\n", out ? out : "(null)");
	ok ? passed++ : failed++;
	free(out);

	o.pad = PV_PAD_FILL;
	o.min_size = 7;
	out = pv_rewrite_asm("hlt", &o, &st);
	ok = out && strstr(out, ".fill -((7-(98471b-98470b))>0)*(7-(98471b-98470b)),1,0x90");
	printf("%s fill_pad_style_for_llvm_mc_and_min_size\n", ok ? "PASS" : "FAIL");
	ok ? passed++ : failed++;
	free(out);
}

static void test_header(void)
{
	const char *h = pv_header_asm(PREVIRT_PRODUCER_CLANG);
	char want[64];
	int ok;

	/* version, record size, producer (clang = 2), three reserved bytes */
	snprintf(want, sizeof want, ".byte %d, 12, 2, 0, 0, 0", PREVIRT_FORMAT_VERSION);
	ok = strstr(h, ".long 0x54525650") && strstr(h, want) && strstr(h, ".short 0");

	printf("%s header_record_text\n", ok ? "PASS" : "FAIL");
	ok ? passed++ : failed++;
}

static void test_filters(void)
{
	uint8_t enabled[PREVIRT_KIND_MAX + 1] = { 0 };
	struct pv_rewrite_opts o = { .pad = PV_PAD_NOPS, .kind_enabled = enabled };
	struct pv_rewrite_stats st;
	char *out;
	int ok;

	enabled[PREVIRT_KIND_STI] = 1;
	out = pv_rewrite_asm("cli\n sti\n nop\n hlt", &o, &st);
	ok = st.sites == 1 && st.kinds[0] == PREVIRT_KIND_STI && st.skipped_kind == 2;
	printf("%s kind_filter_counts_what_it_skips\n", ok ? "PASS" : "FAIL");
	ok ? passed++ : failed++;
	free(out);

	o.kind_enabled = NULL;
	o.mmio_kind = PREVIRT_KIND_MMIO_WRITE;
	o.mmio_width = 2;
	out = pv_rewrite_asm("movw %0,%1", &o, &st);
	ok = st.sites == 1 && st.kinds[0] == PREVIRT_KIND_MMIO_WRITE &&
	     st.site_flags[0] == PREVIRT_F_MMIO && out && strstr(out, ", 4, 2\n");
	printf("%s mmio_accessor_body_becomes_mmio_site_with_width\n", ok ? "PASS" : "FAIL");
	ok ? passed++ : failed++;
	free(out);
}

/* A whole .S file after cpp: the assembler path's view. */
static void test_whole_file(void)
{
	struct pv_rewrite_opts o = { .pad = PV_PAD_NOPS };
	struct pv_rewrite_stats st;
	const char *file =
		"# 1 \"entry.S\"\n"
		".macro SWAPGS_X\n swapgs\n.endm\n"
		".pushsection .entry.text, \"ax\"\n"
		"sym: SWAPGS_X\n"
		" swapgs\n"
		" sysretq\n"
		".popsection\n"
		".code32\n"
		" cli\n"
		".code64\n"
		"661: rdtsc\n662:\n"
		".pushsection .altinstructions,\"a\"\n.long 661b - .\n.popsection\n"
		"1: rdmsr\n2:\n"
		".pushsection \"__ex_table\",\"a\" ; .balign 4 ; .long (1b) - . ; .long (2b) - . ; "
		".long 0 ; .popsection\n";
	char *out = pv_rewrite_file(file, &o, PREVIRT_PRODUCER_GAS, &st);
	/* macro body swapgs, swapgs, sysretq, rdtsc (no guessing from 661 in a
	 * file), rdmsr with its entry; the .code32 cli is skipped; the macro
	 * body's section is its invocation's, unknown in the text: no flags */
	int ok = out && st.sites == 5 && st.skipped_mode == 1 &&
		 st.kinds[0] == PREVIRT_KIND_SWAPGS && st.site_flags[0] == 0 &&
		 st.site_flags[1] == (PREVIRT_F_PUSHED | PREVIRT_F_NOINSTR) &&
		 st.kinds[3] == PREVIRT_KIND_RDTSC && st.kinds[4] == PREVIRT_KIND_RDMSR &&
		 st.site_flags[4] == PREVIRT_F_EXTABLE &&
		 strstr(out, pv_header_asm(PREVIRT_PRODUCER_GAS)) != NULL;

	printf("%s whole_file_macros_sections_modes_extable_header\n", ok ? "PASS" : "FAIL");
	if (!ok)
		printf("    sites %u skipped_mode %u\n%s\n", st.sites, st.skipped_mode, out ? out : "-");
	ok ? passed++ : failed++;
	free(out);
	/* a parameter as mnemonic: gas chooses at each expansion; never inside
	 * an ALTERNATIVE-style macro (its parameters are originals) */
	out = pv_rewrite_file(".macro op_safe op\n1: \\op\n.endm\n"
			      ".macro ALT oldinstr, newinstr\n140: \\oldinstr\n141:\n"
			      ".pushsection .altinstructions,\"a\"\n.long 140b - .\n.popsection\n"
			      ".endm\n", &o, PREVIRT_PRODUCER_GAS, &st);
	ok = out && st.sites == 1 && st.param_sites == 1 &&
	     strstr(out, ".ifc \"\\op\",\"rdmsr\"\n98470: \\op") != NULL &&
	     strstr(out, "\\oldinstr\n141:") != NULL && !strstr(out, "\"\\oldinstr\"");
	printf("%s whole_file_parameter_mnemonic_left_to_gas_not_in_alternatives\n",
	       ok ? "PASS" : "FAIL");
	if (!ok)
		printf("%s\n", out ? out : "-");
	ok ? passed++ : failed++;
	free(out);
	/* Linux's asm_load_gs_index: a code-less macro between the label and
	 * the segment load keeps the label naming it; a macro an ALTERNATIVE's
	 * arguments name is replacement code and gets no site */
	out = pv_rewrite_file(".macro NOENDBR\n.Lh\\@:\n.pushsection .discard.x\n.quad .Lh\\@\n"
			      ".popsection\n.endm\n"
			      ".macro ZAP\nmovl %eax, %gs\n.endm\n"
			      ".macro ALT old, new\n140: \\old\n.pushsection .altinstructions,\"a\"\n"
			      ".long 140b - .\n.popsection\n.pushsection .altinstr_replacement,\"ax\"\n"
			      "\\new\n.popsection\n.endm\n"
			      ".Lgs:\nNOENDBR\nmovl %edi, %gs\nret\n"
			      "ALT \"\", \"ZAP\"\n"
			      ".pushsection \"__ex_table\",\"a\"\n.long (.Lgs) - .\n.long 0\n.long 0\n"
			      ".popsection\n", &o, PREVIRT_PRODUCER_GAS, &st);
	ok = out && st.sites == 1 && st.kinds[0] == PREVIRT_KIND_MOV_TO_SEG &&
	     st.site_flags[0] == PREVIRT_F_EXTABLE && st.skipped_alt == 1;
	printf("%s whole_file_codeless_macro_keeps_label_alternative_macro_has_no_site\n",
	       ok ? "PASS" : "FAIL");
	if (!ok)
		printf("    sites %u skipped_alt %u flags %#x\n", st.sites, st.skipped_alt,
		       st.site_flags[0]);
	ok ? passed++ : failed++;
	free(out);
	/* early boot text: NOSTACK in the record's xflags (.short 1), not elsewhere;
	 * a C function placed there gets it from its section the same way */
	out = pv_rewrite_file(".section \".head.text\",\"ax\"\nmovq %rax, %cr4\n"
			      ".text\ncpuid\n", &o, PREVIRT_PRODUCER_GAS, &st);
	ok = out && st.sites == 2 && st.kinds[0] == PREVIRT_KIND_MOV_TO_CR &&
	     PV_XFLAGS_OF(st.site_flags[0]) == PREVIRT_X_NOSTACK && (st.site_flags[0] & 0xff) == PREVIRT_F_PUSHED &&
	     st.site_flags[1] == PREVIRT_F_PUSHED && strstr(out, "\t.short 1\n") &&
	     pv_section_site_flags(".head.text") == PV_XFLAGS(PREVIRT_X_NOSTACK) &&
	     pv_section_site_flags(".noinstr.text") == PREVIRT_F_NOINSTR &&
	     pv_section_site_flags(".entry.text") == PREVIRT_F_NOINSTR &&
	     pv_section_site_flags(".text") == 0 && pv_section_site_flags(NULL) == 0;
	printf("%s whole_file_head_text_sites_are_nostack\n", ok ? "PASS" : "FAIL");
	if (!ok)
		printf("    sites %u flags %#x %#x\n%s\n", st.sites, st.site_flags[0], st.site_flags[1], out ? out : "-");
	ok ? passed++ : failed++;
	free(out);
	/* Linux 6.12's secondary_startup_64, in .text: after the cr3 write the
	 * real-mode stack is gone until %rsp is loaded, so those sites are
	 * NOSTACK whatever the section; a .size ends it; a .macro body that
	 * writes cr3 (defined, not run here) does not start it */
	out = pv_rewrite_file(".text\n.macro SW\nmovq %rdi, %cr3\n.endm\nrdmsr\n"
			      "secondary:\nmovq %rax, %cr3\nmovq %cr4, %rcx\nrdmsr\n"
			      "movq 8(%rax), %rsp\nwrmsr\n", &o, PREVIRT_PRODUCER_GAS, &st);
	{
		/* NOSTACK per site: the macro's own site, rdmsr, then the cr3
		 * write, cr4, rdmsr, and wrmsr after the rsp load */
		static const unsigned want[] = { 0, 0, 1, 1, 1, 0 };

		ok = out && st.sites == 6;
		for (int i = 0; ok && i < 6; i++)
			ok = (PV_XFLAGS_OF(st.site_flags[i]) == PREVIRT_X_NOSTACK) == (int)want[i];
		if (ok) {
			free(out);
			out = pv_rewrite_file(".text\nother:\nmovq %rax, %cr3\nrdmsr\n.size other, .-other\ncpuid\n",
					      &o, PREVIRT_PRODUCER_GAS, &st);
			ok = out && st.sites == 3 && PV_XFLAGS_OF(st.site_flags[1]) == PREVIRT_X_NOSTACK &&
			     !PV_XFLAGS_OF(st.site_flags[2]);
		}
	}
	printf("%s whole_file_sites_between_cr3_write_and_rsp_load_are_nostack\n", ok ? "PASS" : "FAIL");
	if (!ok) {
		printf("    sites %u:", st.sites);
		for (unsigned i = 0; i < st.sites && i < 8; i++)
			printf(" %u/%#x", st.kinds[i], st.site_flags[i]);
		printf("\n");
	}
	ok ? passed++ : failed++;
	free(out);
	/* one asm statement (C) always has its kernel stack */
	out = pv_rewrite_asm("movq %0, %%cr3\n\trdmsr", &o, &st);
	ok = out && st.sites == 2 && !PV_XFLAGS_OF(st.site_flags[0]) && !PV_XFLAGS_OF(st.site_flags[1]);
	printf("%s asm_statement_cr3_write_is_not_nostack\n", ok ? "PASS" : "FAIL");
	ok ? passed++ : failed++;
	free(out);
	out = pv_rewrite_file(".text\nnop\n", &o, PREVIRT_PRODUCER_GAS, &st);
	ok = out == NULL && st.sites == 0;
	printf("%s whole_file_without_sites_is_unchanged\n", ok ? "PASS" : "FAIL");
	ok ? passed++ : failed++;
	free(out);
}

int main(void)
{
	const unsigned P = PREVIRT_F_PUSHED, N = PREVIRT_F_NOINSTR, B = PREVIRT_F_BYTES,
		       E = PREVIRT_F_EXTABLE, T = PREVIRT_F_TOPLEVEL;

	test_exact_text();
	test_header();
	test_filters();
	test_whole_file();

	/* what must become a site */
	expect_sites("single_cli", "cli", 0, 1, K(PREVIRT_KIND_CLI), K(0));
	expect_sites("pushf_pop_two_statements", "pushf ; pop %0", 0, 1, K(PREVIRT_KIND_PUSHF), 0);
	expect_sites("sti_hlt_is_one_site", "sti; hlt", 0, 1, K(PREVIRT_KIND_STI_HLT), 0);
	expect_sites("sti_then_other_is_sti_with_its_shadow", "sti\n nop", 0, 1, K(PREVIRT_KIND_STI),
		     K(PREVIRT_F_SHADOW));
	expect_sites("labelled_hlt_after_sti_stays_in_its_shadow", "sti\n1: hlt", 0, 1,
		     K(PREVIRT_KIND_STI), K(PREVIRT_F_SHADOW));
	expect_sites("rep_prefix_statement_joins", "rep; outsb", 0, 1, K(PREVIRT_KIND_OUTS), 0);
	expect_sites("rep_prefix_inline", "rep insw", 0, 1, K(PREVIRT_KIND_INS), 0);
	expect_sites("gcc_extended_cr_operand", "mov %0,%%cr3", 0, 1, K(PREVIRT_KIND_MOV_TO_CR), 0);
	expect_sites("basic_asm_cr_operand", "movq %cr4, %rax", 0, 1, K(PREVIRT_KIND_MOV_FROM_CR), 0);
	expect_sites("db_spelling_is_debug_register", "mov %%db7,%0", 0, 1,
		     K(PREVIRT_KIND_MOV_FROM_DR), 0);
	expect_sites("byte_encoded_monitor", ".byte 0x0f, 0x01, 0xc8;", 0, 1,
		     K(PREVIRT_KIND_MONITOR), K(B));
	expect_sites("extable_label_sets_flag",
		     "1: rdmsr\n2:\n.pushsection \"__ex_table\",\"a\"\n.long (1b) - .\n.long (2b) - .\n.popsection",
		     0, 1, K(PREVIRT_KIND_RDMSR), K(E));
	expect_sites("label_on_own_line_reaches_extable",
		     "1:\n\twrmsr\n2:\n.pushsection __ex_table,\"a\"\n.long 1b - .\n.popsection",
		     0, 1, K(PREVIRT_KIND_WRMSR), K(E));
	expect_sites("extable_for_other_label_no_flag",
		     "1: rdmsr\n3: nop\n.pushsection __ex_table,\"a\"\n.long (3b) - .\n.popsection",
		     0, 1, K(PREVIRT_KIND_RDMSR), K(0));
	expect_sites("pushed_noinstr_section_flags",
		     ".pushsection .noinstr.text,\"ax\"\ncli\n.popsection\nsti", 0, 2,
		     K(PREVIRT_KIND_CLI, PREVIRT_KIND_STI), K(P | N, PV_XFLAGS(PREVIRT_X_PAD_BEFORE)));
	expect_sites("section_previous_returns", ".section .data\n.long 0\n.previous\ncli", 0, 1,
		     K(PREVIRT_KIND_CLI), K(0));
	expect_sites("caller_flags_are_kept", "swapgs", N | T, 1, K(PREVIRT_KIND_SWAPGS), K(N | T));
	expect_sites("gcc_unique_label_then_insn", ".Lpv%=: cli\n jmp .Lpv%=", 0, 1,
		     K(PREVIRT_KIND_CLI), 0);
	expect_sites("llvm_unique_label_then_insn", ".Lpv${:uid}: hlt", 0, 1,
		     K(PREVIRT_KIND_HLT), 0);
	expect_sites("uppercase_mnemonic", "CLI", 0, 1, K(PREVIRT_KIND_CLI), 0);
	/* ALTERNATIVE originals come from the entry's own ".long ORIG - ." and
	 * ".byte END - ORIG", whatever the label numbers (6.1: 661/663) */
	expect_sites("alternative_neighbour_is_site",
		     "cli\n661:\n\tnop\n662:\n663:\n.pushsection .altinstructions,\"a\"\n.long 661b - .\n"
		     ".long 6641f - .\n.short 1\n.byte 663b-661b\n.byte 6651f-6641f\n.popsection\n"
		     ".pushsection .altinstr_replacement,\"ax\"\n6641:\n\twbinvd\n6651:\n.popsection", 0, 1,
		     K(PREVIRT_KIND_CLI), 0);
	/* Linux 6.12's shape: labels 771..773, u32 feature word, and
	 * ALTERNATIVE_2 nesting one ALTERNATIVE in the other's original */
	expect_sites("alternative_6_12_nested_original_left_alone_neighbours_sites",
		     "cli\n# ALT: oldinstr\n771:\n\t# ALT: oldinstr\n771:\n\trdtsc\n772:\n"
		     ".skip -(((775f-774f)-(772b-771b)) > 0) * ((775f-774f)-(772b-771b)),0x90\n773:\n"
		     ".pushsection .altinstructions,\"a\"\n .long 771b - .\n .long 774f - .\n .4byte 1\n"
		     " .byte 773b-771b\n .byte 775f-774f\n.popsection\n"
		     ".pushsection .altinstr_replacement, \"ax\"\n774:\n\tlfence; rdtsc\n775:\n.popsection\n"
		     "\n772:\n.skip -(((775f-774f)-(772b-771b)) > 0) * ((775f-774f)-(772b-771b)),0x90\n773:\n"
		     ".pushsection .altinstructions,\"a\"\n .long 771b - .\n .long 774f - .\n .4byte 2\n"
		     " .byte 773b-771b\n .byte 775f-774f\n.popsection\n"
		     ".pushsection .altinstr_replacement, \"ax\"\n774:\n\trdtscp\n775:\n.popsection\n"
		     "sti", 0, 2, K(PREVIRT_KIND_CLI, PREVIRT_KIND_STI), 0);
	/* an entry that names no range (no length byte): the whole template
	 * counts as the original, never a site inside what the kernel patches */
	expect_sites("alternative_entry_without_range_leaves_template_alone",
		     "cli\n661:\n\tnop\n662:\n.pushsection .altinstructions,\"a\"\n.long 661b - .\n.popsection\n"
		     ".pushsection .altinstr_replacement,\"ax\"\n6641:\n\twbinvd\n6651:\n.popsection", 0, 0,
		     0, 0);


	/* interrupt shadows: the follower is part of the site, whatever its spelling */
	expect_sites("sti_mwait_bytes_is_one_shadow_site", "sti; .byte 0x0f, 0x01, 0xc9", 0, 1,
		     K(PREVIRT_KIND_STI), K(PREVIRT_F_SHADOW));
	expect_sites("sti_mwait_mnemonic_is_one_shadow_site", "sti\n\tmwait", 0, 1,
		     K(PREVIRT_KIND_STI), K(PREVIRT_F_SHADOW));
	expect_sites("sti_then_harmless_insn_keeps_it", "sti\n\tnop\n\tcli", 0, 2,
		     K(PREVIRT_KIND_STI, PREVIRT_KIND_CLI), K(PREVIRT_F_SHADOW, 0));
	expect_sites("sti_shadow_across_comment_and_blank", "sti /* x */\n\n\t# y\n\tmwait", 0, 1,
		     K(PREVIRT_KIND_STI), K(PREVIRT_F_SHADOW));
	/* a shadow opener with nothing of its own text after it: pad before it */
	expect_sites("sti_last_in_template_is_alone_pad_before", "cli\n\tsti", 0, 2,
		     K(PREVIRT_KIND_CLI, PREVIRT_KIND_STI), K(0, PV_XFLAGS(PREVIRT_X_PAD_BEFORE)));
	expect_sites("sti_before_directive_is_alone_pad_before", "sti\n.pushsection .data\n.long 0\n.popsection", 0,
		     1, K(PREVIRT_KIND_STI), K(PV_XFLAGS(PREVIRT_X_PAD_BEFORE)));
	/* a labelled one keeps its pad after: the label must go on naming the instruction */
	expect_sites("labelled_lone_sti_keeps_pad_after", "1: sti", 0, 1, K(PREVIRT_KIND_STI), K(0));

	/* comments never hide code */
	expect_sites("c_comment_between_statements", "cli;/*x*/sti", 0, 2,
		     K(PREVIRT_KIND_CLI, PREVIRT_KIND_STI), 0);
	expect_sites("c_comment_before_insn", "/* c */cli", 0, 1, K(PREVIRT_KIND_CLI), 0);
	expect_sites("hash_comment_then_insn", "nop # cli\n hlt", 0, 1, K(PREVIRT_KIND_HLT), 0);
	expect_sites("multiline_c_comment", "cli /* a\n b ; c */\n hlt", 0, 2,
		     K(PREVIRT_KIND_CLI, PREVIRT_KIND_HLT), 0);

	/* EXTABLE: exactly the instruction the entry's first field names */
#define EX(from, to) "\n.pushsection \"__ex_table\",\"a\"\n.balign 4\n.long (" from ") - .\n" \
		     ".long (" to ") - .\n.long 3\n.popsection\n"
	expect_sites("extable_on_the_named_insn", "1: rdmsr\n2:" EX("1b", "2b"), 0, 1,
		     K(PREVIRT_KIND_RDMSR), K(E));
	expect_sites("extable_reused_label_second_insn_unprotected",
		     "1: rdmsr\n2:" EX("1b", "2b") "2: wrmsr", 0, 2,
		     K(PREVIRT_KIND_RDMSR, PREVIRT_KIND_WRMSR), K(E, 0));
	expect_sites("extable_reused_label_names_the_later_definition",
		     "1: rdmsr\n1: wrmsr\n2:" EX("1b", "2b"), 0, 2,
		     K(PREVIRT_KIND_RDMSR, PREVIRT_KIND_WRMSR), K(0, E));
	expect_sites("extable_forward_reference", EX("1f", "2f") "1: wrmsr\n2:", 0, 1,
		     K(PREVIRT_KIND_WRMSR), K(E));
	expect_sites("extable_entry_on_second_insn", "rdmsr\n1: wrmsr\n2:" EX("1b", "2b"), 0, 2,
		     K(PREVIRT_KIND_RDMSR, PREVIRT_KIND_WRMSR), K(0, E));
	expect_sites("extable_fixup_label_is_not_the_insn", "1: nop\n2: rdmsr" EX("1b", "2b"), 0, 1,
		     K(PREVIRT_KIND_RDMSR), K(0));
	expect_sites("extable_on_harmless_insn_only", "1: mov (%1),%0\n2:" EX("1b", "2b") "rdmsr", 0,
		     1, K(PREVIRT_KIND_RDMSR), K(0));
	expect_sites("extable_named_label", ".Lpv%=: rdmsr\n.Lend%=:" EX(".Lpv%=", ".Lend%="), 0, 1,
		     K(PREVIRT_KIND_RDMSR), K(E));
	expect_sites("extable_block_with_macro_after_from",
		     "1: rdmsr\n2:\n.pushsection \"__ex_table\",\"a\"\n.balign 4\n.long (1b) - .\n"
		     ".long (2b) - .\n.macro xr type:req\n.long \\type\n.endm\nxr type=3\n"
		     ".purgem xr\n.popsection\n", 0, 1, K(PREVIRT_KIND_RDMSR), K(E));
	expect_sites("extable_label_behind_alignment_is_not_the_insn",
		     "1: .balign 16\n rdmsr\n2:" EX("1b", "2b"), 0, 1, K(PREVIRT_KIND_RDMSR), K(0));
#undef EX

	/* the rest of the sensitive set: segment registers, far transfers, int n */
	expect_sites("mov_to_ds_is_mov_to_seg", "mov %0,%%ds", 0, 1, K(PREVIRT_KIND_MOV_TO_SEG), 0);
	expect_sites("mov_to_ss_is_its_own_kind_with_its_shadow", "movw %0,%%ss\n mov %1,%%rsp", 0, 1,
		     K(PREVIRT_KIND_MOV_TO_SS), K(PREVIRT_F_SHADOW));
	expect_sites("mov_from_seg", "mov %%cs,%0\n movl %%ss,%k0", 0, 2,
		     K(PREVIRT_KIND_MOV_FROM_SEG, PREVIRT_KIND_MOV_FROM_SEG), 0);
	expect_sites("push_pop_seg", "push %%fs\n pop %%gs\n pop %%ss", 0, 3,
		     K(PREVIRT_KIND_PUSH_SEG, PREVIRT_KIND_POP_SEG, PREVIRT_KIND_POP_SS), 0);
	expect_sites("far_transfers", "lretq\n ljmp *%0\n lcall *(%%rax)\n rex64 ljmp *%0", 0, 4,
		     K(PREVIRT_KIND_FAR_RET, PREVIRT_KIND_FAR_JMP, PREVIRT_KIND_FAR_CALL,
		       PREVIRT_KIND_FAR_JMP), 0);
	expect_sites("int_n", "int $0x80\n int $4", 0, 2, K(PREVIRT_KIND_INT_N, PREVIRT_KIND_INT_N), 0);
	expect_sites("llvm_int_n_but_not_int_3", "int $$0x80\n int $$3\n mov $0,%ds\n mov %ss,${0:k}",
		     0, 3, K(PREVIRT_KIND_INT_N, PREVIRT_KIND_MOV_TO_SEG, PREVIRT_KIND_MOV_FROM_SEG), 0);
	expect_sites("descriptor_checks", "lar %1,%0\n lsl %1,%0\n verr %w0\n verw %[ds]", 0, 4,
		     K(PREVIRT_KIND_LAR, PREVIRT_KIND_LSL, PREVIRT_KIND_VERR, PREVIRT_KIND_VERW), 0);
	expect_sites("xsaves_byte_form", ".byte 0x48, 0x0f,0xc7,0x2f", 0, 1, K(PREVIRT_KIND_XSAVES),
		     K(PREVIRT_F_BYTES));
	expect_sites("vmx_svm", "vmcall\n vmmcall\n vmread %1,%0\n vmlaunch\n clgi", 0, 5,
		     K(PREVIRT_KIND_VMCALL, PREVIRT_KIND_VMMCALL, PREVIRT_KIND_VMX,
		       PREVIRT_KIND_VMX_ENTER, PREVIRT_KIND_SVM), 0);

	/* what must not */
	expect_sites("int_3_is_int3", "int $3\n int $0x3\n int3\n int1\n into", 0, 0, 0, 0);
	expect_sites("segment_override_is_not_a_segment_move", "mov %%fs:0x28,%0\n mov %%gs:(%1),%0",
		     0, 0, 0, 0);
	expect_sites("user_instructions", "syscall\n sysenter\n ud2\n rdrand %0\n xsave (%0)\n"
		     " xrstor (%0)\n serialize\n clflush (%0)\n ret\n jmp *%0\n call *%0\n push %0",
		     0, 0, 0, 0);

	expect_sites("comment_is_not_code", "# cli sti\n nop", 0, 0, 0, 0);
	expect_sites("c_comment_is_not_code", "/* cli */ nop", 0, 0, 0, 0);
	expect_sites("string_is_not_code", ".ascii \"cli; hlt\"", 0, 0, 0, 0);
	expect_sites("label_named_like_insn", "cli:\n jmp cli", 0, 0, 0, 0);
	expect_sites("prefix_with_harmless_insn", "lock; cmpxchg %1,%2\n rep; movsb", 0, 0, 0, 0);
	expect_sites("ordinary_mov", "mov %0,%%rax\n movq (%1),%0", 0, 0, 0, 0);
	expect_sites("data_section_bytes", ".pushsection .rodata\n.byte 0x0f,0x01,0xc8\n.popsection",
		     0, 0, 0, 0);
	expect_sites("partial_byte_form", ".byte 0x0f, 0x01", 0, 0, 0, 0);
	expect_sites("longer_byte_form", ".byte 0x0f, 0x01, 0xc8, 0x90", 0, 0, 0, 0);
	expect_sites("byte_with_operand", ".byte %c0", 0, 0, 0, 0);
	expect_sites("alternative_original_left_alone",
		     "661:\n\trdtsc\n662:\n.pushsection .altinstructions,\"a\"\n.long 661b - .\n.popsection", 0,
		     0, 0, 0);
	expect_sites("replacement_left_alone",
		     ".pushsection .altinstr_replacement, \"ax\"\ncli\n.popsection", 0, 0, 0, 0);
	expect_sites("empty_template", "", 0, 0, 0, 0);
	expect_sites("unterminated_string_is_safe", ".ascii \"cli", 0, 0, 0, 0);
	expect_sites("unterminated_comment_is_safe", "nop /* cli", 0, 0, 0, 0);

	printf("rewriter tests: %d passed, %d failed\n", passed, failed);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
