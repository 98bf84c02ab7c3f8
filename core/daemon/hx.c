/* hx.c - answering a request: whole answers (queued by inline handlers,
 * written by threaded ones), streamed chunked answers, the hijack of attach
 * and exec start, and reading a streamed request body. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/daemon/httpd-priv.h"
#include "json.h"

#define WRITE_WAIT_MS 300000 /* a client that reads nothing for 5 min is gone */

static const char *reason(int st)
{
	switch (st) {
	case 100:
		return "Continue";
	case 101:
		return "UPGRADED";
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 411:
		return "Length Required";
	case 413:
		return "Request Entity Too Large";
	case 414:
		return "Request URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Status";
	}
}

size_t hx_head(struct hx *x, char *buf, size_t size, int status, const char *extra)
{
	struct hsrv *s = x->srv;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	/* HTTP/1.1 always, as Go's server answers (also to a head it could
	 * not parse) */
	n = snprintf(buf, size, "HTTP/1.1 %d %s\r\n%sDate: %s\r\n%s%s\r\n", status, reason(status),
		     s && s->o.common_headers ? s->o.common_headers : "", date, extra ? extra : "",
		     x->rq.keep_alive ? "" : "Connection: close\r\n");
	if (n < 0 || (size_t)n >= size)
		return 0;
	x->status = status;
	x->head_sent = true;
	return (size_t)n;
}

int hx_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pf = {.fd = fd, .events = POLLOUT};
			if (poll(&pf, 1, WRITE_WAIT_MS) <= 0)
				return -1;
			continue;
		}
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void out(struct hx *x, const void *buf, size_t len)
{
	struct hconn *c = x->conn;

	if (x->broken || !len)
		return;
	if (!x->threaded)
		hconn_queue(c, buf, len);
	else if (c->fd < 0 || hx_send_all(c->fd, buf, len) < 0)
		x->broken = true;
}

void hx_body(struct hx *x, int status, const char *content_type, const void *buf, size_t len)
{
	char head[1024], extra[256];
	size_t hl;

	if (x->done || x->head_sent)
		return;
	snprintf(extra, sizeof(extra), "%s%s%sContent-Length: %zu\r\n",
		 content_type ? "Content-Type: " : "", content_type ? content_type : "",
		 content_type ? "\r\n" : "", len);
	hl = hx_head(x, head, sizeof(head), status, extra);
	out(x, head, hl);
	if (!x->rq.method || strcmp(x->rq.method, "HEAD") != 0)
		out(x, buf, len);
	x->done = true;
}

void hx_json(struct hx *x, int status, const cJSON *v)
{
	char *s = NULL;
	size_t len = 0;

	if (json_print(v, false, &s, &len, NULL) < 0) {
		hx_error(x, 500, "out of memory");
		return;
	}
	s[len] = '\n'; /* Go's encoder ends each value with a newline */
	hx_body(x, status, "application/json", s, len + 1);
	free(s);
}

void hx_error(struct hx *x, int status, const char *fmt, ...)
{
	char msg[1024];
	cJSON *o = cJSON_CreateObject();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->head_sent) {
		/* mid-stream: Docker puts errors into the stream as JSON */
		if (o &&
		    cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "errorDetail"), "message",
					    msg) &&
		    cJSON_AddStringToObject(o, "error", msg))
			hx_chunk_json(x, o);
		cJSON_Delete(o);
		return;
	}
	if (o && cJSON_AddStringToObject(o, "message", msg))
		hx_json(x, status, o);
	else
		hx_body(x, 500, NULL, NULL, 0);
	cJSON_Delete(o);
}

void hx_empty(struct hx *x, int status)
{
	char head[1024];
	size_t hl;

	if (x->done || x->head_sent)
		return;
	hl = hx_head(x, head, sizeof(head), status, status == 204 ? "" : "Content-Length: 0\r\n");
	out(x, head, hl);
	x->done = true;
}

