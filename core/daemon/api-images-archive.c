/* api-images-archive.c - GET /images/get (docker save: a tar stream made
 * by a writer thread into a pipe, sent on in chunks) and POST /images/load
 * (the request body read as a stream into the store, never held whole). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/daemon/api-images.h"
#include "jsonmsg.h"
#include "oci/image-archive.h"
#include "oci/image-info.h"
#include "registry/ref.h"

#define SAVE_MAX 256

struct save {
	struct daemon *d;
	size_t n;
	struct oci_save_item items[SAVE_MAX];
	char ids[SAVE_MAX][DIGEST_STR_MAX];
	char names[SAVE_MAX][REG_REF_STR_MAX];
	const char *namep[SAVE_MAX][1];
	struct err e; /* the first name not found, or the writer's failure */
	int fd; /* the pipe's write end, for the writer */
	int rc;
};

static int add_name(const char *what, void *arg)
{
	struct save *s = arg;
	struct reg_ref ref;
	struct err pe;
	size_t i = s->n;

	if (i == SAVE_MAX)
		return err_set(&s->e, "save: more than %d images", SAVE_MAX);
	if (oci_image_find(&s->d->store, what, s->ids[i], s->names[i], sizeof(s->names[i]), &s->e) <
	    0)
		return -1;
	s->items[i].id = s->ids[i];
	s->namep[i][0] = s->names[i];
	s->items[i].names = s->namep[i];
	s->items[i].nnames = s->names[i][0] && reg_ref_parse(&ref, s->names[i], &pe) == 0 &&
			     ref.tag[0] && !ref.digest[0];
	s->n++;
	return 0;
}

static void *writer(void *arg)
{
	struct save *s = arg;

	s->rc = oci_archive_save(&s->d->store, s->items, s->n, s->fd, NULL, &s->e);
	close(s->fd);
	return NULL;
}

/* Copy the pipe into chunks; the first read tells a failed start (a
 * missing blob) from a tar, before any head is sent. */
static void relay(struct hx *x, struct save *s, int in, pthread_t tid)
{
	static const size_t bufsz = 64 << 10;
	char *buf = malloc(bufsz);
	ssize_t n = buf ? read(in, buf, bufsz) : -1;

	if (n <= 0) {
		pthread_join(tid, NULL);
		hx_error(x, s->rc < 0 ? img_status(&s->e) : 500, "%s",
			 s->rc < 0 ? s->e.msg : "save: nothing was written");
		free(buf);
		return;
	}
	hx_begin(x, 200, "application/x-tar");
	while (n > 0 && hx_chunk(x, buf, (size_t)n) == 0)
		while ((n = read(in, buf, bufsz)) < 0 && errno == EINTR)
			;
	close(in); /* a client gone: the writer gets EPIPE and stops */
	pthread_join(tid, NULL);
	if (s->rc == 0) /* else the client sees a cut tar, as with dockerd */
		hx_end(x);
	else
		x->rq.keep_alive = false;
	free(buf);
}

void img_save(struct hx *x)
{
	struct save *s = calloc(1, sizeof(*s));
	int p[2] = {-1, -1};
	pthread_t tid;

	if (!s) {
		hx_error(x, 500, "out of memory");
		return;
	}
	s->d = x->user;
	if ((x->arg[0] ? add_name(x->arg[0], s) : hreq_query_each(&x->rq, "names", add_name, s)) !=
	    0) {
		hx_error(x, img_status(&s->e), "%s", s->e.msg);
		goto out;
	}
	if (pipe2(p, O_CLOEXEC) < 0 || (s->fd = p[1], pthread_create(&tid, NULL, writer, s)) != 0) {
		hx_error(x, 500, "save: %s", strerror(errno));
		if (p[0] >= 0)
			close(p[0]), close(p[1]);
		goto out;
	}
	relay(x, s, p[0], tid);
	for (size_t i = 0; i < s->n && s->rc == 0; i++)
		img_event(s->d, "save", s->ids[i], s->ids[i]);
out:
	free(s);
}

/* ---- load ---- */

struct load {
	struct hx *x;
	bool quiet;
};

static ssize_t body_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct load *l = ctx;

	return hx_body_read(l->x, buf, n, e);
}

static void stream_line(struct hx *x, const char *fmt, const char *a, const char *b)
{
	char text[1200];
	cJSON *m;

	snprintf(text, sizeof(text), fmt, a, b);
	m = jsonmsg_stream(text);
	if (m)
		hx_chunk_json(x, m);
	cJSON_Delete(m);
}

static void load_event(const struct oci_archive_event *ev, void *arg)
{
	struct load *l = arg;
	char fam[REG_REF_STR_MAX], id[13];
	const char *base;
	cJSON *m;

	switch (ev->kind) {
	case OCI_ARCHIVE_LAYER:
		if (l->quiet)
			break;
		base = strrchr(ev->id, '/') ? strrchr(ev->id, '/') + 1 : ev->id;
		snprintf(id, sizeof(id), "%s", base);
		m = jsonmsg_progress("Loading layer", id, ev->bytes, ev->bytes);
		if (m)
			hx_chunk_json(l->x, m);
		cJSON_Delete(m);
		break;
	case OCI_ARCHIVE_RETAGGED:
		stream_line(l->x,
			    "The image %s already exists, renaming the old one with ID %s to "
			    "empty string\n",
			    oci_image_familiar(ev->name, fam, sizeof(fam)), ev->old_id);
		break;
	case OCI_ARCHIVE_LOADED:
		if (ev->name)
			stream_line(l->x, "Loaded image: %s\n%s",
				    oci_image_familiar(ev->name, fam, sizeof(fam)), "");
		else
			stream_line(l->x, "Loaded image ID: %s\n%s", ev->id, "");
		img_event(l->x->user, "load", ev->id, ev->id);
		break;
	}
}

static int drain(struct hx *x)
{
	char buf[4096];
	struct err e;
	ssize_t n;

	while ((n = hx_body_read(x, buf, sizeof(buf), &e)) > 0)
		;
	return n < 0 ? -1 : 0;
}

void img_load(struct hx *x)
{
	struct daemon *d = x->user;
	struct load l = {x, hreq_query_bool(&x->rq, "quiet", false)};
	struct stream_reader in = {body_read, &l};
	struct oci_load_opts lo = {.progress = {load_event, &l}};
	struct err e = {0};
	cJSON *m;

	/* dockerd: the head first, every failure in the stream */
	hx_begin(x, 200, "application/json");
	/* no d->store_mu: the body may take long; the store locks its commit */
	if (oci_archive_load_stream(&d->store, &in, &lo, &e) < 0) {
		/* dockerd's words for an archive it could not read */
		err_wrap(&e, "Error processing tar file(exit status 1)");
		if ((m = jsonmsg_error(e.msg)))
			hx_chunk_json(x, m);
		cJSON_Delete(m);
		x->rq.keep_alive = false; /* the rest of the body is not read */
		hx_end(x);
		return;
	}
	/* the tar's end is not the body's: read the rest (padding, the last
	 * chunk) so that the connection can carry the next request */
	if (drain(x) < 0)
		x->rq.keep_alive = false;
	hx_end(x);
}
