/* snapshot-overlay.c - the overlayfs snapshotter: <cdir>/rootfs is an overlay
 * of the layers' diff folders (read-only) with <cdir>/upper taking writes.
 *
 * Long layer lists: mount(2) copies one page of options, so
 * "lowerdir=a:b:...,upperdir=...,workdir=..." must fit in 4096 bytes, which
 * 40 layers under a long data-root already exceed. When the plain string does
 * not fit (or a path holds one of ",:\" that the option parser would split
 * on), every folder is opened O_PATH and named /proc/self/fd/<n> instead:
 * ~18 bytes per layer, about 200 layers in a page (the store takes 128),
 * with no chdir (the daemon has threads), no child process and no link
 * folder to keep in step. The cost is that mountinfo shows those fd names.
 * Not chosen: fsconfig "lowerdir+" (no limit, but only kernels >= 6.8) and
 * Docker's l/<short id> symlinks (needs a chdir to make the names short).
 *
 * Options: index=off, as Docker does: with the index on, the upper folder
 * records the lowers' file handles, and a data-root that was copied or
 * restored, or a layer unpacked again, no longer mounts (ESTALE). Kernels
 * before 4.13 do not know the option: the mount is retried without it.
 * Nothing else: devices stay allowed (the runtime decides nodev per mount),
 * xino and metacopy keep the kernel's defaults, and userxattr is not needed
 * as the daemon mounts as real root. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "oci/rmtree.h"
#include "file.h"
#include "oci/snapshot.h"

#define OVL_OPT_MAX 4096 /* one page, with the NUL */
#define OVL_SUPER_MAGIC 0x794c7630
#define OVL_NO_INDEX ",index=off"

/* out (PATH_MAX bytes) = dir/rest, or -1 with ENAMETOOLONG. */
static int ovl_path(char *out, const char *dir, const char *rest, struct err *e)
{
	if ((size_t)snprintf(out, PATH_MAX, "%s/%s", dir, rest) >= PATH_MAX)
		return err_sys(e, ENAMETOOLONG, "overlay: %s/%s", dir, rest);
	return 0;
}

/* Mount options for an overlay of lower[] (bottom first) under cdir, and the
 * fds they name in the fd form (closed by ovl_opts_free after the mount). */
struct ovl_opts {
	char s[OVL_OPT_MAX];
	int *fds;
	size_t nfds;
};

static void ovl_opts_free(struct ovl_opts *o)
{
	for (size_t i = 0; i < o->nfds; i++)
		close(o->fds[i]);
	free(o->fds);
	o->fds = NULL;
	o->nfds = 0;
}

/* Append name to o->s (at *len): the path itself or, with fds, the
 * /proc/self/fd name of a new O_PATH fd to it. 1 when out of room. */
static int ovl_add(struct ovl_opts *o, size_t *len, const char *pre, const char *path, bool fds,
		   struct err *e)
{
	const char *name = path;
	char proc[32];
	int fd, n;

	if (fds) {
		fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return err_sys(e, errno, "overlay: open %s", path);
		o->fds[o->nfds++] = fd;
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		name = proc;
	} else if (strpbrk(path, ",:\\")) {
		return 1;
	}
	n = snprintf(o->s + *len, sizeof(o->s) - *len, "%s%s", pre, name);
	if (n < 0 || (size_t)n >= sizeof(o->s) - *len)
		return 1;
	*len += (size_t)n;
	return 0;
}

/* Lower layers top first, as overlay stacks them. 0, 1 (does not fit) or -1. */
static int ovl_try_opts(struct ovl_opts *o, const char *cdir, const char *const *lower, size_t n,
			bool fds, struct err *e)
{
	char upper[PATH_MAX], work[PATH_MAX];
	size_t len = 0;
	int rc = 0;

	if (ovl_path(upper, cdir, "upper", e) < 0 || ovl_path(work, cdir, "work", e) < 0)
		return -1;
	for (size_t i = n; i-- > 0 && rc == 0;)
		rc = ovl_add(o, &len, i == n - 1 ? "lowerdir=" : ":", lower[i], fds, e);
	if (rc == 0)
		rc = ovl_add(o, &len, ",upperdir=", upper, fds, e);
	if (rc == 0)
		rc = ovl_add(o, &len, ",workdir=", work, fds, e);
	if (rc == 0 && len + sizeof(OVL_NO_INDEX) > sizeof(o->s))
		rc = 1;
	if (rc == 0)
		strcat(o->s, OVL_NO_INDEX);
	if (rc != 0)
		ovl_opts_free(o);
	return rc;
}

