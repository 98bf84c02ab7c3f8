/* api-attach.c - attach (the hijacked connection goes to the shim, which
 * serves it), logs (json-file read back as stdcopy frames) and resize. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/daemon/api.h"
#include "core/daemon/ctr-priv.h"
#include "core/daemon/filters.h"
#include "jsonlog.h"
#include "stdcopy.h"

void api_attach(struct hx *x)
{
	struct daemon *d = x->user;
	struct ctr *c = api_ctr(x, x->arg[0]);
	bool in = hreq_query_bool(&x->rq, "stdin", false);
	bool out = hreq_query_bool(&x->rq, "stdout", false);
	bool err = hreq_query_bool(&x->rq, "stderr", false);
	bool tty;
	char req[64];
	struct err e;
	int fd, sock;

	if (!c)
		return;
	tty = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->config, "Tty"));
	if ((fd = hx_hijack(x, !tty)) < 0)
		goto out;
	const char *attrs[] = {"image", c->image_name, "name", c->name, NULL};
	daemon_event_labels(d, "container", "attach", c->id, attrs, ctr_labels(c));
	snprintf(req, sizeof(req), "attach %d %d %d\n", in, out, err);
	pthread_mutex_lock(&d->mu);
	if (c->status == CS_RUNNING || c->status == CS_PAUSED) {
		pthread_mutex_unlock(&d->mu);
		sock = ctr_shim_connect(d, c, NULL, &e);
		if (sock >= 0) {
			ctr_shim_send_fd(sock, req, fd, &e);
			/* the shim answers on sock; its copy of fd is the client's now */
			char b[64];
			struct pollfd pf = {.fd = sock, .events = POLLIN};
			if (poll(&pf, 1, 5000) > 0 && read(sock, b, sizeof(b)) < 0) {
				/* nothing to do: the client sees the stream or its end */
			}
			close(sock);
		}
	} else if (c->nattach < CTR_MAX_ATTACH && !c->removed) {
		/* before start: the shim gets it when it starts */
		int k = c->nattach++;
		c->attach_fds[k] = dup(fd);
		snprintf(c->attach_modes[k], sizeof(c->attach_modes[k]), "%s%s%s", in ? "i" : "",
			 out ? "o" : "", err ? "e" : "");
		pthread_mutex_unlock(&d->mu);
	} else {
		pthread_mutex_unlock(&d->mu);
	}
out:
	api_ctr_put(x, c);
}

struct logq {
	struct jsonlog_read_opts o;
	bool out, err, ts, tty;
};

static int send_entry(struct hx *x, const struct logq *q, const struct jsonlog_entry *en)
{
	char buf[JSONLOG_LINE_MAX + 128];
	size_t n = 0;

	if ((en->stream == JSONLOG_STDERR && !q->err) || (en->stream != JSONLOG_STDERR && !q->out))
		return 0;
	if (q->ts) {
		daemon_time_str(en->time_ns, buf + STDCOPY_HEADER, 64);
		n = strlen(buf + STDCOPY_HEADER);
		buf[STDCOPY_HEADER + n++] = ' ';
	}
	if (en->len > sizeof(buf) - STDCOPY_HEADER - n)
		return 0;
	memcpy(buf + STDCOPY_HEADER + n, en->log, en->len);
	n += en->len;
	if (q->tty)
		return hx_chunk(x, buf + STDCOPY_HEADER, n);
	stdcopy_header((uint8_t *)buf,
		       en->stream == JSONLOG_STDERR ? STDCOPY_STDERR : STDCOPY_STDOUT, (uint32_t)n);
	return hx_chunk(x, buf, n + STDCOPY_HEADER);
}

static bool is_running(struct daemon *d, struct ctr *c)
{
	bool r;

	pthread_mutex_lock(&d->mu);
	r = c->status == CS_RUNNING || c->status == CS_PAUSED || c->status == CS_RESTARTING ||
	    c->starting;
	pthread_mutex_unlock(&d->mu);
	return r;
}

