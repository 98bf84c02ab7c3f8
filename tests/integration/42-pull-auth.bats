#!/usr/bin/env bats
# tug pull over TLS (trust from TUG_CERTS_D, laid out like
# /etc/docker/certs.d) and with credentials (basic and token auth, Docker's
# config.json, tug login / logout). Four registries, one per mode, started
# once for the file: tls, basic, token (anonymous pull allowed) and token
# with TOKEN_ANON=none.

load helpers
load registry-helpers
load image-helpers

# reg_save P: keep the running registry's variables under the prefix P;
# reg_use P: make the registry saved as P the current one.
REG_VARS="REGISTRY_MODE REGISTRY_DIR REGISTRY_ADDR REGISTRY_URL REGISTRY_PID REGISTRY_CA
	REGISTRY_CERT_DIR REGISTRY_USER REGISTRY_PASS TOKEN_URL TOKEN_PID TOKEN_LOG"

reg_save() {
	local v
	for v in $REG_VARS; do export "${1}_$v=${!v:-}"; done
}

reg_use() {
	local v n
	for v in $REG_VARS; do
		n=${1}_$v
		export "$v=${!n:-}"
	done
}

setup_file() {
	command -v skopeo >/dev/null && command -v jq >/dev/null &&
		command -v docker-registry >/dev/null && command -v htpasswd >/dev/null || return 0
	"$TUG" features | grep -q '^  +REGISTRY ' || return 0
	"$TUG" features | grep -q '^  +TLS ' || return 0
	reg_images
	local m
	for m in tls basic token; do
		reg_start "$m" "$BATS_FILE_TMPDIR/reg-$m"
		reg_push single tug-test/single:latest
		reg_save "$m"
		unset TOKEN_URL TOKEN_PID TOKEN_LOG
	done
	TOKEN_ANON=none reg_start token "$BATS_FILE_TMPDIR/reg-noanon"
	reg_push single tug-test/single:latest
	reg_save noanon
}

teardown_file() {
	local d
	for d in "$BATS_FILE_TMPDIR"/reg-*; do
		[ -d "$d" ] && "$FIXTURES/registry" stop "$d"
	done
	return 0
}

setup() {
	img_setup
	need_feature TLS
	need_cmd htpasswd
	[ -n "${tls_REGISTRY_ADDR:-}" ] || skip "the registries did not start"
}

# certs_d P: a certs.d tree trusting registry P's CA under both its names
# (127.0.0.1:port and localhost:port); its path is printed.
certs_d() {
	local var=${1}_REGISTRY_CA addr=${1}_REGISTRY_ADDR dir=$BATS_TEST_TMPDIR/certs.d
	local port=${!addr#*:}
	mkdir -p "$dir/${!addr}" "$dir/localhost:$port"
	cp "${!var}" "$dir/${!addr}/ca.crt"
	cp "${!var}" "$dir/localhost:$port/ca.crt"
	echo "$dir"
}

login() {
	printf '%s\n' "${2:-$REGISTRY_PASS}" | tugd login -u "${1:-$REGISTRY_USER}" --password-stdin "$REGISTRY_ADDR"
}

@test "tls: trusted through TUG_CERTS_D, under 127.0.0.1 and localhost" {
	reg_use tls
	export TUG_CERTS_D=$(certs_d tls)
	run --separate-stderr tugd pull "$(ref single)"
	[ "$status" -eq 0 ]
	has_line "Status: Downloaded newer image for $(ref single)"
	[ "$(last_line)" = "$(ref single)" ]
	run --separate-stderr tugd pull -q "localhost:${REGISTRY_ADDR#*:}/tug-test/single"
	[ "$status" -eq 0 ]
	[ "$output" = "localhost:${REGISTRY_ADDR#*:}/tug-test/single:latest" ]
	store_ok
}

@test "tls: TUG_CERTS_D is a list; the folder that has the host is used" {
	reg_use tls
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	export TUG_CERTS_D=$BATS_TEST_TMPDIR/empty:$(certs_d tls)
	run --separate-stderr tugd pull -q "$(ref single)"
	[ "$status" -eq 0 ]
}

@test "tls: TUG_CA_BUNDLE replaces the system's CA bundle; a missing one is named" {
	reg_use tls
	export TUG_CERTS_D=$BATS_TEST_TMPDIR/none
	TUG_CA_BUNDLE=$REGISTRY_CA run --separate-stderr tugd pull -q "$(ref single)"
	[ "$status" -eq 0 ]
	TUG_CA_BUNDLE=$BATS_TEST_TMPDIR/missing.pem run --separate-stderr tugd pull -q "$(ref single)"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *missing.pem* ]]
}

