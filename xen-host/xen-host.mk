# A real Xen host under QEMU TCG and one PVH guest on it (issue 13):
# Xen 4.17, a PV dom0 with Linux's own Xen support and Debian's Xen
# userland, the guest created by xl (ci/boot-xen-domu, xen-host/README.md).
#
#   make boot-xen-domu                   the pre-virtualized domu kernel (previrt-loader + bundle):
#                                        console, disk and NIC through the runtime's models
#   make boot-xen-domu KCONFIG=tiny IO=0 another fragment's annotated kernel (console only:
#                                        the tiny kernel has no virtio drivers)
#   make boot-xen-domu GUEST=pvops       the known-good guest: Linux's own PVH domU (the dom0 kernel)
#   make boot-xen-domu KERNEL=vmlinux INITRD=initramfs.cpio.gz [MARKER=text] [IO=0]
#   ICOUNT=0 make boot-xen-domu KCONFIG=domu-defconfig  the defconfig kernel as the domU (-icount: docs/xen-domu.md)
#   make boot-xen-domu DOMU_VCPUS=2 [EXIT_RULE=on] [SHUTDOWN=xl-reboot|reboot]   (ci/boot-xen-domu's header)
#   make bench-xen-domu [REPS=n] [ICOUNT=]  (a) previrt domU vs (b) Linux's own domU, -icount (docs/figures.md)
#
# Not part of `make check`: one boot takes minutes of QEMU TCG (docs/xen-domu.md
# has the figures), on top of the dom0 kernel's build.
#
# Both run Debian's QEMU 7.2 rebuilt with one nested-SVM fix (`make
# qemu-svm`, ci/qemu/build-qemu: a few minutes, once): with the host's own
# QEMU an interrupt Xen injects can reach the guest twice and stop the
# host (docs/xen-domu.md, "The second delivery").  QEMU=path picks another.

XEN_HOST_VMLINUX := $(XEN_HOST_O)/vmlinux
QEMU_SVM := $(BUILD)/qemu/bin/qemu-system-x86_64
# QEMU given (command line or environment) wins; else the fixed build
XEN_DOMU_QEMU = $(or $(QEMU),$(QEMU_SVM))
XEN_DOMU_QEMU_DEP = $(if $(QEMU),,qemu-svm)
.PHONY: qemu-svm
qemu-svm:
	@ci/qemu/build-qemu $(BUILD)/qemu >/dev/null
# the byte-count sink dom0 runs for the guest's network test (static: dom0's initramfs has no libc)
XEN_HOST_SINK := $(BUILD)/xen-host/previrt-sink

$(XEN_HOST_SINK): xen-host/previrt-sink.c
	@mkdir -p $(dir $@)
	$(CC) -static -O2 $(CWARN) -o $@ $<
GUEST ?= previrt
# The previrt guest: the annotated build of KCONFIG when given, else of
# kernel-configs/domu.config (tiny + Linux's virtio-mmio, -blk, -net drivers).
DOMU_KCONFIG := $(if $(filter command line,$(origin KCONFIG)),$(KCONFIG),domu)
DOMU_KBUILD  := $(KERNEL_DIR)/$(DOMU_KCONFIG)$(K_REL)
DOMU_KERNEL = $(if $(filter command line,$(origin KERNEL)),$(KERNEL),$(if $(filter pvops,$(GUEST)),$(XEN_HOST_VMLINUX),$(DOMU_KBUILD)/vmlinux))
.PHONY: k-domu
k-domu: $(PLUGIN)
	$(call k_build,$(DOMU_KCONFIG),$(DOMU_KBUILD))

$(XEN_HOST_VMLINUX): kernel-configs/xen-host.config kernel-configs/xen-pvh.config kernel-configs/tiny.config
	@$(MAKE) --no-print-directory kernel-xen-host

.PHONY: boot-xen-domu
boot-xen-domu: $(RT_LOADER) $(INITRD) $(GEN_CPIO) $(XEN_HOST_VMLINUX) $(XEN_HOST_SINK) \
		$(if $(filter command line,$(origin KERNEL)),,$(if $(filter pvops,$(GUEST)),,k-domu)) $(XEN_DOMU_QEMU_DEP)
	@echo "== Xen 4.17 host (QEMU TCG, PV dom0 $(XEN_HOST_VMLINUX)), $(GUEST) PVH domU $(DOMU_KERNEL)"
	@GUEST=$(GUEST) KERNEL=$(DOMU_KERNEL) INITRD=$(INITRD) HOST_KERNEL=$(XEN_HOST_VMLINUX) \
		PREVIRT_LOADER=$(RT_LOADER) GEN=$(GEN_CPIO) SINK=$(XEN_HOST_SINK) OUT=$(BUILD)/xen-domu $(if $(IO),IO=$(IO)) \
		QEMU=$(XEN_DOMU_QEMU) ci/boot-xen-domu

# (a) the annotated domu kernel through the runtime's models, (b) Linux's
# own Xen PVH domU (the dom0 kernel, blkfront/netfront): ci/bench-xen-domu.
.PHONY: bench-xen-domu
bench-xen-domu: $(RT_LOADER) $(INITRD) $(GEN_CPIO) $(XEN_HOST_VMLINUX) $(XEN_HOST_SINK) k-domu $(XEN_DOMU_QEMU_DEP)
	@QEMU=$(XEN_DOMU_QEMU) A_KERNEL=$(DOMU_KBUILD)/vmlinux B_KERNEL=$(XEN_HOST_VMLINUX) INITRD=$(INITRD) HOST_KERNEL=$(XEN_HOST_VMLINUX) \
		PREVIRT_LOADER=$(RT_LOADER) GEN=$(GEN_CPIO) SINK=$(XEN_HOST_SINK) $(if $(REPS),REPS=$(REPS)) \
		$(if $(filter command line,$(origin ICOUNT)),ICOUNT=$(ICOUNT)) ci/bench-xen-domu $(BUILD)/bench/xen-domu

# In `make check` (a second, no QEMU, no network): the scripts' refusals,
# dom0's archive from a fake userland tree, /init's syntax, the config chain.
.PHONY: check-xen-host
check-xen-host: $(GEN_CPIO)
	@echo "== xen-host: boot-xen-domu's and mkinitramfs's refusals, dom0's archive, /init, xen-host.config's chain"
	@tests/xen-host/run-tests.sh $(GEN_CPIO) $(BUILD)/tests/xen-host
CHECKS += check-xen-host
