/* ctr-run.c - a container's life: start (through its shim), the exit the
 * shim reports, stop, kill, pause, waiting, removal, and the restart
 * policies with Docker's growing delay. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/daemon/ctr-priv.h"
#include "core/daemon/exec-priv.h"
#include "core/daemon/volumes.h"
#include "oci/container.h"
#include "oci/rmtree.h"
#include "file.h"
#include "json.h"
#include "log.h"

#define RESTART_DELAY_MIN_MS 100
#define RESTART_DELAY_MAX_MS 60000
#define RESTART_RESET_MS 10000 /* a run this long resets the delay */

static void changed(struct daemon *d)
{
	pthread_cond_broadcast(&d->changed);
}

static void event(struct daemon *d, struct ctr *c, const char *action, const char *k, const char *v)
{
	const char *attrs[] = {"image", c->image_name, "name", c->name, k, v, NULL};

	daemon_event_labels(d, "container", action, c->id, attrs, ctr_labels(c));
}

/* Volumes with mount options are mounted while a container uses them. */
static int volumes(struct daemon *d, struct ctr *c, bool mount, struct err *e)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, c->mounts)
	{
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "Type");
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(m, "Name");
		if (!cJSON_IsString(t) || strcmp(t->valuestring, "volume") || !cJSON_IsString(n))
			continue;
		if (mount && vol_mount(d, n->valuestring, e) < 0)
			return -1;
		if (!mount)
			vol_unmount(d, n->valuestring, NULL);
	}
	return 0;
}

/* The shim answered `wait` (or went away): on the loop thread. */
static void on_shim(int fd, void *arg)
{
	struct ctr *c = arg;
	struct daemon *d = c->daemon;
	char buf[128];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	hsrv_unwatch(d->srv, fd);
	close(fd);
	pthread_mutex_lock(&d->mu);
	c->shim_fd = -1;
	/* "exit <code> <signal>": the code is the shim's word; exit.json
	 * (read in ctr_exited) adds the time and OOM */
	if (n > 5 && !strncmp(buf, "exit ", 5)) {
		buf[n] = '\0';
		c->exit_code = atoi(buf + 5);
		c->exit_known = true;
	}
	ctr_exited(d, c);
	ctr_put(d, c);
	pthread_mutex_unlock(&d->mu);
}

int ctr_watch(struct daemon *d, struct ctr *c, struct err *e)
{
	int fd = ctr_shim_connect(d, c, "wait\n", e);

	if (fd < 0)
		return -1;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	c->shim_fd = fd;
	ctr_get(c);
	if (hsrv_watch(d->srv, fd, on_shim, c, e) < 0) {
		c->shim_fd = -1;
		c->refs--;
		close(fd);
		return -1;
	}
	return 0;
}

static const char *policy(const struct ctr *c, int *max)
{
	const cJSON *rp = cJSON_GetObjectItemCaseSensitive(c->host_config, "RestartPolicy");
	const cJSON *n = rp ? cJSON_GetObjectItemCaseSensitive(rp, "Name") : NULL;
	const cJSON *m = rp ? cJSON_GetObjectItemCaseSensitive(rp, "MaximumRetryCount") : NULL;

	*max = cJSON_IsNumber(m) ? m->valueint : 0;
	return cJSON_IsString(n) && *n->valuestring ? n->valuestring : "no";
}

static bool should_restart(const struct ctr *c)
{
	int max;
	const char *p = policy(c, &max);

	if (c->manual_stop || c->removed)
		return false;
	if (!strcmp(p, "always") || !strcmp(p, "unless-stopped"))
		return true;
	if (!strcmp(p, "on-failure"))
		return c->exit_code != 0 && (max <= 0 || c->restart_count < max);
	return false;
}

static bool auto_remove(const struct ctr *c)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->host_config, "AutoRemove"));
}

static void remove_thread(void *arg)
{
	struct ctr *c = arg;
	struct daemon *d = c->daemon;
	struct err e;

	if (ctr_remove(d, c, true, true, &e) != 0)
		log_msg(LOG_LEVEL_WARN, "auto-remove %s: %s", c->id, e.msg);
	pthread_mutex_lock(&d->mu);
	ctr_put(d, c);
	pthread_mutex_unlock(&d->mu);
}

void ctr_exited(struct daemon *d, struct ctr *c)
{
	char code[16];
	int64_t ran_ms;

	if (c->status != CS_RUNNING && c->status != CS_PAUSED)
		return;
	ctr_read_exit(c);
	if (!c->finished_ns)
		c->finished_ns = daemon_now_ns();
	ran_ms = (c->finished_ns - c->started_ns) / 1000000;
	c->status = CS_EXITED;
	c->pid = 0;
	c->exits++;
	ctr_health_stop(d, c);
	exec_ctr_stopped(d, c);
	volumes(d, c, false, NULL);
	snprintf(code, sizeof(code), "%d", c->exit_code);
	/* dockerd: "oom" when the kernel reported it, then "die"; the shim
	 * learns of it from the cgroup at the exit only */
	if (c->oom_killed)
		event(d, c, "oom", NULL, NULL);
	event(d, c, "die", "exitCode", code);
	if (should_restart(c)) {
		if (ran_ms >= RESTART_RESET_MS || !c->restart_delay_ms)
			c->restart_delay_ms = RESTART_DELAY_MIN_MS;
		else if ((c->restart_delay_ms *= 2) > RESTART_DELAY_MAX_MS)
			c->restart_delay_ms = RESTART_DELAY_MAX_MS;
		c->status = CS_RESTARTING;
		c->restart_at_ms = hsrv_now_ms() + c->restart_delay_ms;
	}
	/* as dockerd: a stopped container's rootfs is not mounted (start
	 * mounts it again); nothing is left mounted when the daemon stops.
	 * A restart mounts what is mounted, and the removal of an AutoRemove
	 * container unmounts off this path (ctr-trash.c). */
	const struct oci_snapshotter *sn = oci_snapshotter_find(c->driver);
	if (sn && c->status == CS_EXITED && !auto_remove(c))
		sn->unmount(c->cdir, NULL);
	/* not for a container about to go: were the removal cut short, the
	 * next daemon finds it "running" without a shim, records the exit and
	 * removes it then */
	if (c->status != CS_EXITED || !auto_remove(c))
		ctr_save(d, c, NULL);
	changed(d);
	if (c->status == CS_EXITED && auto_remove(c)) {
		ctr_get(c);
		if (hsrv_spawn(remove_thread, c, NULL) < 0)
			c->refs--;
	}
}

