#!/usr/bin/env bats
# The daemon's volumes and networks through the Engine API (curl) and the
# docker CLI: output and exit codes as dockerd gives them, the records on
# disk, persistence across a daemon restart. Starts its own `tug daemon` on
# a socket in the test folder; skips while none answers there.

load helpers

bats_require_minimum_version 1.5.0

daemon_start() {
	"$TUG" daemon -H "unix://$S" --data-root "$ROOT" --exec-root "$RUN" \
		>>"$BATS_FILE_TMPDIR/daemon.log" 2>&1 &
	echo $! >"$BATS_FILE_TMPDIR/daemon.pid"
	for _ in $(seq 50); do
		curl -sf --unix-socket "$S" http://d/_ping >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 0
}

daemon_stop() {
	local pid
	pid=$(cat "$BATS_FILE_TMPDIR/daemon.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || :
}

paths() {
	S=$BATS_FILE_TMPDIR/d.sock
	ROOT=$BATS_FILE_TMPDIR/root
	RUN=$BATS_FILE_TMPDIR/run
	export DOCKER_HOST=unix://$S DOCKER_CONFIG=$BATS_FILE_TMPDIR/docker
}

setup_file() {
	paths
	"$TUG" features | grep -q '^  +DAEMON ' || return 0
	[ "$(id -u)" -eq 0 ] || return 0
	daemon_start
}

teardown_file() {
	daemon_stop
}

setup() {
	need_feature DAEMON
	need_root
	need_cmd curl
	need_cmd jq
	paths
	curl -sf --unix-socket "$S" http://d/_ping >/dev/null 2>&1 || skip "the daemon does not answer"
}

# api METHOD PATH [BODY]: status on the first line, then the body.
api() {
	local args=(-s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}\n' --unix-socket "$S" -X "$1")
	[ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' -d "$3")
	curl "${args[@]}" "http://d$2"
	cat "$BATS_TEST_TMPDIR/body"
}

@test "volume create, ls, inspect as dockerd prints them" {
	need_cmd docker
	run docker volume create anchorvol
	[ "$status" -eq 0 ]
	[ "$output" = anchorvol ]
	[ -d "$ROOT/volumes/anchorvol/_data" ]
	[ -f "$ROOT/volumes/anchorvol/opts.json" ]
	run docker volume ls -f name=anchorvol
	[ "$status" -eq 0 ]
	[ "$output" = "DRIVER    VOLUME NAME
local     anchorvol" ]
	run docker volume inspect anchorvol
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Mountpoint' <<<"$output")" = "$ROOT/volumes/anchorvol/_data" ]
	[ "$(jq -c '.[0] | [.Driver, .Scope, .Labels, .Options]' <<<"$output")" = '["local","local",null,null]' ]
	[[ "$(jq -r '.[0].CreatedAt' <<<"$output")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
}

@test "volume create over the API: 201, the fields in dockerd's order" {
	run api POST /v1.47/volumes/create '{"Name":"apivol","Labels":{"k":"v"},"DriverOpts":{}}'
	[ "${lines[0]}" = 201 ]
	[ "$(jq -c 'keys_unsorted' <<<"${lines[1]}")" = '["CreatedAt","Driver","Labels","Mountpoint","Name","Options","Scope"]' ]
	[ "$(jq -c '[.Labels, .Options]' <<<"${lines[1]}")" = '[{"k":"v"},{}]' ]
	run api POST /v1.47/volumes/create '{"Name":"apivol"}'
	[ "${lines[0]}" = 201 ]
	[ "$(jq -c .Labels <<<"${lines[1]}")" = '{"k":"v"}' ] # the existing one, as it was
	run api GET '/volumes?filters=%7B%22label%22%3A%5B%22k%3Dv%22%5D%7D'
	[ "${lines[0]}" = 200 ]
	[ "$(jq -c '[.Volumes[].Name], .Warnings' <<<"${lines[1]}")" = '["apivol"]
null' ]
	run api GET '/volumes?filters=%7B%22bogus%22%3A%5B%221%22%5D%7D'
	[ "${lines[0]}" = 400 ]
	[ "${lines[1]}" = '{"message":"invalid filter '"'"'bogus'"'"'"}' ]
}

@test "volume errors: names, drivers, options, missing volumes" {
	need_cmd docker
	run docker volume create a
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: create a: volume name is too short, names should be at least two alphanumeric characters" ]
	run docker volume create 'x/y'
	[ "$status" -eq 1 ]
	[[ "$output" == *'"x/y" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path' ]]
	run docker volume create -d foo pv
	[ "$status" -eq 1 ]
	[ "$output" = 'Error response from daemon: create pv: error looking up volume plugin foo: plugin "foo" not found' ]
	run docker volume create -o colour=red ov
	[ "$output" = 'Error response from daemon: create ov: invalid option: "colour"' ]
	run docker volume create -o type=tmpfs ov
	[ "$output" = 'Error response from daemon: create ov: missing required option: "device"' ]
	[ ! -e "$ROOT/volumes/ov" ]
	run docker volume inspect nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"Error response from daemon: get nosuch: no such volume" ]]
	run docker volume rm nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: get nosuch: no such volume" ]
	run docker volume rm -f nosuch
	[ "$status" -eq 0 ]
	run api GET /volumes/nosuch
	[ "${lines[0]}" = 404 ]
}

@test "volume rm: the folder goes, a destroy event is logged" {
	need_cmd docker
	docker volume create gone >/dev/null
	run docker volume rm gone
	[ "$status" -eq 0 ]
	[ "$output" = gone ]
	[ ! -e "$ROOT/volumes/gone" ]
	run docker volume ls -q -f name=gone
	[ "$output" = "" ]
	run curl -s --max-time 5 --unix-socket "$S" \
		"http://d/events?since=0&until=$(($(date +%s) + 1))&filters=%7B%22type%22%3A%5B%22volume%22%5D%7D"
	[[ "$output" == *'"Action":"create"'*'"ID":"gone"'* || "$output" == *'"ID":"gone"'*'"Action":"create"'* ]]
	[[ "$output" == *'"destroy"'* ]]
}

@test "volume prune: anonymous volumes only, unless --all (API 1.42 and later)" {
	need_cmd docker
	local anon
	anon=$(docker volume create)
	[[ "$anon" =~ ^[0-9a-f]{64}$ ]]
	[ "$(docker volume inspect -f '{{json .Labels}}' "$anon")" = '{"com.docker.volume.anonymous":""}' ]
	docker volume create named1 >/dev/null
	echo x123456789 >"$ROOT/volumes/$anon/_data/f"
	run docker volume prune -f
	[ "$status" -eq 0 ]
	[[ "$output" == *"$anon"* ]]
	[[ "$output" != *named1* ]]
	[[ "$output" == *"Total reclaimed space: 11B" ]]
	[ ! -e "$ROOT/volumes/$anon" ]
	run docker volume prune -af
	[ "$status" -eq 0 ]
	[[ "$output" == *named1* ]]
	run api POST /v1.47/volumes/prune
	[ "${lines[0]}" = 200 ]
	[ "${lines[1]}" = '{"VolumesDeleted":[],"SpaceReclaimed":0}' ]
	# an old client's prune takes named volumes too, as dockerd did before 1.42
	docker volume create named2 >/dev/null
	run api POST /v1.41/volumes/prune
	[ "$(jq -c .VolumesDeleted <<<"${lines[1]}")" = '["named2"]' ]
}

@test "network ls: the built-ins bridge, host, none" {
	need_cmd docker
	run docker network ls -f type=builtin
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "NETWORK ID     NAME      DRIVER    SCOPE" ]
	[[ "${lines[1]}" =~ ^[0-9a-f]{12}\ \ \ bridge\ \ \ \ bridge\ \ \ \ local$ ]]
	[[ "${lines[2]}" =~ ^[0-9a-f]{12}\ \ \ host\ \ \ \ \ \ host\ \ \ \ \ \ local$ ]]
	[[ "${lines[3]}" =~ ^[0-9a-f]{12}\ \ \ none\ \ \ \ \ \ null\ \ \ \ \ \ local$ ]]
	run docker network inspect bridge
	[ "$(jq -c '.[0].IPAM.Config' <<<"$output")" = '[{"Subnet":"172.17.0.0/16","Gateway":"172.17.0.1"}]' ]
	[ "$(jq -r '.[0].Options["com.docker.network.bridge.default_bridge"]' <<<"$output")" = true ]
}

@test "network create, inspect, rm as dockerd prints them" {
	need_cmd docker
	run docker network create anchornet
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	local id=$output
	[ -f "$ROOT/networks/$id.json" ]
	run docker network inspect anchornet
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	[ "$(jq -c '.[0].IPAM' <<<"$output")" = '{"Driver":"default","Options":{},"Config":[{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"}]}' ]
	[ "$(jq -c '.[0] | keys_unsorted' <<<"$output")" = '["Name","Id","Created","Scope","Driver","EnableIPv6","IPAM","Internal","Attachable","Ingress","ConfigFrom","ConfigOnly","Containers","Options","Labels"]' ]
	run docker network create anchornet
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: network with name anchornet already exists" ]
	run docker network rm anchornet
	[ "$status" -eq 0 ]
	[ "$output" = anchornet ]
	[ ! -e "$ROOT/networks/$id.json" ]
	run docker network inspect anchornet
	[ "$status" -eq 1 ]
	[[ "$output" == *"Error response from daemon: network anchornet not found" ]]
}

@test "network errors: pre-defined names, drivers, subnets" {
	need_cmd docker
	run docker network create bridge
	[ "$status" -eq 1 ]
	[[ "$output" == "Error response from daemon: operation is not permitted on predefined bridge network"* ]]
	run api POST /v1.47/networks/create '{"Name":"none"}'
	[ "${lines[0]}" = 403 ]
	[ "${lines[1]}" = '{"message":"operation is not permitted on predefined none network "}' ]
	run docker network rm bridge
	[ "$status" -eq 1 ]
	[[ "$output" == "Error response from daemon: bridge is a pre-defined network and cannot be removed"* ]]
	run docker network create -d foo x1
	[ "$output" = 'Error response from daemon: plugin "foo" not found' ]
	run docker network create --subnet 10.1.0.1/16 x1
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: invalid network config:
invalid subnet 10.1.0.1/16: it should be 10.1.0.0/16" ]
	run api DELETE /v1.47/networks/host
	[ "${lines[0]}" = 403 ]
	[ "${lines[1]}" = '{"message":"host is a pre-defined network and cannot be removed"}' ]
}

@test "network create over the API: 201 {Id, Warning}, subnets given and allocated" {
	run api POST /v1.47/networks/create '{"Name":"given","IPAM":{"Config":[{"Subnet":"10.20.0.0/24"}]},"Labels":{"k":"v"}}'
	[ "${lines[0]}" = 201 ]
	[ "$(jq -c 'keys_unsorted' <<<"${lines[1]}")" = '["Id","Warning"]' ]
	[ "$(jq -r .Warning <<<"${lines[1]}")" = "" ]
	run api GET /v1.47/networks/given
	[ "$(jq -c .IPAM.Config <<<"${lines[1]}")" = '[{"Subnet":"10.20.0.0/24","Gateway":"10.20.0.1"}]' ]
	run api POST /v1.47/networks/create '{"Name":"clash","IPAM":{"Config":[{"Subnet":"10.20.0.128/25"}]}}'
	[ "${lines[0]}" = 403 ]
	[ "${lines[1]}" = '{"message":"Pool overlaps with other one on this address space"}' ]
	run api GET '/v1.47/networks?filters=%7B%22label%22%3A%5B%22k%22%5D%7D'
	[ "$(jq -c '[.[].Name]' <<<"${lines[1]}")" = '["given"]' ]
	run api POST /v1.47/networks/given/connect '{"Container":"nosuch"}'
	[ "${lines[0]}" = 404 ]
	[ "${lines[1]}" = '{"message":"No such container: nosuch"}' ]
	run api DELETE /v1.47/networks/given
	[ "${lines[0]}" = 204 ]
}

@test "network prune: custom networks go, the built-ins stay" {
	need_cmd docker
	docker network create p1 >/dev/null
	docker network create --label keep=1 p2 >/dev/null
	run docker network prune -f --filter label!=keep
	[ "$status" -eq 0 ]
	[[ "$output" == *p1* ]]
	[[ "$output" != *p2* ]]
	run docker network ls --format '{{.Name}}'
	[[ "$output" == *p2* && "$output" == *bridge* && "$output" != *p1* ]]
	docker network rm p2 >/dev/null
	run api POST /v1.47/networks/prune
	[ "${lines[1]}" = '{"NetworksDeleted":null}' ]
}

@test "restart: volumes and networks come back, ids unchanged" {
	need_cmd docker
	docker volume create kept >/dev/null
	docker network create keptnet >/dev/null
	local before
	before=$(docker network ls -q --no-trunc | sort)
	daemon_stop
	daemon_start
	[ "$(docker network ls -q --no-trunc | sort)" = "$before" ]
	run docker volume ls -q -f name=kept
	[ "$output" = kept ]
	docker volume rm kept >/dev/null
	docker network rm keptnet >/dev/null
}
