/* api-images-rm.c - DELETE /images/{name} and POST /images/prune: docker
 * rmi's rules (oci/image-info.h) with the daemon's containers as users. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/daemon/api-images.h"
#include "core/daemon/ctr.h"
#include "json.h"
#include "oci/image-info.h"
#include "timefmt.h"

struct rm_ctx {
	struct daemon *d;
	cJSON *out; /* [{"Untagged":..},{"Deleted":..}] */
	const char *const *labels; /* prune: label= filters */
	int64_t until; /* prune: created before; 0: none */
};

/* The containers made from id; whether one of them runs (that one is
 * named first, as dockerd checks running containers first). */
static int users(const char *id, bool *running, char first[65], void *arg)
{
	struct rm_ctx *c = arg;
	int n = 0;

	*running = false;
	pthread_mutex_lock(&c->d->mu);
	for (struct ctr *ct = c->d->ctrs; ct; ct = ct->next) {
		bool up = ct->status == CS_RUNNING || ct->status == CS_PAUSED ||
			  ct->status == CS_RESTARTING;

		if (ct->removed || strcmp(ct->image_id, id))
			continue;
		if (!n++ || (up && !*running))
			snprintf(first, 65, "%s", ct->id);
		*running |= up;
	}
	pthread_mutex_unlock(&c->d->mu);
	return n;
}

static void report(const char *kind, const char *value, const char *image, void *arg)
{
	struct rm_ctx *c = arg;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, kind, value);
	cJSON_AddItemToArray(c->out, o);
	if (!strcmp(kind, "Untagged"))
		img_event(c->d, "untag", image, image);
	else if (!strcmp(value, image))
		img_event(c->d, "delete", image, image);
}

void img_delete(struct hx *x)
{
	struct daemon *d = x->user;
	struct rm_ctx c = {.d = d, .out = cJSON_CreateArray()};
	const struct oci_rmi_ops o = {users, report, &c};
	bool force = hreq_query_bool(&x->rq, "force", false);
	struct err e = {0};

	pthread_mutex_lock(&d->store_mu);
	if (oci_image_delete(&d->store, x->arg[0], force, &o, &e) < 0) {
		pthread_mutex_unlock(&d->store_mu);
		hx_error(x, img_status(&e), "%s", e.msg);
		cJSON_Delete(c.out);
		return;
	}
	pthread_mutex_unlock(&d->store_mu);
	hx_json(x, 200, c.out);
	cJSON_Delete(c.out);
}

/* Prune leaves images a container uses, and those the filters keep. */
static bool keep(const struct oci_image_rec *rec, void *arg)
{
	struct rm_ctx *c = arg;
	cJSON *cfg = NULL, *labels;
	struct err e;
	bool kept = false;

	if (ctr_image_users(c->d, rec->id, NULL) > 0)
		return true;
	if (c->until && oci_image_created(&c->d->store, rec, NULL) >= c->until)
		return true;
	if (!c->labels || !c->labels[0])
		return false;
	oci_image_config(&c->d->store, rec->id, &cfg, &e);
	labels = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cfg, "config"),
						  "Labels");
	for (size_t i = 0; c->labels[i] && !kept; i++) {
		const char *l = c->labels[i], *eq = strchr(l, '=');
		char key[256];
		const cJSON *v;

		snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - l) : (int)strlen(l), l);
		v = cJSON_GetObjectItemCaseSensitive(labels, key);
		kept = !v || (eq && (!cJSON_IsString(v) || strcmp(v->valuestring, eq + 1)));
	}
	cJSON_Delete(cfg);
	return kept;
}

static int prune_filters(struct hx *x, struct rm_ctx *c, cJSON **f, bool *all, struct err *e)
{
	static const char *const allowed[] = {"dangling", "label", "until", NULL};
	const char **v;

	if (img_filters(x, f, e) < 0 || img_filter_check(*f, allowed, e) < 0)
		return -1;
	*all = false;
	if ((v = img_filter_values(*f, "dangling")) && v[0])
		*all = !strcmp(v[0], "false") || !strcmp(v[0], "0");
	free(v);
	if ((v = img_filter_values(*f, "until")) && v[0]) {
		long long t;
		char *end;

		t = strtoll(v[0], &end, 10);
		if (*end && timefmt_parse_rfc3339(v[0], &t) < 0) {
			err_set(e, "invalid filter 'until=%s'", v[0]);
			e->errnum = EINVAL;
			free(v);
			return -1;
		}
		c->until = t;
	}
	free(v);
	c->labels = img_filter_values(*f, "label");
	return 0;
}

void img_prune(struct hx *x)
{
	struct daemon *d = x->user;
	struct rm_ctx c = {.d = d, .out = cJSON_CreateArray()};
	const struct oci_rmi_ops o = {NULL, report, &c};
	struct err e = {0};
	uint64_t freed = 0;
	cJSON *f = NULL, *ans;
	bool all;

	if (prune_filters(x, &c, &f, &all, &e) < 0) {
		hx_error(x, img_status(&e), "%s", e.msg);
		goto out;
	}
	pthread_mutex_lock(&d->store_mu);
	if (oci_image_prune(&d->store, all, keep, &o, &freed, &e) < 0) {
		pthread_mutex_unlock(&d->store_mu);
		hx_error(x, 500, "%s", e.msg);
		goto out;
	}
	pthread_mutex_unlock(&d->store_mu);
	daemon_event(d, "image", "prune", "", NULL);
	ans = cJSON_CreateObject();
	cJSON_AddItemToObject(ans, "ImagesDeleted",
			      cJSON_GetArraySize(c.out) ? cJSON_Duplicate(c.out, true)
							: cJSON_CreateNull());
	json_add_u64(ans, "SpaceReclaimed", freed);
	hx_json(x, 200, ans);
	cJSON_Delete(ans);
out:
	free((void *)c.labels);
	cJSON_Delete(f);
	cJSON_Delete(c.out);
}
