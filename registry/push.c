/* push.c - the push (see push.h). Blobs go one after the other, top layer
 * first, then the config, then the manifest: a registry refuses a manifest
 * whose blobs it does not have, so the manifest is the commit. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry/manifest.h"
#include "registry/push.h"

#define MANIFEST_MAX (4 << 20)
#define URL_MAX 2400 /* as token.c's send(): base + a 2048-byte path */
#define PROGRESS_STEP (256 << 10)

struct push {
	struct oci_store *st;
	struct reg_session *s;
	struct http_client hc;
	const struct reg_push_opts *o;
	const struct reg_ref *ref;
	struct reg_manifest *m;
	char scope[320]; /* repository:<name>:pull,push */
	char from[256]; /* the repository to mount from; "" for none */
	int64_t threshold, chunk;
	struct reg_push_result *res;
};

static void event(struct push *p, enum reg_push_event_kind kind, size_t layer, const char *digest,
		  int64_t current, int64_t total, const char *msg)
{
	struct reg_push_event ev = {kind, layer, digest, current, total, msg};

	if (p->o->progress)
		p->o->progress(&ev, p->o->arg);
}

int reg_push_finish_url(const char *base, const char *location, const char *digest, char *out,
			size_t size, struct err *e)
{
	struct http_url b, u;
	char abs[URL_MAX];
	size_t n;

	if (http_url_parse(&b, base, NULL, e) < 0 || http_url_parse(&u, location, &b, e) < 0)
		return err_wrap(e, "upload location \"%.200s\"", location);
	n = http_url_format(&u, abs, sizeof(abs));
	if (n >= sizeof(abs) || (size_t)snprintf(out, size, "%s%cdigest=%s", abs,
						 strchr(u.path, '?') ? '&' : '?', digest) >= size)
		return err_set(e, "upload location \"%.200s\": too long", location);
	return 0;
}

/* The Location of an upload answer, made absolute against the URL that
 * answered (registries send either form). */
static int take_location(struct http_response *rs, char *out, size_t size, struct err *e)
{
	const char *loc = http_header(rs, "Location");
	struct http_url b, u;

	if (!loc || !*loc)
		return err_set(e, "%d answer without a Location", rs->status);
	if (http_url_parse(&b, rs->url, NULL, e) < 0 || http_url_parse(&u, loc, &b, e) < 0)
		return err_wrap(e, "upload location \"%.200s\"", loc);
	if (http_url_format(&u, out, size) >= size)
		return err_set(e, "upload location \"%.200s\": too long", loc);
	return 0;
}

/* A blob file (or a part of it) as a request body, with progress. */
struct part {
	struct push *p;
	int fd;
	int64_t off, left;
	size_t layer;
	bool is_layer; /* the config's progress is not shown */
	const struct reg_descriptor *d;
	int64_t last;
};

static ssize_t part_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct part *pt = ctx;
	ssize_t got;

	if (pt->left <= 0)
		return 0;
	if ((int64_t)n > pt->left)
		n = (size_t)pt->left;
	do
		got = pread(pt->fd, buf, n, pt->off);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return err_sys(e, errno, "blob %s", pt->d->digest);
	if (got == 0)
		return err_set(e, "blob %s: the file ends at %" PRId64 " bytes", pt->d->digest,
			       pt->off);
	pt->off += got;
	pt->left -= got;
	if (pt->is_layer && (pt->off - pt->last >= PROGRESS_STEP || pt->off == pt->d->size)) {
		pt->last = pt->off;
		event(pt->p, REG_PUSH_PROGRESS, pt->layer, pt->d->digest, pt->off, pt->d->size,
		      NULL);
	}
	return got;
}

/* The 201 that ends an upload, with the digest the registry computed. */
static int created(struct push *p, struct http_response *rs, const char *digest, struct err *e)
{
	const char *got = http_header(rs, "Docker-Content-Digest");

	if (rs->status != 201)
		return reg_http_error(&p->hc, rs, "upload", e);
	if (got && strcmp(got, digest)) {
		err_set(e, "the registry stored digest %.80s", got);
		http_response_end(&p->hc, rs);
		return -1;
	}
	http_response_end(&p->hc, rs);
	return 0;
}

