/* token.c - authenticated registry requests: a 401 is answered with Basic
 * credentials or with a Bearer token from the challenge's realm (the
 * distribution token protocol), cached per scope until it expires. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "json.h"
#include "registry/client.h"

#define TOKEN_BODY_MAX (64 * 1024)
#define ERROR_BODY_MAX 4096

static int64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static size_t url_encode(const char *in, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *in && o + 4 < size; in++) {
		unsigned char c = (unsigned char)*in;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c)) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return o;
}

/* Space-separated scopes (a push that mounts from another repository needs
 * two) as one "&scope=..." each: the token protocol repeats the parameter. */
static void scopes_encode(const char *scope, char *out, size_t size)
{
	size_t o = 0;

	out[0] = '\0';
	while (*scope) {
		size_t n = strcspn(scope, " ");
		char one[512];

		if (n > 0 && n < sizeof(one) && o + 8 < size) {
			memcpy(one, scope, n);
			one[n] = '\0';
			o += (size_t)snprintf(out + o, size - o, "&scope=");
			o += url_encode(one, out + o, size - o);
		}
		scope += n;
		scope += strspn(scope, " ");
	}
}

/* "Authorization: Bearer <token>" from the cache, malloc'd; NULL if none. */
static char *cached(struct reg_session *s, const char *scope)
{
	char *line = NULL;
	int64_t now = now_s();

	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < REG_TOKEN_CACHE; i++)
		if (s->tokens[i].token && !strcmp(s->tokens[i].scope, scope) &&
		    s->tokens[i].expires > now) {
			size_t n = strlen(s->tokens[i].token) + 32;

			if ((line = malloc(n)))
				snprintf(line, n, "Authorization: Bearer %s", s->tokens[i].token);
			break;
		}
	pthread_mutex_unlock(&s->lock);
	return line;
}

static void remember(struct reg_session *s, const char *scope, struct reg_token *t)
{
	size_t slot;

	pthread_mutex_lock(&s->lock);
	for (slot = 0; slot < REG_TOKEN_CACHE; slot++)
		if (s->tokens[slot].token && !strcmp(s->tokens[slot].scope, scope))
			break;
	if (slot == REG_TOKEN_CACHE)
		slot = s->next_slot++ % REG_TOKEN_CACHE;
	free(s->tokens[slot].token);
	snprintf(s->tokens[slot].scope, sizeof(s->tokens[slot].scope), "%s", scope);
	s->tokens[slot].token = t->token;
	s->tokens[slot].expires = t->expires;
	t->token = NULL;
	pthread_mutex_unlock(&s->lock);
}

static char *basic_line(const struct reg_creds *c)
{
	char plain[1300], enc[BASE64_ENCODED_SIZE(1300)];
	char *line = malloc(sizeof(enc) + 32);

	snprintf(plain, sizeof(plain), "%s:%s", c->user, c->pass);
	base64_encode(plain, strlen(plain), enc, false);
	if (line)
		snprintf(line, sizeof(enc) + 32, "Authorization: Basic %s", enc);
	return line;
}

/* GET <realm>?service=..&scope=.. with the credentials, if any. */
static int fetch_token(struct reg_session *s, const struct reg_challenge *ch, const char *scope,
		       struct err *e)
{
	char url[4096], svc[600], sc[1600], *body = NULL, *basic = NULL;
	const char *hdrs[2] = {NULL, NULL};
	struct http_client hc;
	struct http_response rs;
	struct http_request rq = {.method = "GET", .url = url, .headers = hdrs};
	struct reg_token t;
	size_t len;
	int r = -1;

	url_encode(ch->service, svc, sizeof(svc));
	scopes_encode(scope, sc, sizeof(sc));
	if ((size_t)snprintf(url, sizeof(url), "%s%cservice=%s%s", ch->realm,
			     strchr(ch->realm, '?') ? '&' : '?', svc, sc) >= sizeof(url))
		return err_set(e, "token URL from %.100s is too long", ch->realm);
	if (s->have_creds && s->creds.user[0])
		hdrs[0] = basic = basic_line(&s->creds);
	reg_session_client(s, &hc);
	if (http_do(&hc, &rq, &rs, e) < 0)
		goto out;
	if (rs.status != 200) {
		reg_http_error(&hc, &rs, "", e);
		err_wrap(e, "token from %s%s", ch->realm,
			 rs.status == 401 ? " (wrong user or password?)" : "");
		goto out;
	}
	r = http_body_all(&rs, TOKEN_BODY_MAX, &body, &len, e) < 0 ||
			    reg_token_parse(body, len, now_s(), &t, e) < 0
		    ? err_wrap(e, "token from %s", ch->realm)
		    : 0;
	http_response_end(&hc, &rs);
	if (r == 0)
		remember(s, scope, &t);
out:
	free(body);
	free(basic);
	http_client_close(&hc);
	return r;
}

