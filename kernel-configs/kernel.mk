# Linux built with -fplugin=previrt (Debian's linux-source-6.1 unless LINUX=
# says otherwise), the workload initramfs, the native boot test and the
# kernel-scale benchmarks.  See kernel-configs/README.md.
#
#   make kernel [LINUX=6.12] [KCONFIG=tiny|defconfig] [O=dir] [KPLUGIN=0]   build (+ checks, reports)
#   make kernel-plain [KCONFIG=...]        the same config without the plugin
#   make initramfs                         busybox + workload initramfs
#   make boot-native [KERNEL=bzImage] [INITRD=...] [MARKER=text]   boot it under QEMU TCG
#   make boot-native KCONFIG=drivers IO=1  the drivers kernel moves data through a disk and a NIC
#   make demo-kernel                       tiny kernel, reports, native boot
#   make check-kernel                      CI: tiny build + checks + boot
#   make check-linux LINUX=6.12            the whole pipeline on another release (not CI)
#   make bench-kernel                      P1 P2 P3 R1 side by side (not CI)
#
# KPLUGIN=0 on the command line builds without the plugin into its own dir
# (<config>-plain), so both builds can live side by side.

KCONFIG     ?= tiny
# LINUX=<major.minor>: which Debian linux-source-<release> every kernel target
# uses.  The default release keeps the plain names (build/linux-src,
# build/kernel/tiny), which CI and the docs use; any other release gets its
# own source cache and build dirs with a -<release> suffix, so two releases
# never share objects.  The tarball comes from /usr/src, or is fetched from
# Debian's archive by ci/fetch-linux-source when it is not installed.
LINUX_DEFAULT := 6.1
LINUX       ?= $(LINUX_DEFAULT)
ifeq ($(shell echo '$(LINUX)' | grep -Ex '[0-9]+\.[0-9]+'),)
$(error LINUX=$(LINUX): want a release as Debian names linux-source-<release>, e.g. 6.1 or 6.12)
endif
K_REL       := $(if $(filter $(LINUX_DEFAULT),$(LINUX)),,-$(LINUX))
KSRC        ?= $(BUILD)/linux-src$(K_REL)
KTARBALL    ?= /usr/src/linux-source-$(LINUX).tar.xz
KJOBS       ?= $(shell nproc)
KERNEL_DIR  := $(BUILD)/kernel
REPORT_TOOL ?= $(BUILD)/bin/previrt-report

ifeq ($(KPLUGIN),0)
K_PLUGIN_DEP :=
K_SUFFIX     := -plain
else
K_PLUGIN_DEP := $(PLUGIN)
K_SUFFIX     :=
endif
O           ?= $(KERNEL_DIR)/$(KCONFIG)$(K_SUFFIX)$(K_REL)

# The tiny annotated build: what demo, check and the runtime's boot tests
# use by default (of the release LINUX names).
KTINY       := $(KERNEL_DIR)/tiny$(K_REL)
# The annotated build of KCONFIG (tiny unless KCONFIG= says otherwise):
# what boot-native and boot-xen boot when KERNEL= is not given, e.g.
# `make boot-native KCONFIG=drivers IO=1`.
KBOOT       := $(KERNEL_DIR)/$(KCONFIG)$(K_REL)
KERNEL      ?= $(KBOOT)/arch/x86/boot/bzImage

WORKLOAD_DIR := $(BUILD)/workload
WORKLOAD     := $(WORKLOAD_DIR)/previrt-workload
WORKLOAD_IO  := $(WORKLOAD_DIR)/previrt-io
GEN_CPIO     := $(WORKLOAD_DIR)/gen_init_cpio
INITRD       ?= $(WORKLOAD_DIR)/initramfs.cpio.gz

# The kernel's make must not see our command-line variables (O, KERNEL,
# PLUGIN, BUILD...): ci/kernel-build calls it with a clean environment.
K_ENV = env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL -u LINUX \
	SRC=$(KSRC) TARBALL=$(KTARBALL) LINUX_RELEASE=$(LINUX) JOBS=$(KJOBS) REPORT=$(REPORT_TOOL) \
	FETCH_CACHE=$(BUILD)/linux-source

.PHONY: kernel kernel-plain initramfs boot-native demo-kernel check-kernel \
	kernel-report bench-kernel bench-p1 bench-p2 bench-p3 bench-r1

# Kbuild is incremental and ci/kernel-build cleans when the plugin changes,
# so this target always runs and is cheap when nothing changed.
# The report tool is built first when tools/tools.mk provides it.
kernel: $(K_PLUGIN_DEP) $(filter %/previrt-report,$(ALL))
	@$(K_ENV) KCONFIG=$(KCONFIG) O=$(O) PLUGIN=$(if $(K_PLUGIN_DEP),$(abspath $(PLUGIN)),0) \
		ci/kernel-build

kernel-plain:
	@$(MAKE) --no-print-directory kernel KPLUGIN=0 KCONFIG=$(KCONFIG)

# The report tool's views of an existing annotated build.
kernel-report:
	@REPORT=$(REPORT_TOOL) kernel-configs/check-vmlinux $(O)

$(WORKLOAD) $(WORKLOAD_IO): $(WORKLOAD_DIR)/%: workload/%.c
	@mkdir -p $(@D)
	$(CC) -static -O2 $(CWARN) -o $@ $<

