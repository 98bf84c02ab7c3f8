/* jsonlog-read.c - the json-file reader: the rotated files oldest first, the
 * tail found by reading backwards from the end, entries decoded one line at a
 * time, and follow through growth, rotation and truncation (inotify). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonlog.h"

#define MAX_FILES 100 /* path.1 .. path.99: more than Docker lets one keep */
#define CHUNK 8192
#define LINE_CAP (1u << 20) /* longer lines are skipped, not held */

struct jsonlog_reader {
	struct jsonlog_read_opts o;
	int fds[MAX_FILES]; /* oldest first; the last is the live file (or -1) */
	size_t nfiles, cur;
	off_t off; /* of the live file: how far it was read */
	ino_t ino; /* of the live file */
	bool rotated; /* the live file was renamed: drain it, then switch */
	bool done;
	int inot;
	char *line; /* the line being assembled */
	size_t llen, lcap;
	bool overlong; /* the current line passed LINE_CAP: skip to its end */
	char *dec; /* the decoded log of the last entry */
	size_t dcap;
	size_t rpos, rlen;
	char rbuf[CHUNK];
	char path[PATH_MAX];
};

static int open_live(struct jsonlog_reader *r, struct err *e)
{
	struct stat st;
	int fd = open(r->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "open log %s", r->path);
	fstat(fd, &st);
	r->ino = st.st_ino;
	r->off = 0;
	r->fds[r->nfiles - 1] = fd;
	return 0;
}

/* The rotated files exist as a run path.1, path.2, ...; open newest first
 * so that a rotation while we open duplicates rather than loses. */
