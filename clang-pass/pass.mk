# The Clang pass plugin: build/previrt-clang.so, used as
#   clang-16 -fpass-plugin=build/previrt-clang.so
# It is C++ against one exact LLVM (checked at load time): LLVM_CONFIG picks it.
LLVM_CONFIG ?= llvm-config-16
CLANG       ?= clang-16
CLANG_PASS  := $(BUILD)/previrt-clang.so
CLANG_PASS_SRCS := clang-pass/plugin.cpp clang-pass/asm_pass.cpp clang-pass/options.cpp \
	clang-pass/host_check.cpp
CLANG_PASS_HDRS := clang-pass/asm_pass.h clang-pass/options.h clang-pass/host_check.h
# llvm-config's flags (include dir, defines, -fno-exceptions) without its
# optimisation and debug choices, plus -fno-rtti: LLVM is built without RTTI.
CLANG_PASS_CXXFLAGS = $(filter-out -std=% -O% -g%,$(shell $(LLVM_CONFIG) --cxxflags)) \
	-std=c++17 -O2 -g -fPIC -fno-rtti -Wall -Wextra -Wno-unused-parameter $(INCLUDES)
CLANG_PASS_LDFLAGS = $(shell $(LLVM_CONFIG) --ldflags) -Wl,-rpath,$(shell $(LLVM_CONFIG) --libdir) \
	$(shell $(LLVM_CONFIG) --libs) -Wl,-z,defs
# the LLVM version goes into the plugin: rebuild when it changes
CLANG_PASS_STAMP := $(BUILD)/clang-pass/llvm-version

$(CLANG_PASS_STAMP): clang-pass-force
	@mkdir -p $(dir $@)
	@v="$$($(LLVM_CONFIG) --version 2>/dev/null)"; \
	 [ -n "$$v" ] || { echo "previrt: $(LLVM_CONFIG) not found: run ci/install-deps (llvm-16-dev)" >&2; exit 1; }; \
	 [ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" > $@

$(CLANG_PASS): $(CLANG_PASS_SRCS) $(CLANG_PASS_HDRS) $(LIBREWRITE) $(CLANG_PASS_STAMP) include/previrt/format.h
	$(CXX) $(CLANG_PASS_CXXFLAGS) -shared $(CLANG_PASS_SRCS) $(LIBREWRITE) $(CLANG_PASS_LDFLAGS) -o $@

# Installed next to LLVM's own libraries: clang -fpass-plugin=$(LLVM libdir)/previrt-clang.so
CLANG_PASS_INSTALL_DIR = $(shell $(LLVM_CONFIG) --libdir)

install-clang-pass: $(CLANG_PASS)
	install -D -m 0644 $(CLANG_PASS) $(DESTDIR)$(CLANG_PASS_INSTALL_DIR)/previrt-clang.so

check-clang-pass: $(CLANG_PASS) $(PLUGIN)
	@CLANG=$(CLANG) LLVM_CONFIG=$(LLVM_CONFIG) tests/clang/run-tests.sh \
		$(CLANG_PASS) $(PLUGIN) $(RULES) $(BUILD)/tests/clang

# Linux 6.1 (tiny or defconfig) with LLVM=-16 and the pass, checked by
# kernel-configs/check-vmlinux, then booted natively under QEMU with the
# workload.  Not in CHECKS (see clang-pass/README.md for its cost):
#   make kernel-clang [KCONFIG=tiny|defconfig]
# uses kernel-configs/kernel.mk's source cache (KSRC), report tool and initramfs.
KCLANG_O = $(BUILD)/kernel/$(KCONFIG)-clang$(K_REL)
# (kernel.mk is included after this file: its variables are used in the recipe only)
kernel-clang: $(CLANG_PASS) $(PREVIRT_AS_DIR)/as $(filter %/previrt-report,$(ALL))
	@test -f $(KSRC)/Makefile || env -u MAKEFLAGS O=$(KCLANG_O) SRC=$(KSRC) TARBALL=$(KTARBALL) \
		ci/kernel-build --extract-only
	@env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL KCONFIG=$(KCONFIG) \
		O=$(KCLANG_O) SRC=$(KSRC) PASS=$(abspath $(CLANG_PASS)) AS_DIR=$(PREVIRT_AS_DIR) \
		JOBS=$(KJOBS) REPORT=$(REPORT_TOOL) \
		clang-pass/kernel-build-clang
	@$(MAKE) --no-print-directory initramfs
	@KERNEL=$(KCLANG_O)/arch/x86/boot/bzImage INITRD=$(INITRD) LOG=$(KCLANG_O)/boot-native.log \
		ci/boot-native

# the flags, for tests that build a variant of the plugin (tests/clang)
print-clang-pass-cxxflags:
	@echo $(CLANG_PASS_CXXFLAGS)
print-clang-pass-ldflags:
	@echo $(CLANG_PASS_LDFLAGS)

ALL      += $(CLANG_PASS)
CHECKS   += check-clang-pass
INSTALLS += install-clang-pass
.PHONY: install-clang-pass check-clang-pass kernel-clang clang-pass-force print-clang-pass-cxxflags \
	print-clang-pass-ldflags
clang-pass-force:
