/* networks.c - network records: kept in memory in creation order, each
 * written to <data-root>/networks/<id>.json atomically; the built-ins are
 * made once, so their ids stay the same across restarts. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/daemon/ctr.h"
#include "core/daemon/networks-priv.h"
#include "core/daemon/networks.h"
#include "file.h"
#include "json.h"
#include "log.h"
#include "sort.h"

pthread_mutex_t nw_mu = PTHREAD_MUTEX_INITIALIZER;
cJSON *nw_all; /* array of records, under nw_mu */
static char nw_dir[PATH_MAX + 32];

const char *nw_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

bool nw_is_predefined(const char *name)
{
	return !strcmp(name, "bridge") || !strcmp(name, "host") || !strcmp(name, "none") ||
	       !strcmp(name, "default");
}

int nw_random_id(char id[65], struct err *e)
{
	unsigned char r[32];

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return err_sys(e, errno, "random network id");
	for (size_t i = 0; i < sizeof(r); i++)
		sprintf(id + 2 * i, "%02x", r[i]);
	return 0;
}

int nw_save(const cJSON *rec, struct err *e)
{
	char p[PATH_MAX + 128], *s = NULL;
	size_t len;
	int rc;

	snprintf(p, sizeof(p), "%s/%s.json", nw_dir, nw_str(rec, "Id"));
	if (json_print(rec, true, &s, &len, e) < 0)
		return -1;
	rc = file_write_atomic(AT_FDCWD, p, s, len, 0600, e);
	free(s);
	return rc;
}

static int unsave(const char *id, struct err *e)
{
	char p[PATH_MAX + 128];

	snprintf(p, sizeof(p), "%s/%s.json", nw_dir, id);
	if (unlink(p) < 0 && errno != ENOENT)
		return err_sys(e, errno, "remove %s", p);
	return file_fsync_dir(nw_dir, e);
}

/* A record as dockerd's inspect answers it, fields in its order; IPAM and
 * Options are the callers' to fill. */
cJSON *nw_record_new(const char *name, const char *id, const char *driver, int64_t created_ns)
{
	char t[48];
	cJSON *r = cJSON_CreateObject(), *ipam, *cf;

	daemon_time_str(created_ns, t, sizeof(t));
	if (!r)
		return NULL;
	cJSON_AddStringToObject(r, "Name", name);
	cJSON_AddStringToObject(r, "Id", id);
	cJSON_AddStringToObject(r, "Created", t);
	cJSON_AddStringToObject(r, "Scope", "local");
	cJSON_AddStringToObject(r, "Driver", driver);
	cJSON_AddFalseToObject(r, "EnableIPv6");
	ipam = cJSON_AddObjectToObject(r, "IPAM");
	cJSON_AddStringToObject(ipam, "Driver", "default");
	cJSON_AddNullToObject(ipam, "Options");
	cJSON_AddArrayToObject(ipam, "Config");
	cJSON_AddFalseToObject(r, "Internal");
	cJSON_AddFalseToObject(r, "Attachable");
	cJSON_AddFalseToObject(r, "Ingress");
	cf = cJSON_AddObjectToObject(r, "ConfigFrom");
	cJSON_AddStringToObject(cf, "Network", "");
	cJSON_AddFalseToObject(r, "ConfigOnly");
	/* connected containers show here once the networking issue makes endpoints */
	cJSON_AddObjectToObject(r, "Containers");
	cJSON_AddObjectToObject(r, "Options");
	if (!cJSON_AddObjectToObject(r, "Labels"))
		return cJSON_Delete(r), NULL;
	return r;
}

/* The default bridge's options, as dockerd shows them for docker0. */
static void bridge_options(cJSON *r)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(r, "Options"), *c;

	cJSON_AddStringToObject(o, "com.docker.network.bridge.default_bridge", "true");
	cJSON_AddStringToObject(o, "com.docker.network.bridge.enable_icc", "true");
	cJSON_AddStringToObject(o, "com.docker.network.bridge.enable_ip_masquerade", "true");
	cJSON_AddStringToObject(o, "com.docker.network.bridge.host_binding_ipv4", "0.0.0.0");
	cJSON_AddStringToObject(o, "com.docker.network.bridge.name", NW_DEFAULT_BRIDGE);
	cJSON_AddStringToObject(o, "com.docker.network.driver.mtu", "1500");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "Subnet", "172.17.0.0/16");
	cJSON_AddStringToObject(c, "Gateway", "172.17.0.1");
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(
				     cJSON_GetObjectItemCaseSensitive(r, "IPAM"), "Config"),
			     c);
}

cJSON *nw_lookup(const char *name_or_id)
{
	cJSON *r;

	cJSON_ArrayForEach(r, nw_all) if (!strcmp(nw_str(r, "Name"), name_or_id) ||
					  !strcmp(nw_str(r, "Id"), name_or_id)) return r;
	return NULL;
}

