/* snapshot-copy.c - the copy snapshotter, for kernels without overlayfs:
 * <cdir>/rootfs is a real folder made by copying each layer onto it in turn,
 * bottom first, applying the layers' overlay-form whiteouts on the way.
 *
 * Layers are hostile input: nothing is ever followed out of a layer or the
 * rootfs (every step is an *at call on a folder fd with O_NOFOLLOW; symlinks
 * are copied as symlinks). What overlayfs would show is what is built:
 * a 0/0 char device deletes the path below, a folder with
 * trusted.overlay.opaque=y hides the folder below, the upper layer's owner,
 * mode, times and xattrs win (trusted.overlay.* are overlay's own and are
 * not copied), and an opaque mark on a layer's root is ignored as overlayfs
 * ignores it. Hard links within a layer stay hard links. File data is
 * reflinked (FICLONE) where the filesystem shares extents (btrfs, xfs),
 * else copied in the kernel (copy_file_range), else read and written. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "oci/rmtree.h"
#include "file.h"
#include "oci/snapshot.h"
#include "path.h"

#ifndef FICLONE
#define FICLONE _IOW(0x94, 9, int)
#endif

/* Two fds are open per level (and removal of a whited-out tree takes two
 * more per level): this keeps a copy under the usual 1024 fd limit. */
#define CP_MAX_DEPTH 200
#define CP_XATTR_MAX 65536 /* XATTR_LIST_MAX and XATTR_SIZE_MAX */
#define OVL_XATTR_PREFIX "trusted.overlay."

/* (dev, ino) of a source file with more links -> where it was first put. */
struct cp_link {
	dev_t dev;
	ino_t ino;
	char *path; /* relative to the rootfs, owned; NULL: free slot */
};

struct cp_ctx {
	int rootfd; /* <cdir>/rootfs */
	char path[PATH_MAX]; /* the entry being copied, relative to the layer */
	size_t len;
	struct cp_link *links; /* open addressing, power-of-two size, per layer */
	size_t nlinks, cap;
	char *names, *vals; /* CP_XATTR_MAX each: xattr lists, values, file data */
};

/* The entry being copied, for messages. */
static const char *cp_name(const struct cp_ctx *c)
{
	return c->len ? c->path : ".";
}

/* ---------------------------------------------------------------- hard links */

static size_t link_slot(const struct cp_ctx *c, dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)dev * 0x9e3779b97f4a7c15ull) ^ (uint64_t)ino;
	size_t i = (size_t)(h * 0x9e3779b97f4a7c15ull >> 32) & (c->cap - 1);

	while (c->links[i].path && (c->links[i].dev != dev || c->links[i].ino != ino))
		i = (i + 1) & (c->cap - 1);
	return i;
}

static const char *link_find(const struct cp_ctx *c, const struct stat *st)
{
	return c->cap ? c->links[link_slot(c, st->st_dev, st->st_ino)].path : NULL;
}

static int link_grow(struct cp_ctx *c, struct err *e)
{
	struct cp_link *old = c->links;
	size_t ocap = c->cap;

	c->cap = ocap ? ocap * 2 : 64;
	c->links = calloc(c->cap, sizeof(*c->links));
	if (!c->links) {
		c->links = old;
		c->cap = ocap;
		return err_sys(e, ENOMEM, "%s: hard link table", cp_name(c));
	}
	for (size_t i = 0; i < ocap; i++)
		if (old[i].path)
			c->links[link_slot(c, old[i].dev, old[i].ino)] = old[i];
	free(old);
	return 0;
}

static int link_add(struct cp_ctx *c, const struct stat *st, struct err *e)
{
	size_t i;

	if ((c->nlinks + 1) * 2 > c->cap && link_grow(c, e) < 0)
		return -1;
	i = link_slot(c, st->st_dev, st->st_ino);
	if (c->links[i].path)
		return 0;
	c->links[i].path = strdup(c->path);
	if (!c->links[i].path)
		return err_sys(e, ENOMEM, "%s: hard link table", cp_name(c));
	c->links[i].dev = st->st_dev;
	c->links[i].ino = st->st_ino;
	c->nlinks++;
	return 0;
}

