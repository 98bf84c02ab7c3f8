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
lib-$(CONFIG_SHIM) += core/lib/jsonlog.c core/lib/jsonlog-scan.c core/lib/jsonlog-read.c \
	core/lib/stdcopy.c

# `tug shim`: the per-container monitor the daemon starts (docs/DAEMON.md).
bin-$(CONFIG_SHIM) += core/shim/shim.c core/shim/shim-start.c core/shim/shim-loop.c \
	core/shim/shim-ctl.c core/shim/shim-io.c core/shim/shim-exec.c
