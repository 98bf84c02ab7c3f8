/* top.c - `tug top CONTAINER [ps OPTIONS]`: GET /containers/{id}/top,
 * printed as the docker CLI does (tabwriter, minimum width 20). */
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/engine.h"

//applet: top tug_top_main "Display the running processes of a container"

static const struct args_opt top_opts[] = {{0}};

/* The cells of one JSON array of strings, tab-separated, and a newline. */
static void add_row(const cJSON *arr, struct tmpl_buf *b)
{
	const cJSON *it;
	bool first = true;

	cJSON_ArrayForEach(it, arr)
	{
		const char *s = cJSON_IsString(it) ? it->valuestring : "";

		if (!first)
			tmpl_buf_add(b, "\t", 1);
		tmpl_buf_add(b, s, strlen(s));
		first = false;
	}
	tmpl_buf_add(b, "\n", 1);
}

int tug_top_main(int argc, char **argv)
{
	static const struct args_table t = {"tug top CONTAINER [ps OPTIONS]",
					    "Display the running processes of a container", 0,
					    top_opts};
	struct api_client c;
	struct err e = {0};
	struct tmpl_buf args = {0}, b = {0};
	char path[4096];
	cJSON *top = NULL;
	const cJSON *p;
	int rc, n = cli_parse(&t, argc, argv, 1, 1 << 20, &rc);

	if (n < 0)
		return rc;
	/* the ps options go as one string, as the docker CLI joins them */
	for (int i = 2; i <= n; i++) {
		tmpl_buf_add(&args, i > 2 ? " " : "", i > 2);
		tmpl_buf_add(&args, argv[i], strlen(argv[i]));
	}
	snprintf(path, sizeof(path), "/containers/%s/top%s%s", eng_q(argv[1]),
		 args.n ? "?ps_args=" : "", args.n ? eng_q(args.s) : "");
	free(args.s);
	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	if (api_json(&c, "GET", path, NULL, &top, &e) < 0) {
		api_close(&c);
		return eng_fail(&e, ENG_EXIT_FAIL);
	}
	add_row(cJSON_GetObjectItemCaseSensitive(top, "Titles"), &b);
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(top, "Processes")) add_row(p, &b);
	eng_tabwrite_min(b.s, 20, stdout);
	free(b.s);
	cJSON_Delete(top);
	api_close(&c);
	return 0;
}
