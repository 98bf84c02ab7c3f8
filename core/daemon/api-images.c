/* api-images.c - the Engine API's image endpoints as dockerd answers them:
 * the route table, list, inspect, history, tag, search, and what the
 * image files share (statuses, registry options, filters, events). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/daemon/api-images.h"
#include "json.h"
#include "oci/image-info.h"
#include "registry/ref.h"
#include "timefmt.h"
#include "version.h"

int img_status(const struct err *e)
{
	switch (e->errnum) {
	case ENOENT:
		return 404;
	case EBUSY:
		return 409;
	case EINVAL:
		return 400;
	case EACCES:
		return 401;
	default:
		return 500;
	}
}

/* A comma-separated list in buf, split in place into v (NULL-terminated). */
static const char *const *split_list(char *buf, const char **v, size_t nv)
{
	char *save = NULL;
	size_t n = 0;

	if (!*buf)
		return NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok && n + 1 < nv;
	     tok = strtok_r(NULL, ",", &save))
		v[n++] = tok;
	v[n] = NULL;
	return v;
}

int img_reg_init(struct img_reg *r, struct hx *x, struct err *e)
{
	const char *h = hreq_header(&x->rq, "X-Registry-Auth");

	memset(r, 0, sizeof(*r));
	daemon_registry_settings(r->ins_buf, sizeof(r->ins_buf), r->mir_buf, sizeof(r->mir_buf),
				 &r->max_downloads);
	r->o.insecure = split_list(r->ins_buf, r->ins, 16);
	r->o.mirrors = split_list(r->mir_buf, r->mir, 16);
	r->o.ca_bundle = getenv("TUG_CA_BUNDLE");
	r->o.version = TUG_VERSION;
	if (!h || !*h)
		return 0;
	if (reg_creds_from_header(h, &r->creds, e) < 0) {
		e->errnum = EINVAL;
		return -1;
	}
	if (r->creds.user[0] || r->creds.identity_token[0])
		r->o.creds = &r->creds;
	return 0;
}

void img_reg_done(struct img_reg *r)
{
	memset(&r->creds, 0, sizeof(r->creds));
}

void img_event(struct daemon *d, const char *action, const char *id, const char *name)
{
	const char *attrs[] = {"name", name, NULL};

	daemon_event(d, "image", action, id, name ? attrs : NULL);
}

int64_t img_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- filters ---- */

int img_filters(struct hx *x, cJSON **f, struct err *e)
{
	char buf[4096];
	const cJSON *k;

	*f = NULL;
	if (hreq_query(&x->rq, "filters", buf, sizeof(buf)) != 1 || !buf[0])
		return 0;
	if (json_parse(buf, strlen(buf), f, e) < 0 || !cJSON_IsObject(*f))
		goto bad;
	cJSON_ArrayForEach(k, *f) if (!cJSON_IsArray(k) && !cJSON_IsObject(k)) goto bad;
	return 0;
bad:
	cJSON_Delete(*f);
	*f = NULL;
	err_set(e, "invalid filter: %s", buf);
	e->errnum = EINVAL;
	return -1;
}

const char **img_filter_values(const cJSON *f, const char *name)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(f, name), *v;
	const char **out;
	size_t n = 0;

	if (!k)
		return NULL;
	out = calloc((size_t)cJSON_GetArraySize(k) + 1, sizeof(*out));
	cJSON_ArrayForEach(v, k)
	{
		if (out && cJSON_IsArray(k) && cJSON_IsString(v))
			out[n++] = v->valuestring;
		else if (out && cJSON_IsObject(k) && cJSON_IsTrue(v))
			out[n++] = v->string;
	}
	return out;
}

int img_filter_check(const cJSON *f, const char *const *allowed, struct err *e)
{
	const cJSON *k;

	cJSON_ArrayForEach(k, f)
	{
		size_t i;

		for (i = 0; allowed[i] && strcmp(allowed[i], k->string); i++)
			;
		if (!allowed[i]) {
			err_set(e, "invalid filter '%s'", k->string);
			e->errnum = EINVAL;
			return -1;
		}
	}
	return 0;
}

/* ---- GET /images/json ---- */

struct listing {
	struct oci_store *s;
	struct oci_image_refs refs;
	struct oci_image_filter f;
	cJSON *out;
};

static int list_one(const struct oci_image_rec *rec, void *arg)
{
	struct listing *l = arg;
	cJSON *row = oci_image_summary(l->s, rec, &l->refs, &l->f);

	if (row)
		cJSON_AddItemToArray(l->out, row);
	return 0;
}

