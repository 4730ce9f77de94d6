// SPDX-License-Identifier: MIT
/*
 * The previrt Clang passes: the same rewrite as the GCC plugin's GIMPLE pass
 * (gcc-plugin/asm_pass.cc), on LLVM IR.
 *
 * Inline asm in LLVM IR is a call (or, for asm goto, a callbr) whose callee
 * is an InlineAsm value: template string, constraints, side effects, stack
 * alignment, dialect and unwind flag.  InlineAsm values are immutable, so
 * the late pass builds a new one from pv_rewrite_asm's template and the old
 * one's other properties and swaps it in as the callee.  Operands, labels
 * and attributes of the call stay as they were.
 *
 * Templates are in LLVM syntax ("$0", "${0:b}", "$$" for a literal '$',
 * "%cr3" for GCC's "%%cr3").  pv_rewrite_asm copies them through untouched
 * and inserts text with no '$', '%', '{', '|' or '}', so the rewritten
 * template means the same to LLVM's asm printer.  The matcher classifies
 * "$0"/"${0:q}" like GCC's "%0" (a general operand) and "%cr3" like "%%cr3".
 *
 * Why late (OptimizerLast): LLVM's inliner and unroller must decide on the
 * original templates, or annotating would change the code around the sites.
 * By then inlining has erased which function an asm was written in, so an
 * early pass (PipelineStart, before any inlining) appends a marker comment
 * "# previrt-mmio:NAME" to every asm inside an MMIO accessor.  A comment,
 * not metadata: passes that merge or sink identical calls drop unknown
 * metadata, but they can only merge calls whose InlineAsm (marker
 * included) is identical.  The late pass removes the marker again.
 */
#include "asm_pass.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Support/raw_ostream.h"

#include "options.h"

extern "C" {
#include "asm_rewrite.h"
#include "previrt/format.h"
#include "previrt_rules.h"
}

using namespace llvm;

static const char MARKER[] = "\n# previrt-mmio:";


/*
 * The options for this module.  A bad option is one error, reported once per
 * module through the context, so clang prints "error: previrt: ..." and
 * writes no object.
 */
static bool module_config(Module &M, previrt_clang_config *cfg)
{
	static const Module *reported;
	std::string err;

	if (previrt_read_options(cfg, &err))
		return true;
	if (reported != &M) {
		reported = &M;
		M.getContext().diagnose(DiagnosticInfoInlineAsm(err, DS_Error));
	}
	return false;
}

// Kernel code only, unless asked: keeps a kernel's vdso (small code model) free of sites.
static bool annotating(const Module &M, const previrt_clang_config &cfg)
{
	if (cfg.disable)
		return false;
	if (cfg.all_code_models)
		return true;
	std::optional<CodeModel::Model> cm = M.getCodeModel();
	return cm && *cm == CodeModel::Kernel;
}

/*
 * Bitcode we wrote ourselves (clang -emit-llvm with the pass, then clang -c
 * x.bc with it again) carries our header record in its module asm.  A second
 * rewrite would give every site a second record.
 */
static bool already_annotated(const Module &M)
{
	char magic[32];

	snprintf(magic, sizeof(magic), ".long 0x%08x", PREVIRT_MAGIC);  // as pv_header_asm writes it
	return M.getModuleInlineAsm().find(magic) != std::string::npos;
}

static const struct previrt_mmio_accessor *mmio_accessor(StringRef name)
{
	for (unsigned i = 0; i < previrt_nmmio_accessors; i++)
		if (name == previrt_mmio_accessors[i].function)
			return &previrt_mmio_accessors[i];
	return nullptr;
}

static InlineAsm *with_template(InlineAsm *ia, const std::string &text)
{
	return InlineAsm::get(ia->getFunctionType(), text, ia->getConstraintString(),
			      ia->hasSideEffects(), ia->isAlignStack(), ia->getDialect(),
			      ia->canThrow());
}

PreservedAnalyses PrevirtMarkMmioPass::run(Module &M, ModuleAnalysisManager &)
{
	previrt_clang_config cfg;

	if (!module_config(M, &cfg) || !annotating(M, cfg) || already_annotated(M))
		return PreservedAnalyses::all();
	for (Function &F : M) {
		if (F.isDeclaration() || !mmio_accessor(F.getName()))
			continue;
		for (Instruction &I : instructions(F)) {
			auto *cb = dyn_cast<CallBase>(&I);
			auto *ia = cb ? dyn_cast<InlineAsm>(cb->getCalledOperand()) : nullptr;

			if (!ia || ia->getDialect() != InlineAsm::AD_ATT ||
			    ia->getAsmString().find(MARKER) != std::string::npos)
				continue;
			cb->setCalledOperand(with_template(ia, ia->getAsmString() + MARKER +
							   F.getName().str()));
		}
	}
	// only callee templates changed: no analysis result depends on them
	return PreservedAnalyses::all();
}

namespace {

struct rewriter {
	Module &M;
	const previrt_clang_config &cfg;
	unsigned sites = 0;

	void base_opts(struct pv_rewrite_opts *o) const
	{
		memset(o, 0, sizeof(*o));
		o->pad = PV_PAD_FILL;     // LLVM MC has no .nops with a label expression
		o->min_size = cfg.min_size;
		o->kind_enabled = cfg.restrict_kinds ? cfg.kind_enabled : nullptr;
	}

