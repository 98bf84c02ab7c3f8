/* spec.c - config.json to struct oci_spec: the top level, root, mounts and
 * hooks, and the allocation helpers the other spec-*.c files share. Unknown
 * properties are ignored, as the spec requires; known ones are checked. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "oci/mountopt.h"
#include "oci/spec-internal.h"

#define CONFIG_MAX (4u << 20) /* a config.json over 4 MiB is not a config */

struct block {
	struct block *next;
	max_align_t data[];
};

void *sp_alloc(struct sp *p, size_t size)
{
	struct block *b = calloc(1, sizeof(*b) + size);

	if (!b) {
		err_sys(p->e, ENOMEM, "parse config.json");
		return NULL;
	}
	b->next = p->priv->allocs;
	p->priv->allocs = b;
	return b->data;
}

void *sp_array(struct sp *p, size_t n, size_t size)
{
	if (size && n > (SIZE_MAX - 64) / size) {
		err_sys(p->e, ENOMEM, "parse config.json");
		return NULL;
	}
	return sp_alloc(p, n * size);
}

int sp_strings(struct sp *p, const cJSON *obj, const char *path, const char *key, const char ***out,
	       size_t *n)
{
	const cJSON *arr, *it;
	size_t i = 0, count;
	int r = json_get_strings(obj, path, key, 0, &arr, &count, p->e);

	if (r <= 0)
		return r;
	*out = sp_array(p, count + 1, sizeof(char *));
	if (!*out)
		return -1;
	cJSON_ArrayForEach(it, arr)(*out)[i++] = it->valuestring;
	if (n)
		*n = count;
	return 0;
}

int sp_opt_i64(struct sp *p, const cJSON *obj, const char *path, const char *key,
	       struct oci_opt_i64 *out)
{
	int r = json_get_int64(obj, path, key, 0, &out->v, p->e);

	out->has = r == 1;
	return r < 0 ? -1 : 0;
}

int sp_opt_u64(struct sp *p, const cJSON *obj, const char *path, const char *key,
	       struct oci_opt_u64 *out)
{
	int64_t v;
	char kp[JSON_PATH_MAX];
	int r = json_get_int64(obj, path, key, 0, &v, p->e);

	if (r < 0)
		return -1;
	if (r == 1 && v < 0)
		return err_set(p->e, "%s: must not be negative",
			       json_path_key(kp, sizeof(kp), path, key));
	out->has = r == 1;
	out->v = (uint64_t)v;
	return 0;
}

int sp_kv(struct sp *p, const cJSON *obj, const char *path, const char *key, struct oci_kv **out,
	  size_t *n)
{
	const cJSON *o, *it;
	char kp[JSON_PATH_MAX], ip[JSON_PATH_MAX];
	size_t i = 0;
	int r = json_get_object(obj, path, key, 0, &o, p->e);

	if (r <= 0)
		return r;
	json_path_key(kp, sizeof(kp), path, key);
	*n = (size_t)cJSON_GetArraySize(o);
	*out = sp_array(p, *n, sizeof(**out));
	if (!*out)
		return -1;
	cJSON_ArrayForEach(it, o)
	{
		(*out)[i].key = it->string;
		if (json_as_string(it, json_path_key(ip, sizeof(ip), kp, it->string),
				   &(*out)[i].value, p->e) < 0)
			return -1;
		i++;
	}
	return 0;
}

static int parse_mount(struct sp *p, const cJSON *m, const char *path, struct oci_mount *mt)
{
	struct oci_mountopts mo = {0};
	size_t datalen = 0;
	char *data;

	if (json_as_object(m, path, p->e) < 0 ||
	    json_get_string(m, path, "destination", JSON_REQUIRED, &mt->destination, p->e) < 0 ||
	    json_get_string(m, path, "type", 0, &mt->type, p->e) < 0 ||
	    json_get_string(m, path, "source", 0, &mt->source, p->e) < 0 ||
	    sp_strings(p, m, path, "options", &mt->options, &mt->n_options) < 0)
		return -1;
	if (!*mt->destination)
		return err_set(p->e, "%s.destination: empty", path);
	for (size_t i = 0; i < mt->n_options; i++)
		datalen += strlen(mt->options[i]) + 1;
	data = sp_alloc(p, datalen + 1);
	if (!data)
		return -1;
	for (size_t i = 0; i < mt->n_options; i++) {
		int r = oci_mountopt_parse(mt->options[i], &mo);

		if (r < 0)
			return err_set(p->e, "%s.options[%zu]: \"%s\" is not supported", path, i,
				       mt->options[i]);
		if (r == 0 && *mt->options[i]) {
			if (*data)
				strcat(data, ",");
			strcat(data, mt->options[i]);
		}
	}
	mt->flags = mo.flags;
	mt->clear_flags = mo.clear_flags;
	mt->propagation = mo.propagation;
	mt->rec_set = mo.rec_set;
	mt->rec_clear = mo.rec_clear;
	mt->bind = mo.bind || (mt->type && strcmp(mt->type, "bind") == 0);
	mt->recursive = mo.recursive;
	mt->data = data;
	if (mt->bind && !mt->source)
		return err_set(p->e, "%s.source: a bind mount needs a source", path);
	return 0;
}

static int parse_mounts(struct sp *p, const cJSON *top)
{
	const cJSON *arr, *it;
	char ip[JSON_PATH_MAX];
	size_t i = 0;
	int r = json_get_array(top, "", "mounts", 0, &arr, p->e);

	if (r <= 0)
		return r;
	p->s->n_mounts = (size_t)cJSON_GetArraySize(arr);
	p->s->mounts = sp_array(p, p->s->n_mounts, sizeof(struct oci_mount));
	if (!p->s->mounts)
		return -1;
	cJSON_ArrayForEach(it, arr)
	{
		if (parse_mount(p, it, json_path_index(ip, sizeof(ip), "mounts", i),
				&p->s->mounts[i]) < 0)
			return -1;
		i++;
	}
	return 0;
}

