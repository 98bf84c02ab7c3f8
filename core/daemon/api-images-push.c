/* api-images-push.c - POST /images/{name}/push?tag=: each tag of the
 * repository (or the one asked for) to its registry, with dockerd's
 * progress stream and its closing aux message; the image then records the
 * digest it has there (RepoDigests). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/daemon/api-images.h"
#include "json.h"
#include "jsonmsg.h"
#include "registry/push.h"
#include "registry/ref.h"

#define PROGRESS_MS 100
#define PUSH_TAGS 64

struct push_ui {
	struct hx *x;
	struct jsonmsg_rate rate[OCI_STORE_MAX_LAYERS];
};

static void emit(struct hx *x, cJSON *msg)
{
	if (msg)
		hx_chunk_json(x, msg);
	cJSON_Delete(msg);
}

static void on_event(const struct reg_push_event *ev, void *arg)
{
	struct push_ui *ui = arg;
	size_t i = ev->layer < OCI_STORE_MAX_LAYERS ? ev->layer : OCI_STORE_MAX_LAYERS - 1;
	char id[13], st[300];

	snprintf(id, sizeof(id), "%s", digest_hex(ev->digest));
	switch (ev->kind) {
	case REG_PUSH_PREPARING:
		emit(ui->x, jsonmsg_status("Preparing", id, true));
		break;
	case REG_PUSH_PROGRESS:
		if (jsonmsg_rate_ok(&ui->rate[i], img_now_ms(), PROGRESS_MS))
			emit(ui->x, jsonmsg_progress("Pushing", id, ev->current, ev->total));
		break;
	case REG_PUSH_EXISTS:
		emit(ui->x, jsonmsg_status("Layer already exists", id, true));
		break;
	case REG_PUSH_MOUNTED:
		snprintf(st, sizeof(st), "Mounted from %s", ev->msg ? ev->msg : "");
		emit(ui->x, jsonmsg_status(st, id, true));
		break;
	case REG_PUSH_PUSHED:
		emit(ui->x, jsonmsg_status("Pushed", id, true));
		break;
	case REG_PUSH_SKIPPED:
		emit(ui->x, jsonmsg_status("Skipped foreign layer", id, true));
		break;
	case REG_PUSH_FAILED:
		break;
	}
}

struct tags {
	const char *repo; /* normalized repository name */
	size_t n;
	char v[PUSH_TAGS][130];
};

static int collect(const char *name, const char *id, void *arg)
{
	struct tags *t = arg;
	size_t l = strlen(t->repo);

	(void)id;
	if (!strncmp(name, t->repo, l) && name[l] == ':' && !strchr(name + l, '@') &&
	    t->n < PUSH_TAGS)
		snprintf(t->v[t->n++], sizeof(t->v[0]), "%s", name + l + 1);
	return 0;
}

/* Where the image now is, as docker records it (RepoDigests). */
static void add_repo_digest(struct daemon *d, const struct reg_ref *ref, const char *id,
			    const char *digest)
{
	struct oci_image_rec *rec = malloc(sizeof(*rec));
	char name[REG_REF_STR_MAX], rd[sizeof(rec->repo_digests[0])];
	struct err e = {0};
	size_t i;

	if (!rec)
		return;
	snprintf(rd, sizeof(rd), "%s@%s", reg_ref_name(ref, name, sizeof(name)), digest);
	oci_store_lock(&d->store);
	if (oci_store_image_get(&d->store, id, rec, &e) == 0) {
		for (i = 0; i < rec->nrepo_digests && strcmp(rec->repo_digests[i], rd); i++)
			;
		if (i == rec->nrepo_digests &&
		    i < sizeof(rec->repo_digests) / sizeof(rec->repo_digests[0])) {
			strcpy(rec->repo_digests[rec->nrepo_digests++], rd);
			oci_store_image_put(&d->store, rec, &e);
		}
	}
	oci_store_unlock(&d->store);
	free(rec);
}

/* One tag: "1: digest: sha256:... size: 527", then the aux message. */
static int push_tag(struct hx *x, struct reg_ref *ref, struct reg_push_opts *po,
		    struct oci_image_rec *rec, struct err *e)
{
	struct daemon *d = x->user;
	struct reg_push_result res;
	char name[REG_REF_STR_MAX], id[DIGEST_STR_MAX], msg[400], fam[REG_REF_STR_MAX];
	cJSON *aux;
	int r;

