#!/usr/bin/env bats
# Known runtime escapes, each tried the way the exploit does it; the test
# passes when nothing of the host leaks in and nothing on the host changes.

load helpers
load runtime-helpers

setup() {
	rt_setup
	H=$BATS_TEST_TMPDIR/host
	mkdir -p "$H"
}
teardown() { rt_teardown; }

# CVE-2024-21626 (runc "Leaky Vessels"): an fd of the runtime's, open on a
# host folder, survived into the container; cwd /proc/self/fd/N then put
# the process on the host's filesystem.
@test "CVE-2024-21626: the process has no fds beyond 0-2 (run, and create+start)" {
	# ls opens one for the folder it lists: 3
	ctr_sh 'ls /proc/self/fd | tr "\n" " "'
	[ "$status" -eq 0 ]
	[ "$output" = "0 1 2 3 " ]

	set_args sh -c 'ls -l /proc/self/fd >/tmp/fds; ls /proc/self/fd | tr "\n" " " >/tmp/fdlist'
	rt create -b "$BUNDLE" "$CID-2" </dev/null >"$BATS_TEST_TMPDIR/ctr.out" 2>&1
	rt start "$CID-2"
	wait_for test -s "$ROOTFS/tmp/fdlist"
	cat "$ROOTFS/tmp/fds"
	[ "$(cat "$ROOTFS/tmp/fdlist")" = "0 1 2 3 " ]
}

@test "CVE-2024-21626: an exec'd process has no fds beyond 0-2 either" {
	start_bg
	run rt exec "$CID" sh -c 'ls /proc/self/fd | tr "\n" " "'
	[ "$status" -eq 0 ]
	[ "$output" = "0 1 2 3 " ]
}

@test "CVE-2024-21626: process.cwd /proc/self/fd/N does not reach the host" {
	echo host-secret >"$H/marker"
	local n
	for n in 3 4 5 6 7 8; do
		cfg '.process.cwd = $c' --arg c "/proc/self/fd/$n"
		ctr_sh 'pwd -P; cat ../../../../../../../../../..'"$H"'/marker 2>/dev/null; ls ../../../../../../../../../.. | tr "\n" " "'
		[[ "$output" != *host-secret* ]] || { echo "fd $n escaped: $output"; return 1; }
		# the host's root has what busybox's has not
		[[ "$output" != *" usr "* ]] || { echo "fd $n shows the host's /: $output"; return 1; }
		rt delete -f "$CID" >/dev/null 2>&1 || :
	done
}

@test "CVE-2024-21626: exec --cwd /proc/self/fd/N does not reach the host" {
	echo host-secret >"$H/marker"
	start_bg
	local n
	for n in 3 4 5 6 7 8; do
		run rt exec --cwd "/proc/self/fd/$n" "$CID" sh -c 'cat ../../../../../../../../../..'"$H"'/marker 2>/dev/null; ls ../../../../../../../../../.. | tr "\n" " "'
		[[ "$output" != *host-secret* ]] || { echo "fd $n escaped: $output"; return 1; }
		[[ "$output" != *" usr "* ]] || { echo "fd $n shows the host's /: $output"; return 1; }
	done
}

# CVE-2025-31133-style: the rootfs's /dev/null is a symlink to a host file;
# a runtime that binds "/dev/null" over maskedPaths (or creates the node)
# through it exposes or overwrites the host file.
@test "rootfs /dev/null a symlink to a host file: the host file is neither changed nor bound in" {
	echo host-original >"$H/hostfile"
	echo container-data >"$ROOTFS/masked"
	mkdir -p "$ROOTFS/dev"
	ln -s "$H/hostfile" "$ROOTFS/dev/null"
	# no tmpfs on /dev: the rootfs's own /dev is used
	cfg '.mounts |= map(select(.destination != "/dev" and .destination != "/dev/pts" and .destination != "/dev/shm" and .destination != "/dev/mqueue"))
	     | .linux.maskedPaths = ["/masked", "/proc/timer_list"]'
	local before
	before=$(grep -c "$H" /proc/self/mountinfo || :)
	ctr_sh 'cat /masked; echo pwned >/masked; echo pwned >/dev/null; cat /masked; grep -c hostfile /proc/self/mountinfo'
	echo "status $status"
	[[ "$output" != *host-original* ]]
	[ "$(cat "$H/hostfile")" = host-original ]
	[ "$(grep -c "$H" /proc/self/mountinfo || :)" = "$before" ]
	# the masked file must not have become the host file, in any way
	[ "$(stat -c %i "$H/hostfile")" != "$(stat -c %i "$ROOTFS/masked")" ]
}