@test "tls: on 127.0.0.1 (insecure, as with dockerd) an unknown CA is not checked" {
	reg_use tls
	export TUG_CERTS_D=$BATS_TEST_TMPDIR/none
	run --separate-stderr tugd pull -q "$(ref single)"
	[ "$status" -eq 0 ]
	[ "$output" = "$(ref single)" ]
	# localhost is 127.0.0.1: the same
	run --separate-stderr tugd pull -q "localhost:${REGISTRY_ADDR#*:}/tug-test/single"
	[ "$status" -eq 0 ]
	store_ok
}

# secure_relay: the current registry at 10.200.0.1:<its port>, an address
# outside 127.0.0.0/8 (so verified), inside a network namespace of its own
# (SECURE_NS; `sn CMD` runs there). socat relays through a unix socket,
# which crosses namespaces.
secure_relay() {
	need_root
	need_cmd socat
	need_cmd nsenter
	local port=${REGISTRY_ADDR#*:}
	SECURE_NS=tugsec-$$-$BATS_TEST_NUMBER
	ip netns add "$SECURE_NS"
	sn ip link set lo up
	sn ip addr add 10.200.0.1/32 dev lo
	# not through sn (a function: $! would be its subshell), and without
	# bats' fd 3, which would keep bats waiting for them
	socat "UNIX-LISTEN:$BATS_TEST_TMPDIR/relay.sock,fork" "TCP:$REGISTRY_ADDR" 3>&- &
	RELAY_PIDS=$!
	nsenter --net="/run/netns/$SECURE_NS" socat "TCP-LISTEN:$port,bind=10.200.0.1,fork,reuseaddr" \
		"UNIX-CONNECT:$BATS_TEST_TMPDIR/relay.sock" 3>&- &
	RELAY_PIDS="$RELAY_PIDS $!"
	SECURE_ADDR=10.200.0.1:$port
	for _ in $(seq 50); do
		sn bash -c "exec 3<>/dev/tcp/10.200.0.1/$port" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

sn() {
	nsenter --net="/run/netns/$SECURE_NS" "$@"
}

teardown() {
	local p
	for p in ${RELAY_PIDS:-}; do kill "$p" 2>/dev/null || :; done
	[ -z "${SECURE_NS:-}" ] || ip netns del "$SECURE_NS" 2>/dev/null || :
}

@test "tls: elsewhere an unknown CA fails with exit 1 and a message, nothing stored; unless insecure" {
	reg_use tls
	secure_relay
	local ref=$SECURE_ADDR/tug-test/single
	export TUG_CERTS_D=$BATS_TEST_TMPDIR/none
	run --separate-stderr sn "$TUG" --data-root "$D" pull "$ref"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tug: pull $ref:latest: "* ]]
	[[ "$stderr" == *"certificate verify failed"* ]]
	echo "# $SECURE_ADDR without CA: $stderr" >&3
	# Another registry's CA under this registry's name.
	export TUG_CERTS_D=$BATS_TEST_TMPDIR/wrong
	mkdir -p "$TUG_CERTS_D/$SECURE_ADDR"
	cp "$basic_REGISTRY_CA" "$TUG_CERTS_D/$SECURE_ADDR/ca.crt"
	run --separate-stderr sn "$TUG" --data-root "$D" pull "$ref"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *certificate* ]]
	no_images
	store_ok
	# Listed as insecure (by name, then by CIDR): not verified, pulled.
	TUG_INSECURE_REGISTRIES=other:5000,$SECURE_ADDR run --separate-stderr \
		sn "$TUG" --data-root "$D" pull -q "$ref"
	[ "$status" -eq 0 ]
	[ "$output" = "$ref:latest" ]
	tugd rmi "$ref" >/dev/null
	TUG_INSECURE_REGISTRIES=10.200.0.0/24 run --separate-stderr \
		sn "$TUG" --data-root "$D" pull -q "$ref"
	[ "$status" -eq 0 ]
	store_ok
}

@test "basic: without credentials the pull fails, saying to log in" {
	reg_use basic
	export TUG_CERTS_D=$(certs_d basic)
	run --separate-stderr tugd pull "$(ref single)"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tug: pull $(ref single): "* ]]
	[[ "$stderr" == *login* || "$stderr" == *401* || "$stderr" == *unauthorized* || "$stderr" == *authentication* ]]
	no_images
	store_ok
}

