/* ref.c - the reference grammar of distribution/reference, checked by hand
 * (no regex engine in a static binary), with Docker Hub's normalization. */
#include <stdio.h>
#include <string.h>

#include "registry/ref.h"

#define DEFAULT_DOMAIN "docker.io"
#define LEGACY_DOMAIN "index.docker.io"
#define OFFICIAL_PREFIX "library/"
#define DOCKER_HUB_HOST "registry-1.docker.io"
#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

static const char bad_format[] = "invalid reference format";

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alnum(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return true;
	return false;
}

static bool span_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

/* [a-z0-9]+ ((?:[._]|__|-+) [a-z0-9]+)*: a separator never starts, ends
 * or doubles up (except "__" and runs of '-'). */
static bool path_component_ok(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (!lower_alnum(s[i]))
			return false;
		while (i < n && lower_alnum(s[i]))
			i++;
		if (i == n)
			return true;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i == n)
			return false;
	}
	return false; /* empty */
}

static bool path_ok(const char *s, size_t n)
{
	const char *end = s + n;

	for (;;) {
		const char *slash = memchr(s, '/', (size_t)(end - s));
		const char *stop = slash ? slash : end;

		if (!path_component_ok(s, (size_t)(stop - s)))
			return false;
		if (!slash)
			return true;
		s = slash + 1;
	}
}

