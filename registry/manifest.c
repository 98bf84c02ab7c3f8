/* manifest.c - reading manifests and indexes (Docker schema 2, OCI) with
 * the checks a pull depends on, and writing manifests back as JSON. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "registry/manifest.h"

static const struct {
	const char *mt;
	enum reg_manifest_kind kind;
} kinds[] = {
	{REG_MT_DOCKER_MANIFEST, REG_MANIFEST_DOCKER_V2},
	{REG_MT_DOCKER_LIST, REG_MANIFEST_DOCKER_LIST},
	{REG_MT_OCI_MANIFEST, REG_MANIFEST_OCI},
	{REG_MT_OCI_INDEX, REG_MANIFEST_OCI_INDEX},
};

static const struct {
	const char *mt;
	enum reg_compression comp;
	bool foreign;
} layer_types[] = {
	{REG_MT_DOCKER_LAYER, REG_COMP_GZIP, false},
	{REG_MT_DOCKER_LAYER_TAR, REG_COMP_NONE, false},
	{REG_MT_DOCKER_LAYER_FOREIGN, REG_COMP_GZIP, true},
	{REG_MT_OCI_LAYER, REG_COMP_NONE, false},
	{REG_MT_OCI_LAYER_GZIP, REG_COMP_GZIP, false},
	{REG_MT_OCI_LAYER_ZSTD, REG_COMP_ZSTD, false},
	{REG_MT_OCI_LAYER_ND, REG_COMP_NONE, true},
	{REG_MT_OCI_LAYER_ND_GZIP, REG_COMP_GZIP, true},
	{REG_MT_OCI_LAYER_ND_ZSTD, REG_COMP_ZSTD, true},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *reg_manifest_media_type(enum reg_manifest_kind kind)
{
	for (size_t i = 0; i < N(kinds); i++)
		if (kinds[i].kind == kind)
			return kinds[i].mt;
	return NULL;
}

enum reg_manifest_kind reg_manifest_kind_of(const char *media_type)
{
	for (size_t i = 0; media_type && i < N(kinds); i++)
		if (strcmp(kinds[i].mt, media_type) == 0)
			return kinds[i].kind;
	return REG_MANIFEST_NONE;
}

bool reg_layer_media_type(const char *media_type, enum reg_compression *comp, bool *foreign)
{
	for (size_t i = 0; media_type && i < N(layer_types); i++) {
		if (strcmp(layer_types[i].mt, media_type) != 0)
			continue;
		if (comp)
			*comp = layer_types[i].comp;
		if (foreign)
			*foreign = layer_types[i].foreign;
		return true;
	}
	return false;
}

static const char *kind_word(enum reg_manifest_kind k)
{
	return reg_manifest_is_index(k) ? "index" : "manifest";
}

/* cJSON finds the first of two equal keys, Go's decoder (the registry's)
 * the last: a key that appears twice could make us read another document
 * than the registry validated, so it is refused. Linear in the object. */
static int unique(const cJSON *obj, const char *path, const char *key, struct err *e)
{
	const cJSON *item;
	int seen = 0;

	if (!cJSON_IsObject(obj))
		return 0; /* the getter says what is wrong */
	cJSON_ArrayForEach(item, obj)
	{
		if (item->string && strcmp(item->string, key) == 0 && ++seen > 1)
			return err_set(e, "%s%s\"%s\": the key appears twice", path ? path : "",
				       path && *path ? ": " : "", key);
	}
	return 0;
}

static int get_string(const cJSON *obj, const char *path, const char *key, unsigned flags,
		      const char **out, struct err *e)
{
	if (unique(obj, path, key, e) < 0)
		return -1;
	return json_get_string(obj, path, key, flags, out, e);
}

static int get_array(const cJSON *obj, const char *path, const char *key, unsigned flags,
		     const cJSON **out, struct err *e)
{
	if (unique(obj, path, key, e) < 0)
		return -1;
	return json_get_array(obj, path, key, flags, out, e);
}

