# SPDX-License-Identifier: GPL-2.0
#
# qsock — top-level build. Each component describes itself in <dir>/build.mk and appends to
# the lists below (and offers its names to the others in <dir>/exports.mk); this file only
# knows the lists. `make help` shows the targets.

# Where `make install` puts things. Everything goes under $(DESTDIR)$(PREFIX): the directories
# other programs look in (tc's plugins, systemd's units, bash-completion's) are derived from
# PREFIX, and only `make install-dkms` (dkms reads /usr/src alone) writes outside it, when
# asked by name. Nothing is installed in /etc: qsock.conf is the operator's.
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
SBINDIR     ?= $(PREFIX)/sbin
# PREFIX=/usr is a distribution's layout: libraries in the multiarch directory (Debian's
# /usr/lib/x86_64-linux-gnu), as ld.so and pkg-config look there first. Elsewhere PREFIX/lib.
MULTIARCH   := $(shell $(CC) -print-multiarch 2>/dev/null)
LIBDIR      ?= $(if $(and $(filter /usr,$(PREFIX)),$(MULTIARCH)),$(PREFIX)/lib/$(MULTIARCH),$(PREFIX)/lib)
INCLUDEDIR  ?= $(PREFIX)/include
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
DOCDIR      ?= $(DATADIR)/doc/qsock
DESTDIR     ?=

# Kernel modules: every installed kernel with headers (scripts/kernels), KVER=RELEASE for one,
# KDIR=TREE for one kbuild tree (kmod/build.mk).
KVER        ?=
KDIR        ?=
# kbuild M=DIR: build an out-of-tree module. BTF for modules needs a vmlinux we do not have.
KBUILD       = $(MAKE) -C $(1) M=$(CURDIR)/$(2) CONFIG_DEBUG_INFO_BTF_MODULES= $(if $(filter 1,$(V)),V=1,-s)

BUILD       := build
# The one version number of libqsock, sch_dwcs (MODULE_VERSION, DKMS), qsockd and the tools.
QSOCK_VERSION := $(shell cat VERSION)
CC          ?= gcc
CLANG       ?= clang
WARNINGS    := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
               -Wold-style-definition -Wformat=2 -Wshadow -Wno-unused-parameter
CFLAGS      ?= -O2 -g
ALL_CFLAGS   = -std=gnu11 -D_GNU_SOURCE -DQSOCK_VERSION='"$(QSOCK_VERSION)"' $(WARNINGS) \
               -I$(CURDIR)/include -MMD -MP $(CFLAGS)
LDFLAGS     ?=

ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-8s %s\n'
endif
MAKEFLAGS += --no-print-directory

# Lists every component appends to.
BINS        :=        # files `make` builds: what `make install` installs, and what that needs
TEST_BINS   :=        # test programs, the ASan shim, the test module: built for check, bench, demo
UNIT_TESTS  :=        # unit-test binaries, each prints TAP
HOST_BATS   :=        # bats files run on the host (root, network namespaces)
VM_BATS     :=        # bats files run inside the test VM
BENCHES     :=        # commands run by `make bench`
INSTALL     :=        # install-* targets
INSTALLED   :=        # every path they write, under DESTDIR: what `make uninstall` removes
KMOD_TARGETS :=       # kernel-module builds (kbuild writes into the source tree)

.PHONY: all
all: build-all

# The install paths built into files (qsock run's shim, qsock.pc): a file rewritten only when
# they change, which what embeds them depends on, so that `make install PREFIX=/usr` after a
# plain `make` rebuilds those instead of installing /usr/local paths.
INSTALL_PATHS := $(BUILD)/install-paths
INSTALL_PATHS_NOW = PREFIX=$(PREFIX) LIBDIR=$(LIBDIR) INCLUDEDIR=$(INCLUDEDIR)
$(shell mkdir -p $(BUILD) && { echo '$(INSTALL_PATHS_NOW)' | cmp -s - $(INSTALL_PATHS) || \
	echo '$(INSTALL_PATHS_NOW)' >$(INSTALL_PATHS); })

