#!/usr/bin/env bats
# The registry fixtures themselves, proved with skopeo, openssl and curl only
# (no tug): the test images, the registry in each mode, the token server and
# the evil registry's documented misbehaviour.

load helpers
load registry-helpers

setup_file() {
	command -v skopeo >/dev/null && command -v jq >/dev/null || return 0
	reg_images
	[ -x /usr/bin/python3 ] && evil_start
	return 0
}

teardown_file() {
	evil_stop
}

setup() {
	need_cmd skopeo
	need_cmd jq
	need_cmd curl
}

teardown() {
	reg_stop
}

need_registry() {
	need_cmd docker-registry
	need_cmd openssl
}

# push_and_inspect: single and multiarch in and back out of the running
# registry, digests and platforms as make-test-images made them.
push_and_inspect() {
	reg_push single tug-test/single:latest
	reg_push multiarch tug-test/multiarch:v1
	run reg_inspect tug-test/single:latest
	[ "$status" -eq 0 ]
	[ "$(jq -r .Digest <<<"$output")" = "$(reg_digest single)" ]
	run reg_inspect tug-test/multiarch:v1 --raw
	[ "$status" -eq 0 ]
	[ "$(jq -r .mediaType <<<"$output")" = application/vnd.oci.image.index.v1+json ]
	[ "$(jq -r '[.manifests[].platform | .os + "/" + .architecture + (.variant // "" | if . == "" then "" else "/" + . end)] | join(" ")' <<<"$output")" = \
		"linux/amd64 linux/arm64/v8 linux/arm/v7 unknown/unknown" ]
	run reg_inspect tug-test/multiarch:v1 --override-arch arm64 --override-variant v8
	[ "$status" -eq 0 ]
	[ "$(jq -r .Digest <<<"$output")" = "$(reg_digest multiarch)" ]
	[ "$(jq -r .Architecture <<<"$output")" = arm64 ]
}

@test "fixtures: test images are valid OCI layouts with the recorded digests" {
	local n
	for n in single multi zstd; do
		run skopeo inspect --raw "oci:$TEST_IMAGES/$n:latest"
		[ "$status" -eq 0 ]
		[ "sha256:$(printf '%s' "$output" | sha256sum | cut -c1-64)" = "$(reg_digest $n)" ]
	done
	[ "$(skopeo inspect "oci:$TEST_IMAGES/multi:latest" | jq '.Layers | length')" -eq 4 ]
	run skopeo inspect --raw "oci:$TEST_IMAGES/zstd:latest"
	[ "$(jq -r '[.layers[].mediaType] | unique | .[]' <<<"$output")" = application/vnd.oci.image.layer.v1.tar+zstd ]
	need_cmd zstd
	local d
	d=$(jq -r '.layers[0].digest' <<<"$output")
	zstd -dc "$TEST_IMAGES/zstd/blobs/sha256/${d#sha256:}" | tar -t | grep -qx bin/busybox
}

@test "fixtures: multi unpacks with its whiteouts, hardlink and symlink (umoci)" {
	need_cmd umoci
	need_root
	umoci unpack --image "$TEST_IMAGES/multi:latest" "$BATS_TEST_TMPDIR/b" >/dev/null
	local r=$BATS_TEST_TMPDIR/b/rootfs
	[ "$(cat "$r/hello.txt")" = "hello from layer 4" ]
	[ ! -e "$r/data/gone.txt" ]
	[ "$(ls "$r/data/sub")" = new.txt ]
	[ "$(stat -c %i "$r/data/a.txt")" = "$(stat -c %i "$r/data/hard.txt")" ]
	[ "$(readlink "$r/data/link.txt")" = a.txt ]
	[ "$(stat -c '%u:%g %a' "$r/data/b.txt")" = "1000:1000 600" ]
	[ -x "$r/bin/busybox" ] && [ "$(readlink "$r/bin/sh")" = busybox ]
}

