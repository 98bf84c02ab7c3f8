#!/usr/bin/env bats
# Images move between tug and a real Docker engine: `docker save` loads into
# tug with the same image id, and `tug save` loads into Docker, whose
# container then runs. Needs a running dockerd (none is started here): the
# tests skip without one, as on CI machines.

load helpers
load registry-helpers

docker_up() {
	command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1
}

setup_file() {
	"$TUG" features | grep -q '^  +SAVE_LOAD ' || return 0
	docker_up || return 0
	command -v skopeo >/dev/null && command -v docker-registry >/dev/null || return 0
	reg_images
	reg_start plain
	reg_push_all
}

teardown_file() {
	reg_stop
	docker_up && docker rmi -f "tugsaved/multi:$$" >/dev/null 2>&1 || :
}

setup() {
	need_feature SAVE_LOAD
	need_feature REGISTRY
	docker_up || skip "no dockerd answers"
	need_cmd docker-registry
	D=$BATS_TEST_TMPDIR/d
}

@test "docker save loads into tug: same id, same tag, a consistent store" {
	docker pull -q "$REGISTRY_ADDR/tug-test/multi" >/dev/null
	docker save -o "$BATS_TEST_TMPDIR/d.tar" "$REGISTRY_ADDR/tug-test/multi"
	run "$TUG" --data-root "$D" load -i "$BATS_TEST_TMPDIR/d.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: $REGISTRY_ADDR/tug-test/multi:latest" ]
	[ "$("$TUG" --data-root "$D" images -q --no-trunc)" = \
	  "$(docker image inspect -f '{{.Id}}' "$REGISTRY_ADDR/tug-test/multi")" ]
	"$TUG" --data-root "$D" system check
}

@test "tug save loads into docker, and the container runs" {
	TUG_KEEP_LAYER_BLOBS=1 "$TUG" --data-root "$D" pull -q "$REGISTRY_ADDR/tug-test/multi" >/dev/null
	"$TUG" --data-root "$D" tag "$REGISTRY_ADDR/tug-test/multi" "tugsaved/multi:$$"
	"$TUG" --data-root "$D" save -o "$BATS_TEST_TMPDIR/t.tar" "tugsaved/multi:$$"
	run docker load -i "$BATS_TEST_TMPDIR/t.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Loaded image: tugsaved/multi:$$"* ]]
	[ "$(docker image inspect -f '{{.Id}}' "tugsaved/multi:$$")" = \
	  "$("$TUG" --data-root "$D" images -q --no-trunc "tugsaved/multi:$$")" ]
	run docker run --rm --network none "tugsaved/multi:$$" sh -c 'echo ran-in-docker'
	[[ "$output" == *ran-in-docker* ]]
}
