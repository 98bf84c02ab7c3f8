/* api-images-auth.c - POST /auth (docker login): the credentials are tried
 * once against the registry's /v2/, as dockerd does; nothing is stored. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/daemon/api-images.h"
#include "json.h"
#include "log.h"

/* The domain a login is for: "docker.io" when none is given. */
static void server_domain(const char *arg, char *out, size_t size)
{
	const char *p = arg && *arg ? strstr(arg, "://") : NULL;

	if (!arg || !*arg) {
		snprintf(out, size, "docker.io");
		return;
	}
	p = p ? p + 3 : arg;
	snprintf(out, size, "%.*s", (int)strcspn(p, "/"), p);
	if (!strcmp(out, "index.docker.io") || !strcmp(out, "registry-1.docker.io"))
		snprintf(out, size, "docker.io");
}

/* GET /v2/ must end in 200 once the credentials were used. */
static int check(struct img_reg *rg, const char *domain, struct err *e)
{
	struct reg_session s;
	struct http_client hc;
	struct http_response rs;
	struct http_request rq = {.method = "GET", .url = "/v2/"};
	int r;

	if (reg_session_open(&s, domain, NULL, &rg->o, e) < 0)
		return -1;
	reg_session_client(&s, &hc);
	r = reg_request(&s, &hc, &rq, "", &rs, e);
	if (r == 0 && rs.status != 200) {
		err_set(e, "login attempt to %s/v2/ failed with status: %d %s", s.base, rs.status,
			rs.reason);
		e->errnum = EACCES;
		http_response_end(&hc, &rs);
		r = -1;
	} else if (r == 0) {
		http_response_end(&hc, &rs);
	} else if (strstr(e->msg, "401") || strstr(e->msg, "nauthorized")) {
		/* dockerd's words exactly: the registry's own are in the log */
		log_msg(LOG_LEVEL_DEBUG, "login to %s: %s", s.base, e->msg);
		err_set(e, "login attempt to %s/v2/ failed with status: 401 Unauthorized", s.base);
		e->errnum = EACCES;
	}
	http_client_close(&hc);
	reg_session_close(&s);
	return r;
}

void img_auth(struct hx *x)
{
	struct img_reg rg;
	struct err e = {0};
	cJSON *body = NULL, *ans;
	const char *user = NULL, *pass = NULL, *server = NULL, *token = NULL;
	char domain[256];

	memset(&rg, 0, sizeof(rg));
	if (json_parse(x->body ? x->body : "", x->body_len, &body, &e) < 0 ||
	    json_get_string(body, "", "username", 0, &user, &e) < 0 ||
	    json_get_string(body, "", "password", 0, &pass, &e) < 0 ||
	    json_get_string(body, "", "serveraddress", 0, &server, &e) < 0 ||
	    json_get_string(body, "", "identitytoken", 0, &token, &e) < 0) {
		hx_error(x, 400, "%s", e.msg);
		goto out;
	}
	img_reg_init(&rg, x, &e);
	rg.o.creds = &rg.creds;
	snprintf(rg.creds.user, sizeof(rg.creds.user), "%s", user ? user : "");
	snprintf(rg.creds.pass, sizeof(rg.creds.pass), "%s", pass ? pass : "");
	snprintf(rg.creds.identity_token, sizeof(rg.creds.identity_token), "%s",
		 token ? token : "");
	server_domain(server, domain, sizeof(domain));
	if (check(&rg, domain, &e) < 0) {
		hx_error(x, img_status(&e), "%s", e.msg);
		goto out;
	}
	ans = cJSON_CreateObject();
	cJSON_AddStringToObject(ans, "IdentityToken", "");
	cJSON_AddStringToObject(ans, "Status", "Login Succeeded");
	hx_json(x, 200, ans);
	cJSON_Delete(ans);
out:
	img_reg_done(&rg);
	if (body && user)
		memset((char *)pass, 0, pass ? strlen(pass) : 0);
	cJSON_Delete(body);
}
