/* logs.c - `tug logs` and `tug exec`: the container's inspect first (the
 * full id, whether it has a tty), then the log stream (stdcopy frames
 * unless tty) or the exec's hijacked stream and its exit code. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/demux.h"
#include "core/client/engine.h"
#include "core/client/stream.h"

//applet: logs tug_logs_main "Fetch the logs of a container"
//applet: exec tug_exec_main "Execute a command in a running container"

static int o_follow, o_timestamps, o_detach, o_interactive, o_tty, o_privileged;
static const char *o_tail, *o_since, *o_until, *o_user, *o_workdir;
static struct args_list o_env;

static const struct args_opt logs_opts[] = {
	{.name = "follow", .shortname = 'f', .help = "Follow log output", .flag = &o_follow},
	{.name = "since",
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Show logs since timestamp or relative (42m)",
	 .value = &o_since},
	{.name = "tail",
	 .shortname = 'n',
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Number of lines to show from the end of the logs",
	 .value = &o_tail},
	{.name = "timestamps", .shortname = 't', .help = "Show timestamps", .flag = &o_timestamps},
	{.name = "until",
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Show logs before a timestamp or relative (42m)",
	 .value = &o_until},
	{0},
};

/* The container's JSON (for the id and Config.Tty). */
static int inspect(struct api_client *c, const char *name, cJSON **out, struct err *e)
{
	char path[1200];

	snprintf(path, sizeof(path), "/containers/%s/json", eng_q(name));
	return api_json(c, "GET", path, NULL, out, e) < 0 ? -1 : 0;
}

static bool has_tty(const cJSON *info)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(info, "Config"), "Tty"));
}

static int out_frame(void *ctx, int stream, const char *buf, size_t len, struct err *e)
{
	(void)ctx;
	(void)e;
	fwrite(buf, 1, len, stream == 2 ? stderr : stdout);
	fflush(stream == 2 ? stderr : stdout);
	return 0;
}

static int stream_logs(struct api_client *c, const char *path, bool tty, struct err *e)
{
	struct api_resp r;
	struct demux d;
	char buf[16384];
	ssize_t n;
	int rc = 0;

	demux_init(&d);
	if (api_do(c, "GET", path, NULL, NULL, 0, NULL, &r, e) < 0)
		return -1;
	if (r.status >= 400)
		rc = api_error(&r, e);
	while (!rc && (n = api_read(&r, buf, sizeof(buf), e)) != 0) {
		if (n < 0)
			rc = -1;
		else if (tty)
			rc = out_frame(NULL, 1, buf, (size_t)n, e);
		else
			rc = demux_feed(&d, buf, (size_t)n, out_frame, NULL, e);
	}
	api_end(c, &r);
	return rc;
}

static int do_logs(struct api_client *c, const char *name)
{
	char path[2048];
	cJSON *info = NULL;
	struct err e = {0};
	int rc;

	if (inspect(c, name, &info, &e) < 0)
		return eng_fail(&e, ENG_EXIT_FAIL);
	snprintf(path, sizeof(path), "/containers/%s/logs?%sstderr=1&stdout=1&tail=%s",
		 eng_str(info, "Id"), o_follow ? "follow=1&" : "", eng_q(o_tail ? o_tail : "all"));
	if (o_since)
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "&since=%s",
			 eng_q(o_since));
	if (o_until)
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "&until=%s",
			 eng_q(o_until));
	if (o_timestamps)
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "&timestamps=1");
	rc = stream_logs(c, path, has_tty(info), &e);
	cJSON_Delete(info);
	return rc < 0 ? eng_fail(&e, ENG_EXIT_FAIL) : 0;
}

int tug_logs_main(int argc, char **argv)
{
	static const struct args_table t = {"tug logs [OPTIONS] CONTAINER",
					    "Fetch the logs of a container", ARGS_INTERSPERSED,
					    logs_opts};
	struct api_client c;
	int rc, n = cli_parse(&t, argc, argv, 1, 1, &rc);

	if (n < 0)
		return rc;
	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	rc = do_logs(&c, argv[1]);
	api_close(&c);
	return rc;
}

