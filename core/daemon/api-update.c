/* api-update.c - POST /containers/{id}/update: new limits and restart
 * policy. Recorded in HostConfig (and config.json, which the next start
 * runs), applied to the cgroup of a running container, as dockerd does. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "core/daemon/api.h"
#include "file.h"
#include "json.h"
#include "oci/container.h"
#include "oci/dockerspec.h"
#include "oci/spec.h"

/* config.json's linux.resources get hc's limits (devices stay). */
static int rewrite_config(struct ctr *c, const cJSON *hc, struct err *e)
{
	static const char *const keys[] = {"memory", "cpu", "pids", "blockIO"};
	char p[PATH_MAX + 128], *txt = NULL;
	size_t len;
	cJSON *spec = NULL, *res = NULL, *lnx, *cur;
	int r = -1;

	ctr_path(c, "config.json", p, sizeof(p));
	if (file_read_all(p, 16 << 20, &txt, &len, e) < 0 || json_parse(txt, len, &spec, e) < 0 ||
	    oci_dspec_resources(hc, &res, e) < 0)
		goto out;
	if (!(lnx = cJSON_GetObjectItemCaseSensitive(spec, "linux")) &&
	    !(lnx = cJSON_AddObjectToObject(spec, "linux")))
		goto oom;
	if (!(cur = cJSON_GetObjectItemCaseSensitive(lnx, "resources")) &&
	    !(cur = cJSON_AddObjectToObject(lnx, "resources")))
		goto oom;
	for (size_t i = 0; i < 4; i++) {
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(res, keys[i]);
		cJSON_DeleteItemFromObjectCaseSensitive(cur, keys[i]);
		if (v && !cJSON_AddItemToObject(cur, keys[i], v)) {
			cJSON_Delete(v);
			goto oom;
		}
	}
	free(txt);
	txt = NULL;
	if (json_print(spec, true, &txt, &len, e) == 0)
		r = file_write_atomic(AT_FDCWD, p, txt, len, 0600, e);
	goto out;
oom:
	err_set(e, "update %s: out of memory", p);
out:
	free(txt);
	cJSON_Delete(spec);
	cJSON_Delete(res);
	return r;
}

/* The running container's cgroup gets the request's limits. */
static int apply_live(struct daemon *d, struct ctr *c, const cJSON *live, struct err *e)
{
	char *txt = NULL;
	size_t len;
	struct oci_spec *s = NULL;
	int r = -1;

	if (json_print(live, false, &txt, &len, e) == 0 &&
	    oci_spec_parse_resources(txt, len, &s, e) == 0)
		r = oci_container_update(d->runtime_root, c->id, s->lnx.resources, e);
	oci_spec_free(s);
	free(txt);
	return r;
}

/* With d->mu held. HTTP status, e filled on errors. config.json is
 * written first, then the cgroup, then the record: a refused cgroup write
 * puts config.json back, so the record, config.json and the cgroup stay
 * as they were (dockerd restores them too). A record that cannot be saved
 * after the cgroup took the new limits is a 500 with those limits live. */
static int update(struct daemon *d, struct ctr *c, const cJSON *body, struct err *e)
{
	cJSON *hc = cJSON_Duplicate(c->host_config, true), *live = NULL;
	bool conflict;
	int st = 500;

	if (!hc)
		return err_set(e, "update: out of memory"), 500;
	if (oci_dspec_update(hc, body, &live, &conflict, e) < 0) {
		st = conflict ? 409 : 400;
		if (conflict)
			err_wrap(e, "Cannot update container %s", c->id);
		goto out;
	}
	/* the cgroup writes are quick (a lower memory limit makes the kernel
	 * reclaim first): done under the lock, so that updates do not mix */
	if (rewrite_config(c, hc, e) < 0) {
		err_wrap(e, "Cannot update container %s", c->id);
		goto out;
	}
	if ((c->status == CS_RUNNING || c->status == CS_PAUSED) && apply_live(d, c, live, e) < 0) {
		err_wrap(e, "Cannot update container %s", c->id);
		rewrite_config(c, c->host_config, NULL);
		goto out;
	}
	cJSON_Delete(c->host_config);
	c->host_config = hc;
	hc = NULL;
	st = ctr_save(d, c, e) < 0 ? 500 : 0;
out:
	cJSON_Delete(hc);
	cJSON_Delete(live);
	return st;
}

void api_update(struct hx *x)
{
	struct daemon *d = x->user;
	cJSON *body = NULL;
	struct ctr *c;
	struct err e;
	int st;

	if (api_check_json(x))
		return;
	if (json_parse(x->body_len ? x->body : "{}", x->body_len ? x->body_len : 2, &body, &e) <
	    0) {
		hx_error(x, 400, "%s", e.msg);
		return;
	}
	if (!(c = api_ctr(x, x->arg[0]))) {
		cJSON_Delete(body);
		return;
	}
	pthread_mutex_lock(&d->mu);
	if (c->status == CS_REMOVING || c->removed) {
		st = 500;
		err_set(&e,
			"Cannot update container %s: container is marked for removal and cannot "
			"be \"update\"",
			c->id);
	} else if ((st = update(d, c, body, &e)) == 0) {
		const char *attrs[] = {"image", c->image_name, "name", c->name, NULL};
		daemon_event_labels(d, "container", "update", c->id, attrs, ctr_labels(c));
	}
	pthread_mutex_unlock(&d->mu);
	if (st) {
		hx_error(x, st, "%s", e.msg);
	} else {
		/* dockerd answers null when there is no warning */
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNullToObject(o, "Warnings");
		hx_json(x, 200, o);
		cJSON_Delete(o);
	}
	cJSON_Delete(body);
	api_ctr_put(x, c);
}
