// SPDX-License-Identifier: MIT
/*
 * The version check at load time.
 *
 * A pass plugin is C++ against LLVM's unstable ABI.  Loaded into another
 * LLVM it does not fail, it crashes: clang-14 happily dlopen()s a plugin
 * linked against libLLVM-16.so.1 (the dynamic linker loads that library
 * too), calls llvmGetPassPluginInfo (API version 1 in every LLVM since 9)
 * and hands our callback its own PassBuilder, which our libLLVM-16 code then
 * misreads.
 *
 * So before anything else we compare two addresses, using the C API only:
 *   - where OUR reference to LLVMContextCreate was bound (the libLLVM this
 *     plugin is linked against), and
 *   - where the PROCESS finds LLVMContextCreate (the host's LLVM: clang's
 *     libLLVM-NN.so.1, or clang itself when LLVM is linked in statically).
 * They must be the same object, and that object's LLVMGetVersion must report
 * the version in our llvm-config.h.  Any difference is refused.
 */
#include "host_check.h"

#include <dlfcn.h>
#include <cstdio>

#include "llvm-c/Core.h"
#include "llvm/Config/llvm-config.h"

#ifndef PREVIRT_BUILT_FOR_MAJOR
#define PREVIRT_BUILT_FOR_MAJOR LLVM_VERSION_MAJOR
#define PREVIRT_BUILT_FOR_MINOR LLVM_VERSION_MINOR
#define PREVIRT_BUILT_FOR_PATCH LLVM_VERSION_PATCH
#endif

static std::string object_of(const void *addr, const void **base)
{
	Dl_info info;

	if (!addr || !dladdr(addr, &info)) {
		*base = nullptr;
		return "?";
	}
	*base = info.dli_fbase;
	return info.dli_fname && *info.dli_fname ? info.dli_fname : "the main program";
}

bool previrt_host_llvm_ok(std::string *why)
{
	char built[64], runs[64];
	const void *our_base, *host_base, *ver_base;
	void *host_sym = dlsym(RTLD_DEFAULT, "LLVMContextCreate");
	void *ver_sym = dlsym(RTLD_DEFAULT, "LLVMGetVersion");
	std::string ours = object_of((const void *)&LLVMContextCreate, &our_base);
	std::string host = object_of(host_sym, &host_base);

	snprintf(built, sizeof(built), "%d.%d.%d", PREVIRT_BUILT_FOR_MAJOR,
		 PREVIRT_BUILT_FOR_MINOR, PREVIRT_BUILT_FOR_PATCH);
	/* the host's own LLVMGetVersion (LLVM >= 16), not one found further on */
	object_of(ver_sym, &ver_base);
	if (ver_sym && ver_base == host_base) {
		unsigned ma, mi, pa;

		((void (*)(unsigned *, unsigned *, unsigned *))ver_sym)(&ma, &mi, &pa);
		snprintf(runs, sizeof(runs), "%u.%u.%u", ma, mi, pa);
	} else {
		/* before LLVM 16: the library's name says it ("libLLVM-14.so.1") */
		size_t at = host.rfind("libLLVM-");
		std::string v = at == std::string::npos ? "" : host.substr(at + 8);

		v = v.substr(0, v.find(".so"));
		snprintf(runs, sizeof(runs), "%s", v.empty() ? "(older than 16)" : v.c_str());
	}
	if (!host_sym) {
		*why = "previrt: the program that loaded this plugin exports no LLVM C API, so "
		       "its LLVM version cannot be checked; refusing to run (built for LLVM " +
		       std::string(built) + ")";
		return false;
	}
	if (host_base != our_base || std::string(runs) != built) {
		*why = "previrt: plugin built for LLVM " + std::string(built) + " (" + ours +
		       ") cannot run in LLVM " + runs + " (" + host + "); rebuild it with that "
		       "LLVM's llvm-config (make LLVM_CONFIG=...)";
		return false;
	}
	return true;
}
