#!/usr/bin/env bats
# tug push against a real registry (distribution) in each mode: plain, tls,
# basic (after tug login) and token. Images are pulled with their layer
# blobs kept, tagged under another repository and pushed; skopeo checks
# that what arrived is the same image (same manifest digest) and copies it.
# The registries keep an access log, so the tests can see which requests
# tug made (mount, PATCH chunks, whole PUT).

load helpers
load registry-helpers

MODES="plain tls basic token"

setup_file() {
	command -v skopeo >/dev/null && command -v docker-registry >/dev/null &&
		command -v openssl >/dev/null && command -v jq >/dev/null || return 0
	"$TUG" features | grep -q "^  +PUSH " || return 0
	reg_images
	local m
	for m in $MODES; do
		REGISTRY_LOG_ACCESSLOG_DISABLED=false REGISTRY_LOG_LEVEL=info \
			reg_start "$m" "$BATS_FILE_TMPDIR/registry-$m"
		reg_push single tug-test/single:latest
		reg_push multi tug-test/multi:latest
		save_mode "$m"
	done
}

teardown_file() {
	local m
	for m in $MODES; do
		[ ! -d "$BATS_FILE_TMPDIR/registry-$m" ] ||
			"$FIXTURES/registry" stop "$BATS_FILE_TMPDIR/registry-$m"
	done
}

