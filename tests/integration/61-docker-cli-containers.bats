#!/usr/bin/env bats
# The stock docker CLI against the daemon (PEER=tug, or dockerd to prove the
# tests): container lifecycle — run (-d, -p, --rm, -i, foreground exit codes,
# errors), ps, logs, exec, inspect, stop/start/restart/kill/wait, rm, rename,
# top, pause/unpause. Output and exit codes as dockerd 20.10 gives them.

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

# A web server on port 80 of the container: busybox httpd serving
# /www/index.html ("hello-web"), logging each request to stderr.
WEB_CMD='mkdir -p /www && echo hello-web >/www/index.html && exec httpd -f -vv -p 80 -h /www'

# web NAME [run args...]: start the web container published on 18080 (the
# test namespace is private: no other user of the port).
web() {
	local n=$1
	shift
	d run -d --name "$n" "$@" "$BOX" sh -c "$WEB_CMD"
}

# http PATH: the published port from inside the namespace; body + status.
# tug publishes ports with the networking issue; until then its mapping is
# checked in ps and inspect, and the server is reached from inside the
# container "web" (busybox wget: exit 0 on 200, 1 on an error status).
http() {
	if [ "${PEER:-tug}" = tug ]; then
		local body err=$BATS_TEST_TMPDIR/wget.err
		if body=$(d exec web wget -q -O - "http://127.0.0.1:80$1" 2>"$err"); then
			printf '%s\n 200' "$body"
		elif grep -q ' 404 ' "$err"; then
			printf ' 404'
		else
			return 7
		fi
		return 0
	fi
	dn curl -s --max-time 5 -w ' %{http_code}' "http://127.0.0.1:18080$1"
}

# up NAME: the container is running.
up() {
	[ "$(d inspect -f '{{.State.Running}}' "$1")" = true ]
}

@test "run -d -p: prints the full id; the port answers; ps shows it" {
	run --separate-stderr web web -p 18080:80
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	local id=$output
	wait_for 10 http / >/dev/null
	[ "$(http /)" = $'hello-web\n 200' ]
	[ "$(http /nope | tail -c 3)" = 404 ]
	run --separate-stderr d ps
	[ "$status" -eq 0 ]
	has_match "^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$"
	has_match "^${id:0:12} +$BOX +\"sh -c 'mkdir -p /ww…\" +.* +Up .* +0\.0\.0\.0:18080->80/tcp.* +web$"
	run d ps -q
	[ "$output" = "${id:0:12}" ]
	run d ps -q --no-trunc
	[ "$output" = "$id" ]
	run d ps --format '{{.Names}}|{{.Image}}|{{.Ports}}|{{.State}}'
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^web\|$BOX\|0\.0\.0\.0:18080-\>80/tcp.*\|running$ ]]
}

@test "ps -a lists exited containers with their code; ps does not" {
	d run --name done3 "$BOX" sh -c 'exit 3' || :
	d run -d --name running1 "$BOX" sleep 1000 >/dev/null
	run d ps --format '{{.Names}}'
	[ "$output" = running1 ]
	run --separate-stderr d ps -a
	[ "$status" -eq 0 ]
	has_match "^[0-9a-f]{12} +$BOX +\"sh -c 'exit 3'\" +.* Exited \(3\) .* done3$"
	has_match "^[0-9a-f]{12} +$BOX +\"sleep 1000\" +.* Up .* running1$"
	run d ps -a --format '{{.Names}} {{.Status}}' --filter status=exited
	[[ "$output" =~ ^done3\ Exited\ \(3\)\ .*ago$ ]]
	run d ps -aq
	[ "$(wc -l <<<"$output")" -eq 2 ]
}

@test "logs: stdout to stdout, stderr to stderr, --tail" {
	# Two pipes: the pause keeps err1 before out3 in the log (--tail 1).
	d run --name talker "$BOX" sh -c 'echo out1; echo err1 >&2; sleep 0.3; echo out2; echo out3' >/dev/null 2>&1
	run --separate-stderr d logs talker
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'out1\nout2\nout3')" ]
	[ "$stderr" = err1 ]
	run --separate-stderr d logs --tail 1 talker
	[ "$status" -eq 0 ]
	[ "$output" = out3 ]
	[ -z "$stderr" ]
	run --separate-stderr d logs -t talker
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^20[0-9-]{8}T[0-9:.]+Z\ out1$ ]]
	run --separate-stderr d logs nosuch
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error response from daemon: No such container: nosuch" ]
}

