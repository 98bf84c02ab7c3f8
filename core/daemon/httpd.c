/* httpd.c - the epoll loop: accept, read heads and bodies under limits and
 * deadlines, route, answer inline or on a thread, keep-alive. Nothing here
 * blocks: a slow or silent client only holds its own connection. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/daemon/httpd-priv.h"

enum { K_LISTEN = 1, K_CONN, K_WATCH, K_BACK, K_WAKE };
#define TAG(p, k) ((uint64_t)(uintptr_t)(p) | (k))
#define TAGFD(fd, k) (((uint64_t)(fd) << 3) | (k))
#define THREAD_STACK (1u << 20) /* touched pages only count */
#define BODY_TIMEOUT_MS 60000

int64_t hsrv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int pipe_nb(int p[2], struct err *e)
{
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return err_sys(e, errno, "pipe");
	return 0;
}

int hsrv_new(struct hsrv **out, const struct hsrv_opts *o, struct err *e)
{
	struct hsrv *s = calloc(1, sizeof(*s));
	struct epoll_event ev = {.events = EPOLLIN};

	if (!s)
		return err_sys(e, ENOMEM, "http server");
	s->o = *o;
	if (!s->o.idle_ms)
		s->o.idle_ms = 120000;
	if (!s->o.head_ms)
		s->o.head_ms = 30000;
	s->back[0] = s->back[1] = s->wake[0] = s->wake[1] = -1;
	pthread_mutex_init(&s->mu, NULL);
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	if (s->ep < 0) {
		free(s);
		return err_sys(e, errno, "epoll_create1");
	}
	if (pipe_nb(s->back, e) < 0 || pipe_nb(s->wake, e) < 0) {
		hsrv_free(s);
		return -1;
	}
	ev.data.u64 = TAGFD(s->back[0], K_BACK);
	epoll_ctl(s->ep, EPOLL_CTL_ADD, s->back[0], &ev);
	ev.data.u64 = TAGFD(s->wake[0], K_WAKE);
	epoll_ctl(s->ep, EPOLL_CTL_ADD, s->wake[0], &ev);
	*out = s;
	return 0;
}

int hsrv_listen(struct hsrv *s, int fd, struct err *e)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAGFD(fd, K_LISTEN)};

	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		return err_sys(e, errno, "epoll add listener");
	return 0;
}

int hsrv_watch(struct hsrv *s, int fd, void (*fn)(int, void *), void *arg, struct err *e)
{
	struct hwatch *w = calloc(1, sizeof(*w));
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG(w, K_WATCH)};

	if (!w)
		return err_sys(e, ENOMEM, "watch");
	/* threads add watches (a container's start): the list is locked */
	pthread_mutex_lock(&s->mu);
	*w = (struct hwatch){fd, fn, arg, s->watches};
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		pthread_mutex_unlock(&s->mu);
		free(w);
		return err_sys(e, errno, "epoll add");
	}
	s->watches = w;
	pthread_mutex_unlock(&s->mu);
	return 0;
}

int hsrv_unwatch(struct hsrv *s, int fd)
{
	int r = -1;

	pthread_mutex_lock(&s->mu);
	for (struct hwatch **p = &s->watches; *p; p = &(*p)->next) {
		if ((*p)->fd == fd) {
			struct hwatch *w = *p;
			epoll_ctl(s->ep, EPOLL_CTL_DEL, fd, NULL);
			*p = w->next;
			/* freed after this round: the loop may still hold its event */
			w->fn = NULL;
			w->next = s->dead;
			s->dead = w;
			r = 0;
			break;
		}
	}
	pthread_mutex_unlock(&s->mu);
	return r;
}

void hsrv_tick(struct hsrv *s, int interval_ms, void (*fn)(void *), void *arg)
{
	s->tick_fn = fn;
	s->tick_arg = arg;
	s->tick_ms = interval_ms;
	s->next_tick = hsrv_now_ms() + interval_ms;
}

void hsrv_stop(struct hsrv *s)
{
	s->stop = 1;
	if (write(s->wake[1], "x", 1) < 0) {
		/* the loop sees stop at its next wake-up anyway */
	}
}

void hconn_free(struct hsrv *s, struct hconn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->in);
	free(c->out);
	free(c->body);
	free(c);
}

void hsrv_free(struct hsrv *s)
{
	if (!s)
		return;
	while (s->conns)
		hconn_free(s, s->conns);
	while (s->watches) {
		struct hwatch *w = s->watches;
		s->watches = w->next;
		free(w);
	}
	while (s->dead) {
		struct hwatch *w = s->dead;
		s->dead = w->next;
		free(w);
	}
	for (int i = 0; i < 2; i++) {
		if (s->back[i] >= 0)
			close(s->back[i]);
		if (s->wake[i] >= 0)
			close(s->wake[i]);
	}
	close(s->ep);
	free(s);
}

