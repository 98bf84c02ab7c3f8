#!/usr/bin/env bats
# exec: a second process in a running container, as containerd's exec does
# it: same namespaces, its own args/env/cwd/user, exit code, detached with
# a pid file, a process.json.

load helpers
load runtime-helpers

setup() {
	rt_setup
	start_bg
}
teardown() { rt_teardown; }

@test "exec: runs in the container's pid namespace, where pid 1 is the init" {
	run rt exec "$CID" sh -c 'echo "me=$$"; cat /proc/1/comm; for n in pid mnt net; do readlink /proc/self/ns/$n; done'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != me=1 ]
	[ "${lines[1]}" = sleep ]
	[ "${lines[2]}" = "$(readlink /proc/$PID/ns/pid)" ]
	[ "${lines[3]}" = "$(readlink /proc/$PID/ns/mnt)" ]
	[ "${lines[4]}" = "$(readlink /proc/$PID/ns/net)" ]
}

@test "exec: sees the container's root and hostname, and is in its cgroup" {
	echo in-rootfs >"$ROOTFS/marker"
	run rt exec "$CID" sh -c 'cat /marker; hostname; cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = in-rootfs ]
	[ "${lines[1]}" = "$(jq -r .hostname "$BUNDLE/config.json")" ]
	# in a cgroup namespace rooted at the container's cgroup
	[[ "${lines[2]}" == *:/ ]]
}

@test "exec: the exit code is the process's" {
	run rt exec "$CID" sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run rt exec "$CID" true
	[ "$status" -eq 0 ]
	# the container is not touched by it
	[ "$(ctr_status)" = running ]
}

@test "exec: --env adds to the spec's env, --cwd, --user uid:gid" {
	run rt exec --env FOO=bar --env HOME=/elsewhere --cwd /tmp --user 1000:1000 "$CID" \
		sh -c 'echo "$FOO $HOME $PATH"; pwd; id -u; id -g'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "bar /elsewhere /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1000 ]
}

@test "exec: gets the spec's capabilities and no_new_privs, not the runtime's" {
	run rt exec "$CID" sh -c 'grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status'
	[ "$status" -eq 0 ]
	local m
	m=$(caps_mask CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)
	[[ "$output" == *"CapEff:	$m"* ]]
	[[ "$output" == *"CapBnd:	$m"* ]]
	[[ "$output" =~ NoNewPrivs:[[:space:]]+1 ]]
}

@test "exec -d --pid-file: detached, the pid file names a process in the container" {
	rt exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$CID" sleep 300 </dev/null >"$BATS_TEST_TMPDIR/exec.out" 2>&1
	[ -s "$BATS_TEST_TMPDIR/exec.pid" ]
	local p
	p=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	[ -d "/proc/$p" ]
	[ "$(cat /proc/$p/comm)" = sleep ]
	[ "$(readlink /proc/$p/ns/pid)" = "$(readlink /proc/$PID/ns/pid)" ]
	grep -qx "$p" <(rt ps --format json "$CID" | jq '.[]')
}

@test "exec --process: the process from a JSON file" {
	cat >"$BATS_TEST_TMPDIR/process.json" <<-'JSON'
	{"args": ["sh", "-c", "echo \"$A\"; pwd; id -u; exit 3"], "env": ["A=from-json", "PATH=/bin"],
	 "cwd": "/home/user", "user": {"uid": 1000, "gid": 1000}, "terminal": false}
	JSON
	run rt exec --process "$BATS_TEST_TMPDIR/process.json" "$CID"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = from-json ]
	[ "${lines[1]}" = /home/user ]
	[ "${lines[2]}" = 1000 ]
}

@test "exec: the container's seccomp filter applies to it too" {
	need_feature SECCOMP
	rt delete -f "$CID"
	cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}'
	start_bg
	run rt exec "$CID" mkdir /tmp/d
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "exec: a program that is not there fails with a message naming it" {
	run rt exec "$CID" no-such-program
	[ "$status" -ne 0 ]
	[[ "$output" == *no-such-program* ]]
	[ "$(ctr_status)" = running ]
}

@test "exec into a stopped or unknown container fails" {
	run rt exec "nosuch-$CID" true
	[ "$status" -ne 0 ]
	rt kill "$CID" KILL
	wait_for eval '[ "$(ctr_status)" = stopped ]'
	run rt exec "$CID" true
	[ "$status" -ne 0 ]
}

@test "exec -t in the foreground without --console-socket: tug is the console" {
	run bash -c 'echo typed-in | timeout -k 5 30 "$0" runtime --root "$1" exec -t "$2" sh -c "tty; read l; echo got-\$l; exit 4"' \
		"$TUG" "$STATE" "$CID"
	echo "$output" | cat -A
	[ "$status" -eq 4 ]
	[[ "$output" == */dev/pts/* ]]
	[[ "$output" == *got-typed-in* ]]
}

@test "exec -t -d without --console-socket is refused" {
	run rt exec -t -d "$CID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *console* ]]
}