@test "logs of the web server show its requests (on stderr)" {
	web web -p 18080:80 >/dev/null
	wait_for 10 http / >/dev/null
	http /nope >/dev/null
	wait_for 5 sh -c '"$DOCKER" logs web 2>&1 | grep -q "url:/nope"'
	run --separate-stderr d logs web
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	grep -qE '^\[[^]]+\]:[0-9]+: url:/$' <<<"$stderr"
	grep -qE '^\[[^]]+\]:[0-9]+: response:404$' <<<"$stderr"
}

@test "logs -f --tail 2 follows new lines until killed" {
	d run -d --name ticker "$BOX" sh -c 'i=0; while :; do i=$((i+1)); echo line$i; sleep 0.2; done' >/dev/null
	wait_for 10 sh -c '[ "$("$DOCKER" logs ticker | wc -l)" -ge 5 ]'
	local f=$BATS_TEST_TMPDIR/follow
	"$DOCKER" logs -f --tail 2 ticker >"$f" 2>&1 3>&- &
	local pid=$!
	wait_for 10 sh -c "[ \$(wc -l <'$f') -ge 6 ]" || { kill "$pid"; cat "$f"; false; }
	kill "$pid"
	wait "$pid" || :
	cat "$f"
	# Consecutive lines, starting at the last two there were (>= line4),
	# then new ones as they came.
	local first n i=0
	first=$(head -n1 "$f")
	n=${first#line}
	[ "$n" -ge 4 ]
	while read -r l; do
		[ "$l" = "line$((n + i))" ]
		i=$((i + 1))
	done <"$f"
}

@test "logs -f ends by itself when the container exits" {
	d run -d --name brief "$BOX" sh -c 'sleep 1; echo bye' >/dev/null
	run --separate-stderr timeout 20 "$DOCKER" logs -f brief
	[ "$status" -eq 0 ]
	[ "$output" = bye ]
}

@test "exec: output, exit code, -i stdin, environment" {
	d run -d --name ex "$BOX" sleep 1000 >/dev/null
	run --separate-stderr d exec ex cat /etc/hostname
	[ "$status" -eq 0 ]
	[ "$output" = "$(d inspect -f '{{.Config.Hostname}}' ex)" ]
	run --separate-stderr d exec ex sh -c 'echo to-out; echo to-err >&2; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = to-out ]
	[ "$stderr" = to-err ]
	run --separate-stderr d exec -i ex sh -c 'tr a-z A-Z' <<<"stdin-data"
	[ "$status" -eq 0 ]
	[ "$output" = STDIN-DATA ]
	run d exec -e FOO=bar -w /tmp ex sh -c 'echo $FOO $(pwd)'
	[ "$output" = "bar /tmp" ]
	run d exec -u 1000 ex id -u
	[ "$output" = 1000 ]
}

@test "exec errors: missing command 126, stopped container 1" {
	d run -d --name ex "$BOX" sleep 1000 >/dev/null
	run --separate-stderr d exec ex nosuchcmd
	[ "$status" -eq 126 ]
	# dockerd sends this one in the exec's output stream: the CLI prints it
	# on stdout.
	[[ "$output" == *'"nosuchcmd": executable file not found in $PATH'* ]]
	d kill ex >/dev/null
	run --separate-stderr d exec ex true
	[ "$status" -eq 1 ]
	[[ "$stderr" =~ ^Error\ response\ from\ daemon:\ Container\ [0-9a-f]{64}\ is\ not\ running$ ]]
	run --separate-stderr d exec nosuch true
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error response from daemon: No such container: nosuch" ]
}

@test "inspect: the fields and --format" {
	local id
	id=$(web web -p 18080:80)
	run --separate-stderr d inspect web
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" = 1 ]
	local j
	j=$(jq '.[0]' <<<"$output")
	[ "$(jq -r .Id <<<"$j")" = "$id" ]
	[ "$(jq -r .Name <<<"$j")" = /web ]
	[ "$(jq -r .Path <<<"$j")" = sh ]
	[ "$(jq -c .Args <<<"$j")" = "$(jq -nc --arg c "$WEB_CMD" '["-c",$c]')" ]
	[ "$(jq -r .State.Status <<<"$j")" = running ]
	[ "$(jq -r .State.Running <<<"$j")" = true ]
	[ "$(jq -r .State.Pid <<<"$j")" -gt 0 ]
	[ "$(jq -r .State.ExitCode <<<"$j")" = 0 ]
	[ "$(jq -r .State.FinishedAt <<<"$j")" = 0001-01-01T00:00:00Z ]
	[[ "$(jq -r .State.StartedAt <<<"$j")" =~ ^20[0-9-]{8}T[0-9:.]+Z$ ]]
	[[ "$(jq -r .Created <<<"$j")" =~ ^20[0-9-]{8}T[0-9:.]+Z$ ]]
	[ "$(jq -r .Image <<<"$j")" = "$(d image inspect -f '{{.Id}}' "$BOX")" ]
	[ "$(jq -r .Config.Image <<<"$j")" = "$BOX" ]
	[ "$(jq -r .RestartCount <<<"$j")" = 0 ]
	[ "$(jq -c .HostConfig.PortBindings <<<"$j")" = '{"80/tcp":[{"HostIp":"","HostPort":"18080"}]}' ]
	[ "$(jq -r .HostConfig.RestartPolicy.Name <<<"$j")" = no ]
	[ "$(jq -r .HostConfig.LogConfig.Type <<<"$j")" = json-file ]
	[ "$(jq -r '.Config.ExposedPorts | keys[0]' <<<"$j")" = 80/tcp ]
	[ "$(jq -r '.Config.Env[0]' <<<"$j")" = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ] ||
		[[ "$(jq -r '.Config.Env[0]' <<<"$j")" == PATH=* ]]
	run d inspect -f '{{.State.Status}} {{.Name}} {{.Config.Image}} {{json .Config.Cmd}}' web
	[ "$status" -eq 0 ]
	[ "$output" = "running /web $BOX $(jq -nc --arg c "$WEB_CMD" '["sh","-c",$c]')" ]
	run d inspect --type container -f '{{.Id}}' "${id:0:12}"
	[ "$output" = "$id" ]
	run d container inspect -f '{{range $p, $b := .NetworkSettings.Ports}}{{$p}}={{(index $b 0).HostPort}}{{end}}' web
	[ "$output" = 80/tcp=18080 ]
	run --separate-stderr d inspect nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "[]" ]
	[ "$stderr" = "Error: No such object: nosuch" ]
}

