/* snapshot.h - snapshotters: a container's root filesystem made from an
 * image's unpacked layers (stored in overlay form: whiteouts are 0/0 char
 * devices, opaque folders carry trusted.overlay.opaque=y). Each one is a
 * small table of functions; the daemon picks one per data-root. */
#ifndef TUG_OCI_SNAPSHOT_H
#define TUG_OCI_SNAPSHOT_H

#include <stddef.h>

#include "err.h"

/* Every path is a plain absolute path owned by the caller (borrowed).
 * cdir is the container's folder; a snapshotter owns <cdir>/rootfs and,
 * for overlay, <cdir>/upper and <cdir>/work, and touches nothing else there.
 * lower[] are the layers' diff folders, bottom (base) layer first. */
struct oci_snapshotter {
	const char *name; /* "overlay", "copy" */
	/* 0 when usable with containers under dir (the data-root), else -1
	 * with the reason ("overlayfs is not available: ..."). */
	int (*probe)(const char *dir, struct err *e);
	/* Make <cdir>/rootfs ready (mounted for overlay, built for copy). On
	 * failure nothing of it is left mounted; copy removes what it built. */
	int (*prepare)(const char *cdir, const char *const *lower, size_t nlower, struct err *e);
	/* Mount again (after a reboot); 0 when already mounted. Copy: checks
	 * that the rootfs is there. */
	int (*mount)(const char *cdir, const char *const *lower, size_t nlower, struct err *e);
	/* Lazy (MNT_DETACH) and idempotent: not mounted is success. */
	int (*unmount)(const char *cdir, struct err *e);
	/* Unmount, then delete what the snapshotter made in cdir (never
	 * following symlinks, never crossing into another mount). Idempotent. */
	int (*remove)(const char *cdir, struct err *e);
};

/* One exported table per implementation (CFG_SNAPSHOT_OVERLAY,
 * CFG_SNAPSHOT_COPY); reach them through the functions below so that a
 * configuration without one still links. */
extern const struct oci_snapshotter oci_snapshotter_overlay, oci_snapshotter_copy;

/* name NULL: the first compiled-in snapshotter that probes usable under
 * dir, overlay first, then copy. Else the named one, probed. NULL with the
 * reason (every probe's, or "not compiled in") when there is none. */
const struct oci_snapshotter *oci_snapshotter_pick(const char *dir, const char *name,
						   struct err *e);

/* The compiled-in snapshotter called name, not probed (to unmount or remove
 * a container made earlier), or NULL. */
const struct oci_snapshotter *oci_snapshotter_find(const char *name);

/* Trees are removed with oci_rm_tree / oci_rm_contents (oci/rmtree.h). */

#endif
