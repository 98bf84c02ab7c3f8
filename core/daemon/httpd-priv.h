/* httpd-priv.h - what the server's loop (httpd.c) and its answering side
 * (hx.c, hx-stream.c) share: the connection. */
#ifndef TUG_DAEMON_HTTPD_PRIV_H
#define TUG_DAEMON_HTTPD_PRIV_H

#include <pthread.h>
#include <sys/types.h>

#include "core/daemon/httpd.h"

enum hconn_state {
	HC_HEAD, /* reading a request head (or idle between requests) */
	HC_BODY, /* reading a body into memory */
	HC_WRITE, /* writing an inline answer */
	HC_THREAD, /* a thread owns it */
	HC_DRAIN, /* answered and closing: input read and dropped */
};

struct hconn {
	int fd;
	enum hconn_state state;
	char *in; /* bytes read and not yet consumed */
	size_t in_len, in_cap;
	size_t head_len; /* of the request being read */
	char *out; /* inline answer */
	size_t out_len, out_off, out_cap;
	struct http_chunked ch; /* chunked request body */
	char *body;
	size_t body_len;
	size_t consumed; /* wire bytes of the current request's body */
	int64_t deadline_ms; /* monotonic; 0: none */
	bool close_after, continue_sent, head_started;
	const struct hroute *route;
	char argbuf[2048]; /* the route's captures */
	struct hx x;
	struct hsrv *srv;
	struct hconn *prev, *next;
};

struct hwatch {
	int fd;
	void (*fn)(int fd, void *arg);
	void *arg;
	struct hwatch *next;
};

struct hsrv {
	struct hsrv_opts o;
	int ep;
	int back[2]; /* threads give connections back through this pipe */
	int wake[2]; /* hsrv_stop */
	volatile int stop;
	struct hconn *conns;
	struct hwatch *watches, *dead; /* dead: unwatched, freed after the round */
	int *listeners;
	size_t nlisteners;
	void (*tick_fn)(void *);
	void *tick_arg;
	int tick_ms;
	int64_t next_tick;
	pthread_mutex_t mu; /* the watch lists (threads add watches) */
};

/* Write all of buf to a blocking fd with a bound on each wait. */
int hx_send_all(int fd, const void *buf, size_t len);
#define HCONN_IN_CAP (HREQ_HEAD_MAX + 4096)

/* httpd.c */
void hconn_free(struct hsrv *s, struct hconn *c);
void hconn_consume(struct hconn *c);
bool hconn_flush(struct hconn *c); /* true when c was freed */
void hconn_fail(struct hconn *c, int status, const char *msg);
void hconn_dispatch(struct hconn *c); /* c->route set (NULL: not found) */
/* httpd-read.c */
void hconn_readable(struct hconn *c);
void hconn_process(struct hconn *c);
/* httpd-route.c: the route for x's method and path, captures in x->arg. */
const struct hroute *hsrv_route(struct hsrv *s, struct hx *x);

/* Queue bytes of an inline answer. */
void hconn_queue(struct hconn *c, const void *buf, size_t len);

#endif
