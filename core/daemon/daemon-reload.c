/* daemon-reload.c - SIGHUP: the settings are read again (the original
 * command line and the file) and what dockerd reloads is applied while the
 * daemon runs; the registry settings the image endpoints read, under the
 * lock that the reload takes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/daemon/config.h"
#include "core/daemon/daemon.h"
#include "log.h"

/* cur is the daemon's configuration; its reloadable fields change only
 * under mu, and every thread reads them under mu. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct tug_daemon_config *cur;
static char **saved_argv; /* a copy: args_parse reorders what it gets */
static int saved_argc;

int daemon_reload_init(struct tug_daemon_config *c, int argc, char **argv, struct err *e)
{
	cur = c;
	saved_argv = calloc((size_t)argc + 1, sizeof(*saved_argv));
	if (!saved_argv)
		return err_sys(e, ENOMEM, "daemon arguments");
	for (int i = 0; i < argc; i++)
		if (!(saved_argv[i] = strdup(argv[i])))
			return err_sys(e, ENOMEM, "daemon arguments");
	saved_argc = argc;
	return 0;
}

void daemon_apply_log_level(const struct tug_daemon_config *c)
{
	enum log_level l = LOG_LEVEL_INFO;
	struct err e;

	if (c->log_level && log_level_parse(c->log_level, &l, &e) < 0)
		l = LOG_LEVEL_INFO;
	log_set_level(c->debug ? LOG_LEVEL_DEBUG : l);
}

/* strv as a comma-separated list, or the environment variable (the
 * daemon's own environment, read only) when the list is empty. */
static void join(const struct tug_strv *v, const char *env, char *buf, size_t size)
{
	const char *s = getenv(env);
	size_t n = 0;

	buf[0] = '\0';
	if (!v->n) {
		snprintf(buf, size, "%s", s ? s : "");
		return;
	}
	for (size_t i = 0; i < v->n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? "," : "", v->v[i]);
}

void daemon_registry_settings(char *insecure, size_t isize, char *mirrors, size_t msize,
			      int *max_downloads)
{
	pthread_mutex_lock(&mu);
	join(&cur->insecure_registries, "TUG_INSECURE_REGISTRIES", insecure, isize);
	join(&cur->registry_mirrors, "TUG_REGISTRY_MIRRORS", mirrors, msize);
	*max_downloads = cur->max_concurrent_downloads;
	pthread_mutex_unlock(&mu);
	if (*max_downloads <= 0) {
		const char *env = getenv("TUG_MAX_CONCURRENT_DOWNLOADS");
		*max_downloads = env && atoi(env) > 0 ? atoi(env) : TUG_CONFIG_DOWNLOADS;
	}
}

/* info's RegistryConfig as dockerd shows it: the CIDRs (the defaults
 * first), one IndexConfigs entry per insecure name and docker.io, the
 * mirrors. */
cJSON *daemon_registry_config(void)
{
	static const char *const defaults[] = {"::1/128", "127.0.0.0/8"};
	cJSON *rc = cJSON_CreateObject(), *cidrs, *idx, *mir, *one;

	if (!rc)
		return NULL;
	cJSON_AddItemToObject(rc, "AllowNondistributableArtifactsCIDRs", cJSON_CreateArray());
	cJSON_AddItemToObject(rc, "AllowNondistributableArtifactsHostnames", cJSON_CreateArray());
	cidrs = cJSON_AddArrayToObject(rc, "InsecureRegistryCIDRs");
	idx = cJSON_AddObjectToObject(rc, "IndexConfigs");
	mir = cJSON_CreateArray();
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		cJSON_AddItemToArray(cidrs, cJSON_CreateString(defaults[i]));
	pthread_mutex_lock(&mu);
	for (size_t i = 0; cur && i < cur->insecure_registries.n; i++) {
		const char *r = cur->insecure_registries.v[i];
		if (strchr(r, '/')) {
			cJSON_AddItemToArray(cidrs, cJSON_CreateString(r));
			continue;
		}
		one = cJSON_AddObjectToObject(idx, r);
		cJSON_AddStringToObject(one, "Name", r);
		cJSON_AddItemToObject(one, "Mirrors", cJSON_CreateArray());
		cJSON_AddBoolToObject(one, "Secure", false);
		cJSON_AddBoolToObject(one, "Official", false);
	}
	for (size_t i = 0; cur && i < cur->registry_mirrors.n; i++)
		cJSON_AddItemToArray(mir, cJSON_CreateString(cur->registry_mirrors.v[i]));
	pthread_mutex_unlock(&mu);
	one = cJSON_AddObjectToObject(idx, "docker.io");
	cJSON_AddStringToObject(one, "Name", "docker.io");
	cJSON_AddItemToObject(one, "Mirrors", cJSON_Duplicate(mir, true));
	cJSON_AddBoolToObject(one, "Secure", true);
	cJSON_AddBoolToObject(one, "Official", true);
	cJSON_AddItemToObject(rc, "Mirrors", mir);
	return rc;
}

