/* image-json.c - an image as the Engine API shows it: the inspect object
 * (docker image inspect) and the list row (GET /images/json), with the
 * filters dockerd applies to the list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "oci/image-info.h"
#include "registry/ref.h"
#include "timefmt.h"

static bool has_string(const cJSON *arr, const char *s)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, arr) if (cJSON_IsString(v) && !strcmp(v->valuestring, s)) return true;
	return false;
}

static void add_unique(cJSON *arr, const char *s)
{
	if (!has_string(arr, s))
		cJSON_AddItemToArray(arr, cJSON_CreateString(s));
}

static bool any_match(const struct oci_image_filter *f, const char *name)
{
	if (!f || !f->refs)
		return true;
	for (size_t i = 0; f->refs[i]; i++)
		if (oci_image_ref_match(f->refs[i], name))
			return true;
	return false;
}

/* RepoTags and RepoDigests: the names in refs.json, then the record's
 * repository digests (where it was pulled from or pushed to). */
static void add_names(const struct oci_image_rec *rec, const struct oci_image_refs *refs,
		      const struct oci_image_filter *f, cJSON *tags, cJSON *digests)
{
	char fam[REG_REF_STR_MAX];

	for (size_t i = 0; i < refs->n; i++) {
		if (strcmp(refs->v[i].id, rec->id) || !any_match(f, refs->v[i].name))
			continue;
		oci_image_familiar(refs->v[i].name, fam, sizeof(fam));
		add_unique(strchr(refs->v[i].name, '@') ? digests : tags, fam);
	}
	for (size_t i = 0; i < rec->nrepo_digests; i++)
		if (any_match(f, rec->repo_digests[i]))
			add_unique(digests,
				   oci_image_familiar(rec->repo_digests[i], fam, sizeof(fam)));
}

static void add_cfg_string(cJSON *o, const char *key, const cJSON *cfg, const char *ckey)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, ckey);

	cJSON_AddStringToObject(o, key, cJSON_IsString(v) ? v->valuestring : "");
}

static void add_platform(cJSON *o, const struct oci_image_rec *rec, cJSON *cfg)
{
	cJSON *v, *g, *rootfs, *layers;

	add_cfg_string(o, "Architecture", cfg, "architecture");
	if ((v = cJSON_GetObjectItemCaseSensitive(cfg, "variant")) && cJSON_IsString(v))
		cJSON_AddStringToObject(o, "Variant", v->valuestring);
	add_cfg_string(o, "Os", cfg, "os");
	json_add_u64(o, "Size", (uint64_t)rec->size);
	json_add_u64(o, "VirtualSize", (uint64_t)rec->size);
	g = cJSON_AddObjectToObject(o, "GraphDriver");
	cJSON_AddObjectToObject(g, "Data");
	cJSON_AddStringToObject(g, "Name", "overlay2");
	rootfs = cJSON_AddObjectToObject(o, "RootFS");
	cJSON_AddStringToObject(rootfs, "Type", "layers");
	layers = cJSON_AddArrayToObject(rootfs, "Layers");
	for (size_t i = 0; i < rec->nlayers; i++)
		cJSON_AddItemToArray(layers, cJSON_CreateString(rec->diff[i]));
}

cJSON *oci_image_inspect(struct oci_store *s, const char *id, struct err *e)
{
	struct oci_image_rec *rec = calloc(1, sizeof(*rec));
	struct oci_image_refs refs = {0};
	cJSON *o = NULL, *cfg = NULL, *v;
	char when[40];

	if (!rec || oci_store_image_get(s, id, rec, e) < 0 ||
	    oci_image_config(s, id, &cfg, e) < 0 || oci_image_refs_load(s, &refs, e) < 0)
		goto out;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "Id", id);
	add_names(rec, &refs, NULL, cJSON_AddArrayToObject(o, "RepoTags"),
		  cJSON_AddArrayToObject(o, "RepoDigests"));
	cJSON_AddStringToObject(o, "Parent", "");
	add_cfg_string(o, "Comment", cfg, "comment");
	add_cfg_string(o, "Created", cfg, "created");
	add_cfg_string(o, "Container", cfg, "container");
	add_cfg_string(o, "DockerVersion", cfg, "docker_version");
	add_cfg_string(o, "Author", cfg, "author");
	v = cJSON_DetachItemFromObjectCaseSensitive(cfg, "config");
	cJSON_AddItemToObject(o, "Config", v ? v : cJSON_CreateObject());
	add_platform(o, rec, cfg);
	v = cJSON_AddObjectToObject(o, "Metadata");
	{
		struct timespec ts = {rec->created, 0};

		timefmt_rfc3339(when, sizeof(when), &ts, 0);
		cJSON_AddStringToObject(v, "LastTagTime", when);
	}
