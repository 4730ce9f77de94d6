# The previrt runtime: freestanding patcher core (decoder, validation,
# backends, VMM detection), its user-space tests, and the loader image.
# See runtime/README.md and docs/runtime.md.
#
#   make runtime                 loader image, the core as a host library, test programs
#   make check-runtime           harness, decoder differential, VMM detection
#   make check-runtime-vmlinux   decoder + patching over the tiny vmlinux (after check-kernel)
#   make check-runtime-boot      QEMU boots through the loader (after check-kernel)
#   make boot-native LOADER=1 BACKEND=native|profile [KERNEL=vmlinux] [INITRD=...] [MARKER=text]
#   make bench-xen               P5: builds the tiny and pvops kernels, prints the table

RT_OUT     := $(BUILD)/runtime
# Xen's public headers default to the 3.0.0 ABI, where __HYPERVISOR_sched_op
# means the old sched_op_compat call: ask for the current one.
RT_XEN_ABI := -D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__
RT_CORE    := runtime/decode/decode.c runtime/patch/validate.c runtime/patch/patch.c \
              runtime/patch/native.c runtime/patch/profile.c runtime/patch/xen.c runtime/patch/l4.c \
              runtime/patch/zone.c runtime/detect/vmm.c runtime/xen/uart16550.c \
              runtime/xen/consring.c runtime/xen/pic8259.c runtime/xen/pagewalk.c
