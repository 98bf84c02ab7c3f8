/* api-images-pull.c - POST /images/create?fromImage=&tag=&platform=: a pull
 * on the request's own thread, its progress as dockerd's JSON stream. The
 * head goes out with the first message, so that a reference the registry
 * does not know is a plain 404, as dockerd answers it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/daemon/api-images.h"
#include "jsonmsg.h"
#include "oci/image-info.h"
#include "registry/pull.h"
#include "registry/ref.h"

#define PROGRESS_MS 100 /* one progress message per layer this often, as dockerd */

struct pull_ui {
	struct hx *x;
	const struct reg_ref *ref;
	int parallel, waiting;
	bool begun;
	struct jsonmsg_rate rate[OCI_STORE_MAX_LAYERS];
};

static void emit(struct pull_ui *ui, cJSON *msg)
{
	if (!ui->begun) {
		ui->begun = true;
		hx_begin(ui->x, 200, "application/json");
	}
	if (msg)
		hx_chunk_json(ui->x, msg);
	cJSON_Delete(msg);
}

static void layer_status(struct pull_ui *ui, const char *digest, const char *status)
{
	char id[13];

	snprintf(id, sizeof(id), "%s", digest_hex(digest));
	emit(ui, jsonmsg_status(status, id, true));
}

static void layer_bytes(struct pull_ui *ui, const char *digest, const char *status, int64_t cur,
			int64_t total)
{
	char id[13];

	snprintf(id, sizeof(id), "%s", digest_hex(digest));
	emit(ui, jsonmsg_progress(status, id, cur, total));
}

/* reg_pull's events, serialized by it, as dockerd's messages. */
static void on_event(const struct reg_pull_event *ev, void *arg)
{
	struct pull_ui *ui = arg;
	size_t i = ev->layer < OCI_STORE_MAX_LAYERS ? ev->layer : OCI_STORE_MAX_LAYERS - 1;
	char msg[300];

	switch (ev->kind) {
	case REG_PULL_RESOLVED:
		snprintf(msg, sizeof(msg), "Pulling from %s", ui->ref->path);
		emit(ui, jsonmsg_status(msg, ui->ref->digest[0] ? ui->ref->digest : ui->ref->tag,
					false));
		break;
	case REG_PULL_LAYER_EXISTS:
		layer_status(ui, ev->digest, "Already exists");
		break;
	case REG_PULL_LAYER_WAITING:
		layer_status(ui, ev->digest, "Pulling fs layer");
		if (++ui->waiting > ui->parallel)
			layer_status(ui, ev->digest, "Waiting");
		break;
	case REG_PULL_LAYER_PROGRESS:
		if (jsonmsg_rate_ok(&ui->rate[i], img_now_ms(), PROGRESS_MS))
			layer_bytes(ui, ev->digest, "Downloading", ev->current, ev->total);
		break;
	case REG_PULL_LAYER_DONE:
		/* the download was unpacked as it came: both end here */
		layer_status(ui, ev->digest, "Verifying Checksum");
		layer_status(ui, ev->digest, "Download complete");
		layer_bytes(ui, ev->digest, "Extracting", ev->total, ev->total);
		layer_status(ui, ev->digest, "Pull complete");
		break;
	case REG_PULL_LAYER_FAILED:
		break;
	}
}

/* fromImage and tag (a tag or a digest) as one reference. */
static int pull_ref(struct hx *x, struct reg_ref *ref, struct err *e)
{
	char from[REG_REF_STR_MAX], tag[160], full[REG_REF_STR_MAX + 160];

	hreq_query(&x->rq, "fromImage", from, sizeof(from));
	hreq_query(&x->rq, "tag", tag, sizeof(tag));
	snprintf(full, sizeof(full), "%s%s%s", from,
		 !tag[0]            ? ""
		 : strchr(tag, ':') ? "@"
				    : ":",
		 tag);
	if (reg_ref_parse(ref, full, e) < 0) {
		e->errnum = EINVAL;
		return -1;
	}
	return 0;
}

