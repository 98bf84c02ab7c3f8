/* api-exec.c - exec instances: create (recorded in memory), start (a
 * `tug shim exec` serves the hijacked connection and reports the exit),
 * inspect, resize. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/daemon/api.h"
#include "core/daemon/ctr-priv.h"
#include "core/daemon/exec-priv.h"
#include "file.h"
#include "json.h"
#include "stdcopy.h"

struct execi *exec_find(struct daemon *d, const char *id)
{
	for (struct execi *x = d->execs; x; x = x->next)
		if (!strcmp(x->id, id))
			return x->dropped ? NULL : x;
	return NULL;
}

void exec_ctr_stopped(struct daemon *d, struct ctr *c)
{
	for (struct execi *x = d->execs; x; x = x->next)
		if (x->c == c && (x->exit_code < 0 || x->running))
			x->dropped = true;
}

/* Exec instances of removed containers go (as dockerd drops them with the
 * container), with the hold they had on it. d->mu held. */
static void forget_gone(struct daemon *d)
{
	for (struct execi **p = &d->execs; *p;) {
		struct execi *ex = *p;
		if (!(ex->c->removed || ex->dropped) || ex->busy || ex->running) {
			p = &ex->next;
			continue;
		}
		*p = ex->next;
		ctr_put(d, ex->c);
		cJSON_Delete(ex->body);
		free(ex);
	}
}

static bool jbool(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

int exec_new_id(char id[65])
{
	unsigned char r[32];

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return -1;
	for (int i = 0; i < 32; i++)
		sprintf(id + 2 * i, "%02x", r[i]);
	return 0;
}

void exec_action(const char *what, const cJSON *cmd, char *buf, size_t size)
{
	const cJSON *a;
	size_t n = (size_t)snprintf(buf, size, "%s:", what);

	/* dockerd: action + ": " + entrypoint + " " + the arguments joined */
	cJSON_ArrayForEach(a, cmd)
	{
		if (cJSON_IsString(a) && n < size)
			n += (size_t)snprintf(buf + n, size - n, " %s", a->valuestring);
	}
}

void exec_socket_path(struct daemon *d, const struct execi *ex, char *buf, size_t size)
{
	snprintf(buf, size, "%s/x-%.12s.sock", d->shims_dir, ex->id);
}

static void exec_create(struct hx *x)
{
	struct daemon *d = x->user;
	struct ctr *c = api_ctr(x, x->arg[0]);
	cJSON *body = NULL, *o;
	const cJSON *cmd;
	struct execi *ex;
	struct err e;

	if (!c)
		return;
	if (json_parse(x->body ? x->body : "", x->body_len, &body, &e) < 0) {
		hx_error(x, 400, "%s", e.msg);
		goto out;
	}
	cmd = cJSON_GetObjectItemCaseSensitive(body, "Cmd");
	if (!cJSON_IsArray(cmd) || !cJSON_GetArraySize(cmd)) {
		hx_error(x, 400, "No exec command specified");
		goto out;
	}
	if (c->status != CS_RUNNING) {
		if (c->status == CS_PAUSED)
			hx_error(x, 409,
				 "Container %s is paused, unpause the container before exec",
				 x->arg[0]);
		else
			hx_error(x, 409, "Container %s is not running", c->id);
		goto out;
	}
	ex = calloc(1, sizeof(*ex));
	if (!ex || exec_new_id(ex->id) < 0) {
		free(ex);
		hx_error(x, 500, "out of memory");
		goto out;
	}
	ex->body = body;
	body = NULL;
	ex->exit_code = -1;
	ex->tty = jbool(ex->body, "Tty");
	pthread_mutex_lock(&d->mu);
	forget_gone(d);
	ex->c = c;
	ctr_get(c);
	ex->next = d->execs;
	d->execs = ex;
	char action[600];
	exec_action("exec_create", cmd, action, sizeof(action));
	const char *attrs[] = {"image", c->image_name, "name", c->name, "execID", ex->id, NULL};
	daemon_event_labels(d, "container", action, c->id, attrs, ctr_labels(c));
	pthread_mutex_unlock(&d->mu);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "Id", ex->id);
	hx_json(x, 201, o);
	cJSON_Delete(o);
out:
	cJSON_Delete(body);
	api_ctr_put(x, c);
}

/* The OCI process: the container's own (env, user, capabilities, ...) with
 * the exec's command, env, user, cwd and terminal. */
