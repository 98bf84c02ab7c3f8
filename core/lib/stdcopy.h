/* stdcopy.h - Docker's multiplexing of stdin/stdout/stderr over one stream
 * (attach and logs without a tty): each frame is an 8-byte header
 * {stream, 0, 0, 0, length as uint32 big-endian} and length bytes. */
#ifndef TUG_STDCOPY_H
#define TUG_STDCOPY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum stdcopy_stream {
	STDCOPY_STDIN = 0,
	STDCOPY_STDOUT = 1,
	STDCOPY_STDERR = 2,
	STDCOPY_SYSERR = 3, /* the daemon's error text, ends the stream */
};

#define STDCOPY_HEADER 8

/* Fill hdr for a frame of len bytes. */
void stdcopy_header(uint8_t hdr[STDCOPY_HEADER], enum stdcopy_stream s, uint32_t len);

/* Write one frame (header and payload in one writev); frames longer than
 * 4 GiB - 1 are split. Retries short writes and EINTR. */
int stdcopy_write(int fd, enum stdcopy_stream s, const void *buf, size_t len, struct err *e);

/* The streaming demultiplexer: feed it whatever was read, in any pieces;
 * it calls out for each run of payload bytes with their stream. The state
 * is the caller's (start from {0}); a bad header is a sticky error. */
typedef int (*stdcopy_out)(void *arg, enum stdcopy_stream s, const void *buf, size_t len);

struct stdcopy_demux {
	uint8_t hdr[STDCOPY_HEADER];
	size_t have; /* header bytes collected */
	uint32_t left; /* payload bytes left in the current frame */
	int failed;
};

/* 0, or -1: a header named an unknown stream (e filled, and every later
 * call fails too), or out returned < 0 (e says so). */
int stdcopy_demux_feed(struct stdcopy_demux *d, const void *buf, size_t len, stdcopy_out out,
		       void *arg, struct err *e);

/* True between frames: a stream that ends here ended cleanly. */
int stdcopy_demux_at_boundary(const struct stdcopy_demux *d);

#endif
