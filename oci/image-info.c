/* image-info.c - images as docker shows them: lookup by name or id prefix,
 * names, inspect and list JSON (shared by the client and the daemon). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "oci/image-info.h"
#include "registry/ref.h"
#include "timefmt.h"

struct prefix_search {
	const char *hex;
	size_t len;
	char found[DIGEST_STR_MAX];
	int count;
};

static int match_prefix(const struct oci_image_rec *rec, void *arg)
{
	struct prefix_search *ps = arg;

	if (!strncmp(digest_hex(rec->id), ps->hex, ps->len)) {
		if (strcmp(ps->found, rec->id))
			ps->count++;
		strcpy(ps->found, rec->id);
	}
	return 0;
}

static bool all_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static int not_found(const char *what, const struct reg_ref *ref, bool parsed, struct err *e)
{
	char fam[REG_REF_STR_MAX];

	err_set(e, "No such image: %s", parsed ? reg_ref_familiar(ref, fam, sizeof(fam)) : what);
	if (e)
		e->errnum = ENOENT;
	return -1;
}

int oci_image_find(struct oci_store *s, const char *what, char id[DIGEST_STR_MAX], char *ref_name,
		   size_t ref_size, struct err *e)
{
	struct reg_ref ref;
	struct err perr;
	const char *hex = !strncmp(what, "sha256:", 7) ? what + 7 : what;
	bool parsed = false;
	int r;

	if (ref_name && ref_size)
		ref_name[0] = '\0';
	if (hex == what && reg_ref_parse(&ref, what, &perr) == 0) {
		char name[REG_REF_STR_MAX];

		parsed = true;
		reg_ref_string(&ref, name, sizeof(name));
		if ((r = oci_store_ref_get(s, name, id, e)) < 0)
			return -1;
		if (r == 0) {
			if (ref_name)
				snprintf(ref_name, ref_size, "%s", name);
			return 0;
		}
	}
	if (strlen(hex) >= 4 && strlen(hex) <= 64 && all_hex(hex)) {
		struct prefix_search ps = {hex, strlen(hex), "", 0};

		if (oci_store_image_each(s, match_prefix, &ps, e) < 0)
			return -1;
		if (ps.count == 1) {
			strcpy(id, ps.found);
			return 0;
		}
		if (ps.count > 1)
			return err_set(e, "%s: more than one image id starts so; give more digits",
				       what);
	}
	return not_found(what, &ref, parsed, e);
}

static int refs_add(const char *name, const char *id, void *arg)
{
	struct oci_image_refs *r = arg;
	struct oci_image_ref *v;

	if (!(r->n & (r->n + 1)) || !r->v) { /* grow at 0, 1, 3, 7, ... */
		if (!(v = realloc(r->v, (r->n + 1) * 2 * sizeof(*v))))
			return -1;
		r->v = v;
	}
	snprintf(r->v[r->n].name, sizeof(r->v[0].name), "%s", name);
	snprintf(r->v[r->n].id, sizeof(r->v[0].id), "%s", id);
	r->n++;
	return 0;
}

int oci_image_refs_load(struct oci_store *s, struct oci_image_refs *r, struct err *e)
{
	int rc;

	memset(r, 0, sizeof(*r));
	rc = oci_store_ref_each(s, refs_add, r, e);
	if (rc != 0) {
		oci_image_refs_free(r);
		return rc < 0 ? -1 : err_sys(e, ENOMEM, "store %s: names", s->root);
	}
	return 0;
}

void oci_image_refs_free(struct oci_image_refs *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

size_t oci_image_tag_count(const struct oci_image_refs *r, const char *id)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += !strcmp(r->v[i].id, id) && !strchr(r->v[i].name, '@');
	return n;
}

char *oci_image_familiar(const char *name, char *buf, size_t size)
{
	struct reg_ref ref;
	struct err e;

	if (reg_ref_parse(&ref, name, &e) < 0)
		snprintf(buf, size, "%s", name);
	else
		reg_ref_familiar(&ref, buf, size);
	return buf;
}

bool oci_image_ref_match(const char *pattern, const char *name)
{
	struct reg_ref ref;
	struct err e;
	char fam[REG_REF_STR_MAX], repo[REG_REF_STR_MAX];

	if (reg_ref_parse(&ref, name, &e) < 0)
		return false;
	oci_image_familiar(name, fam, sizeof(fam));
	reg_ref_familiar_name(&ref, repo, sizeof(repo));
	return fnmatch(pattern, fam, FNM_PATHNAME) == 0 ||
	       fnmatch(pattern, repo, FNM_PATHNAME) == 0;
}

int oci_image_config(struct oci_store *s, const char *id, cJSON **cfg, struct err *e)
{
	char *text = NULL;
	size_t len;
	int r;

	*cfg = NULL;
	if (oci_store_blob_read(s, id, 16 << 20, &text, &len, e) < 0)
		return -1;
	r = json_parse(text, len, cfg, e);
	free(text);
	return r < 0 ? err_wrap(e, "image %s: config", id) : 0;
}

int64_t oci_image_created(struct oci_store *s, const struct oci_image_rec *rec, const cJSON *cfg)
{
	cJSON *own = NULL;
	const char *created = NULL;
	long long t = rec->created;
	struct err e;

	if (!cfg && oci_image_config(s, rec->id, &own, &e) == 0)
		cfg = own;
	if (cfg && json_get_string(cfg, "", "created", 0, &created, &e) == 1 &&
	    timefmt_parse_rfc3339(created, &t) < 0)
		t = rec->created;
	cJSON_Delete(own);
	return t;
}
