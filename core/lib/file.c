/* file.c - whole writes and reads, durable atomic replace, mkdir -p. The state
 * on disk must be intact after a power cut at any instant (DESIGN.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

int file_write_full(int fd, const void *buf, size_t len, struct err *e)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(e, errno, "write");
		if (n == 0)
			return err_sys(e, EIO, "write returned 0");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int file_read_full(int fd, void *buf, size_t len, struct err *e)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(e, errno, "read");
		if (n == 0)
			return err_sys(e, EIO, "unexpected end of file");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The buffer holds up to max + 1 bytes and a NUL: one byte past the cap is
 * how an over-size file is told from one exactly at the cap. st_size is only
 * a first guess (procfs files say 0, files grow). */
static size_t first_cap(int fd, size_t max)
{
	struct stat st;
	size_t want = 4096;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		want = (size_t)st.st_size + 2;
	return want < max + 2 ? want : max + 2;
}

static int grow(char **p, size_t *cap, size_t max, struct err *e)
{
	size_t ncap = *cap > (max + 2) / 2 ? max + 2 : *cap * 2;
	char *q = realloc(*p, ncap);

	if (!q)
		return err_sys(e, ENOMEM, "read");
	*p = q;
	*cap = ncap;
	return 0;
}

int file_read_fd(int fd, size_t max, char **buf, size_t *len, struct err *e)
{
	size_t cap, n = 0;
	char *p;
	ssize_t r;

	if (max > (size_t)-1 / 2)
		max = (size_t)-1 / 2;
	cap = first_cap(fd, max);
	p = malloc(cap);
	if (!p)
		return err_sys(e, ENOMEM, "read");
	for (;;) {
		if (n + 1 == cap && grow(&p, &cap, max, e) < 0)
			goto fail;
		r = read(fd, p + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_sys(e, errno, "read");
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			err_sys(e, EFBIG, "larger than %zu bytes", max);
			goto fail;
		}
	}
	p[n] = '\0';
	*buf = p;
	if (len)
		*len = n;
	return 0;
fail:
	free(p);
	return -1;
}

int file_read_all(const char *path, size_t max, char **buf, size_t *len, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int ret;

	if (fd < 0)
		return err_sys(e, errno, "open %s", path);
	ret = file_read_fd(fd, max, buf, len, e);
	close(fd);
	if (ret < 0)
		return err_wrap(e, "read %s", path);
	return 0;
}

int file_fsync_dir(const char *path, struct err *e)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_sys(e, errno, "open folder %s", path);
	if (fsync(fd) < 0) {
		int saved = errno;

		close(fd);
		return err_sys(e, saved, "fsync folder %s", path);
	}
	close(fd);
	return 0;
}

/* mkdir one component; something already there must be a folder. */
static int mkdir_one(const char *path, mode_t mode, struct err *e)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return err_sys(e, errno, "mkdir %s", path);
	if (stat(path, &st) < 0)
		return err_sys(e, errno, "stat %s", path);
	if (!S_ISDIR(st.st_mode))
		return err_sys(e, ENOTDIR, "mkdir %s", path);
	return 0;
}

int file_mkdir_p(const char *path, mode_t mode, struct err *e)
{
	char buf[PATH_MAX];
	size_t len = strlen(path), i;

	if (len == 0)
		return err_sys(e, ENOENT, "mkdir: empty path");
	if (len >= sizeof(buf))
		return err_sys(e, ENAMETOOLONG, "mkdir %.64s...", path);
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		if (buf[i - 1] == '/')
			continue; /* "a//b" or a trailing "/" */
		buf[i] = '\0';
		if (mkdir_one(buf, mode, e) < 0)
			return -1;
		buf[i] = path[i];
	}
	return 0;
}

/* Temp names start with "." and contain ".tmp." so that a cleanup after a
 * crash can recognise them; pid and counter make them unique, O_EXCL sure. */