@test "stop: SIGTERM first; ignored, SIGKILL after -t: Exited (143) / (137)" {
	# sh as pid 1 has no default action for SIGTERM: only a trap ends it.
	d run -d --name termer "$BOX" sh -c 'trap "exit 143" TERM; while :; do sleep 0.1; done' >/dev/null
	d run -d --name ignorer "$BOX" sleep 1000 >/dev/null
	local t0=$SECONDS
	run --separate-stderr d stop termer
	[ "$status" -eq 0 ]
	[ "$output" = termer ]
	[ $((SECONDS - t0)) -lt 8 ]
	t0=$SECONDS
	run --separate-stderr d stop -t 1 ignorer
	[ "$status" -eq 0 ]
	[ "$output" = ignorer ]
	[ $((SECONDS - t0)) -lt 8 ]
	run d ps -a --format '{{.Names}} {{.Status}}'
	has_match "^termer Exited \(143\) .*ago$"
	has_match "^ignorer Exited \(137\) .*ago$"
	run d inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}' ignorer
	[ "$output" = "exited 137 false" ]
	[ "$(d inspect -f '{{.State.FinishedAt}}' ignorer)" != 0001-01-01T00:00:00Z ]
	# Stopping a stopped container is no error.
	run d stop ignorer
	[ "$status" -eq 0 ]
	[ "$output" = ignorer ]
	run --separate-stderr d stop nosuch
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error response from daemon: No such container: nosuch" ]
}

@test "start: a stopped container runs again; its log keeps growing" {
	d run --name again "$BOX" sh -c 'echo run' >/dev/null
	run --separate-stderr d start again
	[ "$status" -eq 0 ]
	[ "$output" = again ]
	wait_for 10 sh -c '[ "$("$DOCKER" logs again | wc -l)" -eq 2 ]'
	run d start -a again
	[ "$status" -eq 0 ]
	[ "$output" = run ]
	run --separate-stderr d start nosuch
	[ "$status" -eq 1 ]
	err_line "Error response from daemon: No such container: nosuch"
	[[ "$stderr" == *"Error: failed to start containers: nosuch"* ]]
}

@test "restart: a new StartedAt, still running" {
	d run -d --name rs "$BOX" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
	local s1
	s1=$(d inspect -f '{{.State.StartedAt}} {{.State.Pid}}' rs)
	run --separate-stderr d restart rs
	[ "$status" -eq 0 ]
	[ "$output" = rs ]
	up rs
	[ "$(d inspect -f '{{.State.StartedAt}} {{.State.Pid}}' rs)" != "$s1" ]
	run d ps --filter name=rs --format '{{.Status}}'
	[[ "$output" == Up* ]]
}

