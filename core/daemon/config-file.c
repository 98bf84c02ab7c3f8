/* config-file.c - daemon.json with dockerd's rules (an unknown key or a key
 * also given as a flag is refused, naming all of them), then the defaults
 * and cross-checks that make the merged settings whole. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-int.h"
#include "file.h"
#include "json.h"

#define CONFIG_FILE_MAX (1u << 20)
#define LIST_MSG_MAX 400

static const struct conf_def *find_def(const char *key)
{
	for (int k = 0; k < TUG_CONF_NKEYS; k++)
		if (!strcmp(tug_conf_defs[k].key, key))
			return &tug_conf_defs[k];
	return NULL;
}

static void add_item(char *buf, size_t size, const char *item)
{
	size_t len = strlen(buf);

	if (len < size)
		snprintf(buf + len, size - len, "%s%s", len ? ", " : "", item);
}

/* One entry of an object of {Name,Soft,Hard} -> "name=soft:hard". */
static int ulimit_item(const cJSON *v, char *buf, size_t size, struct err *e)
{
	const char *name = v->string;
	int64_t soft = 0, hard = 0;

	if (!cJSON_IsObject(v) || json_get_string(v, "", "Name", 0, &name, e) < 0 ||
	    json_get_int64(v, "", "Soft", JSON_REQUIRED, &soft, e) < 0 ||
	    json_get_int64(v, "", "Hard", JSON_REQUIRED, &hard, e) < 0)
		return err_set(e,
			       "expected {\"Name\": string, \"Soft\": number, \"Hard\": number}");
	if (strcmp(name, v->string))
		return err_set(e, "Name \"%s\" differs from its key", name);
	snprintf(buf, size, "%s=%lld:%lld", name, (long long)soft, (long long)hard);
	return 0;
}

static int pool_item(const cJSON *v, char *buf, size_t size, struct err *e)
{
	const char *base;
	int sz;
	const char *slash;
	int prefix;

	if (!cJSON_IsObject(v) || json_get_string(v, "", "base", JSON_REQUIRED, &base, e) < 0 ||
	    json_get_int(v, "", "size", JSON_REQUIRED, &sz, e) < 0)
		return err_set(e, "expected {\"base\": \"CIDR\", \"size\": number}");
	slash = strchr(base, '/');
	prefix = slash ? atoi(slash + 1) : -1;
	if (!slash || !strchr(base, '.') || prefix < 0 || prefix > 32)
		return err_set(e, "base: not an IPv4 network (172.30.0.0/16)");
	if (sz < prefix || sz > 32)
		return err_set(e, "size %d must be between the base's prefix (%d) and 32", sz,
			       prefix);
	snprintf(buf, size, "base=%s,size=%d", base, sz);
	return 0;
}

/* One element of a list key, as a string for conf_check. */
static int list_elem(const struct conf_def *d, const cJSON *v, char *buf, size_t size,
		     struct err *e)
{
	if (d->kind == CK_ULIMIT)
		return ulimit_item(v, buf, size, e);
	if (d->kind == CK_POOL)
		return pool_item(v, buf, size, e);
	if (!cJSON_IsString(v))
		return err_set(e, d->kind == CK_LOGOPT ? "expected an object of strings"
						       : "expected a list of strings");
	if (d->kind == CK_LOGOPT)
		snprintf(buf, size, "%s=%s", v->string, v->valuestring);
	else
		snprintf(buf, size, "%s", v->valuestring);
	return 0;
}

static int apply_list(struct tug_daemon_config *c, const struct conf_def *d, const cJSON *v,
		      struct err *e)
{
	struct tug_strv l = {0};
	bool obj = d->kind == CK_LOGOPT || d->kind == CK_ULIMIT;
	const cJSON *it;
	char buf[512], *norm;

	if (obj ? !cJSON_IsObject(v) : !cJSON_IsArray(v))
		return err_set(e, obj ? "expected an object" : "expected a list");
	cJSON_ArrayForEach(it, v)
	{
		if (list_elem(d, it, buf, sizeof(buf), e) < 0)
			goto fail;
		if (d->kind == CK_POOL)
			norm = strdup(buf);
		else if (conf_check(d, buf, &norm, e) < 0)
			goto fail;
		if (!norm) {
			err_sys(e, ENOMEM, "%s", d->key);
			goto fail;
		}
		if (conf_strv_add(&l, norm, e) < 0)
			goto fail;
	}
	conf_strv_free(conf_field(c, d));
	*(struct tug_strv *)conf_field(c, d) = l;
	return 0;
fail:
	conf_strv_free(&l);
	return -1;
}

