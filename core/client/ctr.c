/* ctr.c - the container commands that are one request per container:
 * stop, restart, kill, rm, pause, unpause, wait, rename. */
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/engine.h"

//applet: stop tug_stop_main "Stop one or more running containers"
//applet: restart tug_restart_main "Restart one or more containers"
//applet: kill tug_kill_main "Kill one or more running containers"
//applet: rm tug_rm_main "Remove one or more containers"
//applet: pause tug_pause_main "Pause all processes within one or more containers"
//applet: unpause tug_unpause_main "Unpause all processes within one or more containers"
//applet: wait tug_wait_main "Block until one or more containers stop, then print their exit codes"
//applet: rename tug_rename_main "Rename a container"

static const char *o_time, *o_signal;
static int o_force, o_volumes, o_link;

struct post_ctx {
	const char *verb; /* "stop", "kill", ... (NULL: DELETE) */
	char query[128];
};

static int post_one(struct api_client *c, const char *name, void *arg, struct err *e)
{
	struct post_ctx *p = arg;
	char path[1200];

	if (p->verb)
		snprintf(path, sizeof(path), "/containers/%s/%s%s", eng_q(name), p->verb, p->query);
	else
		snprintf(path, sizeof(path), "/containers/%s%s", eng_q(name), p->query);
	return api_json(c, p->verb ? "POST" : "DELETE", path, NULL, NULL, e) < 0 ? -1 : 0;
}

static void add_query(struct post_ctx *p, const char *key, const char *val)
{
	size_t n = strlen(p->query);

	if (val)
		snprintf(p->query + n, sizeof(p->query) - n, "%c%s=%s", n ? '&' : '?', key,
			 eng_q(val));
}

/* Parse, connect, send verb to every named container. */
static int each_main(const struct args_table *t, int argc, char **argv, struct post_ctx *p,
		     void (*query)(struct post_ctx *p))
{
	struct api_client c;
	int rc, n = cli_parse(t, argc, argv, 1, 1 << 20, &rc);

	if (n < 0)
		return rc;
	if (query)
		query(p);
	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	rc = eng_each(&c, n, argv + 1, post_one, p, true);
	api_close(&c);
	return rc;
}

static const struct args_opt stop_opts[] = {
	{.name = "signal",
	 .shortname = 's',
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Signal to send to the container",
	 .value = &o_signal},
	{.name = "time",
	 .shortname = 't',
	 .flags = ARGS_VALUE,
	 .meta = "int",
	 .help = "Seconds to wait before killing the container",
	 .value = &o_time},
	{0},
};

static void stop_query(struct post_ctx *p)
{
	add_query(p, "signal", o_signal);
	add_query(p, "t", o_time);
}

static int stop_like(const char *verb, const char *usage, const char *sum, int argc, char **argv)
{
	struct args_table t = {usage, sum, ARGS_INTERSPERSED, stop_opts};
	struct post_ctx p = {verb, ""};

	return each_main(&t, argc, argv, &p, stop_query);
}

int tug_stop_main(int argc, char **argv)
{
	return stop_like("stop", "tug stop [OPTIONS] CONTAINER [CONTAINER...]",
			 "Stop one or more running containers", argc, argv);
}

int tug_restart_main(int argc, char **argv)
{
	return stop_like("restart", "tug restart [OPTIONS] CONTAINER [CONTAINER...]",
			 "Restart one or more containers", argc, argv);
}

static const struct args_opt kill_opts[] = {
	{.name = "signal",
	 .shortname = 's',
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Signal to send to the container",
	 .value = &o_signal},
	{0},
};

int tug_kill_main(int argc, char **argv)
{
	static const struct args_table t = {"tug kill [OPTIONS] CONTAINER [CONTAINER...]",
					    "Kill one or more running containers",
					    ARGS_INTERSPERSED, kill_opts};
	struct post_ctx p = {"kill", ""};
	struct api_client c;
	int rc, n = cli_parse(&t, argc, argv, 1, 1 << 20, &rc);

	if (n < 0)
		return rc;
	add_query(&p, "signal", o_signal);
	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	rc = eng_each(&c, n, argv + 1, post_one, &p, true);
	api_close(&c);
	return rc;
}