/* The Authorization line to send for scope, after a challenge (or none). */
static int auth_line(struct reg_session *s, const char *scope, bool fetch, char **line,
		     struct err *e)
{
	struct reg_challenge ch;

	*line = NULL;
	pthread_mutex_lock(&s->lock);
	ch = s->chal;
	pthread_mutex_unlock(&s->lock);
	if (ch.scheme == REG_AUTH_BASIC) {
		if (!s->have_creds)
			/* reg_request prefixes "registry <domain>: " */
			return fetch ? err_set(e,
					       "it asks for a user and password: run "
					       "`tug login %s` first",
					       s->domain)
				     : 0;
		*line = basic_line(&s->creds);
		return *line ? 0 : err_sys(e, ENOMEM, "auth");
	}
	if (ch.scheme != REG_AUTH_BEARER)
		return 0;
	if ((*line = cached(s, scope)) || !fetch)
		return 0;
	if (fetch_token(s, &ch, scope, e) < 0)
		return -1;
	*line = cached(s, scope);
	return *line ? 0 : err_set(e, "registry %s: the token expired at once", s->domain);
}

static int send(struct reg_session *s, struct http_client *hc, const struct http_request *rq,
		const char *auth, struct http_response *rs, struct err *e)
{
	const char *hdrs[24];
	size_t n = 0;
	char url[2400];
	struct http_request r = *rq;

	if (auth)
		hdrs[n++] = auth;
	for (const char *const *h = rq->headers; h && *h && n < 23; h++)
		hdrs[n++] = *h;
	hdrs[n] = NULL;
	r.headers = hdrs;
	if (rq->url[0] == '/') {
		snprintf(url, sizeof(url), "%s%s", s->base, rq->url);
		r.url = url;
	}
	return http_do(hc, &r, rs, e);
}

int reg_request(struct reg_session *s, struct http_client *hc, const struct http_request *rq,
		const char *scope, struct http_response *rs, struct err *e)
{
	char *auth = NULL;
	const char *www;
	int r;

	if (auth_line(s, scope, false, &auth, e) < 0)
		return -1;
	r = send(s, hc, rq, auth, rs, e);
	free(auth);
	auth = NULL;
	if (r < 0 || rs->status != 401)
		return r;
	/* Learn (again) what the registry wants, then try once more. */
	www = http_header(rs, "WWW-Authenticate");
	if (!www) {
		return reg_http_error(hc, rs, "", e);
	}
	pthread_mutex_lock(&s->lock);
	r = reg_challenge_parse(www, &s->chal, e);
	pthread_mutex_unlock(&s->lock);
	http_response_end(hc, rs);
	if (r < 0 || auth_line(s, scope, true, &auth, e) < 0)
		return err_wrap(e, "registry %s", s->domain);
	if (rq->body_stream) {
		free(auth);
		return err_set(e, "registry %s: authentication needed in the middle of an upload",
			       s->domain);
	}
	r = send(s, hc, rq, auth, rs, e);
	free(auth);
	if (r == 0 && rs->status == 401)
		return reg_http_error(hc, rs, s->have_creds ? "" : "(no credentials: tug login?)",
				      e);
	return r;
}

int reg_http_error(struct http_client *hc, struct http_response *rs, const char *what,
		   struct err *e)
{
	char buf[ERROR_BODY_MAX + 1];
	size_t len = 0;
	ssize_t n;
	cJSON *o = NULL, *errs, *first;
	const char *code = NULL, *msg = NULL;
	struct err ignored;

	while (len < ERROR_BODY_MAX &&
	       (n = http_body_read(rs, buf + len, ERROR_BODY_MAX - len, &ignored)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	if (json_parse(buf, len, &o, &ignored) == 0 &&
	    (errs = cJSON_GetObjectItemCaseSensitive(o, "errors")) && cJSON_IsArray(errs) &&
	    (first = cJSON_GetArrayItem(errs, 0))) {
		json_get_string(first, "", "code", 0, &code, &ignored);
		json_get_string(first, "", "message", 0, &msg, &ignored);
	}
	if (code || msg)
		err_set(e, "%s%s%d %s: %s", what, *what ? ": " : "", rs->status,
			code ? code : rs->reason, msg ? msg : "");
	else
		err_set(e, "%s%s%d %s", what, *what ? ": " : "", rs->status, rs->reason);
	cJSON_Delete(o);
	http_response_end(hc, rs);
	return -1;
}
