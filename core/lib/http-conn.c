/* http-conn.c - HTTP connections: name resolution, connect with a timeout,
 * TLS for https, and timed reads and writes over either transport. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http-conn.h"
#include "sock.h"
#include "tls.h"

/* Non-blocking connect, then a timed wait for it to complete. */
static int connect_addr(const struct addrinfo *ai, int timeout_ms, const char *peer, struct err *e)
{
	int fd, soerr = 0, one = 1;
	socklen_t sl = sizeof(soerr);

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_sys(e, errno, "connecting to %s: socket", peer);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			err_sys(e, errno, "connecting to %s", peer);
			goto fail;
		}
		if (sock_wait(fd, POLLOUT, timeout_ms, "connecting to", peer, e) < 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			soerr = errno;
		if (soerr) {
			err_sys(e, soerr, "connecting to %s", peer);
			goto fail;
		}
	}
	/* The head and the body go out in separate writes: no Nagle delay. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
fail:
	close(fd);
	return -1;
}

/* Try every address of name in turn; the last failure is the message. */
static int dial_name(const char *name, unsigned port, bool numeric, int timeout_ms,
		     const char *peer, struct err *e)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res, *ai;
	char ps[8];
	int r, fd = -1;

	if (numeric)
		hints.ai_flags |= AI_NUMERICHOST;
	snprintf(ps, sizeof(ps), "%u", port);
	r = getaddrinfo(name, ps, &hints, &res);
	if (r == EAI_NONAME && numeric)
		return -2; /* not a literal: ask the resolver */
	if (r)
		return err_set(e, "resolving %s: %s", name,
			       r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
	for (ai = res; ai && fd < 0; ai = ai->ai_next)
		fd = connect_addr(ai, timeout_ms, peer, e);
	freeaddrinfo(res);
	return fd;
}

static int dial(const char *host, unsigned port, int timeout_ms, const char *peer, struct err *e)
{
	int fd;

	if (strcasecmp(host, "localhost") == 0) {
		fd = dial_name("127.0.0.1", port, true, timeout_ms, peer, e);
		return fd >= 0 ? fd : dial_name("::1", port, true, timeout_ms, peer, e);
	}
	fd = dial_name(host, port, true, timeout_ms, peer, e);
	if (fd == -2)
		fd = dial_name(host, port, false, timeout_ms, peer, e);
	return fd;
}

int http_conn_open(struct http_conn **out, const struct http_url *u, const struct tls_config *tls,
		   int timeout_ms, struct err *e)
{
	struct http_conn *c;

	*out = NULL;
	c = malloc(sizeof(*c));
	if (!c)
		return err_sys(e, ENOMEM, "HTTP connection");
	memset(c, 0, offsetof(struct http_conn, buf));
	c->is_tls = u->tls;
	c->port = u->port;
	snprintf(c->host, sizeof(c->host), "%s", u->host);
	http_url_hostport(u, c->peer, sizeof(c->peer), true);
	c->timeout_ms = timeout_ms;
	c->fd = dial(u->host, u->port, timeout_ms, c->peer, e);
	if (c->fd < 0)
		goto fail;
	if (u->tls && tls_conn_open(&c->tls, tls, c->fd, u->host, c->peer, timeout_ms, e) < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	http_conn_close(c);
	return -1;
}

void http_conn_close(struct http_conn *c)
{
	if (!c)
		return;
	tls_conn_close(c->tls);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

bool http_conn_matches(const struct http_conn *c, const struct http_url *u)
{
	return c->is_tls == u->tls && c->port == u->port && strcasecmp(c->host, u->host) == 0;
}

bool http_conn_alive(const struct http_conn *c)
{
	struct pollfd p = {.fd = c->fd, .events = POLLIN | POLLRDHUP};

	return !c->peer_closed && poll(&p, 1, 0) == 0;
}

/* EOF, EPIPE and ECONNRESET mean the server is gone: a request it never
 * answered may be sent again on a fresh connection. */
static void note_gone(struct http_conn *c, ssize_t r, const struct err *e)
{
	if (r == 0 || (r < 0 && e && (e->errnum == EPIPE || e->errnum == ECONNRESET)))
		c->peer_closed = true;
}

int http_conn_write(struct http_conn *c, const void *p, size_t n, struct err *e)
{
	const char *s = p;

	if (c->tls) {
		int r = tls_conn_write(c->tls, p, n, e);
		if (r < 0)
			note_gone(c, r, e);
		return r;
	}
	while (n) {
		ssize_t w = sock_send(c->fd, s, n, c->timeout_ms, c->peer, e);
		if (w < 0) {
			note_gone(c, w, e);
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int http_conn_flush(struct http_conn *c, struct err *e)
{
	int r = c->tls ? tls_conn_flush(c->tls, e) : 0;

	if (r < 0)
		note_gone(c, r, e);
	return r;
}

ssize_t http_conn_read(struct http_conn *c, void *p, size_t n, struct err *e)
{
	ssize_t r = c->tls ? tls_conn_read(c->tls, p, n, e)
			   : sock_recv(c->fd, p, n, c->timeout_ms, c->peer, e);

	note_gone(c, r, e);
	if (r > 0)
		c->got += (size_t)r;
	return r;
}

ssize_t http_conn_fill(struct http_conn *c, struct err *e)
{
	ssize_t r;

	if (c->off == c->len) {
		c->off = c->len = c->base;
	} else if (c->len == sizeof(c->buf) && c->off > c->base) {
		memmove(c->buf + c->base, c->buf + c->off, c->len - c->off);
		c->len -= c->off - c->base;
		c->off = c->base;
	}
	if (c->len == sizeof(c->buf))
		return 0;
	r = http_conn_read(c, c->buf + c->len, sizeof(c->buf) - c->len, e);
	if (r > 0)
		c->len += (size_t)r;
	return r;
}
