/* dockerspec-mounts.c - the user's mounts parsed and checked as dockerd's
 * mount parser does: Binds ("src:dst:mode"), Mounts (bind, volume, tmpfs),
 * Tmpfs ("size=64m,mode=1777"), with its error messages. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "path.h"
#include "oci/dockerspec-mounts.h"

struct um *ds_um_add(struct ums *l, struct err *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct um *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return ds_oom(e), NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	l->v[l->n].rw = true;
	l->v[l->n].in_inspect = true;
	return &l->v[l->n++];
}

static const char *const propagations[] = {"private", "rprivate", "slave",
					   "rslave",  "shared",   "rshared"};

static bool is_prop(const char *o, size_t n)
{
	for (size_t i = 0; i < 6; i++)
		if (strlen(propagations[i]) == n && strncmp(o, propagations[i], n) == 0)
			return true;
	return false;
}

static bool word_in(const char *o, size_t n, const char *list)
{
	for (const char *p = list; *p;) {
		size_t l = strcspn(p, " ");

		if (l == n && strncmp(p, o, n) == 0)
			return true;
		p += l + (p[l] == ' ');
	}
	return false;
}

/* dockerd's linuxValidMountMode: at most one of each kind. Fills u. */
static bool parse_mode(const char *mode, struct um *u)
{
	int count[5] = {0};

	for (const char *p = mode; *p;) {
		size_t n = strcspn(p, ",");

		if (word_in(p, n, "rw ro"))
			count[0]++, u->rw = p[1] == 'w';
		else if (word_in(p, n, "z Z"))
			count[1]++;
		else if (is_prop(p, n))
			count[2]++, snprintf(u->prop, sizeof(u->prop), "%.*s", (int)n, p);
		else if (word_in(p, n, "nocopy"))
			count[3]++;
		else if (word_in(p, n, "consistent cached delegated"))
			count[4]++;
		else
			return false;
		p += n + (p[n] == ',');
	}
	for (int i = 0; i < 5; i++)
		if (count[i] > 1)
			return false;
	return true;
}

static int check_dest(const char *dest, struct err *e)
{
	char c[PATH_MAX];

	if (dest[0] != '/')
		return err_set(e, "invalid mount path: '%s' mount path must be absolute", dest);
	if (path_clean(dest, c, sizeof(c), e) < 0)
		return -1;
	if (strcmp(c, "/") == 0)
		return err_set(e, "invalid specification: destination can't be '/'");
	return 0;
}

static int set_dest(struct um *u, const char *dest, struct err *e)
{
	if (check_dest(dest, e) < 0)
		return -1;
	return path_clean(dest, u->dest, sizeof(u->dest), e);
}

/* One Binds entry: "dst", "src:dst" or "src:dst:mode". */
static int parse_bind(struct ums *l, const char *raw, struct err *e)
{
	char buf[PATH_MAX * 2 + 64], *part[4] = {0};
	size_t n = 0;
	struct um *u;

	if (snprintf(buf, sizeof(buf), "%s", raw) >= (int)sizeof(buf) || !raw[0] || raw[0] == ':')
		return err_set(e, "invalid volume specification: '%s'", raw);
	for (char *p = buf; p && n < 4; n++) {
		part[n] = p;
		p = n < 3 ? strchr(p, ':') : NULL;
		if (p)
			*p++ = '\0';
	}
	if (n == 4 || !(u = ds_um_add(l, e)))
		return n == 4 ? err_set(e, "invalid volume specification: '%s'", raw) : -1;
	u->from_binds = true;
	if (n == 2 && parse_mode(part[1], &(struct um){0}))
		return err_set(e, "invalid volume specification: '%s'", raw);
	if (n == 3 && !parse_mode(part[2], u))
		return err_set(e, "invalid mode: %s", part[2]);
	snprintf(u->mode, sizeof(u->mode), "%s", n == 3 ? part[2] : "");
	if (n > 1 && part[0][0] == '/') {
		u->type = UM_BIND;
		if (path_clean(part[0], u->src, sizeof(u->src), e) < 0)
			return -1;
		if (!u->prop[0])
			strcpy(u->prop, "rprivate");
	} else {
		u->type = UM_VOLUME;
		if (n > 1 &&
		    snprintf(u->name, sizeof(u->name), "%s", part[0]) >= (int)sizeof(u->name))
			return err_set(e, "invalid volume specification: '%s': name too long", raw);
	}
	if (set_dest(u, part[n > 1], e) < 0)
		return err_wrap(e, "invalid volume specification: '%s'", raw);
	return 0;
}

