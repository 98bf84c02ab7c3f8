/* prune.c - `tug system prune`: the docker CLI's warning and prompt, then
 * containers, networks, (volumes,) images pruned through the daemon, each
 * report and the total printed as it prints them (tug has no build cache
 * to prune). */
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/engine.h"
#include "core/client/obs.h"
#include "core/client/sysdf.h"

static int o_all, o_force, o_volumes;
static struct args_list o_filter;

static const struct args_opt prune_opts[] = {
	{.name = "all",
	 .shortname = 'a',
	 .help = "Remove all unused images not just dangling ones",
	 .flag = &o_all},
	{.name = "filter",
	 .flags = ARGS_VALUE,
	 .meta = "filter",
	 .help = "Provide filter values (e.g. \"label=<key>=<value>\")",
	 .list = &o_filter},
	{.name = "force",
	 .shortname = 'f',
	 .help = "Do not prompt for confirmation",
	 .flag = &o_force},
	{.name = "volumes", .help = "Prune anonymous volumes", .flag = &o_volumes},
	{0},
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The filters the warning names: label, label! and until, sorted. */
static void warn_filters(void)
{
	static const char *const keys[] = {"label=", "label!=", "until="};
	char **v = calloc(o_filter.n + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; v && i < o_filter.n; i++)
		for (size_t k = 0; k < 3; k++)
			if (!strncmp(o_filter.v[i], keys[k], strlen(keys[k])))
				v[n++] = (char *)o_filter.v[i];
	if (v && n) {
		qsort(v, n, sizeof(*v), by_name);
		printf("\n  Items to be pruned will be filtered with:");
		for (size_t i = 0; i < n; i++)
			printf("\n  - %s", v[i]);
		printf("\n");
	}
	free(v);
}

/* docker's confirmation; true when the answer is y. */
static bool confirm(void)
{
	char line[256] = "";
	size_t n;

	printf("WARNING! This will remove:\n  - all stopped containers\n  - all networks not used "
	       "by at least one container\n");
	if (o_volumes)
		printf("  - all anonymous volumes not used by at least one container\n");
	printf("  - %s\n", o_all ? "all images without at least one container associated to them"
				 : "all dangling images");
	/* as docker words it, though tug keeps no build cache: there is none */
	printf("  - %s\n", o_all ? "all build cache" : "unused build cache");
	warn_filters();
	printf("\nAre you sure you want to continue? [y/N] ");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = '\0';
	return !strcmp(line + strspn(line, " \t"), "y") || !strcmp(line + strspn(line, " \t"), "Y");
}

struct pruner {
	const char *path, *list, *title;
};

/* One POST .../prune; its report printed, its space added to *freed. */
static int prune_one(struct api_client *c, const struct pruner *p, const char *extra, double *freed,
		     struct err *e)
{
	char path[4096], *f = NULL;
	const char **v = calloc(o_filter.n + 2, sizeof(*v));
	cJSON *rep = NULL;
	const cJSON *it, *list;
	size_t n = o_filter.n;
	int rc;

	if (!v)
		return err_set(e, "prune: out of memory");
	memcpy(v, o_filter.v, n * sizeof(*v));
	if (extra)
		v[n++] = extra;
	rc = obs_filters_json(v, n, "--filter", &f, e);
	free(v);
	if (rc < 0)
		return -1;
	snprintf(path, sizeof(path), "%s%s%s", p->path, f ? "?filters=" : "", f ? eng_q(f) : "");
	free(f);
	if (api_json(c, "POST", path, NULL, &rep, e) < 0)
		return -1;
	list = cJSON_GetObjectItemCaseSensitive(rep, p->list);
	if (cJSON_GetArraySize(list) > 0) {
		printf("%s\n", p->title);
		cJSON_ArrayForEach(it, list)
		{
			if (cJSON_IsString(it))
				printf("%s\n", it->valuestring);
			else if (*eng_str(it, "Untagged"))
				printf("untagged: %s\n", eng_str(it, "Untagged"));
			else
				printf("deleted: %s\n", eng_str(it, "Deleted"));
		}
		printf("\n");
		*freed += eng_num(rep, "SpaceReclaimed");
	}
	cJSON_Delete(rep);
	return 0;
}

int tug_system_prune_main(int argc, char **argv)
{
	static const struct args_table t = {"tug system prune [OPTIONS]", "Remove unused data",
					    ARGS_INTERSPERSED, prune_opts};
	static const struct pruner ps[] = {
		{"/containers/prune", "ContainersDeleted", "Deleted Containers:"},
		{"/networks/prune", "NetworksDeleted", "Deleted Networks:"},
		{"/volumes/prune", "VolumesDeleted", "Deleted Volumes:"},
		{"/images/prune", "ImagesDeleted", "Deleted Images:"},
	};
	struct api_client c;
	struct err e = {0};
	double freed = 0;
	char sz[32];
	int rc, n = cli_parse(&t, argc, argv, 0, 0, &rc);

	if (n < 0)
		return rc;
	if (obs_filters_json(o_filter.v, o_filter.n, "--filter", NULL, &e) < 0) {
		fprintf(stderr,
			"%s\n\nUsage:  %s\n\nRun 'tug system prune --help' for more information\n",
			e.msg, t.usage);
		return ENG_EXIT_RUN;
	}
	for (size_t i = 0; o_volumes && i < o_filter.n; i++)
		if (!strncmp(o_filter.v[i], "until=", 6) || !strcmp(o_filter.v[i], "until")) {
			fprintf(stderr, "ERROR: The \"until\" filter is not supported with "
					"\"--volumes\"\n");
			return ENG_EXIT_FAIL;
		}
	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	/* declined: nothing done, and docker says nothing more */
	if (!o_force && !confirm()) {
		api_close(&c);
		return 0;
	}
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		if (i == 2 && !o_volumes)
			continue;
		if (prune_one(&c, &ps[i],
			      i == 3 ? (o_all ? "dangling=false" : "dangling=true") : NULL, &freed,
			      &e) < 0) {
			api_close(&c);
			return eng_fail(&e, ENG_EXIT_FAIL);
		}
	}
	printf("Total reclaimed space: %s\n", obs_size(freed, 4, false, sz, sizeof(sz)));
	api_close(&c);
	return 0;
}
