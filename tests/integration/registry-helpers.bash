# registry-helpers.bash - registries and test images for the bats files that
# pull and push: load it after helpers. One registry and one evil registry
# per test file; start them in setup_file, stop them in teardown_file:
#
#   setup_file()    { reg_images; reg_start token; reg_push_all; evil_start; }
#   teardown_file() { reg_stop; evil_stop; }
#
# reg_start exports REGISTRY_MODE REGISTRY_DIR REGISTRY_ADDR (127.0.0.1:port)
# REGISTRY_URL REGISTRY_PID REGISTRY_CA (empty for plain) REGISTRY_CERT_DIR
# (a dir holding ca.crt, for skopeo --cert-dir / certs.d) REGISTRY_USER
# REGISTRY_PASS (empty unless basic or token) and, for token, TOKEN_URL
# TOKEN_PID TOKEN_LOG. reg_images exports TEST_IMAGES (see make-test-images).
# evil_start exports EVIL_ADDR EVIL_URL EVIL_LOG EVIL_PID EVIL_DIR.

FIXTURES=$(realpath "$BATS_TEST_DIRNAME/../fixtures")
# The images pushed by reg_push_all, as repository names under REGISTRY_ADDR.
TEST_IMAGE_NAMES="single multi zstd multiarch"

# reg_images: build the test images once per bats run (shared by the files
# of a run, under a lock for bats --jobs); TEST_IMAGES may point elsewhere.
reg_images() {
	export TEST_IMAGES=${TEST_IMAGES:-${BATS_RUN_TMPDIR:-$BATS_FILE_TMPDIR}/test-images}
	mkdir -p "$TEST_IMAGES"
	(
		flock 9
		[ -f "$TEST_IMAGES/single.docker.tar" ] && exit 0
		"$FIXTURES/make-test-images" "$TEST_IMAGES" >&2
	) 9>"$TEST_IMAGES/.lock"
}

# reg_big LAYERS MB: path of the `big` image made on demand (cached).
reg_big() {
	reg_images >/dev/null
	"$FIXTURES/make-test-images" --big "$1" "$2" "$TEST_IMAGES"
}

# reg_start MODE [DIR]: plain | tls | basic | token. TOKEN_ANON=none before
# it turns anonymous pulls off in token mode.
reg_start() {
	local out
	out=$("$FIXTURES/registry" start "$1" "${2:-$BATS_FILE_TMPDIR/registry-$1}") || return 1
	eval "$out"
	export REGISTRY_MODE REGISTRY_DIR REGISTRY_ADDR REGISTRY_URL REGISTRY_PID \
		REGISTRY_CA REGISTRY_CERT_DIR REGISTRY_USER REGISTRY_PASS
	[ "$1" != token ] || export TOKEN_URL TOKEN_PID TOKEN_LOG
}

reg_stop() {
	[ -n "${REGISTRY_DIR:-}" ] || return 0
	"$FIXTURES/registry" stop "$REGISTRY_DIR"
}

# reg_skopeo_args dest|src|plain [anon]: sets the array REG_ARGS to the
# TLS and credential flags skopeo needs for the running registry (dest for
# the target of copy, src for its source, plain for inspect/delete).
# With anon, no credentials.
reg_skopeo_args() {
	local p=
	case $1 in dest) p=dest- ;; src) p=src- ;; esac
	REG_ARGS=()
	if [ "$REGISTRY_MODE" = plain ]; then
		REG_ARGS+=("--${p}tls-verify=false")
	else
		REG_ARGS+=("--${p}cert-dir" "$REGISTRY_CERT_DIR")
	fi
	if [ -n "$REGISTRY_USER" ] && [ "${2:-}" != anon ]; then
		REG_ARGS+=("--${p}creds" "$REGISTRY_USER:$REGISTRY_PASS")
	fi
}

