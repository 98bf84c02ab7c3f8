# image-helpers.bash - for the bats files that drive tug's image commands
# (pull, images, image inspect, tag, rmi, prune, system check) against the
# registry fixtures: load it after helpers and registry-helpers.
#
#   setup_file()    { img_registry plain; }
#   teardown_file() { reg_stop; }
#   setup()         { img_setup; }
#
# img_setup gives each test a fresh data root in $D (tugd runs tug on it)
# and a private DOCKER_CONFIG, so no test reads or writes ~/.docker.

bats_require_minimum_version 1.5.0

# img_registry MODE: the test images built and pushed to a registry of MODE.
# Stays quiet when a tool is missing: img_setup skips the tests then.
img_registry() {
	command -v skopeo >/dev/null && command -v jq >/dev/null &&
		command -v docker-registry >/dev/null || return 0
	"$TUG" features | grep -q '^  +REGISTRY ' || return 0
	reg_images
	reg_start "$1"
	reg_push_all
}

# img_setup: skips unless images and the registry client are compiled in
# and the peers are there; $D is the data root of this test.
img_setup() {
	need_feature IMAGES
	need_feature REGISTRY
	need_cmd skopeo
	need_cmd jq
	need_cmd docker-registry
	D=$BATS_TEST_TMPDIR/root
	export DOCKER_CONFIG=$BATS_TEST_TMPDIR/docker
	unset TUG_CERTS_D TUG_INSECURE_REGISTRIES TUG_REGISTRY_MIRRORS TUG_KEEP_LAYER_BLOBS
}

# tugd ARGS...: tug on this test's data root.
tugd() {
	"$TUG" --data-root "$D" "$@"
}

# ref NAME [TAG]: the full name of a test image in the running registry.
ref() {
	echo "$REGISTRY_ADDR/tug-test/$1:${2:-latest}"
}

# img_manifest NAME: the manifest make-test-images wrote (the index, for
# multiarch); img_config NAME: its config, read back from the registry.
img_manifest() {
	local d
	d=$(reg_digest "$1")
	cat "$TEST_IMAGES/$1/blobs/sha256/${d#sha256:}"
}

img_config() {
	reg_inspect "tug-test/$1:latest" --config --raw
}

# img_blobs NAME: the layer blob digests of a test image, bottom first.
img_blobs() {
	img_manifest "$1" | jq -r '.layers[].digest'
}

# short DIGEST: the 12 hex digits docker shows.
short() {
	local h=${1#sha256:}
	echo "${h:0:12}"
}

# layer_of DIFF_ID: the diff/ folder of the layer with that diff id (the
# first one found: a diff id may sit on several parents).
layer_of() {
	local j
	for j in "$D"/layers/*/layer.json; do
		[ -f "$j" ] || continue
		if [ "$(jq -r .diffID "$j")" = "$1" ]; then
			echo "${j%/layer.json}/diff"
			return 0
		fi
	done
	echo "no layer with diff id $1 in $D/layers" >&2
	return 1
}

# store_ok: the data root is consistent and nothing is left in tmp/ (not
# through `run`: $output and $status of the caller stay).
store_ok() {
	local out rc=0
	out=$(tugd system check 2>&1) || rc=$?
	if [ "$rc" -ne 0 ] || [[ "$out" != ok* ]]; then
		echo "system check (status $rc): $out"
		return 1
	fi
	tmp_empty
}

tmp_empty() {
	if [ -d "$D/tmp" ] && [ -n "$(ls -A "$D/tmp")" ]; then
		echo "left in $D/tmp:"
		ls -la "$D/tmp"
		return 1
	fi
}

# no_images: `images -q` lists nothing.
no_images() {
	local out
	out=$(tugd images -q) && [ -z "$out" ] || {
		echo "images -q: $out"
		return 1
	}
}

# has_line TEXT: $output has a line equal to TEXT; has_match REGEX: a line
# matching the extended regex.
has_line() {
	grep -qxF -- "$1" <<<"$output" || {
		echo "no line '$1' in:"
		echo "$output"
		return 1
	}
}

has_match() {
	grep -qE -- "$1" <<<"$output" || {
		echo "no line matching '$1' in:"
		echo "$output"
		return 1
	}
}

# last_line: the last line of $output.
last_line() {
	tail -n1 <<<"$output"
}

# free_port: a port on 127.0.0.1 nothing listens on (probably).
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
