/* rootfs.c - mounts inside the container's mount namespace. Every target is
 * opened inside the root first (path_open_beneath) and mounted through its
 * /proc/self/fd link, so a symlink planted in the image cannot send a mount
 * onto the host (runc CVE-2021-30465, CVE-2025-31133). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "path.h"
#include "oci/rootfs.h"

#define FDPATH_MAX 32

static const char *fdpath(char buf[FDPATH_MAX], int fd)
{
	snprintf(buf, FDPATH_MAX, "/proc/self/fd/%d", fd);
	return buf;
}

/* "/a/b/../c" -> "a/c": the spec's absolute container path, relative to the root. */
static int rel_path(const char *dest, char *out, size_t size, struct err *e)
{
	char clean[PATH_MAX];

	if (path_clean(dest, clean, sizeof(clean), e) < 0)
		return -1;
	const char *p = clean;
	while (*p == '/')
		p++;
	if (!*p)
		p = ".";
	if (strlen(p) >= size)
		return err_sys(e, ENAMETOOLONG, "%s", dest);
	strcpy(out, p);
	return 0;
}

static int mkdir_walk(int rootfd, const char *relpath, mode_t mode, int links, struct err *e);

/* prefix names a dangling symlink (its target is missing inside the root):
 * make the target, resolved inside the root as the kernel would, as runc
 * does; the mount then lands there, never on the host. */
static int mkdir_link_target(int rootfd, int parent, const char *prefix, const char *base,
			     mode_t mode, int links, struct err *e)
{
	char target[PATH_MAX], path[2 * PATH_MAX];
	ssize_t n = readlinkat(parent, base, target, sizeof(target) - 1);
	int fd;

	if (n < 0)
		return err_sys(e, ENOENT, "open %s", prefix);
	target[n] = '\0';
	if (target[0] == '/')
		snprintf(path, sizeof(path), "%s", target);
	else
		snprintf(path, sizeof(path), "%.*s%s", (int)(base - prefix), prefix, target);
	if (strlen(path) >= sizeof(target) || path_clean(path, target, sizeof(target), e) < 0)
		return -1;
	/* ".." past the top stays at the top: the root is the container's "/". */
	const char *rel = target;
	while (*rel == '/' || !strncmp(rel, "../", 3))
		rel += *rel == '/' ? 1 : 3;
	if (!*rel || !strcmp(rel, ".."))
		rel = ".";
	fd = mkdir_walk(rootfd, rel, mode, links - 1, e);
	if (fd < 0)
		return -1;
	close(fd);
	return path_open_beneath(rootfd, prefix, O_PATH | O_DIRECTORY, 0, e);
}

static int mkdir_walk(int rootfd, const char *relpath, mode_t mode, int links, struct err *e)
{
	char prefix[PATH_MAX];
	int parent = -1, fd = -1;
	size_t len = strlen(relpath);

	if (len >= sizeof(prefix))
		return err_sys(e, ENAMETOOLONG, "mkdir %s", relpath);
	if (links <= 0)
		return err_sys(e, ELOOP, "mkdir %s", relpath);
	parent = path_open_beneath(rootfd, ".", O_PATH | O_DIRECTORY, 0, e);
	for (size_t i = 0; parent >= 0 && i <= len; i++) {
		if (i < len && relpath[i] != '/')
			continue;
		memcpy(prefix, relpath, i);
		prefix[i] = '\0';
		if (i == 0 || prefix[i - 1] == '/' ||
		    strcmp(prefix + (i > 1 ? i - 2 : 0), "/.") == 0)
			continue;
		fd = path_open_beneath(rootfd, prefix, O_PATH | O_DIRECTORY, 0, NULL);
		if (fd < 0 && errno == ENOENT) {
			const char *base = strrchr(prefix, '/');

			base = base ? base + 1 : prefix;
			/* mkdirat never follows a symlink in its last step: a link
			 * there makes EEXIST, and its target is made instead. */
			if (mkdirat(parent, base, mode) == 0)
				fd = path_open_beneath(rootfd, prefix, O_PATH | O_DIRECTORY, 0, e);
			else if (errno == EEXIST)
				fd = mkdir_link_target(rootfd, parent, prefix, base, mode, links,
						       e);
			else
				err_sys(e, errno, "mkdir %s", prefix);
		} else if (fd < 0) {
			err_sys(e, errno, "open %s", prefix);
		}
		close(parent);
		parent = fd;
	}
	return parent;
}