static void links_clear(struct cp_ctx *c)
{
	for (size_t i = 0; i < c->cap; i++)
		free(c->links[i].path);
	free(c->links);
	c->links = NULL;
	c->nlinks = c->cap = 0;
}

/* Link ddir/name to the copy of the first path seen with this inode, whose
 * parent is opened beneath the rootfs. 1: that copy is gone, copy instead. */
static int cp_hardlink(struct cp_ctx *c, const char *first, int ddir, const char *name,
		       struct err *e)
{
	char parent[PATH_MAX];
	const char *base = strrchr(first, '/');
	int pfd, rc;

	if (base) {
		snprintf(parent, sizeof(parent), "%.*s", (int)(base - first), first);
		pfd = path_open_beneath(c->rootfd, parent, O_PATH | O_DIRECTORY, 0, e);
		if (pfd < 0)
			return err_wrap(e, "%s: hard link to %s", cp_name(c), first);
		base++;
	} else {
		pfd = c->rootfd;
		base = first;
	}
	rc = linkat(pfd, base, ddir, name, 0);
	if (rc < 0 && errno == ENOENT)
		rc = 1;
	else if (rc < 0)
		err_sys(e, errno, "%s: hard link to %s", cp_name(c), first);
	if (pfd != c->rootfd)
		close(pfd);
	return rc;
}

/* ---------------------------------------------------------------- metadata */

/* An object to read or write xattrs on: an open fd, else dirfd/name without
 * following it, through the /proc/self/fd name of its folder. */
struct xobj {
	int fd;
	char proc[PATH_MAX];
};

static void xobj_at(struct xobj *o, int dirfd, const char *name)
{
	o->fd = -1;
	snprintf(o->proc, sizeof(o->proc), "/proc/self/fd/%d/%s", dirfd, name);
}

static ssize_t x_list(const struct xobj *o, char *buf, size_t n)
{
	return o->fd >= 0 ? flistxattr(o->fd, buf, n) : llistxattr(o->proc, buf, n);
}

static ssize_t x_get(const struct xobj *o, const char *name, char *buf, size_t n)
{
	return o->fd >= 0 ? fgetxattr(o->fd, name, buf, n) : lgetxattr(o->proc, name, buf, n);
}

static int x_set(const struct xobj *o, const char *name, const char *v, size_t n)
{
	return o->fd >= 0 ? fsetxattr(o->fd, name, v, n, 0) : lsetxattr(o->proc, name, v, n, 0);
}

/* After chown, which drops security.capability. */
static int cp_xattrs(struct cp_ctx *c, const struct xobj *src, const struct xobj *dst,
		     struct err *e)
{
	ssize_t n = x_list(src, c->names, CP_XATTR_MAX), v;

	if (n < 0)
		return errno == ENOTSUP ? 0 : err_sys(e, errno, "%s: list xattrs", cp_name(c));
	for (char *x = c->names; x < c->names + n; x += strlen(x) + 1) {
		if (!strncmp(x, OVL_XATTR_PREFIX, sizeof(OVL_XATTR_PREFIX) - 1))
			continue;
		v = x_get(src, x, c->vals, CP_XATTR_MAX);
		if (v < 0 && errno == ENODATA)
			continue;
		if (v < 0)
			return err_sys(e, errno, "%s: read xattr %s", cp_name(c), x);
		if (x_set(dst, x, c->vals, (size_t)v) < 0)
			return err_sys(e, errno, "%s: set xattr %s", cp_name(c), x);
	}
	return 0;
}

/* Owner, mode and xattrs of an open file or folder (times come last). */
static int cp_meta_fd(struct cp_ctx *c, int sfd, int dfd, const struct stat *st, struct err *e)
{
	struct xobj src = {.fd = sfd}, dst = {.fd = dfd};

	if (fchown(dfd, st->st_uid, st->st_gid) < 0)
		return err_sys(e, errno, "%s: chown", cp_name(c));
	if (fchmod(dfd, st->st_mode & 07777) < 0)
		return err_sys(e, errno, "%s: chmod", cp_name(c));
	return cp_xattrs(c, &src, &dst, e);
}

