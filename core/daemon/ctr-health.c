/* ctr-health.c - healthcheck probes as dockerd runs them: one thread per
 * running container with a healthcheck waits its interval, runs the probe
 * as an exec (`tug shim exec`, output on a socket pair), kills it at the
 * timeout, and records the result in State.Health (health.c's machine). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/daemon/ctr-priv.h"
#include "core/daemon/exec-priv.h"
#include "core/daemon/health.h"
#include "log.h"
#include "stdcopy.h"

#define START_TIMEOUT_NS 30000000000LL /* dockerd's limit for the exec to start */
#define KILL_GRACE_MS 5000 /* a killed probe's shim gets this long to end */

struct hmon {
	struct ctr *c; /* held */
	struct health_cfg cfg; /* borrows c->config */
	int stop[2]; /* a byte in it: stop (ctr_health_stop) */
	bool stopped; /* under d->mu; the thread ends soon */
};

/* Under d->mu: monitor threads alive, and no new ones after shutdown. */
static int nmon;
static bool closing;

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int ms_until(int64_t deadline_ns)
{
	int64_t ms = (deadline_ns - mono_ns() + 999999) / 1000000;

	return ms < 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

static void event(struct daemon *d, struct ctr *c, const char *action, const char *exec_id,
		  const char *code)
{
	const char *attrs[] = {"image", c->image_name, "name", c->name, "execID",
			       exec_id, "exitCode",    code,   NULL};

	if (!exec_id)
		attrs[4] = NULL;
	else if (!code)
		attrs[6] = NULL;
	daemon_event_labels(d, "container", action, c->id, attrs, ctr_labels(c));
}

/* One probe being run: the exec shim, its report pipe and output socket. */
struct probe {
	struct hmon *m;
	struct execi ex;
	pid_t shim, pid; /* pid: the probe's process, once reported */
	int pidfd; /* the same, as a pidfd (-1 where the kernel has none) */
	bool killed;
	int rep, out; /* -1 once at their end */
	char line[256];
	size_t linelen;
	int code; /* from `exit <code>`; -1 none */
	char error[512]; /* from `error ...` */
	struct health_out o;
	struct stdcopy_demux dm;
	bool timed_out, stopping;
};

static int on_output(void *arg, enum stdcopy_stream s, const void *buf, size_t len)
{
	(void)s;
	health_out_feed(arg, buf, len);
	return 0;
}

/* The shim's report lines: ok <pid>, exit <code>, error <message>. */
static void on_report(struct probe *p)
{
	ssize_t n = read(p->rep, p->line + p->linelen, sizeof(p->line) - 1 - p->linelen);
	char *nl;

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		close(p->rep);
		p->rep = -1;
		return;
	}
	p->linelen += (size_t)n;
	p->line[p->linelen] = '\0';
	while ((nl = strchr(p->line, '\n'))) {
		*nl = '\0';
		if (!strncmp(p->line, "ok ", 3) && p->pid <= 0) {
			p->pid = atoi(p->line + 3);
			p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
		} else if (!strncmp(p->line, "exit ", 5))
			p->code = atoi(p->line + 5);
		else if (!strncmp(p->line, "error ", 6))
			snprintf(p->error, sizeof(p->error), "%s", p->line + 6);
		p->linelen -= (size_t)(nl + 1 - p->line);
		memmove(p->line, nl + 1, p->linelen + 1);
	}
	if (p->linelen == sizeof(p->line) - 1)
		p->linelen = 0; /* a line that long is no report */
}

static void on_out(struct probe *p)
{
	char buf[8192];
	ssize_t n = read(p->out, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0 || stdcopy_demux_feed(&p->dm, buf, (size_t)n, on_output, &p->o, NULL) < 0) {
		close(p->out);
		p->out = -1;
	}
}

/* Kill the probe's process (the timeout, or a stop); its shim then
 * reports the exit and ends. */
