/* pull.c - the pull (see pull.h). Layers are independent of each other in
 * the store (each is its own overlay diff keyed by chain id), so they are
 * fetched by several threads at once; the image record and its names are
 * written only after every layer is committed. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/unpack.h"
#include "registry/blob.h"
#include "registry/manifest.h"
#include "registry/pull.h"

#define MANIFEST_MAX (4 << 20)
#define CONFIG_MAX (16 << 20)

struct job {
	size_t idx;
	const struct reg_descriptor *d;
	char chain[DIGEST_STR_MAX], parent[DIGEST_STR_MAX];
	const char *diff_id;
	bool dup; /* the same chain as an earlier job: nothing to fetch */
	bool blob_only; /* the layer is unpacked already; keep_layer_blobs wants the blob */
};

struct pull {
	struct oci_store *st;
	struct reg_session *s;
	const struct reg_pull_opts *o;
	char name[256]; /* repository path: "library/busybox" */
	struct reg_manifest *m;
	struct reg_image_config *cfg;
	struct job *jobs;
	size_t njobs;
	pthread_mutex_t lock; /* next, failed, err, events, counters */
	size_t next;
	bool failed;
	struct err err;
	int resumes;
	size_t fetched;
};

static void event(struct pull *p, enum reg_pull_event_kind kind, size_t layer, const char *digest,
		  int64_t current, int64_t total, const char *msg)
{
	struct reg_pull_event ev = {kind, layer, digest, current, total, msg};

	if (!p->o->progress)
		return;
	pthread_mutex_lock(&p->lock);
	p->o->progress(&ev, p->o->arg);
	pthread_mutex_unlock(&p->lock);
}

/* GET a manifest (or index) by tag or digest; checks its digest. */
static int get_manifest(struct pull *p, struct http_client *hc, const char *reference, char **buf,
			size_t *len, char *ctype, size_t ctsize, char digest[DIGEST_STR_MAX],
			struct err *e)
{
	char path[600], scope[320];
	const char *hdrs[] = {"Accept: " REG_MANIFEST_ACCEPT, NULL}, *h;
	struct http_request rq = {.method = "GET", .url = path, .headers = hdrs};
	struct http_response rs;

	snprintf(path, sizeof(path), "/v2/%s/manifests/%s", p->name, reference);
	snprintf(scope, sizeof(scope), "repository:%s:pull", p->name);
	if (reg_request(p->s, hc, &rq, scope, &rs, e) < 0)
		return -1;
	if (rs.status != 200)
		return reg_http_error(hc, &rs, "manifest", e);
	h = http_header(&rs, "Content-Type");
	snprintf(ctype, ctsize, "%s", h ? h : "");
	if (http_body_all(&rs, MANIFEST_MAX, buf, len, e) < 0) {
		http_response_end(hc, &rs);
		return err_wrap(e, "manifest");
	}
	digest_buf(*buf, *len, digest);
	h = http_header(&rs, "Docker-Content-Digest");
	http_response_end(hc, &rs);
	if (!strncmp(reference, "sha256:", 7) && strcmp(reference, digest))
		return err_set(e, "manifest %s: the registry sent content whose digest is %s",
			       reference, digest);
	if (h && digest_valid(h) && strcmp(h, digest))
		return err_set(e, "manifest %s: Docker-Content-Digest says %s, the content is %s",
			       reference, h, digest);
	return 0;
}

