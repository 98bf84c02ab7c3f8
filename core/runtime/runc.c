/* runc.c - `tug runtime` and `runc`: runc's command line over the runtime
 * library, for containerd, k3s and anything else that drives runc. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "log.h"
#include "applets.h"
#include "core/applet.h"
#include "core/runtime/runc.h"
#include "oci/container.h"
#include "oci/selfexe.h"
#include "oci/state.h"
#include "version.h"

//applet: runtime tug_runtime_main "OCI runtime with runc's command line (also as runc)"
//alias: runc runtime

struct runc_globals runc_g = {.root = "/run/tug-runtime"};

/* Print the failure where runc's callers look: stderr, and the --log file
 * as a JSON line when one was given (containerd reads it from there). */
int runc_fail(const char *cmd, const struct err *e)
{
	fprintf(stderr, "tug runtime %s: %s\n", cmd, e->msg);
	if (runc_g.log)
		log_error("%s", e->msg);
	return TUG_EXIT_FAIL;
}

int runc_usage_error(const struct args_table *t, const char *msg)
{
	fprintf(stderr, "tug runtime: %s\nUsage: %s\n", msg, t->usage);
	return TUG_EXIT_USAGE;
}

/* Parse a command's options; on success returns the count of arguments,
 * which must be within [min, max]. -2 asks the caller to return *rc. */
int runc_parse(const struct args_table *t, int argc, char **argv, int min, int max, int *rc)
{
	struct err e = {0};
	int n;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			args_usage(t, stdout);
			*rc = TUG_EXIT_OK;
			return -2;
		}
	n = args_parse(t, argc, argv, NULL, &e);
	if (n < 0) {
		*rc = runc_usage_error(t, e.msg);
		return -2;
	}
	if (n < min || n > max) {
		*rc = runc_usage_error(t, n < min ? "missing arguments" : "too many arguments");
		return -2;
	}
	return n;
}

static const char *create_bundle, *create_pid_file, *create_console;
static const char *create_preserve;
static int create_no_pivot, create_no_keyring, run_detach, run_keep;

#define CREATE_OPTS                                                                                  \
	{"bundle",                                                                                   \
	 'b',                                                                                        \
	 ARGS_VALUE,                                                                                 \
	 "path",                                                                                     \
	 "path to the root of the bundle (default: .)",                                              \
	 NULL,                                                                                       \
	 &create_bundle,                                                                             \
	 NULL,                                                                                       \
	 NULL},                                                                                      \
		{"pid-file",                                                                         \
		 0,                                                                                  \
		 ARGS_VALUE,                                                                         \
		 "path",                                                                             \
		 "file to write the init's pid to",                                                  \
		 NULL,                                                                               \
		 &create_pid_file,                                                                   \
		 NULL,                                                                               \
		 NULL},                                                                              \
		{"console-socket",                                                                   \
		 0,                                                                                  \
		 ARGS_VALUE,                                                                         \
		 "path",                                                                             \
		 "unix socket that receives the master of the container's pty",                      \
		 NULL,                                                                               \
		 &create_console,                                                                    \
		 NULL,                                                                               \
		 NULL},                                                                              \
		{"no-pivot",       0,    0,    NULL, "use MS_MOVE and chroot instead of pivot_root", \
		 &create_no_pivot, NULL, NULL, NULL},                                                \
		{"no-new-keyring",   0,    0,    NULL, "keep the caller's session keyring",          \
		 &create_no_keyring, NULL, NULL, NULL},                                              \
	{                                                                                            \
		"preserve-fds", 0, ARGS_VALUE, "n", "pass n more fds (from 3) to the container",     \
			NULL, &create_preserve, NULL, NULL                                           \
	}

