#!/usr/bin/env bats
# Crash of the daemon in the middle of image work: SIGKILL while 5
# containers log and a big image is being pulled (or loaded, or removed).
# After a restart the containers still run with whole logs, the image is
# either absent or complete and runnable, nothing is left in the store's
# tmp/ nor mounted beyond what the containers use, the store passes
# `tug system check`, and the same work done again succeeds. PEER=dockerd
# runs the same (without the system check) to prove the expectations.

load helpers
load registry-helpers
load daemon-helpers

BIG_LAYERS=4
BIG_MB=8

setup_file() {
	export DAEMON_LIVE_RESTORE=1
	daemon_start && daemon_registry plain && daemon_image || return 1
	[ -z "${DAEMON_SKIP:-}" ] || return 0
	local big
	big=$(reg_big $BIG_LAYERS $BIG_MB) || return 1
	daemon_push "${big##*/}" tug-test/big:1 || return 1
	export BIG=$REGISTRY_ADDR/tug-test/big:1
	skopeo --insecure-policy copy -q "oci:$big:latest" \
		"docker-archive:$BATS_FILE_TMPDIR/big.tar:big:loaded" || return 1
	# The big layers hold only data: this busybox runs in the image.
	mkdir -p "$BATS_FILE_TMPDIR/bb"
	cp /bin/busybox "$BATS_FILE_TMPDIR/bb/"
}

teardown_file() {
	daemon_stop
}

setup() {
	daemon_need
	# The daemon a previous test restarted: its pid is not in our environment.
	if [ "$PEER" = tug ]; then
		DAEMON_PID=$(cat "$DAEMON_DIR/run/tug.pid")
	else
		DAEMON_PID=$(cat "$DAEMON_DIR/d.pid")
	fi
	ROOT=$DAEMON_DIR/root
	W=$BATS_TEST_TMPDIR
	# crash_when waits with `read -t` on this FIFO: no sleep to fork.
	mkfifo "$W/tick"
	exec 9<>"$W/tick"
	for i in 1 2 3 4 5; do counter "c$i"; done
	MOUNTS_BEFORE=$(mounts)
}

teardown() {
	exec 9>&-
	[ -n "${DAEMON_DIR:-}" ] || return 0
	daemon_ping || daemon_start "$DAEMON_DIR" || :
	daemon_rm_all
	"$DOCKER" rmi -f "$BIG" big:loaded >/dev/null 2>&1 || :
	[ "$PEER" != tug ] || [ -z "$(ls -A "$ROOT/tmp" 2>/dev/null)" ] || :
}

# counter NAME: a container that logs n0, n1, ... every 50 ms.
counter() {
	"$DOCKER" run -d --name "$1" "$BOX" \
		sh -c 'i=0; while true; do echo n$i; i=$((i+1)); sleep 0.05; done' >/dev/null
}

# gaps NAME: the numbers its log is missing (empty when the log is whole).
gaps() {
	"$DOCKER" logs "$1" | sed 's/^n//' |
		awk 'NR > 1 && $1 != prev + 1 { print prev "->" $1 } { prev = $1 }'
}

# mounts: the mount points under the data root, sorted.
mounts() {
	awk -v d="$DAEMON_DIR/root/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort
}

# tmp_busy: the store's tmp/ holds something (a blob or layer in the works).
tmp_busy() {
	[ -n "$(ls -A "$ROOT/tmp" 2>/dev/null)" ]
}

