/* http.c - the HTTP/1.1 client: request heads and bodies, response heads,
 * the three body readers, keep-alive with one retry of a stale connection,
 * and redirects. One buffer per connection; nothing allocated per read. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http-conn.h"
#include "http.h"

#define DEFAULT_TIMEOUT_MS 30000
#define DEFAULT_REDIRECTS 10
#define REDIRECT_DRAIN_MAX 65536 /* a bigger redirect body costs a new connection */

void http_client_init(struct http_client *c)
{
	memset(c, 0, sizeof(*c));
}

void http_client_close(struct http_client *c)
{
	http_conn_close(c->conn);
	c->conn = NULL;
}

static bool is_method(const char *m, const char *name)
{
	return strcmp(m, name) == 0;
}

static bool valid_method(const char *m)
{
	size_t n = m ? strlen(m) : 0;

	if (n == 0 || n >= sizeof(((struct http_body *)0)->method))
		return false;
	for (size_t i = 0; i < n; i++)
		if (m[i] < 'A' || m[i] > 'Z')
			return false;
	return true;
}

/* A request a server never answered may be sent again (RFC 9110 9.2.2);
 * a streamed body cannot be replayed. */
static bool replayable(const struct http_request *rq)
{
	const char *m = rq->method;

	return !rq->body_stream &&
	       (is_method(m, "GET") || is_method(m, "HEAD") || is_method(m, "PUT") ||
		is_method(m, "DELETE") || is_method(m, "OPTIONS"));
}

/* "Name:" at the start of a "Name: value" line, any case. */
static bool header_is(const char *line, const char *name)
{
	size_t n = strlen(name);

	return strncasecmp(line, name, n) == 0 && line[n] == ':';
}

static bool caller_has(const char *const *h, const char *name)
{
	for (; h && *h; h++)
		if (header_is(*h, name))
			return true;
	return false;
}

struct head {
	char *buf;
	size_t n, size;
	bool over;
};

__attribute__((format(printf, 2, 3))) static void head_add(struct head *h, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (h->over)
		return;
	va_start(ap, fmt);
	r = vsnprintf(h->buf + h->n, h->size - h->n, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= h->size - h->n)
		h->over = true;
	else
		h->n += (size_t)r;
}

static int build_head(struct http_conn *c, const struct http_request *rq, const struct http_url *u,
		      bool drop_auth, const char *version, size_t *len, struct err *e)
{
	struct head h = {c->buf, 0, sizeof(c->buf), false};
	char hp[300];

	http_url_hostport(u, hp, sizeof(hp), false);
	head_add(&h, "%s %s HTTP/1.1\r\nHost: %s\r\n", rq->method, u->path, hp);
	if (!caller_has(rq->headers, "user-agent"))
		head_add(&h, "User-Agent: tug%s%s\r\n", version ? "/" : "", version ? version : "");
	head_add(&h, "Connection: keep-alive\r\n");
	for (const char *const *l = rq->headers; l && *l; l++) {
		if (strpbrk(*l, "\r\n") || !strchr(*l, ':') || strchr(*l, ':') == *l)
			return err_set(e, "request header \"%.40s\": not one \"Name: value\" line",
				       *l);
		if (!(drop_auth && header_is(*l, "authorization")))
			head_add(&h, "%s\r\n", *l);
	}
	if (rq->body || rq->body_stream) {
		if (rq->body_len >= 0)
			head_add(&h, "Content-Length: %lld\r\n", (long long)rq->body_len);
		else
			head_add(&h, "Transfer-Encoding: chunked\r\n");
	} else if (is_method(rq->method, "POST") || is_method(rq->method, "PUT") ||
		   is_method(rq->method, "PATCH")) {
		head_add(&h, "Content-Length: 0\r\n");
	}
	head_add(&h, "\r\n");
	if (h.over)
		return err_set(e, "request head longer than %zu bytes", sizeof(c->buf));
	*len = h.n;
	return 0;
}

static int send_sized_stream(struct http_conn *c, const struct stream_reader *r, int64_t total,
			     struct err *e)
{
	int64_t sent = 0;

	while (sent < total) {
		size_t want = total - sent < (int64_t)sizeof(c->buf) ? (size_t)(total - sent)
								     : sizeof(c->buf);
		ssize_t k = stream_read(r, c->buf, want, e);
		if (k < 0)
			return err_wrap(e, "request body");
		if (k == 0)
			return err_set(e, "request body: the stream ended after %lld of %lld bytes",
				       (long long)sent, (long long)total);
		if (http_conn_write(c, c->buf, (size_t)k, e) < 0)
			return -1;
		sent += k;
	}
	return 0;
}

