#!/usr/bin/env bats
# The daemon's image endpoints (Engine API) against the registry fixtures:
# driven with curl on the socket (the exact JSON dockerd sends) and with the
# docker CLI (pull, images, tag, rmi, image inspect, save, load, push).

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
	need_feature DAEMON
	need_cmd curl
	S=$BATS_TEST_TMPDIR/d.sock
	"$TUG" daemon -H "unix://$S" --data-root "$D" --exec-root "$BATS_TEST_TMPDIR/run" \
		>"$BATS_TEST_TMPDIR/daemon.log" 2>&1 &
	DPID=$!
	for _ in $(seq 100); do
		curl -sf --unix-socket "$S" http://d/_ping >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	cat "$BATS_TEST_TMPDIR/daemon.log"
	return 1
}

teardown() {
	[ -z "${DPID:-}" ] || { kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null || :; }
}

# api METHOD PATH [curl args...]: the body; api_code: the status only.
api() {
	local m=$1 p=$2
	shift 2
	curl -s --unix-socket "$S" -X "$m" "$@" "http://d/v1.47$p"
}

api_code() {
	local m=$1 p=$2
	shift 2
	curl -s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' --unix-socket "$S" -X "$m" "$@" \
		"http://d/v1.47$p"
}

dk() {
	need_cmd docker
	DOCKER_HOST=unix://$S docker "$@"
}

pull() {
	api POST "/images/create?fromImage=$REGISTRY_ADDR/tug-test/$1&tag=${2:-latest}" \
		-H 'X-Registry-Auth: e30='
}

id_of() {
	reg_inspect "tug-test/$1:latest" --raw | jq -r .config.digest
}

@test "pull: dockerd's JSON stream, then 'Image is up to date'" {
	run pull single
	[ "$(head -n1 <<<"$output")" = '{"status":"Pulling from tug-test/single","id":"latest"}' ]
	local b
	for b in $(img_blobs single); do
		has_line "{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"$(short "$b")\"}"
		has_line "{\"status\":\"Pull complete\",\"progressDetail\":{},\"id\":\"$(short "$b")\"}"
		has_match "^\\{\"status\":\"Extracting\",\"progressDetail\":\\{\"current\":[0-9]+,\"total\":[0-9]+\\},\"progress\":\"\\[=+>\\] .*\",\"id\":\"$(short "$b")\"\\}$"
	done
	has_line "{\"status\":\"Digest: $(reg_digest single)\"}"
	has_line "{\"status\":\"Status: Downloaded newer image for $(ref single)\"}"
	run pull single
	has_line "{\"status\":\"Status: Image is up to date for $(ref single)\"}"
	# every line is one JSON document
	jq -e . <<<"$output" >/dev/null
}

@test "pull: an unknown tag or repository is a 404 before any stream, as dockerd" {
	run api_code POST "/images/create?fromImage=$REGISTRY_ADDR/tug-test/single&tag=nosuch"
	[ "$output" = 404 ]
	jq -e '.message | test("manifest for .*tug-test/single:nosuch not found")' "$BATS_TEST_TMPDIR/body"
	run api_code POST "/images/create?fromImage=$REGISTRY_ADDR/tug-test/nosuch&tag=1"
	[ "$output" = 404 ]
	run api_code POST "/images/create?fromSrc=-&repo=x"
	[ "$output" = 501 ]
	run api_code GET "/images/search?term=x"
	[ "$output" = 501 ]
}

@test "images/json, inspect, history: docker's fields" {
	pull single >/dev/null
	local id
	id=$(id_of single)
	run api GET /images/json
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	[ "$(jq -c '.[0].RepoTags' <<<"$output")" = "[\"$(ref single)\"]" ]
	[ "$(jq -r '.[0].RepoDigests[0]' <<<"$output")" = "$REGISTRY_ADDR/tug-test/single@$(reg_digest single)" ]
	[ "$(jq -r '.[0].Containers, .[0].SharedSize, .[0].ParentId' <<<"$output" | tr '\n' ' ')" = "-1 -1  " ]
	[ "$(jq '.[0].Size > 0 and .[0].Created > 0' <<<"$output")" = true ]
	run api GET "/images/$(ref single)/json"
	[ "$(jq -r .Id <<<"$output")" = "$id" ]
	[ "$(jq -c .RootFS.Layers <<<"$output")" = "$(img_config single | jq -c .rootfs.diff_ids)" ]
	[ "$(jq -r '.Os, .RootFS.Type' <<<"$output" | tr '\n' ' ')" = "linux layers " ]
	run api GET "/images/${id:7:12}/history"
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	[ "$(jq 'length' <<<"$output")" -ge 1 ]
	run api_code GET /images/nosuch/json
	[ "$output" = 404 ]
	[ "$(jq -r .message "$BATS_TEST_TMPDIR/body")" = "No such image: nosuch:latest" ]
}