static int open_files(struct jsonlog_reader *r, struct err *e)
{
	char name[PATH_MAX + 16];
	int fds[MAX_FILES];
	size_t n = 0;

	for (unsigned i = 1; i < MAX_FILES; i++) {
		int fd;

		snprintf(name, sizeof(name), "%s.%u", r->path, i);
		fd = open(name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	for (size_t i = 0; i < n; i++)
		r->fds[i] = fds[n - 1 - i];
	r->nfiles = n + 1;
	r->fds[n] = -1;
	return open_live(r, e);
}

/* Where the last `need` lines of fd begin; returns how many lines were
 * found (fewer when the file is shorter), *start is 0 then. */
static size_t count_back(struct jsonlog_reader *r, int fd, size_t need, off_t *start)
{
	struct stat st;
	off_t pos, size;
	size_t found = 0;

	*start = 0;
	if (fstat(fd, &st) < 0 || st.st_size == 0)
		return 0;
	pos = size = st.st_size;
	while (pos > 0) {
		size_t n = pos < CHUNK ? (size_t)pos : CHUNK;

		pos -= (off_t)n;
		if (pread(fd, r->rbuf, n, pos) != (ssize_t)n)
			return found;
		for (size_t i = n; i-- > 0;) {
			/* A newline starts the line after it; the file's last
			 * newline ends the last line instead. */
			if (r->rbuf[i] != '\n' || pos + (off_t)i == size - 1)
				continue;
			if (++found == need) {
				*start = pos + (off_t)i + 1;
				return found;
			}
		}
	}
	return found + 1;
}

/* Position the files at the last o.tail entries. */
static void seek_tail(struct jsonlog_reader *r)
{
	size_t need = (size_t)r->o.tail, i = r->nfiles;
	off_t start = 0;

	while (i-- > 0) {
		size_t got;

		if (r->fds[i] < 0)
			continue;
		if (need == 0) {
			start = lseek(r->fds[i], 0, SEEK_END);
			break;
		}
		got = count_back(r, r->fds[i], need, &start);
		need -= got;
		if (need == 0)
			break;
	}
	if (i == (size_t)-1)
		i = 0;
	for (size_t j = 0; j < i; j++) {
		close(r->fds[j]);
		r->fds[j] = -1;
	}
	r->cur = i;
	if (r->fds[i] >= 0)
		lseek(r->fds[i], start, SEEK_SET);
	if (i == r->nfiles - 1)
		r->off = start;
}

int jsonlog_reader_open(const char *path, const struct jsonlog_read_opts *o,
			struct jsonlog_reader **out, struct err *e)
{
	struct jsonlog_reader *r;
	char dir[PATH_MAX], *slash;

	if (strlen(path) + 8 >= PATH_MAX)
		return err_sys(e, ENAMETOOLONG, "log %s", path);
	r = calloc(1, sizeof(*r));
	if (!r)
		return err_sys(e, ENOMEM, "log reader");
	r->o = *o;
	r->inot = -1;
	strcpy(r->path, path);
	if (o->follow) {
		/* The folder: the file's writes, and its rotation (a rename
		 * and a new file) show there. */
		strcpy(dir, path);
		slash = strrchr(dir, '/');
		if (slash)
			*(slash == dir ? slash + 1 : slash) = '\0';
		r->inot = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (r->inot < 0 ||
		    inotify_add_watch(r->inot, slash ? dir : ".",
				      IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM) < 0) {
			err_sys(e, errno, "watch log %s", path);
			jsonlog_reader_free(r);
			return -1;
		}
	}
	if (open_files(r, e) < 0) {
		jsonlog_reader_free(r);
		return -1;
	}
	if (o->tail >= 0)
		seek_tail(r);
	*out = r;
	return 0;
}

void jsonlog_reader_free(struct jsonlog_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nfiles; i++)
		if (r->fds[i] >= 0)
			close(r->fds[i]);
	if (r->inot >= 0)
		close(r->inot);
	free(r->line);
	free(r->dec);
	free(r);
}

int jsonlog_reader_fd(const struct jsonlog_reader *r)
{
	return r->inot;
}

bool jsonlog_reader_done(const struct jsonlog_reader *r)
{
	return r->done;
}

static int line_add(struct jsonlog_reader *r, const char *p, size_t n, struct err *e)
{
	if (r->overlong || r->llen + n > LINE_CAP) {
		r->overlong = true;
		return 0;
	}
	if (r->llen + n > r->lcap) {
		size_t cap = r->lcap ? r->lcap : 4096;
		char *grown;

		while (cap < r->llen + n)
			cap *= 2;
		if (!(grown = realloc(r->line, cap)))
			return err_sys(e, ENOMEM, "log line");
		r->line = grown;
		r->lcap = cap;
	}
	memcpy(r->line + r->llen, p, n);
	r->llen += n;
	return 0;
}

/* The next whole line of the current file into r->line (without its
 * newline): 1, or 0 at the file's end (a partial line stays pending). */
static int get_line(struct jsonlog_reader *r, struct err *e)
{
	int fd = r->fds[r->cur];

	for (;;) {
		if (r->rpos == r->rlen) {
			ssize_t n = fd < 0 ? 0 : read(fd, r->rbuf, CHUNK);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return err_sys(e, errno, "read log %s", r->path);
			if (n == 0)
				return 0;
			if (r->cur == r->nfiles - 1)
				r->off += n;
			r->rpos = 0;
			r->rlen = (size_t)n;
		}
		char *p = r->rbuf + r->rpos, *nl = memchr(p, '\n', r->rlen - r->rpos);
		size_t n = nl ? (size_t)(nl - p) : r->rlen - r->rpos;

		if (line_add(r, p, n, e) < 0)
			return -1;
		r->rpos += n + (nl ? 1 : 0);
		if (nl)
			return 1;
	}
}

static void reset_line(struct jsonlog_reader *r)
{
	r->llen = 0;
	r->overlong = false;
	r->rpos = r->rlen = 0;
}

/* A complete line: decode it and apply the time filters. 1: an entry. */
static int take_line(struct jsonlog_reader *r, struct jsonlog_entry *ent, struct err *e)
{
	bool skip = r->overlong;

	if (!skip && (!r->dec || r->dcap < r->llen)) {
		char *grown = realloc(r->dec, r->llen + 1);

		if (!grown)
			return err_sys(e, ENOMEM, "log line");
		r->dec = grown;
		r->dcap = r->llen + 1;
	}
	skip = skip || jsonlog_parse_line(r->line, r->llen, r->dec, r->dcap, ent) < 0;
	r->llen = 0;
	r->overlong = false;
	if (skip || (r->o.since_ns && ent->time_ns < r->o.since_ns))
		return 0;
	if (r->o.until_ns && ent->time_ns > r->o.until_ns) {
		r->done = true;
		return 0;
	}
	return 1;
}

/* path.k's name (k 0: path itself) and its inode; 0 when it does not exist. */
static ino_t ino_of(const struct jsonlog_reader *r, unsigned k, char *name, size_t size)
{
	struct stat st;

	if (k)
		snprintf(name, size, "%s.%u", r->path, k);
	else
		snprintf(name, size, "%s", r->path);
	return stat(name, &st) == 0 ? st.st_ino : 0;
}

/* Our file was rotated away and read to its end: the next newer one is
 * path.(k-1) when ours is path.k now; when ours is gone (overwritten by
 * later rotations) it is the oldest left. 1: switched, 0: not there yet. */
static int follow_rotation(struct jsonlog_reader *r, struct err *e)
{
	char name[PATH_MAX + 16];
	size_t last = r->nfiles - 1;

	for (int attempt = 0; attempt < 5; attempt++) {
		unsigned k, next = 0;
		struct stat st;
		int fd;

		for (k = 1; k < MAX_FILES; k++) {
			ino_t ino = ino_of(r, k, name, sizeof(name));

			if (ino == r->ino)
				break;
			if (ino)
				next = k; /* the oldest seen so far */
		}
		if (k < MAX_FILES)
			next = k - 1;
		ino_of(r, next, name, sizeof(name));
		fd = open(name, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno != ENOENT)
			return err_sys(e, errno, "open log %s", name);
		if (fd < 0)
			return 0; /* between the rename and the new file */
		/* A rotation between the search and the open shifted the
		 * names: look again. */
		if (k < MAX_FILES && ino_of(r, k, name, sizeof(name)) != r->ino) {
			close(fd);
			continue;
		}
		close(r->fds[last]);
		fstat(fd, &st);
		r->fds[last] = fd;
		r->ino = st.st_ino;
		r->off = 0;
		r->rotated = false;
		reset_line(r);
		return 1;
	}
	return 0;
}

/* At the end of the file being followed: a rotation (drain the old file
 * once more, then on to the next), a truncation (start over), or a file
 * that appeared. 1: read on, 0: wait. */
static int live_changed(struct jsonlog_reader *r, struct err *e)
{
	size_t last = r->nfiles - 1;
	int fd = r->fds[last];
	struct stat st;

	if (fd < 0)
		return open_live(r, e) < 0 ? -1 : r->fds[last] >= 0;
	if (r->rotated)
		return follow_rotation(r, e);
	if (stat(r->path, &st) == 0 && st.st_ino != r->ino) {
		/* What was written before the rename is read first. */
		r->rotated = true;
		return 1;
	}
	if (fstat(fd, &st) == 0 && st.st_size < r->off) {
		lseek(fd, 0, SEEK_SET);
		r->off = 0;
		reset_line(r);
		return 1;
	}
	return 0;
}

int jsonlog_reader_next(struct jsonlog_reader *r, struct jsonlog_entry *ent, struct err *e)
{
	for (;;) {
		int n;

		if (r->done)
			return 0;
		n = get_line(r, e);
		if (n < 0)
			return -1;
		if (n > 0) {
			if ((n = take_line(r, ent, e)) != 0)
				return n;
			continue;
		}
		if (r->cur < r->nfiles - 1) {
			/* A rotated file ends with a whole line; one cut
			 * short by a crash is still an entry. */
			if (r->llen && (n = take_line(r, ent, e)) != 0)
				return n;
			close(r->fds[r->cur]);
			r->fds[r->cur++] = -1;
			reset_line(r);
			continue;
		}
		if (!r->o.follow || (n = live_changed(r, e)) == 0)
			return 0;
		if (n < 0)
			return -1;
	}
}

int jsonlog_reader_wait(struct jsonlog_reader *r, int timeout_ms, struct err *e)
{
	struct pollfd p = {.fd = r->inot, .events = POLLIN};
	char buf[4096];
	int n;

	if (r->inot < 0)
		return err_set(e, "log %s: not opened to follow", r->path);
	n = poll(&p, 1, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : err_sys(e, errno, "wait for log %s", r->path);
	/* The events only wake us; next() looks at the files themselves. */
	while (n > 0 && read(r->inot, buf, sizeof(buf)) > 0)
		;
	return n > 0;
}
