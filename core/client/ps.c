/* ps.c - `tug ps`: GET /containers/json, each container made a row of
 * docker's preformatted fields for --format (table, {{json .}}). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/engine.h"

//applet: ps tug_ps_main "List containers"

static int o_all, o_quiet, o_latest, o_notrunc, o_size;
static const char *o_last, *o_format;
static struct args_list o_filter;

static const struct args_opt ps_opts[] = {
	{.name = "all", .shortname = 'a', .help = "Show all containers", .flag = &o_all},
	{.name = "filter",
	 .shortname = 'f',
	 .flags = ARGS_VALUE,
	 .meta = "filter",
	 .help = "Filter output based on conditions provided",
	 .list = &o_filter},
	{.name = "format",
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Format output using a custom template",
	 .value = &o_format},
	{.name = "last",
	 .shortname = 'n',
	 .flags = ARGS_VALUE,
	 .meta = "int",
	 .help = "Show n last created containers",
	 .value = &o_last},
	{.name = "latest",
	 .shortname = 'l',
	 .help = "Show the latest created container",
	 .flag = &o_latest},
	{.name = "no-trunc", .help = "Don't truncate output", .flag = &o_notrunc},
	{.name = "quiet", .shortname = 'q', .help = "Only display container IDs", .flag = &o_quiet},
	{.name = "size", .shortname = 's', .help = "Display total file sizes", .flag = &o_size},
	{0},
};

/* "0.0.0.0:18080->80/tcp, 80/tcp" */
static void ports(const cJSON *c, struct tmpl_buf *b)
{
	const cJSON *p;

	tmpl_buf_add(b, "", 0);
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(c, "Ports"))
	{
		char one[200];

		bool v6 = strchr(eng_str(p, "IP"), ':') != NULL;

		if (eng_num(p, "PublicPort"))
			snprintf(one, sizeof(one), "%s%s%s%s:%d->%d/%s", b->n ? ", " : "",
				 v6 ? "[" : "", eng_str(p, "IP"), v6 ? "]" : "",
				 (int)eng_num(p, "PublicPort"), (int)eng_num(p, "PrivatePort"),
				 eng_str(p, "Type"));
		else
			snprintf(one, sizeof(one), "%s%d/%s", b->n ? ", " : "",
				 (int)eng_num(p, "PrivatePort"), eng_str(p, "Type"));
		tmpl_buf_add(b, one, strlen(one));
	}
}

static void joined(const cJSON *arr, const char *key, bool strip_slash, struct tmpl_buf *b)
{
	const cJSON *it;

	tmpl_buf_add(b, "", 0);
	cJSON_ArrayForEach(it, arr)
	{
		const char *s = key ? eng_str(it, key) : cJSON_IsString(it) ? it->valuestring : "";

		if (strip_slash && *s == '/')
			s++;
		if (b->n)
			tmpl_buf_add(b, ",", 1);
		tmpl_buf_add(b, s, strlen(s));
	}
}

static void add_buf(cJSON *row, const char *key, struct tmpl_buf *b)
{
	cJSON_AddStringToObject(row, key, b->s ? b->s : "");
	free(b->s);
	memset(b, 0, sizeof(*b));
}

static void command(const cJSON *c, cJSON *row)
{
	const char *cmd = eng_str(c, "Command");
	char buf[4096];

	/* docker quotes it and cuts at 20 columns with "…" */
	if (!o_notrunc && strlen(cmd) > 20)
		snprintf(buf, sizeof(buf), "\"%.19s…\"", cmd);
	else
		snprintf(buf, sizeof(buf), "\"%s\"", cmd);
	cJSON_AddStringToObject(row, "Command", buf);
}

