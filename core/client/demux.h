/* demux.h - the client's stdcopy demultiplexer: the daemon frames a
 * non-tty container's output as {stream, 0, 0, 0, size32be} + payload
 * (attach, exec, logs). A minimal one until core/lib/stdcopy lands. */
#ifndef TUG_CLIENT_DEMUX_H
#define TUG_CLIENT_DEMUX_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Receives each payload piece: stream 0 stdin, 1 stdout, 2 stderr. */
typedef int (*demux_out)(void *ctx, int stream, const char *buf, size_t len, struct err *e);

struct demux {
	unsigned char hdr[8];
	size_t hlen; /* header bytes gathered */
	uint32_t left; /* payload bytes left in the current frame */
	int stream;
};

void demux_init(struct demux *d);
/* Feed bytes as they arrive (frames may be split anywhere). Returns 0, or
 * -1 when a header is malformed or out failed. */
int demux_feed(struct demux *d, const char *buf, size_t len, demux_out out, void *ctx,
	       struct err *e);
/* True between frames (a stream that ends elsewhere was truncated). */
int demux_idle(const struct demux *d);

#endif
