// SPDX-License-Identifier: MIT
/*
 * previrt Clang pass plugin: entry point, load-time version check and pass
 * registration.
 *
 *   clang-16 -fpass-plugin=previrt-clang.so [-fplugin=previrt-clang.so -mllvm -previrt-KEY...]
 *
 * The passes are in asm_pass.cpp, the options in options.cpp.
 */
#include <cstdio>
#include <string>

#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"

#include "asm_pass.h"
#include "host_check.h"
#include "options.h"

using namespace llvm;

static bool host_ok;

/*
 * Runs when the library is loaded, before any other static constructor of
 * this plugin (priority 101): in a foreign LLVM, the cl::opt constructors
 * would already be the crash.  So options are registered only after the
 * check, and a mismatch is reported here, once, by name.
 */
__attribute__((constructor(101))) static void previrt_at_load()
{
	std::string why;

	host_ok = previrt_host_llvm_ok(&why);
	if (host_ok)
		previrt_register_options();
	else
		fprintf(stderr, "%s\n", why.c_str());
}

static void register_passes(PassBuilder &pb)
{
	// before the inliner, at every -O level (LLVM 16 runs PipelineStart at -O0 too)
	pb.registerPipelineStartEPCallback(
		[](ModulePassManager &mpm, OptimizationLevel) { mpm.addPass(PrevirtMarkMmioPass()); });
	// after all IR optimisation, also at -O0
	pb.registerOptimizerLastEPCallback(
		[](ModulePassManager &mpm, OptimizationLevel) { mpm.addPass(PrevirtRewritePass()); });
}

/*
 * A mismatched host gets API version 0 back, which every LLVM refuses with
 * "Wrong API version on plugin" after our own line above: clang stops with
 * an error instead of running our code on its data structures.
 */
extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo()
{
	if (!host_ok)
		return {0, "previrt", "refused", nullptr};
	return {LLVM_PLUGIN_API_VERSION, "previrt", "1", register_passes};
}