int exec_process_file(struct execi *ex, char *path, size_t size, struct err *e)
{
	char p[PATH_MAX + 128], *txt = NULL;
	size_t len;
	cJSON *cfg = NULL, *proc;
	const cJSON *v;
	int r;

	ctr_path(ex->c, "config.json", p, sizeof(p));
	if (file_read_all(p, 16 << 20, &txt, &len, e) < 0 || json_parse(txt, len, &cfg, e) < 0) {
		free(txt);
		return -1;
	}
	free(txt);
	proc = cJSON_DetachItemFromObjectCaseSensitive(cfg, "process");
	cJSON_Delete(cfg);
	if (!proc)
		return err_set(e, "container %s: config.json without a process", ex->c->id);
	cJSON_ReplaceItemInObjectCaseSensitive(
		proc, "args",
		cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(ex->body, "Cmd"), 1));
	cJSON_DeleteItemFromObjectCaseSensitive(proc, "terminal");
	cJSON_AddBoolToObject(proc, "terminal", ex->tty);
	cJSON *env = cJSON_GetObjectItemCaseSensitive(proc, "env");
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(ex->body, "Env"))
	{
		if (cJSON_IsString(v) && env)
			cJSON_AddItemToArray(env, cJSON_CreateString(v->valuestring));
	}
	v = cJSON_GetObjectItemCaseSensitive(ex->body, "WorkingDir");
	if (cJSON_IsString(v) && *v->valuestring)
		cJSON_ReplaceItemInObjectCaseSensitive(proc, "cwd",
						       cJSON_CreateString(v->valuestring));
	v = cJSON_GetObjectItemCaseSensitive(ex->body, "User");
	if (cJSON_IsString(v) && *v->valuestring) {
		unsigned uid = 0, gid = 0;
		int k = sscanf(v->valuestring, "%u:%u", &uid, &gid);
		if (k < 1) {
			cJSON_Delete(proc);
			return err_set(e, "exec --user %s: only numeric uid[:gid] for now",
				       v->valuestring);
		}
		cJSON *u = cJSON_CreateObject();
		cJSON_AddNumberToObject(u, "uid", uid);
		cJSON_AddNumberToObject(u, "gid", k == 2 ? gid : 0);
		cJSON_ReplaceItemInObjectCaseSensitive(proc, "user", u);
	}
	if (ctr_cmd_check(ex->c, proc, e)) {
		err_wrap(e, "exec failed: unable to start container process");
		cJSON_Delete(proc);
		return -2;
	}
	snprintf(path, size, "%.4000s/exec-%.12s.json", ex->c->cdir, ex->id);
	r = json_print(proc, false, &txt, &len, e);
	if (r == 0)
		r = file_write_atomic(AT_FDCWD, path, txt, len, 0600, e);
	free(txt);
	cJSON_Delete(proc);
	return r;
}

pid_t exec_spawn(struct daemon *d, struct execi *ex, const char *pfile, int client, int report,
		 const char *sock, struct err *e)
{
	char *argv[20];
	int n = 0;
	pid_t pid;

	argv[n++] = "tug";
	argv[n++] = "shim";
	argv[n++] = "exec";
	argv[n++] = "--id";
	argv[n++] = ex->c->id;
	argv[n++] = "--runtime-root";
	argv[n++] = d->runtime_root;
	argv[n++] = "--process";
	argv[n++] = (char *)pfile;
	if (ex->tty)
		argv[n++] = "--tty";
	if (client < 0)
		argv[n++] = "--detach";
	if (sock) {
		argv[n++] = "--socket";
		argv[n++] = (char *)sock;
	}
	if (jbool(ex->body, "AttachStdin"))
		argv[n++] = "--stdin";
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return err_sys(e, errno, "fork");
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		int c2 = client >= 0 ? fcntl(client, F_DUPFD, 100) : -1;
		int r2 = fcntl(report, F_DUPFD, 100);
		if (c2 >= 0)
			dup2(c2, 3);
		else
			dup2(devnull, 3);
		dup2(r2, 4);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		ctr_close_from(5);
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		setsid();
		execv(d->self_exe, argv);
		_exit(127);
	}
	return pid;
}

