/* api-system.c - _ping, version, info, system/df: what the daemon says
 * about itself, in dockerd's shapes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/daemon/ctr.h"
#include "core/daemon/daemon.h"
#include "core/daemon/volumes.h"
#include "oci/image-info.h"
#include "version.h"
#include "file.h"
#include "json.h"
#include "log.h"
#include <sys/vfs.h>

static void ping(struct hx *x)
{
	static const char extra[] = "Cache-Control: no-cache, no-store, must-revalidate\r\n"
				    "Pragma: no-cache\r\n";
	char head[1024];
	size_t hl;
	bool get = strcmp(x->rq.method, "HEAD") != 0;

	/* hx_body with two more headers */
	char more[256];
	snprintf(more, sizeof(more),
		 "%sContent-Length: %d\r\nContent-Type: text/plain; charset=utf-8\r\n", extra,
		 get ? 2 : 0);
	hl = hx_head(x, head, sizeof(head), 200, more);
	hx_write(x, head, hl);
	if (get)
		hx_write(x, "OK", 2);
	x->done = true;
}

static const char *arch_go(void)
{
	struct utsname u;
	static char m[65];

	uname(&u);
	snprintf(m, sizeof(m), "%s", u.machine);
	if (!strcmp(m, "x86_64"))
		return "amd64";
	if (!strcmp(m, "aarch64"))
		return "arm64";
	if (!strncmp(m, "arm", 3))
		return "arm";
	return m;
}

static void version(struct hx *x)
{
	struct utsname u;
	cJSON *o = cJSON_CreateObject(), *pl, *comps, *c;
	char built[64];

	uname(&u);
	snprintf(built, sizeof(built), "%s", TUG_GIT_REV);
	pl = cJSON_AddObjectToObject(o, "Platform");
	cJSON_AddStringToObject(pl, "Name", "tug");
	comps = cJSON_AddArrayToObject(o, "Components");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "Name", "Engine");
	cJSON_AddStringToObject(c, "Version", TUG_VERSION);
	cJSON *det = cJSON_AddObjectToObject(c, "Details");
	cJSON_AddStringToObject(det, "ApiVersion", TUG_API_VERSION);
	cJSON_AddStringToObject(det, "Arch", arch_go());
	cJSON_AddStringToObject(det, "GitCommit", built);
	cJSON_AddStringToObject(det, "KernelVersion", u.release);
	cJSON_AddStringToObject(det, "MinAPIVersion", TUG_API_MIN_VERSION);
	cJSON_AddStringToObject(det, "Os", "linux");
	cJSON_AddItemToArray(comps, c);
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "Name", "tug-runtime");
	cJSON_AddStringToObject(c, "Version", TUG_VERSION);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(c, "Details"), "GitCommit", built);
	cJSON_AddItemToArray(comps, c);
	cJSON_AddStringToObject(o, "Version", TUG_VERSION);
	cJSON_AddStringToObject(o, "ApiVersion", TUG_API_VERSION);
	cJSON_AddStringToObject(o, "MinAPIVersion", TUG_API_MIN_VERSION);
	cJSON_AddStringToObject(o, "GitCommit", built);
	cJSON_AddStringToObject(o, "GoVersion", "none (C, musl)");
	cJSON_AddStringToObject(o, "Os", "linux");
	cJSON_AddStringToObject(o, "Arch", arch_go());
	cJSON_AddStringToObject(o, "KernelVersion", u.release);
	cJSON_AddStringToObject(o, "BuildTime", "");
	hx_json(x, 200, o);
	cJSON_Delete(o);
}

static void os_name(char *buf, size_t size)
{
	char *txt = NULL, *p;
	size_t len;

	snprintf(buf, size, "Linux");
	if (file_read_all("/etc/os-release", 65536, &txt, &len, NULL) < 0)
		return;
	if ((p = strstr(txt, "PRETTY_NAME=")) != NULL) {
		p += 12;
		if (*p == '"')
			p++;
		p[strcspn(p, "\"\n")] = '\0';
		snprintf(buf, size, "%s", p);
	}
	free(txt);
}

