#!/bin/bash
# Run the opencontainers/runtime-tools validation suite against one or more
# OCI runtimes and print a pass/fail table.  See tests/conformance/README.md.
#
# Usage:
#   RUNTIME_TOOLS_DIR=/path/to/built/runtime-tools \
#       tests/conformance/runtime-tools.sh [test-name ...]
#
# Environment:
#   RUNTIME_TOOLS_DIR  built runtime-tools checkout (required; the script
#                      skips with exit 0 when unset or not built)
#   RUNTIMES           space-separated runtimes, default "runc crun tug".
#                      Each entry is NAME or NAME=COMMAND.  Built-in names:
#                        runc  - `runc` from PATH
#                        crun  - `crun` from PATH; on a cgroup v1/v2 hybrid
#                                host each test file runs inside a private
#                                mount namespace with the cgroup2 mount at
#                                /sys/fs/cgroup/unified unmounted, because
#                                crun refuses hybrid hosts
#                        tug   - $TUG (or tug=PATH) invoked through a symlink
#                                named `runc`, i.e. as `tug runtime`
#   TUG                tug binary (default: build/x86_64/tug of this repo)
#   TIMEOUT            seconds per test file (default 60)
#   LOG_DIR            where TAP output goes (default: a new dir under /tmp);
#                      one file per runtime and test: LOG_DIR/RUNTIME/TEST.tap
#   STRICT_RUNTIME     if set (e.g. "tug"), exit 1 when that runtime fails a
#                      file that some other listed runtime passes
#
# A file passes when it exits 0 and its TAP output has no "not ok" line.
# (The *_fail tests print no TAP at all when the runtime correctly refuses
# the bad config; they exit 1 when it wrongly accepts it.)
# Needs root.  Does not use the network.

set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

skip() { echo "SKIP: runtime-tools conformance: $*"; exit 0; }

[ -n "${RUNTIME_TOOLS_DIR:-}" ] ||
	skip "RUNTIME_TOOLS_DIR is not set (see tests/conformance/README.md)"
[ -d "$RUNTIME_TOOLS_DIR/validation" ] ||
	skip "$RUNTIME_TOOLS_DIR is not a runtime-tools checkout"
rt=$(cd "$RUNTIME_TOOLS_DIR" && pwd)
[ -x "$rt/runtimetest" ] ||
	skip "$rt/runtimetest missing; run 'make runtimetest validation-executables' there"
[ "$(id -u)" = 0 ] || skip "must run as root"

RUNTIMES=${RUNTIMES:-runc crun tug}
TUG=${TUG:-$repo/build/x86_64/tug}
TIMEOUT=${TIMEOUT:-60}
LOG_DIR=${LOG_DIR:-$(mktemp -d /tmp/runtime-tools.XXXXXX)}
mkdir -p "$LOG_DIR" && chmod 755 "$LOG_DIR"