static int get_object(const cJSON *obj, const char *path, const char *key, unsigned flags,
		      const cJSON **out, struct err *e)
{
	if (unique(obj, path, key, e) < 0)
		return -1;
	return json_get_object(obj, path, key, flags, out, e);
}

static int copy(char *dst, size_t n, const char *src, const char *path, const char *key,
		struct err *e)
{
	char kpath[JSON_PATH_MAX];

	if (strlen(src) >= n)
		return err_set(e, "%s: \"%.40s...\" is too long (at most %zu bytes)",
			       json_path_key(kpath, sizeof(kpath), path, key), src, n - 1);
	strcpy(dst, src);
	return 0;
}

/* mediaType, digest and size of a descriptor, all required. */
static int parse_descriptor(const cJSON *obj, const char *path, struct reg_descriptor *d,
			    struct err *e)
{
	char kpath[JSON_PATH_MAX];
	const char *mt = NULL, *digest = NULL;

	memset(d, 0, sizeof(*d));
	if (json_as_object(obj, path, e) < 0 ||
	    get_string(obj, path, "mediaType", JSON_REQUIRED, &mt, e) < 0 ||
	    get_string(obj, path, "digest", JSON_REQUIRED, &digest, e) < 0 ||
	    unique(obj, path, "size", e) < 0 ||
	    json_get_int64(obj, path, "size", JSON_REQUIRED, &d->size, e) < 0)
		return -1;
	json_path_key(kpath, sizeof(kpath), path, "digest");
	if (digest_check(digest, kpath, e) < 0)
		return -1;
	if (d->size < 0)
		return err_set(e, "%s: negative size %lld",
			       json_path_key(kpath, sizeof(kpath), path, "size"),
			       (long long)d->size);
	strcpy(d->digest, digest);
	/* a media type longer than any we know is kept cut: it is unknown anyway */
	snprintf(d->media_type, sizeof(d->media_type), "%s", mt);
	return 0;
}

static int parse_config(const cJSON *root, struct reg_manifest *m, struct err *e)
{
	const cJSON *obj = NULL;

	if (get_object(root, "", "config", JSON_REQUIRED, &obj, e) < 0 ||
	    parse_descriptor(obj, "config", &m->config, e) < 0)
		return -1;
	if (strcmp(m->config.media_type, REG_MT_DOCKER_CONFIG) != 0 &&
	    strcmp(m->config.media_type, REG_MT_OCI_CONFIG) != 0)
		return err_set(
			e,
			"config.mediaType: \"%.100s\" is not a container image configuration "
			"(an artifact other than an image?)",
			m->config.media_type);
	return 0;
}

static int parse_layers(const cJSON *root, struct reg_manifest *m, struct err *e)
{
	char path[JSON_PATH_MAX];
	const cJSON *arr = NULL, *item;
	int n;

	if (get_array(root, "", "layers", JSON_REQUIRED, &arr, e) < 0)
		return -1;
	n = cJSON_GetArraySize(arr);
	if (n > REG_MANIFEST_MAX_LAYERS)
		return err_set(e, "layers: %d layers, more than the %d tug supports", n,
			       REG_MANIFEST_MAX_LAYERS);
	m->nlayers = 0;
	cJSON_ArrayForEach(item, arr)
	{
		struct reg_descriptor *d = &m->layers[m->nlayers];

		json_path_index(path, sizeof(path), "layers", m->nlayers);
		if (parse_descriptor(item, path, d, e) < 0)
			return -1;
		if (!reg_layer_media_type(d->media_type, &d->comp, &d->foreign))
			return err_set(e, "%s.mediaType: unknown layer media type \"%.100s\"", path,
				       d->media_type);
		m->nlayers++;
	}
	return 0;
}

