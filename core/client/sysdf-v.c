/* sysdf-v.c - `tug system df -v`: each image, container, volume and build
 * cache record as the docker CLI's verbose tables show them. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/client/engine.h"
#include "core/client/obs.h"
#include "core/client/sysdf.h"

#define GET cJSON_GetObjectItemCaseSensitive

static void add_num(cJSON *r, const char *key, long long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", v);
	cJSON_AddStringToObject(r, key, s);
}

static void add_size(cJSON *r, const char *key, double v, int prec)
{
	char s[32];

	cJSON_AddStringToObject(r, key, obs_size(v, prec, false, s, sizeof(s)));
}

static void add_ago(cJSON *r, const char *key, int64_t t)
{
	char d[64], s[80];

	snprintf(s, sizeof(s), "%s ago", eng_human_duration((int64_t)time(NULL) - t, d, sizeof(d)));
	cJSON_AddStringToObject(r, key, s);
}

/* stringid.TruncateID: after any "algo:", 12 characters. */
static void add_id(cJSON *r, const char *key, const char *id, bool trunc)
{
	char s[80];
	const char *colon = strchr(id, ':');

	snprintf(s, sizeof(s), "%s", trunc && colon ? colon + 1 : id);
	if (trunc)
		s[12 < strlen(s) ? 12 : strlen(s)] = '\0';
	cJSON_AddStringToObject(r, key, s);
}

static cJSON *image(const cJSON *i, bool trunc)
{
	cJSON *r = cJSON_CreateObject();
	const cJSON *tags = GET(i, "RepoTags");
	const char *tag0 = cJSON_IsString(cJSON_GetArrayItem(tags, 0))
				   ? cJSON_GetArrayItem(tags, 0)->valuestring
				   : "<none>:<none>";
	const char *colon = strrchr(tag0, ':');
	double size = eng_num(i, "Size"), shared = eng_num(i, "SharedSize");
	char repo[512] = "<none>", tag[256] = "<none>";

	/* the first tag only; a dangling image has none */
	if (strcmp(tag0, "<none>:<none>") && colon && !strchr(colon, '/')) {
		snprintf(repo, sizeof(repo), "%.*s", (int)(colon - tag0), tag0);
		snprintf(tag, sizeof(tag), "%s", colon + 1);
	}
	cJSON_AddStringToObject(r, "Repository", repo);
	cJSON_AddStringToObject(r, "Tag", tag);
	add_id(r, "ID", eng_str(i, "Id"), trunc);
	add_ago(r, "CreatedSince", (int64_t)eng_num(i, "Created"));
	add_size(r, "Size", size, 3);
	if (shared == -1)
		cJSON_AddStringToObject(r, "SharedSize", "N/A");
	else
		add_size(r, "SharedSize", shared, 4);
	if (size == -1 || shared == -1)
		cJSON_AddStringToObject(r, "UniqueSize", "N/A");
	else
		add_size(r, "UniqueSize", size - shared, 4);
	if (eng_num(i, "Containers") == -1)
		cJSON_AddStringToObject(r, "Containers", "N/A");
	else
		add_num(r, "Containers", (long long)eng_num(i, "Containers"));
	return r;
}

/* docker's ContainerContext.Image: an image given by id shortened, a
 * digest dropped when truncating. */
static void image_name(cJSON *r, const char *img, const char *image_id, bool trunc)
{
	char a[80], b[80];
	const char *at = strchr(img, '@');

	if (!*img) {
		cJSON_AddStringToObject(r, "Image", "<no image>");
		return;
	}
	if (trunc) {
		cJSON *t = cJSON_CreateObject();

		add_id(t, "a", img, true);
		add_id(t, "b", image_id, true);
		snprintf(a, sizeof(a), "%s", eng_str(t, "a"));
		snprintf(b, sizeof(b), "%s", eng_str(t, "b"));
		cJSON_Delete(t);
		if (!strcmp(a, b)) {
			cJSON_AddStringToObject(r, "Image", a);
			return;
		}
		if (at) {
			char n[512];

			snprintf(n, sizeof(n), "%.*s", (int)(at - img), img);
			cJSON_AddStringToObject(r, "Image", n);
			return;
		}
	}
	cJSON_AddStringToObject(r, "Image", img);
}