/* before=/since= name an image: its creation time is the bound. */
static int bound(struct oci_store *s, const char *what, int64_t *t, struct err *e)
{
	struct oci_image_rec *rec = malloc(sizeof(*rec));
	char id[DIGEST_STR_MAX];
	int r = -1;

	if (rec && oci_image_find(s, what, id, NULL, 0, e) == 0 &&
	    oci_store_image_get(s, id, rec, e) == 0) {
		*t = oci_image_created(s, rec, NULL);
		r = 0;
	}
	free(rec);
	return r;
}

static int list_filters(struct listing *l, const cJSON *f, const char **dang, struct err *e)
{
	static const char *const allowed[] = {"dangling", "label", "reference",
					      "before",   "since", NULL};
	const char **v;

	if (img_filter_check(f, allowed, e) < 0)
		return -1;
	l->f.dangling = -1;
	if (dang && dang[0]) {
		if (!strcmp(dang[0], "true") || !strcmp(dang[0], "1"))
			l->f.dangling = 1;
		else if (!strcmp(dang[0], "false") || !strcmp(dang[0], "0"))
			l->f.dangling = 0;
		else {
			err_set(e, "invalid filter 'dangling=%s'", dang[0]);
			e->errnum = EINVAL;
			return -1;
		}
	}
	if ((v = img_filter_values(f, "before")) && v[0] &&
	    bound(l->s, v[0], &l->f.before, e) < 0) {
		free(v);
		return -1;
	}
	free(v);
	if ((v = img_filter_values(f, "since")) && v[0] && bound(l->s, v[0], &l->f.since, e) < 0) {
		free(v);
		return -1;
	}
	free(v);
	return 0;
}

static void images_list(struct hx *x)
{
	struct daemon *d = x->user;
	struct listing l = {.s = &d->store};
	struct err e = {0};
	cJSON *f = NULL;
	const char **dang = NULL;

	if (img_filters(x, &f, &e) < 0)
		goto fail;
	dang = img_filter_values(f, "dangling");
	if (list_filters(&l, f, dang, &e) < 0)
		goto fail;
	l.f.refs = img_filter_values(f, "reference");
	l.f.labels = img_filter_values(f, "label");
	l.out = cJSON_CreateArray();
	if (oci_image_refs_load(&d->store, &l.refs, &e) < 0 ||
	    oci_store_image_each(&d->store, list_one, &l, &e) < 0)
		goto fail;
	hx_json(x, 200, l.out);
	goto out;
fail:
	hx_error(x, img_status(&e), "%s", e.msg);
out:
	oci_image_refs_free(&l.refs);
	free((void *)l.f.refs);
	free((void *)l.f.labels);
	free(dang);
	cJSON_Delete(l.out);
	cJSON_Delete(f);
}

/* ---- GET /images/{name}/json, /history ---- */

static void image_inspect(struct hx *x)
{
	struct daemon *d = x->user;
	struct err e = {0};
	char id[DIGEST_STR_MAX];
	cJSON *o;

	if (oci_image_find(&d->store, x->arg[0], id, NULL, 0, &e) < 0 ||
	    !(o = oci_image_inspect(&d->store, id, &e))) {
		hx_error(x, img_status(&e), "%s", e.msg);
		return;
	}
	hx_json(x, 200, o);
	cJSON_Delete(o);
}

static cJSON *history_item(const char *id, const cJSON *h, int64_t size, cJSON *tags)
{
	cJSON *o = cJSON_CreateObject();
	const cJSON *v;
	long long t = 0;

	cJSON_AddStringToObject(o, "Id", id);
	v = cJSON_GetObjectItemCaseSensitive(h, "created");
	if (cJSON_IsString(v))
		timefmt_parse_rfc3339(v->valuestring, &t);
	cJSON_AddNumberToObject(o, "Created", (double)t);
	v = cJSON_GetObjectItemCaseSensitive(h, "created_by");
	cJSON_AddStringToObject(o, "CreatedBy", cJSON_IsString(v) ? v->valuestring : "");
	cJSON_AddItemToObject(o, "Tags", tags ? tags : cJSON_CreateNull());
	cJSON_AddNumberToObject(o, "Size", (double)size);
	v = cJSON_GetObjectItemCaseSensitive(h, "comment");
	cJSON_AddStringToObject(o, "Comment", cJSON_IsString(v) ? v->valuestring : "");
	return o;
}

/* Newest first; the top entry carries the image id and its tags, the
 * others "<missing>" (a pulled image has no intermediate images). */