/* A list as Go's json.Marshal prints a []string: ["a","b"], or []. */
static char *json_list(const struct tug_strv *v)
{
	cJSON *a = cJSON_CreateArray();
	char *s;

	for (size_t i = 0; a && i < v->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v->v[i]));
	s = a ? cJSON_PrintUnformatted(a) : NULL;
	cJSON_Delete(a);
	return s;
}

/* dockerd's "reload" event: Type daemon, Actor the daemon's ID and name,
 * the reloaded values as attributes (lists in JSON, booleans as words). */
static void reload_event(struct daemon *d, const struct tug_daemon_config *c)
{
	char host[256] = "", dl[16];
	char *ins = json_list(&c->insecure_registries), *mir = json_list(&c->registry_mirrors);
	const char *attrs[] = {
		"debug",
		c->debug ? "true" : "false",
		"insecure-registries",
		ins ? ins : "[]",
		"labels",
		"[]",
		"live-restore",
		c->live_restore ? "true" : "false",
		"max-concurrent-downloads",
		dl,
		"name",
		host,
		"registry-mirrors",
		mir ? mir : "[]",
		NULL,
	};

	gethostname(host, sizeof(host) - 1);
	snprintf(dl, sizeof(dl), "%d",
		 c->max_concurrent_downloads > 0 ? c->max_concurrent_downloads
						 : TUG_CONFIG_DOWNLOADS);
	daemon_event(d, "daemon", "reload", d->engine_id, attrs);
	free(ins);
	free(mir);
}

/* Read the settings again; a file that does not load keeps them as they
 * are (dockerd logs and goes on too). */
static int load_next(struct tug_daemon_config *next, struct err *e)
{
	char **argv = malloc(((size_t)saved_argc + 1) * sizeof(*argv));
	int r;

	if (!argv)
		return err_sys(e, ENOMEM, "reload");
	memcpy(argv, saved_argv, ((size_t)saved_argc + 1) * sizeof(*argv));
	tug_config_init(next);
	r = tug_config_parse_args(next, saved_argc, argv, e) < 0 ? -1 : tug_config_load(next, e);
	free(argv);
	return r;
}

void daemon_reload(struct daemon *d)
{
	struct tug_daemon_config next;
	char ignored[512];
	uint64_t changed = 0;
	struct err e = {0};
	int r;

	if (!cur)
		return;
	if (load_next(&next, &e) < 0) {
		log_msg(LOG_LEVEL_ERROR, "reload: %s; the configuration is unchanged", e.msg);
		tug_config_free(&next);
		return;
	}
	pthread_mutex_lock(&mu);
	r = tug_config_reload(cur, &next, &changed, ignored, sizeof(ignored), &e);
	if (r == 0) {
		daemon_apply_log_level(cur);
		pthread_mutex_lock(&d->mu);
		d->live_restore = cur->live_restore;
		pthread_mutex_unlock(&d->mu);
	}
	pthread_mutex_unlock(&mu);
	tug_config_free(&next);
	if (r < 0) {
		log_msg(LOG_LEVEL_ERROR, "reload: %s", e.msg);
		return;
	}
	if (ignored[0])
		log_msg(LOG_LEVEL_WARN, "reload: not reloadable, restart the daemon: %s", ignored);
	log_msg(LOG_LEVEL_INFO, "reload: configuration reloaded (%d setting%s changed)",
		__builtin_popcountll(changed), __builtin_popcountll(changed) == 1 ? "" : "s");
	pthread_mutex_lock(&mu);
	reload_event(d, cur);
	pthread_mutex_unlock(&mu);
}