static const struct args_opt rm_opts[] = {
	{.name = "force",
	 .shortname = 'f',
	 .help = "Force the removal of a running container (uses SIGKILL)",
	 .flag = &o_force},
	{.name = "link", .shortname = 'l', .help = "Remove the specified link", .flag = &o_link},
	{.name = "volumes",
	 .shortname = 'v',
	 .help = "Remove anonymous volumes associated with the container",
	 .flag = &o_volumes},
	{0},
};

int tug_rm_main(int argc, char **argv)
{
	static const struct args_table t = {"tug rm [OPTIONS] CONTAINER [CONTAINER...]",
					    "Remove one or more containers", ARGS_INTERSPERSED,
					    rm_opts};
	struct post_ctx p = {NULL, ""};
	struct api_client c;
	int rc, n = cli_parse(&t, argc, argv, 1, 1 << 20, &rc);

	if (n < 0)
		return rc;
	add_query(&p, "force", o_force ? "1" : NULL);
	add_query(&p, "v", o_volumes ? "1" : NULL);
	add_query(&p, "link", o_link ? "1" : NULL);
	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	rc = eng_each(&c, n, argv + 1, post_one, &p, true);
	api_close(&c);
	return rc;
}

static const struct args_opt no_opts[] = {{0}};

int tug_pause_main(int argc, char **argv)
{
	static const struct args_table t = {"tug pause CONTAINER [CONTAINER...]",
					    "Pause all processes within one or more containers",
					    ARGS_INTERSPERSED, no_opts};
	struct post_ctx p = {"pause", ""};

	return each_main(&t, argc, argv, &p, NULL);
}

int tug_unpause_main(int argc, char **argv)
{
	static const struct args_table t = {"tug unpause CONTAINER [CONTAINER...]",
					    "Unpause all processes within one or more containers",
					    ARGS_INTERSPERSED, no_opts};
	struct post_ctx p = {"unpause", ""};

	return each_main(&t, argc, argv, &p, NULL);
}

static int wait_one(struct api_client *c, const char *name, void *arg, struct err *e)
{
	char path[1100];
	cJSON *res = NULL;
	const cJSON *err;

	(void)arg;
	snprintf(path, sizeof(path), "/containers/%s/wait", eng_q(name));
	if (api_json(c, "POST", path, NULL, &res, e) < 0)
		return -1;
	err = cJSON_GetObjectItemCaseSensitive(res, "Error");
	if (cJSON_IsObject(err) && eng_str(err, "Message")[0]) {
		err_set(e, "%s", eng_str(err, "Message"));
		cJSON_Delete(res);
		return -1;
	}
	printf("%lld\n", (long long)eng_num(res, "StatusCode"));
	fflush(stdout);
	cJSON_Delete(res);
	return 0;
}

int tug_wait_main(int argc, char **argv)
{
	static const struct args_table t = {
		"tug wait CONTAINER [CONTAINER...]",
		"Block until one or more containers stop, then print their exit codes",
		ARGS_INTERSPERSED, no_opts};
	struct api_client c;
	int rc, n = cli_parse(&t, argc, argv, 1, 1 << 20, &rc);

	if (n < 0)
		return rc;
	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	rc = eng_each(&c, n, argv + 1, wait_one, NULL, false);
	api_close(&c);
	return rc;
}

int tug_rename_main(int argc, char **argv)
{
	static const struct args_table t = {"tug rename CONTAINER NEW_NAME", "Rename a container",
					    ARGS_INTERSPERSED, no_opts};
	struct api_client c;
	struct err e = {0};
	char path[2200];
	int rc, n = cli_parse(&t, argc, argv, 2, 2, &rc);

	if (n < 0)
		return rc;
	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	snprintf(path, sizeof(path), "/containers/%s/rename?name=%s", eng_q(argv[1]),
		 eng_q(argv[2]));
	rc = api_json(&c, "POST", path, NULL, NULL, &e) < 0 ? eng_fail(&e, ENG_EXIT_FAIL) : 0;
	api_close(&c);
	return rc;
}