/* "features": ["a", "b"] -> "a,b" */
static int parse_features(const cJSON *obj, const char *path, char *out, size_t n, struct err *e)
{
	char kpath[JSON_PATH_MAX];
	const cJSON *arr = NULL, *item;
	size_t len = 0, count;
	int r;

	if (unique(obj, path, "os.features", e) < 0)
		return -1;
	r = json_get_strings(obj, path, "os.features", 0, &arr, &count, e);
	if (r <= 0)
		return r;
	cJSON_ArrayForEach(item, arr)
	{
		int w = snprintf(out + len, n - len, "%s%s", len ? "," : "", item->valuestring);

		if (w < 0 || (size_t)w >= n - len)
			return err_set(e, "%s: too long (at most %zu bytes)",
				       json_path_key(kpath, sizeof(kpath), path, "os.features"),
				       n - 1);
		len += (size_t)w;
	}
	return 0;
}

static int parse_platform(const cJSON *entry, const char *path, struct reg_index_entry *x,
			  struct err *e)
{
	char ppath[JSON_PATH_MAX];
	const cJSON *obj = NULL;
	const char *os = NULL, *arch = NULL, *variant = "", *osv = "";
	int r = get_object(entry, path, "platform", 0, &obj, e);

	if (r <= 0)
		return r;
	json_path_key(ppath, sizeof(ppath), path, "platform");
	if (get_string(obj, ppath, "os", JSON_REQUIRED, &os, e) < 0 ||
	    get_string(obj, ppath, "architecture", JSON_REQUIRED, &arch, e) < 0 ||
	    get_string(obj, ppath, "variant", 0, &variant, e) < 0 ||
	    get_string(obj, ppath, "os.version", 0, &osv, e) < 0)
		return -1;
	if (copy(x->platform.os, sizeof(x->platform.os), os, ppath, "os", e) < 0 ||
	    copy(x->platform.arch, sizeof(x->platform.arch), arch, ppath, "architecture", e) < 0 ||
	    copy(x->platform.variant, sizeof(x->platform.variant), variant, ppath, "variant", e) <
		    0 ||
	    copy(x->os_version, sizeof(x->os_version), osv, ppath, "os.version", e) < 0 ||
	    parse_features(obj, ppath, x->os_features, sizeof(x->os_features), e) < 0)
		return -1;
	x->has_platform = true;
	return 0;
}

/* buildx marks provenance and SBOM manifests so; they are never run. */
static void parse_annotations(const cJSON *entry, struct reg_index_entry *x)
{
	const cJSON *ann = cJSON_GetObjectItemCaseSensitive(entry, "annotations");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(ann, "vnd.docker.reference.type");

	x->attestation = cJSON_IsString(type);
}

static int parse_entries(const cJSON *root, struct reg_manifest *m, struct err *e)
{
	char path[JSON_PATH_MAX];
	const cJSON *arr = NULL, *item;
	int n;

	if (get_array(root, "", "manifests", JSON_REQUIRED, &arr, e) < 0)
		return -1;
	n = cJSON_GetArraySize(arr);
	if (n > REG_INDEX_MAX_ENTRIES)
		return err_set(e, "manifests: %d entries, more than the %d tug supports", n,
			       REG_INDEX_MAX_ENTRIES);
	m->nmanifests = 0;
	cJSON_ArrayForEach(item, arr)
	{
		struct reg_index_entry *x = &m->manifests[m->nmanifests];

		memset(x, 0, sizeof(*x));
		json_path_index(path, sizeof(path), "manifests", m->nmanifests);
		if (parse_descriptor(item, path, &x->d, e) < 0 ||
		    parse_platform(item, path, x, e) < 0)
			return -1;
		parse_annotations(item, x);
		m->nmanifests++;
	}
	return 0;
}

/* The media type of a Content-Type header: lowercase, parameters dropped. */
static void header_type(const char *ct, char *out, size_t n)
{
	size_t i = 0;

	while (ct && (*ct == ' ' || *ct == '\t'))
		ct++;
	for (; ct && *ct && *ct != ';' && *ct != ' ' && *ct != '\t' && i + 1 < n; ct++)
		out[i++] = (char)tolower((unsigned char)*ct);
	out[i] = '\0';
}

static bool is_schema1(const char *mt)
{
	return mt && (strcmp(mt, REG_MT_DOCKER_SCHEMA1) == 0 ||
		      strcmp(mt, REG_MT_DOCKER_SCHEMA1_SIGNED) == 0);
}