@test "rm: running without -f is refused (exit 1, dockerd's words); -f removes" {
	local id
	id=$(d run -d --name busy "$BOX" sleep 1000)
	run --separate-stderr d rm busy
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error response from daemon: You cannot remove a running container $id. Stop the container before attempting removal or force remove" ]
	up busy
	run --separate-stderr d rm -f busy
	[ "$status" -eq 0 ]
	[ "$output" = busy ]
	run d ps -aq --filter name=busy
	[ -z "$output" ]
	run --separate-stderr d rm nosuch
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error response from daemon: No such container: nosuch" ]
	d run --name stopped "$BOX" true
	run d rm stopped
	[ "$status" -eq 0 ]
	[ "$output" = stopped ]
}

@test "wait: prints the exit code" {
	d run -d --name w5 "$BOX" sh -c 'sleep 1; exit 5' >/dev/null
	run --separate-stderr d wait w5
	[ "$status" -eq 0 ]
	[ "$output" = 5 ]
	# At once for an exited container.
	run d wait w5
	[ "$output" = 5 ]
	run --separate-stderr d wait nosuch
	[ "$status" -eq 1 ]
	[[ "$stderr" == "Error response from daemon: No such container: nosuch"* ]]
}

@test "kill: SIGKILL by default (137), -s picks the signal, not running is an error" {
	d run -d --name k1 "$BOX" sleep 1000 >/dev/null
	run --separate-stderr d kill k1
	[ "$status" -eq 0 ]
	[ "$output" = k1 ]
	[ "$(d wait k1)" = 137 ]
	d run -d --name k2 "$BOX" sh -c 'trap "exit 42" USR1; while :; do sleep 0.1; done' >/dev/null
	run d kill -s USR1 k2
	[ "$status" -eq 0 ]
	[ "$output" = k2 ]
	[ "$(d wait k2)" = 42 ]
	run --separate-stderr d kill k1
	[ "$status" -eq 1 ]
	[[ "$stderr" =~ ^Error\ response\ from\ daemon:\ Cannot\ kill\ container:\ k1:\ Container\ [0-9a-f]{64}\ is\ not\ running$ ]]
}

@test "rename: the new name is listed; taken and same names are refused" {
	d run -d --name old "$BOX" sleep 1000 >/dev/null
	local other
	other=$(d run -d --name other "$BOX" sleep 1000)
	run --separate-stderr d rename old new
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run d ps --format '{{.Names}}' --filter name=new
	[ "$output" = new ]
	[ "$(d inspect -f '{{.Name}}' new)" = /new ]
	run --separate-stderr d inspect old
	[ "$status" -eq 1 ]
	run --separate-stderr d rename new other
	[ "$status" -eq 1 ]
	err_line "Error response from daemon: Error when allocating new name: Conflict. The container name \"/other\" is already in use by container \"$other\". You have to remove (or rename) that container to be able to reuse that name."
	[[ "$stderr" == *"Error: failed to rename container named new"* ]]
	run --separate-stderr d rename new new
	[ "$status" -eq 1 ]
	err_line "Error response from daemon: Renaming a container with the same name as its current name"
}

@test "top: ps columns of the container's processes" {
	d run -d --name topper "$BOX" sleep 1000 >/dev/null
	run --separate-stderr d top topper
	[ "$status" -eq 0 ]
	has_match "^UID +PID +PPID +C +STIME +TTY +TIME +CMD$"
	has_match "^root +[0-9]+ +[0-9]+ +[0-9]+ +[0-9:A-Za-z]+ +\? +[0-9:]+ +sleep 1000$"
	[ "${#lines[@]}" -eq 2 ]
	run --separate-stderr d top nosuch
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error response from daemon: No such container: nosuch" ]
}

@test "pause/unpause: (Paused) in ps, exec refused while paused" {
	d run -d --name pz "$BOX" sleep 1000 >/dev/null
	run --separate-stderr d pause pz
	[ "$status" -eq 0 ]
	[ "$output" = pz ]
	run d ps --format '{{.Status}}' --filter name=pz
	[[ "$output" =~ ^Up\ .*\ \(Paused\)$ ]]
	run d inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' pz
	[ "$output" = "paused true true" ]
	run --separate-stderr d exec pz true
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error response from daemon: Container pz is paused, unpause the container before exec" ]
	run --separate-stderr d unpause pz
	[ "$status" -eq 0 ]
	[ "$output" = pz ]
	run d inspect -f '{{.State.Status}} {{.State.Paused}}' pz
	[ "$output" = "running false" ]
	run --separate-stderr d unpause pz
	[ "$status" -eq 1 ]
	[[ "$stderr" =~ ^Error\ response\ from\ daemon:\ Container\ [0-9a-f]{64}\ is\ not\ paused$ ]]
}