static int query_logs(struct hx *x, struct logq *q, struct err *e)
{
	char v[64];
	long long tail = -1;

	q->out = hreq_query_bool(&x->rq, "stdout", false);
	q->err = hreq_query_bool(&x->rq, "stderr", false);
	q->ts = hreq_query_bool(&x->rq, "timestamps", false);
	q->o.follow = hreq_query_bool(&x->rq, "follow", false);
	if (!q->out && !q->err)
		return err_set(e, "Bad parameters: you must choose at least one stream");
	if (hreq_query(&x->rq, "tail", v, sizeof(v)) && v[0] && strcmp(v, "all")) {
		char *end;
		tail = strtoll(v, &end, 10);
		if (*end || tail < 0)
			tail = -1;
	}
	q->o.tail = (long)tail;
	if (hreq_query(&x->rq, "since", v, sizeof(v)) && v[0] && strcmp(v, "0"))
		q->o.since_ns = filters_time_ns(v, 0);
	if (hreq_query(&x->rq, "until", v, sizeof(v)) && v[0] && strcmp(v, "0"))
		q->o.until_ns = filters_time_ns(v, 0);
	return 0;
}

static void stream_logs(struct hx *x, struct ctr *c, struct jsonlog_reader *r, const struct logq *q)
{
	struct daemon *d = x->user;
	struct jsonlog_entry en;
	struct err e;
	int k;

	for (;;) {
		while ((k = jsonlog_reader_next(r, &en, &e)) > 0)
			if (send_entry(x, q, &en) < 0)
				return;
		if (k < 0 || !q->o.follow || jsonlog_reader_done(r))
			break;
		if (!is_running(d, c)) {
			/* drain what the shim wrote before it exited */
			while ((k = jsonlog_reader_next(r, &en, &e)) > 0)
				if (send_entry(x, q, &en) < 0)
					return;
			break;
		}
		struct pollfd pf = {.fd = hx_fd(x), .events = POLLRDHUP};
		if (poll(&pf, 1, 0) > 0)
			return;
		if (jsonlog_reader_wait(r, 500, &e) < 0)
			break;
	}
	hx_end(x);
}

void api_logs(struct hx *x)
{
	struct ctr *c = api_ctr(x, x->arg[0]);
	struct jsonlog_reader *r = NULL;
	struct logq q = {.o = {.tail = -1}};
	char p[PATH_MAX + 160], name[96];
	struct err e;

	if (!c)
		return;
	q.tty = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->config, "Tty"));
	if (query_logs(x, &q, &e) < 0) {
		hx_error(x, 400, "%s", e.msg);
		goto out;
	}
	if (strcmp(ctr_log_driver(x->user, c), "json-file") != 0) {
		hx_error(x, 501, "configured logging driver does not support reading");
		goto out;
	}
	snprintf(name, sizeof(name), "%s-json.log", c->id);
	ctr_path(c, name, p, sizeof(p));
	if (jsonlog_reader_open(p, &q.o, &r, &e) < 0) {
		hx_error(x, 500, "%s", e.msg);
		goto out;
	}
	if (hx_begin(x, 200, NULL) == 0)
		stream_logs(x, c, r, &q);
	jsonlog_reader_free(r);
out:
	api_ctr_put(x, c);
}

void api_resize(struct hx *x)
{
	struct ctr *c = api_ctr(x, x->arg[0]);
	long long h, w;
	char req[64], b[64];
	struct err e;
	int sock;

	if (!c)
		return;
	if (hreq_query_int(&x->rq, "h", 0, &h, &e) < 0 ||
	    hreq_query_int(&x->rq, "w", 0, &w, &e) < 0) {
		hx_error(x, 400, "%s", e.msg);
		goto out;
	}
	snprintf(req, sizeof(req), "resize %lld %lld\n", h, w);
	sock = ctr_shim_connect(x->user, c, req, &e);
	if (sock < 0) {
		hx_error(x, 409, "Container %s is not running", c->id);
		goto out;
	}
	if (read(sock, b, sizeof(b)) < 0) {
		/* the answer does not matter: resize is best effort */
	}
	close(sock);
	hx_empty(x, 200);
out:
	api_ctr_put(x, c);
}
