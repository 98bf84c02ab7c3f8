/* shim.c - `tug shim`: one small monitor per container, started by the daemon
 * (docs/DAEMON.md, "The shim"). It creates and starts the container, reports
 * on fd 3, then holds its stdio, writes its logs, serves the control socket,
 * reaps it and records its exit; the daemon may come and go meanwhile. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "args.h"
#include "file.h"
#include "applets.h"
#include "core/applet.h"
#include "core/shim/shim.h"
#include "oci/container.h"
#include "oci/selfexe.h"

//applet: shim tug_shim_main "Per-container monitor, started by the daemon (internal)"

#define REPORT_FD 3

static const char *o_id, *o_bundle, *o_root, *o_socket, *o_driver, *o_max_size, *o_max_file;
static const char *o_monitor, *o_attach;
static int o_tty, o_stdin;

static const struct args_opt shim_opts[] = {
	{"id", 0, ARGS_VALUE, "id", "the container's id", NULL, &o_id, NULL, NULL},
	{"bundle", 0, ARGS_VALUE, "dir", "the bundle (config.json, logs, exit.json)", NULL,
	 &o_bundle, NULL, NULL},
	{"runtime-root", 0, ARGS_VALUE, "dir", "the runtime's state root", NULL, &o_root, NULL,
	 NULL},
	{"socket", 0, ARGS_VALUE, "path", "the control socket to make", NULL, &o_socket, NULL,
	 NULL},
	{"tty", 0, 0, NULL, "give the container a pty", &o_tty, NULL, NULL, NULL},
	{"stdin", 0, 0, NULL, "keep the container's stdin open for attach", &o_stdin, NULL, NULL,
	 NULL},
	{"log-driver", 0, ARGS_VALUE, "json-file|none", "where the output goes (json-file)", NULL,
	 &o_driver, NULL, NULL},
	{"log-max-size", 0, ARGS_VALUE, "bytes", "rotate the log at this size (none)", NULL,
	 &o_max_size, NULL, NULL},
	{"log-max-file", 0, ARGS_VALUE, "n", "keep this many log files (1)", NULL, &o_max_file,
	 NULL, NULL},
	{"attach-fds", 0, ARGS_VALUE, "fd:iom,...",
	 "attach clients passed by the daemon (stdin, stdout, stderr)", NULL, &o_attach, NULL,
	 NULL},
	{"monitor", 0, ARGS_VALUE | ARGS_HIDDEN, "pid:fds", "(the shim's second stage)", NULL,
	 &o_monitor, NULL, NULL},
	{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct args_table shim_table = {
	"tug shim --id ID --bundle DIR --runtime-root DIR --socket PATH [OPTIONS]\n"
	"       tug shim exec --id ID --runtime-root DIR --process FILE [--tty] [--detach]",
	"Run one container and watch it (started by the daemon; reports on fd 3)",
	0,
	shim_opts,
};

/* The one line on fd 3, then it is closed: the daemon reads to EOF. */
static void report(const char *fmt, const char *arg, long n)
{
	char line[ERR_MSG_MAX + 32];
	int len =
		arg ? snprintf(line, sizeof(line), fmt, arg) : snprintf(line, sizeof(line), fmt, n);

	if (len > (int)sizeof(line) - 1)
		len = (int)sizeof(line) - 1;
	file_write_full(REPORT_FD, line, (size_t)len, NULL);
	close(REPORT_FD);
}

static int fail(struct err *e)
{
	/* one line whatever the message holds */
	for (char *p = e->msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	report("error %s\n", e->msg, 0);
	return TUG_EXIT_FAIL;
}

static int parse_u64(const char *s, const char *what, int64_t *out, struct err *e)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return err_set(e, "%s: \"%s\" is not a count", what, s);
	*out = v;
	return 0;
}

/* The shim works from the bundle: paths given relative to where it was
 * started are made absolute first. */
