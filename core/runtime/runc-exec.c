/* runc-exec.c - `exec`: a process from --process FILE, or the container's own
 * process with new args and runc's overrides (--env, --cwd, --user, --cap, -t). */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "json.h"
#include "core/applet.h"
#include "core/runtime/runc.h"
#include "oci/container.h"

static const char *x_process, *x_pid_file, *x_console, *x_cwd, *x_user, *x_preserve;
static int x_detach, x_tty, x_nnp;
static struct args_list x_env, x_caps;

static const struct args_opt exec_opts[] = {
	{"process", 'p', ARGS_VALUE, "path", "the process as JSON (config.json's process)", NULL,
	 &x_process, NULL, NULL},
	{"detach", 'd', 0, NULL, "do not wait for the process", &x_detach, NULL, NULL, NULL},
	{"tty", 't', 0, NULL, "allocate a pseudo-TTY", &x_tty, NULL, NULL, NULL},
	{"pid-file", 0, ARGS_VALUE, "path", "file to write the process's pid to", NULL, &x_pid_file,
	 NULL, NULL},
	{"console-socket", 0, ARGS_VALUE, "path", "socket that receives the pty master", NULL,
	 &x_console, NULL, NULL},
	{"env", 'e', ARGS_VALUE, "KEY=value", "set an environment variable", NULL, NULL, &x_env,
	 NULL},
	{"cwd", 0, ARGS_VALUE, "path", "working folder in the container", NULL, &x_cwd, NULL, NULL},
	{"user", 'u', ARGS_VALUE, "uid[:gid]", "user to run as", NULL, &x_user, NULL, NULL},
	{"cap", 'c', ARGS_VALUE, "CAP_X", "add a capability", NULL, NULL, &x_caps, NULL},
	{"no-new-privs", 0, 0, NULL, "set no_new_privs", &x_nnp, NULL, NULL, NULL},
	{"preserve-fds", 0, ARGS_VALUE, "n", "pass n more fds (from 3)", NULL, &x_preserve, NULL,
	 NULL},
	{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct args_table exec_table = {
	"tug runtime exec [options] <id> [command [args...]]",
	"Run a process in a running container",
	ARGS_GO_FLAGS,
	exec_opts,
};

static cJSON *string_array(char **v, int n)
{
	cJSON *a = cJSON_CreateArray();

	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

static void add_strings(cJSON *proc, const char *key, const struct args_list *l)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(proc, key);

	if (!a)
		a = cJSON_AddArrayToObject(proc, key);
	for (size_t i = 0; i < l->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(l->v[i]));
}

static int set_user(cJSON *proc, struct err *e)
{
	char *end;
	unsigned long uid = strtoul(x_user, &end, 10), gid = 0;
	cJSON *u;

	if (end != x_user && *end == ':')
		gid = strtoul(end + 1, &end, 10);
	if (end == x_user || *end || uid > UINT32_MAX || gid > UINT32_MAX)
		return err_set(e, "--user: \"%s\" is not uid[:gid]", x_user);
	u = cJSON_CreateObject();
	cJSON_AddNumberToObject(u, "uid", uid);
	cJSON_AddNumberToObject(u, "gid", gid);
	cJSON_ReplaceItemInObject(proc, "user", u);
	return 0;
}

/* The container's process with the command line's changes. */
static int args_process(const char *id, int argc, char **argv, cJSON **proc, struct err *e)
{
	char path[PATH_MAX + 16], *text;
	size_t len;
	cJSON *cfg;

	snprintf(path, sizeof(path), "%s/%s/config.json", runc_g.root, id);
	if (file_read_all(path, 4u << 20, &text, &len, e) < 0)
		return -1;
	if (json_parse(text, len, &cfg, e) < 0) {
		free(text);
		return -1;
	}
	free(text);
	*proc = cJSON_DetachItemFromObjectCaseSensitive(cfg, "process");
	cJSON_Delete(cfg);
	if (!*proc)
		return err_set(e, "%s: no process", path);
	cJSON_ReplaceItemInObject(*proc, "args", string_array(argv, argc));
	cJSON_ReplaceItemInObject(*proc, "terminal", cJSON_CreateBool(x_tty));
	add_strings(*proc, "env", &x_env);
	if (x_cwd)
		cJSON_ReplaceItemInObject(*proc, "cwd", cJSON_CreateString(x_cwd));
	if (x_nnp)
		cJSON_ReplaceItemInObject(*proc, "noNewPrivileges", cJSON_CreateTrue());
	if (x_user && set_user(*proc, e) < 0)
		return -1;
	if (x_caps.n) {
		const char *sets[] = {"bounding", "effective", "permitted"};
		cJSON *caps = cJSON_GetObjectItemCaseSensitive(*proc, "capabilities");

		if (!caps)
			caps = cJSON_AddObjectToObject(*proc, "capabilities");
		for (int i = 0; i < 3; i++)
			add_strings(caps, sets[i], &x_caps);
	}
	return 0;
}

static int file_process(cJSON **proc, struct err *e)
{
	char *text;
	size_t len;
	int r;

	if (file_read_all(x_process, 4u << 20, &text, &len, e) < 0)
		return -1;
	r = json_parse(text, len, proc, e);
	free(text);
	return r < 0 ? err_wrap(e, "--process %s", x_process) : 0;
}

/* Parse the process through the spec parser: same checks as config.json. */
static int to_spec(cJSON *proc, struct oci_spec **s, struct err *e)
{
	cJSON *wrap = cJSON_CreateObject();
	char *text = NULL;
	size_t len;
	int r;

	cJSON_AddStringToObject(wrap, "ociVersion", "1.2.0");
	cJSON_AddItemToObject(wrap, "process", proc);
	r = json_print(wrap, false, &text, &len, e) < 0 ? -1 : oci_spec_parse(text, len, s, e);
	cJSON_free(text);
	cJSON_Delete(wrap);
	return r;
}

/* Foreground with a terminal and no console socket: we are the console. */
static void serve_tty(void *arg, pid_t pid)
{
	int master = runc_tty_take_master(*(int *)arg);

	(void)pid;
	if (master >= 0)
		runc_tty_proxy(master);
}

int runc_cmd_exec(int argc, char **argv)
{
	struct err e = {0};
	struct oci_spec *s = NULL;
	cJSON *proc = NULL;
	int status = 0, rc, n = runc_parse(&exec_table, argc, argv, 1, argc, &rc);

	if (n < 0)
		return rc;
	if (!x_process && n < 2)
		return runc_usage_error(&exec_table, "a command or --process is required");
	if ((x_process ? file_process(&proc, &e)
		       : args_process(argv[1], n - 1, argv + 2, &proc, &e)) < 0) {
		cJSON_Delete(proc);
		return runc_fail("exec", &e);
	}
	if (to_spec(proc, &s, &e) < 0)
		return runc_fail("exec", &e);
	struct oci_exec_opts o = {.root = runc_g.root,
				  .id = argv[1],
				  .process = s->process,
				  .pid_file = x_pid_file,
				  .console_socket = x_console,
				  .console_fd = -1,
				  .detach = x_detach,
				  .preserve_fds = x_preserve ? atoi(x_preserve) : 0};
	int sp[2] = {-1, -1};

	if (s->process && s->process->terminal && !x_console && !x_detach &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0) {
		o.console_fd = sp[0];
		o.running = serve_tty;
		o.arg = &sp[1];
	}
	if (!s->process)
		rc = runc_fail("exec", (err_set(&e, "--process: not a process"), &e));
	else if (oci_container_exec(&o, &status, &e) < 0)
		rc = runc_fail("exec", &e);
	else
		rc = x_detach ? TUG_EXIT_OK : status;
	for (int i = 0; i < 2; i++)
		if (sp[i] >= 0)
			close(sp[i]);
	oci_spec_free(s);
	args_list_free(&x_env);
	args_list_free(&x_caps);
	return rc;
}
