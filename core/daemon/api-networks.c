/* api-networks.c - /networks: list with filters, inspect, create, remove,
 * prune, as dockerd answers them (the records are networks.c's). connect
 * and disconnect answer 501 until the networking issue makes endpoints. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/daemon/ctr.h"
#include "core/daemon/daemon.h"
#include "core/daemon/filters.h"
#include "core/daemon/networks.h"
#include "json.h"
#include "log.h"
#include "timefmt.h"

/* The records are loaded (and the built-ins made) at the first request;
 * nw_init at daemon start does it earlier. */
static pthread_mutex_t ready_mu = PTHREAD_MUTEX_INITIALIZER;
static bool ready;

static bool loaded(struct hx *x)
{
	struct err e = {0};
	bool ok;

	pthread_mutex_lock(&ready_mu);
	if (!ready && nw_init(x->user, &e) == 0)
		ready = true;
	ok = ready;
	pthread_mutex_unlock(&ready_mu);
	if (!ok)
		hx_error(x, 500, "%s", e.msg);
	return ok;
}

struct nfilter {
	struct daemon *d;
	struct filters f;
	int dangling; /* -1: not asked, 0, 1 */
	int64_t until_ns; /* prune: 0 when not asked */
};

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static int substr(const char *v, void *arg)
{
	return strstr(arg, v) != NULL; /* dockerd matches a regexp; plain text here */
}

static int type_is(const char *v, void *arg)
{
	bool builtin = nw_is_predefined(arg);

	return (!strcmp(v, "builtin") && builtin) || (!strcmp(v, "custom") && !builtin);
}

/* dockerd's network.Filter.Matches. */
static bool matches(const cJSON *nw, void *arg)
{
	struct nfilter *nf = arg;
	const char *name = str(nw, "Name"), *id = str(nw, "Id");
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(nw, "Labels");

	if (!filters_match(&nf->f, "driver", str(nw, "Driver")) ||
	    !filters_match(&nf->f, "scope", str(nw, "Scope")))
		return false;
	if (filters_has(&nf->f, "name") && !filters_each(&nf->f, "name", substr, (void *)name))
		return false;
	if (filters_has(&nf->f, "id") && !filters_each(&nf->f, "id", substr, (void *)id))
		return false;
	if (!filters_labels(&nf->f, "label", labels))
		return false;
	if (filters_has(&nf->f, "label!") && filters_labels(&nf->f, "label!", labels))
		return false;
	if (filters_has(&nf->f, "type") && !filters_each(&nf->f, "type", type_is, (void *)name))
		return false;
	if (nf->dangling >= 0) {
		bool dangling = !nw_is_predefined(name) && nw_users(nf->d, nw) == 0;
		if (dangling != (bool)nf->dangling)
			return false;
	}
	if (nf->until_ns) {
		long long t;
		if (timefmt_parse_rfc3339(str(nw, "Created"), &t) == 0 &&
		    (int64_t)t * 1000000000 > nf->until_ns)
			return false;
	}
	return true;
}

static bool spare(const cJSON *nw, void *arg)
{
	return !matches(nw, arg);
}

static int valid_type(const char *v, void *arg)
{
	struct err *e = arg;

	if (!strcmp(v, "builtin") || !strcmp(v, "custom"))
		return 0;
	err_set(e, "invalid filter: 'type'='%s'", v);
	return 1;
}

/* ?filters= of the list (prune false) or of prune; 400 with e as dockerd's
 * network.NewFilter / NewPruneFilter refuse them. */
static int parse_filters(struct hx *x, struct nfilter *nf, bool prune, struct err *e)
{
	static const char *const list_ok[] = {"dangling", "driver", "id",   "label",
					      "name",     "scope",  "type", NULL};
	static const char *const prune_ok[] = {"label", "label!", "until", NULL};
	const cJSON *v;

	nf->d = x->user;
	nf->dangling = -1;
	nf->until_ns = 0;
	if (filters_parse(x, &nf->f, e) < 0 ||
	    filters_check(&nf->f, prune ? prune_ok : list_ok, e) < 0)
		return -1;
	v = nf->f.map ? cJSON_GetObjectItemCaseSensitive(nf->f.map, "dangling") : NULL;
	if (v && cJSON_GetArraySize(v) > 1)
		return err_set(e, "got more than one value for filter key \"dangling\"");
	if (v && cJSON_GetArraySize(v) == 1) {
		const char *d = cJSON_GetArrayItem(v, 0)->valuestring;
		if (!strcmp(d, "1") || !strcmp(d, "true"))
			nf->dangling = 1;
		else if (!strcmp(d, "0") || !strcmp(d, "false"))
			nf->dangling = 0;
		else
			return err_set(e,
				       "invalid value for filter 'dangling', must be \"true\" (or "
				       "\"1\"), or \"false\" (or \"0\")");
	}
	if (filters_each(&nf->f, "type", valid_type, e))
		return -1;
	v = nf->f.map ? cJSON_GetObjectItemCaseSensitive(nf->f.map, "until") : NULL;
	if (v && cJSON_GetArraySize(v) > 1)
		return err_set(e, "more than one until filter specified");
	if (v && cJSON_GetArraySize(v) == 1 &&
	    !(nf->until_ns = filters_time_ns(cJSON_GetArrayItem(v, 0)->valuestring, 0)))
		return err_set(e, "failed to parse value %s as a time",
			       cJSON_GetArrayItem(v, 0)->valuestring);
	if (prune)
		nf->dangling = 1; /* prune takes unused custom networks only */
	return 0;
}

