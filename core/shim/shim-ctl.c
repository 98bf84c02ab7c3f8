/* shim-ctl.c - the shim's control socket: one request line per connection
 * (attach, resize, wait, state), and the attached clients, whose output is
 * queued up to a bound so that none of them can stall the log or the others. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/shim/shim.h"

int shim_listen(struct shim *s, struct err *e)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t old;
	int r;

	if (strlen(s->socket) >= sizeof(a.sun_path))
		return err_sys(e, ENAMETOOLONG, "control socket %s", s->socket);
	strcpy(a.sun_path, s->socket);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->listen_fd < 0)
		return err_sys(e, errno, "socket");
	/* A socket left by a shim that died is in the way; anything else is
	 * not ours to remove. */
	if (lstat(s->socket, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(s->socket);
	old = umask(077);
	r = bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a));
	umask(old);
	if (r < 0 || listen(s->listen_fd, 16) < 0) {
		err_sys(e, errno, "control socket %s", s->socket);
		close(s->listen_fd);
		s->listen_fd = -1;
		return -1;
	}
	return 0;
}

static struct shim_client *client_new(struct shim *s, int fd, enum shim_client_kind kind)
{
	struct shim_client *c = calloc(1, sizeof(*c));

	if (!c) {
		close(fd);
		return NULL;
	}
	c->fd = fd;
	c->passed_fd = -1;
	c->kind = kind;
	c->next = s->clients;
	s->clients = c;
	return c;
}

void shim_attach_initial(struct shim *s, const char *spec)
{
	/* "4:ioe,5:oe": clients the daemon attached before the start; the
	 * output waits in the pipes until the loop reads it, so they miss
	 * nothing */
	while (spec && *spec) {
		char *end;
		long fd = strtol(spec, &end, 10);
		const char *modes = *end == ':' ? end + 1 : "";
		size_t n = strcspn(modes, ",");
		struct shim_client *a;

		if (fd > 2 && fcntl((int)fd, F_SETFD, FD_CLOEXEC) == 0) {
			fcntl((int)fd, F_SETFL, O_NONBLOCK);
			a = client_new(s, (int)fd, SHIM_CL_ATTACH);
			if (a) {
				a->in = memchr(modes, 'i', n) && s->in_fd >= 0;
				a->out = memchr(modes, 'o', n) != NULL;
				a->err = memchr(modes, 'e', n) != NULL;
				a->closing = s->exited;
			}
		}
		spec = modes + n + (modes[n] == ',');
	}
}

