/* engine.c - the shared pieces of the daemon-backed commands (engine.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/applet.h"
#include "core/client/engine.h"
#include "timefmt.h"

bool eng_use_api(void)
{
	return tug_data_root == NULL;
}

int eng_connect(struct api_client *c)
{
	struct err e = {0};

	if (api_init(c, tug_host, &e) < 0 || api_ping(c, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	return 0;
}

int eng_fail(const struct err *e, int code)
{
	fprintf(stderr, "%s\n", e->msg);
	return code;
}

const char *eng_q(const char *s)
{
	static char bufs[4][1024];
	static int i;

	i = (i + 1) % 4;
	return api_escape(s, bufs[i], sizeof(bufs[i]));
}

const char *eng_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

double eng_num(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

char *eng_human_duration(int64_t s, char *buf, size_t size)
{
	return timefmt_human(s, buf, size);
}

int64_t eng_parse_time(const cJSON *v)
{
	long long t;

	if (cJSON_IsNumber(v))
		return (int64_t)v->valuedouble;
	if (cJSON_IsString(v) && timefmt_parse_rfc3339(v->valuestring, &t) == 0)
		return t;
	return -1;
}

char *eng_created_at(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d +0000 UTC", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}

static void indent(FILE *out, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("    ", out);
}

static void print_json_at(const cJSON *v, FILE *out, int depth)
{
	const cJSON *c;

	if ((!cJSON_IsObject(v) && !cJSON_IsArray(v)) || !v->child) {
		char *s = cJSON_IsObject(v) ? NULL : cJSON_PrintUnformatted(v);

		fputs(s ? s : cJSON_IsObject(v) ? "{}" : "[]", out);
		free(s);
		return;
	}
	fputs(cJSON_IsObject(v) ? "{\n" : "[\n", out);
	cJSON_ArrayForEach(c, v)
	{
		indent(out, depth + 1);
		if (cJSON_IsObject(v)) {
			cJSON *k = cJSON_CreateString(c->string);
			char *ks = cJSON_PrintUnformatted(k);

			fprintf(out, "%s: ", ks);
			free(ks);
			cJSON_Delete(k);
		}
		print_json_at(c, out, depth + 1);
		fputs(c->next ? ",\n" : "\n", out);
	}
	indent(out, depth);
	fputs(cJSON_IsObject(v) ? "}" : "]", out);
}

void eng_print_json(const cJSON *v, FILE *out)
{
	print_json_at(v, out, 0);
	fputc('\n', out);
}

int eng_each(struct api_client *c, int n, char **names,
	     int (*fn)(struct api_client *c, const char *name, void *ctx, struct err *e), void *ctx,
	     bool print)
{
	int rc = 0;

	for (int i = 0; i < n; i++) {
		struct err e = {0};

		if (fn(c, names[i], ctx, &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			rc = 1;
		} else if (print) {
			printf("%s\n", names[i]);
		}
	}
	return rc;
}