# The man pages as installed: the version they quote (qsock(1)'s header, tc-dwcs(8)'s dkms
# command) is written in from VERSION, which is the only file that states it.
MAN_PAGES := $(patsubst man/%,$(BUILD)/man/%,$(wildcard man/*.[1-8]))
BINS += $(MAN_PAGES)
$(BUILD)/man/%: man/% VERSION
	$(quiet) GEN $@
	$(Q)mkdir -p $(dir $@)
	$(Q)sed 's/@VERSION@/$(QSOCK_VERSION)/g' $< >$@

# Two passes, so that no component depends on the order the files are read: first every
# <dir>/exports.mk (the names a component offers the others: its archive, its link flags, the
# kernels it builds for; made of nothing but this file's variables, or recursive), then every
# build.mk (rules and lists, which may use any exported name). BUILD_MKS is a variable so that
# a test can read them in another order and compare make's database (test/bats/packaging.bats).
include $(sort $(wildcard */exports.mk))
BUILD_MKS ?= $(sort $(wildcard */build.mk */*/build.mk test/*/*.mk))
include $(BUILD_MKS)

.PHONY: build-all build-tests
build-all: $(BINS) $(KMOD_TARGETS)
build-tests: build-all $(TEST_BINS)

$(BUILD)/%.o: %.c
	$(quiet) CC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(CFLAGS_$(subst /,_,$(dir $<))) -c -o $@ $<

# Our compilers' dependency files only: build/kernels and build/apt hold unpacked Debian trees
# (a kernel's sources have directories named *.d).
-include $(shell find $(BUILD) \( -path '$(BUILD)/kernels' -o -path '$(BUILD)/apt' -o -path '$(BUILD)/iproute2' \) -prune \
	-o -type f -name '*.d' -print 2>/dev/null)

# ----------------------------------------------------------------------------- tests
# Every suite speaks TAP; scripts/tap-summary turns it into one "N passed, N failed" line.
RESULTS := $(BUILD)/results

.PHONY: deps check check-unit check-host check-vm
deps:
	$(Q)scripts/deps

