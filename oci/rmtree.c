/* rmtree.c - beneath-safe recursive removal. The walk goes down by openat
 * with O_NOFOLLOW and climbs back by ".." checked against the device and
 * inode seen on the way down, so it holds one folder fd at any depth. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/rmtree.h"

struct rm_level {
	char *name; /* in the parent folder */
	dev_t dev;
	ino_t ino;
};

struct rm_walk {
	struct rm_level *lv;
	size_t depth, cap;
	char path[256]; /* for messages, cut when long */
};

/* "top/a/b" of the folders entered so far (cut), to name the failing one. */
static const char *walk_path(struct rm_walk *w, const char *last)
{
	size_t n = 0;

	w->path[0] = '\0';
	for (size_t i = 0; i <= w->depth && n < sizeof(w->path); i++) {
		const char *c = i < w->depth ? w->lv[i].name : last;

		if (c)
			n += (size_t)snprintf(w->path + n, sizeof(w->path) - n, "%s%s",
					      i ? "/" : "", c);
	}
	return w->path;
}

/* A folder with mode 000 (layers have them) cannot be opened or emptied
 * until it is u+rwx. fchmodat without AT_SYMLINK_NOFOLLOW follows, so it is
 * only the fallback (no /proc for musl's emulation), after an lstat. */
static int make_enterable(int parent, const char *name)
{
	struct stat st;

	if (fchmodat(parent, name, 0700, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno == EPERM || errno == EACCES || errno == EROFS)
		return -1;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return errno = ENOTDIR, -1;
	return fchmodat(parent, name, 0700, 0);
}

static int open_for_removal(int parent, const char *name, struct stat *st)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == EACCES && make_enterable(parent, name) == 0)
		fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 ||
	    ((st->st_mode & 0700) != 0700 && fchmod(fd, (st->st_mode & 07777) | 0700) < 0)) {
		int saved = errno;

		close(fd);
		return errno = saved, -1;
	}
	return fd;
}

static int push(struct rm_walk *w, const char *name, const struct stat *st, struct err *e)
{
	if (w->depth == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 16;
		struct rm_level *n = realloc(w->lv, ncap * sizeof(*n));

		if (!n)
			return err_sys(e, ENOMEM, "remove %s", walk_path(w, name));
		w->lv = n;
		w->cap = ncap;
	}
	w->lv[w->depth].name = strdup(name);
	if (!w->lv[w->depth].name)
		return err_sys(e, ENOMEM, "remove %s", walk_path(w, name));
	w->lv[w->depth].dev = st->st_dev;
	w->lv[w->depth].ino = st->st_ino;
	w->depth++;
	return 0;
}

/* Enter the non-empty folder name of *fd, replacing *fd. */
static int descend(struct rm_walk *w, int *fd, const char *name, struct err *e)
{
	struct stat st;
	int child = open_for_removal(*fd, name, &st);

	if (child < 0)
		return err_sys(e, errno, "remove %s", walk_path(w, name));
	if (st.st_dev != w->lv[0].dev) {
		close(child);
		return err_sys(e, EBUSY, "remove %s: another file system is mounted there",
			       walk_path(w, name));
	}
	if (push(w, name, &st, e) < 0) {
		close(child);
		return -1;
	}
	close(*fd);
	*fd = child;
	return 0;
}

/* Unlink one entry of *fd; a folder is removed when empty, else entered.
 * Returns 1 when the walk went down into it. */
static int remove_entry(struct rm_walk *w, int *fd, const struct dirent *de, struct err *e)
{
	if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) {
		if (unlinkat(*fd, de->d_name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (errno == ENOTEMPTY || errno == EEXIST)
			return descend(w, fd, de->d_name, e) < 0 ? -1 : 1;
		if (errno != ENOTDIR)
			return err_sys(e, errno, "remove %s", walk_path(w, de->d_name));
	}
	if (unlinkat(*fd, de->d_name, 0) < 0 && errno != ENOENT)
		return err_sys(e, errno, "remove %s", walk_path(w, de->d_name));
	return 0;
}

/* One pass over the folder *fd. Returns 0 when it is empty now, 1 when the
 * walk went down (*fd is then the child), -1 on error. */
static int empty_pass(struct rm_walk *w, int *fd, struct err *e)
{
	int dfd = dup(*fd), r = 0;
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return err_sys(e, errno, "remove %s: read folder", walk_path(w, NULL));
	}
	rewinddir(d); /* the dup shares the offset of an earlier pass */
	while (r == 0) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				r = err_sys(e, errno, "remove %s: read folder", walk_path(w, NULL));
			break;
		}
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = remove_entry(w, fd, de, e);
	}
	closedir(d);
	return r;
}

/* Back to the parent of the empty folder *fd and remove it there. */
static int climb(struct rm_walk *w, int *fd, struct err *e)
{
	struct rm_level *up = &w->lv[w->depth - 2], *cur = &w->lv[w->depth - 1];
	int parent = openat(*fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (parent < 0)
		return err_sys(e, errno, "remove %s: open ..", walk_path(w, NULL));
	if (fstat(parent, &st) < 0 || st.st_dev != up->dev || st.st_ino != up->ino) {
		close(parent);
		return err_sys(e, ESTALE, "remove %s: the folder was moved meanwhile",
			       walk_path(w, NULL));
	}
	close(*fd);
	*fd = parent;
	if (unlinkat(parent, cur->name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return err_sys(e, errno, "remove %s", walk_path(w, NULL));
	free(cur->name);
	w->depth--;
	return 0;
}

static int rm_walk(struct rm_walk *w, int dirfd, const char *name, struct err *e)
{
	struct stat st;
	int fd = open_for_removal(dirfd, name, &st), r = 0;

	if (fd < 0)
		return err_sys(e, errno, "remove %s", name);
	if (push(w, name, &st, e) < 0) {
		close(fd);
		return -1;
	}
	while (r >= 0) {
		r = empty_pass(w, &fd, e);
		if (r == 0 && w->depth == 1)
			break;
		if (r == 0)
			r = climb(w, &fd, e);
	}
	close(fd);
	if (r < 0)
		return -1;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return err_sys(e, errno, "remove %s", name);
	return 0;
}

int oci_rm_tree(int dirfd, const char *name, struct err *e)
{
	struct rm_walk w = {0};
	struct stat st;
	int r;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return err_sys(e, EINVAL, "remove \"%s\": not a name in a folder", name);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "remove %s", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return err_sys(e, errno, "remove %s", name);
		return 0;
	}
	if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	if (errno != ENOTEMPTY && errno != EEXIST)
		return err_sys(e, errno, "remove %s", name);
	r = rm_walk(&w, dirfd, name, e);
	while (w.depth > 0)
		free(w.lv[--w.depth].name);
	free(w.lv);
	return r;
}

int oci_rm_contents(int dirfd, struct err *e)
{
	char name[NAME_MAX + 1];
	struct dirent *de;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), found, r = 0;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return err_sys(e, errno, "open a folder to empty it");
	}
	/* Removing while reading may shift the stream: read again until empty. */
	do {
		found = 0;
		while (r == 0 && (de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			found = 1;
			memcpy(name, de->d_name, strlen(de->d_name) + 1);
			r = oci_rm_tree(dirfd, name, e);
		}
		rewinddir(d);
	} while (r == 0 && found);
	closedir(d);
	return r;
}
