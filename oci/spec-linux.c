/* spec-linux.c - the "linux" section of config.json: namespaces, id mappings,
 * devices, sysctl, masked and read-only paths, propagation, personality. */
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>

#include "oci/ns.h"
#include "oci/spec-internal.h"

static int parse_namespaces(struct sp *p, const cJSON *lnx, const char *path)
{
	struct oci_linux *l = &p->s->lnx;
	const cJSON *arr, *it;
	char np[JSON_PATH_MAX], ip[JSON_PATH_MAX];
	size_t i = 0;
	int r = json_get_array(lnx, path, "namespaces", 0, &arr, p->e);

	if (r <= 0)
		return r;
	json_path_key(np, sizeof(np), path, "namespaces");
	l->n_namespaces = (size_t)cJSON_GetArraySize(arr);
	l->namespaces = sp_array(p, l->n_namespaces, sizeof(struct oci_namespace));
	if (!l->namespaces)
		return -1;
	cJSON_ArrayForEach(it, arr)
	{
		struct oci_namespace *ns = &l->namespaces[i];
		const char *type;

		json_path_index(ip, sizeof(ip), np, i);
		if (json_as_object(it, ip, p->e) < 0 ||
		    json_get_string(it, ip, "type", JSON_REQUIRED, &type, p->e) < 0 ||
		    json_get_string(it, ip, "path", 0, &ns->path, p->e) < 0)
			return -1;
		ns->type = oci_ns_from_name(type);
		if (ns->type < 0)
			return err_set(p->e, "%s.type: unknown namespace \"%s\"", ip, type);
		for (size_t j = 0; j < i; j++)
			if (l->namespaces[j].type == ns->type)
				return err_set(p->e, "%s.type: namespace \"%s\" given twice", ip,
					       type);
		if (ns->path && ns->path[0] != '/')
			return err_set(p->e, "%s.path: \"%s\" is not an absolute path", ip,
				       ns->path);
		i++;
	}
	return 0;
}

static int parse_idmaps(struct sp *p, const cJSON *lnx, const char *path, const char *key,
			struct oci_idmap **out, size_t *n)
{
	const cJSON *arr, *it;
	char mp[JSON_PATH_MAX], ip[JSON_PATH_MAX];
	size_t i = 0;
	int r = json_get_array(lnx, path, key, 0, &arr, p->e);

	if (r <= 0)
		return r;
	json_path_key(mp, sizeof(mp), path, key);
	*n = (size_t)cJSON_GetArraySize(arr);
	*out = sp_array(p, *n, sizeof(**out));
	if (!*out)
		return -1;
	cJSON_ArrayForEach(it, arr)
	{
		struct oci_idmap *m = &(*out)[i];

		json_path_index(ip, sizeof(ip), mp, i);
		if (json_as_object(it, ip, p->e) < 0 ||
		    json_get_uint32(it, ip, "containerID", JSON_REQUIRED, &m->container_id, p->e) <
			    0 ||
		    json_get_uint32(it, ip, "hostID", JSON_REQUIRED, &m->host_id, p->e) < 0 ||
		    json_get_uint32(it, ip, "size", JSON_REQUIRED, &m->size, p->e) < 0)
			return -1;
		if (m->size == 0)
			return err_set(p->e, "%s.size: must be greater than zero", ip);
		i++;
	}
	return 0;
}

static int parse_devices(struct sp *p, const cJSON *lnx, const char *path)
{
	struct oci_linux *l = &p->s->lnx;
	const cJSON *arr, *it;
	char dp[JSON_PATH_MAX], ip[JSON_PATH_MAX];
	size_t i = 0;
	int r = json_get_array(lnx, path, "devices", 0, &arr, p->e);

	if (r <= 0)
		return r;
	json_path_key(dp, sizeof(dp), path, "devices");
	l->n_devices = (size_t)cJSON_GetArraySize(arr);
	l->devices = sp_array(p, l->n_devices, sizeof(struct oci_device));
	if (!l->devices)
		return -1;
	cJSON_ArrayForEach(it, arr)
	{
		struct oci_device *d = &l->devices[i];
		const char *type;

		json_path_index(ip, sizeof(ip), dp, i);
		if (json_as_object(it, ip, p->e) < 0 ||
		    json_get_string(it, ip, "type", JSON_REQUIRED, &type, p->e) < 0 ||
		    json_get_string(it, ip, "path", JSON_REQUIRED, &d->path, p->e) < 0 ||
		    json_get_int64(it, ip, "major", 0, &d->major, p->e) < 0 ||
		    json_get_int64(it, ip, "minor", 0, &d->minor, p->e) < 0 ||
		    sp_opt_i64(p, it, ip, "fileMode", &d->file_mode) < 0 ||
		    sp_opt_i64(p, it, ip, "uid", &d->uid) < 0 ||
		    sp_opt_i64(p, it, ip, "gid", &d->gid) < 0)
			return -1;
		if (strlen(type) != 1 || !strchr("cbup", type[0]))
			return err_set(p->e, "%s.type: unknown device type \"%s\"", ip, type);
		d->type = type[0];
		if (d->path[0] != '/')
			return err_set(p->e, "%s.path: \"%s\" is not an absolute path", ip,
				       d->path);
		i++;
	}
	return 0;
}

