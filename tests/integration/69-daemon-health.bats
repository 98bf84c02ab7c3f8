#!/usr/bin/env bats
# Healthchecks and exec resize through the stock docker CLI and curl
# (PEER=tug, or dockerd to prove the tests): probes run as execs at their
# interval, healthy / unhealthy after the retries / timeout / start period,
# State.Health in inspect, ps's "(healthy)" and health= filter, the
# health_status and exec_* events; POST /exec/{id}/resize sizes the exec's pty.

load helpers
load registry-helpers
load daemon-helpers

setup_file() {
	daemon_start && daemon_registry plain && daemon_image
}

# A test that restarted the daemon leaves its pid here for the others.
latest_pid() {
	[ ! -f "${DAEMON_DIR:-/nonexistent}/pid.now" ] || DAEMON_PID=$(cat "$DAEMON_DIR/pid.now")
}

teardown_file() {
	latest_pid
	daemon_stop
}

setup() {
	daemon_need
	latest_pid
}

teardown() {
	[ -n "${DAEMON_PID:-}" ] && daemon_rm_all || :
}

# hc NAME [run args...]: a container that sleeps, with the given health flags.
hc() {
	local n=$1
	shift
	d run -d --name "$n" "$@" "$BOX" sleep 1000 >/dev/null
}

# health_is NAME STATUS: .State.Health.Status is STATUS now.
health_is() {
	[ "$(d inspect -f '{{.State.Health.Status}}' "$1")" = "$2" ]
}

@test "health-cmd true: starting, then healthy; ps shows it and filters on it" {
	hc hok --health-cmd 'echo fine' --health-interval 1s
	run d ps --filter name=hok --format '{{.Status}}'
	has_match '^Up .* \(health: starting\)$'
	run d ps --filter health=starting --format '{{.Names}}'
	has_line hok
	wait_for 15 health_is hok healthy
	run d ps --filter name=hok --format '{{.Status}}'
	has_match '^Up .* \(healthy\)$'
	run d ps --filter health=healthy --format '{{.Names}}'
	has_line hok
	run d ps --filter health=unhealthy --format '{{.Names}}'
	no_match '^hok$'
	run d inspect -f '{{.State.Health.FailingStreak}} {{(index .State.Health.Log 0).ExitCode}} {{json (index .State.Health.Log 0).Output}}' hok
	[ "$output" = '0 0 "fine\n"' ]
	run d inspect -f '{{(index .State.Health.Log 0).Start}} {{(index .State.Health.Log 0).End}}' hok
	has_match '^20[0-9-]+ [0-9:.]+ \+0000 UTC 20[0-9-]+ [0-9:.]+ \+0000 UTC$'
}

@test "health-cmd false: unhealthy after the retries, output and streak logged" {
	hc hbad --health-cmd 'echo bad >&2; exit 3' --health-interval 1s --health-retries 2
	wait_for 15 health_is hbad unhealthy
	run d inspect -f '{{.State.Health.FailingStreak}}' hbad
	[ "$output" -ge 2 ]
	run d inspect -f '{{range .State.Health.Log}}{{.ExitCode}} {{json .Output}}|{{end}}' hbad
	has_match '^(3 "bad\\n"\|){2,5}$'
	run d ps --filter health=unhealthy --format '{{.Names}} {{.Status}}'
	has_match '^hbad Up .* \(unhealthy\)$'
}

@test "the log keeps the last five results" {
	hc hfive --health-cmd true --health-interval 1s
	for _ in $(seq 150); do
		[ "$(d inspect -f '{{len .State.Health.Log}}' hfive)" -ge 5 ] && break
		sleep 0.1
	done
	sleep 2.5
	run d inspect -f '{{len .State.Health.Log}}' hfive
	[ "$output" = 5 ]
}

@test "a probe past its timeout is killed: exit -1 and dockerd's words" {
	hc hslow --health-cmd 'echo started; sleep 30' --health-timeout 500ms \
		--health-interval 1s --health-retries 1
	wait_for 15 health_is hslow unhealthy
	run d inspect -f '{{(index .State.Health.Log 0).ExitCode}}|{{(index .State.Health.Log 0).Output}}' hslow
	# dockerd 27 adds what the probe wrote so far (": started"); 20.10 does not
	has_match '^-1\|Health check exceeded timeout \(500ms\)(: started)?$'
	# the killed probe is gone from the container
	run d exec hslow ps -o args
	no_match 'sleep 30'
}