@test "run --rm -i: stdin in, stdout and stderr apart, exit code out, removed" {
	run --separate-stderr sh -c 'echo hi | "$DOCKER" run --rm -i "$BOX" cat'
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	run --separate-stderr sh -c 'echo hello via stdin | "$DOCKER" run --rm -i --name rmi3 "$BOX" sh -c "cat; echo to-stderr >&2; exit 3"'
	[ "$status" -eq 3 ]
	[ "$output" = "hello via stdin" ]
	[ "$stderr" = to-stderr ]
	run d ps -aq --filter name=rmi3
	[ -z "$output" ]
}

@test "run in the foreground: output, exit code propagated" {
	run --separate-stderr d run --rm "$BOX" echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	[ -z "$stderr" ]
	run d run --rm "$BOX" sh -c 'exit 3'
	[ "$status" -eq 3 ]
	# Without --rm the container stays, exited with that code.
	run d run --name kept "$BOX" sh -c 'exit 4'
	[ "$status" -eq 4 ]
	[ "$(d inspect -f '{{.State.ExitCode}}' kept)" = 4 ]
	run d run --rm -e FOO=bar -w /tmp -u 1000 "$BOX" sh -c 'echo $FOO $(pwd) $(id -u)'
	[ "$output" = "bar /tmp 1000" ]
}

@test "run errors: missing command 127, not executable 126" {
	run -127 --separate-stderr d run --rm "$BOX" nosuchcmd
	[ "$status" -eq 127 ]
	[[ "$stderr" == "docker: Error response from daemon: "*'"nosuchcmd": executable file not found in $PATH'* ]]
	run --separate-stderr d run --rm "$BOX" /etc/passwd
	[ "$status" -eq 126 ]
	[[ "$stderr" == "docker: Error response from daemon: "*'"/etc/passwd": permission denied'* ]]
	[[ "$stderr" == *"Run 'docker run --help' for more information"* ]]
}

@test "run errors: a taken --name is a 409 conflict, exit 125" {
	local id
	id=$(d run -d --name dup "$BOX" sleep 1000)
	run --separate-stderr d run --name dup "$BOX" true
	[ "$status" -eq 125 ]
	err_line "docker: Error response from daemon: Conflict. The container name \"/dup\" is already in use by container \"$id\". You have to remove (or rename) that container to be able to reuse that name."
	[ "$(d ps -aq | wc -l)" -eq 1 ]
	# The same over the API: 409.
	run api POST /containers/create?name=dup -H 'Content-Type: application/json' \
		-d "{\"Image\":\"$BOX\"}"
	[ "$(tail -n1 <<<"$output")" = 409 ]
}

@test "run errors: an unknown image is pulled for, then exit 125" {
	local ref=$REGISTRY_ADDR/tug-test/nosuch:1
	run --separate-stderr d run --rm "$ref" true
	[ "$status" -eq 125 ]
	err_line "Unable to find image '$ref' locally"
	[[ "$stderr" == *"docker: Error response from daemon: "*"manifest unknown"* ]]
	run --separate-stderr d run --rm --pull never "$ref" true
	[ "$status" -eq 125 ]
	err_line "docker: Error response from daemon: No such image: $ref"
}

@test "run pulls a missing image from the registry, then runs it" {
	daemon_push single tug-test/autopull:1
	local ref=$REGISTRY_ADDR/tug-test/autopull:1
	run --separate-stderr d run --rm "$ref" echo pulled-and-ran
	[ "$status" -eq 0 ]
	[ "$output" = pulled-and-ran ]
	grep -qxF "Unable to find image '$ref' locally" <<<"$stderr"
	grep -qxF "Status: Downloaded newer image for $ref" <<<"$stderr"
}

@test "the 20.10 CLI as a second client: run, ps, logs, rm" {
	[ -x "$DOCKER2" ] || skip "needs $DOCKER2 (docker.io)"
	run --separate-stderr "$DOCKER2" run -d --name two "$BOX" sh -c 'echo from-two; sleep 1000'
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	run "$DOCKER2" ps --format '{{.Names}} {{.Image}}'
	[ "$output" = "two $BOX" ]
	# Both clients see the same container.
	[ "$(d ps -q)" = "$("$DOCKER2" ps -q)" ]
	wait_for 10 sh -c '[ "$("$DOCKER2" logs two)" = from-two ]'
	run sh -c 'echo hi2 | "$DOCKER2" run --rm -i "$BOX" sh -c "cat; exit 6"'
	[ "$status" -eq 6 ]
	[ "$output" = hi2 ]
	run "$DOCKER2" rm -f two
	[ "$status" -eq 0 ]
	[ "$output" = two ]
}
