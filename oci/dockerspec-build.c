/* dockerspec-build.c - oci_dspec_build: the OCI config's root, process
 * (args, env, cwd, terminal), hostname, namespaces and cgroup path, in the
 * order dockerd's createSpec applies them; the parts do the rest. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "path.h"
#include "oci/dockerspec-priv.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define INIT_DEST "/sbin/docker-init"
#define CGROUP2_MAGIC 0x63677270

static bool mode_is(const cJSON *hc, const char *key, const char *want)
{
	const char *m = ds_str(hc, key);

	return m && strcmp(m, want) == 0;
}

static bool mode_prefix(const cJSON *hc, const char *key, const char *want)
{
	const char *m = ds_str(hc, key);

	return m && strncmp(m, want, strlen(want)) == 0;
}

static int proc_args(struct ds *d, cJSON *proc)
{
	const cJSON *ep = ds_get(d->cfg, "Entrypoint"), *cmd = ds_get(d->cfg, "Cmd"), *it;
	cJSON *args = ds_list(d, proc, "args");
	bool init = ds_bool(d->hc, "Init") && !mode_is(d->hc, "PidMode", "host") &&
		    !mode_prefix(d->hc, "PidMode", "container:");

	if (!args)
		return -1;
	if (init && (ds_push(d, args, INIT_DEST) < 0 || ds_push(d, args, "--") < 0))
		return -1;
	cJSON_ArrayForEach(it, ep)
	{
		if (ds_push(d, args, it->valuestring) < 0)
			return -1;
	}
	cJSON_ArrayForEach(it, cmd)
	{
		if (ds_push(d, args, it->valuestring) < 0)
			return -1;
	}
	return 0;
}

/* The array element whose "KEY=" matches kv's key, or NULL. */
static cJSON *env_find(cJSON *env, const char *kv, size_t n)
{
	cJSON *it;

	cJSON_ArrayForEach(it, env)
	{
		if (strncmp(it->valuestring, kv, n) == 0 && it->valuestring[n] == '=')
			return it;
	}
	return NULL;
}

/* dockerd's CreateDaemonEnvironment: PATH, HOSTNAME, TERM first, then the
 * Config's Env replacing by key or appended; "KEY" alone unsets. HOME from
 * the passwd entry when nobody set it, as runc does at exec. */
static int proc_env(struct ds *d, cJSON *proc, const char *home)
{
	cJSON *env = ds_list(d, proc, "env"), *old;
	const cJSON *it;
	char buf[4200];

	if (!env || ds_push(d, env, DEFAULT_PATH) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "HOSTNAME=%s", ds_str(d->cfg, "Hostname"));
	if (ds_push(d, env, buf) < 0 ||
	    (ds_bool(d->cfg, "Tty") && ds_push(d, env, "TERM=xterm") < 0))
		return -1;
	cJSON_ArrayForEach(it, ds_get(d->cfg, "Env"))
	{
		const char *kv = it->valuestring, *eq = strchr(kv, '=');

		old = env_find(env, kv, eq ? (size_t)(eq - kv) : strlen(kv));
		if (!eq) {
			if (old)
				cJSON_Delete(cJSON_DetachItemViaPointer(env, old));
		} else if (old) {
			cJSON *c = cJSON_CreateString(kv);

			if (!c || !cJSON_ReplaceItemViaPointer(env, old, c))
				return cJSON_Delete(c), ds_oom(d->e);
		} else if (ds_push(d, env, kv) < 0) {
			return -1;
		}
	}
	snprintf(buf, sizeof(buf), "HOME=%s", home && home[0] ? home : "/");
	if (!env_find(env, "HOME", 4) && ds_push(d, env, buf) < 0)
		return -1;
	return 0;
}

static int build_process(struct ds *d)
{
	cJSON *proc = ds_obj(d, d->spec, "process");
	const cJSON *cs = ds_get(d->hc, "ConsoleSize");
	const char *wd = ds_str(d->cfg, "WorkingDir");
	char cwd[4096];

	if (!proc)
		return -1;
	if (!cJSON_AddBoolToObject(proc, "terminal", ds_bool(d->cfg, "Tty")))
		return ds_oom(d->e);
	if (ds_bool(d->cfg, "Tty") && cJSON_GetArraySize(cs) == 2 &&
	    cJSON_GetArrayItem(cs, 0)->valuedouble > 0) {
		cJSON *c = ds_obj(d, proc, "consoleSize");

		if (!c ||
		    ds_num(d, c, "height", (int64_t)cJSON_GetArrayItem(cs, 0)->valuedouble) < 0 ||
		    ds_num(d, c, "width", (int64_t)cJSON_GetArrayItem(cs, 1)->valuedouble) < 0)
			return -1;
	}
	if (ds_user(d, proc) < 0 || proc_args(d, proc) < 0 || proc_env(d, proc, d->home) < 0)
		return -1;
	if (path_clean(wd && wd[0] ? wd : "/", cwd, sizeof(cwd), d->e) < 0)
		return err_wrap(d->e, "WorkingDir");
	if (!cJSON_AddStringToObject(proc, "cwd", cwd))
		return ds_oom(d->e);
	return ds_defaults_caps(d);
}