static const char schema1_msg[] = "schema 1 manifests are not supported (deprecated by Docker "
				  "in 2019); push the image again with a current client";

static int check_version(const cJSON *root, const char *field, struct err *e)
{
	int v = 0;
	int r;

	if (unique(root, "", "schemaVersion", e) < 0)
		return -1;
	r = json_get_int(root, "", "schemaVersion", 0, &v, e);
	if (r < 0)
		return -1;
	if (is_schema1(field) || (r > 0 && v == 1))
		return err_set(e, "%s", schema1_msg);
	if (r == 0)
		return err_set(e, "schemaVersion: missing");
	if (v != 2)
		return err_set(e, "schemaVersion: unsupported version %d (want 2)", v);
	return 0;
}

/* Which kind the document is: its mediaType, which must agree with the
 * header when the header names a kind; without one the header; without
 * either the fields present (an OCI document may omit mediaType). A header
 * that names no kind ("application/json", "text/plain") tells nothing. */
static int decide_kind(const cJSON *root, const char *hdr, enum reg_manifest_kind *kind,
		       struct err *e)
{
	const char *field = NULL;
	enum reg_manifest_kind hk, fk;

	if (get_string(root, "", "mediaType", 0, &field, e) < 0 ||
	    check_version(root, field, e) < 0)
		return -1;
	hk = reg_manifest_kind_of(hdr);
	fk = reg_manifest_kind_of(field);
	if (field && fk == REG_MANIFEST_NONE)
		return err_set(e, "mediaType: \"%.100s\" is not an image manifest or index", field);
	if (field && hk != REG_MANIFEST_NONE && hk != fk)
		return err_set(
			e,
			"mediaType \"%.100s\" does not match the Content-Type \"%s\" sent with it",
			field, hdr);
	if (cJSON_GetObjectItemCaseSensitive(root, "manifests") &&
	    (cJSON_GetObjectItemCaseSensitive(root, "layers") ||
	     cJSON_GetObjectItemCaseSensitive(root, "config")))
		return err_set(e, "has both \"manifests\" and \"layers\"/\"config\": ambiguous, "
				  "refused (CVE-2021-41190)");
	*kind = field ? fk : hk;
	if (*kind != REG_MANIFEST_NONE)
		return 0;
	if (cJSON_GetObjectItemCaseSensitive(root, "manifests"))
		*kind = REG_MANIFEST_OCI_INDEX;
	else if (cJSON_GetObjectItemCaseSensitive(root, "layers") ||
		 cJSON_GetObjectItemCaseSensitive(root, "config"))
		*kind = REG_MANIFEST_OCI;
	else
		return err_set(e, "neither a manifest nor an index (no mediaType, no \"layers\", "
				  "no \"manifests\")");
	return 0;
}

int reg_manifest_parse(struct reg_manifest *m, const char *buf, size_t len,
		       const char *content_type, struct err *e)
{
	char hdr[128];
	cJSON *root = NULL;
	int ret = -1;

	m->kind = REG_MANIFEST_NONE;
	header_type(content_type, hdr, sizeof(hdr));
	if (is_schema1(hdr))
		return err_set(e, "manifest: %s", schema1_msg);
	if (json_parse(buf, len, &root, e) < 0)
		return err_wrap(e, "manifest");
	if (json_as_object(root, "", e) < 0 || decide_kind(root, hdr, &m->kind, e) < 0) {
		err_wrap(e, "manifest");
		goto out;
	}
	if (reg_manifest_is_index(m->kind))
		ret = parse_entries(root, m, e);
	else
		ret = parse_config(root, m, e) < 0 ? -1 : parse_layers(root, m, e);
	if (ret < 0) {
		err_wrap(e, "%s", kind_word(m->kind));
		m->kind = REG_MANIFEST_NONE;
	}
out:
	cJSON_Delete(root);
	return ret;
}

/* Docker's schema 2 writes mediaType, size, digest; OCI mediaType, digest,
 * size (the order of their Go structs). */
