/* unpack-make.c - each kind of tar entry made inside its parent folder with
 * *at() calls that never follow a symlink, and its metadata set. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "oci/rmtree.h"
#include "oci/unpack-priv.h"

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* libarchive's error, or the stream's when that is what failed. */
int unpack_arch_err(struct unpack *u, const char *what, struct err *e)
{
	if (u->src_failed) {
		*e = u->src_err;
		return -1;
	}
	return err_set(e, "%s: %s", what,
		       archive_error_string(u->a) ? archive_error_string(u->a) : "tar error");
}

int unpack_clear_for(int pfd, const char *name, int keep_dir, struct err *e)
{
	struct stat st;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "inspect what is there");
	if (S_ISDIR(st.st_mode)) {
		if (keep_dir)
			return 1;
		return oci_rm_tree(pfd, name, e);
	}
	if (unlinkat(pfd, name, 0) < 0 && errno != ENOENT)
		return err_sys(e, errno, "remove what is there");
	return 0;
}

static int xattr_ignored(const char *name, int err, const struct oci_unpack_opts *o)
{
	if (err == EOPNOTSUPP && starts(name, "user."))
		return 1;
	return !o->same_owner && (err == EPERM || err == EOPNOTSUPP) &&
	       (starts(name, "trusted.") || starts(name, "security."));
}

/* Set the entry's xattrs through fd, or (fd < 0) on name in pfd without
 * following it, through the /proc path of the parent. */
static int set_xattrs(struct unpack *u, struct archive_entry *ent, int fd, int pfd,
		      const char *name, struct err *e)
{
	const char *key;
	const void *val;
	size_t size;
	char proc[64 + NAME_MAX];
	int r;

	if (archive_entry_xattr_reset(ent) == 0)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", pfd, name);
	while (archive_entry_xattr_next(ent, &key, &val, &size) == ARCHIVE_OK) {
		if (starts(key, "trusted.overlay.") || starts(key, "user.overlay."))
			continue;
		r = fd >= 0 ? fsetxattr(fd, key, val, size, 0) : lsetxattr(proc, key, val, size, 0);
		if (r < 0 && !xattr_ignored(key, errno, u->o))
			return err_sys(e, errno, "set xattr %s", key);
	}
	return 0;
}

void unpack_times(struct archive_entry *ent, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(ent);
	ts[1].tv_nsec = archive_entry_mtime_nsec(ent);
	if (!archive_entry_mtime_is_set(ent))
		ts[1].tv_nsec = UTIME_OMIT;
	ts[0] = ts[1];
	if (archive_entry_atime_is_set(ent)) {
		ts[0].tv_sec = archive_entry_atime(ent);
		ts[0].tv_nsec = archive_entry_atime_nsec(ent);
	}
}

int unpack_owner(struct archive_entry *ent, uid_t *uid, gid_t *gid, struct err *e)
{
	int64_t u = archive_entry_uid(ent), g = archive_entry_gid(ent);

	if (u < 0 || u >= UINT32_MAX || g < 0 || g >= UINT32_MAX)
		return err_set(e, "owner %lld:%lld out of range", (long long)u, (long long)g);
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

/* Owner, then mode (chown clears setuid), then xattrs (chown clears
 * security.capability), then times; on fd when >= 0, else on name. */
static int set_meta(struct unpack *u, struct archive_entry *ent, int fd, int pfd, const char *name,
		    struct err *e)
{
	mode_t mode = archive_entry_perm(ent) & 07777;
	int islnk = archive_entry_filetype(ent) == AE_IFLNK;
	struct timespec ts[2];
	uid_t uid;
	gid_t gid;

	if (u->o->same_owner) {
		if (unpack_owner(ent, &uid, &gid, e) < 0)
			return -1;
		if ((fd >= 0 ? fchown(fd, uid, gid)
			     : fchownat(pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW)) < 0)
			return err_sys(e, errno, "chown %u:%u", uid, gid);
	}
	/* Only what this function just made is there: mode 0 on a node made by
	 * us cannot be a symlink, so fchmodat may follow. */
	if (!islnk && (fd >= 0 ? fchmod(fd, mode) : fchmodat(pfd, name, mode, 0)) < 0)
		return err_sys(e, errno, "chmod %o", mode);
	if (set_xattrs(u, ent, fd, pfd, name, e) < 0)
		return -1;
	unpack_times(ent, ts);
	if ((fd >= 0 ? futimens(fd, ts) : utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW)) < 0)
		return err_sys(e, errno, "set times");
	return 0;
}

