# helpers.bash - shared by the bats files: where the binary is, and skips for
# features that are compiled out or tests that need root.

TUG=$(realpath "${TUG:-$BATS_TEST_DIRNAME/../../build/x86_64/tug}")

# need_feature NAME: skip unless `tug features` lists +NAME.
need_feature() {
	"$TUG" features | grep -q "^  +$1 " || skip "feature $1 is compiled out"
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

need_cmd() {
	command -v "$1" >/dev/null || skip "needs $1"
}