	/*
	 * Verbose output, worded as the GCC plugin's notes.  Straight to stderr:
	 * clang drops a DS_Note diagnostic that follows no warning or error, and
	 * a warning would break -Werror builds.
	 */
	void note(const Instruction *at, const std::string &msg) const
	{
		errs() << M.getSourceFileName() << ": "
		       << (at ? "in function '" + at->getFunction()->getName().str() + "': "
			      : std::string("top level: "))
		       << "note: " << msg << "\n";
	}

	void report(const Instruction *at, const char *what, const struct pv_rewrite_stats &st) const
	{
		std::string kinds;

		for (unsigned i = 0; i < st.sites && i < 8; i++) {
			const struct previrt_rule *r = previrt_rule_by_id(st.kinds[i]);

			kinds += std::string(i ? "," : "") + (r ? r->name : "?");
		}
		note(at, std::string("previrt: ") + what + ": " + std::to_string(st.sites) +
			 " site(s) [" + kinds + "]" + (st.sites > 8 ? ",..." : ""));
	}

	void report_skips(const Instruction *at, const struct pv_rewrite_stats &st) const
	{
		if (st.skipped_alt || st.skipped_repl || st.skipped_kind)
			note(at, "previrt: left alone: " + std::to_string(st.skipped_alt) +
				 " in ALTERNATIVE original, " + std::to_string(st.skipped_repl) +
				 " in replacement code, " + std::to_string(st.skipped_kind) +
				 " filtered by 'kinds'");
	}

	void rewrite_call(CallBase *cb, InlineAsm *ia, unsigned section_flags)
	{
		struct pv_rewrite_opts o;
		struct pv_rewrite_stats st;
		const struct previrt_mmio_accessor *acc = nullptr;
		std::string text = ia->getAsmString();
		size_t mark = text.rfind(MARKER);
		bool marked = mark != std::string::npos;

		if (ia->getDialect() != InlineAsm::AD_ATT)
			return;   // the rules and the matcher speak AT&T (as the kernel does)
		if (marked) {
			acc = mmio_accessor(text.substr(mark + strlen(MARKER)));
			text.erase(mark);
		} else {
			// -O0 without the early pass, or an accessor that was not inlined
			acc = mmio_accessor(cb->getFunction()->getName());
		}
		base_opts(&o);
		if (acc) {
			o.mmio_kind = acc->write ? PREVIRT_KIND_MMIO_WRITE : PREVIRT_KIND_MMIO_READ;
			o.mmio_width = acc->width;
			o.mmio_in_alternative = acc->in_alternative;
		}
		o.flags |= section_flags;
		if (isa<CallBrInst>(cb))
			o.flags |= PREVIRT_F_ASMGOTO;
		char *out = pv_rewrite_asm(text.c_str(), &o, &st);
		if (cfg.verbose)
			report_skips(cb, st);
		if (out) {
			cb->setCalledOperand(with_template(ia, out));
			free(out);
			sites += st.sites;
			if (cfg.verbose)
				report(cb, acc ? acc->function : "asm", st);
		} else if (marked) {
			cb->setCalledOperand(with_template(ia, text));
		}
	}

	void rewrite_functions()
	{
		for (Function &F : M) {
			if (F.isDeclaration())
				continue;
			StringRef sec = F.getSection();
			// what the function's section gives each site (one definition, lib/asm_rewrite.h)
			unsigned section_flags = pv_section_site_flags(sec.empty() ? nullptr : sec.str().c_str());

			for (Instruction &I : instructions(F)) {
				auto *cb = dyn_cast<CallBase>(&I);
				auto *ia = cb ? dyn_cast<InlineAsm>(cb->getCalledOperand()) : nullptr;

				if (ia)
					rewrite_call(cb, ia, section_flags);
			}
		}
	}

	// Module-level asm: clang joins all file-scope asm() blocks into one text.
	void rewrite_module_asm()
	{
		struct pv_rewrite_opts o;
		struct pv_rewrite_stats st;
		const std::string &text = M.getModuleInlineAsm();

		if (text.empty())
			return;
		base_opts(&o);
		o.flags = PREVIRT_F_TOPLEVEL;
		char *out = pv_rewrite_asm(text.c_str(), &o, &st);
		if (cfg.verbose)
			report_skips(nullptr, st);
		if (!out)
			return;
		M.setModuleInlineAsm(out);
		free(out);
		sites += st.sites;
		if (cfg.verbose)
			report(nullptr, "top-level asm", st);
	}
};

} // namespace

PreservedAnalyses PrevirtRewritePass::run(Module &M, ModuleAnalysisManager &)
{
	previrt_clang_config cfg;

	if (!module_config(M, &cfg) || !annotating(M, cfg))
		return PreservedAnalyses::all();
	if (already_annotated(M))
		return PreservedAnalyses::all();
	rewriter r{M, cfg};
	r.rewrite_functions();
	r.rewrite_module_asm();
	// one header record per object that has sites (docs/format.md)
	if (r.sites)
		M.appendModuleInlineAsm(pv_header_asm(PREVIRT_PRODUCER_CLANG));
	// the handler pools, once per image: in the unit that defines the anchor
	const Function *anchor = M.getFunction(PREVIRT_POOL_ANCHOR);
	if ((cfg.pool_bytes || cfg.noinstr_pool_bytes) && anchor && !anchor->isDeclaration() &&
	    anchor->hasExternalLinkage())
		M.appendModuleInlineAsm(pv_pool_asm(cfg.pool_bytes, cfg.noinstr_pool_bytes));
	return PreservedAnalyses::all();
}