/* dockerd's words for what the registry did not know (distribution's
 * translatePullError): a 404 before anything was streamed. */
static int not_found(const struct reg_ref *ref, struct err *e)
{
	char fam[REG_REF_STR_MAX], name[REG_REF_STR_MAX], cause[sizeof(e->msg)];

	reg_ref_familiar(ref, fam, sizeof(fam));
	reg_ref_familiar_name(ref, name, sizeof(name));
	snprintf(cause, sizeof(cause), "%s", e->msg);
	/* the registry's own message: what follows "CODE: " */
	for (const char *code = strstr(cause, "_UNKNOWN: "); code;) {
		memmove(cause, code + 10, strlen(code + 10) + 1);
		break;
	}
	if (strstr(e->msg, "MANIFEST_UNKNOWN"))
		err_set(e, "manifest for %s not found: manifest unknown: %s", fam, cause);
	else if (strstr(e->msg, "NAME_UNKNOWN"))
		err_set(e, "repository %s not found: name unknown: %s", name, cause);
	else if (strstr(e->msg, "DENIED") || strstr(e->msg, " 404 "))
		err_set(e,
			"pull access denied for %s, repository does not exist or may require "
			"'docker login': %s",
			name, cause);
	else
		return 500;
	return 404;
}

static void finish(struct pull_ui *ui, const struct reg_pull_result *res)
{
	char fam[REG_REF_STR_MAX], msg[REG_REF_STR_MAX + 64];

	snprintf(msg, sizeof(msg), "Digest: %s", res->digest);
	emit(ui, jsonmsg_status(msg, NULL, false));
	snprintf(msg, sizeof(msg), "Status: %s for %s",
		 res->fresh ? "Downloaded newer image" : "Image is up to date",
		 reg_ref_familiar(ui->ref, fam, sizeof(fam)));
	emit(ui, jsonmsg_status(msg, NULL, false));
}

void img_pull(struct hx *x)
{
	struct daemon *d = x->user;
	struct pull_ui *ui = calloc(1, sizeof(*ui));
	struct img_reg *rg = calloc(1, sizeof(*rg));
	struct reg_platform plat;
	struct reg_pull_result res;
	struct reg_ref ref;
	struct err e = {0};
	char platform[96], fam[REG_REF_STR_MAX], name[REG_REF_STR_MAX];
	int st;

	if (!ui || !rg) {
		hx_error(x, 500, "out of memory");
		goto out;
	}
	hreq_query(&x->rq, "platform", platform, sizeof(platform));
	if (pull_ref(x, &ref, &e) < 0 || img_reg_init(rg, x, &e) < 0 ||
	    (platform[0] && reg_platform_parse(&plat, platform, &e) < 0)) {
		hx_error(x, 400, "%s", e.msg);
		goto out;
	}
	ui->x = x;
	ui->ref = &ref;
	ui->parallel = rg->max_downloads;
	struct reg_pull_opts po = {.reg = &rg->o,
				   .platform = platform[0] ? &plat : NULL,
				   .parallel = ui->parallel,
				   .progress = on_event,
				   .arg = ui};
	if (reg_pull(&d->store, &ref, &po, &res, &e) < 0) {
		if (!ui->begun) {
			st = not_found(&ref, &e);
			hx_error(x, st, "%s", e.msg);
			goto out;
		}
		emit(ui, jsonmsg_error(e.msg));
		hx_end(x);
		goto out;
	}
	finish(ui, &res);
	hx_end(x);
	reg_ref_string(&ref, name, sizeof(name));
	img_event(d, "pull", reg_ref_familiar(&ref, fam, sizeof(fam)),
		  reg_ref_familiar_name(&ref, name, sizeof(name)));
out:
	if (rg)
		img_reg_done(rg);
	free(rg);
	free(ui);
}
