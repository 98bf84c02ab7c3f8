# oci/build.mk - what oci/ compiles, by feature (see oci/Kconfig).

# The runtime library: config.json, namespaces, capabilities, mounts.
lib-$(CONFIG_RUNTIME) += oci/spec.c oci/spec-process.c oci/spec-linux.c \
	oci/spec-resources.c oci/spec-seccomp.c oci/caps.c oci/ns.c oci/mountopt.c
