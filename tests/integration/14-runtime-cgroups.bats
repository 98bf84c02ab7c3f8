#!/usr/bin/env bats
# Cgroups, read back from the host side under /sys/fs/cgroup/<controller>/
# <cgroupsPath>: limits at create, update, pause/resume, ps, events, and
# the folders gone after delete. This host is cgroup v1 (or hybrid); a pure
# v2 host skips the v1 file names.

load helpers
load runtime-helpers

setup() {
	rt_setup
	[ -d "$CGROOT/memory" ] && [ -f "$CGROOT/memory/memory.limit_in_bytes" ] ||
		skip "cgroup v1 controllers are not mounted at $CGROOT"
}
teardown() { rt_teardown; }

# cg CONTROLLER FILE: the container's cgroup file as the host sees it.
cg() {
	cat "$CGROOT/$1$CGPATH/$2"
}

# no_cgroup_left: no controller has the container's folder any more.
no_cgroup_left() {
	local d left=0
	for d in "$CGROOT"/*"$CGPATH"; do
		[ -e "$d" ] && { echo "left behind: $d"; left=1; }
	done
	return $left
}

@test "cgroups: memory, pids, cpu shares/quota/period and cpuset are set at create" {
	cfg '.linux.resources.memory = {limit: 67108864, reservation: 33554432}
	     | .linux.resources.pids = {limit: 10}
	     | .linux.resources.cpu = {shares: 512, quota: 50000, period: 100000, cpus: "0", mems: "0"}'
	start_bg
	[ "$(cg memory memory.limit_in_bytes)" = 67108864 ]
	[ "$(cg memory memory.soft_limit_in_bytes)" = 33554432 ]
	[ "$(cg pids pids.max)" = 10 ]
	[ "$(cg cpu cpu.shares)" = 512 ]
	[ "$(cg cpu cpu.cfs_quota_us)" = 50000 ]
	[ "$(cg cpu cpu.cfs_period_us)" = 100000 ]
	[ "$(cg cpuset cpuset.cpus)" = 0 ]
	[ "$(cg cpuset cpuset.mems)" = 0 ]
	# the init is in each of them
	local c
	for c in memory pids cpu cpuset devices freezer; do
		grep -qx "$PID" "$CGROOT/$c$CGPATH/cgroup.procs" || { echo "$PID not in $c"; return 1; }
	done
	grep -q "^[0-9]*:memory:$CGPATH\$" /proc/$PID/cgroup
}

@test "cgroups: the pids limit holds inside the container" {
	cfg '.linux.resources.pids = {limit: 5}'
	# sh exits when a fork fails
	ctr_sh 'i=0; while [ $i -lt 8 ]; do sleep 5 & i=$((i + 1)); done; echo all-started'
	[ "$status" -ne 0 ]
	[[ "$output" == *"can't fork: Resource temporarily unavailable"* ]]
	[[ "$output" != *all-started* ]]
}

@test "cgroups: the memory limit is what the container's own cgroup view shows" {
	cfg '.linux.resources.memory = {limit: 50331648}'
	ctr_sh 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes'
	[ "$status" -eq 0 ]
	[ "$output" = 50331648 ]
}

@test "update --resources -: memory, pids and cpu change on the host" {
	cfg '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 10} | .linux.resources.cpu = {shares: 512}'
	start_bg
	rt update --resources - "$CID" <<<'{"memory": {"limit": 33554432}, "pids": {"limit": 20}, "cpu": {"shares": 256, "quota": 20000, "period": 100000}}'
	[ "$(cg memory memory.limit_in_bytes)" = 33554432 ]
	[ "$(cg pids pids.max)" = 20 ]
	[ "$(cg cpu cpu.shares)" = 256 ]
	[ "$(cg cpu cpu.cfs_quota_us)" = 20000 ]
	# from a file too
	echo '{"pids": {"limit": 30}}' >"$BATS_TEST_TMPDIR/res.json"
	rt update --resources "$BATS_TEST_TMPDIR/res.json" "$CID"
	[ "$(cg pids pids.max)" = 30 ]
	# what was not given stays
	[ "$(cg memory memory.limit_in_bytes)" = 33554432 ]
}

@test "update with invalid JSON fails and changes nothing" {
	cfg '.linux.resources.pids = {limit: 10}'
	start_bg
	run rt update --resources - "$CID" <<<'{"pids": {"limit": "many"}'
	[ "$status" -ne 0 ]
	[ "$(cg pids pids.max)" = 10 ]
}

@test "pause/resume: freezer state, the process stops making progress, status paused" {
	# renamed into place: a read never sees a half-written file
	start_bg sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tmp/c.new; mv /tmp/c.new /tmp/count; sleep 0.05; done'
	wait_for test -s "$ROOTFS/tmp/count"
	rt pause "$CID"
	[ "$(ctr_status)" = paused ]
	[ "$(cg freezer freezer.state)" = FROZEN ]
	# frozen tasks: D on v1 with newer kernels, T on older ones
	local st
	st=$(awk '/^State:/ { print $2 }' /proc/$PID/status)
	[[ "$st" == D || "$st" == T ]]
	local a b
	a=$(cat "$ROOTFS/tmp/count")
	sleep 0.5
	b=$(cat "$ROOTFS/tmp/count")
	[ "$a" = "$b" ]

	rt resume "$CID"
	[ "$(ctr_status)" = running ]
	[ "$(cg freezer freezer.state)" = THAWED ]
	wait_for eval '[ "$(cat "$ROOTFS/tmp/count")" -gt "$b" ]'
}

@test "resume on a container that is not paused fails" {
	set_args sleep 600
	rt create -b "$BUNDLE" "$CID" </dev/null >"$BATS_TEST_TMPDIR/ctr.out" 2>&1
	run rt resume "$CID"
	[ "$status" -ne 0 ]
	[ "$(ctr_status)" = created ]
	rt start "$CID"
	run rt resume "$CID"
	[ "$status" -ne 0 ]
	[ "$(ctr_status)" = running ]
}

@test "ps --format json lists the container's processes; the table has the init" {
	start_bg sh -c 'sleep 600 & exec sleep 601'
	wait_for eval '[ "$(wc -l <"$CGROOT/pids$CGPATH/cgroup.procs")" -eq 2 ]'
	run rt ps --format json "$CID"
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 2 ]
	jq -e --argjson p "$PID" 'index($p) != null' <<<"$output"
	local pid
	for pid in $(jq '.[]' <<<"$output"); do
		grep -qx "$pid" "$CGROOT/pids$CGPATH/cgroup.procs"
	done
	run rt ps "$CID"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *PID* ]]
	[[ "$output" == *" $PID "* ]]
	[[ "$output" == *"sleep 601"* ]]
}

@test "events --stats: one JSON object with cpu, memory and pids figures" {
	cfg '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 10}'
	start_bg
	run --separate-stderr rt events --stats "$CID"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r .type <<<"$output")" = stats ]
	[ "$(jq -r .id <<<"$output")" = "$CID" ]
	[ "$(jq -r .data.memory.usage.limit <<<"$output")" = 67108864 ]
	[ "$(jq -r .data.memory.usage.usage <<<"$output")" -gt 0 ]
	[ "$(jq -r .data.pids.current <<<"$output")" -eq 1 ]
	[ "$(jq -r .data.pids.limit <<<"$output")" -eq 10 ]
	[ "$(jq -r .data.cpu.usage.total <<<"$output")" -gt 0 ]
}

@test "delete removes the cgroup folders of every controller" {
	cfg '.linux.resources.memory = {limit: 67108864}'
	start_bg
	local n
	n=$(ls -d "$CGROOT"/*"$CGPATH" | wc -l)
	[ "$n" -ge 5 ]
	rt delete -f "$CID"
	no_cgroup_left
}

@test "a container that exits on its own: run removes its cgroup folders" {
	cfg '.linux.resources.memory = {limit: 67108864}'
	ctr_sh 'sleep 600 & exit 0'
	[ "$status" -eq 0 ]
	no_cgroup_left
}

@test "cgroups: linux.resources.network without a net_cls hierarchy fails clearly, nothing left" {
	[ ! -e "$CGROOT/net_cls/net_cls.classid" ] || skip "net_cls is mounted here"
	cfg '.linux.resources.network = {classID: 1048577, priorities: [{name: "lo", priority: 2}]}'
	expect_clean_failure linux.resources.network
}

@test "cgroups: linux.resources.network with a bad interface name is refused" {
	cfg '.linux.resources.network = {priorities: [{name: "lo 1", priority: 2}]}'
	expect_clean_failure linux.resources.network.priorities
}
