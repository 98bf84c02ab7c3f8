#!/usr/bin/env bats
# The daemon's settings reloaded on SIGHUP (PEER=tug, or dockerd to prove
# the tests): what the file changes shows in `docker info` and as a
# "daemon reload" event; a file that does not load changes nothing and the
# daemon goes on serving. Then (tug only) `tug system check` while the
# daemon holds the store: the daemon does the check.

load helpers
load registry-helpers
load image-helpers
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

# conf JSON: the daemon's file with JSON's keys merged in (dockerd's file
# keeps its cgroup-parent).
conf() {
	local f=$DAEMON_DIR/daemon.json
	jq -S ". * $1" "$f" >"$f.new" && mv "$f.new" "$f"
}

# reload: SIGHUP, then wait until the daemon answers again.
reload() {
	kill -HUP "$DAEMON_PID"
	sleep 0.3
	wait_for 5 daemon_ping
}

info() {
	d info --format "$1"
}

@test "SIGHUP: insecure-registries, live-restore and debug from the file; a reload event" {
	local t
	t=$(date +%s)
	conf '{"insecure-registries": ["reg.example:5000", "10.9.0.0/16"], "live-restore": true,
		"debug": true, "max-concurrent-downloads": 5}'
	reload
	wait_for 5 [ "$(info '{{.LiveRestoreEnabled}}')" = true ]
	[ "$(info '{{.Debug}}')" = true ]
	run info '{{json .RegistryConfig.IndexConfigs}}'
	[ "$(jq -r '."reg.example:5000".Secure' <<<"$output")" = false ]
	[ "$(jq -r '."docker.io".Secure' <<<"$output")" = true ]
	run info '{{json .RegistryConfig.InsecureRegistryCIDRs}}'
	jq -e 'index("127.0.0.0/8") and index("10.9.0.0/16")' <<<"$output"
	# docker info's text lists them under "Insecure Registries"
	run d info
	has_line "  reg.example:5000"
	has_line "  10.9.0.0/16"
	run d events --since "$t" --until "$(($(date +%s) + 1))" --filter type=daemon \
		--format '{{json .}}'
	[ "$status" -eq 0 ]
	echo "$output"
	local ev
	ev=$(grep '"reload"' <<<"$output" | tail -1)
	[ -n "$ev" ]
	[ "$(jq -r .Type <<<"$ev")" = daemon ]
	[ "$(jq -r .Actor.ID <<<"$ev")" = "$(info '{{.ID}}')" ]
	[ "$(jq -r '.Actor.Attributes."live-restore"' <<<"$ev")" = true ]
	[ "$(jq -r '.Actor.Attributes.debug' <<<"$ev")" = true ]
	[ "$(jq -r '.Actor.Attributes."max-concurrent-downloads"' <<<"$ev")" = 5 ]
	[ "$(jq -r '.Actor.Attributes."insecure-registries"' <<<"$ev")" = \
		'["reg.example:5000","10.9.0.0/16"]' ]
	[ "$(jq -r '.Actor.Attributes.name' <<<"$ev")" = "$(info '{{.Name}}')" ]
	# Taken away again: the defaults come back.
	conf '{"live-restore": false, "debug": false, "insecure-registries": []}'
	reload
	wait_for 5 [ "$(info '{{.LiveRestoreEnabled}}')" = false ]
	[ "$(info '{{.Debug}}')" = false ]
	run info '{{json .RegistryConfig.IndexConfigs}}'
	[ "$(jq -r '."reg.example:5000"' <<<"$output")" = null ]
}

@test "SIGHUP with a file that does not load: nothing changes, the daemon serves on" {
	conf '{"live-restore": true}'
	reload
	wait_for 5 [ "$(info '{{.LiveRestoreEnabled}}')" = true ]
	cp "$DAEMON_DIR/daemon.json" "$BATS_TEST_TMPDIR/good.json"
	echo '{"live-restore": false, "insecure-registries": [' >"$DAEMON_DIR/daemon.json"
	reload
	fx_alive "$DAEMON_PID"
	[ "$(info '{{.LiveRestoreEnabled}}')" = true ]
	run d ps
	[ "$status" -eq 0 ]
	# an unknown key: refused the same way
	jq '. + {"no-such-key": 1, "live-restore": false}' "$BATS_TEST_TMPDIR/good.json" \
		>"$DAEMON_DIR/daemon.json"
	reload
	[ "$(info '{{.LiveRestoreEnabled}}')" = true ]
	cp "$BATS_TEST_TMPDIR/good.json" "$DAEMON_DIR/daemon.json"
	conf '{"live-restore": false}'
	reload
	wait_for 5 [ "$(info '{{.LiveRestoreEnabled}}')" = false ]
}

@test "system check while the daemon holds the store: the daemon checks it" {
	[ "$PEER" = tug ] || skip "tug's own command"
	# The store is locked by the daemon: found through <data-root>/daemon.hosts.
	run --separate-stderr timeout 20 "$TUG" --data-root "$DAEMON_DIR/root" system check
	echo "$output$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "ok: $DAEMON_DIR/root is consistent" ]
	# Named with -H (and DOCKER_HOST, set by the helpers): the same.
	run --separate-stderr timeout 20 "$TUG" -H "unix://$DAEMON_DIR/d.sock" system check
	[ "$status" -eq 0 ]
	[ "$output" = "ok: $DAEMON_DIR/root is consistent" ]
	run --separate-stderr timeout 20 "$TUG" system check
	[ "$status" -eq 0 ]
	# -H with another --data-root: refused, not checked elsewhere.
	run --separate-stderr timeout 20 "$TUG" -H "unix://$DAEMON_DIR/d.sock" \
		--data-root "$BATS_TEST_TMPDIR" system check
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"serves $DAEMON_DIR/root, not $BATS_TEST_TMPDIR"* ]]
	# A damaged blob: reported by the daemon, exit 1, the daemon goes on.
	local blob
	blob=$(find "$DAEMON_DIR/root/blobs/sha256" -type f | head -1)
	[ -n "$blob" ]
	cp "$blob" "$BATS_TEST_TMPDIR/blob"
	printf 'x' >>"$blob"
	run --separate-stderr timeout 20 "$TUG" --data-root "$DAEMON_DIR/root" system check
	echo "$output$stderr"
	[ "$status" -eq 1 ]
	[[ "$output" == *"${blob##*/}"* ]]
	[ "$stderr" = "tug: system check: 1 problem in $DAEMON_DIR/root" ]
	cp "$BATS_TEST_TMPDIR/blob" "$blob"
	still_serves
	run --separate-stderr timeout 20 "$TUG" --data-root "$DAEMON_DIR/root" system check
	[ "$status" -eq 0 ]
}