# Linux's own cpio writer (one C file): device nodes without root.  From
# the source cache of whichever release is at hand (the file is the same).
$(GEN_CPIO):
	@mkdir -p $(@D)
	@test -f $(KSRC)/usr/gen_init_cpio.c || \
		$(K_ENV) KCONFIG=tiny O=$(KTINY) PLUGIN=0 ci/kernel-build --extract-only
	$(CC) -O2 -o $@ $(KSRC)/usr/gen_init_cpio.c

$(WORKLOAD_DIR)/initramfs.cpio.gz: $(WORKLOAD) $(WORKLOAD_IO) $(GEN_CPIO) workload/init.sh workload/power-button.sh workload/mkinitramfs
	@workload/mkinitramfs $@ $(WORKLOAD) $(GEN_CPIO)

initramfs: $(WORKLOAD_DIR)/initramfs.cpio.gz

# MARKER=text: a line the boot must print (any initramfs).  ci/boot-native
# and ci/boot-xen read it from the environment; exported here so that it
# reaches them however it was given (command line or environment).
export MARKER

# Booting the default kernel builds it first; an explicit KERNEL= is used as is.
# INITRD may be any initramfs: ci/boot-native judges the project's workload
# by its lines and any other by a clean boot to power-off (ci/boot-lib.sh).
# IO=1: an AHCI disk and an e1000 NIC the workload moves data through
# (ci/io-devices.sh), for a kernel with their drivers (KCONFIG=drivers).
boot-native: $(INITRD) $(if $(filter $(KBOOT)/%,$(KERNEL)),k-boot $(filter %/previrt-report,$(ALL)))
	@KERNEL=$(KERNEL) INITRD=$(INITRD) ci/boot-native

# k_build CONFIG DIR: the annotated build of one fragment (ci/kernel-build)
k_build = @$(K_ENV) KCONFIG=$(1) O=$(2) PLUGIN=$(abspath $(PLUGIN)) ci/kernel-build
.PHONY: k-tiny k-boot
k-tiny: $(PLUGIN)
	$(call k_build,tiny,$(KTINY))
k-boot: $(PLUGIN)
	$(call k_build,$(KCONFIG),$(KBOOT))

demo-kernel: $(PLUGIN) $(WORKLOAD_DIR)/initramfs.cpio.gz $(filter %/previrt-report,$(ALL))
	@$(K_ENV) O=$(KTINY) PLUGIN=$(abspath $(PLUGIN)) \
		INITRD=$(WORKLOAD_DIR)/initramfs.cpio.gz ci/demo-kernel

# CI: the tiny annotated kernel is built, checked and booted (ci/check-kernel);
# `make check-kernel KCONFIG=drivers` does the same for another fragment.
check-kernel: $(PLUGIN) $(WORKLOAD_DIR)/initramfs.cpio.gz $(filter %/previrt-report,$(ALL))
	@$(K_ENV) KCONFIG=$(KCONFIG) O=$(KBOOT) PLUGIN=$(abspath $(PLUGIN)) \
		INITRD=$(WORKLOAD_DIR)/initramfs.cpio.gz ci/check-kernel

# Benchmarks (not in CI): each script measures both sides in one run.
BENCH_ENV = $(K_ENV) KCONFIG=$(KCONFIG) BENCH=$(BUILD)/bench$(K_REL) PLUGIN=$(abspath $(PLUGIN)) \
	INITRD=$(abspath $(INITRD))
bench-p1: $(PLUGIN)
	@$(BENCH_ENV) ci/bench-build-time
bench-p2: $(PLUGIN)
	@$(BENCH_ENV) ci/bench-text-size
bench-p3: $(PLUGIN) $(WORKLOAD_DIR)/initramfs.cpio.gz
	@$(BENCH_ENV) ci/bench-icount
bench-r1: $(PLUGIN)
	@$(BENCH_ENV) ci/bench-same-code
bench-kernel: bench-p1 bench-p2 bench-p3 bench-r1

CHECKS += check-kernel
DEMOS  += demo-kernel

# The whole pipeline on the release LINUX names (not CI: one more kernel
# build, ~13 min on 2 shared cores, and seven QEMU boots):
#   make check-linux LINUX=6.12
# the tiny build with the plugin and check-vmlinux (config, records, objtool,
# --verify, --coverage, oracle) and its native boot (check-kernel), then the
# runtime's groups over that vmlinux (runtime/runtime.mk: decoder and
# patcher, loader boots with the native and profile backends, modules
# patched at load, Xen PVH dom0).  -k: every group runs even when one
# fails; ci/run-checks totals their "N passed, M failed" lines, and the
# last line says PASS or FAIL for the release.  (make named through a
# variable: `make -n check-linux` only prints the recipe.)
K_CHECK_MAKE = $(MAKE)
K_LINUX_GROUPS = check-kernel $(filter check-runtime-vmlinux check-runtime-boot \
	check-runtime-modules check-runtime-xen,$(CHECKS))
check-linux:
	@if ci/run-checks $(BUILD)/check-linux-$(LINUX).log $(K_CHECK_MAKE) --no-print-directory -k \
		LINUX=$(LINUX) $(K_LINUX_GROUPS); then echo "check-linux: Linux $(LINUX): PASS"; \
	else echo "check-linux: Linux $(LINUX): FAIL (log: $(BUILD)/check-linux-$(LINUX).log)"; exit 1; fi
.PHONY: check-linux

# The para-virtualized baseline (Linux's own Xen PVH support) for bench-xen.
include kernel-configs/xen-pvh.mk