static const struct args_opt create_opts[] = {
	CREATE_OPTS,
	{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct args_opt run_opts[] = {
	CREATE_OPTS,
	{"detach", 'd', 0, NULL, "detach from the container's process", &run_detach, NULL, NULL,
	 NULL},
	{"keep", 0, 0, NULL, "do not delete the container after it exits", &run_keep, NULL, NULL,
	 NULL},
	{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct args_table create_table = {"tug runtime create [options] <id>",
					       "Create a container", ARGS_GO_FLAGS, create_opts};
static const struct args_table run_table = {
	"tug runtime run [options] <id>", "Create and start a container", ARGS_GO_FLAGS, run_opts};

static int fill_create(struct oci_create_opts *o, const char *id, char *bundle, struct err *e)
{
	char *end;

	if (!realpath(create_bundle ? create_bundle : ".", bundle))
		return err_sys(e, errno, "bundle %s", create_bundle ? create_bundle : ".");
	o->root = runc_g.root;
	o->id = id;
	o->bundle = bundle;
	o->pid_file = create_pid_file;
	o->console_socket = create_console;
	o->console_fd = -1;
	o->no_pivot = create_no_pivot;
	o->no_new_keyring = create_no_keyring;
	o->preserve_fds = 0;
	if (create_preserve) {
		long n = strtol(create_preserve, &end, 10);

		if (*end || n < 0 || n > 1024)
			return err_set(e, "--preserve-fds: \"%s\" is not a count", create_preserve);
		o->preserve_fds = (int)n;
	}
	/* Relative bind sources in config.json are relative to the bundle. */
	if (chdir(bundle) < 0)
		return err_sys(e, errno, "chdir %s", bundle);
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	struct oci_create_opts o;
	struct err e = {0};
	char bundle[PATH_MAX];
	pid_t pid;
	int rc, n = runc_parse(&create_table, argc, argv, 1, 1, &rc);

	if (n < 0)
		return rc;
	if (fill_create(&o, argv[1], bundle, &e) < 0 || oci_container_create(&o, &pid, &e) < 0)
		return runc_fail("create", &e);
	return TUG_EXIT_OK;
}

static pid_t forward_to;

static void forward(int sig)
{
	if (forward_to > 0)
		kill(forward_to, sig);
}

/* Foreground run: the init is our child; signals go to it, its exit status
 * becomes ours (128 + signal when it was killed), then it is deleted. */
static int wait_init(pid_t pid, const char *id, int master)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
	struct sigaction sa = {.sa_handler = forward};
	struct err e = {0};
	int status = 0;

	forward_to = pid;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	if (master >= 0)
		runc_tty_proxy(master); /* takes SIGWINCH over */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!run_keep && oci_container_delete(runc_g.root, id, true, &e) < 0)
		runc_fail("run", &e);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int cmd_run(int argc, char **argv)
{
	struct oci_create_opts o;
	struct err e = {0};
	char bundle[PATH_MAX];
	pid_t pid;
	int sp[2] = {-1, -1}, master = -1;
	int rc, n = runc_parse(&run_table, argc, argv, 1, 1, &rc);

	if (n < 0)
		return rc;
	if (fill_create(&o, argv[1], bundle, &e) < 0)
		return runc_fail("run", &e);
	/* In the foreground without a console socket, we are the console. */
	if (!run_detach && !create_console &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0)
		o.console_fd = sp[0];
	rc = oci_container_create(&o, &pid, &e);
	if (sp[0] >= 0) {
		close(sp[0]);
		if (rc == 0)
			master = runc_tty_take_master(sp[1]);
		close(sp[1]);
	}
	if (rc < 0)
		return runc_fail("run", &e);
	if (oci_container_start(runc_g.root, argv[1], &e) < 0) {
		struct err ignored = {0};

		if (master >= 0)
			close(master);
		oci_container_delete(runc_g.root, argv[1], true, &ignored);
		return runc_fail("run", &e);
	}
	return run_detach ? TUG_EXIT_OK : wait_init(pid, argv[1], master);
}

static const struct args_opt no_opts[] = {{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL}};

static int cmd_start(int argc, char **argv)
{
	static const struct args_table t = {"tug runtime start <id>", "Start a created container",
					    ARGS_GO_FLAGS, no_opts};
	struct err e = {0};
	int rc, n = runc_parse(&t, argc, argv, 1, 1, &rc);

	if (n < 0)
		return rc;
	if (oci_container_start(runc_g.root, argv[1], &e) < 0)
		return runc_fail("start", &e);
	return TUG_EXIT_OK;
}

static int cmd_state(int argc, char **argv)
{
	static const struct args_table t = {
		"tug runtime state <id>", "Print the state of a container", ARGS_GO_FLAGS, no_opts};
	struct oci_state st;
	struct err e = {0};
	char *json;
	int rc, n = runc_parse(&t, argc, argv, 1, 1, &rc);

	if (n < 0)
		return rc;
	if (oci_state_read(runc_g.root, argv[1], &st, &e) < 0 ||
	    oci_state_json(runc_g.root, &st, true, &json, &e) < 0)
		return runc_fail("state", &e);
	printf("%s\n", json);
	free(json);
	return TUG_EXIT_OK;
}

static int kill_all;

static int cmd_kill(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"all", 'a', 0, NULL, "send the signal to every process of the container",
		 &kill_all, NULL, NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug runtime kill [options] <id> [signal]",
					    "Send a signal (default SIGTERM) to a container",
					    ARGS_GO_FLAGS, opts};
	struct err e = {0};
	int sig = SIGTERM, rc, n = runc_parse(&t, argc, argv, 1, 2, &rc);

	if (n < 0)
		return rc;
	if (n == 2 && (sig = runc_signal(argv[2])) < 0)
		return runc_usage_error(&t, "unknown signal");
	if (oci_container_kill(runc_g.root, argv[1], sig, kill_all, &e) < 0)
		return runc_fail("kill", &e);
	return TUG_EXIT_OK;
}

static int delete_force;

static int cmd_delete(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"force", 'f', 0, NULL, "kill the container first if it still runs", &delete_force,
		 NULL, NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug runtime delete [options] <id>",
					    "Delete a container", ARGS_GO_FLAGS, opts};
	struct err e = {0};
	int rc, n = runc_parse(&t, argc, argv, 1, 1, &rc);

	if (n < 0)
		return rc;
	if (oci_container_delete(runc_g.root, argv[1], delete_force, &e) < 0) {
		/* runc: deleting what is not there is fine with --force. */
		if (delete_force && e.errnum == ENOENT)
			return TUG_EXIT_OK;
		return runc_fail("delete", &e);
	}
	return TUG_EXIT_OK;
}

static const struct runc_cmd cmds[] = {
	{"create", cmd_create, "Create a container"},
	{"delete", cmd_delete, "Delete a container"},
	{"events", runc_cmd_events, "Print container stats (--stats) or events"},
	{"exec", runc_cmd_exec, "Run a process in a running container"},
	{"features", runc_cmd_features, "Print what this runtime supports, as JSON"},
	{"kill", cmd_kill, "Send a signal to a container"},
	{"list", runc_cmd_list, "List containers"},
	{"pause", runc_cmd_pause, "Freeze every process of a container"},
	{"ps", runc_cmd_ps, "List the processes of a container"},
	{"resume", runc_cmd_resume, "Thaw a paused container"},
	{"run", cmd_run, "Create and start a container"},
	{"spec", runc_cmd_spec, "Write a default config.json"},
	{"start", cmd_start, "Start a created container"},
	{"state", cmd_state, "Print the state of a container"},
	{"update", runc_cmd_update, "Change a container's resources"},
};

static int global_debug, global_systemd;
static const char *global_log_format;

static const struct args_opt global_opts[] = {
	{"root", 0, ARGS_VALUE, "path", "folder of the containers' state (/run/tug-runtime)", NULL,
	 &runc_g.root, NULL, NULL},
	{"log", 0, ARGS_VALUE, "path", "also write errors to this file", NULL, &runc_g.log, NULL,
	 NULL},
	{"log-format", 0, ARGS_VALUE, "text|json", "format of the --log file", NULL,
	 &global_log_format, NULL, NULL},
	{"debug", 0, 0, NULL, "log debug messages", &global_debug, NULL, NULL, NULL},
	{"systemd-cgroup", 0, 0, NULL, "use systemd to manage cgroups (not supported)",
	 &global_systemd, NULL, NULL, NULL},
	{"rootless", 0, ARGS_VALUE | ARGS_HIDDEN, "value", "ignored", NULL, NULL, NULL, NULL},
	{"criu", 0, ARGS_VALUE | ARGS_HIDDEN, "path", "ignored", NULL, NULL, NULL, NULL},
	{"version", 'v', 0, NULL, "print the version", &runc_g.version, NULL, NULL, NULL},
	{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct args_table global_table = {
	"tug runtime [global options] <command> [command options] [arguments...]",
	"OCI runtime with runc's command line",
	ARGS_GO_FLAGS,
	global_opts,
};

static void usage(FILE *f)
{
	args_usage(&global_table, f);
	fprintf(f, "\nCommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
}

static int setup_log(struct err *e)
{
	enum log_format fmt = LOG_FORMAT_TEXT;

	if (global_log_format && log_format_parse(global_log_format, &fmt, e) < 0)
		return -1;
	log_set_format(fmt);
	log_set_level(global_debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	if (runc_g.log && log_open_file(runc_g.log, e) < 0)
		return -1;
	if (global_systemd)
		return err_set(e, "--systemd-cgroup: this runtime manages cgroups itself; "
				  "systemd cgroup paths are not supported");
	return 0;
}

int tug_runtime_main(int argc, char **argv)
{
	struct err e = {0};
	int n;

	if (argc > 1 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))) {
		usage(stdout);
		return TUG_EXIT_OK;
	}
	n = args_parse(&global_table, argc, argv, NULL, &e);
	if (n < 0)
		return runc_usage_error(&global_table, e.msg);
	if (runc_g.version) {
		printf("runc version %s\ncommit: tug-%s\nspec: 1.2.0\n", TUG_VERSION, TUG_GIT_REV);
		return TUG_EXIT_OK;
	}
	if (n == 0) {
		usage(stderr);
		return TUG_EXIT_USAGE;
	}
	if (setup_log(&e) < 0)
		return runc_fail(argv[1], &e);
	/* Whatever can put a container's process next to this binary runs
	 * from a sealed copy of it (CVE-2019-5736). */
	if ((!strcmp(argv[1], "create") || !strcmp(argv[1], "run") || !strcmp(argv[1], "exec")) &&
	    oci_reexec_sealed(tug_argv, &e) < 0)
		return runc_fail(argv[1], &e);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(n, argv + 1);
	fprintf(stderr, "tug runtime: unknown command \"%s\"\n", argv[1]);
	return TUG_EXIT_USAGE;
}