	r = oci_store_ref_get(&d->store, reg_ref_string(ref, name, sizeof(name)), id, e);
	if (r != 0)
		return r < 0 ? -1
			     : err_set(e, "tag does not exist: %s",
				       reg_ref_familiar(ref, fam, sizeof(fam)));
	if (oci_store_image_get(&d->store, id, rec, e) < 0 ||
	    reg_push(&d->store, ref, rec, po, &res, e) < 0)
		return -1;
	add_repo_digest(d, ref, id, res.digest);
	snprintf(msg, sizeof(msg), "%s: digest: %s size: %zu", ref->tag, res.digest, res.size);
	emit(x, jsonmsg_status(msg, NULL, false));
	aux = cJSON_CreateObject();
	cJSON_AddObjectToObject(aux, "progressDetail");
	cJSON *a = cJSON_AddObjectToObject(aux, "aux");
	cJSON_AddStringToObject(a, "Tag", ref->tag);
	cJSON_AddStringToObject(a, "Digest", res.digest);
	json_add_u64(a, "Size", res.size);
	emit(x, aux);
	img_event(d, "push", reg_ref_familiar(ref, fam, sizeof(fam)),
		  reg_ref_familiar_name(ref, name, sizeof(name)));
	return 0;
}

static int push_all(struct hx *x, struct reg_ref *ref, struct tags *t, struct reg_push_opts *po,
		    struct err *e)
{
	struct oci_image_rec *rec = malloc(sizeof(*rec));
	int r = 0;

	if (!rec)
		return err_set(e, "out of memory");
	for (size_t i = 0; i < t->n && r == 0; i++) {
		snprintf(ref->tag, sizeof(ref->tag), "%s", t->v[i]);
		r = push_tag(x, ref, po, rec, e);
	}
	free(rec);
	return r;
}

void img_push(struct hx *x)
{
	struct daemon *d = x->user;
	struct push_ui *ui = calloc(1, sizeof(*ui));
	struct img_reg *rg = calloc(1, sizeof(*rg));
	struct tags *t = calloc(1, sizeof(*t));
	struct reg_ref ref;
	struct err e = {0};
	char tag[160], full[REG_REF_STR_MAX + 160], repo[REG_REF_STR_MAX], fam[REG_REF_STR_MAX];

	if (!ui || !rg || !t) {
		hx_error(x, 500, "out of memory");
		goto out;
	}
	hreq_query(&x->rq, "tag", tag, sizeof(tag));
	snprintf(full, sizeof(full), "%s%s%s", x->arg[0], tag[0] ? ":" : "", tag);
	if (reg_ref_parse(&ref, full, &e) < 0 || img_reg_init(rg, x, &e) < 0) {
		hx_error(x, 400, "%s", e.msg);
		goto out;
	}
	if (ref.digest[0]) {
		hx_error(x, 400, "cannot push a digest reference");
		goto out;
	}
	ui->x = x;
	struct reg_push_opts po = {.reg = &rg->o, .progress = on_event, .arg = ui};
	t->repo = reg_ref_name(&ref, repo, sizeof(repo));
	hx_begin(x, 200, "application/json");
	snprintf(full, sizeof(full), "The push refers to repository [%s]", repo);
	emit(x, jsonmsg_status(full, NULL, false));
	if (oci_store_ref_each(&d->store, collect, t, &e) < 0)
		goto fail;
	if (!t->n) {
		err_set(&e, "An image does not exist locally with the tag: %s",
			reg_ref_familiar_name(&ref, fam, sizeof(fam)));
		goto fail;
	}
	if (tag[0]) { /* only the one asked for */
		t->n = 1;
		snprintf(t->v[0], sizeof(t->v[0]), "%s", ref.tag);
	}
	if (push_all(x, &ref, t, &po, &e) < 0)
		goto fail;
	hx_end(x);
	goto out;
fail:
	emit(x, jsonmsg_error(e.msg));
	hx_end(x);
out:
	if (rg)
		img_reg_done(rg);
	free(rg);
	free(ui);
	free(t);
}
