/* api-stats.c - GET /containers/{id}/stats: samples of the container's
 * cgroup every second (stream), or one (stream=false: two a second apart,
 * so that precpu_stats is filled, as dockerd; one-shot=true: one). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/daemon/api.h"
#include "core/daemon/stats.h"

/* A sample of c if it runs; false (the zeros) when it does not. */
static bool sample(struct daemon *d, struct ctr *c, struct dstats_sample *s)
{
	pid_t pid;
	bool running;
	const char *mode;

	pthread_mutex_lock(&d->mu);
	running = (c->status == CS_RUNNING || c->status == CS_PAUSED) && !c->removed;
	pid = c->pid;
	/* the host's interfaces are not the container's: dockerd shows none */
	mode = cJSON_GetStringValue(cJSON_GetObjectItem(c->host_config, "NetworkMode"));
	if (mode && !strcmp(mode, "host"))
		pid = 0;
	pthread_mutex_unlock(&d->mu);
	/* it may stop while being read: its cgroup is gone then */
	return running && dstats_take(d->runtime_root, c->id, pid, s, NULL) == 0;
}

static int send(struct hx *x, struct ctr *c, const struct dstats_sample *cur,
		const struct dstats_sample *prev)
{
	cJSON *o = dstats_json(cur, prev, c->name, c->id);
	int r = o ? hx_chunk_json(x, o) : -1;

	cJSON_Delete(o);
	return r;
}

/* Until the client goes or the container is removed; a container that is
 * not running gets the zeros every second, as from dockerd. */
static void stream(struct hx *x, struct daemon *d, struct ctr *c, struct dstats_sample *s)
{
	bool have_prev = false;

	for (;;) {
		bool ok = sample(d, c, &s[0]);

		if (send(x, c, ok ? &s[0] : NULL, ok && have_prev ? &s[1] : NULL) < 0 || c->removed)
			return;
		have_prev = ok;
		if (ok)
			s[1] = s[0];
		sleep(1);
	}
}

void api_stats(struct hx *x)
{
	struct daemon *d = x->user;
	bool streaming = hreq_query_bool(&x->rq, "stream", true);
	bool one_shot = hreq_query_bool(&x->rq, "one-shot", false);
	struct dstats_sample *s;
	struct ctr *c;

	if (streaming && one_shot) {
		hx_error(x, 400, "cannot have stream=true and one-shot=true");
		return;
	}
	if (!(c = api_ctr(x, x->arg[0])))
		return;
	/* two samples of about 7 KiB each: on the heap, not the thread's stack */
	if (!(s = calloc(2, sizeof(*s)))) {
		hx_error(x, 500, "out of memory");
		goto out;
	}
	if (hx_begin(x, 200, "application/json") == 0) {
		if (streaming) {
			stream(x, d, c, s);
		} else if (!sample(d, c, &s[1])) {
			send(x, c, NULL, NULL);
		} else if (one_shot) {
			send(x, c, &s[1], NULL);
		} else {
			sleep(1);
			bool ok = sample(d, c, &s[0]);
			send(x, c, ok ? &s[0] : NULL, ok ? &s[1] : NULL);
		}
		hx_end(x);
	}
	free(s);
out:
	api_ctr_put(x, c);
}