int oci_mkdir_beneath(int rootfd, const char *relpath, mode_t mode, struct err *e)
{
	return mkdir_walk(rootfd, relpath, mode, PATH_MAX_SYMLINKS, e);
}

/* Create the mount point (a folder, or an empty file for a file bind) and
 * open it O_PATH inside the root. */
static int open_target(int rootfd, const char *dest, bool file, struct err *e)
{
	char rel[PATH_MAX];
	int dirfd, fd;
	char *slash;

	if (rel_path(dest, rel, sizeof(rel), e) < 0)
		return -1;
	if (strcmp(rel, ".") == 0)
		return path_open_beneath(rootfd, ".", O_PATH, 0, e);
	slash = strrchr(rel, '/');
	if (slash)
		*slash = '\0';
	dirfd = oci_mkdir_beneath(rootfd, slash ? rel : ".", 0755, e);
	if (dirfd < 0)
		return -1;
	if (slash)
		*slash = '/';
	const char *base = slash ? slash + 1 : rel;
	if (file) {
		fd = openat(dirfd, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
			    0644);
		if (fd >= 0)
			close(fd);
	} else if (mkdirat(dirfd, base, 0755) < 0 && errno != EEXIST) {
		err_sys(e, errno, "mkdir %s", dest);
		close(dirfd);
		return -1;
	}
	close(dirfd);
	return path_open_beneath(rootfd, rel, O_PATH, 0, e);
}

/* The flags a remount must keep: in a user namespace the kernel refuses to
 * clear the ones the mount came locked with. */
