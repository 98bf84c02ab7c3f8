/* creds.c - registry credentials in Docker's config.json (and the system
 * file a device image carries): lookup the way Docker matches keys, and the
 * writes of login and logout, atomic and keeping the rest of the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "base64.h"
#include "file.h"
#include "json.h"
#include "registry/auth.h"

#define CREDS_FILE_MAX (1 << 20)

const char *reg_creds_key(const char *registry, char *buf, size_t size)
{
	if (!strcmp(registry, "docker.io") || !strcmp(registry, "index.docker.io") ||
	    !strcmp(registry, "registry-1.docker.io"))
		snprintf(buf, size, "https://index.docker.io/v1/");
	else
		snprintf(buf, size, "%s", registry);
	return buf;
}

/* "https://host:port/v1/" -> "host:port", as Docker's ConvertToHostname. */
static void key_host(const char *key, char *out, size_t size)
{
	const char *p = strstr(key, "://");

	p = p ? p + 3 : key;
	snprintf(out, size, "%.*s", (int)strcspn(p, "/"), p);
}

static const cJSON *find_entry(const cJSON *auths, const char *registry)
{
	char key[300], want[300], host[300];
	const cJSON *it;

	reg_creds_key(registry, key, sizeof(key));
	if ((it = cJSON_GetObjectItemCaseSensitive(auths, key)))
		return it;
	key_host(key, want, sizeof(want));
	cJSON_ArrayForEach(it, auths)
	{
		key_host(it->string, host, sizeof(host));
		if (!strcmp(host, want))
			return it;
	}
	return NULL;
}

static int entry_creds(const cJSON *ent, const char *path, struct reg_creds *c, struct err *e)
{
	const char *auth = NULL, *user = NULL, *pass = NULL, *tok = NULL;
	char dec[1300], *colon;
	ssize_t n;

	if (json_get_string(ent, path, "auth", 0, &auth, e) < 0 ||
	    json_get_string(ent, path, "username", 0, &user, e) < 0 ||
	    json_get_string(ent, path, "password", 0, &pass, e) < 0 ||
	    json_get_string(ent, path, "identitytoken", 0, &tok, e) < 0)
		return -1;
	memset(c, 0, sizeof(*c));
	if (auth && *auth) {
		n = base64_decode(auth, strlen(auth), dec, sizeof(dec));
		if (n < 0 || !(colon = memchr(dec, ':', (size_t)n)))
			return err_set(e, "%s.auth: not base64 of user:password", path);
		*colon = '\0';
		if (strlen(dec) >= sizeof(c->user) || strlen(colon + 1) >= sizeof(c->pass))
			return err_set(e, "%s.auth: user or password too long", path);
		memcpy(c->user, dec, strlen(dec) + 1);
		memcpy(c->pass, colon + 1, strlen(colon + 1) + 1);
	} else {
		snprintf(c->user, sizeof(c->user), "%s", user ? user : "");
		snprintf(c->pass, sizeof(c->pass), "%s", pass ? pass : "");
	}
	snprintf(c->identity_token, sizeof(c->identity_token), "%s", tok ? tok : "");
	return c->user[0] || c->identity_token[0] ? 0 : 1;
}

int reg_creds_lookup(const char *path, const char *registry, struct reg_creds *c, struct err *e)
{
	char *text = NULL, epath[400];
	cJSON *root = NULL;
	const cJSON *auths = NULL, *ent;
	size_t len;
	int r = -1;

	if (file_read_all(path, CREDS_FILE_MAX, &text, &len, e) < 0) {
		if (e && e->errnum == ENOENT)
			return 1;
		return -1;
	}
	if (json_parse(text, len, &root, e) < 0 ||
	    json_get_object(root, "", "auths", 0, &auths, e) < 0) {
		err_wrap(e, "%s", path);
		goto out;
	}
	r = 1;
	if (auths && (ent = find_entry(auths, registry))) {
		snprintf(epath, sizeof(epath), "%s: auths[\"%.200s\"]", path, ent->string);
		r = entry_creds(ent, epath, c, e);
	}
out:
	cJSON_Delete(root);
	free(text);
	return r;
}

