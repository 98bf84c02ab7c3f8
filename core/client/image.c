/* image.c - `tug image <cmd>` (inspect, prune, and the docker aliases ls,
 * rm, tag, pull) and `tug system check`. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/cli.h"
#include "core/client/engine.h"
#include "file.h"
#include "json.h"
#include "oci/image-info.h"
#include "registry/ref.h"
#include "timefmt.h"

//applet: image tug_image_main "Manage images"
//applet: system tug_system_main "Manage tug: check the store, df, dial-stdio, prune"

/* Without the registry client there is no pull to alias. */
int tug_pull_main(int argc, char **argv) __attribute__((weak));
/* `tug system dial-stdio` (core/client/dialstdio.c, with the client). */
int tug_dial_stdio_main(int argc, char **argv) __attribute__((weak));
/* `tug system df|prune` (core/client/sysdf.c, prune.c, with the client). */
int tug_system_df_main(int argc, char **argv) __attribute__((weak));
int tug_system_prune_main(int argc, char **argv) __attribute__((weak));

static int inspect(int argc, char **argv)
{
	static const char *format;
	static const struct args_opt opts[] = {
		{"format", 'f', ARGS_VALUE, "string", "(only {{json .}} is supported)", NULL,
		 &format, NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug image inspect [OPTIONS] IMAGE [IMAGE...]",
					    "Display detailed information on one or more images",
					    ARGS_INTERSPERSED, opts};
	struct oci_store s;
	struct err e = {0};
	cJSON *arr = cJSON_CreateArray(), *one;
	char id[DIGEST_STR_MAX];
	int rc, n = cli_parse(&t, argc, argv, 1, 1 << 20, &rc);

	if (n < 0)
		return rc;
	if (cli_store_open(&s, OCI_STORE_SHARED, &e) < 0)
		return cli_fail("image inspect", &e);
	rc = 0;
	for (int i = 1; i <= n; i++) {
		if (cli_find_image(&s, argv[i], id, NULL, 0, &e) < 0 ||
		    !(one = oci_image_inspect(&s, id, &e))) {
			fprintf(stderr, "tug: image inspect: %s\n", e.msg);
			rc = CLI_EXIT_FAIL;
			continue;
		}
		cJSON_AddItemToArray(arr, one);
	}
	oci_store_close(&s);
	json_write_fd(STDOUT_FILENO, arr, true, &e);
	cJSON_Delete(arr);
	return rc;
}

static int prune_all, prune_force;

/* docker's prune lines are lower case: "untagged: ...", "deleted: ...". */
static void prune_report(const char *kind, const char *value, const char *image, void *arg)
{
	(void)image;
	(void)arg;
	printf("%s: %s\n", !strcmp(kind, "Untagged") ? "untagged" : "deleted", value);
}

static int prune_images(struct oci_store *s, uint64_t *freed, struct err *e)
{
	const struct oci_rmi_ops o = {NULL, prune_report, NULL};

	return oci_image_prune(s, prune_all, NULL, &o, freed, e);
}

static int prune(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"all", 'a', 0, NULL,
		 "remove all images without a container (no containers yet: "
		 "every image)",
		 &prune_all, NULL, NULL, NULL},
		{"force", 'f', 0, NULL, "do not prompt for confirmation", &prune_force, NULL, NULL,
		 NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug image prune [OPTIONS]", "Remove unused images", 0,
					    opts};
	struct oci_store s;
	struct err e = {0};
	uint64_t freed = 0;
	char size[16];
	int rc, n = cli_parse(&t, argc, argv, 0, 0, &rc);

	if (n < 0)
		return rc;
	if (cli_store_open(&s, OCI_STORE_EXCLUSIVE, &e) < 0)
		return cli_fail("image prune", &e);
	rc = prune_images(&s, &freed, &e) < 0 ? cli_fail("image prune", &e) : 0;
	oci_store_close(&s);
	if (!rc)
		printf("Total reclaimed space: %s\n",
		       cli_human_size((int64_t)freed, size, sizeof(size)));
	return rc;
}

int tug_image_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {{"inspect", inspect},      {"ls", tug_images_main},
		    {"list", tug_images_main}, {"rm", tug_rmi_main},
		    {"remove", tug_rmi_main},  {"tag", tug_tag_main},
		    {"prune", prune},          {"pull", NULL}};

	if (argc < 2 || !strcmp(argv[1], "--help")) {
		printf("Usage:  tug image COMMAND\n\nManage images\n\nCommands:\n  inspect  ls  "
		       "prune  pull  rm  tag\n");
		return argc < 2 ? CLI_EXIT_USAGE : 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			if (!cmds[i].fn)
				return tug_pull_main ? tug_pull_main(argc - 1, argv + 1)
						     : CLI_EXIT_USAGE;
			return cmds[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "tug: image: unknown command \"%s\"\n", argv[1]);
	return CLI_EXIT_USAGE;
}

