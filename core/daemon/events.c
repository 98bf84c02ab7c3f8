/* events.c - the daemon's event stream: a ring of the last events (for
 * `since`) and GET /events, which replays, filters and follows it. */
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/daemon/daemon.h"
#include "core/daemon/filters.h"
#include "json.h"

#define RING 1024

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	cJSON *ev[RING];
	int64_t ns[RING]; /* each event's time (timeNano is a raw number in the JSON) */
	uint64_t seq; /* events ever recorded; ev[(seq-1) % RING] is the last */
} E = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, {0}, 0};

/* Actor.Attributes as dockerd builds them for a container: the given
 * attributes, the container's labels over them, "image" and "name" over
 * both; then sorted by key, as Go writes a map. */
static void add_attrs(cJSON *at, const char *const *attrs, const cJSON *labels)
{
	const char *k[128], *v[128];
	size_t n = 0;
	const cJSON *l;

	for (size_t i = 0; attrs && attrs[i] && attrs[i + 1] && n < 64; i += 2)
		if (strcmp(attrs[i], "image") && strcmp(attrs[i], "name"))
			k[n] = attrs[i], v[n++] = attrs[i + 1];
	cJSON_ArrayForEach(l, labels)
	{
		size_t j;
		if (!cJSON_IsString(l) || !l->string)
			continue;
		for (j = 0; j < n && strcmp(k[j], l->string); j++)
			;
		if (j == n && n == 126)
			break;
		k[j] = l->string, v[j] = l->valuestring;
		n += j == n;
	}
	for (size_t i = 0; attrs && attrs[i] && attrs[i + 1] && n < 128; i += 2)
		if (!strcmp(attrs[i], "image") || !strcmp(attrs[i], "name")) {
			size_t j;
			for (j = 0; j < n && strcmp(k[j], attrs[i]); j++)
				;
			k[j] = attrs[i], v[j] = attrs[i + 1];
			n += j == n;
		}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(k[j - 1], k[j]) > 0; j--) {
			const char *tk = k[j], *tv = v[j];
			k[j] = k[j - 1], v[j] = v[j - 1];
			k[j - 1] = tk, v[j - 1] = tv;
		}
	for (size_t i = 0; i < n; i++)
		cJSON_AddStringToObject(at, k[i], v[i]);
}

void daemon_event(struct daemon *d, const char *type, const char *action, const char *id,
		  const char *const *attrs)
{
	daemon_event_labels(d, type, action, id, attrs, NULL);
}

void daemon_event_labels(struct daemon *d, const char *type, const char *action, const char *id,
			 const char *const *attrs, const cJSON *labels)
{
	int64_t ns = daemon_now_ns();
	cJSON *o = cJSON_CreateObject(), *actor, *at;

	(void)d;
	if (!o)
		return;
	/* the legacy fields first, as dockerd writes them */
	if (!strcmp(type, "container") || !strcmp(type, "image")) {
		cJSON_AddStringToObject(o, "status", action);
		cJSON_AddStringToObject(o, "id", id);
		for (size_t i = 0; attrs && attrs[i]; i += 2)
			if (!strcmp(type, "container") && !strcmp(attrs[i], "image"))
				cJSON_AddStringToObject(o, "from", attrs[i + 1]);
	}
	cJSON_AddStringToObject(o, "Type", type);
	cJSON_AddStringToObject(o, "Action", action);
	actor = cJSON_AddObjectToObject(o, "Actor");
	cJSON_AddStringToObject(actor, "ID", id);
	at = cJSON_AddObjectToObject(actor, "Attributes");
	add_attrs(at, attrs, labels);
	cJSON_AddStringToObject(o, "scope", "local");
	cJSON_AddNumberToObject(o, "time", (double)(ns / 1000000000));
	json_add_u64(o, "timeNano", (uint64_t)ns);
	pthread_mutex_lock(&E.mu);
	cJSON_Delete(E.ev[E.seq % RING]);
	E.ev[E.seq % RING] = o;
	E.ns[E.seq % RING] = ns;
	E.seq++;
	pthread_cond_broadcast(&E.cond);
	pthread_mutex_unlock(&E.mu);
}

/* Docker's since/until: unix seconds with an optional fraction, or an
 * RFC 3339 time; returns ns, or def when absent. */
static int64_t time_param(struct hx *x, const char *name, int64_t def)
{
	char v[64];

	if (!hreq_query(&x->rq, name, v, sizeof(v)) || !v[0])
		return def;
	return filters_time_ns(v, def);
}

static bool wanted(const struct filters *f, const cJSON *ev, int64_t t, int64_t since,
		   int64_t until)
{
	if (t < since || (until && t > until))
		return false;
	return filters_event_match(f, ev);
}

static bool client_gone(struct hx *x)
{
	struct pollfd pf = {.fd = hx_fd(x), .events = POLLRDHUP};

	return poll(&pf, 1, 0) > 0 && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static void get_events(struct hx *x)
{
	struct filters f;
	struct err e;
	int64_t now = daemon_now_ns();
	int64_t since = time_param(x, "since", now), until = time_param(x, "until", 0);
	uint64_t next;

	if (filters_parse(x, &f, &e) < 0) {
		hx_error(x, 400, "%s", e.msg);
		return;
	}
	if (hx_begin(x, 200, "application/json") < 0)
		goto out;
	pthread_mutex_lock(&E.mu);
	next = E.seq > RING ? E.seq - RING : 0;
	for (;;) {
		while (next < E.seq) {
			int64_t t = E.ns[next % RING];
			cJSON *ev = cJSON_Duplicate(E.ev[next++ % RING], 1);
			pthread_mutex_unlock(&E.mu);
			int r = ev && wanted(&f, ev, t, since, until) ? hx_chunk_json(x, ev) : 0;
			cJSON_Delete(ev);
			pthread_mutex_lock(&E.mu);
			if (r < 0)
				goto unlock;
		}
		if (until && daemon_now_ns() >= until)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&E.cond, &E.mu, &ts);
		if (next == E.seq) {
			pthread_mutex_unlock(&E.mu);
			bool gone = client_gone(x);
			pthread_mutex_lock(&E.mu);
			if (gone)
				goto unlock;
		}
	}
	pthread_mutex_unlock(&E.mu);
	hx_end(x);
	goto out;
unlock:
	pthread_mutex_unlock(&E.mu);
	x->broken = true;
out:
	filters_free(&f);
}

static const struct hroute routes[] = {
	{"GET", "/events", get_events, HR_THREAD},
};
const struct api_part api_events = {routes, 1};