int hx_begin(struct hx *x, int status, const char *content_type)
{
	char head[1024], extra[256];
	size_t hl;

	x->chunked = x->rq.minor >= 1;
	if (!x->chunked)
		x->rq.keep_alive = false;
	snprintf(extra, sizeof(extra), "%s%s%s%s", content_type ? "Content-Type: " : "",
		 content_type ? content_type : "", content_type ? "\r\n" : "",
		 x->chunked ? "Transfer-Encoding: chunked\r\n" : "");
	hl = hx_head(x, head, sizeof(head), status, extra);
	out(x, head, hl);
	return x->broken ? -1 : 0;
}

int hx_chunk(struct hx *x, const void *buf, size_t len)
{
	char sz[24];
	struct hconn *c = x->conn;

	if (x->broken)
		return -1;
	if (!len || (x->rq.method && !strcmp(x->rq.method, "HEAD")))
		return 0;
	if (!x->chunked) {
		out(x, buf, len);
		return x->broken ? -1 : 0;
	}
	snprintf(sz, sizeof(sz), "%zx\r\n", len);
	if (!x->threaded) {
		out(x, sz, strlen(sz));
		out(x, buf, len);
		out(x, "\r\n", 2);
		return 0;
	}
	struct iovec iov[3] = {{sz, strlen(sz)}, {(void *)buf, len}, {"\r\n", 2}};
	size_t total = iov[0].iov_len + len + 2;
	ssize_t n = writev(c->fd, iov, 3);
	if (n == (ssize_t)total)
		return 0;
	if (n < 0) {
		if (errno != EINTR && errno != EAGAIN) {
			x->broken = true;
			return -1;
		}
		n = 0;
	}
	/* a short write: finish the rest piece by piece */
	for (int i = 0; i < 3; i++) {
		size_t l = iov[i].iov_len, skip = (size_t)n < l ? (size_t)n : l;
		n -= (ssize_t)skip;
		if (skip < l && hx_send_all(c->fd, (char *)iov[i].iov_base + skip, l - skip) < 0) {
			x->broken = true;
			return -1;
		}
	}
	return 0;
}

int hx_chunk_json(struct hx *x, const cJSON *v)
{
	char *s = NULL;
	size_t len = 0;
	int r;

	if (json_print(v, false, &s, &len, NULL) < 0)
		return -1;
	s[len] = '\n';
	r = hx_chunk(x, s, len + 1);
	free(s);
	return r;
}

void hx_end(struct hx *x)
{
	if (x->chunked && (!x->rq.method || strcmp(x->rq.method, "HEAD") != 0))
		out(x, "0\r\n\r\n", 5);
	x->done = true;
	if (!x->chunked)
		x->rq.keep_alive = false;
}

int hx_hijack(struct hx *x, bool multiplexed)
{
	struct hconn *c = x->conn;
	char head[512];
	int n;

	if (x->rq.upgrade)
		n = snprintf(head, sizeof(head),
			     "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.%s\r\n"
			     "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n",
			     multiplexed && (x->rq.api_major > 1 || x->rq.api_minor >= 42)
				     ? "multiplexed-stream"
				     : "raw-stream");
	else
		n = snprintf(head, sizeof(head),
			     "HTTP/1.1 200 OK\r\nContent-Type: "
			     "application/vnd.docker.raw-stream\r\n\r\n");
	x->head_sent = x->done = x->hijacked = true;
	x->rq.keep_alive = false;
	if (hx_send_all(c->fd, head, (size_t)n) < 0) {
		x->broken = true;
		return -1;
	}
	return c->fd;
}

int hx_steal_fd(struct hx *x)
{
	struct hconn *c = x->conn;
	int fd = c->fd;

	c->fd = -1;
	return fd;
}

int hx_write(struct hx *x, const void *buf, size_t len)
{
	out(x, buf, len);
	return x->broken ? -1 : 0;
}

int hx_fd(struct hx *x)
{
	return ((struct hconn *)x->conn)->fd;
}
