#!/usr/bin/env bats
# Bad input to the Engine API (PEER=tug, or dockerd to prove the tests):
# broken request lines, oversized heads, slow clients, unknown endpoints,
# bad bodies and refused operations. Each answer's status and JSON message
# is dockerd 20.10's, and after each the daemon still serves /_ping.
# Raw bytes go through tests/fixtures/raw-http (python3 over the socket).

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
	RAW=$FIXTURES/raw-http
}

teardown() {
	[ -n "${DAEMON_PID:-}" ] && daemon_rm_all || :
}

# raw [raw-http args...]: stdin as raw bytes to the daemon; the answer.
raw() {
	"$RAW" "$DAEMON_DIR/d.sock" "$@"
}

# status_of: the status code on the first line of $output.
status_of() {
	head -n1 <<<"$output" | tr -d '\r' | cut -d' ' -f2
}

# code / body: api's last line (the status) and the rest (the body).
code() {
	tail -n1 <<<"$output"
}

body() {
	sed '$d' <<<"$output"
}

# json_msg: the "message" of the JSON body.
json_msg() {
	body | jq -r .message
}

@test "a malformed request line: 400, the connection closed" {
	run raw --timeout 5 <<<"GARBAGE"$'\r\n\r\n'
	[ "$status" -eq 0 ]
	[ "$(status_of)" = 400 ]
	still_serves
	run raw --timeout 5 < <(printf 'GET\r\n\r\n')
	[ "$status" -eq 0 ]
	[ "$(status_of)" = 400 ]
	run raw --timeout 5 < <(printf '\x00\x01\x02\xff\xfe binary\r\n\r\n')
	[ "$status" -eq 0 ]
	[ "$(status_of)" = 400 ]
	still_serves
}

