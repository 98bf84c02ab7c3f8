/* api-containers.c - /containers/...: create, list, inspect, start, stop,
 * restart, kill, wait, remove, pause, rename, prune, as dockerd answers. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/daemon/api.h"
#include "core/daemon/ctr-priv.h"
#include "core/daemon/filters.h"
#include "json.h"

struct ctr *api_ctr(struct hx *x, const char *what)
{
	struct daemon *d = x->user;
	struct ctr *c;
	struct err e;

	pthread_mutex_lock(&d->mu);
	c = ctr_find(d, what, &e);
	if (c)
		ctr_get(c);
	pthread_mutex_unlock(&d->mu);
	if (!c)
		hx_error(x, strstr(e.msg, "multiple") ? 400 : 404, "%s", e.msg);
	return c;
}

void api_ctr_put(struct hx *x, struct ctr *c)
{
	struct daemon *d = x->user;

	pthread_mutex_lock(&d->mu);
	ctr_put(d, c);
	pthread_mutex_unlock(&d->mu);
}

bool api_check_json(struct hx *x)
{
	const char *ct = hreq_header(&x->rq, "Content-Type");
	size_t n = ct ? strcspn(ct, ";") : 0;

	/* dockerd's CheckForJSON: a body must be JSON when its type is given */
	if (!ct || !x->body_len || (n == 16 && !strncasecmp(ct, "application/json", 16)))
		return false;
	hx_error(x, 400, "Content-Type specified (%.*s) must be 'application/json'", (int)n, ct);
	return true;
}

static void create(struct hx *x)
{
	struct daemon *d = x->user;
	char name[256] = "";
	cJSON *body = NULL, *warn = NULL, *o;
	struct ctr *c = NULL;
	struct err e;
	int st;

	hreq_query(&x->rq, "name", name, sizeof(name));
	if (api_check_json(x))
		return;
	if (!x->body_len) {
		hx_error(x, 400, "config cannot be empty in order to create a container");
		return;
	}
	if (json_parse(x->body, x->body_len, &body, &e) < 0) {
		hx_error(x, 400, "%s", e.msg);
		return;
	}
	/* as dockerd: StartInterval came with API 1.44; older clients' is 0 */
	if (x->rq.api_major == 1 && x->rq.api_minor < 44)
		cJSON_DeleteItemFromObjectCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(body, "Healthcheck"), "StartInterval");
	st = ctr_create(d, name, body, &c, &warn, &e);
	cJSON_Delete(body);
	if (st) {
		cJSON_Delete(warn);
		hx_error(x, st, "%s", e.msg);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "Id", c->id);
	cJSON_AddItemToObject(o, "Warnings", warn);
	hx_json(x, 201, o);
	cJSON_Delete(o);
}

struct list_ctx {
	struct filters f;
	bool all;
};

static int id_or_name(const char *v, void *arg)
{
	struct ctr *c = arg;

	return !strncmp(c->id, v, strlen(v)) || strstr(c->name, v) != NULL;
}

static bool listed(struct list_ctx *l, struct ctr *c)
{
	char code[16];

	if (c->removed || c->creating)
		return false;
	if (!l->all && c->status != CS_RUNNING && c->status != CS_PAUSED &&
	    c->status != CS_RESTARTING && !filters_has(&l->f, "status"))
		return false;
	snprintf(code, sizeof(code), "%d", c->exit_code);
	if (!filters_match(&l->f, "status", ctr_status_name(c->status)))
		return false;
	if (filters_has(&l->f, "exited") &&
	    (c->status != CS_EXITED || !filters_match(&l->f, "exited", code)))
		return false;
	if (filters_has(&l->f, "id") && !filters_each(&l->f, "id", id_or_name, c))
		return false;
	if (filters_has(&l->f, "name") && !filters_each(&l->f, "name", id_or_name, c))
		return false;
	if (!filters_labels(&l->f, "label", cJSON_GetObjectItemCaseSensitive(c->config, "Labels")))
		return false;
	if (!filters_match(&l->f, "health",
			   c->health ? health_status_name(c->health->status) : "none"))
		return false;
	if (!filters_match(&l->f, "ancestor", c->image_name) &&
	    !filters_match(&l->f, "ancestor", c->image_id))
		return false;
	return true;
}

