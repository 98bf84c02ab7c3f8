/* path.c - keep untrusted paths inside a root: lexical clean and join, and an
 * open that resolves symlinks scoped to a root fd (openat2 or a careful walk). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "path.h"

#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#else
/* The kernel ABI (include/uapi/linux/openat2.h); musl has no kernel headers. */
struct open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_IN_ROOT 0x10
#endif

/* Old libc headers without the number: always walk. */
#ifdef SYS_openat2
#define HAVE_OPENAT2 1
#else
#define HAVE_OPENAT2 0
#define SYS_openat2 (-1L)
#endif

/* Appends one component to out[0..*w) after a "/" unless out is "" or "/". */
static int append(char *out, size_t size, size_t *w, const char *s, size_t len)
{
	int sep = *w > 0 && out[*w - 1] != '/';

	if (*w + (size_t)sep + len + 1 > size)
		return -1;
	if (sep)
		out[(*w)++] = '/';
	memcpy(out + *w, s, len);
	*w += len;
	return 0;
}

/* floor is where ".." can no longer pop: after the root "/" or after the
 * leading ".." of a relative path. */
static int clean(const char *in, size_t n, int rooted, char *out, size_t size)
{
	size_t r = 0, w = 0, floor, s;

	if (size < 2)
		return -1;
	if (rooted)
		out[w++] = '/';
	floor = w;
	while (r < n) {
		for (s = r; r < n && in[r] != '/'; r++)
			;
		if (r == s || (r - s == 1 && in[s] == '.')) {
			r++;
			continue;
		}
		if (r - s == 2 && in[s] == '.' && in[s + 1] == '.') {
			if (w > floor) {
				while (w > floor && out[w - 1] != '/')
					w--;
				if (w > floor)
					w--;
			} else if (!rooted) {
				if (append(out, size, &w, "..", 2) < 0)
					return -1;
				floor = w;
			}
		} else if (append(out, size, &w, in + s, r - s) < 0) {
			return -1;
		}
		r++;
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return 0;
}

int path_clean(const char *in, char *out, size_t outsize, struct err *e)
{
	if (clean(in, strlen(in), in[0] == '/', out, outsize) < 0)
		return err_sys(e, ENAMETOOLONG, "clean path %.64s", in);
	return 0;
}

/* R + U where R is the clean root and U the clean untrusted path made
 * absolute: "/" + U is U, "." + U is U without its "/", R + "/" is R. */
int path_join_under_n(const char *root, const char *untrusted, size_t len, char *out,
		      size_t outsize, struct err *e)
{
	char rel[PATH_MAX];
	const char *tail = rel;
	size_t rlen;
	int shown = len < 64 ? (int)len : 64;

	if (memchr(untrusted, '\0', len))
		return err_sys(e, EINVAL, "path %s: contains a NUL byte", untrusted);
	if (clean(untrusted, len, 1, rel, sizeof(rel)) < 0 ||
	    clean(root, strlen(root), root[0] == '/', out, outsize) < 0)
		goto toolong;
	rlen = strlen(out);
	if (strcmp(out, "/") == 0) {
		rlen = 0;
	} else if (strcmp(out, ".") == 0) {
		rlen = 0;
		tail = rel[1] ? rel + 1 : ".";
	} else if (!rel[1]) {
		tail = "";
	}
	if (rlen + strlen(tail) + 1 > outsize)
		goto toolong;
	memcpy(out + rlen, tail, strlen(tail) + 1);
	return 0;
toolong:
	return err_sys(e, ENAMETOOLONG, "join %.*s under %.64s", shown, untrusted, root);
}

int path_join_under(const char *root, const char *untrusted, char *out, size_t outsize,
		    struct err *e)
{
	return path_join_under_n(root, untrusted, strlen(untrusted), out, outsize, e);
}

static int force_fallback;

void path_force_fallback(int force)
{
	force_fallback = force;
}

/* State of the fallback walk. Only real folders (never symlinks) enter done,
 * so ".." can be resolved by walking done again from the root: an fd's own
 * ".." could lead out of the root if a folder is moved meanwhile.
 * What the walk cannot see, unlike the kernel, is a folder it already holds
 * being renamed out of the root during the walk; that needs write access
 * both inside and outside the root, which a container does not have. */
#define WALK_BUDGET 16384 /* opens per lookup; ".." re-walks cost O(depth) */

struct walk {
	int root; /* borrowed */
	int cur; /* owned O_PATH fd of the folder reached; -1: root */
	int links; /* symlinks followed so far */
	int budget; /* opens left before giving up with ELOOP */
	size_t dlen;
	size_t pos; /* next unread byte of rest */
	char done[PATH_MAX]; /* "/a/b": real folders from root to cur */
	char rest[PATH_MAX]; /* what is still to resolve */
};

static int here(const struct walk *w)
{
	return w->cur >= 0 ? w->cur : w->root;
}

static void set_cur(struct walk *w, int fd)
{
	if (w->cur >= 0)
		close(w->cur);
	w->cur = fd;
}

/* Opens name in the current folder without following it. */
static int peek(struct walk *w, const char *name, struct stat *st)
{
	int fd;

	if (--w->budget < 0) {
		errno = ELOOP; /* a crafted path of "x/x/../.." repeated */
		return -1;
	}
	fd = openat(here(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Make fd (a real folder named name, owned from now on) the current one. */
static int push(struct walk *w, int fd, const char *name)
{
	size_t len = strlen(name);

	if (w->dlen + 1 + len >= sizeof(w->done)) {
		close(fd);
		errno = ENAMETOOLONG;
		return -1;
	}
	set_cur(w, fd);
	w->done[w->dlen++] = '/';
	memcpy(w->done + w->dlen, name, len + 1);
	w->dlen += len;
	return 0;
}

/* "..": drop the last folder of done and walk to its parent from the root.
 * A folder that is no longer one means the tree changed under us: EAGAIN,
 * as openat2 says in the same case. */
static int up(struct walk *w)
{
	char again[PATH_MAX];
	char *name, *save = NULL;
	struct stat st;
	int fd;

	if (w->dlen == 0)
		return 0; /* ".." at the root stays at the root */
	while (w->done[w->dlen - 1] != '/')
		w->dlen--;
	w->done[--w->dlen] = '\0';
	memcpy(again, w->done, w->dlen + 1);
	set_cur(w, -1);
	w->dlen = 0;
	for (name = strtok_r(again, "/", &save); name; name = strtok_r(NULL, "/", &save)) {
		fd = peek(w, name, &st);
		if (fd >= 0 && !S_ISDIR(st.st_mode)) {
			close(fd);
			errno = EAGAIN;
			return -1;
		}
		if (fd < 0 || push(w, fd, name) < 0)
			return -1;
	}
	return 0;
}

/* Replace the link just read with its target in front of what is left. An
 * absolute target starts again at the root, as it would under chroot. */
static int follow(struct walk *w, int linkfd)
{
	char target[PATH_MAX], *left = w->rest + w->pos;
	ssize_t n;
	size_t tlen, llen = strlen(left);

	if (++w->links > PATH_MAX_SYMLINKS) {
		errno = ELOOP;
		return -1;
	}
	n = readlinkat(linkfd, "", target, sizeof(target));
	if (n < 0)
		return -1;
	tlen = (size_t)n;
	if (tlen == 0 || tlen == sizeof(target) || tlen + 1 + llen >= sizeof(w->rest)) {
		errno = tlen == 0 ? ENOENT : ENAMETOOLONG;
		return -1;
	}
	if (target[0] == '/') {
		set_cur(w, -1);
		w->dlen = 0;
		w->done[0] = '\0';
	}
	memmove(w->rest + tlen + (llen ? 1 : 0), left, llen + 1);
	memcpy(w->rest, target, tlen);
	if (llen)
		w->rest[tlen] = '/';
	w->pos = 0;
	return 0;
}

/* Next component of rest into name. Returns 1 when there is none; sets
 * *last when nothing but slashes follows, *slash when a slash does. */
static int next(struct walk *w, char *name, int *last, int *slash)
{
	const char *p = w->rest + w->pos, *s;

	while (*p == '/')
		p++;
	if (!*p)
		return 1;
	for (s = p; *p && *p != '/'; p++)
		;
	if ((size_t)(p - s) > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(name, s, (size_t)(p - s));
	name[p - s] = '\0';
	/* pos stays before the slashes: a link followed here keeps them */
	w->pos = (size_t)(p - w->rest);
	*slash = *p == '/';
	while (*p == '/')
		p++;
	*last = !*p;
	return 0;
}

/* An intermediate component: follow a link, enter a folder, else ENOTDIR. */
static int step(struct walk *w, const char *name)
{
	struct stat st;
	int fd = peek(w, name, &st), ret;

	if (fd < 0)
		return -1;
	if (S_ISLNK(st.st_mode)) {
		ret = follow(w, fd);
		close(fd);
		return ret;
	}
	if (!S_ISDIR(st.st_mode)) {
		close(fd);
		errno = ENOTDIR;
		return -1;
	}
	return push(w, fd, name);
}

#define FOLLOWED (-2)

/* The last component. A link is followed unless open(2) would not follow
 * it either (O_NOFOLLOW, O_CREAT|O_EXCL); the open itself always carries
 * O_NOFOLLOW, so a link swapped in after the check fails with ELOOP. */
static int last(struct walk *w, const char *name, int slash, int flags, mode_t mode)
{
	int nofollow = (flags & O_NOFOLLOW) || ((flags & O_CREAT) && (flags & O_EXCL));
	struct stat st;
	int fd, ret;

	if (!nofollow) {
		fd = peek(w, name, &st);
		if (fd >= 0 && S_ISLNK(st.st_mode)) {
			ret = follow(w, fd);
			close(fd);
			return ret < 0 ? -1 : FOLLOWED;
		}
		if (fd >= 0)
			close(fd);
		else if (errno != ENOENT)
			return -1;
	}
	if (slash && (flags & O_CREAT)) {
		errno = EISDIR;
		return -1;
	}
	if (slash)
		flags |= O_DIRECTORY;
	return openat(here(w), name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
}

static int walk(struct walk *w, int flags, mode_t mode)
{
	char name[NAME_MAX + 1];
	int is_last, slash, ret;

	for (;;) {
		ret = next(w, name, &is_last, &slash);
		if (ret < 0)
			return -1;
		if (ret == 1)
			return openat(here(w), ".", flags | O_NOFOLLOW | O_CLOEXEC, mode);
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0)
			ret = up(w);
		else if (!is_last)
			ret = step(w, name);
		else if ((ret = last(w, name, slash, flags, mode)) == FOLLOWED)
			continue;
		else
			return ret;
		if (ret < 0)
			return -1;
	}
}

static int open_walk(int rootfd, const char *relpath, int flags, mode_t mode)
{
	struct walk w = {.root = rootfd, .cur = -1, .budget = WALK_BUDGET};
	size_t len = strlen(relpath);
	int fd;

	if (len == 0 || len >= sizeof(w.rest)) {
		errno = len ? ENAMETOOLONG : ENOENT; /* "" is ENOENT for open(2) too */
		return -1;
	}
	memcpy(w.rest, relpath, len + 1);
	fd = walk(&w, flags, mode);
	if (w.cur >= 0) {
		int saved = errno;

		close(w.cur);
		errno = saved;
	}
	return fd;
}

/* ENOSYS: kernel before 5.6; EPERM: some seccomp profiles (older Docker
 * ones) refuse syscalls they do not know. Both mean "walk instead". EAGAIN:
 * a rename raced with ".." resolution; the kernel asks for a retry. */
static int open_in_root(int rootfd, const char *relpath, int flags, mode_t mode)
{
	static int missing;
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		/* openat2 refuses a mode that open would not use */
		.mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = -1;
	int tries;

	if (missing || force_fallback || !HAVE_OPENAT2)
		return open_walk(rootfd, relpath, flags, mode);
	for (tries = 0; tries < 16; tries++) {
		fd = syscall(SYS_openat2, rootfd, relpath, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (fd < 0 && errno == ENOSYS)
		missing = 1;
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		return open_walk(rootfd, relpath, flags, mode);
	return (int)fd;
}

int path_open_beneath(int rootfd, const char *relpath, int flags, mode_t mode, struct err *e)
{
	int fd = open_in_root(rootfd, relpath, flags, mode);

	if (fd < 0)
		return err_sys(e, errno, "open %s in root", relpath);
	return fd;
}