/* Names without their slash; truncated: links (names with a slash) left out. */
static void names(cJSON *r, const cJSON *arr, bool trunc)
{
	struct tmpl_buf b = {0};
	const cJSON *n;

	tmpl_buf_add(&b, "", 0);
	cJSON_ArrayForEach(n, arr)
	{
		const char *s = cJSON_IsString(n) ? n->valuestring : "";

		s += *s == '/';
		if (trunc && strchr(s, '/'))
			continue;
		if (b.n)
			tmpl_buf_add(&b, ",", 1);
		tmpl_buf_add(&b, s, strlen(s));
	}
	cJSON_AddStringToObject(r, "Names", b.s);
	free(b.s);
}

static cJSON *container(const cJSON *c, bool trunc)
{
	cJSON *r = cJSON_CreateObject();
	const char *cmd = eng_str(c, "Command"), *img = eng_str(c, "Image");
	const cJSON *m;
	char buf[4096];

	int local = 0;

	add_id(r, "ID", eng_str(c, "Id"), trunc);
	image_name(r, img, eng_str(c, "ImageID"), trunc);
	/* docker cuts the command at 20 columns with "…" */
	if (trunc && strlen(cmd) > 20)
		snprintf(buf, sizeof(buf), "\"%.19s…\"", cmd);
	else
		snprintf(buf, sizeof(buf), "\"%s\"", cmd);
	cJSON_AddStringToObject(r, "Command", buf);
	cJSON_ArrayForEach(m, GET(c, "Mounts")) local += !strcmp(eng_str(m, "Driver"), "local");
	add_num(r, "LocalVolumes", local);
	/* the virtual size is not shown here */
	add_size(r, "Size", eng_num(c, "SizeRw"), 3);
	add_ago(r, "RunningFor", (int64_t)eng_num(c, "Created"));
	cJSON_AddStringToObject(r, "Status", eng_str(c, "Status"));
	names(r, GET(c, "Names"), trunc);
	return r;
}

static cJSON *volume(const cJSON *v)
{
	cJSON *r = cJSON_CreateObject();
	const cJSON *u = GET(v, "UsageData");

	cJSON_AddStringToObject(r, "Name", eng_str(v, "Name"));
	if (!cJSON_IsObject(u)) {
		cJSON_AddStringToObject(r, "Links", "N/A");
		cJSON_AddStringToObject(r, "Size", "N/A");
	} else {
		add_num(r, "Links", (long long)eng_num(u, "RefCount"));
		add_size(r, "Size", eng_num(u, "Size"), 4);
	}
	return r;
}

static cJSON *cache(const cJSON *b, bool trunc)
{
	cJSON *r = cJSON_CreateObject();
	char s[32];

	add_id(r, "ID", eng_str(b, "ID"), trunc);
	cJSON_AddStringToObject(r, "CacheType", eng_str(b, "Type"));
	add_size(r, "Size", eng_num(b, "Size"), 4);
	add_ago(r, "CreatedSince", eng_parse_time(GET(b, "CreatedAt")));
	add_ago(r, "LastUsedSince", eng_parse_time(GET(b, "LastUsedAt")));
	add_num(r, "UsageCount", (long long)eng_num(b, "UsageCount"));
	snprintf(s, sizeof(s), "%s", cJSON_IsTrue(GET(b, "Shared")) ? "true" : "false");
	cJSON_AddStringToObject(r, "Shared", s);
	return r;
}

