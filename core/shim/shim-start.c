/* shim-start.c - the container's stdio (pipes, or a pty whose master comes
 * back over a socket pair as the runtime sends it) and its create and start
 * through the runtime library; on failure nothing of it is left. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/shim/shim.h"
#include "oci/console.h"
#include "oci/container.h"

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The init inherits fds 0-2 of this process: the pipes' far ends go there
 * for the create and /dev/null comes back after. */
int shim_pipes(struct shim *s, int child[3], struct err *e)
{
	int p[2];

	if (s->open_stdin) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return err_sys(e, errno, "pipe");
		child[0] = p[0];
		s->in_fd = p[1];
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(e, errno, "pipe");
	child[1] = p[1];
	s->out_fd = p[0];
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(e, errno, "pipe");
	child[2] = p[1];
	s->err_fd = p[0];
	return 0;
}

void shim_stdio_swap(const int child[3])
{
	for (int fd = 0; fd < 3; fd++)
		if (child[fd] >= 0)
			dup2(child[fd], fd);
}

void shim_stdio_null(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	if (null >= 0)
		close(null);
}

/* The init sent the master before it said it was ready: it is queued. */
static int take_master(struct shim *s, int sock, struct err *e)
{
	int master;

	fcntl(sock, F_SETFL, O_NONBLOCK);
	master = oci_recv_fd(sock, NULL, 0, e);
	if (master < 0)
		return err_wrap(e, "the container's pty");
	fcntl(master, F_SETFD, FD_CLOEXEC);
	s->out_fd = master;
	if (s->open_stdin)
		s->in_fd = master;
	return 0;
}

static int create(struct shim *s, struct err *e)
{
	int child[3] = {-1, -1, -1}, console[2] = {-1, -1}, r = -1;
	struct oci_create_opts o = {
		.root = s->root, .id = s->id, .bundle = s->bundle, .console_fd = -1};

	if (s->tty) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) < 0)
			return err_sys(e, errno, "socketpair");
		o.console_fd = console[0];
	} else if (shim_pipes(s, child, e) < 0) {
		goto out;
	}
	/* Relative bind sources in config.json are relative to the bundle. */
	if (chdir(s->bundle) < 0) {
		err_sys(e, errno, "chdir %s", s->bundle);
		goto out;
	}
	shim_stdio_swap(child);
	r = oci_container_create(&o, &s->pid, e);
	shim_stdio_null();
	if (r == 0 && s->tty && take_master(s, console[1], e) < 0) {
		oci_container_delete(s->root, s->id, true, NULL);
		r = -1;
	}
out:
	for (int i = 0; i < 3; i++)
		close_fd(&child[i]);
	close_fd(&console[0]);
	close_fd(&console[1]);
	return r;
}

int shim_start(struct shim *s, struct err *e)
{
	struct err ignored = {0};

	if (create(s, e) < 0)
		goto fail;
	if (oci_container_start(s->root, s->id, e) < 0) {
		oci_container_delete(s->root, s->id, true, &ignored);
		goto fail;
	}
	/* The loop never blocks on the container's stdio. */
	fcntl(s->out_fd, F_SETFL, O_NONBLOCK);
	if (s->err_fd >= 0)
		fcntl(s->err_fd, F_SETFL, O_NONBLOCK);
	if (s->in_fd >= 0)
		fcntl(s->in_fd, F_SETFL, O_NONBLOCK);
	return 0;
fail:
	if (s->in_fd != s->out_fd)
		close_fd(&s->in_fd);
	s->in_fd = -1;
	close_fd(&s->out_fd);
	close_fd(&s->err_fd);
	return -1;
}