static int open_temp(struct file_atomic *fa, const char *name, mode_t mode, struct err *e)
{
	static unsigned counter;
	int tries;

	for (tries = 0; tries < 100; tries++) {
		unsigned c = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);

		snprintf(fa->tmp, sizeof(fa->tmp), ".%.200s.tmp.%ld.%u", name, (long)getpid(), c);
		fa->fd = openat(fa->dirfd, fa->tmp,
				O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fa->fd >= 0)
			break;
		if (errno != EEXIST)
			break;
	}
	if (fa->fd < 0) {
		fa->tmp[0] = '\0'; /* not ours: abort must not unlink it */
		return err_sys(e, errno, "create temp file for %s", fa->path);
	}
	if (fchmod(fa->fd, mode) < 0)
		return err_sys(e, errno, "chmod temp file for %s", fa->path);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The folder is opened for reading, not O_PATH: fsync needs a real fd. */
static int open_folder(struct file_atomic *fa, int dirfd, struct err *e)
{
	const char *name = base_name(fa->path);
	char dir[PATH_MAX];
	size_t dlen = (size_t)(name - fa->path);

	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return err_sys(e, EISDIR, "write %s: not a file name", fa->path);
	if (dlen == 0)
		memcpy(dir, ".", 2);
	else if (dlen == 1)
		memcpy(dir, "/", 2);
	else
		memcpy(dir, fa->path, dlen - 1), dir[dlen - 1] = '\0';
	fa->dirfd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fa->dirfd < 0)
		return err_sys(e, errno, "open folder of %s", fa->path);
	return 0;
}

int file_atomic_open(struct file_atomic *fa, int dirfd, const char *path, mode_t mode,
		     struct err *e)
{
	size_t len = strlen(path);

	fa->fd = -1;
	fa->dirfd = -1;
	fa->tmp[0] = '\0';
	fa->no_sync = false;
	if (len >= sizeof(fa->path)) {
		fa->path[0] = '\0';
		return err_sys(e, ENAMETOOLONG, "write %.64s...", path);
	}
	memcpy(fa->path, path, len + 1);
	if (open_folder(fa, dirfd, e) < 0 || open_temp(fa, base_name(path), mode, e) < 0) {
		file_atomic_abort(fa);
		return -1;
	}
	return 0;
}

void file_atomic_abort(struct file_atomic *fa)
{
	int saved = errno;

	if (fa->fd >= 0)
		close(fa->fd);
	if (fa->tmp[0] && fa->dirfd >= 0)
		unlinkat(fa->dirfd, fa->tmp, 0);
	if (fa->dirfd >= 0)
		close(fa->dirfd);
	fa->fd = -1;
	fa->dirfd = -1;
	fa->tmp[0] = '\0';
	errno = saved;
}

/* close() is checked: on NFS and some FUSE file systems the write error
 * arrives there. Once renamed, a failing folder fsync can no longer undo the
 * replace; it is still reported, the data may not be durable. */
int file_atomic_commit(struct file_atomic *fa, struct err *e)
{
	const char *what = "fsync";
	int fd = fa->fd, ret;

	if (fd < 0 || fa->dirfd < 0)
		return err_sys(e, EBADF, "commit %s: not open", fa->path);
	if (!fa->no_sync && fsync(fd) < 0)
		goto fail;
	fa->fd = -1;
	what = "close";
	if (close(fd) < 0)
		goto fail;
	what = "rename";
	if (renameat(fa->dirfd, fa->tmp, fa->dirfd, base_name(fa->path)) < 0)
		goto fail;
	fa->tmp[0] = '\0';
	ret = fa->no_sync ? 0 : fsync(fa->dirfd);
	if (ret < 0)
		err_sys(e, errno, "write %s: fsync folder", fa->path);
	file_atomic_abort(fa);
	return ret < 0 ? -1 : 0;
fail:
	err_sys(e, errno, "write %s: %s", fa->path, what);
	file_atomic_abort(fa);
	return -1;
}

static int write_whole(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
		       bool no_sync, struct err *e)
{
	struct file_atomic fa;

	if (file_atomic_open(&fa, dirfd, path, mode, e) < 0)
		return -1;
	fa.no_sync = no_sync;
	if (file_write_full(fa.fd, data, len, e) < 0) {
		file_atomic_abort(&fa);
		return err_wrap(e, "write %s", path);
	}
	return file_atomic_commit(&fa, e);
}

int file_write_atomic(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
		      struct err *e)
{
	return write_whole(dirfd, path, data, len, mode, false, e);
}

int file_write_replace(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
		       struct err *e)
{
	return write_whole(dirfd, path, data, len, mode, true, e);
}
