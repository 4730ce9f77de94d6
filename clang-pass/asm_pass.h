// SPDX-License-Identifier: MIT
// The two module passes of the previrt Clang plugin (asm_pass.cpp).
#ifndef PREVIRT_CLANG_ASM_PASS_H
#define PREVIRT_CLANG_ASM_PASS_H

#include "llvm/IR/PassManager.h"

// Early (pipeline start, before any inlining): marks the inline asm written
// inside an MMIO accessor (readl, writel, ... from x86_64-mmio.rules) so the
// late pass still knows where it came from after inlining.
struct PrevirtMarkMmioPass : llvm::PassInfoMixin<PrevirtMarkMmioPass> {
	llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
	static bool isRequired() { return true; }   // run at -O0 and in optnone code too
};

// Late (optimizer last, after inlining and unrolling): rewrites every inline
// asm and the module-level asm through pv_rewrite_asm, adds the header record.
struct PrevirtRewritePass : llvm::PassInfoMixin<PrevirtRewritePass> {
	llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
	static bool isRequired() { return true; }
};

#endif
