#!/usr/bin/env bats
# The stock docker CLI against the daemon (PEER=tug, or dockerd to prove the
# tests): version, info, /_ping and its headers, events, system df. What the
# CLI prints and its exit codes, as captured from dockerd 20.10 in
# shared/reference/engine-api/cli/*.out.

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

@test "version: client and server sections, API version negotiated down" {
	run --separate-stderr d version
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	has_line "Client:"
	has_match "^Server:( .+)?$"
	has_line " Engine:"
	has_match "^ Version: +28\."
	has_match "^  API version: +1\.[0-9]+ \(minimum version 1\.[0-9]+\)$"
	has_match "^  OS/Arch: +linux/amd64$"
	local api
	api=$(d version --format '{{.Server.APIVersion}}')
	[[ "$api" =~ ^1\.[0-9]+$ ]]
	# The client speaks 1.50: it says it went down to the server's version.
	has_match "^ API version: +$api \(downgraded from 1\.[0-9]+\)$"
	if [ "$PEER" = dockerd ]; then
		[ "$api" = 1.41 ]
		has_match "^  Version: +20\.10\."
	fi
}

@test "version --format: server fields as Go templates" {
	run --separate-stderr d version --format '{{.Server.Os}}/{{.Server.Arch}} {{.Server.KernelVersion}}'
	[ "$status" -eq 0 ]
	[ "$output" = "linux/amd64 $(uname -r)" ]
	run d version --format '{{json .Server}}'
	[ "$status" -eq 0 ]
	[ "$(jq -r .Os <<<"$output")" = linux ]
	[ -n "$(jq -r .Version <<<"$output")" ]
	[ -n "$(jq -r .MinAPIVersion <<<"$output")" ]
}

@test "version with DOCKER_API_VERSION pinned to the server's version" {
	local api
	api=$(d version --format '{{.Server.APIVersion}}')
	run env DOCKER_API_VERSION="$api" "$DOCKER" version --format '{{.Server.APIVersion}}'
	[ "$status" -eq 0 ]
	[ "$output" = "$api" ]
}

@test "version through the 20.10 CLI (second client)" {
	[ -x "$DOCKER2" ] || skip "needs $DOCKER2 (docker.io)"
	run --separate-stderr "$DOCKER2" version
	[ "$status" -eq 0 ]
	has_match "^ Version: +20\.10\."
	has_line " Engine:"
	[ "$("$DOCKER2" version --format '{{.Server.APIVersion}}')" = \
		"$(d version --format '{{.Server.APIVersion}}')" ]
}

@test "info: counts, root dir, OS fields; a container is counted" {
	run --separate-stderr d info
	[ "$status" -eq 0 ]
	has_match "^Server:( .+)?$"
	has_match "^ Containers: [0-9]+$"
	has_match "^  Running: [0-9]+$"
	has_match "^  Paused: [0-9]+$"
	has_match "^  Stopped: [0-9]+$"
	has_match "^ Images: [1-9][0-9]*$"
	has_match "^ Server Version: .+"
	has_match "^ Storage Driver: .+"
	has_line " Logging Driver: json-file"
	has_match "^ Cgroup Driver: (cgroupfs|systemd)$"
	has_line " Docker Root Dir: $DAEMON_DIR/root"
	has_line " OSType: linux"
	has_line " Architecture: $(uname -m)"
	has_line " CPUs: $(nproc)"
	has_line " Kernel Version: $(uname -r)"
	has_line " Name: $(uname -n)"
	has_line " Debug Mode: false"
	if [ "$PEER" = dockerd ]; then
		# tug names its own version and storage driver.
		has_match "^ Server Version: 20\.10\."
		has_line " Storage Driver: overlay2"
	fi
	local before
	before=$(d info --format '{{.Containers}} {{.ContainersRunning}}')
	d run -d --name infotest "$BOX" sleep 1000 >/dev/null
	run d info --format '{{.Containers}} {{.ContainersRunning}} {{.ContainersStopped}}'
	[ "$status" -eq 0 ]
	[ "$output" = "$((${before% *} + 1)) $((${before#* } + 1)) 0" ]
}

@test "info --format '{{json .}}' is one JSON object with the engine's fields" {
	run --separate-stderr d info --format '{{json .}}'
	[ "$status" -eq 0 ]
	[ "$(jq -r .OSType <<<"$output")" = linux ]
	[ "$(jq -r .NCPU <<<"$output")" = "$(nproc)" ]
	[ "$(jq -r .DockerRootDir <<<"$output")" = "$DAEMON_DIR/root" ]
	[ "$(jq -r '.MemTotal > 0' <<<"$output")" = true ]
	[ -n "$(jq -r .ID <<<"$output")" ]
}