#define MERR(type, ...)                                                                            \
	(err_set(e, __VA_ARGS__), err_wrap(e, "invalid mount config for type \"%s\"", type))

static int mount_bind(const cJSON *m, struct um *u, const char *src, struct err *e)
{
	const cJSON *bo = ds_get(m, "BindOptions");
	const char *prop = ds_str(bo, "Propagation");
	struct stat st;

	if (!src || !src[0])
		return MERR("bind", "field Source must not be empty");
	if (prop && prop[0] && !is_prop(prop, strlen(prop)))
		return MERR("bind", "invalid propagation mode: %s", prop);
	if (src[0] != '/')
		return MERR("bind", "invalid mount path: '%s' mount path must be absolute", src);
	u->create = ds_bool(bo, "CreateMountpoint");
	if (stat(src, &st) < 0 && !u->create)
		return MERR("bind", "bind source path does not exist: %s", src);
	u->nonrec = ds_bool(bo, "NonRecursive");
	u->rro = ds_bool(bo, "ReadOnlyForceRecursive");
	snprintf(u->prop, sizeof(u->prop), "%s", prop && prop[0] ? prop : "rprivate");
	return path_clean(src, u->src, sizeof(u->src), e);
}

static int mount_tmpfs_data(const cJSON *m, struct um *u, struct err *e)
{
	const cJSON *to = ds_get(m, "TmpfsOptions"), *it;
	int64_t size = ds_int(to, "SizeBytes"), mode = ds_int(to, "Mode");
	size_t n = 0;

	if (!u->rw)
		n += (size_t)snprintf(u->data + n, sizeof(u->data) - n, "ro,");
	if (mode)
		n += (size_t)snprintf(u->data + n, sizeof(u->data) - n, "mode=%llo,",
				      (unsigned long long)mode & 07777);
	if (size > 0) {
		const char *sfx = "";

		if (size % (1 << 30) == 0)
			size >>= 30, sfx = "g";
		else if (size % (1 << 20) == 0)
			size >>= 20, sfx = "m";
		else if (size % (1 << 10) == 0)
			size >>= 10, sfx = "k";
		n += (size_t)snprintf(u->data + n, sizeof(u->data) - n, "size=%lld%s,",
				      (long long)size, sfx);
	}
	cJSON_ArrayForEach(it, ds_get(to, "Options"))
	{
		const cJSON *k = cJSON_GetArrayItem(it, 0), *v = cJSON_GetArrayItem(it, 1);
		int sz = cJSON_GetArraySize(it);

		if (sz < 1 || sz > 2 || !cJSON_IsString(k) || (v && !cJSON_IsString(v)))
			return MERR("tmpfs", "invalid option array length");
		if (strcmp(k->valuestring, "exec") != 0 && strcmp(k->valuestring, "noexec") != 0)
			return MERR("tmpfs", "invalid option: %s", k->valuestring);
		n += (size_t)snprintf(u->data + n, sizeof(u->data) - n, "%s%s%s,", k->valuestring,
				      v ? "=" : "", v ? v->valuestring : "");
	}
	if (n >= sizeof(u->data))
		return MERR("tmpfs", "too many options");
	if (n)
		u->data[n - 1] = '\0';
	return 0;
}