/* Read the exec shim's reports until it exits: ok <pid>, exit <code>. */
static void follow(struct daemon *d, struct execi *ex, int fd)
{
	char buf[256];
	size_t n = 0;

	for (;;) {
		ssize_t k = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
		buf[n] = '\0';
		char *nl;
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			pthread_mutex_lock(&d->mu);
			if (!strncmp(buf, "ok ", 3)) {
				ex->pid = atoi(buf + 3);
				ex->running = true;
			} else if (!strncmp(buf, "exit ", 5)) {
				ex->exit_code = atoi(buf + 5);
				ex->running = false;
			} else if (!strncmp(buf, "error ", 6)) {
				ex->exit_code =
					strstr(buf, "not found") || strstr(buf, "no such file")
						? 127
						: 126;
				ex->running = false;
			}
			pthread_cond_broadcast(&d->changed);
			pthread_mutex_unlock(&d->mu);
			n -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, n + 1);
		}
	}
	pthread_mutex_lock(&d->mu);
	if (ex->exit_code < 0)
		ex->exit_code = 126;
	ex->running = false;
	pthread_mutex_unlock(&d->mu);
}

/* As dockerd: why an exec could not start goes to the client in the stream. */
static void stream_error(struct hx *x, const struct execi *ex)
{
	char msg[700];
	int n = snprintf(msg, sizeof(msg), "OCI runtime exec failed: %s: unknown\r\n", ex->error);

	if (n >= (int)sizeof(msg))
		n = (int)sizeof(msg) - 1;
	if (!ex->tty) {
		uint8_t h[STDCOPY_HEADER];
		stdcopy_header(h, STDCOPY_STDOUT, (uint32_t)n);
		hx_write(x, h, sizeof(h));
	}
	hx_write(x, msg, (size_t)n);
}

/* An exec whose start failed before its process ran: it ends with 126
 * and the reason, and whoever waits for it hears so. */
static void never_ran(struct daemon *d, struct execi *ex, const char *why)
{
	pthread_mutex_lock(&d->mu);
	if (ex->exit_code < 0)
		ex->exit_code = 126;
	if (!ex->error[0])
		snprintf(ex->error, sizeof(ex->error), "%s", why);
	pthread_cond_broadcast(&d->changed);
	pthread_mutex_unlock(&d->mu);
}

