/* spec-resources.c - "linux.resources": the cgroup limits, shared by create
 * (config.json) and update (a resources object on its own). */
#include <string.h>

#include "oci/spec-internal.h"

static int parse_device_rules(struct sp *p, const cJSON *res, const char *path,
			      struct oci_resources *r)
{
	const cJSON *arr, *it;
	char dp[JSON_PATH_MAX], ip[JSON_PATH_MAX];
	size_t i = 0;
	int got = json_get_array(res, path, "devices", 0, &arr, p->e);

	if (got <= 0)
		return got;
	json_path_key(dp, sizeof(dp), path, "devices");
	r->n_devices = (size_t)cJSON_GetArraySize(arr);
	r->devices = sp_array(p, r->n_devices, sizeof(struct oci_device_rule));
	if (!r->devices)
		return -1;
	cJSON_ArrayForEach(it, arr)
	{
		struct oci_device_rule *d = &r->devices[i];
		const char *type = "a", *access = "rwm";
		struct oci_opt_i64 major, minor;

		json_path_index(ip, sizeof(ip), dp, i);
		if (json_as_object(it, ip, p->e) < 0 ||
		    json_get_bool(it, ip, "allow", JSON_REQUIRED, &d->allow, p->e) < 0 ||
		    json_get_string(it, ip, "type", 0, &type, p->e) < 0 ||
		    json_get_string(it, ip, "access", 0, &access, p->e) < 0 ||
		    sp_opt_i64(p, it, ip, "major", &major) < 0 ||
		    sp_opt_i64(p, it, ip, "minor", &minor) < 0)
			return -1;
		if (strlen(type) != 1 || !strchr("acb", type[0]))
			return err_set(p->e, "%s.type: unknown device type \"%s\"", ip, type);
		if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
			return err_set(p->e, "%s.access: \"%s\" is not made of r, w, m", ip,
				       access);
		d->type = type[0];
		d->major = major.has ? major.v : -1;
		d->minor = minor.has ? minor.v : -1;
		strcpy(d->access, access);
		i++;
	}
	return 0;
}

static int parse_memory(struct sp *p, const cJSON *res, const char *path, struct oci_resources *r)
{
	const cJSON *m;
	char mp[JSON_PATH_MAX];
	int got = json_get_object(res, path, "memory", 0, &m, p->e);

	if (got <= 0)
		return got;
	json_path_key(mp, sizeof(mp), path, "memory");
	if (sp_opt_i64(p, m, mp, "limit", &r->memory.limit) < 0 ||
	    sp_opt_i64(p, m, mp, "reservation", &r->memory.reservation) < 0 ||
	    sp_opt_i64(p, m, mp, "swap", &r->memory.swap) < 0 ||
	    sp_opt_i64(p, m, mp, "kernel", &r->memory.kernel) < 0 ||
	    sp_opt_i64(p, m, mp, "kernelTCP", &r->memory.kernel_tcp) < 0 ||
	    sp_opt_u64(p, m, mp, "swappiness", &r->memory.swappiness) < 0 ||
	    json_get_bool(m, mp, "disableOOMKiller", 0, &r->memory.disable_oom_killer, p->e) < 0 ||
	    json_get_bool(m, mp, "useHierarchy", 0, &r->memory.use_hierarchy, p->e) < 0 ||
	    json_get_bool(m, mp, "checkBeforeUpdate", 0, &r->memory.check_before_update, p->e) < 0)
		return -1;
	if (r->memory.swappiness.has && r->memory.swappiness.v > 100)
		return err_set(p->e, "%s.swappiness: %llu is above 100", mp,
			       (unsigned long long)r->memory.swappiness.v);
	return 0;
}

static int parse_cpu(struct sp *p, const cJSON *res, const char *path, struct oci_resources *r)
{
	const cJSON *c;
	char cp[JSON_PATH_MAX];
	int got = json_get_object(res, path, "cpu", 0, &c, p->e);

	if (got <= 0)
		return got;
	json_path_key(cp, sizeof(cp), path, "cpu");
	if (sp_opt_u64(p, c, cp, "shares", &r->cpu.shares) < 0 ||
	    sp_opt_i64(p, c, cp, "quota", &r->cpu.quota) < 0 ||
	    sp_opt_u64(p, c, cp, "burst", &r->cpu.burst) < 0 ||
	    sp_opt_u64(p, c, cp, "period", &r->cpu.period) < 0 ||
	    sp_opt_i64(p, c, cp, "realtimeRuntime", &r->cpu.realtime_runtime) < 0 ||
	    sp_opt_u64(p, c, cp, "realtimePeriod", &r->cpu.realtime_period) < 0 ||
	    json_get_string(c, cp, "cpus", 0, &r->cpu.cpus, p->e) < 0 ||
	    json_get_string(c, cp, "mems", 0, &r->cpu.mems, p->e) < 0 ||
	    sp_opt_i64(p, c, cp, "idle", &r->cpu.idle) < 0)
		return -1;
	return 0;
}