static cJSON *history(struct oci_store *s, const struct oci_image_rec *rec, cJSON *inspect,
		      cJSON *cfg)
{
	cJSON *out = cJSON_CreateArray(), *hist = cJSON_GetObjectItemCaseSensitive(cfg, "history");
	int n = cJSON_GetArraySize(hist);
	size_t layer = rec->nlayers;

	for (int i = n - 1; i >= 0; i--) {
		const cJSON *h = cJSON_GetArrayItem(hist, i);
		struct oci_layer_info li;
		int64_t size = 0;
		cJSON *tags = NULL;

		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h, "empty_layer")) &&
		    layer > 0 && oci_store_layer_info(s, rec->chain[--layer], &li, NULL) == 0)
			size = li.size;
		if (i == n - 1)
			tags = cJSON_Duplicate(
				cJSON_GetObjectItemCaseSensitive(inspect, "RepoTags"), true);
		cJSON_AddItemToArray(
			out, history_item(i == n - 1 ? rec->id : "<missing>", h, size, tags));
	}
	return out;
}

static void image_history(struct hx *x)
{
	struct daemon *d = x->user;
	struct oci_image_rec *rec = malloc(sizeof(*rec));
	struct err e = {0};
	char id[DIGEST_STR_MAX];
	cJSON *cfg = NULL, *ins = NULL, *out;

	if (!rec || oci_image_find(&d->store, x->arg[0], id, NULL, 0, &e) < 0 ||
	    oci_store_image_get(&d->store, id, rec, &e) < 0 ||
	    oci_image_config(&d->store, id, &cfg, &e) < 0 ||
	    !(ins = oci_image_inspect(&d->store, id, &e))) {
		hx_error(x, img_status(&e), "%s", e.msg);
		goto out;
	}
	out = history(&d->store, rec, ins, cfg);
	hx_json(x, 200, out);
	cJSON_Delete(out);
out:
	cJSON_Delete(ins);
	cJSON_Delete(cfg);
	free(rec);
}

/* ---- POST /images/{name}/tag?repo=&tag= ---- */

static int tag_target(struct hx *x, char *name, size_t size, struct err *e)
{
	char repo[REG_REF_STR_MAX], tag[160], full[REG_REF_STR_MAX + 160];
	struct reg_ref ref;

	hreq_query(&x->rq, "repo", repo, sizeof(repo));
	hreq_query(&x->rq, "tag", tag, sizeof(tag));
	snprintf(full, sizeof(full), "%s%s%s", repo, tag[0] ? ":" : "", tag);
	if (reg_ref_parse(&ref, full, e) < 0) {
		e->errnum = EINVAL;
		return -1;
	}
	if (ref.digest[0]) {
		err_set(e, "refusing to create a tag with a digest reference");
		e->errnum = EINVAL;
		return -1;
	}
	reg_ref_string(&ref, name, size);
	return 0;
}

static void image_tag(struct hx *x)
{
	struct daemon *d = x->user;
	struct err e = {0};
	char id[DIGEST_STR_MAX], name[REG_REF_STR_MAX], fam[REG_REF_STR_MAX];

	if (tag_target(x, name, sizeof(name), &e) < 0 ||
	    oci_image_find(&d->store, x->arg[0], id, NULL, 0, &e) < 0) {
		hx_error(x, img_status(&e), "%s", e.msg);
		return;
	}
	pthread_mutex_lock(&d->store_mu);
	if (oci_store_ref_set(&d->store, name, id, &e) < 0) {
		pthread_mutex_unlock(&d->store_mu);
		hx_error(x, 500, "%s", e.msg);
		return;
	}
	pthread_mutex_unlock(&d->store_mu);
	img_event(d, "tag", id, oci_image_familiar(name, fam, sizeof(fam)));
	hx_empty(x, 201);
}

/* ---- what there is no sense in offline ---- */

static void image_search(struct hx *x)
{
	hx_error(x, 501, "search is not supported by tug: it has no registry index to ask");
}

static void image_create(struct hx *x)
{
	char src[8];

	if (hreq_query(&x->rq, "fromSrc", src, sizeof(src)) == 1) {
		hx_error(x, 501, "import (fromSrc) is not supported by tug");
		return;
	}
	img_pull(x);
}

static const struct hroute routes[] = {
	{"GET", "/images/json", images_list, 0},
	{"GET", "/images/search", image_search, 0},
	{"GET", "/images/get", img_save, HR_THREAD},
	{"POST", "/images/create", image_create, HR_THREAD},
	{"POST", "/images/load", img_load, HR_THREAD | HR_BODY_STREAM},
	{"POST", "/images/prune", img_prune, HR_THREAD},
	{"POST", "/auth", img_auth, HR_THREAD},
	{"GET", "/images/{*}/json", image_inspect, 0},
	{"GET", "/images/{*}/history", image_history, 0},
	{"GET", "/images/{*}/get", img_save, HR_THREAD},
	{"POST", "/images/{*}/tag", image_tag, HR_THREAD},
	{"POST", "/images/{*}/push", img_push, HR_THREAD},
	{"DELETE", "/images/{*}", img_delete, HR_THREAD},
};

const struct api_part api_images = {routes, sizeof(routes) / sizeof(routes[0])};