/* One DNS label as Docker allows it: alphanumerics, inner dashes. */
static bool label_ok(const char *s, size_t n)
{
	if (n == 0 || !alnum(s[0]) || !alnum(s[n - 1]))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (!alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool port_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* host[:port], host a dotted name or a bracketed IPv6 address. */
static bool domain_ok(const char *s, size_t n)
{
	size_t i = 0, start;

	if (n > 0 && s[0] == '[') {
		for (i = 1; i < n && (hex_digit(s[i]) || s[i] == ':'); i++)
			;
		if (i == 1 || i == n || s[i] != ']')
			return false;
		i++;
	} else {
		for (start = 0; i <= n; i++) {
			if (i < n && s[i] != '.' && s[i] != ':')
				continue;
			if (!label_ok(s + start, i - start))
				return false;
			if (i == n || s[i] == ':')
				break;
			start = i + 1;
		}
	}
	if (i == n)
		return true;
	return s[i] == ':' && port_ok(s + i + 1, n - i - 1);
}

/* [\w][\w.-]{0,127} */
static bool tag_ok(const char *s, size_t n)
{
	if (n == 0 || n > TAG_MAX_LEN || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

static bool is_image_id(const char *s)
{
	size_t n = strlen(s);

	if (n != DIGEST_HEX_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!lower_alnum(s[i]) || s[i] > 'f')
			return false;
	return true;
}

/* Docker's splitDockerDomain: the domain (*dom, *dlen), where the name
 * starts after it, and whether Docker Hub's "library/" goes in front. */
static const char *split_domain(const char *s, const char **dom, size_t *dlen, bool *library)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : 0;
	const char *rest = s;

	*dom = DEFAULT_DOMAIN;
	if (slash && span_is(s, n, LEGACY_DOMAIN)) {
		rest = slash + 1;
	} else if (slash && (span_is(s, n, "localhost") || memchr(s, '.', n) || memchr(s, ':', n) ||
			     has_upper(s, n))) {
		*dom = s;
		rest = slash + 1;
	}
	*dlen = *dom == s ? n : strlen(*dom);
	*library = span_is(*dom, *dlen, DEFAULT_DOMAIN) && !strchr(rest, '/');
	return rest;
}

/* The parts, once checked, into r: the tag defaults to "latest" only when
 * neither a tag nor a digest was given (TagNameOnly). */
static void fill(struct reg_ref *r, const char *dom, size_t dlen, bool library, const char *path,
		 size_t plen, const char *tag, size_t tlen, const char *digest)
{
	memcpy(r->domain, dom, dlen);
	snprintf(r->path, sizeof(r->path), "%s%.*s", library ? OFFICIAL_PREFIX : "", (int)plen,
		 path);
	memcpy(r->tag, tag, tlen);
	if (digest)
		snprintf(r->digest, sizeof(r->digest), "%s", digest);
	else if (!tlen)
		r->tag_implied = true;
	if (r->tag_implied)
		strcpy(r->tag, "latest");
}

int reg_ref_parse(struct reg_ref *r, const char *s, struct err *e)
{
	const char *rest, *dom, *at, *colon, *digest = NULL, *tag = "";
	size_t dlen, plen, tlen = 0, remote;
	bool library;

	memset(r, 0, sizeof(*r));
	if (!s)
		s = "";
	if (is_image_id(s))
		return err_set(e,
			       "invalid repository name (%s), cannot specify 64-byte hexadecimal "
			       "strings",
			       s);
	rest = split_domain(s, &dom, &dlen, &library);
	/* Docker checks case up to the first ':' of the rest, digest included. */
	remote = strcspn(rest, ":");
	if (has_upper(rest, remote))
		return err_set(e, "%s: repository name (%s%.*s) must be lowercase", bad_format,
			       library ? OFFICIAL_PREFIX : "", (int)remote, rest);
	at = strchr(rest, '@');
	plen = at ? (size_t)(at - rest) : strlen(rest);
	colon = memchr(rest, ':', plen);
	if (colon) {
		tag = colon + 1;
		tlen = plen - (size_t)(tag - rest);
		plen = (size_t)(colon - rest);
	}
	if (at)
		digest = at + 1;
	if (!domain_ok(dom, dlen) || !path_ok(rest, plen) || (colon && !tag_ok(tag, tlen)) ||
	    (digest && (!strchr(digest, ':') || strchr(digest, '@'))))
		return err_set(e, "%s", bad_format);
	if (dlen + 1 + (library ? strlen(OFFICIAL_PREFIX) : 0) + plen > NAME_MAX_LEN)
		return err_set(e, "repository name must not be more than %d characters",
			       NAME_MAX_LEN);
	if (digest && digest_check(digest, bad_format, e) < 0)
		return -1;
	fill(r, dom, dlen, library, rest, plen, tag, tlen, digest);
	return 0;
}

char *reg_ref_name(const struct reg_ref *r, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", r->domain, r->path);
	return buf;
}

static char *with_suffix(const struct reg_ref *r, char *buf, size_t n)
{
	size_t len = strlen(buf);

	if (len >= n)
		return buf;
	snprintf(buf + len, n - len, "%s%s%s%s", r->tag[0] ? ":" : "", r->tag,
		 r->digest[0] ? "@" : "", r->digest);
	return buf;
}

char *reg_ref_string(const struct reg_ref *r, char *buf, size_t n)
{
	return with_suffix(r, reg_ref_name(r, buf, n), n);
}

char *reg_ref_familiar_name(const struct reg_ref *r, char *buf, size_t n)
{
	const char *p = r->path;
	size_t lib = strlen(OFFICIAL_PREFIX);

	size_t first = strcspn(p, "/");

	/* Docker would show docker.io/a.b/c as "a.b/c", which reads back as a
	 * name on host a.b; Docker Hub has no such names, but keep the domain. */
	if (strcmp(r->domain, DEFAULT_DOMAIN) != 0 ||
	    (p[first] &&
	     (memchr(p, '.', first) || memchr(p, ':', first) || span_is(p, first, "localhost"))))
		return reg_ref_name(r, buf, n);
	if (strncmp(p, OFFICIAL_PREFIX, lib) == 0 && !strchr(p + lib, '/'))
		p += lib;
	snprintf(buf, n, "%s", p);
	return buf;
}

char *reg_ref_familiar(const struct reg_ref *r, char *buf, size_t n)
{
	return with_suffix(r, reg_ref_familiar_name(r, buf, n), n);
}

const char *reg_ref_registry_host(const struct reg_ref *r)
{
	return strcmp(r->domain, DEFAULT_DOMAIN) == 0 ? DOCKER_HUB_HOST : r->domain;
}

bool reg_ref_is_id_prefix(const char *s)
{
	size_t n;

	if (!s)
		return false;
	if (strncmp(s, "sha256:", 7) == 0)
		s += 7;
	n = strlen(s);
	if (n == 0 || n > DIGEST_HEX_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!lower_alnum(s[i]) || s[i] > 'f')
			return false;
	return true;
}
