/* run.c - `tug run`, `tug create`, `tug start` as the docker CLI does them:
 * create (pulling on "No such image"), attach (hijack), wait registered
 * before start, start, stream, exit code from wait. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/engine.h"
#include "json.h"
#include "core/client/runopts.h"
#include "core/client/stream.h"

//applet: run tug_run_main "Create and run a new container from an image"
//applet: create tug_create_main "Create a new container"
//applet: start tug_start_main "Start one or more stopped containers"

/* docker maps the runtime's start errors to the shell's codes. */
static int start_error_code(const char *msg)
{
	if (strstr(msg, "executable file not found") || strstr(msg, "no such file or directory"))
		return ENG_EXIT_NOTFOUND;
	if (strstr(msg, "permission denied"))
		return ENG_EXIT_CANNOT;
	return ENG_EXIT_RUN;
}

static int create_once(struct api_client *c, const cJSON *body, char id[80], struct err *e)
{
	char path[1200] = "/containers/create";
	cJSON *res = NULL;
	const cJSON *w, *warns;

	if (run_opts_v.name)
		snprintf(path, sizeof(path), "/containers/create?name=%s", eng_q(run_opts_v.name));
	if (api_json(c, "POST", path, body, &res, e) < 0)
		return -1;
	snprintf(id, 80, "%s", eng_str(res, "Id"));
	warns = cJSON_GetObjectItemCaseSensitive(res, "Warnings");
	cJSON_ArrayForEach(w, warns) if (cJSON_IsString(w))
		fprintf(stderr, "WARNING: %s\n", w->valuestring);
	cJSON_Delete(res);
	return id[0] ? 0 : err_set(e, "Error response from daemon: no container id");
}

/* Create; when the image is missing, pull it (progress on stderr) and retry. */
static int create(struct api_client *c, const char *image, int argc, char **argv, char id[80])
{
	struct err e = {0};
	cJSON *body = NULL;
	int rc;

	if (run_opts_body(&run_opts_v, image, argc, argv, &body, &e) < 0) {
		cJSON_Delete(body);
		fprintf(stderr, "tug: %s\nSee 'tug run --help'.\n", e.msg);
		return -1;
	}
	if (run_opts_v.tty && isatty(STDOUT_FILENO)) {
		struct winsize ws;
		cJSON *cs = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(body, "HostConfig"), "ConsoleSize");

		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && cs) {
			cJSON_SetNumberValue(cJSON_GetArrayItem(cs, 0), ws.ws_row);
			cJSON_SetNumberValue(cJSON_GetArrayItem(cs, 1), ws.ws_col);
		}
	}
	rc = create_once(c, body, id, &e);
	if (rc < 0 && strstr(e.msg, "No such image") &&
	    (!run_opts_v.pull || strcmp(run_opts_v.pull, "never"))) {
		fprintf(stderr, "Unable to find image '%s' locally\n", image);
		rc = eng_pull(c, image, false, stderr, &e);
		if (rc == 0)
			rc = create_once(c, body, id, &e);
	}
	cJSON_Delete(body);
	if (rc < 0)
		fprintf(stderr, "%s\n", e.msg);
	return rc;
}

static int start(struct api_client *c, const char *id, struct err *e)
{
	char path[200];

	snprintf(path, sizeof(path), "/containers/%s/start", id);
	return api_json(c, "POST", path, NULL, NULL, e) < 0 ? -1 : 0;
}

/* The wait answer: {"StatusCode":N,"Error":...}. */
static int wait_status(struct api_client *c, struct api_resp *w)
{
	char *body = NULL;
	cJSON *j = NULL;
	struct err e;
	int code = ENG_EXIT_RUN;

	if (w->status >= 400) {
		api_error(w, &e);
		fprintf(stderr, "%s\n", e.msg);
	} else if (api_read_all(w, 1 << 16, &body, NULL, &e) == 0 &&
		   json_parse(body, strlen(body), &j, &e) == 0) {
		code = (int)eng_num(j, "StatusCode");
	}
	cJSON_Delete(j);
	free(body);
	api_end(c, w);
	return code;
}