/* A request whose body is (a part of) the blob file. reg_request does not
 * send a streamed body twice, so a token that ran out during a long push
 * fails it, though the 401 got a new token; the file can be read again:
 * one more try. */
static int send_part(struct push *p, const struct http_request *rq, struct part *pt,
		     struct http_response *rs, struct err *e)
{
	int64_t off = pt->off, left = pt->left;

	if (reg_request(p->s, &p->hc, rq, p->scope, rs, e) == 0)
		return 0;
	pt->off = pt->last = off;
	pt->left = left;
	return reg_request(p->s, &p->hc, rq, p->scope, rs, e);
}

/* One PUT with the whole blob. */
static int upload_whole(struct push *p, struct part *pt, const char *loc, struct err *e)
{
	char url[URL_MAX + 100];
	const char *hdrs[] = {"Content-Type: application/octet-stream", NULL};
	struct stream_reader body = {part_read, pt};
	struct http_request rq = {.method = "PUT",
				  .url = url,
				  .headers = hdrs,
				  .body_stream = &body,
				  .body_len = pt->d->size};
	struct http_response rs;

	if (reg_push_finish_url(p->s->base, loc, pt->d->digest, url, sizeof(url), e) < 0 ||
	    send_part(p, &rq, pt, &rs, e) < 0)
		return -1;
	return created(p, &rs, pt->d->digest, e);
}

/* PATCH chunk after chunk, each to the Location the last answer gave, then
 * a PUT without a body closes the upload. */
static int upload_chunks(struct push *p, struct part *pt, char *loc, size_t locsize, struct err *e)
{
	char url[URL_MAX + 100], range[64];
	const char *hdrs[] = {"Content-Type: application/octet-stream", range, NULL};
	struct stream_reader body = {part_read, pt};
	struct http_request rq = {.method = "PATCH", .url = loc, .headers = hdrs};
	struct http_response rs;

	while (pt->off < pt->d->size) {
		int64_t n = pt->d->size - pt->off < p->chunk ? pt->d->size - pt->off : p->chunk;

		snprintf(range, sizeof(range), "Content-Range: %" PRId64 "-%" PRId64, pt->off,
			 pt->off + n - 1);
		pt->left = n;
		rq.body_stream = &body;
		rq.body_len = n;
		if (send_part(p, &rq, pt, &rs, e) < 0)
			return -1;
		if (rs.status != 202)
			return reg_http_error(&p->hc, &rs, "upload chunk", e);
		p->res->chunks++;
		if (take_location(&rs, loc, locsize, e) < 0) {
			http_response_end(&p->hc, &rs);
			return -1;
		}
		http_response_end(&p->hc, &rs);
	}
	if (reg_push_finish_url(p->s->base, loc, pt->d->digest, url, sizeof(url), e) < 0)
		return -1;
	rq = (struct http_request){.method = "PUT", .url = url};
	if (reg_request(p->s, &p->hc, &rq, p->scope, &rs, e) < 0)
		return -1;
	return created(p, &rs, pt->d->digest, e);
}

static int upload(struct push *p, size_t layer, bool is_layer, const struct reg_descriptor *d,
		  char *loc, size_t locsize, struct err *e)
{
	struct part pt = {
		.p = p, .fd = -1, .left = d->size, .layer = layer, .is_layer = is_layer, .d = d};
	int r;

	if ((pt.fd = oci_store_blob_open(p->st, d->digest, e)) < 0)
		return -1;
	if (d->size > p->threshold)
		r = upload_chunks(p, &pt, loc, locsize, e);
	else
		r = upload_whole(p, &pt, loc, e);
	close(pt.fd);
	return r;
}

/* HEAD: 1 when the repository has the blob, 0 when not. */
static int blob_exists(struct push *p, const char *digest, struct err *e)
{
	char path[600];
	struct http_request rq = {.method = "HEAD", .url = path};
	struct http_response rs;
	int st;

	snprintf(path, sizeof(path), "/v2/%s/blobs/%s", p->ref->path, digest);
	if (reg_request(p->s, &p->hc, &rq, p->scope, &rs, e) < 0)
		return -1;
	st = rs.status;
	if (st != 200 && st != 404)
		return reg_http_error(&p->hc, &rs, "check", e);
	http_response_end(&p->hc, &rs);
	return st == 200;
}

