/* hreq.h - the server side of HTTP/1.1 as the Engine API needs it: request
 * heads parsed in place (no I/O, no allocation: unit-tested and fuzzed),
 * query parameters, and the API version prefix of the path. */
#ifndef TUG_DAEMON_HREQ_H
#define TUG_DAEMON_HREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define HREQ_MAX_HEADERS 64
#define HREQ_HEAD_MAX 65536 /* a longer head is answered 431 */

struct hreq_header {
	char *name, *value; /* point into the connection's buffer */
};

struct hreq {
	char *method; /* "GET", ... */
	char *target; /* as sent: "/v1.47/containers/json?all=1" */
	char *path; /* decoded path without the version prefix: "/containers/json" */
	char *query; /* raw query after '?', "" when none */
	int minor; /* HTTP/1.<minor> */
	int api_major, api_minor; /* from "/vX.Y/", 0.0 when the path has none */
	struct hreq_header headers[HREQ_MAX_HEADERS];
	size_t nheaders;
	int64_t content_length; /* -1 when not given */
	bool chunked; /* Transfer-Encoding: chunked */
	bool keep_alive; /* the connection may carry another request */
	bool upgrade; /* Connection: Upgrade + Upgrade: tcp (attach, exec start) */
	bool expect_continue;
};

/* Parse the head (the http_head_len() bytes at buf, NUL-terminating its
 * fields in place). Returns 0, or the HTTP status to answer with (400,
 * 414 URI too long, 431, 501 for a transfer coding other than chunked,
 * 505 HTTP version) and the reason in e. */
int hreq_parse(char *buf, size_t len, struct hreq *rq, struct err *e);

/* Header value by name (case-insensitive), NULL when absent. */
const char *hreq_header(const struct hreq *rq, const char *name);

/* Query parameter name, URL-decoded into buf (cut to size). Returns 1 when
 * present (also when empty), 0 when absent. The first one wins. */
int hreq_query(const struct hreq *rq, const char *name, char *buf, size_t size);
/* A flag as dockerd reads it (httputils.BoolValue): false for "", "0",
 * "no", "false" and "none" (any case, spaces around cut), true for anything
 * else; absent is def. */
bool hreq_query_bool(const struct hreq *rq, const char *name, bool def);
/* An integer parameter; def when absent or empty, -1 and e on garbage. */
int hreq_query_int(const struct hreq *rq, const char *name, long long def, long long *out,
		   struct err *e);
/* Each value of a repeated parameter (?a=1&a=2): calls fn with the decoded
 * value; stops when fn returns non-zero and returns that. */
int hreq_query_each(const struct hreq *rq, const char *name,
		    int (*fn)(const char *value, void *arg), void *arg);

/* Decode %XX and (in queries) '+' in place; -1 on a malformed escape or an
 * encoded NUL. */
int hreq_unescape(char *s, bool plus_is_space);

#endif