static int attach_and_start(struct api_client *c, const char *id)
{
	const struct run_opts *o = &run_opts_v;
	struct eng_stream s = {.api = c, .tty = o->tty};
	char path[300], rpath[200];
	struct api_resp w;
	struct err e = {0};
	bool in = o->interactive;
	int rc;

	snprintf(path, sizeof(path), "/containers/%s/attach?stderr=1%s&stdout=1&stream=1", id,
		 in ? "&stdin=1" : "");
	snprintf(rpath, sizeof(rpath), "/containers/%s/resize", id);
	s.resize_path = o->tty ? rpath : NULL;
	s.stdin_open = in;
	if (api_hijack(c, path, NULL, NULL, 0, &s.conn, &e) < 0)
		return eng_fail(&e, ENG_EXIT_RUN);
	snprintf(path, sizeof(path), "/containers/%s/wait?condition=%s", id,
		 o->rm ? "removed" : "next-exit");
	if (api_do(c, "POST", path, NULL, NULL, 0, NULL, &w, &e) < 0) {
		api_conn_free(s.conn);
		return eng_fail(&e, ENG_EXIT_RUN);
	}
	if (start(c, id, &e) < 0) {
		api_conn_free(s.conn);
		api_end(c, &w);
		return eng_fail(&e, start_error_code(e.msg));
	}
	rc = eng_stream_run(&s, &e);
	api_conn_free(s.conn);
	if (rc < 0)
		fprintf(stderr, "%s\n", e.msg);
	return wait_status(c, &w);
}

static int run_or_create(int argc, char **argv, bool run)
{
	struct args_table t = {run ? "tug run [OPTIONS] IMAGE [COMMAND] [ARG...]"
				   : "tug create [OPTIONS] IMAGE [COMMAND] [ARG...]",
			       run ? "Create and run a new container from an image"
				   : "Create a new container",
			       0, run_opts_table};
	struct api_client c;
	char id[80];
	int rc, n = cli_parse(&t, argc, argv, 1, 1 << 20, &rc);
	struct err e = {0};

	if (n < 0)
		return rc;
	if (eng_connect(&c) < 0)
		return ENG_EXIT_RUN;
	if (create(&c, argv[1], n - 1, argv + 2, id) < 0) {
		api_close(&c);
		return ENG_EXIT_RUN;
	}
	if (!run) {
		printf("%s\n", id);
		rc = 0;
	} else if (run_opts_v.detach) {
		rc = start(&c, id, &e) < 0 ? eng_fail(&e, start_error_code(e.msg))
					   : (printf("%s\n", id), 0);
	} else {
		rc = attach_and_start(&c, id);
	}
	api_close(&c);
	return rc;
}

int tug_run_main(int argc, char **argv)
{
	return run_or_create(argc, argv, true);
}

int tug_create_main(int argc, char **argv)
{
	return run_or_create(argc, argv, false);
}

static int o_attach, o_interactive;
static const struct args_opt start_opts[] = {
	{.name = "attach",
	 .shortname = 'a',
	 .help = "Attach STDOUT/STDERR and forward signals",
	 .flag = &o_attach},
	{.name = "interactive",
	 .shortname = 'i',
	 .help = "Attach container's STDIN",
	 .flag = &o_interactive},
	{0},
};

/* start -a: attach first, then start, and take the exit code from wait. */
static int start_attached(struct api_client *c, const char *name)
{
	char path[1300];
	cJSON *info = NULL;
	struct err e = {0};
	int rc;

	snprintf(path, sizeof(path), "/containers/%s/json", eng_q(name));
	if (api_json(c, "GET", path, NULL, &info, &e) < 0)
		return eng_fail(&e, ENG_EXIT_FAIL);
	memset(&run_opts_v, 0, sizeof(run_opts_v));
	run_opts_v.tty = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(info, "Config"), "Tty"));
	run_opts_v.interactive = o_interactive;
	snprintf(path, sizeof(path), "%s", eng_str(info, "Id"));
	cJSON_Delete(info);
	rc = attach_and_start(c, path);
	return rc;
}

static int start_one(struct api_client *c, const char *name, void *ctx, struct err *e)
{
	char path[1200];

	(void)ctx;
	snprintf(path, sizeof(path), "/containers/%s/start", eng_q(name));
	return api_json(c, "POST", path, NULL, NULL, e) < 0 ? -1 : 0;
}

int tug_start_main(int argc, char **argv)
{
	static const struct args_table t = {"tug start [OPTIONS] CONTAINER [CONTAINER...]",
					    "Start one or more stopped containers",
					    ARGS_INTERSPERSED, start_opts};
	struct api_client c;
	int rc, n = cli_parse(&t, argc, argv, 1, 1 << 20, &rc);

	if (n < 0)
		return rc;
	if ((o_attach || o_interactive) && n > 1) {
		fprintf(stderr, "tug: you cannot start and attach multiple containers at once\n");
		return ENG_EXIT_FAIL;
	}
	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	if (o_attach || o_interactive)
		rc = start_attached(&c, argv[1]);
	else
		rc = eng_each(&c, n, argv + 1, start_one, NULL, true);
	api_close(&c);
	return rc;
}
