/* dockerspec-mounts-out.c - spec.mounts as dockerd makes them: its default
 * /proc, /dev, /dev/pts, /sys, /sys/fs/cgroup, /dev/mqueue, /dev/shm (less
 * those the user replaces), then the user's mounts parents first, volumes
 * resolved through the daemon's ops; and inspect's "Mounts". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "path.h"
#include "oci/dockerspec-mounts.h"

#define DEFAULT_SHM_SIZE 67108864LL /* 64 MiB, dockerd's default ShmSize */
#define INIT_DEST "/sbin/docker-init"

static const struct {
	const char *dest, *type, *source, *options;
} default_mounts[] = {
	{"/proc", "proc", "proc", "nosuid,noexec,nodev"},
	{"/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k"},
	{"/dev/pts", "devpts", "devpts", "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"},
	{"/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro"},
	{"/sys/fs/cgroup", "cgroup", "cgroup", "ro,nosuid,noexec,nodev"},
	{"/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"},
	{"/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,mode=1777"},
};

static bool has_dest(const struct ums *l, const char *dest)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].dest, dest) == 0)
			return true;
	return false;
}

/* A bind of a file the daemon made (resolv.conf, ...) or of the host's
 * /dev/shm: not shown in inspect, as in dockerd. */
static int add_system_bind(struct ums *l, const char *src, const char *dest, bool rw, struct err *e)
{
	struct um *u;

	if (!src || has_dest(l, dest))
		return 0;
	u = ds_um_add(l, e);
	if (!u)
		return -1;
	u->type = UM_BIND;
	u->in_inspect = false;
	u->rw = rw;
	strcpy(u->prop, "rprivate");
	snprintf(u->dest, sizeof(u->dest), "%s", dest);
	if (snprintf(u->src, sizeof(u->src), "%s", src) >= (int)sizeof(u->src))
		return err_set(e, "%s: path too long", src);
	return 0;
}

static int add_implicit(struct ds *d, struct ums *l)
{
	const cJSON *it;
	const char *ipc = ds_str(d->hc, "IpcMode");
	bool rw = !ds_bool(d->hc, "ReadonlyRootfs");

	cJSON_ArrayForEach(it, ds_get(d->cfg, "Volumes"))
	{
		char dest[PATH_MAX];
		struct um *u;

		if (path_clean(it->string, dest, sizeof(dest), d->e) < 0)
			return -1;
		if (has_dest(l, dest))
			continue;
		if (!(u = ds_um_add(l, d->e)))
			return -1;
		u->type = UM_VOLUME;
		strcpy(u->dest, dest);
	}
	if (ipc && strcmp(ipc, "host") == 0 &&
	    add_system_bind(l, "/dev/shm", "/dev/shm", true, d->e) < 0)
		return -1;
	if (add_system_bind(l, d->in->resolv_path, "/etc/resolv.conf", rw, d->e) < 0 ||
	    add_system_bind(l, d->in->hostname_path, "/etc/hostname", rw, d->e) < 0 ||
	    add_system_bind(l, d->in->hosts_path, "/etc/hosts", rw, d->e) < 0)
		return -1;
	return 0;
}

/* Make what -v makes (a missing bind source folder) and get volumes. */
static int resolve(struct ds *d, struct um *u)
{
	const struct oci_dspec_volume_ops *ops = d->in->volumes;
	char name[256], path[PATH_MAX];
	struct stat st;

	if (u->type == UM_BIND && (u->from_binds || u->create) && stat(u->src, &st) < 0) {
		if (errno != ENOENT || file_mkdir_p(u->src, 0755, d->e) < 0)
			return err_wrap(d->e, "bind source %s", u->src);
	}
	if (u->type != UM_VOLUME)
		return 0;
	if (!ops || !ops->get)
		return err_set(d->e, "volume for %s: this daemon has no volumes", u->dest);
	name[0] = '\0';
	if (ops->get(ops->arg, u->name[0] ? u->name : NULL, name, sizeof(name), path, sizeof(path),
		     d->e) < 0)
		return err_wrap(d->e, "volume for %s", u->dest);
	if (!u->name[0])
		snprintf(u->name, sizeof(u->name), "%s", name);
	if (u->subpath[0])
		return path_join_under(path, u->subpath, u->src, sizeof(u->src), d->e);
	snprintf(u->src, sizeof(u->src), "%s", path);
	return 0;
}

static size_t depth(const char *p)
{
	size_t n = 0;

	for (; *p; p++)
		n += *p == '/';
	return n;
}

/* Parents before children: by the number of components, stable. */
static void sort_mounts(struct ums *l)
{
	for (size_t i = 1; i < l->n; i++) {
		struct um t = l->v[i];
		size_t j = i;

		for (; j > 0 && depth(l->v[j - 1].dest) > depth(t.dest); j--)
			l->v[j] = l->v[j - 1];
		l->v[j] = t;
	}
}

static cJSON *new_mount(struct ds *d, cJSON *arr, const char *dest, const char *type,
			const char *src)
{
	cJSON *m = ds_obj(d, arr, NULL);

	if (!m || !cJSON_AddStringToObject(m, "destination", dest) ||
	    !cJSON_AddStringToObject(m, "type", type) || !cJSON_AddStringToObject(m, "source", src))
		return ds_oom(d->e), NULL;
	return ds_list(d, m, "options");
}

