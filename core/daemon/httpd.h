/* httpd.h - the daemon's HTTP/1.1 server: one epoll loop that accepts,
 * reads request heads and bodies under limits and timeouts, answers short
 * requests inline and hands long or streaming ones to a thread of their
 * own, which gives the connection back when it is done. */
#ifndef TUG_DAEMON_HTTPD_H
#define TUG_DAEMON_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "core/daemon/hreq.h"
#include "err.h"
#include "http-parse.h"

struct hx;
struct hsrv;

/* Route flags. */
#define HR_THREAD 0x1 /* long or streaming: runs on a thread of its own */
#define HR_BODY_STREAM 0x2 /* the handler reads the body itself (hx_body_read) */

struct hroute {
	const char *method; /* "GET" also answers HEAD */
	/* "/containers/{}/json": {} is one path segment, {*} one or more
	 * (image names hold slashes). Captures go to hx->arg[]. */
	const char *pattern;
	void (*fn)(struct hx *x);
	unsigned flags;
};

#define HX_MAX_ARGS 3
#define HBODY_MAX (16u << 20) /* a JSON body larger than this: 413 */

/* One request being answered. Handlers answer exactly once, through the
 * hx_ functions; inline handlers must not block. */
struct hx {
	struct hsrv *srv;
	void *user; /* the server's user pointer (the daemon) */
	struct hreq rq;
	char *body; /* the whole body, NUL-terminated (not with HR_BODY_STREAM) */
	size_t body_len;
	char *arg[HX_MAX_ARGS]; /* the route's captures, decoded */
	bool threaded;
	/* response state */
	int status;
	bool head_sent, chunked, hijacked, done, broken;
	void *conn; /* internal */
};

/* Server. */
struct hsrv_opts {
	const struct hroute *routes;
	size_t nroutes;
	void *user;
	/* Extra header lines every response carries ("Api-Version: 1.47\r\n..."). */
	const char *common_headers;
	/* Not found: called instead of a plain 404 (may be NULL). */
	void (*not_found)(struct hx *x);
	/* Before routing (version checks); returns true when it answered. */
	bool (*pre)(struct hx *x);
	int idle_ms; /* keep-alive idle; 0: 120 s */
	int head_ms; /* from a request's first byte to its complete head; 0: 30 s */
};

int hsrv_new(struct hsrv **out, const struct hsrv_opts *o, struct err *e);
/* Serve connections accepted on fd (non-blocking listening socket, borrowed). */
int hsrv_listen(struct hsrv *s, int fd, struct err *e);
/* Serve an already connected socket (the plaintext end of a TLS relay). */
int hsrv_adopt(struct hsrv *s, int fd, struct err *e);
/* Watch fd for input in the loop: fn runs on the loop thread. */
int hsrv_watch(struct hsrv *s, int fd, void (*fn)(int fd, void *arg), void *arg, struct err *e);
int hsrv_unwatch(struct hsrv *s, int fd);
/* Run fn every interval_ms on the loop thread (one timer). */
void hsrv_tick(struct hsrv *s, int interval_ms, void (*fn)(void *arg), void *arg);
/* Run until hsrv_stop (from a signal handler or any thread). */
int hsrv_run(struct hsrv *s, struct err *e);
void hsrv_stop(struct hsrv *s);
void hsrv_free(struct hsrv *s);
/* Monotonic milliseconds. */
int64_t hsrv_now_ms(void);
/* Start fn(arg) on a detached thread with the server's stack size. */
int hsrv_spawn(void (*fn)(void *arg), void *arg, struct err *e);

/* ---- answering (struct hx) ---- */

/* The head every answer starts with (status line, common headers, Date,
 * extra lines), into buf; marks the head sent. Returns its length. */
size_t hx_head(struct hx *x, char *buf, size_t size, int status, const char *extra);

/* A whole JSON answer (Content-Length). v stays the caller's. */
void hx_json(struct hx *x, int status, const cJSON *v);
/* A whole answer with a body of any type. */
void hx_body(struct hx *x, int status, const char *content_type, const void *buf, size_t len);
/* {"message": "..."} with status, as dockerd's errors. */
void hx_error(struct hx *x, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* 204 No Content (or another status without a body). */
void hx_empty(struct hx *x, int status);

/* Streaming (threaded handlers only): a head with chunked framing (or, for
 * HTTP/1.0 clients, close-delimited), then chunks, then the end. Each
 * returns -1 once the client has gone; handlers stop then. */
int hx_begin(struct hx *x, int status, const char *content_type);
int hx_chunk(struct hx *x, const void *buf, size_t len);
int hx_chunk_json(struct hx *x, const cJSON *v); /* one JSON value + "\n" */
void hx_end(struct hx *x);

/* Upgrade to a raw stream (attach, exec start): sends 101 with Docker's
 * headers, or a plain 200 with the raw-stream type when the client did not
 * ask to upgrade; returns the connection's fd (blocking), which stays the
 * server's: it is closed after the handler returns unless hx_steal_fd. */
int hx_hijack(struct hx *x, bool multiplexed);
/* Take the connection's fd away from the server (to pass it to a shim). */
int hx_steal_fd(struct hx *x);
/* Bytes of the request body (HR_BODY_STREAM): >0, 0 at its end, -1. */
ssize_t hx_body_read(struct hx *x, void *buf, size_t n, struct err *e);
/* The connection's socket (borrowed): to poll for the client going away. */
int hx_fd(struct hx *x);
/* Write raw bytes to the connection (after hx_hijack). */
int hx_write(struct hx *x, const void *buf, size_t len);

#endif