@test "images/json filters: dangling, reference, bad filter" {
	pull single >/dev/null
	pull multi >/dev/null
	run api GET "/images/json?filters=$(jq -rn '{"reference":["*/*/single"]}|@uri')"
	[ "$(jq length <<<"$output")" -eq 1 ]
	[ "$(jq -r '.[0].RepoTags[0]' <<<"$output")" = "$(ref single)" ]
	# the tag moves away: single is dangling (its repo digest stays)
	[ "$(api_code POST "/images/$(ref multi)/tag?repo=$REGISTRY_ADDR/tug-test/single&tag=latest")" = 201 ]
	run api GET "/images/json?filters=$(jq -rn '{"dangling":{"true":true}}|@uri')"
	[ "$(jq -r '.[].Id' <<<"$output")" = "$(id_of single)" ]
	run api_code GET "/images/json?filters=$(jq -rn '{"nosuch":["1"]}|@uri')"
	[ "$output" = 400 ]
}

@test "tag and rmi: 201; Untagged/Deleted lists; conflicts are 409" {
	pull single >/dev/null
	local id
	id=$(id_of single)
	[ "$(api_code POST "/images/$(ref single)/tag?repo=docker.io%2Fmine%2Fapp&tag=v1")" = 201 ]
	run api DELETE /images/mine/app:v1
	[ "$output" = '[{"Untagged":"mine/app:v1"}]' ]
	[ "$(api_code POST "/images/$(ref single)/tag?repo=mine%2Fapp&tag=v1")" = 201 ]
	run api_code DELETE "/images/${id:7:12}"
	[ "$output" = 409 ]
	grep -q "must be forced) - image is referenced in multiple repositories" "$BATS_TEST_TMPDIR/body"
	run api DELETE "/images/${id:7:12}?force=1"
	[ "$(jq -r '.[] | .Untagged // empty' <<<"$output" | sort | tr '\n' ' ')" = \
		"$(printf '%s\n' "$REGISTRY_ADDR/tug-test/single@$(reg_digest single)" "$(ref single)" mine/app:v1 | sort | tr '\n' ' ')" ]
	[ "$(jq -r '[.[] | .Deleted // empty][0]' <<<"$output")" = "$id" ]
	run api GET /images/json
	[ "$output" = "[]" ]
	run api_code DELETE /images/nosuch
	[ "$output" = 404 ]
}

@test "rmi of the last tag: the repo digest goes too, then the image and its layers" {
	pull single >/dev/null
	run api DELETE "/images/$(ref single)"
	[ "$(jq -r '.[0].Untagged' <<<"$output")" = "$(ref single)" ]
	[ "$(jq -r '.[1].Untagged' <<<"$output")" = "$REGISTRY_ADDR/tug-test/single@$(reg_digest single)" ]
	[ "$(jq -r '.[2].Deleted' <<<"$output")" = "$(id_of single)" ]
	[ "$(jq '[.[] | .Deleted // empty] | length' <<<"$output")" -ge 2 ]
}

@test "rmi -f of an image a container uses: the container keeps its layers (also across a restart) until it goes" {
	pull single >/dev/null
	local c n
	c=$(api POST /containers/create -H 'Content-Type: application/json' \
		-d "{\"Image\":\"$(ref single)\",\"Cmd\":[\"echo\",\"hi\"]}" | jq -r .Id)
	n=$(ls "$D/layers" | wc -l)
	[ "$n" -ge 1 ]
	run api DELETE "/images/$(ref single)?force=1"
	[ "$(jq '[.[] | .Deleted // empty] | length' <<<"$output")" = 1 ]
	[ "$(ls "$D/layers" | wc -l)" = "$n" ]
	# a daemon start collects what no image uses: not these
	kill "$DPID"
	wait "$DPID" || :
	setup
	[ "$(ls "$D/layers" | wc -l)" = "$n" ]
	[ "$(api_code POST "/containers/$c/start")" = 204 ]
	api POST "/containers/$c/wait" >/dev/null
	[ "$(api_code DELETE "/containers/$c")" = 204 ]
	[ "$(ls "$D/layers" | wc -l)" = 0 ]
}

@test "prune: dangling only, then all; ImagesDeleted and SpaceReclaimed" {
	pull single >/dev/null
	run api POST /images/prune
	[ "$(jq -c .ImagesDeleted <<<"$output")" = null ]
	[ "$(jq .SpaceReclaimed <<<"$output")" -eq 0 ]
	run api POST "/images/prune?filters=$(jq -rn '{"dangling":["false"]}|@uri')"
	[ "$(jq -r '.ImagesDeleted[] | .Deleted // empty' <<<"$output" | head -n1)" = "$(id_of single)" ]
	[ "$(jq .SpaceReclaimed <<<"$output")" -gt 0 ]
	run api GET /images/json
	[ "$output" = "[]" ]
}

@test "a pull does not hold up other requests" {
	local big
	big=$(reg_big 2 24)
	reg_push "$big" tug-test/big:1
	pull big 1 >"$BATS_TEST_TMPDIR/pull.out" &
	local p=$! t0 t1
	sleep 0.2
	t0=$(date +%s%N)
	api GET /images/json >/dev/null
	api GET /_ping >/dev/null
	t1=$(date +%s%N)
	wait "$p"
	grep -q '"Status: Downloaded newer image' "$BATS_TEST_TMPDIR/pull.out"
	[ $(((t1 - t0) / 1000000)) -lt 1000 ]
	grep -q '"Downloading"' "$BATS_TEST_TMPDIR/pull.out"
}

@test "auth: credentials checked against the registry's /v2/" {
	run api POST /auth -H 'Content-Type: application/json' \
		-d "{\"username\":\"u\",\"password\":\"p\",\"serveraddress\":\"$REGISTRY_ADDR\"}"
	[ "$output" = '{"IdentityToken":"","Status":"Login Succeeded"}' ]
}

@test "docker CLI: pull, images, tag, image inspect, rmi" {
	run dk pull "$(ref single)"
	[ "$status" -eq 0 ]
	has_line "latest: Pulling from tug-test/single"
	has_line "Status: Downloaded newer image for $(ref single)"
	run dk images
	has_match "^$REGISTRY_ADDR/tug-test/single +latest +$(short "$(id_of single)") "
	dk tag "$(ref single)" mine/app:v1
	run dk image inspect -f '{{.Id}} {{len .RootFS.Layers}}' mine/app:v1
	[ "$output" = "$(id_of single) $(img_config single | jq '.rootfs.diff_ids | length')" ]
	run dk rmi mine/app:v1
	[ "$output" = "Untagged: mine/app:v1" ]
	run dk rmi nosuch
	[ "$status" -ne 0 ]
	[[ "$output" == *"No such image: nosuch:latest"* ]]
}

@test "docker CLI: save, rmi, load (the body streamed), push" {
	dk pull -q "$(ref single)" >/dev/null
	dk save -o "$BATS_TEST_TMPDIR/s.tar" "$(ref single)"
	tar tf "$BATS_TEST_TMPDIR/s.tar" | grep -qx manifest.json
	dk rmi "$(ref single)" >/dev/null
	run dk load -i "$BATS_TEST_TMPDIR/s.tar"
	[ "$status" -eq 0 ]
	has_line "Loaded image: $(ref single)"
	run curl -s --unix-socket "$S" -X POST --data-binary "@$BATS_TEST_TMPDIR/s.tar" \
		-H 'Content-Type: application/x-tar' -H 'Transfer-Encoding: chunked' \
		"http://d/v1.47/images/load?quiet=1"
	[ "$output" = "{\"stream\":\"Loaded image: $(ref single)\\n\"}" ]
	dk tag "$(ref single)" "$REGISTRY_ADDR/tug-test/pushed:1"
	run dk push "$REGISTRY_ADDR/tug-test/pushed:1"
	[ "$status" -eq 0 ]
	has_line "The push refers to repository [$REGISTRY_ADDR/tug-test/pushed]"
	has_match "^1: digest: sha256:[0-9a-f]{64} size: [0-9]+$"
	[ "$(reg_inspect tug-test/pushed:1 --raw | jq -r .config.digest)" = "$(id_of single)" ]
	run api GET "/images/$REGISTRY_ADDR/tug-test/pushed:1/json"
	jq -e ".RepoDigests | index(\"$REGISTRY_ADDR/tug-test/pushed@$(reg_inspect tug-test/pushed:1 | jq -r .Digest)\")" <<<"$output"
}