/* The manifest for this machine: through the index when there is one. */
static int resolve(struct pull *p, struct http_client *hc, const struct reg_ref *ref, char **mbuf,
		   size_t *mlen, char *top, char *mdigest, char **ibuf, size_t *ilen, struct err *e)
{
	char ctype[128], platform_s[REG_PLATFORM_STR_MAX];
	struct reg_platform host;
	const struct reg_platform *want = p->o->platform;
	const struct reg_index_entry *ent;

	if (get_manifest(p, hc, ref->digest[0] ? ref->digest : ref->tag, mbuf, mlen, ctype,
			 sizeof(ctype), top, e) < 0 ||
	    reg_manifest_parse(p->m, *mbuf, *mlen, ctype, e) < 0)
		return -1;
	strcpy(mdigest, top);
	if (!reg_manifest_is_index(p->m->kind))
		return 0;
	if (!want) {
		reg_platform_host(&host);
		want = &host;
	}
	if (reg_index_select(p->m, want, &ent, e) < 0)
		return -1;
	snprintf(mdigest, DIGEST_STR_MAX, "%s", ent->d.digest);
	*ibuf = *mbuf;
	*ilen = *mlen;
	*mbuf = NULL;
	if (get_manifest(p, hc, mdigest, mbuf, mlen, ctype, sizeof(ctype), mdigest, e) < 0 ||
	    reg_manifest_parse(p->m, *mbuf, *mlen, ctype, e) < 0)
		return err_wrap(e, "manifest for %s",
				reg_platform_format(want, platform_s, sizeof(platform_s)));
	if (reg_manifest_is_index(p->m->kind))
		return err_set(e, "manifest %s: an index inside an index is not supported",
			       mdigest);
	return 0;
}

/* The config blob: from the store, or fetched, verified and stored. */
static int get_config(struct pull *p, struct http_client *hc, char **buf, size_t *len,
		      struct err *e)
{
	const struct reg_descriptor *d = &p->m->config;
	struct reg_blob_reader br;
	struct stream_reader r;
	size_t cap = 0;
	ssize_t n;
	int rc = -1;

	if (oci_store_blob_has(p->st, d->digest))
		return oci_store_blob_read(p->st, d->digest, CONFIG_MAX, buf, len, e);
	if (d->size > CONFIG_MAX)
		return err_set(e, "config %s: %" PRId64 " bytes is too large", d->digest, d->size);
	*len = 0;
	*buf = NULL;
	reg_blob_reader_init(&br, p->s, hc, p->name, d->digest, d->size);
	r = reg_blob_stream(&br);
	do {
		if (*len + 4097 > cap) {
			char *nb = realloc(*buf, cap = cap ? cap * 2 : 16384);

			if (!nb) {
				err_sys(e, ENOMEM, "config");
				goto out;
			}
			*buf = nb;
		}
		n = stream_read(&r, *buf + *len, cap - *len - 1, e);
		if (n > 0)
			*len += (size_t)n;
	} while (n > 0 && *len <= CONFIG_MAX);
	if (n < 0)
		goto out;
	(*buf)[*len] = '\0';
	rc = oci_store_blob_put(p->st, *buf, *len, d->digest, NULL, e);
out:
	reg_blob_reader_close(&br);
	return rc < 0 ? err_wrap(e, "config %s", d->digest) : 0;
}

/* Passes bytes on and writes them to a blob file too (keep_layer_blobs). */
struct tee {
	struct stream_reader src;
	struct oci_blob_writer *w;
};

static ssize_t tee_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct tee *t = ctx;
	ssize_t got = stream_read(&t->src, buf, n, e);

	if (got > 0 && oci_blob_writer_write(t->w, buf, (size_t)got, e) < 0)
		return -1;
	return got;
}

struct layer_progress {
	struct pull *p;
	struct job *j;
	int64_t last;
};

static void on_bytes(void *arg, int64_t offset)
{
	struct layer_progress *lp = arg;

	/* every 256 KiB and at the end: events cost a lock and a print */
	if (offset - lp->last < (256 << 10) && offset != lp->j->d->size)
		return;
	lp->last = offset;
	event(lp->p, REG_PULL_LAYER_PROGRESS, lp->j->idx, lp->j->d->digest, offset, lp->j->d->size,
	      NULL);
}

/* Read what is left of a stream (trailing bytes still count for the digest). */
static int drain(struct stream_reader *r, struct err *e)
{
	char buf[4096];
	ssize_t n;

	while ((n = stream_read(r, buf, sizeof(buf), e)) > 0)
		;
	return n < 0 ? -1 : 0;
}

