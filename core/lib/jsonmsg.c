/* jsonmsg.c - Docker's JSON progress messages, byte for byte as dockerd
 * writes them (field order of Go's JSONMessage struct). */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "jsonmsg.h"

#define BAR_WIDTH 50

char *jsonmsg_size(int64_t n, char *buf, size_t size)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
	double v = (double)n;
	size_t i = 0;

	while (v >= 1000 && i + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		i++;
	}
	snprintf(buf, size, "%.4g%s", v, units[i]);
	return buf;
}

char *jsonmsg_bar(int64_t current, int64_t total, char *buf, size_t size)
{
	char cur[32], tot[32], box[BAR_WIDTH + 8];
	int fill;

	if (current <= 0 && total <= 0) {
		snprintf(buf, size, "%s", "");
		return buf;
	}
	if (total <= 0) {
		snprintf(buf, size, "%8s", jsonmsg_size(current, cur, sizeof(cur)));
		return buf;
	}
	/* Go: int(float64(cur)/float64(total)*100) / 2, at most 50 */
	fill = (int)((double)current / (double)total * 100) / 2;
	if (fill > BAR_WIDTH)
		fill = BAR_WIDTH;
	if (fill < 0)
		fill = 0;
	box[0] = '[';
	memset(box + 1, '=', (size_t)fill);
	box[1 + fill] = '>';
	memset(box + 2 + fill, ' ', (size_t)(BAR_WIDTH - fill));
	snprintf(box + 2 + BAR_WIDTH, sizeof(box) - 2 - BAR_WIDTH, "] ");
	snprintf(buf, size, "%s%8s/%s", box, jsonmsg_size(current, cur, sizeof(cur)),
		 jsonmsg_size(total, tot, sizeof(tot)));
	return buf;
}

cJSON *jsonmsg_status(const char *status, const char *id, bool detail)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddStringToObject(o, "status", status) ||
	    (detail && !cJSON_AddObjectToObject(o, "progressDetail")) ||
	    (id && !cJSON_AddStringToObject(o, "id", id))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *jsonmsg_progress(const char *status, const char *id, int64_t current, int64_t total)
{
	cJSON *o = cJSON_CreateObject(), *d;
	char bar[128];

	if (!o || !cJSON_AddStringToObject(o, "status", status) ||
	    !(d = cJSON_AddObjectToObject(o, "progressDetail")))
		goto fail;
	if ((current && !json_add_u64(d, "current", (uint64_t)current)) ||
	    (total && !json_add_u64(d, "total", (uint64_t)total)))
		goto fail;
	jsonmsg_bar(current, total, bar, sizeof(bar));
	if ((bar[0] && !cJSON_AddStringToObject(o, "progress", bar)) ||
	    (id && !cJSON_AddStringToObject(o, "id", id)))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

cJSON *jsonmsg_error(const char *msg)
{
	cJSON *o = cJSON_CreateObject(), *d;

	if (!o || !(d = cJSON_AddObjectToObject(o, "errorDetail")) ||
	    !cJSON_AddStringToObject(d, "message", msg) ||
	    !cJSON_AddStringToObject(o, "error", msg)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *jsonmsg_stream(const char *text)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddStringToObject(o, "stream", text)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

bool jsonmsg_rate_ok(struct jsonmsg_rate *r, int64_t now_ms, int64_t interval_ms)
{
	if (r->sent && now_ms - r->last_ms < interval_ms)
		return false;
	r->sent = true;
	r->last_ms = now_ms;
	return true;
}