static int parse_propagation(struct sp *p, const cJSON *lnx, const char *path)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} props[] = {
		{"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
		{"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
		{"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
		{"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
	};
	const char *v;
	int r = json_get_string(lnx, path, "rootfsPropagation", 0, &v, p->e);

	if (r <= 0 || !*v)
		return r < 0 ? -1 : 0;
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
		if (strcmp(v, props[i].name) == 0) {
			p->s->lnx.rootfs_propagation = props[i].flags;
			return 0;
		}
	return err_set(p->e, "%s.rootfsPropagation: unknown propagation \"%s\"", path, v);
}

static int parse_personality(struct sp *p, const cJSON *lnx, const char *path)
{
	struct oci_linux *l = &p->s->lnx;
	const cJSON *pers;
	const char *domain;
	char pp[JSON_PATH_MAX];
	int r = json_get_object(lnx, path, "personality", 0, &pers, p->e);

	if (r <= 0)
		return r;
	json_path_key(pp, sizeof(pp), path, "personality");
	if (json_get_string(pers, pp, "domain", JSON_REQUIRED, &domain, p->e) < 0)
		return -1;
	if (strcmp(domain, "LINUX") == 0)
		l->personality = PER_LINUX;
	else if (strcmp(domain, "LINUX32") == 0)
		l->personality = PER_LINUX32;
	else
		return err_set(p->e, "%s.domain: unknown domain \"%s\"", pp, domain);
	l->has_personality = true;
	return 0;
}

static int parse_time_offset(struct sp *p, const cJSON *offs, const char *path, const char *key,
			     struct oci_opt_i64 *secs, uint32_t *nsecs)
{
	const cJSON *o;
	char op[JSON_PATH_MAX];
	int r = json_get_object(offs, path, key, 0, &o, p->e);

	if (r <= 0)
		return r;
	json_path_key(op, sizeof(op), path, key);
	if (sp_opt_i64(p, o, op, "secs", secs) < 0 ||
	    json_get_uint32(o, op, "nanosecs", 0, nsecs, p->e) < 0)
		return -1;
	secs->has = true;
	return 0;
}

static int parse_misc(struct sp *p, const cJSON *lnx, const char *path)
{
	struct oci_linux *l = &p->s->lnx;
	const cJSON *o;
	char op[JSON_PATH_MAX];
	int r;

	if (json_get_string(lnx, path, "cgroupsPath", 0, &l->cgroups_path, p->e) < 0 ||
	    sp_kv(p, lnx, path, "sysctl", &l->sysctl, &l->n_sysctl) < 0 ||
	    sp_strings(p, lnx, path, "maskedPaths", &l->masked_paths, &l->n_masked_paths) < 0 ||
	    sp_strings(p, lnx, path, "readonlyPaths", &l->readonly_paths, &l->n_readonly_paths) <
		    0 ||
	    json_get_string(lnx, path, "mountLabel", 0, &l->mount_label, p->e) < 0)
		return -1;
	r = json_get_object(lnx, path, "intelRdt", 0, &o, p->e);
	if (r < 0)
		return -1;
	l->has_intel_rdt = r == 1;
	r = json_get_object(lnx, path, "timeOffsets", 0, &o, p->e);
	if (r < 0)
		return -1;
	json_path_key(op, sizeof(op), path, "timeOffsets");
	if (r == 1 && (parse_time_offset(p, o, op, "boottime", &l->time_offsets_boottime_secs,
					 &l->time_offsets_boottime_nsecs) < 0 ||
		       parse_time_offset(p, o, op, "monotonic", &l->time_offsets_monotonic_secs,
					 &l->time_offsets_monotonic_nsecs) < 0))
		return -1;
	return 0;
}

static bool has_ns(const struct oci_linux *l, int type)
{
	for (size_t i = 0; i < l->n_namespaces; i++)
		if (l->namespaces[i].type == type)
			return true;
	return false;
}

int sp_parse_linux(struct sp *p, const cJSON *lnx, const char *path)
{
	struct oci_linux *l = &p->s->lnx;
	const cJSON *o;
	int r;

	if (parse_namespaces(p, lnx, path) < 0 ||
	    parse_idmaps(p, lnx, path, "uidMappings", &l->uid_mappings, &l->n_uid_mappings) < 0 ||
	    parse_idmaps(p, lnx, path, "gidMappings", &l->gid_mappings, &l->n_gid_mappings) < 0 ||
	    parse_devices(p, lnx, path) < 0 || parse_propagation(p, lnx, path) < 0 ||
	    parse_personality(p, lnx, path) < 0 || parse_misc(p, lnx, path) < 0)
		return -1;
	if ((l->n_uid_mappings || l->n_gid_mappings) && !has_ns(l, CLONE_NEWUSER))
		return err_set(p->e, "%s.%s: id mappings need a user namespace in %s.namespaces",
			       path, l->n_uid_mappings ? "uidMappings" : "gidMappings", path);
	if ((l->time_offsets_boottime_secs.has || l->time_offsets_monotonic_secs.has) &&
	    !has_ns(l, CLONE_NEWTIME))
		return err_set(p->e, "%s.timeOffsets: needs a time namespace in %s.namespaces",
			       path, path);
	r = json_get_object(lnx, path, "resources", 0, &o, p->e);
	if (r < 0 || (r == 1 && sp_parse_resources(p, o, "linux.resources", &l->resources) < 0))
		return -1;
	r = json_get_object(lnx, path, "seccomp", 0, &o, p->e);
	if (r < 0 || (r == 1 && sp_parse_seccomp(p, o, "linux.seccomp") < 0))
		return -1;
	return 0;
}
