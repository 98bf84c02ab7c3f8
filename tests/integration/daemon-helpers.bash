# daemon-helpers.bash - a private Engine API daemon for the docker CLI tests
# (60-64): load it after helpers and registry-helpers. PEER picks the daemon:
# tug (default: `$TUG daemon`) or dockerd (Debian's docker.io, which proves
# the tests right). One daemon per test file:
#
#   setup_file()    { daemon_start && daemon_registry plain && daemon_image; }
#   teardown_file() { daemon_stop; }
#   setup()         { daemon_need; }
#
# Arrangement. Each file gets its own network namespace (tugtest-<pid>-<n>,
# loopback up). The registry fixture AND the daemon both run inside it, for
# both peers: dockerd's bridge, iptables rules and published ports then never
# touch the host's network, and the daemon reaches the registry on the
# namespace's own 127.0.0.1 (the host's loopback is another device, out of
# its reach). The CLI runs on the host and talks to the daemon over the unix
# socket $DAEMON_DIR/d.sock: a socket file does not care about network
# namespaces. What must reach a port in there (skopeo pushing the test
# images, curl to a published port) runs through `dn`.
# The namespace is entered with `nsenter --net` rather than `ip netns exec`:
# the latter also makes a private mount namespace with a fresh /sys that has
# no cgroup mounts, which the daemons need. So the daemon's mounts land in
# the host's mount namespace, and daemon_stop unmounts what is left.
#
# Exports: PEER DOCKER DOCKER2 DAEMON_DIR DAEMON_NS DAEMON_PID DOCKER_HOST
# DOCKER_CONFIG (DAEMON_DIR/cfg, so no test touches ~/.docker) and, when a
# file cannot run, DAEMON_SKIP (the reason; daemon_need skips on it: bats
# 1.8 cannot skip from setup_file). daemon_image exports IMG (the busybox
# test image in the registry) and pulls it into the daemon as $BOX.

bats_require_minimum_version 1.5.0

export PEER=${PEER:-tug}
export DOCKER=${DOCKER:-/usr/local/bin/docker}
export DOCKER2=${DOCKER2:-/usr/bin/docker}
# The local name the test image gets in the daemon (docker tag).
export BOX=tugbox:1

# daemon_skip REASON: remember why this file cannot run (setup_file).
daemon_skip() {
	export DAEMON_SKIP=$1
	return 0
}

# daemon_need: in setup(); skips every test of a file that could not start.
daemon_need() {
	[ -z "${DAEMON_SKIP:-}" ] || skip "$DAEMON_SKIP"
	[ -n "${DAEMON_PID:-}" ] || skip "no daemon was started"
}

# dn CMD...: CMD inside the test network namespace.
dn() {
	nsenter --net="/run/netns/$DAEMON_NS" "$@"
}

# daemon_netns: make this file's network namespace (once), loopback up.
daemon_netns() {
	[ -z "${DAEMON_NS:-}" ] || return 0
	export DAEMON_NS="tugtest-$$-$RANDOM"
	ip netns add "$DAEMON_NS" || return 1
	dn ip link set lo up
}

# daemon_peer_ok: the peer's programs are there; else sets DAEMON_SKIP.
# For tug: the DAEMON feature is compiled in and `tug daemon` exists (the
# feature list shows planned parts as + too, so the command list decides).
daemon_peer_ok() {
	local c
	for c in curl jq skopeo docker-registry nsenter ip python3; do
		command -v "$c" >/dev/null || { daemon_skip "needs $c"; return 1; }
	done
	[ -x "$DOCKER" ] || { daemon_skip "needs the docker CLI at $DOCKER"; return 1; }
	[ "$(id -u)" -eq 0 ] || { daemon_skip "needs root"; return 1; }
	case $PEER in
	tug)
		"$TUG" features | grep -q '^  +DAEMON ' ||
			{ daemon_skip "feature DAEMON is compiled out"; return 1; }
		"$TUG" --help 2>&1 | grep -q '^  daemon ' ||
			{ daemon_skip "this tug has no daemon command yet"; return 1; }
		;;
	dockerd)
		command -v dockerd >/dev/null || { daemon_skip "needs dockerd (docker.io)"; return 1; }
		;;
	*)
		daemon_skip "unknown PEER=$PEER (tug or dockerd)"
		return 1
		;;
	esac
}