/* dockerd refuses a health filter that names no status. */
static int bad_health(const char *v, void *arg)
{
	if (health_status_parse(v) >= 0)
		return 0;
	snprintf(arg, 256, "unrecognized filter value for health: %s", v);
	return 1;
}

static void list(struct hx *x)
{
	struct daemon *d = x->user;
	struct list_ctx l = {.all = hreq_query_bool(&x->rq, "all", false)};
	static const char *const allowed[] = {"status",  "exited",   "id",     "name",
					      "label",   "ancestor", "before", "since",
					      "network", "volume",   "health", "isolation",
					      "is-task", "publish",  "expose", NULL};
	long long limit;
	struct err e;
	cJSON *a;

	if (filters_parse(x, &l.f, &e) < 0 || filters_check(&l.f, allowed, &e) < 0 ||
	    hreq_query_int(&x->rq, "limit", -1, &limit, &e) < 0) {
		filters_free(&l.f);
		hx_error(x, 400, "%s", e.msg);
		return;
	}
	char bad[256];
	if (filters_each(&l.f, "health", bad_health, bad)) {
		filters_free(&l.f);
		hx_error(x, 400, "%s", bad);
		return;
	}
	if (limit > 0)
		l.all = true;
	a = cJSON_CreateArray();
	pthread_mutex_lock(&d->mu);
	/* the table is newest first, as ps lists */
	for (struct ctr *c = d->ctrs; c && limit != 0; c = c->next) {
		if (!listed(&l, c))
			continue;
		cJSON_AddItemToArray(a, ctr_list_row(d, c));
		limit--;
	}
	pthread_mutex_unlock(&d->mu);
	hx_json(x, 200, a);
	cJSON_Delete(a);
	filters_free(&l.f);
}

static void inspect(struct hx *x)
{
	struct daemon *d = x->user;
	struct ctr *c;
	struct err e;
	cJSON *o;

	pthread_mutex_lock(&d->mu);
	c = ctr_find(d, x->arg[0], &e);
	o = c ? ctr_inspect(d, c, hreq_query_bool(&x->rq, "size", false)) : NULL;
	pthread_mutex_unlock(&d->mu);
	if (!c) {
		hx_error(x, 404, "%s", e.msg);
		return;
	}
	hx_json(x, 200, o);
	cJSON_Delete(o);
}

static void answer(struct hx *x, int st, struct err *e)
{
	if (st == 0 || st == 304)
		hx_empty(x, st ? 304 : 204);
	else
		hx_error(x, st, "%s", e->msg);
}

static void start(struct hx *x)
{
	struct ctr *c = api_ctr(x, x->arg[0]);
	struct err e;
	int st;

	if (!c)
		return;
	st = ctr_start(x->user, c, &e);
	api_ctr_put(x, c);
	answer(x, st, &e);
}

static int query_timeout(struct hx *x)
{
	long long t;

	if (hreq_query_int(&x->rq, "t", -1, &t, NULL) < 0 || t < -1)
		return -1;
	if (t == -1 && hreq_query_int(&x->rq, "timeout", -1, &t, NULL) < 0)
		return -1;
	return (int)t;
}

static void stop(struct hx *x)
{
	struct ctr *c = api_ctr(x, x->arg[0]);
	char sig[32] = "";
	struct err e;
	int st;

	if (!c)
		return;
	hreq_query(&x->rq, "signal", sig, sizeof(sig));
	st = ctr_stop(x->user, c, query_timeout(x), sig, &e);
	api_ctr_put(x, c);
	answer(x, st, &e);
}