int reg_creds_user_path(char *buf, size_t size, struct err *e)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	int n;

	if (dir && *dir)
		n = snprintf(buf, size, "%s/config.json", dir);
	else if (home && *home)
		n = snprintf(buf, size, "%s/.docker/config.json", home);
	else
		return err_set(e, "credentials: neither DOCKER_CONFIG nor HOME is set");
	if (n < 0 || (size_t)n >= size)
		return err_set(e, "credentials: config path too long");
	return 0;
}

int reg_creds_find(const char *registry, struct reg_creds *c, struct err *e)
{
	char path[4096];
	int r = 1;

	if (reg_creds_user_path(path, sizeof(path), NULL) == 0 &&
	    (r = reg_creds_lookup(path, registry, c, e)) <= 0)
		return r;
	return reg_creds_lookup(REG_CREDS_SYSTEM_PATH, registry, c, e);
}

/* Read the file as an object (an absent file is an empty one). */
static int load_file(const char *path, cJSON **root, struct err *e)
{
	char *text = NULL;
	size_t len;
	int r;

	if (file_read_all(path, CREDS_FILE_MAX, &text, &len, e) < 0) {
		if (!e || e->errnum != ENOENT)
			return -1;
		*root = cJSON_CreateObject();
		return *root ? 0 : err_sys(e, ENOMEM, "%s", path);
	}
	r = json_parse(text, len, root, e) < 0 || json_as_object(*root, "", e) < 0 ? -1 : 0;
	free(text);
	if (r < 0) {
		cJSON_Delete(*root);
		return err_wrap(e, "%s", path);
	}
	return 0;
}

static int save_file(const char *path, const cJSON *root, struct err *e)
{
	char dir[4096], *text, *slash;
	size_t len;
	int r;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		if (file_mkdir_p(dir, 0700, e) < 0)
			return -1;
	}
	if (json_print(root, true, &text, &len, e) < 0)
		return -1;
	text[len] = '\n';
	r = file_write_atomic(AT_FDCWD, path, text, len + 1, 0600, e);
	free(text);
	return r;
}

int reg_creds_store(const char *path, const char *registry, const struct reg_creds *c,
		    struct err *e)
{
	cJSON *root, *auths, *ent;
	char key[300], plain[1300], enc[BASE64_ENCODED_SIZE(1300)];
	int r;

	if (load_file(path, &root, e) < 0)
		return -1;
	auths = cJSON_GetObjectItemCaseSensitive(root, "auths");
	if (!cJSON_IsObject(auths)) {
		cJSON_DeleteItemFromObjectCaseSensitive(root, "auths");
		auths = cJSON_AddObjectToObject(root, "auths");
	}
	reg_creds_key(registry, key, sizeof(key));
	snprintf(plain, sizeof(plain), "%s:%s", c->user, c->pass);
	base64_encode(plain, strlen(plain), enc, false);
	cJSON_DeleteItemFromObjectCaseSensitive(auths, key);
	ent = cJSON_AddObjectToObject(auths, key);
	if (!ent || !cJSON_AddStringToObject(ent, "auth", enc) ||
	    (c->identity_token[0] &&
	     !cJSON_AddStringToObject(ent, "identitytoken", c->identity_token)))
		r = err_sys(e, ENOMEM, "%s", path);
	else
		r = save_file(path, root, e);
	cJSON_Delete(root);
	return r;
}

int reg_creds_erase(const char *path, const char *registry, struct err *e)
{
	cJSON *root, *auths;
	const cJSON *ent;
	int r = 1;

	if (load_file(path, &root, e) < 0)
		return -1;
	auths = cJSON_GetObjectItemCaseSensitive(root, "auths");
	if (cJSON_IsObject(auths) && (ent = find_entry(auths, registry))) {
		cJSON_DeleteItemFromObjectCaseSensitive(auths, ent->string);
		r = save_file(path, root, e);
	}
	cJSON_Delete(root);
	return r;
}
