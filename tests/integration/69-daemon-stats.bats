#!/usr/bin/env bats
# docker stats, docker update and OOMKilled against the daemon (PEER=tug, or
# dockerd to prove the tests): the stats object's fields the CLI reads, the
# zeros of a stopped container, limits changed on a running and a stopped
# container (inspect and the cgroup's own files), dockerd's errors, and a
# container killed by the OOM killer (State.OOMKilled, 137, the oom event).

load helpers
load registry-helpers
load daemon-helpers

setup_file() {
	daemon_start && daemon_registry plain && daemon_image
}

teardown_file() {
	daemon_stop
}

setup() {
	daemon_need
}

teardown() {
	[ -n "${DAEMON_PID:-}" ] && daemon_rm_all || :
}

# cg_dir ID: the container's memory cgroup folder (v1: the memory
# hierarchy; v2: the unified one), wherever the daemon put it.
cg_dir() {
	local root=/sys/fs/cgroup
	[ -d $root/memory ] && root=$root/memory
	find "$root" -maxdepth 4 -type d -name "$1" | head -1
}

# cg_mem ID: "limit swap-limit" as the cgroup has them, in v1 terms
# (memory+swap); v2 keeps swap alone, so it is added back.
cg_mem() {
	local dir
	dir=$(cg_dir "$1")
	[ -n "$dir" ] || return 1
	if [ -f "$dir/memory.limit_in_bytes" ]; then
		echo "$(cat "$dir/memory.limit_in_bytes") $(cat "$dir/memory.memsw.limit_in_bytes" 2>/dev/null)"
	else
		local m s
		m=$(cat "$dir/memory.max")
		s=$(cat "$dir/memory.swap.max" 2>/dev/null || echo 0)
		echo "$m $((m + s))"
	fi
}

# stats ID QUERY: one stats object (the first line of the answer).
stats() {
	curl -s --max-time 10 --unix-socket "$DAEMON_DIR/d.sock" "http://x/containers/$1/stats?$2" | head -1
}

@test "stats --no-stream: a row with the memory in use and the -m limit" {
	d run -d --name st1 -m 64m "$BOX" sleep 1000 >/dev/null
	run --separate-stderr d stats --no-stream
	[ "$status" -eq 0 ]
	has_match "^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$"
	has_match "^[0-9a-f]{12} +st1 +[0-9.]+% +[0-9.]+[KMG]iB / 64MiB +[0-9.]+% +.* 1$"
	run d stats --no-stream --format '{{.Name}}|{{.MemUsage}}|{{.PIDs}}' st1
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^st1\|[1-9][0-9.]*[KMG]iB\ /\ 64MiB\|1$ ]]
}

@test "stats API: cpu, memory, pids; stream=false fills precpu, one-shot does not" {
	d run -d --name st2 -m 64m --pids-limit 30 "$BOX" sh -c 'sleep 1000' >/dev/null
	run stats st2 stream=false
	[ "$status" -eq 0 ]
	jq -e '.name == "/st2" and (.id | length) == 64' <<<"$output"
	jq -e '.memory_stats.limit == 67108864 and .memory_stats.usage > 0' <<<"$output"
	# the CLI takes the page cache out: total_inactive_file (v1) or inactive_file (v2)
	jq -e '.memory_stats.stats | has("total_inactive_file") or has("inactive_file")' <<<"$output"
	jq -e '.cpu_stats.cpu_usage.total_usage > 0 and .cpu_stats.system_cpu_usage > 0' <<<"$output"
	jq -e '.cpu_stats.online_cpus > 0 and .precpu_stats.system_cpu_usage > 0' <<<"$output"
	jq -e '.preread != "0001-01-01T00:00:00Z" and .preread < .read' <<<"$output"
	jq -e '.pids_stats == {"current": 1, "limit": 30}' <<<"$output"
	jq -e '.blkio_stats | has("io_service_bytes_recursive")' <<<"$output"
	run stats st2 'stream=false&one-shot=true'
	jq -e '.preread == "0001-01-01T00:00:00Z" and .read != .preread' <<<"$output"
	jq -e '.precpu_stats.cpu_usage.total_usage == 0 and (.precpu_stats | has("system_cpu_usage") | not)' <<<"$output"
	jq -e '.memory_stats.usage > 0' <<<"$output"
}

