/* image.c - `tug image <cmd>` (inspect, prune, and the docker aliases ls,
 * rm, tag, pull) and `tug system check`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "applets.h"
#include "core/applet.h"
#include "core/client/cli.h"
#include "json.h"
#include "registry/ref.h"
#include "timefmt.h"

//applet: image tug_image_main "Manage images"
//applet: system tug_system_main "Manage tug: check the store, dial-stdio"

/* Without the registry client there is no pull to alias. */
int tug_pull_main(int argc, char **argv) __attribute__((weak));
/* `tug system dial-stdio` (core/client/dialstdio.c, with the client). */
int tug_dial_stdio_main(int argc, char **argv) __attribute__((weak));

struct tags {
	const char *id;
	cJSON *tags, *digests;
};

static int add_tag(const char *name, const char *id, void *arg)
{
	struct tags *t = arg;
	struct reg_ref ref;
	struct err e;
	char fam[512];

	if (strcmp(id, t->id) || reg_ref_parse(&ref, name, &e) < 0 || !ref.tag[0] || ref.digest[0])
		return 0;
	cJSON_AddItemToArray(t->tags, cJSON_CreateString(reg_ref_familiar(&ref, fam, sizeof(fam))));
	return 0;
}

/* docker image inspect's shape, from the record and the config blob. */
static cJSON *inspect_one(struct oci_store *s, const char *id, struct err *e)
{
	struct oci_image_rec *rec = calloc(1, sizeof(*rec));
	cJSON *o = NULL, *cfg = NULL, *rootfs, *layers, *v;
	char *text = NULL, when[40];
	size_t len;
	struct tags t = {id, NULL, NULL};

	if (!rec || oci_store_image_get(s, id, rec, e) < 0 ||
	    oci_store_blob_read(s, id, 16 << 20, &text, &len, e) < 0 ||
	    json_parse(text, len, &cfg, e) < 0)
		goto out;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "Id", id);
	t.tags = cJSON_AddArrayToObject(o, "RepoTags");
	oci_store_ref_each(s, add_tag, &t, e);
	t.digests = cJSON_AddArrayToObject(o, "RepoDigests");
	for (size_t i = 0; i < rec->nrepo_digests; i++) {
		struct reg_ref ref;
		char fam[600];

		if (reg_ref_parse(&ref, rec->repo_digests[i], e) == 0 &&
		    reg_ref_familiar_name(&ref, fam, sizeof(fam)))
			snprintf(fam + strlen(fam), sizeof(fam) - strlen(fam), "@%s", ref.digest);
		else
			snprintf(fam, sizeof(fam), "%s", rec->repo_digests[i]);
		cJSON_AddItemToArray(t.digests, cJSON_CreateString(fam));
	}
	cJSON_AddStringToObject(o, "Parent", "");
	v = cJSON_GetObjectItemCaseSensitive(cfg, "comment");
	cJSON_AddStringToObject(o, "Comment", cJSON_IsString(v) ? v->valuestring : "");
	v = cJSON_GetObjectItemCaseSensitive(cfg, "created");
	cJSON_AddStringToObject(o, "Created", cJSON_IsString(v) ? v->valuestring : "");
	v = cJSON_GetObjectItemCaseSensitive(cfg, "docker_version");
	cJSON_AddStringToObject(o, "DockerVersion", cJSON_IsString(v) ? v->valuestring : "");
	v = cJSON_GetObjectItemCaseSensitive(cfg, "author");
	cJSON_AddStringToObject(o, "Author", cJSON_IsString(v) ? v->valuestring : "");
	v = cJSON_DetachItemFromObjectCaseSensitive(cfg, "config");
	cJSON_AddItemToObject(o, "Config", v ? v : cJSON_CreateObject());
	v = cJSON_GetObjectItemCaseSensitive(cfg, "architecture");
	cJSON_AddStringToObject(o, "Architecture", cJSON_IsString(v) ? v->valuestring : "");
	if ((v = cJSON_GetObjectItemCaseSensitive(cfg, "variant")) && cJSON_IsString(v))
		cJSON_AddStringToObject(o, "Variant", v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(cfg, "os");
	cJSON_AddStringToObject(o, "Os", cJSON_IsString(v) ? v->valuestring : "");
	json_add_u64(o, "Size", (uint64_t)rec->size);
	v = cJSON_AddObjectToObject(o, "GraphDriver");
	cJSON_AddStringToObject(v, "Name", "overlay2");
	cJSON_AddObjectToObject(v, "Data");
	rootfs = cJSON_AddObjectToObject(o, "RootFS");
	cJSON_AddStringToObject(rootfs, "Type", "layers");
	layers = cJSON_AddArrayToObject(rootfs, "Layers");
	for (size_t i = 0; i < rec->nlayers; i++)
		cJSON_AddItemToArray(layers, cJSON_CreateString(rec->diff[i]));
	v = cJSON_AddObjectToObject(o, "Metadata");
	{
		struct timespec ts = {rec->created, 0};

		timefmt_rfc3339(when, sizeof(when), &ts, 0);
		cJSON_AddStringToObject(v, "LastTagTime", when);
	}
out:
	cJSON_Delete(cfg);
	free(text);
	free(rec);
	return o;
}

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
		    !(one = inspect_one(&s, id, &e))) {
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

struct prune {
	struct oci_store *s;
	size_t n;
	char (*ids)[DIGEST_STR_MAX];
};

/* docker's dangling: an image without a tag (a name@digest is no tag). */
static int has_tag(const char *name, const char *id, void *arg)
{
	return !strcmp(id, (const char *)arg) && !strchr(name, '@') ? 1 : 0;
}

/* "untagged: busybox:latest" for each name of the image (arg: its id). */
static int say_untagged(const char *name, const char *id, void *arg)
{
	struct reg_ref ref;
	struct err e;
	char fam[512];

	if (!strcmp(id, (const char *)arg) && reg_ref_parse(&ref, name, &e) == 0)
		printf("untagged: %s\n", reg_ref_familiar(&ref, fam, sizeof(fam)));
	return 0;
}

/* Collect first: the store is not changed while it is walked. */
static int prune_pick(const struct oci_image_rec *rec, void *arg)
{
	struct prune *p = arg;
	struct err e;
	void *grown;

	if (!prune_all && oci_store_ref_each(p->s, has_tag, (void *)rec->id, &e) != 0)
		return 0;
	if (!(grown = realloc(p->ids, (p->n + 1) * sizeof(*p->ids))))
		return 1;
	p->ids = grown;
	strcpy(p->ids[p->n++], rec->id);
	return 0;
}

static int prune_images(struct oci_store *s, uint64_t *freed, struct err *e)
{
	struct prune p = {s, 0, NULL};
	int r = 0;

	if (oci_store_image_each(s, prune_pick, &p, e) < 0)
		return -1;
	/* -a: the names go with the image (image_remove drops them first) */
	for (size_t i = 0; i < p.n && r == 0; i++)
		if ((r = oci_store_ref_each(s, say_untagged, p.ids[i], e)) == 0 &&
		    (r = oci_store_image_remove(s, p.ids[i], freed, e)) == 0)
			printf("deleted: %s\n", p.ids[i]);
	free(p.ids);
	{
		uint64_t more = 0;

		if (r < 0 || oci_store_gc(s, &more, e) < 0)
			return -1;
		*freed += more;
	}
	return 0;
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

int tug_system_main(int argc, char **argv)
{
	struct oci_store s;
	struct err e = {0};
	int lines = 0, problems;

	if (argc >= 2 && !strcmp(argv[1], "dial-stdio") && tug_dial_stdio_main)
		return tug_dial_stdio_main(argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "check")) {
		fprintf(stderr, "Usage:  tug system check|dial-stdio\n\ncheck: verify every blob, "
				"layer, image and name of the store\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : CLI_EXIT_USAGE;
	}
	if (cli_store_open(&s, OCI_STORE_SHARED, &e) < 0)
		return cli_fail("system check", &e);
	problems = oci_store_check(&s, report, &lines, &e);
	oci_store_close(&s);
	if (problems < 0)
		return cli_fail("system check", &e);
	if (problems) {
		fprintf(stderr, "tug: system check: %d problem%s in %s\n", problems,
			problems == 1 ? "" : "s", s.root);
		return CLI_EXIT_FAIL;
	}
	printf("ok: %s is consistent\n", s.root);
	return 0;
}
