/* client.c - registry sessions: scheme discovery by pinging /v2/, TLS trust
 * from certs.d, and requests that authenticate on a 401 (Basic, or a Bearer
 * token from the auth server, cached per scope until it expires). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "json.h"
#include "registry/client.h"
#include "tls.h"

#define CERTS_DIRS_DEFAULT "/etc/tug/certs.d:/etc/docker/certs.d"

static const char *registry_host(const char *domain)
{
	return strcmp(domain, "docker.io") ? domain : "registry-1.docker.io";
}

/* The host[:port] of a mirror's URL ("https://m:5000/v2" -> "m:5000"). */
static void url_hostport(const char *url, char *out, size_t size)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	snprintf(out, size, "%.*s", (int)strcspn(p, "/?#"), p);
}

/* <dir>/<host>/: *.crt are CAs, a *.cert with its *.key the client's. */
static int load_certs_dir(struct tls_config *cfg, const char *dir, struct err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096 + 256], key[4096 + 256];
	int r = 0;

	if (!d)
		return 0;
	while (r == 0 && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (strlen(dir) + n + 2 > sizeof(path))
			continue;
		if (n > 4 && !strcmp(de->d_name + n - 4, ".crt")) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			r = tls_config_add_ca_file(cfg, path, e);
		} else if (n > 5 && !strcmp(de->d_name + n - 5, ".cert")) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			snprintf(key, sizeof(key), "%s/%.*s.key", dir, (int)(n - 5), de->d_name);
			r = tls_config_set_client_cert(cfg, path, key, e);
		}
	}
	closedir(d);
	return r;
}

static int make_tls(struct reg_session *s, const char *host, const struct reg_options *o,
		    struct err *e)
{
	const char *dirs = o->certs_dirs ? o->certs_dirs : getenv("TUG_CERTS_D");
	char dir[4096];

	if (!CFG_TLS)
		return 0;
	if (!dirs || !*dirs)
		dirs = CERTS_DIRS_DEFAULT;
	if (tls_config_new(&s->tls, o->ca_bundle, e) < 0)
		return -1;
	while (*dirs) {
		size_t n = strcspn(dirs, ":");

		snprintf(dir, sizeof(dir), "%.*s/%s", (int)n, dirs, host);
		if (load_certs_dir(s->tls, dir, e) < 0)
			return err_wrap(e, "registry %s: certs.d", host);
		dirs += n + (dirs[n] == ':');
	}
	return 0;
}

void reg_session_client(struct reg_session *s, struct http_client *hc)
{
	http_client_init(hc);
	hc->timeout_ms = s->timeout_ms;
	hc->tls = s->tls;
	hc->version = s->version;
}

/* GET /v2/: 200, or 401 with the challenge to answer later. */
static int ping(struct reg_session *s, struct err *e)
{
	struct http_client hc;
	struct http_response rs;
	struct http_request rq = {.method = "GET"};
	char url[400];
	const char *www;
	int r = 0;

	snprintf(url, sizeof(url), "%s/v2/", s->base);
	rq.url = url;
	reg_session_client(s, &hc);
	if (http_do(&hc, &rq, &rs, e) < 0) {
		http_client_close(&hc);
		return -1;
	}
	www = http_header(&rs, "WWW-Authenticate");
	if (rs.status == 401 && www)
		r = reg_challenge_parse(www, &s->chal, e);
	else if (rs.status != 200 && rs.status != 401)
		r = err_set(e, "%s/v2/ answered %d %s: not a registry (distribution API v2)",
			    s->base, rs.status, rs.reason);
	http_response_end(&hc, &rs);
	http_client_close(&hc);
	return r;
}

static int session_open(struct reg_session *s, const char *domain, const char *base_url,
			const struct reg_options *o, struct err *e)
{
	const char *host = registry_host(domain);
	char mirror[256];
	struct err first;
	int r;

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	snprintf(s->domain, sizeof(s->domain), "%s", domain);
	s->timeout_ms = o->timeout_ms;
	s->version = o->version;
	if (base_url)
		url_hostport(base_url, mirror, sizeof(mirror));
	s->insecure = reg_insecure(base_url ? mirror : domain, o->insecure, true);
	if (o->creds) {
		s->creds = *o->creds;
		s->have_creds = s->creds.user[0] || s->creds.identity_token[0];
	} else if ((r = reg_creds_find(domain, &s->creds, e)) < 0) {
		return err_wrap(e, "registry %s: credentials", domain);
	} else {
		s->have_creds = r == 0;
	}
	if (make_tls(s, host, o, e) < 0)
		return -1;
	/* dockerd's InsecureSkipVerify: an insecure registry's certificate is
	 * not checked (certs.d still gives the client certificate). */
	if (CFG_TLS && s->insecure)
		tls_config_set_verify(s->tls, false);
	if (base_url) {
		snprintf(s->base, sizeof(s->base), "%s", base_url);
		if (s->base[0] && s->base[strlen(s->base) - 1] == '/')
			s->base[strlen(s->base) - 1] = '\0';
		return ping(s, e);
	}
	snprintf(s->base, sizeof(s->base), "https://%s", host);
	if (ping(s, &first) == 0)
		return 0;
	if (!s->insecure) {
		if (e)
			*e = first;
		return err_wrap(e, "registry %s", domain);
	}
	/* An insecure registry may speak plain HTTP (after HTTPS without
	 * verification failed). */
	snprintf(s->base, sizeof(s->base), "http://%s", host);
	if (ping(s, e) == 0)
		return 0;
	return err_wrap(e, "registry %s (over HTTPS: %s; then over HTTP)", domain, first.msg);
}

int reg_session_open(struct reg_session *s, const char *domain, const char *base_url,
		     const struct reg_options *o, struct err *e)
{
	if (session_open(s, domain, base_url, o, e) == 0)
		return 0;
	reg_session_close(s);
	return -1;
}

void reg_session_close(struct reg_session *s)
{
	for (size_t i = 0; i < REG_TOKEN_CACHE; i++)
		free(s->tokens[i].token);
	if (CFG_TLS)
		tls_config_free(s->tls);
	pthread_mutex_destroy(&s->lock);
	memset(&s->creds, 0, sizeof(s->creds));
}
