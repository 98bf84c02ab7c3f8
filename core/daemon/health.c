/* health.c - the healthcheck's pure parts: configuration with dockerd's
 * defaults, the status state machine, output capping, State.Health JSON. */
#include <stdio.h>
#include <string.h>

#include "core/daemon/health.h"
#include "json.h"
#include "timefmt.h"

static int64_t dur(const cJSON *hc, const char *k, int64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(hc, k);

	/* zero means "the default", as in dockerd's timeoutWithDefault */
	return cJSON_IsNumber(v) && v->valuedouble > 0 ? (int64_t)v->valuedouble : def;
}

int health_cfg_parse(const cJSON *hc, struct health_cfg *cfg)
{
	const cJSON *test = hc ? cJSON_GetObjectItemCaseSensitive(hc, "Test") : NULL;
	const cJSON *kind = cJSON_GetArrayItem(test, 0);
	const cJSON *r;

	memset(cfg, 0, sizeof(*cfg));
	if (!cJSON_IsArray(test) || !cJSON_IsString(kind) || cJSON_GetArraySize(test) < 2)
		return 0;
	if (!strcmp(kind->valuestring, "CMD-SHELL"))
		cfg->shell = true;
	else if (strcmp(kind->valuestring, "CMD"))
		return 0; /* NONE, or a type dockerd does not know either */
	cfg->test = test;
	cfg->interval_ns = dur(hc, "Interval", HEALTH_DEF_INTERVAL);
	cfg->timeout_ns = dur(hc, "Timeout", HEALTH_DEF_TIMEOUT);
	cfg->start_period_ns = dur(hc, "StartPeriod", 0);
	cfg->start_interval_ns = dur(hc, "StartInterval", HEALTH_DEF_START_INTERVAL);
	r = cJSON_GetObjectItemCaseSensitive(hc, "Retries");
	cfg->retries = cJSON_IsNumber(r) && r->valueint > 0 ? r->valueint : HEALTH_DEF_RETRIES;
	return 1;
}

cJSON *health_cfg_argv(const struct health_cfg *cfg, const cJSON *shell)
{
	cJSON *a = cJSON_CreateArray();
	const cJSON *it;
	bool first = true;

	if (!a)
		return NULL;
	if (cfg->shell && cJSON_GetArraySize(shell) > 0) {
		cJSON_ArrayForEach(it, shell) if (cJSON_IsString(it))
			cJSON_AddItemToArray(a, cJSON_CreateString(it->valuestring));
	} else if (cfg->shell) {
		cJSON_AddItemToArray(a, cJSON_CreateString("/bin/sh"));
		cJSON_AddItemToArray(a, cJSON_CreateString("-c"));
	}
	cJSON_ArrayForEach(it, cfg->test)
	{
		if (first) {
			first = false; /* the type */
			continue;
		}
		if (cJSON_IsString(it))
			cJSON_AddItemToArray(a, cJSON_CreateString(it->valuestring));
	}
	return a;
}

void health_reset(struct health_state *h)
{
	h->status = HEALTH_STARTING;
	h->failing_streak = 0;
}

bool health_record(struct health_state *h, const struct health_result *r,
		   const struct health_cfg *cfg, int64_t started_ns)
{
	enum health_status old = h->status;

	if (h->nlog == HEALTH_LOG_MAX) {
		memmove(h->log, h->log + 1, (HEALTH_LOG_MAX - 1) * sizeof(h->log[0]));
		h->nlog--;
	}
	h->log[h->nlog++] = *r;
	if (r->exit_code == 0) {
		h->failing_streak = 0;
		h->status = HEALTH_HEALTHY;
		return old != h->status;
	}
	/* Never healthy yet and still in the start period: the failure does
	 * not count (the container may still be coming up). */
	if (h->status == HEALTH_STARTING && r->start_ns - started_ns < cfg->start_period_ns)
		return false;
	if (++h->failing_streak >= cfg->retries)
		h->status = HEALTH_UNHEALTHY;
	return old != h->status;
}

int64_t health_next_ns(const struct health_state *h, const struct health_cfg *cfg,
		       int64_t started_ns, int64_t now_ns)
{
	if (now_ns - started_ns >= cfg->start_period_ns)
		return cfg->interval_ns;
	return h->status == HEALTH_STARTING ? cfg->start_interval_ns : cfg->interval_ns;
}

void health_out_feed(struct health_out *o, const void *buf, size_t len)
{
	size_t room = HEALTH_OUTPUT_MAX - o->len;
	size_t keep = len < room ? len : room;

	memcpy(o->buf + o->len, buf, keep);
	o->len += keep;
	o->buf[o->len] = '\0';
	if (keep < len)
		o->truncated = true;
}

