#!/usr/bin/env bats
# The container's filesystem: root.readonly, hostname/domainname, mounts
# (bind ro/rw/file, tmpfs options, propagation), maskedPaths, readonlyPaths,
# the default /dev, linux.devices and the device cgroup.

load helpers
load runtime-helpers

setup() { rt_setup; }
teardown() { rt_teardown; }

# add_mount JSON: append one entry to mounts.
add_mount() {
	cfg ".mounts += [$1]"
}

@test "root.readonly: / cannot be written, the tmpfs mounts still can" {
	cfg '.root.readonly = true'
	ctr_sh 'touch /newfile; echo "rc=$?"; touch /dev/shm/ok && echo shm-ok; awk "\$5 == \"/\"" /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *"rc=1"* ]]
	[[ "$output" == *shm-ok* ]]
	[[ "${lines[-1]}" =~ \ /\ ro[,\ ] ]]
	[ ! -e "$ROOTFS/newfile" ]
}

@test "root.readonly false: / is writable and the write lands in the bundle's rootfs" {
	cfg '.root.readonly = false'
	ctr_sh 'echo data >/newfile'
	[ "$status" -eq 0 ]
	[ "$(cat "$ROOTFS/newfile")" = data ]
}

@test "hostname and domainname" {
	local host_name
	host_name=$(hostname)
	cfg '.hostname = "box1" | .domainname = "example.org"'
	ctr_sh 'hostname; cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname'
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "box1 box1 example.org" ]
	[ "$(hostname)" = "$host_name" ]
}

@test "bind mounts: rw writes reach the host, ro refuses writes, a file can be bound" {
	local h=$BATS_TEST_TMPDIR/host
	mkdir -p "$h/rw" "$h/ro"
	echo from-host >"$h/ro/file"
	echo file-content >"$h/single"
	add_mount '{destination: "/mnt/rw", type: "bind", source: "'"$h/rw"'", options: ["rbind", "rw"]}'
	add_mount '{destination: "/mnt/ro", type: "bind", source: "'"$h/ro"'", options: ["rbind", "ro"]}'
	add_mount '{destination: "/etc/single", type: "bind", source: "'"$h/single"'", options: ["bind", "ro"]}'
	ctr_sh 'echo written >/mnt/rw/out && echo rw-ok
		cat /mnt/ro/file
		touch /mnt/ro/new 2>&1
		cat /etc/single
		[ -f /etc/single ] && echo is-file'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = rw-ok ]
	[ "${lines[1]}" = from-host ]
	[[ "${lines[2]}" == *"Read-only file system"* ]]
	[ "${lines[3]}" = file-content ]
	[ "${lines[4]}" = is-file ]
	[ "$(cat "$h/rw/out")" = written ]
	[ ! -e "$h/ro/new" ]
	# the destinations were made inside the rootfs, of the right kind
	[ -d "$ROOTFS/mnt/rw" ]
	[ -f "$ROOTFS/etc/single" ]
}

@test "tmpfs mount with size, mode and nosuid/noexec options" {
	add_mount '{destination: "/mnt/t", type: "tmpfs", source: "tmpfs", options: ["nosuid", "noexec", "nodev", "size=1m", "mode=0710"]}'
	ctr_sh 'stat -c %a /mnt/t; grep " /mnt/t " /proc/self/mountinfo; cp /bin/busybox /mnt/t/bb; /mnt/t/bb true; echo "exec=$?"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 710 ]
	[[ "${lines[1]}" == *" /mnt/t "*nosuid*nodev*noexec*" - tmpfs "*"size=1024k"*"mode=710"* ]]
	# 1 MiB: busybox (about 2 MB) does not fit, and noexec refuses to run it
	[[ "$output" == *"No space left on device"* ]]
	[ "${lines[-1]}" != "exec=0" ]
}

@test "mount propagation: rshared shows as shared:N, rprivate as neither shared nor master" {
	local h=$BATS_TEST_TMPDIR/host
	mkdir -p "$h/a" "$h/b"
	add_mount '{destination: "/mnt/shared", type: "bind", source: "'"$h/a"'", options: ["rbind", "rshared"]}'
	add_mount '{destination: "/mnt/private", type: "bind", source: "'"$h/b"'", options: ["rbind", "rprivate"]}'
	ctr_sh 'grep -E " /mnt/(shared|private) " /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	local sh pr
	sh=$(grep " /mnt/shared " <<<"$output")
	pr=$(grep " /mnt/private " <<<"$output")
	[[ "$sh" == *" shared:"* ]]
	[[ "$pr" != *" shared:"* ]]
	[[ "$pr" != *" master:"* ]]
}

