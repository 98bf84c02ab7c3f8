/* rootfs.h - the container's mount namespace: its root, the spec's mounts,
 * /dev, pivot_root, masked and read-only paths. Runs in the container's init
 * process after it entered its new mount namespace. */
#ifndef TUG_OCI_ROOTFS_H
#define TUG_OCI_ROOTFS_H

#include <stdbool.h>

#include "err.h"
#include "oci/spec.h"

struct oci_rootfs_opts {
	const char *rootfs; /* absolute path of the root on the host */
	bool no_pivot; /* MS_MOVE + chroot instead of pivot_root */
	bool userns; /* in a new user namespace: bind devices, no mknod */
	/* Mounts a "cgroup" mount at rel (its destination relative to the
	 * root rootfd, made already); NULL mounts cgroup2 there. */
	int (*mount_cgroup)(void *ctx, int rootfd, const char *rel, const struct oci_mount *m,
			    struct err *e);
	void *ctx;
};

/* Everything before the switch of root: propagation, the root bind, each
 * spec mount (targets resolved inside the root, never through a symlink out
 * of it), default devices and links. */
int oci_rootfs_mount(const struct oci_spec *s, const struct oci_rootfs_opts *o, struct err *e);

/* pivot_root into o->rootfs (MS_MOVE + chroot with no_pivot), then give
 * the new root the spec's rootfsPropagation. */
int oci_rootfs_pivot(const struct oci_spec *s, const struct oci_rootfs_opts *o, struct err *e);

/* After the switch: masked and read-only paths, then a read-only root. */
int oci_rootfs_finish(const struct oci_spec *s, struct err *e);

/* mkdir -p of relpath beneath rootfd, every step resolved inside the root.
 * Returns an O_PATH fd of the final folder (the caller closes it) or -1. */
int oci_mkdir_beneath(int rootfd, const char *relpath, mode_t mode, struct err *e);

#endif
