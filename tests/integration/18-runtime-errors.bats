#!/usr/bin/env bats
# Bad input: each fails `create` with one line on stderr that names the
# field (or value) at fault and a non-zero status, and leaves nothing
# behind: no mount, no cgroup folder, no process, nothing in --root.

load helpers
load runtime-helpers

setup() {
	rt_setup
	set_args sleep 600
}
teardown() { rt_teardown; }

@test "bad input: config.json that is not JSON" {
	cfg_flush
	printf '{"ociVersion": "1.2.0", "process": {' >"$BUNDLE/config.json"
	expect_clean_failure config.json
}

@test "bad input: no config.json at all" {
	cfg_flush
	rm "$BUNDLE/config.json"
	expect_clean_failure config.json
}

@test "bad input: a wrong type (process.args a string)" {
	cfg '.process.args = "sh"'
	expect_clean_failure process.args
}

@test "bad input: a wrong type deeper down (linux.resources.memory.limit a string)" {
	cfg '.linux.resources.memory = {limit: "lots"}'
	expect_clean_failure limit
}

@test "bad input: an unknown namespace type" {
	cfg '.linux.namespaces += [{type: "frobnicate"}]'
	expect_clean_failure frobnicate
}

@test "bad input: the same namespace type twice" {
	cfg '.linux.namespaces += [{type: "pid"}]'
	expect_clean_failure pid
}

@test "bad input: an unknown capability CAP_TEST" {
	cfg '.process.capabilities.bounding += ["CAP_TEST"]'
	expect_clean_failure CAP_TEST
}

@test "bad input: the rootfs does not exist" {
	cfg '.root.path = "no-such-rootfs"'
	expect_clean_failure no-such-rootfs
}

@test "bad input: a bind mount whose source does not exist" {
	cfg '.mounts += [{destination: "/mnt/x", type: "bind", source: "/no/such/source", options: ["rbind"]}]'
	expect_clean_failure /no/such/source
	# and nothing was made for it in the rootfs either
	[ ! -e "$ROOTFS/mnt/x" ] || [ -z "$(ls -A "$ROOTFS/mnt/x")" ]
}

@test "bad input: a mount with an unknown filesystem type" {
	cfg '.mounts += [{destination: "/mnt/x", type: "nosuchfs", source: "none"}]'
	expect_clean_failure /mnt/x
}

@test "bad input: uidMappings without a user namespace" {
	cfg '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
	     | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	expect_clean_failure uidMappings
}

@test "bad input: a program not found in the PATH" {
	set_args no-such-program-xyz
	expect_clean_failure no-such-program-xyz
}

@test "bad input: an args list that is empty" {
	cfg '.process.args = []'
	expect_clean_failure args
}

@test "bad input: a container id that already exists; the first is untouched" {
	start_bg
	local st_before
	st_before=$(cat "$STATE/$CID/state.json" 2>/dev/null || rt state "$CID")
	run_create -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"$CID"* ]]
	[[ "$stderr" == *exist* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[ "$(ctr_status)" = running ]
	[ "$(rt state "$CID" | jq -r .pid)" = "$PID" ]
	[ "$(cat "$STATE/$CID/state.json" 2>/dev/null || rt state "$CID")" = "$st_before" ]
	[ "$(rt list -q)" = "$CID" ]
}

@test "bad input: an id with a slash or dots is refused" {
	local id
	for id in "a/b" ".." "../escape"; do
		run_create -b "$BUNDLE" "$id"
		[ "$status" -ne 0 ]
	done
	[ ! -e "$BATS_TEST_TMPDIR/escape" ]
	[ ! -e "$STATE/a" ]
}

@test "bad input: an unknown command line option exits with a usage error" {
	run_create --frobnicate -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *frobnicate* ]]
	[ ! -e "$STATE/$CID" ]
}