static int write_all(int fd, const void *p, size_t n, int64_t off, struct err *e)
{
	ssize_t w;

	while (n > 0) {
		w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return err_sys(e, errno, "write");
		p = (const char *)p + w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/* Writeback is started every this many bytes of a file (and at its end):
 * the layer's commit must flush it all (syncfs) anyway, and started early
 * the disk works while we decompress, instead of in one stall at the end;
 * dirty page cache stays bounded on small devices too. A hint: errors
 * (a filesystem without it) are ignored. */
#define WRITEBACK_STEP (8 << 20)

/* Contents block by block at their offsets: sparse entries keep holes. */
static int copy_data(struct unpack *u, struct archive_entry *ent, int fd, struct err *e)
{
	const void *p;
	size_t n;
	la_int64_t off, end = 0, started = 0;
	int r;

	for (;;) {
		r = archive_read_data_block(u->a, &p, &n, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return unpack_arch_err(u, "read the contents", e);
		if (off < 0 || write_all(fd, p, n, off, e) < 0)
			return off < 0 ? err_set(e, "bad offset") : -1;
		u->res.bytes += n;
		if (off + (la_int64_t)n > end)
			end = off + (la_int64_t)n;
		if (end - started >= WRITEBACK_STEP) {
			sync_file_range(fd, started, end - started, SYNC_FILE_RANGE_WRITE);
			started = end;
		}
	}
	if (end > started)
		sync_file_range(fd, started, end - started, SYNC_FILE_RANGE_WRITE);
	if (archive_entry_size_is_set(ent) && archive_entry_size(ent) > end &&
	    ftruncate(fd, (off_t)archive_entry_size(ent)) < 0)
		return err_sys(e, errno, "extend to %lld bytes",
			       (long long)archive_entry_size(ent));
	return 0;
}

int unpack_make_file(struct unpack *u, struct archive_entry *ent, int pfd, const char *name,
		     struct err *e)
{
	int fd, r;

	if (unpack_clear_for(pfd, name, 0, e) < 0)
		return -1;
	fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(e, errno, "create");
	r = copy_data(u, ent, fd, e);
	if (r == 0)
		r = set_meta(u, ent, fd, pfd, name, e);
	if (close(fd) < 0 && r == 0)
		r = err_sys(e, errno, "close");
	return r;
}

int unpack_make_symlink(struct unpack *u, struct archive_entry *ent, int pfd, const char *name,
			struct err *e)
{
	const char *target = archive_entry_symlink(ent);

	if (!target || !*target)
		return err_set(e, "symlink with an empty target");
	if (strlen(target) >= PATH_MAX)
		return err_sys(e, ENAMETOOLONG, "symlink target");
	if (unpack_clear_for(pfd, name, 0, e) < 0)
		return -1;
	if (symlinkat(target, pfd, name) < 0)
		return err_sys(e, errno, "create symlink");
	return set_meta(u, ent, -1, pfd, name, e);
}

int unpack_make_node(struct unpack *u, struct archive_entry *ent, int pfd, const char *name,
		     struct err *e)
{
	mode_t type = archive_entry_filetype(ent);

	if (type != AE_IFIFO && !u->o->allow_devices)
		return err_set(e, "device node refused (devices are not allowed in this layer)");
	if (unpack_clear_for(pfd, name, 0, e) < 0)
		return -1;
	if (mknodat(pfd, name, type | 0600, type == AE_IFIFO ? 0 : archive_entry_rdev(ent)) < 0)
		return err_sys(e, errno, "mknod");
	return set_meta(u, ent, -1, pfd, name, e);
}

/* An existing folder keeps its contents (a later layer's entry for a folder
 * only changes its metadata); the metadata waits for unpack_dirs_finish. */
int unpack_make_dir(struct unpack *u, struct archive_entry *ent, int pfd, const char *name,
		    struct err *e)
{
	int r, fd;

	r = unpack_clear_for(pfd, name, 1, e);
	if (r < 0)
		return -1;
	if (r == 0 && mkdirat(pfd, name, 0700) < 0)
		return err_sys(e, errno, "mkdir");
	if (archive_entry_xattr_count(ent) > 0) {
		fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return err_sys(e, errno, "open the new folder");
		r = set_xattrs(u, ent, fd, pfd, name, e);
		close(fd);
		if (r < 0)
			return -1;
	}
	return unpack_dirs_record(u, ent, e);
}

/* The target is looked up like any entry (no "..", no symlinked parent) and
 * must be a regular file: a link to a symlink, a device or a folder is
 * refused, as is one to a file that is not there. */
int unpack_make_hardlink(struct unpack *u, struct archive_entry *ent, int pfd, const char *name,
			 struct err *e)
{
	char tpath[PATH_MAX];
	size_t tbase;
	struct stat st;
	int tfd, r = 0;

	if (unpack_clean_path(archive_entry_hardlink(ent), tpath, &tbase, e) < 0)
		return err_wrap(e, "hard link target");
	if (!tpath[0])
		return err_set(e, "hard link to the layer root");
	tfd = unpack_walk(u->root, tpath, tbase ? tbase - 1 : 0, 0, e);
	if (tfd < 0)
		return err_wrap(e, "hard link target %.200s", tpath);
	if (fstatat(tfd, tpath + tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
		r = err_sys(e, errno, "hard link target %.200s", tpath);
	else if (!S_ISREG(st.st_mode))
		r = err_set(e, "hard link target %.200s is not a regular file", tpath);
	else if (strcmp(tpath, u->path) == 0)
		r = 0; /* a link to itself: already there */
	else if (unpack_clear_for(pfd, name, 0, e) < 0)
		r = -1;
	else if (linkat(tfd, tpath + tbase, pfd, name, 0) < 0)
		r = err_sys(e, errno, "hard link to %.200s", tpath);
	close(tfd);
	return r;
}
