# oci/build.mk - what oci/ compiles, by feature (see oci/Kconfig).

# The runtime library: config.json, namespaces, capabilities, mounts.
lib-$(CONFIG_RUNTIME) += oci/spec.c oci/spec-process.c oci/spec-linux.c \
	oci/spec-resources.c oci/spec-seccomp.c oci/caps.c oci/ns.c oci/mountopt.c \
	oci/rootfs.c oci/state.c oci/hooks.c oci/console.c oci/process.c oci/init.c \
	oci/container.c oci/container-ops.c oci/exec.c oci/selfexe.c

# Seccomp filters compiled to BPF without libseccomp; the syscall tables in
# oci/seccomp-syscalls.h are made by scripts/gen-syscalls.
lib-$(CONFIG_SECCOMP) += oci/seccomp.c

# cgroups: layout detection and the shared operations, then one driver per
# hierarchy version (v2 device rules are a BPF program).
lib-$(CONFIG_RUNTIME) += oci/cgroup.c oci/cgroup-mount.c
lib-$(CONFIG_CGROUP_V1) += oci/cgroup-v1.c
lib-$(CONFIG_CGROUP_V2) += oci/cgroup-v2.c oci/cgroup-bpfdev.c

# Snapshotters: a container's rootfs from an image's unpacked layers. The
# table and the picking are with the images; each implementation is its own
# feature.
lib-$(CONFIG_IMAGES) += oci/snapshot.c
lib-$(CONFIG_SNAPSHOT_OVERLAY) += oci/snapshot-overlay.c
lib-$(CONFIG_SNAPSHOT_COPY) += oci/snapshot-copy.c
# Beneath-safe removal of layer trees (no symlink followed, constant fds).
lib-$(CONFIG_IMAGES) += oci/rmtree.c

# The image store under the data-root: blobs, unpacked layers, image
# records, references; every commit temp + fsync + rename + fsync(dir).
lib-$(CONFIG_IMAGES) += oci/store.c oci/store-util.c oci/store-blob.c oci/store-tree.c \
	oci/store-layer.c oci/store-image.c oci/store-ref.c oci/store-gc.c oci/store-check.c
# Images as docker shows and removes them (the client's and the daemon's).
lib-$(CONFIG_IMAGES) += oci/image-info.c oci/image-json.c oci/image-rmi.c
# Images: layer streams decompressed (zlib, zstd) and unpacked (libarchive
# as the tar parser only; files are made with *at() calls beneath the root).
lib-$(CONFIG_IMAGES) += oci/decompress.c oci/unpack.c oci/unpack-make.c oci/unpack-dirs.c \
	oci/unpack-fs.c
# save/load: image archives (docker save's tar, OCI layouts) written with
# libarchive's ustar writer and read in one streaming pass.
lib-$(CONFIG_SAVE_LOAD) += oci/image-archive-save.c oci/image-archive-load.c oci/image-archive-images.c

# Docker's create request + image config -> config.json, with dockerd's
# defaults (mounts, capabilities, masks, devices, seccomp profile).
lib-$(CONFIG_DAEMON) += oci/dockerspec.c oci/dockerspec-build.c oci/dockerspec-check.c \
	oci/dockerspec-user.c oci/dockerspec-defaults.c oci/dockerspec-mounts.c \
	oci/dockerspec-mounts-out.c oci/dockerspec-resources.c oci/dockerspec-seccomp.c \
	oci/dockerspec-update.c
