/* store-ref.c - names -> image ids in refs.json, one small file read and
 * rewritten whole (temp + fsync + rename) on every change. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "json.h"
#include "oci/store-priv.h"

#define REF_NAME_MAX 512

static int name_check(const char *name, struct err *e)
{
	size_t n = strlen(name);

	if (n == 0 || n >= REF_NAME_MAX)
		return err_set(e, "reference \"%.80s\": empty or too long", name);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return err_set(e, "reference \"%.80s\": control character", name);
	return 0;
}

/* *root gets the whole document, *refs its "refs" object (created when the
 * file or the key is missing). */
static int refs_load(struct oci_store *s, cJSON **root, cJSON **refs, struct err *e)
{
	char *text;
	size_t len;
	const cJSON *o = NULL;
	struct err re = {0};
	int r;

	*root = NULL;
	r = store_read(s, "refs.json", STORE_REFS_MAX, &text, &len, &re);
	if (r < 0 && re.errnum != ENOENT) {
		if (e)
			*e = re;
		return err_wrap(e, "store %s", s->root);
	}
	if (r < 0) { /* no names yet */
		*root = cJSON_CreateObject();
	} else {
		r = json_parse(text, len, root, e);
		free(text);
		if (r < 0 || json_as_object(*root, "", e) < 0 ||
		    json_get_object(*root, "", "refs", 0, &o, e) < 0)
			goto bad;
	}
	if (!*root || (!o && !cJSON_AddObjectToObject(*root, "refs"))) {
		cJSON_Delete(*root);
		return err_sys(e, ENOMEM, "store %s: refs.json", s->root);
	}
	*refs = cJSON_GetObjectItemCaseSensitive(*root, "refs");
	return 0;
bad:
	cJSON_Delete(*root);
	return err_wrap(e, "store %s: refs.json", s->root);
}

static int refs_save(struct oci_store *s, cJSON *root, struct err *e)
{
	char *text;
	size_t len;
	int r;

	if (json_print(root, true, &text, &len, e) < 0)
		return err_wrap(e, "store %s: refs.json", s->root);
	r = file_write_atomic(s->root_fd, "refs.json", text, len, 0600, e);
	cJSON_free(text);
	return r;
}

static bool image_exists(struct oci_store *s, const char *id)
{
	char rel[DIGEST_STR_MAX + 16];
	struct stat st;

	snprintf(rel, sizeof(rel), "images/%s.json", digest_hex(id));
	return fstatat(s->root_fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int oci_store_ref_set(struct oci_store *s, const char *name, const char *id, struct err *e)
{
	cJSON *root, *refs, *v;
	int r;

	if (store_writable(s, "tag", e) < 0 || name_check(name, e) < 0 ||
	    digest_check(id, "image id", e) < 0)
		return -1;
	oci_store_lock(s);
	if (!image_exists(s, id)) {
		oci_store_unlock(s);
		return err_sys(e, ENOENT, "tag %s: image %s not in the store", name, id);
	}
	if (refs_load(s, &root, &refs, e) < 0) {
		oci_store_unlock(s);
		return -1;
	}
	v = cJSON_CreateString(id);
	if (!v || (cJSON_GetObjectItemCaseSensitive(refs, name)
			   ? !cJSON_ReplaceItemInObjectCaseSensitive(refs, name, v)
			   : !cJSON_AddItemToObject(refs, name, v))) {
		cJSON_Delete(v);
		cJSON_Delete(root);
		oci_store_unlock(s);
		return err_sys(e, ENOMEM, "tag %s", name);
	}
	r = refs_save(s, root, e);
	cJSON_Delete(root);
	oci_store_unlock(s);
	return r;
}

/* A value must be an image id; anything else is a corrupt file. */
static int ref_value(struct oci_store *s, const cJSON *v, const char **id, struct err *e)
{
	if (!cJSON_IsString(v) || !digest_valid(v->valuestring))
		return err_set(e, "store %s: refs.json: \"%.80s\": not an image id", s->root,
			       v->string);
	*id = v->valuestring;
	return 0;
}

int oci_store_ref_get(struct oci_store *s, const char *name, char out[DIGEST_STR_MAX],
		      struct err *e)
{
	cJSON *root, *refs, *v;
	const char *id;
	int r = 1;

	if (refs_load(s, &root, &refs, e) < 0)
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(refs, name);
	if (v) {
		r = ref_value(s, v, &id, e);
		if (r == 0)
			snprintf(out, DIGEST_STR_MAX, "%s", id);
	}
	cJSON_Delete(root);
	return r;
}

int oci_store_ref_delete(struct oci_store *s, const char *name, struct err *e)
{
	cJSON *root, *refs;
	int r = 1;

	if (store_writable(s, "untag", e) < 0)
		return -1;
	oci_store_lock(s);
	if (refs_load(s, &root, &refs, e) < 0) {
		oci_store_unlock(s);
		return -1;
	}
	if (cJSON_GetObjectItemCaseSensitive(refs, name)) {
		cJSON_DeleteItemFromObjectCaseSensitive(refs, name);
		r = refs_save(s, root, e);
	}
	cJSON_Delete(root);
	oci_store_unlock(s);
	return r;
}

int oci_store_ref_each(struct oci_store *s, int (*fn)(const char *name, const char *id, void *arg),
		       void *arg, struct err *e)
{
	cJSON *root, *refs, *v;
	const char *id;
	int r = 0;

	if (refs_load(s, &root, &refs, e) < 0)
		return -1;
	cJSON_ArrayForEach(v, refs)
	{
		if (ref_value(s, v, &id, e) < 0) {
			r = -1;
			break;
		}
		if ((r = fn(v->string, id, arg)) != 0)
			break;
	}
	cJSON_Delete(root);
	return r;
}

int store_refs_drop_image(struct oci_store *s, const char *id, struct err *e)
{
	cJSON *root, *refs, *v, *next;
	int r = 0, dropped = 0;

	if (refs_load(s, &root, &refs, e) < 0)
		return -1;
	for (v = refs->child; v; v = next) {
		next = v->next;
		if (cJSON_IsString(v) && !strcmp(v->valuestring, id)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(refs, v));
			dropped++;
		}
	}
	if (dropped)
		r = refs_save(s, root, e);
	cJSON_Delete(root);
	return r;
}