@test "failures in the start period do not count" {
	hc hstart --health-cmd false --health-interval 1s --health-retries 1 \
		--health-start-period 60s
	for _ in $(seq 150); do
		[ "$(d inspect -f '{{len .State.Health.Log}}' hstart)" -ge 2 ] && break
		sleep 0.1
	done
	run d inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}}' hstart
	has_match '^starting 0 [2-5]$'
}

@test "StartInterval (API 1.44+): probes that often in the start period" {
	local v
	v=$(api GET /version | head -1 | jq -r .ApiVersion)
	[ "${v#1.}" -ge 44 ] || skip "the daemon's API $v has no StartInterval"
	local body='{"Image":"'$BOX'","Cmd":["sleep","1000"],"Healthcheck":{"Test":["CMD","true"],
		"Interval":60000000000,"StartPeriod":60000000000,"StartInterval":300000000}}'
	run api POST "/v1.47/containers/create?name=hsi" -H 'Content-Type: application/json' -d "$body"
	[ "${lines[-1]}" = 201 ]
	d start hsi >/dev/null
	wait_for 15 health_is hsi healthy
	# healthy within the start period: the next one waits the Interval
	sleep 1
	run d inspect -f '{{len .State.Health.Log}}' hsi
	[ "$output" = 1 ]
	# an older client's StartInterval is dropped, as dockerd does
	run api POST "/v1.43/containers/create?name=hsi2" -H 'Content-Type: application/json' -d "$body"
	[ "${lines[-1]}" = 201 ]
	run d inspect -f '{{.Config.Healthcheck.StartInterval}}' hsi2
	[ "$output" = 0s ]
}