/* Each piece the stream gives is one chunk, framed in place: its size line
 * goes in the 16 bytes kept free in front, its CRLF after it. */
static int send_chunked_stream(struct http_conn *c, const struct stream_reader *r, struct err *e)
{
	for (;;) {
		ssize_t k = stream_read(r, c->buf + 16, sizeof(c->buf) - 18, e);
		char sz[16];
		int l;

		if (k < 0)
			return err_wrap(e, "request body");
		if (k == 0)
			return http_conn_write(c, "0\r\n\r\n", 5, e);
		l = snprintf(sz, sizeof(sz), "%zx\r\n", (size_t)k);
		memcpy(c->buf + 16 - l, sz, (size_t)l);
		memcpy(c->buf + 16 + k, "\r\n", 2);
		if (http_conn_write(c, c->buf + 16 - l, (size_t)l + (size_t)k + 2, e) < 0)
			return -1;
	}
}

static int send_request(struct http_conn *c, const struct http_request *rq,
			const struct http_url *u, bool drop_auth, const char *version,
			struct err *e)
{
	size_t len;
	int r = 0;

	c->base = c->off = c->len = 0;
	if (build_head(c, rq, u, drop_auth, version, &len, e) < 0 ||
	    http_conn_write(c, c->buf, len, e) < 0)
		return -1;
	if (rq->body)
		r = http_conn_write(c, rq->body, (size_t)rq->body_len, e);
	else if (rq->body_stream && rq->body_len >= 0)
		r = send_sized_stream(c, rq->body_stream, rq->body_len, e);
	else if (rq->body_stream)
		r = send_chunked_stream(c, rq->body_stream, e);
	if (r < 0)
		return -1;
	return http_conn_flush(c, e);
}

/* Read up to a final response head, dropping 1xx interim ones; the head
 * stays at the start of the buffer (its headers point there). */
static int read_head(struct http_conn *c, struct http_response *rs, int *minor, struct err *e)
{
	size_t hl;

	c->base = c->off = c->len = 0;
	for (;;) {
		while (!(hl = http_head_len(c->buf, c->len))) {
			ssize_t r;
			if (c->len == sizeof(c->buf))
				return err_set(e, "response head from %s larger than %zu bytes",
					       c->peer, sizeof(c->buf));
			r = http_conn_fill(c, e);
			if (r < 0)
				return -1;
			if (r == 0)
				return err_set(e, "%s closed the connection %s", c->peer,
					       c->len ? "in the middle of the response head"
						      : "without answering");
		}
		if (http_parse_head(c->buf, hl, rs, minor, e) < 0)
			return err_wrap(e, "from %s", c->peer);
		if (rs->status >= 200 || rs->status == 101)
			break;
		memmove(c->buf, c->buf + hl, c->len - hl);
		c->len -= hl;
	}
	if (rs->status == 101)
		return err_set(e, "%s switched protocols (101), which was not asked for", c->peer);
	c->base = c->off = hl;
	return 0;
}

static int start_body(struct http_conn *c, const struct http_request *rq, struct http_response *rs,
		      int minor, struct err *e)
{
	struct http_body *b = &c->body;

	memset(b, 0, sizeof(*b));
	if (http_parse_framing(rs, minor, is_method(rq->method, "HEAD"), &b->f, e) < 0)
		return err_wrap(e, "from %s", c->peer);
	b->left = b->f.length;
	http_chunked_init(&b->ch);
	b->done = b->f.kind == HTTP_BODY_NONE || (b->f.kind == HTTP_BODY_SIZED && !b->left);
	snprintf(b->method, sizeof(b->method), "%s", rq->method);
	return 0;
}

/* The kept connection when it fits u and still looks alive, else a new one. */
static int get_conn(struct http_client *cl, const struct http_url *u, struct http_conn **out,
		    struct err *e)
{
	struct http_conn *c = cl->conn;
	int t = cl->timeout_ms > 0 ? cl->timeout_ms : DEFAULT_TIMEOUT_MS;

	if (c && (c->busy || !http_conn_matches(c, u) || !http_conn_alive(c)))
		http_client_close(cl);
	if (!cl->conn) {
		if (http_conn_open(&c, u, cl->tls, t, e) < 0)
			return -1;
		cl->conn = c;
	}
	*out = cl->conn;
	return 0;
}

/* One request and its response head. A kept-alive connection the server
 * had closed fails before any response byte: then the request is sent once
 * more on a fresh connection, when that is safe. */
