/* dialstdio.c - `tug system dial-stdio`: the daemon's socket on stdin and
 * stdout, which is what `docker -H ssh://host` runs on the far side. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "file.h"

#define DIAL_DEFAULT_SOCKET "/run/tug.sock"
#define DIAL_EXIT_FAIL 1
#define DIAL_EXIT_USAGE 125 /* the docker CLI's */

int tug_dial_stdio_main(int argc, char **argv);

/* $TUG_HOST, else $DOCKER_HOST, else the default socket; unix:// only. */
static int daemon_socket(char *path, size_t size, struct err *e)
{
	const char *h = getenv("TUG_HOST");

	if (!h || !*h)
		h = getenv("DOCKER_HOST");
	if (!h || !*h)
		h = "unix://" DIAL_DEFAULT_SOCKET;
	if (strncmp(h, "unix://", 7))
		return err_set(e, "%s: only unix:// hosts can be dialed", h);
	if (strlen(h + 7) >= size)
		return err_set(e, "%s: the path is too long for a unix socket", h);
	snprintf(path, size, "%s", h[7] ? h + 7 : DIAL_DEFAULT_SOCKET);
	return 0;
}

static int dial(const char *path, struct err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return err_sys(e, errno, "socket");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err_sys(e, errno, "connect to %s (is the daemon running?)", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* One read from `from` written whole to `to`: 1 moved, 0 EOF, -1 error. */
static int move(int from, int to, const char *what, struct err *e)
{
	char buf[32768];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return 1;
	if (n < 0)
		return err_sys(e, errno, "read %s", what);
	if (n == 0)
		return 0;
	return file_write_full(to, buf, (size_t)n, e) < 0 ? -1 : 1;
}

/* stdin -> socket until stdin ends (then SHUT_WR: the daemon sees EOF);
 * socket -> stdout until the daemon closes, which ends the command. */
static int relay(int sock, struct err *e)
{
	bool in_open = true;

	for (;;) {
		struct pollfd p[2] = {{sock, POLLIN, 0}, {in_open ? 0 : -1, POLLIN, 0}};
		int r;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(e, errno, "poll");
		}
		if (p[1].revents) {
			r = move(0, sock, "stdin", e);
			if (r < 0)
				return -1;
			if (r == 0) {
				in_open = false;
				shutdown(sock, SHUT_WR);
			}
		}
		if (p[0].revents) {
			r = move(sock, 1, "the daemon's socket", e);
			if (r <= 0)
				return r;
		}
	}
}

int tug_dial_stdio_main(int argc, char **argv)
{
	char path[108];
	struct err e = {0};
	int sock, r;

	if (argc > 1) {
		bool help = !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h");
		fprintf(help ? stdout : stderr,
			"Usage:  tug system dial-stdio\n\nProxy the stdio stream to the daemon "
			"connection ($TUG_HOST, $DOCKER_HOST or unix://" DIAL_DEFAULT_SOCKET
			"). Not meant to be run by hand.\n");
		return help ? 0 : DIAL_EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	if (daemon_socket(path, sizeof(path), &e) < 0 || (sock = dial(path, &e)) < 0)
		goto fail;
	r = relay(sock, &e);
	close(sock);
	close(1);
	if (r == 0)
		return 0;
fail:
	fprintf(stderr, "tug: system dial-stdio: %s\n", e.msg);
	return DIAL_EXIT_FAIL;
}
