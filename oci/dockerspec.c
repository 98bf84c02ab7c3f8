/* dockerspec.c - the entry points: Config merged with the image's defaults as
 * dockerd merges them, then the OCI config's process, hostname, namespaces
 * and cgroup path; the other dockerspec-*.c files fill in the rest. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"
#include "oci/dockerspec-priv.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define INIT_DEST "/sbin/docker-init"

const cJSON *ds_get(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItem(obj, key) : NULL;

	return v && !cJSON_IsNull(v) ? v : NULL;
}

const char *ds_str(const cJSON *obj, const char *key)
{
	const cJSON *v = ds_get(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int64_t ds_int(const cJSON *obj, const char *key)
{
	const cJSON *v = ds_get(obj, key);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

bool ds_bool(const cJSON *obj, const char *key)
{
	return cJSON_IsTrue(ds_get(obj, key));
}

const cJSON *ds_arr(const cJSON *obj, const char *key)
{
	const cJSON *v = ds_get(obj, key);

	return cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0 ? v : NULL;
}

int ds_oom(struct err *e)
{
	return err_sys(e, ENOMEM, "build the container's config");
}

int ds_push(struct ds *d, cJSON *a, const char *s)
{
	cJSON *v = cJSON_CreateString(s);

	if (!v || !cJSON_AddItemToArray(a, v)) {
		cJSON_Delete(v);
		return ds_oom(d->e);
	}
	return 0;
}

int ds_num(struct ds *d, cJSON *obj, const char *key, int64_t n)
{
	/* Exact as a double up to 2^53; beyond, json_add_u64's raw digits. */
	cJSON *v = n < (1LL << 53) ? cJSON_AddNumberToObject(obj, key, (double)n)
				   : json_add_u64(obj, key, (uint64_t)n);

	return v ? 0 : ds_oom(d->e);
}

static cJSON *add_new(struct ds *d, cJSON *parent, const char *key, cJSON *v)
{
	bool ok = v &&
		  (key ? cJSON_AddItemToObject(parent, key, v) : cJSON_AddItemToArray(parent, v));

	if (!ok) {
		cJSON_Delete(v);
		ds_oom(d->e);
		return NULL;
	}
	return v;
}

cJSON *ds_obj(struct ds *d, cJSON *parent, const char *key)
{
	return add_new(d, parent, key, cJSON_CreateObject());
}

cJSON *ds_list(struct ds *d, cJSON *parent, const char *key)
{
	return add_new(d, parent, key, cJSON_CreateArray());
}

/* ---------------------------------------------------------------- merge */

static size_t env_key_len(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq ? (size_t)(eq - kv) : strlen(kv);
}

static bool env_has_key(const cJSON *env, const char *kv)
{
	const cJSON *it;
	size_t n = env_key_len(kv);

	cJSON_ArrayForEach(it, env)
	{
		if (cJSON_IsString(it) && env_key_len(it->valuestring) == n &&
		    strncmp(it->valuestring, kv, n) == 0)
			return true;
	}
	return false;
}

static bool empty(const cJSON *v)
{
	return !v || ((cJSON_IsArray(v) || cJSON_IsObject(v)) && !v->child) ||
	       (cJSON_IsString(v) && !v->valuestring[0]);
}

/* out[key] = a copy of v, or of the JSON null (or dflt) when v is NULL. */
static int put(cJSON *out, const char *key, const cJSON *v, cJSON *dflt)
{
	cJSON *c = v ? cJSON_Duplicate(v, 1) : dflt ? dflt : cJSON_CreateNull();

	if (v)
		cJSON_Delete(dflt);
	if (!c || !cJSON_AddItemToObject(out, key, c)) {
		cJSON_Delete(c);
		return -1;
	}
	return 0;
}

/* Objects used as sets or maps (ExposedPorts, Volumes, Labels): the user's
 * keys win, the image's are added. */
static int put_union(cJSON *out, const char *key, const cJSON *user, const cJSON *img,
		     bool null_when_empty)
{
	cJSON *o;
	const cJSON *it;

	if (empty(user) && null_when_empty)
		return put(out, key, empty(img) ? NULL : img, NULL);
	o = cJSON_IsObject(user) ? cJSON_Duplicate(user, 1) : cJSON_CreateObject();
	if (!o || !cJSON_AddItemToObject(out, key, o))
		return cJSON_Delete(o), -1;
	cJSON_ArrayForEach(it, img)
	{
		cJSON *c;

		if (cJSON_GetObjectItemCaseSensitive(o, it->string))
			continue;
		c = cJSON_Duplicate(it, 1);
		if (!c || !cJSON_AddItemToObject(o, it->string, c))
			return cJSON_Delete(c), -1;
	}
	return 0;
}

static int put_env(cJSON *out, const cJSON *user, const cJSON *img)
{
	cJSON *env;
	const cJSON *it;

	if (empty(user))
		return put(out, "Env", empty(img) ? NULL : img, NULL);
	env = cJSON_Duplicate(user, 1);
	if (!env || !cJSON_AddItemToObject(out, "Env", env))
		return cJSON_Delete(env), -1;
	cJSON_ArrayForEach(it, img)
	{
		cJSON *c;

		if (!cJSON_IsString(it) || env_has_key(user, it->valuestring))
			continue;
		c = cJSON_CreateString(it->valuestring);
		if (!c || !cJSON_AddItemToArray(env, c))
			return cJSON_Delete(c), -1;
	}
	return 0;
}