static bool cgroup_v2(void)
{
	struct statfs sf;

	return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == 0x63677270;
}

static int count_images(const struct oci_image_rec *rec, void *arg)
{
	(void)rec;
	(*(int *)arg)++;
	return 0;
}

static cJSON *strings(const char *const *v)
{
	cJSON *a = cJSON_CreateArray();

	for (; *v; v++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*v));
	return a;
}

static void info_counts(struct daemon *d, cJSON *o)
{
	int n = 0, run = 0, paused = 0, images = 0;

	pthread_mutex_lock(&d->mu);
	for (struct ctr *c = d->ctrs; c; c = c->next, n++) {
		run += c->status == CS_RUNNING || c->status == CS_RESTARTING;
		paused += c->status == CS_PAUSED;
	}
	pthread_mutex_unlock(&d->mu);
	oci_store_image_each(&d->store, count_images, &images, NULL);
	cJSON_AddNumberToObject(o, "Containers", n);
	cJSON_AddNumberToObject(o, "ContainersRunning", run);
	cJSON_AddNumberToObject(o, "ContainersPaused", paused);
	cJSON_AddNumberToObject(o, "ContainersStopped", n - run - paused);
	cJSON_AddNumberToObject(o, "Images", images);
}

static void info(struct hx *x)
{
	struct daemon *d = x->user;
	struct utsname u;
	struct sysinfo si;
	cJSON *o = cJSON_CreateObject(), *pl, *rc, *sw;
	char osn[256], host[256] = "", now[64];
	static const char *const vol[] = {"local", NULL};
	static const char *const net[] = {"bridge", "host", "null", NULL};
	static const char *const logd[] = {"json-file", "none", NULL};
	static const char *const sec[] = {"name=seccomp,profile=builtin", NULL};

	uname(&u);
	sysinfo(&si);
	os_name(osn, sizeof(osn));
	gethostname(host, sizeof(host) - 1);
	daemon_time_str(daemon_now_ns(), now, sizeof(now));
	cJSON_AddStringToObject(o, "ID", d->engine_id);
	info_counts(d, o);
	cJSON_AddStringToObject(o, "Driver", d->snap->name);
	cJSON_AddItemToObject(o, "DriverStatus", cJSON_CreateArray());
	pl = cJSON_AddObjectToObject(o, "Plugins");
	cJSON_AddItemToObject(pl, "Volume", strings(vol));
	cJSON_AddItemToObject(pl, "Network", strings(net));
	cJSON_AddNullToObject(pl, "Authorization");
	cJSON_AddItemToObject(pl, "Log", strings(logd));
	cJSON_AddBoolToObject(o, "MemoryLimit", true);
	cJSON_AddBoolToObject(o, "SwapLimit", true);
	cJSON_AddBoolToObject(o, "CpuCfsPeriod", true);
	cJSON_AddBoolToObject(o, "CpuCfsQuota", true);
	cJSON_AddBoolToObject(o, "CPUShares", true);
	cJSON_AddBoolToObject(o, "CPUSet", true);
	cJSON_AddBoolToObject(o, "PidsLimit", true);
	cJSON_AddBoolToObject(o, "IPv4Forwarding", true);
	cJSON_AddBoolToObject(o, "Debug", log_enabled(LOG_LEVEL_DEBUG));
	cJSON_AddNumberToObject(o, "NFd", 0);
	cJSON_AddBoolToObject(o, "OomKillDisable", false);
	cJSON_AddNumberToObject(o, "NGoroutines", 0);
	cJSON_AddStringToObject(o, "SystemTime", now);
	cJSON_AddStringToObject(o, "LoggingDriver", d->log_driver);
	cJSON_AddStringToObject(o, "CgroupDriver", "cgroupfs");
	cJSON_AddStringToObject(o, "CgroupVersion", cgroup_v2() ? "2" : "1");
	cJSON_AddNumberToObject(o, "NEventsListener", 0);
	cJSON_AddStringToObject(o, "KernelVersion", u.release);
	cJSON_AddStringToObject(o, "OperatingSystem", osn);
	cJSON_AddStringToObject(o, "OSVersion", "");
	cJSON_AddStringToObject(o, "OSType", "linux");
	cJSON_AddStringToObject(o, "Architecture", u.machine);
	cJSON_AddStringToObject(o, "IndexServerAddress", "https://index.docker.io/v1/");
	rc = daemon_registry_config();
	cJSON_AddItemToObject(o, "RegistryConfig", rc ? rc : cJSON_CreateObject());
	cJSON_AddNumberToObject(o, "NCPU", (double)sysconf(_SC_NPROCESSORS_ONLN));
	cJSON_AddNumberToObject(o, "MemTotal", (double)si.totalram * si.mem_unit);
	cJSON_AddStringToObject(o, "DockerRootDir", d->data_root);
	cJSON_AddStringToObject(o, "Name", host);
	cJSON_AddItemToObject(o, "Labels", cJSON_CreateArray());
	cJSON_AddBoolToObject(o, "ExperimentalBuild", false);
	cJSON_AddStringToObject(o, "ServerVersion", TUG_VERSION);
	cJSON *rt = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "Runtimes"), "runc");
	cJSON_AddStringToObject(rt, "path", "tug");
	cJSON_AddStringToObject(o, "DefaultRuntime", "runc");
	sw = cJSON_AddObjectToObject(o, "Swarm");
	cJSON_AddStringToObject(sw, "NodeID", "");
	cJSON_AddStringToObject(sw, "NodeAddr", "");
	cJSON_AddStringToObject(sw, "LocalNodeState", "inactive");
	cJSON_AddBoolToObject(sw, "ControlAvailable", false);
	cJSON_AddStringToObject(sw, "Error", "");
	cJSON_AddNullToObject(sw, "RemoteManagers");
	cJSON_AddBoolToObject(o, "LiveRestoreEnabled", d->live_restore);
	cJSON_AddStringToObject(o, "Isolation", "");
	cJSON_AddStringToObject(o, "InitBinary", "tug");
	cJSON *cc = cJSON_AddObjectToObject(o, "ContainerdCommit");
	cJSON_AddStringToObject(cc, "ID", "");
	cJSON *rcm = cJSON_AddObjectToObject(o, "RuncCommit");
	cJSON_AddStringToObject(rcm, "ID", TUG_GIT_REV);
	cJSON *ic = cJSON_AddObjectToObject(o, "InitCommit");
	cJSON_AddStringToObject(ic, "ID", TUG_GIT_REV);
	cJSON_AddItemToObject(o, "SecurityOptions", strings(sec));
	cJSON_AddItemToObject(o, "Warnings", cJSON_CreateArray());
	hx_json(x, 200, o);
	cJSON_Delete(o);
}

