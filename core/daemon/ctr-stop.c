/* ctr-stop.c - stop, wait, pause and remove: the requests that wait for a
 * container's state to change (d->changed) or undo what create made. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/daemon/ctr-priv.h"
#include "core/daemon/volumes.h"
#include "oci/container.h"
#include "oci/rmtree.h"

static void event(struct daemon *d, struct ctr *c, const char *action)
{
	const char *attrs[] = {"image", c->image_name, "name", c->name, NULL};

	daemon_event_labels(d, "container", action, c->id, attrs, ctr_labels(c));
}

static bool running(const struct ctr *c)
{
	return c->status == CS_RUNNING || c->status == CS_PAUSED;
}

/* Wait (d->mu held) at most ms (-1: forever) for the container to stop. */
static bool wait_stopped(struct daemon *d, struct ctr *c, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	while (running(c)) {
		if (ms < 0)
			pthread_cond_wait(&d->changed, &d->mu);
		else if (pthread_cond_timedwait(&d->changed, &d->mu, &ts) == ETIMEDOUT)
			return !running(c);
	}
	return true;
}

static int stop_timeout(const struct ctr *c, int timeout_s)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(c->config, "StopTimeout");

	if (timeout_s >= 0)
		return timeout_s;
	return cJSON_IsNumber(t) ? t->valueint : 10;
}

int ctr_stop(struct daemon *d, struct ctr *c, int timeout_s, const char *signame, struct err *e)
{
	const cJSON *ss = cJSON_GetObjectItemCaseSensitive(c->config, "StopSignal");
	int sig = ctr_signal_parse(signame && *signame  ? signame
				   : cJSON_IsString(ss) ? ss->valuestring
							: "SIGTERM");
	int st = 0;

	if (!sig)
		return err_set(e, "Invalid signal: %s", signame), 400;
	pthread_mutex_lock(&d->mu);
	if (c->status == CS_RESTARTING) {
		c->manual_stop = true;
		c->status = CS_EXITED;
		/* kept mounted for the restart that will not come */
		ctr_snapshotter(d, c)->unmount(c->cdir, NULL);
		ctr_save(d, c, NULL);
		pthread_cond_broadcast(&d->changed);
	}
	if (!running(c)) {
		pthread_mutex_unlock(&d->mu);
		return 304;
	}
	c->manual_stop = true;
	timeout_s = stop_timeout(c, timeout_s);
	if (c->status == CS_PAUSED)
		oci_container_resume(d->runtime_root, c->id, NULL);
	if (ctr_kill(d, c, sig, e) == 0 &&
	    (timeout_s < 0 || !wait_stopped(d, c, timeout_s * 1000))) {
		if (running(c) && ctr_kill(d, c, SIGKILL, e) == 0)
			wait_stopped(d, c, -1);
	} else if (running(c)) {
		/* the signal failed: SIGKILL regardless */
		if (ctr_kill(d, c, SIGKILL, e) == 0)
			wait_stopped(d, c, -1);
		else
			st = 500;
	}
	if (!running(c)) {
		ctr_save(d, c, NULL);
		event(d, c, "stop");
		st = 0;
	}
	pthread_mutex_unlock(&d->mu);
	return st;
}

int ctr_wait(struct daemon *d, struct ctr *c, const char *cond, int *code, struct err *e)
{
	int exits = c->exits;

	if (!cond || !*cond)
		cond = "not-running";
	if (strcmp(cond, "not-running") && strcmp(cond, "next-exit") && strcmp(cond, "removed"))
		return err_set(e, "invalid condition: \"%s\"", cond), 400;
	for (;;) {
		if (!strcmp(cond, "removed") ? c->removed
		    : !strcmp(cond, "next-exit")
			    ? c->exits != exits
			    : !running(c) && c->status != CS_RESTARTING && !c->starting)
			break;
		pthread_cond_wait(&d->changed, &d->mu);
	}
	*code = c->exit_code;
	return 0;
}