static int verify(const char *what, const struct digest_ctx *d, const char *want, int64_t size,
		  struct err *e)
{
	char got[DIGEST_STR_MAX];

	digest_final(d, got);
	if (strcmp(got, want))
		return err_set(e, "%s: digest mismatch (got %s, want %s)", what, got, want);
	if (size >= 0 && (int64_t)d->size != size)
		return err_set(e, "%s: %" PRIu64 " bytes, the manifest says %" PRId64, what,
			       d->size, size);
	return 0;
}

static int unpack_layer(struct pull *p, struct http_client *hc, struct job *j,
			struct oci_layer_tx *tx, struct oci_blob_writer *w, struct err *e)
{
	const struct reg_descriptor *d = j->d;
	struct layer_progress lp = {p, j, 0};
	struct reg_blob_reader br;
	struct digest_reader comp, diff;
	struct tee tee;
	struct stream_reader src;
	struct oci_decomp *dc = NULL;
	char what[96];
	struct oci_unpack_opts uo = {
		.whiteouts = OCI_WHITEOUT_OVERLAY, .same_owner = geteuid() == 0, .what = what};
	int r = -1;

	snprintf(what, sizeof(what), "layer %s", d->digest);
	reg_blob_reader_init(&br, p->s, hc, p->name, d->digest, d->size);
	br.progress = on_bytes;
	br.arg = &lp;
	digest_reader_init(&comp, reg_blob_stream(&br));
	src = digest_reader_stream(&comp);
	if (w) {
		tee = (struct tee){src, w};
		src = (struct stream_reader){tee_read, &tee};
	}
	if (oci_decomp_open(&dc, src, OCI_COMP_AUTO, e) < 0)
		goto out;
	digest_reader_init(&diff, oci_decomp_stream(dc));
	{
		struct stream_reader tar = digest_reader_stream(&diff);

		if (oci_unpack_tar(tar, tx->diff_fd, &uo, NULL, e) < 0 || drain(&tar, e) < 0 ||
		    drain(&src, e) < 0)
			goto out;
	}
	if (verify(what, &comp.d, d->digest, d->size, e) < 0 ||
	    verify(what, &diff.d, j->diff_id, -1, e) < 0)
		goto out;
	r = 0;
out:
	pthread_mutex_lock(&p->lock);
	p->resumes += br.resumes;
	pthread_mutex_unlock(&p->lock);
	oci_decomp_free(dc);
	reg_blob_reader_close(&br);
	if (r < 0 && !strstr(e->msg, d->digest))
		err_wrap(e, "%s", what);
	return r;
}

/* Only the compressed blob, for a layer that is unpacked already. */
static int pull_blob(struct pull *p, struct http_client *hc, struct job *j, struct err *e)
{
	struct layer_progress lp = {p, j, 0};
	struct reg_blob_reader br;
	struct oci_blob_writer w;
	struct stream_reader src;
	char buf[65536];
	ssize_t n;
	int r = -1;

	if (oci_blob_writer_open(p->st, &w, e) < 0)
		return -1;
	reg_blob_reader_init(&br, p->s, hc, p->name, j->d->digest, j->d->size);
	br.progress = on_bytes;
	br.arg = &lp;
	src = reg_blob_stream(&br);
	while ((n = stream_read(&src, buf, sizeof(buf), e)) > 0)
		if (oci_blob_writer_write(&w, buf, (size_t)n, e) < 0)
			break;
	if (n == 0)
		r = oci_blob_writer_commit(&w, j->d->digest, j->d->size, e);
	else
		oci_blob_writer_abort(&w);
	reg_blob_reader_close(&br);
	return r < 0 ? err_wrap(e, "layer %s", j->d->digest) : 0;
}

