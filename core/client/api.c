/* api.c - requests to the daemon and their responses: connection reuse,
 * the response head, Content-Length, chunked and close-delimited bodies
 * (http-parse.h does the framing), docker's error messages. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/client/api.h"
#include "json.h"

#define API_TIMEOUT_MS (-1) /* the daemon may take as long as a pull takes */

int api_init(struct api_client *c, const char *host, struct err *e)
{
	memset(c, 0, sizeof(*c));
	if (!host || !*host)
		host = getenv("TUG_HOST");
	if (!host || !*host)
		host = getenv("DOCKER_HOST");
	if (!host || !*host)
		host = API_DEFAULT_HOST;
	snprintf(c->host, sizeof(c->host), "%s", host);
	if (strncmp(host, "unix://", 7))
		return err_set(e, "%s: only unix:// daemon addresses are supported for now", host);
	if (strlen(host + 7) >= sizeof(c->sock_path) || !host[7])
		return err_set(e, "%s: bad socket path", host);
	strcpy(c->sock_path, host + 7);
	return 0;
}

void api_conn_free(struct api_conn *conn)
{
	if (!conn)
		return;
	if (conn->fd >= 0)
		close(conn->fd);
	free(conn);
}

void api_close(struct api_client *c)
{
	api_conn_free(c->idle);
	c->idle = NULL;
}

/* The transport seam: a tcp:// (and TLS) dialer would go here. */
static int api_dial(struct api_client *c, struct api_conn **out, struct err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct api_conn *conn = calloc(1, sizeof(*conn));
	int fd;

	if (!conn)
		return err_sys(e, ENOMEM, "connect to %s", c->host);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memcpy(sa.sun_path, c->sock_path, strlen(c->sock_path));
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		free(conn);
		err_set(e,
			"Cannot connect to the tug daemon at %s. Is the tug daemon running? (%s)",
			c->host, strerror(err));
		e->errnum = err;
		return -1;
	}
	conn->fd = fd;
	*out = conn;
	return 0;
}

