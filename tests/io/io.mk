# Linux's own drivers at work (issue 15): the drivers kernel
# (kernel-configs/drivers.config: tiny + e1000 + AHCI) built with the plugin
# and checked like the tiny one (ci/check-kernel: config, check-vmlinux,
# a native boot), then data moved through its disk and NIC natively,
# through the loader (native, profile), with a corrupted disk (must fail)
# and as Xen 4.17's PVH dom0 (tests/io/run-tests.sh, IO=1: ci/io-devices.sh).
# One more tiny-sized kernel build (~5-8 min on 2 cores) and six QEMU boots.
#
#   make check-drivers
# (included by the top-level Makefile after kernel-configs/kernel.mk and runtime/runtime.mk)

KDRIVERS := $(KERNEL_DIR)/drivers$(K_REL)
IO_LOADER := $(filter %/previrt-loader.elf,$(ALL))

check-drivers: $(PLUGIN) $(IO_LOADER) $(WORKLOAD_DIR)/initramfs.cpio.gz $(filter %/previrt-report,$(ALL))
	@$(K_ENV) KCONFIG=drivers O=$(KDRIVERS) PLUGIN=$(abspath $(PLUGIN)) \
		INITRD=$(WORKLOAD_DIR)/initramfs.cpio.gz ci/check-kernel
	@echo "== drivers: e1000 and AHCI move data natively, through the loader and on Xen (IO=1)"
	@tests/io/run-tests.sh $(KDRIVERS)/arch/x86/boot/bzImage $(IO_LOADER) \
		$(WORKLOAD_DIR)/initramfs.cpio.gz $(BUILD)/tests/io$(K_REL) 1

# Last in CHECKS, so `make check` runs it after the runtime's boots (one
# QEMU at a time); it builds and boots only its own kernel, so
# `make check-drivers` alone does not wait for the other groups.
.PHONY: check-drivers
CHECKS += check-drivers