static int parse_throttle(struct sp *p, const cJSON *bio, const char *path, const char *key,
			  struct oci_throttle_device **out, size_t *n)
{
	const cJSON *arr, *it;
	char tp[JSON_PATH_MAX], ip[JSON_PATH_MAX];
	size_t i = 0;
	int got = json_get_array(bio, path, key, 0, &arr, p->e);

	if (got <= 0)
		return got;
	json_path_key(tp, sizeof(tp), path, key);
	*n = (size_t)cJSON_GetArraySize(arr);
	*out = sp_array(p, *n, sizeof(**out));
	if (!*out)
		return -1;
	cJSON_ArrayForEach(it, arr)
	{
		struct oci_throttle_device *t = &(*out)[i];
		struct oci_opt_u64 rate;

		json_path_index(ip, sizeof(ip), tp, i);
		if (json_as_object(it, ip, p->e) < 0 ||
		    json_get_int64(it, ip, "major", JSON_REQUIRED, &t->major, p->e) < 0 ||
		    json_get_int64(it, ip, "minor", JSON_REQUIRED, &t->minor, p->e) < 0 ||
		    sp_opt_u64(p, it, ip, "rate", &rate) < 0)
			return -1;
		t->rate = rate.v;
		i++;
	}
	return 0;
}

static int parse_block_io(struct sp *p, const cJSON *res, const char *path, struct oci_resources *r)
{
	static const char *const keys[4] = {"throttleReadBpsDevice", "throttleWriteBpsDevice",
					    "throttleReadIOPSDevice", "throttleWriteIOPSDevice"};
	const cJSON *b, *arr, *it;
	char bp[JSON_PATH_MAX], wp[JSON_PATH_MAX], ip[JSON_PATH_MAX];
	size_t i = 0;
	int got = json_get_object(res, path, "blockIO", 0, &b, p->e);

	if (got <= 0)
		return got;
	json_path_key(bp, sizeof(bp), path, "blockIO");
	if (sp_opt_u64(p, b, bp, "weight", &r->block_io.weight) < 0 ||
	    sp_opt_u64(p, b, bp, "leafWeight", &r->block_io.leaf_weight) < 0)
		return -1;
	for (int k = 0; k < 4; k++)
		if (parse_throttle(p, b, bp, keys[k], &r->block_io.throttle[k],
				   &r->block_io.n_throttle[k]) < 0)
			return -1;
	got = json_get_array(b, bp, "weightDevice", 0, &arr, p->e);
	if (got <= 0)
		return got;
	json_path_key(wp, sizeof(wp), bp, "weightDevice");
	r->block_io.n_weight_device = (size_t)cJSON_GetArraySize(arr);
	r->block_io.weight_device =
		sp_array(p, r->block_io.n_weight_device, sizeof(struct oci_weight_device));
	if (!r->block_io.weight_device)
		return -1;
	cJSON_ArrayForEach(it, arr)
	{
		struct oci_weight_device *w = &r->block_io.weight_device[i];

		json_path_index(ip, sizeof(ip), wp, i);
		if (json_as_object(it, ip, p->e) < 0 ||
		    json_get_int64(it, ip, "major", JSON_REQUIRED, &w->major, p->e) < 0 ||
		    json_get_int64(it, ip, "minor", JSON_REQUIRED, &w->minor, p->e) < 0 ||
		    sp_opt_u64(p, it, ip, "weight", &w->weight) < 0 ||
		    sp_opt_u64(p, it, ip, "leafWeight", &w->leaf_weight) < 0)
			return -1;
		i++;
	}
	return 0;
}

static int parse_hugepages(struct sp *p, const cJSON *res, const char *path,
			   struct oci_resources *r)
{
	const cJSON *arr, *it;
	char hp[JSON_PATH_MAX], ip[JSON_PATH_MAX];
	size_t i = 0;
	int got = json_get_array(res, path, "hugepageLimits", 0, &arr, p->e);