static int send_all(int fd, const void *buf, size_t n, struct err *e)
{
	const char *p = buf;

	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return err_sys(e, errno, "write to the daemon");
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* More bytes into the connection's buffer: >0, 0 at EOF, -1. */
static ssize_t conn_fill(struct api_conn *conn, struct err *e)
{
	ssize_t n;

	if (conn->off && conn->off == conn->len)
		conn->off = conn->len = 0;
	if (conn->off) {
		memmove(conn->buf, conn->buf + conn->off, conn->len - conn->off);
		conn->len -= conn->off;
		conn->off = 0;
	}
	if (conn->len == sizeof(conn->buf))
		return err_set(e, "read from the daemon: line too long");
	do
		n = read(conn->fd, conn->buf + conn->len, sizeof(conn->buf) - conn->len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return err_sys(e, errno, "read from the daemon");
	conn->len += (size_t)n;
	return n;
}

static int send_head(struct api_client *c, struct api_conn *conn, const char *method,
		     const char *path, const char *ctype, size_t blen, const char *const *hdrs,
		     bool has_body, struct err *e)
{
	char head[8192];
	size_t n;

	n = (size_t)snprintf(head, sizeof(head),
			     "%s %s%s%s HTTP/1.1\r\nHost: api.moby.localhost\r\n"
			     "User-Agent: tug-client/" API_VERSION_MAX " (linux)\r\n",
			     method, c->version[0] && strcmp(path, "/_ping") ? "/v" : "",
			     c->version[0] && strcmp(path, "/_ping") ? c->version : "", path);
	if (has_body || strcmp(method, "GET")) {
		if (strcmp(method, "HEAD") && strcmp(method, "GET") && blen != (size_t)-1)
			n += (size_t)snprintf(head + n, sizeof(head) - n, "Content-Length: %zu\r\n",
					      blen);
		if (has_body)
			n += (size_t)snprintf(head + n, sizeof(head) - n, "Content-Type: %s\r\n",
					      ctype ? ctype : "application/json");
	}
	for (; hdrs && *hdrs && n < sizeof(head); hdrs++)
		n += (size_t)snprintf(head + n, sizeof(head) - n, "%s\r\n", *hdrs);
	if (n + 3 > sizeof(head))
		return err_set(e, "%s %s: request head too long", method, path);
	memcpy(head + n, "\r\n", 3);
	return send_all(conn->fd, head, n + 2, e);
}

static int read_head(struct api_conn *conn, bool head_req, struct api_resp *r, struct err *e)
{
	size_t hl;
	int minor;
	ssize_t got;

	while (!(hl = http_head_len(conn->buf + conn->off, conn->len - conn->off))) {
		if ((got = conn_fill(conn, e)) < 0)
			return -1;
		if (got == 0)
			return err_set(e,
				       "read from the daemon: connection closed before a response");
	}
	if (hl >= sizeof(r->head))
		return err_set(e, "read from the daemon: response head too long");
	memcpy(r->head, conn->buf + conn->off, hl);
	r->head[hl] = '\0';
	conn->off += hl;
	if (http_parse_head(r->head, hl, &r->h, &minor, e) < 0)
		return -1;
	r->status = r->h.status;
	if (r->status == 101) {
		r->fr.kind = HTTP_BODY_CLOSE;
		r->fr.keep_alive = false;
		return 0;
	}
	if (http_parse_framing(&r->h, minor, head_req, &r->fr, e) < 0)
		return -1;
	r->left = r->fr.length;
	http_chunked_init(&r->ch);
	r->eof = r->fr.kind == HTTP_BODY_NONE || (r->fr.kind == HTTP_BODY_SIZED && !r->left);
	return 0;
}

/* Send on a kept connection; if the daemon closed it meanwhile, dial anew. */
int api_do(struct api_client *c, const char *method, const char *path, const char *ctype,
	   const void *body, size_t blen, const char *const *hdrs, struct api_resp *r,
	   struct err *e)
{
	struct api_conn *conn = c->idle;
	bool reused = conn != NULL;

	memset(r, 0, sizeof(*r));
	c->idle = NULL;
	for (;;) {
		if (!conn && api_dial(c, &conn, e) < 0)
			return -1;
		if (send_head(c, conn, method, path, ctype, blen, hdrs, body != NULL, e) == 0 &&
		    (!body || send_all(conn->fd, body, blen, e) == 0) &&
		    read_head(conn, !strcmp(method, "HEAD"), r, e) == 0)
			break;
		api_conn_free(conn);
		conn = NULL;
		if (!reused)
			return err_wrap(e, "%s %s", method, path);
		reused = false;
	}
	r->conn = conn;
	return 0;
}

static ssize_t body_take(struct api_resp *r, void *buf, size_t n, struct err *e)
{
	struct api_conn *conn = r->conn;

	while (conn->off == conn->len) {
		ssize_t got = conn_fill(conn, e);

		if (got < 0)
			return -1;
		if (got == 0) {
			if (r->fr.kind == HTTP_BODY_CLOSE)
				return r->eof = true, 0;
			return err_set(e, "read from the daemon: connection closed in a body");
		}
	}
	if (n > conn->len - conn->off)
		n = conn->len - conn->off;
	memcpy(buf, conn->buf + conn->off, n);
	conn->off += n;
	return (ssize_t)n;
}

static ssize_t chunked_read(struct api_resp *r, void *buf, size_t n, struct err *e)
{
	struct api_conn *conn = r->conn;

	for (;;) {
		uint64_t avail = http_chunked_data(&r->ch);

		if (avail) {
			ssize_t got = body_take(r, buf, n < avail ? n : (size_t)avail, e);

			if (got > 0)
				http_chunked_take(&r->ch, (size_t)got);
			return got == 0 ? err_set(e, "read from the daemon: truncated chunk") : got;
		}
		if (http_chunked_done(&r->ch))
			return r->eof = true, 0;
		if (conn->off == conn->len) {
			ssize_t got = conn_fill(conn, e);

			if (got <= 0)
				return got < 0 ? -1
					       : err_set(e, "read from the daemon: truncated body");
		}
		conn->off +=
			http_chunked_feed(&r->ch, conn->buf + conn->off, conn->len - conn->off);
		if (r->ch.err)
			return err_set(e, "read from the daemon: %s", r->ch.err);
	}
}

ssize_t api_read(struct api_resp *r, void *buf, size_t n, struct err *e)
{
	ssize_t got;

	if (r->eof || !n)
		return 0;
	switch (r->fr.kind) {
	case HTTP_BODY_SIZED:
		got = body_take(r, buf, (int64_t)n < r->left ? n : (size_t)r->left, e);
		if (got > 0 && !(r->left -= got))
			r->eof = true;
		return got;
	case HTTP_BODY_CHUNKED:
		return chunked_read(r, buf, n, e);
	case HTTP_BODY_CLOSE:
		return body_take(r, buf, n, e);
	default:
		return 0;
	}
}

int api_read_all(struct api_resp *r, size_t max, char **out, size_t *len, struct err *e)
{
	size_t n = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t got;

	if (!buf)
		return err_sys(e, ENOMEM, "read from the daemon");
	while ((got = api_read(r, buf + n, cap - n - 1, e)) > 0) {
		n += (size_t)got;
		if (n + 1 == cap) {
			char *nb = cap * 2 > max + 1 ? NULL : realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return err_set(e, "read from the daemon: answer over %zu bytes",
					       max);
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (got < 0) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int api_read_line(struct api_resp *r, char *buf, size_t size, struct err *e)
{
	size_t n = 0;
	char ch;
	ssize_t got;

	/* byte by byte through api_read: the stream is small and buffered */
	while ((got = api_read(r, &ch, 1, e)) > 0) {
		if (ch == '\n') {
			if (n && buf[n - 1] == '\r')
				n--;
			buf[n] = '\0';
			return 1;
		}
		if (n + 1 < size)
			buf[n++] = ch;
	}
	if (got < 0)
		return -1;
	buf[n] = '\0';
	return n ? 1 : 0;
}

void api_end(struct api_client *c, struct api_resp *r)
{
	if (!r->conn)
		return;
	if (r->eof && r->fr.keep_alive && r->conn->off == r->conn->len && !c->idle) {
		c->idle = r->conn;
	} else {
		api_conn_free(r->conn);
	}
	r->conn = NULL;
}

int api_error(struct api_resp *r, struct err *e)
{
	char *body = NULL;
	cJSON *j = NULL;
	const char *msg = NULL;
	struct err pe;

	if (api_read_all(r, 1 << 20, &body, NULL, &pe) < 0)
		return err_set(e, "Error response from daemon: %d %s", r->status, r->h.reason);
	if (json_parse(body, strlen(body), &j, &pe) == 0 &&
	    json_get_string(j, "", "message", 0, &msg, &pe) == 1)
		err_set(e, "Error response from daemon: %s", msg);
	else if (body[0])
		err_set(e, "Error response from daemon: %.*s", (int)strcspn(body, "\r\n"), body);
	else
		err_set(e, "Error response from daemon: %d %s", r->status, r->h.reason);
	cJSON_Delete(j);
	free(body);
	return -1;
}

/* The body streamed from fd with chunked framing (load: an archive of any
 * size, never held whole). */
int api_do_fd(struct api_client *c, const char *method, const char *path, const char *ctype, int fd,
	      struct api_resp *r, struct err *e)
{
	static const char *const te[] = {"Transfer-Encoding: chunked", NULL};
	struct api_conn *conn;
	char buf[65536 + 16];
	ssize_t n;

	memset(r, 0, sizeof(*r));
	if (api_dial(c, &conn, e) < 0)
		return -1;
	/* no Content-Length: a GET-like head, then our own framing */
	if (send_head(c, conn, method, path, ctype, (size_t)-1, te, true, e) < 0)
		goto fail;
	while ((n = read(fd, buf + 10, 65536)) != 0) {
		char hex[16];
		int h;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_sys(e, errno, "read the archive");
			goto fail;
		}
		/* the size line in front of the data, without snprintf's NUL on it */
		h = snprintf(hex, sizeof(hex), "%08zx\r\n", (size_t)n);
		memcpy(buf, hex, 10);
		memcpy(buf + 10 + n, "\r\n", 2);
		if (h != 10 || send_all(conn->fd, buf, (size_t)n + 12, e) < 0)
			goto fail;
	}
	if (send_all(conn->fd, "0\r\n\r\n", 5, e) < 0 || read_head(conn, false, r, e) < 0)
		goto fail;
	r->conn = conn;
	return 0;
fail:
	api_conn_free(conn);
	return -1;
}
