/* blob.c - resumable blob downloads (see blob.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry/blob.h"

void reg_blob_reader_init(struct reg_blob_reader *b, struct reg_session *s, struct http_client *hc,
			  const char *name, const char *digest, int64_t size)
{
	memset(b, 0, sizeof(*b));
	b->s = s;
	b->hc = hc;
	b->size = size;
	b->retries = REG_BLOB_RETRIES;
	snprintf(b->path, sizeof(b->path), "/v2/%s/blobs/%s", name, digest);
	snprintf(b->scope, sizeof(b->scope), "repository:%s:pull", name);
}

static void backoff(int attempt)
{
	/* 0.25 s, 0.5 s, 1 s, 2 s, ... */
	struct timespec ts = {0, 250000000L};

	for (int i = 0; i < attempt && ts.tv_sec < 8; i++) {
		ts.tv_sec = ts.tv_sec * 2 + (ts.tv_nsec >= 500000000L);
		ts.tv_nsec = (ts.tv_nsec * 2) % 1000000000L;
	}
	nanosleep(&ts, NULL);
}

/* Throw away n bytes: the server sent the whole blob again. */
static int skip(struct reg_blob_reader *b, int64_t n, struct err *e)
{
	char buf[16384];

	while (n > 0) {
		ssize_t got = http_body_read(&b->rs, buf,
					     n < (int64_t)sizeof(buf) ? (size_t)n : sizeof(buf), e);

		if (got <= 0)
			return got == 0 ? err_set(e, "blob ended early while skipping") : -1;
		n -= got;
	}
	return 0;
}

/* 1: open; 0: a retryable failure (e filled); -1: final. */
static int try_open(struct reg_blob_reader *b, struct err *e)
{
	char range[64];
	const char *hdrs[2] = {NULL, NULL};
	struct http_request rq = {.method = "GET", .url = b->path, .headers = hdrs};
	int st;

	if (b->offset > 0) {
		snprintf(range, sizeof(range), "Range: bytes=%" PRId64 "-", b->offset);
		hdrs[0] = range;
	}
	/* A broken connection (errno set) is worth another try; a redirect
	 * loop or a refused login is not. */
	if (reg_request(b->s, b->hc, &rq, b->scope, &b->rs, e) < 0)
		return e->errnum ? 0 : -1;
	b->open = true;
	st = b->rs.status;
	if (st == 206 && b->offset > 0) {
		const char *cr = http_header(&b->rs, "Content-Range");
		char want[48];

		snprintf(want, sizeof(want), "bytes %" PRId64 "-", b->offset);
		if (cr && !strncmp(cr, want, strlen(want)))
			return 1;
		reg_blob_reader_close(b);
		return err_set(e, "%s: asked for bytes from %" PRId64 ", got %s", b->path,
			       b->offset, cr ? cr : "no Content-Range");
	}
	if (st == 200) {
		if (b->offset > 0 && skip(b, b->offset, e) < 0)
			return 0;
		return 1;
	}
	b->open = false;
	reg_http_error(b->hc, &b->rs, b->path, e);
	return st >= 500 || st == 429 || st == 408 ? 0 : -1;
}

static int64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static int low_speed(struct reg_blob_reader *b, ssize_t got, struct err *e)
{
	int64_t now = mono_s();

	if (!b->window_start)
		b->window_start = now;
	b->window_bytes += got;
	if (now - b->window_start < REG_BLOB_LOW_SPEED_TIME)
		return 0;
	if (b->window_bytes < REG_BLOB_LOW_SPEED)
		return err_set(e, "%s: only %lld bytes in %d s: too slow, given up", b->path,
			       (long long)b->window_bytes, REG_BLOB_LOW_SPEED_TIME);
	b->window_start = now;
	b->window_bytes = 0;
	return 0;
}

static ssize_t blob_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct reg_blob_reader *b = ctx;

	for (int attempt = 0;; attempt++) {
		ssize_t got;
		int r;

		if (!b->open) {
			if (attempt > 0 || b->retries < REG_BLOB_RETRIES)
				backoff(REG_BLOB_RETRIES - b->retries);
			r = try_open(b, e);
			if (r < 0)
				return -1;
			if (r == 0) {
				if (b->retries-- <= 0)
					return err_wrap(e, "%s: gave up after %d attempts", b->path,
							REG_BLOB_RETRIES + 1);
				continue;
			}
			if (b->offset > 0)
				b->resumes++;
		}
		got = http_body_read(&b->rs, buf, n, e);
		if (got > 0) {
			if (low_speed(b, got, e) < 0)
				return -1;
			b->offset += got;
			if (b->size >= 0 && b->offset > b->size)
				return err_set(e,
					       "%s: more than the %" PRId64
					       " bytes its descriptor says",
					       b->path, b->size);
			if (b->progress)
				b->progress(b->arg, b->offset);
			return got;
		}
		if (got == 0) {
			if (b->size >= 0 && b->offset < b->size)
				return err_set(e,
					       "%s: ended after %" PRId64 " of %" PRId64 " bytes",
					       b->path, b->offset, b->size);
			return 0;
		}
		/* The connection broke: go on from here on a new one. */
		http_response_end(b->hc, &b->rs);
		http_client_close(b->hc);
		reg_session_client(b->s, b->hc);
		b->open = false;
		if (b->retries-- <= 0)
			return err_wrap(e, "%s: gave up after %d attempts", b->path,
					REG_BLOB_RETRIES + 1);
	}
}

struct stream_reader reg_blob_stream(struct reg_blob_reader *b)
{
	return (struct stream_reader){.read = blob_read, .ctx = b};
}

void reg_blob_reader_close(struct reg_blob_reader *b)
{
	if (b->open)
		http_response_end(b->hc, &b->rs);
	b->open = false;
}
