/* http.h - an HTTP/1.1 client for the registry: keep-alive connections,
 * chunked and sized bodies read as streams, redirects, timeouts, Range.
 * Transport is a plain socket or TLS (tls.h), chosen by the URL's scheme. */
#ifndef TUG_HTTP_H
#define TUG_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "stream.h"

struct http_url {
	bool tls; /* https */
	char host[256]; /* without brackets for IPv6 */
	unsigned port;
	char path[2048]; /* path and query, starts with '/' */
};
/* Parse "http[s]://host[:port]/path?q" (a relative Location is resolved
 * against base when base is not NULL). */
int http_url_parse(struct http_url *u, const char *s, const struct http_url *base, struct err *e);
/* "http[s]://host[:port]/path" into buf (cut to size); returns the length
 * it needed. The port is left out when it is the scheme's default. */
size_t http_url_format(const struct http_url *u, char *buf, size_t size);
/* "host:port" ("[v6]:port"), as in the Host header (always_port false: the
 * default port is left out) or in messages (always_port true). */
size_t http_url_hostport(const struct http_url *u, char *buf, size_t size, bool always_port);

#define HTTP_MAX_HEADERS 48

struct http_header {
	/* Both point into the connection's buffer: valid until
	 * http_response_end (copy what must outlive the response). */
	char *name;
	char *value;
};

struct tls_config; /* tls.h: CA roots, client cert, per host */

struct http_client {
	int timeout_ms; /* connect and each read/write; 0: 30 s */
	int max_redirects; /* 0: 10 */
	const struct tls_config *tls; /* borrowed; NULL: https refused */
	const char *version; /* borrowed; User-Agent is "tug/<version>" ("tug" when NULL)
			      * unless the request has its own */
	void *conn; /* the kept-alive connection (internal) */
};

struct http_request {
	const char *method; /* "GET", "HEAD", "PUT", ... */
	const char *url;
	const char *const *headers; /* "Name: value" lines, NULL-terminated; may be NULL */
	/* Body: a buffer, or a stream of body_len bytes (-1: chunked). */
	const void *body;
	int64_t body_len;
	struct stream_reader *body_stream;
	bool no_redirect; /* return 3xx responses instead of following them */
};

struct http_response {
	int status;
	char reason[64];
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t nheaders;
	int64_t content_length; /* -1 when not given */
	char url[2048]; /* the URL finally answered (after redirects) */
	void *priv; /* body state (internal) */
};

void http_client_init(struct http_client *c);
void http_client_close(struct http_client *c);

/* Send rq and read the response status and headers; the body is then read
 * with http_body_read and must be finished with http_response_end before
 * the next http_do on the same client (a client holds one connection).
 * Redirects (301, 302, 303, 307, 308) are followed for GET and HEAD,
 * dropping the Authorization header when the scheme, host or port changes.
 * Any status is returned as is (a 404 is not an error here); a Range header
 * is the caller's to add, and a 206 is returned like any other response.
 * A kept-alive connection the server had closed is retried once on a new
 * connection for GET, HEAD, PUT, DELETE and OPTIONS without a body stream.
 * The request gets Host, User-Agent, Connection: keep-alive and
 * Content-Length or Transfer-Encoding: chunked; rq->headers may not hold
 * the last two. The caller's User-Agent replaces ours. */
int http_do(struct http_client *c, const struct http_request *rq, struct http_response *rs,
	    struct err *e);
/* Header value by name (case-insensitive), NULL when absent. */
const char *http_header(const struct http_response *rs, const char *name);
/* Read the body: >0 bytes, 0 at its end, -1 on error (a connection closed
 * before a sized or chunked body ended is an error). */
ssize_t http_body_read(struct http_response *rs, void *buf, size_t n, struct err *e);
struct stream_reader http_body_stream(struct http_response *rs);
/* Read a whole (small) body into a malloc'd NUL-terminated buffer; a body
 * over max bytes is an error. */
int http_body_all(struct http_response *rs, size_t max, char **buf, size_t *len, struct err *e);
/* Done with the response: the connection is kept when the body was read to
 * its end and the server allows keep-alive, else closed. */
void http_response_end(struct http_client *c, struct http_response *rs);

#endif
