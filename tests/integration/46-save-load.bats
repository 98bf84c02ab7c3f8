#!/usr/bin/env bats
# tug save / tug load: round trips through the archive Docker 25 writes,
# skopeo reading what tug saves, tug loading what skopeo and OCI layouts
# hold, hostile and broken archives refused whole, and kill -9 mid-load.

load helpers
load registry-helpers

setup_file() {
	"$TUG" features | grep -q '^  +SAVE_LOAD ' || return 0
	command -v skopeo >/dev/null && command -v docker-registry >/dev/null || return 0
	reg_images
	reg_start plain
	reg_push_all
}

teardown_file() {
	reg_stop
}

setup() {
	need_feature SAVE_LOAD
	need_cmd skopeo
	need_cmd jq
	D=$BATS_TEST_TMPDIR/d
}

# pull REPO [DATA-ROOT]: from the test registry, keeping the layer blobs.
pull() {
	need_cmd docker-registry
	TUG_INSECURE_REGISTRIES=$REGISTRY_ADDR TUG_KEEP_LAYER_BLOBS=1 \
		"$TUG" --data-root "${2:-$D}" pull -q "$REGISTRY_ADDR/tug-test/$1" >/dev/null
}

# ids DATA-ROOT: image ids, sorted; names DATA-ROOT: the names, sorted.
ids() { "$TUG" --data-root "$1" images -q --no-trunc | sort -u; }
names() { jq -r '.refs | to_entries[] | "\(.key) \(.value)"' "$1/refs.json" | sort; }