static int apply_value(struct tug_daemon_config *c, const struct conf_def *d, const cJSON *v,
		       struct err *e)
{
	void *f = conf_field(c, d);
	char *norm;

	switch (d->type) {
	case CT_BOOL:
		if (!cJSON_IsBool(v))
			return err_set(e, "expected true or false");
		*(bool *)f = cJSON_IsTrue(v);
		return 0;
	case CT_INT:
		if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble ||
		    v->valuedouble < 0 || v->valuedouble > 1000000)
			return err_set(e, "expected a whole number, at least 0");
		*(int *)f = (int)v->valuedouble;
		return 0;
	case CT_STR:
		if (!cJSON_IsString(v))
			return err_set(e, "expected a string");
		if (conf_check(d, v->valuestring, &norm, e) < 0)
			return -1;
		free(*(char **)f);
		*(char **)f = norm;
		return 0;
	}
	return apply_list(c, d, v, e);
}

static int value_error(const struct conf_def *d, const cJSON *v, struct err *e)
{
	char *txt = cJSON_PrintUnformatted(v);
	int r = err_wrap(e, "%s: invalid value %.80s%s", d->key, txt ? txt : "?",
			 txt && strlen(txt) > 80 ? "..." : "");

	free(txt);
	return r;
}

/* Unknown keys, then keys set both ways, each reported all at once. */
static int check_keys(struct tug_daemon_config *c, const cJSON *root, struct err *e)
{
	char unknown[LIST_MSG_MAX] = "", conflicts[LIST_MSG_MAX * 2] = "";
	char flagv[256], filev[256], item[600];
	const cJSON *it;

	cJSON_ArrayForEach(it, root) if (!find_def(it->string))
		add_item(unknown, sizeof(unknown), it->string);
	if (unknown[0])
		return err_set(e,
			       "the following directives don't match any configuration option: %s",
			       unknown);
	cJSON_ArrayForEach(it, root)
	{
		const struct conf_def *d = find_def(it->string);
		if (!(c->set_by_flag & TUG_CONF_BIT(d - tug_conf_defs)))
			continue;
		conf_go_field(c, d, flagv, sizeof(flagv));
		filev[0] = '\0';
		conf_go_value(it, filev, sizeof(filev));
		snprintf(item, sizeof(item), "%s: (from flag: %s, from file: %s)", d->key, flagv,
			 filev);
		add_item(conflicts, sizeof(conflicts), item);
	}
	if (conflicts[0])
		return err_set(e,
			       "the following directives are specified both as a flag and in the "
			       "configuration file: %s",
			       conflicts);
	return 0;
}

int tug_config_apply_json(struct tug_daemon_config *c, const char *text, size_t len, struct err *e)
{
	cJSON *root;
	const cJSON *it;
	int r = 0;

	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) /* a BOM, as Notepad writes */
		text += 3, len -= 3;
	while (len && strchr(" \t\r\n", text[0]))
		text++, len--;
	if (!len)
		return 0; /* an empty file is an empty configuration */
	if (json_parse(text, len, &root, e) < 0)
		return -1;
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return err_set(e, "the file must hold a JSON object");
	}
	r = check_keys(c, root, e);
	cJSON_ArrayForEach(it, root)
	{
		const struct conf_def *d = find_def(it->string);
		if (r < 0)
			break;
		if (apply_value(c, d, it, e) < 0)
			r = value_error(d, it, e);
		else
			c->set_by_file |= TUG_CONF_BIT(d - tug_conf_defs);
	}
	cJSON_Delete(root);
	return r;
}

int tug_config_load(struct tug_daemon_config *c, struct err *e)
{
	const char *path = c->config_file ? c->config_file : TUG_CONFIG_FILE;
	char *text;
	size_t len;
	int r;

	if (file_read_all(path, CONFIG_FILE_MAX, &text, &len, e) < 0) {
		/* Only the default file may be missing, as with dockerd. */
		if (c->config_file || e->errnum != ENOENT)
			return err_wrap(e, "unable to configure the daemon with file %s", path);
		return tug_config_finish(c, e);
	}
	r = tug_config_apply_json(c, text, len, e);
	free(text);
	if (r < 0)
		return err_wrap(e, "unable to configure the daemon with file %s", path);
	return tug_config_finish(c, e);
}