static cJSON *descriptor_json(const struct reg_descriptor *d, bool docker, const char *path,
			      struct err *e)
{
	char kpath[JSON_PATH_MAX];
	cJSON *o;

	if (digest_check(d->digest, json_path_key(kpath, sizeof(kpath), path, "digest"), e) < 0)
		return NULL;
	if (d->size < 0) {
		err_set(e, "%s: negative size %lld", path, (long long)d->size);
		return NULL;
	}
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "mediaType", d->media_type) ||
	    (docker && !json_add_u64(o, "size", (uint64_t)d->size)) ||
	    !cJSON_AddStringToObject(o, "digest", d->digest) ||
	    (!docker && !json_add_u64(o, "size", (uint64_t)d->size))) {
		cJSON_Delete(o);
		err_sys(e, ENOMEM, "%s", path);
		return NULL;
	}
	return o;
}

static bool add_features(cJSON *p, const char *list)
{
	cJSON *arr = cJSON_AddArrayToObject(p, "os.features");
	char one[sizeof(((struct reg_index_entry *)0)->os_features)];

	while (arr && *list) {
		size_t n = strcspn(list, ",");

		snprintf(one, sizeof(one), "%.*s", (int)n, list);
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(one)))
			return false;
		list += n + (list[n] == ',');
	}
	return arr != NULL;
}

static bool add_platform(cJSON *o, const struct reg_index_entry *x)
{
	cJSON *p;

	if (!x->has_platform)
		return true;
	p = cJSON_AddObjectToObject(o, "platform");
	return p && cJSON_AddStringToObject(p, "architecture", x->platform.arch) &&
	       cJSON_AddStringToObject(p, "os", x->platform.os) &&
	       (!x->os_version[0] || cJSON_AddStringToObject(p, "os.version", x->os_version)) &&
	       (!x->os_features[0] || add_features(p, x->os_features)) &&
	       (!x->platform.variant[0] ||
		cJSON_AddStringToObject(p, "variant", x->platform.variant));
}

static int add_list(cJSON *root, const struct reg_manifest *m, bool docker, struct err *e)
{
	char path[JSON_PATH_MAX];
	const char *key = reg_manifest_is_index(m->kind) ? "manifests" : "layers";
	size_t n = reg_manifest_is_index(m->kind) ? m->nmanifests : m->nlayers;
	cJSON *arr = cJSON_AddArrayToObject(root, key), *o;

	if (!arr)
		return err_sys(e, ENOMEM, "%s", key);
	for (size_t i = 0; i < n; i++) {
		const struct reg_index_entry *x = &m->manifests[i];

		json_path_index(path, sizeof(path), key, i);
		o = descriptor_json(reg_manifest_is_index(m->kind) ? &x->d : &m->layers[i], docker,
				    path, e);
		if (!o)
			return -1;
		if (!cJSON_AddItemToArray(arr, o) ||
		    (reg_manifest_is_index(m->kind) && !add_platform(o, x)))
			return err_sys(e, ENOMEM, "%s", path);
	}
	return 0;
}

int reg_manifest_to_cjson(const struct reg_manifest *m, cJSON **out, struct err *e)
{
	bool docker = m->kind == REG_MANIFEST_DOCKER_V2 || m->kind == REG_MANIFEST_DOCKER_LIST;
	const char *mt = reg_manifest_media_type(m->kind);
	cJSON *root, *config;

	if (!mt)
		return err_set(e, "build manifest: no kind set");
	if ((reg_manifest_is_index(m->kind) ? m->nmanifests > REG_INDEX_MAX_ENTRIES
					    : m->nlayers > REG_MANIFEST_MAX_LAYERS))
		return err_set(e, "build %s: too many entries", kind_word(m->kind));
	root = cJSON_CreateObject();
	if (!root || !cJSON_AddNumberToObject(root, "schemaVersion", 2) ||
	    !cJSON_AddStringToObject(root, "mediaType", mt)) {
		cJSON_Delete(root);
		return err_sys(e, ENOMEM, "build %s", kind_word(m->kind));
	}
	if (!reg_manifest_is_index(m->kind)) {
		config = descriptor_json(&m->config, docker, "config", e);
		if (!config || !cJSON_AddItemToObject(root, "config", config)) {
			cJSON_Delete(config);
			goto fail;
		}
	}
	if (add_list(root, m, docker, e) < 0)
		goto fail;
	*out = root;
	return 0;
fail:
	cJSON_Delete(root);
	return err_wrap(e, "build %s", kind_word(m->kind));
}