static const struct args_opt exec_opts[] = {
	{.name = "detach",
	 .shortname = 'd',
	 .help = "Detached mode: run command in the background",
	 .flag = &o_detach},
	{.name = "env",
	 .shortname = 'e',
	 .flags = ARGS_VALUE,
	 .meta = "list",
	 .help = "Set environment variables",
	 .list = &o_env},
	{.name = "interactive",
	 .shortname = 'i',
	 .help = "Keep STDIN open even if not attached",
	 .flag = &o_interactive},
	{.name = "privileged",
	 .help = "Give extended privileges to the command",
	 .flag = &o_privileged},
	{.name = "tty", .shortname = 't', .help = "Allocate a pseudo-TTY", .flag = &o_tty},
	{.name = "user",
	 .shortname = 'u',
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Username or UID (format: \"<name|uid>[:<group|gid>]\")",
	 .value = &o_user},
	{.name = "workdir",
	 .shortname = 'w',
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Working directory inside the container",
	 .value = &o_workdir},
	{0},
};

static cJSON *exec_body(int argc, char **argv)
{
	cJSON *b = cJSON_CreateObject(), *cmd = cJSON_CreateArray(), *env = cJSON_CreateArray();

	cJSON_AddStringToObject(b, "User", o_user ? o_user : "");
	cJSON_AddBoolToObject(b, "Privileged", o_privileged);
	cJSON_AddBoolToObject(b, "Tty", o_tty);
	cJSON_AddBoolToObject(b, "AttachStdin", o_interactive && !o_detach);
	cJSON_AddBoolToObject(b, "AttachStderr", !o_detach);
	cJSON_AddBoolToObject(b, "AttachStdout", !o_detach);
	cJSON_AddBoolToObject(b, "Detach", o_detach);
	cJSON_AddStringToObject(b, "DetachKeys", "");
	for (size_t i = 0; i < o_env.n; i++)
		cJSON_AddItemToArray(env, cJSON_CreateString(o_env.v[i]));
	cJSON_AddItemToObject(b, "Env", env);
	cJSON_AddStringToObject(b, "WorkingDir", o_workdir ? o_workdir : "");
	for (int i = 0; i < argc; i++)
		cJSON_AddItemToArray(cmd, cJSON_CreateString(argv[i]));
	cJSON_AddItemToObject(b, "Cmd", cmd);
	return b;
}

/* Start the exec (attached: hijacked, streamed) and return its exit code. */
static int exec_start(struct api_client *c, const char *id, struct err *e)
{
	char path[300], rpath[200], body[64];
	struct eng_stream s = {.api = c, .tty = o_tty, .stdin_open = o_interactive};
	cJSON *info = NULL;
	int code;

	snprintf(path, sizeof(path), "/exec/%s/start", id);
	snprintf(body, sizeof(body), "{\"Detach\":%s,\"Tty\":%s}", o_detach ? "true" : "false",
		 o_tty ? "true" : "false");
	if (o_detach) {
		cJSON *b = cJSON_Parse(body);
		int rc = api_json(c, "POST", path, b, NULL, e);

		cJSON_Delete(b);
		return rc < 0 ? -1 : 0;
	}
	snprintf(rpath, sizeof(rpath), "/exec/%s/resize", id);
	s.resize_path = o_tty ? rpath : NULL;
	if (api_hijack(c, path, "application/json", body, strlen(body), &s.conn, e) < 0)
		return -1;
	code = eng_stream_run(&s, e);
	api_conn_free(s.conn);
	if (code < 0)
		return -1;
	snprintf(path, sizeof(path), "/exec/%s/json", id);
	if (api_json(c, "GET", path, NULL, &info, e) < 0)
		return -1;
	code = (int)eng_num(info, "ExitCode");
	cJSON_Delete(info);
	return code;
}

int tug_exec_main(int argc, char **argv)
{
	static const struct args_table t = {"tug exec [OPTIONS] CONTAINER COMMAND [ARG...]",
					    "Execute a command in a running container", 0,
					    exec_opts};
	struct api_client c;
	struct err e = {0};
	char path[1200];
	cJSON *info = NULL, *body, *res = NULL;
	int rc, n = cli_parse(&t, argc, argv, 2, 1 << 20, &rc);

	if (n < 0)
		return rc;
	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	rc = ENG_EXIT_FAIL;
	body = exec_body(n - 1, argv + 2);
	snprintf(path, sizeof(path), "/containers/%s/exec", eng_q(argv[1]));
	if (inspect(&c, argv[1], &info, &e) < 0 || api_json(&c, "POST", path, body, &res, &e) < 0)
		eng_fail(&e, ENG_EXIT_FAIL);
	else if ((rc = exec_start(&c, eng_str(res, "Id"), &e)) < 0)
		rc = eng_fail(&e, ENG_EXIT_FAIL);
	cJSON_Delete(body);
	cJSON_Delete(res);
	cJSON_Delete(info);
	api_close(&c);
	return rc;
}
