/* auth.c - challenges, credential files, token answers: the parts of
 * registry auth that are parsing, kept apart from the HTTP that uses them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "json.h"
#include "registry/auth.h"

/* One auth-param value: a token or a quoted string with \ escapes. */
static const char *param_value(const char *p, char *out, size_t size, struct err *e)
{
	size_t n = 0;

	if (*p != '"') {
		while (*p && *p != ',' && *p != ' ' && *p != '\t')
			if (n + 1 < size)
				out[n++] = *p++;
			else
				return err_set(e, "auth challenge: value too long"), NULL;
		out[n] = '\0';
		return p;
	}
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		if (n + 1 >= size)
			return err_set(e, "auth challenge: value too long"), NULL;
		out[n++] = *p;
	}
	if (*p != '"')
		return err_set(e, "auth challenge: unterminated quoted string"), NULL;
	out[n] = '\0';
	return p + 1;
}

static char *param_slot(struct reg_challenge *c, const char *name, size_t len, size_t *size)
{
	static char ignored[1024];

#define SLOT(field)                                                                                \
	if (len == sizeof(#field) - 1 && !strncasecmp(name, #field, len))                          \
		return *size = sizeof(c->field), c->field;
	SLOT(realm)
	SLOT(service)
	SLOT(scope)
	SLOT(error)
#undef SLOT
	*size = sizeof(ignored);
	return ignored;
}

static int parse_params(const char *p, struct reg_challenge *c, struct err *e)
{
	while (*p) {
		const char *name;
		size_t len, size;
		char *slot;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		name = p;
		while (*p && *p != '=' && *p != ' ' && *p != ',')
			p++;
		len = (size_t)(p - name);
		if (*p != '=')
			return err_set(e, "auth challenge: parameter \"%.*s\" has no value",
				       (int)len, name);
		slot = param_slot(c, name, len, &size);
		if (!(p = param_value(p + 1, slot, size, e)))
			return -1;
	}
	return 0;
}

int reg_challenge_parse(const char *value, struct reg_challenge *c, struct err *e)
{
	const char *p = value;
	size_t len;

	memset(c, 0, sizeof(*c));
	while (*p == ' ')
		p++;
	len = strcspn(p, " ");
	if (len == 6 && !strncasecmp(p, "bearer", 6))
		c->scheme = REG_AUTH_BEARER;
	else if (len == 5 && !strncasecmp(p, "basic", 5))
		c->scheme = REG_AUTH_BASIC;
	else
		return err_set(e,
			       "auth challenge: unsupported scheme \"%.*s\" (Bearer and Basic are)",
			       (int)(len > 32 ? 32 : len), p);
	if (parse_params(p + len, c, e) < 0)
		return -1;
	if (c->scheme == REG_AUTH_BEARER && !c->realm[0])
		return err_set(e, "auth challenge: Bearer without a realm");
	return 0;
}

int reg_creds_from_header(const char *value, struct reg_creds *c, struct err *e)
{
	size_t len = strlen(value);
	char *dec = malloc(len + 1);
	cJSON *o = NULL;
	const char *user = NULL, *pass = NULL, *tok = NULL;
	ssize_t n;
	int r = -1;

	if (!dec)
		return err_sys(e, ENOMEM, "X-Registry-Auth");
	n = base64_decode(value, len, dec, len + 1);
	if (n < 0) {
		err_set(e, "X-Registry-Auth: not base64");
		goto out;
	}
	if (json_parse(dec, (size_t)n, &o, e) < 0 || json_as_object(o, "X-Registry-Auth", e) < 0 ||
	    json_get_string(o, "X-Registry-Auth", "username", JSON_NOCASE, &user, e) < 0 ||
	    json_get_string(o, "X-Registry-Auth", "password", JSON_NOCASE, &pass, e) < 0 ||
	    json_get_string(o, "X-Registry-Auth", "identitytoken", JSON_NOCASE, &tok, e) < 0) {
		err_wrap(e, "X-Registry-Auth");
		goto out;
	}
	memset(c, 0, sizeof(*c));
	snprintf(c->user, sizeof(c->user), "%s", user ? user : "");
	snprintf(c->pass, sizeof(c->pass), "%s", pass ? pass : "");
	snprintf(c->identity_token, sizeof(c->identity_token), "%s", tok ? tok : "");
	r = 0;
out:
	cJSON_Delete(o);
	free(dec);
	return r;
}

int reg_token_parse(const char *body, size_t len, int64_t now, struct reg_token *t, struct err *e)
{
	cJSON *o = NULL;
	const char *tok = NULL, *access = NULL;
	int64_t expires_in = 0;
	int r = -1;

	memset(t, 0, sizeof(*t));
	if (json_parse(body, len, &o, e) < 0 || json_as_object(o, "token", e) < 0 ||
	    json_get_string(o, "token", "token", 0, &tok, e) < 0 ||
	    json_get_string(o, "token", "access_token", 0, &access, e) < 0 ||
	    json_get_int64(o, "token", "expires_in", 0, &expires_in, e) < 0) {
		err_wrap(e, "token server answer");
		goto out;
	}
	if (!tok || !*tok)
		tok = access;
	if (!tok || !*tok) {
		err_set(e, "token server answer: no token");
		goto out;
	}
	if (!(t->token = strdup(tok))) {
		err_sys(e, ENOMEM, "token");
		goto out;
	}
	/* The spec: a token lives at least 60 s; renew a little early. */
	t->expires = now + (expires_in < 60 ? 60 : expires_in) - 10;
	r = 0;
out:
	cJSON_Delete(o);
	return r;
}
