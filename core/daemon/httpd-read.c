/* httpd-read.c - reading a request on the loop: the head into the
 * connection's fixed buffer, a sized or chunked body into memory (up to
 * HBODY_MAX), with a deadline on each; then the answer is dispatched. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/daemon/httpd-priv.h"

#define HEAD_MS_SLOW 30000
#define BODY_MS 60000

static int body_grow(struct hconn *c, size_t more)
{
	char *n;

	if (c->body_len + more > HBODY_MAX)
		return -1;
	n = realloc(c->body, c->body_len + more + 1);
	if (!n)
		return -1;
	c->body = n;
	return 0;
}

/* Feed chunked framing from in[head_len + consumed ..]; data goes to the
 * body. 1: the body is complete, 0: more needed, -1: malformed or too big. */
static int chunked_feed(struct hconn *c)
{
	for (;;) {
		char *p = c->in + c->head_len + c->consumed;
		size_t avail = c->in_len - c->head_len - c->consumed;
		uint64_t d;

		if (http_chunked_done(&c->ch))
			return 1;
		if ((d = http_chunked_data(&c->ch)) > 0) {
			size_t n = avail < d ? avail : (size_t)d;
			if (!n)
				break;
			if (body_grow(c, n) < 0)
				return -1;
			memcpy(c->body + c->body_len, p, n);
			c->body_len += n;
			http_chunked_take(&c->ch, n);
			c->consumed += n;
			continue;
		}
		size_t n = http_chunked_feed(&c->ch, p, avail);
		if (c->ch.err)
			return -1;
		c->consumed += n;
		if (!n && !http_chunked_done(&c->ch))
			break;
	}
	/* Everything fed: make room for more by dropping it from the buffer. */
	memmove(c->in + c->head_len, c->in + c->head_len + c->consumed,
		c->in_len - c->head_len - c->consumed);
	c->in_len -= c->consumed;
	c->consumed = 0;
	return 0;
}

/* The head is complete: parse, route, decide about the body. */
static void on_head(struct hconn *c, size_t hl)
{
	struct hx *x = &c->x;
	struct err e;
	int st;

	memset(x, 0, sizeof(*x));
	x->conn = c;
	x->srv = c->srv;
	x->user = c->srv->o.user;
	if ((st = hreq_parse(c->in, hl, &x->rq, &e))) {
		hconn_fail(c, st, e.msg);
		return;
	}
	c->head_len = hl;
	c->route = hsrv_route(c->srv, x);
	if (c->srv->o.pre) {
		c->state = HC_WRITE;
		if (c->srv->o.pre(x)) {
			c->close_after = x->rq.content_length > 0 || x->rq.chunked;
			hconn_flush(c);
			return;
		}
	}
	if (x->rq.content_length > 0 || x->rq.chunked) {
		if (c->route && (c->route->flags & HR_BODY_STREAM)) {
			http_chunked_init(&c->ch);
			hconn_dispatch(c);
			return;
		}
		if (x->rq.content_length > (int64_t)HBODY_MAX) {
			hconn_fail(c, 413, "request body too large");
			return;
		}
		http_chunked_init(&c->ch);
		c->state = HC_BODY;
		c->deadline_ms = hsrv_now_ms() + BODY_MS;
		hconn_process(c);
		return;
	}
	hconn_dispatch(c);
}

static void on_body(struct hconn *c)
{
	struct hx *x = &c->x;

	if (x->rq.expect_continue && !c->continue_sent) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		c->continue_sent = true;
		hconn_queue(c, cont, sizeof(cont) - 1);
		if (hconn_flush(c))
			return;
		c->out_len = c->out_off = 0;
	}
	if (x->rq.chunked) {
		int r = chunked_feed(c);
		if (r < 0) {
			hconn_fail(c, 400, "malformed chunked request body");
			return;
		}
		if (r == 0)
			return;
	} else {
		size_t want = (size_t)x->rq.content_length;
		size_t avail = c->in_len - c->head_len - c->consumed;
		size_t n = want - c->body_len < avail ? want - c->body_len : avail;
		if (!c->body && body_grow(c, want) < 0) {
			hconn_fail(c, 413, "request body too large");
			return;
		}
		memcpy(c->body + c->body_len, c->in + c->head_len + c->consumed, n);
		c->body_len += n;
		c->consumed += n;
		if (c->body_len < want)
			return;
	}
	c->body[c->body_len] = '\0';
	hconn_dispatch(c);
}

void hconn_process(struct hconn *c)
{
	if (c->state == HC_HEAD) {
		size_t hl = http_head_len(c->in, c->in_len);
		if (!hl) {
			if (c->in_len >= HREQ_HEAD_MAX) {
				hconn_fail(c, 431, "request header fields too large");
			} else if (c->in_len && !c->head_started) {
				c->head_started = true;
				c->deadline_ms = hsrv_now_ms() + c->srv->o.head_ms;
			}
			return;
		}
		c->head_started = false;
		if (hl > HREQ_HEAD_MAX) {
			hconn_fail(c, 431, "request header fields too large");
			return;
		}
		on_head(c, hl);
	} else if (c->state == HC_BODY) {
		on_body(c);
	}
}

/* Sized bodies bigger than what the buffer holds are read straight into
 * the body, so the head's fields (pointing into c->in) never move. */
static ssize_t read_sized_body(struct hconn *c)
{
	size_t want = (size_t)c->x.rq.content_length - c->body_len;
	ssize_t n;

	if (!c->body && body_grow(c, (size_t)c->x.rq.content_length) < 0)
		return -1;
	n = recv(c->fd, c->body + c->body_len, want, MSG_DONTWAIT);
	if (n > 0) {
		c->body_len += (size_t)n;
		c->deadline_ms = hsrv_now_ms() + BODY_MS;
		if (c->body_len == (size_t)c->x.rq.content_length) {
			c->body[c->body_len] = '\0';
			hconn_dispatch(c);
		}
	}
	return n;
}

void hconn_readable(struct hconn *c)
{
	ssize_t n;

	if (c->state == HC_BODY && !c->x.rq.chunked && c->in_len == c->head_len + c->consumed) {
		n = read_sized_body(c);
	} else {
		if (c->in_len == c->in_cap) {
			/* a chunked body stalled on a full buffer cannot happen:
			 * chunked_feed empties it; a full head buffer is 431 */
			hconn_fail(c, 431, "request header fields too large");
			return;
		}
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
		if (n > 0) {
			c->in_len += (size_t)n;
			if (c->state == HC_BODY)
				c->deadline_ms = hsrv_now_ms() + BODY_MS;
			hconn_process(c);
			return;
		}
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		hconn_free(c->srv, c);
	else if (n < 0 && c->state == HC_BODY && errno != EAGAIN)
		hconn_fail(c, 413, "request body too large");
}
