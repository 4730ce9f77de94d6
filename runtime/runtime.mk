# The previrt runtime: freestanding patcher core (decoder, validation,
# backends, VMM detection), its user-space tests, and the loader image.
# See runtime/README.md and docs/runtime.md.
#
#   make runtime                 loader image, the core as a host library, test programs
#   make check-runtime           harness, decoder differential, VMM detection
#   make check-runtime-vmlinux   decoder + patching over the tiny vmlinux (after check-kernel)
#   make kernel-tiny-pool        the tiny kernel with the handler pool (profile backend)
#   make check-runtime-boot      QEMU boots through the loader (after check-kernel)
#   make boot-native LOADER=1 BACKEND=native|profile [KERNEL=vmlinux]

RT_OUT     := $(BUILD)/runtime
# Xen's public headers default to the 3.0.0 ABI, where __HYPERVISOR_sched_op
# means the old sched_op_compat call: ask for the current one.
RT_XEN_ABI := -D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__
RT_CORE    := runtime/decode/decode.c runtime/patch/validate.c runtime/patch/patch.c \
              runtime/patch/native.c runtime/patch/profile.c runtime/patch/xen.c \
              runtime/detect/vmm.c runtime/xen/uart16550.c
RT_HDRS    := $(wildcard runtime/*/*.h) include/previrt/format.h $(RULES_H)
# Freestanding: no libc, no builtins turned into libc calls, no red zone
# (the same objects go into the loader, which runs with interrupts on a
# small stack), no stack protector (no TLS canary in the loader).
RT_CFLAGS  := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -fno-stack-protector \
              -mno-red-zone -fno-strict-aliasing $(CWARN) -Iruntime $(INCLUDES) \
              $(RT_XEN_ABI)

# The loader's input checks (host-buildable: the loader-check test and the fuzzer run them)
RT_PARSE   := runtime/loader/bootinfo.c runtime/loader/elfimage.c runtime/loader/prepare.c

# The core built for the host (PIE objects, still freestanding code).
RT_HOST_OBJS := $(patsubst runtime/%.c,$(RT_OUT)/host/%.o,$(RT_CORE) $(RT_PARSE)) $(RT_OUT)/host/previrt_rules.o
RT_HOST_LIB  := $(RT_OUT)/libprevirt-runtime-host.a

$(RT_OUT)/host/%.o: runtime/%.c $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(RT_CFLAGS) -c $< -o $@

$(RT_OUT)/host/previrt_rules.o: $(RULES_C) $(RULES_H)
	@mkdir -p $(dir $@)
	$(CC) $(RT_CFLAGS) -c $< -o $@

$(RT_HOST_LIB): $(RT_HOST_OBJS)
	rm -f $@
	ar rcs $@ $^

# ---- the loader image: multiboot entry, long mode, load + patch vmlinux ----
RT_LOADER     := $(RT_OUT)/previrt-loader.elf
RT_LOADER_SRCS := runtime/loader/main.c runtime/loader/console.c \
                  runtime/loader/bootparams.c runtime/loader/libc.c runtime/loader/pvh.c \
                  runtime/loader/acpi.c runtime/loader/bootinfo.c runtime/loader/elfimage.c runtime/loader/prepare.c runtime/xen/pio.c
# No SSE (the loader never enables it), static, non-PIC, linked at 1 MiB.
RT_LOADER_CFLAGS := $(RT_CFLAGS) -fno-pic -fno-pie -mcmodel=small -mgeneral-regs-only \
                  -fno-asynchronous-unwind-tables -fcf-protection=none
RT_LOADER_OBJS := $(patsubst runtime/%.c,$(RT_OUT)/loader/%.o,$(RT_CORE) $(RT_LOADER_SRCS)) \
                  $(RT_OUT)/loader/previrt_rules.o $(RT_OUT)/loader/loader/entry.o \
                  $(RT_OUT)/loader/xen/entry.o

$(RT_OUT)/loader/%.o: runtime/%.c $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(RT_LOADER_CFLAGS) -c $< -o $@

$(RT_OUT)/loader/previrt_rules.o: $(RULES_C) $(RULES_H)
	@mkdir -p $(dir $@)
	$(CC) $(RT_LOADER_CFLAGS) -c $< -o $@

$(RT_OUT)/loader/loader/entry.o: runtime/loader/entry.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

# The Xen handler blob (runtime/xen/, see xen/xen-rt.h) runs inside the
# kernel at an address the loader picks: position-independent, every
# symbol hidden (RIP-relative, no GOT), no jump tables, and the kernel's
# 8-byte stack alignment.  loader.lds keeps it in one piece.  No indirect
# branch at all (hypercalls are vmcall/vmmcall, xen/hypercall.h), and every
# return an inline return thunk, so the blob is no retbleed/retpoline hole
# in a kernel built with those mitigations (check-blob verifies both).
RT_BLOB_CFLAGS := $(RT_CFLAGS) -fpie -fvisibility=hidden -fno-jump-tables -mgeneral-regs-only \
                  -mpreferred-stack-boundary=3 -fno-asynchronous-unwind-tables -fcf-protection=none \
                  -mindirect-branch=thunk-inline -mfunction-return=thunk-inline
RT_BLOB_OBJS   := $(RT_OUT)/loader/xen/pio.o $(RT_OUT)/loader/xen/uart16550.o $(RT_OUT)/loader/xen/entry.o

$(RT_OUT)/loader/xen/%.o: runtime/xen/%.c $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(RT_BLOB_CFLAGS) -c $< -o $@

$(RT_OUT)/loader/xen/entry.o: runtime/xen/entry.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

# Copied elsewhere, the blob may only refer to itself, and only relatively.
$(RT_OUT)/loader/xen/blob.ok: $(RT_BLOB_OBJS) runtime/xen/check-blob
	runtime/xen/check-blob $(RT_BLOB_OBJS)
	@touch $@

$(RT_LOADER): $(RT_LOADER_OBJS) runtime/loader/loader.lds $(RT_OUT)/loader/xen/blob.ok
	$(LD) -nostdlib -static -n -z noseparate-code -z max-page-size=0x1000 --no-warn-rwx-segments \
		-T runtime/loader/loader.lds $(RT_LOADER_OBJS) -o $@

# ---- tests (tests/runtime) ----
RT_T         := $(RT_OUT)/tests
RT_TEST_CFLAGS := -std=gnu11 $(HOST_CFLAGS) $(CWARN) -Iruntime $(INCLUDES) -Itests/runtime

# The code under test: compiled WITH the plugin, for any code model.
$(RT_T)/prog.o: tests/runtime/prog.c tests/runtime/prog.h $(PLUGIN)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -fplugin=$(PLUGIN) -fplugin-arg-previrt-all-code-models -c $< -o $@

$(RT_T)/runtime-harness: tests/runtime/harness.c tests/runtime/selfimage.c tests/runtime/selfimage.h \
		$(RT_T)/prog.o $(RT_HOST_LIB)
	$(CC) $(RT_TEST_CFLAGS) tests/runtime/harness.c tests/runtime/selfimage.c $(RT_T)/prog.o \
		$(RT_HOST_LIB) -lelf -o $@

$(RT_T)/decode-diff: tests/runtime/decode-diff.c $(RT_HOST_LIB) $(LIBREWRITE)
	@mkdir -p $(dir $@)
	$(CC) $(RT_TEST_CFLAGS) $< $(RT_HOST_LIB) $(LIBREWRITE) -lopcodes -lbfd -lelf -o $@

$(RT_T)/patch-elf: tests/runtime/patch-elf.c $(RT_HOST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(RT_TEST_CFLAGS) $< $(RT_HOST_LIB) -lelf -o $@

$(RT_T)/test-vmm: tests/runtime/test-vmm.c $(RT_HOST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(RT_TEST_CFLAGS) $< $(RT_HOST_LIB) -o $@

$(RT_T)/corrupt-elf: tests/runtime/corrupt-elf.c
	@mkdir -p $(dir $@)
	$(CC) $(RT_TEST_CFLAGS) $< -lelf -o $@

$(RT_T)/test-uart: tests/runtime/test-uart.c $(RT_HOST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(RT_TEST_CFLAGS) $< $(RT_HOST_LIB) -o $@

# The Xen backend patching and running plugin-compiled port I/O in process,
# with the blob's own objects built for the host.
$(RT_T)/xprog.o: tests/runtime/xprog.c tests/runtime/xprog.h $(PLUGIN)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -fplugin=$(PLUGIN) -fplugin-arg-previrt-all-code-models -c $< -o $@

$(RT_T)/blob-pio.o: runtime/xen/pio.c $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(RT_BLOB_CFLAGS) -c $< -o $@

$(RT_T)/blob-entry.o: runtime/xen/entry.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(RT_T)/xen-harness: tests/runtime/xen-harness.c tests/runtime/selfimage.c tests/runtime/selfimage.h \
		$(RT_T)/xprog.o $(RT_T)/blob-pio.o $(RT_T)/blob-entry.o $(RT_HOST_LIB)
	$(CC) $(RT_TEST_CFLAGS) $(RT_XEN_ABI) tests/runtime/xen-harness.c tests/runtime/selfimage.c \
		$(RT_T)/xprog.o $(RT_T)/blob-pio.o $(RT_T)/blob-entry.o $(RT_HOST_LIB) -lelf -o $@

# A small kernel-shaped ET_EXEC (virtual != physical, __ex_table, SHADOW and
# EXTABLE sites) for the loader's input checks, and the test that corrupts it.
$(RT_T)/minikernel.o: tests/runtime/minikernel.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(RT_T)/minikernel.elf: $(RT_T)/prog.o $(RT_T)/minikernel.o tests/runtime/minikernel.lds
	$(LD) -static -nostdlib -T tests/runtime/minikernel.lds $(RT_T)/prog.o $(RT_T)/minikernel.o -o $@

$(RT_T)/loader-check: tests/runtime/loader-check.c $(RT_HOST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(RT_TEST_CFLAGS) $< $(RT_HOST_LIB) -o $@

# ---- fuzzing the loader's input checks (tests/runtime/fuzz-loader.c) ----
# make fuzz-loader FUZZ_SECONDS=N: libFuzzer (clang-16), address + undefined
# sanitizers (alignment off: the loader reads unaligned boot structures on
# x86 on purpose), seeds from the mini kernel, new crashes written to
# tests/runtime/fuzz-corpus/ (kept there as regression inputs, replayed by
# fuzz-replay in check-runtime).
FUZZ_CC      ?= clang-16
FUZZ_SECONDS ?= 60
RT_FUZZ      := $(RT_OUT)/fuzz
RT_FUZZ_SRCS := $(RT_CORE) $(RT_PARSE) $(RULES_C)
$(RT_FUZZ)/fuzz-loader: tests/runtime/fuzz-loader.c $(RT_FUZZ_SRCS) $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize=alignment \
		-fno-sanitize-recover=undefined -Iruntime $(INCLUDES) $(RT_XEN_ABI) \
		tests/runtime/fuzz-loader.c $(RT_FUZZ_SRCS) -o $@

$(RT_T)/fuzz-seed: tests/runtime/fuzz-seed.c
	@mkdir -p $(dir $@)
	$(CC) $(RT_TEST_CFLAGS) $< -o $@

# The replay: the same target without libFuzzer, under gcc's sanitizers.
RT_SAN := $(shell echo 'int main(void){return 0;}' | $(CC) -x c -fsanitize=address,undefined - -o /dev/null 2>/dev/null && echo -fsanitize=address,undefined -fno-sanitize=alignment -fno-sanitize-recover=undefined)
$(RT_T)/fuzz-replay: tests/runtime/fuzz-replay.c tests/runtime/fuzz-loader.c $(RT_FUZZ_SRCS) $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g $(RT_SAN) -Iruntime $(INCLUDES) $(RT_XEN_ABI) \
		tests/runtime/fuzz-replay.c tests/runtime/fuzz-loader.c $(RT_FUZZ_SRCS) -o $@

fuzz-loader: $(RT_FUZZ)/fuzz-loader $(RT_T)/fuzz-seed $(RT_T)/minikernel.elf
	@mkdir -p $(RT_FUZZ)/corpus tests/runtime/fuzz-corpus
	@$(RT_T)/fuzz-seed $(RT_T)/minikernel.elf $(RT_FUZZ)/corpus
	@echo "== fuzz-loader: $(FUZZ_SECONDS) s, corpus $(RT_FUZZ)/corpus, crashes -> tests/runtime/fuzz-corpus/"
	nice -n 10 $(RT_FUZZ)/fuzz-loader -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
		-artifact_prefix=tests/runtime/fuzz-corpus/ $(RT_FUZZ)/corpus tests/runtime/fuzz-corpus
.PHONY: fuzz-loader

$(RT_T)/test-core: tests/runtime/test-core.c $(RT_HOST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(RT_TEST_CFLAGS) $< $(RT_HOST_LIB) -o $@

RT_TESTS := $(RT_T)/test-core $(RT_T)/fuzz-replay $(RT_T)/loader-check $(RT_T)/minikernel.elf $(RT_T)/xen-harness $(RT_T)/test-uart $(RT_T)/corrupt-elf $(RT_T)/runtime-harness $(RT_T)/decode-diff $(RT_T)/patch-elf $(RT_T)/test-vmm
runtime: $(RT_HOST_LIB) $(RT_TESTS) $(RT_LOADER)

check-runtime: $(RT_TESTS) $(filter %/previrt-report,$(ALL))
	@echo "== runtime: patching plugin-annotated code in process (native, profile, corruptions)"
	@$(RT_T)/runtime-harness $(RT_T)/harness-profile.txt
	@echo "== runtime: decoder vs libopcodes over the harness and the annotated object"
	@$(RT_T)/decode-diff --min-sites 20 $(RT_T)/runtime-harness $(RT_T)/prog.o
	@echo "== runtime: validate + patch a linked image in a copy, timed"
	@$(RT_T)/patch-elf --min-sites 20 $(RT_T)/runtime-harness
	@echo "== runtime: VMM detection and command-line options"
	@$(RT_T)/test-vmm
	@echo "== runtime: the Xen backend's 16550 model, driven as Linux's 8250 driver does"
	@$(RT_T)/test-uart
	@echo "== runtime: the Xen backend patches plugin-compiled port I/O in process and runs it"
	@$(RT_T)/xen-harness
	@echo "== runtime: the core on a hand-made image: SHADOW pairs, __ex_table, plan vs emit"
	@$(RT_T)/test-core
	@echo "== runtime: the loader's input checks refuse every corrupted field, nothing written"
	@$(RT_T)/loader-check $(RT_T)/minikernel.elf
	@echo "== runtime: fuzzer regression inputs (tests/runtime/fuzz-corpus) replayed"
	@$(RT_T)/fuzz-replay tests/runtime/fuzz-corpus
	@if [ -x "$(REPORT)" ]; then \
		echo "== runtime: the harness's profile counts load into previrt-report --profile"; \
		$(REPORT) --profile $(RT_T)/harness-profile.txt $(RT_T)/runtime-harness >$(RT_T)/harness-report.txt && \
		grep -q "executions" $(RT_T)/harness-report.txt && \
		{ grep "executions" $(RT_T)/harness-report.txt; echo "1 passed, 0 failed"; } || \
		{ cat $(RT_T)/harness-report.txt; echo "0 passed, 1 failed"; exit 1; }; fi

# Over a real annotated kernel: the tiny vmlinux of kernel-configs/kernel.mk.
# (RT_VMLINUX=path checks another vmlinux without building anything)
RT_VMLINUX_TINY := $(BUILD)/kernel/tiny/vmlinux
RT_VMLINUX ?= $(RT_VMLINUX_TINY)
check-runtime-vmlinux: $(RT_T)/decode-diff $(RT_T)/patch-elf $(RT_T)/loader-check $(RT_T)/minikernel.elf
	@echo "== runtime: decoder vs libopcodes over every instruction and site of $(RT_VMLINUX)"
	@$(RT_T)/decode-diff --min-sites 1000 $(RT_VMLINUX)
	@echo "== runtime: validate + patch $(RT_VMLINUX) in a copy, timed"
	@$(RT_T)/patch-elf --min-sites 1000 $(RT_VMLINUX)
	@echo "== runtime: the loader's input checks on $(RT_VMLINUX) (accepted; corruptions refused, nothing written)"
	@$(RT_T)/loader-check $(RT_T)/minikernel.elf $(RT_VMLINUX)

# The tiny kernel again, with the handler pool (runtime/kernel/previrt-pool.h)
# that the profile backend needs: same .config as kernel-configs' tiny
# build, same source tree, its own build directory.  Kbuild does not see a
# plugin change, so a changed plugin cleans the build first (as ci/kernel-build does).
RT_KPOOL_DIR := $(BUILD)/kernel/tiny-pool
RT_KPOOL     := $(RT_KPOOL_DIR)/vmlinux
kernel-tiny-pool: $(PLUGIN)
	@test -f $(BUILD)/kernel/tiny/.config -a -d $(BUILD)/linux-src || \
		{ echo "kernel-tiny-pool: build the tiny kernel first (make kernel)" >&2; exit 1; }
	@mkdir -p $(RT_KPOOL_DIR)
	@cmp -s $(BUILD)/kernel/tiny/.config $(RT_KPOOL_DIR)/.config || \
		cp $(BUILD)/kernel/tiny/.config $(RT_KPOOL_DIR)/.config
	@stamp=$$(cat $(PLUGIN) runtime/kernel/previrt-pool.h | md5sum); \
	if [ "$$(cat $(RT_KPOOL_DIR)/.previrt-stamp 2>/dev/null)" != "$$stamp" ]; then \
		rm -f $(RT_KPOOL_DIR)/.previrt-stamp; \
		env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL \
			make -C $(BUILD)/linux-src O=$(RT_KPOOL_DIR) -s clean >/dev/null 2>&1; \
		cp $(BUILD)/kernel/tiny/.config $(RT_KPOOL_DIR)/.config; \
	fi; \
	echo "== runtime: tiny kernel with the handler pool in $(RT_KPOOL_DIR) (log: build.log)"; \
	env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL \
		make -C $(BUILD)/linux-src O=$(RT_KPOOL_DIR) -j$$(nproc) \
		KCFLAGS="-fplugin=$(abspath $(PLUGIN)) -include $(CURDIR)/runtime/kernel/previrt-pool.h" \
		olddefconfig vmlinux >$(RT_KPOOL_DIR)/build.log 2>&1 || \
		{ tail -30 $(RT_KPOOL_DIR)/build.log; echo "kernel-tiny-pool: build failed" >&2; exit 1; }; \
	echo "$$stamp" >$(RT_KPOOL_DIR)/.previrt-stamp

# Boot tests under QEMU: the tiny annotated kernel (built by kernel-configs/kernel.mk)
# through the loader with the native backend, as one bundle module, corrupted;
# and the pool kernel with the profile backend, its counts read by previrt-report.
# RT_PROFILE_KERNEL= (empty) leaves the profile boot out.
RT_PROFILE_KERNEL ?= $(RT_KPOOL)
check-runtime-boot: $(RT_LOADER) $(RT_T)/corrupt-elf $(filter %/previrt-report,$(ALL)) \
		$(if $(filter $(RT_KPOOL),$(RT_PROFILE_KERNEL)),kernel-tiny-pool)
	@echo "== runtime: booting the tiny annotated kernel through previrt-loader (QEMU TCG)"
	@PROFILE_KERNEL=$(RT_PROFILE_KERNEL) tests/runtime/boot-tests.sh $(RT_LOADER) \
		$(BUILD)/kernel/tiny/vmlinux $(BUILD)/workload/initramfs.cpio.gz $(RT_T)/boot \
		$(RT_T)/corrupt-elf $(filter %/previrt-report,$(ALL))

# Xen 4.17 under QEMU with previrt-loader as PVH dom0 (ci/boot-xen): the
# annotated kernel with the handler pool, no Xen support configured.
#   make boot-xen [KERNEL=vmlinux] [INITRD=initramfs] [BACKEND=xen]
# KERNEL given on the command line wins; the default is the tiny pool kernel.
# XEN_ICOUNT: QEMU -icount shift (default 0; empty = real time).  With
# instruction-counted time the polled console drains on the guest's clock,
# whatever the host's speed (docs/xen.md).
RT_XEN_KERNEL = $(if $(filter command line,$(origin KERNEL)),$(KERNEL),$(RT_KPOOL))
XEN_ICOUNT ?= 0
boot-xen: $(RT_LOADER) $(INITRD) $(if $(filter command line,$(origin KERNEL)),,kernel-tiny-pool)
	@echo "== runtime: Xen 4.17 (QEMU TCG), previrt-loader as PVH dom0, $(RT_XEN_KERNEL)"
	@PREVIRT_LOADER=$(RT_LOADER) KERNEL=$(RT_XEN_KERNEL) INITRD=$(INITRD) BACKEND=$(BACKEND) \
		ICOUNT=$(XEN_ICOUNT) ci/boot-xen

check-runtime-xen: $(RT_LOADER) kernel-tiny-pool
	@echo "== runtime: the Xen backend: Xen 4.17 under QEMU TCG, previrt-loader as PVH dom0"
	@tests/runtime/xen-tests.sh $(RT_LOADER) $(RT_KPOOL) $(BUILD)/kernel/tiny/vmlinux \
		$(BUILD)/workload/initramfs.cpio.gz $(RT_T)/xen

demo-xen:
	@echo "== [runtime] Xen: the non-Xen Linux 6.1 boots as Xen's PVH dom0, patched by previrt-loader"
	@$(MAKE) --no-print-directory boot-xen
.PHONY: boot-xen check-runtime-xen demo-xen

# With a LOADER=1 boot, ci/boot-native needs the loader image.
ifneq ($(filter-out 0,$(LOADER)),)
boot-native: $(RT_LOADER)
boot-native: export PREVIRT_LOADER := $(RT_LOADER)
endif

ALL    += $(RT_HOST_LIB) $(RT_LOADER)
CHECKS += check-runtime
.PHONY: runtime check-runtime check-runtime-vmlinux check-runtime-boot kernel-tiny-pool
# After check-kernel, which builds the tiny kernel and the initramfs (and so
# never races these tests for the same build directory).
ifneq ($(wildcard kernel-configs/kernel.mk),)
ifeq ($(RT_VMLINUX),$(RT_VMLINUX_TINY))
check-runtime-vmlinux: check-kernel
endif
check-runtime-boot kernel-tiny-pool: check-kernel
# one QEMU at a time: the Xen boot after the native ones
check-runtime-xen: check-runtime-boot
CHECKS += check-runtime-vmlinux check-runtime-boot check-runtime-xen
endif

# Demo step after demo-kernel: the same annotated vmlinux, now started by
# previrt-loader, which validates every record and patches (backend native).
demo-loader:
	@echo "== [runtime] the annotated vmlinux through previrt-loader: validate every record, patch, boot"
	@$(MAKE) --no-print-directory boot-native LOADER=1 BACKEND=native KERNEL=$(BUILD)/kernel/tiny/vmlinux
DEMOS += demo-loader
.PHONY: demo-loader

# Last demo step: the same kernel family on Xen.
DEMOS += demo-xen
