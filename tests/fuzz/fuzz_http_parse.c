/* fuzz_http_parse.c - libFuzzer harness for the HTTP client's parsers:
 * response heads and framing, the chunked decoder (input cut in two at a
 * point chosen by the first byte) and URLs with a base. Not part of make:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. -Icore/lib \
 *     -include build/x86_64/include/cfg.h tests/fuzz/fuzz_http_parse.c \
 *     core/lib/http-parse.c core/lib/http-url.c core/lib/err.c -o build/fuzz_http_parse
 *   build/fuzz_http_parse -max_len=20000 corpus/
 *
 * (build/x86_64/include/cfg.h comes from any `make`.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http-parse.h"

static void fuzz_head(const uint8_t *data, size_t size)
{
	static char buf[1 << 16];
	struct http_response rs;
	struct http_framing f;
	struct err e;
	size_t hl;
	int minor;

	if (size > sizeof(buf))
		return;
	memcpy(buf, data, size);
	hl = http_head_len(buf, size);
	if (!hl)
		return;
	memset(&rs, 0, sizeof(rs));
	if (http_parse_head(buf, hl, &rs, &minor, &e) < 0)
		return;
	if (rs.nheaders > HTTP_MAX_HEADERS)
		abort();
	if (http_parse_framing(&rs, minor, size & 1, &f, &e) == 0 && f.kind == HTTP_BODY_SIZED &&
	    f.length < 0)
		abort();
}

/* Decode as http.c does, the input cut in two pieces; the decoder must
 * always make progress and never return more data than it was given. */
static void fuzz_chunked(const uint8_t *data, size_t size)
{
	struct http_chunked c;
	const char *in = (const char *)data + 1;
	size_t len, cut, out = 0;

	if (size < 1)
		return;
	len = size - 1;
	cut = data[0] % (len + 1);
	http_chunked_init(&c);
	for (int piece = 0; piece < 2; piece++) {
		const char *p = in + (piece ? cut : 0);
		size_t l = piece ? len - cut : cut;
		while (l) {
			uint64_t avail = http_chunked_data(&c);
			size_t used;
			if (avail) {
				size_t t = avail < l ? (size_t)avail : l;
				http_chunked_take(&c, t);
				out += t;
				p += t;
				l -= t;
				continue;
			}
			if (http_chunked_done(&c) || c.err)
				return;
			used = http_chunked_feed(&c, p, l);
			if (used == 0 && !http_chunked_data(&c) && !http_chunked_done(&c) && !c.err)
				abort(); /* no progress: the reader would spin */
			p += used;
			l -= used;
		}
	}
	if (out > len)
		abort();
}

static void fuzz_url(const uint8_t *data, size_t size)
{
	static char s[4096];
	struct http_url base, u;
	struct err e;
	char out[2300];

	if (size >= sizeof(s))
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	http_url_parse(&base, "https://registry.example:5000/v2/lib/x/blobs/sha256:ab?q=1", NULL,
		       &e);
	if (http_url_parse(&u, s, &base, &e) == 0) {
		if (u.path[0] != '/' || !u.host[0] || !u.port)
			abort();
		http_url_format(&u, out, sizeof(out));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_head(data, size);
	fuzz_chunked(data, size);
	fuzz_url(data, size);
	return 0;
}