static int mount_volume(const cJSON *m, struct um *u, const char *src, struct err *e)
{
	const char *sub = ds_str(ds_get(m, "VolumeOptions"), "Subpath");
	char c[PATH_MAX];

	if (sub && sub[0]) {
		if (!src || !src[0])
			return MERR("volume", "must not set Subpath when using anonymous volumes");
		if (sub[0] == '/' || path_clean(sub, c, sizeof(c), e) < 0 ||
		    strncmp(c, "..", 2) == 0 ||
		    snprintf(u->subpath, sizeof(u->subpath), "%s", c) >= (int)sizeof(u->subpath))
			return MERR("volume", "subpath must be a relative path within the volume");
	}
	if (src && snprintf(u->name, sizeof(u->name), "%s", src) >= (int)sizeof(u->name))
		return MERR("volume", "volume name too long");
	return 0;
}

static int parse_mount(struct ums *l, const cJSON *m, struct err *e)
{
	const char *type = ds_str(m, "Type"), *src = ds_str(m, "Source"),
		   *dst = ds_str(m, "Target");
	static const char *const opts[][2] = {
		{"BindOptions", "bind"}, {"VolumeOptions", "volume"}, {"TmpfsOptions", "tmpfs"}};
	struct um *u = ds_um_add(l, e);

	if (!u)
		return -1;
	type = type ? type : "";
	for (size_t i = 0; i < 3; i++)
		if (ds_get(m, opts[i][0]) && strcmp(type, opts[i][1]) != 0)
			return MERR(type, "field %s must not be specified", opts[i][0]);
	if (!dst || !dst[0])
		return MERR(type, "field Target must not be empty");
	if (set_dest(u, dst, e) < 0)
		return err_wrap(e, "invalid mount config for type \"%s\"", type);
	u->rw = !ds_bool(m, "ReadOnly");
	if (strcmp(type, "bind") == 0) {
		u->type = UM_BIND;
		return mount_bind(m, u, src, e);
	}
	if (strcmp(type, "volume") == 0) {
		u->type = UM_VOLUME;
		return mount_volume(m, u, src, e);
	}
	if (strcmp(type, "tmpfs") == 0) {
		u->type = UM_TMPFS;
		if (src && src[0])
			return MERR(type, "field Source must not be specified");
		return mount_tmpfs_data(m, u, e);
	}
	return MERR(type, "mount type unknown");
}

/* ---------------------------------------------------------------- tmpfs options */

/* Flags that collide (a later one replaces an earlier one of the same key),
 * as moby's MergeTmpfsOptions: the key is the flag's bit, propagation one. */
static const struct {
	const char *name;
	int key;
} tmpfs_flags[] = {
	{"ro", 1},        {"rw", 1},          {"suid", 2},         {"nosuid", 2},
	{"dev", 3},       {"nodev", 3},       {"exec", 4},         {"noexec", 4},
	{"sync", 5},      {"async", 5},       {"dirsync", 6},      {"remount", 7},
	{"mand", 8},      {"nomand", 8},      {"atime", 9},        {"noatime", 9},
	{"diratime", 10}, {"nodiratime", 10}, {"bind", 11},        {"rbind", 12},
	{"relatime", 13}, {"norelatime", 13}, {"strictatime", 14}, {"nostrictatime", 14},
	{"private", 15},  {"rprivate", 15},   {"shared", 15},      {"rshared", 15},
	{"slave", 15},    {"rslave", 15},     {"unbindable", 15},  {"runbindable", 15},
};

static int tmpfs_key(const char *o, size_t n)
{
	for (size_t i = 0; i < sizeof(tmpfs_flags) / sizeof(tmpfs_flags[0]); i++)
		if (strlen(tmpfs_flags[i].name) == n && strncmp(o, tmpfs_flags[i].name, n) == 0)
			return tmpfs_flags[i].key;
	return 0;
}

static bool tmpfs_data_key(const char *o, size_t n)
{
	const char *eq = memchr(o, '=', n);

	return eq && word_in(o, (size_t)(eq - o), "size mode uid gid nr_inodes nr_blocks mpol");
}

