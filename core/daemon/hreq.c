/* hreq.c - request heads parsed in place. An API client may be hostile:
 * every field is checked, and what request smuggling needs (two lengths,
 * a coding other than chunked, obs-fold, a space before a colon) is refused. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/daemon/hreq.h"
#include "http-parse.h"

#define TARGET_MAX 8192

static bool is_tchar(unsigned char ch)
{
	return isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* Cut the next line out of [*p, end) and NUL-terminate it; refuse control
 * characters (a bare CR inside a line, NULs). */
static int next_line(char **p, char *end, char **line)
{
	char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s)), *stop;

	if (!nl)
		return -1;
	stop = nl > s && nl[-1] == '\r' ? nl - 1 : nl;
	for (char *q = s; q < stop; q++) {
		unsigned char ch = (unsigned char)*q;
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return -1;
	}
	*stop = '\0';
	*line = s;
	*p = nl + 1;
	return 0;
}

int hreq_unescape(char *s, bool plus_is_space)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (*r == '%') {
			if (!isxdigit((unsigned char)r[1]) || !isxdigit((unsigned char)r[2]))
				return -1;
			char hex[3] = {r[1], r[2], 0};
			*w = (char)strtol(hex, NULL, 16);
			if (!*w)
				return -1;
			w++;
			r += 2;
		} else {
			*w++ = plus_is_space && *r == '+' ? ' ' : *r;
		}
	}
	*w = '\0';
	return 0;
}

/* "/v1.47/containers/json" -> version 1.47, path "/containers/json". */
static void split_version(struct hreq *rq)
{
	char *p = rq->path, *end;
	long maj, min;

	if (p[0] != '/' || p[1] != 'v' || !isdigit((unsigned char)p[2]))
		return;
	maj = strtol(p + 2, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return;
	min = strtol(end + 1, &end, 10);
	if (*end != '/' && *end)
		return;
	rq->api_major = maj > 1000 ? 1000 : (int)maj;
	rq->api_minor = min > 1000 ? 1000 : (int)min;
	rq->path = *end ? end : (char *)"/";
}

static int parse_request_line(char *line, struct hreq *rq, struct err *e)
{
	char *sp1 = strchr(line, ' '), *sp2;

	if (!sp1 || sp1 == line)
		return err_set(e, "malformed request line"), 400;
	*sp1 = '\0';
	for (char *m = line; *m; m++)
		if (!is_tchar((unsigned char)*m))
			return err_set(e, "malformed request method"), 400;
	sp2 = strrchr(sp1 + 1, ' ');
	if (!sp2 || sp2 == sp1 + 1)
		return err_set(e, "malformed request line"), 400;
	*sp2 = '\0';
	if (strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)sp2[8]) || sp2[9])
		return err_set(e, "unsupported HTTP version"),
		       strncmp(sp2 + 1, "HTTP/", 5) ? 400 : 505;
	rq->method = line;
	rq->target = sp1 + 1;
	rq->minor = sp2[8] - '0';
	if (strlen(rq->target) > TARGET_MAX)
		return err_set(e, "request target too long"), 414;
	if (rq->target[0] != '/' || strchr(rq->target, ' '))
		return err_set(e, "malformed request target"), 400;
	return 0;
}

static int parse_field(char *line, struct hreq *rq, struct err *e)
{
	char *colon = strchr(line, ':'), *v, *end;

	if (line[0] == ' ' || line[0] == '\t')
		return err_set(e, "folded header line"), 400;
	if (!colon || colon == line)
		return err_set(e, "malformed header line"), 400;
	for (char *q = line; q < colon; q++)
		if (!is_tchar((unsigned char)*q))
			return err_set(e, "malformed header name"), 400;
	if (rq->nheaders == HREQ_MAX_HEADERS)
		return err_set(e, "too many header fields"), 431;
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	rq->headers[rq->nheaders].name = line;
	rq->headers[rq->nheaders++].value = v;
	return 0;
}

