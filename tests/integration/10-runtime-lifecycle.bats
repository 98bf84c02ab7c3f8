#!/usr/bin/env bats
# The OCI runtime's lifecycle as containerd drives it: run in the
# foreground, create/start/state/kill/delete, list, --pid-file.

load helpers
load runtime-helpers

setup() { rt_setup; }
teardown() { rt_teardown; }

@test "run: the container's stdout reaches the caller, exit 0" {
	cfg '.hostname = "tug"'
	ctr_sh 'echo hello from $(hostname)'
	[ "$status" -eq 0 ]
	[ "$output" = "hello from tug" ]
}

@test "run: the exit code of the process is the runtime's (exit 42)" {
	ctr_sh 'exit 42'
	[ "$status" -eq 42 ]
}

@test "run: a process killed by a signal gives 128+n" {
	# pid 1 of a pid namespace cannot be killed from inside: share ours
	cfg 'del(.linux.namespaces[] | select(.type == "pid"))'
	ctr_sh 'kill -KILL $$'
	[ "$status" -eq 137 ]
	ctr_sh 'kill -SEGV $$'
	[ "$status" -eq 139 ]
}

@test "run without --keep deletes the container after it exits" {
	ctr_sh 'true'
	[ "$status" -eq 0 ]
	[ ! -e "$STATE/$CID" ]
	run rt state "$CID"
	[ "$status" -ne 0 ]
}

@test "create/start/kill/delete: the states in order, and delete removes the state folder" {
	set_args sh -c 'echo started >/tmp/started; exec sleep 600'
	rt create -b "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/ctr.out" 2>&1
	run rt state "$CID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r .id <<<"$output")" = "$CID" ]
	[ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
	[ -n "$(jq -r .ociVersion <<<"$output")" ]
	local pid
	pid=$(jq -r .pid <<<"$output")
	[ "$pid" -gt 1 ]
	[ -d "/proc/$pid" ]
	# created: the init waits before exec; the user's process has not run.
	[ ! -e "$ROOTFS/tmp/started" ]
	[ -d "$STATE/$CID" ]

	rt start "$CID"
	[ "$(ctr_status)" = running ]
	wait_for test -e "$ROOTFS/tmp/started"
	# the same pid, now running sleep
	[ "$(rt state "$CID" | jq -r .pid)" = "$pid" ]
	[ "$(cat /proc/$pid/comm)" = sleep ]

	rt kill "$CID" KILL
	wait_for eval '[ "$(ctr_status)" = stopped ]'
	[ "$(ctr_status)" = stopped ]

	rt delete "$CID"
	[ ! -e "$STATE/$CID" ]
	run rt state "$CID"
	[ "$status" -ne 0 ]
}

@test "kill with the default signal (TERM) reaches a process that traps it" {
	start_bg sh -c 'trap "echo got TERM; exit 3" TERM; while :; do sleep 0.1; done'
	rt kill "$CID"
	wait_for eval '[ "$(ctr_status)" = stopped ]'
	[ "$(ctr_status)" = stopped ]
	grep -q "got TERM" "$BATS_TEST_TMPDIR/ctr.out"
}

@test "start on a running container fails" {
	start_bg
	run rt start "$CID"
	[ "$status" -ne 0 ]
	[ "$(ctr_status)" = running ]
}

@test "delete without -f refuses a running container; delete -f kills it" {
	start_bg
	run rt delete "$CID"
	[ "$status" -ne 0 ]
	[ "$(ctr_status)" = running ]
	rt delete -f "$CID"
	[ ! -e "$STATE/$CID" ]
	wait_for eval '[ ! -d /proc/$PID ] || grep -q "^State:.*Z" /proc/$PID/status'
}

@test "list: a table with a header and one line per container" {
	start_bg
	run rt list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == ID*PID*STATUS*BUNDLE*CREATED*OWNER* ]]
	[ "${#lines[@]}" -eq 2 ]
	read -r id pid status bundle _ <<<"${lines[1]}"
	[ "$id" = "$CID" ]
	[ "$pid" = "$PID" ]
	[ "$status" = running ]
	[ "$bundle" = "$BUNDLE" ]
}

@test "list --format json: an array of states" {
	start_bg
	run rt list --format json
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 1 ]
	[ "$(jq -r '.[0].id' <<<"$output")" = "$CID" ]
	[ "$(jq -r '.[0].pid' <<<"$output")" = "$PID" ]
	[ "$(jq -r '.[0].status' <<<"$output")" = running ]
	[ "$(jq -r '.[0].bundle' <<<"$output")" = "$BUNDLE" ]
	run rt list -q
	[ "$output" = "$CID" ]
}

@test "list on an empty (or missing) state folder: only the header / []" {
	run rt list --format json
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 0 ]
}

@test "--pid-file: the init's host pid, written by create" {
	set_args sleep 600
	rt create --pid-file "$BATS_TEST_TMPDIR/pid" -b "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/ctr.out" 2>&1
	[ -s "$BATS_TEST_TMPDIR/pid" ]
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[ "$pid" = "$(rt state "$CID" | jq -r .pid)" ]
	[ -d "/proc/$pid" ]
	# the pid is in the container's pid namespace, not ours
	[ "$(readlink /proc/$pid/ns/pid)" != "$(readlink /proc/self/ns/pid)" ]
}

@test "state of a container that does not exist: non-zero, names the id" {
	run --separate-stderr rt state nosuch-$CID
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"nosuch-$CID"* ]]
}

@test "start after the created init was killed fails at once (no hang), and delete cleans up" {
	set_args sleep 600
	rt create -b "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/ctr.out" 2>&1
	ctr_state
	kill -9 "$STATE_PID"
	wait_for eval '[ "$(ctr_status)" = stopped ]'
	SECONDS=0
	run rt start "$CID"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ]
	[ "$SECONDS" -lt 5 ]
	rt delete "$CID"
	[ ! -e "$STATE/$CID" ]
	[ ! -d "$CGROOT/pids$CGPATH" ]
}

@test "delete -f of a created container: the waiting init is killed, state and cgroup removed" {
	set_args sleep 600
	rt create -b "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/ctr.out" 2>&1
	ctr_state
	local pid=$STATE_PID
	[ "$STATE_STATUS" = created ]
	rt delete -f "$CID"
	wait_for eval '[ ! -d /proc/$pid ] || grep -q "^State:.*Z" /proc/$pid/status'
	[ ! -e "$STATE/$CID" ]
	[ ! -d "$CGROOT/pids$CGPATH" ]
	[ ! -d "$CGROOT/memory$CGPATH" ]
}
