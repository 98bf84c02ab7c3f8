/* api-volumes.c - /volumes: list with filters, create, inspect, remove,
 * prune, answered as dockerd answers them (the work is in volumes.c). */
#include <stdio.h>
#include <string.h>

#include "core/daemon/ctr.h"
#include "core/daemon/daemon.h"
#include "core/daemon/filters.h"
#include "core/daemon/volumes.h"
#include "json.h"

/* Go's strconv.ParseBool, as the prune's all= is read. */
static int go_bool(const char *v, bool *out)
{
	static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};

	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(v, t[i]))
			return *out = true, 0;
		if (!strcmp(v, f[i]))
			return *out = false, 0;
	}
	return -1;
}

struct vfilter {
	struct daemon *d;
	struct filters f;
	bool has_dangling, dangling;
};

static int substr(const char *v, void *arg)
{
	return strstr(arg, v) != NULL; /* dockerd matches a regexp; plain text here */
}

static bool listed(const struct vfilter *vf, const cJSON *v)
{
	const char *name = cJSON_GetObjectItemCaseSensitive(v, "Name")->valuestring;

	if (!filters_match(&vf->f, "driver", "local"))
		return false;
	if (filters_has(&vf->f, "name") && !filters_each(&vf->f, "name", substr, (void *)name))
		return false;
	if (!filters_labels(&vf->f, "label", cJSON_GetObjectItemCaseSensitive(v, "Labels")))
		return false;
	if (vf->has_dangling && (ctr_volume_users(vf->d, name, NULL) == 0) != vf->dangling)
		return false;
	return true;
}

/* The filters of GET /volumes; 400 with e when dockerd would refuse them. */
static int list_filters(struct hx *x, struct vfilter *vf, struct err *e)
{
	static const char *const allowed[] = {"dangling", "name", "driver", "label", NULL};
	const cJSON *dv;

	if (filters_parse(x, &vf->f, e) < 0)
		return 400;
	if (filters_check(&vf->f, allowed, e) < 0)
		return 400;
	dv = vf->f.map ? cJSON_GetObjectItemCaseSensitive(vf->f.map, "dangling") : NULL;
	if (dv && cJSON_GetArraySize(dv) > 0) {
		/* dockerd's GetBoolOrDefault: any of 1/true, any of 0/false, not both */
		bool t = false, f = false;
		char vals[256];
		size_t n = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, dv)
		{
			t |= !strcmp(it->valuestring, "1") || !strcmp(it->valuestring, "true");
			f |= !strcmp(it->valuestring, "0") || !strcmp(it->valuestring, "false");
			if (n < sizeof(vals))
				n += (size_t)snprintf(vals + n, sizeof(vals) - n, "%s%s",
						      n ? " " : "", it->valuestring);
		}
		if (t == f)
			return err_set(e, "invalid filter 'dangling=[%s]'", n ? vals : ""), 400;
		vf->has_dangling = true;
		vf->dangling = t;
	}
	return 0;
}

static void list(struct hx *x)
{
	struct vfilter vf = {.d = x->user};
	cJSON *all = NULL, *out, *arr, *v, *next;
	struct err e;
	int st;

	st = list_filters(x, &vf, &e);
	if (!st)
		st = vol_list(vf.d, &all, &e);
	if (st) {
		filters_free(&vf.f);
		hx_error(x, st, "%s", e.msg);
		return;
	}
	out = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(out, "Volumes");
	for (v = all ? all->child : NULL; v; v = next) {
		next = v->next;
		if (listed(&vf, v))
			cJSON_AddItemToArray(arr, cJSON_DetachItemViaPointer(all, v));
	}
	cJSON_AddNullToObject(out, "Warnings");
	hx_json(x, 200, out);
	cJSON_Delete(out);
	cJSON_Delete(all);
	filters_free(&vf.f);
}

static int strings_only(const cJSON *m, const char *what, struct err *e)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, m)
	{
		if (!cJSON_IsString(it))
			return err_set(e, "%s.%s: expected a string", what, it->string);
	}
	return 0;
}