@test "maskedPaths: a masked file reads empty, a masked folder is empty, the rest is not" {
	mkdir -p "$ROOTFS/secret/dir"
	echo topsecret >"$ROOTFS/secret/file"
	echo hidden >"$ROOTFS/secret/dir/inside"
	echo visible >"$ROOTFS/secret/other"
	[ -e /proc/timer_list ] || skip "no /proc/timer_list on this kernel"
	cfg '.linux.maskedPaths = ["/secret/file", "/secret/dir", "/proc/timer_list", "/does/not/exist"]'
	ctr_sh 'echo "file=[$(cat /secret/file)]"; echo "dir=[$(ls -A /secret/dir)]"; cat /secret/other
		echo "timer_list=$(wc -c </proc/timer_list)"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "file=[]" ]
	[ "${lines[1]}" = "dir=[]" ]
	[ "${lines[2]}" = visible ]
	[ "${lines[3]}" = "timer_list=0" ]
	# the rootfs itself is untouched
	[ "$(cat "$ROOTFS/secret/file")" = topsecret ]
}

@test "readonlyPaths: a write fails with EROFS, reads work" {
	mkdir -p "$ROOTFS/rodir"
	echo keep >"$ROOTFS/rodir/f"
	cfg '.linux.readonlyPaths = ["/rodir", "/proc/sys"]'
	ctr_sh 'cat /rodir/f; echo x >/rodir/f; touch /rodir/new; echo 1 >/proc/sys/kernel/domainname'
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = keep ]
	[ "$(grep -c "Read-only file system" <<<"$output")" -eq 3 ]
	[ "$(cat "$ROOTFS/rodir/f")" = keep ]
	[ ! -e "$ROOTFS/rodir/new" ]
}

@test "default /dev: the standard nodes with their numbers, the symlinks, ptmx" {
	ctr_sh 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done
		for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done
		[ -d /dev/pts ] && [ -d /dev/shm ] && echo dirs-ok
		echo x >/dev/null && echo null-ok
		echo x >/dev/full; head -c 4 /dev/zero | od -An -tx1'
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/null character special file 1:3 666"* ]]
	[[ "$output" == *"/dev/zero character special file 1:5 666"* ]]
	[[ "$output" == *"/dev/full character special file 1:7 666"* ]]
	[[ "$output" == *"/dev/random character special file 1:8 666"* ]]
	[[ "$output" == *"/dev/urandom character special file 1:9 666"* ]]
	[[ "$output" == *"/dev/tty character special file 5:0 666"* ]]
	[[ "$output" == *"fd -> /proc/self/fd"* ]]
	[[ "$output" == *"stdin -> /proc/self/fd/0"* ]]
	[[ "$output" == *"stdout -> /proc/self/fd/1"* ]]
	[[ "$output" == *"stderr -> /proc/self/fd/2"* ]]
	[[ "$output" == *"ptmx -> pts/ptmx"* ]]
	[[ "$output" == *dirs-ok* ]]
	[[ "$output" == *null-ok* ]]
	[[ "$output" == *"No space left on device"* ]]
	[[ "$output" == *" 00 00 00 00"* ]]
}

@test "default /dev: only the standard nodes, none of the host's" {
	ctr_sh 'ls /dev'
	[ "$status" -eq 0 ]
	[[ "$output" != *sda* ]] && [[ "$output" != *vda* ]] && [[ "$output" != *kmsg* ]]
	[[ "$output" != *mem$'\n'* ]] && [[ "$output" != *fuse* ]]
}

@test "linux.devices: a node under another name, with its mode and owner" {
	cfg '.linux.devices = [{path: "/dev/mynull", type: "c", major: 1, minor: 3, fileMode: 438, uid: 1000, gid: 5}]'
	ctr_sh 'stat -c "%F %t:%T %a %u:%g" /dev/mynull; echo hi >/dev/mynull && echo write-ok'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1:3 666 1000:5" ]
	[ "${lines[1]}" = write-ok ]
}

@test "device cgroup: a device allowed in resources.devices opens, the same node not allowed gives EPERM" {
	[ -c /dev/fuse ] || skip "no /dev/fuse on this host"
	cfg '.linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438}]
	     | .linux.resources.devices += [{allow: true, type: "c", major: 10, minor: 229, access: "rwm"}]'
	ctr_sh 'stat -c "%t:%T" /dev/fuse; exec 3<>/dev/fuse && echo open-ok'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = a:e5 ]
	[ "${lines[1]}" = open-ok ]

	# the node exists, but the cgroup does not let it be opened
	cfg '.linux.resources.devices = [{allow: false, access: "rwm"}]'
	ctr_sh 'stat -c "%t:%T" /dev/fuse; exec 3<>/dev/fuse && echo open-ok'
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = a:e5 ]
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" != *open-ok* ]]
}

@test "device cgroup: a node made inside for a device not allowed cannot be opened (EPERM)" {
	cfg '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
	# mknod itself may be allowed (runc allows "c *:* m"); opening may not
	ctr_sh 'mknod /tmp/null2 c 1 3 && echo hi >/tmp/null2 && echo null2-ok
		mknod /tmp/mem c 1 1; head -c 1 /tmp/mem >/dev/null && echo mem-open-ok; echo done'
	[ "$status" -eq 0 ]
	[[ "$output" == *null2-ok* ]]
	[[ "$output" != *mem-open-ok* ]]
	[[ "$output" == *"Operation not permitted"* ]]
}
