#!/usr/bin/env bats
# tug pull from a plain-HTTP registry on 127.0.0.1 (insecure by default, as
# for docker): docker's progress lines, what lands in the store (layers,
# whiteouts, links), platforms of an index, pulls by digest, errors.

load helpers
load registry-helpers
load image-helpers

setup_file() {
	img_registry plain
}

teardown_file() {
	reg_stop
}

setup() {
	img_setup
}

# pull_lines NAME: checks the output of a first pull of NAME (every layer
# fetched, none there before).
pull_lines() {
	local name=$1 b
	has_line "latest: Pulling from tug-test/$name"
	for b in $(img_blobs "$name"); do
		has_line "$(short "$b"): Pulling fs layer"
		has_match "^$(short "$b"): Downloading"
		has_line "$(short "$b"): Verifying Checksum"
		has_line "$(short "$b"): Pull complete"
	done
	has_line "Digest: $(reg_digest "$name")"
	has_line "Status: Downloaded newer image for $(ref "$name")"
	[ "$(last_line)" = "$(ref "$name")" ]
}

@test "pull single: docker's lines, exit 0, listed, layers as the config says" {
	run --separate-stderr tugd pull "$(ref single)"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	pull_lines single
	local cfg id
	cfg=$(img_config single)
	id=$(reg_inspect tug-test/single:latest --raw | jq -r .config.digest)
	run tugd images
	[ "$status" -eq 0 ]
	has_match "^$REGISTRY_ADDR/tug-test/single +latest +$(short "$id") "
	run tugd image inspect "$(ref single)"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	[ "$(jq -c '.[0].RootFS.Layers' <<<"$output")" = "$(jq -c .rootfs.diff_ids <<<"$cfg")" ]
	# The busybox of the layer is the host's one, executable.
	local diff
	diff=$(layer_of "$(jq -r '.rootfs.diff_ids[0]' <<<"$cfg")")
	cmp "$diff/bin/busybox" /bin/busybox
	[ -x "$diff/bin/busybox" ]
	[ "$(readlink "$diff/bin/sh")" = busybox ]
	[ "$(stat -c %a "$diff/tmp")" = 1777 ]
	grep -q '^user:x:1000:' "$diff/etc/passwd"
	# mtimes come from the tar (2026-01-01).
	[ "$(stat -c %Y "$diff/etc/passwd")" = 1767225600 ]
	store_ok
}

@test "pull again: Image is up to date, nothing fetched" {
	tugd pull "$(ref single)" >/dev/null
	run --separate-stderr tugd pull "$(ref single)"
	[ "$status" -eq 0 ]
	has_line "Status: Image is up to date for $(ref single)"
	run grep -c 'Pulling fs layer' <<<"$output"
	[ "$output" = 0 ]
	store_ok
}

@test "pull -q prints the name only" {
	run --separate-stderr tugd pull -q "$(ref single)"
	[ "$status" -eq 0 ]
	[ "$output" = "$(ref single)" ]
	run --separate-stderr tugd pull -q "$(ref single)"
	[ "$output" = "$(ref single)" ]
}

@test "pull multi: four layers, whiteouts for overlay, hard link and symlink kept" {
	need_cmd getfattr
	run --separate-stderr tugd pull "$(ref multi)"
	[ "$status" -eq 0 ]
	pull_lines multi
	local cfg l2 l3 l4
	cfg=$(img_config multi)
	[ "$(jq '.rootfs.diff_ids | length' <<<"$cfg")" -eq 4 ]
	run tugd image inspect "$(ref multi)"
	[ "$(jq -c '.[0].RootFS.Layers' <<<"$output")" = "$(jq -c .rootfs.diff_ids <<<"$cfg")" ]
	l2=$(layer_of "$(jq -r '.rootfs.diff_ids[1]' <<<"$cfg")")
	l3=$(layer_of "$(jq -r '.rootfs.diff_ids[2]' <<<"$cfg")")
	l4=$(layer_of "$(jq -r '.rootfs.diff_ids[3]' <<<"$cfg")")
	# Layer 2: a hard link is one inode, a symlink its target, owners kept.
	[ "$(cat "$l2/data/a.txt")" = alpha ]
	[ "$(stat -c %i "$l2/data/a.txt")" = "$(stat -c %i "$l2/data/hard.txt")" ]
	[ "$(stat -c %h "$l2/data/a.txt")" -eq 2 ]
	[ "$(readlink "$l2/data/link.txt")" = a.txt ]
	[ "$(stat -c '%u:%g %a' "$l2/data/b.txt")" = "1000:1000 600" ]
	[ "$(stat -c %a "$l2/data/empty")" = 700 ]
	[ -f "$l2/data/sub/deep/old2.txt" ]
	# Layer 3: .wh.gone.txt is a 0/0 character device, .wh..wh..opq the
	# opaque xattr on its folder; neither marker is a file.
	[ "$(stat -c '%F %t:%T' "$l3/data/gone.txt")" = "character special file 0:0" ]
	[ ! -e "$l3/data/.wh.gone.txt" ]
	[ "$(getfattr --only-values -n trusted.overlay.opaque "$l3/data/sub")" = y ]
	[ ! -e "$l3/data/sub/.wh..wh..opq" ]
	[ "$(cat "$l3/data/sub/new.txt")" = "new in layer 3" ]
	run getfattr --only-values -n trusted.overlay.opaque "$l3/data"
	[ "$status" -ne 0 ]
	[ "$(cat "$l4/hello.txt")" = "hello from layer 4" ]
	store_ok
}

