#!/usr/bin/env bats
# The stock docker CLI against the daemon (PEER=tug, or dockerd to prove the
# tests): networks (ls/create/inspect/rm, the three built-in ones) and volumes
# (create/ls/inspect/rm, a named volume outliving its containers). Output and
# exit codes as dockerd 20.10 gives them.

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
	[ -n "${DAEMON_PID:-}" ] || return 0
	daemon_rm_all
	d network rm tnet >/dev/null 2>&1 || :
	d volume rm tvol >/dev/null 2>&1 || :
}

@test "network ls: bridge, host and none are there" {
	run --separate-stderr d network ls
	[ "$status" -eq 0 ]
	has_match "^NETWORK ID +NAME +DRIVER +SCOPE$"
	has_match "^[0-9a-f]{12} +bridge +bridge +local$"
	has_match "^[0-9a-f]{12} +host +host +local$"
	has_match "^[0-9a-f]{12} +none +null +local$"
	run d network ls --format '{{.Name}}'
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "bridge host none " ]
}

@test "network create / inspect / ls / rm" {
	run --separate-stderr d network create tnet
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	local id=$output
	run d network ls --format '{{.ID}} {{.Name}} {{.Driver}}' --filter name=tnet
	[ "$output" = "${id:0:12} tnet bridge" ]
	run --separate-stderr d network inspect tnet
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	[ "$(jq -r '.[0].Name' <<<"$output")" = tnet ]
	[ "$(jq -r '.[0].Driver' <<<"$output")" = bridge ]
	[ "$(jq -r '.[0].Scope' <<<"$output")" = local ]
	[[ "$(jq -r '.[0].IPAM.Config[0].Subnet' <<<"$output")" =~ ^[0-9.]+/[0-9]+$ ]]
	run d network inspect -f '{{.Name}} {{.Driver}}' "${id:0:12}"
	[ "$output" = "tnet bridge" ]
	run --separate-stderr d network rm tnet
	[ "$status" -eq 0 ]
	[ "$output" = tnet ]
	run d network ls -q --filter name=tnet
	[ -z "$output" ]
}

@test "network errors: duplicate name, unknown network" {
	d network create tnet >/dev/null
	run --separate-stderr d network create tnet
	[ "$status" -eq 1 ]
	err_line "Error response from daemon: network with name tnet already exists"
	run --separate-stderr d network rm nosuch
	[ "$status" -eq 1 ]
	err_line "Error response from daemon: network nosuch not found"
	run --separate-stderr d network inspect nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "[]" ]
	err_line "Error response from daemon: network nosuch not found"
}

@test "a container on a created network gets an address in its subnet" {
	# addresses come with bridge networking (the networking issue)
	[ "$PEER" != tug ] || skip "tug gives containers no network addresses yet"
	d network create tnet >/dev/null
	local sub
	sub=$(d network inspect -f '{{(index .IPAM.Config 0).Subnet}}' tnet)
	d run -d --name onnet --network tnet "$BOX" sleep 1000 >/dev/null
	run d inspect -f '{{.NetworkSettings.Networks.tnet.IPAddress}}' onnet
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9.]+$ ]]
	# Same /16 or /24 prefix as the subnet (first two octets).
	[ "$(cut -d. -f1-2 <<<"$output")" = "$(cut -d. -f1-2 <<<"$sub")" ]
	run d exec onnet ip -4 -o addr show eth0
	[[ "$output" == *"inet $(d inspect -f '{{.NetworkSettings.Networks.tnet.IPAddress}}' onnet)/"* ]]
	# In use: rm refused.
	run --separate-stderr d network rm tnet
	[ "$status" -eq 1 ]
	err_match "^Error response from daemon: error while removing network: network tnet id [0-9a-f]{64} has active endpoints$"
}

@test "--network none has only lo; host sees the namespace's devices" {
	run d run --rm --network none "$BOX" sh -c 'ls /sys/class/net | tr "\n" " "'
	[ "$status" -eq 0 ]
	[ "$output" = "lo " ]
	run d run --rm --network host "$BOX" sh -c 'ls /sys/class/net'
	[ "$status" -eq 0 ]
	grep -qx lo <<<"$output"
}