# Two things at once after the build, each on about one of the machine's two cores:
# - in the background, the unit tests, the VM runner's own tests (they boot small VMs of their
#   own, one vCPU each) and the host suite, one after the other; they mostly wait on sockets,
#   timers and those boots. Their output is kept in beside.log and shown when the VM suites end.
# - the VM suites (scripts/run-vm-matrix): every kernel's boots but the timing claims in
#   lanes, one beside the above and two once it has ended (QSOCK_VM_BESIDE), then the timing
#   claims alone.
HOST_BATS_VM_RUNNER := test/bats/vm-runner.bats
check: deps
	$(Q)$(MAKE) build-tests
	$(Q)rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	$(Q)status=0; \
	echo "== unit tests, the VM runner's tests and the host tests (bats, network namespaces), beside the VM suites' first lane: shown when they end"; \
	{ s=0; $(MAKE) check-unit-run || s=1; \
	  QSOCK_VM_SMP=1 scripts/run-bats $(RESULTS)/vm-runner.tap $(HOST_BATS_VM_RUNNER) || s=1; \
	  $(MAKE) check-host-run HOST_BATS="$(filter-out $(HOST_BATS_VM_RUNNER),$(HOST_BATS))" || s=1; \
	  echo $$s >$(RESULTS)/beside.done; } >$(RESULTS)/beside.log 2>&1 & \
	QSOCK_VM_BESIDE=$(RESULTS)/beside.done $(MAKE) check-vm-run || status=1; \
	wait; \
	echo "== unit, VM runner and host tests: their output, from $(RESULTS)/beside.log"; \
	cat $(RESULTS)/beside.log; \
	[ "$$(cat $(RESULTS)/beside.done)" = 0 ] || status=1; \
	scripts/tap-summary --total $(RESULTS)/*.tap || status=1; \
	exit $$status

check-unit: build-tests
	$(Q)mkdir -p $(RESULTS) && $(MAKE) check-unit-run && scripts/tap-summary --total $(RESULTS)/unit.tap
check-host: build-tests
	$(Q)mkdir -p $(RESULTS) && $(MAKE) check-host-run && scripts/tap-summary --total $(RESULTS)/host.tap
check-vm: build-tests
	$(Q)mkdir -p $(RESULTS) && rm -f $(RESULTS)/vm-*.tap && \
		{ $(MAKE) check-vm-run; s=$$?; scripts/tap-summary --total $(RESULTS)/vm-*.tap && exit $$s; }

.PHONY: check-unit-run check-host-run check-vm-run
check-unit-run: $(UNIT_TESTS)
	@echo "== unit tests"
	$(Q)scripts/run-unit $(RESULTS)/unit.tap $(UNIT_TESTS)
check-host-run:
	@echo "== host tests (bats, network namespaces)"
	$(Q)scripts/run-bats $(RESULTS)/host.tap $(HOST_BATS)
check-vm-run:
	@echo "== VM tests (bats inside the test VM, once per kernel of scripts/kernels matrix)"
	$(Q)VM_BATS_FULL="$(VM_BATS)" VM_BATS_FUNCTIONAL="$(filter-out $(VM_BATS_HEAVY),$(VM_BATS))" \
		VM_BATS_SMOKE="$(VM_BATS_SMOKE)" VM_BATS_BPF_QDISC="$(VM_BATS_BPF_QDISC)" \
		VM_BATS_TIMING="$(VM_BATS_TIMING)" \
		scripts/run-vm-matrix $(RESULTS)

# ----------------------------------------------------------------------------- the rest
.PHONY: demo bench install uninstall clean clean-kmod help
clean-kmod:

demo: deps
	$(Q)$(MAKE) build-tests
	$(Q)scripts/demo

bench: build-tests
	$(Q)set -e; for b in $(BENCHES); do echo "== $$b"; $$b; done

install: build-all $(INSTALL)

# Exactly what the install-* rules wrote (each component lists its files in INSTALLED), then
# the directories that are qsock's alone; shared ones (bin, lib, man1...) stay.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	$(Q)rm -rf $(BUILD)
	$(Q)$(MAKE) -s clean-kmod

help:
	@echo "qsock make targets:"
	@echo "  all (default)  build user space and sch_dwcs.ko for every installed kernel with headers"
	@echo "  build-tests    also the test programs, the ASan shim and the test module (check does)"
	@echo "  check          scripts/deps, build, then unit + host + VM tests (prints N passed, N failed)"
	@echo "  check-unit     C unit tests only"
	@echo "  check-host     bats tests on the host, in network namespaces (root)"
	@echo "  check-vm       bats tests inside the test VM, per kernel (scripts/kernels matrix;"
	@echo "                 QSOCK_VM_KERNELS='R1 R2' for some)"
	@echo "  dkms-source    the self-contained DKMS tree of sch_dwcs under build/dkms/"
	@echo "  install-dkms   install that tree into DESTDIR/usr/src for dkms (uninstall-dkms)"

	@echo "  demo           scripts/deps, build, run the main scenario in the test VM"
	@echo "  bench          benchmarks: ratios side by side, median and spread over BENCH_ROUNDS (9)"
	@echo "  install        install into DESTDIR PREFIX ($(DESTDIR)$(PREFIX)); nothing outside it"
	@echo "  uninstall      remove exactly what install installed (same PREFIX, DESTDIR)"
	@echo "  clean          remove build outputs"
	@echo "Variables: V=1 (show commands), KVER=RELEASE or KDIR=TREE (one kernel), PREFIX, DESTDIR, CC, CFLAGS"
	@echo "  install dirs: BINDIR SBINDIR LIBDIR INCLUDEDIR DATADIR MANDIR DOCDIR TC_LIBDIR SYSTEMDUNITDIR"
	@echo "  (LIBDIR: PREFIX/lib, or PREFIX/lib/$(MULTIARCH) when PREFIX=/usr; README, Install)"
	@echo "One bats file: scripts/run-bats /dev/stdout test/bats/FILE.bats   (add --vm for test/vm)"