@test "rootfs /dev/null a relative symlink climbing out: nothing on the host changes" {
	echo host-original >"$H/hostfile"
	mkdir -p "$ROOTFS/dev"
	ln -s "../../../../../../../../../../..$H/hostfile" "$ROOTFS/dev/null"
	cfg '.mounts |= map(select(.destination != "/dev" and .destination != "/dev/pts" and .destination != "/dev/shm" and .destination != "/dev/mqueue"))
	     | .linux.maskedPaths = ["/etc/passwd"]'
	ctr_sh 'cat /etc/passwd; echo pwned >/etc/passwd; echo pwned >/dev/null'
	[[ "$output" != *host-original* ]]
	[ "$(cat "$H/hostfile")" = host-original ]
}

# A mount destination that is (or goes through) a symlink out of the rootfs
# must be resolved inside it (runc's securejoin; CVE-2021-30465 style).
@test "mount destination through an absolute symlink: mounted inside the rootfs, not on the host" {
	mkdir -p "$H/outside" "$H/src"
	echo bound >"$H/src/marker"
	ln -s "$H/outside" "$ROOTFS/mnt2"
	cfg '.mounts += [{destination: "/mnt2/data", type: "bind", source: "'"$H/src"'", options: ["rbind"]},
			 {destination: "/mnt2/tmp", type: "tmpfs", source: "tmpfs"}]'
	ctr_sh 'cat /mnt2/data/marker; echo inside >/mnt2/tmp/f && echo wrote; grep -E " '"$H"'/outside/(data|tmp) " /proc/self/mountinfo | wc -l'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = bound ]
	[ "${lines[1]}" = wrote ]
	[ "${lines[2]}" = 2 ]
	# the host's folder got nothing: no mount point made, no file written
	[ -z "$(ls -A "$H/outside")" ]
	! grep -q " $H/outside" /proc/self/mountinfo
	# it went inside the rootfs instead
	[ -d "$ROOTFS$H/outside/data" ]
}

@test "mount destination through a relative symlink climbing out: stays inside the rootfs" {
	mkdir -p "$H/outside"
	ln -s "../../../../../../../../../..$H/outside" "$ROOTFS/mnt3"
	cfg '.mounts += [{destination: "/mnt3/t", type: "tmpfs", source: "tmpfs"}]'
	ctr_sh 'echo inside >/mnt3/t/f && echo wrote'
	[ "$status" -eq 0 ]
	[ "$output" = wrote ]
	[ -z "$(ls -A "$H/outside")" ]
	! grep -q " $H/outside" /proc/self/mountinfo
}

@test "a mount destination that is a symlink to /proc files of the host is not followed out" {
	# /mnt/evil -> /proc/self/cwd (the runtime's cwd when it resolves it)
	ln -s /proc/self/cwd "$ROOTFS/evil"
	cfg '.mounts += [{destination: "/evil/x", type: "tmpfs", source: "tmpfs"}]'
	local before
	cfg_flush
	before=$(ls -A "$BUNDLE")
	(cd "$BUNDLE" && ctr_sh 'true')
	[ "$(ls -A "$BUNDLE")" = "$before" ]
	[ ! -e "$BUNDLE/x" ]
	! grep -q " $BUNDLE/x " /proc/self/mountinfo
}

@test "the container cannot reach the runtime's state folder or the bundle's config" {
	start_bg
	run rt exec "$CID" sh -c 'ls /proc/1/fd | tr "\n" " "; find / -path /proc -prune -o \( -name exec.fifo -o -name state.json \) -print 2>/dev/null; true'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "0 1 2 " ]
	[ "${#lines[@]}" -eq 1 ]
}
