/* ctr-shim.c - starting a container's shim and hearing back from it: the
 * shim is started detached (double fork: it outlives the daemon and is
 * never the daemon's zombie), reports on a pipe, and answers `wait` on its
 * socket when the container's process exits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/daemon/ctr.h"
#include "core/daemon/ctr-priv.h"
#include "core/daemon/filters.h"
#include "file.h"
#include "json.h"

#define REPORT_WAIT_MS 120000

void ctr_socket_path(struct daemon *d, const struct ctr *c, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%.12s.sock", d->shims_dir, c->id);
}

static bool cfg_bool(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL);
}

/* argv of `tug shim ...` into a (strings in buf). */
static void shim_argv(struct daemon *d, struct ctr *c, const char *sock, char **a, char *buf,
		      size_t size)
{
	int n = 0;
	size_t off = 0;
#define ARG(...)                                                                                   \
	do {                                                                                       \
		int k_ = snprintf(buf + off, size - off, __VA_ARGS__);                             \
		a[n++] = buf + off;                                                                \
		off += (size_t)k_ + 1;                                                             \
	} while (0)
	ARG("tug");
	ARG("shim");
	ARG("--id");
	ARG("%s", c->id);
	ARG("--bundle");
	ARG("%s", c->cdir);
	ARG("--runtime-root");
	ARG("%s", d->runtime_root);
	ARG("--socket");
	ARG("%s", sock);
	if (cfg_bool(c->config, "Tty"))
		ARG("--tty");
	if (cfg_bool(c->config, "OpenStdin"))
		ARG("--stdin");
	ARG("--log-driver");
	ARG("%s", ctr_log_driver(d, c));
	if (ctr_log_max_size(d, c) > 0) {
		ARG("--log-max-size");
		ARG("%lld", (long long)ctr_log_max_size(d, c));
		ARG("--log-max-file");
		ARG("%d", ctr_log_max_file(d, c));
	}
	if (c->nattach) {
		char list[CTR_MAX_ATTACH * 8] = "";
		for (int i = 0; i < c->nattach; i++) {
			size_t l = strlen(list);
			snprintf(list + l, sizeof(list) - l, "%s%d:%s", i ? "," : "", 4 + i,
				 c->attach_modes[i]);
		}
		ARG("--attach-fds");
		ARG("%s", list);
	}
	a[n] = NULL;
#undef ARG
}

void ctr_close_from(int first)
{
	/* one call where the kernel has it (5.9), not a thousand */
	if (syscall(SYS_close_range, first, ~0U, 0) < 0)
		for (int fd = first; fd < 1024; fd++)
			close(fd);
}

/* In the forked child: arrange fds (report pipe on 3, attach clients on
 * 4..), fork again and exec the shim in the grandchild. */
static void __attribute__((noreturn))
child(struct daemon *d, struct ctr *c, int report, char **argv)
{
	int fds[CTR_MAX_ATTACH + 1];
	int n = c->nattach;
	int devnull = open("/dev/null", O_RDWR);

	/* move everything above the targets first, then into place */
	fds[0] = fcntl(report, F_DUPFD, 100);
	for (int i = 0; i < n; i++)
		fds[i + 1] = fcntl(c->attach_fds[i], F_DUPFD, 100);
	for (int i = 0; i <= n; i++)
		dup2(fds[i], 3 + i);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
	}
	ctr_close_from(4 + n);
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (fork() != 0)
		_exit(0);
	setsid();
	execv(d->self_exe, argv);
	dprintf(3, "error exec %s: %s\n", d->self_exe, strerror(errno));
	_exit(127);
}

/* Read the shim's one report line. */
static int read_report(int fd, char *line, size_t size, struct err *e)
{
	size_t n = 0;

	while (n + 1 < size) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		ssize_t k;
		if (poll(&pf, 1, REPORT_WAIT_MS) <= 0)
			return err_set(e, "the shim did not report in %d s", REPORT_WAIT_MS / 1000);
		k = read(fd, line + n, size - 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
		if (memchr(line, '\n', n))
			break;
	}
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (!n)
		return err_set(e, "the shim exited without a report");
	return 0;
}

int ctr_shim_start(struct daemon *d, struct ctr *c, pid_t *pid, struct err *e)
{
	char sock[PATH_MAX + 64], buf[8192], line[1024];
	char *argv[64];
	int p[2], st;
	pid_t kid;

	ctr_socket_path(d, c, sock, sizeof(sock));
	shim_argv(d, c, sock, argv, buf, sizeof(buf));
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(e, errno, "pipe");
	kid = fork();
	if (kid < 0) {
		close(p[0]);
		close(p[1]);
		return err_sys(e, errno, "fork the shim");
	}
	if (kid == 0)
		child(d, c, p[1], argv);
	close(p[1]);
	while (waitpid(kid, &st, 0) < 0 && errno == EINTR)
		;
	int r = read_report(p[0], line, sizeof(line), e);
	close(p[0]);
	if (r < 0)
		return -1;
	if (!strncmp(line, "ok ", 3)) {
		*pid = (pid_t)atoi(line + 3);
		return 0;
	}
	return err_set(e, "%s", !strncmp(line, "error ", 6) ? line + 6 : line);
}

int ctr_sock_request(const char *path, const char *request, struct err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(e, "shim socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(e, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err_sys(e, errno, "connect to %s", path);
		close(fd);
		return -1;
	}
	if (request && file_write_full(fd, request, strlen(request), e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int ctr_shim_connect(struct daemon *d, struct ctr *c, const char *request, struct err *e)
{
	char sock[PATH_MAX + 64];
	int fd;

	ctr_socket_path(d, c, sock, sizeof(sock));
	fd = ctr_sock_request(sock, request, e);
	if (fd < 0)
		err_wrap(e, "the shim of %.12s", c->id);
	return fd;
}

int ctr_shim_send_fd(int sock, const char *request, int fd, struct err *e)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {(void *)request, strlen(request)};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = cbuf,
			   .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sock, &m, MSG_NOSIGNAL) < 0)
		return err_sys(e, errno, "pass a connection to the shim");
	return 0;
}

/* exit.json as the shim wrote it. */
void ctr_read_exit(struct ctr *c)
{
	char p[PATH_MAX + 128], *txt = NULL;
	size_t len;
	cJSON *o = NULL;

	ctr_path(c, "exit.json", p, sizeof(p));
	if (file_read_all(p, 65536, &txt, &len, NULL) < 0 || json_parse(txt, len, &o, NULL) < 0) {
		free(txt);
		return;
	}
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(o, "ExitCode");
	const cJSON *oom = cJSON_GetObjectItemCaseSensitive(o, "OOMKilled");
	const cJSON *fin = cJSON_GetObjectItemCaseSensitive(o, "FinishedAt");
	if (cJSON_IsNumber(code) && !c->exit_known)
		c->exit_code = code->valueint;
	c->exit_known = false;
	c->oom_killed = cJSON_IsTrue(oom);
	if (cJSON_IsString(fin)) {
		c->finished_ns = filters_time_ns(fin->valuestring, daemon_now_ns());
	}
	cJSON_Delete(o);
	free(txt);
}
