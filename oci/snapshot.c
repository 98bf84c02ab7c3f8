/* snapshot.c - the table of compiled-in snapshotters, picking one by probing,
 * and the beneath-safe tree removal they share. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/snapshot.h"

/* In order of preference. A configured-out entry folds to NULL at compile
 * time, so its symbol is never referenced. */
static const struct oci_snapshotter *const snapshotters[] = {
	CFG_SNAPSHOT_OVERLAY ? &oci_snapshotter_overlay : NULL,
	CFG_SNAPSHOT_COPY ? &oci_snapshotter_copy : NULL,
};
#define NSNAP (sizeof(snapshotters) / sizeof(snapshotters[0]))

const struct oci_snapshotter *oci_snapshotter_find(const char *name)
{
	for (size_t i = 0; i < NSNAP; i++)
		if (snapshotters[i] && !strcmp(snapshotters[i]->name, name))
			return snapshotters[i];
	return NULL;
}

static void compiled_in(char *out, size_t size)
{
	size_t len = 0;

	out[0] = 0;
	for (size_t i = 0; i < NSNAP && len < size; i++)
		if (snapshotters[i])
			len += snprintf(out + len, size - len, "%s%s", len ? ", " : "",
					snapshotters[i]->name);
	if (!out[0])
		snprintf(out, size, "none");
}

const struct oci_snapshotter *oci_snapshotter_pick(const char *dir, const char *name, struct err *e)
{
	char have[64], why[ERR_MSG_MAX] = "";
	size_t len = 0;
	struct err pe;

	if (name) {
		const struct oci_snapshotter *s = oci_snapshotter_find(name);

		if (!s) {
			compiled_in(have, sizeof(have));
			err_set(e, "snapshotter %s: not compiled in (this build has: %s)", name,
				have);
			return NULL;
		}
		if (s->probe(dir, e) < 0) {
			err_wrap(e, "snapshotter %s", name);
			return NULL;
		}
		return s;
	}
	for (size_t i = 0; i < NSNAP; i++) {
		if (!snapshotters[i])
			continue;
		err_clear(&pe);
		if (snapshotters[i]->probe(dir, &pe) == 0)
			return snapshotters[i];
		if (len < sizeof(why))
			len += snprintf(why + len, sizeof(why) - len, "%s%s: %s", len ? "; " : "",
					snapshotters[i]->name, pe.msg);
	}
	if (!len)
		err_set(e, "no snapshotter is usable under %s: none compiled in", dir);
	else
		err_set(e, "no snapshotter is usable under %s (%s)", dir, why);
	return NULL;
}

/* ---------------------------------------------------------------- removal */

/* Folders held open at once while removing: two fds per level. */
#define RM_MAX_DEPTH 256

struct rm_ctx {
	dev_t dev; /* the filesystem removal stays on */
	char path[PATH_MAX]; /* what is being removed, relative, for messages */
	size_t len;
};

static int rm_at(struct rm_ctx *c, int dirfd, const char *name, int depth, struct err *e);

/* Remove every entry of the open folder fd (owned: closed here). Entries
 * removed while reading may shift the stream, so read again until empty. */
static int rm_entries(struct rm_ctx *c, int fd, int depth, struct err *e)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	int found;

	if (!d) {
		close(fd);
		return err_sys(e, errno, "remove %s: read folder", c->path);
	}
	do {
		found = 0;
		errno = 0;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			found = 1;
			if (rm_at(c, dirfd(d), de->d_name, depth + 1, e) < 0) {
				closedir(d);
				return -1;
			}
			errno = 0;
		}
		if (errno) {
			closedir(d);
			return err_sys(e, errno, "remove %s: read folder", c->path);
		}
		rewinddir(d);
	} while (found);
	closedir(d);
	return 0;
}

/* Open the folder dirfd/name for reading without following a symlink,
 * after making it u+rwx through an O_PATH handle (no race with a rename). */
static int rm_open_dir(struct rm_ctx *c, int dirfd, const char *name, struct err *e)
{
	char proc[64];
	struct stat st;
	int pfd, fd;

	pfd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return err_sys(e, errno, "remove %s: open", c->path);
	if (fstat(pfd, &st) < 0) {
		close(pfd);
		return err_sys(e, errno, "remove %s: stat", c->path);
	}
	if (st.st_dev != c->dev) {
		close(pfd);
		return err_sys(e, EBUSY, "remove %s: another filesystem is mounted there", c->path);
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	if ((st.st_mode & 0700) != 0700 && chmod(proc, (st.st_mode | 0700) & 07777) < 0) {
		close(pfd);
		return err_sys(e, errno, "remove %s: chmod u+rwx", c->path);
	}
	fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(pfd);
	if (fd < 0)
		return err_sys(e, errno, "remove %s: open", c->path);
	return fd;
}

static int rm_at(struct rm_ctx *c, int dirfd, const char *name, int depth, struct err *e)
{
	size_t old = c->len, nl = strlen(name);
	struct stat st;
	int fd, rc = -1;

	if (old + 1 + nl >= sizeof(c->path))
		return err_sys(e, ENAMETOOLONG, "remove %s/%s", c->path, name);
	c->len += (size_t)snprintf(c->path + old, sizeof(c->path) - old, "%s%s", old ? "/" : "",
				   name);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rc = errno == ENOENT ? 0 : err_sys(e, errno, "remove %s: stat", c->path);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			err_sys(e, errno, "remove %s", c->path);
		else
			rc = 0;
		goto out;
	}
	if (depth > RM_MAX_DEPTH) {
		err_sys(e, ELOOP, "remove %s: folders nested too deep", c->path);
		goto out;
	}
	fd = rm_open_dir(c, dirfd, name, e);
	if (fd < 0 || rm_entries(c, fd, depth, e) < 0)
		goto out;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		err_sys(e, errno, "remove %s", c->path);
	else
		rc = 0;
out:
	c->len = old;
	c->path[old] = 0;
	return rc;
}

int oci_snapshot_remove_tree(int dirfd, const char *name, struct err *e)
{
	struct rm_ctx c = {.len = 0};
	struct stat st;

	if (fstat(dirfd, &st) < 0)
		return err_sys(e, errno, "remove %s: stat its folder", name);
	c.dev = st.st_dev;
	return rm_at(&c, dirfd, name, 0, e);
}

int oci_snapshot_empty_dir(int fd, struct err *e)
{
	struct rm_ctx c = {.path = ".", .len = 1};
	struct stat st;
	int dfd;

	if (fstat(fd, &st) < 0)
		return err_sys(e, errno, "empty a folder: stat");
	c.dev = st.st_dev;
	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0)
		return err_sys(e, errno, "empty a folder: dup");
	return rm_entries(&c, dfd, 0, e);
}