# reg_push IMAGE REF [skopeo args...]: copy a test image (a name from
# TEST_IMAGE_NAMES, or a path to an OCI layout) to REGISTRY_ADDR/REF;
# multiarch goes with all its platforms.
reg_push() {
	local img=$1 ref=$2 src all=()
	shift 2
	src=$img
	[ -d "$src" ] || src=$TEST_IMAGES/$img
	[ "$img" != multiarch ] || all=(--all)
	reg_skopeo_args dest
	skopeo --insecure-policy copy -q "${all[@]}" "${REG_ARGS[@]}" "$@" \
		"oci:$src:latest" "docker://$REGISTRY_ADDR/$ref"
}

# reg_push_all: every test image to tug-test/NAME:latest.
reg_push_all() {
	local n
	for n in $TEST_IMAGE_NAMES; do reg_push "$n" "tug-test/$n:latest" || return 1; done
}

# reg_inspect REF [skopeo inspect args...]: skopeo inspect of REGISTRY_ADDR/REF.
reg_inspect() {
	local ref=$1
	shift
	reg_skopeo_args plain
	skopeo inspect "${REG_ARGS[@]}" "$@" "docker://$REGISTRY_ADDR/$ref"
}

# reg_digest NAME: the manifest (or index) digest make-test-images wrote.
reg_digest() {
	cat "$TEST_IMAGES/$1.digest"
}

# reg_curl PATH [curl args...]: curl against the registry with its CA and,
# for basic, its credentials (token mode needs reg_token first).
reg_curl() {
	local path=$1 a=()
	shift
	[ -z "$REGISTRY_CA" ] || a+=(--cacert "$REGISTRY_CA")
	[ "$REGISTRY_MODE" != basic ] || a+=(-u "$REGISTRY_USER:$REGISTRY_PASS")
	curl -s "${a[@]}" "$@" "$REGISTRY_URL$path"
}

# reg_token SCOPE [anon]: a bearer token from the token server.
reg_token() {
	local a=()
	[ "${2:-}" = anon ] || a=(-u "$REGISTRY_USER:$REGISTRY_PASS")
	curl -sf "${a[@]}" -G --data-urlencode "scope=$1" \
		--data-urlencode service=tug-test-registry "$TOKEN_URL" | jq -r .token
}

# reg_auth_file FILE: a docker config.json with the registry's credentials.
reg_auth_file() {
	local auth
	auth=$(printf '%s:%s' "$REGISTRY_USER" "$REGISTRY_PASS" | base64 -w0)
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REGISTRY_ADDR" "$auth" >"$1"
}

# fx_alive PID: running and not a zombie (kill -0 succeeds on zombies).
fx_alive() {
	local st
	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# evil_start [evil-registry args...]: the misbehaving registry (plain HTTP).
evil_start() {
	export EVIL_DIR=$BATS_FILE_TMPDIR/evil
	mkdir -p "$EVIL_DIR"
	rm -f "$EVIL_DIR/port"
	export EVIL_LOG=$EVIL_DIR/requests.log
	setsid /usr/bin/python3 "$FIXTURES/evil-registry" --port-file "$EVIL_DIR/port" \
		--log "$EVIL_LOG" "$@" </dev/null >>"$EVIL_DIR/stderr" 2>&1 3>&- &
	export EVIL_PID=$!
	for _ in $(seq 100); do
		[ -s "$EVIL_DIR/port" ] && break
		sleep 0.1
	done
	[ -s "$EVIL_DIR/port" ] || { cat "$EVIL_DIR/stderr" >&2; return 1; }
	EVIL_ADDR=127.0.0.1:$(cat "$EVIL_DIR/port")
	export EVIL_ADDR
	export EVIL_URL=http://$EVIL_ADDR
}

evil_stop() {
	[ -n "${EVIL_PID:-}" ] || return 0
	kill "$EVIL_PID" 2>/dev/null || return 0
	for _ in $(seq 30); do
		fx_alive "$EVIL_PID" || return 0
		sleep 0.1
	done
	kill -9 "$EVIL_PID" 2>/dev/null || :
}

# evil_reset: forget the flaky / drop-once counters.
evil_reset() {
	curl -sf -X POST "$EVIL_URL/_evil/reset" >/dev/null
}

# evil_layer REPO: the digest of the first layer of REPO:latest.
evil_layer() {
	curl -sf "$EVIL_URL/v2/$1/manifests/latest" | jq -r '.layers[0].digest'
}
