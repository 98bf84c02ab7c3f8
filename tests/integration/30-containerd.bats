#!/usr/bin/env bats
# containerd drives tug as its runc: Debian's containerd on a private socket
# and state folder, its runc shim told to use tug through --runc-binary.

load helpers

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	command -v containerd >/dev/null && command -v ctr >/dev/null || return 0
	"$TUG" features | grep -q '^  +RUNTIME ' || return 0
	export CTD="$BATS_FILE_TMPDIR/ctd"
	mkdir -p "$CTD/bin"
	ln -sf "$TUG" "$CTD/bin/runc"
	cat >"$CTD/config.toml" <<TOML
version = 2
root = "$CTD/root"
state = "$CTD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.internal.v1.tracing",
  "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$CTD/containerd.sock"
[ttrpc]
  address = "$CTD/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
TOML
	containerd --config "$CTD/config.toml" >"$CTD/log" 2>&1 &
	echo $! >"$CTD/pid"
	for _ in $(seq 100); do [ -S "$CTD/containerd.sock" ] && break; sleep 0.1; done
	"$BATS_TEST_DIRNAME/../fixtures/make-oci-image" "$CTD/image.tar" >/dev/null
	ctr --address "$CTD/containerd.sock" images import "$CTD/image.tar" >/dev/null
}

teardown_file() {
	[ -n "${CTD:-}" ] && [ -f "$CTD/pid" ] || return 0
	local c="ctr --address $CTD/containerd.sock"
	for t in $($c task ls -q 2>/dev/null); do $c task kill -s SIGKILL "$t"; done
	sleep 0.3
	for t in $($c container ls -q 2>/dev/null); do $c task delete -f "$t" 2>/dev/null; $c container delete "$t"; done
	kill "$(cat "$CTD/pid")" 2>/dev/null
	sleep 0.3
	umount -R "$CTD/root" "$CTD/state" 2>/dev/null || true
}

setup() {
	need_root
	need_cmd containerd
	need_feature RUNTIME
	C="ctr --address $CTD/containerd.sock"
	IMG=docker.io/library/busybox:tug-test
	RUNC=(--runc-binary "$CTD/bin/runc")
}

@test "containerd: foreground run, output and exit code" {
	run $C run --rm "${RUNC[@]}" $IMG fg1 sh -c 'echo hi from tug; exit 3'
	[ "$status" -eq 3 ]
	[[ "$output" == *"hi from tug"* ]]
}

@test "containerd: run -d, task exec, ps, pause/resume, kill, delete" {
	run $C run -d "${RUNC[@]}" $IMG bg1 sleep 100
	[ "$status" -eq 0 ]
	run $C task ls
	[[ "$output" =~ bg1\ +[0-9]+\ +RUNNING ]]
	run $C task exec --exec-id e1 bg1 sh -c 'echo exec as $(id -u) pid1=$(cat /proc/1/comm); exit 5'
	[ "$status" -eq 5 ]
	[[ "$output" == "exec as 0 pid1=sleep"* ]]
	run $C task ps bg1
	[ "$status" -eq 0 ]
	run $C task pause bg1
	[ "$status" -eq 0 ]
	run $C task ls
	[[ "$output" =~ bg1\ +[0-9]+\ +PAUSED ]]
	run $C task resume bg1
	[ "$status" -eq 0 ]
	run $C task kill -s SIGKILL bg1
	[ "$status" -eq 0 ]
	for _ in $(seq 50); do $C task ls | grep -q 'bg1.*STOPPED' && break; sleep 0.1; done
	run $C task ls
	[[ "$output" =~ bg1\ +[0-9]+\ +STOPPED ]]
	run $C task delete bg1
	[ "$status" -eq 0 ]
	run $C container delete bg1
	[ "$status" -eq 0 ]
	# nothing of tug's left in the shim's runc root
	[ -z "$(ls "$CTD/state/io.containerd.runtime.v2.task/default" 2>/dev/null)" ]
}

@test "containerd: --tty gets a pty from the container's devpts" {
	need_cmd script
	run script -qec "$C run --rm -t ${RUNC[*]} $IMG tty1 sh -c 'tty; exit 4'" /dev/null
	[ "$status" -eq 4 ]
	[[ "$output" == *"/dev/pts/0"* ]]
}
