#!/usr/bin/env bats
# The multi-call binary: static, version, help, dispatch, exit codes.

load helpers
bats_require_minimum_version 1.5.0

@test "the binary is statically linked" {
	need_cmd file
	run file -L "$TUG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"statically linked"* ]]
}

@test "--version prints the version and exits 0" {
	run "$TUG" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^tug\ version\ [0-9]+\.[0-9]+\.[0-9]+,\ build\  ]]
}

@test "--help lists the commands on stdout and exits 0" {
	run --separate-stderr "$TUG" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: tug [-H HOST] [--data-root DIR] [--keep-layer-blobs] COMMAND"* ]]
	[[ "$output" == *"features"* ]]
	[ -z "$stderr" ]
}

@test "no arguments: usage on stderr, exit 2" {
	run --separate-stderr "$TUG"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == *"Usage: tug [-H HOST] [--data-root DIR] [--keep-layer-blobs] COMMAND"* ]]
}

@test "an unknown command names itself on stderr and exits 2" {
	run --separate-stderr "$TUG" frobnicate --now
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == *'unknown command "frobnicate"'* ]]
}

@test "invoked under another name that is no alias, it is plain tug" {
	ln -sf "$TUG" "$BATS_TEST_TMPDIR/tug-renamed"
	run "$BATS_TEST_TMPDIR/tug-renamed" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "tug version"* ]]
}

@test "features: every option of the configuration is listed as it was set" {
	[ -n "${TUG_CONFIG:-}" ] || skip "TUG_CONFIG (the .config of this binary) not given"
	run "$TUG" features
	[ "$status" -eq 0 ]
	local n=0
	while read -r name; do
		[[ "$output" == *"  +$name "* ]] || { echo "missing +$name"; return 1; }
		n=$((n + 1))
	done < <(sed -n 's/^CONFIG_\([A-Z0-9_]*\)=y$/\1/p' "$TUG_CONFIG" | grep -v '^ARCH_')
	while read -r name; do
		[[ "$output" == *"  -$name "* ]] || { echo "missing -$name"; return 1; }
	done < <(sed -n 's/^# CONFIG_\([A-Z0-9_]*\) is not set$/\1/p' "$TUG_CONFIG" | grep -v '^ARCH_')
	[[ "$output" == *"libraries:"* ]]
	[[ "$output" == *"cJSON 1."* ]]
}

@test "features: linked libraries follow the configuration" {
	run "$TUG" features
	if [[ "$output" == *"  +TLS "* ]]; then [[ "$output" == *"BearSSL"* ]]; else [[ "$output" != *"BearSSL"* ]]; fi
	if [[ "$output" == *"  +IMAGES "* ]]; then [[ "$output" == *"libarchive"* ]]; else [[ "$output" != *"libarchive"* ]]; fi
}

@test "features takes no arguments: exit 2" {
	run "$TUG" features --bogus
	[ "$status" -eq 2 ]
}

@test "global options come before the command; an unknown one is an unknown command" {
	need_feature IMAGES
	run "$TUG" --data-root "$BATS_TEST_TMPDIR/store" images -q
	[ "$status" -eq 0 ]
	[ -d "$BATS_TEST_TMPDIR/store/blobs" ]
	run "$TUG" --data-root="$BATS_TEST_TMPDIR/store2" images
	[ "$status" -eq 0 ]
	[[ "$output" == REPOSITORY* ]]
	[ -d "$BATS_TEST_TMPDIR/store2/layers" ]
	run "$TUG" --bogus images
	[ "$status" -eq 2 ]
}