const char *health_out_str(struct health_out *o)
{
	o->buf[o->len] = '\0';
	if (o->truncated)
		memcpy(o->buf + o->len, "...", 4);
	return o->buf;
}

static const char *const names[] = {"none", "starting", "healthy", "unhealthy"};

const char *health_status_name(enum health_status s)
{
	return names[s];
}

int health_status_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s && !strcmp(s, names[i]))
			return i;
	return -1;
}

const char *health_ps_word(enum health_status s)
{
	return s == HEALTH_STARTING ? "health: starting" : names[s];
}

static void add_time(cJSON *o, const char *k, int64_t ns, bool rfc3339)
{
	char t[48];
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000), .tv_nsec = ns % 1000000000};

	if (!rfc3339) {
		json_add_u64(o, k, (uint64_t)ns);
		return;
	}
	timefmt_rfc3339(t, sizeof(t), &ts, 9);
	cJSON_AddStringToObject(o, k, t);
}

cJSON *health_to_json(const struct health_state *h, bool rfc3339)
{
	cJSON *o = cJSON_CreateObject(), *log;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "Status", health_status_name(h->status));
	cJSON_AddNumberToObject(o, "FailingStreak", h->failing_streak);
	log = cJSON_AddArrayToObject(o, "Log");
	for (size_t i = 0; i < h->nlog; i++) {
		cJSON *e = cJSON_CreateObject();
		if (!e || !cJSON_AddItemToArray(log, e))
			break;
		add_time(e, "Start", h->log[i].start_ns, rfc3339);
		add_time(e, "End", h->log[i].end_ns, rfc3339);
		cJSON_AddNumberToObject(e, "ExitCode", h->log[i].exit_code);
		cJSON_AddStringToObject(e, "Output", h->log[i].output);
	}
	return o;
}

static int64_t num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

int health_from_json(const cJSON *o, struct health_state *h)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "Status"), *e;
	int s = cJSON_IsString(st) ? health_status_parse(st->valuestring) : -1;

	memset(h, 0, sizeof(*h));
	if (!cJSON_IsObject(o))
		return -1;
	h->status = s > HEALTH_NONE ? (enum health_status)s : HEALTH_UNHEALTHY;
	h->failing_streak = (int)num(o, "FailingStreak");
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(o, "Log"))
	{
		struct health_result *r = &h->log[h->nlog];
		const cJSON *out = cJSON_GetObjectItemCaseSensitive(e, "Output");
		if (h->nlog == HEALTH_LOG_MAX)
			break;
		r->start_ns = num(e, "Start");
		r->end_ns = num(e, "End");
		r->exit_code = (int)num(e, "ExitCode");
		snprintf(r->output, sizeof(r->output), "%s",
			 cJSON_IsString(out) ? out->valuestring : "");
		h->nlog++;
	}
	return 0;
}

/* v / 10^prec with the fraction's trailing zeros dropped: 1500,3 -> "1.5". */
static int fixed(char *buf, size_t size, uint64_t v, int prec)
{
	uint64_t p = 1;
	char f[24];
	int n;

	for (int i = 0; i < prec; i++)
		p *= 10;
	if (!(v % p))
		return snprintf(buf, size, "%llu", (unsigned long long)(v / p));
	n = snprintf(f, sizeof(f), "%0*llu", prec, (unsigned long long)(v % p));
	while (n > 0 && f[n - 1] == '0')
		f[--n] = '\0';
	return snprintf(buf, size, "%llu.%s", (unsigned long long)(v / p), f);
}

void health_go_duration(int64_t ns, char *buf, size_t size)
{
	uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	size_t n = 0;

	if (ns < 0 && size > 1)
		buf[n++] = '-';
	buf[n] = '\0';
	if (!u)
		snprintf(buf + n, size - n, "0s");
	else if (u < 1000)
		snprintf(buf + n, size - n, "%lluns", (unsigned long long)u);
	else if (u < 1000000)
		n += (size_t)fixed(buf + n, size - n, u, 3), snprintf(buf + n, size - n, "µs");
	else if (u < 1000000000)
		n += (size_t)fixed(buf + n, size - n, u, 6), snprintf(buf + n, size - n, "ms");
	else {
		uint64_t min = u / 60000000000ULL, h = min / 60;
		if (h)
			n += (size_t)snprintf(buf + n, size - n, "%lluh", (unsigned long long)h);
		if (min)
			n += (size_t)snprintf(buf + n, size - n, "%llum",
					      (unsigned long long)(min % 60));
		n += (size_t)fixed(buf + n, size - n, u % 60000000000ULL, 9);
		snprintf(buf + n, size - n, "s");
	}
}
