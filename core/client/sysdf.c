/* sysdf.c - `tug system df [-v] [--format]`: GET /system/df summed up as
 * the docker CLI does (TYPE TOTAL ACTIVE SIZE RECLAIMABLE), or with -v
 * the images, containers, volumes and build cache one by one. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/engine.h"
#include "core/client/obs.h"
#include "core/client/sysdf.h"

static int o_verbose;
static const char *o_format;

static const struct args_opt df_opts[] = {
	{.name = "format",
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Format output using a custom template",
	 .value = &o_format},
	{.name = "verbose",
	 .shortname = 'v',
	 .help = "Show detailed information on space usage",
	 .flag = &o_verbose},
	{0},
};

#define GET cJSON_GetObjectItemCaseSensitive

/* docker's HumanSize (4 digits) and "(NN%)" of the total when there is one. */
static void reclaimable(cJSON *row, int64_t rec, int64_t total, bool pct)
{
	char s[32], out[64];

	obs_size((double)rec, 4, false, s, sizeof(s));
	if (pct && total > 0)
		snprintf(out, sizeof(out), "%s (%lld%%)", s, (long long)(rec * 100 / total));
	else
		snprintf(out, sizeof(out), "%s", s);
	cJSON_AddStringToObject(row, "Reclaimable", out);
	/* after Active, where Go's sorted map keys put it */
	for (const char *const *k = (const char *const[]){"Size", "TotalCount", "Type", NULL}; *k;
	     k++)
		cJSON_AddItemToObject(row, *k, cJSON_DetachItemFromObjectCaseSensitive(row, *k));
}

/* A summary row; keys in the order Go's JSON prints the map. */
static cJSON *row(const char *type, int total, int active, int64_t size)
{
	cJSON *r = cJSON_CreateObject();
	char s[32];

	cJSON_AddStringToObject(r, "Active", (snprintf(s, sizeof(s), "%d", active), s));
	cJSON_AddStringToObject(r, "Size", obs_size((double)size, 4, false, s, sizeof(s)));
	cJSON_AddStringToObject(r, "TotalCount", (snprintf(s, sizeof(s), "%d", total), s));
	cJSON_AddStringToObject(r, "Type", type);
	return r;
}

static cJSON *images_row(const cJSON *du)
{
	const cJSON *i;
	int64_t total = (int64_t)eng_num(du, "LayersSize"), used = 0;
	int n = 0, active = 0;
	cJSON *r;

	cJSON_ArrayForEach(i, GET(du, "Images"))
	{
		n++;
		if (eng_num(i, "Containers") > 0)
			active++;
		/* what containers use is not reclaimable; unknown sizes count as free */
		if (eng_num(i, "Containers") != 0 && eng_num(i, "Size") != -1 &&
		    eng_num(i, "SharedSize") != -1)
			used += (int64_t)(eng_num(i, "Size") - eng_num(i, "SharedSize"));
	}
	r = row("Images", n, active, total);
	reclaimable(r, total - used, total, true);
	return r;
}

static bool ctr_active(const cJSON *c)
{
	const char *st = eng_str(c, "State");

	return strstr(st, "running") || strstr(st, "paused") || strstr(st, "restarting");
}

static cJSON *containers_row(const cJSON *du)
{
	const cJSON *c;
	int64_t size = 0, rec = 0;
	int n = 0, active = 0;
	cJSON *r;

	cJSON_ArrayForEach(c, GET(du, "Containers"))
	{
		n++;
		active += ctr_active(c);
		size += (int64_t)eng_num(c, "SizeRw");
		if (!ctr_active(c))
			rec += (int64_t)eng_num(c, "SizeRw");
	}
	r = row("Containers", n, active, size);
	reclaimable(r, rec, size, true);
	return r;
}

static cJSON *volumes_row(const cJSON *du)
{
	const cJSON *v;
	int64_t size = 0, rec = 0;
	int n = 0, active = 0;
	cJSON *r;

	cJSON_ArrayForEach(v, GET(du, "Volumes"))
	{
		const cJSON *u = GET(v, "UsageData");
		int64_t s = (int64_t)eng_num(u, "Size");

		n++;
		active += eng_num(u, "RefCount") > 0;
		if (s == -1)
			continue;
		size += s;
		if (eng_num(u, "RefCount") == 0)
			rec += s;
	}
	r = row("Local Volumes", n, active, size);
	reclaimable(r, rec, size, true);
	return r;
}

static cJSON *cache_row(const cJSON *du)
{
	const cJSON *b;
	int64_t size = 0, in_use = 0;
	int n = 0, active = 0;
	cJSON *r;

	cJSON_ArrayForEach(b, GET(du, "BuildCache"))
	{
		bool shared = cJSON_IsTrue(GET(b, "Shared")), used = cJSON_IsTrue(GET(b, "InUse"));

		n++;
		active += used;
		if (!shared)
			size += (int64_t)eng_num(b, "Size");
		if (used && !shared)
			in_use += (int64_t)eng_num(b, "Size");
	}
	r = row("Build Cache", n, active, size);
	reclaimable(r, size - in_use, size, false);
	return r;
}

static const char *summary_header = "{\"Type\":\"TYPE\",\"TotalCount\":\"TOTAL\",\"Active\":"
				    "\"ACTIVE\",\"Size\":\"SIZE\",\"Reclaimable\":\"RECLAIMABLE\"}";

static int summary(const cJSON *du, struct err *e)
{
	cJSON *(*rows[])(const cJSON *) = {images_row, containers_row, volumes_row, cache_row};
	cJSON *h = cJSON_Parse(summary_header);
	struct eng_fmt f;

	if (eng_fmt_init(
		    &f, o_format,
		    "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
		    e) < 0) {
		cJSON_Delete(h);
		return -1;
	}
	if (f.table)
		eng_fmt_row(&f, h, e);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cJSON *r = rows[i](du);
		int rc = eng_fmt_row(&f, r, e);

		cJSON_Delete(r);
		if (rc < 0)
			break;
	}
	eng_fmt_flush(&f, stdout);
	cJSON_Delete(h);
	return e->msg[0] ? -1 : 0;
}

int tug_system_df_main(int argc, char **argv)
{
	static const struct args_table t = {"tug system df [OPTIONS]", "Show tug disk usage",
					    ARGS_INTERSPERSED, df_opts};
	struct api_client c;
	struct err e = {0};
	cJSON *du = NULL;
	int rc, n = cli_parse(&t, argc, argv, 0, 0, &rc);

	if (n < 0)
		return rc;
	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	if (api_json(&c, "GET", "/system/df", NULL, &du, &e) < 0) {
		api_close(&c);
		return eng_fail(&e, ENG_EXIT_FAIL);
	}
	rc = (o_verbose ? sysdf_verbose(du, o_format, &e) : summary(du, &e)) < 0
		     ? eng_fail(&e, ENG_EXIT_FAIL)
		     : 0;
	cJSON_Delete(du);
	api_close(&c);
	return rc;
}