static void create(struct hx *x)
{
	const char *name = NULL, *driver = NULL;
	const cJSON *opts = NULL, *labels = NULL;
	cJSON *body = NULL, *v = NULL;
	const unsigned f = JSON_NOCASE;
	struct err e;
	int st = 0;

	/* no body: dockerd decodes nothing and makes an anonymous volume */
	if (x->body_len &&
	    (json_parse(x->body, x->body_len, &body, &e) < 0 || json_as_object(body, "", &e) < 0 ||
	     json_get_string(body, "", "Name", f, &name, &e) < 0 ||
	     json_get_string(body, "", "Driver", f, &driver, &e) < 0 ||
	     json_get_object(body, "", "DriverOpts", f, &opts, &e) < 0 ||
	     json_get_object(body, "", "Labels", f, &labels, &e) < 0))
		st = 400;
	if (!st && strings_only(labels, "Labels", &e) < 0)
		st = 400;
	if (!st)
		st = vol_create(x->user, name, driver, opts, labels, &v, &e);
	if (st)
		hx_error(x, st, "%s", e.msg);
	else
		hx_json(x, 201, v);
	cJSON_Delete(v);
	cJSON_Delete(body);
}

static void inspect(struct hx *x)
{
	cJSON *v = NULL;
	struct err e;
	int st = vol_inspect(x->user, x->arg[0], &v, &e);

	if (st)
		hx_error(x, st, "%s", e.msg);
	else
		hx_json(x, 200, v);
	cJSON_Delete(v);
}

static void remove_(struct hx *x)
{
	struct err e;
	int st = vol_remove(x->user, x->arg[0], hreq_query_bool(&x->rq, "force", false), &e);

	if (st)
		hx_error(x, st, "%s", e.msg);
	else
		hx_empty(x, 204);
}

struct pfilter {
	struct filters f;
};

/* label and label! of POST /volumes/prune: true spares the volume. */
static bool spare(const cJSON *v, void *arg)
{
	struct pfilter *pf = arg;
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(v, "Labels");

	if (!filters_labels(&pf->f, "label", labels))
		return true;
	return filters_has(&pf->f, "label!") && filters_labels(&pf->f, "label!", labels);
}

/* all=: API 1.42 made prune spare named volumes unless all is true. */
static int prune_all(struct hx *x, const struct filters *f, bool *all, struct err *e)
{
	const cJSON *a = f->map ? cJSON_GetObjectItemCaseSensitive(f->map, "all") : NULL;
	int maj = x->rq.api_major, min = x->rq.api_minor;

	*all = (maj || min) && (maj < 1 || (maj == 1 && min < 42));
	if (!a || !cJSON_GetArraySize(a))
		return 0;
	if (cJSON_GetArraySize(a) > 1)
		return err_set(e, "invalid filter 'all=[%s %s]': only one value is expected",
			       cJSON_GetArrayItem(a, 0)->valuestring,
			       cJSON_GetArrayItem(a, 1)->valuestring);
	if (go_bool(cJSON_GetArrayItem(a, 0)->valuestring, all) < 0)
		return err_set(
			e,
			"invalid filter 'all': strconv.ParseBool: parsing \"%s\": invalid syntax",
			cJSON_GetArrayItem(a, 0)->valuestring);
	return 0;
}

static void prune(struct hx *x)
{
	static const char *const allowed[] = {"label", "label!", "all", NULL};
	struct pfilter pf;
	cJSON *del = NULL, *o;
	uint64_t reclaimed = 0;
	bool all = false;
	struct err e;
	int st = 0;

	if (filters_parse(x, &pf.f, &e) < 0 || filters_check(&pf.f, allowed, &e) < 0 ||
	    prune_all(x, &pf.f, &all, &e) < 0)
		st = 400;
	if (!st)
		st = vol_prune(x->user, all, spare, &pf, &del, &reclaimed, &e);
	filters_free(&pf.f);
	if (st) {
		hx_error(x, st, "%s", e.msg);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "VolumesDeleted", del);
	json_add_u64(o, "SpaceReclaimed", reclaimed);
	hx_json(x, 200, o);
	cJSON_Delete(o);
}

/* Every route on a thread: they read and write the volumes folder (fsync,
 * tree removal), which must not hold up the loop. */
static const struct hroute routes[] = {
	{"GET", "/volumes", list, HR_THREAD},
	{"POST", "/volumes/create", create, HR_THREAD},
	{"POST", "/volumes/prune", prune, HR_THREAD},
	{"GET", "/volumes/{}", inspect, HR_THREAD},
	{"DELETE", "/volumes/{}", remove_, HR_THREAD},
};

const struct api_part api_volumes = {routes, sizeof(routes) / sizeof(routes[0])};
