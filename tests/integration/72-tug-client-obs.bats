#!/usr/bin/env bats
# The client's observation commands against a daemon over the Engine API:
# top, stats, events, system df and system prune. Where the docker CLI is
# installed it is run against the same daemon and the outputs compared.
# Setup as 67-tug-cli.bats: `tug daemon` on a socket of its own (or the
# daemon named by TUG_CLI_HOST), the fixture image loaded.

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
	for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null || true
}

setup() {
	need_feature CLIENT
	export TUG_HOST=$(cat "$CLI_DIR/host")
	[ -f "$CLI_DIR/up" ] || skip "the daemon at $TUG_HOST does not answer the Engine API (yet)"
	IMG=tug-test/single
}

teardown() {
	[ -f "$CLI_DIR/up" ] || return 0
	"$TUG" rm -f $("$TUG" ps -aq) >/dev/null 2>&1 || :
}

need_image() {
	[ -f "$CLI_DIR/image" ] || skip "the fixture image could not be loaded"
}

# The docker CLI against the same daemon.
need_docker() {
	command -v docker >/dev/null || skip "no docker CLI to compare with"
}
dk() {
	docker -H "$TUG_HOST" "$@"
}
# tug's and docker's output of the same command are the same; tried thrice,
# as "CREATED"/"Up N seconds" may tick between the two.
same_as_docker() {
	local i
	for i in 1 2 3; do
		[ "$("$TUG" "$@")" = "$(dk "$@")" ] && return 0
		sleep 0.3
	done
	diff <("$TUG" "$@") <(dk "$@") >&2
	return 1
}

@test "top: docker's columns (minimum width 20), as the docker CLI prints them" {
	need_image
	"$TUG" run -d --name obs-top "$IMG" sleep 300 >/dev/null
	run "$TUG" top obs-top
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^UID\ {17}PID\ {17}PPID ]]
	[[ "$output" == *"sleep 300"* ]]
	if command -v docker >/dev/null; then
		same_as_docker top obs-top
		same_as_docker top obs-top -o pid,comm
	fi
	run "$TUG" top obs-nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == "Error response from daemon: No such container: obs-nosuch" ]]
	run "$TUG" top
	[ "$status" -eq 125 ]
}

@test "events: --since/--until lines identical to the docker CLI's, in a zone too" {
	need_image
	need_docker
	local since until zone=UTC
	since=$(date +%s)
	"$TUG" run --name obs-ev "$IMG" true
	"$TUG" rm obs-ev >/dev/null
	sleep 1.1
	until=$(date +%s)
	run "$TUG" events --since "$since" --until "$until"
	[ "$status" -eq 0 ]
	[[ "$output" =~ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}(Z|[+-][0-9]{2}:[0-9]{2})\ container\ create\ [0-9a-f]{64}\ \(image=$IMG,\ name=obs-ev\) ]]
	[[ "$output" == *" container destroy "* ]]
	[ "$output" = "$(dk events --since "$since" --until "$until")" ]
	[ -e /usr/share/zoneinfo/Asia/Kolkata ] && zone=Asia/Kolkata
	[ "$(TZ=$zone "$TUG" events --since "$since" --until "$until")" = \
		"$(TZ=$zone dk events --since "$since" --until "$until")" ]
	# durations and dates are turned into timestamps on the client, as docker does
	for s in 10m 1h30m "$(TZ=$zone date -d @"$since" +%Y-%m-%dT%H:%M:%S)" \
		"$(date -u -d @"$since" +%Y-%m-%dT%H:%M:%SZ)"; do
		[ "$(TZ=$zone "$TUG" events --since "$s" --until "$until")" = \
			"$(TZ=$zone dk events --since "$s" --until "$until")" ]
	done
}

@test "events: --format templates and json, -f filters, as the docker CLI" {
	need_image
	need_docker
	local since until f
	since=$(date +%s)
	"$TUG" run --name obs-evf "$IMG" true
	"$TUG" rm obs-evf >/dev/null
	sleep 1.1
	until=$(date +%s)
	for f in json '{{.Type}} {{.Action}} {{.ID}} {{.Status}} {{.Actor.Attributes.name}}' \
		'{{json .Actor}}' '{{.Actor.Attributes}}'; do
		[ "$("$TUG" events --since "$since" --until "$until" --format "$f")" = \
			"$(dk events --since "$since" --until "$until" --format "$f")" ]
	done
	run "$TUG" events --since "$since" --until "$until" -f event=die -f type=container
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *" container die "* ]]
	[ "$output" = "$(dk events --since "$since" --until "$until" -f event=die -f type=container)" ]
}

@test "events: a bad --since, filter or template fails as docker" {
	run "$TUG" events --since abc --until 1
	[ "$status" -eq 1 ]
	[ "$output" = 'failed to parse value as time or duration: "abc"' ]
	run "$TUG" events --since 1 --until 2 -f nofilter
	[ "$status" -eq 125 ]
	[[ "${lines[0]}" == 'invalid argument "nofilter" for "-f, --filter" flag: bad format of filter (expected name=value)' ]]
	run "$TUG" events --since 1 --until 2 --format '{{.Type'
	[ "$status" -eq 64 ]
	[[ "$output" == "Error parsing format: "* ]]
}

