/* shim-exec.c - `tug shim exec`: one process in a running container (docker
 * exec). Its stdio are pumped to the client's connection on fd 3 as attach
 * does; fd 4 reports `ok <pid>`, then `exit <code>` (or `error <msg>`). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "args.h"
#include "file.h"
#include "json.h"
#include "core/applet.h"
#include "core/shim/shim.h"
#include "oci/console.h"
#include "oci/container.h"
#include "oci/selfexe.h"

#define CLIENT_FD 3
#define REPORT_FD 4

static const char *x_id, *x_root, *x_process, *x_socket;
static int x_tty, x_detach, x_stdin;

static const struct args_opt exec_opts[] = {
	{"id", 0, ARGS_VALUE, "id", "the container's id", NULL, &x_id, NULL, NULL},
	{"runtime-root", 0, ARGS_VALUE, "dir", "the runtime's state root", NULL, &x_root, NULL,
	 NULL},
	{"process", 0, ARGS_VALUE, "file", "the process as OCI JSON", NULL, &x_process, NULL, NULL},
	{"tty", 0, 0, NULL, "give the process a pty", &x_tty, NULL, NULL, NULL},
	{"detach", 0, 0, NULL, "no client on fd 3: stdio on /dev/null", &x_detach, NULL, NULL,
	 NULL},
	{"stdin", 0, 0, NULL, "copy the client's input to the process's stdin", &x_stdin, NULL,
	 NULL, NULL},
	{"socket", 0, ARGS_VALUE, "path", "a control socket (resize)", NULL, &x_socket, NULL, NULL},
	{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct args_table exec_table = {
	"tug shim exec --id ID --runtime-root DIR --process FILE [--tty] [--detach] [--stdin]\n"
	"              [--socket PATH]",
	"Run a process in a running container (started by the daemon; reports on fd 4)", 0,
	exec_opts};

static void report(const char *line)
{
	file_write_full(REPORT_FD, line, strlen(line), NULL);
}

/* The process JSON through the spec parser, with terminal as --tty says. */
static int load_process(struct oci_spec **spec, struct err *e)
{
	cJSON *proc = NULL, *wrap;
	char *text = NULL;
	size_t len;
	int r;

	if (file_read_all(x_process, 4u << 20, &text, &len, e) < 0 ||
	    json_parse(text, len, &proc, e) < 0) {
		free(text);
		return err_wrap(e, "--process %s", x_process);
	}
	free(text);
	text = NULL;
	cJSON_ReplaceItemInObject(proc, "terminal", cJSON_CreateBool(x_tty));
	wrap = cJSON_CreateObject();
	cJSON_AddStringToObject(wrap, "ociVersion", "1.2.0");
	cJSON_AddItemToObject(wrap, "process", proc);
	r = json_print(wrap, false, &text, &len, e) < 0 ? -1 : oci_spec_parse(text, len, spec, e);
	cJSON_free(text);
	cJSON_Delete(wrap);
	if (r == 0 && !(*spec)->process) {
		oci_spec_free(*spec);
		*spec = NULL;
		return err_set(e, "--process %s: not a process", x_process);
	}
	return r < 0 ? err_wrap(e, "--process %s", x_process) : 0;
}

