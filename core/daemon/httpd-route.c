/* httpd-route.c - match a request to a route: "{}" takes one path segment,
 * "{*}" one or more (image names hold slashes), the rest is literal. */
#include <string.h>

#include "core/daemon/httpd-priv.h"

struct caps {
	const char *start[HX_MAX_ARGS];
	size_t len[HX_MAX_ARGS];
	int n;
};

static int match(const char *pat, const char *path, struct caps *c)
{
	if (!*pat)
		return !*path;
	if (pat[0] == '{' && pat[1] == '}') {
		const char *end = strchr(path, '/');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		if (!n || c->n == HX_MAX_ARGS)
			return 0;
		c->start[c->n] = path;
		c->len[c->n++] = n;
		if (match(pat + 2, path + n, c))
			return 1;
		c->n--;
		return 0;
	}
	if (pat[0] == '{' && pat[1] == '*' && pat[2] == '}') {
		/* longest first, as greedy as gorilla/mux's {name:.*} */
		size_t n = strlen(path);
		if (c->n == HX_MAX_ARGS)
			return 0;
		for (; n > 0; n--) {
			c->start[c->n] = path;
			c->len[c->n++] = n;
			if (match(pat + 3, path + n, c))
				return 1;
			c->n--;
		}
		return 0;
	}
	return *pat == *path && match(pat + 1, path + 1, c);
}

const struct hroute *hsrv_route(struct hsrv *s, struct hx *x)
{
	struct hconn *hc = x->conn;
	const char *m = x->rq.method;

	if (!strcmp(m, "HEAD"))
		m = "GET";
	for (size_t i = 0; i < s->o.nroutes; i++) {
		const struct hroute *r = &s->o.routes[i];
		struct caps c = {.n = 0};
		size_t off = 0;

		if (strcmp(r->method, m) || !match(r->pattern, x->rq.path, &c))
			continue;
		for (int k = 0; k < c.n; k++) {
			if (off + c.len[k] + 1 > sizeof(hc->argbuf))
				return NULL;
			memcpy(hc->argbuf + off, c.start[k], c.len[k]);
			hc->argbuf[off + c.len[k]] = '\0';
			x->arg[k] = hc->argbuf + off;
			off += c.len[k] + 1;
		}
		return r;
	}
	return NULL;
}
