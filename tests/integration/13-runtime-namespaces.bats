#!/usr/bin/env bats
# Namespaces (new ones, a user namespace with mappings, joining one by
# path) and sysctls, each seen from inside.

load helpers
load runtime-helpers

setup() { rt_setup; }
teardown() { rt_teardown; }

@test "new pid, uts, ipc, net, mnt and cgroup namespaces: none is the host's" {
	ctr_sh 'for n in pid uts ipc net mnt cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done'
	[ "$status" -eq 0 ]
	local n inside
	for n in pid uts ipc net mnt cgroup; do
		inside=$(awk -v n=$n '$1 == n { print $2 }' <<<"$output")
		[[ "$inside" == "$n:["* ]]
		[ "$inside" != "$(readlink /proc/self/ns/$n)" ] || { echo "$n is the host's"; return 1; }
	done
}

@test "pid namespace: the process is pid 1 and sees only its own processes" {
	ctr_sh 'echo "me=$$"; ls -d /proc/[0-9]* | wc -l'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = me=1 ]
	# sh, ls and wc at most (a subshell maybe)
	[ "${lines[1]}" -le 4 ]
}

@test "without a pid namespace the host's pids are visible" {
	cfg 'del(.linux.namespaces[] | select(.type == "pid"))'
	ctr_sh 'echo "me=$$"; [ -d /proc/1 ] && echo has-1'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != me=1 ]
	[ "$(readlink /proc/self/ns/pid)" ]
}

@test "uts namespace: the container's hostname does not change the host's" {
	local before
	before=$(hostname)
	cfg '.hostname = "uts-test"'
	ctr_sh 'hostname; hostname changed-inside 2>&1; hostname'
	[ "${lines[0]}" = uts-test ]
	[ "$(hostname)" = "$before" ]
}

@test "ipc namespace: a SysV segment of the host is not visible inside" {
	need_cmd ipcmk
	local id
	id=$(ipcmk -M 4096 | grep -o '[0-9]*$')
	ctr_sh 'cat /proc/sysvipc/shm | wc -l'
	ipcrm -m "$id"
	[ "$status" -eq 0 ]
	# the header line only
	[ "$output" -eq 1 ]
}

@test "network namespace: only lo, brought up (as runc does: Docker's --network none relies on it)" {
	ctr_sh 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; ip -o link show lo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = lo ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" == *"<LOOPBACK,UP,LOWER_UP>"* ]]
}

@test "mount namespace: a mount made inside is not seen on the host" {
	cfg '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	mkdir -p "$ROOTFS/mnt/inner"
	ctr_sh 'mount -t tmpfs inner-tmpfs /mnt/inner && echo mounted'
	[ "$status" -eq 0 ]
	[ "$output" = mounted ]
	! grep -q inner-tmpfs /proc/self/mountinfo
	! grep -q "$ROOTFS" /proc/self/mountinfo
}

@test "cgroup namespace: /proc/self/cgroup shows / for every hierarchy" {
	ctr_sh 'cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 1 ]
	local l
	for l in "${lines[@]}"; do
		[[ "$l" == *:/ ]] || { echo "not at the root: $l"; return 1; }
	done
}

@test "cgroup namespace off: /proc/self/cgroup shows the cgroupsPath" {
	cfg 'del(.linux.namespaces[] | select(.type == "cgroup"))'
	ctr_sh 'cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	[[ "$output" == *":memory:$CGPATH"* ]] || [[ "$output" == *"0::$CGPATH"* ]]
}