static void report(const char *line, void *arg)
{
	int *n = arg;

	(*n)++;
	printf("%s\n", line);
}

/* What the check found, printed the same way however it ran. */
static int check_result(int problems, const char *root)
{
	if (problems) {
		fprintf(stderr, "tug: system check: %d problem%s in %s\n", problems,
			problems == 1 ? "" : "s", root);
		return CLI_EXIT_FAIL;
	}
	printf("ok: %s is consistent\n", root);
	return 0;
}

/* The check done by the daemon at host (NULL: -H/$TUG_HOST/$DOCKER_HOST;
 * GET /tug/system/check), which must serve root when root is not NULL.
 * Returns the exit code, or -1 with e filled when no such daemon answered. */
static int check_by_daemon(const char *host, const char *root, struct err *e)
{
	struct api_client c;
	cJSON *o = NULL;
	const cJSON *l;
	const char *got;
	int rc = -1;

	if (api_init(&c, host, e) < 0 || api_ping(&c, e) < 0 ||
	    api_json(&c, "GET", "/tug/system/check", NULL, &o, e) < 0)
		goto out;
	got = eng_str(o, "Root");
	if (root && strcmp(root, got)) {
		err_set(e, "the daemon at %s serves %s, not %s", c.host, got, root);
		goto out;
	}
	cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(o, "Lines"))
	{
		if (cJSON_IsString(l))
			printf("%s\n", l->valuestring);
	}
	fflush(stdout);
	rc = check_result((int)eng_num(o, "Problems"), got);
out:
	cJSON_Delete(o);
	api_close(&c);
	return rc;
}

/* The daemons that hold root: the sockets it wrote in <root>/daemon.hosts,
 * else the default address. */
static int check_by_holder(const char *root, struct err *e)
{
	char path[PATH_MAX + 32], *text = NULL, *save = NULL;
	size_t len;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/daemon.hosts", root);
	if (file_read_all(path, 65536, &text, &len, e) < 0)
		return check_by_daemon(NULL, root, e);
	for (char *h = strtok_r(text, "\n", &save); h && rc < 0; h = strtok_r(NULL, "\n", &save))
		rc = check_by_daemon(h, root, e);
	free(text);
	return rc;
}

/* The store is locked: a daemon holds it for its life (then it does the
 * check), or a daemonless writer for a while (then the check waits). */
static int check_locked(const char *root, struct oci_store *s, struct err *e)
{
	struct err de = {0};
	int rc = CFG_CLIENT ? check_by_holder(root, &de) : -1;

	if (rc >= 0)
		return rc;
	if (CFG_CLIENT)
		fprintf(stderr,
			"tug: system check: %s; no daemon serving it answered (%s); waiting\n",
			e->msg, de.msg);
	else
		fprintf(stderr, "tug: system check: %s; waiting\n", e->msg);
	if (oci_store_open(s, root, OCI_STORE_SHARED, false, e) < 0)
		return cli_fail("system check", e);
	return -1;
}

static int system_check(void)
{
	const char *root = tug_data_root ? tug_data_root : CLI_DEFAULT_DATA_ROOT;
	char abs[PATH_MAX];
	struct oci_store s;
	struct err e = {0};
	int lines = 0, problems, rc;

	/* -H (or a daemon named in the environment, without --data-root): ask
	 * that daemon; its store is the one meant. */
	if (CFG_CLIENT &&
	    (tug_host || (!tug_data_root && (getenv("TUG_HOST") || getenv("DOCKER_HOST"))))) {
		rc = check_by_daemon(tug_host, tug_data_root && realpath(root, abs) ? abs : NULL,
				     &e);
		return rc >= 0 ? rc : cli_fail("system check", &e);
	}
	if (oci_store_open(&s, root, OCI_STORE_SHARED, true, &e) < 0) {
		if (e.errnum != EWOULDBLOCK)
			return cli_fail("system check", &e);
		rc = check_locked(realpath(root, abs) ? abs : root, &s, &e);
		if (rc >= 0)
			return rc;
	}
	problems = oci_store_check(&s, report, &lines, &e);
	oci_store_close(&s);
	if (problems < 0)
		return cli_fail("system check", &e);
	return check_result(problems, s.root);
}

int tug_system_main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "dial-stdio") && tug_dial_stdio_main)
		return tug_dial_stdio_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "df") && tug_system_df_main)
		return tug_system_df_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "prune") && tug_system_prune_main)
		return tug_system_prune_main(argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "check")) {
		fprintf(stderr,
			"Usage:  tug system check|df|dial-stdio|prune\n\ncheck: verify every "
			"blob, layer, image and name of the store\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : CLI_EXIT_USAGE;
	}
	return system_check();
}
