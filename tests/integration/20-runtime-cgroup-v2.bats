#!/usr/bin/env bats
# The cgroup v2 driver on a pure v2 layout, live: in a private mount
# namespace the v1 hierarchies are unmounted and cgroup2 is mounted alone at
# /sys/fs/cgroup, so the runtime detects a pure v2 host. Which controllers
# the v2 tree has depends on the host (on a hybrid host most stay bound to
# v1); what v2 always has is tested unconditionally: the cgroup itself,
# freezing (cgroup.freeze), device rules (a BPF program), removal.

load helpers
load runtime-helpers

setup() {
	rt_setup
	need_cmd unshare
	grep -qw cgroup2 /proc/filesystems || skip "no cgroup2 in this kernel"
	V2=$BATS_TEST_TMPDIR/v2.sh
}
teardown() { rt_teardown; }

# in_v2 SCRIPT: run bash SCRIPT in a mount namespace with only cgroup2 at
# /sys/fs/cgroup. The script sees TUG, STATE, BUNDLE, CID, CGPATH.
in_v2() {
	cfg_flush
	cat >"$V2" <<-'EOS'
		set -e
		mount --make-rprivate /
		for m in $(awk '$5 ~ "^/sys/fs/cgroup/" {print $5}' /proc/self/mountinfo | sort -r); do
			umount -l "$m"
		done
		umount -l /sys/fs/cgroup 2>/dev/null || :
		mount -t cgroup2 none /sys/fs/cgroup
		rt() { timeout -k 5 30 "$TUG" runtime --root "$STATE" "$@"; }
	EOS
	printf '%s\n' "$1" >>"$V2"
	TUG=$TUG STATE=$STATE BUNDLE=$BUNDLE CID=$CID CGPATH=$CGPATH \
		unshare -m bash "$V2"
}

@test "cgroup v2 alone: the container's cgroup, freeze/thaw, removal at delete" {
	cfg '.linux.cgroupsPath = $p' --arg p "$CGPATH"
	set_args sleep 600
	run in_v2 '
		rt run -d -b "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1
		pid=$(rt state "$CID" | sed -n "s/.*\"pid\": *\([0-9]*\).*/\1/p")
		grep -qx "0::$CGPATH" /proc/$pid/cgroup
		test -d /sys/fs/cgroup$CGPATH
		grep -qx "$pid" /sys/fs/cgroup$CGPATH/cgroup.procs
		rt pause "$CID"
		grep -qx 1 /sys/fs/cgroup$CGPATH/cgroup.freeze
		rt state "$CID" | grep -q "\"status\": *\"paused\""
		rt resume "$CID"
		grep -qx 0 /sys/fs/cgroup$CGPATH/cgroup.freeze
		rt kill "$CID" KILL
		for i in $(seq 50); do rt state "$CID" | grep -q stopped && break; sleep 0.1; done
		rt delete "$CID"
		test ! -e /sys/fs/cgroup$CGPATH
		echo v2-ok'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *v2-ok* ]]
}

@test "cgroup v2 alone: device rules are a BPF program: denied, then allowed" {
	# /dev/loop-control (10:237) is not among the devices every container
	# may use; it is made in the container, then the rules decide.
	[ -c /dev/loop-control ] || skip "no /dev/loop-control on this host"
	cfg '.linux.cgroupsPath = $p
	     | .linux.devices += [{path: "/dev/tuglc", type: "c", major: 10, minor: 237}]
	     | .linux.resources.devices = [{allow: false, access: "rwm"}]' --arg p "$CGPATH"
	set_args sh -c '(exec 3</dev/tuglc) 2>/dev/null && echo lc-open || echo lc-denied; echo x >/dev/null && echo null-ok'
	run in_v2 'rt run -b "$BUNDLE" "$CID" </dev/null; test ! -e /sys/fs/cgroup$CGPATH && echo gone'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *lc-denied* ]]
	[[ "$output" == *null-ok* ]]
	[[ "$output" == *gone* ]]
	cfg '.linux.resources.devices += [{allow: true, type: "c", major: 10, minor: 237, access: "r"}]'
	run in_v2 'rt run -b "$BUNDLE" "$CID" </dev/null'
	echo "$output"
	[[ "$output" == *lc-open* ]]
}

@test "cgroup v2 alone: pids and memory limits where the v2 tree has those controllers" {
	run unshare -m bash -c 'mount --make-rprivate /; for m in $(awk "\$5 ~ \"^/sys/fs/cgroup/\" {print \$5}" /proc/self/mountinfo | sort -r); do umount -l $m; done; umount -l /sys/fs/cgroup; mount -t cgroup2 none /sys/fs/cgroup; cat /sys/fs/cgroup/cgroup.controllers'
	[[ " $output " == *" pids "* ]] || skip "the v2 tree has no pids controller on this host (controllers: $output)"
	cfg '.linux.cgroupsPath = $p | .linux.resources.pids = {limit: 7}' --arg p "$CGPATH"
	set_args sh -c 'cat /sys/fs/cgroup/pids.max'
	run in_v2 'mkdir -p /sys/fs/cgroup; rt run -b "$BUNDLE" "$CID" </dev/null'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *7* ]]
}
