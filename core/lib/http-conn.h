/* http-conn.h - one HTTP connection: a socket, TLS over it for https, and
 * the single buffer that holds a response's head and unread body bytes.
 * Internal to the HTTP client (http.c). */
#ifndef TUG_HTTP_CONN_H
#define TUG_HTTP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "http-parse.h"
#include "http.h"

#define HTTP_CONN_BUF 16384 /* also the largest response head */

/* The body being read from a connection. */
struct http_body {
	struct http_framing f;
	int64_t left; /* SIZED: bytes not yet returned */
	int64_t got; /* bytes returned so far */
	struct http_chunked ch;
	bool done; /* read to its end: the connection may be reused */
	bool failed; /* an error was returned: it is not */
	char method[16];
};

struct http_conn {
	int fd;
	struct tls_conn *tls; /* NULL for http */
	bool is_tls;
	unsigned port;
	char host[256];
	char peer[300]; /* "host:port" for messages */
	int timeout_ms;
	unsigned requests; /* requests sent so far: reused when > 0 before a send */
	bool busy; /* a response is being read */
	bool peer_closed; /* EOF, EPIPE or ECONNRESET seen */
	size_t got; /* bytes received since the last request went out */
	size_t base, off, len; /* buf: [0,base) the response head, [off,len) unread */
	struct http_body body;
	char buf[HTTP_CONN_BUF];
};

/* Resolve u's host ("localhost" is 127.0.0.1 then ::1 without asking the
 * resolver), connect with a timeout, and run the TLS handshake for https
 * (tls borrowed, must outlive the connection). *c is malloc'd; close frees. */
int http_conn_open(struct http_conn **c, const struct http_url *u, const struct tls_config *tls,
		   int timeout_ms, struct err *e);
void http_conn_close(struct http_conn *c);
/* Same scheme, host and port. */
bool http_conn_matches(const struct http_conn *c, const struct http_url *u);
/* An idle connection with nothing pending to read and no hangup: worth
 * reusing (a server that closed it is seen before a request is sent). */
bool http_conn_alive(const struct http_conn *c);
/* Send all n bytes (TLS may queue them until http_conn_flush). */
int http_conn_write(struct http_conn *c, const void *p, size_t n, struct err *e);
int http_conn_flush(struct http_conn *c, struct err *e);
/* One read from the transport into p: >0, 0 at EOF, -1 on error. */
ssize_t http_conn_read(struct http_conn *c, void *p, size_t n, struct err *e);
/* One read into buf[len..): >0, 0 at EOF (or a full buffer), -1 on error. */
ssize_t http_conn_fill(struct http_conn *c, struct err *e);

#endif