static void list(struct hx *x)
{
	struct nfilter nf;
	cJSON *arr = NULL;
	struct err e;

	if (!loaded(x))
		return;
	if (parse_filters(x, &nf, false, &e) < 0) {
		filters_free(&nf.f);
		hx_error(x, 400, "%s", e.msg);
		return;
	}
	if (nw_list(matches, &nf, &arr, &e) != 0)
		hx_error(x, 500, "%s", e.msg);
	else
		hx_json(x, 200, arr);
	cJSON_Delete(arr);
	filters_free(&nf.f);
}

static void inspect(struct hx *x)
{
	cJSON *nw = NULL;
	struct err e;
	int st;

	if (!loaded(x))
		return;
	st = nw_find(x->arg[0], &nw, &e);
	if (st)
		hx_error(x, st, "%s", e.msg);
	else
		hx_json(x, 200, nw);
	cJSON_Delete(nw);
}

static void create(struct hx *x)
{
	cJSON *body = NULL, *o;
	char id[65];
	struct err e;
	int st = 0;

	if (!loaded(x))
		return;
	if (x->body_len ? json_parse(x->body, x->body_len, &body, &e) < 0
			: !(body = cJSON_CreateObject()))
		st = 400;
	if (!st)
		st = nw_create(x->user, body, id, &e);
	cJSON_Delete(body);
	if (st) {
		hx_error(x, st, "%s", e.msg);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "Id", id);
	cJSON_AddStringToObject(o, "Warning", "");
	hx_json(x, 201, o);
	cJSON_Delete(o);
}

static void remove_(struct hx *x)
{
	struct err e;
	int st;

	if (!loaded(x))
		return;
	st = nw_remove(x->user, x->arg[0], &e);
	if (st)
		hx_error(x, st, "%s", e.msg);
	else
		hx_empty(x, 204);
}

static void prune(struct hx *x)
{
	struct nfilter nf;
	cJSON *del = NULL, *o;
	struct err e;
	int st = 0;

	if (!loaded(x))
		return;
	if (parse_filters(x, &nf, true, &e) < 0)
		st = 400;
	if (!st)
		st = nw_prune(x->user, spare, &nf, &del, &e);
	filters_free(&nf.f);
	if (st) {
		hx_error(x, st, "%s", e.msg);
		return;
	}
	o = cJSON_CreateObject();
	/* dockerd's list is nil (null) when nothing went */
	if (cJSON_GetArraySize(del) == 0) {
		cJSON_Delete(del);
		cJSON_AddNullToObject(o, "NetworksDeleted");
	} else {
		cJSON_AddItemToObject(o, "NetworksDeleted", del);
	}
	hx_json(x, 200, o);
	cJSON_Delete(o);
}

/* connect/disconnect need endpoints (veth, addresses), which come with the
 * networking issue: the container and the network are checked, then 501. */
static void connect_(struct hx *x)
{
	const char *ctr_name = NULL;
	cJSON *nw = NULL, *body = NULL;
	struct err e;
	int st = 0;

	if (!loaded(x))
		return;
	if (!x->body_len || json_parse(x->body, x->body_len, &body, &e) < 0 ||
	    json_get_string(body, "", "Container", JSON_NOCASE, &ctr_name, &e) < 0)
		st = (err_set(&e, "invalid request body"), 400);
	if (!st) { /* the container first, as dockerd looks them up */
		struct daemon *d = x->user;
		pthread_mutex_lock(&d->mu);
		if (!ctr_find(d, ctr_name ? ctr_name : "", &e))
			st = 404;
		pthread_mutex_unlock(&d->mu);
	}
	if (!st)
		st = nw_find(x->arg[0], &nw, &e);
	if (!st)
		st = (err_set(&e, "network %s of containers: not supported by tug yet",
			      strstr(x->rq.path, "/disconnect") ? "disconnect" : "connect"),
		      501);
	hx_error(x, st, "%s", e.msg);
	cJSON_Delete(nw);
	cJSON_Delete(body);
}

/* Writes (records, fsync) on threads; lookups in memory inline. */
static const struct hroute routes[] = {
	{"GET", "/networks", list, 0},
	{"POST", "/networks/create", create, HR_THREAD},
	{"POST", "/networks/prune", prune, HR_THREAD},
	{"GET", "/networks/{}", inspect, 0},
	{"DELETE", "/networks/{}", remove_, HR_THREAD},
	{"POST", "/networks/{}/connect", connect_, HR_THREAD},
	{"POST", "/networks/{}/disconnect", connect_, HR_THREAD},
};

const struct api_part api_networks = {routes, sizeof(routes) / sizeof(routes[0])};