# ---- test list --------------------------------------------------------------
tests=()
if [ $# -gt 0 ]; then
	for t in "$@"; do
		t=${t##*/}; t=${t%.t}
		tests+=("$t")
	done
else
	for f in "$rt"/validation/*/*.t; do
		[ -e "$f" ] || continue
		t=${f##*/}; tests+=("${t%.t}")
	done
fi
[ ${#tests[@]} -gt 0 ] ||
	skip "no validation/*/*.t in $rt; run 'make validation-executables' there"

# ---- runtime setup ----------------------------------------------------------
hybrid=0
if grep -q ' /sys/fs/cgroup/unified .* cgroup2 ' /proc/self/mountinfo; then
	hybrid=1
fi

names=() cmds=() wraps=()
for spec in $RUNTIMES; do
	name=${spec%%=*}
	cmd=
	[ "$spec" != "$name" ] && cmd=${spec#*=}
	wrap=
	case $name in
	tug)
		# tug is a multi-call binary: named `runc`, it is `tug runtime`.
		bin=${cmd:-$TUG}
		cmd=
		if [ -x "$bin" ]; then
			d="$LOG_DIR/.tug-bin"
			mkdir -p "$d"
			ln -sfn "$(readlink -f "$bin")" "$d/runc"
			cmd="$d/runc"
		fi
		;;
	crun)
		[ -z "$cmd" ] && cmd=$(command -v crun)
		[ $hybrid = 1 ] && wrap=hide-cgroup2
		;;
	*)
		[ -z "$cmd" ] && cmd=$(command -v "$name")
		;;
	esac
	if [ -n "$cmd" ] && [ "${cmd#/}" = "$cmd" ]; then
		cmd=$(command -v "$cmd")
	fi
	if [ -z "$cmd" ] || [ ! -x "$cmd" ]; then
		echo "note: runtime '$name' not found; its column is n/a" >&2
		cmd=
	fi
	names+=("$name") cmds+=("$cmd") wraps+=("$wrap")
	mkdir -p "$LOG_DIR/$name"
done

# ---- run one file -----------------------------------------------------------
# Run the runtime itself (for cleanup), wrapped like the tests are.
rt_cmd() {
	local cmd=$1 wrap=$2
	shift 2
	if [ "$wrap" = hide-cgroup2 ]; then
		unshare -m --propagation private \
			sh -c 'umount -l /sys/fs/cgroup/unified && exec "$@"' sh "$cmd" "$@"
	else
		"$cmd" "$@"
	fi
}

# Containers a failed test left behind (bundle under $tmp), then mounts a
# runtime without a mount namespace left on the host, then the bundles, then
# the empty cgroups the cgroups tests leave.
cleanup() {
	local cmd=$1 wrap=$2 tmp=$3 id
	if command -v python3 >/dev/null; then
		for id in $(rt_cmd "$cmd" "$wrap" list -f json 2>/dev/null | python3 -c '
import json, sys
try:
    cs = json.load(sys.stdin) or []
except ValueError:
    cs = []
for c in cs:
    if str(c.get("bundle", "")).startswith(sys.argv[1]):
        print(c["id"])' "$tmp/"); do
			rt_cmd "$cmd" "$wrap" kill "$id" KILL >/dev/null 2>&1
			rt_cmd "$cmd" "$wrap" delete -f "$id" >/dev/null 2>&1 ||
				echo "warning: could not delete leftover container $id ($cmd)" >&2
		done
	fi
	awk -v p="$tmp/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf --one-file-system "$tmp" 2>/dev/null
	# The cgroups tests use the cgroup paths /cgrouptest and
	# testdir/cgrouptest/container; runtimes (rightly) leave the parents.
	find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d \
		\( -name cgrouptest -o -name testdir \) 2>/dev/null |
		sort -r | while read -r d; do rmdir "$d" 2>/dev/null; done
}

# Prints pass, FAIL(rc) or TIMEOUT.
run_one() {
	local test=$1 cmd=$2 wrap=$3 log=$4
	local tmp rc
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/runtime-tools-bundles.XXXXXX")
	# The bundles go under $TMPDIR: it and its parents must be searchable by
	# a container root that a user namespace maps to an unprivileged host uid.
	chmod 755 "$tmp"
	# The tests find rootfs-amd64.tar.gz and runtimetest relative to the cwd.
	(
		cd "$rt" || exit 125
		export RUNTIME="$cmd" TMPDIR="$tmp"
		if [ "$wrap" = hide-cgroup2 ]; then
			exec timeout -k 5 "$TIMEOUT" unshare -m --propagation private \
				sh -c 'umount -l /sys/fs/cgroup/unified && exec "$@"' sh \
				"validation/$test/$test.t"
		fi
		exec timeout -k 5 "$TIMEOUT" "validation/$test/$test.t"
	) >"$log" 2>&1 </dev/null
	rc=$?
	cleanup "$cmd" "$wrap" "$tmp"
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		echo TIMEOUT
	elif [ $rc != 0 ]; then
		echo "FAIL($rc)"
	elif grep -q '^not ok' "$log"; then
		echo FAIL
	else
		echo pass
	fi
}

# ---- main loop --------------------------------------------------------------
declare -A result
declare -A npass
for n in "${names[@]}"; do npass[$n]=0; done

w=0
for t in "${tests[@]}"; do [ ${#t} -gt $w ] && w=${#t}; done
[ $w -lt 5 ] && w=5

printf "%-${w}s" test
for n in "${names[@]}"; do printf "  %-12s" "$n"; done
echo
for t in "${tests[@]}"; do
	printf "%-${w}s" "$t"
	for i in "${!names[@]}"; do
		n=${names[$i]}
		if [ -z "${cmds[$i]}" ]; then
			r=n/a
		elif [ ! -x "$rt/validation/$t/$t.t" ]; then
			r=missing
		else
			r=$(run_one "$t" "${cmds[$i]}" "${wraps[$i]}" "$LOG_DIR/$n/$t.tap")
		fi
		result[$n/$t]=$r
		[ "$r" = pass ] && npass[$n]=$((npass[$n] + 1))
		printf "  %-12s" "$r"
	done
	echo
done

printf "%-${w}s" total
for i in "${!names[@]}"; do
	n=${names[$i]}
	if [ -z "${cmds[$i]}" ]; then
		printf "  %-12s" n/a
	else
		printf "  %-12s" "${npass[$n]}/${#tests[@]}"
	fi
done
echo
echo "TAP logs: $LOG_DIR/<runtime>/<test>.tap"

rc=0
if [ -n "${STRICT_RUNTIME:-}" ]; then
	for t in "${tests[@]}"; do
		[ "${result[$STRICT_RUNTIME/$t]:-}" = pass ] && continue
		for n in "${names[@]}"; do
			if [ "$n" != "$STRICT_RUNTIME" ] && [ "${result[$n/$t]}" = pass ]; then
				echo "regression: $STRICT_RUNTIME fails $t, $n passes it"
				rc=1
				break
			fi
		done
	done
fi
exit $rc