int reg_manifest_to_json(const struct reg_manifest *m, char **out, size_t *len, struct err *e)
{
	cJSON *root = NULL;
	int ret;

	if (reg_manifest_to_cjson(m, &root, e) < 0)
		return -1;
	ret = json_print(root, false, out, len, e);
	cJSON_Delete(root);
	return ret;
}

/* ---- image configs ---- */

static int parse_diff_ids(const cJSON *rootfs, struct reg_image_config *c, struct err *e)
{
	char path[JSON_PATH_MAX];
	const cJSON *arr = NULL, *item;
	const char *s;
	int n, r = get_array(rootfs, "rootfs", "diff_ids", 0, &arr, e);

	if (r <= 0)
		return r; /* absent: an image without layers (Go omits the empty list) */
	n = cJSON_GetArraySize(arr);
	if (n > REG_MANIFEST_MAX_LAYERS)
		return err_set(e, "rootfs.diff_ids: %d layers, more than the %d tug supports", n,
			       REG_MANIFEST_MAX_LAYERS);
	cJSON_ArrayForEach(item, arr)
	{
		json_path_index(path, sizeof(path), "rootfs.diff_ids", c->ndiff_ids);
		if (json_as_string(item, path, &s, e) < 0 || digest_check(s, path, e) < 0)
			return -1;
		strcpy(c->diff_ids[c->ndiff_ids++], s);
	}
	return 0;
}

static int config_fields(const cJSON *root, struct reg_image_config *c, struct err *e)
{
	const char *os = NULL, *arch = NULL, *variant = NULL, *created = NULL, *type = NULL;
	const cJSON *rootfs = NULL;

	if (json_as_object(root, "", e) < 0 ||
	    get_string(root, "", "architecture", 0, &arch, e) < 0 ||
	    get_string(root, "", "os", 0, &os, e) < 0 ||
	    get_string(root, "", "variant", 0, &variant, e) < 0 ||
	    get_string(root, "", "created", 0, &created, e) < 0 ||
	    reg_platform_set(&c->platform, os, arch, variant, "", e) < 0)
		return -1;
	if (created && strlen(created) < sizeof(c->created))
		strcpy(c->created, created);
	if (get_object(root, "", "rootfs", JSON_REQUIRED, &rootfs, e) < 0 ||
	    get_string(rootfs, "rootfs", "type", JSON_REQUIRED, &type, e) < 0)
		return -1;
	if (strcmp(type, "layers") != 0)
		return err_set(e, "rootfs.type: \"%.40s\" is not supported (want \"layers\")",
			       type);
	return parse_diff_ids(rootfs, c, e);
}

int reg_config_parse(struct reg_image_config *c, const char *buf, size_t len, struct err *e)
{
	cJSON *root = NULL;
	int ret;

	memset(c, 0, sizeof(*c));
	if (json_parse(buf, len, &root, e) < 0)
		return err_wrap(e, "image config");
	ret = config_fields(root, c, e);
	cJSON_Delete(root);
	return ret < 0 ? err_wrap(e, "image config") : 0;
}

int reg_config_check_layers(const struct reg_image_config *c, const struct reg_manifest *m,
			    struct err *e)
{
	if (reg_manifest_is_index(m->kind) || m->kind == REG_MANIFEST_NONE)
		return err_set(e, "image config: checked against something that is not a manifest");
	if (c->ndiff_ids != m->nlayers)
		return err_set(
			e,
			"image config: rootfs.diff_ids has %zu layers but the manifest lists "
			"%zu; the image is inconsistent",
			c->ndiff_ids, m->nlayers);
	return 0;
}
