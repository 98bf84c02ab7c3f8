#!/usr/bin/env bats
# config.json's process: args, env, cwd, user, umask, rlimits, capabilities,
# noNewPrivileges, oomScoreAdj, terminal. Each checked from inside.

load helpers
load runtime-helpers

setup() { rt_setup; }
teardown() { rt_teardown; }

@test "process: args (with \$0 and an argument that looks like an option), env and cwd" {
	cfg '.process.env += ["FOO=bar baz", "EMPTY="] | .process.cwd = "/home/user"'
	run_ctr sh -c 'echo "0=$0 1=$1"; echo "FOO=$FOO"; echo "EMPTY=${EMPTY-unset}"; pwd' zero -c
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0=zero 1=-c" ]
	[ "${lines[1]}" = "FOO=bar baz" ]
	[ "${lines[2]}" = "EMPTY=" ]
	[ "${lines[3]}" = /home/user ]
}

@test "process: a cwd that does not exist in the rootfs is created" {
	cfg '.process.cwd = "/new/work/dir"'
	run_ctr pwd
	[ "$status" -eq 0 ]
	[ "$output" = /new/work/dir ]
}

@test "process: the program is looked up in the spec's PATH" {
	mkdir -p "$ROOTFS/opt/tools"
	printf '#!/bin/sh\necho custom tool\n' >"$ROOTFS/opt/tools/mytool"
	chmod +x "$ROOTFS/opt/tools/mytool"
	cfg '.process.env = ["PATH=/opt/tools:/bin"]'
	run_ctr mytool
	[ "$status" -eq 0 ]
	[ "$output" = "custom tool" ]
}

@test "process.user: uid, gid and additionalGids, exactly" {
	cfg '.process.user = {uid: 1000, gid: 1000, additionalGids: [1001, 5]}'
	ctr_sh 'grep -E "^(Uid|Gid|Groups):" /proc/self/status; id -un'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^Uid:[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$ ]]
	[[ "${lines[1]}" =~ ^Gid:[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$ ]]
	# the kernel sorts the list; only the additional gids, nothing of ours
	[[ "${lines[2]}" =~ ^Groups:[[:space:]]+5[[:space:]]1001[[:space:]]*$ ]]
	[ "${lines[3]}" = user ]
}

@test "process.user: no additionalGids means no supplementary groups" {
	cfg '.process.user = {uid: 0, gid: 0}'
	ctr_sh 'grep "^Groups:" /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^Groups:[[:space:]]*$ ]]
}

@test "process.user.umask" {
	cfg '.process.user.umask = 23'
	ctr_sh 'umask; touch /tmp/f; stat -c %a /tmp/f'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0027 ]
	[ "${lines[1]}" = 640 ]
}

@test "process.rlimits: NOFILE and NPROC soft/hard as ulimit shows them" {
	cfg '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 321, hard: 654},
				 {type: "RLIMIT_NPROC", soft: 111, hard: 222}]'
	ctr_sh 'ulimit -n; ulimit -Hn; ulimit -u; ulimit -Hu'
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "321 654 111 222" ]
}

@test "process.capabilities: root gets its bounding set, nothing ambient" {
	cfg '.process.capabilities = {
		bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
		effective: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
		permitted: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"]}'
	ctr_sh 'grep ^Cap /proc/self/status'
	[ "$status" -eq 0 ]
	local m
	m=$(caps_mask CAP_CHOWN CAP_KILL CAP_NET_RAW)
	[[ "$output" == *"CapEff:	$m"* ]]
	[[ "$output" == *"CapPrm:	$m"* ]]
	[[ "$output" == *"CapBnd:	$m"* ]]
	[[ "$output" == *"CapAmb:	0000000000000000"* ]]
	[[ "$output" == *"CapInh:	0000000000000000"* ]]
}

