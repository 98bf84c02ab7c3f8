#!/usr/bin/env bats
# Crash torture: tug is killed with SIGKILL at many points of a pull (and of
# rmi and prune); after each kill the store must pass `system check` and the
# same command run again must succeed. The kill points spread from 0 to the
# measured length of a full run, with jitter; TAP diagnostics count them.

load helpers
load registry-helpers
load image-helpers

BIG_LAYERS=4
BIG_MB=8

setup_file() {
	img_registry plain
	[ -n "${REGISTRY_ADDR:-}" ] || return 0
	local big
	big=$(reg_big $BIG_LAYERS $BIG_MB) || return 1
	reg_push "$big" tug-test/big:latest
}

teardown_file() {
	reg_stop
}

setup() {
	img_setup
	need_cmd timeout
	# kill_at waits with `read -t` on this FIFO: no sleep process to fork,
	# whose start-up would be longer than an rmi.
	mkfifo "$BATS_TEST_TMPDIR/tick"
	exec 9<>"$BATS_TEST_TMPDIR/tick"
}

teardown() {
	exec 9>&-
}

# now_us: a clock in microseconds (bash's own, no fork).
now_us() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((10#$t))
}

# timed_ms CMD...: runs CMD (must succeed) and prints how long it took.
timed_ms() {
	local t0=${EPOCHREALTIME/[.,]/} t1
	"$@" >/dev/null || return 1
	t1=${EPOCHREALTIME/[.,]/}
	echo $(((10#$t1 - 10#$t0) / 1000))
}

# kill_at MS CMD...: starts CMD (tug on $D) in the background, SIGKILLs it
# after MS milliseconds; prints "killed" or "finished" (it ended first).
kill_at() {
	local ms=$1 pid st
	shift
	"$TUG" --data-root "$D" "$@" >/dev/null 2>&1 &
	pid=$!
	[ "$ms" -eq 0 ] || read -r -t "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))" -u 9 _ || :
	# kill succeeds on a zombie too: the exit status tells who ended it.
	if kill -9 "$pid" 2>/dev/null; then
		wait "$pid" && st=0 || st=$?
		[ "$st" -eq 137 ] && echo killed || echo finished
	else
		wait "$pid" || :
		echo finished
	fi
}

# check_after WHAT: the store is consistent after a kill (the check is
# bounded in time: a child of the killed tug holding the lock would hang it).
# What the killed command left in tmp/ is only a note (the next writer
# empties tmp/); LEFTOVER_KILLS counts the kills that left something there.
LEFTOVER_KILLS=0
check_after() {
	local out rc=0
	out=$(timeout 60 "$TUG" --data-root "$D" system check 2>&1) || rc=$?
	if [ "$rc" -ne 0 ] || [[ "$(tail -n1 <<<"$out")" != ok:* ]]; then
		echo "after $1: system check (status $rc): $out"
		return 1
	fi
	if grep -q '^note: tmp/' <<<"$out"; then
		LEFTOVER_KILLS=$((LEFTOVER_KILLS + 1))
	fi
}

# torture NAME N: N kills of `pull NAME`, each in a fresh data root, at
# points spread over the measured pull time; after each, check and re-pull.
torture() {
	local name=$1 n=$2 full kx ms killed=0 finished=0 r
	D=$BATS_TEST_TMPDIR/measure
	full=$(timed_ms tugd pull -q "$(ref "$name")")
	echo "# $name: a full pull takes ${full} ms" >&3
	for ((kx = 0; kx < n; kx++)); do
		D=$BATS_TEST_TMPDIR/r$kx
		# Spread over 0 .. 100% of the full time, jittered by up to a step.
		ms=$((full * kx / n + RANDOM % (full / n + 1)))
		r=$(kill_at "$ms" pull -q "$(ref "$name")")
		[ "$r" = killed ] && killed=$((killed + 1)) || finished=$((finished + 1))
		check_after "kill of pull $name at $ms ms" || return 1
		run --separate-stderr timeout 120 "$TUG" --data-root "$D" pull -q "$(ref "$name")"
		if [ "$status" -ne 0 ] || [ "$output" != "$(ref "$name")" ]; then
			echo "re-pull after a kill at $ms ms: status $status: $output $stderr"
			return 1
		fi
		store_ok || return 1
		[ "$(tugd images -q | wc -l)" -eq 1 ] || return 1
		rm -rf "$D"
	done
	echo "# $name: $n runs, $killed killed mid-pull, $finished finished first, $LEFTOVER_KILLS left tmp/ entries" >&3
	[ "$killed" -ge $((n / 2)) ]
}

@test "crash: SIGKILL at 30 points of a pull of multi" {
	torture multi 30
}

@test "crash: SIGKILL at 20 points of a pull of big ($BIG_LAYERS x $BIG_MB MB)" {
	torture big 20
	# One complete big pull: every layer there, the image as the config says.
	D=$BATS_TEST_TMPDIR/final
	tugd pull -q "$(ref big)" >/dev/null
	run tugd image inspect "$(ref big)"
	[ "$(jq '.[0].RootFS.Layers | length' <<<"$output")" -eq $BIG_LAYERS ]
	[ "$(jq '.[0].Size' <<<"$output")" -ge $((BIG_LAYERS * BIG_MB * 1048576)) ]
}

@test "crash: SIGKILL in a pull that resumes an interrupted one, repeatedly" {
	# The same data root each time: every pull starts from what the killed
	# one left, so kills land in the later layers too.
	local full kx ms r killed=0
	D=$BATS_TEST_TMPDIR/measure
	full=$(timed_ms tugd pull -q "$(ref big)")
	D=$BATS_TEST_TMPDIR/resume
	for ((kx = 0; kx < 12; kx++)); do
		ms=$((full / 8 + RANDOM % (full / 4 + 1)))
		r=$(kill_at "$ms" pull -q "$(ref big)")
		[ "$r" = killed ] && killed=$((killed + 1))
		check_after "kill $kx of a resumed pull at $ms ms"
	done
	echo "# resume: 12 runs, $killed killed, $LEFTOVER_KILLS left tmp/ entries" >&3
	run --separate-stderr tugd pull "$(ref big)"
	[ "$status" -eq 0 ]
	store_ok
}

@test "crash: SIGKILL during rmi and image prune" {
	local kx ms r killed=0 full_rmi t
	tugd pull -q "$(ref single)" >/dev/null
	# The shortest of three: the first is slower (cold caches).
	full_rmi=1000000
	for kx in 1 2 3; do
		tugd pull -q "$(ref multi)" >/dev/null
		t=$(timed_ms tugd rmi "$(ref multi)")
		[ "$t" -ge "$full_rmi" ] || full_rmi=$t
	done
	echo "# rmi of multi takes ${full_rmi} ms" >&3
	for ((kx = 0; kx < 16; kx++)); do
		tugd pull -q "$(ref multi)" >/dev/null
		# Over the first half: the measure counts the forks around tug too.
		ms=$((full_rmi * kx / 32 + RANDOM % (full_rmi / 32 + 1)))
		if [ $((kx % 4)) -eq 3 ]; then
			tugd tag "$(ref single)" keep/single:1
			tugd rmi "$(ref single)" >/dev/null
			r=$(kill_at "$ms" image prune -a -f)
		else
			r=$(kill_at "$ms" rmi "$(ref multi)")
		fi
		[ "$r" = killed ] && killed=$((killed + 1))
		check_after "kill $kx of rmi/prune at $ms ms"
		# Whatever the kill left, the images come back and are whole.
		run --separate-stderr tugd pull -q "$(ref multi)"
		[ "$status" -eq 0 ]
		run --separate-stderr tugd pull -q "$(ref single)"
		[ "$status" -eq 0 ]
		store_ok
	done
	echo "# rmi/prune: 16 runs, $killed killed, $LEFTOVER_KILLS left tmp/ entries" >&3
	run tugd pull "$(ref single)"
	has_line "Status: Image is up to date for $(ref single)"
}

@test "crash: right after a kill -9 mid-pull, system check notes tmp/ and passes; the next pull empties it" {
	local full ms r
	D=$BATS_TEST_TMPDIR/measure
	full=$(timed_ms tugd pull -q "$(ref big)")
	D=$BATS_TEST_TMPDIR/kx
	ms=$((full / 3))
	r=$(kill_at "$ms" pull -q "$(ref big)")
	[ "$r" = killed ] || skip "the pull finished before the kill at $ms ms"
	run --separate-stderr timeout 60 "$TUG" --data-root "$D" system check
	[ "$status" -eq 0 ]
	[[ "$(last_line)" == ok:* ]]
	if [ -n "$(ls -A "$D/tmp")" ]; then
		has_match "^note: tmp/"
	fi
	# Not listed: the image was not complete.
	no_images
	run --separate-stderr tugd pull -q "$(ref big)"
	[ "$status" -eq 0 ]
	store_ok
}

@test "crash: what a kill while writing an image record leaves is a note, not a problem" {
	# file_atomic's temp name in images/, as a SIGKILL between its write and
	# its rename leaves it (seen by the torture above); the next writer
	# removes it, so system check must not call it damage.
	tugd pull -q "$(ref single)" >/dev/null
	local hex
	hex=$(img_manifest single | jq -r .config.digest | cut -c8-)
	cp "$D/images/$hex.json" "$D/images/.$hex.json.tmp.4242.1"
	cp "$D/refs.json" "$D/.refs.json.tmp.4242.2"
	run --separate-stderr tugd system check
	sed "s/^/# /" <<<"$output
$stderr" >&3
	[ "$status" -eq 0 ]
	[[ "$(last_line)" == ok:* ]]
	# The next writer discards both.
	tugd tag "$(ref single)" mine/app:v1
	[ ! -e "$D/images/.$hex.json.tmp.4242.1" ]
	[ ! -e "$D/.refs.json.tmp.4242.2" ]
	store_ok
}
