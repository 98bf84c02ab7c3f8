/* http-parse.h - the pure parts of the HTTP/1.1 client: the response head,
 * the body's framing and the chunked decoder, over caller buffers (no I/O,
 * no allocation) so that they can be unit-tested and fuzzed. */
#ifndef TUG_HTTP_PARSE_H
#define TUG_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "http.h"

/* Length of the head at the start of buf, through the empty line that ends
 * it; 0 while it is not complete. Lines end in CRLF (a bare LF is accepted,
 * as RFC 9112 section 2.2 allows a recipient to). */
size_t http_head_len(const char *buf, size_t len);

/* Parse a complete head (the http_head_len bytes of buf) in place: fields
 * are NUL-terminated inside buf and rs->headers point there, so buf must
 * outlive them. Fills status, reason, headers, nheaders; *minor is the
 * HTTP/1.x minor version. Folded (obs-fold) lines, a space before a colon,
 * more than HTTP_MAX_HEADERS headers and HTTP/2+ are refused. */
int http_parse_head(char *buf, size_t len, struct http_response *rs, int *minor, struct err *e);

enum http_body_kind {
	HTTP_BODY_NONE, /* HEAD, 1xx, 204, 304 */
	HTTP_BODY_SIZED, /* Content-Length bytes */
	HTTP_BODY_CHUNKED,
	HTTP_BODY_CLOSE, /* until the server closes the connection */
};

struct http_framing {
	enum http_body_kind kind;
	int64_t length; /* SIZED: the byte count; else -1 */
	bool keep_alive; /* the connection may carry another request after this one */
};

/* How the body of a parsed response is delimited (RFC 9112 section 6.3):
 * Transfer-Encoding chunked wins over Content-Length; differing
 * Content-Length values, a bad number and transfer codings other than
 * chunked are errors. Also sets rs->content_length (-1 when not given). */
int http_parse_framing(struct http_response *rs, int minor, bool head_request,
		       struct http_framing *f, struct err *e);

/* True when the comma-separated header value list contains token
 * (case-insensitive): "close" in "Connection: keep-alive, close". */
bool http_token_in(const char *list, const char *token);

/* The chunked decoder: a state machine fed with raw bytes, consuming only
 * framing (sizes, extensions, CRLFs, trailers) and stopping in front of
 * chunk data, which the caller then takes directly from its buffer. */
struct http_chunked {
	int state;
	uint64_t left; /* data bytes left in the current chunk */
	size_t line; /* bytes of the current size or trailer line */
	size_t trailers; /* bytes of trailers so far */
	unsigned digits; /* hex digits of the current size */
	const char *err; /* sticky: why the framing is malformed (static string) */
};

void http_chunked_init(struct http_chunked *c);
/* Consume framing from in[0..len); returns the bytes consumed. Stops early
 * when chunk data is next (http_chunked_data > 0), at the end of the body
 * (http_chunked_done) or at an error (c->err set; consumes nothing more). */
size_t http_chunked_feed(struct http_chunked *c, const char *in, size_t len);
/* Chunk data bytes that may be taken now (the caller has them next). */
uint64_t http_chunked_data(const struct http_chunked *c);
/* The caller took n <= http_chunked_data() data bytes. */
void http_chunked_take(struct http_chunked *c, size_t n);
bool http_chunked_done(const struct http_chunked *c);

#endif
