/* store-image.c - image records, images/<config hex>.json: written only
 * once everything they name is in the store, removed before what only they
 * used, so a crash never leaves a record pointing at nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "json.h"
#include "oci/store-priv.h"

static cJSON *add_i64(cJSON *o, const char *key, int64_t v)
{
	return v >= 0 ? json_add_u64(o, key, (uint64_t)v) : cJSON_AddNumberToObject(o, key, -1);
}

static cJSON *layer_json(const struct oci_image_rec *rec, size_t i)
{
	cJSON *l = cJSON_CreateObject();

	if (!l || !cJSON_AddStringToObject(l, "chainID", rec->chain[i]) ||
	    !cJSON_AddStringToObject(l, "diffID", rec->diff[i]) ||
	    !cJSON_AddStringToObject(l, "blob", rec->blob[i]) ||
	    !add_i64(l, "blobSize", rec->blob_size[i]) ||
	    !cJSON_AddStringToObject(l, "mediaType", rec->blob_media_type[i])) {
		cJSON_Delete(l);
		return NULL;
	}
	return l;
}

static cJSON *image_json(const struct oci_image_rec *rec)
{
	cJSON *o = cJSON_CreateObject(), *layers, *rd;
	size_t i;

	if (!o || !cJSON_AddStringToObject(o, "id", rec->id) ||
	    !cJSON_AddStringToObject(o, "manifest", rec->manifest) ||
	    !cJSON_AddStringToObject(o, "manifestMediaType", rec->manifest_media_type) ||
	    !add_i64(o, "size", rec->size) || !add_i64(o, "created", rec->created) ||
	    !(layers = cJSON_AddArrayToObject(o, "layers")) ||
	    !(rd = cJSON_AddArrayToObject(o, "repoDigests")))
		goto fail;
	for (i = 0; i < rec->nlayers; i++) {
		cJSON *l = layer_json(rec, i);

		if (!l || !cJSON_AddItemToArray(layers, l))
			goto fail;
	}
	for (i = 0; i < rec->nrepo_digests; i++)
		if (!cJSON_AddItemToArray(rd, cJSON_CreateString(rec->repo_digests[i])))
			goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static int copy_str(const cJSON *o, const char *path, const char *key, char *out, size_t size,
		    bool digest, struct err *e)
{
	char p[JSON_PATH_MAX];
	const char *v = "";

	if (json_get_string(o, path, key, JSON_REQUIRED, &v, e) < 0)
		return -1;
	if (strlen(v) >= size)
		return err_set(e, "%s: too long", json_path_key(p, sizeof(p), path, key));
	if (digest && digest_check(v, json_path_key(p, sizeof(p), path, key), e) < 0)
		return -1;
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

static int parse_layer(const cJSON *l, size_t i, struct oci_image_rec *rec, struct err *e)
{
	char p[JSON_PATH_MAX];

	json_path_index(p, sizeof(p), "layers", i);
	if (json_as_object(l, p, e) < 0 ||
	    copy_str(l, p, "chainID", rec->chain[i], DIGEST_STR_MAX, true, e) < 0 ||
	    copy_str(l, p, "diffID", rec->diff[i], DIGEST_STR_MAX, true, e) < 0 ||
	    copy_str(l, p, "blob", rec->blob[i], DIGEST_STR_MAX, false, e) < 0 ||
	    copy_str(l, p, "mediaType", rec->blob_media_type[i], 96, false, e) < 0 ||
	    json_get_int64(l, p, "blobSize", JSON_REQUIRED, &rec->blob_size[i], e) < 0)
		return -1;
	if (rec->blob[i][0] && digest_check(rec->blob[i], p, e) < 0)
		return -1;
	return 0;
}

static int parse_lists(const cJSON *o, struct oci_image_rec *rec, struct err *e)
{
	const cJSON *layers, *rd, *it;
	size_t n;

	if (json_get_array(o, "", "layers", JSON_REQUIRED, &layers, e) < 0 ||
	    json_get_strings(o, "", "repoDigests", 0, &rd, &n, e) < 0)
		return -1;
	if ((size_t)cJSON_GetArraySize(layers) > OCI_STORE_MAX_LAYERS)
		return err_set(e, "layers: more than %d", OCI_STORE_MAX_LAYERS);
	cJSON_ArrayForEach(it, layers)
	{
		if (parse_layer(it, rec->nlayers, rec, e) < 0)
			return -1;
		rec->nlayers++;
	}
	cJSON_ArrayForEach(it, rd)
	{
		if (rec->nrepo_digests == 8 || strlen(it->valuestring) >= 512)
			return err_set(e, "repoDigests: too many or too long");
		strcpy(rec->repo_digests[rec->nrepo_digests++], it->valuestring);
	}
	return 0;
}

int store_image_parse(const char *text, size_t len, struct oci_image_rec *rec, struct err *e)
{
	cJSON *o;
	int r = -1;

	memset(rec, 0, sizeof(*rec));
	if (json_parse(text, len, &o, e) < 0)
		return -1;
	if (json_as_object(o, "", e) == 0 &&
	    copy_str(o, "", "id", rec->id, DIGEST_STR_MAX, true, e) == 0 &&
	    copy_str(o, "", "manifest", rec->manifest, DIGEST_STR_MAX, true, e) == 0 &&
	    copy_str(o, "", "manifestMediaType", rec->manifest_media_type, 96, false, e) == 0 &&
	    json_get_int64(o, "", "size", JSON_REQUIRED, &rec->size, e) > 0 &&
	    json_get_int64(o, "", "created", JSON_REQUIRED, &rec->created, e) > 0 &&
	    parse_lists(o, rec, e) == 0)
		r = 0;
	cJSON_Delete(o);
	return r;
}

int store_chain_check(const struct oci_image_rec *rec, struct err *e)
{
	char want[DIGEST_STR_MAX];

	for (size_t i = 0; i < rec->nlayers; i++) {
		oci_chain_id(i ? rec->chain[i - 1] : NULL, rec->diff[i], want);
		if (strcmp(want, rec->chain[i]) != 0)
			return err_set(e, "layer %zu: chain id %s, want %s", i, rec->chain[i],
				       want);
	}
	return 0;
}

/* Everything the record names is committed already (the record is last). */
static int image_complete(struct oci_store *s, const struct oci_image_rec *rec, struct err *e)
{
	if (digest_check(rec->id, "image id", e) < 0 ||
	    digest_check(rec->manifest, "manifest", e) < 0)
		return -1;
	if (rec->nlayers > OCI_STORE_MAX_LAYERS)
		return err_set(e, "more than %d layers", OCI_STORE_MAX_LAYERS);
	for (size_t i = 0; i < rec->nlayers; i++)
		if (digest_check(rec->chain[i], "layer", e) < 0 ||
		    digest_check(rec->diff[i], "layer diff id", e) < 0)
			return -1;
	if (store_chain_check(rec, e) < 0)
		return -1;
	if (!oci_store_blob_has(s, rec->id))
		return err_sys(e, ENOENT, "config blob %s not in the store", rec->id);
	if (!oci_store_blob_has(s, rec->manifest))
		return err_sys(e, ENOENT, "manifest blob %s not in the store", rec->manifest);
	for (size_t i = 0; i < rec->nlayers; i++)
		if (!oci_store_layer_has(s, rec->chain[i]))
			return err_sys(e, ENOENT, "layer %s not in the store", rec->chain[i]);
	return 0;
}

