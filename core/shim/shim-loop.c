/* shim-loop.c - the shim's single poll loop: SIGCHLD through a signalfd, the
 * container's output to the log and the clients, the control socket; then
 * the exit: drain, exit.json, delete, answer the waiters, let clients drain. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "timefmt.h"
#include "core/shim/shim.h"
#include "oci/cgroup.h"
#include "oci/container.h"

/* Reap every child (orphans come to us as the subreaper); note the init. */
static void reap(struct shim *s)
{
	struct signalfd_siginfo si;
	int st;
	pid_t pid;

	while (read(s->sigfd, &si, sizeof(si)) == sizeof(si))
		;
	if (s->exec_mode) {
		/* The runtime library reaps the exec'd process and tells its
		 * status: only look. */
		siginfo_t info = {0};

		if (waitid(P_PID, (id_t)s->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    info.si_pid == s->pid)
			s->exited = true;
		return;
	}
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid != s->pid)
			continue;
		s->exited = true;
		s->exit_signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
		s->exit_code = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
	}
}

/* One read of the container's output: to the log and the clients.
 * Returns 1 on data, 0 when there is none now, -1 at its end. */
static int pump_output(struct shim *s, int *fd, int stream)
{
	char buf[8192];
	ssize_t n = read(*fd, buf, sizeof(buf));
	enum jsonlog_stream ls = stream == 2 ? JSONLOG_STDERR : JSONLOG_STDOUT;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		/* EOF, or EIO from a master whose slave is closed everywhere */
		if (s->log_open)
			jsonlog_flush(&s->log, ls, NULL);
		if (*fd == s->in_fd)
			s->in_fd = -1;
		close(*fd);
		*fd = -1;
		return -1;
	}
	/* A full disk must not stop the container or its clients. */
	if (s->log_open)
		jsonlog_feed(&s->log, ls, buf, (size_t)n, NULL);
	shim_broadcast(s, stream, buf, (size_t)n);
	return 1;
}

/* Did the OOM killer take a process of the container (its init or any
 * other, as dockerd reports it)? Read from the cgroup before the delete
 * removes it: v1 memory.oom_control, v2 memory.events, oom_kill. */
static bool oom_killed(struct shim *s)
{
	struct oci_cgroup_stats st;

	if (oci_container_stats(s->root, s->id, &st, NULL) < 0)
		return false;
	return st.memory.oom_kill > 0;
}

static void write_exit_json(struct shim *s)
{
	char path[PATH_MAX + 16], text[160], when[40];
	int n;

	timefmt_now(when, sizeof(when), 9);
	n = snprintf(text, sizeof(text),
		     "{\"ExitCode\":%d,\"Signal\":%d,\"FinishedAt\":\"%s\",\"OOMKilled\":%s}\n",
		     s->exit_code, s->exit_signal, when, oom_killed(s) ? "true" : "false");
	snprintf(path, sizeof(path), "%s/exit.json", s->bundle);
	/* atomic, not durable: it tells a daemon that was away how the
	 * container ended, which means nothing after a reboot (the daemon
	 * then takes an unreadable one as unknown) */
	file_write_replace(AT_FDCWD, path, text, (size_t)n, 0644, NULL);
}

/* The init exited. Its pid namespace's other processes are gone with it
 * (the kernel kills them before the init is reaped); what they wrote is in
 * the pipes: read it all before anything is recorded. The runtime state and
 * the socket go before the waiters hear of it, so that the daemon may start
 * the same id again at once. */
static void finish(struct shim *s)
{
	struct err e = {0};

	while (s->out_fd >= 0 && pump_output(s, &s->out_fd, 1) > 0)
		;
	while (s->err_fd >= 0 && pump_output(s, &s->err_fd, 2) > 0)
		;
	if (s->log_open)
		jsonlog_close(&s->log);
	s->log_open = false;
	if (!s->exec_mode) {
		write_exit_json(s);
		oci_container_delete(s->root, s->id, true, &e);
	}
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		s->listen_fd = -1;
		unlink(s->socket);
	}
	shim_stdin_close(s);
	if (s->out_fd >= 0)
		close(s->out_fd);
	if (s->err_fd >= 0)
		close(s->err_fd);
	s->out_fd = s->err_fd = -1;
	shim_answer_waiters(s);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The poll set, rebuilt each turn: the shim has a handful of fds. */
struct pollset {
	struct pollfd *p;
	struct shim_client **cl; /* the client of each entry, or NULL */
	size_t n, cap;
};

static void add(struct pollset *ps, int fd, short ev, struct shim_client *c)
{
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 8;
		struct pollfd *p = realloc(ps->p, cap * sizeof(*p));
		struct shim_client **cl = p ? realloc(ps->cl, cap * sizeof(*cl)) : NULL;

		if (p)
			ps->p = p;
		if (!cl)
			return; /* out of memory: this fd waits a turn */
		ps->cl = cl;
		ps->cap = cap;
	}
	ps->p[ps->n] = (struct pollfd){.fd = fd, .events = ev};
	ps->cl[ps->n++] = c;
}

static void build(struct shim *s, struct pollset *ps)
{
	ps->n = 0;
	add(ps, s->sigfd, POLLIN, NULL);
	if (s->listen_fd >= 0)
		add(ps, s->listen_fd, POLLIN, NULL);
	if (s->out_fd >= 0)
		add(ps, s->out_fd, POLLIN, NULL);
	if (s->err_fd >= 0)
		add(ps, s->err_fd, POLLIN, NULL);
	if (s->in_fd >= 0 && s->in_len)
		add(ps, s->in_fd, POLLOUT, NULL);
	for (struct shim_client *c = s->clients; c; c = c->next)
		add(ps, c->fd, c->kind == SHIM_CL_ATTACH ? shim_attach_events(s, c) : POLLIN, c);
}

static bool is_client(const struct shim *s, const struct shim_client *c)
{
	for (const struct shim_client *x = s->clients; x; x = x->next)
		if (x == c)
			return true;
	return false;
}

static void dispatch(struct shim *s, struct pollset *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		struct pollfd *p = &ps->p[i];
		struct shim_client *c = ps->cl[i];

		if (!p->revents)
			continue;
		if (c) {
			/* an earlier event of this turn may have dropped it */
			if (!is_client(s, c))
				continue;
			if (c->kind == SHIM_CL_ATTACH)
				shim_attach_event(s, c, p->revents);
			else
				shim_request_event(s, c, p->revents);
		} else if (p->fd == s->sigfd) {
			reap(s);
		} else if (p->fd == s->listen_fd) {
			shim_accept(s);
		} else if (p->fd == s->out_fd) {
			pump_output(s, &s->out_fd, 1);
		} else if (p->fd == s->err_fd) {
			pump_output(s, &s->err_fd, 2);
		} else if (p->fd == s->in_fd) {
			shim_stdin_flush(s);
		}
	}
}

int shim_loop(struct shim *s)
{
	struct pollset ps = {0};
	long long deadline = 0;

	reap(s); /* the init may be gone already */
	for (;;) {
		int timeout = -1;

		if (s->exited && !deadline) {
			finish(s);
			deadline = now_ms() + SHIM_DRAIN_MS;
		}
		if (deadline) {
			if (!s->clients || now_ms() >= deadline)
				break;
			timeout = (int)(deadline - now_ms());
		}
		build(s, &ps);
		if (poll(ps.p, ps.n, timeout) < 0 && errno != EINTR)
			break;
		dispatch(s, &ps);
	}
	while (s->clients)
		shim_client_drop(s, s->clients);
	free(ps.p);
	free(ps.cl);
	return 0;
}
