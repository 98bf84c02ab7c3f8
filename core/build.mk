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
lib-$(CONFIG_TLS) += core/lib/tls.c core/lib/tls-config.c core/lib/tls-ip.c core/lib/sock.c

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
lib-$(CONFIG_SHIM) += core/lib/jsonlog.c core/lib/jsonlog-read.c core/lib/stdcopy.c

# `tug shim`: the per-container monitor the daemon starts (docs/DAEMON.md).
bin-$(CONFIG_SHIM) += core/shim/shim.c core/shim/shim-start.c core/shim/shim-loop.c \
	core/shim/shim-ctl.c core/shim/shim-io.c core/shim/shim-exec.c

# `tug daemon`: the Engine API server (docs/DAEMON.md). The HTTP server,
# then the container manager, then the API's parts.
bin-$(CONFIG_DAEMON) += core/daemon/daemon.c core/daemon/hreq.c core/daemon/httpd.c \
	core/daemon/httpd-read.c core/daemon/httpd-route.c core/daemon/hx.c core/daemon/hx-body.c \
	core/daemon/events.c core/daemon/filters.c \
	core/daemon/ctr.c core/daemon/ctr-inspect.c core/daemon/ctr-create.c core/daemon/ctr-shim.c \
	core/daemon/ctr-logcfg.c core/daemon/ctr-run.c core/daemon/ctr-stop.c \
	core/daemon/ctr-restore.c \
	core/daemon/api-system.c core/daemon/api-containers.c core/daemon/api-attach.c \
	core/daemon/api-top.c core/daemon/api-exec.c core/daemon/api-pending.c
lib-$(CONFIG_DAEMON) += core/lib/http-parse.c

# The daemon's volumes and networks (core/daemon/): in the library so that
# their unit tests link them; they call daemon_event and ctr_volume_users,
# which the daemon defines (and the tests stub).
lib-$(CONFIG_DAEMON) += core/daemon/volumes.c core/daemon/volumes-rm.c \
	core/daemon/volumes-mount.c
lib-$(CONFIG_DAEMON) += core/daemon/networks.c core/daemon/networks-create.c \
	core/daemon/subnet.c
# Their API parts: /volumes and /networks.
bin-$(CONFIG_DAEMON) += core/daemon/api-volumes.c core/daemon/api-networks.c