@test "volume create / ls / inspect / rm" {
	run --separate-stderr d volume create tvol
	[ "$status" -eq 0 ]
	[ "$output" = tvol ]
	run --separate-stderr d volume ls
	[ "$status" -eq 0 ]
	has_match "^DRIVER +VOLUME NAME$"
	has_match "^local +tvol$"
	run d volume inspect -f '{{.Name}} {{.Driver}} {{.Mountpoint}} {{.Scope}}' tvol
	[ "$output" = "tvol local $DAEMON_DIR/root/volumes/tvol/_data local" ]
	run d volume inspect tvol
	[ "$(jq -r '.[0].Name' <<<"$output")" = tvol ]
	[[ "$(jq -r '.[0].CreatedAt' <<<"$output")" =~ ^20[0-9-]{8}T ]]
	# Creating it again is no error and the same volume.
	run d volume create tvol
	[ "$status" -eq 0 ]
	[ "$output" = tvol ]
	run --separate-stderr d volume rm tvol
	[ "$status" -eq 0 ]
	[ "$output" = tvol ]
	run d volume ls -q
	no_match "^tvol$"
}

@test "volume create without a name: a 64-hex name" {
	run --separate-stderr d volume create
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	local v=$output
	run d volume ls -q
	has_line "$v"
	d volume rm "$v" >/dev/null
}

@test "volume errors: unknown volume, volume in use" {
	run --separate-stderr d volume rm nosuch
	[ "$status" -eq 1 ]
	err_line "Error response from daemon: get nosuch: no such volume"
	run --separate-stderr d volume inspect nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "[]" ]
	err_line "Error response from daemon: get nosuch: no such volume"
	d volume create tvol >/dev/null
	local cid
	cid=$(d run -d --name user -v tvol:/data "$BOX" sleep 1000)
	run --separate-stderr d volume rm tvol
	[ "$status" -eq 1 ]
	err_line "Error response from daemon: remove tvol: volume is in use - [$cid]"
}

@test "-v named volume: data outlives the containers; created on first use" {
	run --separate-stderr d run --rm -v tvol:/data "$BOX" sh -c 'echo persisted >/data/f; mkdir /data/sub'
	[ "$status" -eq 0 ]
	run d volume ls -q --filter name=tvol
	[ "$output" = tvol ]
	run --separate-stderr d run --rm -v tvol:/data:ro "$BOX" cat /data/f
	[ "$status" -eq 0 ]
	[ "$output" = persisted ]
	run --separate-stderr d run --rm -v tvol:/data:ro "$BOX" sh -c 'echo x >/data/g'
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"Read-only file system"* ]]
	[ "$(cat "$DAEMON_DIR/root/volumes/tvol/_data/f")" = persisted ]
	run d inspect -f '{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}}{{end}}' \
		"$(d run -d -v tvol:/data "$BOX" sleep 1000)"
	[ "$output" = "volume tvol /data true" ]
}

@test "-v host path: a bind mount both ways" {
	local h=$BATS_TEST_TMPDIR/host
	mkdir -p "$h"
	echo from-host >"$h/in"
	run --separate-stderr d run --rm -v "$h:/mnt" "$BOX" sh -c 'cat /mnt/in; echo from-container >/mnt/out'
	[ "$status" -eq 0 ]
	[ "$output" = from-host ]
	[ "$(cat "$h/out")" = from-container ]
}

@test "the 20.10 CLI as a second client: network and volume ls" {
	[ -x "$DOCKER2" ] || skip "needs $DOCKER2 (docker.io)"
	d volume create tvol >/dev/null
	run "$DOCKER2" volume ls --format '{{.Driver}} {{.Name}}'
	has_line "local tvol"
	run "$DOCKER2" network ls --format '{{.Name}} {{.Driver}}'
	has_line "bridge bridge"
	has_line "none null"
}