@test "pull multi after single: the shared base layer Already exists" {
	local base
	base=$(img_blobs single)
	[ "$(img_blobs multi | head -n1)" = "$base" ] # make-test-images shares it
	tugd pull -q "$(ref single)" >/dev/null
	run --separate-stderr tugd pull "$(ref multi)"
	[ "$status" -eq 0 ]
	has_line "$(short "$base"): Already exists"
	run grep -c "^$(short "$base"): Pull complete" <<<"$output"
	[ "$output" = 0 ]
	# One copy of the base layer serves both images.
	[ "$(grep -l "\"diffID\": *\"$(img_config single | jq -r '.rootfs.diff_ids[0]')\"" "$D"/layers/*/layer.json | wc -l)" -eq 1 ]
	run tugd images -q
	[ "$(sort -u <<<"$output" | wc -l)" -eq 2 ]
	store_ok
}

@test "pull zstd: zstd layers unpack" {
	need_feature ZSTD
	run --separate-stderr tugd pull "$(ref zstd)"
	[ "$status" -eq 0 ]
	pull_lines zstd
	local cfg
	cfg=$(img_config zstd)
	cmp "$(layer_of "$(jq -r '.rootfs.diff_ids[0]' <<<"$cfg")")/bin/busybox" /bin/busybox
	[ "$(cat "$(layer_of "$(jq -r '.rootfs.diff_ids[1]' <<<"$cfg")")/compression")" = zstd ]
	store_ok
}

# --- platforms ---------------------------------------------------------------

# platform_of: what /platform says in the image pulled into $D.
platform_of() {
	cat "$D"/layers/*/diff/platform
}

host_arch() {
	case $(uname -m) in
	x86_64) echo amd64 ;; aarch64) echo arm64 ;; armv7l) echo arm ;; *) uname -m ;;
	esac
}

@test "multiarch: the host's platform by default, the index digest reported" {
	run --separate-stderr tugd pull "$(ref multiarch)"
	[ "$status" -eq 0 ]
	has_line "Digest: $(reg_digest multiarch)"
	[ "$(last_line)" = "$(ref multiarch)" ]
	local want=linux/$(host_arch)
	[ "$want" != linux/arm64 ] || want=linux/arm64/v8
	[ "$want" != linux/arm ] || want=linux/arm/v7
	[ "$(platform_of)" = "$want" ]
	run tugd image inspect "$(ref multiarch)"
	[ "$(jq -r '.[0].Architecture' <<<"$output")" = "$(host_arch)" ]
	[ "$(jq -r '.[0].Os' <<<"$output")" = linux ]
	# The repo digest is the index's, as docker records it.
	[ "$(jq -r '.[0].RepoDigests[0]' <<<"$output")" = "$REGISTRY_ADDR/tug-test/multiarch@$(reg_digest multiarch)" ]
	# Never the attestation: no in-toto blob was unpacked.
	run grep -rl in-toto "$D/layers"
	[ "$status" -ne 0 ]
	store_ok
}

@test "multiarch: --platform linux/arm64 and linux/arm/v7" {
	run --separate-stderr tugd pull --platform linux/arm64 "$(ref multiarch)"
	[ "$status" -eq 0 ]
	[ "$(platform_of)" = linux/arm64/v8 ]
	run tugd image inspect "$(ref multiarch)"
	[ "$(jq -r '.[0].Architecture' <<<"$output")" = arm64 ]
	store_ok
	D=$BATS_TEST_TMPDIR/arm
	run --separate-stderr tugd pull --platform linux/arm/v7 "$(ref multiarch)"
	[ "$status" -eq 0 ]
	[ "$(platform_of)" = linux/arm/v7 ]
	run tugd image inspect "$(ref multiarch)"
	[ "$(jq -r '.[0].Architecture + "/" + .[0].Variant' <<<"$output")" = arm/v7 ]
	store_ok
}

@test "multiarch: a platform the index lacks fails, listing what it has" {
	run --separate-stderr tugd pull --platform linux/s390x "$(ref multiarch)"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tug: pull $(ref multiarch): "* ]]
	[[ "$stderr" == *linux/s390x* ]]
	[[ "$stderr" == *linux/amd64* && "$stderr" == *linux/arm64* && "$stderr" == *linux/arm/v7* ]]
	no_images
	store_ok
	# The attestation's unknown/unknown is not an image to pick.
	run --separate-stderr tugd pull --platform unknown/unknown "$(ref multiarch)"
	[ "$status" -eq 1 ]
	no_images
}

