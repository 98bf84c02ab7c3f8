/* attach.c - a hijacked attach or exec stream between the terminal and the
 * daemon: stdin copied up (half-closed at its EOF), output demultiplexed
 * (or raw with a tty), the terminal in raw mode with -t, and window size
 * changes (SIGWINCH) sent to the daemon's resize endpoint. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "core/client/demux.h"
#include "core/client/engine.h"
#include "core/client/stream.h"

static int winch_pipe[2] = {-1, -1};

static void on_winch(int sig)
{
	int saved = errno;

	(void)sig;
	if (write(winch_pipe[1], "w", 1) < 0) {
		/* a full pipe already holds a pending resize */
	}
	errno = saved;
}

void eng_resize(struct api_client *c, const char *resize_path)
{
	struct winsize ws;
	char path[1200];
	struct err e;

	if (!resize_path || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || !ws.ws_row)
		return;
	snprintf(path, sizeof(path), "%s?h=%u&w=%u", resize_path, ws.ws_row, ws.ws_col);
	api_json(c, "POST", path, NULL, NULL, &e);
}

static int write_all(int fd, const char *buf, size_t n, struct err *e)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return err_sys(e, errno, "write output");
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static int out_frame(void *ctx, int stream, const char *buf, size_t len, struct err *e)
{
	(void)ctx;
	return write_all(stream == 2 ? STDERR_FILENO : STDOUT_FILENO, buf, len, e);
}

static int from_daemon(struct eng_stream *s, const char *buf, size_t n, struct err *e)
{
	if (s->tty)
		return write_all(STDOUT_FILENO, buf, n, e);
	return demux_feed(&s->dm, buf, n, out_frame, NULL, e);
}

static void stdin_done(struct eng_stream *s)
{
	s->stdin_open = false;
	shutdown(s->conn->fd, SHUT_WR);
}

static int copy_stdin(struct eng_stream *s, struct err *e)
{
	char buf[8192];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		stdin_done(s);
		return 0;
	}
	for (ssize_t off = 0; off < n;) {
		ssize_t w = send(s->conn->fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) /* the daemon is gone: output may still be pending */
			return stdin_done(s), 0;
		off += w;
	}
	(void)e;
	return 0;
}

static int pump(struct eng_stream *s, struct err *e)
{
	struct api_conn *conn = s->conn;
	char buf[16384];

	if (conn->off < conn->len &&
	    from_daemon(s, conn->buf + conn->off, conn->len - conn->off, e) < 0)
		return -1;
	conn->off = conn->len = 0;
	if (!s->stdin_open)
		shutdown(conn->fd, SHUT_WR);
	for (;;) {
		struct pollfd p[3] = {{conn->fd, POLLIN, 0},
				      {winch_pipe[0], POLLIN, 0},
				      {s->stdin_open ? STDIN_FILENO : -1, POLLIN, 0}};
		ssize_t n;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(e, errno, "poll");
		}
		if (p[1].revents & POLLIN) {
			char w[16];

			if (read(winch_pipe[0], w, sizeof(w)) > 0)
				eng_resize(s->api, s->resize_path);
		}
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR) && copy_stdin(s, e) < 0)
			return -1;
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(conn->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != ECONNRESET)
			return err_sys(e, errno, "read the container's output");
		if (n <= 0)
			return 0;
		if (from_daemon(s, buf, (size_t)n, e) < 0)
			return -1;
	}
}

int eng_stream_run(struct eng_stream *s, struct err *e)
{
	struct termios saved, raw;
	bool restore = false;
	struct sigaction sa = {.sa_handler = on_winch}, old;
	int rc;

	demux_init(&s->dm);
	if (winch_pipe[0] < 0 && pipe2(winch_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return err_sys(e, errno, "pipe");
	if (s->tty && s->stdin_open && isatty(STDIN_FILENO) &&
	    tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		restore = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	if (s->tty && isatty(STDOUT_FILENO)) {
		sigaction(SIGWINCH, &sa, &old);
		eng_resize(s->api, s->resize_path);
	}
	rc = pump(s, e);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (s->tty && isatty(STDOUT_FILENO))
		sigaction(SIGWINCH, &old, NULL);
	return rc;
}