/* POST an upload, as a mount from p->from when there is one: 1 mounted,
 * 0 an upload to send to *loc. */
static int start_upload(struct push *p, const char *digest, bool mount, char *loc, size_t locsize,
			struct err *e)
{
	char path[900], scope[640];
	struct http_request rq = {.method = "POST", .url = path};
	struct http_response rs;
	int r;

	snprintf(path, sizeof(path), "/v2/%s/blobs/uploads/", p->ref->path);
	snprintf(scope, sizeof(scope), "%s", p->scope);
	if (mount) {
		snprintf(path, sizeof(path), "/v2/%s/blobs/uploads/?mount=%s&from=%s", p->ref->path,
			 digest, p->from);
		/* the token must let us read the other repository too */
		snprintf(scope, sizeof(scope), "%s repository:%s:pull", p->scope, p->from);
	}
	if (reg_request(p->s, &p->hc, &rq, scope, &rs, e) < 0)
		return -1;
	if (mount && rs.status == 201) {
		http_response_end(&p->hc, &rs);
		return 1;
	}
	if (rs.status != 202)
		return reg_http_error(&p->hc, &rs, mount ? "mount" : "start upload", e);
	r = take_location(&rs, loc, locsize, e);
	http_response_end(&p->hc, &rs);
	return r;
}

/* One blob: already there, mounted, or uploaded. */
static int push_blob(struct push *p, size_t layer, const struct reg_descriptor *d, bool is_layer,
		     struct err *e)
{
	char loc[URL_MAX];
	int r = blob_exists(p, d->digest, e);

	if (r == 1) {
		p->res->existed++;
		if (is_layer)
			event(p, REG_PUSH_EXISTS, layer, d->digest, 0, d->size, NULL);
		return 0;
	}
	if (r == 0)
		r = start_upload(p, d->digest, p->from[0] != '\0', loc, sizeof(loc), e);
	if (r == 1) {
		p->res->mounted++;
		if (is_layer)
			event(p, REG_PUSH_MOUNTED, layer, d->digest, 0, d->size, p->from);
		return 0;
	}
	if (r == 0)
		r = upload(p, layer, is_layer, d, loc, sizeof(loc), e);
	if (r < 0)
		return err_wrap(e, "%s %s", is_layer ? "layer" : "config", d->digest);
	p->res->pushed++;
	if (is_layer)
		event(p, REG_PUSH_PUSHED, layer, d->digest, d->size, d->size, NULL);
	return 0;
}

/* Everything that will be uploaded must be here before anything is. */
static int check_blobs(struct push *p, struct err *e)
{
	const struct reg_manifest *m = p->m;

	for (size_t i = 0; i < m->nlayers; i++)
		if (!m->layers[i].foreign && !oci_store_blob_has(p->st, m->layers[i].digest))
			return err_set(e,
				       "layer %s: its compressed blob is not in the store: pushing "
				       "needs the layers kept at pull time; pull it again with "
				       "`tug --keep-layer-blobs pull` (or TUG_KEEP_LAYER_BLOBS=1), "
				       "which fetches only the blobs",
				       m->layers[i].digest);
	if (!oci_store_blob_has(p->st, m->config.digest))
		return err_set(e, "config %s is not in the store", m->config.digest);
	return 0;
}

/* The first repository the image was pulled from on this registry under
 * another name: the registry can link its blobs instead of receiving them. */
static void mount_source(struct push *p, const struct oci_image_rec *rec)
{
	for (size_t i = 0; i < rec->nrepo_digests; i++) {
		char name[512];
		struct reg_ref r;
		struct err ignored;

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(rec->repo_digests[i], "@"),
			 rec->repo_digests[i]);
		if (reg_ref_parse(&r, name, &ignored) == 0 && !strcmp(r.domain, p->ref->domain) &&
		    strcmp(r.path, p->ref->path)) {
			snprintf(p->from, sizeof(p->from), "%s", r.path);
			return;
		}
	}
}