@test "process.capabilities: a non-root user keeps its ambient set across exec" {
	cfg '.process.user = {uid: 1000, gid: 1000}
	     | .process.capabilities = {
		bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_SETUID"],
		effective: ["CAP_KILL", "CAP_NET_RAW"],
		permitted: ["CAP_KILL", "CAP_NET_RAW"],
		inheritable: ["CAP_KILL", "CAP_NET_RAW"],
		ambient: ["CAP_KILL", "CAP_NET_RAW"]}'
	ctr_sh 'grep ^Cap /proc/self/status'
	[ "$status" -eq 0 ]
	local m b
	m=$(caps_mask CAP_KILL CAP_NET_RAW)
	b=$(caps_mask CAP_CHOWN CAP_KILL CAP_NET_RAW CAP_SETUID)
	[[ "$output" == *"CapInh:	$m"* ]]
	[[ "$output" == *"CapPrm:	$m"* ]]
	[[ "$output" == *"CapEff:	$m"* ]]
	[[ "$output" == *"CapBnd:	$b"* ]]
	[[ "$output" == *"CapAmb:	$m"* ]]
}

@test "process.capabilities: a capability not given is really gone (chown fails)" {
	cfg '.process.capabilities = {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]}'
	ctr_sh 'touch /tmp/f; chown 1000 /tmp/f'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "process.noNewPrivileges: NoNewPrivs is 1 when set, 0 when not" {
	cfg '.process.noNewPrivileges = true'
	ctr_sh 'grep ^NoNewPrivs: /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^NoNewPrivs:[[:space:]]+1$ ]]
	cfg '.process.noNewPrivileges = false'
	ctr_sh 'grep ^NoNewPrivs: /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^NoNewPrivs:[[:space:]]+0$ ]]
}

@test "process.oomScoreAdj" {
	cfg '.process.oomScoreAdj = 567'
	ctr_sh 'cat /proc/self/oom_score_adj'
	[ "$status" -eq 0 ]
	[ "$output" = 567 ]
}

@test "process.terminal with --console-socket: the receiver gets the pty master, tty is /dev/pts/0" {
	cfg '.process.terminal = true | .process.consoleSize = {height: 30, width: 100}'
	set_args sh -c 'tty; stty size; echo "term=$TERM"; echo console-marker'
	local sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/console.out
	"$PYTHON" "$FIXTURES/console-receiver" "$sock" "$out" 20 \
		</dev/null >"$BATS_TEST_TMPDIR/receiver.log" 2>&1 3>&- &
	local rpid=$!
	wait_for test -S "$sock"
	rt create --console-socket "$sock" -b "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/ctr.out" 2>&1 || {
		cat "$BATS_TEST_TMPDIR/ctr.out"
		kill $rpid
		return 1
	}
	rt start "$CID"
	wait "$rpid" || true
	cat "$BATS_TEST_TMPDIR/receiver.log"
	cat -A "$out"
	grep -q "received fd" "$BATS_TEST_TMPDIR/receiver.log"
	grep -q '^/dev/pts/0.$' "$out"
	grep -q '^30 100.$' "$out"
	grep -q '^console-marker.$' "$out"
	# nothing went to the runtime's own stdio
	[ ! -s "$BATS_TEST_TMPDIR/ctr.out" ]
}

@test "process.terminal without --console-socket is refused for create" {
	cfg '.process.terminal = true'
	set_args true
	run_create -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *console* ]]
	[ ! -e "$STATE/$CID" ]
}

@test "process.terminal with run in the foreground and no --console-socket: tug is the console" {
	cfg '.process.terminal = true | .process.consoleSize = {height: 24, width: 80}'
	set_args sh -c 'tty; read line; echo "got $line"; exit 3'
	cfg_flush
	run bash -c 'echo typed-in | "$0" runtime --root "$1" run -b "$2" "$3"' "$TUG" "$STATE" "$BUNDLE" "$CID"
	echo "$output" | cat -A
	[ "$status" -eq 3 ]
	[[ "$output" == */dev/pts/0* ]]
	# the line went in through the pty (echoed by it) and came back
	[[ "$output" == *"got typed-in"* ]]
	[ ! -e "$STATE/$CID" ]
}

@test "process.terminal with run -d and no --console-socket is refused" {
	cfg '.process.terminal = true'
	set_args true
	run rt run -d -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *console* ]]
	[ ! -e "$STATE/$CID" ]
}
