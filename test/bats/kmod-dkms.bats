#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# sch_dwcs through DKMS, as a user installs it: the tree of `make dkms-source` is all dkms
# gets, and `dkms build` must succeed for every installed kernel with headers
# (scripts/kernels headers). dkms runs on private trees under the test's temporary directory
# (--sourcetree, --dkmstree, --installtree), so the host's /usr/src and /var/lib/dkms are
# never touched. Building needs no kernel that can load modules: this runs on the host.

load ../lib/common

setup_file() {
	export DKMS_SRC
	DKMS_SRC=$(make -s -C "$QSOCK_REPO" dkms-source | tail -n 1)
	DKMS_SRC=$QSOCK_REPO/$DKMS_SRC
}

setup() {
	require_root
	require_cmd dkms
	[ -n "$("$QSOCK_REPO/scripts/kernels" headers)" ] || skip "no kernel headers installed (scripts/deps installs them)"
	NAME=$(basename "$DKMS_SRC")          # sch-dwcs-VERSION
	VERSION=${NAME#sch-dwcs-}
	TREES=$BATS_TEST_TMPDIR/trees
	mkdir -p "$TREES/src" "$TREES/dkms" "$TREES/install"
	cp -r "$DKMS_SRC" "$TREES/src/"
	DKMS="dkms --sourcetree $TREES/src --dkmstree $TREES/dkms --installtree $TREES/install"
}

@test "dkms: the source tree is self-contained and carries no build leftovers" {
	[ -f "$DKMS_SRC/dkms.conf" ]
	[ -f "$DKMS_SRC/include/uapi/linux/pkt_sch_dwcs.h" ]
	grep -qx "PACKAGE_VERSION=\"$VERSION\"" "$DKMS_SRC/dkms.conf"
	run find "$DKMS_SRC" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \
		-o -name Module.symvers -o -name modules.order \)
	assert_status 0
	[ -z "$output" ] || { echo "leftovers: $output"; false; }
}

# DKMS builds for the oldest and the newest kernel with headers (on Debian 12: the installed
# 6.1 and the unpacked newest one, whose kbuild tree lives outside /lib/modules): what DKMS
# adds over `make` is its configuration, the same for every kernel, and `make` already builds
# this very tree (a copy of build/dkms) for each kernel of `scripts/kernels headers`. The
# kernels between cost ~11 s each and would prove nothing more.
@test "dkms: add and build for the oldest and the newest kernel with headers" {
	local kernels
	kernels=$("$QSOCK_REPO/scripts/kernels" headers | sed -n '1p;$p' | sort -u)
	t $DKMS add -m sch-dwcs -v "$VERSION"
	for k in $kernels; do
		echo "== dkms build for $k"
		run timeout 600 $DKMS build -m sch-dwcs -v "$VERSION" -k "$k" \
			--kernelsourcedir "$("$QSOCK_REPO/scripts/kernels" kdir "$k")"
		[ "$status" -eq 0 ] || { echo "$output"; cat "$TREES/dkms/sch-dwcs/$VERSION/build/make.log" 2>/dev/null; false; }
		ko=$(find "$TREES/dkms/sch-dwcs/$VERSION/$k" -name 'sch_dwcs.ko*' | head -n 1)
		[ -n "$ko" ] || { echo "no module for $k"; false; }
		# the module is built for that kernel (modinfo reads a compressed one too)
		vermagic=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
		echo "$ko: vermagic $vermagic"
		[ "$vermagic" = "$k" ]
	done
	run $DKMS status -m sch-dwcs
	echo "$output"
	assert_output_contains "built"
}

@test "dkms: kmod/ of the checkout, given to dkms by mistake, fails with a message saying what to use" {
	cp -r "$QSOCK_REPO/kmod" "$TREES/src/sch-dwcs-kmod"
	sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="kmod"/' "$TREES/src/sch-dwcs-kmod/dkms.conf"
	rm -f "$TREES/src/sch-dwcs-kmod"/*.o "$TREES/src/sch-dwcs-kmod"/*.ko
	k=$("$QSOCK_REPO/scripts/kernels" headers | head -n 1)
	t $DKMS add -m sch-dwcs -v kmod
	run timeout 600 $DKMS build -m sch-dwcs -v kmod -k "$k" \
		--kernelsourcedir "$("$QSOCK_REPO/scripts/kernels" kdir "$k")"
	[ "$status" -ne 0 ]
	run cat "$TREES/dkms/sch-dwcs/kmod/build/make.log"
	assert_output_contains "make dkms-source"
}