/* Run a started exec; the caller marked it busy (kept while this runs). */
static void exec_run(struct hx *x, struct execi *ex, bool detach)
{
	struct daemon *d = x->user;
	char pfile[PATH_MAX + 96];
	struct err e;
	int p[2] = {-1, -1}, client = -1, st;
	pid_t pid;

	pfile[0] = '\0';
	st = exec_process_file(ex, pfile, sizeof(pfile), &e);
	if (st == -2) {
		/* as dockerd: the stream carries the reason, the exit code is 126 */
		pthread_mutex_lock(&d->mu);
		ex->exit_code = 126;
		snprintf(ex->error, sizeof(ex->error), "%s", e.msg);
		pthread_mutex_unlock(&d->mu);
		if (detach)
			hx_error(x, 500, "OCI runtime exec failed: %s: unknown", e.msg);
		else if ((client = hx_hijack(x, !ex->tty)) >= 0)
			stream_error(x, ex);
		return;
	}
	if (st < 0 || (pipe2(p, O_CLOEXEC) < 0 && err_sys(&e, errno, "pipe") < 0)) {
		hx_error(x, 500, "%s", e.msg);
		never_ran(d, ex, e.msg);
		return;
	}
	if (!detach && (client = hx_hijack(x, !ex->tty)) < 0) {
		never_ran(d, ex, "the client went away");
		goto out;
	}
	/* a pty can be resized: the exec shim listens for that */
	char sock[PATH_MAX + 32];
	exec_socket_path(d, ex, sock, sizeof(sock));
	pid = exec_spawn(d, ex, pfile, client, p[1], ex->tty ? sock : NULL, &e);
	close(p[1]);
	p[1] = -1;
	if (pid < 0) {
		if (detach)
			hx_error(x, 500, "%s", e.msg);
		never_ran(d, ex, e.msg);
		goto out;
	}
	const char *attrs[] = {"image", ex->c->image_name, "name", ex->c->name, "execID", ex->id,
			       NULL};
	char action[600];
	exec_action("exec_start", cJSON_GetObjectItemCaseSensitive(ex->body, "Cmd"), action,
		    sizeof(action));
	daemon_event_labels(d, "container", action, ex->c->id, attrs, ctr_labels(ex->c));
	if (detach) {
		/* answer once it runs, then follow it on this thread */
		hx_empty(x, 200);
	}
	follow(d, ex, p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (ex->error[0] && client >= 0)
		stream_error(x, ex);
	char code[16];
	snprintf(code, sizeof(code), "%d", ex->exit_code);
	const char *dattrs[] = {"image", ex->c->image_name, "name", ex->c->name, "execID",
				ex->id,  "exitCode",        code,   NULL};
	daemon_event_labels(d, "container", "exec_die", ex->c->id, dattrs, ctr_labels(ex->c));
	/* the client's connection closes when this thread returns: after the
	 * exit code was recorded, so that its inspect sees it */
out:
	unlink(pfile);
	if (p[0] >= 0)
		close(p[0]);
}

static void exec_start(struct hx *x)
{
	struct daemon *d = x->user;
	struct execi *ex;
	cJSON *body = NULL;
	struct err e;
	bool detach;

	if (x->body_len && json_parse(x->body, x->body_len, &body, &e) < 0) {
		hx_error(x, 400, "%s", e.msg);
		return;
	}
	detach = jbool(body, "Detach");
	cJSON_Delete(body);
	pthread_mutex_lock(&d->mu);
	forget_gone(d);
	ex = exec_find(d, x->arg[0]);
	if (ex && ex->started) {
		pthread_mutex_unlock(&d->mu);
		hx_error(x, 409, "Exec %s is already running", ex->id);
		return;
	}
	if (ex)
		ex->started = ex->busy = true;
	pthread_mutex_unlock(&d->mu);
	if (!ex) {
		hx_error(x, 404, "No such exec instance: %s", x->arg[0]);
		return;
	}
	exec_run(x, ex, detach);
	pthread_mutex_lock(&d->mu);
	ex->busy = false;
	pthread_mutex_unlock(&d->mu);
}

static void exec_json(struct hx *x)
{
	struct daemon *d = x->user;
	struct execi *ex;
	cJSON *o, *pc;
	const cJSON *cmd;

	pthread_mutex_lock(&d->mu);
	ex = exec_find(d, x->arg[0]);
	if (!ex) {
		pthread_mutex_unlock(&d->mu);
		hx_error(x, 404, "No such exec instance: %s", x->arg[0]);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "CanRemove", false);
	cJSON_AddStringToObject(o, "ContainerID", ex->c->id);
	cJSON_AddStringToObject(o, "DetachKeys", "");
	if (ex->exit_code >= 0 && !ex->running)
		cJSON_AddNumberToObject(o, "ExitCode", ex->exit_code);
	else
		cJSON_AddNullToObject(o, "ExitCode");
	cJSON_AddStringToObject(o, "ID", ex->id);
	cJSON_AddBoolToObject(o, "OpenStderr", jbool(ex->body, "AttachStderr"));
	cJSON_AddBoolToObject(o, "OpenStdin", jbool(ex->body, "AttachStdin"));
	cJSON_AddBoolToObject(o, "OpenStdout", jbool(ex->body, "AttachStdout"));
	cJSON_AddBoolToObject(o, "Running", ex->running);
	cJSON_AddNumberToObject(o, "Pid", ex->running ? ex->pid : 0);
	pc = cJSON_AddObjectToObject(o, "ProcessConfig");
	cmd = cJSON_GetObjectItemCaseSensitive(ex->body, "Cmd");
	cJSON_AddBoolToObject(pc, "tty", ex->tty);
	cJSON_AddStringToObject(pc, "entrypoint",
				cJSON_GetArrayItem(cmd, 0) ? cJSON_GetArrayItem(cmd, 0)->valuestring
							   : "");
	cJSON *args = cJSON_Duplicate(cmd, 1);
	cJSON_DeleteItemFromArray(args, 0);
	cJSON_AddItemToObject(pc, "arguments", args);
	cJSON_AddBoolToObject(pc, "privileged", jbool(ex->body, "Privileged"));
	pthread_mutex_unlock(&d->mu);
	hx_json(x, 200, o);
	cJSON_Delete(o);
}

static const struct hroute routes[] = {
	{"POST", "/containers/{}/exec", exec_create, 0},
	{"POST", "/exec/{}/start", exec_start, HR_THREAD},
	{"GET", "/exec/{}/json", exec_json, 0},
	{"POST", "/exec/{}/resize", exec_resize, HR_THREAD},
};

const struct api_part api_exec = {routes, sizeof(routes) / sizeof(routes[0])};
