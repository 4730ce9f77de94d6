# The para-virtualized baseline of issue 6's P5: the same Linux 6.1 source,
# tinyconfig + tiny.config + xen-pvh.config (Linux's own Xen PVH dom0
# support, console on hvc0), built WITHOUT the previrt plugin.
# Included from kernel-configs/kernel.mk (uses KSRC, KTARBALL, KJOBS, K_ENV).
#
#   make kernel-pvops            -> $(BUILD)/kernel/xen-pvh-plain/{vmlinux,arch/x86/boot/bzImage}
#   make kernel-pvops PVOPS_WITH=drivers -> $(BUILD)/kernel/xen-pvh-drivers-plain (+ drivers.config)
#   make kernel-pvops PVOPS_GUEST=kvm-guest -> $(BUILD)/kernel/kvm-guest-plain (Linux's own KVM
#                                   guest support instead: the L4 baseline, kernel-configs/kvm-guest.config)
#   make kernel-pvops PVOPS_WITH=defconfig -> $(BUILD)/kernel/xen-pvh-defconfig-plain (x86_64_defconfig + defconfig.config)
#   make kernel-pvops PVOPS_O=/somewhere
#   make kernel-xen-host         -> $(BUILD)/kernel/xen-host/... (PVOPS_WITH=xen-host: the
#                                   PV dom0 of ci/boot-xen-domu, kernel-configs/xen-host.config)
#
# Why not ci/kernel-build: its check-config rejects any kernel with
# XEN/PARAVIRT/PVH, which is the whole point of this one.  So the recipe
# below does the same steps (source cache, the base config + the fragments
# that xen-pvh.config's chain names (ci/kernel-build --chain) through
# merge_config.sh -m, olddefconfig, check
# every wanted line, build vmlinux + bzImage, keep logs and timings next to
# vmlinux) with the same clean environment for the kernel's make.
# Xen 4.17's PVH dom0 builder boots either file (it finds the
# XEN_ELFNOTE_PHYS32_ENTRY note in vmlinux, or in the ELF payload of bzImage).

# What xen-pvh.config builds on, from its own "# previrt-base:" line, read
# the way ci/kernel-build reads it: tinyconfig, then tiny.config and
# xen-pvh.config.
#
# PVOPS_WITH=NAME: build on kernel-configs/NAME.config's chain instead,
# xen-pvh.config last (its lines win over the chain's, e.g. over
# defconfig.config's "not set" lines for the guest menu):
# `make kernel-pvops PVOPS_WITH=drivers` is bench-drivers' baseline, the
# drivers kernel's config plus Linux's own Xen PVH support, built in
# xen-pvh-drivers-plain; PVOPS_WITH=defconfig is x86_64_defconfig +
# defconfig.config + xen-pvh.config (`make bench-drivers KCONFIG=defconfig`).
PVOPS_WITH  ?=
# PVOPS_GUEST=NAME: the guest-support fragment the baseline adds
# (kernel-configs/NAME.config): xen-pvh, or kvm-guest for the L4 baseline.
PVOPS_GUEST ?= xen-pvh
# $(call pvops_dir,NAME): the build directory of the baseline on that fragment
pvops_dir    = $(BUILD)/kernel/$(PVOPS_GUEST)$(if $(1),-$(1))-plain$(K_REL)
PVOPS_O     ?= $(call pvops_dir,$(PVOPS_WITH))
PVOPS_CHAIN := $(shell KCONFIG=$(or $(PVOPS_WITH),$(PVOPS_GUEST)) ci/kernel-build --chain)
PVOPS_BASE  := $(firstword $(PVOPS_CHAIN))
# A fragment whose chain already holds the guest fragment (xen-host.config
# holds xen-pvh.config) is built exactly as its chain says: appending it
# again would undo the lines it overrides.
PVOPS_FRAGS := $(wordlist 2,$(words $(PVOPS_CHAIN)),$(PVOPS_CHAIN)) \
               $(if $(PVOPS_WITH),$(if $(filter %/$(PVOPS_GUEST).config,$(PVOPS_CHAIN)),,$(abspath kernel-configs/$(PVOPS_GUEST).config)))
PVOPS_KERNEL := $(PVOPS_O)/arch/x86/boot/bzImage

# The kernel's make with none of our make variables (O, KERNEL, BUILD...).
PVOPS_KMAKE = env -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS -u MAKELEVEL \
	make -C $(abspath $(KSRC)) O=$(abspath $(PVOPS_O))

.PHONY: kernel-pvops