static int add_ns(struct ds *d, cJSON *list, const char *type, const char *path)
{
	cJSON *ns = ds_obj(d, list, NULL);

	if (!ns || !cJSON_AddStringToObject(ns, "type", type) ||
	    (path && !cJSON_AddStringToObject(ns, "path", path)))
		return ds_oom(d->e);
	return 0;
}

/* cgroupns "" is dockerd's default: private on a cgroup v2 host. */
static bool cgroupns_private(const cJSON *hc)
{
	const char *m = ds_str(hc, "CgroupnsMode");
	struct statfs st;

	if (m && m[0])
		return strcmp(m, "private") == 0;
	return statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_MAGIC;
}

static int build_namespaces(struct ds *d, cJSON *lnx)
{
	cJSON *list = ds_list(d, lnx, "namespaces");
	const char *net = d->in->netns;

	if (!list || add_ns(d, list, "mount", NULL) < 0)
		return -1;
	if (!(net && strcmp(net, "host") == 0) && add_ns(d, list, "network", net) < 0)
		return -1;
	if (!mode_is(d->hc, "UTSMode", "host") && add_ns(d, list, "uts", NULL) < 0)
		return -1;
	if (mode_prefix(d->hc, "PidMode", "container:") ||
	    mode_prefix(d->hc, "IpcMode", "container:"))
		return err_set(d->e, "joining another container's pid or ipc namespace is not "
				     "supported yet");
	if (!mode_is(d->hc, "PidMode", "host") && add_ns(d, list, "pid", NULL) < 0)
		return -1;
	if (!mode_is(d->hc, "IpcMode", "host") && add_ns(d, list, "ipc", NULL) < 0)
		return -1;
	if (cgroupns_private(d->hc) && add_ns(d, list, "cgroup", NULL) < 0)
		return -1;
	return 0;
}

static int build_top(struct ds *d)
{
	const char *dom = ds_str(d->cfg, "Domainname");
	bool uts_host = mode_is(d->hc, "UTSMode", "host");
	cJSON *root;

	if (!cJSON_AddStringToObject(d->spec, "ociVersion", "1.2.0"))
		return ds_oom(d->e);
	root = ds_obj(d, d->spec, "root");
	if (!root || !cJSON_AddStringToObject(root, "path", d->in->rootfs) ||
	    !cJSON_AddBoolToObject(root, "readonly", ds_bool(d->hc, "ReadonlyRootfs")))
		return ds_oom(d->e);
	if (!uts_host && !cJSON_AddStringToObject(d->spec, "hostname", ds_str(d->cfg, "Hostname")))
		return ds_oom(d->e);
	if (!uts_host && dom && dom[0] && !cJSON_AddStringToObject(d->spec, "domainname", dom))
		return ds_oom(d->e);
	return 0;
}

static int build_linux(struct ds *d)
{
	cJSON *lnx = cJSON_GetObjectItemCaseSensitive(d->spec, "linux");
	const char *parent = ds_str(d->hc, "CgroupParent");
	char cg[4096];

	if (!lnx && !(lnx = ds_obj(d, d->spec, "linux")))
		return -1;
	if (!parent || !parent[0])
		parent = d->in->cgroup_parent ? d->in->cgroup_parent : "/tug";
	snprintf(cg, sizeof(cg), "%s%s%s", parent[0] == '/' ? "" : "/", parent, "/");
	if (strlen(cg) + strlen(d->in->id) >= sizeof(cg))
		return err_set(d->e, "CgroupParent: too long");
	strcat(cg, d->in->id);
	if (path_clean(cg, cg, sizeof(cg), d->e) < 0)
		return -1;
	if (!cJSON_AddStringToObject(lnx, "cgroupsPath", cg))
		return ds_oom(d->e);
	if (ds_resources(d, lnx, cJSON_GetObjectItemCaseSensitive(d->spec, "process")) < 0 ||
	    ds_defaults_linux(d, lnx) < 0 || build_namespaces(d, lnx) < 0 || ds_seccomp(d, lnx) < 0)
		return -1;
	return 0;
}

int oci_dspec_build(const struct oci_dspec_in *in, cJSON **config, cJSON **mounts_out,
		    struct err *e)
{
	struct ds d = {.in = in, .e = e};
	int r = -1;

	*config = NULL;
	if (mounts_out)
		*mounts_out = NULL;
	if (!in || !in->id || strlen(in->id) < 12 || !in->rootfs || in->rootfs[0] != '/')
		return err_set(e, "build the container's config: an id and an absolute rootfs "
				  "are needed");
	if (oci_dspec_check(in->body, e) < 0)
		return -1;
	d.hc = ds_get(in->body, "HostConfig");
	d.privileged = ds_bool(d.hc, "Privileged");
	if (oci_dspec_merge_config(in->image_config, in->body, in->id, &d.cfg, e) < 0)
		return -1;
	d.spec = cJSON_CreateObject();
	d.inspect = cJSON_CreateArray();
	if (!d.spec || !d.inspect) {
		ds_oom(e);
		goto out;
	}
	if (build_top(&d) < 0 || build_process(&d) < 0 || ds_mounts(&d) < 0 || build_linux(&d) < 0)
		goto out;
	*config = d.spec;
	d.spec = NULL;
	if (mounts_out) {
		*mounts_out = d.inspect;
		d.inspect = NULL;
	}
	r = 0;
out:
	cJSON_Delete(d.spec);
	cJSON_Delete(d.inspect);
	cJSON_Delete(d.cfg);
	return r;
}
