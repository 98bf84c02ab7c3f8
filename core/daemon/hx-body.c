/* hx-body.c - a request body read as a stream by its handler (image load):
 * the bytes already buffered with the head first, then the socket; sized
 * or chunked. The connection's head buffer is the chunk decoder's scratch. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "core/daemon/httpd-priv.h"

#define READ_WAIT_MS 120000

static ssize_t fill(struct hconn *c, struct err *e)
{
	struct pollfd pf = {.fd = c->fd, .events = POLLIN};
	ssize_t n;

	if (c->in_len == c->in_cap)
		return err_set(e, "request body: buffer full");
	for (;;) {
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
		if (n > 0) {
			c->in_len += (size_t)n;
			return n;
		}
		if (n == 0)
			return err_set(e, "request body: the client closed the connection early");
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return err_sys(e, errno, "request body");
		if (poll(&pf, 1, READ_WAIT_MS) <= 0)
			return err_set(e, "request body: timed out");
	}
}

static size_t avail(struct hconn *c)
{
	return c->in_len - c->head_len - c->consumed;
}

ssize_t hx_body_read(struct hx *x, void *buf, size_t n, struct err *e)
{
	struct hconn *c = x->conn;

	if (!x->rq.chunked) {
		size_t left =
			x->rq.content_length > 0 ? (size_t)x->rq.content_length - c->body_len : 0;
		if (!left)
			return 0;
		if (n > left)
			n = left;
		if (!avail(c)) {
			/* straight from the socket: the buffer holds the head only */
			c->in_len = c->head_len + c->consumed;
			if (fill(c, e) < 0)
				return -1;
		}
		if (n > avail(c))
			n = avail(c);
		memcpy(buf, c->in + c->head_len + c->consumed, n);
		c->consumed += n;
		c->body_len += n;
		if (!avail(c)) { /* reuse the space: nothing after the body was read */
			c->in_len = c->head_len;
			c->consumed = 0;
		}
		return (ssize_t)n;
	}
	for (;;) {
		uint64_t d;
		if (http_chunked_done(&c->ch))
			return 0;
		if ((d = http_chunked_data(&c->ch)) > 0 && avail(c)) {
			size_t k = avail(c) < d ? avail(c) : (size_t)d;
			if (k > n)
				k = n;
			memcpy(buf, c->in + c->head_len + c->consumed, k);
			http_chunked_take(&c->ch, k);
			c->consumed += k;
			c->body_len += k;
			return (ssize_t)k;
		}
		if (!d && avail(c)) {
			size_t k = http_chunked_feed(&c->ch, c->in + c->head_len + c->consumed,
						     avail(c));
			if (c->ch.err)
				return err_set(e, "request body: %s", c->ch.err);
			c->consumed += k;
			if (k)
				continue;
		}
		/* compact, then read more */
		memmove(c->in + c->head_len, c->in + c->head_len + c->consumed, avail(c));
		c->in_len -= c->consumed;
		c->consumed = 0;
		if (fill(c, e) < 0)
			return -1;
	}
}
