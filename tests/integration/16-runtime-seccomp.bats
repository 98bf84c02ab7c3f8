#!/usr/bin/env bats
# linux.seccomp: the runtime compiles the profile to BPF itself; each rule
# kind is checked by what the process inside gets back from the kernel.

load helpers
load runtime-helpers

setup() {
	rt_setup
	need_feature SECCOMP
}
teardown() { rt_teardown; }

# seccomp RULES_JSON [DEFAULT_ACTION]: an x86_64 profile.
seccomp() {
	cfg '.linux.seccomp = {defaultAction: $d, architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], syscalls: $r}' \
		--argjson r "$1" --arg d "${2:-SCMP_ACT_ALLOW}"
}

@test "seccomp: SCMP_ACT_ERRNO on mkdir gives EPERM, the rest still works; Seccomp: 2" {
	seccomp '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
	ctr_sh 'mkdir /tmp/d; echo "mkdir=$?"; touch /tmp/f && echo touch-ok; grep -E "^Seccomp(_filters)?:" /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "$output" == *"can't create directory '/tmp/d': Operation not permitted"* ]]
	[[ "$output" == *"mkdir=1"* ]]
	[[ "$output" == *touch-ok* ]]
	[[ "$output" =~ Seccomp:[[:space:]]+2 ]]
	[ ! -e "$ROOTFS/tmp/d" ]
}

@test "seccomp: errnoRet sets the errno" {
	seccomp '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28}]'
	ctr_sh 'mkdir /tmp/d'
	[ "$status" -ne 0 ]
	[[ "$output" == *"No space left on device"* ]]
}

@test "seccomp: defaultErrnoRet with a deny-by-default profile" {
	cfg '.linux.seccomp = $p[0] | .linux.seccomp.defaultErrnoRet = 13 | .linux.seccomp.syscalls[0].names -= ["mkdir", "mkdirat"]' \
		--slurpfile p "$FIXTURES/seccomp-docker-default.json"
	ctr_sh 'mkdir /tmp/d'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Permission denied"* ]]
}

@test "seccomp: argument conditions: kill(USR1) denied, kill(USR2) allowed" {
	seccomp '[{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]}]'
	ctr_sh 'trap "echo got-usr1" USR1; trap "echo got-usr2" USR2
		kill -USR1 $$; echo "usr1=$?"; kill -USR2 $$; echo "usr2=$?"'
	[ "$status" -eq 0 ]
	[[ "$output" == *"usr1=1"* ]]
	[[ "$output" != *got-usr1* ]]
	[[ "$output" == *got-usr2* ]]
	[[ "$output" == *"usr2=0"* ]]
}

@test "seccomp: SCMP_ACT_KILL_PROCESS: the process dies of SIGSYS (128+31)" {
	seccomp '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]'
	ctr_sh 'mkdir /tmp/d; echo "mkdir=$?"'
	[ "$status" -eq 0 ]
	[[ "$output" == *"mkdir=159"* ]]
}

@test "seccomp: the Docker default profile (deny by default) lets busybox sh work, and denies unshare" {
	cfg '.linux.seccomp = $p[0]' --slurpfile p "$FIXTURES/seccomp-docker-default.json"
	ctr_sh 'echo hello; ls / >/dev/null && echo ls-ok; mkdir /tmp/d && echo mkdir-ok
		(echo subshell-ok); x=$(echo cmdsubst-ok); echo $x; sleep 0 && echo sleep-ok
		unshare -U true; echo "unshare=$?"; grep "^Seccomp:" /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	[[ "$output" == *ls-ok* ]]
	[[ "$output" == *mkdir-ok* ]]
	[[ "$output" == *subshell-ok* ]]
	[[ "$output" == *cmdsubst-ok* ]]
	[[ "$output" == *sleep-ok* ]]
	[[ "$output" == *"unshare=1"* ]]
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" =~ Seccomp:[[:space:]]+2 ]]
}

@test "seccomp: without a profile unshare -U works (the check above means something)" {
	ctr_sh 'unshare -U true; echo "unshare=$?"; grep "^Seccomp:" /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "$output" == *"unshare=0"* ]]
	[[ "$output" =~ Seccomp:[[:space:]]+0 ]]
}

@test "seccomp: the filter also holds for a process that is not no_new_privs" {
	cfg '.process.noNewPrivileges = false'
	seccomp '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
	ctr_sh 'grep ^NoNewPrivs: /proc/self/status; mkdir /tmp/d'
	[ "$status" -ne 0 ]
	[[ "${lines[0]}" =~ NoNewPrivs:[[:space:]]+0 ]]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "seccomp: an unknown action is refused at create, naming it" {
	seccomp '[{"names": ["mkdir"], "action": "SCMP_ACT_FROB"}]'
	set_args true
	expect_clean_failure SCMP_ACT_FROB
}