static int ovl_make_opts(struct ovl_opts *o, const char *cdir, const char *const *lower, size_t n,
			 struct err *e)
{
	int rc;

	o->fds = NULL;
	o->nfds = 0;
	if (n == 0)
		return err_set(e, "overlay on %s: no layers (overlayfs needs at least one)", cdir);
	rc = ovl_try_opts(o, cdir, lower, n, false, e);
	if (rc <= 0)
		return rc;
	o->fds = calloc(n + 2, sizeof(int));
	if (!o->fds)
		return err_sys(e, ENOMEM, "overlay on %s", cdir);
	rc = ovl_try_opts(o, cdir, lower, n, true, e);
	if (rc > 0)
		return err_sys(e, E2BIG, "overlay on %s: %zu layers do not fit in one mount", cdir,
			       n);
	return rc;
}

/* mount(2) with opts, and again without index=off for kernels before 4.13. */
static int ovl_mount_opts(char *opts, const char *target)
{
	char *noidx;

	if (mount("overlay", target, "overlay", 0, opts) == 0)
		return 0;
	noidx = strstr(opts, OVL_NO_INDEX);
	if (errno != EINVAL || !noidx)
		return -1;
	*noidx = 0;
	return mount("overlay", target, "overlay", 0, opts);
}

/* 1 when <cdir>/rootfs is a mount point (its device differs from cdir's). */
static int ovl_mounted(const char *cdir, const char *rootfs, struct err *e)
{
	struct stat a, b;

	if (stat(cdir, &a) < 0)
		return err_sys(e, errno, "overlay: stat %s", cdir);
	if (lstat(rootfs, &b) < 0)
		return err_sys(e, errno, "overlay: stat %s", rootfs);
	return a.st_dev != b.st_dev;
}