# A user namespace: root inside is 100000 outside; the rootfs belongs to it.
userns_bundle() {
	own_bin
	chown -R -h 100000:100000 "$ROOTFS"
	# the mapped root must reach the rootfs: bats' folders are 0700
	local d=$BUNDLE
	while [ -n "$d" ]; do
		chmod o+x "$d"
		d=${d%/*}
	done
	cfg '.linux.namespaces += [{type: "user"}]
	     | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
	     | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
	     | .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
}

@test "user namespace: uid_map/gid_map show the mappings, files map both ways" {
	userns_bundle
	cfg '.process.capabilities.bounding += ["CAP_CHOWN"] | .process.capabilities.effective += ["CAP_CHOWN"] | .process.capabilities.permitted += ["CAP_CHOWN"]'
	ctr_sh 'cat /proc/self/uid_map /proc/self/gid_map; id -u; stat -c %u:%g /bin/busybox /etc/passwd
		echo x >/tmp/created; chown 1000:1000 /tmp/created; stat -c %u:%g /tmp/created'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^[[:space:]]*0[[:space:]]+100000[[:space:]]+65536$ ]]
	[[ "${lines[1]}" =~ ^[[:space:]]*0[[:space:]]+100000[[:space:]]+65536$ ]]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = 0:0 ]
	[ "${lines[4]}" = 0:0 ]
	[ "${lines[5]}" = 1000:1000 ]
	# outside: 1000 inside is 101000 here
	[ "$(stat -c %u:%g "$ROOTFS/tmp/created")" = 101000:101000 ]
}

@test "user namespace: a host file of an unmapped user shows as nobody, and root inside cannot write it" {
	userns_bundle
	local h=$BATS_TEST_TMPDIR/hostfiles
	mkdir -p "$h"
	echo host-owned >"$h/f"
	chmod 644 "$h/f"
	chmod 755 "$h" "$BATS_TEST_TMPDIR"
	cfg '.mounts += [{destination: "/mnt/h", type: "bind", source: "'"$h"'", options: ["rbind"]}]'
	ctr_sh 'stat -c %u:%g /mnt/h/f; cat /mnt/h/f; echo pwned >/mnt/h/f'
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = 65534:65534 ]
	[ "${lines[1]}" = host-owned ]
	[ "$(cat "$h/f")" = host-owned ]
}

@test "user namespace: its root cannot write the host's /proc/sys" {
	userns_bundle
	# no readonlyPaths: the user namespace alone must stop the write (of
	# the value it already has, so a failure of this test changes nothing)
	local v
	v=$(cat /proc/sys/kernel/panic)
	cfg '.linux.readonlyPaths = []'
	ctr_sh "echo $v >/proc/sys/kernel/panic; echo rc=\$?"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Permission denied"* ]]
	[[ "$output" == *"rc=1"* ]]
}

@test "joining a namespace by path: a second container shares the first's network" {
	cfg '.process.capabilities.bounding += ["CAP_NET_ADMIN"] | .process.capabilities.effective += ["CAP_NET_ADMIN"] | .process.capabilities.permitted += ["CAP_NET_ADMIN"]'
	# an address only that namespace has
	start_bg sh -c 'ip addr add 10.200.0.1/32 dev lo && touch /tmp/ready && exec sleep 600'
	wait_for test -e "$ROOTFS/tmp/ready"
	local netns
	netns=$(readlink /proc/$PID/ns/net)
	# the second container: a new bundle config joining by path
	local first=$CID
	CID=$first-b
	cfg '.linux.namespaces |= map(if .type == "network" then .path = "/proc/'"$PID"'/ns/net" else . end)
	     | .linux.cgroupsPath = "'"$CGPATH"'-b"'
	ctr_sh 'readlink /proc/self/ns/net; ip -o addr show dev lo | grep -c 10.200.0.1/32; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	CID=$first
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$netns" ]
	[ "${lines[1]}" = 1 ]
	[ "${lines[2]}" = lo ]
	[ "${#lines[@]}" -eq 3 ]
	# and the first is still its own pid namespace: pid namespaces were not joined
	[ "$(readlink /proc/$PID/ns/pid)" != "$(readlink /proc/self/ns/pid)" ]
}

@test "joining a namespace by a path that is not a namespace fails cleanly" {
	cfg '.linux.namespaces |= map(if .type == "network" then .path = "/etc/hostname" else . end)'
	set_args true
	expect_clean_failure network
}

@test "linux.sysctl: net.ipv4.ip_forward in the new net namespace, kernel.shm_rmid_forced in the new ipc namespace" {
	local fwd shm
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	shm=$(cat /proc/sys/kernel/shm_rmid_forced)
	cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1", "net.ipv4.ping_group_range": "0 0"}'
	ctr_sh 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shm_rmid_forced; cat /proc/sys/net/ipv4/ping_group_range | tr "\t" " "'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 1 ]
	[ "${lines[2]}" = "0 0" ]
	# the host's are as they were
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$fwd" ]
	[ "$(cat /proc/sys/kernel/shm_rmid_forced)" = "$shm" ]
}

# The two below ask for the value the host already has: a runtime that
# wrongly writes it changes nothing, and still fails the test.
@test "linux.sysctl: a key that is not namespaced (kernel.panic) is refused" {
	cfg '.linux.sysctl = {"kernel.panic": $v}' --arg v "$(cat /proc/sys/kernel/panic)"
	set_args true
	run --separate-stderr rt run -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *kernel.panic* ]]
	[ ! -e "$STATE/$CID" ]
}

@test "linux.sysctl: a net key without a new net namespace is refused" {
	cfg 'del(.linux.namespaces[] | select(.type == "network")) | .linux.sysctl = {"net.ipv4.ip_forward": $v}' \
		--arg v "$(cat /proc/sys/net/ipv4/ip_forward)"
	set_args true
	run --separate-stderr rt run -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *net.ipv4.ip_forward* ]]
	[ ! -e "$STATE/$CID" ]
}