@test "_ping: HEAD and GET, docker's headers, body OK" {
	local h api
	api=$(d version --format '{{.Server.APIVersion}}')
	h=$(curl -sI --unix-socket "$DAEMON_DIR/d.sock" http://x/_ping | tr -d '\r')
	echo "$h"
	grep -qx 'HTTP/1.1 200 OK' <<<"$h"
	grep -qix "Api-Version: $api" <<<"$h"
	grep -qix 'Ostype: linux' <<<"$h"
	grep -qix 'Docker-Experimental: false' <<<"$h"
	grep -qix 'Cache-Control: no-cache, no-store, must-revalidate' <<<"$h"
	grep -qix 'Pragma: no-cache' <<<"$h"
	grep -qi '^Server: ' <<<"$h"
	grep -qi '^Date: ' <<<"$h"
	run curl -si --unix-socket "$DAEMON_DIR/d.sock" http://x/_ping
	[ "$status" -eq 0 ]
	h=$(tr -d '\r' <<<"$output")
	grep -qx 'HTTP/1.1 200 OK' <<<"$h"
	grep -qix 'Content-Length: 2' <<<"$h"
	[ "$(tail -n1 <<<"$h")" = OK ]
	# With a version prefix too.
	run curl -s --unix-socket "$DAEMON_DIR/d.sock" "http://x/v$api/_ping"
	[ "$output" = OK ]
}

@test "events: a run --rm shows create, attach, start, die, destroy in order, with its labels" {
	local t0 ev=$BATS_TEST_TMPDIR/events
	t0=$(date +%s)
	"$DOCKER" events --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}' \
		>"$ev" 2>&1 3>&- &
	local pid=$!
	sleep 1
	run d run --rm --name evtest -l evlabel=v1 "$BOX" true
	[ "$status" -eq 0 ]
	wait_for 10 grep -q '^container destroy evtest$' "$ev" || {
		kill "$pid"
		cat "$ev"
		false
	}
	kill "$pid"
	wait "$pid" || :
	cat "$ev"
	run grep '^container ' "$ev"
	# create, attach, start, die, destroy: in that order.
	local order
	order=$(grep -E '^container (create|attach|start|die|destroy) evtest$' "$ev" | cut -d' ' -f2 | tr '\n' ' ')
	[ "$order" = "create attach start die destroy " ]
	# the container's labels are attributes of its events
	run d events --since "$t0" --until "$(($(date +%s) + 1))" --filter container=evtest \
		--filter event=destroy --format '{{.Actor.Attributes.evlabel}}'
	[ "$output" = v1 ]
	# The same events again, from the daemon's record, without following.
	run --separate-stderr d events --since "$t0" --until "$(($(date +%s) + 1))" \
		--filter container=evtest --filter event=die --format '{{.Action}} {{.Actor.Attributes.exitCode}}'
	[ "$status" -eq 0 ]
	[ "$output" = "die 0" ]
}

@test "events: JSON objects with the legacy and new fields" {
	local t0
	t0=$(date +%s)
	d run --rm --name evjson "$BOX" sh -c 'exit 2' || :
	run --separate-stderr d events --since "$t0" --until "$(($(date +%s) + 1))" \
		--filter container=evjson --filter event=die --format '{{json .}}'
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$(jq -r .Type <<<"$output")" = container ]
	[ "$(jq -r .Action <<<"$output")" = die ]
	[ "$(jq -r .status <<<"$output")" = die ]
	[ "$(jq -r .Actor.Attributes.exitCode <<<"$output")" = 2 ]
	[ "$(jq -r .Actor.Attributes.name <<<"$output")" = evjson ]
	[ "$(jq -r .Actor.Attributes.image <<<"$output")" = "$BOX" ]
	[[ "$(jq -r .id <<<"$output")" =~ ^[0-9a-f]{64}$ ]]
	[ "$(jq -r .id <<<"$output")" = "$(jq -r .Actor.ID <<<"$output")" ]
	[ "$(jq -r .time <<<"$output")" -ge "$t0" ]
	[ "$(jq -r .timeNano <<<"$output")" -ge "${t0}000000000" ]
}

@test "system prune -f: stopped containers go, the running one stays; the build cache answer too" {
	d run -d --name prunerun "$BOX" sleep 1000 >/dev/null
	d create --name prunedead "$BOX" true >/dev/null
	run --separate-stderr d system prune -f
	[ "$status" -eq 0 ]
	has_line "Deleted Containers:"
	has_match "^Total reclaimed space: "
	d inspect prunerun >/dev/null
	run ! d inspect prunedead
	d rm -f prunerun >/dev/null
}

@test "system df: the four rows; a running container is active" {
	d run -d --name dftest "$BOX" sleep 1000 >/dev/null
	run --separate-stderr d system df
	[ "$status" -eq 0 ]
	has_match "^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE$"
	has_match "^Images +[1-9][0-9]* +[1-9][0-9]* +[0-9.]+[kMG]?B +[0-9.]+[kMG]?B"
	has_match "^Containers +1 +1 +[0-9.]+[kMG]?B +0B"
	has_match "^Local Volumes +[0-9]+ +[0-9]+ +[0-9.]+[kMG]?B"
	has_match "^Build Cache +0 +0 +0B +0B$"
	run --separate-stderr d system df -v
	[ "$status" -eq 0 ]
	has_line "Images space usage:"
	has_line "Containers space usage:"
	has_line "Local Volumes space usage:"
	# One row per image (under one of its names), used by 1 container.
	local id
	id=$(d image inspect -f '{{.Id}}' "$BOX")
	has_match "^[^ ]+ +1 +${id:7:12} +.* 1$"
	has_match "^[0-9a-f]{12} +tugbox:1 +\"sleep 1000\" +0 +[0-9.]+[kMG]?B .* Up .* dftest$"
}