void shim_accept(struct shim *s)
{
	int fd;

	while ((fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		client_new(s, fd, SHIM_CL_REQUEST);
}

void shim_client_drop(struct shim *s, struct shim_client *c)
{
	for (struct shim_client **p = &s->clients; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	close(c->fd);
	if (c->passed_fd >= 0)
		close(c->passed_fd);
	free(c->q);
	free(c);
}

/* Short answers fit in the socket buffer of a fresh connection. */
static void answer(struct shim_client *c, const char *text)
{
	send(c->fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void exit_line(const struct shim *s, char *buf, size_t size)
{
	snprintf(buf, size, "exit %d %d\n", s->exit_code, s->exit_signal);
}

/* Read the request line, with an fd when one was passed along. */
static int read_request(struct shim_client *c)
{
	char ctl[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = {c->req + c->reqlen, sizeof(c->req) - 1 - c->reqlen};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl,
			   .msg_controllen = sizeof(ctl)};
	ssize_t n = recvmsg(c->fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
		int fds[4];
		size_t k;

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(h), k * sizeof(int));
		for (size_t i = 0; i < k; i++) {
			if (c->passed_fd < 0)
				c->passed_fd = fds[i];
			else
				close(fds[i]);
		}
	}
	if (n == 0)
		return -1;
	c->reqlen += (size_t)n;
	c->req[c->reqlen] = '\0';
	if (strchr(c->req, '\n'))
		return 1;
	return c->reqlen == sizeof(c->req) - 1 ? -1 : 0;
}

/* attach: the passed connection becomes an attach client of its own; the
 * request's connection is answered and closed. */
static void do_attach(struct shim *s, struct shim_client *c, int in, int out, int err)
{
	struct shim_client *a;

	if (c->passed_fd < 0) {
		answer(c, "error attach: no connection was passed\n");
		return;
	}
	fcntl(c->passed_fd, F_SETFL, O_NONBLOCK);
	a = client_new(s, c->passed_fd, SHIM_CL_ATTACH);
	c->passed_fd = -1;
	if (!a) {
		answer(c, "error attach: out of memory\n");
		return;
	}
	a->in = in && s->in_fd >= 0;
	a->out = out;
	a->err = err;
	/* Attached after the exit: there is nothing more to send. */
	a->closing = s->exited;
	answer(c, "ok\n");
}

static void do_resize(struct shim *s, struct shim_client *c, unsigned rows, unsigned cols)
{
	struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};

	if (!s->tty || s->out_fd < 0)
		answer(c, "error resize: the container has no tty\n");
	else if (ioctl(s->out_fd, TIOCSWINSZ, &ws) < 0)
		answer(c, "error resize: TIOCSWINSZ failed\n");
	else
		answer(c, "ok\n");
}

/* One request; returns true when the connection stays (a waiter). */
static bool handle_request(struct shim *s, struct shim_client *c)
{
	char line[64];
	int a, b, d;
	unsigned rows, cols;

	if (s->exec_mode && strncmp(c->req, "resize ", 7) && strcmp(c->req, "state\n")) {
		/* an exec's socket is for its pty: nothing to attach or wait */
		answer(c, "error unknown request\n");
	} else if (!strncmp(c->req, "attach ", 7) &&
		   sscanf(c->req + 7, "%d %d %d", &a, &b, &d) == 3) {
		do_attach(s, c, a, b, d);
	} else if (!strncmp(c->req, "resize ", 7) &&
		   sscanf(c->req + 7, "%u %u", &rows, &cols) == 2 && rows < 65536 && cols < 65536) {
		do_resize(s, c, rows, cols);
	} else if (!strcmp(c->req, "wait\n")) {
		if (!s->exited) {
			c->kind = SHIM_CL_WAIT;
			return true;
		}
		exit_line(s, line, sizeof(line));
		answer(c, line);
	} else if (!strcmp(c->req, "state\n")) {
		if (s->exited)
			snprintf(line, sizeof(line), "exited %d\n", s->exit_code);
		else
			snprintf(line, sizeof(line), "running %d\n", (int)s->pid);
		answer(c, line);
	} else {
		answer(c, "error unknown request\n");
	}
	return false;
}

void shim_answer_waiters(struct shim *s)
{
	struct shim_client *c, *next;
	char line[64];

	exit_line(s, line, sizeof(line));
	for (c = s->clients; c; c = next) {
		next = c->next;
		if (c->kind == SHIM_CL_WAIT) {
			answer(c, line);
			shim_client_drop(s, c);
		} else if (c->kind == SHIM_CL_REQUEST) {
			/* the socket is gone: a request half sent gets EOF */
			shim_client_drop(s, c);
		} else if (c->kind == SHIM_CL_ATTACH) {
			c->closing = true;
			c->in = false;
			if (!c->qlen)
				shim_client_drop(s, c);
		}
	}
}

void shim_request_event(struct shim *s, struct shim_client *c, short revents)
{
	char buf[64];
	int r;

	if (c->kind == SHIM_CL_WAIT) {
		/* A waiter only ever hangs up (or talks out of turn). */
		if (recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0 || (revents & POLLERR))
			shim_client_drop(s, c);
		return;
	}
	r = read_request(c);
	if (r < 0 || (r == 1 && !handle_request(s, c)))
		shim_client_drop(s, c);
}
