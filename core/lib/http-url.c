/* http-url.c - http and https URLs: parse, resolve a redirect's Location
 * against the URL that answered, format back. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* Bytes that would break the request line or smuggle a header. */
static bool bad_url_char(unsigned char ch)
{
	return ch <= 0x20 || ch == 0x7f;
}

static int parse_host(struct http_url *u, const char *s, size_t n, struct err *e)
{
	unsigned char a6[16];
	const char *colon = NULL;
	size_t hl;

	if (n && s[0] == '[') {
		const char *rb = memchr(s, ']', n);
		hl = rb ? (size_t)(rb - s - 1) : 0;
		if (!rb || hl == 0 || hl >= sizeof(u->host))
			return err_set(e, "bad IPv6 address in URL host \"%.*s\"", (int)n, s);
		memcpy(u->host, s + 1, hl);
		u->host[hl] = '\0';
		if (inet_pton(AF_INET6, u->host, a6) != 1)
			return err_set(e, "bad IPv6 address in URL host \"%.*s\"", (int)n, s);
		if (rb + 1 < s + n && rb[1] != ':')
			return err_set(e, "junk after the IPv6 address in \"%.*s\"", (int)n, s);
		colon = rb + 1 < s + n ? rb + 1 : NULL;
	} else {
		colon = memchr(s, ':', n);
		hl = colon ? (size_t)(colon - s) : n;
		if (hl == 0)
			return err_set(e, "URL without a host");
		if (hl >= sizeof(u->host))
			return err_set(e, "URL host too long");
		for (size_t i = 0; i < hl; i++)
			if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			      (s[i] >= '0' && s[i] <= '9') || strchr("-._~%", s[i])))
				return err_set(e, "bad character '%c' in URL host \"%.*s\"", s[i],
					       (int)n, s);
		memcpy(u->host, s, hl);
		u->host[hl] = '\0';
	}
	u->port = u->tls ? 443 : 80;
	if (colon) {
		const char *p = colon + 1, *end = s + n;
		unsigned port = 0;
		if (p == end)
			return 0; /* "host:" means the default port (RFC 3986 3.2.3) */
		for (; p < end; p++) {
			if (*p < '0' || *p > '9' ||
			    (port = port * 10 + (unsigned)(*p - '0')) > 65535)
				return err_set(e, "bad port in URL host \"%.*s\"", (int)n, s);
		}
		if (!port)
			return err_set(e, "bad port in URL host \"%.*s\"", (int)n, s);
		u->port = port;
	}
	return 0;
}

static int set_path(struct http_url *u, const char *p, size_t n, struct err *e)
{
	if (n + 2 > sizeof(u->path))
		return err_set(e, "URL path longer than %zu bytes", sizeof(u->path) - 2);
	if (n == 0 || p[0] != '/') {
		u->path[0] = '/';
		memcpy(u->path + 1, p, n);
		u->path[n + 1] = '\0';
	} else {
		memcpy(u->path, p, n);
		u->path[n] = '\0';
	}
	return 0;
}

/* Remove "." and ".." segments in place (RFC 3986 5.2.4), query untouched. */
static void remove_dots(char *path)
{
	char *q = strchr(path, '?');
	char out[sizeof(((struct http_url *)0)->path)];
	size_t o = 0, plen = q ? (size_t)(q - path) : strlen(path);
	const char *p = path, *end = path + plen;

	while (p < end) {
		const char *seg = p + 1, *next = memchr(seg, '/', (size_t)(end - seg));
		size_t sl;
		if (!next)
			next = end;
		sl = (size_t)(next - seg);
		if (sl == 1 && seg[0] == '.') {
			if (next == end)
				out[o++] = '/';
		} else if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
			while (o > 0 && out[--o] != '/')
				;
			if (next == end)
				out[o++] = '/';
		} else {
			out[o++] = '/';
			memcpy(out + o, seg, sl);
			o += sl;
		}
		p = next;
	}
	if (o == 0)
		out[o++] = '/';
	memmove(path + o, path + plen, strlen(path + plen) + 1);
	memcpy(path, out, o);
}

/* A reference without scheme and host: "/abs", "rel", "?q", resolved
 * against base (RFC 3986 5.2.2, without fragments). */
static int resolve_relative(struct http_url *u, const char *s, size_t n,
			    const struct http_url *base, struct err *e)
{
	char tmp[sizeof(u->path)];
	size_t dl;

	*u = *base;
	if (n && s[0] == '/')
		return set_path(u, s, n, e);
	if (n && s[0] == '?') {
		dl = strcspn(base->path, "?");
	} else {
		const char *q = memchr(base->path, '?', strlen(base->path));
		size_t bl = q ? (size_t)(q - base->path) : strlen(base->path);
		dl = bl;
		while (dl > 0 && base->path[dl - 1] != '/')
			dl--;
	}
	if (dl + n + 1 > sizeof(tmp))
		return err_set(e, "URL path longer than %zu bytes", sizeof(tmp) - 2);
	memcpy(tmp, base->path, dl);
	memcpy(tmp + dl, s, n);
	return set_path(u, tmp, dl + n, e);
}

int http_url_parse(struct http_url *u, const char *s, const struct http_url *base, struct err *e)
{
	size_t n = strcspn(s, "#"), hn;
	const char *auth;

	for (size_t i = 0; i < n; i++)
		if (bad_url_char((unsigned char)s[i]))
			return err_set(e, "URL \"%.80s\": space or control character", s);
	memset(u, 0, sizeof(*u));
	if (strncasecmp(s, "http://", 7) == 0) {
		auth = s + 7;
	} else if (strncasecmp(s, "https://", 8) == 0) {
		u->tls = true;
		auth = s + 8;
	} else if (base && strncmp(s, "//", 2) == 0) {
		u->tls = base->tls;
		auth = s + 2;
	} else if (base && !memchr(s, ':', strcspn(s, "/?"))) {
		if (resolve_relative(u, s, n, base, e) < 0)
			return err_wrap(e, "URL \"%.80s\"", s);
		remove_dots(u->path);
		return 0;
	} else {
		return err_set(e, "URL \"%.80s\": not http:// or https://", s);
	}
	hn = strcspn(auth, "/?#");
	if (memchr(auth, '@', hn))
		return err_set(e, "URL \"%.80s\": credentials in URLs are not supported", s);
	if (parse_host(u, auth, hn, e) < 0 ||
	    set_path(u, auth + hn, n - (size_t)(auth + hn - s), e))
		return err_wrap(e, "URL \"%.80s\"", s);
	remove_dots(u->path);
	return 0;
}

size_t http_url_hostport(const struct http_url *u, char *buf, size_t size, bool always_port)
{
	bool v6 = strchr(u->host, ':') != NULL;
	int n;

	if (!always_port && u->port == (u->tls ? 443u : 80u))
		n = snprintf(buf, size, v6 ? "[%s]" : "%s", u->host);
	else
		n = snprintf(buf, size, v6 ? "[%s]:%u" : "%s:%u", u->host, u->port);
	return n < 0 ? 0 : (size_t)n;
}

size_t http_url_format(const struct http_url *u, char *buf, size_t size)
{
	char hp[300];
	int n;

	http_url_hostport(u, hp, sizeof(hp), false);
	n = snprintf(buf, size, "%s://%s%s", u->tls ? "https" : "http", hp, u->path);
	return n < 0 ? 0 : (size_t)n;
}