/* nw_mu held. */
static int make_builtins(struct err *e)
{
	static const char *const names[][2] = {
		{"none", "null"}, {"host", "host"}, {"bridge", "bridge"}};

	for (size_t i = 0; i < 3; i++) {
		char id[65];
		cJSON *r;

		if (nw_lookup(names[i][0]))
			continue;
		if (nw_random_id(id, e) < 0)
			return -1;
		r = nw_record_new(names[i][0], id, names[i][1], daemon_now_ns());
		if (!r)
			return err_set(e, "network %s: out of memory", names[i][0]);
		if (!strcmp(names[i][0], "bridge"))
			bridge_options(r);
		if (nw_save(r, e) < 0) {
			cJSON_Delete(r);
			return err_wrap(e, "network %s", names[i][0]);
		}
		cJSON_AddItemToArray(nw_all, r);
	}
	return 0;
}

static int by_created(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	int c = strcmp(nw_str(x, "Created"), nw_str(y, "Created"));

	return c ? c : strcmp(nw_str(x, "Name"), nw_str(y, "Name"));
}

static cJSON *load_one(int dfd, const char *fname, struct err *e)
{
	char *buf = NULL, id[65];
	size_t len;
	cJSON *r = NULL;
	int fd;

	snprintf(id, sizeof(id), "%.64s", fname);
	fd = openat(dfd, fname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || file_read_fd(fd, 1u << 20, &buf, &len, e) < 0 ||
	    json_parse(buf, len, &r, e) < 0 || !cJSON_IsObject(r) || strcmp(nw_str(r, "Id"), id) ||
	    !*nw_str(r, "Name")) {
		if (fd < 0)
			err_sys(e, errno, "open");
		cJSON_Delete(r);
		r = NULL;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return r;
}

/* nw_mu held. Records whose file is broken are left out with a warning in
 * warn; temp files of an interrupted write go. */
static void load_dir(cJSON **v, size_t *n, size_t cap, struct err *warn)
{
	DIR *dir = opendir(nw_dir);
	struct dirent *de;

	if (!dir)
		return;
	while ((de = readdir(dir)) && *n < cap) {
		size_t l = strlen(de->d_name);
		cJSON *r;
		if (de->d_name[0] == '.' && strstr(de->d_name, ".tmp.")) {
			unlinkat(dirfd(dir), de->d_name, 0);
			continue;
		}
		if (l != 69 || strcmp(de->d_name + 64, ".json") ||
		    strspn(de->d_name, "0123456789abcdef") != 64)
			continue;
		r = load_one(dirfd(dir), de->d_name, warn);
		if (r)
			v[(*n)++] = r;
		else
			err_wrap(warn, "network record %s/%s", nw_dir, de->d_name);
	}
	closedir(dir);
}

int nw_init(struct daemon *d, struct err *e)
{
	size_t n = 0, cap = 4096;
	cJSON **v = calloc(cap, sizeof(*v));
	struct err warn = {0};
	int rc;

	if (!v)
		return err_set(e, "networks: out of memory");
	snprintf(nw_dir, sizeof(nw_dir), "%s/networks", d->data_root);
	if (file_mkdir_p(nw_dir, 0700, e) < 0)
		return free(v), -1;
	pthread_mutex_lock(&nw_mu);
	cJSON_Delete(nw_all);
	nw_all = cJSON_CreateArray();
	load_dir(v, &n, cap, &warn);
	sort_heap(v, n, sizeof(*v), by_created);
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(nw_all, v[i]);
	rc = make_builtins(e);
	pthread_mutex_unlock(&nw_mu);
	free(v);
	if (warn.msg[0]) /* the daemon starts with the records it could read */
		log_msg(LOG_LEVEL_WARN, "%s", warn.msg);
	return rc;
}

/* nw_mu held: the record, or NULL with 404/400 in *status. */
static cJSON *find_locked(const char *term, int *status, struct err *e)
{
	cJSON *r, *by_name = NULL, *by_prefix = NULL;
	int names = 0, prefixes = 0;
	size_t tl = strlen(term);

	cJSON_ArrayForEach(r, nw_all)
	{
		if (!strcmp(nw_str(r, "Id"), term))
			return r;
		if (!strcmp(nw_str(r, "Name"), term) && !names++)
			by_name = r;
		if (tl && !strncmp(nw_str(r, "Id"), term, tl) && !prefixes++)
			by_prefix = r;
	}
	if (names == 1)
		return by_name;
	if (names > 1 || prefixes > 1) {
		*status = 400;
		err_set(e, "network %s is ambiguous (%d matches found based on %s)", term,
			names > 1 ? names : prefixes, names > 1 ? "name" : "ID prefix");
		return NULL;
	}
	if (prefixes == 1)
		return by_prefix;
	*status = 404;
	err_set(e, "network %s not found", term);
	return NULL;
}

int nw_find(const char *term, cJSON **out, struct err *e)
{
	int status = 0;
	cJSON *r;

	pthread_mutex_lock(&nw_mu);
	r = find_locked(term, &status, e);
	*out = r ? cJSON_Duplicate(r, true) : NULL;
	pthread_mutex_unlock(&nw_mu);
	if (r && !*out)
		return err_set(e, "network %s: out of memory", term), 500;
	return status;
}

int nw_list(bool (*keep)(const cJSON *nw, void *arg), void *arg, cJSON **out, struct err *e)
{
	cJSON *arr, *r, *next;

	pthread_mutex_lock(&nw_mu);
	arr = nw_all ? cJSON_Duplicate(nw_all, true) : cJSON_CreateArray();
	pthread_mutex_unlock(&nw_mu);
	if (!arr)
		return err_set(e, "list networks: out of memory"), 500;
	/* keep may take d->mu (nw_users): not under nw_mu */
	for (r = arr->child; keep && r; r = next) {
		next = r->next;
		if (!keep(r, arg))
			cJSON_Delete(cJSON_DetachItemViaPointer(arr, r));
	}
	*out = arr;
	return 0;
}

/* Does the container's config name the network (its name or id)? */
static bool ctr_on(const struct ctr *c, const char *name, const char *id)
{
	const cJSON *mode = cJSON_GetObjectItemCaseSensitive(c->host_config, "NetworkMode");
	const cJSON *eps = cJSON_GetObjectItemCaseSensitive(c->net_config, "EndpointsConfig");
	const char *m = cJSON_IsString(mode) ? mode->valuestring : "";
	const cJSON *ep;

	if (!*m || !strcmp(m, "default"))
		m = "bridge";
	if (!strcmp(m, name) || !strcmp(m, id))
		return true;
	cJSON_ArrayForEach(ep, eps) if (!strcmp(ep->string, name) ||
					!strcmp(ep->string, id)) return true;
	return false;
}

int nw_users(struct daemon *d, const cJSON *nw)
{
	const char *name = nw_str(nw, "Name"), *id = nw_str(nw, "Id");
	int n = 0;

	pthread_mutex_lock(&d->mu);
	for (struct ctr *c = d->ctrs; c; c = c->next)
		if (!c->removed &&
		    (c->status == CS_RUNNING || c->status == CS_PAUSED ||
		     c->status == CS_RESTARTING) &&
		    ctr_on(c, name, id))
			n++;
	pthread_mutex_unlock(&d->mu);
	return n;
}

static void event(struct daemon *d, const char *action, const cJSON *r)
{
	const char *attrs[] = {"name", nw_str(r, "Name"), "type", nw_str(r, "Driver"), NULL};

	daemon_event(d, "network", action, nw_str(r, "Id"), attrs);
}

/* Take the record with id out of memory and off the disk; nw_mu held. */
static int drop_locked(const char *id, struct err *e)
{
	cJSON *r;
	int i = 0;

	cJSON_ArrayForEach(r, nw_all)
	{
		if (!strcmp(nw_str(r, "Id"), id)) {
			if (unsave(id, e) < 0)
				return -1;
			cJSON_DeleteItemFromArray(nw_all, i);
			return 0;
		}
		i++;
	}
	return 0;
}

int nw_remove(struct daemon *d, const char *term, struct err *e)
{
	cJSON *r;
	int rc;

	rc = nw_find(term, &r, e);
	if (rc)
		return rc;
	if (nw_is_predefined(nw_str(r, "Name"))) {
		err_set(e, "%s is a pre-defined network and cannot be removed", nw_str(r, "Name"));
		return cJSON_Delete(r), 403;
	}
	/* d->mu is taken in there: never under nw_mu */
	if (nw_users(d, r) > 0) {
		err_set(e, "error while removing network: network %s id %s has active endpoints",
			nw_str(r, "Name"), nw_str(r, "Id"));
		return cJSON_Delete(r), 403;
	}
	pthread_mutex_lock(&nw_mu);
	rc = drop_locked(nw_str(r, "Id"), e) < 0 ? 500 : 0;
	pthread_mutex_unlock(&nw_mu);
	if (!rc)
		event(d, "destroy", r);
	cJSON_Delete(r);
	return rc;
}

int nw_prune(struct daemon *d, bool (*keep)(const cJSON *nw, void *arg), void *arg, cJSON **deleted,
	     struct err *e)
{
	cJSON *list = NULL, *r, *out = cJSON_CreateArray();
	int rc;

	*deleted = NULL;
	if (!out)
		return err_set(e, "prune networks: out of memory"), 500;
	rc = nw_list(NULL, NULL, &list, e);
	if (rc)
		return cJSON_Delete(out), rc;
	cJSON_ArrayForEach(r, list)
	{
		struct err skip;
		if (nw_is_predefined(nw_str(r, "Name")) || (keep && keep(r, arg)))
			continue;
		if (nw_remove(d, nw_str(r, "Id"), &skip) == 0)
			cJSON_AddItemToArray(out, cJSON_CreateString(nw_str(r, "Name")));
	}
	cJSON_Delete(list);
	{
		const char *attrs[] = {"reclaimed", "0", NULL};
		daemon_event(d, "network", "prune", "", attrs);
	}
	*deleted = out;
	return 0;
}