@test "fixtures: multiarch index, docker-archive and big image" {
	run skopeo inspect --raw "oci:$TEST_IMAGES/multiarch:latest"
	[ "$(jq '.manifests | length' <<<"$output")" -eq 4 ]
	[ "$(jq -r '.manifests[3].annotations["vnd.docker.reference.type"]' <<<"$output")" = attestation-manifest ]
	run skopeo inspect "docker-archive:$TEST_IMAGES/single.docker.tar"
	[ "$status" -eq 0 ]
	[ "$(jq '.Layers | length' <<<"$output")" -eq 1 ]
	local big f
	big=$(reg_big 2 1)
	[ "$(skopeo inspect "oci:$big:latest" | jq '.Layers | length')" -eq 2 ]
	for f in "$big"/blobs/sha256/*; do
		[ "$(sha256sum <"$f" | cut -c1-64)" = "$(basename "$f")" ]
	done
	# Random data: the gzip layers stay about 1 MiB each.
	[ "$(skopeo inspect --raw "oci:$big:latest" | jq '[.layers[].size] | min')" -gt 1000000 ]
}

@test "registry plain: push and inspect single and multiarch" {
	need_registry
	reg_start plain
	[ -z "$REGISTRY_CA" ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY_ADDR/v2/")" = 200 ]
	push_and_inspect
}

@test "registry tls: certificate for 127.0.0.1 and localhost from the CA" {
	need_registry
	reg_start tls
	[ -f "$REGISTRY_CERT_DIR/ca.crt" ]
	run curl -s "https://$REGISTRY_ADDR/v2/"
	[ "$status" -eq 60 ] # unknown CA
	[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$REGISTRY_CA" "https://$REGISTRY_ADDR/v2/")" = 200 ]
	local port=${REGISTRY_ADDR#*:}
	[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$REGISTRY_CA" "https://localhost:$port/v2/")" = 200 ]
	openssl s_client -connect "$REGISTRY_ADDR" -CAfile "$REGISTRY_CA" -verify_return_error </dev/null 2>&1 |
		grep -q 'Verify return code: 0'
	push_and_inspect
}

@test "registry tls: every test image round-trips with its digest" {
	need_registry
	reg_start tls
	reg_push_all
	local n
	for n in single multi zstd; do
		[ "$(reg_inspect "tug-test/$n:latest" | jq -r .Digest)" = "$(reg_digest $n)" ]
	done
	reg_skopeo_args src
	skopeo --insecure-policy copy -q --all "${REG_ARGS[@]}" \
		"docker://$REGISTRY_ADDR/tug-test/multiarch:latest" "oci:$BATS_TEST_TMPDIR/back:latest"
	[ "$(skopeo inspect --raw "oci:$BATS_TEST_TMPDIR/back:latest" | sha256sum | cut -c1-64)" = \
		"$(reg_digest multiarch | cut -c8-)" ]
}

@test "registry basic: htpasswd user tug, nothing without credentials" {
	need_registry
	need_cmd htpasswd
	reg_start basic
	[ "$REGISTRY_USER" = tug ] && [ -n "$REGISTRY_PASS" ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$REGISTRY_CA" "$REGISTRY_URL/v2/")" = 401 ]
	[ "$(reg_curl /v2/ -o /dev/null -w '%{http_code}')" = 200 ]
	push_and_inspect
	reg_skopeo_args plain anon
	run skopeo inspect "${REG_ARGS[@]}" "docker://$REGISTRY_ADDR/tug-test/single:latest"
	[ "$status" -ne 0 ]
	run skopeo inspect "${REG_ARGS[@]}" --creds tug:wrong "docker://$REGISTRY_ADDR/tug-test/single:latest"
	[ "$status" -ne 0 ]
}

@test "registry token: push with credentials, anonymous pull, anonymous push denied" {
	need_registry
	reg_start token
	[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$REGISTRY_CA" "$REGISTRY_URL/v2/")" = 401 ]
	curl -s -D- -o /dev/null --cacert "$REGISTRY_CA" "$REGISTRY_URL/v2/" |
		grep -i "^www-authenticate: Bearer realm=\"$TOKEN_URL\",service=\"tug-test-registry\""
	push_and_inspect
	grep -q 'user=tug -> 200' "$TOKEN_LOG"
	# Anonymous: pull works, push is refused by the registry.
	reg_skopeo_args plain anon
	run skopeo inspect "${REG_ARGS[@]}" "docker://$REGISTRY_ADDR/tug-test/single:latest"
	[ "$status" -eq 0 ]
	reg_skopeo_args dest anon
	run skopeo --insecure-policy copy -q "${REG_ARGS[@]}" "oci:$TEST_IMAGES/multi:latest" \
		"docker://$REGISTRY_ADDR/tug-test/anon:latest"
	[ "$status" -ne 0 ]
	[[ "$output" == *denied* || "$output" == *unauthorized* ]]
	# A wrong password gets no token at all.
	run curl -s -o /dev/null -w '%{http_code}' -u tug:wrong "$TOKEN_URL?service=tug-test-registry"
	[ "$output" = 401 ]
}

@test "registry token: the JWT is RS256 with x5c and the documented claims" {
	need_registry
	reg_start token
	local tok hdr claims
	tok=$(reg_token repository:tug-test/x:pull,push)
	b64url() { local s; s=$(tr '_-' '/+' <<<"$1"); while [ $((${#s} % 4)) -ne 0 ]; do s+="="; done; base64 -d <<<"$s"; }
	hdr=$(b64url "${tok%%.*}")
	claims=$(b64url "$(cut -d. -f2 <<<"$tok")")
	[ "$(jq -r .alg <<<"$hdr")" = RS256 ]
	[ "$(jq '.x5c | length' <<<"$hdr")" -eq 1 ]
	[ "$(jq -r '.iss + " " + .aud + " " + .sub' <<<"$claims")" = "tug-test-issuer tug-test-registry tug" ]
	[ "$(jq -c .access <<<"$claims")" = '[{"type":"repository","name":"tug-test/x","actions":["pull","push"]}]' ]
	[ "$(jq '.exp - .iat' <<<"$claims")" -eq 300 ]
	# Anonymous asks for push and gets pull only.
	claims=$(b64url "$(reg_token repository:tug-test/x:pull,push anon | cut -d. -f2)")
	[ "$(jq -c .access[0].actions <<<"$claims")" = '["pull"]' ]
	# The token opens the registry with plain curl.
	tok=$(reg_token repository:tug-test/x:pull)
	[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$REGISTRY_CA" -H "Authorization: Bearer $tok" \
		"$REGISTRY_URL/v2/tug-test/x/tags/list")" = 404 ] # authorized; the repo is unknown
	# OAuth2 POST (containerd's way) answers too.
	run curl -sf --data-urlencode grant_type=password --data-urlencode username=tug \
		--data-urlencode "password=$REGISTRY_PASS" --data-urlencode service=tug-test-registry \
		--data-urlencode scope=repository:tug-test/x:pull "$TOKEN_URL"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.access_token | length > 100' <<<"$output")" = true ]
	[ "$(jq -r '.refresh_token | length' <<<"$output")" -gt 0 ]
}

@test "registry token: TOKEN_ANON=none refuses anonymous pull" {
	need_registry
	TOKEN_ANON=none reg_start token
	reg_push single tug-test/single:latest
	reg_skopeo_args plain anon
	run skopeo inspect "${REG_ARGS[@]}" "docker://$REGISTRY_ADDR/tug-test/single:latest"
	[ "$status" -ne 0 ]
	reg_inspect tug-test/single:latest >/dev/null
}

@test "registry: stop ends the registry and the token server" {
	need_registry
	reg_start token
	local r=$REGISTRY_PID t=$TOKEN_PID
	reg_stop
	run fx_alive "$r"
	[ "$status" -ne 0 ]
	run fx_alive "$t"
	[ "$status" -ne 0 ]
	run curl -s --max-time 2 --cacert "$REGISTRY_CA" "$REGISTRY_URL/v2/"
	[ "$status" -ne 0 ]
}

# --- evil registry -----------------------------------------------------------

need_evil() {
	need_cmd /usr/bin/python3
	[ -n "${EVIL_URL:-}" ] || skip "evil registry did not start"
}

# evil_get REPO: fetch its manifest into $M and first layer into $L.
evil_get() {
	M=$BATS_TEST_TMPDIR/manifest L=$BATS_TEST_TMPDIR/layer
	curl -sf "$EVIL_URL/v2/$1/manifests/latest" -o "$M"
	curl -s "$EVIL_URL/v2/$1/blobs/$(jq -r '.layers[0].digest' "$M")" -o "$L"
}

sha_of() { echo "sha256:$(sha256sum <"$1" | cut -c1-64)"; }

@test "evil: good/x is a valid image that skopeo copies" {
	need_evil
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$EVIL_URL/v2/")" = 200 ]
	curl -sf -D "$BATS_TEST_TMPDIR/h" -o "$BATS_TEST_TMPDIR/m" "$EVIL_URL/v2/good/x/manifests/latest"
	grep -qi '^content-type: application/vnd.oci.image.manifest.v1+json' "$BATS_TEST_TMPDIR/h"
	grep -qi "^docker-content-digest: $(sha_of "$BATS_TEST_TMPDIR/m")" "$BATS_TEST_TMPDIR/h"
	skopeo --insecure-policy copy -q --src-tls-verify=false "docker://$EVIL_ADDR/good/x:latest" \
		"oci:$BATS_TEST_TMPDIR/good:latest"
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$EVIL_URL/v2/nosuch/x/manifests/latest")" = 404 ]
}

@test "evil: digest-mismatch, wrong-size and truncated-gzip layers" {
	need_evil
	evil_get digest-mismatch/x
	[ "$(sha_of "$L")" != "$(jq -r '.layers[0].digest' "$M")" ]
	[ "$(stat -c %s "$L")" -eq "$(jq '.layers[0].size' "$M")" ]
	gzip -t <"$L"
	evil_get wrong-size/x
	[ "$(sha_of "$L")" = "$(jq -r '.layers[0].digest' "$M")" ]
	[ "$(stat -c %s "$L")" -eq $(($(jq '.layers[0].size' "$M") - 100)) ]
	evil_get wrong-size-small/x
	[ "$(stat -c %s "$L")" -eq $(($(jq '.layers[0].size' "$M") + 10)) ]
	evil_get truncated-gzip/x
	[ "$(sha_of "$L")" = "$(jq -r '.layers[0].digest' "$M")" ]
	[ "$(stat -c %s "$L")" -eq "$(jq '.layers[0].size' "$M")" ]
	run gzip -t <"$L"
	[ "$status" -ne 0 ]
	run skopeo --insecure-policy copy -q --src-tls-verify=false "docker://$EVIL_ADDR/digest-mismatch/x:latest" \
		"oci:$BATS_TEST_TMPDIR/dm:latest"
	[ "$status" -ne 0 ]
}

@test "evil: drop-mid-blob always, flaky and drop-once once, with Range" {
	need_evil
	evil_reset
	local d
	d=$(evil_layer drop-mid-blob/x)
	run curl -s -o /dev/null "$EVIL_URL/v2/drop-mid-blob/x/blobs/$d"
	[ "$status" -eq 18 ] # partial file
	run curl -s -o /dev/null "$EVIL_URL/v2/drop-mid-blob/x/blobs/$d"
	[ "$status" -eq 18 ]
	d=$(evil_layer flaky/x)
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$EVIL_URL/v2/flaky/x/blobs/$d")" = 500 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$EVIL_URL/v2/flaky/x/blobs/$d")" = 200 ]
	grep -q "GET /v2/flaky/x/blobs/$d range=- -> 500" "$EVIL_LOG"
	d=$(evil_layer drop-once/x)
	run curl -s -o /dev/null "$EVIL_URL/v2/drop-once/x/blobs/$d"
	[ "$status" -eq 18 ]
	curl -sf -o "$BATS_TEST_TMPDIR/tail" -H 'Range: bytes=10-' -D "$BATS_TEST_TMPDIR/h" \
		"$EVIL_URL/v2/drop-once/x/blobs/$d"
	grep -q '^HTTP/1.1 206' "$BATS_TEST_TMPDIR/h"
	grep -qi '^content-range: bytes 10-' "$BATS_TEST_TMPDIR/h"
	curl -sf -r 0-9 "$EVIL_URL/v2/drop-once/x/blobs/$d" | cat - "$BATS_TEST_TMPDIR/tail" >"$BATS_TEST_TMPDIR/whole"
	[ "$(sha_of "$BATS_TEST_TMPDIR/whole")" = "$d" ]
	grep -q "range=bytes=10- -> 206" "$EVIL_LOG"
	# skopeo retries nothing, so flaky fails it once and then works.
	evil_reset
	run skopeo --insecure-policy copy -q --src-tls-verify=false "docker://$EVIL_ADDR/flaky/x:latest" \
		"oci:$BATS_TEST_TMPDIR/fl:latest"
	run skopeo --insecure-policy copy -q --src-tls-verify=false "docker://$EVIL_ADDR/flaky/x:latest" \
		"oci:$BATS_TEST_TMPDIR/fl:latest"
	[ "$status" -eq 0 ]
}

@test "evil: redirect and redirect-loop" {
	need_evil
	local d
	d=$(evil_layer redirect/x)
	curl -s -D "$BATS_TEST_TMPDIR/h" -o /dev/null "$EVIL_URL/v2/redirect/x/blobs/$d"
	grep -q '^HTTP/1.1 307' "$BATS_TEST_TMPDIR/h"
	grep -qi "^location: $EVIL_URL/blobstore/redirect/$d" "$BATS_TEST_TMPDIR/h"
	curl -sfL -o "$BATS_TEST_TMPDIR/b" "$EVIL_URL/v2/redirect/x/blobs/$d"
	[ "$(sha_of "$BATS_TEST_TMPDIR/b")" = "$d" ]
	d=$(evil_layer redirect-loop/x)
	run curl -sL --max-redirs 5 -o /dev/null "$EVIL_URL/v2/redirect-loop/x/blobs/$d"
	[ "$status" -eq 47 ] # too many redirects
}

@test "evil: schema1, index-and-manifest, mediatype-mismatch, bad-manifest-digest, huge-manifest" {
	need_evil
	local h=$BATS_TEST_TMPDIR/h m=$BATS_TEST_TMPDIR/m
	curl -sf -D "$h" -o "$m" "$EVIL_URL/v2/schema1/x/manifests/latest"
	grep -qi '^content-type: application/vnd.docker.distribution.manifest.v1+prettyjws' "$h"
	[ "$(jq .schemaVersion "$m")" -eq 1 ]
	curl -sf -o "$m" "$EVIL_URL/v2/index-and-manifest/x/manifests/latest"
	[ "$(jq '(.manifests | length) > 0 and (.layers | length) > 0 and (has("mediaType") | not)' "$m")" = true ]
	curl -sf -D "$h" -o "$m" "$EVIL_URL/v2/mediatype-mismatch/x/manifests/latest"
	grep -qi '^content-type: application/vnd.oci.image.index.v1+json' "$h"
	[ "$(jq -r .mediaType "$m")" = application/vnd.oci.image.manifest.v1+json ]
	curl -sf -D "$h" -o "$m" "$EVIL_URL/v2/bad-manifest-digest/x/manifests/latest"
	run grep -qi "^docker-content-digest: $(sha_of "$m")" "$h"
	[ "$status" -ne 0 ]
	[ "$(curl -s -o /dev/null -w '%{size_download}' "$EVIL_URL/v2/huge-manifest/x/manifests/latest")" -gt 4194304 ]
}

@test "evil: hostile tar layers, each with correct digests" {
	need_evil
	local repo want
	for repo in evil-abs:/tmp/tug-evil-abs.txt evil-dotdot:../tug-evil-dotdot.txt \
		evil-symlink:escape/tug-evil-symlink.txt evil-hardlink:hard-abs evil-device:dev-mem; do
		want=${repo#*:} repo=${repo%%:*}
		evil_get "$repo/x"
		[ "$(sha_of "$L")" = "$(jq -r '.layers[0].digest' "$M")" ]
		[ "$(stat -c %s "$L")" -eq "$(jq '.layers[0].size' "$M")" ]
		# python, not tar: GNU tar would strip the hostile parts it lists.
		/usr/bin/python3 -c 'import sys, tarfile; sys.exit(sys.argv[2] not in tarfile.open(sys.argv[1]).getnames())' "$L" "$want"
	done
	/usr/bin/python3 -c 'import sys, tarfile; m = tarfile.open(sys.argv[1]).getmember("dev-mem"); sys.exit(not (m.ischr() and (m.devmajor, m.devminor) == (1, 1)))' "$L"
	curl -sf "$EVIL_URL/v2/evil-tar/x/manifests/latest" | jq -e '.layers | length == 5' >/dev/null
}

@test "evil: slow and stall outlast a client timeout" {
	need_evil
	local d
	d=$(evil_layer slow/x)
	run curl -s -o /dev/null --max-time 2 "$EVIL_URL/v2/slow/x/blobs/$d"
	[ "$status" -eq 28 ]
	d=$(evil_layer stall/x)
	run curl -s -o "$BATS_TEST_TMPDIR/part" --max-time 2 "$EVIL_URL/v2/stall/x/blobs/$d"
	[ "$status" -eq 28 ]
	[ -s "$BATS_TEST_TMPDIR/part" ]
	grep -q "GET /v2/slow/x/blobs/$d range=- -> 200 slow" "$EVIL_LOG"
	# The manifests and the config blob stay quick.
	curl -sf --max-time 2 -o /dev/null "$EVIL_URL/v2/slow/x/manifests/latest"
}