struct df_images {
	struct oci_store *s;
	struct oci_image_refs refs;
	struct oci_image_filter f;
	struct daemon *d;
	cJSON *out;
	int64_t total;
};

static int df_image(const struct oci_image_rec *rec, void *arg)
{
	struct df_images *l = arg;
	cJSON *row = oci_image_summary(l->s, rec, &l->refs, &l->f);

	if (!row)
		return 0;
	cJSON_ReplaceItemInObjectCaseSensitive(
		row, "Containers", cJSON_CreateNumber(ctr_image_users(l->d, rec->id, NULL)));
	l->total += rec->size;
	cJSON_AddItemToArray(l->out, row);
	return 0;
}

/* GET /system/df: images (with how many containers use each), containers
 * and volumes, as `docker system df` reads them. */
static void system_df(struct hx *x)
{
	struct daemon *d = x->user;
	struct df_images l = {.s = &d->store, .f = {.dangling = -1}, .d = d};
	cJSON *o = cJSON_CreateObject(), *cs, *vols = NULL;
	struct err e;

	l.out = cJSON_CreateArray();
	if (oci_image_refs_load(&d->store, &l.refs, &e) < 0 ||
	    oci_store_image_each(&d->store, df_image, &l, &e) < 0 || vol_list(d, &vols, &e) < 0) {
		oci_image_refs_free(&l.refs);
		cJSON_Delete(l.out);
		cJSON_Delete(o);
		hx_error(x, 500, "%s", e.msg);
		return;
	}
	oci_image_refs_free(&l.refs);
	json_add_u64(o, "LayersSize", (uint64_t)l.total);
	cJSON_AddItemToObject(o, "Images", l.out);
	cs = cJSON_AddArrayToObject(o, "Containers");
	pthread_mutex_lock(&d->mu);
	for (struct ctr *c = d->ctrs; c; c = c->next) {
		if (c->removed || c->creating)
			continue;
		cJSON *row = ctr_list_row(d, c);
		cJSON_AddNumberToObject(row, "SizeRw", 0);
		cJSON_AddNumberToObject(row, "SizeRootFs", 0);
		cJSON_AddItemToArray(cs, row);
	}
	pthread_mutex_unlock(&d->mu);
	/* volumes with their usage, as dockerd adds it for df */
	cJSON *v;
	cJSON_ArrayForEach(v, vols)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(v, "Name");
		cJSON *u = cJSON_CreateObject();
		cJSON_AddNumberToObject(u, "Size", 0);
		cJSON_AddNumberToObject(
			u, "RefCount",
			cJSON_IsString(n) ? ctr_volume_users(d, n->valuestring, NULL) : 0);
		cJSON_DeleteItemFromObjectCaseSensitive(v, "UsageData");
		cJSON_AddItemToObject(v, "UsageData", u);
	}
	cJSON_AddItemToObject(o, "Volumes", vols);
	cJSON_AddItemToObject(o, "BuildCache", cJSON_CreateArray());
	hx_json(x, 200, o);
	cJSON_Delete(o);
}