static int conn_add(struct hsrv *s, int fd, struct err *e)
{
	struct hconn *c = calloc(1, sizeof(*c));
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP};

	if (!c) {
		close(fd);
		return err_sys(e, ENOMEM, "connection");
	}
	c->in = malloc(HCONN_IN_CAP);
	if (!c->in) {
		free(c);
		close(fd);
		return err_sys(e, ENOMEM, "connection");
	}
	c->in_cap = HCONN_IN_CAP;
	c->fd = fd;
	c->srv = s;
	c->state = HC_HEAD;
	c->deadline_ms = hsrv_now_ms() + s->o.idle_ms;
	ev.data.u64 = TAG(c, K_CONN);
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		free(c->in);
		free(c);
		return err_sys(e, errno, "epoll add connection");
	}
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	return 0;
}

int hsrv_adopt(struct hsrv *s, int fd, struct err *e)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	return conn_add(s, fd, e);
}

static void on_accept(struct hsrv *s, int lfd)
{
	for (int i = 0; i < 64; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN, or EMFILE: retried at the next event */
		conn_add(s, fd, NULL);
	}
}

static void set_events(struct hconn *c, uint32_t events)
{
	struct epoll_event ev = {.events = events | EPOLLRDHUP, .data.u64 = TAG(c, K_CONN)};

	epoll_ctl(c->srv->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

void hconn_queue(struct hconn *c, const void *buf, size_t len)
{
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *n;
		while (cap < c->out_len + len)
			cap *= 2;
		n = realloc(c->out, cap);
		if (!n) {
			c->close_after = true;
			return;
		}
		c->out = n;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
}

/* Drop what the finished request used from the input buffer. */
void hconn_consume(struct hconn *c)
{
	size_t used = c->head_len + c->consumed;

	if (used > c->in_len)
		used = c->in_len;
	memmove(c->in, c->in + used, c->in_len - used);
	c->in_len -= used;
	c->head_len = c->consumed = 0;
	free(c->body);
	c->body = NULL;
	c->body_len = 0;
	c->out_len = c->out_off = 0;
	c->continue_sent = false;
	memset(&c->x, 0, sizeof(c->x));
	c->state = HC_HEAD;
	c->deadline_ms = hsrv_now_ms() + c->srv->o.idle_ms;
}

/* Write the queued inline answer; true when the connection was freed. */
bool hconn_flush(struct hconn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			set_events(c, EPOLLOUT);
			c->deadline_ms = hsrv_now_ms() + BODY_TIMEOUT_MS;
			return false;
		}
		if (n <= 0) {
			hconn_free(c->srv, c);
			return true;
		}
		c->out_off += (size_t)n;
	}
	if (c->state != HC_WRITE)
		return false; /* a 100 Continue went out: go on reading */
	if (c->close_after || !c->x.rq.keep_alive) {
		/* a lingering close: the client may still be sending (a refused
		 * head or body); closing with unread input would reset the
		 * connection and lose the answer. Read and drop for a while. */
		if (c->close_after && shutdown(c->fd, SHUT_WR) == 0) {
			c->state = HC_DRAIN;
			c->deadline_ms = hsrv_now_ms() + 2000;
			set_events(c, EPOLLIN);
			return false;
		}
		hconn_free(c->srv, c);
		return true;
	}
	hconn_consume(c);
	set_events(c, EPOLLIN);
	hconn_process(c);
	return false;
}

/* Answer a request that could not be parsed or read, then close. */
void hconn_fail(struct hconn *c, int status, const char *msg)
{
	c->close_after = true;
	c->x.conn = c;
	c->x.srv = c->srv;
	c->x.rq.keep_alive = false;
	c->state = HC_WRITE;
	hx_error(&c->x, status, "%s", msg);
	hconn_flush(c);
}

static void run_thread(void *arg);

void hconn_dispatch(struct hconn *c)
{
	struct hx *x = &c->x;
	const struct hroute *r = c->route;
	struct err e;

	x->body = c->body;
	x->body_len = c->body_len;
	if (r && (r->flags & HR_THREAD)) {
		int fl = fcntl(c->fd, F_GETFL);
		x->threaded = true;
		c->state = HC_THREAD;
		epoll_ctl(c->srv->ep, EPOLL_CTL_DEL, c->fd, NULL);
		fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK);
		c->deadline_ms = 0;
		if (hsrv_spawn(run_thread, c, &e) == 0)
			return;
		fcntl(c->fd, F_SETFL, fl);
		struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP,
					 .data.u64 = TAG(c, K_CONN)};
		epoll_ctl(c->srv->ep, EPOLL_CTL_ADD, c->fd, &ev);
		x->threaded = false;
		c->state = HC_WRITE;
		hx_error(x, 500, "%s", e.msg);
	} else {
		c->state = HC_WRITE;
		if (r)
			r->fn(x);
		else if (c->srv->o.not_found)
			c->srv->o.not_found(x);
		else
			hx_error(x, 404, "page not found");
		if (!x->done)
			hx_error(x, 500, "internal error: no answer");
	}
	hconn_flush(c);
}