# save_mode M: the registry variables of mode M, for use_mode; and a
# certs.d (TUG_CERTS_D) trusting its CA under both of its names.
save_mode() {
	local v port=${REGISTRY_ADDR##*:}
	for v in REGISTRY_MODE REGISTRY_DIR REGISTRY_ADDR REGISTRY_URL REGISTRY_PID \
		REGISTRY_CA REGISTRY_CERT_DIR REGISTRY_USER REGISTRY_PASS TOKEN_URL TOKEN_PID TOKEN_LOG; do
		printf 'export %s=%q\n' "$v" "${!v:-}"
	done >"$BATS_FILE_TMPDIR/env-$1"
	if [ -n "$REGISTRY_CA" ]; then
		mkdir -p "$BATS_FILE_TMPDIR/certs.d-$1/127.0.0.1:$port" \
			"$BATS_FILE_TMPDIR/certs.d-$1/localhost:$port"
		cp "$REGISTRY_CA" "$BATS_FILE_TMPDIR/certs.d-$1/127.0.0.1:$port/ca.crt"
		cp "$REGISTRY_CA" "$BATS_FILE_TMPDIR/certs.d-$1/localhost:$port/ca.crt"
	fi
}

# use_mode M: talk to the registry of mode M; LOCAL is the same registry
# under another name (localhost:PORT), where tug has nothing to mount from.
use_mode() {
	[ -f "$BATS_FILE_TMPDIR/env-$1" ] || skip "no $1 registry (setup_file skipped it)"
	. "$BATS_FILE_TMPDIR/env-$1"
	export TUG_CERTS_D=$BATS_FILE_TMPDIR/certs.d-$1
	export DOCKER_CONFIG=$BATS_TEST_TMPDIR/docker
	LOCAL=localhost:${REGISTRY_ADDR##*:}
}

setup() {
	need_cmd skopeo
	need_cmd docker-registry
	need_cmd jq
	need_feature PUSH
	DATA=$BATS_TEST_TMPDIR/root
}

t() {
	"$TUG" --data-root "$DATA" "$@"
}

# login: for basic and token, to both names of the registry.
login() {
	[ -n "$REGISTRY_USER" ] || return 0
	printf '%s\n' "$REGISTRY_PASS" | t login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_ADDR"
	printf '%s\n' "$REGISTRY_PASS" | t login -u "$REGISTRY_USER" --password-stdin "$LOCAL"
}

# pull_kept NAME: tug-test/NAME with its compressed layers kept.
pull_kept() {
	TUG_KEEP_LAYER_BLOBS=1 t pull -q "$REGISTRY_ADDR/tug-test/$1" >/dev/null
}

# manifest_digest REF: sha256 of the raw manifest the registry serves.
manifest_digest() {
	reg_skopeo_args plain
	echo "sha256:$(skopeo inspect --raw "${REG_ARGS[@]}" "docker://$1" | sha256sum | cut -c1-64)"
}

# copy_out REF: skopeo copies the pushed image to an OCI layout.
copy_out() {
	reg_skopeo_args src
	rm -rf "$BATS_TEST_TMPDIR/out"
	skopeo --insecure-policy copy -q "${REG_ARGS[@]}" "docker://$1" "oci:$BATS_TEST_TMPDIR/out:x"
}

# access_log PATTERN: how many requests of the registry's access log match.
access_log() {
	grep -c "$1" "$REGISTRY_DIR/registry.log" || :
}

# roundtrip M: pull, tag under a new repository, push (mounted from the
# repository it came from), check with skopeo, push again (all there).
roundtrip() {
	use_mode "$1"
	login
	pull_kept single
	t tag "$REGISTRY_ADDR/tug-test/single" "$REGISTRY_ADDR/other/copy"
	run t push "$REGISTRY_ADDR/other/copy"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Using default tag: latest" ]
	[ "${lines[1]}" = "The push refers to repository [$REGISTRY_ADDR/other/copy]" ]
	[[ "${lines[2]}" =~ ^[0-9a-f]{12}:\ Preparing$ ]]
	[[ "$output" == *": Mounted from tug-test/single"* ]]
	[ "${lines[-1]}" = "latest: digest: $(reg_digest single) size: $(skopeo inspect --raw "oci:$TEST_IMAGES/single:latest" | wc -c)" ]
	[ "$(access_log "POST /v2/other/copy/blobs/uploads/?mount=sha256:[0-9a-f]*&from=tug-test/single")" -ge 1 ]
	[ "$(manifest_digest "$REGISTRY_ADDR/other/copy:latest")" = "$(reg_digest single)" ]
	copy_out "$REGISTRY_ADDR/other/copy:latest"
	[ -f "$BATS_TEST_TMPDIR/out/index.json" ]

	run t push "$REGISTRY_ADDR/other/copy:latest"
	[ "$status" -eq 0 ]
	[[ "$output" == *": Layer already exists"* ]]
	[[ "$output" != *Pushed* ]]
	# docker records where the image now is, too
	t image inspect "$REGISTRY_ADDR/other/copy" | jq -e --arg d "$REGISTRY_ADDR/other/copy@$(reg_digest single)" \
		'.[0].RepoDigests | index($d)' >/dev/null
}

# whole M: nothing to mount from (another registry name): each blob goes
# up in one PUT, no PATCH.
whole() {
	use_mode "$1"
	login
	pull_kept single
	t tag "$REGISTRY_ADDR/tug-test/single" "$LOCAL/whole/single:v1"
	run t push "$LOCAL/whole/single:v1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *": Pushed"* ]]
	[[ "$output" != *Mounted* ]]
	[ "${lines[-1]}" = "v1: digest: $(reg_digest single) size: $(skopeo inspect --raw "oci:$TEST_IMAGES/single:latest" | wc -c)" ]
	[ "$(access_log '"PATCH /v2/whole/single/')" -eq 0 ]
	[ "$(access_log '"PUT /v2/whole/single/blobs/uploads/[^ ]*digest=sha256')" -eq 2 ]
	[ "$(manifest_digest "$REGISTRY_ADDR/whole/single:v1")" = "$(reg_digest single)" ]
	copy_out "$REGISTRY_ADDR/whole/single:v1"
}

# chunked M: TUG_PUSH_CHUNK_SIZE=65536 sends multi's busybox layer (~1 MB)
# in 64 KiB PATCHes; the small layers still go whole.
chunked() {
	use_mode "$1"
	login
	pull_kept multi
	t tag "$REGISTRY_ADDR/tug-test/multi" "$LOCAL/chunked/multi"
	run env TUG_PUSH_CHUNK_SIZE=65536 "$TUG" --data-root "$DATA" push "$LOCAL/chunked/multi"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': Pushed$' <<<"$output")" -eq 4 ]
	[ "$(access_log '"PATCH /v2/chunked/multi/blobs/uploads/')" -ge 10 ]
	[ "$(manifest_digest "$REGISTRY_ADDR/chunked/multi:latest")" = "$(reg_digest multi)" ]
	copy_out "$REGISTRY_ADDR/chunked/multi:latest"
	[ "$(jq '.layers | length' "$BATS_TEST_TMPDIR/out/blobs/sha256/$(jq -r '.manifests[0].digest' "$BATS_TEST_TMPDIR/out/index.json" | cut -d: -f2)")" -eq 4 ]
}

@test "push plain: a new name is mounted from the pulled repository; digest kept; again: exists" {
	roundtrip plain
}

@test "push tls: a new name is mounted from the pulled repository; digest kept; again: exists" {
	roundtrip tls
}

@test "push basic: after tug login, mounted, digest kept, again: exists" {
	roundtrip basic
}

@test "push token: after tug login, mounted (token for two repositories), again: exists" {
	roundtrip token
	# the mount's token names both repositories, one scope parameter each
	grep -q "scope=repository%3Aother%2Fcopy%3Apull%2Cpush&scope=repository%3Atug-test%2Fsingle%3Apull user=tug -> 200" "$TOKEN_LOG"
}

@test "push plain: whole uploads when there is nothing to mount" {
	whole plain
}

@test "push tls: whole uploads when there is nothing to mount" {
	whole tls
}

@test "push basic: whole uploads when there is nothing to mount" {
	whole basic
}

@test "push token: whole uploads when there is nothing to mount" {
	whole token
}

@test "push plain: chunked upload (TUG_PUSH_CHUNK_SIZE) gives the same image" {
	chunked plain
}

@test "push token: chunked upload with a bearer token gives the same image" {
	chunked token
}

@test "push basic: without credentials it is refused and says to log in" {
	use_mode basic
	login
	pull_kept single
	t logout "$REGISTRY_ADDR"
	t tag "$REGISTRY_ADDR/tug-test/single" "$REGISTRY_ADDR/anon/basic"
	run t push "$REGISTRY_ADDR/anon/basic"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"tug login $REGISTRY_ADDR"* ]]
}

@test "push token: an anonymous push is denied" {
	use_mode token
	pull_kept single
	t tag "$REGISTRY_ADDR/tug-test/single" "$REGISTRY_ADDR/anon/token"
	run t push "$REGISTRY_ADDR/anon/token"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"tug: push $REGISTRY_ADDR/anon/token:latest: "*"401"* ]]
	[[ "$output" == *"tug login"* ]]
	reg_skopeo_args plain
	! skopeo inspect --raw "${REG_ARGS[@]}" "docker://$REGISTRY_ADDR/anon/token:latest"
}

