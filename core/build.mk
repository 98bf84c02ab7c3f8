# core/build.mk - what core/ compiles, by feature (Kconfig symbols in core/Kconfig).

# The shared libraries: linked into the binary and into the unit tests.
lib-y += core/lib/err.c core/lib/log.c core/lib/file.c core/lib/path.c \
	core/lib/json.c core/lib/json-print.c core/lib/args.c core/lib/timefmt.c \
	core/lib/sort.c

# Content digests (BearSSL's SHA-256): the image store and the registry client.
# The block function in the CPU's SHA instructions, one file per architecture.
lib-$(CONFIG_IMAGES) += core/lib/digest.c core/lib/digest-k.c core/lib/digest-$(ARCH).c

# The faces. Each registers itself with an //applet: line in its source.
bin-y += core/main.c core/features.c

# runc's command line: `tug runtime ...`, and the binary invoked as runc.
bin-$(CONFIG_RUNTIME) += core/runtime/runc.c core/runtime/runc-cmds.c \
	core/runtime/runc-spec.c core/runtime/runc-exec.c core/runtime/runc-tty.c

# The HTTP/1.1 client (the registry client's transport) and the TLS client
# under it; sock.c is their timed socket I/O.
lib-$(CONFIG_REGISTRY) += core/lib/http.c core/lib/http-conn.c core/lib/http-parse.c \
	core/lib/http-url.c core/lib/sock.c
lib-$(CONFIG_TLS) += core/lib/tls.c core/lib/tls-config.c core/lib/tls-ip.c core/lib/sock.c \
	core/lib/tls-noverify.c

# The image commands of the Docker grammar, working on the store directly
# (tug --data-root DIR pull|images|tag|rmi|image|system check); the client
# face will send them to the daemon when one runs.
bin-$(CONFIG_IMAGES) += core/client/cli.c core/client/images.c core/client/image.c
bin-$(CONFIG_REGISTRY) += core/client/pull.c core/client/progress.c core/client/login.c
bin-$(CONFIG_PUSH) += core/client/push.c
# `tug save` / `tug load`.
bin-$(CONFIG_SAVE_LOAD) += core/client/saveload.c

# The shim's pieces the daemon shares: Docker's json-file logs (writer and
# reader) and the stdio multiplexing of attach and logs.
lib-$(CONFIG_SHIM) += core/lib/jsonlog.c core/lib/jsonlog-scan.c core/lib/jsonlog-read.c \
	core/lib/stdcopy.c

# `tug shim`: the per-container monitor the daemon starts (docs/DAEMON.md).
bin-$(CONFIG_SHIM) += core/shim/shim.c core/shim/shim-start.c core/shim/shim-loop.c \
	core/shim/shim-ctl.c core/shim/shim-io.c core/shim/shim-exec.c

# `tug daemon`: the Engine API server (docs/DAEMON.md). The HTTP server,
# then the container manager, then the API's parts.
# The request head parser is pure: in the library for its unit test and fuzzer.
lib-$(CONFIG_DAEMON) += core/daemon/hreq.c
bin-$(CONFIG_DAEMON) += core/cinit.c core/daemon/daemon.c core/daemon/daemon-listen.c \
	core/daemon/daemon-reload.c core/daemon/engine-id.c core/daemon/httpd.c \
	core/daemon/httpd-read.c core/daemon/httpd-route.c core/daemon/hx.c core/daemon/hx-body.c \
	core/daemon/events.c core/daemon/filters.c \
	core/daemon/ctr.c core/daemon/ctr-inspect.c core/daemon/ctr-create.c core/daemon/ctr-shim.c \
	core/daemon/ctr-logcfg.c core/daemon/ctr-run.c core/daemon/ctr-stop.c \
	core/daemon/ctr-restore.c core/daemon/ctr-cmd.c core/daemon/ctr-trash.c \
	core/daemon/ctr-health.c \
	core/daemon/api-system.c core/daemon/api-containers.c core/daemon/api-attach.c \
	core/daemon/api-top.c core/daemon/api-stats.c core/daemon/api-update.c \
	core/daemon/api-exec.c core/daemon/api-exec-resize.c
# The image endpoints (api_images).
bin-$(CONFIG_DAEMON) += core/daemon/api-images.c core/daemon/api-images-rm.c
ifeq ($(CONFIG_DAEMON),y)
bin-$(CONFIG_REGISTRY) += core/daemon/api-images-pull.c core/daemon/api-images-auth.c
bin-$(CONFIG_PUSH) += core/daemon/api-images-push.c
bin-$(CONFIG_SAVE_LOAD) += core/daemon/api-images-archive.c
endif
lib-$(CONFIG_DAEMON) += core/lib/http-parse.c
# Docker's JSON progress messages (the daemon's pull, push and load streams).
lib-$(CONFIG_DAEMON) += core/lib/jsonmsg.c
# The daemon's settings (daemon.json, flags, SIGHUP reload) and its
# listening sockets: library-style, so that unit tests link them.
lib-$(CONFIG_DAEMON) += core/daemon/config.c core/daemon/config-parse.c \
	core/daemon/config-file.c core/daemon/config-finish.c
lib-$(CONFIG_DAEMON) += core/daemon/listen.c
# docker stats: a container's sample (cgroup, /proc) and dockerd's JSON of it.
lib-$(CONFIG_DAEMON) += core/daemon/stats-read.c core/daemon/stats-json.c
# Healthchecks: configuration, status machine and State.Health (library-style,
# unit-tested); the probes run in ctr-health.c.
lib-$(CONFIG_DAEMON) += core/daemon/health.c
# The daemon's TLS server (tcp:// with client certificates).
lib-$(CONFIG_TLS_SERVER) += core/lib/tls-server.c
# `tug system dial-stdio`: the far side of docker -H ssh://host.
bin-$(CONFIG_CLIENT) += core/client/dialstdio.c
# The client face: Docker-grammar commands as requests to the daemon over
# the Engine API. The protocol pieces and the template evaluator are in the
# library so that the unit tests reach them.
lib-$(CONFIG_CLIENT) += core/client/api.c core/client/api-call.c core/client/demux.c \
	core/client/tmpl.c core/client/tmpl-exec.c core/lib/http-parse.c \
	core/client/runopts.c core/client/runopts-body.c core/client/runopts-host.c
# stats, events and system df: their arithmetic and time conversions.
lib-$(CONFIG_CLIENT) += core/client/obs-units.c core/client/obs-time.c
bin-$(CONFIG_CLIENT) += core/client/top.c core/client/events.c core/client/sysdf.c \
	core/client/sysdf-v.c core/client/prune.c core/client/stats.c
bin-$(CONFIG_CLIENT) += core/client/engine.c core/client/format.c core/client/attach.c \
	core/client/run.c core/client/ctr.c core/client/img-api.c core/client/img-pull.c \
	core/client/ps.c core/client/logs.c core/client/inspect.c core/client/sys.c core/client/netvol.c

# The daemon's volumes and networks (core/daemon/): in the library so that
# their unit tests link them; they call daemon_event and ctr_volume_users,
# which the daemon defines (and the tests stub).
lib-$(CONFIG_DAEMON) += core/daemon/volumes.c core/daemon/volumes-rm.c \
	core/daemon/volumes-mount.c
lib-$(CONFIG_DAEMON) += core/daemon/networks.c core/daemon/networks-create.c \
	core/daemon/subnet.c
# Their API parts: /volumes and /networks.
bin-$(CONFIG_DAEMON) += core/daemon/api-volumes.c core/daemon/api-networks.c
