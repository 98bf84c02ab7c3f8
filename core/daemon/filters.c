/* filters.c - the `filters` query parameter and time parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/daemon/daemon.h"
#include "core/daemon/filters.h"
#include "json.h"
#include "timefmt.h"

int filters_parse_str(const char *s, struct filters *f, struct err *e)
{
	cJSON *in = NULL, *item;

	f->map = NULL;
	if (!s || !*s)
		return 0;
	if (json_parse(s, strlen(s), &in, e) < 0 || !cJSON_IsObject(in)) {
		cJSON_Delete(in);
		return err_set(e, "invalid filter: %s", s);
	}
	f->map = cJSON_CreateObject();
	cJSON_ArrayForEach(item, in)
	{
		cJSON *vals = cJSON_AddArrayToObject(f->map, item->string), *v;
		if (cJSON_IsArray(item)) { /* the old form */
			cJSON_ArrayForEach(v, item) if (cJSON_IsString(v))
				cJSON_AddItemToArray(vals, cJSON_CreateString(v->valuestring));
		} else if (cJSON_IsObject(item)) {
			cJSON_ArrayForEach(v, item) if (cJSON_IsTrue(v))
				cJSON_AddItemToArray(vals, cJSON_CreateString(v->string));
		} else {
			cJSON_Delete(in);
			filters_free(f);
			return err_set(e, "invalid filter: %s", s);
		}
	}
	cJSON_Delete(in);
	return 0;
}

int filters_parse(struct hx *x, struct filters *f, struct err *e)
{
	char buf[4096];

	f->map = NULL;
	if (!hreq_query(&x->rq, "filters", buf, sizeof(buf)))
		return 0;
	return filters_parse_str(buf, f, e);
}

void filters_free(struct filters *f)
{
	cJSON_Delete(f->map);
	f->map = NULL;
}

bool filters_has(const struct filters *f, const char *name)
{
	const cJSON *a = f->map ? cJSON_GetObjectItemCaseSensitive(f->map, name) : NULL;

	return a && cJSON_GetArraySize(a) > 0;
}

int filters_each(const struct filters *f, const char *name, int (*fn)(const char *, void *),
		 void *arg)
{
	const cJSON *a = f->map ? cJSON_GetObjectItemCaseSensitive(f->map, name) : NULL, *v;
	int r;

	cJSON_ArrayForEach(v, a) if ((r = fn(v->valuestring, arg))) return r;
	return 0;
}

static int eq(const char *v, void *arg)
{
	return !strcmp(v, (const char *)arg);
}

bool filters_match(const struct filters *f, const char *name, const char *v)
{
	if (!filters_has(f, name))
		return true;
	return filters_each(f, name, eq, (void *)v) != 0;
}

static int label_miss(const char *want, void *arg)
{
	const cJSON *labels = arg, *l;
	const char *sep = strchr(want, '=');
	char key[256];
	size_t n = sep ? (size_t)(sep - want) : strlen(want);

	if (n >= sizeof(key))
		return 1;
	memcpy(key, want, n);
	key[n] = '\0';
	l = labels ? cJSON_GetObjectItemCaseSensitive(labels, key) : NULL;
	if (!l || !cJSON_IsString(l))
		return 1;
	return sep && strcmp(l->valuestring, sep + 1) != 0;
}

bool filters_labels(const struct filters *f, const char *name, const cJSON *labels)
{
	/* every label filter must hold */
	return filters_each(f, name, label_miss, (void *)labels) == 0;
}

int filters_check(const struct filters *f, const char *const *allowed, struct err *e)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, f->map)
	{
		size_t i = 0;
		while (allowed[i] && strcmp(allowed[i], item->string))
			i++;
		if (!allowed[i])
			return err_set(e, "invalid filter '%s'", item->string);
	}
	return 0;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;

	return cJSON_IsString(v) ? v->valuestring : "";
}

bool filters_event_match(const struct filters *f, const cJSON *ev)
{
	const char *type = str(ev, "Type"), *action = str(ev, "Action");
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(ev, "Actor");
	const cJSON *attrs = actor ? cJSON_GetObjectItemCaseSensitive(actor, "Attributes") : NULL;
	const char *id = str(actor, "ID"), *name = str(attrs, "name");
	char act[64];

	/* "exec_start: sh" matches the filter "exec_start" */
	snprintf(act, sizeof(act), "%s", action);
	act[strcspn(act, ":")] = '\0';
	if (!filters_match(f, "type", type))
		return false;
	if (!filters_match(f, "event", action) && !filters_match(f, "event", act))
		return false;
	if (!filters_labels(f, "label", attrs))
		return false;
	static const char *const objs[] = {"container", "image", "volume", "network"};
	for (size_t i = 0; i < 4; i++) {
		if (!filters_has(f, objs[i]))
			continue;
		if (strcmp(type, objs[i]) ||
		    (!filters_match(f, objs[i], id) && !filters_match(f, objs[i], name)))
			return false;
	}
	return true;
}

/* "1h30m10s" -> seconds, -1 on garbage. */
static int64_t duration_s(const char *s)
{
	int64_t total = 0;

	while (*s) {
		char *end;
		double v = strtod(s, &end);
		if (end == s)
			return -1;
		switch (*end) {
		case 'h':
			total += (int64_t)(v * 3600);
			break;
		case 'm':
			total += (int64_t)(v * 60);
			break;
		case 's':
			total += (int64_t)v;
			break;
		default:
			return -1;
		}
		s = end + 1;
	}
	return total;
}

int64_t filters_time_ns(const char *s, int64_t def)
{
	char *end;
	struct tm tm = {0};
	double v = strtod(s, &end);
	int64_t d;

	if (end != s && !*end)
		return (int64_t)(v * 1e9);
	if ((d = duration_s(s)) >= 0)
		return daemon_now_ns() - d * 1000000000;
	long long secs;
	if (timefmt_parse_rfc3339(s, &secs) == 0)
		return (int64_t)secs * 1000000000;
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		end = strptime(s, "%Y-%m-%d", &tm);
	if (!end)
		return def;
	return (int64_t)timegm(&tm) * 1000000000;
}