RT_HDRS    := $(wildcard runtime/*/*.h) include/previrt/format.h $(RULES_H)
# Freestanding: no libc, no builtins turned into libc calls, no red zone
# (the same objects go into the loader, which runs with interrupts on a
# small stack), no stack protector (no TLS canary in the loader).
RT_CFLAGS  := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -fno-stack-protector \
              -mno-red-zone -fno-strict-aliasing $(CWARN) -Iruntime $(INCLUDES) \
              $(RT_XEN_ABI)

# The loader's input checks (host-buildable: the loader-check test and the fuzzer run them)
RT_PARSE   := runtime/loader/bootinfo.c runtime/loader/elfimage.c runtime/loader/prepare.c \
              runtime/loader/acpi.c runtime/loader/acpis5.c runtime/loader/madt.c runtime/loader/linuxboot.c

# The domU frontends' cores (XenStore client, blkif ring): the XenStore
# client's environment (pv_xs_notify, pv_xs_wait) is bound at link time,
# so they join an image only with the domU platform that binds it.
RT_XENFRONT := runtime/xen/xenstore.c runtime/xen/blkfront.c runtime/xen/gnttab.c runtime/xen/netfront.c

# The in-place virtio devices of a domU (virtio-mmio register file, split
# virtqueues; the devices over the frontend cores): handler-blob code the MMIO
# dispatch calls; checked with the blob's rules below (RT_BLOB_OBJS).
RT_VIRTIO := runtime/xen/virtq.c runtime/xen/virtio-mmio.c runtime/xen/virtio-blk.c runtime/xen/virtio-net.c

# The core built for the host (PIE objects, still freestanding code).
RT_HOST_OBJS := $(patsubst runtime/%.c,$(RT_OUT)/host/%.o,$(RT_CORE) $(RT_PARSE) runtime/l4/pit.c $(RT_XENFRONT) $(RT_VIRTIO)) $(RT_OUT)/host/previrt_rules.o
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
                  runtime/loader/bootparams.c runtime/loader/libc.c runtime/loader/pvh.c runtime/loader/linuxboot.c \
                  runtime/loader/acpi.c runtime/loader/acpis5.c runtime/loader/madt.c runtime/loader/bootinfo.c runtime/loader/elfimage.c runtime/loader/prepare.c runtime/xen/pio.c \
                  runtime/xen/mmio.c runtime/xen/mmio-phys.c runtime/xen/domu-dev.c runtime/xen/domu-irq.c \
                  runtime/xen/domu-control.c runtime/xen/power-button.c runtime/xen/xenstore.c runtime/xen/xs-hyper.c \
                  $(RT_VIRTIO) runtime/xen/blkfront.c runtime/xen/netfront.c \
                  runtime/loader/resident.c runtime/loader/domudev.c
# No SSE (the loader never enables it), static, non-PIC, linked at 1 MiB.
RT_LOADER_CFLAGS := $(RT_CFLAGS) -fno-pic -fno-pie -mcmodel=small -mgeneral-regs-only \
                  -fno-asynchronous-unwind-tables -fcf-protection=none
# The loader's own copy of the grant table (it does a domU's xenbus
# handshakes, loader/domudev.c): built as loader code, in a directory that
# loader.lds does not take into the Xen blob.  The XenStore client is the
# blob's (which reads control/shutdown for xl shutdown): the loader calls it
# where it is linked.
RT_LOADER_FRONT := $(RT_OUT)/loader/xenfront/gnttab.o
RT_L4BLOB      := $(RT_OUT)/loader/l4blob
RT_L4BLOB_OBJS := $(RT_L4BLOB)/pio.o $(RT_L4BLOB)/pit.o $(RT_L4BLOB)/entry.o
RT_LOADER_OBJS := $(patsubst runtime/%.c,$(RT_OUT)/loader/%.o,$(RT_CORE) $(RT_LOADER_SRCS)) \
                  $(RT_OUT)/loader/previrt_rules.o $(RT_OUT)/loader/loader/entry.o \
                  $(RT_OUT)/loader/xen/entry.o $(RT_OUT)/loader/loader/resident-image.o \
                  $(RT_L4BLOB_OBJS) $(RT_LOADER_FRONT)

$(RT_OUT)/loader/xenfront/%.o: runtime/xen/%.c $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(RT_LOADER_CFLAGS) -c $< -o $@

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
# with the virtio models and the frontend cores they call (a domU's disk and NIC)
RT_BLOB_DEV_OBJS := $(patsubst runtime/%.c,$(RT_OUT)/loader/%.o,$(RT_VIRTIO) runtime/xen/blkfront.c runtime/xen/netfront.c)
RT_BLOB_OBJS   := $(RT_OUT)/loader/xen/pio.o $(RT_OUT)/loader/xen/uart16550.o $(RT_OUT)/loader/xen/consring.o \
                  $(RT_OUT)/loader/xen/pic8259.o $(RT_OUT)/loader/xen/entry.o \
                  $(RT_OUT)/loader/xen/mmio.o $(RT_OUT)/loader/xen/mmio-phys.o $(RT_OUT)/loader/xen/pagewalk.o \
                  $(RT_OUT)/loader/xen/domu-dev.o $(RT_OUT)/loader/xen/domu-irq.o $(RT_OUT)/loader/xen/domu-control.o \
                  $(RT_OUT)/loader/xen/power-button.o $(RT_OUT)/loader/xen/xenstore.o $(RT_OUT)/loader/xen/xs-hyper.o \
                  $(RT_BLOB_DEV_OBJS)

$(RT_OUT)/loader/xen/%.o: runtime/xen/%.c $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(RT_BLOB_CFLAGS) -c $< -o $@

$(RT_OUT)/loader/xen/entry.o: runtime/xen/entry.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

# Copied elsewhere, the blob may only refer to itself, and only relatively.
# (Writable data: loader.lds refuses any in the blob.)
$(RT_OUT)/loader/xen/blob.ok: $(RT_BLOB_OBJS) runtime/xen/check-blob
	runtime/xen/check-blob $(RT_BLOB_OBJS)
	@touch $@

# The L4 handler blob (runtime/l4/, see l4/l4-rt.h): built like the Xen
# blob, from l4/pio.c, l4/pit.c and xen/entry.S under the L4 names (-DPV_PIO_BLOB_L4);
# loader.lds keeps it in .l4blob.
$(RT_L4BLOB)/%.o: runtime/l4/%.c $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(RT_BLOB_CFLAGS) -c $< -o $@

$(RT_L4BLOB)/entry.o: runtime/xen/entry.S
	@mkdir -p $(dir $@)
	$(CC) -DPV_PIO_BLOB_L4 -c $< -o $@

$(RT_L4BLOB)/blob.ok: $(RT_L4BLOB_OBJS) runtime/xen/check-blob
	runtime/xen/check-blob $(RT_L4BLOB_OBJS)
	@touch $@

# The resident module patcher (runtime/resident/, see resident.h): the
# freestanding core plus the module hook, linked as one position-independent
# image that the loader copies into the kernel's pool and relocates there.
# Built like the Xen blob (no jump tables, no indirect branch, inline return
# thunks; check-blob --pie checks the linked image), with unused functions
# dropped (--gc-sections), flattened by mkresident into what the loader
# carries (runtime/loader/resident-image.S).
RT_RES_SRCS := runtime/resident/module.c runtime/decode/decode.c runtime/patch/validate.c \
               runtime/patch/patch.c runtime/patch/native.c runtime/patch/profile.c \
               runtime/patch/xen.c runtime/patch/zone.c runtime/loader/libc.c
RT_RES_OBJS := $(patsubst runtime/%.c,$(RT_OUT)/resident/%.o,$(RT_RES_SRCS)) \
               $(RT_OUT)/resident/previrt_rules.o $(RT_OUT)/resident/resident/hook.o
RT_RES_CFLAGS := $(RT_BLOB_CFLAGS) -ffunction-sections -fdata-sections
RT_RES_ELF  := $(RT_OUT)/resident/resident.elf
RT_RES_BIN  := $(RT_OUT)/resident/resident.bin

$(RT_OUT)/resident/%.o: runtime/%.c $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(RT_RES_CFLAGS) -c $< -o $@

$(RT_OUT)/resident/previrt_rules.o: $(RULES_C) $(RULES_H)
	@mkdir -p $(dir $@)
	$(CC) $(RT_RES_CFLAGS) -c $< -o $@

$(RT_OUT)/resident/resident/hook.o: runtime/resident/hook.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(RT_RES_ELF): $(RT_RES_OBJS) runtime/xen/check-blob
	$(LD) -pie --no-dynamic-linker -z norelro -z noexecstack -z max-page-size=0x40 -z common-page-size=0x40 \
		--gc-sections -e pv_res_hook -u pv_res_slots -u pv_res_noprint $(RT_RES_OBJS) -o $@.tmp
	runtime/xen/check-blob --linked $@.tmp
	mv $@.tmp $@

$(RT_OUT)/resident/mkresident: runtime/resident/mkresident.c runtime/resident/resident.h $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g $(CWARN) -Iruntime $(INCLUDES) $(RT_XEN_ABI) $< -o $@

$(RT_RES_BIN): $(RT_RES_ELF) $(RT_OUT)/resident/mkresident
	$(RT_OUT)/resident/mkresident $< $@

$(RT_OUT)/loader/loader/resident-image.o: runtime/loader/resident-image.S $(RT_RES_BIN)
	@mkdir -p $(dir $@)
	$(CC) -DRESIDENT_BIN='"$(RT_RES_BIN)"' -c $< -o $@

$(RT_LOADER): $(RT_LOADER_OBJS) runtime/loader/loader.lds $(RT_OUT)/loader/xen/blob.ok $(RT_L4BLOB)/blob.ok
	$(LD) -nostdlib -static -n -z noseparate-code -z max-page-size=0x1000 --no-warn-rwx-segments \
		-T runtime/loader/loader.lds $(RT_LOADER_OBJS) -o $@

# ---- tests (tests/runtime) ----
RT_T         := $(RT_OUT)/tests
RT_TEST_CFLAGS := -std=gnu11 $(HOST_CFLAGS) $(CWARN) -Iruntime $(INCLUDES) -Itests/runtime

# The code under test: compiled WITH the plugin, for any code model.  It
# defines start_kernel, so the plugin reserves the pools in it: small ones,
# to keep the mini kernel (and the fuzzer seeds made from it) below 64 KiB.
$(RT_T)/prog.o: tests/runtime/prog.c tests/runtime/prog.h $(PLUGIN)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -fplugin=$(PLUGIN) -fplugin-arg-previrt-all-code-models \
		-fplugin-arg-previrt-pool=8192 -fplugin-arg-previrt-noinstr-pool=512 -c $< -o $@

# every instruction kind, as the GCC plugin and the Clang pass annotate them, linked at a
# kernel address: the validator must accept all of them and the decoder agree with libopcodes
$(RT_T)/kinds-gcc.o: tests/corpus/sensitive_set.c tests/corpus/kernel_like.h $(PLUGIN)
	@mkdir -p $(dir $@)
	$(CC) -O2 -mcmodel=kernel -fno-pic -fplugin=$(PLUGIN) -c $< -o $@

$(RT_T)/kinds-clang.o: tests/corpus/sensitive_set.c tests/corpus/kernel_like.h $(CLANG_PASS)
	@mkdir -p $(dir $@)
	$(CLANG) -Os -mcmodel=kernel -fno-pic -fpass-plugin=$(CLANG_PASS) -c $< -o $@
	objcopy --prefix-symbols=clang_ $@          # the same functions as kinds-gcc.o

$(RT_T)/kinds.elf: $(RT_T)/kinds-gcc.o $(RT_T)/kinds-clang.o
	ld -o $@ -e 0 -Ttext=0xffffffff81000000 $^

# Linux 6.12's shapes (tests/report/fixtures/linux612.c): lkgs as .byte,
# which binutils 2.40 cannot decode; decode-diff must stay in step after it
$(RT_T)/linux612.elf: tests/report/fixtures/linux612.c $(PLUGIN)
	@mkdir -p $(dir $@)
	$(CC) -O2 -mcmodel=kernel -fno-pic -ffreestanding -fplugin=$(PLUGIN) -c $< -o $(@:.elf=.o)
	ld -o $@ -e 0 -Ttext=0xffffffff81000000 $(@:.elf=.o)

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

# The unit tests that are one C file each, linked with the host-built
# runtime (and its Xen interface version, so both read Xen's headers alike).
RT_UNIT_TESTS := vmm l4 uart consring pic8259 acpi-s5 madt xenstore blkfront gnttab netfront core pagewalk xen-plan virtio-blk virtio-net
$(patsubst %,$(RT_T)/test-%,$(RT_UNIT_TESTS)): $(RT_T)/test-%: tests/runtime/test-%.c $(RT_HOST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(RT_TEST_CFLAGS) $(RT_XEN_ABI) $< $(RT_HOST_LIB) -o $@

# (the played blkback and netback the frontend and model tests share)
$(RT_T)/test-blkfront $(RT_T)/test-virtio-blk: tests/runtime/play-blkback.h
$(RT_T)/test-netfront $(RT_T)/test-virtio-net: tests/runtime/play-netback.h

$(RT_T)/corrupt-elf: tests/runtime/corrupt-elf.c
	@mkdir -p $(dir $@)
	$(CC) $(RT_TEST_CFLAGS) $< -lelf -o $@

# The Xen backend patching and running plugin-compiled port I/O in process,
# with the blob's own objects built for the host.
$(RT_T)/xprog.o: tests/runtime/xprog.c tests/runtime/xprog.h $(PLUGIN)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -fplugin=$(PLUGIN) -fplugin-arg-previrt-all-code-models -c $< -o $@

# blob objects the host tests link (built as the blob builds them)
$(RT_T)/blob-pio.o $(RT_T)/blob-mmio.o $(RT_T)/blob-domu-irq.o $(RT_T)/blob-power-button.o $(RT_T)/blob-domu-control.o $(RT_T)/blob-xenstore.o: $(RT_T)/blob-%.o: runtime/xen/%.c $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(RT_BLOB_CFLAGS) -c $< -o $@

$(RT_T)/blob-entry.o: runtime/xen/entry.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

# MMIO the same way (xmmio.c); the harness binds the page walk and the models (xen/xen-rt.h).
$(RT_T)/xmmio.o: tests/runtime/xmmio.c tests/runtime/xmmio.h $(PLUGIN)
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -fplugin=$(PLUGIN) -fplugin-arg-previrt-all-code-models -c $< -o $@

RT_XEN_HARNESS_OBJS := $(RT_T)/xprog.o $(RT_T)/xmmio.o $(RT_T)/blob-pio.o $(RT_T)/blob-mmio.o $(RT_T)/blob-domu-irq.o $(RT_T)/blob-power-button.o $(RT_T)/blob-entry.o
# A domU's events, interrupt line and exit rule: xen/domu-irq.c as the blob
# builds it, its hypercalls trapped (xen-trap.h), the devices played.
$(RT_T)/test-domu-irq: tests/runtime/test-domu-irq.c tests/runtime/xen-trap.h $(RT_T)/blob-domu-irq.o $(RT_T)/blob-power-button.o $(RT_HOST_LIB)
	$(CC) $(RT_TEST_CFLAGS) $(RT_XEN_ABI) $< $(RT_T)/blob-domu-irq.o $(RT_T)/blob-power-button.o $(RT_HOST_LIB) -o $@

# xl shutdown/reboot: xen/domu-control.c as the blob builds it, against play-xenstored.h, its hypercall trapped.
$(RT_T)/test-domu-control: tests/runtime/test-domu-control.c tests/runtime/play-xenstored.h tests/runtime/xen-trap.h \
		$(RT_T)/blob-domu-control.o $(RT_T)/blob-power-button.o $(RT_T)/blob-xenstore.o
	$(CC) $(RT_TEST_CFLAGS) $(RT_XEN_ABI) $< $(RT_T)/blob-domu-control.o $(RT_T)/blob-power-button.o $(RT_T)/blob-xenstore.o -o $@

$(RT_T)/xen-harness: tests/runtime/xen-harness.c tests/runtime/xen-trap.h tests/runtime/selfimage.c tests/runtime/selfimage.h \
		$(RT_XEN_HARNESS_OBJS) $(RT_HOST_LIB)
	$(CC) $(RT_TEST_CFLAGS) $(RT_XEN_ABI) tests/runtime/xen-harness.c tests/runtime/selfimage.c \
		$(RT_XEN_HARNESS_OBJS) $(RT_HOST_LIB) -lelf -o $@

# The L4 backend the same way: the L4 blob's objects built for the host,
# uvmm played by a signal handler (vmmcall print, port exits).
$(RT_T)/l4blob-pio.o: runtime/l4/pio.c $(RT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(RT_BLOB_CFLAGS) -c $< -o $@

$(RT_T)/l4blob-entry.o: runtime/xen/entry.S
	@mkdir -p $(dir $@)
	$(CC) -DPV_PIO_BLOB_L4 -c $< -o $@

$(RT_T)/l4-harness: tests/runtime/l4-harness.c tests/runtime/selfimage.c tests/runtime/selfimage.h \
		$(RT_T)/xprog.o $(RT_T)/l4blob-pio.o $(RT_T)/l4blob-entry.o $(RT_HOST_LIB)
	$(CC) $(RT_TEST_CFLAGS) tests/runtime/l4-harness.c tests/runtime/selfimage.c \
		$(RT_T)/xprog.o $(RT_T)/l4blob-pio.o $(RT_T)/l4blob-entry.o $(RT_HOST_LIB) -lelf -o $@

# A small kernel-shaped ET_EXEC (virtual != physical, __ex_table, SHADOW and
# EXTABLE sites) for the loader's input checks, and the test that corrupts it.
$(RT_T)/minikernel.o: tests/runtime/minikernel.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(RT_T)/minikernel.elf: $(RT_T)/prog.o $(RT_T)/minikernel.o tests/runtime/minikernel.lds
	$(LD) -static -nostdlib -T tests/runtime/minikernel.lds $(RT_T)/prog.o $(RT_T)/minikernel.o -o $@

# (with the loader's module-hook check and the resident image it carries)
$(RT_T)/loader-check: tests/runtime/loader-check.c runtime/loader/resident.c runtime/loader/resident-image.S \
		$(RT_RES_BIN) $(RT_HOST_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(RT_TEST_CFLAGS) -DRESIDENT_BIN='"$(RT_RES_BIN)"' $< runtime/loader/resident.c \
		runtime/loader/resident-image.S $(RT_HOST_LIB) -o $@

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

# ---- fuzzing the domU frontends' cores (tests/runtime/fuzz-xenfront.c) ----
# make fuzz-xenfront FUZZ_SECONDS=N: the input plays xenstored or blkback;
# seeds are the regression inputs in tests/runtime/fuzz-corpus-xenfront/
# (replayed by check-runtime), new crashes are written there too.
RT_XENFRONT_HDRS := runtime/xen/xenstore.h runtime/xen/blkfront.h runtime/xen/gnttab.h runtime/xen/netfront.h
$(RT_FUZZ)/fuzz-xenfront: tests/runtime/fuzz-xenfront.c $(RT_XENFRONT) $(RT_XENFRONT_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Iruntime $(INCLUDES) $(RT_XEN_ABI) tests/runtime/fuzz-xenfront.c $(RT_XENFRONT) -o $@

$(RT_T)/fuzz-xenfront-replay: tests/runtime/fuzz-replay.c tests/runtime/fuzz-xenfront.c $(RT_XENFRONT) $(RT_XENFRONT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g $(RT_SAN) -Iruntime $(INCLUDES) $(RT_XEN_ABI) \
		tests/runtime/fuzz-replay.c tests/runtime/fuzz-xenfront.c $(RT_XENFRONT) -o $@

fuzz-xenfront: $(RT_FUZZ)/fuzz-xenfront
	@mkdir -p $(RT_FUZZ)/corpus-xenfront
	@echo "== fuzz-xenfront: $(FUZZ_SECONDS) s, corpus $(RT_FUZZ)/corpus-xenfront, crashes -> tests/runtime/fuzz-corpus-xenfront/"
	nice -n 10 $(RT_FUZZ)/fuzz-xenfront -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
		-artifact_prefix=tests/runtime/fuzz-corpus-xenfront/ $(RT_FUZZ)/corpus-xenfront tests/runtime/fuzz-corpus-xenfront
.PHONY: fuzz-xenfront

# ---- fuzzing the virtio models (tests/runtime/fuzz-virtio.c) ----
# make fuzz-virtio FUZZ_SECONDS=N: the input plays the guest's virtio
# drivers and both backends; regression inputs in tests/runtime/fuzz-corpus-virtio/
# (replayed by check-runtime), new crashes are written there too.
RT_VIRTIO_FUZZ_SRCS := tests/runtime/fuzz-virtio.c $(RT_VIRTIO) runtime/xen/blkfront.c runtime/xen/netfront.c
RT_VIRTIO_FUZZ_HDRS := $(RT_XENFRONT_HDRS) $(wildcard runtime/xen/virt*.h) runtime/xen/vmem.h \
                       tests/runtime/play-blkback.h tests/runtime/play-netback.h tests/runtime/virtio-driver.h
$(RT_FUZZ)/fuzz-virtio: $(RT_VIRTIO_FUZZ_SRCS) $(RT_VIRTIO_FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Iruntime -Itests/runtime $(INCLUDES) $(RT_XEN_ABI) $(RT_VIRTIO_FUZZ_SRCS) -o $@

$(RT_T)/fuzz-virtio-replay: tests/runtime/fuzz-replay.c $(RT_VIRTIO_FUZZ_SRCS) $(RT_VIRTIO_FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g $(RT_SAN) -Iruntime -Itests/runtime $(INCLUDES) $(RT_XEN_ABI) \
		tests/runtime/fuzz-replay.c $(RT_VIRTIO_FUZZ_SRCS) -o $@

fuzz-virtio: $(RT_FUZZ)/fuzz-virtio
	@mkdir -p $(RT_FUZZ)/corpus-virtio tests/runtime/fuzz-corpus-virtio
	@echo "== fuzz-virtio: $(FUZZ_SECONDS) s, corpus $(RT_FUZZ)/corpus-virtio, crashes -> tests/runtime/fuzz-corpus-virtio/"
	nice -n 10 $(RT_FUZZ)/fuzz-virtio -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
		-artifact_prefix=tests/runtime/fuzz-corpus-virtio/ $(RT_FUZZ)/corpus-virtio tests/runtime/fuzz-corpus-virtio
.PHONY: fuzz-virtio

RT_TESTS := $(RT_T)/test-l4 $(RT_T)/l4-harness $(RT_T)/test-core $(RT_T)/fuzz-replay $(RT_T)/loader-check $(RT_T)/minikernel.elf $(RT_T)/xen-harness $(RT_T)/test-uart $(RT_T)/test-consring $(RT_T)/test-pic8259 $(RT_T)/test-acpi-s5 $(RT_T)/test-madt $(RT_T)/test-xenstore $(RT_T)/test-blkfront $(RT_T)/test-gnttab $(RT_T)/test-netfront $(RT_T)/test-pagewalk $(RT_T)/test-xen-plan $(RT_T)/test-domu-irq $(RT_T)/test-domu-control $(RT_T)/test-virtio-blk $(RT_T)/test-virtio-net $(RT_T)/fuzz-virtio-replay $(RT_T)/fuzz-xenfront-replay $(RT_T)/corrupt-elf $(RT_T)/runtime-harness $(RT_T)/decode-diff $(RT_T)/patch-elf $(RT_T)/test-vmm
runtime: $(RT_HOST_LIB) $(RT_TESTS) $(RT_LOADER)

check-runtime: $(RT_TESTS) $(RT_LOADER) $(RT_T)/kinds.elf $(RT_T)/linux612.elf $(filter %/previrt-report,$(ALL))
	@echo "== runtime: patching plugin-annotated code in process (native, profile, corruptions)"
	@$(RT_T)/runtime-harness $(RT_T)/harness-profile.txt
	@echo "== runtime: decoder (and the Xen MMIO descriptors) vs libopcodes over the harnesses and the annotated object"
	@$(RT_T)/decode-diff --min-sites 20 $(RT_T)/runtime-harness $(RT_T)/prog.o $(RT_T)/xen-harness
	@echo "== runtime: validate + patch a linked image in a copy, timed"
	@$(RT_T)/patch-elf --min-sites 20 $(RT_T)/runtime-harness
	@echo "== runtime: every instruction kind from both compilers validates, decodes and patches"
	@$(RT_T)/decode-diff --min-sites 170 $(RT_T)/kinds.elf
	@$(RT_T)/patch-elf --min-sites 170 $(RT_T)/kinds.elf
	@echo "== runtime: an instruction libopcodes cannot decode (lkgs, Linux 6.12) in step with the rules' encoding"
	@$(RT_T)/decode-diff --min-sites 5 $(RT_T)/linux612.elf
	@$(RT_T)/patch-elf --min-sites 5 $(RT_T)/linux612.elf
	@echo "== runtime: VMM detection and command-line options"
	@$(RT_T)/test-vmm
	@echo "== runtime: the L4 backend's kvm-clock arithmetic and uvmm's boot protocol (zero page -> loader)"
	@$(RT_T)/test-l4
	@echo "== runtime: the Xen backend's 16550 model, driven as Linux's 8250 driver does"
	@$(RT_T)/test-uart
	@echo "== runtime: a Xen domU's console ring: 8250 lines into out[], and what a hostile backend can do to it"
	@$(RT_T)/test-consring
	@echo "== runtime: a Xen domU's 8259 pair, programmed as Linux's i8259 code does"
	@$(RT_T)/test-pic8259
	@echo "== runtime: a domU's \\_S5 SSDT added to its ACPI tables, checked by iasl -d"
	@$(RT_T)/test-acpi-s5 $(RT_T)/ssdt-s5.aml
	@tests/runtime/acpi-s5-iasl.sh $(RT_T)/ssdt-s5.aml
	@echo "== runtime: Xen's x2APIC MADT presented as xAPIC entries (SMP without X86_X2APIC), checked by iasl -d"
	@$(RT_T)/test-madt $(RT_T)/madt.aml
	@tests/runtime/madt-iasl.sh $(RT_T)/madt.aml
	@echo "== runtime: the XenStore client against a scripted xenstored, well-formed and hostile"
	@$(RT_T)/test-xenstore
	@echo "== runtime: the blkif frontend core against a played blkback, well-formed and hostile"
	@$(RT_T)/test-blkfront
	@echo "== runtime: the domU grant table (v1): entries, reserved ones, exhaustion, revoking a mapped grant"
	@$(RT_T)/test-gnttab
	@echo "== runtime: the netif frontend core against a played netback, well-formed and hostile"
	@$(RT_T)/test-netfront
	@echo "== runtime: a domU's events, interrupt line and exit rule (domu-irq.c), hypercalls trapped"
	@$(RT_T)/test-domu-irq
	@echo "== runtime: xl shutdown/reboot (domu-control.c) against a scripted xenstored, hostile included"
	@$(RT_T)/test-domu-control
	@echo "== runtime: the virtio-blk model over virtio-mmio, probed as Linux 6.1 does, against a played blkback; hostile driver and backend"
	@$(RT_T)/test-virtio-blk
	@echo "== runtime: the virtio-net model over virtio-mmio, probed as Linux 6.1 does, against a played netback; hostile driver and backend"
	@$(RT_T)/test-virtio-net
	@echo "== runtime: fuzzer regression inputs for the virtio models (tests/runtime/fuzz-corpus-virtio) replayed"
	@$(RT_T)/fuzz-virtio-replay tests/runtime/fuzz-corpus-virtio
	@echo "== runtime: fuzzer regression inputs for the frontends (tests/runtime/fuzz-corpus-xenfront) replayed"
	@$(RT_T)/fuzz-xenfront-replay tests/runtime/fuzz-corpus-xenfront
	@echo "== runtime: the Xen blob's page walk (MMIO windows by guest-physical address) over hand-built tables"
	@$(RT_T)/test-pagewalk
	@echo "== runtime: the Xen backend's thunk slots with MMIO: a pool running full, plan vs emit, mmio_entry 0 unchanged"
	@$(RT_T)/test-xen-plan
	@echo "== runtime: the Xen backend patches plugin-compiled port I/O and MMIO in process and runs it"
	@$(RT_T)/xen-harness
	@echo "== runtime: the L4 backend patches plugin-compiled port I/O in process and runs it (uvmm played)"
	@$(RT_T)/l4-harness
	@echo "== runtime: the L4 boot configuration (ned script, modules list) and boot-l4's refusals without L4Re"
	@tests/runtime/l4-boot-tests.sh $(RT_LOADER) $(RT_T)/l4-boot
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

# Over a real annotated kernel: the tiny vmlinux of kernel-configs/kernel.mk,
# of the release LINUX= names (KTINY; build/kernel/tiny for the default).
# (RT_VMLINUX=path checks another vmlinux without building anything)
RT_KTINY := $(or $(KTINY),$(BUILD)/kernel/tiny)
RT_VMLINUX_TINY := $(RT_KTINY)/vmlinux
RT_VMLINUX ?= $(RT_VMLINUX_TINY)
check-runtime-vmlinux: $(RT_T)/decode-diff $(RT_T)/patch-elf $(RT_T)/loader-check $(RT_T)/minikernel.elf
	@echo "== runtime: decoder vs libopcodes over every instruction and site of $(RT_VMLINUX)"
	@$(RT_T)/decode-diff --min-sites 1000 $(RT_VMLINUX)
	@echo "== runtime: validate + patch $(RT_VMLINUX) in a copy, timed"
	@$(RT_T)/patch-elf --min-sites 1000 $(RT_VMLINUX)
	@echo "== runtime: the loader's input checks on $(RT_VMLINUX) (accepted; corruptions refused, nothing written)"
	@$(RT_T)/loader-check $(RT_T)/minikernel.elf $(RT_VMLINUX)

# The plugin reserves the handler pool itself (lib/pool.h, in the unit that
# defines start_kernel), so the tiny kernel kernel-configs builds is the one
# every backend boots.  A copy without the pool's symbols stands for a
# kernel built without it, to test the loader's refusal.
RT_KPOOL   := $(RT_KTINY)/vmlinux
RT_NOPOOL  := $(RT_T)/vmlinux-nopool$(K_REL)
$(RT_NOPOOL): $(RT_KPOOL)
	@mkdir -p $(dir $@)
	objcopy --strip-symbol=previrt_pool --strip-symbol=previrt_pool_end \
		--strip-symbol=previrt_counters --strip-symbol=previrt_counters_end $< $@

# Boot tests under QEMU: the tiny annotated kernel (built by kernel-configs/kernel.mk)
# through the loader with the native backend, as one bundle module, corrupted;
# and the pool kernel with the profile backend, its counts read by previrt-report.
# RT_PROFILE_KERNEL= (empty) leaves the profile boot out.
RT_PROFILE_KERNEL ?= $(RT_KPOOL)
check-runtime-boot: $(RT_LOADER) $(RT_T)/corrupt-elf $(filter %/previrt-report,$(ALL))
	@echo "== runtime: booting the tiny annotated kernel through previrt-loader (QEMU TCG)"
	@PROFILE_KERNEL=$(RT_PROFILE_KERNEL) tests/runtime/boot-tests.sh $(RT_LOADER) \
		$(RT_KPOOL) $(BUILD)/workload/initramfs.cpio.gz $(RT_T)/boot$(K_REL) \
		$(RT_T)/corrupt-elf $(filter %/previrt-report,$(ALL))

# Modules patched at load (runtime/resident/): tests/kmod built out of tree
# against the tiny kernel with the same -fplugin line as the kernel, a copy
# with a corrupted record, and the workload initramfs with both
# (/lib/previrt-modules, insmod-ed in name order by workload/init.sh: the
# corrupted one first, so the good one is not "already loaded").
KMOD_DIR    := $(BUILD)/kmod$(K_REL)
KMOD        := $(KMOD_DIR)/previrt_testmod.ko
KMOD_BAD    := $(KMOD_DIR)/10-corrupt-previrt_testmod.ko
KMOD_INITRD := $(KMOD_DIR)/initramfs-modules.cpio.gz
$(KMOD): tests/kmod/previrt_testmod.c tests/kmod/Kbuild $(RT_KPOOL)
	@mkdir -p $(@D)
	cp tests/kmod/previrt_testmod.c tests/kmod/Kbuild $(@D)/
	env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL -u LINUX $(MAKE) -s -C $(KSRC) O=$(abspath $(RT_KTINY)) \
		M=$(abspath $(@D)) KCFLAGS=-fplugin=$(abspath $(PLUGIN)) KAFLAGS=-fplugin=$(abspath $(PLUGIN)) modules
$(KMOD_BAD): $(KMOD) tests/runtime/corrupt-module
	tests/runtime/corrupt-module $< $@
$(KMOD_INITRD): $(KMOD_DIR)/20-previrt_testmod.ko $(KMOD_BAD) $(WORKLOAD) $(WORKLOAD_IO) $(GEN_CPIO) workload/init.sh workload/power-button.sh workload/mkinitramfs
	@workload/mkinitramfs $@ $(WORKLOAD) $(GEN_CPIO) $(KMOD_BAD) $(KMOD_DIR)/20-previrt_testmod.ko
$(KMOD_DIR)/20-previrt_testmod.ko: $(KMOD)
	cp $< $@
kmod: $(KMOD) $(KMOD_INITRD)
.PHONY: kmod

# The module boot test: the tiny kernel through the loader with the profile
# backend and the module initramfs (tests/runtime/module-tests.sh).
check-runtime-modules: $(RT_LOADER) $(KMOD_INITRD) $(filter %/previrt-report,$(ALL))
	@echo "== runtime: modules validated and patched at load (profile backend, QEMU TCG)"
	@tests/runtime/module-tests.sh $(RT_LOADER) $(RT_KPOOL) $(KMOD_INITRD) $(KMOD) $(RT_T)/modules$(K_REL) \
		$(filter %/previrt-report,$(ALL))
.PHONY: check-runtime-modules

# Xen 4.17 under QEMU with previrt-loader as PVH dom0 (ci/boot-xen): the
# annotated kernel with the handler pool, no Xen support configured.
#   make boot-xen [KERNEL=vmlinux] [INITRD=initramfs] [BACKEND=xen] [MARKER=text] [SMP=N]
# (MARKER reaches ci/boot-xen through the environment: kernel-configs/kernel.mk exports it)
# KERNEL given on the command line wins; the default is the tiny pool kernel.
# XEN_ICOUNT: QEMU -icount shift (default 0; empty = real time).  With
# instruction-counted time the polled console drains on the guest's clock,
# whatever the host's speed (docs/xen.md).
# KCONFIG= picks which annotated build that is (kernel-configs/kernel.mk's
# KBOOT: the tiny one by default); IO=1 adds the disk and the NIC
# (ci/io-devices.sh), e.g. `make boot-xen KCONFIG=drivers IO=1`.
RT_XEN_KERNEL = $(if $(filter command line,$(origin KERNEL)),$(KERNEL),$(or $(KBOOT),$(RT_KTINY))/vmlinux)
XEN_ICOUNT ?= 0
boot-xen: $(RT_LOADER) $(INITRD) $(if $(filter command line,$(origin KERNEL)),,k-boot)
	@echo "== runtime: Xen 4.17 (QEMU TCG), previrt-loader as PVH dom0, $(RT_XEN_KERNEL)"
	@PREVIRT_LOADER=$(RT_LOADER) KERNEL=$(RT_XEN_KERNEL) INITRD=$(INITRD) BACKEND=$(BACKEND) \
		ICOUNT=$(XEN_ICOUNT) SMP=$(or $(SMP),1) ci/boot-xen

check-runtime-xen: $(RT_LOADER) $(RT_NOPOOL) $(KMOD_INITRD)
	@echo "== runtime: the Xen backend: Xen 4.17 under QEMU TCG, previrt-loader as PVH dom0"
	@tests/runtime/xen-tests.sh $(RT_LOADER) $(RT_KPOOL) $(RT_NOPOOL) $(KMOD_INITRD) $(RT_T)/xen$(K_REL)

# P5 (docs/xen.md, ci/bench-xen): the workload on Xen 4.17 as PVH dom0 for
# (a) the tiny kernel patched by the Xen backend, (b) Linux's own Xen
# PVH kernel (kernel-configs/xen-pvh.mk), (c) (a) with every site native;
# REPS rounds (default 2), then the table.  Builds both kernels first, one
# after the other (they share the extracted source tree); logs in
# $(BUILD)/bench/p5.  Not in CI (two kernel builds, 2*REPS+1 Xen boots).
ifneq ($(PVOPS_KERNEL),)
bench-xen: $(RT_LOADER) $(INITRD)
	@$(MAKE) --no-print-directory k-tiny
	@$(MAKE) --no-print-directory kernel-pvops
	@echo "== runtime: P5 on Xen 4.17: $(RT_KPOOL) (Xen backend) vs $(PVOPS_KERNEL) (Linux's own Xen PVH)"
	@PREVIRT_LOADER=$(RT_LOADER) A_KERNEL=$(RT_KPOOL) B_KERNEL=$(abspath $(PVOPS_KERNEL)) \
		INITRD=$(abspath $(INITRD)) ci/bench-xen $(BUILD)/bench/p5
.PHONY: bench-xen
endif

# Driver reuse (issue 15; docs/xen.md, ci/bench-drivers): the I/O test
# (AHCI disk read, TCP through an e1000 to a sink on 127.0.0.1), 2 vCPUs,
# -icount shift=0, for (a) the annotated kernel with the plugin as Xen PVH
# dom0 through the Xen backend, (b) the same source and config with
# Linux's own Xen PVH support (kernel-pvops PVOPS_WITH=<config>) as dom0,
# (c) the same config without the plugin, natively.  The config is the
# drivers one (tiny + e1000 + AHCI) unless KCONFIG= on the command line
# names another fragment with both drivers, e.g.
#   make bench-drivers KCONFIG=defconfig
# Builds the three kernels one after the other; REPS rounds (default 2),
# then the table; logs in $(BUILD)/bench/drivers (drivers-<config> for
# another config).  Not in CI (three kernel builds, 3*REPS I/O boots).
BD_KCONFIG = $(if $(filter command line,$(origin KCONFIG)),$(KCONFIG),drivers)
BD_OUT     = $(BUILD)/bench/drivers$(if $(filter-out drivers,$(BD_KCONFIG)),-$(BD_KCONFIG))
bench-drivers: $(RT_LOADER) $(INITRD)
	@test -f kernel-configs/$(BD_KCONFIG).config || \
		{ echo "bench-drivers: no kernel-configs/$(BD_KCONFIG).config (KCONFIG=$(BD_KCONFIG))" >&2; exit 1; }
	@$(MAKE) --no-print-directory kernel KCONFIG=$(BD_KCONFIG)
	@$(MAKE) --no-print-directory kernel KCONFIG=$(BD_KCONFIG) KPLUGIN=0
	@$(MAKE) --no-print-directory kernel-pvops PVOPS_WITH=$(BD_KCONFIG)
	@echo "== runtime: driver reuse ($(BD_KCONFIG) config): previrt vs Linux's own Xen PVH (both dom0) vs native"
	@PREVIRT_LOADER=$(RT_LOADER) BENCH_CONFIG=$(BD_KCONFIG) \
		A_KERNEL=$(KERNEL_DIR)/$(BD_KCONFIG)$(K_REL)/vmlinux \
		B_KERNEL=$(abspath $(call pvops_dir,$(BD_KCONFIG)))/arch/x86/boot/bzImage \
		C_KERNEL=$(KERNEL_DIR)/$(BD_KCONFIG)-plain$(K_REL)/arch/x86/boot/bzImage \
		INITRD=$(abspath $(INITRD)) ci/bench-drivers $(BD_OUT)
.PHONY: bench-drivers

demo-xen:
	@echo "== [runtime] Xen: the non-Xen Linux 6.1 boots as Xen's PVH dom0, patched by previrt-loader"
	@$(MAKE) --no-print-directory boot-xen
.PHONY: boot-xen check-runtime-xen demo-xen

# uvmm (L4Re) on Fiasco under QEMU TCG, previrt-loader as uvmm's guest
# (ci/boot-l4, docs/l4.md), with the user's own L4Re and Fiasco builds:
#   make boot-l4 L4RE_OBJ=<L4Re build dir> FIASCO_OBJ=<Fiasco build dir>
#        [KERNEL=vmlinux] [INITRD=initramfs] [BACKEND=l4|native] [MARKER=text] [L4_ICOUNT=N]
# Without the two directories it says so in one line and fails, before
# building anything.  KERNEL given on the command line wins; the default is
# the tiny pool kernel, the same one that boots natively and on Xen.
RT_L4_KERNEL = $(if $(filter command line,$(origin KERNEL)),$(KERNEL),$(RT_KPOOL))
boot-l4:
	@if [ -z "$(L4RE_OBJ)" ] || [ -z "$(FIASCO_OBJ)" ]; then \
		echo "boot-l4: needs L4RE_OBJ=<your L4Re build dir> and FIASCO_OBJ=<your Fiasco build dir> (how to build them: docs/l4.md)" >&2; \
		exit 2; fi
	@$(MAKE) --no-print-directory $(RT_LOADER) $(INITRD) $(if $(filter command line,$(origin KERNEL)),,k-tiny)
	@echo "== runtime: uvmm on Fiasco (QEMU TCG), previrt-loader as uvmm's guest, $(RT_L4_KERNEL)"
	@L4RE_OBJ=$(L4RE_OBJ) FIASCO_OBJ=$(FIASCO_OBJ) PREVIRT_LOADER=$(RT_LOADER) KERNEL=$(RT_L4_KERNEL) \
		INITRD=$(INITRD) BACKEND=$(BACKEND) ICOUNT=$(L4_ICOUNT) OUT=$(BUILD)/l4 ci/boot-l4
.PHONY: boot-l4

# The L4 three-way table (ci/bench-l4, docs/l4.md): (a) the tiny kernel with
# the l4 backend, (b') every site native with tsc_early_khz from (a)'s
# loader, (c) Linux's own KVM guest kernel given to uvmm directly, all under
# -icount shift=0,sleep=off, one after the other:
#   make bench-l4 L4RE_OBJ=... FIASCO_OBJ=... [KVM_KERNEL=<kvm-guest bzImage>] [KVM_APPEND=...]
# KVM_KERNEL: tinyconfig + tiny.config + kernel-configs/kvm-guest.config,
# no plugin; built here (make kernel-pvops PVOPS_GUEST=kvm-guest) unless
# given.  KVM_APPEND: its extra command line (default nolapic_timer; why:
# ci/bench-l4).
KVM_APPEND ?= nolapic_timer
KVM_KERNEL ?= $(BUILD)/kernel/kvm-guest-plain$(K_REL)/arch/x86/boot/bzImage
bench-l4:
	@if [ -z "$(L4RE_OBJ)" ] || [ -z "$(FIASCO_OBJ)" ]; then \
		echo "bench-l4: needs L4RE_OBJ=<your L4Re build dir> and FIASCO_OBJ=<your Fiasco build dir> (docs/l4.md)" >&2; \
		exit 2; fi
	@$(MAKE) --no-print-directory $(RT_LOADER) $(INITRD) $(if $(filter command line,$(origin KERNEL)),,k-tiny) \
		$(if $(filter command line environment,$(origin KVM_KERNEL)),,kernel-pvops PVOPS_GUEST=kvm-guest)
	@L4RE_OBJ=$(L4RE_OBJ) FIASCO_OBJ=$(FIASCO_OBJ) PREVIRT_LOADER=$(RT_LOADER) A_KERNEL=$(RT_L4_KERNEL) \
		C_KERNEL=$(KVM_KERNEL) C_APPEND="$(KVM_APPEND)" INITRD=$(abspath $(INITRD)) ci/bench-l4 $(BUILD)/bench/l4
.PHONY: bench-l4

# With a LOADER=1 boot, ci/boot-native needs the loader image.
ifneq ($(filter-out 0,$(LOADER)),)
boot-native: $(RT_LOADER)
boot-native: export PREVIRT_LOADER := $(RT_LOADER)
endif

ALL    += $(RT_HOST_LIB) $(RT_LOADER)
CHECKS += check-runtime
.PHONY: runtime check-runtime check-runtime-vmlinux check-runtime-boot
# After check-kernel, which builds the tiny kernel and the initramfs (and so
# never races these tests for the same build directory).
ifneq ($(wildcard kernel-configs/kernel.mk),)
ifeq ($(RT_VMLINUX),$(RT_VMLINUX_TINY))
check-runtime-vmlinux: check-kernel
endif
check-runtime-boot $(RT_NOPOOL) $(KMOD): check-kernel
# one QEMU at a time: the module boot after the native ones, Xen after both
check-runtime-modules: check-runtime-boot
check-runtime-xen: check-runtime-boot check-runtime-modules
CHECKS += check-runtime-vmlinux check-runtime-boot check-runtime-modules check-runtime-xen
endif

# Demo step after demo-kernel: the same annotated vmlinux, now started by
# previrt-loader, which validates every record and patches (backend native).
demo-loader:
	@echo "== [runtime] the annotated vmlinux through previrt-loader: validate every record, patch, boot"
	@$(MAKE) --no-print-directory boot-native LOADER=1 BACKEND=native KERNEL=$(RT_KPOOL)
DEMOS += demo-loader
.PHONY: demo-loader

# Last demo step: the same kernel family on Xen.
DEMOS += demo-xen