static const struct section {
	const char *key, *title, *format, *header;
	cJSON *(*row)(const cJSON *it, bool trunc);
} sections[] = {
	{"Images", "Images space usage:\n\n",
	 "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}"
	 "\t{{.UniqueSize}}\t{{.Containers}}",
	 "{\"Repository\":\"REPOSITORY\",\"Tag\":\"TAG\",\"ID\":\"IMAGE ID\",\"CreatedSince\":"
	 "\"CREATED\",\"Size\":\"SIZE\",\"SharedSize\":\"SHARED SIZE\",\"UniqueSize\":\"UNIQUE "
	 "SIZE\",\"Containers\":\"CONTAINERS\"}",
	 image},
	{"Containers", "\nContainers space usage:\n\n",
	 "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}"
	 "\t{{.Status}}\t{{.Names}}",
	 "{\"ID\":\"CONTAINER ID\",\"Image\":\"IMAGE\",\"Command\":\"COMMAND\",\"LocalVolumes\":"
	 "\"LOCAL VOLUMES\",\"Size\":\"SIZE\",\"RunningFor\":\"CREATED\",\"Status\":\"STATUS\","
	 "\"Names\":\"NAMES\"}",
	 container},
	{"Volumes", "\nLocal Volumes space usage:\n\n", "table {{.Name}}\t{{.Links}}\t{{.Size}}",
	 "{\"Name\":\"VOLUME NAME\",\"Links\":\"LINKS\",\"Size\":\"SIZE\"}", NULL},
	{"BuildCache", NULL,
	 "table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t"
	 "{{.UsageCount}}\t{{.Shared}}",
	 "{\"ID\":\"CACHE ID\",\"CacheType\":\"CACHE TYPE\",\"Size\":\"SIZE\",\"CreatedSince\":"
	 "\"CREATED\",\"LastUsedSince\":\"LAST USED\",\"UsageCount\":\"USAGE\",\"Shared\":"
	 "\"SHARED\"}",
	 cache},
};

static cJSON *one(const struct section *s, const cJSON *it, bool trunc)
{
	return s->row ? s->row(it, trunc) : volume(it);
}

static int table(const cJSON *du, const struct section *s, struct err *e)
{
	cJSON *h = cJSON_Parse(s->header);
	const cJSON *it;
	struct eng_fmt f;

	if (eng_fmt_init(&f, s->format, NULL, e) < 0) {
		cJSON_Delete(h);
		return -1;
	}
	eng_fmt_row(&f, h, e);
	cJSON_ArrayForEach(it, GET(du, s->key))
	{
		cJSON *r = one(s, it, true);

		eng_fmt_row(&f, r, e);
		cJSON_Delete(r);
	}
	fflush(stdout);
	eng_fmt_flush(&f, stdout);
	cJSON_Delete(h);
	return 0;
}

/* The build cache's size: what is not shared. */
static int64_t cache_size(const cJSON *du)
{
	const cJSON *b;
	int64_t n = 0;

	cJSON_ArrayForEach(b, GET(du, "BuildCache"))
	{
		if (!cJSON_IsTrue(GET(b, "Shared")))
			n += (int64_t)eng_num(b, "Size");
	}
	return n;
}

int sysdf_verbose(const cJSON *du, const char *format, struct err *e)
{
	cJSON *all;
	struct tmpl *tp = NULL;
	struct tmpl_buf b = {0};
	char sz[32];
	int table_ = 0, rc;
	char *text;

	if (!format || !*format || !strcmp(format, "table")) {
		for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
			if (sections[i].title)
				fputs(sections[i].title, stdout);
			else
				printf("\nBuild cache usage: %s\n\n",
				       obs_size((double)cache_size(du), 4, false, sz, sizeof(sz)));
			if (table(du, &sections[i], e) < 0)
				return -1;
		}
		return 0;
	}
	/* a template runs once over all four lists */
	all = cJSON_CreateObject();
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		cJSON *arr = cJSON_AddArrayToObject(all, sections[i].key);
		const cJSON *it;

		cJSON_ArrayForEach(it, GET(du, sections[i].key))
			cJSON_AddItemToArray(arr, one(&sections[i], it, false));
	}
	text = tmpl_docker_format(!strcmp(format, "json") ? "{{json .}}" : format, &table_);
	rc = tmpl_parse(text, &tp, e) < 0 || tmpl_exec(tp, all, &b, e) < 0 ? -1 : 0;
	if (!rc) /* as docker: no newline of its own */
		fputs(b.s ? b.s : "", stdout);
	free(text);
	free(b.s);
	tmpl_free(tp);
	cJSON_Delete(all);
	return rc;
}