static int put_manifest(struct push *p, const char *buf, size_t len, const char *mt,
			const char *digest, struct err *e)
{
	char path[600], ctype[160];
	const char *hdrs[] = {ctype, NULL}, *got;
	struct http_request rq = {.method = "PUT",
				  .url = path,
				  .headers = hdrs,
				  .body = buf,
				  .body_len = (int64_t)len};
	struct http_response rs;

	snprintf(path, sizeof(path), "/v2/%s/manifests/%s", p->ref->path, p->ref->tag);
	snprintf(ctype, sizeof(ctype), "Content-Type: %s", mt);
	if (reg_request(p->s, &p->hc, &rq, p->scope, &rs, e) < 0)
		return err_wrap(e, "manifest");
	if (rs.status != 201)
		return reg_http_error(&p->hc, &rs, "manifest", e);
	got = http_header(&rs, "Docker-Content-Digest");
	if (got && strcmp(got, digest)) {
		err_set(e, "manifest: the registry stored digest %.80s, not %s", got, digest);
		http_response_end(&p->hc, &rs);
		return -1;
	}
	http_response_end(&p->hc, &rs);
	return 0;
}

static int push_all(struct push *p, const struct oci_image_rec *rec, const char *mbuf, size_t mlen,
		    struct err *e)
{
	const struct reg_manifest *m = p->m;
	const char *mt = rec->manifest_media_type[0] ? rec->manifest_media_type
						     : reg_manifest_media_type(m->kind);

	for (size_t i = m->nlayers; i-- > 0;)
		event(p, REG_PUSH_PREPARING, i, m->layers[i].digest, 0, m->layers[i].size, NULL);
	for (size_t i = m->nlayers; i-- > 0;) {
		if (m->layers[i].foreign) {
			event(p, REG_PUSH_SKIPPED, i, m->layers[i].digest, 0, 0, NULL);
			continue;
		}
		if (push_blob(p, i, &m->layers[i], true, e) < 0) {
			event(p, REG_PUSH_FAILED, i, m->layers[i].digest, 0, 0, e->msg);
			return -1;
		}
	}
	if (push_blob(p, 0, &m->config, false, e) < 0 ||
	    put_manifest(p, mbuf, mlen, mt, rec->manifest, e) < 0)
		return -1;
	snprintf(p->res->digest, sizeof(p->res->digest), "%s", rec->manifest);
	p->res->size = mlen;
	return 0;
}

int reg_push(struct oci_store *st, const struct reg_ref *ref, const struct oci_image_rec *rec,
	     const struct reg_push_opts *o, struct reg_push_result *res, struct err *e)
{
	struct push p = {.st = st, .o = o, .ref = ref, .res = res};
	struct reg_session s;
	char *mbuf = NULL;
	size_t mlen = 0;
	int r = -1;

	memset(res, 0, sizeof(*res));
	if (ref->digest[0] || !ref->tag[0])
		return err_set(e, "a push needs a tag, not a digest");
	p.threshold = o->chunk_threshold > 0 ? o->chunk_threshold : REG_PUSH_CHUNK_THRESHOLD;
	p.chunk = o->chunk_size > 0 ? o->chunk_size : REG_PUSH_CHUNK_SIZE;
	snprintf(p.scope, sizeof(p.scope), "repository:%s:pull,push", ref->path);
	if (!(p.m = malloc(sizeof(*p.m))))
		return err_sys(e, ENOMEM, "push");
	if (oci_store_blob_read(st, rec->manifest, MANIFEST_MAX, &mbuf, &mlen, e) < 0 ||
	    reg_manifest_parse(p.m, mbuf, mlen,
			       rec->manifest_media_type[0] ? rec->manifest_media_type : NULL,
			       e) < 0) {
		err_wrap(e, "manifest %s", rec->manifest);
		goto nosession;
	}
	if (reg_manifest_is_index(p.m->kind)) {
		err_set(e, "manifest %s is an index: pushing indexes is not supported",
			rec->manifest);
		goto nosession;
	}
	if (check_blobs(&p, e) < 0 || reg_session_open(&s, ref->domain, NULL, o->reg, e) < 0)
		goto nosession;
	p.s = &s;
	mount_source(&p, rec);
	reg_session_client(&s, &p.hc);
	r = push_all(&p, rec, mbuf, mlen, e);
	http_client_close(&p.hc);
	reg_session_close(&s);
nosession:
	free(mbuf);
	free(p.m);
	return r;
}