static int absolute(const char *path, char *buf, size_t size, struct err *e)
{
	char cwd[PATH_MAX];

	if (path[0] == '/') {
		if (strlen(path) >= size)
			return err_sys(e, ENAMETOOLONG, "%s", path);
		strcpy(buf, path);
		return 0;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return err_sys(e, errno, "getcwd");
	if ((size_t)snprintf(buf, size, "%s/%s", cwd, path) >= size)
		return err_sys(e, ENAMETOOLONG, "%s", path);
	return 0;
}

static int fill(struct shim *s, struct err *e)
{
	static char bundle[PATH_MAX], root[PATH_MAX], sock[108];
	int64_t n = 1;

	if (!o_id || !o_bundle || !o_root || !o_socket)
		return err_set(e, "--id, --bundle, --runtime-root and --socket are required");
	if (!realpath(o_bundle, bundle))
		return err_sys(e, errno, "bundle %s", o_bundle);
	if (absolute(o_root, root, sizeof(root), e) < 0 ||
	    absolute(o_socket, sock, sizeof(sock), e) < 0)
		return err_wrap(e, "--runtime-root or --socket");
	s->id = o_id;
	s->bundle = bundle;
	s->root = root;
	s->socket = sock;
	s->tty = o_tty;
	s->open_stdin = o_stdin;
	s->json_log = !o_driver || !strcmp(o_driver, "json-file");
	if (o_driver && !s->json_log && strcmp(o_driver, "none"))
		return err_set(e, "--log-driver: \"%s\": json-file or none", o_driver);
	if (o_max_size && parse_u64(o_max_size, "--log-max-size", &s->log_max_size, e) < 0)
		return -1;
	if (o_max_file && (parse_u64(o_max_file, "--log-max-file", &n, e) < 0 || n < 1 || n > 99))
		return err_set(e, "--log-max-file: \"%s\": 1 to 99", o_max_file);
	s->log_max_file = (unsigned)n;
	return 0;
}

/* Our own session, stdio on /dev/null: nothing ties us to the daemon. */
static int detach(struct err *e)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		return err_sys(e, errno, "open /dev/null");
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	close(null);
	setsid();
	/* Orphans of the container (and exec'd processes whose parent went)
	 * come to us to be reaped. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return err_sys(e, errno, "become a subreaper");
	return 0;
}

/* After the init was cloned (it must not inherit them): SIGCHLD through a
 * signalfd, SIGPIPE and SIGHUP ignored. */
static int own_signals(struct shim *s, struct err *e)
{
	sigset_t set;
	struct sigaction ign = {.sa_handler = SIG_IGN};

	sigaction(SIGPIPE, &ign, NULL);
	sigaction(SIGHUP, &ign, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sigfd < 0)
		return err_sys(e, errno, "signalfd");
	return 0;
}

static int run(struct shim *s, struct err *e)
{
	char path[PATH_MAX + 64];

	bool made_log = false;

	if (s->json_log) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s-json.log", s->bundle, s->id) >=
		    sizeof(path))
			return err_sys(e, ENAMETOOLONG, "log file");
		made_log = access(path, F_OK) < 0;
		if (jsonlog_open(&s->log, path, s->log_max_size, s->log_max_file, e) < 0)
			return -1;
		s->log_open = true;
	}
	if (shim_listen(s, e) < 0 || shim_start(s, e) < 0) {
		/* nothing left behind: not even the log this run made */
		if (s->listen_fd >= 0)
			unlink(s->socket);
		if (made_log)
			unlink(path);
		return -1;
	}
	return own_signals(s, e);
}