int ctr_pause(struct daemon *d, struct ctr *c, bool pause, struct err *e)
{
	if (!running(c))
		return err_set(e, "Container %s is not running", c->id), 409;
	if (pause && c->status == CS_PAUSED)
		return err_set(e, "Container %s is already paused", c->id), 409;
	if (!pause && c->status != CS_PAUSED)
		return err_set(e, "Container %s is not paused", c->id), 409;
	if ((pause ? oci_container_pause : oci_container_resume)(d->runtime_root, c->id, e) < 0)
		return 500;
	c->status = pause ? CS_PAUSED : CS_RUNNING;
	/* as dockerd: no probes into a frozen container; they go on after
	 * (the status stays what the stop left until the next result) */
	if (pause)
		ctr_health_stop(d, c);
	else
		ctr_health_start(d, c, false);
	ctr_save(d, c, NULL);
	event(d, c, pause ? "pause" : "unpause");
	pthread_cond_broadcast(&d->changed);
	return 0;
}

void ctr_remove_anon_volumes(struct daemon *d, struct ctr *c)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, c->mounts)
	{
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "Type");
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(m, "Name");
		const cJSON *anon = cJSON_GetObjectItemCaseSensitive(m, "Anonymous");
		if (cJSON_IsString(t) && !strcmp(t->valuestring, "volume") && cJSON_IsString(n) &&
		    (cJSON_IsTrue(anon) || strlen(n->valuestring) == 64))
			vol_remove_unused(d, n->valuestring);
	}
}

int ctr_remove(struct daemon *d, struct ctr *c, bool force, bool volumes, struct err *e)
{
	pthread_mutex_lock(&d->mu);
	if (c->removed || c->status == CS_REMOVING) {
		pthread_mutex_unlock(&d->mu);
		return err_set(e, "removal of container %s is already in progress", c->id), 409;
	}
	if (running(c) || c->starting) {
		if (!force) {
			pthread_mutex_unlock(&d->mu);
			return err_set(e,
				       "You cannot remove a running container %s. Stop the "
				       "container "
				       "before attempting removal or force remove",
				       c->id),
			       409;
		}
		c->manual_stop = true;
		if (ctr_kill(d, c, SIGKILL, e) == 0)
			wait_stopped(d, c, 30000);
		/* An AutoRemove container removes itself at its exit, while
		 * the lock was free: that removal holds the table's reference
		 * now; wait for it to end instead of removing (and putting
		 * that reference) twice. */
		if (c->removed || c->status == CS_REMOVING) {
			while (!c->removed && c->status == CS_REMOVING)
				pthread_cond_wait(&d->changed, &d->mu);
			pthread_mutex_unlock(&d->mu);
			return 0;
		}
	}
	c->manual_stop = true;
	c->status = CS_REMOVING;
	ctr_health_stop(d, c);
	ctr_get(c);
	pthread_mutex_unlock(&d->mu);

	oci_container_delete(d->runtime_root, c->id, true, NULL);
	if (ctr_trash(d, c, e) < 0) {
		pthread_mutex_lock(&d->mu);
		c->status = CS_DEAD;
		pthread_cond_broadcast(&d->changed);
		ctr_put(d, c);
		pthread_mutex_unlock(&d->mu);
		return 500;
	}
	pthread_mutex_lock(&d->mu);
	c->removed = true;
	event(d, c, "destroy");
	pthread_cond_broadcast(&d->changed);
	pthread_mutex_unlock(&d->mu);
	if (volumes)
		ctr_remove_anon_volumes(d, c);
	/* its image was removed with force while it pinned the layers: they
	 * are free now (as dockerd releases them with the container) */
	struct oci_image_rec *rec = malloc(sizeof(*rec));
	if (rec && oci_store_image_get(&d->store, c->image_id, rec, NULL) < 0)
		oci_store_gc(&d->store, NULL, NULL);
	free(rec);
	pthread_mutex_lock(&d->mu);
	ctr_put(d, c); /* ours */
	ctr_put(d, c); /* the table's */
	pthread_mutex_unlock(&d->mu);
	return 0;
}