static void restart(struct hx *x)
{
	struct ctr *c = api_ctr(x, x->arg[0]);
	char sig[32] = "";
	struct err e;
	int st;

	if (!c)
		return;
	hreq_query(&x->rq, "signal", sig, sizeof(sig));
	st = ctr_stop(x->user, c, query_timeout(x), sig, &e);
	if (st == 0 || st == 304)
		st = ctr_start(x->user, c, &e);
	if (st == 0 || st == 304) {
		const char *attrs[] = {"image", c->image_name, "name", c->name, NULL};
		daemon_event(x->user, "container", "restart", c->id, attrs);
		st = 0;
	}
	api_ctr_put(x, c);
	answer(x, st, &e);
}

static void kill_(struct hx *x)
{
	struct daemon *d = x->user;
	char name[32] = "SIGKILL";
	struct ctr *c;
	struct err e;
	int sig, st;

	hreq_query(&x->rq, "signal", name, sizeof(name));
	sig = ctr_signal_parse(name);
	if (!sig) {
		hx_error(x, 400, "Invalid signal: %s", name);
		return;
	}
	pthread_mutex_lock(&d->mu);
	c = ctr_find(d, x->arg[0], &e);
	st = c ? ctr_kill(d, c, sig, &e) : 404;
	if (c && st == 0 && (sig == SIGKILL || sig == SIGTERM || sig == SIGINT))
		c->manual_stop = true;
	pthread_mutex_unlock(&d->mu);
	answer(x, st, &e);
}

static void wait_(struct hx *x)
{
	struct daemon *d = x->user;
	struct ctr *c = api_ctr(x, x->arg[0]);
	char cond[32] = "";
	struct err e;
	int code = 0, st;
	cJSON *o;

	if (!c)
		return;
	hreq_query(&x->rq, "condition", cond, sizeof(cond));
	if (hx_begin(x, 200, "application/json") < 0) {
		api_ctr_put(x, c);
		return;
	}
	pthread_mutex_lock(&d->mu);
	st = ctr_wait(d, c, cond, &code, &e);
	pthread_mutex_unlock(&d->mu);
	api_ctr_put(x, c);
	o = cJSON_CreateObject();
	if (st) {
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "Error"), "Message", e.msg);
		cJSON_AddNumberToObject(o, "StatusCode", -1);
	} else {
		cJSON_AddNullToObject(o, "Error");
		cJSON_AddNumberToObject(o, "StatusCode", code);
	}
	hx_chunk_json(x, o);
	hx_end(x);
	cJSON_Delete(o);
}

static void remove_(struct hx *x)
{
	struct ctr *c = api_ctr(x, x->arg[0]);
	struct err e;
	int st;

	if (!c)
		return;
	st = ctr_remove(x->user, c, hreq_query_bool(&x->rq, "force", false),
			hreq_query_bool(&x->rq, "v", false), &e);
	api_ctr_put(x, c);
	answer(x, st, &e);
}

static void pause_(struct hx *x, bool p)
{
	struct daemon *d = x->user;
	struct ctr *c;
	struct err e;
	int st;

	pthread_mutex_lock(&d->mu);
	c = ctr_find(d, x->arg[0], &e);
	st = c ? ctr_pause(d, c, p, &e) : 404;
	pthread_mutex_unlock(&d->mu);
	answer(x, st, &e);
}

static void pause_on(struct hx *x)
{
	pause_(x, true);
}

static void pause_off(struct hx *x)
{
	pause_(x, false);
}

