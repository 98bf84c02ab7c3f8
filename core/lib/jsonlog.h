/* jsonlog.h - Docker's json-file log driver: the writer the shim feeds with a
 * container's output (one JSON object per line, rotation at a size) and the
 * reader the daemon's logs endpoint runs (tail, since/until, follow). */
#ifndef TUG_JSONLOG_H
#define TUG_JSONLOG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

enum jsonlog_stream {
	JSONLOG_STDOUT = 1,
	JSONLOG_STDERR = 2,
};

/* Docker's copier cuts a line at 16 KiB: each piece is an entry of its own
 * (without the newline but the last's). */
#define JSONLOG_LINE_MAX (16 * 1024)

/* One entry as Docker writes it, without the trailing newline:
 * {"log":"<escaped>","stream":"stdout","time":"2026-12-07T22:06:51.123456789Z"}
 * Escaping is Go's encoder's (ffjson in moby): \" \\ \n \r, \u00XX for other
 * control bytes and < > &, \u2028 \u2029, and \ufffd per invalid UTF-8 byte.
 * Returns the length; writes at most size bytes (out may be NULL to measure). */
size_t jsonlog_format(char *out, size_t size, enum jsonlog_stream s, const void *log, size_t len,
		      const struct timespec *ts);

/* The writer. Entries go out as one write(2) each, so a crash loses at most
 * the line being written; partial lines wait in a small heap buffer (made
 * only while one is pending) until their newline, 16 KiB, or a flush.
 * Rotation is Docker's: before a write, when the file has reached max_size,
 * path.(N-2) -> path.(N-1) ... path -> path.1 and a new path; with
 * max_files 1 the file is truncated instead. */
struct jsonlog_partial {
	char *buf; /* NULL when nothing is pending */
	size_t len;
};

struct jsonlog_writer {
	int fd;
	int64_t size; /* of the current file */
	int64_t max_size; /* <= 0: never rotate */
	unsigned max_files; /* >= 1 */
	struct jsonlog_partial part[3]; /* indexed by stream */
	char path[PATH_MAX];
};

/* Open (append, create 0640) path. max_files 0 is taken as 1. */
int jsonlog_open(struct jsonlog_writer *w, const char *path, int64_t max_size, unsigned max_files,
		 struct err *e);

/* Write one entry of these bytes as they are (no splitting). */
int jsonlog_write_entry(struct jsonlog_writer *w, enum jsonlog_stream s, const void *log,
			size_t len, const struct timespec *ts, struct err *e);

/* A chunk read from the stream: complete lines become entries now, the rest
 * waits for its newline (or 16 KiB). */
int jsonlog_feed(struct jsonlog_writer *w, enum jsonlog_stream s, const void *buf, size_t len,
		 struct err *e);

/* Write out a pending partial line (the stream ended). */
int jsonlog_flush(struct jsonlog_writer *w, enum jsonlog_stream s, struct err *e);

/* Flush both streams and close. */
void jsonlog_close(struct jsonlog_writer *w);

/* The reader. */
struct jsonlog_entry {
	enum jsonlog_stream stream; /* 0 when the line named none */
	int64_t time_ns; /* since the epoch */
	const char *log; /* decoded bytes (may hold NULs), the reader's until */
	size_t len; /*   the next call */
};

struct jsonlog_read_opts {
	long tail; /* the last n entries only; < 0: all */
	int64_t since_ns; /* entries at or after; 0: from the start */
	int64_t until_ns; /* entries at or before; 0: no end */
	bool follow; /* keep watching the file (jsonlog_reader_wait) */
};

struct jsonlog_reader;

/* Open path and its rotated files (path.1, path.2, ... oldest last) to read
 * them oldest first. A log that does not exist yet reads as empty. *out is
 * the caller's (jsonlog_reader_free). */
int jsonlog_reader_open(const char *path, const struct jsonlog_read_opts *o,
			struct jsonlog_reader **out, struct err *e);

/* The next entry: 1 with *ent filled, 0 at the end for now (with follow,
 * jsonlog_reader_wait then next again), -1 on error. Lines that are not
 * JSON objects are skipped. */
int jsonlog_reader_next(struct jsonlog_reader *r, struct jsonlog_entry *ent, struct err *e);

/* Follow: wait up to timeout_ms (-1: forever) for the log to grow or
 * rotate. 1: something changed (call next), 0: timed out, -1: error. */
int jsonlog_reader_wait(struct jsonlog_reader *r, int timeout_ms, struct err *e);

/* The fd that becomes readable when the log changes (inotify), for a
 * caller's own poll; -1 without follow. */
int jsonlog_reader_fd(const struct jsonlog_reader *r);

/* True once an entry after until_ns was seen: no more will match. */
bool jsonlog_reader_done(const struct jsonlog_reader *r);

void jsonlog_reader_free(struct jsonlog_reader *r);

/* Decode one line (without its newline) into *ent; the log's bytes go to
 * dec (dcap >= len always suffices). 0, or -1 when the line is not a
 * json-file entry (not an object, no valid "time"). */
int jsonlog_parse_line(const char *line, size_t len, char *dec, size_t dcap,
		       struct jsonlog_entry *ent);

/* "2026-12-07T22:06:51.123456789Z" (any fraction, Z or an offset) to ns
 * since the epoch; 0 or -1. */
int jsonlog_parse_time(const char *s, size_t len, int64_t *ns);

#endif