static int pull_layer(struct pull *p, struct http_client *hc, struct job *j, struct err *e)
{
	struct oci_layer_tx tx;
	struct oci_blob_writer w;
	bool keep = p->st->keep_layer_blobs && !oci_store_blob_has(p->st, j->d->digest);
	int r;

	if (j->blob_only)
		return pull_blob(p, hc, j, e);
	if (oci_layer_tx_begin(p->st, &tx, e) < 0)
		return -1;
	if (keep && oci_blob_writer_open(p->st, &w, e) < 0) {
		oci_layer_tx_abort(&tx);
		return -1;
	}
	r = unpack_layer(p, hc, j, &tx, keep ? &w : NULL, e);
	if (r == 0 && keep)
		r = oci_blob_writer_commit(&w, j->d->digest, j->d->size, e);
	else if (keep)
		oci_blob_writer_abort(&w);
	if (r == 0)
		return oci_layer_tx_commit(&tx, j->chain, j->diff_id,
					   j->parent[0] ? j->parent : NULL, e);
	oci_layer_tx_abort(&tx);
	return -1;
}

static void *worker(void *arg)
{
	struct pull *p = arg;
	struct http_client hc;
	struct err e = {0};

	reg_session_client(p->s, &hc);
	for (;;) {
		struct job *j = NULL;

		pthread_mutex_lock(&p->lock);
		while (!p->failed && p->next < p->njobs) {
			struct job *c = &p->jobs[p->next++];

			if (!c->dup) {
				j = c;
				break;
			}
		}
		pthread_mutex_unlock(&p->lock);
		if (!j)
			break;
		if (pull_layer(p, &hc, j, &e) < 0) {
			event(p, REG_PULL_LAYER_FAILED, j->idx, j->d->digest, 0, 0, e.msg);
			pthread_mutex_lock(&p->lock);
			if (!p->failed)
				p->err = e;
			p->failed = true;
			pthread_mutex_unlock(&p->lock);
			break;
		}
		pthread_mutex_lock(&p->lock);
		p->fetched++;
		pthread_mutex_unlock(&p->lock);
		event(p, REG_PULL_LAYER_DONE, j->idx, j->d->digest, j->d->size, j->d->size, NULL);
	}
	http_client_close(&hc);
	return NULL;
}

/* One job per layer whose chain is not in the store yet. */
static int plan(struct pull *p, size_t *reused, struct err *e)
{
	char prev[DIGEST_STR_MAX] = "";

	p->jobs = calloc(p->m->nlayers ? p->m->nlayers : 1, sizeof(*p->jobs));
	if (!p->jobs)
		return err_sys(e, ENOMEM, "pull");
	*reused = 0;
	for (size_t i = 0; i < p->m->nlayers; i++) {
		char chain[DIGEST_STR_MAX];
		struct job *j;
		enum reg_compression comp;
		bool foreign;

		oci_chain_id(prev[0] ? prev : NULL, p->cfg->diff_ids[i], chain);
		if (!reg_layer_media_type(p->m->layers[i].media_type, &comp, &foreign))
			return err_set(e, "layer %s: media type %s cannot be unpacked",
				       p->m->layers[i].digest, p->m->layers[i].media_type);
		if (oci_store_layer_has(p->st, chain) &&
		    (!p->st->keep_layer_blobs ||
		     oci_store_blob_has(p->st, p->m->layers[i].digest))) {
			(*reused)++;
			event(p, REG_PULL_LAYER_EXISTS, i, p->m->layers[i].digest, 0,
			      p->m->layers[i].size, NULL);
			strcpy(prev, chain);
			continue;
		}
		j = &p->jobs[p->njobs++];
		j->idx = i;
		j->d = &p->m->layers[i];
		j->blob_only = oci_store_layer_has(p->st, chain);
		j->diff_id = p->cfg->diff_ids[i];
		strcpy(j->chain, chain);
		strcpy(j->parent, prev);
		for (size_t k = 0; k + 1 < p->njobs; k++)
			j->dup |= !strcmp(p->jobs[k].chain, chain);
		event(p, REG_PULL_LAYER_WAITING, i, j->d->digest, 0, j->d->size, NULL);
		strcpy(prev, chain);
	}
	return 0;
}