@test "a head over 1 MiB: 431, and the daemon keeps serving" {
	run raw --timeout 10 --repeat-header 1100000 \
		< <(printf 'GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
	[ "$status" -eq 0 ]
	[ "$(status_of)" = 431 ]
	still_serves
	# Many header lines rather than one long one.
	run python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
try:
    s.sendall(b"GET /_ping HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 200000 + b"\r\n")
except OSError:
    pass
print(s.recv(100).split(b"\r\n")[0].decode())' "$DAEMON_DIR/d.sock"
	[ "$status" -eq 0 ]
	[[ "$output" == "HTTP/1.1 431 "* ]]
	still_serves
}

@test "an unsupported HTTP version: 505" {
	run raw --timeout 5 < <(printf 'GET /_ping HTTP/9.9\r\nHost: x\r\n\r\n')
	[ "$status" -eq 0 ]
	[ "$(status_of)" = 505 ]
	still_serves
}

@test "slow clients (a head byte a second) do not hold up the others" {
	local pids=() i t0
	for i in $(seq 20); do
		printf 'GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
			"$RAW" "$DAEMON_DIR/d.sock" --delay 1 --timeout 60 >/dev/null 2>&1 3>&- &
		pids+=($!)
	done
	sleep 1
	for i in 1 2 3 4; do
		t0=$(date +%s%N)
		still_serves || { kill "${pids[@]}"; false; }
		# Each ping answers well within the second between slow bytes.
		[ $((($(date +%s%N) - t0) / 1000000)) -lt 900 ] || { kill "${pids[@]}"; false; }
		run d ps -q
		[ "$status" -eq 0 ] || { kill "${pids[@]}"; false; }
		sleep 0.5
	done
	kill "${pids[@]}" 2>/dev/null || :
	wait "${pids[@]}" 2>/dev/null || :
	still_serves
}

@test "clients that hang up mid-request do no harm" {
	local i
	for i in $(seq 20); do
		python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"POST /v1.41/containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"Ima")
s.close()' "$DAEMON_DIR/d.sock"
	done
	still_serves
	run d ps -aq
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "an unknown endpoint: 404 JSON page not found" {
	run api GET /v1.41/nosuch
	[ "$(code)" = 404 ]
	[ "$(body | jq -c .)" = '{"message":"page not found"}' ]
	run api GET /nosuch
	[ "$(code)" = 404 ]
	[ "$(json_msg)" = "page not found" ]
	run api DELETE /v1.41/version
	[ "$(code)" = 404 ]
	[ "$(json_msg)" = "page not found" ]
	still_serves
}

@test "API versions: too new 400 JSON with dockerd's message, too old 400" {
	local api
	api=$(d version --format '{{.Server.APIVersion}}')
	run api GET /v1.99/version
	[ "$(code)" = 400 ]
	[ "$(json_msg)" = "client version 1.99 is too new. Maximum supported API version is $api" ]
	run curl -s --unix-socket "$DAEMON_DIR/d.sock" -w '\n%{http_code}' http://x/v1.11/version
	[ "$(code)" = 400 ]
	[[ "$(body)" == "client version 1.11 is too old. Minimum supported API version is "* ]]
	still_serves
}

@test "create with a broken JSON body: an error with a JSON message" {
	run api POST /v1.41/containers/create -H 'Content-Type: application/json' -d '{bad json'
	# dockerd 20.10 answers the decoder's error as a 500 (later Engines,
	# and tug, say 400: the client's fault).
	if [ "$PEER" = dockerd ]; then
		[ "$(code)" = 500 ]
		[ "$(json_msg)" = "invalid character 'b' looking for beginning of object key string" ]
	else
		[ "$(code)" = 400 ]
		[ -n "$(json_msg)" ]
	fi
	still_serves
	run api POST /v1.41/containers/create -H 'Content-Type: text/plain' -d "{\"Image\":\"$BOX\"}"
	[ "$(code)" = 400 ]
	[ "$(json_msg)" = "Content-Type specified (text/plain) must be 'application/json'" ]
	run d ps -aq
	[ -z "$output" ]
	still_serves
}

@test "create of an unknown image: 404 No such image" {
	run api POST /v1.41/containers/create -H 'Content-Type: application/json' -d '{"Image":"x"}'
	[ "$(code)" = 404 ]
	[ "$(json_msg)" = "No such image: x:latest" ]
	still_serves
}

@test "create with a taken name: 409 Conflict" {
	run api POST '/v1.41/containers/create?name=taken' -H 'Content-Type: application/json' \
		-d "{\"Image\":\"$BOX\"}"
	[ "$(code)" = 201 ]
	local id
	id=$(body | jq -r .Id)
	[[ "$id" =~ ^[0-9a-f]{64}$ ]]
	run api POST '/v1.41/containers/create?name=taken' -H 'Content-Type: application/json' \
		-d "{\"Image\":\"$BOX\"}"
	[ "$(code)" = 409 ]
	[ "$(json_msg)" = "Conflict. The container name \"/taken\" is already in use by container \"$id\". You have to remove (or rename) that container to be able to reuse that name." ]
	still_serves
}

@test "DELETE of a running container without force: 409; with force: 204" {
	run api POST '/v1.41/containers/create?name=runner' -H 'Content-Type: application/json' \
		-d "{\"Image\":\"$BOX\",\"Cmd\":[\"sleep\",\"1000\"]}"
	[ "$(code)" = 201 ]
	local id
	id=$(body | jq -r .Id)
	run api POST /v1.41/containers/runner/start
	[ "$(code)" = 204 ]
	run api DELETE /v1.41/containers/runner
	[ "$(code)" = 409 ]
	[ "$(json_msg)" = "You cannot remove a running container $id. Stop the container before attempting removal or force remove" ]
	[ "$(d inspect -f '{{.State.Running}}' runner)" = true ]
	run api DELETE '/v1.41/containers/runner?force=1'
	[ "$(code)" = 204 ]
	run api GET /v1.41/containers/runner/json
	[ "$(code)" = 404 ]
	[ "$(json_msg)" = "No such container: runner" ]
	still_serves
}