@test "stats stream: a sample a second, each with the one before as precpu" {
	d run -d --name st3 "$BOX" sleep 1000 >/dev/null
	timeout 3.5 curl -sN --unix-socket "$DAEMON_DIR/d.sock" http://x/containers/st3/stats \
		>"$BATS_TEST_TMPDIR/s" || :
	[ "$(wc -l <"$BATS_TEST_TMPDIR/s")" -ge 2 ]
	local first second
	first=$(sed -n 1p "$BATS_TEST_TMPDIR/s")
	second=$(sed -n 2p "$BATS_TEST_TMPDIR/s")
	jq -e '.preread == "0001-01-01T00:00:00Z"' <<<"$first"
	[ "$(jq -r .preread <<<"$second")" = "$(jq -r .read <<<"$first")" ]
	[ "$(jq -c .precpu_stats <<<"$second")" = "$(jq -c .cpu_stats <<<"$first")" ]
}

@test "stats of a container that does not run: zeros; stream with one-shot is refused" {
	d create --name st4 "$BOX" true >/dev/null
	run stats st4 stream=false
	jq -e '.read == "0001-01-01T00:00:00Z" and .name == "/st4"' <<<"$output"
	jq -e '.memory_stats == {} and .pids_stats == {} and .blkio_stats.io_service_bytes_recursive == null' <<<"$output"
	jq -e '.cpu_stats.cpu_usage == {"total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0}' <<<"$output"
	run api GET '/containers/st4/stats?stream=true&one-shot=true'
	[ "${lines[1]}" = 400 ]
	[ "${lines[0]}" = '{"message":"cannot have stream=true and one-shot=true"}' ]
	run d stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.CPUPerc}}' st4
	[ "$status" -eq 0 ]
	[ "$output" = "st4 0B / 0B 0.00%" ]
	run api GET '/containers/nosuch/stats?stream=false'
	[ "${lines[1]}" = 404 ]
}

@test "stats of a container on the host's network: no networks" {
	d run -d --name st5 --network host "$BOX" sleep 1000 >/dev/null
	run stats st5 'stream=false&one-shot=true'
	jq -e '.memory_stats.usage > 0 and (has("networks") | not)' <<<"$output"
}

@test "update --memory --memory-swap: inspect and the cgroup show it; an update event" {
	local id t0
	id=$(d run -d --name up1 -m 64m "$BOX" sleep 1000)
	[ "$(d inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' up1)" = "67108864 134217728" ]
	[ "$(cg_mem "$id")" = "67108864 134217728" ]
	t0=$(date +%s)
	run --separate-stderr d update --memory 128m --memory-swap 256m up1
	[ "$status" -eq 0 ]
	[ "$output" = up1 ]
	[ "$(d inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' up1)" = "134217728 268435456" ]
	[ "$(cg_mem "$id")" = "134217728 268435456" ]
	run d stats --no-stream --format '{{.MemUsage}}' up1
	[[ "$output" =~ /\ 128MiB$ ]]
	sleep 1
	run d events --since "$t0" --until "$(date +%s)" --filter event=update --format '{{.Actor.Attributes.name}} {{.Action}}'
	[ "$output" = "up1 update" ]
}