@test "no healthcheck: no Health, health=none; --no-healthcheck records NONE" {
	hc hnone
	hc hoff --no-healthcheck
	run d inspect -f '{{json .State.Health}}' hnone hoff
	[ "$output" = "null
null" ]
	run d inspect -f '{{json .Config.Healthcheck.Test}}' hoff
	[ "$output" = '["NONE"]' ]
	run d ps --filter health=none --format '{{.Names}}'
	has_line hnone
	has_line hoff
	run --separate-stderr d ps --filter health=sick
	[ "$status" -ne 0 ]
	err_match 'filter value for health: sick'
}

@test "create refuses healthcheck times under 1ms, as dockerd" {
	run --separate-stderr d create --health-cmd true --health-interval 500us "$BOX"
	[ "$status" -eq 1 ]
	err_match 'Interval in Healthcheck cannot be less than 1ms'
	run --separate-stderr d create --health-cmd true --health-timeout 10ns "$BOX"
	[ "$status" -eq 1 ]
	err_match 'Timeout in Healthcheck cannot be less than 1ms'
}

@test "events: health_status, and each probe's exec_create/start/die" {
	local since
	since=$(date +%s)
	hc hev --health-cmd 'exit 0' --health-interval 1s
	wait_for 15 health_is hev healthy
	sleep 1.2
	run d events --since "$since" --until "$(date +%s)" --filter event=health_status \
		--filter container=hev --format '{{.Action}}'
	[ "$status" -eq 0 ]
	[ "$output" = "health_status: healthy" ]
	run d events --since "$since" --until "$(date +%s)" --filter container=hev \
		--format '{{.Action}} {{index .Actor.Attributes "exitCode"}}'
	has_line "exec_create: /bin/sh -c exit 0 "
	has_line "exec_start: /bin/sh -c exit 0 "
	has_line "exec_die 0"
	has_line "health_status: healthy "
}

@test "stop: the checks end, Health stays with Status unhealthy" {
	hc hstop --health-cmd true --health-interval 1s
	wait_for 15 health_is hstop healthy
	d stop -t 1 hstop >/dev/null
	run d inspect -f '{{.State.Status}} {{.State.Health.Status}}' hstop
	[ "$output" = "exited unhealthy" ]
	run d inspect -f '{{len .State.Health.Log}}' hstop
	[ "$output" -ge 1 ]
	local n=$output
	sleep 2
	# no probe ran after the stop
	[ "$(d inspect -f '{{len .State.Health.Log}}' hstop)" = "$n" ]
	# a start begins again at starting
	d start hstop >/dev/null
	run d inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' hstop
	[ "$output" = "starting 0" ]
}

@test "pause stops the checks (unhealthy), unpause resumes them" {
	hc hpause --health-cmd true --health-interval 1s
	wait_for 15 health_is hpause healthy
	d pause hpause >/dev/null
	run d inspect -f '{{.State.Status}} {{.State.Health.Status}}' hpause
	[ "$output" = "paused unhealthy" ]
	run d ps --filter name=hpause --format '{{.Status}}'
	has_match '^Up .* \(Paused\)$'
	d unpause hpause >/dev/null
	wait_for 15 health_is hpause healthy
}

# exec_new NAME JSON: create an exec in NAME; prints its id.
exec_new() {
	api POST "/containers/$1/exec" -H 'Content-Type: application/json' -d "$2" |
		head -1 | jq -r .Id
}

@test "exec resize: the exec's pty takes the size" {
	hc hrs
	local id
	id=$(exec_new hrs '{"Cmd":["sh","-c","sleep 1.5; stty size"],"Tty":true,"AttachStdout":true}')
	[ -n "$id" ] && [ "$id" != null ]
	curl -s --max-time 10 --unix-socket "$DAEMON_DIR/d.sock" -X POST \
		-H 'Content-Type: application/json' -d '{"Detach":false,"Tty":true}' \
		"http://x/exec/$id/start" >"$BATS_TEST_TMPDIR/out" &
	local pid=$!
	# the exec runs (resize before that waits for it, as dockerd does)
	run api POST "/exec/$id/resize?h=33&w=77"
	[ "${lines[-1]}" = 200 ]
	wait "$pid" || :
	run tr -d '\r' <"$BATS_TEST_TMPDIR/out"
	has_line "33 77"
}

@test "docker exec -t: the process sees the CLI's terminal size" {
	need_cmd script
	hc hrscli
	# script gives the CLI a pty of that size; it sends it with the exec
	run script -qec "stty rows 41 cols 101; $DOCKER exec -t hrscli sh -c 'sleep 0.5; stty size'" \
		/dev/null </dev/null
	[ "$status" -eq 0 ]
	has_match '^41 101'
}

@test "exec resize: unknown exec 404, bad sizes 400, no tty accepted" {
	hc hrs2
	run api POST "/exec/nosuchexec/resize?h=1&w=1"
	[ "${lines[-1]}" = 404 ]
	has_match 'No such exec instance: nosuchexec'
	local id
	id=$(exec_new hrs2 '{"Cmd":["sleep","3"],"AttachStdout":true}')
	api POST "/exec/$id/start" -H 'Content-Type: application/json' -d '{"Detach":true}' >/dev/null
	run api POST "/exec/$id/resize?h=x&w=1"
	[ "${lines[-1]}" = 400 ]
	run api POST "/exec/$id/resize?w=1"
	[ "${lines[-1]}" = 400 ]
	run api POST "/exec/$id/resize?h=10&w=10"
	[ "${lines[-1]}" = 200 ]
}

@test "exec resize: an exec that ended; one of a stopped container is gone" {
	hc hrs3
	local id id2
	id=$(exec_new hrs3 '{"Cmd":["true"],"Tty":true}')
	api POST "/exec/$id/start" -H 'Content-Type: application/json' -d '{"Detach":true}' >/dev/null
	for _ in $(seq 50); do
		[ "$(api GET "/exec/$id/json" | head -1 | jq .Running)" = false ] && break
		sleep 0.1
	done
	run api POST "/exec/$id/resize?h=10&w=10"
	[ "${lines[-1]}" = 404 ]
	has_match '"no such exec"'
	id2=$(exec_new hrs3 '{"Cmd":["true"],"Tty":true}')
	d stop -t 1 hrs3 >/dev/null
	# as dockerd: the execs that had not run went with the container's stop
	run api POST "/exec/$id2/resize?h=10&w=10"
	[ "${lines[-1]}" = 404 ]
	has_match "No such exec instance: $id2"
	run api GET "/exec/$id2/json"
	[ "${lines[-1]}" = 404 ]
	# the one that ran is still there to inspect
	run api GET "/exec/$id/json"
	[ "${lines[-1]}" = 200 ]
}

# image_with_health TAG: $BOX saved, its config given a HEALTHCHECK
# (CMD-SHELL "echo from-image" every second, 2 retries), loaded as TAG.
image_with_health() {
	local t=$BATS_TEST_TMPDIR/img
	mkdir -p "$t/x"
	d save -o "$t/in.tar" "$BOX" || return 1
	tar -C "$t/x" -xf "$t/in.tar" || return 1
	python3 - "$t/x" "$1" <<'EOF' || return 1
import hashlib, json, os, sys
d, tag = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(d, "manifest.json")))
old = m[0]["Config"]
cfg = json.load(open(os.path.join(d, old)))
cfg["config"]["Healthcheck"] = {"Test": ["CMD-SHELL", "echo from-image"],
                                "Interval": 1000000000, "Retries": 2}
