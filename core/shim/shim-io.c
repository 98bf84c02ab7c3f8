/* shim-io.c - the container's output to the attached clients (stdcopy
 * frames, or raw with a tty) through bounded queues, and their input to the
 * container's stdin; no client ever makes the shim wait. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/shim/shim.h"
#include "stdcopy.h"

int shim_queue_flush(struct shim_client *c)
{
	while (c->qlen) {
		ssize_t n = send(c->fd, c->q, c->qlen, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		memmove(c->q, c->q + n, c->qlen - (size_t)n);
		c->qlen -= (size_t)n;
	}
	/* Nothing waits: give the memory back, most clients keep up. */
	free(c->q);
	c->q = NULL;
	return 0;
}

int shim_queue(struct shim_client *c, const void *hdr, size_t hlen, const void *buf, size_t len)
{
	struct iovec iov[2] = {{(void *)hdr, hlen}, {(void *)buf, len}};
	size_t sent = 0, total = hlen + len;
	char *grown;

	if (c->qlen == 0) {
		ssize_t n = writev(c->fd, iov, 2);

		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		sent = n > 0 ? (size_t)n : 0;
		if (sent == total)
			return 0;
	}
	if (c->qlen + total - sent > SHIM_CLIENT_QUEUE)
		return -1;
	grown = realloc(c->q, c->qlen + total - sent);
	if (!grown)
		return -1;
	c->q = grown;
	for (int i = 0; i < 2; i++) {
		size_t skip = sent < iov[i].iov_len ? sent : iov[i].iov_len;

		memcpy(c->q + c->qlen, (char *)iov[i].iov_base + skip, iov[i].iov_len - skip);
		c->qlen += iov[i].iov_len - skip;
		sent -= skip;
	}
	return 0;
}

void shim_broadcast(struct shim *s, int stream, const char *buf, size_t len)
{
	uint8_t hdr[STDCOPY_HEADER];
	struct shim_client *c, *next;

	stdcopy_header(hdr, stream == 2 ? STDCOPY_STDERR : STDCOPY_STDOUT, (uint32_t)len);
	for (c = s->clients; c; c = next) {
		next = c->next;
		if (c->kind != SHIM_CL_ATTACH || !(stream == 2 ? c->err : c->out))
			continue;
		/* With a tty the stream is raw, as Docker sends it. */
		if (shim_queue(c, hdr, s->tty ? 0 : sizeof(hdr), buf, len) < 0)
			shim_client_drop(s, c);
	}
}

void shim_stdin_close(struct shim *s)
{
	/* With a tty the master is also the output: it stays open. */
	if (s->in_fd >= 0 && s->in_fd != s->out_fd)
		close(s->in_fd);
	s->in_fd = -1;
	free(s->in_buf);
	s->in_buf = NULL;
	s->in_len = s->in_off = 0;
	for (struct shim_client *c = s->clients; c; c = c->next)
		c->in = false;
}

void shim_stdin_flush(struct shim *s)
{
	while (s->in_off < s->in_len) {
		ssize_t n = write(s->in_fd, s->in_buf + s->in_off, s->in_len - s->in_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return; /* the loop waits for POLLOUT on in_fd */
		if (n < 0) {
			/* EPIPE: the container closed its stdin. */
			shim_stdin_close(s);
			return;
		}
		s->in_off += (size_t)n;
	}
	free(s->in_buf);
	s->in_buf = NULL;
	s->in_len = s->in_off = 0;
}

/* Input from an attach client: to the container's stdin when it takes it
 * (one chunk at a time, so a stalled stdin only stalls this reading), read
 * and dropped otherwise. -1: the client is gone. */
static int attach_read(struct shim *s, struct shim_client *c)
{
	char scratch[512];
	ssize_t n;

	if (c->in && s->in_fd >= 0) {
		if (s->in_len)
			return 0;
		if (!(s->in_buf = malloc(4096)))
			return -1;
		n = read(c->fd, s->in_buf, 4096);
		if (n > 0) {
			s->in_len = (size_t)n;
			s->in_off = 0;
			shim_stdin_flush(s);
			return 0;
		}
		free(s->in_buf);
		s->in_buf = NULL;
		if (n == 0)
			shim_stdin_close(s); /* the client's EOF is the container's */
	} else {
		n = read(c->fd, scratch, sizeof(scratch));
	}
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		c->rd_eof = true;
	return 0;
}

short shim_attach_events(const struct shim *s, const struct shim_client *c)
{
	short ev = c->qlen ? POLLOUT : 0;

	if (!c->rd_eof && !c->closing && (!c->in || (s->in_fd >= 0 && !s->in_len)))
		ev |= POLLIN;
	return ev;
}

void shim_attach_event(struct shim *s, struct shim_client *c, short revents)
{
	if (revents & POLLERR) {
		shim_client_drop(s, c);
		return;
	}
	if ((revents & POLLOUT) && shim_queue_flush(c) < 0) {
		shim_client_drop(s, c);
		return;
	}
	if ((revents & (POLLIN | POLLHUP)) && attach_read(s, c) < 0) {
		shim_client_drop(s, c);
		return;
	}
	/* Gone for good, or done after the exit with its output taken. */
	if (((revents & POLLHUP) && (c->rd_eof || !(shim_attach_events(s, c) & POLLIN))) ||
	    (c->closing && !c->qlen))
		shim_client_drop(s, c);
}