/* The second stage: the container runs; this image only watches it. */
static int monitor(struct shim *s, struct err *e)
{
	char path[PATH_MAX + 64];
	int pid;

	if (sscanf(o_monitor, "%d:%d:%d:%d:%d", &pid, &s->listen_fd, &s->out_fd, &s->err_fd,
		   &s->in_fd) != 5)
		return err_set(e, "--monitor: \"%s\" is not pid:listen:out:err:in", o_monitor);
	s->pid = pid;
	for (int fd = 0; fd < 3; fd++)
		dup2(REPORT_FD, fd); /* /dev/null, passed on fd 3 */
	close(REPORT_FD);
	/* Nothing in a container may read this process's memory or binary. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (s->json_log) {
		snprintf(path, sizeof(path), "%s/%s-json.log", s->bundle, s->id);
		if (jsonlog_open(&s->log, path, s->log_max_size, s->log_max_file, e) == 0)
			s->log_open = true;
	}
	return own_signals(s, e);
}

static void set_cloexec(const int *fds, int n, bool on)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			fcntl(fds[i], F_SETFD, on ? FD_CLOEXEC : 0);
}

/* Once the container runs, the monitor goes on as a fresh image of the
 * binary on disk: what create touched (the spec, cgroups, the sealed copy's
 * pages) is given back, so that a shim costs little more than its loop. On
 * any failure it goes on as it is. */
static void exec_monitor(struct shim *s, int exe_fd)
{
	extern char **environ;
	char arg[80];
	int fds[4] = {s->listen_fd, s->out_fd, s->err_fd, s->in_fd};
	int argc = 0, null;
	char **argv;

	if (exe_fd < 0)
		return;
	while (tug_argv[argc])
		argc++;
	argv = calloc((size_t)argc + 9, sizeof(*argv));
	null = open("/dev/null", O_RDWR); /* becomes fd 3 again: closed above */
	if (!argv || null != REPORT_FD) {
		free(argv);
		if (null >= 0)
			close(null);
		return;
	}
	memcpy(argv, tug_argv, (size_t)argc * sizeof(*argv));
	snprintf(arg, sizeof(arg), "%d:%d:%d:%d:%d", (int)s->pid, s->listen_fd, s->out_fd,
		 s->err_fd, s->in_fd);
	/* the paths as resolved (the last value of an option wins) */
	argv[argc++] = "--bundle";
	argv[argc++] = (char *)s->bundle;
	argv[argc++] = "--runtime-root";
	argv[argc++] = (char *)s->root;
	argv[argc++] = "--socket";
	argv[argc++] = (char *)s->socket;
	argv[argc++] = "--monitor";
	argv[argc] = arg;
	set_cloexec(fds, 4, false);
	syscall(SYS_execveat, exe_fd, "", argv, environ, AT_EMPTY_PATH);
	set_cloexec(fds, 4, true);
	close(null);
	free(argv);
}

/* The binary on disk, kept (O_PATH) across the sealed re-exec for the
 * monitor stage: its pages are shared by every shim, a sealed copy's are
 * each shim's own. */
static int exe_fd(void)
{
	char num[16];
	const char *env = getenv("TUG_SHIM_EXE_FD");
	int fd;

	if (env) {
		fd = atoi(env);
		unsetenv("TUG_SHIM_EXE_FD");
		if (fd > 2 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0)
			return fd;
		return -1;
	}
	if (oci_self_is_sealed())
		return -1;
	fd = open("/proc/self/exe", O_PATH);
	if (fd < 0)
		return -1;
	/* Not below 5: fds 3 (report) and 4 are the daemon's. */
	if (fd < 5) {
		int high = fcntl(fd, F_DUPFD, 5);

		close(fd);
		fd = high;
	}
	snprintf(num, sizeof(num), "%d", fd);
	setenv("TUG_SHIM_EXE_FD", num, 1);
	return fd;
}

int tug_shim_main(int argc, char **argv)
{
	struct shim s = {.sigfd = -1, .listen_fd = -1, .out_fd = -1, .err_fd = -1, .in_fd = -1};
	struct err e = {0};
	int n, exe;

	if (argc > 1 && !strcmp(argv[1], "exec"))
		return shim_exec_main(argc - 1, argv + 1);
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			args_usage(&shim_table, stdout);
			return TUG_EXIT_OK;
		}
	if (fcntl(REPORT_FD, F_GETFD) < 0) {
		fprintf(stderr, "tug shim: fd 3 must be the report pipe (the daemon starts "
				"the shim)\n");
		return TUG_EXIT_USAGE;
	}
	n = args_parse(&shim_table, argc, argv, NULL, &e);
	if (n < 0 || n > 0 || fill(&s, &e) < 0) {
		if (n > 0)
			err_set(&e, "unexpected argument \"%s\"", argv[1]);
		fprintf(stderr, "tug shim: %s\n", e.msg);
		fail(&e);
		return TUG_EXIT_USAGE;
	}
	if (o_monitor) {
		if (monitor(&s, &e) < 0)
			return TUG_EXIT_FAIL; /* nowhere to say it: fd 3 was closed */
		shim_attach_initial(&s, o_attach);
		return shim_loop(&s);
	}
	/* The container's init is cloned from this process: a sealed copy,
	 * as the runtime's create (CVE-2019-5736). */
	exe = exe_fd();
	if (oci_reexec_sealed(tug_argv, &e) < 0 || detach(&e) < 0)
		return fail(&e);
	fcntl(REPORT_FD, F_SETFD, FD_CLOEXEC);
	if (run(&s, &e) < 0) {
		if (s.log_open)
			jsonlog_close(&s.log);
		return fail(&e);
	}
	report("ok %ld\n", NULL, (long)s.pid);
	if (s.log_open)
		jsonlog_close(&s.log);
	s.log_open = false;
	exec_monitor(&s, exe);
	/* still here: the monitor runs in this image */
	if (s.json_log && jsonlog_open(&s.log, s.log.path, s.log_max_size, s.log_max_file, &e) == 0)
		s.log_open = true;
	shim_attach_initial(&s, o_attach);
	return shim_loop(&s);
}
