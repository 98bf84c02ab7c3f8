/* inspect.c - `tug inspect`: containers, images, volumes and networks by
 * name or id (tried in that order unless --type), printed as docker does:
 * a JSON array indented by 4, or one -f template result per object. */
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/engine.h"

//applet: inspect tug_inspect_main "Return low-level information on Docker objects"

static const char *o_format, *o_type;
static int o_size;

static const struct args_opt inspect_opts[] = {
	{.name = "format",
	 .shortname = 'f',
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Format output using a custom template",
	 .value = &o_format},
	{.name = "size",
	 .shortname = 's',
	 .help = "Display total file sizes if the type is container",
	 .flag = &o_size},
	{.name = "type",
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Only inspect objects of the given type",
	 .value = &o_type},
	{0},
};

static const struct {
	const char *type, *fmt;
} kinds[] = {{"container", "/containers/%s/json"},
	     {"image", "/images/%s/json"},
	     {"volume", "/volumes/%s"},
	     {"network", "/networks/%s"}};

static int find(struct api_client *c, const char *name, const char *type, cJSON **out)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char path[1200];
		struct err e = {0};

		if (type && strcmp(type, kinds[i].type))
			continue;
		snprintf(path, sizeof(path), kinds[i].fmt, eng_q(name));
		if (o_size && i == 0)
			strcat(path, "?size=1");
		if (api_json(c, "GET", path, NULL, out, &e) >= 0)
			return 0;
		if (!strcasestr(e.msg, "no such") && !strstr(e.msg, "not found")) {
			fprintf(stderr, "%s\n", e.msg);
			return -1;
		}
	}
	fprintf(stderr, "Error: No such %s: %s\n", type ? type : "object", name);
	return -1;
}

/* Used by `tug <type> inspect` too (type fixed). */
int eng_inspect(int n, char **names, const char *type, const char *format)
{
	struct api_client c;
	struct tmpl *t = NULL;
	struct err e = {0};
	cJSON *all = cJSON_CreateArray();
	int rc = 0;

	if (format && *format && tmpl_parse(format, &t, &e) < 0) {
		cJSON_Delete(all);
		return eng_fail(&e, ENG_EXIT_FAIL);
	}
	if (eng_connect(&c) < 0) {
		tmpl_free(t);
		cJSON_Delete(all);
		return ENG_EXIT_FAIL;
	}
	for (int i = 0; i < n; i++) {
		cJSON *obj = NULL;
		struct tmpl_buf b = {0};

		if (find(&c, names[i], type, &obj) < 0) {
			rc = ENG_EXIT_FAIL;
			continue;
		}
		if (!t) {
			cJSON_AddItemToArray(all, obj);
			continue;
		}
		if (tmpl_exec(t, obj, &b, &e) < 0)
			rc = eng_fail(&e, ENG_EXIT_FAIL);
		else
			printf("%s\n", b.s);
		free(b.s);
		cJSON_Delete(obj);
	}
	if (!t)
		eng_print_json(all, stdout);
	cJSON_Delete(all);
	tmpl_free(t);
	api_close(&c);
	return rc;
}

int tug_inspect_main(int argc, char **argv)
{
	static const struct args_table t = {"tug inspect [OPTIONS] NAME|ID [NAME|ID...]",
					    "Return low-level information on Docker objects",
					    ARGS_INTERSPERSED, inspect_opts};
	int rc, n = cli_parse(&t, argc, argv, 1, 1 << 20, &rc);

	if (n < 0)
		return rc;
	return eng_inspect(n, argv + 1, o_type, o_format);
}