static int ovl_mount(const char *cdir, const char *const *lower, size_t nlower, struct err *e)
{
	char rootfs[PATH_MAX];
	struct ovl_opts o;
	int rc;

	if (ovl_path(rootfs, cdir, "rootfs", e) < 0)
		return -1;
	rc = ovl_mounted(cdir, rootfs, e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (ovl_make_opts(&o, cdir, lower, nlower, e) < 0)
		return -1;
	rc = ovl_mount_opts(o.s, rootfs);
	if (rc < 0)
		err_sys(e, errno, "mount overlay on %s (%zu layers)", rootfs, nlower);
	ovl_opts_free(&o);
	return rc;
}

static int ovl_unmount(const char *cdir, struct err *e)
{
	char rootfs[PATH_MAX];

	if (ovl_path(rootfs, cdir, "rootfs", e) < 0)
		return -1;
	/* Mounts stacked there by mistake go too: until "not mounted". */
	for (int i = 0; i < 16; i++)
		if (umount2(rootfs, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
			return errno == EINVAL || errno == ENOENT
				       ? 0
				       : err_sys(e, errno, "unmount overlay %s", rootfs);
	return err_sys(e, EBUSY, "unmount overlay %s: still mounted", rootfs);
}

static int ovl_remove(const char *cdir, struct err *e)
{
	/* rootfs, made last by prepare, goes last: while it is there the
	 * daemon takes the snapshot as made and mounts it, so a removal cut
	 * short must not leave an upper folder without it */
	static const char *const parts[] = {"upper", "work", "rootfs"};
	int fd;

	if (ovl_unmount(cdir, e) < 0)
		return -1;
	fd = open(cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "remove snapshot %s", cdir);
	for (size_t i = 0; i < 3; i++)
		if (oci_rm_tree(fd, parts[i], e) < 0) {
			close(fd);
			return err_wrap(e, "remove snapshot %s", cdir);
		}
	close(fd);
	return 0;
}

/* Best effort, on a failure path: the error already reported matters more. */
static void remove_part(const char *cdir, const char *part)
{
	int fd = open(cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		oci_rm_tree(fd, part, NULL);
		close(fd);
	}
}

static int ovl_prepare(const char *cdir, const char *const *lower, size_t nlower, struct err *e)
{
	static const char *const parts[] = {"upper", "work", "rootfs"};
	static const mode_t modes[] = {0755, 0700, 0755};
	char p[PATH_MAX];
	size_t made;

	for (made = 0; made < 3; made++) {
		if (ovl_path(p, cdir, parts[made], e) < 0)
			goto fail;
		if (mkdir(p, modes[made]) < 0) {
			err_sys(e, errno, "overlay: make %s", p);
			goto fail;
		}
	}
	if (ovl_mount(cdir, lower, nlower, e) == 0)
		return 0;
fail:
	/* Only what this call made (mkdir EEXIST stops before touching it). */
	while (made-- > 0)
		remove_part(cdir, parts[made]);
	return -1;
}

/* ---------------------------------------------------------------- probe */

static bool kernel_has_overlay(void)
{
	char *buf = NULL;
	bool has;

	if (file_read_all("/proc/filesystems", 1 << 16, &buf, NULL, NULL) < 0)
		return true; /* cannot tell: let the mount error speak */
	has = strstr(buf, "\toverlay\n") != NULL;
	free(buf);
	return has;
}

/* Exercise what containers need in the snapshot t: a new file lands in the
 * upper folder, and deleting a lower file leaves a 0/0 char device (the
 * whiteout form the layers are stored in). */
static int ovl_probe_use(const char *t, struct err *e)
{
	char p[PATH_MAX];
	struct stat st;
	int fd;

	if (ovl_path(p, t, "rootfs/new", e) < 0)
		return -1;
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(e, errno, "write in a test overlay");
	close(fd);
	if (ovl_path(p, t, "rootfs/f", e) < 0)
		return -1;
	if (unlink(p) < 0)
		return err_sys(e, errno, "delete a lower file in a test overlay");
	if (ovl_path(p, t, "upper/f", e) < 0)
		return -1;
	if (lstat(p, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != 0)
		return err_set(e, "a deleted lower file left no 0/0 whiteout in the upper folder");
	return 0;
}

/* Probe in a temp folder under dir laid out like a container's: lower/
 * (with one file f) is the layer, and prepare/remove are the real ones. */
static int ovl_probe_in(const char *t, struct err *e)
{
	char lower[PATH_MAX];
	const char *l = lower;
	int fd, rc;

	if (ovl_path(lower, t, "lower", e) < 0)
		return -1;
	if (mkdir(lower, 0755) < 0)
		return err_sys(e, errno, "make %s", lower);
	if (ovl_path(lower, t, "lower/f", e) < 0)
		return -1;
	fd = open(lower, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_sys(e, errno, "make %s", lower);
	close(fd);
	if (ovl_path(lower, t, "lower", e) < 0)
		return -1;
	if (ovl_prepare(t, &l, 1, e) < 0)
		return -1;
	rc = ovl_probe_use(t, e);
	if (ovl_remove(t, rc < 0 ? NULL : e) < 0)
		rc = -1;
	return rc;
}

static int ovl_probe(const char *dir, struct err *e)
{
	char t[PATH_MAX];
	struct statfs sf;
	struct err pe;
	int dfd, rc;

	if (statfs(dir, &sf) < 0)
		return err_sys(e, errno, "overlayfs is not available: %s", dir);
	if ((unsigned long)sf.f_type == OVL_SUPER_MAGIC)
		return err_set(e,
			       "overlayfs is not available: %s is itself on overlayfs, which "
			       "cannot hold an upper folder",
			       dir);
	if ((size_t)snprintf(t, sizeof(t), "%s/.overlay-probe-XXXXXX", dir) >= sizeof(t))
		return err_sys(e, ENAMETOOLONG, "overlayfs is not available: %s", dir);
	if (!mkdtemp(t))
		return err_sys(e, errno, "overlayfs is not available: make a folder in %s", dir);
	err_clear(&pe);
	rc = ovl_probe_in(t, &pe);
	if (rc < 0 && !kernel_has_overlay())
		err_set(e, "overlayfs is not available: the kernel has no overlay filesystem "
			   "(not in /proc/filesystems)");
	else if (rc < 0 && e) {
		*e = pe;
		err_wrap(e, "overlayfs is not available");
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (oci_rm_tree(dfd, strrchr(t, '/') + 1, rc < 0 ? NULL : e) < 0)
			rc = -1;
		close(dfd);
	}
	return rc;
}

const struct oci_snapshotter oci_snapshotter_overlay = {
	.name = "overlay",
	.probe = ovl_probe,
	.prepare = ovl_prepare,
	.mount = ovl_mount,
	.unmount = ovl_unmount,
	.remove = ovl_remove,
};
