#!/usr/bin/env bats
# The client face against a daemon over the Engine API: `tug daemon` on a
# socket of its own, or the daemon named by TUG_CLI_HOST (e.g. a dockerd
# started by hand in its own network namespace) to check the client alone.
# Images are loaded from the fixture archive (no registry needed).

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	export CLI_DIR=$BATS_FILE_TMPDIR/cli
	mkdir -p "$CLI_DIR"
	if [ -n "${TUG_CLI_HOST:-}" ]; then
		echo "$TUG_CLI_HOST" >"$CLI_DIR/host"
	else
		"$TUG" daemon -H "unix://$CLI_DIR/d.sock" --data-root "$CLI_DIR/root" \
			--exec-root "$CLI_DIR/run" >"$CLI_DIR/daemon.log" 2>&1 &
		echo $! >"$CLI_DIR/daemon.pid"
		echo "unix://$CLI_DIR/d.sock" >"$CLI_DIR/host"
		for _ in $(seq 50); do
			[ -S "$CLI_DIR/d.sock" ] && break
			sleep 0.1
		done
	fi
	export TUG_HOST=$(cat "$CLI_DIR/host")
	if "$TUG" version >/dev/null 2>&1; then
		touch "$CLI_DIR/up"
		if [ -x tests/fixtures/make-test-images ] && command -v skopeo >/dev/null; then
			tests/fixtures/make-test-images "$CLI_DIR/img" single docker-archive \
				>/dev/null 2>&1 &&
				"$TUG" load -i "$CLI_DIR/img/single.docker.tar" >/dev/null 2>&1 &&
				touch "$CLI_DIR/image"
		fi
	fi
}

teardown_file() {
	local pid
	[ -f "$CLI_DIR/daemon.pid" ] || return 0
	pid=$(cat "$CLI_DIR/daemon.pid")
	kill "$pid" 2>/dev/null || return 0
	# the daemon stops its containers (and unmounts them) before it exits
	for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
}

setup() {
	need_feature CLIENT
	export TUG_HOST=$(cat "$CLI_DIR/host")
	[ -f "$CLI_DIR/up" ] || skip "the daemon at $TUG_HOST does not answer the Engine API (yet)"
	IMG=tug-test/single
}

need_image() {
	[ -f "$CLI_DIR/image" ] || skip "the fixture image could not be loaded"
}

@test "cli: version prints a client and a server block" {
	run "$TUG" version
	[ "$status" -eq 0 ]
	[[ "$output" == *"Client:"* ]]
	[[ "$output" == *"Server:"* ]]
	[[ "$output" == *"API version:"* ]]
}

@test "cli: an unreachable daemon is a clear error" {
	TUG_HOST=unix://$CLI_DIR/nope.sock run "$TUG" ps
	[ "$status" -eq 1 ]
	[[ "$output" == *"Cannot connect to the tug daemon at unix://$CLI_DIR/nope.sock"* ]]
}

@test "cli: -H wins over TUG_HOST" {
	TUG_HOST=unix:///nonexistent.sock run "$TUG" -H "$(cat "$CLI_DIR/host")" ps -q
	[ "$status" -eq 0 ]
}

@test "cli: images lists the loaded image" {
	need_image
	run "$TUG" images
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "REPOSITORY"*"TAG"*"IMAGE ID"*"CREATED"*"SIZE" ]]
	[[ "$output" == *"$IMG"*latest* ]]
}

@test "cli: run --rm prints the output and returns the exit code" {
	need_image
	run "$TUG" run --rm "$IMG" sh -c 'echo hi; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = "hi" ]
}

@test "cli: run -i passes stdin, demultiplexes stderr" {
	need_image
	run bash -c "echo piped | '$TUG' run --rm -i $IMG sh -c 'cat; echo err >&2' 2>/dev/null"
	[ "$status" -eq 0 ]
	[ "$output" = "piped" ]
}

@test "cli: run of a missing command exits 127, a missing image 125" {
	need_image
	run -127 "$TUG" run --rm "$IMG" nosuchcommand
	[ "$status" -eq 127 ]
	run "$TUG" run --rm tug-test/nosuchimage:1 true
	[ "$status" -eq 125 ]
	[[ "$output" == *"Unable to find image"* ]]
}

@test "cli: run -d, ps, logs, exec, inspect, stop, rm" {
	need_image
	run "$TUG" run -d --name cli-web -l k=v "$IMG" sh -c 'echo started; sleep 300'
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	run "$TUG" ps --format '{{.Names}} {{.State}} {{.Labels}}'
	[[ "$output" == *"cli-web running k=v"* ]]
	run "$TUG" ps -q --no-trunc
	[[ "$output" == *"$(echo "${output}" | head -1)"* ]]
	sleep 0.5
	run "$TUG" logs cli-web
	[ "$output" = "started" ]
	run "$TUG" exec cli-web sh -c 'echo in-exec; exit 4'
	[ "$status" -eq 4 ]
	[ "$output" = "in-exec" ]
	run "$TUG" inspect -f '{{.State.Status}} {{index .Config.Labels "k"}}' cli-web
	[ "$output" = "running v" ]
	run "$TUG" stop -t 1 cli-web
	[ "$output" = "cli-web" ]
	run "$TUG" inspect -f '{{.State.Running}}' cli-web
	[ "$output" = "false" ]
	run "$TUG" rm cli-web
	[ "$status" -eq 0 ]
	run "$TUG" rm cli-web
	[ "$status" -eq 1 ]
	[[ "$output" == "Error response from daemon: "*"cli-web"* ]]
}

@test "cli: inspect of an unknown name" {
	run "$TUG" inspect cli-no-such-object
	[ "$status" -eq 1 ]
	[[ "$output" == *"Error: No such object: cli-no-such-object"* ]]
}

@test "cli: volume and network create, ls, rm" {
	run "$TUG" volume create cli-vol
	[ "$output" = "cli-vol" ]
	run "$TUG" volume ls -q
	[[ "$output" == *cli-vol* ]]
	run "$TUG" volume rm cli-vol
	[ "$status" -eq 0 ]
	run "$TUG" network create cli-net
	[ "$status" -eq 0 ]
	run "$TUG" network ls --format '{{.Name}}'
	[[ "$output" == *cli-net* ]]
	run "$TUG" network rm cli-net
	[ "$output" = "cli-net" ]
}
