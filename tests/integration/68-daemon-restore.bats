#!/usr/bin/env bats
# Supervision and live restore: a container killed from outside comes back
# under --restart always; the daemon killed with SIGKILL while containers
# run and log leaves them running, and the next daemon re-attaches: the
# containers are listed running, their logs are whole and go on, stop works,
# and the store passes `tug system check`. Driven with the stock docker CLI.

load helpers
bats_require_minimum_version 1.5.0

DOCKER=${DOCKER:-/usr/local/bin/docker}

start_daemon() {
	"$TUG" daemon -H "unix://$R/d.sock" --data-root "$R/root" --exec-root "$R/run" \
		--config-file "$R/daemon.json" >>"$R/daemon.log" 2>&1 &
	echo $! >"$R/daemon.pid"
	for _ in $(seq 100); do
		curl -sf --unix-socket "$R/d.sock" http://x/_ping >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	cat "$R/daemon.log"
	return 1
}

stop_daemon() {
	local pid
	[ -f "$R/daemon.pid" ] || return 0
	pid=$(cat "$R/daemon.pid")
	kill "$pid" 2>/dev/null || return 0
	for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || :
}

setup() {
	need_root
	need_feature DAEMON
	need_cmd skopeo
	[ -x "$DOCKER" ] || skip "no docker CLI at $DOCKER"
	R=$BATS_TEST_TMPDIR
	echo '{}' >"$R/daemon.json"
	export DOCKER_HOST=unix://$R/d.sock DOCKER_CONFIG=$R/cfg
	tests/fixtures/make-test-images "$R/img" single docker-archive >/dev/null 2>&1 ||
		skip "the fixture image could not be made"
	start_daemon
	"$DOCKER" load -i "$R/img/single.docker.tar" >/dev/null
	IMG=tug-test/single
}

teardown() {
	[ -n "${R:-}" ] || return 0
	"$DOCKER" rm -f $("$DOCKER" ps -aq 2>/dev/null) >/dev/null 2>&1 || :
	stop_daemon
	# whatever a failed test left: shims, mounts
	pkill -f "tug shim --id .* --bundle $R/" 2>/dev/null || :
	grep " $R/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r umount -l 2>/dev/null || :
}

# counter NAME: a container that logs n0, n1, ... every 50 ms
counter() {
	"$DOCKER" run -d --name "$1" "${@:2}" "$IMG" \
		sh -c 'i=0; while true; do echo n$i; i=$((i+1)); sleep 0.05; done' >/dev/null
}

# gaps NAME: the numbers its log is missing (empty when the log is whole)
gaps() {
	"$DOCKER" logs "$1" | sed 's/^n//' | awk 'NR > 1 && $1 != prev + 1 { print prev "->" $1 } { prev = $1 }'
}

@test "restart always: a container killed from outside comes back" {
	"$DOCKER" run -d --name rs --restart always "$IMG" sh -c 'echo up; sleep 1000' >/dev/null
	local pid
	pid=$("$DOCKER" inspect -f '{{.State.Pid}}' rs)
	[ "$pid" -gt 0 ]
	kill -9 "$pid"
	for _ in $(seq 100); do
		[ "$("$DOCKER" inspect -f '{{.RestartCount}} {{.State.Running}}' rs)" = "1 true" ] && break
		sleep 0.1
	done
	[ "$("$DOCKER" inspect -f '{{.RestartCount}} {{.State.Running}}' rs)" = "1 true" ]
	[ "$("$DOCKER" inspect -f '{{.State.Pid}}' rs)" != "$pid" ]
	[ "$("$DOCKER" logs rs | grep -c '^up$')" = 2 ]
	# stopped by the user: no restart
	"$DOCKER" stop -t 1 rs >/dev/null
	sleep 0.5
	[ "$("$DOCKER" inspect -f '{{.State.Status}}' rs)" = exited ]
}

@test "restart on-failure:2 gives up after two restarts; no restarts after exit 0" {
	"$DOCKER" run -d --name of --restart on-failure:2 "$IMG" sh -c 'exit 3' >/dev/null
	for _ in $(seq 100); do
		[ "$("$DOCKER" inspect -f '{{.RestartCount}} {{.State.Status}}' of)" = "2 exited" ] && break
		sleep 0.1
	done
	[ "$("$DOCKER" inspect -f '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' of)" = "2 exited 3" ]
	"$DOCKER" run -d --name ok --restart on-failure "$IMG" true >/dev/null
	sleep 1
	[ "$("$DOCKER" inspect -f '{{.RestartCount}} {{.State.Status}}' ok)" = "0 exited" ]
}

