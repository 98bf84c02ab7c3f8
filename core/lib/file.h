/* file.h - file writes that survive a power cut at any instant (temp file,
 * fsync, rename, fsync of the folder), bounded reads and mkdir -p. */
#ifndef TUG_FILE_H
#define TUG_FILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* Write or read all len bytes, retrying on EINTR and short transfers.
 * file_read_full fails with EIO ("unexpected end of file") at a short EOF. */
int file_write_full(int fd, const void *buf, size_t len, struct err *e);
int file_read_full(int fd, void *buf, size_t len, struct err *e);

/* Read a whole file into *buf (malloc'd, the caller frees; NUL-terminated
 * after len bytes, so text can be used as a string). Files over max bytes
 * fail with EFBIG: the cap is what keeps a hostile file out of memory. */
int file_read_all(const char *path, size_t max, char **buf, size_t *len, struct err *e);
int file_read_fd(int fd, size_t max, char **buf, size_t *len, struct err *e);

/* Make a completed rename or create in folder path durable. */
int file_fsync_dir(const char *path, struct err *e);

/* mkdir -p: make path and its missing parents with mode (less the umask);
 * existing folders are fine, anything else in the way is ENOTDIR. */
int file_mkdir_p(const char *path, mode_t mode, struct err *e);

/* Streaming atomic replace, for content too big for memory:
 *	file_atomic_open(&fa, AT_FDCWD, "/var/lib/tug/x.json", 0644, e);
 *	file_write_full(fa.fd, ...);	(or any writes to fa.fd)
 *	file_atomic_commit(&fa, e);	(or file_atomic_abort(&fa))
 * path is relative to dirfd (AT_FDCWD for a plain path); the temp file is
 * made in the target's folder. Until commit the target is untouched; after
 * any failure no temp file is left. The struct owns fd and dirfd until
 * commit or abort, which both release everything; abort after commit (or
 * twice) is a no-op, so "abort on every exit path" is a fine pattern. */
struct file_atomic {
	int fd; /* the temp file; write here */
	int dirfd; /* the target's folder */
	char tmp[NAME_MAX + 1]; /* temp base name in the same folder */
	char path[PATH_MAX]; /* the target as given, for messages */
	bool no_sync; /* commit renames without fsync (file_write_replace) */
};

/* The file gets exactly mode (fchmod, so the umask does not apply). */
int file_atomic_open(struct file_atomic *fa, int dirfd, const char *path, mode_t mode,
		     struct err *e);
int file_atomic_commit(struct file_atomic *fa, struct err *e);
void file_atomic_abort(struct file_atomic *fa);

/* All of the above for data already in memory. */
int file_write_atomic(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
		      struct err *e);

/* Atomic but not durable: readers see the old or the new content, never a
 * mix, and nothing is fsynced. For state that does not outlive a reboot
 * anyway (the runtime's state under /run), where fsync only costs time. */
int file_write_replace(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
		       struct err *e);

#endif
