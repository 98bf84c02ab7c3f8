/* ctr-restore.c - the daemon's start and stop: records read back, shims
 * still running re-attached (live restore), the others marked exited,
 * restart policies applied; restarts waiting for their delay. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/daemon/ctr-priv.h"
#include "file.h"
#include "json.h"
#include "log.h"
#include "oci/container.h"

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static int64_t num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static cJSON *take(cJSON *o, const char *k)
{
	cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(o, k);

	if (cJSON_IsNull(v)) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

static enum ctr_status status_of(const char *s)
{
	for (int i = CS_CREATED; i <= CS_DEAD; i++)
		if (!strcmp(ctr_status_name(i), s))
			return i;
	return CS_EXITED;
}

static struct ctr *load(struct daemon *d, const char *id, struct err *e)
{
	char p[PATH_MAX + 128], *txt = NULL;
	size_t len;
	cJSON *o = NULL, *st, *ch;
	struct ctr *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	snprintf(c->cdir, sizeof(c->cdir), "%.4000s/%.64s", d->containers_dir, id);
	ctr_path(c, "container.json", p, sizeof(p));
	if (file_read_all(p, 16 << 20, &txt, &len, e) < 0 || json_parse(txt, len, &o, e) < 0) {
		free(txt);
		free(c);
		return NULL;
	}
	free(txt);
	snprintf(c->id, sizeof(c->id), "%s", str(o, "Id"));
	snprintf(c->name, sizeof(c->name), "%s", str(o, "Name"));
	snprintf(c->image_id, sizeof(c->image_id), "%s", str(o, "Image"));
	snprintf(c->image_name, sizeof(c->image_name), "%s", str(o, "ImageName"));
	snprintf(c->driver, sizeof(c->driver), "%s", str(o, "Driver"));
	c->created_ns = num(o, "Created");
	cJSON_ArrayForEach(ch, cJSON_GetObjectItemCaseSensitive(o, "Chains"))
	{
		if (c->nchains < 128 && cJSON_IsString(ch))
			snprintf(c->chains[c->nchains++], DIGEST_STR_MAX, "%s", ch->valuestring);
	}
	c->config = take(o, "Config");
	c->host_config = take(o, "HostConfig");
	c->net_config = take(o, "NetworkingConfig");
	c->mounts = take(o, "Mounts");
	st = cJSON_GetObjectItemCaseSensitive(o, "State");
	c->status = status_of(str(st, "Status"));
	c->pid = (pid_t)num(st, "Pid");
	c->exit_code = (int)num(st, "ExitCode");
	c->oom_killed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "OOMKilled"));
	c->started_ns = num(st, "StartedAt");
	c->finished_ns = num(st, "FinishedAt");
	snprintf(c->error, sizeof(c->error), "%s", str(st, "Error"));
	c->restart_count = (int)num(st, "RestartCount");
	c->has_been_started = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "HasBeenStarted"));
	c->manual_stop = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "ManualStop"));
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(st, "Health");
	if (h && (c->health = malloc(sizeof(*c->health))) && health_from_json(h, c->health) < 0) {
		free(c->health);
		c->health = NULL;
	}
	cJSON_Delete(o);
	c->shim_fd = -1;
	c->refs = 1;
	c->daemon = d;
	if (strcmp(c->id, id) != 0) {
		err_set(e, "container %s: the record names %s", id, c->id);
		ctr_put(d, (c->removed = true, c));
		return NULL;
	}
	return c;
}

static bool wants_start(const struct ctr *c)
{
	const cJSON *rp = cJSON_GetObjectItemCaseSensitive(c->host_config, "RestartPolicy");
	const char *p = rp ? str(rp, "Name") : "";

	if (!strcmp(p, "always"))
		return true;
	if (!strcmp(p, "unless-stopped") || !strcmp(p, "on-failure"))
		return !c->manual_stop && (c->status == CS_RUNNING || c->status == CS_RESTARTING);
	return false;
}

/* One container read back: is its shim still there? */
static void reattach(struct daemon *d, struct ctr *c)
{
	struct err e;

	if (c->status == CS_RUNNING || c->status == CS_PAUSED) {
		if (ctr_watch(d, c, &e) == 0) {
			/* live: its exit will come through the shim; probes
			 * start over (dockerd: starting, no streak); a paused
			 * one gets them back when it is unpaused */
			if (c->status == CS_RUNNING)
				ctr_health_start(d, c, true);
			return;
		}
		ctr_read_exit(c);
		c->status = CS_RUNNING; /* so that ctr_exited records it */
		ctr_exited(d, c);
	}
	if (c->status == CS_REMOVING || c->status == CS_CREATED)
		return;
	if (wants_start(c) && c->status != CS_RUNNING) {
		c->status = CS_RESTARTING;
		c->restart_at_ms = hsrv_now_ms();
	}
}

