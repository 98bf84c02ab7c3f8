/* blob.h - a blob download as a stream that survives a dropped connection:
 * it reconnects and asks for the rest with Range (or skips what it had
 * when the server ignores Range), retries 5xx and 429 with backoff, and
 * refuses a blob longer or shorter than its descriptor says. */
#ifndef TUG_REGISTRY_BLOB_H
#define TUG_REGISTRY_BLOB_H

#include <stdint.h>

#include "registry/client.h"
#include "stream.h"

#define REG_BLOB_RETRIES 5
/* A transfer that brings fewer bytes than this in a window of that many
 * seconds is given up (a slow-loris server never trips a read timeout). */
#define REG_BLOB_LOW_SPEED 1024
#define REG_BLOB_LOW_SPEED_TIME 30

struct reg_blob_reader {
	struct reg_session *s; /* borrowed */
	struct http_client *hc; /* borrowed: this thread's */
	char path[600]; /* /v2/<name>/blobs/<digest> */
	char scope[320];
	int64_t size; /* from the descriptor; -1: unknown */
	int64_t offset; /* bytes handed out so far */
	int retries; /* left */
	int resumes; /* times a transfer went on with Range (for tests, logs) */
	struct http_response rs;
	bool open;
	int64_t window_start, window_bytes; /* low-speed check (monotonic s) */
	/* Called with the byte count after each read (may be NULL). */
	void (*progress)(void *arg, int64_t offset);
	void *arg;
};

void reg_blob_reader_init(struct reg_blob_reader *b, struct reg_session *s, struct http_client *hc,
			  const char *name, const char *digest, int64_t size);
struct stream_reader reg_blob_stream(struct reg_blob_reader *b);
void reg_blob_reader_close(struct reg_blob_reader *b);

#endif
