#!/usr/bin/env bats
# The stock docker CLI against the daemon (PEER=tug, or dockerd to prove the
# tests): pull (progress lines), images, tag, rmi, push to the registry
# fixture, login/logout against its basic-auth mode, save/load. Output and
# exit codes as dockerd 20.10 gives them.

load helpers
load registry-helpers
load image-helpers
load daemon-helpers

setup_file() {
	daemon_start || return 1
	[ -z "${DAEMON_SKIP:-}" ] || return 0
	# The basic-auth registry (TLS + htpasswd) first: its variables are kept
	# as BASIC_*; then the plain one every other test uses.
	daemon_registry basic || return 1
	export BASIC_ADDR=$REGISTRY_ADDR BASIC_DIR=$REGISTRY_DIR BASIC_USER=$REGISTRY_USER \
		BASIC_PASS=$REGISTRY_PASS
	daemon_push single tug-test/secret:1 || return 1
	daemon_registry plain && daemon_image
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

# fresh NAME: push the test image NAME as tug-test/NAME-<test number>:latest
# (a name no earlier test pulled) and print that reference.
fresh() {
	local r=tug-test/$1-$BATS_TEST_NUMBER:latest
	daemon_push "$1" "$r" >&2
	echo "$REGISTRY_ADDR/$r"
}

# only_name REF: untag every other name of REF's image (the test images
# share ids: fresh copies of one image are one image to the daemon).
only_name() {
	local t
	for t in $(d image inspect -f '{{range .RepoTags}}{{.}} {{end}}' "$1"); do
		[ "$t" = "$1" ] || d rmi "$t" >/dev/null
	done
}

# img_id REF: the daemon's image id of REF.
img_id() {
	d image inspect -f '{{.Id}}' "$1"
}

@test "pull: docker's progress lines, digest, status, name; again: up to date" {
	local ref b
	ref=$(fresh multi)
	run --separate-stderr d pull "$ref"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	has_line "latest: Pulling from tug-test/multi-$BATS_TEST_NUMBER"
	# Each layer: pulled, or already there (the base is busybox's).
	for b in $(img_blobs multi); do
		has_match "^$(short "$b"): (Pull complete|Already exists)$"
	done
	has_match "^[0-9a-f]{12}: Pulling fs layer$"
	has_match "^[0-9a-f]{12}: Download complete$"
	has_line "Digest: $(reg_digest multi)"
	has_line "Status: Downloaded newer image for $ref"
	[ "$(last_line)" = "$ref" ]
	# The image id is the config digest.
	[ "$(img_id "$ref")" = "$(jq -r .config.digest <<<"$(img_manifest multi)")" ]
	run --separate-stderr d pull "$ref"
	[ "$status" -eq 0 ]
	has_line "Digest: $(reg_digest multi)"
	has_line "Status: Image is up to date for $ref"
	no_match "Pull complete"
	run --separate-stderr d pull -q "$ref"
	[ "$status" -eq 0 ]
	[ "$output" = "$ref" ]
}

@test "pull without a tag says it uses latest" {
	local ref
	ref=$(fresh single)
	run --separate-stderr d pull "${ref%:latest}"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Using default tag: latest" ]
	[ "$(last_line)" = "$ref" ]
}

@test "pull errors: unknown tag, unknown repository: exit 1" {
	run --separate-stderr d pull "$REGISTRY_ADDR/tug-test/busybox:nosuch"
	[ "$status" -eq 1 ]
	err_line "Error response from daemon: manifest for $REGISTRY_ADDR/tug-test/busybox:nosuch not found: manifest unknown: manifest unknown"
	run --separate-stderr d pull "$REGISTRY_ADDR/tug-test/nosuch:1"
	[ "$status" -eq 1 ]
	err_match "^Error response from daemon: .*manifest unknown"
	still_serves
}

@test "images: header, rows, -q, --format, filter by name" {
	local id
	id=$(img_id "$BOX")
	run --separate-stderr d images
	[ "$status" -eq 0 ]
	has_match "^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$"
	has_match "^tugbox +1 +${id:7:12} +[0-9a-zA-Z ]+ago +[0-9.]+[kM]B$"
	has_match "^$REGISTRY_ADDR/tug-test/busybox +1 +${id:7:12} "
	run d images -q tugbox
	[ "$output" = "${id:7:12}" ]
	run d images --no-trunc -q tugbox:1
	[ "$output" = "$id" ]
	run d images --format '{{.Repository}}:{{.Tag}} {{.ID}}' tugbox
	[ "$output" = "tugbox:1 ${id:7:12}" ]
	run d image inspect -f '{{.Os}}/{{.Architecture}} {{json .Config.Cmd}} {{index .RepoTags 0}}' "$BOX"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^linux/amd64\ \[\"sh\"\]\ .+$ ]]
	run --separate-stderr d image inspect nosuch:1
	[ "$status" -eq 1 ]
	[ "$output" = "[]" ]
	# CLI 28 on API 1.41: "Error response from daemon: no such image: X: No such image: X".
	err_match "No such image: nosuch:1$"
}

@test "tag: a second name for the same id; unknown source is an error" {
	run --separate-stderr d tag "$BOX" mytag:v1
	[ "$status" -eq 0 ]
	[ -z "$output$stderr" ]
	[ "$(img_id mytag:v1)" = "$(img_id "$BOX")" ]
	run d images --format '{{.Repository}} {{.Tag}}' mytag
	[ "$output" = "mytag v1" ]
	# Tagging again onto the same name is fine.
	run d tag "$BOX" mytag:v1
	[ "$status" -eq 0 ]
	run --separate-stderr d tag nosuch:1 other:1
	[ "$status" -eq 1 ]
	err_line "Error response from daemon: No such image: nosuch:1"
	d rmi mytag:v1 >/dev/null
}

@test "rmi: untag only while another name is left; then delete" {
	local ref id
	ref=$(fresh multi)
	d pull -q "$ref" >/dev/null
	only_name "$ref"
	id=$(img_id "$ref")
	d tag "$ref" second:1
	run --separate-stderr d rmi second:1
	[ "$status" -eq 0 ]
	[ "$output" = "Untagged: second:1" ]
	run --separate-stderr d rmi "$ref"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Untagged: $ref" ]
	has_line "Untagged: ${ref%:latest}@$(reg_digest multi)"
	has_line "Deleted: $id"
	# The image, then the layers busybox does not share.
	[ "$(grep -c '^Deleted: sha256:[0-9a-f]\{64\}$' <<<"$output")" -ge 2 ]
	run d images -q "$ref"
	[ -z "$output" ]
	# busybox still runs: its shared base layer stayed.
	run d run --rm "$BOX" echo still-here
	[ "$output" = still-here ]
}

@test "rmi errors: unknown image; image in use by a container" {
	run --separate-stderr d rmi nosuch:1
	[ "$status" -eq 1 ]
	err_line "Error response from daemon: No such image: nosuch:1"
	local ref cid id
	ref=$(fresh multi)
	d pull -q "$ref" >/dev/null
	only_name "$ref"
	d tag "$ref" inuse:1
	d rmi "$ref" >/dev/null
	id=$(img_id inuse:1)
	cid=$(d run -d --name user inuse:1 sleep 1000)
	run --separate-stderr d rmi inuse:1
	[ "$status" -eq 1 ]
	err_line "Error response from daemon: conflict: unable to remove repository reference \"inuse:1\" (must force) - container ${cid:0:12} is using its referenced image ${id:7:12}"
	[ "$(img_id inuse:1)" = "$id" ]
	d rm -f user >/dev/null
	run d rmi inuse:1
	[ "$status" -eq 0 ]
	has_line "Untagged: inuse:1"
}

@test "push: the CLI's lines; the registry has the manifest it names" {
	local to=$REGISTRY_ADDR/pushed/busybox:2
	d tag "$BOX" "$to"
	run --separate-stderr d push "$to"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "The push refers to repository [$REGISTRY_ADDR/pushed/busybox]" ]
	has_match "^[0-9a-f]{12}: Preparing$"
	has_match "^[0-9a-f]{12}: (Pushed|Mounted from tug-test/.+|Layer already exists)$"
	has_match "^2: digest: sha256:[0-9a-f]{64} size: [0-9]+$"
	local digest
	digest=$(last_line | cut -d' ' -f3)
	reg_skopeo_args plain
	[ "$(dn skopeo inspect "${REG_ARGS[@]}" "docker://$to" | jq -r .Digest)" = "$digest" ]
	# Pushed again: every layer is there already, same digest.
	run --separate-stderr d push "$to"
	[ "$status" -eq 0 ]
	has_match "^[0-9a-f]{12}: Layer already exists$"
	[ "$(last_line | cut -d' ' -f3)" = "$digest" ]
	# And it pulls back under that name after an rmi.
	d rmi "$to" >/dev/null
	run d pull -q "$to"
	[ "$status" -eq 0 ]
	[ "$(img_id "$to")" = "$(img_id "$BOX")" ]
	d rmi "$to" >/dev/null
}

@test "push errors: a name the daemon does not have" {
	run --separate-stderr d push "$REGISTRY_ADDR/nosuch:1"
	[ "$status" -eq 1 ]
	err_line "An image does not exist locally with the tag: $REGISTRY_ADDR/nosuch"
}

@test "login to the basic-auth registry: wrong password refused, right one stored, pull works, logout" {
	# A TLS registry whose CA the daemon was not given: on 127.0.0.0/8 it is
	# insecure, so the certificate is not checked (dockerd's rule).
	local ref=$BASIC_ADDR/tug-test/secret:1
	run --separate-stderr d pull "$ref"
	[ "$status" -eq 1 ]
	err_match "^Error response from daemon: "
	run --separate-stderr d login -u "$BASIC_USER" --password-stdin "$BASIC_ADDR" <<<"wrong-password"
	[ "$status" -eq 1 ]
	err_line "Error response from daemon: login attempt to https://$BASIC_ADDR/v2/ failed with status: 401 Unauthorized"
	[ ! -f "$DOCKER_CONFIG/config.json" ] || [ "$(jq -r ".auths[\"$BASIC_ADDR\"]" "$DOCKER_CONFIG/config.json")" = null ]
	run --separate-stderr d login -u "$BASIC_USER" --password-stdin "$BASIC_ADDR" <<<"$BASIC_PASS"
	[ "$status" -eq 0 ]
	[ "$(last_line)" = "Login Succeeded" ]
	[ "$(jq -r ".auths[\"$BASIC_ADDR\"].auth" "$DOCKER_CONFIG/config.json" | base64 -d)" = "$BASIC_USER:$BASIC_PASS" ]
	run --separate-stderr d pull "$ref"
	[ "$status" -eq 0 ]
	has_line "Status: Downloaded newer image for $ref"
	[ "$(last_line)" = "$ref" ]
	run --separate-stderr d logout "$BASIC_ADDR"
	[ "$status" -eq 0 ]
	[ "$output" = "Removing login credentials for $BASIC_ADDR" ]
	[ "$(jq -r ".auths[\"$BASIC_ADDR\"]" "$DOCKER_CONFIG/config.json")" = null ]
	d rmi "$ref" >/dev/null
	run --separate-stderr d pull "$ref"
	[ "$status" -eq 1 ]
}

@test "save -o and load -i: docker-archive with the tag; same id back" {
	local ref id tar=$BATS_TEST_TMPDIR/img.tar
	ref=$(fresh multi)
	d pull -q "$ref" >/dev/null
	id=$(img_id "$ref")
	run --separate-stderr d save -o "$tar" "$ref"
	[ "$status" -eq 0 ]
	[ -z "$output$stderr" ]
	tar -tf "$tar" | grep -qx manifest.json
	[ "$(tar -xOf "$tar" manifest.json | jq -r '.[0].RepoTags[0]')" = "$ref" ]
	[ "$(tar -xOf "$tar" manifest.json | jq -r '.[0].Layers | length')" = 4 ]
	d rmi "$ref" >/dev/null
	run --separate-stderr d load -i "$tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: $ref" ]
	[ "$(img_id "$ref")" = "$id" ]
	run d run --rm "$ref" cat /hello.txt
	[ "$output" = "hello from layer 4" ]
	# Through a pipe, by the 20.10 CLI too.
	if [ -x "$DOCKER2" ]; then
		run sh -c '"$DOCKER2" save "$1" | "$DOCKER2" load' _ "$ref"
		[ "$status" -eq 0 ]
		[ "$output" = "Loaded image: $ref" ]
	fi
}

@test "save and load errors" {
	run --separate-stderr d save -o "$BATS_TEST_TMPDIR/x.tar" nosuch:1
	[ "$status" -eq 1 ]
	err_match "^Error response from daemon: "
	run --separate-stderr d load -i /etc/passwd
	[ "$status" -eq 1 ]
	err_match "^Error processing tar file\(exit status 1\): |^Error response from daemon: "
	still_serves
}

@test "the 20.10 CLI as a second client: images, pull, tag, rmi" {
	[ -x "$DOCKER2" ] || skip "needs $DOCKER2 (docker.io)"
	local ref
	ref=$(fresh single)
	run --separate-stderr "$DOCKER2" pull "$ref"
	[ "$status" -eq 0 ]
	has_line "Status: Downloaded newer image for $ref"
	run "$DOCKER2" tag "$ref" two:1
	[ "$status" -eq 0 ]
	run "$DOCKER2" images --format '{{.Repository}}:{{.Tag}}' two
	[ "$output" = two:1 ]
	run "$DOCKER2" rmi two:1 "$ref"
	[ "$status" -eq 0 ]
	has_line "Untagged: two:1"
	has_line "Untagged: $ref"
}
