/* spec-process.c - the "process" section of config.json: what runs, as whom,
 * with which capabilities, limits and scheduling. */
#include <linux/ioprio.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>

#include "oci/caps.h"
#include "oci/spec-internal.h"

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{"RLIMIT_AS", RLIMIT_AS},
	{"RLIMIT_CORE", RLIMIT_CORE},
	{"RLIMIT_CPU", RLIMIT_CPU},
	{"RLIMIT_DATA", RLIMIT_DATA},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},
	{"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},
	{"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_NPROC", RLIMIT_NPROC},
	{"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	{"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	{"RLIMIT_STACK", RLIMIT_STACK},
};

static int parse_rlimit(struct sp *p, const cJSON *r, const char *path, struct oci_rlimit *rl)
{
	const char *type;
	int64_t soft, hard;

	if (json_as_object(r, path, p->e) < 0 ||
	    json_get_string(r, path, "type", JSON_REQUIRED, &type, p->e) < 0 ||
	    json_get_int64(r, path, "soft", JSON_REQUIRED, &soft, p->e) < 0 ||
	    json_get_int64(r, path, "hard", JSON_REQUIRED, &hard, p->e) < 0)
		return -1;
	rl->resource = -1;
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
		if (strcmp(type, rlimits[i].name) == 0)
			rl->resource = rlimits[i].resource;
	if (rl->resource < 0)
		return err_set(p->e, "%s.type: unknown rlimit \"%s\"", path, type);
	/* Go's uint64 max (RLIM_INFINITY) arrives as a double that rounds up. */
	rl->soft = soft < 0 ? RLIM_INFINITY : (uint64_t)soft;
	rl->hard = hard < 0 ? RLIM_INFINITY : (uint64_t)hard;
	if (rl->soft > rl->hard)
		return err_set(p->e, "%s: soft limit %lld is above the hard limit %lld", path,
			       (long long)soft, (long long)hard);
	return 0;
}

static int parse_capset(struct sp *p, const cJSON *caps, const char *path, const char *key,
			uint64_t *set)
{
	const char **names = NULL;
	size_t n = 0;

	if (sp_strings(p, caps, path, key, &names, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int cap = oci_cap_from_name(names[i]);

		if (cap < 0)
			return err_set(p->e, "%s.%s[%zu]: unknown capability \"%s\"", path, key, i,
				       names[i]);
		*set |= 1ULL << cap;
	}
	return 0;
}

static int parse_user(struct sp *p, const cJSON *proc, const char *path)
{
	struct oci_user *u = &p->s->process->user;
	const cJSON *user, *gids, *it;
	char up[JSON_PATH_MAX], ip[JSON_PATH_MAX];
	uint32_t uid = 0, gid = 0;
	size_t i = 0;
	int r = json_get_object(proc, path, "user", 0, &user, p->e);

	if (r <= 0)
		return r;
	json_path_key(up, sizeof(up), path, "user");
	if (json_get_uint32(user, up, "uid", 0, &uid, p->e) < 0 ||
	    json_get_uint32(user, up, "gid", 0, &gid, p->e) < 0 ||
	    sp_opt_i64(p, user, up, "umask", &u->umask) < 0 ||
	    json_get_string(user, up, "username", 0, &u->username, p->e) < 0)
		return -1;
	u->uid = uid;
	u->gid = gid;
	if (u->umask.has && (u->umask.v < 0 || u->umask.v > 0777))
		return err_set(p->e, "%s.umask: %lld is not a umask", up, (long long)u->umask.v);
	r = json_get_array(user, up, "additionalGids", 0, &gids, p->e);
	if (r <= 0)
		return r;
	u->n_additional_gids = (size_t)cJSON_GetArraySize(gids);
	u->additional_gids = sp_array(p, u->n_additional_gids, sizeof(gid_t));
	if (!u->additional_gids)
		return -1;
	json_path_key(up, sizeof(up), up, "additionalGids");
	cJSON_ArrayForEach(it, gids)
	{
		if (json_as_uint32(it, json_path_index(ip, sizeof(ip), up, i), &gid, p->e) < 0)
			return -1;
		u->additional_gids[i++] = gid;
	}
	return 0;
}

static int parse_caps(struct sp *p, const cJSON *proc, const char *path)
{
	struct oci_process *pr = p->s->process;
	const cJSON *caps;
	char cp[JSON_PATH_MAX];
	int r = json_get_object(proc, path, "capabilities", 0, &caps, p->e);

	if (r <= 0)
		return r;
	pr->has_caps = true;
	json_path_key(cp, sizeof(cp), path, "capabilities");
	if (parse_capset(p, caps, cp, "bounding", &pr->caps.bounding) < 0 ||
	    parse_capset(p, caps, cp, "effective", &pr->caps.effective) < 0 ||
	    parse_capset(p, caps, cp, "inheritable", &pr->caps.inheritable) < 0 ||
	    parse_capset(p, caps, cp, "permitted", &pr->caps.permitted) < 0 ||
	    parse_capset(p, caps, cp, "ambient", &pr->caps.ambient) < 0)
		return -1;
	return 0;
}

static int parse_rlimits(struct sp *p, const cJSON *proc, const char *path)
{
	struct oci_process *pr = p->s->process;
	const cJSON *arr, *it;
	char rp[JSON_PATH_MAX], ip[JSON_PATH_MAX];
	size_t i = 0;
	int r = json_get_array(proc, path, "rlimits", 0, &arr, p->e);

	if (r <= 0)
		return r;
	json_path_key(rp, sizeof(rp), path, "rlimits");
	pr->n_rlimits = (size_t)cJSON_GetArraySize(arr);
	pr->rlimits = sp_array(p, pr->n_rlimits, sizeof(struct oci_rlimit));
	if (!pr->rlimits)
		return -1;
	cJSON_ArrayForEach(it, arr)
	{
		json_path_index(ip, sizeof(ip), rp, i);
		if (parse_rlimit(p, it, ip, &pr->rlimits[i]) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (pr->rlimits[j].resource == pr->rlimits[i].resource)
				return err_set(p->e, "%s.type: rlimit given twice", ip);
		i++;
	}
	return 0;
}

static int parse_io_priority(struct sp *p, const cJSON *proc, const char *path)
{
	static const char *const classes[] = {NULL, "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
					      "IOPRIO_CLASS_IDLE"};
	struct oci_process *pr = p->s->process;
	const cJSON *io;
	const char *cls;
	char ip[JSON_PATH_MAX];
	int r = json_get_object(proc, path, "ioPriority", 0, &io, p->e);

	if (r <= 0)
		return r;
	json_path_key(ip, sizeof(ip), path, "ioPriority");
	if (json_get_string(io, ip, "class", JSON_REQUIRED, &cls, p->e) < 0 ||
	    json_get_int(io, ip, "priority", 0, &pr->io_priority, p->e) < 0)
		return -1;
	for (int c = 1; c < 4; c++)
		if (strcmp(cls, classes[c]) == 0)
			pr->io_priority_class = c;
	if (!pr->io_priority_class)
		return err_set(p->e, "%s.class: unknown class \"%s\"", ip, cls);
	if (pr->io_priority < 0 || pr->io_priority > 7)
		return err_set(p->e, "%s.priority: %d is not within 0..7", ip, pr->io_priority);
	pr->has_io_priority = true;
	return 0;
}

static int parse_scheduler(struct sp *p, const cJSON *proc, const char *path)
{
	static const struct {
		const char *name;
		int policy;
	} pols[] = {{"SCHED_OTHER", SCHED_OTHER}, {"SCHED_FIFO", SCHED_FIFO},
		    {"SCHED_RR", SCHED_RR},       {"SCHED_BATCH", SCHED_BATCH},
		    {"SCHED_IDLE", SCHED_IDLE},   {"SCHED_DEADLINE", 6}};
	struct oci_process *pr = p->s->process;
	const cJSON *sc;
	const char *pol;
	char sp_[JSON_PATH_MAX];
	struct oci_opt_u64 rt = {0}, dl = {0}, per = {0};
	int r = json_get_object(proc, path, "scheduler", 0, &sc, p->e);

	if (r <= 0)
		return r;
	json_path_key(sp_, sizeof(sp_), path, "scheduler");
	if (json_get_string(sc, sp_, "policy", JSON_REQUIRED, &pol, p->e) < 0 ||
	    json_get_int(sc, sp_, "nice", 0, &pr->sched_nice, p->e) < 0 ||
	    json_get_int(sc, sp_, "priority", 0, &pr->sched_priority, p->e) < 0 ||
	    sp_opt_u64(p, sc, sp_, "runtime", &rt) < 0 ||
	    sp_opt_u64(p, sc, sp_, "deadline", &dl) < 0 ||
	    sp_opt_u64(p, sc, sp_, "period", &per) < 0)
		return -1;
	pr->sched_policy = -1;
	for (size_t i = 0; i < sizeof(pols) / sizeof(pols[0]); i++)
		if (strcmp(pol, pols[i].name) == 0)
			pr->sched_policy = pols[i].policy;
	if (pr->sched_policy < 0)
		return err_set(p->e, "%s.policy: unknown policy \"%s\"", sp_, pol);
	pr->sched_runtime = rt.v;
	pr->sched_deadline = dl.v;
	pr->sched_period = per.v;
	pr->has_scheduler = true;
	return 0;
}

static int parse_console(struct sp *p, const cJSON *proc, const char *path)
{
	struct oci_process *pr = p->s->process;
	const cJSON *cs;
	char cp[JSON_PATH_MAX];
	uint32_t h = 0, w = 0;
	int r = json_get_object(proc, path, "consoleSize", 0, &cs, p->e);

	if (r <= 0)
		return r;
	json_path_key(cp, sizeof(cp), path, "consoleSize");
	if (json_get_uint32(cs, cp, "height", JSON_REQUIRED, &h, p->e) < 0 ||
	    json_get_uint32(cs, cp, "width", JSON_REQUIRED, &w, p->e) < 0)
		return -1;
	pr->console_height = h;
	pr->console_width = w;
	return 0;
}

int sp_parse_process(struct sp *p, const cJSON *proc, const char *path)
{
	struct oci_process *pr = sp_alloc(p, sizeof(*pr));

	if (!pr)
		return -1;
	p->s->process = pr;
	if (json_get_bool(proc, path, "terminal", 0, &pr->terminal, p->e) < 0 ||
	    parse_console(p, proc, path) < 0 ||
	    sp_strings(p, proc, path, "args", &pr->args, &pr->n_args) < 0 ||
	    sp_strings(p, proc, path, "env", &pr->env, &pr->n_env) < 0 ||
	    json_get_string(proc, path, "cwd", JSON_REQUIRED, &pr->cwd, p->e) < 0 ||
	    parse_user(p, proc, path) < 0 || parse_caps(p, proc, path) < 0 ||
	    parse_rlimits(p, proc, path) < 0 ||
	    json_get_bool(proc, path, "noNewPrivileges", 0, &pr->no_new_privileges, p->e) < 0 ||
	    sp_opt_i64(p, proc, path, "oomScoreAdj", &pr->oom_score_adj) < 0 ||
	    json_get_string(proc, path, "apparmorProfile", 0, &pr->apparmor_profile, p->e) < 0 ||
	    json_get_string(proc, path, "selinuxLabel", 0, &pr->selinux_label, p->e) < 0 ||
	    parse_io_priority(p, proc, path) < 0 || parse_scheduler(p, proc, path) < 0)
		return -1;
	if (pr->cwd[0] != '/')
		return err_set(p->e, "%s.cwd: \"%s\" is not an absolute path", path, pr->cwd);
	if (pr->oom_score_adj.has && (pr->oom_score_adj.v < -1000 || pr->oom_score_adj.v > 1000))
		return err_set(p->e, "%s.oomScoreAdj: %lld is not within -1000..1000", path,
			       (long long)pr->oom_score_adj.v);
	for (size_t i = 0; i < pr->n_env; i++)
		if (!strchr(pr->env[i], '='))
			return err_set(p->e, "%s.env[%zu]: \"%s\" is not KEY=value", path, i,
				       pr->env[i]);
	return 0;
}
