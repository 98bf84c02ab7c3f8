/* ctr-logcfg.c - a container's log settings: HostConfig.LogConfig
 * ({"Type":"json-file","Config":{"max-size":"10m","max-file":"3"}}) over
 * the daemon's log-driver and log-opts. */
#include <stdlib.h>
#include <string.h>

#include "core/daemon/ctr-priv.h"

static const char *opt(const struct ctr *c, const char *key)
{
	const cJSON *lc = cJSON_GetObjectItemCaseSensitive(c->host_config, "LogConfig");
	const cJSON *cfg = lc ? cJSON_GetObjectItemCaseSensitive(lc, "Config") : NULL;
	const cJSON *v = cfg ? cJSON_GetObjectItemCaseSensitive(cfg, key) : NULL;

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *ctr_log_driver(struct daemon *d, const struct ctr *c)
{
	const cJSON *lc = cJSON_GetObjectItemCaseSensitive(c->host_config, "LogConfig");
	const cJSON *t = lc ? cJSON_GetObjectItemCaseSensitive(lc, "Type") : NULL;

	return cJSON_IsString(t) && *t->valuestring ? t->valuestring : d->log_driver;
}

/* "10m" -> bytes (Docker's units.RAMInBytes: k, m, g, with or without b). */
int64_t ctr_size_parse(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	int64_t mult = 1;

	switch (*end | 0x20) {
	case 'k': mult = 1024; break;
	case 'm': mult = 1024 * 1024; break;
	case 'g': mult = 1024LL * 1024 * 1024; break;
	default: break;
	}
	return v < 0 ? -1 : (int64_t)(v * (double)mult);
}

int64_t ctr_log_max_size(struct daemon *d, const struct ctr *c)
{
	const char *v = opt(c, "max-size");

	return v ? ctr_size_parse(v) : d->log_max_size;
}

int ctr_log_max_file(struct daemon *d, const struct ctr *c)
{
	const char *v = opt(c, "max-file");
	int n = v ? atoi(v) : d->log_max_file;

	return n > 0 ? n : 1;
}