# daemon_ping: the daemon answers GET /_ping with OK.
daemon_ping() {
	[ "$(curl -s --max-time 2 --unix-socket "$DAEMON_DIR/d.sock" http://x/_ping)" = OK ]
}

# daemon_start [DIR]: start the PEER daemon in the test network namespace,
# socket DIR/d.sock (DIR defaults to $BATS_FILE_TMPDIR/d), and wait until
# /_ping answers OK (10 s for tug; dockerd starts its own containerd first,
# so it gets 30 s). Returns 0 with DAEMON_SKIP set when the peer is missing.
daemon_start() {
	local d=${1:-$BATS_FILE_TMPDIR/d} limit=100 cmd
	daemon_peer_ok || return 0
	daemon_netns || return 1
	mkdir -p "$d/cfg" "$d/root" "$d/run"
	export DAEMON_DIR=$d
	export DOCKER_HOST=unix://$d/d.sock DOCKER_CONFIG=$d/cfg
	unset DOCKER_CONTEXT DOCKER_API_VERSION DOCKER_TLS_VERIFY DOCKER_CERT_PATH
	# DAEMON_LIVE_RESTORE=1: containers outlive the daemon's SIGTERM (dockerd
	# also needs it to keep them across a SIGKILL and restart).
	local lr=
	[ "${DAEMON_LIVE_RESTORE:-}" != 1 ] || lr='"live-restore": true'
	if [ "$PEER" = tug ]; then
		echo "{$lr}" >"$d/daemon.json"
		cmd=("$TUG" daemon -H "unix://$d/d.sock" --data-root "$d/root"
			--exec-root "$d/run" --config-file "$d/daemon.json")
	else
		# Containers go under a cgroup named after the namespace, so that
		# daemon_stop can find any that outlive a daemon killed hard.
		printf '{"cgroup-parent": "/%s"%s}\n' "$DAEMON_NS" "${lr:+, $lr}" >"$d/daemon.json"
		cmd=(dockerd -H "unix://$d/d.sock" --data-root "$d/root" --exec-root "$d/run"
			--pidfile "$d/d.pid" --config-file "$d/daemon.json")
		limit=300
	fi
	setsid nsenter --net="/run/netns/$DAEMON_NS" "${cmd[@]}" \
		</dev/null >>"$d/daemon.log" 2>&1 3>&- &
	export DAEMON_PID=$!
	for _ in $(seq "$limit"); do
		daemon_ping && return 0
		fx_alive "$DAEMON_PID" || break
		sleep 0.1
	done
	echo "# $PEER daemon did not answer /_ping; its log:" >&2
	sed 's/^/# /' "$d/daemon.log" | tail -40 >&2
	return 1
}

# daemon_rm_all: remove every container (a stop then has none to wait for:
# busybox httpd as pid 1 ignores SIGTERM and would cost 10 s each).
daemon_rm_all() {
	local ids
	ids=$("$DOCKER" ps -aq 2>/dev/null) || return 0
	# shellcheck disable=SC2086 # one argument per id
	[ -z "$ids" ] || "$DOCKER" rm -f $ids >/dev/null 2>&1 || :
}

# daemon_kill_cgroup NAME: SIGKILL what is left in the cgroup NAME of each
# v1 hierarchy and the v2 one, then remove those cgroups.
daemon_kill_cgroup() {
	local g p
	for g in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do
		[ -d "$g" ] || continue
		find "$g" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r p; do
			kill -9 "$p" 2>/dev/null || :
		done
	done
	sleep 0.2
	for g in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do
		if [ -d "$g" ]; then find "$g" -depth -type d -exec rmdir {} + 2>/dev/null || :; fi
	done
}

