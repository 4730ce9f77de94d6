# The boot targets with an initramfs that is not the project's: a user-style
# busybox initramfs booted by ci/boot-native and `make boot-native` (also
# LOADER=1), passing and failing as documented (tests/boot/run-tests.sh).
# Five short QEMU TCG boots of the tiny annotated kernel.
#
#   make check-boot-user                              the tiny kernel CI builds
#   make check-boot-user BOOT_USER_KERNEL=path/bzImage   any kernel, nothing built
# (included by the top-level Makefile after kernel-configs/kernel.mk and runtime/runtime.mk)

BOOT_USER_KERNEL_TINY := $(or $(KTINY),$(BUILD)/kernel/tiny)/arch/x86/boot/bzImage
BOOT_USER_KERNEL ?= $(BOOT_USER_KERNEL_TINY)

# The project's workload initramfs (kernel-configs/kernel.mk), for the
# check that it is told apart from the user's.
BOOT_USER_WORKLOAD ?= $(BUILD)/workload/initramfs.cpio.gz

# The make the test runs `make boot-native` with.  Named through a variable
# so that this recipe is not a recursive one: `make -n check-boot-user`
# prints it instead of booting.
BOOT_USER_MAKE = $(MAKE)

check-boot-user: $(filter %/previrt-loader.elf,$(ALL)) $(if $(WORKLOAD_DIR),$(BOOT_USER_WORKLOAD))
	@echo "== boot: a user's own initramfs through boot-native (clean power-off, MARKER, panic, loader)"
	@tests/boot/run-tests.sh $(BOOT_USER_KERNEL) $(BUILD)/tests/boot "$(BOOT_USER_MAKE)" \
		"$(filter %/previrt-loader.elf,$(ALL))" "$(if $(WORKLOAD_DIR),$(BOOT_USER_WORKLOAD))"

.PHONY: check-boot-user
ifneq ($(wildcard kernel-configs/kernel.mk),)
# the tiny kernel is built by check-kernel (CI); boot it only after that
ifeq ($(BOOT_USER_KERNEL),$(BOOT_USER_KERNEL_TINY))
check-boot-user: check-kernel
endif
CHECKS += check-boot-user
endif