@test "push: an image pulled without its layer blobs fails naming the layer" {
	use_mode plain
	t pull -q "$REGISTRY_ADDR/tug-test/single" >/dev/null
	local layer posts
	layer=$(skopeo inspect --raw "oci:$TEST_IMAGES/single:latest" | jq -r '.layers[0].digest')
	t tag "$REGISTRY_ADDR/tug-test/single" "$REGISTRY_ADDR/noblobs/x"
	posts=$(access_log '"[A-Z]* /v2/noblobs/')
	run t push "$REGISTRY_ADDR/noblobs/x"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[1]}" = "The push refers to repository [$REGISTRY_ADDR/noblobs/x]" ]
	[[ "${lines[2]}" == "tug: push $REGISTRY_ADDR/noblobs/x:latest: layer $layer: its compressed blob is not in the store"* ]]
	[[ "$output" == *"--keep-layer-blobs"* ]]
	# nothing was sent
	[ "$(access_log '"[A-Z]* /v2/noblobs/')" -eq "$posts" ]
}

@test "push: a name that is not in the store fails as docker's does" {
	use_mode plain
	pull_kept single
	run t push "$REGISTRY_ADDR/nope/none"
	[ "$status" -eq 1 ]
	[ "$output" = "tug: push: An image does not exist locally with the tag: $REGISTRY_ADDR/nope/none" ]
	run t push "$REGISTRY_ADDR/tug-test/single:nope"
	[ "$status" -eq 1 ]
	[ "$output" = "tug: push: tag does not exist: $REGISTRY_ADDR/tug-test/single:nope" ]
	run t push "$REGISTRY_ADDR/tug-test/single@$(reg_digest single)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot push a digest reference"* ]]
	run t push -a "$REGISTRY_ADDR/tug-test/single:latest"
	[ "$status" -eq 1 ]
	[[ "$output" == *"tag can't be used with --all-tags/-a"* ]]
}

@test "push -q prints only the name; --all-tags pushes every tag" {
	use_mode plain
	pull_kept single
	pull_kept multi
	t tag "$REGISTRY_ADDR/tug-test/single" "$REGISTRY_ADDR/quiet/x:1"
	run t push -q "$REGISTRY_ADDR/quiet/x:1"
	[ "$status" -eq 0 ]
	[ "$output" = "$REGISTRY_ADDR/quiet/x:1" ]

	t tag "$REGISTRY_ADDR/tug-test/single" "$REGISTRY_ADDR/all/tags:a"
	t tag "$REGISTRY_ADDR/tug-test/multi" "$REGISTRY_ADDR/all/tags:b"
	run t push --all-tags "$REGISTRY_ADDR/all/tags"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"a: digest: $(reg_digest single) size:"* ]]
	[[ "$output" == *"b: digest: $(reg_digest multi) size:"* ]]
	[ "$(manifest_digest "$REGISTRY_ADDR/all/tags:a")" = "$(reg_digest single)" ]
	[ "$(manifest_digest "$REGISTRY_ADDR/all/tags:b")" = "$(reg_digest multi)" ]
}

@test "push plain: a mount the registry cannot do (202) goes on as an upload" {
	use_mode plain
	reg_push single gone/single:latest
	TUG_KEEP_LAYER_BLOBS=1 t pull -q "$REGISTRY_ADDR/gone/single" >/dev/null
	local layer
	layer=$(skopeo inspect --raw "oci:$TEST_IMAGES/single:latest" | jq -r '.layers[0].digest')
	# the source repository forgets the layer: a mount from it is refused
	[ "$(reg_curl "/v2/gone/single/blobs/$layer" -X DELETE -o /dev/null -w '%{http_code}')" = 202 ]
	t tag "$REGISTRY_ADDR/gone/single" "$REGISTRY_ADDR/fallback/single"
	run t push "$REGISTRY_ADDR/fallback/single"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"${layer:7:12}: Pushed"* ]]
	[ "$(access_log "\"POST /v2/fallback/single/blobs/uploads/?mount=$layer&from=gone/single HTTP/1.1\" 202")" -eq 1 ]
	[ "$(manifest_digest "$REGISTRY_ADDR/fallback/single:latest")" = "$(reg_digest single)" ]
	copy_out "$REGISTRY_ADDR/fallback/single:latest"
}
