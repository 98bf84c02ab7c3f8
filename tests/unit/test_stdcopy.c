/* test_stdcopy.c - stdcopy.c: frame headers (known bytes), the writer through
 * a pipe, and the demultiplexer fed in every split, with bad headers sticky. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stdcopy.h"
#include "tap.h"

struct sink {
	char out[3][256];
	size_t n[3];
	int calls, fail_at;
};

static int collect(void *arg, enum stdcopy_stream s, const void *buf, size_t len)
{
	struct sink *k = arg;

	if (++k->calls == k->fail_at)
		return -1;
	if (s > 2 || k->n[s] + len >= sizeof(k->out[s]))
		return -1;
	memcpy(k->out[s] + k->n[s], buf, len);
	k->n[s] += len;
	k->out[s][k->n[s]] = '\0';
	return 0;
}

/* Two frames and an empty one, as the daemon would send them. */
static const unsigned char stream[] = {
	1, 0, 0, 0, 0, 0, 0, 6, 'h', 'e', 'l', 'l', 'o', '\n', 2, 0, 0, 0, 0, 0, 0,  0,
	2, 0, 0, 0, 0, 0, 0, 4, 'o', 'o', 'p', 's', 1,   0,    0, 0, 0, 0, 0, 1, '!'};

static void test_header(void)
{
	uint8_t h[8];

	stdcopy_header(h, STDCOPY_STDERR, 0x01020304);
	ok(!memcmp(h, "\x02\0\0\0\x01\x02\x03\x04", 8), "header: stream, zeros, big-endian length");
	stdcopy_header(h, STDCOPY_STDOUT, 0);
	ok(!memcmp(h, "\x01\0\0\0\0\0\0\0", 8), "header: empty frame");
}

static void test_write(void)
{
	int p[2];
	unsigned char buf[64];
	struct err e = {0};
	ssize_t n;

	if (pipe(p) < 0)
		return;
	ok(stdcopy_write(p[1], STDCOPY_STDOUT, "hello\n", 6, &e) == 0 &&
		   stdcopy_write(p[1], STDCOPY_STDERR, "", 0, &e) == 0 &&
		   stdcopy_write(p[1], STDCOPY_STDERR, "oops", 4, &e) == 0 &&
		   stdcopy_write(p[1], STDCOPY_STDOUT, "!", 1, &e) == 0,
	   "write: four frames");
	close(p[1]);
	n = read(p[0], buf, sizeof(buf));
	close(p[0]);
	ok(n == (ssize_t)sizeof(stream) && !memcmp(buf, stream, sizeof(stream)),
	   "write: the known bytes (%zd)", n);
	ok(stdcopy_write(-1, STDCOPY_STDOUT, "x", 1, &e) < 0 && e.errnum != 0,
	   "write: a bad fd fails with errno");
}

static void test_demux(void)
{
	int all_ok = 1;

	/* Every way to cut the stream in two, and byte by byte. */
	for (size_t cut = 0; cut <= sizeof(stream); cut++) {
		struct stdcopy_demux d = {0};
		struct sink k = {0};
		struct err e = {0};

		if (stdcopy_demux_feed(&d, stream, cut, collect, &k, &e) < 0 ||
		    stdcopy_demux_feed(&d, stream + cut, sizeof(stream) - cut, collect, &k, &e) <
			    0 ||
		    strcmp(k.out[1], "hello\n!") || strcmp(k.out[2], "oops") ||
		    !stdcopy_demux_at_boundary(&d))
			all_ok = 0;
	}
	ok(all_ok, "demux: any split gives stdout \"hello\\n!\" and stderr \"oops\"");
	{
		struct stdcopy_demux d = {0};
		struct sink k = {0};
		struct err e = {0};
		int r = 0;

		for (size_t i = 0; i < sizeof(stream); i++)
			r |= stdcopy_demux_feed(&d, stream + i, 1, collect, &k, &e);
		ok(r == 0 && !strcmp(k.out[1], "hello\n!") && !strcmp(k.out[2], "oops"),
		   "demux: byte by byte");
		d = (struct stdcopy_demux){0};
		stdcopy_demux_feed(&d, stream, 10, collect, &k, &e);
		ok(!stdcopy_demux_at_boundary(&d), "demux: mid-frame is not a boundary");
	}
	{
		struct stdcopy_demux d = {0};
		struct sink k = {0};
		struct err e = {0};
		static const unsigned char bad[] = {7, 0, 0, 0, 0, 0, 0, 1, 'x'};

		ok(stdcopy_demux_feed(&d, bad, sizeof(bad), collect, &k, &e) < 0,
		   "demux: stream 7 is refused");
		ok(strstr(e.msg, "unknown stream 7") != NULL, "demux: the message says so (%s)",
		   e.msg);
		ok(stdcopy_demux_feed(&d, stream, sizeof(stream), collect, &k, &e) < 0 &&
			   k.calls == 0,
		   "demux: the error is sticky");
	}
	{
		struct stdcopy_demux d = {0};
		struct sink k = {.fail_at = 2};
		struct err e = {0};

		ok(stdcopy_demux_feed(&d, stream, sizeof(stream), collect, &k, &e) < 0,
		   "demux: a failing reader stops the feed");
	}
	{
		static const unsigned char sys[] = {3, 0, 0, 0, 0, 0, 0, 3, 'b', 'a', 'd'};
		struct stdcopy_demux d = {0};
		struct sink k = {0};
		struct err e = {0};

		ok(stdcopy_demux_feed(&d, sys, sizeof(sys), collect, &k, &e) < 0 && k.calls == 1,
		   "demux: stream 3 (system error) goes to the reader");
	}
}

int main(void)
{
	test_header();
	test_write();
	test_demux();
	return done_testing();
}