static void rename_(struct hx *x)
{
	struct daemon *d = x->user;
	char name[256] = "";
	struct ctr *c, *o;
	struct err e;

	hreq_query(&x->rq, "name", name, sizeof(name));
	const char *n = name[0] == '/' ? name + 1 : name;
	pthread_mutex_lock(&d->mu);
	c = ctr_find(d, x->arg[0], &e);
	for (o = d->ctrs; o; o = o->next)
		if (!o->removed && !strcmp(o->name, n))
			break;
	if (!c) {
		pthread_mutex_unlock(&d->mu);
		hx_error(x, 404, "%s", e.msg);
		return;
	}
	if (o == c) {
		pthread_mutex_unlock(&d->mu);
		hx_error(x, 400, "Renaming a container with the same name as its current name");
		return;
	}
	if (!*n || o) {
		pthread_mutex_unlock(&d->mu);
		if (!*n)
			hx_error(x, 400, "Neither old nor new names may be empty");
		else
			hx_error(x, 409,
				 "Error when allocating new name: Conflict. The container name "
				 "\"/%s\" is already in use by "
				 "container "
				 "\"%s\". You have to remove (or rename) that container to be able "
				 "to "
				 "reuse that name.",
				 n, o->id);
		return;
	}
	char old[260];
	snprintf(old, sizeof(old), "/%s", c->name);
	snprintf(c->name, sizeof(c->name), "%s", n);
	ctr_save(d, c, NULL);
	const char *attrs[] = {"image", c->image_name, "name", c->name, "oldName", old, NULL};
	daemon_event_labels(d, "container", "rename", c->id, attrs, ctr_labels(c));
	pthread_mutex_unlock(&d->mu);
	hx_empty(x, 204);
}

static void prune(struct hx *x)
{
	struct daemon *d = x->user;
	cJSON *o = cJSON_CreateObject(), *del = cJSON_AddArrayToObject(o, "ContainersDeleted");
	struct err e;

	for (;;) {
		struct ctr *c;
		pthread_mutex_lock(&d->mu);
		for (c = d->ctrs; c; c = c->next)
			if (!c->removed && !c->creating && !c->pruned &&
			    (c->status == CS_EXITED || c->status == CS_CREATED ||
			     c->status == CS_DEAD))
				break;
		if (c) {
			c->pruned = true;
			ctr_get(c);
		}
		pthread_mutex_unlock(&d->mu);
		if (!c)
			break;
		if (ctr_remove(d, c, false, false, &e) == 0)
			cJSON_AddItemToArray(del, cJSON_CreateString(c->id));
		api_ctr_put(x, c);
	}
	cJSON_AddNumberToObject(o, "SpaceReclaimed", 0);
	daemon_event(d, "container", "prune", "", NULL);
	hx_json(x, 200, o);
	cJSON_Delete(o);
}

static const struct hroute routes[] = {
	{"POST", "/containers/create", create, HR_THREAD},
	{"GET", "/containers/json", list, 0},
	{"POST", "/containers/prune", prune, HR_THREAD},
	{"GET", "/containers/{}/json", inspect, 0},
	{"POST", "/containers/{}/start", start, HR_THREAD},
	{"POST", "/containers/{}/stop", stop, HR_THREAD},
	{"POST", "/containers/{}/restart", restart, HR_THREAD},
	{"POST", "/containers/{}/kill", kill_, 0},
	{"POST", "/containers/{}/wait", wait_, HR_THREAD},
	{"DELETE", "/containers/{}", remove_, HR_THREAD},
	{"POST", "/containers/{}/pause", pause_on, HR_THREAD},
	{"POST", "/containers/{}/unpause", pause_off, HR_THREAD},
	{"POST", "/containers/{}/rename", rename_, 0},
	{"POST", "/containers/{}/attach", api_attach, HR_THREAD},
	{"GET", "/containers/{}/logs", api_logs, HR_THREAD},
	{"POST", "/containers/{}/resize", api_resize, HR_THREAD},
	{"GET", "/containers/{}/top", api_top, HR_THREAD},
	{"GET", "/containers/{}/stats", api_stats, HR_THREAD},
	{"POST", "/containers/{}/update", api_update, HR_THREAD},
};

const struct api_part api_containers = {routes, sizeof(routes) / sizeof(routes[0])};