static int cp_times_fd(struct cp_ctx *c, int dfd, const struct stat *st, struct err *e)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};

	if (futimens(dfd, ts) < 0)
		return err_sys(e, errno, "%s: set times", cp_name(c));
	return 0;
}

/* The same for what cannot be opened: symlinks, devices, fifos, sockets. */
static int cp_meta_at(struct cp_ctx *c, int sdir, int ddir, const char *name, const struct stat *st,
		      struct err *e)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	struct xobj src, dst;

	if (fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys(e, errno, "%s: chown", cp_name(c));
	/* Just made by mknodat, so not a symlink: fchmodat cannot be led away. */
	if (!S_ISLNK(st->st_mode) && fchmodat(ddir, name, st->st_mode & 07777, 0) < 0)
		return err_sys(e, errno, "%s: chmod", cp_name(c));
	xobj_at(&src, sdir, name);
	xobj_at(&dst, ddir, name);
	if (cp_xattrs(c, &src, &dst, e) < 0)
		return -1;
	if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys(e, errno, "%s: set times", cp_name(c));
	return 0;
}

/* ---------------------------------------------------------------- contents */

static int cp_data(struct cp_ctx *c, int in, int out, struct err *e)
{
	ssize_t n;
	bool any = false;

	if (ioctl(out, FICLONE, in) == 0)
		return 0;
	/* Not every filesystem (or kernel) copies in place: any first-call
	 * refusal means "do it by hand". */
	while ((n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && !any)
			break;
		if (n < 0)
			return err_sys(e, errno, "%s: copy_file_range", cp_name(c));
		any = true;
	}
	if (n == 0)
		return 0;
	while ((n = read(in, c->vals, CP_XATTR_MAX)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(e, errno, "%s: read", cp_name(c));
		if (file_write_full(out, c->vals, (size_t)n, e) < 0)
			return err_wrap(e, "%s", cp_name(c));
	}
	return 0;
}

static int cp_file(struct cp_ctx *c, int sdir, int ddir, const char *name, const struct stat *st,
		   struct err *e)
{
	int in, out, rc = -1;

	in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return err_sys(e, errno, "%s: open", cp_name(c));
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		err_sys(e, errno, "%s: create", cp_name(c));
		goto out;
	}
	if (cp_data(c, in, out, e) == 0 && cp_meta_fd(c, in, out, st, e) == 0 &&
	    cp_times_fd(c, out, st, e) == 0)
		rc = 0;
	close(out);
out:
	close(in);
	return rc;
}

/* Symlinks (the target copied as text, never resolved), devices, fifos and
 * sockets. */
static int cp_special(struct cp_ctx *c, int sdir, int ddir, const char *name, const struct stat *st,
		      struct err *e)
{
	ssize_t n;

	if (S_ISLNK(st->st_mode)) {
		n = readlinkat(sdir, name, c->vals, PATH_MAX);
		if (n < 0 || n >= PATH_MAX)
			return err_sys(e, n < 0 ? errno : ENAMETOOLONG, "%s: readlink", cp_name(c));
		c->vals[n] = 0;
		if (symlinkat(c->vals, ddir, name) < 0)
			return err_sys(e, errno, "%s: symlink", cp_name(c));
	} else if (mknodat(ddir, name, st->st_mode & (S_IFMT | 07777), st->st_rdev) < 0) {
		return err_sys(e, errno, "%s: mknod", cp_name(c));
	}
	return cp_meta_at(c, sdir, ddir, name, st, e);
}

/* ---------------------------------------------------------------- the walk */

static int cp_dir(struct cp_ctx *c, int sfd, int dfd, int depth, struct err *e);

static bool is_opaque(int fd)
{
	char v[2];

	return fgetxattr(fd, OVL_XATTR_PREFIX "opaque", v, sizeof(v)) == 1 && v[0] == 'y';
}

