#!/usr/bin/env bats
# Hooks: each kind runs at its point of the lifecycle with the state JSON on
# stdin; a failing or timed-out hook fails the operation and leaves nothing.

load helpers
load runtime-helpers

setup() {
	rt_setup
	H=$BATS_TEST_TMPDIR/hooks
	mkdir -p "$H"
}
teardown() { rt_teardown; }

# hook KIND DIR: a hook that saves its stdin in DIR/KIND.json and appends
# KIND to DIR/order. DIR is as the hook sees it: host hooks and
# createContainer (before pivot_root) see the host's paths, startContainer
# the container's.
hook() {
	printf '{"path": "/bin/sh", "args": ["sh", "-c", "cat >%s/%s.json; echo %s >>%s/order"]}' "$2" "$1" "$1" "$2"
}

@test "hooks: each kind runs at its point, in order" {
	cfg '.mounts += [{destination: "/hooks", type: "bind", source: $h, options: ["rbind"]}]
	     | .hooks = {prestart: ['"$(hook prestart "$H")"'],
			 createRuntime: ['"$(hook createRuntime "$H")"'],
			 createContainer: ['"$(hook createContainer "$H")"'],
			 startContainer: ['"$(hook startContainer /hooks)"'],
			 poststart: ['"$(hook poststart "$H")"'],
			 poststop: ['"$(hook poststop "$H")"']}' --arg h "$H"
	# the process sees what startContainer left: it ran before the exec
	set_args sh -c '[ -f /hooks/startContainer.json ] && echo after-start-hook >/hooks/process; exec sleep 600'
	rt create -b "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/ctr.out" 2>&1
	[ -f "$H/prestart.json" ]
	[ -f "$H/createRuntime.json" ]
	[ -f "$H/createContainer.json" ]
	[ ! -e "$H/startContainer.json" ]
	[ ! -e "$H/poststart.json" ]

	rt start "$CID"
	wait_for test -f "$H/poststart.json"
	[ -f "$H/startContainer.json" ]
	# the container-side hooks get the pid as the runtime sees it, not 1
	local pid
	pid=$(rt state "$CID" | jq -r .pid)
	[ "$(jq -r .pid "$H/createContainer.json")" = "$pid" ]
	[ "$(jq -r .pid "$H/startContainer.json")" = "$pid" ]
	[ "$(jq -r .id "$H/startContainer.json")" = "$CID" ]
	wait_for test -f "$H/process"
	[ "$(cat "$H/process")" = after-start-hook ]
	[ ! -e "$H/poststop.json" ]

	rt kill "$CID" KILL
	wait_for eval '[ "$(ctr_status)" = stopped ]'
	rt delete "$CID"
	[ -f "$H/poststop.json" ]

	cat "$H/order"
	# prestart and createRuntime both come before createContainer
	run cat "$H/order"
	[ "${#lines[@]}" -eq 6 ]
	[[ "${lines[0]} ${lines[1]}" == "prestart createRuntime" || "${lines[0]} ${lines[1]}" == "createRuntime prestart" ]]
	[ "${lines[2]}" = createContainer ]
	# startContainer runs in the init as start wakes it, poststart in start:
	# they race (in runc too)
	[[ "${lines[3]} ${lines[4]}" == "startContainer poststart" || "${lines[3]} ${lines[4]}" == "poststart startContainer" ]]
	[ "${lines[5]}" = poststop ]
}

@test "hooks: the state on stdin has the id, the init's pid, the bundle, and the status" {
	cfg '.hooks = {prestart: ['"$(hook prestart "$H")"'],
		       createRuntime: ['"$(hook createRuntime "$H")"'],
		       poststart: ['"$(hook poststart "$H")"'],
		       poststop: ['"$(hook poststop "$H")"']}'
	start_bg
	wait_for test -f "$H/poststart.json"
	local k
	for k in prestart createRuntime poststart; do
		cat "$H/$k.json"
		[ "$(jq -r .id "$H/$k.json")" = "$CID" ]
		[ "$(jq -r .pid "$H/$k.json")" = "$PID" ]
		[ "$(jq -r .bundle "$H/$k.json")" = "$BUNDLE" ]
		[ -n "$(jq -r .ociVersion "$H/$k.json")" ]
	done
	# "created" as crun reports it and runtime-tools (hooks_stdin) checks; runc says "creating"
	[ "$(jq -r .status "$H/createRuntime.json")" = created ]
	[ "$(jq -r .status "$H/poststart.json")" = running ]
	rt delete -f "$CID"
	cat "$H/poststop.json"
	[ "$(jq -r .id "$H/poststop.json")" = "$CID" ]
	[ "$(jq -r .status "$H/poststop.json")" = stopped ]
}

@test "hooks: args and env are the hook's own, not the runtime's" {
	cfg '.hooks.prestart = [{path: "/bin/sh", args: ["sh", "-c", "echo \"$0 $1 [$HOOKVAR] [${HOME-unset}]\" >$2", "zero", "one", $out], env: ["HOOKVAR=hv"]}]' \
		--arg out "$H/out"
	set_args true
	run rt run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$H/out")" = "zero one [hv] [unset]" ]
}

@test "hooks: a failing prestart hook fails create, names the hook, and leaves nothing" {
	cfg '.hooks.prestart = [{path: "/bin/sh", args: ["sh", "-c", "exit 3"]}]'
	set_args sleep 600
	expect_clean_failure prestart
	# the init it had made is gone too
	! pgrep -f "$CID" >/dev/null
}

@test "hooks: a prestart hook that is not there fails create cleanly" {
	cfg '.hooks.prestart = [{path: "/no/such/hook"}]'
	set_args sleep 600
	expect_clean_failure /no/such/hook
}

@test "hooks: a hook past its timeout is killed and fails create in time" {
	cfg '.hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", "20"], timeout: 1}]'
	set_args sleep 600
	SECONDS=0
	expect_clean_failure createRuntime
	[ "$SECONDS" -lt 8 ]
	[[ "$stderr" == *time* ]]
}

@test "hooks: a failing poststop hook does not stop delete" {
	cfg '.hooks.poststop = [{path: "/bin/sh", args: ["sh", "-c", "echo ran >'"$H"'/ps; exit 1"]}]'
	start_bg
	run rt delete -f "$CID"
	[ -f "$H/ps" ]
	[ ! -e "$STATE/$CID" ]
}