@test "system df: the summary, -v and --format identical to the docker CLI's" {
	need_image
	need_docker
	local f
	"$TUG" volume create obs-vol >/dev/null
	"$TUG" run -d --name obs-df -v obs-vol:/data "$IMG" sleep 300 >/dev/null
	"$TUG" run --name obs-dfx "$IMG" true
	run "$TUG" system df
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^TYPE\ +TOTAL\ +ACTIVE\ +SIZE\ +RECLAIMABLE$ ]]
	[[ "${lines[1]}" =~ ^Images\ +[0-9]+\ +[0-9]+\ +[0-9.]+[kMG]?B\ +[0-9.]+[kMG]?B\ \([0-9]+%\)$ ]]
	[[ "${lines[2]}" =~ ^Containers\ +2\ +1\  ]]
	[[ "${lines[3]}" =~ ^Local\ Volumes\  ]]
	[[ "${lines[4]}" =~ ^Build\ Cache\  ]]
	[ "$output" = "$(dk system df)" ]
	same_as_docker system df -v
	for f in json '{{.Type}}: {{.Reclaimable}}' 'table {{.Type}}\t{{.Size}}'; do
		[ "$("$TUG" system df --format "$f")" = "$(dk system df --format "$f")" ]
	done
	f='{{range .Images}}{{.Repository}} {{.Size}} {{end}}{{range .Volumes}}{{.Name}} {{.Links}}{{end}}'
	[ "$("$TUG" system df -v --format "$f")" = "$(dk system df -v --format "$f")" ]
	"$TUG" volume rm -f obs-vol >/dev/null 2>&1 || :
}

@test "system prune: docker's warning, declined does nothing, -f prunes and totals" {
	need_image
	local id
	id=$("$TUG" run -d "$IMG" true)
	"$TUG" wait "$id" >/dev/null
	run bash -c "echo n | '$TUG' system prune -a --filter label=b --filter label!=a"
	[ "$status" -eq 0 ]
	[ "$output" = "WARNING! This will remove:
  - all stopped containers
  - all networks not used by at least one container
  - all images without at least one container associated to them
  - all build cache

  Items to be pruned will be filtered with:
  - label!=a
  - label=b

Are you sure you want to continue? [y/N] " ]
	if command -v docker >/dev/null; then
		for a in "" -a --volumes "-a --volumes --filter label=x"; do
			[ "$(echo n | "$TUG" system prune $a)" = "$(echo n | dk system prune $a)" ]
		done
	fi
	"$TUG" inspect "$id" >/dev/null
	run "$TUG" system prune -f
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Deleted Containers:" ]
	[ "${lines[1]}" = "$id" ]
	[[ "${lines[-1]}" =~ ^Total\ reclaimed\ space:\ [0-9.]+[kMG]?B$ ]]
	run "$TUG" inspect "$id"
	[ "$status" -eq 1 ]
	run "$TUG" system prune --volumes --filter until=1h
	[ "$status" -eq 1 ]
	[ "$output" = 'ERROR: The "until" filter is not supported with "--volumes"' ]
}

@test "stats --no-stream: docker's table, fields and errors, as the docker CLI" {
	need_image
	local f='{{.Container}} {{.ID}} {{.Name}} {{.CPUPerc}} {{.MemPerc}} {{.NetIO}} {{.BlockIO}} {{.PIDs}}'
	"$TUG" run -d --name obs-st "$IMG" sleep 300 >/dev/null
	run "$TUG" stats --no-stream obs-st
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +NET\ I/O\ +BLOCK\ I/O\ +PIDS$ ]]
	[[ "${lines[1]}" =~ ^[0-9a-f]{12}\ +obs-st\ +[0-9]+\.[0-9]{2}%\ +[0-9.]+[KMG]?i?B\ /\ [0-9.]+[KMG]?i?B\ +[0-9]+\.[0-9]{2}%\ .*\ 1$ ]]
	run "$TUG" stats --no-stream --no-trunc --format '{{.ID}}'
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	run "$TUG" stats --no-stream obs-st obs-nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: No such container: obs-nosuch" ]
	if command -v docker >/dev/null; then
		[ "$("$TUG" stats --no-stream --format "$f" obs-st)" = \
			"$(dk stats --no-stream --format "$f" obs-st)" ]
		[ "$("$TUG" stats --no-stream -a --format "$f")" = \
			"$(dk stats --no-stream -a --format "$f")" ]
		[ "$("$TUG" stats --no-stream --format 'json' obs-st | sed 's/"MemUsage":"[^"]*",//')" = \
			"$(dk stats --no-stream --format 'json' obs-st | sed 's/"MemUsage":"[^"]*",//')" ]
		[ "$("$TUG" stats --no-stream obs-nosuch 2>&1)" = "$(dk stats --no-stream obs-nosuch 2>&1)" ]
	fi
}

@test "stats: streams redrawn, running containers followed through their events" {
	need_image
	"$TUG" run -d --name obs-s1 "$IMG" sleep 300 >/dev/null
	(sleep 1.5; "$TUG" run -d --name obs-s2 "$IMG" sleep 2 >/dev/null) &
	run -124 timeout 6 "$TUG" stats --format '{{.Name}} {{.PIDs}}'
	wait
	# not a terminal: plain tables, no cursor movement
	[[ "$output" != *$'\033'* ]]
	[[ "$output" == *"obs-s1 1"* ]]
	[[ "$output" == *"obs-s2 1"* ]]
	# obs-s2 came after the first frames and went away when it died
	[[ "${lines[0]}" == "obs-s1 1" ]]
	[[ "${lines[-1]}" == "obs-s1 1" ]]
	run -124 timeout 2 "$TUG" stats obs-s1
	[ "$(grep -c '^CONTAINER ID' <<<"$output")" -ge 2 ]
}