/* The attach clients that came before start go to the shim at its start. */
static void drop_attach(struct ctr *c)
{
	for (int i = 0; i < c->nattach; i++)
		close(c->attach_fds[i]);
	c->nattach = 0;
}

/* The command of config.json's process, checked in the mounted rootfs. */
static int check_cmd(struct ctr *c, struct err *e)
{
	char p[PATH_MAX + 128], *txt = NULL;
	size_t len;
	cJSON *cfg = NULL;
	int r = 0;

	ctr_path(c, "config.json", p, sizeof(p));
	if (file_read_all(p, 16 << 20, &txt, &len, NULL) == 0 &&
	    json_parse(txt, len, &cfg, NULL) == 0 &&
	    (r = ctr_cmd_check(c, cJSON_GetObjectItemCaseSensitive(cfg, "process"), e)) != 0)
		err_wrap(e, "failed to create task for container: OCI runtime create failed: "
			    "unable to start container process");
	free(txt);
	cJSON_Delete(cfg);
	return r;
}

int ctr_start(struct daemon *d, struct ctr *c, struct err *e)
{
	pid_t pid;
	int r;

	pthread_mutex_lock(&d->mu);
	if (c->status == CS_RUNNING || c->status == CS_PAUSED) {
		pthread_mutex_unlock(&d->mu);
		return 304;
	}
	if (c->status == CS_REMOVING || c->removed || c->starting) {
		pthread_mutex_unlock(&d->mu);
		return err_set(e, "container %s: is being removed or started", c->id), 409;
	}
	c->starting = true;
	c->manual_stop = false;
	pthread_mutex_unlock(&d->mu);

	r = ctr_mount_rootfs(d, c, e);
	if (r == 0)
		r = volumes(d, c, true, e);
	if (r == 0 && check_cmd(c, e) != 0)
		r = -1;
	if (r == 0) {
		char p[PATH_MAX + 128];
		ctr_path(c, "exit.json", p, sizeof(p));
		unlink(p);
		r = ctr_shim_start(d, c, &pid, e);
	}
	pthread_mutex_lock(&d->mu);
	c->starting = false;
	drop_attach(c);
	if (r < 0) {
		const struct oci_snapshotter *sn = oci_snapshotter_find(c->driver);
		if (sn)
			sn->unmount(c->cdir, NULL);
		volumes(d, c, false, NULL);
		snprintf(c->error, sizeof(c->error), "%s", e->msg);
		if (c->status == CS_RESTARTING)
			c->status = CS_EXITED;
		c->exit_code = strstr(e->msg, "no such file") || strstr(e->msg, "not found") ? 127
			       : strstr(e->msg, "ermission")                                 ? 126
											     : 128;
		ctr_save(d, c, NULL);
		changed(d);
		pthread_mutex_unlock(&d->mu);
		if (auto_remove(c)) {
			/* as dockerd: a --rm container that could not start goes */
			ctr_get(c);
			if (hsrv_spawn(remove_thread, c, NULL) < 0)
				c->refs--;
		}
		return strstr(e->msg, "executable file not found") ||
				       strstr(e->msg, "no such file") ||
				       strstr(e->msg, "permission denied")
			       ? 400
			       : 500;
	}
	c->error[0] = '\0';
	c->pid = pid;
	c->status = CS_RUNNING;
	c->started_ns = daemon_now_ns();
	c->finished_ns = 0;
	c->exit_code = 0;
	c->oom_killed = false;
	c->has_been_started = true;
	ctr_save(d, c, NULL);
	event(d, c, "start", NULL, NULL);
	ctr_health_start(d, c, true);
	if (ctr_watch(d, c, e) < 0) {
		/* the process exited and the shim is gone already */
		ctr_exited(d, c);
	}
	changed(d);
	pthread_mutex_unlock(&d->mu);
	return 0;
}

int ctr_kill(struct daemon *d, struct ctr *c, int sig, struct err *e)
{
	char s[16];

	if (c->status != CS_RUNNING && c->status != CS_PAUSED)
		return err_set(e, "Cannot kill container: %s: Container %s is not running", c->name,
			       c->id),
		       409;
	snprintf(s, sizeof(s), "%d", sig);
	if (oci_container_kill(d->runtime_root, c->id, sig, sig == SIGKILL, e) < 0)
		return 500;
	if (c->status == CS_PAUSED && sig == SIGKILL)
		oci_container_resume(d->runtime_root, c->id, NULL);
	event(d, c, "kill", "signal", s);
	return 0;
}
