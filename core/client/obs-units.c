/* obs-units.c - sizes as go-units prints them (HumanSize, BytesSize), the
 * docker CLI's stats arithmetic over Docker's stats JSON and its filters. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client/obs.h"

char *obs_size(double v, int prec, bool binary, char *buf, size_t size)
{
	static const char *const dec[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
	static const char *const bin[] = {"B",   "KiB", "MiB", "GiB", "TiB",
					  "PiB", "EiB", "ZiB", "YiB"};
	double base = binary ? 1024 : 1000;
	size_t i = 0;

	while (v >= base && i < 8) {
		v /= base;
		i++;
	}
	snprintf(buf, size, "%.*g%s", prec, v, binary ? bin[i] : dec[i]);
	return buf;
}

static const cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

double obs_cpu_percent(const cJSON *s)
{
	const cJSON *cpu = get(s, "cpu_stats"), *pre = get(s, "precpu_stats");
	double cpu_delta = num(get(cpu, "cpu_usage"), "total_usage") -
			   num(get(pre, "cpu_usage"), "total_usage");
	double sys_delta = num(cpu, "system_cpu_usage") - num(pre, "system_cpu_usage");
	double online = num(cpu, "online_cpus");

	/* older daemons: as many CPUs as per-CPU counters */
	if (online == 0)
		online = cJSON_GetArraySize(get(get(cpu, "cpu_usage"), "percpu_usage"));
	if (sys_delta > 0 && cpu_delta > 0)
		return cpu_delta / sys_delta * online * 100.0;
	return 0;
}

double obs_mem_usage(const cJSON *m)
{
	const cJSON *st = get(m, "stats"), *v1 = get(st, "total_inactive_file");
	double usage = num(m, "usage");

	/* the page cache that can be dropped is not counted: cgroup v1 says
	 * total_inactive_file, v2 inactive_file */
	if (cJSON_IsNumber(v1) && v1->valuedouble < usage)
		return usage - v1->valuedouble;
	if (num(st, "inactive_file") < usage)
		return usage - num(st, "inactive_file");
	return usage;
}

void obs_stats_calc(const cJSON *s, struct obs_stats *o)
{
	const cJSON *it, *mem = get(s, "memory_stats");

	memset(o, 0, sizeof(*o));
	o->cpu_pct = obs_cpu_percent(s);
	o->mem = obs_mem_usage(mem);
	o->mem_limit = num(mem, "limit");
	if (o->mem_limit != 0)
		o->mem_pct = o->mem / o->mem_limit * 100.0;
	cJSON_ArrayForEach(it, get(get(s, "blkio_stats"), "io_service_bytes_recursive"))
	{
		const char *op = cJSON_IsString(get(it, "op")) ? get(it, "op")->valuestring : "";

		if (*op == 'r' || *op == 'R')
			o->blk_read += num(it, "value");
		else if (*op == 'w' || *op == 'W')
			o->blk_write += num(it, "value");
	}
	cJSON_ArrayForEach(it, get(s, "networks"))
	{
		o->net_rx += num(it, "rx_bytes");
		o->net_tx += num(it, "tx_bytes");
	}
	o->pids = (uint64_t)num(get(s, "pids_stats"), "current");
}

/* Trimmed [s, s+n) as a new string. */
static char *trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}

int obs_filters_json(const char *const *v, size_t n, const char *flag, char **out, struct err *e)
{
	cJSON *f = cJSON_CreateObject();

	if (out)
		*out = NULL;
	for (size_t i = 0; f && i < n; i++) {
		const char *eq = strchr(v[i], '=');
		char *key, *val;
		cJSON *set;

		if (!eq) {
			cJSON_Delete(f);
			return err_set(
				e,
				"invalid argument \"%s\" for \"%s\" flag: bad format of filter "
				"(expected name=value)",
				v[i], flag);
		}
		key = trimmed(v[i], (size_t)(eq - v[i]));
		val = trimmed(eq + 1, strlen(eq + 1));
		for (char *p = key; p && *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (key && val && !(set = cJSON_GetObjectItemCaseSensitive(f, key)))
			set = cJSON_AddObjectToObject(f, key);
		if (key && val && set && !cJSON_GetObjectItemCaseSensitive(set, val))
			cJSON_AddTrueToObject(set, val);
		free(key);
		free(val);
	}
	if (out && f && f->child)
		*out = cJSON_PrintUnformatted(f);
	cJSON_Delete(f);
	return 0;
}
