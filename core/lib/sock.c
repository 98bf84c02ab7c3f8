/* sock.c - timed socket reads and writes: poll first, so that a silent
 * peer costs a timeout and never a hung process. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>

#include "sock.h"

const char *sock_duration(char *buf, size_t size, int ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, size, "%d s", ms / 1000);
	else if (ms % 100 == 0)
		snprintf(buf, size, "%d.%d s", ms / 1000, ms % 1000 / 100);
	else
		snprintf(buf, size, "%d ms", ms);
	return buf;
}

int sock_wait(int fd, short events, int timeout_ms, const char *verb, const char *peer,
	      struct err *e)
{
	struct pollfd p = {.fd = fd, .events = events};
	char d[32];
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return err_sys(e, errno, "poll %s %s", verb, peer);
	if (r == 0) {
		err_set(e, "timed out after %s %s %s", sock_duration(d, sizeof(d), timeout_ms),
			verb, peer);
		if (e)
			e->errnum = ETIMEDOUT;
		return -1;
	}
	return 0;
}

ssize_t sock_recv(int fd, void *buf, size_t n, int timeout_ms, const char *peer, struct err *e)
{
	for (;;) {
		ssize_t r;
		if (sock_wait(fd, POLLIN, timeout_ms, "reading from", peer, e) < 0)
			return -1;
		r = recv(fd, buf, n, 0);
		if (r >= 0)
			return r;
		if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
			return err_sys(e, errno, "reading from %s", peer);
	}
}

ssize_t sock_send(int fd, const void *buf, size_t n, int timeout_ms, const char *peer,
		  struct err *e)
{
	for (;;) {
		ssize_t r;
		if (sock_wait(fd, POLLOUT, timeout_ms, "writing to", peer, e) < 0)
			return -1;
		r = send(fd, buf, n, MSG_NOSIGNAL);
		if (r >= 0)
			return r;
		if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
			return err_sys(e, errno, "writing to %s", peer);
	}
}