static unsigned long locked_flags(int fd)
{
	struct statvfs st;
	unsigned long f = 0;

	if (fstatvfs(fd, &st) < 0)
		return 0;
	if (st.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (st.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (st.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (st.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (st.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (st.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	if (st.f_flag & ST_RDONLY)
		f |= MS_RDONLY;
	return f;
}

static int remount_bind(int fd, unsigned long flags, unsigned long clear, const char *dest,
			struct err *e)
{
	char fp[FDPATH_MAX];
	unsigned long f = (locked_flags(fd) & ~clear) | flags;

	if (mount(NULL, fdpath(fp, fd), NULL, MS_BIND | MS_REMOUNT | f, NULL) < 0)
		return err_sys(e, errno, "remount %s", dest);
	return 0;
}

static int set_recursive_attrs(int fd, const struct oci_mount *m, struct err *e)
{
	struct {
		uint64_t set, clear, propagation, userns;
	} attr = {m->rec_set, m->rec_clear, 0, 0};

	if (!m->rec_set && !m->rec_clear)
		return 0;
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) <
	    0)
		return err_sys(e, errno, "set recursive mount options on %s", m->destination);
	return 0;
}

/* After a mount on fd's folder, fd still names the folder under it: the
 * remounts and propagation changes go through a fresh fd of the mount. */
static int after_mount(int rootfd, const struct oci_mount *m, bool file, struct err *e)
{
	char fp[FDPATH_MAX];
	unsigned long extra = m->flags & ~(unsigned long)MS_REMOUNT;
	int fd, r = 0;

	if (!(m->bind && (extra || m->clear_flags)) && !m->propagation && !m->rec_set &&
	    !m->rec_clear)
		return 0;
	fd = open_target(rootfd, m->destination, file, e);
	if (fd < 0)
		return -1;
	if (m->bind && (extra || m->clear_flags))
		r = remount_bind(fd, extra, m->clear_flags, m->destination, e);
	if (r == 0 && m->propagation && mount(NULL, fdpath(fp, fd), NULL, m->propagation, NULL) < 0)
		r = err_sys(e, errno, "set propagation of %s", m->destination);
	if (r == 0)
		r = set_recursive_attrs(fd, m, e);
	close(fd);
	return r;
}

static int do_mount(int rootfd, const struct oci_mount *m, const struct oci_rootfs_opts *o,
		    struct err *e)
{
	char fp[FDPATH_MAX];
	struct stat st;
	bool file = false;
	int fd, r;

	if (m->bind) {
		if (stat(m->source, &st) < 0)
			return err_sys(e, errno, "mount %s: bind source %s", m->destination,
				       m->source);
		file = !S_ISDIR(st.st_mode);
	}
	fd = open_target(rootfd, m->destination, file, e);
	if (fd < 0)
		return err_wrap(e, "mount %s", m->destination);
	fdpath(fp, fd);
	if (m->bind) {
		r = mount(m->source, fp, NULL, MS_BIND | (m->recursive ? MS_REC : 0), NULL);
		if (r < 0)
			err_sys(e, errno, "bind %s on %s", m->source, m->destination);
	} else if (m->type && strcmp(m->type, "cgroup") == 0 && o->mount_cgroup) {
		char rel[PATH_MAX];

		r = rel_path(m->destination, rel, sizeof(rel), e) < 0
			    ? -1
			    : o->mount_cgroup(o->ctx, rootfd, rel, m, e);
		close(fd);
		return r; /* its read-only and propagation are its own business */
	} else {
		const char *type = m->type && strcmp(m->type, "cgroup") == 0 ? "cgroup2" : m->type;

		r = mount(m->source ? m->source : type, fp, type,
			  m->flags & ~(unsigned long)MS_REMOUNT, *m->data ? m->data : NULL);
		if (r < 0)
			err_sys(e, errno, "mount %s on %s", type ? type : "(no type)",
				m->destination);
	}
	close(fd);
	return r < 0 ? -1 : after_mount(rootfd, m, file, e);
}

static const struct oci_device default_devices[] = {
	{'c', "/dev/null", 1, 3, {true, 0666}, {true, 0}, {true, 0}},
	{'c', "/dev/zero", 1, 5, {true, 0666}, {true, 0}, {true, 0}},
	{'c', "/dev/full", 1, 7, {true, 0666}, {true, 0}, {true, 0}},
	{'c', "/dev/random", 1, 8, {true, 0666}, {true, 0}, {true, 0}},
	{'c', "/dev/urandom", 1, 9, {true, 0666}, {true, 0}, {true, 0}},
	{'c', "/dev/tty", 5, 0, {true, 0666}, {true, 0}, {true, 0}},
};

/* A device node inside the root: mknod where allowed, else (user namespace)
 * a bind mount of the host's node onto an empty file, as runc does. */
static int make_device(int rootfd, const struct oci_device *d, bool userns, struct err *e)
{
	char rel[PATH_MAX], fp[FDPATH_MAX];
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	mode_t mode = (d->file_mode.has ? (mode_t)d->file_mode.v & 07777 : 0666);
	int dirfd, fd;
	char *slash;

	if (rel_path(d->path, rel, sizeof(rel), e) < 0)
		return -1;
	slash = strrchr(rel, '/');
	if (slash)
		*slash = '\0';
	dirfd = oci_mkdir_beneath(rootfd, slash ? rel : ".", 0755, e);
	if (dirfd < 0)
		return err_wrap(e, "device %s", d->path);
	const char *base = slash ? slash + 1 : rel;
	/* Whatever the image had there (a symlink to a host file, say) goes. */
	if (unlinkat(dirfd, base, 0) < 0 && errno != ENOENT && errno != EISDIR) {
		close(dirfd);
		return err_sys(e, errno, "device %s: remove what is there", d->path);
	}
	if (!userns && mknodat(dirfd, base, type | mode, makedev(d->major, d->minor)) == 0) {
		fd = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 ||
		    fchownat(fd, "", d->uid.has ? (uid_t)d->uid.v : 0,
			     d->gid.has ? (gid_t)d->gid.v : 0, AT_EMPTY_PATH) < 0 ||
		    fchmodat(dirfd, base, mode, 0) < 0) {
			err_sys(e, errno, "device %s: set owner and mode", d->path);
			if (fd >= 0)
				close(fd);
			close(dirfd);
			return -1;
		}
		close(fd);
		close(dirfd);
		return 0;
	}
	if (!userns && errno != EPERM) {
		close(dirfd);
		return err_sys(e, errno, "mknod %s", d->path);
	}
	fd = openat(dirfd, base, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	close(dirfd);
	if (fd < 0)
		return err_sys(e, errno, "device %s: create the mount point", d->path);
	if (mount(d->path, fdpath(fp, fd), NULL, MS_BIND, NULL) < 0) {
		close(fd);
		return err_sys(e, errno, "device %s: bind the host's node", d->path);
	}
	close(fd);
	return 0;
}

static int make_dev_links(int rootfd, struct err *e)
{
	static const char *const links[][2] = {
		{"/proc/self/fd", "dev/fd"},       {"/proc/self/fd/0", "dev/stdin"},
		{"/proc/self/fd/1", "dev/stdout"}, {"/proc/self/fd/2", "dev/stderr"},
		{"pts/ptmx", "dev/ptmx"},
	};
	int devfd = path_open_beneath(rootfd, "dev", O_PATH | O_DIRECTORY, 0, e);

	if (devfd < 0)
		return err_wrap(e, "links in /dev");
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		const char *name = links[i][1] + 4;

		/* ptmx: the image's node would be the host's pty multiplexer. */
		if (i == 4)
			unlinkat(devfd, name, 0);
		if (symlinkat(links[i][0], devfd, name) < 0 && errno != EEXIST) {
			err_sys(e, errno, "symlink /%s", links[i][1]);
			close(devfd);
			return -1;
		}
	}
	close(devfd);
	return 0;
}

static bool dev_is_bind(const struct oci_spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (strcmp(s->mounts[i].destination, "/dev") == 0)
			return s->mounts[i].bind;
	return false;
}

static int make_devices(int rootfd, const struct oci_spec *s, const struct oci_rootfs_opts *o,
			struct err *e)
{
	if (dev_is_bind(s))
		return 0;
	if (oci_mkdir_beneath(rootfd, "dev", 0755, e) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
		bool given = false;

		for (size_t j = 0; j < s->lnx.n_devices; j++)
			given |= strcmp(s->lnx.devices[j].path, default_devices[i].path) == 0;
		if (!given && make_device(rootfd, &default_devices[i], o->userns, e) < 0)
			return -1;
	}
	for (size_t i = 0; i < s->lnx.n_devices; i++)
		if (make_device(rootfd, &s->lnx.devices[i], o->userns, e) < 0)
			return -1;
	return make_dev_links(rootfd, e);
}

static int switch_root(const char *rootfs, bool no_pivot, struct err *e)
{
	int oldroot, newroot, r = -1;

	if (no_pivot) {
		if (chdir(rootfs) < 0 || mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0 ||
		    chroot(".") < 0 || chdir("/") < 0)
			return err_sys(e, errno, "move the root to %s", rootfs);
		return 0;
	}
	oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0 || newroot < 0) {
		err_sys(e, errno, "open the old and the new root");
		goto out;
	}
	/* pivot_root(".", ".") stacks the old root on the new one; detaching
	 * it from there needs no folder for it inside the container. */
	if (fchdir(newroot) < 0 || syscall(SYS_pivot_root, ".", ".") < 0) {
		err_sys(e, errno, "pivot_root to %s", rootfs);
		goto out;
	}
	if (fchdir(oldroot) < 0 || mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) {
		err_sys(e, errno, "detach the old root");
		goto out;
	}
	r = 0;
out:
	if (oldroot >= 0)
		close(oldroot);
	if (newroot >= 0)
		close(newroot);
	return r;
}

int oci_rootfs_mount(const struct oci_spec *s, const struct oci_rootfs_opts *o, struct err *e)
{
	/* Private when asked, else slave: nothing mounted from here on may reach
	 * the host's mount table. Shared and unbindable would break the bind
	 * and pivot_root below; they are applied after the pivot. */
	unsigned long prop =
		s->lnx.rootfs_propagation & MS_PRIVATE ? MS_PRIVATE | MS_REC : MS_SLAVE | MS_REC;
	int rootfd, r = -1;

	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return err_sys(e, errno, "set the propagation of /");
	if (mount(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_sys(e, errno, "bind the root %s on itself", o->rootfs);
	rootfd = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_sys(e, errno, "open the root %s", o->rootfs);
	for (size_t i = 0; i < s->n_mounts; i++)
		if (do_mount(rootfd, &s->mounts[i], o, e) < 0)
			goto out;
	if (make_devices(rootfd, s, o, e) < 0)
		goto out;
	/* A cwd the image lacks is made, as runc does. */
	if (s->process && s->process->cwd) {
		char rel[PATH_MAX];
		int fd;

		if (rel_path(s->process->cwd, rel, sizeof(rel), e) < 0 ||
		    (fd = oci_mkdir_beneath(rootfd, rel, 0755, e)) < 0) {
			err_wrap(e, "process.cwd");
			goto out;
		}
		close(fd);
	}
	r = 0;
out:
	close(rootfd);
	return r;
}

int oci_rootfs_pivot(const struct oci_spec *s, const struct oci_rootfs_opts *o, struct err *e)
{
	if (switch_root(o->rootfs, o->no_pivot, e) < 0)
		return -1;
	/* The spec's propagation for the new root, now that it is the root. */
	if (s->lnx.rootfs_propagation &&
	    mount(NULL, "/", NULL, s->lnx.rootfs_propagation, NULL) < 0)
		return err_sys(e, errno, "linux.rootfsPropagation: set it on /");
	return 0;
}

/* /dev/null opened without following links and checked to be the real
 * null device: masking with a planted symlink would bind whatever it points
 * to over the masked path (runc CVE-2025-31133). */
static int open_dev_null(struct err *e)
{
	struct stat st;
	int fd = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return err_sys(e, errno, "open /dev/null");
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
		close(fd);
		return err_set(e,
			       "/dev/null is not the null device (1:3); refusing to mask with it");
	}
	return fd;
}

/* A missing path is fine: images differ in what /proc and /sys hold. */
static int mask_path(const char *path, int *nullfd, struct err *e)
{
	char fp[FDPATH_MAX];
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "mask %s", path);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) < 0)
			return err_sys(e, errno, "mask %s", path);
		return 0;
	}
	if (*nullfd < 0 && (*nullfd = open_dev_null(e)) < 0)
		return -1;
	if (mount(fdpath(fp, *nullfd), path, NULL, MS_BIND, NULL) < 0)
		return err_sys(e, errno, "mask %s", path);
	return 0;
}

static int readonly_path(const char *path, struct err *e)
{
	int fd;

	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "bind %s read-only", path);
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, errno, "open %s", path);
	int r = remount_bind(fd, MS_RDONLY, 0, path, e);
	close(fd);
	return r;
}

int oci_rootfs_finish(const struct oci_spec *s, struct err *e)
{
	int nullfd = -1, r = 0;

	for (size_t i = 0; r == 0 && i < s->lnx.n_masked_paths; i++)
		r = mask_path(s->lnx.masked_paths[i], &nullfd, e);
	if (nullfd >= 0)
		close(nullfd);
	if (r < 0)
		return -1;
	for (size_t i = 0; i < s->lnx.n_readonly_paths; i++)
		if (readonly_path(s->lnx.readonly_paths[i], e) < 0)
			return -1;
	if (s->root.readonly) {
		int fd = open("/", O_PATH | O_CLOEXEC);

		if (fd < 0)
			return err_sys(e, errno, "open /");
		r = remount_bind(fd, MS_RDONLY, 0, "/", e);
		close(fd);
	}
	return r;
}
