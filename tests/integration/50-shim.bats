#!/usr/bin/env bats
# tug shim: started directly as the daemon will start it (docs/DAEMON.md):
# the report on fd 3, json-file logs and their rotation, the control socket
# (attach with stdcopy frames or a raw tty, resize, wait, state), exit.json,
# nothing left after the exit, a parent that dies, the error path, and
# `tug shim exec`.

load helpers
load runtime-helpers

SHIMC=$FIXTURES/shim-client

setup() {
	rt_setup
	need_feature SHIM
	SOCK=$BATS_TEST_TMPDIR/shim.sock
	LOG=$BUNDLE/$CID-json.log
	SHIM_PID=
}

teardown() {
	[ -n "${SHIM_PID:-}" ] && kill -9 "$SHIM_PID" 2>/dev/null
	rt_teardown
}

shimc() {
	timeout -k 5 30 "$PYTHON" "$SHIMC" "$@"
}

report_done() {
	[ -s "$BATS_TEST_TMPDIR/report" ] && [ "$(tail -c1 "$BATS_TEST_TMPDIR/report" | od -An -c | tr -d ' ')" = '\n' ]
}

# shim_start [SHIM OPTIONS...]: the shim in the background, from a subshell
# that exits at once (its parent is gone from the start); REPORT is its
# line, CPID the container's pid, SHIM_PID the shim's.
shim_start() {
	cfg_flush
	(setsid "$TUG" shim --id "$CID" --bundle "$BUNDLE" --runtime-root "$STATE" \
		--socket "$SOCK" "$@" 3>"$BATS_TEST_TMPDIR/report" </dev/null >/dev/null 2>&1 &)
	wait_for report_done
	REPORT=$(cat "$BATS_TEST_TMPDIR/report")
	echo "report: $REPORT"
	CPID=
	if [[ "$REPORT" =~ ^ok\ ([0-9]+)$ ]]; then
		CPID=${BASH_REMATCH[1]}
		SHIM_PID=$(ps -o ppid= -p "$CPID" | tr -d ' ')
	fi
}

shim_gone() {
	[ -z "$SHIM_PID" ] || ! kill -0 "$SHIM_PID" 2>/dev/null
}

# shim_sockets N: the shim holds N sockets (the listener and clients).
shim_sockets() {
	[ "$(ls -l "/proc/$SHIM_PID/fd" | grep -c 'socket:')" -eq "$1" ]
}

# no_shim: no shim of this test's container runs (when its pid is unknown).
no_shim() {
	! pgrep -f -- "shim --id $CID " >/dev/null
}

# wait_exit: until exit.json is there and the shim has gone.
wait_exit() {
	local i
	for ((i = 0; i < 150; i++)); do
		[ -f "$BUNDLE/exit.json" ] && shim_gone && return 0
		sleep 0.1
	done
	echo "the shim did not finish"
	return 1
}

