/* stream.h - the one reader interface that layers, blobs and HTTP bodies are
 * passed through, so that a pull is a chain of readers in constant memory:
 * HTTP body -> digest -> decompressor -> tar reader -> files. */
#ifndef TUG_STREAM_H
#define TUG_STREAM_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

struct stream_reader {
	/* Read up to n (> 0) bytes into buf. Returns the number read (> 0),
	 * 0 at the end of the stream, or -1 with e filled. A reader may return
	 * fewer bytes than asked for without being at the end. */
	ssize_t (*read)(void *ctx, void *buf, size_t n, struct err *e);
	void *ctx; /* borrowed: the reader's owner frees it */
};

/* Call r once. */
static inline ssize_t stream_read(const struct stream_reader *r, void *buf, size_t n, struct err *e)
{
	return r->read(r->ctx, buf, n, e);
}

#endif
