# tests/unit/build.mk - one TAP test program per library module.
test-y += tests/unit/test_err.c tests/unit/test_log.c tests/unit/test_file.c \
	tests/unit/test_path.c tests/unit/test_json.c tests/unit/test_args.c \
	tests/unit/test_timefmt.c
test-$(CONFIG_SECCOMP) += tests/unit/test_seccomp.c
# cgroups: detection, paths, plans and BPF from recorded texts; the live one
# needs root and skips without it.
test-$(CONFIG_RUNTIME) += tests/unit/test_cgroup.c tests/unit/test_cgroup_live.c
test-$(CONFIG_IMAGES) += tests/unit/test_digest.c
# Layers: decompression and unpacking from tar streams made in memory or
# generated on the fly; the whiteout devices and overlay xattrs need root and
# are skipped without it.
test-$(CONFIG_IMAGES) += tests/unit/test_decompress.c tests/unit/test_unpack.c