# now_ms: a clock in milliseconds (bash's own, no fork).
now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((10#$t / 1000))
}

# crash_when DELAY_MS: waits until tmp/ holds work in progress (20 s at most),
# then DELAY_MS more, then SIGKILLs the daemon and waits until it is gone.
crash_when() {
	local i
	for ((i = 0; i < 2000; i++)); do
		tmp_busy && break
		read -r -t 0.01 -u 9 _ || :
	done
	[ "$1" -eq 0 ] || read -r -t "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))" -u 9 _ || :
	kill_daemon
}

# kill_daemon: SIGKILL the daemon, wait until it is gone. dockerd's own
# containerd is killed with it (a containerd left without its dockerd stops
# answering; a new dockerd waits for it in vain): its shims keep the
# containers, the next containerd finds them again.
kill_daemon() {
	local i ctd=$DAEMON_DIR/run/containerd/containerd.pid pid=
	[ "$PEER" != dockerd ] || [ ! -s "$ctd" ] || pid=$(cat "$ctd")
	kill -9 "$DAEMON_PID" $pid
	# containerd gone even as a zombie: dockerd's kill -0 would find it
	for ((i = 0; i < 200; i++)); do
		fx_alive "$DAEMON_PID" || { [ -n "$pid" ] && [ -e "/proc/$pid" ]; } || return 0
		sleep 0.05
	done
	echo "the daemon did not die"
	return 1
}

# big_runs REF: the image runs (with the host's busybox bound in: the big
# layers hold only data) and every layer's file is there whole.
big_runs() {
	local want=$((BIG_MB << 20)) out
	out=$("$DOCKER" run --rm -v "$BATS_FILE_TMPDIR/bb:/bb:ro" "$1" /bb/busybox sh -c \
		'for f in /big/*; do /bb/busybox wc -c <$f; done') || {
		echo "$1 does not run: $out"
		return 1
	}
	[ "$(grep -cx "$want" <<<"$out")" -eq "$BIG_LAYERS" ] || {
		echo "$1: layer files: $out"
		return 1
	}
}

# image_absent_or_whole REF: after a crash, REF is not there, or is whole.
image_absent_or_whole() {
	if "$DOCKER" image inspect "$1" >/dev/null 2>&1; then
		big_runs "$1"
		echo complete
	else
		run api GET "/images/$1/json"
		[ "$(tail -n1 <<<"$output")" = 404 ] || {
			echo "inspect of $1 failed but not with 404: $output"
			return 1
		}
		echo absent
	fi
}

# chains: the chain ids (hex) of the layers of every image, sorted: what
# tug's layers/ must hold, no more (the image spec's ChainID).
chains() {
	local id d chain
	for id in $("$DOCKER" images -qa --no-trunc | sort -u); do
		chain=
		for d in $("$DOCKER" image inspect -f '{{range .RootFS.Layers}}{{.}} {{end}}' "$id"); do
			if [ -z "$chain" ]; then
				chain=$d
			else
				chain=sha256:$(printf '%s %s' "$chain" "$d" | sha256sum | cut -c1-64)
			fi
			echo "${chain#sha256:}"
		done
	done | sort -u
}

# after_crash: the daemon comes back; the containers run on with whole logs,
# tmp/ is empty, nothing more is mounted than before the crash.
after_crash() {
	local i out
	daemon_start "$DAEMON_DIR" || return 1
	out=$("$DOCKER" ps --format '{{.Names}} {{.State}}')
	[ "$(grep -c ' running$' <<<"$out")" -eq 5 ] || {
		echo "not 5 running after the restart: $out"
		return 1
	}
	for i in 1 2 3 4 5; do
		out=$(gaps "c$i")
		[ -z "$out" ] || {
			echo "c$i's log has gaps: $out"
			return 1
		}
	done
	if tmp_busy; then
		echo "tmp/ after the restart: $(ls -A "$ROOT/tmp")"
		return 1
	fi
	# tug: what the killed work had committed is gone too, unless its
	# image was complete
	if [ "$PEER" = tug ] && [ "$(chains)" != "$(ls "$ROOT/layers" | sort)" ]; then
		echo "layers/ holds layers no image uses: $(ls "$ROOT/layers")"
		echo "the images' layers: $(chains)"
		return 1
	fi
	out=$(mounts)
	[ "$out" = "$MOUNTS_BEFORE" ] || {
		echo "mounts under the data root differ; before:"
		echo "$MOUNTS_BEFORE"
		echo "after:"
		echo "$out"
		return 1
	}
}

# store_check: tug's `system check` on the data root, with the daemon stopped
# (it holds the store's lock); live-restore keeps the containers meanwhile.
store_check() {
	[ "$PEER" = tug ] || return 0
	local out rc=0
	kill "$DAEMON_PID"
	wait_for 10 eval '! fx_alive "$DAEMON_PID"'
	out=$(timeout 20 "$TUG" --data-root "$ROOT" system check 2>&1) || rc=$?
	daemon_start "$DAEMON_DIR" || return 1
	if [ "$rc" -ne 0 ] || [[ "$(tail -n1 <<<"$out")" != ok:* ]]; then
		echo "system check (status $rc): $out"
		return 1
	fi
	if grep -q '^note:' <<<"$out"; then
		echo "system check notes leftovers: $out"
		return 1
	fi
}

# still_whole: 5 containers run, their logs go on.
still_whole() {
	local n
	n=$("$DOCKER" logs c1 | wc -l)
	sleep 0.3
	[ "$("$DOCKER" logs c1 | wc -l)" -gt "$n" ]
	[ "$("$DOCKER" ps -q | wc -l)" -eq 5 ]
}

@test "SIGKILL mid-pull with 5 containers logging: 3 kill points; discarded or complete, pull again works" {
	local delay st mid=0 t0 full
	# A whole pull, timed: the kills land at 0, 25 and 50 % of it.
	t0=$(now_ms)
	"$DOCKER" pull -q "$BIG" >/dev/null
	full=$(($(now_ms) - t0))
	"$DOCKER" rmi "$BIG" >/dev/null
	echo "# a whole pull takes $full ms" >&3
	for delay in 0 $((full / 4)) $((full / 2)); do
		"$DOCKER" pull "$BIG" >"$W/pull.out" 2>&1 &
		crash_when "$delay"
		wait $! && st=0 || st=$?
		grep -q '^Status: Downloaded' "$W/pull.out" || mid=$((mid + 1))
		after_crash
		st=$(image_absent_or_whole "$BIG")
		echo "# kill $delay ms after tmp/ filled: image $st after the restart" >&3
		store_check
		run "$DOCKER" pull "$BIG"
		[ "$status" -eq 0 ]
		big_runs "$BIG"
		"$DOCKER" rmi "$BIG" >/dev/null
	done
	still_whole
	echo "# $mid of 3 kills landed before the pull was done" >&3
	[ "$mid" -ge 2 ]
}

# timed_ms CMD...: runs CMD (must succeed, output dropped), prints its ms.
timed_ms() {
	local t0
	t0=$(now_ms)
	"$@" >/dev/null 2>&1 || return 1
	echo $(($(now_ms) - t0))
}

# crash_during WHEN DELAY_MS REF CMD...: CMD (the docker CLI) in the
# background; WHEN tmp: once tmp/ holds work, else at once; then DELAY_MS
# more, then the daemon is SIGKILLed. After the restart (after_crash, the
# store check) REF is absent or whole. Sets CRASH to "mid" when CMD had not
# finished when the daemon died, else "done", and REF's state (not printed:
# a $(...) subshell would lose the new DAEMON_PID).
crash_during() {
	local when=$1 delay=$2 ref=$3 pid st state
	shift 3
	"$@" >"$W/cmd.out" 2>&1 &
	pid=$!
	if [ "$when" = tmp ]; then
		crash_when "$delay" || return 1
	else
		[ "$delay" -eq 0 ] ||
			read -r -t "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))" -u 9 _ || :
		kill_daemon || return 1
	fi
	wait "$pid" && st=done || st=mid
	after_crash || return 1
	state=$(image_absent_or_whole "$ref") || {
		echo "$state"
		return 1
	}
	store_check || return 1
	CRASH="$st $state"
}

@test "SIGKILL mid-load (POST /images/load) with 5 containers logging: discarded or complete, load again works" {
	local delay full mid=0
	full=$(timed_ms "$DOCKER" load -i "$BATS_FILE_TMPDIR/big.tar")
	"$DOCKER" rmi big:loaded >/dev/null
	echo "# a whole load takes $full ms" >&3
	for delay in 0 $((full / 4)) $((full / 2)); do
		crash_during tmp "$delay" big:loaded "$DOCKER" load -i "$BATS_FILE_TMPDIR/big.tar"
		echo "# kill $delay ms after tmp/ filled: $CRASH" >&3
		[ "${CRASH%% *}" = done ] || mid=$((mid + 1))
		run "$DOCKER" load -i "$BATS_FILE_TMPDIR/big.tar"
		[ "$status" -eq 0 ]
		big_runs big:loaded
		"$DOCKER" rmi big:loaded >/dev/null
	done
	still_whole
	echo "# $mid of 3 kills landed before the load was done" >&3
	[ "$mid" -ge 2 ]
}

@test "SIGKILL during rmi of a big image with 5 containers logging: absent or whole, pull again works" {
	local delay full
	"$DOCKER" pull -q "$BIG" >/dev/null
	full=$(timed_ms "$DOCKER" rmi "$BIG")
	echo "# a whole rmi takes $full ms" >&3
	for delay in 0 $((full / 4)) $((full / 2)); do
		"$DOCKER" pull -q "$BIG" >/dev/null
		crash_during now "$delay" "$BIG" "$DOCKER" rmi "$BIG"
		echo "# kill $delay ms into the rmi: $CRASH" >&3
		run "$DOCKER" pull "$BIG"
		[ "$status" -eq 0 ]
		big_runs "$BIG"
	done
	"$DOCKER" rmi "$BIG" >/dev/null
	still_whole
}