out:
	oci_image_refs_free(&refs);
	cJSON_Delete(cfg);
	free(rec);
	return o;
}

/* label=KEY or label=KEY=VALUE against the config's Labels: all must hold. */
static bool labels_match(const struct oci_image_filter *f, const cJSON *labels)
{
	for (size_t i = 0; f->labels && f->labels[i]; i++) {
		const char *l = f->labels[i], *eq = strchr(l, '=');
		char key[256];
		const cJSON *v;

		snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - l) : (int)strlen(l), l);
		v = cJSON_GetObjectItemCaseSensitive(labels, key);
		if (!v || (eq && (!cJSON_IsString(v) || strcmp(v->valuestring, eq + 1))))
			return false;
	}
	return true;
}

static cJSON *row(const struct oci_image_rec *rec, int64_t created, cJSON *labels, cJSON *tags,
		  cJSON *digests)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "Containers", -1);
	cJSON_AddNumberToObject(o, "Created", (double)created);
	cJSON_AddStringToObject(o, "Id", rec->id);
	cJSON_AddItemToObject(o, "Labels", labels ? labels : cJSON_CreateNull());
	cJSON_AddStringToObject(o, "ParentId", "");
	cJSON_AddItemToObject(o, "RepoDigests", digests);
	cJSON_AddItemToObject(o, "RepoTags", tags);
	cJSON_AddNumberToObject(o, "SharedSize", -1);
	json_add_u64(o, "Size", (uint64_t)rec->size);
	json_add_u64(o, "VirtualSize", (uint64_t)rec->size);
	return o;
}

cJSON *oci_image_summary(struct oci_store *s, const struct oci_image_rec *rec,
			 const struct oci_image_refs *refs, const struct oci_image_filter *f)
{
	static const struct oci_image_filter none = {.dangling = -1};
	cJSON *cfg = NULL, *labels = NULL, *tags = cJSON_CreateArray(),
	      *digests = cJSON_CreateArray();
	struct err e;
	int64_t created;

	if (!f)
		f = &none;
	oci_image_config(s, rec->id, &cfg, &e); /* a missing config: no labels, no times */
	created = oci_image_created(s, rec, cfg);
	labels = cJSON_DetachItemFromObjectCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cfg, "config"), "Labels");
	if (labels && !cJSON_IsObject(labels)) {
		cJSON_Delete(labels);
		labels = NULL;
	}
	cJSON_Delete(cfg);
	if ((f->before && created >= f->before) || (f->since && created <= f->since) ||
	    (f->labels && f->labels[0] && !labels_match(f, labels)))
		goto skip;
	add_names(rec, refs, f, tags, digests);
	if (!cJSON_GetArraySize(tags) && !cJSON_GetArraySize(digests)) {
		/* no name at all: dangling=false and reference= leave it out */
		if (f->dangling == 0 || f->refs)
			goto skip;
		cJSON_AddItemToArray(digests, cJSON_CreateString("<none>@<none>"));
		cJSON_AddItemToArray(tags, cJSON_CreateString("<none>:<none>"));
	} else if (f->dangling == 1 && cJSON_GetArraySize(tags)) {
		goto skip;
	}
	return row(rec, created, labels, tags, digests);
skip:
	cJSON_Delete(labels);
	cJSON_Delete(tags);
	cJSON_Delete(digests);
	return NULL;
}