@test "basic: tug login writes config.json, pull works, logout removes it" {
	reg_use basic
	export TUG_CERTS_D=$(certs_d basic)
	run --separate-stderr login
	[ "$status" -eq 0 ]
	has_line "Login Succeeded"
	[ -f "$DOCKER_CONFIG/config.json" ]
	# Docker's format: auths.<host>.auth = base64(user:password).
	[ "$(jq -r --arg h "$REGISTRY_ADDR" '.auths[$h].auth' "$DOCKER_CONFIG/config.json" | base64 -d)" = \
		"$REGISTRY_USER:$REGISTRY_PASS" ]
	run --separate-stderr tugd pull "$(ref single)"
	[ "$status" -eq 0 ]
	[ "$(last_line)" = "$(ref single)" ]
	run --separate-stderr tugd logout "$REGISTRY_ADDR"
	[ "$status" -eq 0 ]
	[ "$(jq -r --arg h "$REGISTRY_ADDR" '.auths[$h] // "gone"' "$DOCKER_CONFIG/config.json")" = gone ]
	tugd rmi "$(ref single)" >/dev/null
	run --separate-stderr tugd pull "$(ref single)"
	[ "$status" -eq 1 ]
	store_ok
}

@test "basic: login with a wrong password fails and writes nothing" {
	reg_use basic
	export TUG_CERTS_D=$(certs_d basic)
	run --separate-stderr login tug wrong-password
	[ "$status" -eq 1 ]
	[ -n "$stderr" ]
	[ ! -f "$DOCKER_CONFIG/config.json" ] || [ "$(jq -r --arg h "$REGISTRY_ADDR" '.auths[$h] // "none"' "$DOCKER_CONFIG/config.json")" = none ]
}

@test "basic: login keeps other entries of config.json" {
	reg_use basic
	export TUG_CERTS_D=$(certs_d basic)
	mkdir -p "$DOCKER_CONFIG"
	echo '{"auths":{"other.example:5000":{"auth":"eDp5"}},"psFormat":"table {{.ID}}"}' >"$DOCKER_CONFIG/config.json"
	login >/dev/null
	[ "$(jq -r '.auths["other.example:5000"].auth' "$DOCKER_CONFIG/config.json")" = eDp5 ]
	[ "$(jq -r .psFormat "$DOCKER_CONFIG/config.json")" = "table {{.ID}}" ]
	tugd logout "$REGISTRY_ADDR" >/dev/null
	[ "$(jq -r '.auths["other.example:5000"].auth' "$DOCKER_CONFIG/config.json")" = eDp5 ]
}

@test "basic: credentials from a config.json written by others, and from \$HOME/.docker" {
	reg_use basic
	export TUG_CERTS_D=$(certs_d basic)
	mkdir -p "$DOCKER_CONFIG"
	reg_auth_file "$DOCKER_CONFIG/config.json"
	run --separate-stderr tugd pull -q "$(ref single)"
	[ "$status" -eq 0 ]
	rm -rf "$D"
	unset DOCKER_CONFIG
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME/.docker"
	reg_auth_file "$HOME/.docker/config.json"
	run --separate-stderr tugd pull -q "$(ref single)"
	[ "$status" -eq 0 ]
	store_ok
}

@test "token: anonymous pull works through the token server" {
	reg_use token
	export TUG_CERTS_D=$(certs_d token)
	: >"$TOKEN_LOG"
	run --separate-stderr tugd pull "$(ref single)"
	[ "$status" -eq 0 ]
	[ "$(last_line)" = "$(ref single)" ]
	grep -q -- '-> 200' "$TOKEN_LOG"
	store_ok
}

@test "token: with anonymous pull off, login is needed" {
	reg_use noanon
	export TUG_CERTS_D=$(certs_d noanon)
	run --separate-stderr tugd pull "$(ref single)"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "tug: pull $(ref single): "* ]]
	no_images
	run --separate-stderr login
	[ "$status" -eq 0 ]
	has_line "Login Succeeded"
	: >"$TOKEN_LOG"
	run --separate-stderr tugd pull "$(ref single)"
	[ "$status" -eq 0 ]
	grep -q "user=tug -> 200" "$TOKEN_LOG"
	tugd logout "$REGISTRY_ADDR" >/dev/null
	tugd rmi "$(ref single)" >/dev/null
	run --separate-stderr tugd pull "$(ref single)"
	[ "$status" -eq 1 ]
	store_ok
}