/* A folder: merged into the one below unless opaque; a non-folder below is
 * replaced. Owner, mode and xattrs first, times once the contents are in. */
static int cp_subdir(struct cp_ctx *c, int sdir, int ddir, const char *name, const struct stat *st,
		     int depth, struct err *e)
{
	struct stat below;
	int sfd, dfd = -1, rc = -1, have;

	if (depth >= CP_MAX_DEPTH)
		return err_sys(e, ELOOP, "%s: folders nested too deep", cp_name(c));
	have = fstatat(ddir, name, &below, AT_SYMLINK_NOFOLLOW) == 0;
	if (have && !S_ISDIR(below.st_mode)) {
		if (oci_rm_tree(ddir, name, e) < 0)
			return -1;
		have = 0;
	}
	if (!have && mkdirat(ddir, name, 0700) < 0)
		return err_sys(e, errno, "%s: mkdir", cp_name(c));
	sfd = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return err_sys(e, errno, "%s: open", cp_name(c));
	dfd = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		err_sys(e, errno, "%s: open the copy", cp_name(c));
		close(sfd);
		return -1;
	}
	if ((have && is_opaque(sfd) && oci_rm_contents(dfd, e) < 0) ||
	    cp_meta_fd(c, sfd, dfd, st, e) < 0) {
		close(sfd);
		goto out;
	}
	if (cp_dir(c, sfd, dfd, depth + 1, e) == 0 && cp_times_fd(c, dfd, st, e) == 0)
		rc = 0;
out:
	close(dfd);
	return rc;
}

static int cp_entry(struct cp_ctx *c, int sdir, int ddir, const char *name, int depth,
		    struct err *e)
{
	const char *first = NULL;
	struct stat st;
	int rc;

	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys(e, errno, "%s: stat", cp_name(c));
	if (S_ISCHR(st.st_mode) && st.st_rdev == 0) /* whiteout */
		return oci_rm_tree(ddir, name, e);
	if (S_ISDIR(st.st_mode))
		return cp_subdir(c, sdir, ddir, name, &st, depth, e);
	if (oci_rm_tree(ddir, name, e) < 0)
		return -1;
	if (st.st_nlink > 1 && (first = link_find(c, &st))) {
		rc = cp_hardlink(c, first, ddir, name, e);
		if (rc <= 0)
			return rc;
	}
	rc = S_ISREG(st.st_mode) ? cp_file(c, sdir, ddir, name, &st, e)
				 : cp_special(c, sdir, ddir, name, &st, e);
	if (rc == 0 && st.st_nlink > 1 && !first)
		rc = link_add(c, &st, e);
	return rc;
}