@test "update: dockerd's errors (conflict with the recorded swap, minimum, unknown container)" {
	local id
	id=$(d run -d --name up2 -m 64m "$BOX" sleep 1000)
	run --separate-stderr d update --memory 300m up2
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error response from daemon: Cannot update container $id: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time" ]
	run api POST /containers/up2/update -H 'Content-Type: application/json' -d '{"Memory":300000000}'
	[ "${lines[1]}" = 409 ]
	run --separate-stderr d update --memory 1m up2
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error response from daemon: Minimum memory limit allowed is 6MB" ]
	run api POST /containers/up2/update -H 'Content-Type: application/json' -d '{"RestartPolicy":{"Name":"bogus"}}'
	[ "${lines[1]}" = 400 ]
	[ "${lines[0]}" = "{\"message\":\"invalid restart policy 'bogus'\"}" ]
	run api POST /containers/nosuch/update -H 'Content-Type: application/json' -d '{}'
	[ "${lines[1]}" = 404 ]
	[ "${lines[0]}" = '{"message":"No such container: nosuch"}' ]
	# the cgroup refuses a memory limit above the memory+swap one: the
	# kernel's words after dockerd's prefix, and nothing is recorded
	run api POST /containers/up2/update -H 'Content-Type: application/json' -d '{"Memory":200000000,"MemorySwap":-1}'
	[ "${lines[1]}" = 500 ]
	[[ "${lines[0]}" =~ ^\{\"message\":\"Cannot\ update\ container\ $id:\ .*memory.limit_in_bytes:\ [Ii]nvalid\ argument ]] ||
		[ ! -d /sys/fs/cgroup/memory ]
	[ "$(d inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' up2)" = "67108864 134217728" ]
	# what the request leaves out stays
	run api POST /containers/up2/update -H 'Content-Type: application/json' -d '{"CpuShares":512,"PidsLimit":40}'
	[ "${lines[1]}" = 200 ]
	[ "${lines[0]}" = '{"Warnings":null}' ]
	[ "$(d inspect -f '{{.HostConfig.Memory}} {{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}}' up2)" = "67108864 512 40" ]
}

@test "update of a stopped container is recorded and the next start uses it" {
	local id
	id=$(d create --name up3 -m 64m "$BOX" sleep 1000)
	run d update --memory 100m --memory-swap 200m up3
	[ "$status" -eq 0 ]
	[ "$(d inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' up3)" = "104857600 209715200" ]
	d start up3
	[ "$(cg_mem "$id")" = "104857600 209715200" ]
}

# The kill of rm -f lets the container's own removal (AutoRemove) run; the
# daemon crashed when both removed it.
@test "rm -f of --rm containers while they run: removed once, the daemon lives" {
	for i in 1 2 3 4 5 6; do
		d run -d --rm --name rmf$i "$BOX" sleep 1000 >/dev/null
		d rm -f rmf$i >/dev/null
	done
	daemon_ping
	[ -z "$(d ps -aq --filter name=rmf)" ]
}

@test "update --restart: recorded; refused for an AutoRemove container" {
	local id
	d run -d --name up4 "$BOX" sleep 1000 >/dev/null
	run d update --restart always up4
	[ "$status" -eq 0 ]
	[ "$(d inspect -f '{{.HostConfig.RestartPolicy.Name}}' up4)" = always ]
	run d update --restart on-failure:3 up4
	[ "$(d inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' up4)" = on-failure:3 ]
	id=$(d run -d --rm --name up5 "$BOX" sleep 1000)
	run --separate-stderr d update --restart always up5
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error response from daemon: Cannot update container $id: Restart policy cannot be updated because AutoRemove is enabled for the container" ]
	run api POST /containers/up5/update -H 'Content-Type: application/json' -d '{"RestartPolicy":{"Name":"always"}}'
	[ "${lines[1]}" = 409 ]
}

@test "run -m 32m of a process that eats memory: 137, OOMKilled, oom then die" {
	local t0 id
	t0=$(date +%s)
	run d run --name oom1 -m 32m "$BOX" sh -c 'x=a; while :; do x=$x$x; done'
	[ "$status" -eq 137 ]
	[ "$(d inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}} {{.State.Status}}' oom1)" = "true 137 exited" ]
	id=$(d inspect -f '{{.Id}}' oom1)
	sleep 1
	run d events --since "$t0" --until "$(date +%s)" --filter container=oom1 --format '{{.Action}}'
	[ "$(grep -xE 'oom|die' <<<"$output" | tr '\n' ' ')" = "oom die " ]
	# a child killed while pid 1 lives on is an OOM kill too
	run d run --name oom2 -m 32m "$BOX" sh -c 'dd if=/dev/zero bs=64M count=1 | tail -c 1 >/dev/null; exit 0'
	[ "$status" -eq 0 ]
	[ "$(d inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' oom2)" = "true 0" ]
	# and a container that did not hit its limit is not
	d run --name fine -m 32m "$BOX" true
	[ "$(d inspect -f '{{.State.OOMKilled}}' fine)" = false ]
}