static int fetch_layers(struct pull *p, struct err *e)
{
	pthread_t tids[16];
	size_t n = (size_t)(p->o->parallel > 0 ? p->o->parallel : 3), started = 0;

	if (n > 16)
		n = 16;
	pthread_attr_t attr;

	if (n > p->njobs)
		n = p->njobs;
	/* musl gives threads 128 KiB of stack; the unpacker wants paths on it */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 << 20);
	for (; started < n; started++)
		if (pthread_create(&tids[started], &attr, worker, p) != 0)
			break;
	pthread_attr_destroy(&attr);
	if (!started && p->njobs)
		worker(p); /* no threads to be had: one at a time, here */
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	if (p->failed) {
		if (e)
			*e = p->err;
		return -1;
	}
	return 0;
}

static void add_repo_digest(struct oci_image_rec *rec, const char *rd)
{
	for (size_t i = 0; i < rec->nrepo_digests; i++)
		if (!strcmp(rec->repo_digests[i], rd))
			return;
	if (rec->nrepo_digests == sizeof(rec->repo_digests) / sizeof(rec->repo_digests[0])) {
		memmove(rec->repo_digests[0], rec->repo_digests[1],
			sizeof(rec->repo_digests[0]) * (rec->nrepo_digests - 1));
		rec->nrepo_digests--;
	}
	snprintf(rec->repo_digests[rec->nrepo_digests++], sizeof(rec->repo_digests[0]), "%.*s",
		 (int)sizeof(rec->repo_digests[0]) - 1, rd);
}

/* The image record, then the names: last, so a crash before leaves no name
 * pointing at anything incomplete. */
static int record(struct pull *p, const struct reg_ref *ref, const char *top, const char *mdigest,
		  struct reg_pull_result *res, struct err *e)
{
	struct oci_image_rec *rec = calloc(1, sizeof(*rec));
	char name[512], rd[600], id_before[DIGEST_STR_MAX];
	const char *prev = NULL;
	int r = -1, had;

	if (!rec)
		return err_sys(e, ENOMEM, "pull");
	oci_store_lock(p->st); /* the record read, changed and written back whole */
	if (oci_store_image_get(p->st, p->m->config.digest, rec, NULL) < 0) {
		memset(rec, 0, sizeof(*rec));
		res->fresh = true;
	}
	snprintf(rec->id, sizeof(rec->id), "%s", p->m->config.digest);
	snprintf(rec->manifest, sizeof(rec->manifest), "%s", mdigest);
	snprintf(rec->manifest_media_type, sizeof(rec->manifest_media_type), "%s",
		 reg_manifest_media_type(p->m->kind));
	rec->nlayers = p->m->nlayers;
	for (size_t i = 0; i < p->m->nlayers; i++) {
		oci_chain_id(prev, p->cfg->diff_ids[i], rec->chain[i]);
		prev = rec->chain[i];
		strcpy(rec->diff[i], p->cfg->diff_ids[i]);
		strcpy(rec->blob[i], p->m->layers[i].digest);
		rec->blob_size[i] = p->m->layers[i].size;
		snprintf(rec->blob_media_type[i], sizeof(rec->blob_media_type[i]), "%s",
			 p->m->layers[i].media_type);
	}
	reg_ref_name(ref, name, sizeof(name));
	snprintf(rd, sizeof(rd), "%s@%s", name, top);
	add_repo_digest(rec, rd);
	if (oci_store_image_put(p->st, rec, e) < 0)
		goto out;
	reg_ref_string(ref, name, sizeof(name));
	had = oci_store_ref_get(p->st, name, id_before, e);
	if (had < 0)
		goto out;
	if (had == 1 || strcmp(id_before, rec->id))
		res->fresh = true;
	r = oci_store_ref_set(p->st, name, rec->id, e);
out:
	oci_store_unlock(p->st);
	free(rec);
	return r;
}

/* docker.io goes to its mirrors first, as Docker does: the first that
 * resolves the reference serves the whole pull; the registry itself last.
 * On success s and hc are open. */