int ctr_restore_all(struct daemon *d, struct err *e)
{
	DIR *dir = opendir(d->containers_dir);
	struct dirent *de;

	if (!dir)
		return err_sys(e, errno, "open %s", d->containers_dir);
	ctr_trash_purge(d);
	pthread_mutex_lock(&d->mu);
	while ((de = readdir(dir))) {
		struct ctr *c;
		struct err le;
		if (strlen(de->d_name) != 64)
			continue;
		if (!(c = load(d, de->d_name, &le))) {
			log_msg(LOG_LEVEL_WARN, "container %s: %s", de->d_name, le.msg);
			continue;
		}
		c->next = d->ctrs;
		d->ctrs = c;
		reattach(d, c);
	}
	pthread_mutex_unlock(&d->mu);
	closedir(dir);
	return 0;
}

static void restart_thread(void *arg)
{
	struct ctr *c = arg;
	struct daemon *d = c->daemon;
	struct err e;

	if (ctr_start(d, c, &e) < 0 || c->status != CS_RUNNING)
		log_msg(LOG_LEVEL_WARN, "restart %s: %s", c->name, e.msg);
	pthread_mutex_lock(&d->mu);
	if (c->status == CS_RUNNING)
		c->restart_count++;
	ctr_put(d, c);
	pthread_mutex_unlock(&d->mu);
}

void ctr_tick(void *arg)
{
	struct daemon *d = arg;
	int64_t now = hsrv_now_ms();

	pthread_mutex_lock(&d->mu);
	for (struct ctr *c = d->ctrs; c; c = c->next) {
		if (c->status != CS_RESTARTING || c->starting || c->removed ||
		    now < c->restart_at_ms)
			continue;
		c->restart_at_ms = INT64_MAX;
		ctr_get(c);
		if (hsrv_spawn(restart_thread, c, NULL) < 0)
			c->refs--;
	}
	pthread_mutex_unlock(&d->mu);
}

/* Mount (or, for a new container, make) the root filesystem from the
 * image's layers. The paths are on the heap: 128 of them would not fit a
 * thread's stack. */
int ctr_mount_rootfs(struct daemon *d, struct ctr *c, struct err *e)
{
	const struct oci_snapshotter *s = oci_snapshotter_find(c->driver);
	char(*paths)[PATH_MAX] = NULL;
	const char **lower = NULL;
	char probe[PATH_MAX + 128];
	int r = -1;

	if (!s)
		return err_set(e, "container %s: storage driver %s is not compiled in", c->id,
			       c->driver);
	paths = calloc(c->nchains ? c->nchains : 1, PATH_MAX);
	lower = calloc(c->nchains ? c->nchains : 1, sizeof(*lower));
	if (!paths || !lower) {
		err_sys(e, ENOMEM, "container %s: rootfs", c->id);
		goto out;
	}
	for (size_t i = 0; i < c->nchains; i++) {
		if (oci_store_layer_path(&d->store, c->chains[i], paths[i], PATH_MAX, e) < 0)
			goto out;
		lower[i] = paths[i];
	}
	/* a container made before: mount what is there; a new one: prepare */
	ctr_path(c, "rootfs", probe, sizeof(probe));
	r = access(probe, F_OK) == 0 ? s->mount(c->cdir, lower, c->nchains, e)
				     : s->prepare(c->cdir, lower, c->nchains, e);
out:
	free(paths);
	free(lower);
	return r;
}

/* Created containers, and those waiting for a restart, keep their rootfs
 * mounted while the daemon runs: not once it has stopped. */
static void unmount_idle(struct daemon *d)
{
	pthread_mutex_lock(&d->mu);
	for (struct ctr *c = d->ctrs; c; c = c->next)
		if (!c->removed && !c->starting && c->status != CS_RUNNING &&
		    c->status != CS_PAUSED)
			ctr_snapshotter(d, c)->unmount(c->cdir, NULL);
	pthread_mutex_unlock(&d->mu);
}

void ctr_shutdown(struct daemon *d)
{
	struct err e;

	if (d->live_restore) {
		unmount_idle(d);
		return;
	}
	for (;;) {
		struct ctr *c;
		pthread_mutex_lock(&d->mu);
		for (c = d->ctrs; c; c = c->next)
			if (!c->removed && (c->status == CS_RUNNING || c->status == CS_PAUSED) &&
			    !c->manual_stop)
				break;
		if (c)
			ctr_get(c);
		pthread_mutex_unlock(&d->mu);
		if (!c)
			break;
		/* stopped, but not by the user: restart policies bring it back
		 * when the daemon starts again */
		ctr_stop(d, c, -1, NULL, &e);
		pthread_mutex_lock(&d->mu);
		c->manual_stop = false;
		ctr_save(d, c, NULL);
		ctr_put(d, c);
		pthread_mutex_unlock(&d->mu);
	}
	unmount_idle(d);
}
