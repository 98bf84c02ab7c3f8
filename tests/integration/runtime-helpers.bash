# runtime-helpers.bash - shared by the 1*-runtime-*.bats files: a busybox
# bundle per test, the runtime with a private state folder, and cleanup.
#
# Each test gets:
#   BUNDLE  $BATS_TEST_TMPDIR/bundle (config.json + rootfs, from make-bundle)
#   ROOTFS  $BUNDLE/rootfs
#   STATE   $BATS_TEST_TMPDIR/state (the runtime's --root)
#   CID     a container id no other test (or run) uses
#   CGPATH  /tugtest-$CID, the bundle's linux.cgroupsPath
#
# A test file does:  load helpers; load runtime-helpers
#                    setup() { rt_setup; }  teardown() { rt_teardown; }

bats_require_minimum_version 1.5.0

# The system python: a pyenv shim in PATH can take seconds to start.
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
export PYTHON
FIXTURES=${FIXTURES:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures" && pwd)}
CGROOT=/sys/fs/cgroup

# rt ARGS...: the runtime with this test's state folder, after the pending
# config.json edits are written. A hung runtime is killed after 30s so one
# bug cannot stall the whole suite.
rt() {
	cfg_flush || return 1
	timeout -k 5 30 "$TUG" runtime --root "$STATE" "$@"
}

# The template bundle is made once per bats run; each test gets a copy of its
# rootfs, with bin/ (busybox and its 270-odd applet links) hard-linked:
# copying the links costs a third of a second on a busy host. config.json
# is written by the first cfg_flush, from the template's.
rt_setup() {
	[ "$EUID" -eq 0 ] || skip "needs root"
	# one per bats run (all the files of one `bats` call share it)
	TPL=${BATS_RUN_TMPDIR:-$BATS_FILE_TMPDIR}/runtime-template
	if [ ! -d "$TPL" ]; then
		# checked until the template exists: each costs a fork or two
		need_feature RUNTIME
		need_cmd jq
		need_cmd timeout
		[ -x /bin/busybox ] || skip "needs /bin/busybox (busybox-static)"
		[ -n "$PYTHON" ] || skip "needs python3"
		TUG=$TUG "$FIXTURES/make-bundle" "$TPL.$$" >&2
		mv "$TPL.$$/rootfs/bin" "$TPL.$$/bin"
		# another file running in parallel (bats --jobs) may have won
		mv -T "$TPL.$$" "$TPL" 2>/dev/null || rm -rf "$TPL.$$"
	fi
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	ROOTFS=$BUNDLE/rootfs
	STATE=$BATS_TEST_TMPDIR/state
	CID=tt$$-${BATS_TEST_NUMBER}-$RANDOM
	CGPATH=/tugtest-$CID
	mkdir "$BUNDLE"
	cp -a "$TPL/rootfs" "$ROOTFS"
	cp -al "$TPL/bin" "$ROOTFS/bin"
	CFG_FILTER=
	CFG_ARGS=()
	CFG_N=0
	cfg '.linux.cgroupsPath = $p' --arg p "$CGPATH"
}

# own_bin: make the rootfs's bin/ this test's own (not hard links to the
# template's) before changing its owners or modes.
own_bin() {
	rm -rf "$ROOTFS/bin"
	cp -a "$TPL/bin" "$ROOTFS/bin"
}

# Delete every container this test made, then make sure nothing of it is
# left on the host even when the runtime failed to clean up (the tests that
# check the cleanup itself do so before teardown).
rt_teardown() {
	[ -n "${STATE:-}" ] || return 0
	local d
	for d in "$STATE"/*/; do
		[ -d "$d" ] || continue
		d=${d%/}
		timeout -k 5 30 "$TUG" runtime --root "$STATE" delete -f "${d##*/}" >/dev/null 2>&1 || :
	done
	for d in "$CGROOT"/*/tugtest-"${CID:-none}"* "$CGROOT"/*/tugtest-"${CID:-none}"*/*/; do
		[ -d "$d" ] || continue
		[ -f "$d/cgroup.procs" ] && xargs -r kill -9 <"$d/cgroup.procs" 2>/dev/null
		[ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
	done
	for d in "$CGROOT"/*/tugtest-"${CID:-none}"*/*/ "$CGROOT"/*/tugtest-"${CID:-none}"*; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	return 0
}