static int open_and_resolve(struct pull *p, struct reg_session *s, struct http_client *hc,
			    const struct reg_ref *ref, char **mbuf, size_t *mlen, char *top,
			    char *mdigest, char **ibuf, size_t *ilen, struct err *e)
{
	const char *const *mirrors = strcmp(ref->domain, "docker.io") ? NULL : p->o->reg->mirrors;

	for (size_t i = 0; mirrors && mirrors[i]; i++) {
		struct err me;

		if (reg_session_open(s, ref->domain, mirrors[i], p->o->reg, &me) < 0)
			continue;
		p->s = s;
		reg_session_client(s, hc);
		if (resolve(p, hc, ref, mbuf, mlen, top, mdigest, ibuf, ilen, &me) == 0)
			return 0;
		free(*mbuf);
		free(*ibuf);
		*mbuf = *ibuf = NULL;
		http_client_close(hc);
		reg_session_close(s);
	}
	if (reg_session_open(s, ref->domain, NULL, p->o->reg, e) < 0)
		return -1;
	p->s = s;
	reg_session_client(s, hc);
	if (resolve(p, hc, ref, mbuf, mlen, top, mdigest, ibuf, ilen, e) == 0)
		return 0;
	http_client_close(hc);
	reg_session_close(s);
	return -1;
}

int reg_pull(struct oci_store *st, const struct reg_ref *ref, const struct reg_pull_opts *o,
	     struct reg_pull_result *res, struct err *e)
{
	struct pull p = {.st = st, .o = o};
	struct reg_session s;
	struct http_client hc;
	char *mbuf = NULL, *ibuf = NULL, *cbuf = NULL, top[DIGEST_STR_MAX], mdigest[DIGEST_STR_MAX];
	size_t mlen = 0, ilen = 0, clen = 0;
	int r = -1;

	memset(res, 0, sizeof(*res));
	oci_store_hold(st); /* its layers are nobody's until record() */
	pthread_mutex_init(&p.lock, NULL);
	snprintf(p.name, sizeof(p.name), "%s", ref->path);
	p.m = malloc(sizeof(*p.m));
	p.cfg = malloc(sizeof(*p.cfg));
	if (!p.m || !p.cfg) {
		err_sys(e, ENOMEM, "pull");
		goto nosession;
	}
	if (open_and_resolve(&p, &s, &hc, ref, &mbuf, &mlen, top, mdigest, &ibuf, &ilen, e) < 0)
		goto nosession;
	event(&p, REG_PULL_RESOLVED, 0, top, 0, (int64_t)p.m->nlayers, NULL);
	if (get_config(&p, &hc, &cbuf, &clen, e) < 0 ||
	    reg_config_parse(p.cfg, cbuf, clen, e) < 0 ||
	    reg_config_check_layers(p.cfg, p.m, e) < 0 || plan(&p, &res->layers_reused, e) < 0)
		goto out;
	http_client_close(&hc); /* idle while the layers come */
	reg_session_client(&s, &hc);
	if (fetch_layers(&p, e) < 0)
		goto out;
	/* the documents that describe the image, then its record and names */
	if (oci_store_blob_put(st, mbuf, mlen, mdigest, NULL, e) < 0 ||
	    (ibuf && oci_store_blob_put(st, ibuf, ilen, top, NULL, e) < 0) ||
	    record(&p, ref, top, mdigest, res, e) < 0)
		goto out;
	snprintf(res->id, sizeof(res->id), "%s", p.m->config.digest);
	snprintf(res->digest, sizeof(res->digest), "%s", top);
	res->layers_fetched = p.fetched;
	res->fresh |= p.fetched > 0;
	r = 0;
out:
	res->resumes = p.resumes;
	http_client_close(&hc);
	reg_session_close(&s);
nosession:
	free(mbuf);
	free(ibuf);
	free(cbuf);
	free(p.jobs);
	free(p.m);
	free(p.cfg);
	pthread_mutex_destroy(&p.lock);
	oci_store_release(st);
	return r;
}