struct exec_ctx {
	struct shim s;
	int console[2];
	int child[3];
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Called by the runtime once the process runs: report, then pump until it
 * exited and its output was taken. The runtime reaps it after. */
static void running(void *arg, pid_t pid)
{
	struct exec_ctx *x = arg;
	struct shim *s = &x->s;
	struct err e = {0};
	char line[32];
	sigset_t set;
	struct sigaction ign = {.sa_handler = SIG_IGN};

	s->pid = pid;
	/* The process has its stdio: ours go back to /dev/null, and the
	 * pipes' far ends must close here for their EOF to come. */
	shim_stdio_null();
	for (int i = 0; i < 3; i++)
		close_fd(&x->child[i]);
	if (s->tty && x->console[1] >= 0) {
		fcntl(x->console[1], F_SETFL, O_NONBLOCK);
		s->out_fd = oci_recv_fd(x->console[1], NULL, 0, &e);
		if (s->out_fd >= 0)
			fcntl(s->out_fd, F_SETFD, FD_CLOEXEC);
		if (s->out_fd >= 0 && s->open_stdin)
			s->in_fd = s->out_fd;
	}
	sigaction(SIGPIPE, &ign, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	snprintf(line, sizeof(line), "ok %d\n", (int)pid);
	report(line);
	if (s->out_fd >= 0)
		fcntl(s->out_fd, F_SETFL, O_NONBLOCK);
	if (s->err_fd >= 0)
		fcntl(s->err_fd, F_SETFL, O_NONBLOCK);
	if (s->in_fd >= 0)
		fcntl(s->in_fd, F_SETFL, O_NONBLOCK);
	shim_loop(s);
}

static int setup(struct exec_ctx *x, struct oci_exec_opts *o, struct err *e)
{
	struct shim *s = &x->s;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		return err_sys(e, errno, "open /dev/null");
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	close(null);
	setsid();
	fcntl(REPORT_FD, F_SETFD, FD_CLOEXEC);
	s->tty = x_tty;
	s->open_stdin = x_stdin && !x_detach;
	/* before the process starts: a resize sent as soon as the daemon
	 * hears `ok` waits in the backlog until the loop takes it */
	s->socket = x_socket;
	if (x_socket && shim_listen(s, e) < 0)
		return -1;
	if (!x_detach) {
		struct shim_client *c = calloc(1, sizeof(*c));

		if (!c)
			return err_sys(e, ENOMEM, "client");
		fcntl(CLIENT_FD, F_SETFD, FD_CLOEXEC);
		fcntl(CLIENT_FD, F_SETFL, O_NONBLOCK);
		*c = (struct shim_client){.kind = SHIM_CL_ATTACH,
					  .fd = CLIENT_FD,
					  .passed_fd = -1,
					  .in = s->open_stdin,
					  .out = true,
					  .err = true};
		s->clients = c;
	}
	if (x_tty) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, x->console) < 0)
			return err_sys(e, errno, "socketpair");
		o->console_fd = x->console[0];
	} else if (!x_detach) {
		if (shim_pipes(s, x->child, e) < 0)
			return -1;
		shim_stdio_swap(x->child);
	}
	return 0;
}

int shim_exec_main(int argc, char **argv)
{
	struct exec_ctx x = {.s = {.sigfd = -1,
				   .listen_fd = -1,
				   .out_fd = -1,
				   .err_fd = -1,
				   .in_fd = -1,
				   .exec_mode = true},
			     .console = {-1, -1},
			     .child = {-1, -1, -1}};
	struct oci_exec_opts o = {.console_fd = -1, .running = running, .arg = &x};
	struct oci_spec *spec = NULL;
	struct err e = {0};
	char line[ERR_MSG_MAX + 16];
	int status = 0, n;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			args_usage(&exec_table, stdout);
			return TUG_EXIT_OK;
		}
	if (fcntl(REPORT_FD, F_GETFD) < 0) {
		fprintf(stderr, "tug shim exec: fd 4 must be the report pipe\n");
		return TUG_EXIT_USAGE;
	}
	n = args_parse(&exec_table, argc, argv, NULL, &e);
	if (n == 0 && (!x_id || !x_root || !x_process))
		n = err_set(&e, "--id, --runtime-root and --process are required");
	if (n == 0 && !x_detach && fcntl(CLIENT_FD, F_GETFD) < 0)
		n = err_set(&e, "fd 3 must be the client's connection (or --detach)");
	if (n != 0) {
		if (n > 0)
			err_set(&e, "unexpected argument \"%s\"", argv[1]);
		fprintf(stderr, "tug shim exec: %s\n", e.msg);
		snprintf(line, sizeof(line), "error %s\n", e.msg);
		report(line);
		return TUG_EXIT_USAGE;
	}
	if (oci_reexec_sealed(tug_argv, &e) < 0 || setup(&x, &o, &e) < 0 ||
	    load_process(&spec, &e) < 0)
		goto fail;
	o.root = x_root;
	o.id = x_id;
	o.process = spec->process;
	if (oci_container_exec(&o, &status, &e) < 0)
		goto fail;
	snprintf(line, sizeof(line), "exit %d\n", status);
	report(line);
	oci_spec_free(spec);
	return TUG_EXIT_OK;
fail:
	if (x.s.listen_fd >= 0)
		unlink(x_socket);
	for (char *p = e.msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	snprintf(line, sizeof(line), "error %s\n", e.msg);
	report(line);
	oci_spec_free(spec);
	return TUG_EXIT_FAIL;
}