# nothing_left: no runtime state, no cgroup, no socket, no shim.
nothing_left() {
	[ ! -e "$STATE/$CID" ] || { echo "state left: $(ls -la "$STATE/$CID")"; return 1; }
	! ls -d "$CGROOT"/*/tugtest-"$CID"* "$CGROOT"/tugtest-"$CID"* 2>/dev/null || {
		echo "cgroup left"
		return 1
	}
	[ ! -e "$SOCK" ] || { echo "socket left"; return 1; }
	shim_gone || { echo "shim $SHIM_PID still runs"; return 1; }
}

@test "shim: ok <pid>, stdout and stderr as json-file lines, exit.json, nothing left" {
	set_args sh -c 'echo out; echo err >&2; echo "<&>"; printf partial'
	shim_start
	[[ "$REPORT" =~ ^ok\ [0-9]+$ ]]
	wait_exit
	cat "$LOG"
	[ "$(wc -l <"$LOG")" -eq 4 ]
	# the two pipes are read in turn: order holds within a stream only
	[ "$(jq -j 'select(.stream == "stdout") | .log' "$LOG")" = $'out\n<&>\npartial' ]
	[ "$(jq -j 'select(.stream == "stderr") | .log' "$LOG")" = err ]
	# Go's escaping of HTML characters, and the 9-digit UTC time
	grep -q '"log":"\\u003c\\u0026\\u003e\\n"' "$LOG"
	[ "$(jq -r .time "$LOG" | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$')" -eq 4 ]
	[ "$(jq -c 'del(.FinishedAt)' "$BUNDLE/exit.json")" = '{"ExitCode":0,"Signal":0,"OOMKilled":false}' ]
	jq -r .FinishedAt "$BUNDLE/exit.json" | grep -qE '^[0-9-]{10}T[0-9:]{8}\.[0-9]{9}Z$'
	nothing_left
}

@test "shim: state and wait; a killed init gives 137 and its signal" {
	set_args sleep 300
	shim_start
	run shimc "$SOCK" request state
	[ "$output" = "running $CPID" ]
	shimc "$SOCK" request wait >"$BATS_TEST_TMPDIR/wait.out" &
	sleep 0.2
	rt kill "$CID" KILL
	wait
	[ "$(cat "$BATS_TEST_TMPDIR/wait.out")" = "exit 137 9" ]
	wait_exit
	[ "$(jq -c '[.ExitCode, .Signal]' "$BUNDLE/exit.json")" = "[137,9]" ]
	nothing_left
}

@test "shim: the log rotates at --log-max-size into .1 and .2, oldest highest" {
	set_args sh -c 'i=1; while [ $i -le 200 ]; do echo "line $i"; i=$((i+1)); done'
	shim_start --log-max-size 1000 --log-max-file 3
	wait_exit
	ls -la "$BUNDLE"
	[ -f "$LOG" ] && [ -f "$LOG.1" ] && [ -f "$LOG.2" ] && [ ! -e "$LOG.3" ]
	# rotation happens before the write that finds the file full: at most
	# one entry past the size
	for f in "$LOG.2" "$LOG.1"; do
		[ "$(stat -c %s "$f")" -ge 1000 ] && [ "$(stat -c %s "$f")" -lt 1100 ]
	done
	# oldest first, consecutive, ending with the last line
	got=$(cat "$LOG.2" "$LOG.1" "$LOG" | jq -j .log | sed 's/line //')
	echo "$got"
	first=$(echo "$got" | head -1)
	[ "$(echo "$got" | tail -1)" = 200 ]
	[ "$got" = "$(seq "$first" 200)" ]
	[ "$first" -gt 1 ]
}

@test "shim: lines past 16 KiB are cut, invalid UTF-8 becomes U+FFFD" {
	set_args sh -c 'head -c 20000 /dev/zero | tr "\0" x; echo; printf "a\377b\n"'
	shim_start
	wait_exit
	[ "$(jq -r '.log | length' "$LOG" | tr '\n' ' ')" = "16384 3617 4 " ]
	grep -q '"log":"a\\ufffdb\\n"' "$LOG"
}

@test "shim: --log-driver none writes no log" {
	set_args sh -c 'echo quiet'
	shim_start --log-driver none
	wait_exit
	[ ! -e "$LOG" ]
	nothing_left
}

@test "shim: attach gets stdcopy frames, its stdin reaches the container, its EOF closes it" {
	set_args sh -c 'echo ready; while read l; do echo "got $l"; echo "err $l" >&2; done; echo eof; exit 3'
	shim_start --stdin
	shimc "$SOCK" attach --stdin $'one\ntwo\n' >"$BATS_TEST_TMPDIR/a.out" 2>"$BATS_TEST_TMPDIR/a.err"
	cat "$BATS_TEST_TMPDIR/a.out" "$BATS_TEST_TMPDIR/a.err"
	[ "$(cat "$BATS_TEST_TMPDIR/a.out")" = $'got one\ngot two\neof' ]
	[ "$(cat "$BATS_TEST_TMPDIR/a.err")" = $'err one\nerr two' ]
	wait_exit
	[ "$(jq .ExitCode "$BUNDLE/exit.json")" = 3 ]
	# the log has it all, "ready" too (written before the attach)
	[ "$(jq -j .log "$LOG" | grep -c .)" -eq 6 ]
	nothing_left
}

@test "shim: with a tty the stream is raw, resize sets the window size" {
	cfg '.process.terminal = true'
	set_args sh -c 'read l; stty size; echo "line=$l"'
	shim_start --tty --stdin
	run shimc "$SOCK" request "resize 40 100"
	[ "$output" = ok ]
	run shimc "$SOCK" attach --raw --stdin $'hello\n' --hold 0.5
	echo "$output" | od -c
	[[ "$output" == *$'40 100\r'* ]]
	[[ "$output" == *$'line=hello\r'* ]]
	wait_exit
	# one stream with a tty
	[ "$(jq -r .stream "$LOG" | sort -u)" = stdout ]
	jq -j .log "$LOG" | grep -q 'line=hello'
	nothing_left
}

@test "shim: resize without a tty and unknown requests are errors" {
	set_args sleep 300
	shim_start
	run shimc "$SOCK" request "resize 10 10"
	[[ "$output" == "error "*tty* ]]
	run shimc "$SOCK" request "frobnicate"
	[ "$output" = "error unknown request" ]
	rt kill "$CID" KILL
	wait_exit
}

@test "shim: a client that does not read is dropped; the log does not stall" {
	set_args sh -c 'sleep 1; yes 0123456789 | head -n 100000; sleep 3; echo done'
	shim_start
	shimc "$SOCK" attach --no-read >/dev/null 2>&1 &
	local client=$!
	wait_for shim_sockets 2
	# once 64 KiB wait for it, the client goes: the listener is left
	wait_for shim_sockets 1
	wait_exit
	kill "$client" 2>/dev/null || :
	[ "$(tail -1 "$LOG" | jq -r .log)" = done ]
	[ "$(grep -c 0123456789 "$LOG")" -eq 100000 ]
	nothing_left
}

@test "shim: outlives its parent and ignores SIGHUP; answers the next daemon" {
	set_args sleep 300
	cfg_flush
	bash -c '"$1" shim --id "$2" --bundle "$3" --runtime-root "$4" --socket "$5" \
		3>"$6" </dev/null >/dev/null 2>&1 & wait' parent "$TUG" "$CID" "$BUNDLE" "$STATE" \
		"$SOCK" "$BATS_TEST_TMPDIR/report" &
	local parent=$!
	wait_for report_done
	CPID=$(sed -n 's/^ok //p' "$BATS_TEST_TMPDIR/report")
	SHIM_PID=$(ps -o ppid= -p "$CPID" | tr -d ' ')
	# the shim is in a session of its own
	[ "$(ps -o sid= -p "$SHIM_PID" | tr -d ' ')" = "$SHIM_PID" ]
	kill -9 "$parent"
	wait "$parent" || :
	kill -HUP "$SHIM_PID"
	sleep 0.3
	kill -0 "$SHIM_PID"
	run shimc "$SOCK" request state
	[ "$output" = "running $CPID" ]
	rt kill "$CID" KILL
	wait_exit
	[ "$(jq -c '[.ExitCode, .Signal]' "$BUNDLE/exit.json")" = "[137,9]" ]
	nothing_left
}

@test "shim: a bad bundle gives one error line and leaves nothing" {
	cfg '.root.path = "no-such-rootfs"'
	mkdir -p "$STATE"
	before=$(host_snapshot)
	shim_start
	[[ "$REPORT" == "error "*no-such-rootfs* ]]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/report")" -eq 1 ]
	wait_for no_shim
	[ "$before" = "$(host_snapshot)" ]
	[ ! -e "$SOCK" ] && [ ! -e "$LOG" ] && [ ! -e "$BUNDLE/exit.json" ]
	nothing_left
}

@test "shim: a missing program is an error line too" {
	set_args /no/such/program
	mkdir -p "$STATE"
	shim_start
	[[ "$REPORT" == "error "* ]]
	wait_for no_shim
	[ ! -e "$SOCK" ] && [ ! -e "$BUNDLE/exit.json" ]
	nothing_left
}

@test "shim: the monitor is small (VmRSS reported)" {
	set_args sleep 300
	shim_start
	sleep 0.3
	grep -E 'VmRSS|RssAnon|RssFile|RssShmem' "/proc/$SHIM_PID/status" | tr -s ' \t' ' ' >&3
	anon=$(awk '/^RssAnon/ {print $2}' "/proc/$SHIM_PID/status")
	shmem=$(awk '/^RssShmem/ {print $2}' "/proc/$SHIM_PID/status")
	# its own memory (the binary's pages are shared with every tug)
	[ "$anon" -le 256 ]
	# not running from a private copy of the binary any more
	[ "$shmem" -eq 0 ]
	rt kill "$CID" KILL
	wait_exit
}

@test "shim exec: stdio pumped as stdcopy, ok <pid> then exit <code>" {
	set_args sleep 300
	shim_start
	jq '.process | .args = ["sh", "-c", "echo out; echo err >&2; cat /proc/1/comm; exit 7"]' \
		"$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/proc.json"
	shimc exec-pair "$TUG" shim exec --id "$CID" --runtime-root "$STATE" \
		--process "$BATS_TEST_TMPDIR/proc.json" >"$BATS_TEST_TMPDIR/x.out" 2>"$BATS_TEST_TMPDIR/x.err"
	cat "$BATS_TEST_TMPDIR/x.out" "$BATS_TEST_TMPDIR/x.err"
	grep -qE '^report: ok [0-9]+;exit 7;$' "$BATS_TEST_TMPDIR/x.out"
	[ "$(head -2 "$BATS_TEST_TMPDIR/x.out")" = $'out\nsleep' ]
	[ "$(cat "$BATS_TEST_TMPDIR/x.err")" = err ]
	# a tty: raw, and the process has a terminal
	jq '.args = ["tty"]' "$BATS_TEST_TMPDIR/proc.json" >"$BATS_TEST_TMPDIR/tty.json"
	run shimc exec-pair "$TUG" shim exec --id "$CID" --runtime-root "$STATE" \
		--process "$BATS_TEST_TMPDIR/tty.json" --tty
	[[ "$output" == *$'/dev/pts/'* ]]
	[[ "$output" == *"exit 0;"* ]]
	# detached: no client, the exit is still reported
	run bash -c '"$1" shim exec --id "$2" --runtime-root "$3" --process "$4" --detach 4>&1' \
		x "$TUG" "$CID" "$STATE" "$BATS_TEST_TMPDIR/proc.json"
	[[ "$output" =~ ^ok\ [0-9]+$'\n'exit\ 7$ ]]
	# a container that is not there
	run bash -c '"$1" shim exec --id nosuch --runtime-root "$2" --process "$3" --detach 4>&1' \
		x "$TUG" "$STATE" "$BATS_TEST_TMPDIR/proc.json"
	[[ "$output" == "error "*nosuch* ]]
	# the container itself was not disturbed
	run shimc "$SOCK" request state
	[ "$output" = "running $CPID" ]
	rt kill "$CID" KILL
	wait_exit
}