/* Does any option after position i (in opts, length n) collide with opts[i]? */
static bool tmpfs_overridden(const char *const *opts, const size_t *lens, size_t cnt, size_t i)
{
	int k = tmpfs_key(opts[i], lens[i]);
	size_t kl = k ? 0 : (size_t)((const char *)memchr(opts[i], '=', lens[i]) - opts[i]);

	for (size_t j = i + 1; j < cnt; j++) {
		if (k && tmpfs_key(opts[j], lens[j]) == k)
			return true;
		if (!k && lens[j] > kl && strncmp(opts[j], opts[i], kl + 1) == 0)
			return true;
	}
	return false;
}

/* "noexec,nosuid,nodev,rprivate" + data, merged, appended to arr; or, with
 * arr NULL, only checked. */
int ds_tmpfs_options(struct ds *d, const char *data, cJSON *arr, struct err *e)
{
	const char *opts[64];
	size_t lens[64], cnt = 0;
	char all[600];

	snprintf(all, sizeof(all), "noexec,nosuid,nodev,rprivate%s%s", data[0] ? "," : "", data);
	for (const char *p = all; *p;) {
		size_t n = strcspn(p, ",");

		if (n && !(n == 8 && strncmp(p, "defaults", 8) == 0)) {
			if (!tmpfs_key(p, n) && !tmpfs_data_key(p, n))
				return err_set(e, "invalid tmpfs option [\"%.*s\"]", (int)n, p);
			if (cnt == 64)
				return err_set(e, "invalid tmpfs options: too many");
			opts[cnt] = p;
			lens[cnt++] = n;
		}
		p += n + (p[n] == ',');
	}
	for (size_t i = 0; arr && i < cnt; i++) {
		char o[600];

		if (tmpfs_overridden(opts, lens, cnt, i))
			continue;
		snprintf(o, sizeof(o), "%.*s", (int)lens[i], opts[i]);
		if (ds_push(d, arr, o) < 0)
			return -1;
	}
	return 0;
}

static int parse_tmpfs_map(struct ums *l, const cJSON *map, struct err *e)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, map)
	{
		struct um *u = ds_um_add(l, e);

		if (!u)
			return -1;
		u->type = UM_TMPFS;
		u->in_inspect = false;
		if (set_dest(u, it->string, e) < 0)
			return -1;
		if (snprintf(u->data, sizeof(u->data), "%s", it->valuestring) >=
		    (int)sizeof(u->data))
			return err_set(e, "invalid tmpfs options for %s: too long", it->string);
		if (ds_tmpfs_options(NULL, u->data, NULL, e) < 0)
			return -1;
	}
	return 0;
}

/* Binds, Mounts and Tmpfs of hc into l; no side effects. */
int ds_mounts_parse(const cJSON *hc, struct ums *l, struct err *e)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, ds_get(hc, "Binds"))
	{
		if (parse_bind(l, it->valuestring, e) < 0)
			return -1;
	}
	cJSON_ArrayForEach(it, ds_get(hc, "Mounts"))
	{
		if (parse_mount(l, it, e) < 0)
			return -1;
	}
	if (parse_tmpfs_map(l, ds_get(hc, "Tmpfs"), e) < 0)
		return -1;
	for (size_t i = 0; i < l->n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(l->v[i].dest, l->v[j].dest) == 0)
				return err_set(e, "Duplicate mount point: %s", l->v[i].dest);
	return 0;
}

int ds_check_mounts(const cJSON *hc, const cJSON *body, struct err *e)
{
	struct ums l = {0};
	int r = ds_mounts_parse(hc, &l, e);
	const cJSON *it;

	(void)body;
	free(l.v);
	if (r < 0)
		return -1;
	cJSON_ArrayForEach(it, ds_get(body, "Volumes"))
	{
		if (check_dest(it->string, e) < 0)
			return err_wrap(e, "Volumes");
	}
	return 0;
}
