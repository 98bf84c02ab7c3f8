/* sock.h - socket reads and writes with a timeout on every wait, and the
 * messages that name the peer ("timed out after 30 s reading from
 * registry:443"). Shared by the HTTP client and the TLS engine loop. */
#ifndef TUG_SOCK_H
#define TUG_SOCK_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* Wait until fd is ready for events (POLLIN or POLLOUT) for at most
 * timeout_ms; on timeout fails with ETIMEDOUT and "timed out after N s
 * <verb> <peer>" (verb: "reading from", "writing to", "connecting to"). */
int sock_wait(int fd, short events, int timeout_ms, const char *verb, const char *peer,
	      struct err *e);
/* One read of up to n bytes: >0, 0 when the peer closed, -1 on error
 * (a reset connection has errnum ECONNRESET). fd may be non-blocking. */
ssize_t sock_recv(int fd, void *buf, size_t n, int timeout_ms, const char *peer, struct err *e);
/* One write of up to n bytes (never raises SIGPIPE: a closed peer is
 * EPIPE): >0 bytes written, -1 on error. */
ssize_t sock_send(int fd, const void *buf, size_t n, int timeout_ms, const char *peer,
		  struct err *e);
/* "30 s", "0.3 s" or "250 ms" into buf, for messages. */
const char *sock_duration(char *buf, size_t size, int ms);

#endif
