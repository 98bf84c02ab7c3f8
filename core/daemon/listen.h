/* listen.h - the daemon's listening sockets from its hosts: unix sockets
 * (stale ones replaced, 0660, group tug/docker), systemd's activated
 * sockets (fd://), and tcp:// only with TLS and client certificates. */
#ifndef TUG_DAEMON_LISTEN_H
#define TUG_DAEMON_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

enum tug_listen_kind {
	TUG_LISTEN_UNIX, /* a unix socket: access is the file's mode and group */
	TUG_LISTEN_TCP_TLS, /* TCP; each connection goes through tls_server_relay */
	TUG_LISTEN_TCP_PLAIN, /* TCP without TLS: only with allow_insecure_tcp */
};

struct tug_listener {
	int fd; /* listening, non-blocking, close-on-exec; owned by the array */
	enum tug_listen_kind kind;
	char addr[300]; /* the host it came from, for logs ("fd://" -> "fd://3") */
	char path[108]; /* the socket file tug made (removed at close); "" else */
};

struct tug_listen_opts {
	bool tls, tlsverify, allow_insecure_tcp;
	const char *group; /* socket group (name or number); NULL: "tug", else
			    * "docker" when /etc/group has it, else unchanged */
	const char *group_file; /* NULL: /etc/group (tests give their own) */
};

/* Open a listener for each host (normalized as by tug_config_parse_host;
 * "tcp://h:0" takes any free port). *out is a malloc'd array of *n (more
 * than the hosts when fd:// takes several activated sockets). With fd://,
 * LISTEN_PID must be getpid() and LISTEN_FDS counts the sockets from fd 3;
 * those variables are unset afterwards (children must not see them).
 * warn (may be NULL) gets one line per risky listener for the daemon to
 * log at every start ("" when none). On failure nothing stays open and no
 * socket file made here remains. */
int tug_listen_open(const char *const *hosts, size_t nhosts, const struct tug_listen_opts *o,
		    struct tug_listener **out, size_t *n, char *warn, size_t warn_size,
		    struct err *e);

/* Close every listener, remove the socket files made by tug_listen_open,
 * and free the array. NULL is fine. */
void tug_listen_close(struct tug_listener *l, size_t n);

/* A group's id from a group(5) file: 1 found, 0 not there, -1 when the
 * file cannot be read (a missing file is "not there"). */
int tug_listen_group(const char *group_file, const char *name, gid_t *gid, struct err *e);

#endif
