#!/usr/bin/env bats
# The store's face in docker's grammar: images (filters, formats), image
# inspect, tag, rmi, image prune and system check, on images pulled from a
# plain registry.

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
}

# id_of NAME: the image id (config digest) of a test image.
id_of() {
	img_manifest "$1" | jq -r .config.digest
}

pull2() {
	tugd pull -q "$(ref single)" >/dev/null
	tugd pull -q "$(ref multi)" >/dev/null
}

@test "images: docker's table, one row a tag" {
	pull2
	run --separate-stderr tugd images
	[ "$status" -eq 0 ]
	[[ "$(head -n1 <<<"$output")" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
	[ "$(wc -l <<<"$output")" -eq 3 ]
	has_match "^$REGISTRY_ADDR/tug-test/single +latest +$(short "$(id_of single)") +[^ ].* +[0-9.]+[kMG]?B$"
	has_match "^$REGISTRY_ADDR/tug-test/multi +latest +$(short "$(id_of multi)") "
	# Columns line up: IMAGE ID starts at the same place on every line.
	local col
	col=$(head -n1 <<<"$output" | grep -bo 'IMAGE ID' | cut -d: -f1)
	run bash -c "tail -n +2 <<<'$output' | cut -c$((col + 1))-$((col + 12))"
	[ "$output" = "$(printf '%s\n%s' "$(short "$(id_of multi)")" "$(short "$(id_of single)")")" ] ||
		[ "$output" = "$(printf '%s\n%s' "$(short "$(id_of single)")" "$(short "$(id_of multi)")")" ]
}

@test "images: an empty store shows the header only" {
	run --separate-stderr tugd images
	[ "$status" -eq 0 ]
	[ "$(wc -l <<<"$output")" -eq 1 ]
	run --separate-stderr tugd images -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "images -q, --no-trunc, --digests" {
	pull2
	run tugd images -q
	[ "$(sort <<<"$output")" = "$(printf '%s\n' "$(short "$(id_of single)")" "$(short "$(id_of multi)")" | sort)" ]
	run tugd images -q --no-trunc
	[ "$(sort <<<"$output")" = "$(printf '%s\n' "$(id_of single)" "$(id_of multi)" | sort)" ]
	run tugd images --no-trunc
	has_match "^$REGISTRY_ADDR/tug-test/single +latest +$(id_of single) "
	run tugd images --digests
	[[ "$(head -n1 <<<"$output")" =~ ^REPOSITORY\ +TAG\ +DIGEST\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
	has_match "^$REGISTRY_ADDR/tug-test/single +latest +$(reg_digest single) +$(short "$(id_of single)") "
}

@test "images REPO[:TAG] and -f reference= with familiar names" {
	pull2
	tugd tag "$(ref single)" mine/app:v1
	tugd tag "$(ref single)" mine/app:v2
	tugd tag "$(ref multi)" other/thing
	run tugd images mine/app
	[ "$(wc -l <<<"$output")" -eq 3 ]
	has_match "^mine/app +v1 +$(short "$(id_of single)") "
	has_match "^mine/app +v2 +$(short "$(id_of single)") "
	run tugd images mine/app:v2
	[ "$(wc -l <<<"$output")" -eq 2 ]
	has_match "^mine/app +v2 "
	run tugd images -f "reference=*/app:v1"
	[ "$(wc -l <<<"$output")" -eq 2 ]
	has_match "^mine/app +v1 "
	run tugd images -q -f "reference=other/*"
	[ "$output" = "$(short "$(id_of multi)")" ]
	run tugd images -q nosuch/repo
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "images REPO[:TAG] and -f reference= with a registry host:port" {
	# docker matches the pattern against the familiar name with and without
	# the tag (path.Match: "*" stops at "/").
	pull2
	tugd tag "$(ref single)" "$(ref single v2)"
	run tugd images "$REGISTRY_ADDR/tug-test/single"
	[ "$(wc -l <<<"$output")" -eq 3 ]
	run tugd images "$(ref single v2)"
	[ "$(wc -l <<<"$output")" -eq 2 ]
	has_match "^$REGISTRY_ADDR/tug-test/single +v2 "
	run tugd images -f "reference=$REGISTRY_ADDR/tug-test/m*"
	[ "$(wc -l <<<"$output")" -eq 2 ]
	has_match "^$REGISTRY_ADDR/tug-test/multi +latest "
	run tugd images -f "reference=*/*/*:v2"
	[ "$(wc -l <<<"$output")" -eq 2 ]
	has_match "^$REGISTRY_ADDR/tug-test/single +v2 "
}

@test "images -f dangling=true: an image whose tag moved away" {
	tugd pull -q "$(ref single)" >/dev/null
	tugd pull -q "$(ref multi)" >/dev/null
	tugd tag "$(ref multi)" "$(ref single)"
	run tugd images
	# docker shows "<repo> <none>" (the repo digest stays); "<none> <none>"
	# is what it shows for an image without any reference.
	has_match " +<none> +$(short "$(id_of single)") "
	run tugd images -q -f dangling=false
	[ "$(sort -u <<<"$output" | wc -l)" -eq 2 ] || [ "$(sort -u <<<"$output")" = "$(short "$(id_of multi)")" ]
	# Untagged, even though its repo digest stays: docker lists it as
	# dangling (moby daemon/images/images.go: danglingOnly skips only images
	# with RepoTags).
	run tugd images -q -f dangling=true
	[ "$output" = "$(short "$(id_of single)")" ]
	run --separate-stderr tugd images -f dangling=maybe
	[ "$status" -ne 0 ]
	run --separate-stderr tugd images -f nosuchfilter=1
	[ "$status" -ne 0 ]
}

@test "images -q: one line a row, as docker (an id twice when tagged twice)" {
	tugd pull -q "$(ref single)" >/dev/null
	tugd tag "$(ref single)" mine/app:v1
	run tugd images
	[ "$(wc -l <<<"$output")" -eq 3 ]
	run tugd images -q
	[ "$output" = "$(printf '%s\n%s' "$(short "$(id_of single)")" "$(short "$(id_of single)")")" ]
}

@test "image inspect: docker's fields" {
	tugd pull -q "$(ref multi)" >/dev/null
	local cfg
	cfg=$(img_config multi)
	run --separate-stderr tugd image inspect "$(ref multi)"
	[ "$status" -eq 0 ]
	local j=$output
	[ "$(jq length <<<"$j")" -eq 1 ]
	[ "$(jq -r '.[0].Id' <<<"$j")" = "$(id_of multi)" ]
	[ "$(jq -c '.[0].RepoTags' <<<"$j")" = "[\"$(ref multi)\"]" ]
	[ "$(jq -c '.[0].RepoDigests' <<<"$j")" = "[\"$REGISTRY_ADDR/tug-test/multi@$(reg_digest multi)\"]" ]
	[ "$(jq -r '.[0].Created' <<<"$j")" = 2026-01-01T00:00:00Z ]
	[ "$(jq -r '.[0].Architecture + " " + .[0].Os' <<<"$j")" = "amd64 linux" ]
	[ "$(jq -c '.[0].Config.Env' <<<"$j")" = "$(jq -c .config.Env <<<"$cfg")" ]
	[ "$(jq -c '.[0].Config.Cmd' <<<"$j")" = '["sh"]' ]
	[ "$(jq -r '.[0].Config.WorkingDir' <<<"$j")" = /data ]
	[ "$(jq -r '.[0].Config.Labels["org.tug.test"]' <<<"$j")" = multi ]
	[ "$(jq -r '.[0].RootFS.Type' <<<"$j")" = layers ]
	[ "$(jq -c '.[0].RootFS.Layers' <<<"$j")" = "$(jq -c .rootfs.diff_ids <<<"$cfg")" ]
	# Size: the unpacked layers, at least busybox.
	[ "$(jq '.[0].Size' <<<"$j")" -ge "$(stat -c %s /bin/busybox)" ]
}

@test "image inspect: by id, short id, several at once, unknown names" {
	pull2
	local id
	id=$(id_of single)
	run --separate-stderr tugd image inspect "$id"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	run --separate-stderr tugd image inspect "${id#sha256:}"
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	run --separate-stderr tugd image inspect "$(short "$id")"
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	run --separate-stderr tugd image inspect "$(ref single)" "$(ref multi)"
	[ "$status" -eq 0 ]
	[ "$(jq -r '[.[].Id] | join(" ")' <<<"$output")" = "$id $(id_of multi)" ]
	run --separate-stderr tugd image inspect "$(ref single)" nosuch/image
	[ "$status" -eq 1 ]
	[[ "$stderr" == *nosuch/image* ]]
	[ "$(jq length <<<"$output")" -eq 1 ]
}

@test "tag: a new name for an image, by name or id" {
	tugd pull -q "$(ref single)" >/dev/null
	run --separate-stderr tugd tag "$(ref single)" mine/app:v1
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run --separate-stderr tugd tag "$(short "$(id_of single)")" other
	[ "$status" -eq 0 ]
	run tugd images
	has_match "^mine/app +v1 +$(short "$(id_of single)") "
	has_match "^other +latest +$(short "$(id_of single)") "
	run tugd image inspect mine/app:v1
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$(id_of single)" ]
	[ "$(jq -r '.[0].RepoTags | sort | join(" ")' <<<"$output")" = \
		"$(printf '%s\n' "$(ref single)" mine/app:v1 other:latest | sort | tr '\n' ' ' | sed 's/ $//')" ]
	# Moving a tag to another image.
	tugd pull -q "$(ref multi)" >/dev/null
	tugd tag "$(ref multi)" mine/app:v1
	run tugd image inspect mine/app:v1
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$(id_of multi)" ]
	store_ok
}

@test "tag: errors" {
	tugd pull -q "$(ref single)" >/dev/null
	run --separate-stderr tugd tag nosuch/image mine/app
	[ "$status" -eq 1 ]
	[[ "$stderr" == *nosuch/image* ]]
	run --separate-stderr tugd tag "$(ref single)" 'Bad/Name'
	[ "$status" -ne 0 ]
	run --separate-stderr tugd tag "$(ref single)" 'mine/app@sha256:abcd'
	[ "$status" -ne 0 ]
	run --separate-stderr tugd tag "$(ref single)"
	[ "$status" -ne 0 ]
}

@test "rmi: untag while other names remain, then delete" {
	tugd pull -q "$(ref single)" >/dev/null
	tugd tag "$(ref single)" mine/app:v1
	run --separate-stderr tugd rmi mine/app:v1
	[ "$status" -eq 0 ]
	[ "$output" = "Untagged: mine/app:v1" ]
	run --separate-stderr tugd rmi "$(ref single)"
	[ "$status" -eq 0 ]
	has_line "Untagged: $(ref single)"
	has_line "Deleted: $(id_of single)"
	no_images
	store_ok
	# Nothing of the image is left: layers and blobs went with it.
	[ -z "$(ls -A "$D/layers")" ]
	[ -z "$(ls -A "$D/images")" ]
	[ -z "$(ls -A "$D/blobs/sha256")" ]
	[ "$(jq '.refs | length' "$D/refs.json")" -eq 0 ]
}

@test "rmi: the repo digest is untagged too, on its own line (as docker)" {
	tugd pull -q "$(ref single)" >/dev/null
	run --separate-stderr tugd rmi "$(ref single)"
	[ "$status" -eq 0 ]
	[ "$(head -n2 <<<"$output")" = "$(printf 'Untagged: %s\nUntagged: %s' "$(ref single)" \
		"$REGISTRY_ADDR/tug-test/single@$(reg_digest single)")" ]
}

@test "rmi: by id with several names needs -f; unknown names fail" {
	tugd pull -q "$(ref single)" >/dev/null
	tugd tag "$(ref single)" mine/app:v1
	run --separate-stderr tugd rmi "$(short "$(id_of single)")"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *-f* || "$stderr" == *force* ]]
	[ "$(tugd images | wc -l)" -eq 3 ]
	run --separate-stderr tugd rmi -f "$(short "$(id_of single)")"
	[ "$status" -eq 0 ]
	has_line "Untagged: mine/app:v1"
	has_line "Untagged: $(ref single)"
	has_line "Deleted: $(id_of single)"
	no_images
	run --separate-stderr tugd rmi nosuch/image
	[ "$status" -eq 1 ]
	[[ "$stderr" == *nosuch/image* ]]
	store_ok
}

@test "rmi: several names at once; one unknown fails the command, not the others" {
	pull2
	run --separate-stderr tugd rmi "$(ref single)" nosuch/image "$(ref multi)"
	[ "$status" -eq 1 ]
	has_line "Untagged: $(ref single)"
	has_line "Untagged: $(ref multi)"
	no_images
	store_ok
}

@test "rmi of an image sharing a layer keeps it for the other" {
	pull2
	local base
	base=$(img_config single | jq -r '.rootfs.diff_ids[0]')
	tugd rmi "$(ref multi)" >/dev/null
	store_ok
	cmp "$(layer_of "$base")/bin/busybox" /bin/busybox
	run tugd pull "$(ref single)"
	[ "$status" -eq 0 ]
	has_line "Status: Image is up to date for $(ref single)"
	# The other way round: multi back, then single removed.
	tugd pull -q "$(ref multi)" >/dev/null
	tugd rmi "$(ref single)" >/dev/null
	store_ok
	cmp "$(layer_of "$base")/bin/busybox" /bin/busybox
	run tugd pull "$(ref multi)"
	has_line "Status: Image is up to date for $(ref multi)"
	run tugd image inspect "$(ref multi)"
	[ "$status" -eq 0 ]
}

@test "image prune -f: dangling only; -a -f: every image" {
	tugd pull -q "$(ref single)" >/dev/null
	tugd pull -q "$(ref multi)" >/dev/null
	tugd tag "$(ref multi)" "$(ref single)" # single's image loses its tag
	# docker's prune lines are lower case: "untagged: ...", "deleted: ...".
	run --separate-stderr tugd image prune -f
	[ "$status" -eq 0 ]
	has_line "deleted: $(id_of single)"
	has_match "^Total reclaimed space: "
	run tugd images -q
	[ "$(sort -u <<<"$output")" = "$(short "$(id_of multi)")" ]
	store_ok
	run --separate-stderr tugd image prune -a -f
	[ "$status" -eq 0 ]
	has_line "untagged: $(ref multi)"
	has_line "deleted: $(id_of multi)"
	no_images
	store_ok
	[ -z "$(ls -A "$D/layers")" ]
	# Every layer went: about 2 MB, busybox included.
	has_match "^Total reclaimed space: [1-9]"
	no_images
	store_ok
	[ -z "$(ls -A "$D/layers")" ]
	run --separate-stderr tugd image prune -a -f
	[ "$status" -eq 0 ]
	has_line "Total reclaimed space: 0B"
}

@test "an image pulled by digest only is dangling for images -f and prune (as docker)" {
	# moby: images -f dangling=true skips only images with RepoTags; image
	# prune deletes images whose references carry no tag.
	tugd pull -q "$(ref single)" >/dev/null
	tugd pull -q "$REGISTRY_ADDR/tug-test/multi@$(reg_digest multi)" >/dev/null
	run tugd images -q -f dangling=true
	[ "$output" = "$(short "$(id_of multi)")" ]
	run --separate-stderr tugd image prune -f
	[ "$status" -eq 0 ]
	has_line "deleted: $(id_of multi)"
	run tugd images -q
	[ "$output" = "$(short "$(id_of single)")" ]
	store_ok
}

@test "system check: ok on a sound store, one line a problem on a damaged one" {
	pull2
	run --separate-stderr tugd system check
	[ "$status" -eq 0 ]
	[[ "$output" == ok* ]]
	# A blob whose content no longer matches its name.
	local cfg=$D/blobs/sha256/$(id_of single | cut -c8-)
	chmod u+w "$cfg" 2>/dev/null || :
	echo garbage >>"$cfg"
	# A file changed inside an unpacked layer.
	local l4
	l4=$(layer_of "$(img_config multi | jq -r '.rootfs.diff_ids[3]')")
	echo "tampered" >"$l4/hello.txt"
	run --separate-stderr tugd system check
	[ "$status" -eq 1 ]
	sed "s/^/# system check: /" <<<"$output" >&3
	has_match "$(id_of single | cut -c8-)"
	has_match "$(basename "$(dirname "$l4")")"
	[ "$(wc -l <<<"$output")" -ge 2 ]
}

@test "system check: a reference to a missing image is reported" {
	tugd pull -q "$(ref single)" >/dev/null
	rm -f "$D/images/$(id_of single | cut -c8-).json"
	run --separate-stderr tugd system check
	[ "$status" -eq 1 ]
	has_match "$(ref single)|$(id_of single)"
}

@test "commands on a data root that is not a store directory fail cleanly" {
	echo x >"$BATS_TEST_TMPDIR/file"
	run --separate-stderr "$TUG" --data-root "$BATS_TEST_TMPDIR/file" images
	[ "$status" -ne 0 ]
	[[ "$stderr" == tug:* ]]
}