# daemon_stop: remove the containers, SIGTERM the daemon (SIGKILL after
# 20 s), kill whatever is left in the namespace (containerd, shims, the
# registry) and in dockerd's cgroup, unmount what is left under DAEMON_DIR,
# delete the namespace. Safe to call when nothing was started.
daemon_stop() {
	local pid m
	if [ -n "${DAEMON_PID:-}" ]; then
		daemon_rm_all
		kill "$DAEMON_PID" 2>/dev/null || :
		for _ in $(seq 200); do
			fx_alive "$DAEMON_PID" || break
			sleep 0.1
		done
		kill -9 "$DAEMON_PID" 2>/dev/null || :
	fi
	reg_stop
	[ -z "${BASIC_DIR:-}" ] || "$FIXTURES/registry" stop "$BASIC_DIR"
	if [ -n "${DAEMON_NS:-}" ]; then
		for pid in $(ip netns pids "$DAEMON_NS" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null || :
		done
		daemon_kill_cgroup "$DAEMON_NS"
	fi
	if [ -n "${DAEMON_DIR:-}" ]; then
		# Deepest first; lazily, as a dying shim may still hold one.
		for m in $(awk -v d="$DAEMON_DIR/" 'index($5, d) == 1 { print $5 }' \
			/proc/self/mountinfo | sort -r); do
			umount -l "$m" 2>/dev/null || :
		done
	fi
	[ -z "${DAEMON_NS:-}" ] || ip netns del "$DAEMON_NS" 2>/dev/null || :
	return 0
}

# daemon_registry MODE: the registry fixture (plain or basic) inside the
# namespace; exports the REGISTRY_* variables (see registry-helpers). A
# second call replaces them: save what the first one gave before.
daemon_registry() {
	local out
	[ -z "${DAEMON_SKIP:-}" ] || return 0
	daemon_netns || return 1
	reg_images || return 1
	out=$(dn "$FIXTURES/registry" start "$1" "$BATS_FILE_TMPDIR/registry-$1") || return 1
	eval "$out"
	export REGISTRY_MODE REGISTRY_DIR REGISTRY_ADDR REGISTRY_URL REGISTRY_PID \
		REGISTRY_CA REGISTRY_CERT_DIR REGISTRY_USER REGISTRY_PASS
}

# daemon_push IMAGE REF: skopeo copies a test image (single, multi, ...) to
# REGISTRY_ADDR/REF from inside the namespace.
daemon_push() {
	reg_skopeo_args dest
	dn skopeo --insecure-policy copy -q "${REG_ARGS[@]}" \
		"oci:$TEST_IMAGES/$1:latest" "docker://$REGISTRY_ADDR/$2"
}

# daemon_image: push `single` (the host's busybox-static, Cmd sh) as
# tug-test/busybox:1, export IMG (its name there), pull it into the daemon
# and tag it $BOX.
daemon_image() {
	[ -z "${DAEMON_SKIP:-}" ] || return 0
	export IMG=$REGISTRY_ADDR/tug-test/busybox:1
	daemon_push single tug-test/busybox:1 || return 1
	"$DOCKER" pull -q "$IMG" >/dev/null || return 1
	"$DOCKER" tag "$IMG" "$BOX"
}

# d ARGS...: the docker CLI against the test daemon (run through bats' run).
d() {
	"$DOCKER" "$@"
}

# api METHOD PATH [curl args...]: an Engine API request over the socket;
# prints the body, then a last line with the HTTP status.
api() {
	local m=$1 p=$2
	shift 2
	curl -s --max-time 20 --unix-socket "$DAEMON_DIR/d.sock" -X "$m" "$@" \
		-w '\n%{http_code}' "http://x$p"
}

# still_serves: the daemon still answers /_ping (after a hostile request).
still_serves() {
	daemon_ping || {
		echo "the daemon stopped answering /_ping"
		return 1
	}
}

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds.
wait_for() {
	local n=$(($1 * 10))
	shift
	for _ in $(seq "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# has_line TEXT / has_match REGEX on $output (as in image-helpers).
has_line() {
	grep -qxF -- "$1" <<<"$output" || {
		echo "no line '$1' in:"
		echo "$output"
		return 1
	}
}

has_match() {
	grep -qE -- "$1" <<<"$output" || {
		echo "no line matching '$1' in:"
		echo "$output"
		return 1
	}
}

# no_match REGEX: no line of $output matches.
no_match() {
	! grep -qE -- "$1" <<<"$output" || {
		echo "a line matches '$1' in:"
		echo "$output"
		return 1
	}
}

# err_line TEXT / err_match REGEX: the same on $stderr (run --separate-stderr).
err_line() {
	grep -qxF -- "$1" <<<"$stderr" || {
		echo "no stderr line '$1' in:"
		echo "$stderr"
		return 1
	}
}

err_match() {
	grep -qE -- "$1" <<<"$stderr" || {
		echo "no stderr line matching '$1' in:"
		echo "$stderr"
		return 1
	}
}
