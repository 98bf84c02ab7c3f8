# core/build.mk - what core/ compiles, by feature (Kconfig symbols in core/Kconfig).

# The shared libraries: linked into the binary and into the unit tests.
lib-y += core/lib/err.c core/lib/log.c core/lib/file.c core/lib/path.c \
	core/lib/json.c core/lib/json-print.c core/lib/args.c core/lib/timefmt.c \
	core/lib/sort.c

# Content digests (BearSSL's SHA-256): the image store and the registry client.
lib-$(CONFIG_IMAGES) += core/lib/digest.c

# The faces. Each registers itself with an //applet: line in its source.
bin-y += core/main.c core/features.c

# runc's command line: `tug runtime ...`, and the binary invoked as runc.
bin-$(CONFIG_RUNTIME) += core/runtime/runc.c core/runtime/runc-cmds.c \
	core/runtime/runc-spec.c core/runtime/runc-exec.c core/runtime/runc-tty.c
