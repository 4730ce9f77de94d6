// SPDX-License-Identifier: MIT
// Is the LLVM that loaded this plugin the LLVM it was built for?
#ifndef PREVIRT_CLANG_HOST_CHECK_H
#define PREVIRT_CLANG_HOST_CHECK_H

#include <string>

// True when the host's LLVM is the very library this plugin is linked
// against, at the version it was compiled for.  Otherwise false, with one
// line for the user in *why.  Calls no LLVM C++ code: it must be safe to run
// inside any LLVM, before any of the plugin's LLVM objects exist.
bool previrt_host_llvm_ok(std::string *why);

#endif
