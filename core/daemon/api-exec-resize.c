/* api-exec-resize.c - POST /exec/{id}/resize: the exec's pty gets the
 * client's size through its `tug shim exec` control socket, with dockerd's
 * answers for an exec that is unknown, not started or not in a running
 * container. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/daemon/api.h"
#include "core/daemon/ctr-priv.h"
#include "core/daemon/exec-priv.h"
#include "core/daemon/hreq.h"

#define READY_WAIT_S 10 /* dockerd waits this long for the exec to start */

/* Go's strconv.Atoi as dockerd 27 reads h and w: a missing value is
 * refused too. */
static int atoi_go(struct hx *x, const char *name, long long *out)
{
	char v[64];
	const char *s = v;
	char *end;

	if (hreq_query(&x->rq, name, v, sizeof(v)) < 0)
		v[0] = '\0';
	if (*s == '+' || *s == '-')
		s++;
	errno = 0;
	*out = strtoll(v, &end, 10);
	if (!*v || *s < '0' || *s > '9' || *end || errno) {
		hx_error(x, 400, "strconv.Atoi: parsing \"%s\": %s", v,
			 errno == ERANGE ? "value out of range" : "invalid syntax");
		return -1;
	}
	return 0;
}

/* d->mu held: the exec x names when it runs (or ran) in a running
 * container; else NULL and the answer was given. Waits for a start under
 * way, as dockerd does; the instance is looked up again after each wait
 * (it may have been freed meanwhile). */
static struct execi *ready(struct hx *x, struct daemon *d)
{
	struct timespec until;
	struct execi *ex;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += READY_WAIT_S;
	for (;;) {
		if (!(ex = exec_find(d, x->arg[0]))) {
			hx_error(x, 404, "No such exec instance: %s", x->arg[0]);
			return NULL;
		}
		if (ex->c->removed) {
			hx_error(x, 404, "No such container: %s", x->arg[0]);
			return NULL;
		}
		if (ex->c->status == CS_PAUSED) {
			hx_error(x, 409,
				 "Container %s is paused, unpause the container before exec",
				 ex->c->id);
			return NULL;
		}
		if (ex->c->status != CS_RUNNING) {
			hx_error(x, 409, "Container %s is not running", ex->c->id);
			return NULL;
		}
		if (ex->running || ex->exit_code >= 0)
			return ex;
		if (pthread_cond_timedwait(&d->changed, &d->mu, &until) == ETIMEDOUT) {
			hx_error(x, 500, "timeout waiting for exec session ready");
			return NULL;
		}
	}
}

void exec_resize(struct hx *x)
{
	struct daemon *d = x->user;
	char sock[PATH_MAX + 32], req[64], ans[128], id[16];
	long long h, w;
	struct execi *ex;
	struct err e;
	bool tty, live;
	ssize_t n;
	int fd;

	if (atoi_go(x, "h", &h) < 0 || atoi_go(x, "w", &w) < 0)
		return;
	pthread_mutex_lock(&d->mu);
	if (!(ex = ready(x, d))) {
		pthread_mutex_unlock(&d->mu);
		return;
	}
	tty = ex->tty;
	live = ex->running;
	if (!ex->pid && !live) {
		pthread_mutex_unlock(&d->mu);
		hx_error(x, 400, "exec process is not started");
		return;
	}
	exec_socket_path(d, ex, sock, sizeof(sock));
	snprintf(id, sizeof(id), "%.12s", ex->id);
	pthread_mutex_unlock(&d->mu);
	/* without a pty there is nothing to size: containerd says yes too */
	if (!tty) {
		hx_empty(x, 200);
		return;
	}
	snprintf(req, sizeof(req), "resize %lld %lld\n", h & 0xffff, w & 0xffff);
	fd = ctr_sock_request(sock, req, &e);
	if (fd < 0) {
		hx_error(x, live ? 500 : 404, "%s", live ? e.msg : "no such exec");
		return;
	}
	n = read(fd, ans, sizeof(ans) - 1);
	close(fd);
	ans[n > 0 ? n : 0] = '\0';
	ans[strcspn(ans, "\n")] = '\0';
	if (strncmp(ans, "ok", 2))
		hx_error(x, 500, "resize exec %s: %s", id, n > 0 ? ans : "no answer");
	else
		hx_empty(x, 200);
}