# Always runs (Kbuild is incremental); reconfigures only when a fragment
# changed (stamp = sha256 of both fragments).
kernel-pvops: $(PVOPS_FRAGS)
	@set -eu; o=$(abspath $(PVOPS_O)); \
	die() { echo "kernel-pvops: $$*" >&2; exit 1; }; \
	test -f $(KSRC)/Makefile || \
		$(K_ENV) KCONFIG=tiny O=$$o PLUGIN=0 ci/kernel-build --extract-only; \
	mkdir -p $$o; \
	stamp="$(PVOPS_BASE) $$(cat $(PVOPS_FRAGS) | sha256sum | cut -d' ' -f1)"; \
	if [ ! -f $$o/.config ] || [ "$$(cat $$o/.previrt-config-stamp 2>/dev/null)" != "$$stamp" ]; then \
		echo "kernel-pvops: configuring $(PVOPS_BASE) + $(notdir $(PVOPS_FRAGS)) in $$o"; \
		rm -f $$o/.previrt-config-stamp; \
		$(PVOPS_KMAKE) -s $(PVOPS_BASE) >$$o/config.log 2>&1 || { cat $$o/config.log; die "make $(PVOPS_BASE) failed"; }; \
		(cd $$o && $(abspath $(KSRC))/scripts/kconfig/merge_config.sh -m -O $$o $$o/.config \
			$(abspath $(PVOPS_FRAGS))) >>$$o/config.log 2>&1 || { cat $$o/config.log; die "merge_config.sh failed"; }; \
		$(PVOPS_KMAKE) -s olddefconfig >>$$o/config.log 2>&1 || { cat $$o/config.log; die "olddefconfig failed"; }; \
		: "every option of tiny.config + xen-pvh.config (last one wins) must hold,"; \
		: "but for wanted options this release's Kconfig does not define (check-config)"; \
		for f in $(abspath $(PVOPS_FRAGS)); do \
			while IFS= read -r l; do case $$l in CONFIG_*=*) x=$${l%%=*}; \
				grep -rqsE --include='Kconfig*' "^[[:space:]]*(menu)?config[[:space:]]+$${x#CONFIG_}[[:space:]]*$$" \
					$(abspath $(KSRC)) || continue ;; esac; echo "$$l"; done <$$f; \
		done >$$o/.previrt-wanted; \
		awk 'function opt(l) { if (l ~ /^CONFIG_/) { sub(/=.*/, "", l); return l } \
				if (l ~ /^# CONFIG_.* is not set$$/) { split(l, f, " "); return f[2] } return "" } \
			FILENAME != ARGV[ARGC-1] { o = opt($$0); if (o != "") { want[o] = $$0; if (!(o in ord)) { ord[o] = ++n; name[n] = o } } next } \
			{ o = opt($$0); if (o != "") have[o] = $$0 } \
			END { bad = 0; for (i = 1; i <= n; i++) { o = name[i]; w = want[o]; h = (o in have) ? have[o] : "absent"; \
				ok = (w ~ /is not set$$/) ? (h !~ /^CONFIG_/) : (h == w); \
				if (!ok) { printf "kernel-pvops: wanted %s, got: %s\n", w, h > "/dev/stderr"; bad++ } } \
				printf "kernel-pvops: %d of %d options as wanted in .config\n", n - bad, n; exit bad != 0 }' \
			$$o/.previrt-wanted $$o/.config || die "configuration check failed ($$o/.config)"; \
		echo "$$stamp" >$$o/.previrt-config-stamp; \
	fi; \
	echo "kernel-pvops: building $(PVOPS_GUEST) (no plugin) in $$o with -j$(KJOBS); log: $$o/build.log"; \
	start=$$(date +%s); \
	$(PVOPS_KMAKE) -j$(KJOBS) KCFLAGS= vmlinux bzImage >$$o/build.log 2>&1 || \
		{ tail -40 $$o/build.log >&2; die "kernel build failed (full log: $$o/build.log)"; }; \
	end=$$(date +%s); echo $$((end - start)) >$$o/build-seconds; \
	echo "kernel-pvops: built in $$((end - start)) s wall: $$o/vmlinux, $$o/arch/x86/boot/bzImage"

# The dom0 of a real Xen host (issue 13, ci/boot-xen-domu): xen-host.config,
# whose chain is tinyconfig, tiny.config, xen-pvh.config, xen-host.config.
XEN_HOST_O ?= $(BUILD)/kernel/xen-host$(K_REL)
.PHONY: kernel-xen-host
kernel-xen-host:
	@$(MAKE) --no-print-directory kernel-pvops PVOPS_WITH=xen-host PVOPS_O=$(XEN_HOST_O)