static int exchange(struct http_client *cl, const struct http_request *rq, const struct http_url *u,
		    bool drop_auth, struct http_response *rs, struct err *e)
{
	for (int attempt = 0;; attempt++) {
		struct http_conn *c;
		bool reused, retry;
		int minor;

		if (get_conn(cl, u, &c, e) < 0)
			return -1;
		reused = c->requests++ > 0;
		c->got = 0;
		if (send_request(c, rq, u, drop_auth, cl->version, e) == 0 &&
		    read_head(c, rs, &minor, e) == 0 && start_body(c, rq, rs, minor, e) == 0) {
			c->busy = true;
			rs->priv = c;
			return 0;
		}
		retry = attempt == 0 && reused && c->peer_closed && c->got == 0 && replayable(rq);
		http_client_close(cl);
		if (!retry)
			return -1;
	}
}

static bool is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static bool same_origin(const struct http_url *a, const struct http_url *b)
{
	return a->tls == b->tls && a->port == b->port && strcasecmp(a->host, b->host) == 0;
}

/* Read a small body away so that its connection can carry the next hop. */
static void drain(struct http_response *rs, size_t max)
{
	char buf[2048];
	size_t total = 0;
	ssize_t r;

	while (total < max && (r = http_body_read(rs, buf, sizeof(buf), NULL)) > 0)
		total += (size_t)r;
}

static int check_request(const struct http_client *cl, const struct http_request *rq,
			 const struct http_url *u, const char *url, struct err *e)
{
	if (rq->body && rq->body_len < 0)
		return err_set(e, "%s %s: a body buffer needs its length", rq->method, url);
	if (u->tls && !CFG_TLS)
		return err_set(e, "%s %s: TLS support is compiled out (CONFIG_TLS)", rq->method,
			       url);
	if (u->tls && !cl->tls)
		return err_set(e, "%s %s: https needs a TLS configuration", rq->method, url);
	return 0;
}

int http_do(struct http_client *cl, const struct http_request *rq, struct http_response *rs,
	    struct err *e)
{
	bool follow, drop_auth = false;
	int max = cl->max_redirects > 0 ? cl->max_redirects : DEFAULT_REDIRECTS;
	struct http_url u, next;
	const char *loc;

	memset(rs, 0, sizeof(*rs));
	rs->content_length = -1;
	if (!valid_method(rq->method))
		return err_set(e, "bad HTTP method \"%.20s\"", rq->method ? rq->method : "(null)");
	if (http_url_parse(&u, rq->url, NULL, e) < 0)
		return err_wrap(e, "%s", rq->method);
	follow =
		!rq->no_redirect && (is_method(rq->method, "GET") || is_method(rq->method, "HEAD"));
	for (int hops = 0;; hops++) {
		http_url_format(&u, rs->url, sizeof(rs->url));
		if (check_request(cl, rq, &u, rs->url, e) < 0)
			return -1;
		if (exchange(cl, rq, &u, drop_auth, rs, e) < 0)
			return err_wrap(e, "%s %s", rq->method, rs->url);
		if (!follow || !is_redirect(rs->status) || !(loc = http_header(rs, "location")))
			return 0;
		if (hops == max) {
			http_response_end(cl, rs);
			return err_set(e, "%s %s: too many redirects (more than %d)", rq->method,
				       rq->url, max);
		}
		if (http_url_parse(&next, loc, &u, e) < 0) {
			http_response_end(cl, rs);
			return err_wrap(e, "%s %s: redirect", rq->method, rs->url);
		}
		drain(rs, REDIRECT_DRAIN_MAX);
		http_response_end(cl, rs);
		/* Credentials are for the host they were given for. */
		if (!same_origin(&u, &next))
			drop_auth = true;
		u = next;
	}
}

const char *http_header(const struct http_response *rs, const char *name)
{
	for (size_t i = 0; i < rs->nheaders; i++)
		if (strcasecmp(rs->headers[i].name, name) == 0)
			return rs->headers[i].value;
	return NULL;
}

/* Buffered bytes first; with none buffered, read from the transport
 * straight into the caller's buffer (no copy for big bodies). */
static ssize_t take(struct http_conn *c, void *buf, size_t n, struct err *e)
{
	if (c->off < c->len) {
		size_t k = c->len - c->off < n ? c->len - c->off : n;
		memcpy(buf, c->buf + c->off, k);
		c->off += k;
		return (ssize_t)k;
	}
	return http_conn_read(c, buf, n, e);
}

