# A real Xen host under QEMU TCG and one PVH guest on it (issue 13):
# Xen 4.17, a PV dom0 with Linux's own Xen support and Debian's Xen
# userland, the guest created by xl (ci/boot-xen-domu, xen-host/README.md).
#
#   make boot-xen-domu                   the pre-virtualized tiny kernel (previrt-loader + bundle)
#   make boot-xen-domu GUEST=pvops       the known-good guest: Linux's own PVH domU (the dom0 kernel)
#   make boot-xen-domu KERNEL=vmlinux INITRD=initramfs.cpio.gz [MARKER=text]
#
# Not part of `make check`: one boot takes minutes of QEMU TCG (docs/xen-domu.md
# has the figures), on top of the dom0 kernel's build.

XEN_HOST_VMLINUX := $(XEN_HOST_O)/vmlinux
# the byte-count sink dom0 runs for the guest's network test (static: dom0's initramfs has no libc)
XEN_HOST_SINK := $(BUILD)/xen-host/previrt-sink

$(XEN_HOST_SINK): xen-host/previrt-sink.c
	@mkdir -p $(dir $@)
	$(CC) -static -O2 $(CWARN) -o $@ $<
GUEST ?= previrt
DOMU_KERNEL = $(if $(filter command line,$(origin KERNEL)),$(KERNEL),$(if $(filter pvops,$(GUEST)),$(XEN_HOST_VMLINUX),$(or $(KBOOT),$(RT_KTINY))/vmlinux))

$(XEN_HOST_VMLINUX): kernel-configs/xen-host.config kernel-configs/xen-pvh.config kernel-configs/tiny.config
	@$(MAKE) --no-print-directory kernel-xen-host

.PHONY: boot-xen-domu
boot-xen-domu: $(RT_LOADER) $(INITRD) $(GEN_CPIO) $(XEN_HOST_VMLINUX) $(XEN_HOST_SINK) \
		$(if $(filter command line,$(origin KERNEL)),,$(if $(filter pvops,$(GUEST)),,k-boot))
	@echo "== Xen 4.17 host (QEMU TCG, PV dom0 $(XEN_HOST_VMLINUX)), $(GUEST) PVH domU $(DOMU_KERNEL)"
	@GUEST=$(GUEST) KERNEL=$(DOMU_KERNEL) INITRD=$(INITRD) HOST_KERNEL=$(XEN_HOST_VMLINUX) \
		PREVIRT_LOADER=$(RT_LOADER) GEN=$(GEN_CPIO) SINK=$(XEN_HOST_SINK) OUT=$(BUILD)/xen-domu ci/boot-xen-domu

# In `make check` (a second, no QEMU, no network): the scripts' refusals,
# dom0's archive from a fake userland tree, /init's syntax, the config chain.
.PHONY: check-xen-host
check-xen-host: $(GEN_CPIO)
	@echo "== xen-host: boot-xen-domu's and mkinitramfs's refusals, dom0's archive, /init, xen-host.config's chain"
	@tests/xen-host/run-tests.sh $(GEN_CPIO) $(BUILD)/tests/xen-host
CHECKS += check-xen-host