@test "daemon killed with SIGKILL: 5 containers keep running and logging; re-attached" {
	for i in 1 2 3 4 5; do counter "c$i"; done
	sleep 1
	local before id
	before=$("$DOCKER" logs c1 | wc -l)
	# the engine's ID: a UUID kept in <data-root>/engine-id
	id=$("$DOCKER" info -f '{{.ID}}')
	[[ "$id" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
	kill -9 "$(cat "$R/daemon.pid")"
	sleep 1
	# without a daemon, the containers and their shims go on
	[ "$(pgrep -fc "tug shim --id .* --bundle $R/")" -ge 5 ]
	start_daemon
	[ "$("$DOCKER" info -f '{{.ID}}')" = "$id" ]
	run "$DOCKER" ps --format '{{.Names}} {{.State}}'
	[ "$status" -eq 0 ]
	[ "$(grep -c ' running$' <<<"$output")" = 5 ]
	sleep 0.5
	for i in 1 2 3 4 5; do
		[ -z "$(gaps "c$i")" ]
	done
	# the log kept growing while the daemon was away, and goes on
	[ "$("$DOCKER" logs c1 | wc -l)" -gt $((before + 15)) ]
	# the re-attached daemon hears the exits: stop and rm work
	run "$DOCKER" stop -t 1 c1 c2
	[ "$status" -eq 0 ]
	[ "$("$DOCKER" inspect -f '{{.State.Status}}' c1)" = exited ]
	"$DOCKER" rm -f c3 >/dev/null
	run "$DOCKER" ps -aq
	[ "$(wc -l <<<"$output")" = 4 ]
	"$DOCKER" rm -f c1 c2 c4 c5 >/dev/null
	# checked by the daemon that holds the store (the killed one's
	# daemon.hosts was replaced by the new daemon's), then without it
	run timeout 20 "$TUG" --data-root "$R/root" system check
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "ok: $R/root is consistent" ]
	stop_daemon
	[ ! -e "$R/root/daemon.hosts" ]
	run "$TUG" --data-root "$R/root" system check
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "a container whose shim died with the daemon away is recorded as exited" {
	counter gone
	local shim
	shim=$(pgrep -f "tug shim --id .* --bundle $R/" | head -1)
	kill -9 "$(cat "$R/daemon.pid")"
	"$DOCKER" >/dev/null 2>&1 || :
	# the container's process exits: its shim records it and goes
	kill -9 "$(pgrep -P "$shim" | head -1)" 2>/dev/null || kill -9 "$shim"
	sleep 1
	start_daemon
	for _ in $(seq 50); do
		[ "$("$DOCKER" inspect -f '{{.State.Status}}' gone)" = exited ] && break
		sleep 0.1
	done
	[ "$("$DOCKER" inspect -f '{{.State.Status}}' gone)" = exited ]
	[ "$("$DOCKER" inspect -f '{{.State.ExitCode}}' gone)" = 137 ]
}

# mounted ROOT_PATH: how many mounts are at or under it
mounted() {
	awk -v p="$1" '$2 == p || index($2, p "/") == 1' /proc/self/mounts | wc -l
}

@test "rootfs mounts: kept from create to the first exit, gone after rm, run --rm and a daemon stop; a removal cut short ends at the next start" {
	local c1 c2 c3 c4 C=$R/root/containers
	c1=$("$DOCKER" create "$IMG" true)
	[ "$(mounted "$C/$c1/rootfs")" = 1 ]
	"$DOCKER" start -a "$c1"
	[ "$(mounted "$C/$c1/rootfs")" = 0 ]
	"$DOCKER" rm "$c1" >/dev/null
	[ ! -e "$C/$c1" ]
	# run --rm: the folder goes (renamed at once, deleted just after)
	"$DOCKER" run --rm --name gone "$IMG" true
	for _ in $(seq 50); do [ -z "$(ls -A "$C")" ] && break; sleep 0.1; done
	[ -z "$(ls -A "$C")" ]
	[ "$(mounted "$C")" = 0 ]
	# a daemon stop leaves no mount of a container never started
	c2=$("$DOCKER" create "$IMG" echo two)
	stop_daemon
	[ "$(mounted "$C")" = 0 ]
	start_daemon
	[ "$("$DOCKER" start -a "$c2")" = two ]
	# SIGKILL leaves c3's mount; a removal cut short after its rename
	c3=$("$DOCKER" create "$IMG" true)
	c4=$("$DOCKER" create "$IMG" true)
	kill -9 "$(cat "$R/daemon.pid")"
	sleep 0.2
	mv "$C/$c3" "$C/.trash-$c3"
	[ "$(mounted "$C/.trash-$c3/rootfs")" = 1 ]
	start_daemon
	[ ! -e "$C/.trash-$c3" ]
	[ "$(mounted "$C/.trash-$c3")" = 0 ]
	run ! "$DOCKER" inspect "$c3"
	# c4, mounted by the killed daemon, starts and goes
	"$DOCKER" start -a "$c4"
	"$DOCKER" rm "$c4" "$c2" >/dev/null
	for _ in $(seq 50); do [ -z "$(ls -A "$C")" ] && break; sleep 0.1; done
	[ -z "$(ls -A "$C")" ]
	[ "$(mounted "$C")" = 0 ]
}

@test "an AutoRemove container that ended while the daemon was away is removed when it comes back" {
	local id shim C=$R/root/containers
	id=$("$DOCKER" run -d --rm "$IMG" sleep 1000)
	shim=$(pgrep -f "tug shim --id $id" | head -1)
	[ -n "$shim" ]
	kill -9 "$(cat "$R/daemon.pid")"
	kill -9 "$(pgrep -P "$shim" | head -1)"
	for _ in $(seq 50); do kill -0 "$shim" 2>/dev/null || break; sleep 0.1; done
	start_daemon
	for _ in $(seq 50); do [ ! -e "$C/$id" ] && [ -z "$(ls -A "$C")" ] && break; sleep 0.1; done
	run ! "$DOCKER" inspect "$id"
	[ -z "$(ls -A "$C")" ]
	[ "$(mounted "$C")" = 0 ]
}