static int cut_short(struct http_conn *c, struct err *e)
{
	struct http_body *b = &c->body;

	if (b->f.kind == HTTP_BODY_SIZED)
		return err_set(e, "%s closed the connection after %lld of %lld bytes", c->peer,
			       (long long)b->got, (long long)b->f.length);
	return err_set(e, "%s closed the connection after %lld bytes of a chunked body", c->peer,
		       (long long)b->got);
}

static ssize_t read_chunked(struct http_conn *c, void *buf, size_t n, struct err *e)
{
	struct http_body *b = &c->body;

	for (;;) {
		uint64_t avail = http_chunked_data(&b->ch);
		ssize_t r;

		if (avail) {
			r = take(c, buf, avail < n ? (size_t)avail : n, e);
			if (r > 0)
				http_chunked_take(&b->ch, (size_t)r);
			return r == 0 ? cut_short(c, e) : r;
		}
		if (http_chunked_done(&b->ch))
			return 0;
		if (b->ch.err)
			return err_set(e, "malformed chunked body: %s", b->ch.err);
		if (c->off < c->len) {
			c->off += http_chunked_feed(&b->ch, c->buf + c->off, c->len - c->off);
			continue;
		}
		r = http_conn_fill(c, e);
		if (r <= 0)
			return r < 0 ? -1 : cut_short(c, e);
	}
}

ssize_t http_body_read(struct http_response *rs, void *buf, size_t n, struct err *e)
{
	struct http_conn *c = rs->priv;
	struct http_body *b;
	ssize_t r = 0;

	if (!c || c->body.done || n == 0)
		return 0;
	b = &c->body;
	if (b->failed)
		return err_set(e, "%s %s: body: an earlier read failed", b->method, rs->url);
	if (b->f.kind == HTTP_BODY_SIZED) {
		r = take(c, buf, b->left < (int64_t)n ? (size_t)b->left : n, e);
		if (r == 0)
			r = cut_short(c, e);
		if (r > 0)
			b->left -= r;
	} else if (b->f.kind == HTTP_BODY_CLOSE) {
		r = take(c, buf, n, e);
	} else if (b->f.kind == HTTP_BODY_CHUNKED) {
		r = read_chunked(c, buf, n, e);
	}
	if (r < 0) {
		b->failed = true;
		return err_wrap(e, "%s %s: body", b->method, rs->url);
	}
	b->got += r;
	if (r == 0 || (b->f.kind == HTTP_BODY_SIZED && b->left == 0))
		b->done = true;
	return r;
}

static ssize_t body_stream_read(void *ctx, void *buf, size_t n, struct err *e)
{
	return http_body_read(ctx, buf, n, e);
}

struct stream_reader http_body_stream(struct http_response *rs)
{
	return (struct stream_reader){body_stream_read, rs};
}

int http_body_all(struct http_response *rs, size_t max, char **out, size_t *outlen, struct err *e)
{
	size_t cap = 1024, len = 0;
	char *buf = NULL, *nb;
	ssize_t r;

	*out = NULL;
	*outlen = 0;
	if (rs->content_length > (int64_t)max)
		return err_set(e, "%s: body of %lld bytes is over the %zu byte limit", rs->url,
			       (long long)rs->content_length, max);
	if (rs->content_length >= 0)
		cap = (size_t)rs->content_length + 1;
	do {
		if (!buf || cap - len < 2) {
			if (buf)
				cap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return err_set(e, "%s: body: out of memory", rs->url);
			}
			buf = nb;
		}
		r = http_body_read(rs, buf + len, cap - len - 1, e);
		if (r > 0)
			len += (size_t)r;
		if (len > max) {
			free(buf);
			return err_set(e, "%s: body is over the %zu byte limit", rs->url, max);
		}
	} while (r > 0);
	if (r < 0) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

void http_response_end(struct http_client *cl, struct http_response *rs)
{
	struct http_conn *c = rs->priv;
	struct http_body *b;

	if (!c)
		return;
	rs->priv = NULL;
	rs->nheaders = 0; /* they pointed into the connection's buffer */
	c->busy = false;
	b = &c->body;
	/* The rest of a sized body already buffered costs nothing to skip. */
	if (!b->done && !b->failed && b->f.kind == HTTP_BODY_SIZED &&
	    (int64_t)(c->len - c->off) == b->left) {
		c->off = c->len;
		b->done = true;
	}
	if (!b->done || b->failed || !b->f.keep_alive || c->off != c->len)
		http_client_close(cl);
}