static void kill_probe(struct probe *p)
{
	if (p->pid <= 0 || p->code >= 0 || p->killed)
		return;
	p->killed = true;
	/* the pidfd names this process even if it ended and its pid was
	 * given to another meanwhile */
	if (p->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
	else
		kill(p->pid, SIGKILL);
}

/* Until the shim closed both its report pipe and the output; the
 * deadlines: the start (30 s), the timeout, then the grace after a kill. */
static void pump(struct probe *p, int64_t timeout_ns)
{
	int64_t deadline = mono_ns() + START_TIMEOUT_NS, grace = 0;
	bool started = false;

	while (p->rep >= 0 || p->out >= 0) {
		struct pollfd pf[3] = {{.fd = p->rep, .events = POLLIN},
				       {.fd = p->out, .events = POLLIN},
				       {.fd = p->stopping ? -1 : p->m->stop[0], .events = POLLIN}};
		int64_t until = grace ? grace : deadline;

		if (p->pid > 0 && !started) {
			started = true;
			deadline = mono_ns() + timeout_ns;
			continue;
		}
		if (poll(pf, 3, ms_until(until)) < 0 && errno != EINTR)
			break;
		if (pf[0].revents)
			on_report(p);
		if (pf[1].revents)
			on_out(p);
		if (pf[2].revents)
			p->stopping = true;
		if (grace && mono_ns() >= grace) {
			kill(p->shim, SIGKILL); /* a wedged shim: give up on it */
			break;
		}
		if (!grace && (p->stopping || mono_ns() >= deadline)) {
			/* an exit already reported is no timeout: only its
			 * output is late */
			p->timed_out = !p->stopping && started && p->code < 0;
			kill_probe(p);
			grace = mono_ns() + (int64_t)KILL_GRACE_MS * 1000000;
		}
		if (grace && p->pid > 0)
			kill_probe(p); /* the pid may have come after the kill */
	}
}

/* The probe's exec instance, its process file and the shim. 0, or -1 with
 * r filled (the probe could not run: dockerd's exit -1 and the reason). */
static int probe_start(struct probe *p, const cJSON *argv, char *pfile, size_t size,
		       struct health_result *r)
{
	struct ctr *c = p->m->c;
	int sv[2] = {-1, -1}, rp[2] = {-1, -1}, st;
	char action[600];
	struct err e;

	exec_action("exec_create", argv, action, sizeof(action));
	event(c->daemon, c, action, p->ex.id, NULL);
	st = exec_process_file(&p->ex, pfile, size, &e);
	if (st == -2)
		snprintf(r->output, sizeof(r->output), "OCI runtime exec failed: %s: unknown",
			 e.msg);
	if (st < 0) {
		if (st == -1)
			snprintf(r->output, sizeof(r->output), "%s", e.msg);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(rp, O_CLOEXEC) < 0) {
		snprintf(r->output, sizeof(r->output), "health check: %s", strerror(errno));
		goto fail;
	}
	p->shim = exec_spawn(c->daemon, &p->ex, pfile, sv[1], rp[1], NULL, &e);
	if (p->shim < 0) {
		snprintf(r->output, sizeof(r->output), "%s", e.msg);
		goto fail;
	}
	close(sv[1]);
	close(rp[1]);
	p->out = sv[0];
	p->rep = rp[0];
	exec_action("exec_start", argv, action, sizeof(action));
	event(c->daemon, c, action, p->ex.id, NULL);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (sv[i] >= 0)
			close(sv[i]);
		if (rp[i] >= 0)
			close(rp[i]);
	}
	return -1;
}

/* What the probe left: dockerd's result words. */
static void probe_result(struct probe *p, int64_t timeout_ns, struct health_result *r)
{
	const char *out = health_out_str(&p->o);
	char t[48];

	if (p->timed_out) {
		health_go_duration(timeout_ns, t, sizeof(t));
		r->exit_code = -1;
		snprintf(r->output, sizeof(r->output), "Health check exceeded timeout (%s)%s%s", t,
			 *out ? ": " : "", out);
	} else if (p->pid <= 0 || p->code < 0) {
		r->exit_code = -1;
		if (p->error[0])
			snprintf(r->output, sizeof(r->output), "OCI runtime exec failed: %s",
				 p->error);
		else if (p->pid <= 0)
			snprintf(r->output, sizeof(r->output),
				 "timed out starting health check for container %s", p->m->c->id);
		else
			snprintf(r->output, sizeof(r->output), "%s", out);
	} else {
		r->exit_code = p->code;
		snprintf(r->output, sizeof(r->output), "%s", out);
	}
}

/* Run one probe; -1 when a stop came meanwhile (no result then). */
static int probe_run(struct hmon *m, struct health_result *r)
{
	struct probe *p = calloc(1, sizeof(*p));
	struct ctr *c = m->c;
	char pfile[PATH_MAX + 96] = "", code[16];
	cJSON *argv;
	int st, ret = 0;

	memset(r, 0, sizeof(*r));
	r->start_ns = daemon_now_ns();
	r->exit_code = -1;
	pthread_mutex_lock(&c->daemon->mu);
	argv = health_cfg_argv(&m->cfg, cJSON_GetObjectItemCaseSensitive(c->config, "Shell"));
	pthread_mutex_unlock(&c->daemon->mu);
	if (!p || !argv) {
		snprintf(r->output, sizeof(r->output), "health check: out of memory");
		goto out;
	}
	*p = (struct probe){.m = m, .shim = -1, .pidfd = -1, .rep = -1, .out = -1, .code = -1};
	if (exec_new_id(p->ex.id) < 0) {
		snprintf(r->output, sizeof(r->output), "health check: no random id");
		goto out;
	}
	p->ex.c = c;
	p->ex.exit_code = -1;
	p->ex.body = cJSON_CreateObject();
	cJSON_AddItemToObject(p->ex.body, "Cmd", cJSON_Duplicate(argv, 1));
	if (probe_start(p, argv, pfile, sizeof(pfile), r) == 0) {
		pump(p, m->cfg.timeout_ns);
		while (waitpid(p->shim, &st, 0) < 0 && errno == EINTR)
			;
		if (p->rep >= 0)
			close(p->rep);
		if (p->out >= 0)
			close(p->out);
		if (p->pidfd >= 0)
			close(p->pidfd);
		ret = p->stopping ? -1 : 0;
		probe_result(p, m->cfg.timeout_ns, r);
		snprintf(code, sizeof(code), "%d", p->code);
		if (p->code >= 0)
			event(c->daemon, c, "exec_die", p->ex.id, code);
	}
	if (pfile[0])
		unlink(pfile);
out:
	if (p)
		cJSON_Delete(p->ex.body);
	r->end_ns = daemon_now_ns();
	cJSON_Delete(argv);
	free(p);
	return ret;
}