static void run_thread(void *arg)
{
	struct hconn *c = arg;
	struct hx *x = &c->x;

	c->route->fn(x);
	if (!x->done && !x->broken && !x->hijacked)
		hx_error(x, 500, "internal error: no answer");
	if (x->hijacked || x->broken || !x->rq.keep_alive || c->close_after)
		c->close_after = true;
	if (write(c->srv->back[1], &c, sizeof(c)) != sizeof(c)) {
		/* the pipe cannot fill: one pointer per thread */
	}
}

/* A thread is done with c: keep it alive or free it. */
static void on_back(struct hsrv *s)
{
	struct hconn *c;

	while (read(s->back[0], &c, sizeof(c)) == sizeof(c)) {
		if (c->close_after || c->fd < 0) {
			hconn_free(s, c);
			continue;
		}
		fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
		struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP,
					 .data.u64 = TAG(c, K_CONN)};
		epoll_ctl(s->ep, EPOLL_CTL_ADD, c->fd, &ev);
		hconn_consume(c);
		hconn_process(c);
	}
}

static void on_timeouts(struct hsrv *s)
{
	int64_t now = hsrv_now_ms();
	struct hconn *c = s->conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->state != HC_THREAD && c->deadline_ms && now >= c->deadline_ms)
			hconn_free(s, c);
	}
	if (s->tick_fn && now >= s->next_tick) {
		s->next_tick = now + s->tick_ms;
		s->tick_fn(s->tick_arg);
	}
}

static void drain(struct hconn *c)
{
	char buf[16384];
	ssize_t n;

	while ((n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		;
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		hconn_free(c->srv, c);
}

static void on_event(struct hsrv *s, struct epoll_event *ev)
{
	uint64_t d = ev->data.u64;
	int kind = (int)(d & 7);

	if (kind == K_LISTEN) {
		on_accept(s, (int)(d >> 3));
	} else if (kind == K_BACK) {
		on_back(s);
	} else if (kind == K_WAKE) {
		char b[16];
		while (read(s->wake[0], b, sizeof(b)) > 0)
			;
	} else if (kind == K_WATCH) {
		struct hwatch *w = (struct hwatch *)(uintptr_t)(d & ~(uint64_t)7);
		if (w->fn)
			w->fn(w->fd, w->arg);
	} else {
		struct hconn *c = (struct hconn *)(uintptr_t)(d & ~(uint64_t)7);
		if (c->state == HC_WRITE && (ev->events & EPOLLOUT))
			hconn_flush(c);
		else if (c->state == HC_HEAD || c->state == HC_BODY)
			hconn_readable(c);
		else if (c->state == HC_WRITE && (ev->events & (EPOLLERR | EPOLLHUP)))
			hconn_free(s, c);
		else if (c->state == HC_DRAIN)
			drain(c);
	}
}

int hsrv_run(struct hsrv *s, struct err *e)
{
	struct epoll_event evs[64];

	while (!s->stop) {
		int n = epoll_wait(s->ep, evs, 64, 1000);
		if (n < 0 && errno != EINTR)
			return err_sys(e, errno, "epoll_wait");
		for (int i = 0; i < n; i++)
			on_event(s, &evs[i]);
		/* watches removed during the round can be freed now */
		pthread_mutex_lock(&s->mu);
		while (s->dead) {
			struct hwatch *w = s->dead;
			s->dead = w->next;
			free(w);
		}
		pthread_mutex_unlock(&s->mu);
		on_timeouts(s);
	}
	return 0;
}

static void *thread_main(void *arg)
{
	void **a = arg;
	void (*fn)(void *) = (void (*)(void *))a[0];
	void *fa = a[1];

	free(a);
	fn(fa);
	return NULL;
}

int hsrv_spawn(void (*fn)(void *), void *arg, struct err *e)
{
	pthread_attr_t at;
	pthread_t t;
	void **a = malloc(2 * sizeof(void *));
	int r;

	if (!a)
		return err_sys(e, ENOMEM, "thread");
	a[0] = (void *)fn;
	a[1] = arg;
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, THREAD_STACK);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &at, thread_main, a);
	pthread_attr_destroy(&at);
	if (r) {
		free(a);
		return err_sys(e, r, "start a thread");
	}
	return 0;
}
