#!/usr/bin/env bats
# tug pull against the evil registry (tests/fixtures/evil-registry): broken
# blobs and manifests are refused with a message naming what was wrong,
# transient failures are retried, hostile tar entries never reach outside
# the data root, and whatever happens the store stays consistent: `system
# check` passes, tmp/ is empty, a refused image is not listed.

load helpers
load registry-helpers
load image-helpers

setup_file() {
	[ -x /usr/bin/python3 ] && command -v jq >/dev/null && command -v curl >/dev/null || return 0
	# slow: one byte every 50 ms (the layer is 138 bytes: about 7 s); stall
	# hangs for longer than any test waits.
	evil_start --slow-interval 0.05 --stall 600
}

teardown_file() {
	evil_stop
	rm -f /tmp/tug-evil-hardlink-target
}

setup() {
	need_feature IMAGES
	need_feature REGISTRY
	need_cmd jq
	need_cmd curl
	[ -n "${EVIL_URL:-}" ] || skip "evil registry did not start"
	D=$BATS_TEST_TMPDIR/root
	export DOCKER_CONFIG=$BATS_TEST_TMPDIR/docker
	unset TUG_CERTS_D TUG_INSECURE_REGISTRIES TUG_REGISTRY_MIRRORS TUG_KEEP_LAYER_BLOBS
	# The canaries an escaping unpacker would leave; ours to clear.
	rm -rf /tmp/tug-evil-*
	PASSWD_BEFORE="$(stat -c '%h %s %Y' /etc/passwd) $(sha256sum </etc/passwd)"
	evil_reset
}

teardown() {
	# Even a failed test must not leave canaries for the next one to blame.
	rm -rf /tmp/tug-evil-abs.txt /tmp/tug-evil-dotdot* /tmp/tug-evil-symlink*
}

# epull REPO [args]: pull REPO:latest from the evil registry, bounded in time.
epull() {
	local repo=$1
	shift
	run --separate-stderr timeout 120 "$TUG" --data-root "$D" pull "$@" "$EVIL_ADDR/$repo:latest"
}

# nothing_escaped: no canary in /tmp, /etc/passwd untouched (not even a new
# link to it).
nothing_escaped() {
	local f
	for f in /tmp/tug-evil-*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		[ "$f" = /tmp/tug-evil-hardlink-target ] && continue
		echo "escaped: $f"
		return 1
	done
	[ "$PASSWD_BEFORE" = "$(stat -c '%h %s %Y' /etc/passwd) $(sha256sum </etc/passwd)" ] || {
		echo "/etc/passwd changed"
		return 1
	}
}

# refused REPO [WORD...]: the pull failed with exit 1, one "tug: pull" line
# naming the first layer's digest and each WORD (case-insensitive), and left
# nothing behind.
refused() {
	local repo=$1 w
	shift
	if [ "$status" -ne 1 ]; then
		echo "status $status (want 1); stdout: $output; stderr: $stderr"
		return 1
	fi
	[[ "$stderr" == "tug: pull $EVIL_ADDR/$repo:latest: "* ]] || {
		echo "stderr: $stderr"
		return 1
	}
	for w in "$@"; do
		grep -qiF -- "$w" <<<"$stderr" || {
			echo "'$w' not in: $stderr"
			return 1
		}
	done
	echo "# $repo: $stderr" >&3
	left_clean
}

# refused_layer REPO [WORD...]: refused, naming the layer's digest too.
refused_layer() {
	local repo=$1
	shift
	refused "$repo" "$(short "$(evil_layer "$repo")")" "$@"
}

# left_clean: consistent store, tmp/ empty, no image, no layer, nothing out.
left_clean() {
	nothing_escaped
	store_ok
	no_images
	if [ -d "$D/layers" ] && [ -n "$(ls -A "$D/layers")" ]; then
		echo "layers left: $(ls "$D/layers")"
		return 1
	fi
}

# pulled REPO: the pull worked and the store is consistent.
pulled() {
	if [ "$status" -ne 0 ]; then
		echo "status $status; stdout: $output; stderr: $stderr"
		return 1
	fi
	[ "$(last_line)" = "$EVIL_ADDR/$1:latest" ]
	nothing_escaped
	store_ok
	[ "$(tugd images -q | wc -l)" -eq 1 ]
}

# gets PATH: how many GETs of PATH the evil registry logged.
gets() {
	grep -c "^GET $1 " "$EVIL_LOG" || :
}

@test "evil good/x: the control pulls" {
	epull good/x
	pulled good/x
	[ "$(cat "$D"/layers/*/diff/hello.txt)" = "hello from evil-registry" ]
}

# --- blobs that are not what the manifest says ---------------------------------

@test "evil digest-mismatch: refused, naming the layer" {
	epull digest-mismatch/x
	refused_layer digest-mismatch/x digest
}

@test "evil wrong-size: a blob shorter than its descriptor is refused" {
	epull wrong-size/x
	refused_layer wrong-size/x
}

@test "evil wrong-size-small: a blob longer than its descriptor is refused" {
	epull wrong-size-small/x
	refused_layer wrong-size-small/x
}

@test "evil truncated-gzip: refused, naming the layer" {
	epull truncated-gzip/x
	refused_layer truncated-gzip/x
}

# --- transport ---------------------------------------------------------------