@test "pull --platform on a single-platform image that does not match: pulled (docker warns)" {
	# Docker keeps single-arch images whatever --platform says, with a
	# WARNING line (moby daemon/images/image_pull.go, "ignoring platform
	# mismatch on single-arch image").
	run --separate-stderr tugd pull --platform linux/arm64 "$(ref single)"
	[ "$status" -eq 0 ]
	[ "$(last_line)" = "$(ref single)" ]
	grep -qi warning <<<"$output$stderr" || echo "# no platform mismatch warning" >&3
	run tugd image inspect "$(ref single)"
	[ "$(jq -r '.[0].Architecture' <<<"$output")" = amd64 ]
	store_ok
}

# --- by digest ------------------------------------------------------------------

@test "pull by digest: name@sha256, the tag absent from images" {
	local dg
	dg=$(reg_digest single)
	run --separate-stderr tugd pull "$REGISTRY_ADDR/tug-test/single@$dg"
	[ "$status" -eq 0 ]
	has_line "Digest: $dg"
	[ "$(last_line)" = "$REGISTRY_ADDR/tug-test/single@$dg" ]
	run tugd images --digests
	has_match "^$REGISTRY_ADDR/tug-test/single +<none> +$dg "
	run tugd image inspect "$REGISTRY_ADDR/tug-test/single@$dg"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].RepoDigests[0]' <<<"$output")" = "$REGISTRY_ADDR/tug-test/single@$dg" ]
	[ "$(jq '.[0].RepoTags | length' <<<"$output")" -eq 0 ]
	store_ok
}

@test "pull by tag and digest: the digest wins" {
	local dg
	dg=$(reg_digest single)
	run --separate-stderr tugd pull "$REGISTRY_ADDR/tug-test/single:whatever@$dg"
	[ "$status" -eq 0 ]
	has_line "Digest: $dg"
	[[ "$(last_line)" == *"@$dg" ]]
	store_ok
}

@test "pull by digest: one platform's manifest out of the index" {
	local dg
	dg=$(img_manifest multiarch | jq -r '.manifests[] | select(.platform.architecture == "arm") | .digest')
	run --separate-stderr tugd pull "$REGISTRY_ADDR/tug-test/multiarch@$dg"
	[ "$status" -eq 0 ]
	[ "$(platform_of)" = linux/arm/v7 ]
}

@test "pull by a wrong digest fails and stores nothing" {
	local bad=sha256:$(printf '%064d' 0)
	run --separate-stderr tugd pull "$REGISTRY_ADDR/tug-test/single@$bad"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tug: pull $REGISTRY_ADDR/tug-test/single@$bad: "* ]]
	# multi's digest exists in the registry, not in this repository.
	run --separate-stderr tugd pull "$REGISTRY_ADDR/tug-test/single@$(reg_digest multi)"
	[ "$status" -eq 1 ]
	# Not a digest at all: the reference is refused before any request.
	run --separate-stderr tugd pull "$REGISTRY_ADDR/tug-test/single@sha256:abc"
	[ "$status" -eq 1 ]
	no_images
	store_ok
}

# --- errors ---------------------------------------------------------------------

@test "pull errors: unknown tag, unknown repository, nothing listening" {
	run --separate-stderr tugd pull "$(ref single nosuchtag)"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tug: pull $(ref single nosuchtag): "* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	run --separate-stderr tugd pull "$REGISTRY_ADDR/tug-test/nosuchrepo"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tug: pull $REGISTRY_ADDR/tug-test/nosuchrepo:latest: "* ]]
	local port
	port=$(free_port)
	run --separate-stderr timeout 60 "$TUG" --data-root "$D" pull "127.0.0.1:$port/x/y"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tug: pull 127.0.0.1:$port/x/y:latest: "* ]]
	no_images
	store_ok
}

@test "pull: a bad reference or no argument is a usage error" {
	run --separate-stderr tugd pull 'UPPER/case'
	[ "$status" -ne 0 ]
	run --separate-stderr tugd pull
	[ "$status" -ne 0 ]
	[ -n "$stderr" ]
}

@test "pull: two pulls of the same image at once both succeed" {
	tugd pull -q "$(ref multi)" >"$BATS_TEST_TMPDIR/a" 2>&1 &
	local a=$!
	tugd pull -q "$(ref multi)" >"$BATS_TEST_TMPDIR/b" 2>&1 &
	local b=$!
	wait "$a"
	wait "$b"
	[ "$(cat "$BATS_TEST_TMPDIR/a")" = "$(ref multi)" ]
	[ "$(cat "$BATS_TEST_TMPDIR/b")" = "$(ref multi)" ]
	run tugd images -q
	[ "$(wc -l <<<"$output")" -eq 1 ]
	store_ok
}