/* POST /build/prune: tug builds nothing, so there is no cache to prune;
 * dockerd's answer for an empty cache (docker system prune asks last). */
static void build_prune(struct hx *x)
{
	static const char body[] = "{\"CachesDeleted\":null,\"SpaceReclaimed\":0}\n";

	hx_body(x, 200, "application/json", body, sizeof(body) - 1);
}

static void check_line(const char *line, void *arg)
{
	cJSON_AddItemToArray(arg, cJSON_CreateString(line));
}

/* GET /tug/system/check, tug's own (dockerd has no /tug/ path): `tug
 * system check` while this daemon holds the store's lock. Image writes
 * (store_mu) and the store's commits (its mutex) wait meanwhile, so no
 * write is seen half-done; a pull in flight leaves only tmp/ (notes). */
static void system_check(struct hx *x)
{
	struct daemon *d = x->user;
	cJSON *o = cJSON_CreateObject(), *lines = cJSON_CreateArray();
	struct err e = {0};
	int n;

	pthread_mutex_lock(&d->store_mu);
	oci_store_lock(&d->store);
	n = oci_store_check(&d->store, check_line, lines, &e);
	oci_store_unlock(&d->store);
	pthread_mutex_unlock(&d->store_mu);
	if (n < 0) {
		hx_error(x, 500, "system check: %s", e.msg);
	} else {
		cJSON_AddStringToObject(o, "Root", d->store.root);
		cJSON_AddNumberToObject(o, "Problems", n);
		cJSON_AddItemToObject(o, "Lines", lines);
		lines = NULL;
		hx_json(x, 200, o);
	}
	cJSON_Delete(lines);
	cJSON_Delete(o);
}

static const struct hroute routes[] = {
	{"GET", "/system/df", system_df, HR_THREAD},
	{"POST", "/build/prune", build_prune, 0},
	{"GET", "/tug/system/check", system_check, HR_THREAD},
	{"GET", "/_ping", ping, 0},
	{"GET", "/version", version, 0},
	{"GET", "/info", info, 0},
};

const struct api_part api_system = {routes, sizeof(routes) / sizeof(routes[0])};