static int put_health(cJSON *out, const cJSON *user, const cJSON *img)
{
	static const char *const keys[] = {"Test",        "Interval",      "Timeout",
					   "StartPeriod", "StartInterval", "Retries"};
	cJSON *h;

	if (!user || !img)
		return user || img ? put(out, "Healthcheck", user ? user : img, NULL) : 0;
	h = cJSON_Duplicate(user, 1);
	if (!h || !cJSON_AddItemToObject(out, "Healthcheck", h))
		return cJSON_Delete(h), -1;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *u = ds_get(h, keys[i]), *m = ds_get(img, keys[i]);
		cJSON *c;

		if (!m || !(empty(u) || (cJSON_IsNumber(u) && u->valuedouble == 0)))
			continue;
		cJSON_DeleteItemFromObject(h, keys[i]);
		c = cJSON_Duplicate(m, 1);
		if (!c || !cJSON_AddItemToObject(h, keys[i], c))
			return cJSON_Delete(c), -1;
	}
	return 0;
}

/* Entrypoint and Cmd: a request Entrypoint drops the image's Cmd; a null one
 * takes the image's; [""] clears it. */
static int put_command(cJSON *out, const cJSON *body, const cJSON *img, struct err *e)
{
	const cJSON *ep = ds_get(body, "Entrypoint"), *cmd = ds_get(body, "Cmd");

	if (empty(ep)) {
		if (empty(cmd))
			cmd = ds_get(img, "Cmd");
		if (!ep)
			ep = ds_get(img, "Entrypoint");
	}
	if (cJSON_GetArraySize(ep) == 1 && cJSON_IsString(ep->child) && !ep->child->valuestring[0])
		ep = NULL;
	if (empty(ep) && empty(cmd))
		return err_set(e, "no command specified");
	if (put(out, "Cmd", empty(cmd) ? NULL : cmd, NULL) < 0 ||
	    put(out, "Entrypoint", empty(ep) ? NULL : ep, NULL) < 0)
		return ds_oom(e);
	return 0;
}

static int put_str(cJSON *out, const char *key, const char *user, const char *img)
{
	const char *v = user && user[0] ? user : img ? img : "";

	return cJSON_AddStringToObject(out, key, v) ? 0 : -1;
}

static int put_bool(cJSON *out, const char *key, const cJSON *body)
{
	return cJSON_AddBoolToObject(out, key, ds_bool(body, key)) ? 0 : -1;
}

static int merge_fields(cJSON *out, const cJSON *b, const cJSON *img, const char *hostname)
{
	static const char *const bools[] = {"AttachStdin", "AttachStdout", "AttachStderr",
					    "Tty",         "OpenStdin",    "StdinOnce"};
	if (put_str(out, "Hostname", hostname, NULL) < 0 ||
	    put_str(out, "Domainname", ds_str(b, "Domainname"), NULL) < 0 ||
	    put_str(out, "User", ds_str(b, "User"), ds_str(img, "User")) < 0)
		return -1;
	for (size_t i = 0; i < 3; i++)
		if (put_bool(out, bools[i], b) < 0)
			return -1;
	if (put_union(out, "ExposedPorts", ds_get(b, "ExposedPorts"), ds_get(img, "ExposedPorts"),
		      true) < 0)
		return -1;
	for (size_t i = 3; i < 6; i++)
		if (put_bool(out, bools[i], b) < 0)
			return -1;
	if (put_env(out, ds_get(b, "Env"), ds_get(img, "Env")) < 0 ||
	    put_health(out, ds_get(b, "Healthcheck"), ds_get(img, "Healthcheck")) < 0)
		return -1;
	return 0;
}

static int merge_rest(cJSON *out, const cJSON *b, const cJSON *img)
{
	static const char *const extra[] = {"ArgsEscaped", "NetworkDisabled", "MacAddress",
					    "StopTimeout", "Shell"};

	if (put_str(out, "Image", ds_str(b, "Image"), NULL) < 0 ||
	    put_union(out, "Volumes", ds_get(b, "Volumes"), ds_get(img, "Volumes"), true) < 0 ||
	    put_str(out, "WorkingDir", ds_str(b, "WorkingDir"), ds_str(img, "WorkingDir")) < 0 ||
	    put(out, "OnBuild", ds_get(b, "OnBuild"), NULL) < 0 ||
	    put_union(out, "Labels", ds_get(b, "Labels"), ds_get(img, "Labels"), false) < 0)
		return -1;
	if ((ds_str(b, "StopSignal") && ds_str(b, "StopSignal")[0]) || ds_str(img, "StopSignal"))
		if (put_str(out, "StopSignal", ds_str(b, "StopSignal"), ds_str(img, "StopSignal")) <
		    0)
			return -1;
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (ds_get(b, extra[i]) && put(out, extra[i], ds_get(b, extra[i]), NULL) < 0)
			return -1;
	return 0;
}

int oci_dspec_merge_config(const cJSON *image_config, const cJSON *body, const char *id,
			   cJSON **out, struct err *e)
{
	const char *hn = ds_str(body, "Hostname");
	char host[65] = "";
	cJSON *o;

	*out = NULL;
	if (!cJSON_IsObject(body))
		return err_set(e, "config: expected an object");
	if (!hn || !hn[0]) {
		const char *nm = ds_str(ds_get(body, "HostConfig"), "NetworkMode");

		if (nm && strcmp(nm, "host") == 0)
			gethostname(host, sizeof(host) - 1);
		else if (id)
			snprintf(host, sizeof(host), "%.12s", id);
		hn = host;
	}
	o = cJSON_CreateObject();
	if (!o || merge_fields(o, body, image_config, hn) < 0)
		goto oom;
	if (put_command(o, body, image_config, e) < 0)
		goto fail;
	if (merge_rest(o, body, image_config) < 0)
		goto oom;
	*out = o;
	return 0;
oom:
	ds_oom(e);
fail:
	cJSON_Delete(o);
	return -1;
}
