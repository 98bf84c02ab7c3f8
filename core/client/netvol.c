/* netvol.c - `tug network` and `tug volume`: ls, create, inspect, rm,
 * prune (and network connect/disconnect) through the Engine API. */
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/engine.h"

//applet: network tug_network_main "Manage networks"
//applet: volume tug_volume_main "Manage volumes"

static int o_quiet, o_force;
static const char *o_format, *o_driver;
static struct args_list o_label, o_opt;

static const struct args_opt opts[] = {
	{.name = "driver",
	 .shortname = 'd',
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Driver to manage the network or volume",
	 .value = &o_driver},
	{.name = "force",
	 .shortname = 'f',
	 .help = "Do not prompt for confirmation / force",
	 .flag = &o_force},
	{.name = "format",
	 .flags = ARGS_VALUE,
	 .meta = "string",
	 .help = "Format output using a custom template",
	 .value = &o_format},
	{.name = "label",
	 .flags = ARGS_VALUE,
	 .meta = "list",
	 .help = "Set metadata",
	 .list = &o_label},
	{.name = "opt",
	 .shortname = 'o',
	 .flags = ARGS_VALUE,
	 .meta = "map",
	 .help = "Set driver specific options",
	 .list = &o_opt},
	{.name = "quiet", .shortname = 'q', .help = "Only display names or IDs", .flag = &o_quiet},
	{0},
};

static cJSON *kv(const struct args_list *l)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; i < l->n; i++) {
		const char *eq = strchr(l->v[i], '=');
		char k[256];

		snprintf(k, sizeof(k), "%.*s", eq ? (int)(eq - l->v[i]) : (int)strlen(l->v[i]),
			 l->v[i]);
		cJSON_AddStringToObject(o, k, eq ? eq + 1 : "");
	}
	return o;
}

static int ls(struct api_client *c, bool net)
{
	static const char *hdr = "{\"ID\":\"NETWORK ID\",\"Name\":\"NAME\",\"Driver\":\"DRIVER\","
				 "\"Scope\":\"SCOPE\",\"Mountpoint\":\"MOUNTPOINT\"}";
	cJSON *list = NULL, *h = cJSON_Parse(hdr), *vols;
	const cJSON *it;
	struct eng_fmt f;
	struct err e = {0};

	if (!net)
		cJSON_ReplaceItemInObject(h, "Name", cJSON_CreateString("VOLUME NAME"));
	if (api_json(c, "GET", net ? "/networks" : "/volumes", NULL, &list, &e) < 0 ||
	    eng_fmt_init(&f, o_quiet ? (net ? "{{.ID}}" : "{{.Name}}") : o_format,
			 net ? "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"
			     : "table {{.Driver}}\t{{.Name}}",
			 &e) < 0) {
		cJSON_Delete(h);
		cJSON_Delete(list);
		return eng_fail(&e, ENG_EXIT_FAIL);
	}
	if (f.table)
		eng_fmt_row(&f, h, &e);
	vols = net ? list : cJSON_GetObjectItemCaseSensitive(list, "Volumes");
	cJSON_ArrayForEach(it, vols)
	{
		cJSON *row = cJSON_Duplicate(it, true);
		char id[16];

		snprintf(id, sizeof(id), "%.12s", eng_str(it, "Id"));
		cJSON_AddStringToObject(row, "ID", id);
		eng_fmt_row(&f, row, &e);
		cJSON_Delete(row);
	}
	eng_fmt_flush(&f, stdout);
	cJSON_Delete(h);
	cJSON_Delete(list);
	return 0;
}

static int create(struct api_client *c, bool net, const char *name)
{
	cJSON *b = cJSON_CreateObject(), *res = NULL;
	struct err e = {0};
	int rc;

	cJSON_AddStringToObject(b, "Name", name ? name : "");
	if (o_driver || !net)
		cJSON_AddStringToObject(b, "Driver", o_driver ? o_driver : "local");
	cJSON_AddItemToObject(b, net ? "Options" : "DriverOpts", kv(&o_opt));
	cJSON_AddItemToObject(b, "Labels", kv(&o_label));
	rc = api_json(c, "POST", net ? "/networks/create" : "/volumes/create", b, &res, &e);
	if (rc >= 0)
		printf("%s\n", eng_str(res, net ? "Id" : "Name"));
	cJSON_Delete(b);
	cJSON_Delete(res);
	return rc < 0 ? eng_fail(&e, ENG_EXIT_FAIL) : 0;
}