static cJSON *row_of(const cJSON *c)
{
	cJSON *row = cJSON_CreateObject();
	struct tmpl_buf b = {0};
	char id[80], t1[64], t2[96], size[200];
	int64_t created = (int64_t)eng_num(c, "Created");
	const cJSON *lab, *labels = cJSON_GetObjectItemCaseSensitive(c, "Labels");

	snprintf(id, sizeof(id), "%s", eng_str(c, "Id"));
	if (!o_notrunc)
		id[12] = '\0';
	command(c, row);
	cJSON_AddStringToObject(row, "CreatedAt", eng_created_at(created, t1, sizeof(t1)));
	cJSON_AddStringToObject(row, "ID", id);
	cJSON_AddStringToObject(row, "Image", eng_str(c, "Image"));
	cJSON_ArrayForEach(lab, labels)
	{
		tmpl_buf_add(&b, b.n ? "," : "", b.n ? 1 : 0);
		tmpl_buf_add(&b, lab->string, strlen(lab->string));
		tmpl_buf_add(&b, "=", 1);
		tmpl_buf_add(&b, lab->valuestring, strlen(lab->valuestring));
	}
	add_buf(row, "Labels", &b);
	joined(cJSON_GetObjectItemCaseSensitive(c, "Mounts"), "Name", false, &b);
	add_buf(row, "Mounts", &b);
	joined(cJSON_GetObjectItemCaseSensitive(c, "Names"), NULL, true, &b);
	add_buf(row, "Names", &b);
	ports(c, &b);
	add_buf(row, "Ports", &b);
	snprintf(t2, sizeof(t2), "%s ago",
		 eng_human_duration((int64_t)time(NULL) - created, t1, sizeof(t1)));
	cJSON_AddStringToObject(row, "RunningFor", t2);
	cli_human_size((int64_t)eng_num(c, "SizeRw"), t1, sizeof(t1));
	cli_human_size((int64_t)eng_num(c, "SizeRootFs"), t2, sizeof(t2));
	snprintf(size, sizeof(size), "%s (virtual %s)", t1, t2);
	cJSON_AddStringToObject(row, "Size", size);
	cJSON_AddStringToObject(row, "State", eng_str(c, "State"));
	cJSON_AddStringToObject(row, "Status", eng_str(c, "Status"));
	return row;
}

/* -f key=value into the API's filters JSON: {"key":["value",...]}. */
static void query(char *path, size_t size)
{
	cJSON *f = cJSON_CreateObject();
	char *js;

	snprintf(path, size, "/containers/json?");
	if (o_all || o_latest || o_last)
		snprintf(path + strlen(path), size - strlen(path), "all=1&");
	if (o_latest || o_last)
		snprintf(path + strlen(path), size - strlen(path), "limit=%s&",
			 o_latest ? "1" : o_last);
	if (o_size)
		snprintf(path + strlen(path), size - strlen(path), "size=1&");
	for (size_t i = 0; i < o_filter.n; i++) {
		const char *eq = strchr(o_filter.v[i], '=');
		char key[128];
		cJSON *arr;

		snprintf(key, sizeof(key), "%.*s",
			 eq ? (int)(eq - o_filter.v[i]) : (int)strlen(o_filter.v[i]),
			 o_filter.v[i]);
		if (!(arr = cJSON_GetObjectItemCaseSensitive(f, key)))
			cJSON_AddItemToObject(f, key, arr = cJSON_CreateArray());
		cJSON_AddItemToArray(arr, cJSON_CreateString(eq ? eq + 1 : ""));
	}
	if (f->child && (js = cJSON_PrintUnformatted(f))) {
		snprintf(path + strlen(path), size - strlen(path), "filters=%s", eng_q(js));
		free(js);
	}
	path[strlen(path) - (path[strlen(path) - 1] == '&' || path[strlen(path) - 1] == '?')] =
		'\0';
	cJSON_Delete(f);
}

static const char *header =
	"{\"ID\":\"CONTAINER ID\",\"Image\":\"IMAGE\",\"Command\":\"COMMAND\",\"CreatedAt\":"
	"\"CREATED AT\",\"RunningFor\":\"CREATED\",\"Status\":\"STATUS\",\"Ports\":\"PORTS\","
	"\"Names\":\"NAMES\",\"Labels\":\"LABELS\",\"Mounts\":\"MOUNTS\",\"Size\":\"SIZE\","
	"\"State\":\"STATE\",\"Networks\":\"NETWORKS\",\"LocalVolumes\":\"LOCAL VOLUMES\"}";

int tug_ps_main(int argc, char **argv)
{
	static const struct args_table t = {"tug ps [OPTIONS]", "List containers",
					    ARGS_INTERSPERSED, ps_opts};
	struct api_client c;
	struct eng_fmt f;
	struct err e = {0};
	char path[4096];
	cJSON *list = NULL, *h = cJSON_Parse(header);
	const cJSON *it;
	int rc, n = cli_parse(&t, argc, argv, 0, 0, &rc);

	if (n < 0)
		return rc;
	query(path, sizeof(path));
	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	rc = api_json(&c, "GET", path, NULL, &list, &e) < 0 ||
	     eng_fmt_init(&f, o_quiet ? "{{.ID}}" : o_format,
			  o_size ? "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t"
				   "{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}"
				 : "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t"
				   "{{.Status}}\t{{.Ports}}\t{{.Names}}",
			  &e) < 0;
	if (!rc) {
		if (f.table)
			eng_fmt_row(&f, h, &e);
		cJSON_ArrayForEach(it, list)
		{
			cJSON *row = row_of(it);

			eng_fmt_row(&f, row, &e);
			cJSON_Delete(row);
		}
		eng_fmt_flush(&f, stdout);
	}
	cJSON_Delete(list);
	cJSON_Delete(h);
	api_close(&c);
	return rc ? eng_fail(&e, ENG_EXIT_FAIL) : 0;
}