/* Wait ns, or less when a stop comes: true when it did. */
static bool wait_stop(struct hmon *m, int64_t ns)
{
	int64_t until = mono_ns() + ns;
	struct pollfd pf = {.fd = m->stop[0], .events = POLLIN};

	for (;;) {
		int r = poll(&pf, 1, ms_until(until));
		if (r > 0)
			return true;
		if (r == 0 && mono_ns() >= until)
			return false;
	}
}

static void monitor(void *arg)
{
	struct hmon *m = arg;
	struct ctr *c = m->c;
	struct daemon *d = c->daemon;
	struct health_result *r = malloc(sizeof(*r));

	for (;;) {
		pthread_mutex_lock(&d->mu);
		int64_t wait = m->stopped ? -1
					  : health_next_ns(c->health, &m->cfg, c->started_ns,
							   daemon_now_ns());
		pthread_mutex_unlock(&d->mu);
		if (wait < 0 || wait_stop(m, wait))
			break;
		if (!r) {
			continue; /* no memory for a result: try again next time */
		}
		if (probe_run(m, r) < 0)
			break;
		pthread_mutex_lock(&d->mu);
		if (!m->stopped && c->health &&
		    health_record(c->health, r, &m->cfg, c->started_ns)) {
			char action[64];
			snprintf(action, sizeof(action), "health_status: %s",
				 health_status_name(c->health->status));
			event(d, c, action, NULL, NULL);
			/* the status is kept across a daemon restart; results
			 * between changes are not worth a write each */
			ctr_save(d, c, NULL);
		}
		pthread_mutex_unlock(&d->mu);
	}
	free(r);
	/* the thread only ends after ctr_health_stop: nobody writes to the
	 * pipe any more */
	close(m->stop[0]);
	close(m->stop[1]);
	pthread_mutex_lock(&d->mu);
	nmon--;
	ctr_put(d, c);
	pthread_cond_broadcast(&d->changed);
	pthread_mutex_unlock(&d->mu);
	free(m);
}

void ctr_health_start(struct daemon *d, struct ctr *c, bool reset)
{
	struct health_cfg cfg;
	struct hmon *m;
	struct err e;

	if (!health_cfg_parse(cJSON_GetObjectItemCaseSensitive(c->config, "Healthcheck"), &cfg))
		return;
	ctr_health_stop(d, c);
	if (!c->health && !(c->health = calloc(1, sizeof(*c->health))))
		return;
	if (reset || c->health->status == HEALTH_NONE)
		health_reset(c->health);
	if (closing || !(m = calloc(1, sizeof(*m))))
		return;
	m->c = c;
	m->cfg = cfg;
	if (pipe2(m->stop, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(m);
		return;
	}
	ctr_get(c);
	nmon++;
	c->hmon = m;
	if (hsrv_spawn(monitor, m, &e) < 0) {
		log_msg(LOG_LEVEL_WARN, "container %.12s: health check: %s", c->id, e.msg);
		c->hmon = NULL;
		nmon--;
		ctr_put(d, c);
		close(m->stop[0]);
		close(m->stop[1]);
		free(m);
	}
}

void ctr_health_stop(struct daemon *d, struct ctr *c)
{
	struct hmon *m = c->hmon;

	(void)d;
	if (!m)
		return;
	m->stopped = true;
	c->hmon = NULL;
	if (write(m->stop[1], "s", 1) < 0) {
		/* full: a stop is there already */
	}
	/* as dockerd: a container whose checks stopped is not healthy */
	if (c->health)
		c->health->status = HEALTH_UNHEALTHY;
}

void ctr_health_shutdown(struct daemon *d)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&d->mu);
	closing = true;
	for (struct ctr *c = d->ctrs; c; c = c->next)
		ctr_health_stop(d, c);
	while (nmon > 0)
		if (pthread_cond_timedwait(&d->changed, &d->mu, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&d->mu);
}