# trees DATA-ROOT: chain id and digest of the unpacked tree of each layer.
trees() {
	local f
	for f in "$1"/layers/*/layer.json; do jq -r '"\(.chainID) \(.treeDigest)"' "$f"; done | sort
}

# nothing_stored DATA-ROOT: no image, no name, tmp/ empty, check passes.
nothing_stored() {
	[ -z "$(ids "$1")" ]
	[ ! -s "$1/refs.json" ] || [ "$(jq '.refs | length' "$1/refs.json")" -eq 0 ]
	[ -z "$(ls -A "$1/tmp")" ]
	run "$TUG" --data-root "$1" system check
	[ "$status" -eq 0 ]
	run "$TUG" --data-root "$1" system check
	[ "$status" -eq 0 ]
}

@test "save: round trip into a fresh data-root keeps ids, tags and layer trees" {
	pull multi
	"$TUG" --data-root "$D" tag "$REGISTRY_ADDR/tug-test/multi" app:v1
	"$TUG" --data-root "$D" tag "$REGISTRY_ADDR/tug-test/multi" other/app:2
	run "$TUG" --data-root "$D" save -o "$BATS_TEST_TMPDIR/a.tar" app:v1 other/app:2
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	tar -tf "$BATS_TEST_TMPDIR/a.tar" | grep -qx oci-layout
	tar -xOf "$BATS_TEST_TMPDIR/a.tar" manifest.json | jq -e '.[0].RepoTags == ["app:v1", "other/app:2"]'
	tar -xOf "$BATS_TEST_TMPDIR/a.tar" index.json |
		jq -e '[.manifests[].annotations["io.containerd.image.name"]] == ["docker.io/library/app:v1", "docker.io/other/app:2"]'
	run "$TUG" --data-root "$D.2" load -i "$BATS_TEST_TMPDIR/a.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: app:v1
Loaded image: other/app:2" ]
	[ "$(ids "$D")" = "$(ids "$D.2")" ]
	[ "$(names "$D.2")" = "$(names "$D" | grep -v tug-test)" ]
	[ "$(trees "$D")" = "$(trees "$D.2")" ]
	"$TUG" --data-root "$D.2" system check
	# the same image saved twice is the same bytes
	"$TUG" --data-root "$D" save app:v1 other/app:2 >"$BATS_TEST_TMPDIR/b.tar"
	cmp "$BATS_TEST_TMPDIR/a.tar" "$BATS_TEST_TMPDIR/b.tar"
}

@test "save: a layer's blob is its uncompressed tar, named by its diff id" {
	pull single
	"$TUG" --data-root "$D" save -o "$BATS_TEST_TMPDIR/s.tar" "$REGISTRY_ADDR/tug-test/single"
	mkdir "$BATS_TEST_TMPDIR/x"
	tar -C "$BATS_TEST_TMPDIR/x" -xf "$BATS_TEST_TMPDIR/s.tar"
	local m l
	m=$(jq -r '.manifests[0].digest' "$BATS_TEST_TMPDIR/x/index.json")
	l=$(jq -r '.layers[0].digest' "$BATS_TEST_TMPDIR/x/blobs/sha256/${m#sha256:}")
	[ "$(jq -r '.layers[0].mediaType' "$BATS_TEST_TMPDIR/x/blobs/sha256/${m#sha256:}")" = application/vnd.oci.image.layer.v1.tar ]
	[ "sha256:$(sha256sum <"$BATS_TEST_TMPDIR/x/blobs/sha256/${l#sha256:}" | cut -c1-64)" = "$l" ]
	tar -tf "$BATS_TEST_TMPDIR/x/blobs/sha256/${l#sha256:}" | grep -qx bin/busybox
}

@test "save: skopeo reads what tug saves" {
	pull multi
	"$TUG" --data-root "$D" save "$REGISTRY_ADDR/tug-test/multi" >"$BATS_TEST_TMPDIR/m.tar"
	run skopeo inspect "docker-archive:$BATS_TEST_TMPDIR/m.tar"
	[ "$status" -eq 0 ]
	[ "$(jq '.Layers | length' <<<"$output")" -eq 4 ]
	[ "$(jq -r .Labels[\"org.tug.test\"] <<<"$output")" = multi ]
	skopeo --insecure-policy copy -q "docker-archive:$BATS_TEST_TMPDIR/m.tar" "oci:$BATS_TEST_TMPDIR/o:x"
	[ "$(skopeo inspect "oci:$BATS_TEST_TMPDIR/o:x" | jq -r .Digest)" != null ]
	# the tar is an OCI layout too
	mkdir "$BATS_TEST_TMPDIR/l"
	tar -C "$BATS_TEST_TMPDIR/l" -xf "$BATS_TEST_TMPDIR/m.tar"
	[ "$(skopeo inspect "oci:$BATS_TEST_TMPDIR/l" | jq '.Layers | length')" -eq 4 ]
}

@test "save: refuses a terminal, an unknown image and an image without its blobs" {
	pull single
	need_cmd script
	run script -qec "$TUG --data-root $D save $REGISTRY_ADDR/tug-test/single" /dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == *"cowardly refusing to save to a terminal. Use the -o flag or redirect"* ]]
	run "$TUG" --data-root "$D" save -o "$BATS_TEST_TMPDIR/n.tar" nosuch:image
	[ "$status" -eq 1 ]
	[[ "$output" == *"No such image: nosuch:image"* ]]
	TUG_INSECURE_REGISTRIES=$REGISTRY_ADDR "$TUG" --data-root "$D.nokeep" pull -q \
		"$REGISTRY_ADDR/tug-test/single" >/dev/null
	run "$TUG" --data-root "$D.nokeep" save -o "$BATS_TEST_TMPDIR/n.tar" "$REGISTRY_ADDR/tug-test/single"
	[ "$status" -eq 1 ]
	[[ "$output" == *"tug-test/single:latest"*"layer sha256:"*"--keep-layer-blobs"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/n.tar" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR" | grep -v '^d')" ]
	# the fix the message gives: pulling again with the blobs kept fetches them
	"$TUG" --data-root "$D.nokeep" --keep-layer-blobs pull -q "$REGISTRY_ADDR/tug-test/single" >/dev/null
	"$TUG" --data-root "$D.nokeep" save -o "$BATS_TEST_TMPDIR/n.tar" "$REGISTRY_ADDR/tug-test/single"
	[ -s "$BATS_TEST_TMPDIR/n.tar" ]
}

@test "load: skopeo's docker-archive (symlinked layer, VERSION files)" {
	run "$TUG" --data-root "$D" load -i "$TEST_IMAGES/single.docker.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: tug-test/single:latest" ]
	[ "$(ids "$D")" = "sha256:$(tar -tf "$TEST_IMAGES/single.docker.tar" | grep -o '^[0-9a-f]*\.json' | cut -c1-64)" ]
	"$TUG" --data-root "$D" system check
	# again: nothing changes, the name stays
	run "$TUG" --data-root "$D" load -q <"$TEST_IMAGES/single.docker.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: tug-test/single:latest" ]
}

@test "load: OCI layout tars (plain, gzip; gzip and zstd layers; an index of platforms)" {
	local n id
	for n in single multi zstd multiarch; do
		tar -C "$TEST_IMAGES/$n" -cf "$BATS_TEST_TMPDIR/$n.tar" .
	done
	gzip -k "$BATS_TEST_TMPDIR/multi.tar"
	run "$TUG" --data-root "$D" load -i "$BATS_TEST_TMPDIR/single.tar"
	[ "$status" -eq 0 ]
	id=$(jq -r .config.digest "$TEST_IMAGES/single/blobs/sha256/$(cut -c8- "$TEST_IMAGES/single.digest")")
	[ "$output" = "Loaded image ID: $id" ]
	run "$TUG" --data-root "$D" load <"$BATS_TEST_TMPDIR/multi.tar.gz"
	[ "$status" -eq 0 ]
	[[ "$output" == "Loaded image ID: sha256:"* ]]
	run "$TUG" --data-root "$D" load -i "$BATS_TEST_TMPDIR/zstd.tar"
	[ "$status" -eq 0 ]
	run "$TUG" --data-root "$D" load -i "$BATS_TEST_TMPDIR/multiarch.tar"
	[ "$status" -eq 0 ]
	[ "$(ids "$D" | wc -l)" -eq 4 ]
	"$TUG" --data-root "$D" system check
}

@test "load: a name that moves says which image lost it" {
	pull single
	"$TUG" --data-root "$D" save -o "$BATS_TEST_TMPDIR/s.tar" "$REGISTRY_ADDR/tug-test/single"
	pull multi "$D.2"
	"$TUG" --data-root "$D.2" tag "$REGISTRY_ADDR/tug-test/multi" "$REGISTRY_ADDR/tug-test/single"
	run "$TUG" --data-root "$D.2" load -i "$BATS_TEST_TMPDIR/s.tar"
	[ "$status" -eq 0 ]
	[[ "$output" == "The image $REGISTRY_ADDR/tug-test/single:latest already exists, renaming the old one with ID sha256:"*" to empty string
Loaded image: $REGISTRY_ADDR/tug-test/single:latest" ]]
}

# mkarchive OUT EDIT: single.docker.tar unpacked, EDIT run in its folder
# (python3 -c), packed again with python's tarfile (members in order).
mkarchive() {
	local dir=$BATS_TEST_TMPDIR/arc
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -C "$dir" -xf "$TEST_IMAGES/single.docker.tar"
	(cd "$dir" && /usr/bin/python3 -c "$2")
	(cd "$dir" && /usr/bin/python3 -c '
import os, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.GNU_FORMAT) as t:
    for root, dirs, files in os.walk("."):
        dirs.sort()
        for f in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            t.add(os.path.join(root, f)[2:], recursive=False)
    extra = os.environ.get("EXTRA")
    if extra:
        ti = tarfile.TarInfo(extra)
        ti.size = 5
        import io
        t.addfile(ti, io.BytesIO(b"evil\n"))
' "$1")
}

@test "load: hostile archives are refused whole and nothing is stored" {
	# a member named ../x
	EXTRA=../tug-evil-load.txt mkarchive "$BATS_TEST_TMPDIR/dotdot.tar" "pass"
	run "$TUG" --data-root "$D" load -i "$BATS_TEST_TMPDIR/dotdot.tar"
	[ "$status" -eq 1 ]
	[[ "$output" == *'"../tug-evil-load.txt"'*'refused'* ]]
	nothing_stored "$D"
	# an absolute member name
	EXTRA=/tmp/tug-evil-load-abs.txt mkarchive "$BATS_TEST_TMPDIR/abs.tar" "pass"
	run "$TUG" --data-root "$D" load -i "$BATS_TEST_TMPDIR/abs.tar"
	[ "$status" -eq 1 ]
	nothing_stored "$D"
	[ ! -e /tmp/tug-evil-load-abs.txt ] && [ ! -e "$BATS_TEST_TMPDIR/tug-evil-load.txt" ]
	# a layer whose content is not what the config's diff_ids say
	mkarchive "$BATS_TEST_TMPDIR/diff.tar" '
import glob, hashlib, json, os
cfg = glob.glob("*.json")
cfg = [c for c in cfg if c != "manifest.json"][0]
c = json.load(open(cfg))
c["rootfs"]["diff_ids"][0] = "sha256:" + "0" * 64
data = json.dumps(c).encode()
new = hashlib.sha256(data).hexdigest() + ".json"
os.remove(cfg)
open(new, "wb").write(data)
m = json.load(open("manifest.json"))
m[0]["Config"] = new
json.dump(m, open("manifest.json", "w"))'
	run "$TUG" --data-root "$D" load -i "$BATS_TEST_TMPDIR/diff.tar"
	[ "$status" -eq 1 ]
	[[ "$output" == *"layer "*".tar: its content has diff id sha256:"*"config says sha256:0000"* ]]
	nothing_stored "$D"
	# a layer tar whose entry climbs out
	mkarchive "$BATS_TEST_TMPDIR/evil-layer.tar" '
import glob, hashlib, io, json, os, tarfile
b = io.BytesIO()
with tarfile.open(fileobj=b, mode="w") as t:
    ti = tarfile.TarInfo("../../tug-evil-load-layer.txt"); ti.size = 5
    t.addfile(ti, io.BytesIO(b"evil\n"))
layer = b.getvalue(); h = hashlib.sha256(layer).hexdigest()
open(h + ".tar", "wb").write(layer)
cfg = [c for c in glob.glob("*.json") if c != "manifest.json"][0]
c = json.load(open(cfg)); c["rootfs"]["diff_ids"] = ["sha256:" + h]
data = json.dumps(c).encode(); os.remove(cfg)
new = hashlib.sha256(data).hexdigest() + ".json"; open(new, "wb").write(data)
json.dump([{"Config": new, "RepoTags": ["evil:latest"], "Layers": [h + ".tar"]}], open("manifest.json", "w"))'
	run "$TUG" --data-root "$D" load -i "$BATS_TEST_TMPDIR/evil-layer.tar"
	[ "$status" -eq 1 ]
	[[ "$output" == *"layer "*".tar: "*"tug-evil-load-layer.txt"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/tug-evil-load-layer.txt" ] && [ ! -e /tmp/tug-evil-load-layer.txt ]
	nothing_stored "$D"
}

@test "load: truncated, empty and non-image archives fail and store nothing" {
	local size
	size=$(stat -c %s "$TEST_IMAGES/single.docker.tar")
	head -c $((size / 2)) "$TEST_IMAGES/single.docker.tar" >"$BATS_TEST_TMPDIR/half.tar"
	run "$TUG" --data-root "$D" load -i "$BATS_TEST_TMPDIR/half.tar"
	[ "$status" -eq 1 ]
	nothing_stored "$D"
	run "$TUG" --data-root "$D" load </dev/null
	[ "$status" -eq 1 ]
	nothing_stored "$D"
	tar -C "$FIXTURES" -cf "$BATS_TEST_TMPDIR/other.tar" README
	run "$TUG" --data-root "$D" load -i "$BATS_TEST_TMPDIR/other.tar"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not an image archive"* ]]
	nothing_stored "$D"
	run "$TUG" --data-root "$D" load -i "$BATS_TEST_TMPDIR/nosuch.tar"
	[ "$status" -eq 1 ]
}

# check_after_crash: the store is consistent; what the killed load had in
# progress may still be in tmp/ (the next writer empties it, store.h), which
# `system check` notes without counting it as a problem.
check_after_crash() {
	run "$TUG" --data-root "$D" system check
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "load: kill -9 at any point leaves a store that checks and loads again" {
	local size n pid
	tar -C "$TEST_IMAGES/multi" -cf "$BATS_TEST_TMPDIR/multi.tar" .
	size=$(stat -c %s "$BATS_TEST_TMPDIR/multi.tar")
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	for n in 700 $((size / 3)) $((size / 2)) $((size - 3000)) $size; do
		"$TUG" --data-root "$D" load -i "$BATS_TEST_TMPDIR/fifo" >/dev/null 2>&1 3>&- &
		pid=$!
		exec 4>"$BATS_TEST_TMPDIR/fifo"
		head -c "$n" "$BATS_TEST_TMPDIR/multi.tar" >&4
		sleep 0.$((RANDOM % 5 + 3))
		kill -9 "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
		exec 4>&-
		check_after_crash
	done
	# and at random instants of full-speed loads
	for n in 1 2 3; do
		"$TUG" --data-root "$D" load -i "$BATS_TEST_TMPDIR/multi.tar" >/dev/null 2>&1 3>&- &
		pid=$!
		sleep 0.0$((RANDOM % 10))
		kill -9 "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
		check_after_crash
	done
	run "$TUG" --data-root "$D" load -i "$BATS_TEST_TMPDIR/multi.tar"
	[ "$status" -eq 0 ]
	[ -z "$(ls -A "$D/tmp")" ]
	"$TUG" --data-root "$D" system check
}
