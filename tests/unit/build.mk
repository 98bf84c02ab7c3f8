# tests/unit/build.mk - one TAP test program per library module.
test-y += tests/unit/test_err.c tests/unit/test_log.c tests/unit/test_file.c \
	tests/unit/test_path.c tests/unit/test_json.c tests/unit/test_args.c \
	tests/unit/test_timefmt.c tests/unit/test_sort.c
test-$(CONFIG_SECCOMP) += tests/unit/test_seccomp.c
# cgroups: detection, paths, plans and BPF from recorded texts; the live one
# needs root and skips without it.
test-$(CONFIG_RUNTIME) += tests/unit/test_cgroup.c tests/unit/test_cgroup_live.c
# The counters (docker stats, OOM kills) from recorded v1 and v2 files.
test-$(CONFIG_RUNTIME) += tests/unit/test_cgroup_stats.c
test-$(CONFIG_IMAGES) += tests/unit/test_digest.c
test-$(CONFIG_REGISTRY) += tests/unit/test_base64.c tests/unit/test_auth.c
# Snapshotters against real overlayfs and real files (needs root; skips
# without it).
test-$(CONFIG_IMAGES) += tests/unit/test_snapshot_live.c
test-$(CONFIG_IMAGES) += tests/unit/test_digest.c tests/unit/test_store.c
# references, manifests and platform choice: known answers, no network.
test-$(CONFIG_IMAGES) += tests/unit/test_ref.c tests/unit/test_manifest.c \
	tests/unit/test_platform.c
# The HTTP client: parsers, then a scripted server on 127.0.0.1; TLS against
# `openssl s_server` (skipped without openssl). test_tls uses the HTTP client.
test-$(CONFIG_REGISTRY) += tests/unit/test_http_parse.c tests/unit/test_http.c
test-$(and $(CONFIG_TLS),$(CONFIG_REGISTRY)) += tests/unit/test_tls.c
# Which registries are insecure (dockerd's rule: names, 127.0.0.0/8, CIDRs).
test-$(CONFIG_REGISTRY) += tests/unit/test_insecure.c
# Layers: decompression and unpacking from tar streams made in memory or
# generated on the fly; the whiteout devices and overlay xattrs need root and
# are skipped without it.
test-$(CONFIG_IMAGES) += tests/unit/test_decompress.c tests/unit/test_unpack.c
# The push's upload URLs (Location relative, absolute, with a query).
test-$(CONFIG_PUSH) += tests/unit/test_push.c
# Image archives: docker-archives and OCI layouts made byte by byte, hostile
# ones, save -> load round trips.
test-$(CONFIG_SAVE_LOAD) += tests/unit/test_archive.c
# Docker create bodies -> OCI configs: known answers, dockerd's errors, the
# result through the runtime's parser and the seccomp compiler.
test-$(CONFIG_DAEMON) += tests/unit/test_dockerspec.c
# docker update: dockerd's merge and errors, the resources it makes.
test-$(CONFIG_DAEMON) += tests/unit/test_dockerspec_update.c
# json-file logs (format, rotation, reader with tail and follow) and stdcopy.
test-$(CONFIG_SHIM) += tests/unit/test_jsonlog.c tests/unit/test_stdcopy.c
# Docker's JSON progress messages (the daemon's pull/push/load streams).
test-$(CONFIG_DAEMON) += tests/unit/test_jsonmsg.c
# Images as docker shows and removes them (oci/image-info.h), and the store
# shared by threads (its mutex and holds).
test-$(CONFIG_IMAGES) += tests/unit/test_image_info.c
# The daemon's settings: every flag and daemon.json key, dockerd's messages.
test-$(CONFIG_DAEMON) += tests/unit/test_daemon_config.c
# Request heads: docker's, malformed and smuggling ones, query parameters.
test-$(CONFIG_DAEMON) += tests/unit/test_hreq.c
# Its listening sockets: unix, tcp:// rules, systemd activation in children.
test-$(CONFIG_DAEMON) += tests/unit/test_daemon_listen.c
# docker stats: /proc parsers and the JSON of v1, v2 and stopped samples.
test-$(CONFIG_DAEMON) += tests/unit/test_daemon_stats.c
# The daemon's TLS server against `openssl s_client` and tug's own client.
test-$(CONFIG_TLS_SERVER) += tests/unit/test_tls_server.c
# The client: Go-template subset, stdcopy demultiplexing, run flags to the
# create body (known answers from the docker CLI's requests).
test-$(CONFIG_CLIENT) += tests/unit/test_tmpl.c tests/unit/test_client.c
test-$(CONFIG_CLIENT) += tests/unit/test_obs.c

# The daemon's volumes and networks on real files in a temp folder; volume
# mounts (tmpfs, bind) need root and are skipped without it.
test-$(CONFIG_DAEMON) += tests/unit/test_volumes.c tests/unit/test_networks.c \
	tests/unit/test_subnet.c

# Healthchecks: streaks, start period, the log of five, output cap, Go durations.
test-$(CONFIG_DAEMON) += tests/unit/test_health.c