@test "evil flaky: a 500 once is retried and the pull succeeds" {
	local p=/v2/flaky/x/blobs/$(evil_layer flaky/x)
	epull flaky/x
	pulled flaky/x
	grep -q "^GET $p range=- -> 500" "$EVIL_LOG"
	grep -qE "^GET $p range=[^ ]+ -> 20[06]" "$EVIL_LOG"
}

@test "evil drop-once: a connection dropped mid-blob is resumed" {
	local p=/v2/drop-once/x/blobs/$(evil_layer drop-once/x)
	epull drop-once/x
	pulled drop-once/x
	grep -q "^GET $p range=- -> 200 dropped" "$EVIL_LOG"
	[ "$(gets "$p")" -ge 2 ]
	if grep -qE "^GET $p range=bytes=[1-9][0-9]*- -> 206" "$EVIL_LOG"; then
		echo "# drop-once: resumed with a Range request" >&3
	else
		echo "# drop-once: fetched again from the start (no Range)" >&3
	fi
}

@test "evil drop-mid-blob: refused after a bounded number of tries" {
	local p=/v2/drop-mid-blob/x/blobs/$(evil_layer drop-mid-blob/x)
	epull drop-mid-blob/x
	refused_layer drop-mid-blob/x
	local n
	n=$(gets "$p")
	echo "# drop-mid-blob: $n GETs of the layer" >&3
	[ "$n" -ge 2 ] && [ "$n" -le 10 ]
}

@test "evil redirect: a 307 to another path is followed" {
	epull redirect/x
	pulled redirect/x
	grep -q "^GET /blobstore/redirect/" "$EVIL_LOG"
}

@test "evil redirect-loop: refused, saying redirect" {
	local p=/v2/redirect-loop/x/blobs/$(evil_layer redirect-loop/x)
	epull redirect-loop/x
	refused redirect-loop/x redirect
	# A loop is not transient: one chain of at most 11 requests, no retry.
	local n
	n=$(gets "$p")
	echo "# redirect-loop: $n GETs" >&3
	[ "$n" -le 11 ]
}

@test "evil slow: a byte every 50 ms still arrives" {
	epull slow/x
	[ "$status" -ne 124 ]
	pulled slow/x
}

@test "evil stall: a server that stops sending is given up on by tug itself" {
	local t0=$SECONDS p=/v2/stall/x/blobs/$(evil_layer stall/x)
	epull stall/x
	echo "# stall: status $status after $((SECONDS - t0)) s, $(gets "$p") GETs of the layer" >&3
	# tug's read timeout (30 s) fired and the blob was asked for again
	# from where it stopped.
	grep -qE "^GET $p range=bytes=[1-9][0-9]*- -> 206 stall" "$EVIL_LOG"
	[ "$status" -ne 124 ] # tug gave up by itself, within our 120 s
	refused_layer stall/x
}

# --- manifests ---------------------------------------------------------------

@test "evil schema1: refused, saying schema 1" {
	epull schema1/x
	refused schema1/x "schema 1"
}

@test "evil index-and-manifest: an ambiguous document is refused" {
	epull index-and-manifest/x
	refused index-and-manifest/x
}

@test "evil mediatype-mismatch: Content-Type index, body manifest is refused" {
	epull mediatype-mismatch/x
	refused mediatype-mismatch/x
}

@test "evil bad-manifest-digest: a Docker-Content-Digest that lies is refused" {
	epull bad-manifest-digest/x
	refused bad-manifest-digest/x digest
}

@test "evil huge-manifest: an 8.5 MB manifest is refused" {
	epull huge-manifest/x
	refused huge-manifest/x
}

# --- hostile tar entries -------------------------------------------------------

@test "evil-abs: /tmp/x is read as tmp/x beneath the layer (as docker does)" {
	epull evil-abs/x
	nothing_escaped
	pulled evil-abs/x
	[ -f "$D"/layers/*/diff/tmp/tug-evil-abs.txt ]
}

@test "evil-dotdot: ../ entries are refused, naming the entry" {
	epull evil-dotdot/x
	refused_layer evil-dotdot/x tug-evil-dotdot
}

@test "evil-symlink: writing through a symlink is refused, naming the entry" {
	epull evil-symlink/x
	refused_layer evil-symlink/x tug-evil-symlink
}

@test "evil-hardlink: links to files outside the layer are refused" {
	echo "host file" >/tmp/tug-evil-hardlink-target
	epull evil-hardlink/x
	refused_layer evil-hardlink/x hard-
	[ "$(cat /tmp/tug-evil-hardlink-target)" = "host file" ]
	[ "$(stat -c %h /tmp/tug-evil-hardlink-target)" -eq 1 ]
}

@test "evil-device: device nodes are refused, naming the entry" {
	# docker would make them (as root); tug refuses devices in layers.
	epull evil-device/x
	refused_layer evil-device/x dev-mem
}

@test "evil-tar: five hostile layers in one image are refused, nothing kept" {
	epull evil-tar/x
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tug: pull $EVIL_ADDR/evil-tar/x:latest: "* ]]
	local d named=
	for d in $(curl -sf "$EVIL_URL/v2/evil-tar/x/manifests/latest" | jq -r '.layers[].digest'); do
		[[ "$stderr" != *"$(short "$d")"* ]] || named=$d
	done
	[ -n "$named" ]
	nothing_escaped
	store_ok
	no_images
}

@test "evil: a refused pull does not spoil the next one into the same root" {
	epull evil-dotdot/x
	[ "$status" -eq 1 ]
	epull digest-mismatch/x
	[ "$status" -eq 1 ]
	epull good/x
	pulled good/x
}