/* Options text "a,b" into arr, less "ro" when drop_ro, plus "ro" when add_ro. */
static int push_opts(struct ds *d, cJSON *arr, const char *text, bool drop_ro, bool add_ro)
{
	bool has_ro = false;

	for (const char *p = text; *p;) {
		size_t n = strcspn(p, ",");
		char o[128];

		snprintf(o, sizeof(o), "%.*s", (int)n, p);
		p += n + (p[n] == ',');
		if (strcmp(o, "ro") == 0 && (has_ro = true) && drop_ro)
			continue;
		if (ds_push(d, arr, o) < 0)
			return -1;
	}
	return add_ro && !has_ro && !drop_ro ? ds_push(d, arr, "ro") : 0;
}

static int emit_defaults(struct ds *d, const struct ums *l, cJSON *arr)
{
	const char *ipc = ds_str(d->hc, "IpcMode");
	bool user_dev = has_dest(l, "/dev"), ro = ds_bool(d->hc, "ReadonlyRootfs");
	int64_t shm = ds_int(d->hc, "ShmSize");

	for (size_t i = 0; i < sizeof(default_mounts) / sizeof(default_mounts[0]); i++) {
		const char *dest = default_mounts[i].dest;
		bool keep_rw = strcmp(dest, "/sys") != 0 && strcmp(dest, "/sys/fs/cgroup") != 0;
		char opts[256];
		cJSON *o;

		if (has_dest(l, dest) || (user_dev && strncmp(dest, "/dev/", 5) == 0))
			continue;
		snprintf(opts, sizeof(opts), "%s", default_mounts[i].options);
		if (strcmp(dest, "/dev/shm") == 0) {
			if (ipc && strcmp(ipc, "none") == 0)
				continue;
			snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), ",size=%lld",
				 (long long)(shm > 0 ? shm : DEFAULT_SHM_SIZE));
		}
		o = new_mount(d, arr, dest, default_mounts[i].type, default_mounts[i].source);
		/* Privileged: /sys and the cgroups writable, as dockerd does. */
		if (!o || push_opts(d, o, opts, d->privileged && !keep_rw, ro && !keep_rw) < 0)
			return -1;
	}
	if (ds_bool(d->hc, "Init") && d->in->init_path) {
		const char *pid = ds_str(d->hc, "PidMode");
		cJSON *o;

		if (pid && pid[0])
			return 0;
		o = new_mount(d, arr, INIT_DEST, "bind", d->in->init_path);
		if (!o || ds_push(d, o, "bind") < 0 || ds_push(d, o, "ro") < 0)
			return -1;
	}
	return 0;
}

static int emit_user(struct ds *d, const struct um *u, cJSON *arr)
{
	cJSON *o;

	if (u->type == UM_TMPFS) {
		o = new_mount(d, arr, u->dest, "tmpfs", "tmpfs");
		return o ? ds_tmpfs_options(d, u->data, o, d->e) : -1;
	}
	o = new_mount(d, arr, u->dest, "bind", u->src);
	if (!o || ds_push(d, o, u->nonrec ? "bind" : "rbind") < 0)
		return -1;
	if (!u->rw && ds_push(d, o, u->rro ? "rro" : "ro") < 0)
		return -1;
	if (u->prop[0] && ds_push(d, o, u->prop) < 0)
		return -1;
	return 0;
}

static int emit_inspect(struct ds *d, const struct um *u)
{
	static const char *const types[] = {"bind", "volume", "tmpfs"};
	cJSON *m = ds_obj(d, d->inspect, NULL);

	if (!m || !cJSON_AddStringToObject(m, "Type", types[u->type]) ||
	    (u->type == UM_VOLUME && !cJSON_AddStringToObject(m, "Name", u->name)) ||
	    !cJSON_AddStringToObject(m, "Source", u->type == UM_TMPFS ? "" : u->src) ||
	    !cJSON_AddStringToObject(m, "Destination", u->dest) ||
	    (u->type == UM_VOLUME && !cJSON_AddStringToObject(m, "Driver", "local")) ||
	    !cJSON_AddStringToObject(m, "Mode", u->mode) ||
	    !cJSON_AddBoolToObject(m, "RW", u->rw) ||
	    !cJSON_AddStringToObject(m, "Propagation", u->type == UM_BIND ? u->prop : ""))
		return ds_oom(d->e);
	return 0;
}

/* A shared bind needs a shared rootfs, a slave one at least rslave. */
static const char *root_propagation(const struct ums *l)
{
	const char *r = NULL;

	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].type != UM_BIND || !l->v[i].in_inspect)
			continue;
		if (strstr(l->v[i].prop, "shared"))
			return "shared";
		if (strstr(l->v[i].prop, "slave"))
			r = "rslave";
	}
	return r;
}

int ds_mounts(struct ds *d)
{
	struct ums l = {0};
	cJSON *arr = ds_list(d, d->spec, "mounts");
	const char *rp;
	int r = -1;

	if (!arr || ds_mounts_parse(d->hc, &l, d->e) < 0 || add_implicit(d, &l) < 0)
		goto out;
	for (size_t i = 0; i < l.n; i++)
		if (resolve(d, &l.v[i]) < 0)
			goto out;
	sort_mounts(&l);
	if (emit_defaults(d, &l, arr) < 0)
		goto out;
	for (size_t i = 0; i < l.n; i++)
		if (emit_user(d, &l.v[i], arr) < 0 ||
		    (l.v[i].in_inspect && emit_inspect(d, &l.v[i]) < 0))
			goto out;
	rp = root_propagation(&l);
	if (rp) {
		cJSON *lnx = cJSON_GetObjectItemCaseSensitive(d->spec, "linux");

		if (!lnx && !(lnx = ds_obj(d, d->spec, "linux")))
			goto out;
		if (!cJSON_AddStringToObject(lnx, "rootfsPropagation", rp)) {
			ds_oom(d->e);
			goto out;
		}
	}
	r = 0;
out:
	free(l.v);
	return r;
}