/* Content-Length, Transfer-Encoding, Connection, Upgrade, Expect. */
static int framing(struct hreq *rq, struct err *e)
{
	const char *te = NULL, *conn = hreq_header(rq, "Connection"), *up;

	rq->content_length = -1;
	for (size_t i = 0; i < rq->nheaders; i++) {
		const char *n = rq->headers[i].name, *v = rq->headers[i].value;
		if (!strcasecmp(n, "Transfer-Encoding")) {
			if (te)
				return err_set(e, "repeated Transfer-Encoding"), 400;
			te = v;
		} else if (!strcasecmp(n, "Content-Length")) {
			char *end;
			long long cl;
			if (!isdigit((unsigned char)*v))
				return err_set(e, "invalid Content-Length"), 400;
			cl = strtoll(v, &end, 10);
			if (*end || cl < 0 || (rq->content_length >= 0 && rq->content_length != cl))
				return err_set(e, "invalid Content-Length"), 400;
			rq->content_length = cl;
		}
	}
	if (te) {
		if (strcasecmp(te, "chunked") != 0)
			return err_set(e, "unsupported transfer encoding: \"%.40s\"", te), 501;
		if (rq->content_length >= 0)
			return err_set(e, "both Content-Length and Transfer-Encoding"), 400;
		rq->chunked = true;
	}
	rq->keep_alive = rq->minor >= 1 ? !(conn && http_token_in(conn, "close"))
					: (conn && http_token_in(conn, "keep-alive"));
	up = hreq_header(rq, "Upgrade");
	rq->upgrade = conn && http_token_in(conn, "upgrade") && up && http_token_in(up, "tcp");
	up = hreq_header(rq, "Expect");
	rq->expect_continue = up && !strcasecmp(up, "100-continue");
	return 0;
}

int hreq_parse(char *buf, size_t len, struct hreq *rq, struct err *e)
{
	char *p = buf, *end = buf + len, *line, *q;
	int st;

	memset(rq, 0, sizeof(*rq));
	/* RFC 9112 2.2: ignore empty lines before the request line. */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	if (next_line(&p, end, &line) < 0)
		return err_set(e, "malformed request line"), 400;
	if ((st = parse_request_line(line, rq, e)))
		return st;
	for (;;) {
		if (next_line(&p, end, &line) < 0)
			return err_set(e, "malformed header line"), 400;
		if (!*line)
			break;
		if ((st = parse_field(line, rq, e)))
			return st;
	}
	if ((st = framing(rq, e)))
		return st;
	/* The path is cut from the query and decoded in place: target
	 * becomes the decoded path too. */
	q = strchr(rq->target, '?');
	if (q) {
		*q = '\0';
		rq->query = q + 1;
	} else {
		rq->query = rq->target + strlen(rq->target);
	}
	rq->path = rq->target;
	if (hreq_unescape(rq->path, false) < 0)
		return err_set(e, "malformed escape in the request path"), 400;
	split_version(rq);
	return 0;
}

const char *hreq_header(const struct hreq *rq, const char *name)
{
	for (size_t i = 0; i < rq->nheaders; i++)
		if (!strcasecmp(rq->headers[i].name, name))
			return rq->headers[i].value;
	return NULL;
}

/* Walk "a=1&b=2": calls fn(value) for each key == name (decoded copy). */
static int query_walk(const char *query, const char *name, int (*fn)(const char *, void *),
		      void *arg)
{
	const char *p = query;

	while (*p) {
		const char *amp = strchr(p, '&'), *stop = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		const char *kend = eq ? eq : stop;
		char key[128], val[4096];
		size_t kl = (size_t)(kend - p), vl = eq ? (size_t)(stop - eq - 1) : 0;
		int r;

		if (kl < sizeof(key) && vl < sizeof(val)) {
			memcpy(key, p, kl);
			key[kl] = '\0';
			if (hreq_unescape(key, true) == 0 && !strcmp(key, name)) {
				if (eq)
					memcpy(val, eq + 1, vl);
				val[vl] = '\0';
				if (hreq_unescape(val, true) == 0 && (r = fn(val, arg)))
					return r;
			}
		}
		p = amp ? amp + 1 : stop;
	}
	return 0;
}

struct first {
	char *buf;
	size_t size;
};

static int take_first(const char *v, void *arg)
{
	struct first *f = arg;
	size_t n = strlen(v);

	if (f->size) {
		if (n >= f->size)
			n = f->size - 1;
		memcpy(f->buf, v, n);
		f->buf[n] = '\0';
	}
	return 1;
}

int hreq_query(const struct hreq *rq, const char *name, char *buf, size_t size)
{
	struct first f = {buf, size};

	return query_walk(rq->query, name, take_first, &f) ? 1 : 0;
}

int hreq_query_each(const struct hreq *rq, const char *name, int (*fn)(const char *, void *),
		    void *arg)
{
	return query_walk(rq->query, name, fn, arg);
}

bool hreq_query_bool(const struct hreq *rq, const char *name, bool def)
{
	static const char *const no[] = {"", "0", "no", "false", "none"};
	char v[16], *s = v, *end;

	if (!hreq_query(rq, name, v, sizeof(v)))
		return def;
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!strcasecmp(s, no[i]))
			return false;
	return true;
}

int hreq_query_int(const struct hreq *rq, const char *name, long long def, long long *out,
		   struct err *e)
{
	char v[32], *end;

	*out = def;
	if (!hreq_query(rq, name, v, sizeof(v)) || !v[0])
		return 0;
	*out = strtoll(v, &end, 10);
	if (*end)
		return err_set(e, "invalid value for %s: \"%s\"", name, v);
	return 0;
}