static int rm_one(struct api_client *c, const char *name, void *ctx, struct err *e)
{
	char path[1200];

	snprintf(path, sizeof(path), "/%s/%s%s", ctx ? "networks" : "volumes", eng_q(name),
		 !ctx && o_force ? "?force=1" : "");
	return api_json(c, "DELETE", path, NULL, NULL, e) < 0 ? -1 : 0;
}

static int prune(struct api_client *c, bool net)
{
	cJSON *res = NULL;
	const cJSON *it;
	struct err e = {0};
	char size[32];

	if (api_json(c, "POST", net ? "/networks/prune" : "/volumes/prune", NULL, &res, &e) < 0)
		return eng_fail(&e, ENG_EXIT_FAIL);
	it = cJSON_GetObjectItemCaseSensitive(res, net ? "NetworksDeleted" : "VolumesDeleted");
	if (cJSON_GetArraySize(it))
		printf("Deleted %s:\n", net ? "Networks" : "Volumes");
	cJSON_ArrayForEach(it, it) printf("%s\n", it->valuestring);
	if (!net)
		printf("\nTotal reclaimed space: %s\n",
		       cli_human_size((int64_t)eng_num(res, "SpaceReclaimed"), size, sizeof(size)));
	cJSON_Delete(res);
	return 0;
}

static int connect_net(struct api_client *c, const char *verb, const char *net, const char *ctr)
{
	cJSON *b = cJSON_CreateObject();
	char path[1200];
	struct err e = {0};
	int rc;

	cJSON_AddStringToObject(b, "Container", ctr);
	if (!strcmp(verb, "disconnect"))
		cJSON_AddBoolToObject(b, "Force", o_force);
	snprintf(path, sizeof(path), "/networks/%s/%s", eng_q(net), verb);
	rc = api_json(c, "POST", path, b, NULL, &e);
	cJSON_Delete(b);
	return rc < 0 ? eng_fail(&e, ENG_EXIT_FAIL) : 0;
}

static int dispatch(struct api_client *c, bool net, const char *cmd, int n, char **args)
{
	if ((!strcmp(cmd, "ls") || !strcmp(cmd, "list")) && n == 0)
		return ls(c, net);
	if (!strcmp(cmd, "create") && n <= 1 && (n == 1 || !net))
		return create(c, net, n ? args[0] : NULL);
	if ((!strcmp(cmd, "rm") || !strcmp(cmd, "remove")) && n >= 1)
		return eng_each(c, n, args, rm_one, net ? (void *)c : NULL, true);
	if (!strcmp(cmd, "prune") && n == 0)
		return prune(c, net);
	if (net && (!strcmp(cmd, "connect") || !strcmp(cmd, "disconnect")) && n == 2)
		return connect_net(c, cmd, args[0], args[1]);
	fprintf(stderr, "tug: %s %s: wrong arguments\nSee 'tug %s --help'.\n",
		net ? "network" : "volume", cmd, net ? "network" : "volume");
	return CLI_EXIT_USAGE;
}

static int netvol_main(int argc, char **argv, bool net)
{
	struct args_table t = {net ? "tug network COMMAND (ls create inspect rm prune connect "
				     "disconnect)"
				   : "tug volume COMMAND (ls create inspect rm prune)",
			       net ? "Manage networks" : "Manage volumes", ARGS_INTERSPERSED, opts};
	struct api_client c;
	int rc, n;

	if (argc < 2) {
		args_usage(&t, stderr);
		return CLI_EXIT_USAGE;
	}
	if ((n = cli_parse(&t, argc - 1, argv + 1, 0, 1 << 20, &rc)) < 0)
		return rc;
	if (!strcmp(argv[1], "inspect"))
		return n ? eng_inspect(n, argv + 2, net ? "network" : "volume", o_format)
			 : CLI_EXIT_USAGE;
	if (eng_connect(&c) < 0)
		return ENG_EXIT_FAIL;
	rc = dispatch(&c, net, argv[1], n, argv + 2);
	api_close(&c);
	return rc;
}

int tug_network_main(int argc, char **argv)
{
	return netvol_main(argc, argv, true);
}

int tug_volume_main(int argc, char **argv)
{
	return netvol_main(argc, argv, false);
}