	if (got <= 0)
		return got;
	json_path_key(hp, sizeof(hp), path, "hugepageLimits");
	r->n_hugepage_limits = (size_t)cJSON_GetArraySize(arr);
	r->hugepage_limits = sp_array(p, r->n_hugepage_limits, sizeof(struct oci_hugepage_limit));
	if (!r->hugepage_limits)
		return -1;
	cJSON_ArrayForEach(it, arr)
	{
		struct oci_hugepage_limit *h = &r->hugepage_limits[i];
		struct oci_opt_u64 limit;

		json_path_index(ip, sizeof(ip), hp, i);
		if (json_as_object(it, ip, p->e) < 0 ||
		    json_get_string(it, ip, "pageSize", JSON_REQUIRED, &h->page_size, p->e) < 0 ||
		    sp_opt_u64(p, it, ip, "limit", &limit) < 0)
			return -1;
		if (!limit.has)
			return err_set(p->e, "%s.limit: missing", ip);
		h->limit = limit.v;
		i++;
	}
	return 0;
}

static int parse_network(struct sp *p, const cJSON *res, const char *path, struct oci_resources *r)
{
	const cJSON *n, *arr, *it;
	char np[JSON_PATH_MAX], pp[JSON_PATH_MAX], ip[JSON_PATH_MAX];
	size_t i = 0;
	int got = json_get_object(res, path, "network", 0, &n, p->e);

	if (got <= 0)
		return got;
	json_path_key(np, sizeof(np), path, "network");
	if (sp_opt_u64(p, n, np, "classID", &r->network.class_id) < 0)
		return -1;
	got = json_get_array(n, np, "priorities", 0, &arr, p->e);
	if (got <= 0)
		return got;
	json_path_key(pp, sizeof(pp), np, "priorities");
	r->network.n_priorities = (size_t)cJSON_GetArraySize(arr);
	r->network.priorities =
		sp_array(p, r->network.n_priorities, sizeof(struct oci_if_priority));
	if (!r->network.priorities)
		return -1;
	cJSON_ArrayForEach(it, arr)
	{
		struct oci_if_priority *ifp = &r->network.priorities[i];

		json_path_index(ip, sizeof(ip), pp, i);
		if (json_as_object(it, ip, p->e) < 0 ||
		    json_get_string(it, ip, "name", JSON_REQUIRED, &ifp->name, p->e) < 0 ||
		    json_get_uint32(it, ip, "priority", JSON_REQUIRED, &ifp->priority, p->e) < 0)
			return -1;
		if (!*ifp->name || strchr(ifp->name, ' ') || strchr(ifp->name, '\n'))
			return err_set(p->e, "%s.name: \"%s\" is not an interface name", ip,
				       ifp->name);
		i++;
	}
	return 0;
}

int sp_parse_resources(struct sp *p, const cJSON *res, const char *path, struct oci_resources **out)
{
	struct oci_resources *r = sp_alloc(p, sizeof(*r));
	const cJSON *pids;
	char pp[JSON_PATH_MAX];
	int got;

	if (!r || json_as_object(res, path, p->e) < 0)
		return -1;
	*out = r;
	if (parse_device_rules(p, res, path, r) < 0 || parse_memory(p, res, path, r) < 0 ||
	    parse_cpu(p, res, path, r) < 0 || parse_block_io(p, res, path, r) < 0 ||
	    parse_hugepages(p, res, path, r) < 0 || parse_network(p, res, path, r) < 0 ||
	    sp_kv(p, res, path, "unified", &r->unified, &r->n_unified) < 0)
		return -1;
	got = json_get_object(res, path, "pids", 0, &pids, p->e);
	if (got < 0)
		return -1;
	json_path_key(pp, sizeof(pp), path, "pids");
	if (got == 1 && sp_opt_i64(p, pids, pp, "limit", &r->pids.limit) < 0)
		return -1;
	return 0;
}

int oci_spec_parse_resources(const char *json, size_t len, struct oci_spec **out, struct err *e)
{
	struct sp p;

	if (sp_begin(&p, json, len, e) < 0)
		return -1;
	if (sp_parse_resources(&p, p.priv->root, "resources", &p.s->lnx.resources) < 0) {
		oci_spec_free(p.s);
		return -1;
	}
	*out = p.s;
	return 0;
}
