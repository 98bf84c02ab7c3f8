/* api-call.c - the Engine API calls built on api_do: version negotiation,
 * JSON in and out, the hijacked stream of attach and exec, escaping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client/api.h"
#include "json.h"

/* "1.41" < "1.47": compare major, then minor, numerically. */
static int version_cmp(const char *a, const char *b)
{
	long am = strtol(a, (char **)&a, 10), bm = strtol(b, (char **)&b, 10);

	if (am != bm)
		return am < bm ? -1 : 1;
	am = *a == '.' ? strtol(a + 1, NULL, 10) : 0;
	bm = *b == '.' ? strtol(b + 1, NULL, 10) : 0;
	return am < bm ? -1 : am > bm;
}

int api_ping(struct api_client *c, struct err *e)
{
	struct api_resp r;
	const char *v, *srv;

	if (c->version[0])
		return 0;
	if (api_do(c, "HEAD", "/_ping", NULL, NULL, 0, NULL, &r, e) < 0)
		return -1;
	v = http_header(&r.h, "Api-Version");
	srv = http_header(&r.h, "Server");
	snprintf(c->server_version, sizeof(c->server_version), "%s", v ? v : "");
	snprintf(c->server, sizeof(c->server), "%s", srv ? srv : "");
	if (r.status >= 400 && !v) {
		api_end(c, &r);
		return err_set(e, "Error response from daemon: ping: %d %s", r.status, r.h.reason);
	}
	api_end(c, &r);
	snprintf(c->version, sizeof(c->version), "%s",
		 v && version_cmp(v, API_VERSION_MAX) < 0 ? v : API_VERSION_MAX);
	return 0;
}

int api_json(struct api_client *c, const char *method, const char *path, const cJSON *body,
	     cJSON **out, struct err *e)
{
	struct api_resp r;
	char *text = NULL, *resp = NULL;
	size_t tlen = 0, rlen;
	int rc = -1;

	if (out)
		*out = NULL;
	if (body && json_print(body, false, &text, &tlen, e) < 0)
		return -1;
	if (api_do(c, method, path, NULL, text, tlen, NULL, &r, e) < 0)
		goto out;
	if (r.status >= 400) {
		api_error(&r, e);
	} else if (api_read_all(&r, 64 << 20, &resp, &rlen, e) == 0) {
		rc = r.status;
		if (out && rlen && json_parse(resp, rlen, out, e) < 0)
			rc = err_wrap(e, "%s %s: the daemon's answer", method, path);
	}
	api_end(c, &r);
out:
	free(resp);
	free(text);
	return rc;
}

int api_hijack(struct api_client *c, const char *path, const char *ctype, const void *body,
	       size_t blen, struct api_conn **conn, struct err *e)
{
	static const char *const up[] = {"Connection: Upgrade", "Upgrade: tcp", NULL};
	struct api_client own = *c;
	struct api_resp r;

	/* a connection of its own: never the kept-alive one */
	own.idle = NULL;
	if (api_do(&own, "POST", path, ctype ? ctype : "text/plain", body ? body : "", blen, up, &r,
		   e) < 0)
		return -1;
	if (r.status >= 400) {
		api_error(&r, e);
		api_conn_free(r.conn);
		return -1;
	}
	if (r.status != 101 && r.status != 200) {
		api_conn_free(r.conn);
		return err_set(e, "POST %s: expected 101 Switching Protocols, got %d", path,
			       r.status);
	}
	*conn = r.conn;
	return 0;
}

const char *api_escape(const char *s, char *buf, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s && n + 4 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch)) {
			buf[n++] = (char)ch;
		} else {
			buf[n++] = '%';
			buf[n++] = hex[ch >> 4];
			buf[n++] = hex[ch & 15];
		}
	}
	buf[n] = '\0';
	return buf;
}