static const char *const hook_keys[OCI_HOOK_KINDS] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

static int parse_hook(struct sp *p, const cJSON *h, const char *path, struct oci_hook *hk)
{
	if (json_as_object(h, path, p->e) < 0 ||
	    json_get_string(h, path, "path", JSON_REQUIRED, &hk->path, p->e) < 0 ||
	    sp_strings(p, h, path, "args", &hk->args, NULL) < 0 ||
	    sp_strings(p, h, path, "env", &hk->env, NULL) < 0 ||
	    sp_opt_i64(p, h, path, "timeout", &hk->timeout) < 0)
		return -1;
	if (hk->path[0] != '/')
		return err_set(p->e, "%s.path: \"%s\" is not an absolute path", path, hk->path);
	if (hk->timeout.has && hk->timeout.v <= 0)
		return err_set(p->e, "%s.timeout: must be greater than zero", path);
	return 0;
}

static int parse_hooks(struct sp *p, const cJSON *top)
{
	const cJSON *hooks, *arr, *it;
	char kp[JSON_PATH_MAX], ip[JSON_PATH_MAX];
	int r = json_get_object(top, "", "hooks", 0, &hooks, p->e);

	if (r <= 0)
		return r;
	for (int k = 0; k < OCI_HOOK_KINDS; k++) {
		size_t i = 0;

		r = json_get_array(hooks, "hooks", hook_keys[k], 0, &arr, p->e);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		json_path_key(kp, sizeof(kp), "hooks", hook_keys[k]);
		p->s->hooks.n[k] = (size_t)cJSON_GetArraySize(arr);
		p->s->hooks.list[k] = sp_array(p, p->s->hooks.n[k], sizeof(struct oci_hook));
		if (!p->s->hooks.list[k])
			return -1;
		cJSON_ArrayForEach(it, arr)
		{
			if (parse_hook(p, it, json_path_index(ip, sizeof(ip), kp, i),
				       &p->s->hooks.list[k][i]) < 0)
				return -1;
			i++;
		}
	}
	return 0;
}

static int parse_top(struct sp *p, const cJSON *top)
{
	const cJSON *root, *proc, *lnx;
	int r;

	if (json_as_object(top, "", p->e) < 0 ||
	    json_get_string(top, "", "ociVersion", JSON_REQUIRED, &p->s->oci_version, p->e) < 0)
		return -1;
	if (strncmp(p->s->oci_version, "1.", 2) != 0)
		return err_set(p->e, "ociVersion: \"%s\" is not supported (1.x is)",
			       p->s->oci_version);
	r = json_get_object(top, "", "root", 0, &root, p->e);
	if (r < 0 ||
	    (r == 1 &&
	     (json_get_string(root, "root", "path", JSON_REQUIRED, &p->s->root.path, p->e) < 0 ||
	      json_get_bool(root, "root", "readonly", 0, &p->s->root.readonly, p->e) < 0)))
		return -1;
	if (json_get_string(top, "", "hostname", 0, &p->s->hostname, p->e) < 0 ||
	    json_get_string(top, "", "domainname", 0, &p->s->domainname, p->e) < 0 ||
	    sp_kv(p, top, "", "annotations", &p->s->annotations, &p->s->n_annotations) < 0 ||
	    parse_mounts(p, top) < 0 || parse_hooks(p, top) < 0)
		return -1;
	r = json_get_object(top, "", "process", 0, &proc, p->e);
	if (r < 0 || (r == 1 && sp_parse_process(p, proc, "process") < 0))
		return -1;
	r = json_get_object(top, "", "linux", 0, &lnx, p->e);
	if (r < 0 || (r == 1 && sp_parse_linux(p, lnx, "linux") < 0))
		return -1;
	return 0;
}

int sp_begin(struct sp *p, const char *json, size_t len, struct err *e)
{
	p->e = e;
	p->s = calloc(1, sizeof(*p->s));
	p->priv = calloc(1, sizeof(*p->priv));
	if (!p->s || !p->priv) {
		free(p->s);
		free(p->priv);
		return err_sys(e, ENOMEM, "parse JSON");
	}
	p->s->priv = p->priv;
	if (json_parse(json, len, &p->priv->root, e) < 0) {
		oci_spec_free(p->s);
		return -1;
	}
	return 0;
}

int oci_spec_parse(const char *json, size_t len, struct oci_spec **out, struct err *e)
{
	struct sp p;

	if (sp_begin(&p, json, len, e) < 0)
		return -1;
	if (parse_top(&p, p.priv->root) < 0) {
		oci_spec_free(p.s);
		return -1;
	}
	*out = p.s;
	return 0;
}

int oci_spec_load(const char *path, struct oci_spec **out, struct err *e)
{
	char *buf;
	size_t len;
	int r;

	if (file_read_all(path, CONFIG_MAX, &buf, &len, e) < 0)
		return -1;
	r = oci_spec_parse(buf, len, out, e);
	free(buf);
	if (r < 0)
		err_wrap(e, "%s", path);
	return r;
}

void oci_spec_free(struct oci_spec *s)
{
	struct spec_priv *priv;
	struct block *b, *next;

	if (!s)
		return;
	priv = s->priv;
	if (priv) {
		for (b = priv->allocs; b; b = next) {
			next = b->next;
			free(b);
		}
		cJSON_Delete(priv->root);
		free(priv);
	}
	free(s);
}