# cfg FILTER [--arg|--argjson|--slurpfile|--rawfile NAME VALUE]...: edit
# the bundle's config.json. The edits are queued and written by one jq run
# (jq takes ~0.1s to start) before the runtime runs, or by cfg_flush; each
# call's variables are renamed so that two calls can use the same name.
cfg() {
	local f=$1 opt name val
	shift
	CFG_N=$((CFG_N + 1))
	while [ $# -gt 0 ]; do
		opt=$1 name=$2 val=$3
		shift 3
		rename_var "$f" "$name" "${name}_$CFG_N"
		f=$REPLY
		CFG_ARGS+=("$opt" "${name}_$CFG_N" "$val")
	done
	CFG_FILTER+="${CFG_FILTER:+ | }($f)"
}

# rename_var TEXT OLD NEW: REPLY is TEXT with $OLD (a whole jq variable
# name) made $NEW.
rename_var() {
	local t=$1 out= rest
	while [[ "$t" == *"\$$2"* ]]; do
		out+=${t%%"\$$2"*}
		rest=${t#*"\$$2"}
		if [[ "$rest" =~ ^[A-Za-z0-9_] ]]; then out+="\$$2"; else out+="\$$3"; fi
		t=$rest
	done
	REPLY=$out$t
}

# cfg_flush: write the queued edits to config.json (made from the
# template's the first time).
cfg_flush() {
	[ -n "${CFG_FILTER:-}" ] || return 0
	local f=$BUNDLE/config.json in out
	in=$f
	[ -e "$in" ] || in=$TPL/config.json
	out=$(jq "${CFG_ARGS[@]}" "$CFG_FILTER" <"$in") || {
		echo "cfg: jq failed on: $CFG_FILTER" >&2
		return 1
	}
	printf '%s\n' "$out" >"$f"
	CFG_FILTER=
	CFG_ARGS=()
}

# set_args ARGS...: the container's process.args.
set_args() {
	local i=0 l= a
	local -a opts=()
	for a in "$@"; do
		opts+=(--arg "a$i" "$a")
		l+="${l:+,}\$a$i"
		i=$((i + 1))
	done
	# --arg per element: jq's --args would take an arg like "-c" as its own
	cfg ".process.args = [$l]" "${opts[@]}"
}

# run_ctr ARGS...: run a container in the foreground with these args; the
# status and output land in bats' $status/$output (stderr merged).
run_ctr() {
	set_args "$@"
	run rt run -b "$BUNDLE" "$CID"
	# shown only when the test fails
	echo "run: status $status, output:"
	printf '%s\n' "$output"
}

# ctr_sh SCRIPT: run_ctr sh -c SCRIPT.
ctr_sh() {
	run_ctr sh -c "$1"
}

# start_bg [ARGS...]: a detached container (default: sleep 600) that is
# running when this returns; its stdio goes to $BATS_TEST_TMPDIR/ctr.out
# (a pipe left open would hang bats). Sets PID to the init's host pid.
start_bg() {
	if [ $# -gt 0 ]; then set_args "$@"; else set_args sleep 600; fi
	rt run -d -b "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/ctr.out" 2>&1 || {
		cat "$BATS_TEST_TMPDIR/ctr.out"
		return 1
	}
	ctr_state
	PID=$STATE_PID
	[ "$STATE_STATUS" = running ] || {
		echo "container $CID is not running: $STATE_JSON"
		return 1
	}
}

# ctr_state [ID]: STATE_JSON, and its STATE_STATUS and STATE_PID (read
# without jq: this runs often).
ctr_state() {
	STATE_JSON=$(rt state "${1:-$CID}")
	[[ "$STATE_JSON" =~ \"status\":[[:space:]]*\"([a-z]+)\" ]] && STATE_STATUS=${BASH_REMATCH[1]}
	[[ "$STATE_JSON" =~ \"pid\":[[:space:]]*([0-9]+) ]] && STATE_PID=${BASH_REMATCH[1]}
	[ -n "$STATE_JSON" ]
}

# ctr_status [ID]: print the status field of `state`.
ctr_status() {
	STATE_STATUS=
	ctr_state "$@" || return 1
	echo "$STATE_STATUS"
}

# wait_for COMMAND...: retry for up to 5s.
wait_for() {
	local i
	for ((i = 0; i < 50; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# caps_mask CAP...: the hex mask /proc/PID/status shows for these caps.
CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
	LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
	SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
	SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
	MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
	CHECKPOINT_RESTORE)
caps_mask() {
	local m=0 c i found
	for c in "$@"; do
		found=
		for i in "${!CAP_NAMES[@]}"; do
			[ "CAP_${CAP_NAMES[$i]}" = "$c" ] && { m=$((m | (1 << i))); found=1; }
		done
		[ -n "$found" ] || { echo "caps_mask: unknown $c" >&2; return 1; }
	done
	printf '%016x\n' "$m"
}

# host_snapshot: what a failed create must leave as it found: the mounts
# that involve this test (its folder or its id), the test's cgroup folders,
# and the state folder's contents. Not the plain count of mounts: other
# runtimes on a shared host (containerd's snapshots) add and remove theirs
# while the test runs.
host_snapshot() {
	grep -c -e "$BATS_TEST_TMPDIR" -e "$CID" /proc/self/mountinfo
	# processes inside the rootfs (an init that was not reaped or killed)
	find /proc -mindepth 2 -maxdepth 2 -name root -lname "$ROOTFS*" 2>/dev/null | wc -l
	ls -d "$CGROOT"/*/tugtest-"$CID"* 2>/dev/null
	[ -d "$STATE" ] && (cd "$STATE" && find . | sort)
	return 0
}

# run_create ARGS...: `create` with bats' status, output and stderr set, as
# `run --separate-stderr` would. Through files, not bats' pipes: a create
# that wrongly succeeds leaves an init holding its stdio, and `run` would
# wait for it forever.
run_create() {
	status=0
	rt create "$@" </dev/null >"$BATS_TEST_TMPDIR/create.out" 2>"$BATS_TEST_TMPDIR/create.err" ||
		status=$?
	output=$(cat "$BATS_TEST_TMPDIR/create.out")
	stderr=$(cat "$BATS_TEST_TMPDIR/create.err")
	mapfile -t lines <<<"$output"
}

# expect_clean_failure FIELD: run `create` on the bundle; it must fail with
# a single line on stderr naming FIELD, and leave the host as it was.
expect_clean_failure() {
	local before after
	mkdir -p "$STATE"
	before=$(host_snapshot)
	run_create -b "$BUNDLE" "$CID"
	after=$(host_snapshot)
	echo "status=$status"
	echo "stderr: $stderr"
	echo "stdout: $output"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ] # not the timeout
	[ -n "$stderr" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"$1"* ]]
	[ "$before" = "$after" ] || {
		echo "host changed:"
		diff <(echo "$before") <(echo "$after")
		return 1
	}
	[ ! -e "$STATE/$CID" ]
	run rt state "$CID"
	[ "$status" -ne 0 ]
}