b = json.dumps(cfg).encode()
h = hashlib.sha256(b).hexdigest()
new = os.path.join(os.path.dirname(old), h + (".json" if old.endswith(".json") else ""))
os.remove(os.path.join(d, old))
open(os.path.join(d, new), "wb").write(b)
m[0]["Config"] = new
m[0]["RepoTags"] = [tag]
json.dump(m, open(os.path.join(d, "manifest.json"), "w"))
for f in ("index.json", "oci-layout"):  # the manifest.json is the one changed
    if os.path.exists(os.path.join(d, f)):
        os.remove(os.path.join(d, f))
EOF
	tar -C "$t/x" -cf "$t/out.tar" . && d load -q -i "$t/out.tar" >/dev/null
}

@test "an image's HEALTHCHECK runs; --no-healthcheck and --health-cmd override it" {
	image_with_health tug-test/health:1
	d run -d --name himg tug-test/health:1 sleep 1000 >/dev/null
	wait_for 15 health_is himg healthy
	run d inspect -f '{{json (index .State.Health.Log 0).Output}}' himg
	[ "$output" = '"from-image\n"' ]
	d run -d --name himg2 --no-healthcheck tug-test/health:1 sleep 1000 >/dev/null
	run d inspect -f '{{json .State.Health}}' himg2
	[ "$output" = null ]
	# the flag's command, the image's interval and retries
	d run -d --name himg3 --health-cmd 'exit 1' tug-test/health:1 sleep 1000 >/dev/null
	run d inspect -f '{{json .Config.Healthcheck}}' himg3
	[ "$output" = '{"Test":["CMD-SHELL","exit 1"],"Interval":1000000000,"Retries":2}' ]
	wait_for 15 health_is himg3 unhealthy
}

# restart_daemon [SIGNAL]: stop the daemon (SIGTERM, or SIGNAL) and start it
# again on the same folders.
restart_daemon() {
	kill "-${1:-TERM}" "$DAEMON_PID"
	for _ in $(seq 300); do
		fx_alive "$DAEMON_PID" || break
		sleep 0.1
	done
	daemon_start "$DAEMON_DIR" || return 1
	echo "$DAEMON_PID" >"$DAEMON_DIR/pid.now"
}

@test "State.Health is kept across a daemon restart" {
	hc hkeep --health-cmd 'echo kept; exit 2' --health-interval 1s --health-retries 1
	wait_for 15 health_is hkeep unhealthy
	d stop -t 1 hkeep >/dev/null
	local before
	before=$(d inspect -f '{{.State.Health.FailingStreak}} {{len .State.Health.Log}}' hkeep)
	restart_daemon
	run d inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}}' hkeep
	[ "$output" = "unhealthy $before" ]
	run d inspect -f '{{json (index .State.Health.Log 0).Output}}' hkeep
	[ "$output" = '"kept\n"' ]
}

@test "tug: a daemon killed hard: the next one probes its running containers again" {
	[ "$PEER" = tug ] || skip "dockerd without live-restore stops them"
	hc hlive --health-cmd 'exit 0' --health-interval 1s
	wait_for 15 health_is hlive healthy
	restart_daemon KILL
	# no probe of the old daemon is left behind
	run pgrep -f "tug shim exec .*--runtime-root $DAEMON_DIR/run/"
	[ "$status" -ne 0 ]
	run d inspect -f '{{.State.Running}} {{.State.Health.Status}}' hlive
	has_match '^true (starting|healthy)$'
	wait_for 15 health_is hlive healthy
}
