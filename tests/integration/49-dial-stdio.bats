#!/usr/bin/env bats
# `tug system dial-stdio` against a small unix socket server (python3): it
# relays both ways, passes stdin's EOF on as a half-close, and ends when
# the server closes.

load helpers
bats_require_minimum_version 1.5.0

# serve MODE: a one-connection server on $SOCK, in the background.
#   echo:  read until EOF, answer "echo:<data>", close
#   greet: send "hello", close at once without reading
serve() {
	python3 - "$SOCK" "$1" <<'EOF' &
import os, socket, sys
path, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
open(path + ".ready", "w").close()
c, _ = s.accept()
if mode == "echo":
    data = b""
    while True:
        b = c.recv(4096)
        if not b:
            break
        data += b
    c.sendall(b"echo:" + data)
else:
    c.sendall(b"hello")
c.close()
EOF
	SERVER=$!
	for _ in $(seq 100); do [ -e "$SOCK.ready" ] && return 0; sleep 0.05; done
	return 1
}

setup() {
	need_cmd python3
	"$TUG" system --help 2>&1 | grep -q dial-stdio || skip "tug system dial-stdio is compiled out"
	DIR=$(mktemp -d)
	SOCK=$DIR/d.sock
	SERVER=
}

teardown() {
	[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
	rm -rf "$DIR"
}

@test "dial-stdio: stdin reaches the daemon, its EOF is a half-close, the answer comes back" {
	serve echo
	run --separate-stderr bash -c "printf 'ping pong' | TUG_HOST=unix://$SOCK timeout 10 '$TUG' system dial-stdio"
	[ "$status" -eq 0 ]
	[ "$output" = "echo:ping pong" ]
}

@test "dial-stdio: DOCKER_HOST is used when TUG_HOST is not set" {
	serve echo
	run --separate-stderr bash -c "printf x | env -u TUG_HOST DOCKER_HOST=unix://$SOCK timeout 10 '$TUG' system dial-stdio"
	[ "$status" -eq 0 ]
	[ "$output" = "echo:x" ]
}

@test "dial-stdio: ends when the daemon closes, with stdin still open" {
	serve greet
	start=$(date +%s)
	run --separate-stderr bash -c "TUG_HOST=unix://$SOCK timeout 10 '$TUG' system dial-stdio < <(sleep 8 >/dev/null 2>&1)"
	[ "$status" -eq 0 ]
	[ "$output" = "hello" ]
	[ $(($(date +%s) - start)) -lt 6 ]
}

@test "dial-stdio: no daemon: a message and exit 1" {
	run --separate-stderr env TUG_HOST=unix://$DIR/none.sock "$TUG" system dial-stdio
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"tug: system dial-stdio: connect to $DIR/none.sock (is the daemon running?)"* ]]
}

@test "dial-stdio: a tcp:// host is refused" {
	run --separate-stderr env TUG_HOST=tcp://127.0.0.1:1 "$TUG" system dial-stdio
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"only unix:// hosts"* ]]
}