/* The image's size as the layers recorded it. */
static int layers_size(struct oci_store *s, const struct oci_image_rec *rec, int64_t *size,
		       struct err *e)
{
	struct oci_layer_info li;

	*size = 0;
	for (size_t i = 0; i < rec->nlayers; i++) {
		if (oci_store_layer_info(s, rec->chain[i], &li, e) < 0)
			return -1;
		*size += li.size;
	}
	return 0;
}

int oci_store_image_put(struct oci_store *s, const struct oci_image_rec *rec, struct err *e)
{
	char rel[DIGEST_STR_MAX + 16], *text = NULL;
	size_t len;
	cJSON *o = NULL;
	int64_t size;
	int r = -1;

	if (store_writable(s, "store image", e) < 0)
		return -1;
	if (image_complete(s, rec, e) < 0 || layers_size(s, rec, &size, e) < 0)
		return err_wrap(e, "image %.80s", rec->id);
	o = image_json(rec);
	if (!o) {
		err_sys(e, ENOMEM, "image %s", rec->id);
		goto out;
	}
	cJSON_ReplaceItemInObject(o, "size", cJSON_CreateNumber((double)size));
	if (rec->created == 0)
		cJSON_ReplaceItemInObject(o, "created", cJSON_CreateNumber((double)time(NULL)));
	if (json_print(o, false, &text, &len, e) < 0)
		goto out;
	snprintf(rel, sizeof(rel), "images/%s.json", digest_hex(rec->id));
	r = file_write_atomic(s->root_fd, rel, text, len, 0600, e);
	if (r < 0)
		err_wrap(e, "image %s", rec->id);
out:
	cJSON_free(text);
	cJSON_Delete(o);
	return r;
}

int oci_store_image_get(struct oci_store *s, const char *id, struct oci_image_rec *rec,
			struct err *e)
{
	char rel[DIGEST_STR_MAX + 16], *text;
	size_t len;
	int r;

	if (digest_check(id, "image id", e) < 0)
		return -1;
	snprintf(rel, sizeof(rel), "images/%s.json", digest_hex(id));
	if (store_read(s, rel, STORE_JSON_MAX, &text, &len, e) < 0)
		return e && e->errnum == ENOENT
			       ? err_sys(e, ENOENT, "image %s: not in the store", id)
			       : err_wrap(e, "image %s: record", id);
	r = store_image_parse(text, len, rec, e);
	free(text);
	if (r < 0)
		return err_wrap(e, "image %s: record", id);
	if (strcmp(rec->id, id) != 0)
		return err_set(e, "image %s: the record names image %s", id, rec->id);
	return 0;
}

struct each_ctx {
	int (*fn)(const struct oci_image_rec *rec, void *arg);
	void *arg;
	struct oci_image_rec *rec;
};

static int each_one(struct oci_store *s, const char *name, void *arg, struct err *e)
{
	struct each_ctx *c = arg;
	char id[DIGEST_STR_MAX];
	size_t n = strlen(name);

	if (n != DIGEST_HEX_LEN + 5 || strcmp(name + DIGEST_HEX_LEN, ".json") != 0 ||
	    !store_hex_valid(name, DIGEST_HEX_LEN))
		return 0; /* not a record: the check reports it */
	snprintf(id, sizeof(id), "sha256:%.64s", name);
	if (oci_store_image_get(s, id, c->rec, e) < 0)
		return -1;
	return c->fn(c->rec, c->arg) ? 1 : 0;
}

int oci_store_image_each(struct oci_store *s, int (*fn)(const struct oci_image_rec *rec, void *arg),
			 void *arg, struct err *e)
{
	struct each_ctx c = {fn, arg, malloc(sizeof(struct oci_image_rec))};
	int r;

	if (!c.rec)
		return err_sys(e, ENOMEM, "store %s: images", s->root);
	r = store_each_name(s, "images", each_one, &c, e);
	free(c.rec);
	return r < 0 ? -1 : 0;
}