/* Copy the entries of sfd (owned: closed here) onto dfd (borrowed). */
static int cp_dir(struct cp_ctx *c, int sfd, int dfd, int depth, struct err *e)
{
	DIR *d = fdopendir(sfd);
	struct dirent *de;
	size_t old = c->len;
	int rc = 0;

	if (!d) {
		close(sfd);
		return err_sys(e, errno, "%s: read folder", cp_name(c));
	}
	while (rc == 0 && (errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (old + 1 + strlen(de->d_name) >= sizeof(c->path)) {
			rc = err_sys(e, ENAMETOOLONG, "%s/%s", cp_name(c), de->d_name);
			break;
		}
		c->len += (size_t)snprintf(c->path + old, sizeof(c->path) - old, "%s%s",
					   old ? "/" : "", de->d_name);
		rc = cp_entry(c, dirfd(d), dfd, de->d_name, depth, e);
		c->len = old;
		c->path[old] = 0;
	}
	if (rc == 0 && errno)
		rc = err_sys(e, errno, "%s: read folder", cp_name(c));
	closedir(d);
	return rc;
}

/* One layer onto the rootfs; its root's attributes become the rootfs's. */
static int cp_layer(struct cp_ctx *c, const char *lower, struct err *e)
{
	struct stat st;
	int sfd, rc;

	sfd = open(lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return err_sys(e, errno, "open %s", lower);
	if (fstat(sfd, &st) < 0) {
		err_sys(e, errno, "stat %s", lower);
		close(sfd);
		return -1;
	}
	if (cp_meta_fd(c, sfd, c->rootfd, &st, e) < 0) {
		close(sfd);
		return -1;
	}
	rc = cp_dir(c, sfd, c->rootfd, 0, e);
	if (rc == 0)
		rc = cp_times_fd(c, c->rootfd, &st, e);
	links_clear(c);
	return rc;
}

/* ---------------------------------------------------------------- the table */

static int copy_layers(struct cp_ctx *c, const char *cdir, const char *const *lower, size_t n,
		       struct err *e)
{
	c->names = malloc(2 * CP_XATTR_MAX);
	if (!c->names)
		return err_sys(e, ENOMEM, "copy snapshot %s", cdir);
	c->vals = c->names + CP_XATTR_MAX;
	for (size_t i = 0; i < n; i++)
		if (cp_layer(c, lower[i], e) < 0) {
			free(c->names);
			return err_wrap(e, "copy snapshot %s: layer %s", cdir, lower[i]);
		}
	free(c->names);
	return 0;
}

static int copy_prepare(const char *cdir, const char *const *lower, size_t nlower, struct err *e)
{
	struct cp_ctx c = {.rootfd = -1};
	int cfd, rc = -1;

	cfd = open(cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cfd < 0)
		return err_sys(e, errno, "copy snapshot %s", cdir);
	if (mkdirat(cfd, "rootfs", 0755) < 0) {
		err_sys(e, errno, "copy snapshot %s: make rootfs", cdir);
		goto out;
	}
	c.rootfd = openat(cfd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c.rootfd < 0)
		err_sys(e, errno, "copy snapshot %s: open rootfs", cdir);
	else
		rc = copy_layers(&c, cdir, lower, nlower, e);
	if (c.rootfd >= 0)
		close(c.rootfd);
	if (rc < 0) /* nothing half-built is left */
		oci_rm_tree(cfd, "rootfs", NULL);
out:
	close(cfd);
	return rc;
}

static int copy_mount(const char *cdir, const char *const *lower, size_t nlower, struct err *e)
{
	char p[PATH_MAX];
	struct stat st;

	if ((size_t)snprintf(p, sizeof(p), "%s/rootfs", cdir) >= sizeof(p))
		return err_sys(e, ENAMETOOLONG, "copy snapshot %s", cdir);
	if (lstat(p, &st) < 0)
		return err_sys(e, errno, "copy snapshot %s: rootfs (prepare it again)", cdir);
	if (!S_ISDIR(st.st_mode))
		return err_sys(e, ENOTDIR, "copy snapshot %s: rootfs (prepare it again)", cdir);
	return 0;
}

static int copy_unmount(const char *cdir, struct err *e)
{
	return 0; /* a plain folder: the runtime's mounts are in its own namespace */
}

static int copy_remove(const char *cdir, struct err *e)
{
	int cfd = open(cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (cfd < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "remove snapshot %s", cdir);
	rc = oci_rm_tree(cfd, "rootfs", e);
	close(cfd);
	return rc < 0 ? err_wrap(e, "remove snapshot %s", cdir) : 0;
}

/* Anything that can hold files will do; what matters is that it is there
 * and writable. */
static int copy_probe(const char *dir, struct err *e)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return err_sys(e, errno, "copy snapshots in %s", dir);
	if (!S_ISDIR(st.st_mode))
		return err_sys(e, ENOTDIR, "copy snapshots in %s", dir);
	if (access(dir, W_OK | X_OK) < 0)
		return err_sys(e, errno, "copy snapshots in %s", dir);
	return 0;
}

const struct oci_snapshotter oci_snapshotter_copy = {
	.name = "copy",
	.probe = copy_probe,
	.prepare = copy_prepare,
	.mount = copy_mount,
	.unmount = copy_unmount,
	.remove = copy_remove,
};
