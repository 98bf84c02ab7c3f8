/* image-archive-images.c - the end of a load: the images an archive describes
 * (manifest.json of a docker-archive, index.json of an OCI layout, both in
 * Docker 25's), every one checked against the members that were unpacked
 * before anything is committed, then layers, blobs, records and names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "oci/image-archive-priv.h"
#include "registry/manifest.h"
#include "registry/platform.h"
#include "registry/ref.h"

#define IMAGES_MAX 256
#define NAMES_MAX 64

struct arc_image {
	struct arc_member *config;
	struct arc_member *layers[REG_MANIFEST_MAX_LAYERS];
	size_t nlayers;
	struct arc_member *manifest; /* the archive's manifest, or NULL */
	struct reg_manifest *m; /* parsed from manifest, or made (to store) */
	struct reg_image_config *cfg;
	char names[NAMES_MAX][REG_REF_STR_MAX]; /* normalized */
	size_t nnames;
};

struct images {
	struct arc_image *v[IMAGES_MAX];
	size_t n;
};

static void images_free(struct images *im)
{
	for (size_t i = 0; i < im->n; i++) {
		free(im->v[i]->m);
		free(im->v[i]->cfg);
		free(im->v[i]);
	}
	im->n = 0;
}

static struct arc_image *image_new(struct images *im, struct err *e)
{
	struct arc_image *x;

	if (im->n == IMAGES_MAX)
		return err_set(e, "more than %d images in the archive", IMAGES_MAX), NULL;
	x = calloc(1, sizeof(*x));
	if (!x || !(x->m = calloc(1, sizeof(*x->m))) || !(x->cfg = calloc(1, sizeof(*x->cfg)))) {
		if (x)
			free(x->m);
		free(x);
		return err_sys(e, ENOMEM, "load"), NULL;
	}
	im->v[im->n++] = x;
	return x;
}

/* A name as docker records it ("busybox:latest" -> docker.io/library/...). */
static int add_name(struct arc_image *x, const char *name, const char *what, struct err *e)
{
	struct reg_ref ref;
	char full[REG_REF_STR_MAX];

	if (reg_ref_parse(&ref, name, e) < 0)
		return err_wrap(e, "%s \"%.200s\"", what, name);
	if (ref.digest[0])
		return 0; /* a digest names content, not something to tag */
	reg_ref_string(&ref, full, sizeof(full));
	for (size_t i = 0; i < x->nnames; i++)
		if (!strcmp(x->names[i], full))
			return 0;
	if (x->nnames == NAMES_MAX)
		return err_set(e, "%s: more than %d names for one image", what, NAMES_MAX);
	memcpy(x->names[x->nnames++], full, sizeof(full));
	return 0;
}

static struct arc_member *need(struct arc_load *l, const char *path, enum arc_kind kind,
			       const char *what, struct err *e)
{
	struct arc_member *m = arc_find(l, path);

	if (!m)
		return err_set(e, "%s %.200s: not in the archive", what, path), NULL;
	if (m->kind == ARC_BAD)
		return err_set(e, "%s %.200s: %s", what, path, m->why), NULL;
	if (m->kind != kind)
		return err_set(e, "%s %.200s: %s", what, path,
			       kind == ARC_JSON ? "not a JSON document" : "not a layer tar"),
		       NULL;
	return m;
}

static const char *blob_path(const char *digest, char buf[DIGEST_STR_MAX + 16])
{
	snprintf(buf, DIGEST_STR_MAX + 16, "blobs/sha256/%s", digest_hex(digest));
	return buf;
}

/* One entry of manifest.json: {"Config": path, "RepoTags": [...], "Layers": [paths]}. */
static int legacy_entry(struct arc_load *l, struct images *im, const cJSON *it, size_t idx,
			struct err *e)
{
	char p[JSON_PATH_MAX], lp[JSON_PATH_MAX];
	const cJSON *tags = NULL, *layers = NULL, *v;
	const char *config = NULL;
	size_t ntags = 0, nlayers = 0, i = 0;
	struct arc_image *x;

	json_path_index(p, sizeof(p), "manifest.json", idx);
	if (json_as_object(it, p, e) < 0 ||
	    json_get_string(it, p, "Config", JSON_REQUIRED, &config, e) < 0 ||
	    json_get_strings(it, p, "RepoTags", 0, &tags, &ntags, e) < 0 ||
	    json_get_strings(it, p, "Layers", JSON_REQUIRED, &layers, &nlayers, e) < 0)
		return -1;
	if (nlayers > REG_MANIFEST_MAX_LAYERS)
		return err_set(e, "%s: more than %d layers", p, REG_MANIFEST_MAX_LAYERS);
	if (!(x = image_new(im, e)) || !(x->config = need(l, config, ARC_JSON, "config", e)))
		return -1;
	cJSON_ArrayForEach(v, layers)
	{
		if (!(x->layers[i++] = need(l, v->valuestring, ARC_LAYER, "layer", e)))
			return -1;
	}
	x->nlayers = nlayers;
	json_path_key(lp, sizeof(lp), p, "RepoTags");
	cJSON_ArrayForEach(v, tags)
	{
		if (add_name(x, v->valuestring, lp, e) < 0)
			return -1;
	}
	return 0;
}

static int collect_legacy(struct arc_load *l, const struct arc_member *mj, struct images *im,
			  struct err *e)
{
	cJSON *root;
	const cJSON *it;
	size_t idx = 0;
	int r = -1;

	if (json_parse(mj->buf, mj->len, &root, e) < 0)
		return err_wrap(e, "manifest.json");
	if (json_as_array(root, "manifest.json", e) < 0)
		goto out;
	cJSON_ArrayForEach(it, root)
	{
		if (legacy_entry(l, im, it, idx++, e) < 0)
			goto out;
	}
	r = 0;
out:
	cJSON_Delete(root);
	return r;
}

/* Names of an index entry: containerd's full name; else the OCI ref name
 * when it is a reference and not a bare tag ("latest" names nothing). */
static int oci_names(struct arc_image *x, const cJSON *ann, struct err *e)
{
	const cJSON *full = cJSON_GetObjectItemCaseSensitive(ann, "io.containerd.image.name");
	const cJSON *ref =
		cJSON_GetObjectItemCaseSensitive(ann, "org.opencontainers.image.ref.name");

	if (cJSON_IsString(full))
		return add_name(x, full->valuestring, "index.json: io.containerd.image.name", e);
	if (cJSON_IsString(ref) && strpbrk(ref->valuestring, ":/"))
		return add_name(x, ref->valuestring,
				"index.json: org.opencontainers.image.ref.name", e);
	return 0;
}

/* A nested index: the manifest for the platform asked for. */
static int pick_platform(struct arc_load *l, struct reg_descriptor *d,
			 const struct reg_platform *want, struct reg_manifest *tmp, struct err *e)
{
	char path[DIGEST_STR_MAX + 16];
	const struct arc_member *mm = need(l, blob_path(d->digest, path), ARC_JSON, "index", e);
	const struct reg_index_entry *sel;

	if (!mm || reg_manifest_parse(tmp, mm->buf, mm->len, d->media_type, e) < 0 ||
	    reg_index_select(tmp, want, &sel, e) < 0)
		return err_wrap(e, "index %s", d->digest);
	*d = sel->d;
	return 0;
}

/* One entry of index.json; attestations, other platforms and unknown
 * media types are passed over. */
static int oci_entry(struct arc_load *l, struct images *im, const struct reg_index_entry *ent,
		     const cJSON *ann, const struct reg_platform *want, struct reg_manifest *tmp,
		     struct err *e)
{
	struct reg_descriptor d = ent->d;
	enum reg_manifest_kind kind = reg_manifest_kind_of(d.media_type);
	char path[DIGEST_STR_MAX + 16];
	struct arc_image *x;

	if (ent->attestation || kind == REG_MANIFEST_NONE)
		return 0;
	if (reg_manifest_is_index(kind) && pick_platform(l, &d, want, tmp, e) < 0)
		return -1;
	if (!reg_manifest_is_index(kind) && ent->has_platform &&
	    !reg_platform_match(want, &ent->platform))
		return 0;
	if (!(x = image_new(im, e)) ||
	    !(x->manifest = need(l, blob_path(d.digest, path), ARC_JSON, "manifest", e)))
		return -1;
	if (reg_manifest_parse(x->m, x->manifest->buf, x->manifest->len, d.media_type, e) < 0)
		return err_wrap(e, "manifest %s", d.digest);
	if (reg_manifest_is_index(x->m->kind))
		return err_set(e, "manifest %s: an index where a manifest was expected", d.digest);
	if (!(x->config = need(l, blob_path(x->m->config.digest, path), ARC_JSON, "config", e)))
		return -1;
	x->nlayers = x->m->nlayers;
	for (size_t i = 0; i < x->m->nlayers; i++)
		if (!(x->layers[i] = need(l, blob_path(x->m->layers[i].digest, path), ARC_LAYER,
					  "layer", e)))
			return -1;
	return oci_names(x, ann, e);
}

static int collect_oci(struct arc_load *l, const struct arc_member *ij, struct images *im,
		       struct err *e)
{
	struct reg_manifest *idx = malloc(sizeof(*idx)), *tmp = malloc(sizeof(*tmp));
	struct reg_platform host;
	const struct reg_platform *want = l->o && l->o->platform ? l->o->platform : &host;
	const cJSON *list, *it;
	cJSON *root = NULL;
	size_t i = 0;
	int r = -1;

	reg_platform_host(&host);
	if (!idx || !tmp) {
		err_sys(e, ENOMEM, "load");
		goto out;
	}
	if (reg_manifest_parse(idx, ij->buf, ij->len, NULL, e) < 0 ||
	    json_parse(ij->buf, ij->len, &root, e) < 0) {
		err_wrap(e, "index.json");
		goto out;
	}
	if (!reg_manifest_is_index(idx->kind)) {
		err_set(e, "index.json: not an image index");
		goto out;
	}
	list = cJSON_GetObjectItemCaseSensitive(root, "manifests");
	cJSON_ArrayForEach(it, list)
	{
		const cJSON *ann = cJSON_GetObjectItemCaseSensitive(it, "annotations");

		if (i < idx->nmanifests &&
		    oci_entry(l, im, &idx->manifests[i++], ann, want, tmp, e) < 0)
			goto out;
	}
	r = 0;
out:
	cJSON_Delete(root);
	free(idx);
	free(tmp);
	return r;
}

/* src's names go to dst, and its manifest when dst has none and src's
 * names the same layer members. */
static int absorb(struct arc_image *dst, const struct arc_image *src, struct err *e)
{
	bool same = src->manifest && !dst->manifest && src->nlayers == dst->nlayers;

	for (size_t i = 0; same && i < src->nlayers; i++)
		same = src->layers[i] == dst->layers[i];
	if (same) {
		dst->manifest = src->manifest;
		memcpy(dst->m, src->m, sizeof(*dst->m));
	}
	for (size_t j = 0; j < src->nnames; j++)
		if (add_name(dst, src->names[j], "name", e) < 0)
			return -1;
	return 0;
}

/* Entries for the same config are one image with all their names (Docker
 * 25 writes an index entry per tag). */
static int dedupe(struct images *im, struct err *e)
{
	for (size_t i = 0; i < im->n; i++)
		for (size_t k = i + 1; k < im->n;) {
			struct arc_image *x = im->v[k];

			if (strcmp(im->v[i]->config->raw, x->config->raw)) {
				k++;
				continue;
			}
			if (absorb(im->v[i], x, e) < 0)
				return -1;
			free(x->m);
			free(x->cfg);
			free(x);
			memmove(&im->v[k], &im->v[k + 1], (im->n - k - 1) * sizeof(im->v[0]));
			im->n--;
		}
	return 0;
}

/* Docker 25: manifest.json lists the images, index.json lends manifests. */
static int lend(struct images *legacy, const struct images *oci, struct err *e)
{
	for (size_t i = 0; i < legacy->n; i++)
		for (size_t k = 0; k < oci->n; k++)
			if (!strcmp(legacy->v[i]->config->raw, oci->v[k]->config->raw) &&
			    absorb(legacy->v[i], oci->v[k], e) < 0)
				return -1;
	return 0;
}

/* The manifest to store for an archive without one (docker-archive): it
 * describes the layer files as they were in the archive. */
static void make_manifest(struct arc_image *x)
{
	struct reg_manifest *m = x->m;
	bool oci = false;

	for (size_t i = 0; i < x->nlayers; i++)
		oci |= x->layers[i]->comp == OCI_COMP_ZSTD; /* Docker's types have no zstd */
	memset(m, 0, sizeof(*m));
	m->kind = oci ? REG_MANIFEST_OCI : REG_MANIFEST_DOCKER_V2;
	snprintf(m->config.media_type, REG_MEDIA_TYPE_MAX, "%s",
		 oci ? REG_MT_OCI_CONFIG : REG_MT_DOCKER_CONFIG);
	snprintf(m->config.digest, DIGEST_STR_MAX, "%s", x->config->raw);
	m->config.size = x->config->raw_size;
	m->nlayers = x->nlayers;
	for (size_t i = 0; i < x->nlayers; i++) {
		const struct arc_member *l = x->layers[i];
		struct reg_descriptor *d = &m->layers[i];
		const char *mt = oci ? REG_MT_OCI_LAYER : REG_MT_DOCKER_LAYER_TAR;

		if (l->comp == OCI_COMP_GZIP)
			mt = oci ? REG_MT_OCI_LAYER_GZIP : REG_MT_DOCKER_LAYER;
		else if (l->comp == OCI_COMP_ZSTD)
			mt = REG_MT_OCI_LAYER_ZSTD;
		snprintf(d->media_type, REG_MEDIA_TYPE_MAX, "%s", mt);
		snprintf(d->digest, DIGEST_STR_MAX, "%s", l->raw);
		d->size = l->raw_size;
		d->comp = l->comp == OCI_COMP_GZIP   ? REG_COMP_GZIP
			  : l->comp == OCI_COMP_ZSTD ? REG_COMP_ZSTD
						     : REG_COMP_NONE;
	}
}

/* Everything that can be wrong with an image, before anything is stored. */
static int check_image(struct arc_image *x, struct err *e)
{
	const char *id = x->config->raw;

	if (reg_config_parse(x->cfg, x->config->buf, x->config->len, e) < 0)
		return err_wrap(e, "image %s", id);
	if (x->cfg->ndiff_ids != x->nlayers)
		return err_set(e, "image %s: its config lists %zu layers, the archive %zu", id,
			       x->cfg->ndiff_ids, x->nlayers);
	for (size_t i = 0; i < x->nlayers; i++)
		if (strcmp(x->layers[i]->diff, x->cfg->diff_ids[i]))
			return err_set(e,
				       "image %s: layer %s: its content has diff id %s, the image "
				       "config says %s",
				       id, x->layers[i]->name, x->layers[i]->diff,
				       x->cfg->diff_ids[i]);
	if (!x->manifest)
		make_manifest(x);
	return 0;
}

static int commit_layer(struct arc_load *l, struct arc_image *x, size_t i,
			struct oci_image_rec *rec, struct err *e)
{
	struct arc_member *m = x->layers[i];
	const char *parent = i ? rec->chain[i - 1] : NULL;
	int r;

	oci_chain_id(parent, m->diff, rec->chain[i]);
	if (!oci_store_layer_has(l->s, rec->chain[i])) {
		if (!m->tx_open)
			return err_set(e,
				       "layer %s: used again on another parent layer (chain %s); "
				       "load those images one at a time",
				       m->name, rec->chain[i]);
		m->tx_open = false; /* commit releases it, failed or not */
		if (oci_layer_tx_commit(&m->tx, rec->chain[i], m->diff, parent, e) < 0)
			return -1;
	}
	if (m->w_open) {
		m->w_open = false;
		r = oci_blob_writer_commit(&m->w, m->raw, m->raw_size, e);
		if (r < 0)
			return -1;
	}
	snprintf(rec->diff[i], DIGEST_STR_MAX, "%s", m->diff);
	snprintf(rec->blob[i], DIGEST_STR_MAX, "%s", m->raw);
	rec->blob_size[i] = m->raw_size;
	snprintf(rec->blob_media_type[i], sizeof(rec->blob_media_type[i]), "%s",
		 x->m->layers[i].media_type);
	return 0;
}

/* Layers, config, manifest, then the record (names come after). */
static int commit_image(struct arc_load *l, struct arc_image *x, struct oci_image_rec *rec,
			struct err *e)
{
	const char *id = x->config->raw;
	char *made = NULL;
	size_t mlen;
	int r = -1;

	if (oci_store_image_get(l->s, id, rec, NULL) < 0)
		memset(rec, 0, sizeof(*rec)); /* a new image; else keep its repo digests */
	rec->nlayers = x->nlayers;
	for (size_t i = 0; i < x->nlayers; i++)
		if (commit_layer(l, x, i, rec, e) < 0)
			return err_wrap(e, "image %s", id);
	if (oci_store_blob_put(l->s, x->config->buf, x->config->len, id, NULL, e) < 0)
		return -1;
	if (x->manifest)
		r = oci_store_blob_put(l->s, x->manifest->buf, x->manifest->len, NULL,
				       rec->manifest, e);
	else if (reg_manifest_to_json(x->m, &made, &mlen, e) == 0)
		r = oci_store_blob_put(l->s, made, mlen, NULL, rec->manifest, e);
	cJSON_free(made);
	if (r < 0)
		return err_wrap(e, "image %s: manifest", id);
	snprintf(rec->id, sizeof(rec->id), "%s", id);
	snprintf(rec->manifest_media_type, sizeof(rec->manifest_media_type), "%s",
		 reg_manifest_media_type(x->m->kind));
	rec->created = 0;
	return oci_store_image_put(l->s, rec, e);
}

static int set_names(struct arc_load *l, const struct arc_image *x, struct err *e)
{
	const char *id = x->config->raw;
	struct oci_archive_event ev = {.kind = OCI_ARCHIVE_LOADED, .id = id};
	char old[DIGEST_STR_MAX];

	for (size_t i = 0; i < x->nnames; i++) {
		int had = oci_store_ref_get(l->s, x->names[i], old, e);

		if (had < 0 || oci_store_ref_set(l->s, x->names[i], id, e) < 0)
			return -1;
		if (had == 0 && strcmp(old, id))
			arc_event(l, &(struct oci_archive_event){.kind = OCI_ARCHIVE_RETAGGED,
								 .id = id,
								 .name = x->names[i],
								 .old_id = old});
		ev.name = x->names[i];
		arc_event(l, &ev);
	}
	if (!x->nnames)
		arc_event(l, &ev);
	return 0;
}

static int find_images(struct arc_load *l, struct images *legacy, struct images *oci, struct err *e)
{
	struct arc_member *mj = arc_find(l, "manifest.json"), *ij = arc_find(l, "index.json");
	struct err ignored;

	if (mj && mj->kind != ARC_JSON)
		return err_set(e, "manifest.json: %s", mj->why ? mj->why : "not a JSON document");
	if (ij && ij->kind != ARC_JSON)
		return err_set(e, "index.json: %s", ij->why ? ij->why : "not a JSON document");
	if (!mj && !ij)
		return err_set(e,
			       "not an image archive: it has neither manifest.json (docker save) "
			       "nor index.json (OCI image layout)");
	if (!mj)
		return collect_oci(l, ij, oci, e) < 0 || dedupe(oci, e) < 0 ? -1 : 0;
	if (collect_legacy(l, mj, legacy, e) < 0)
		return -1;
	/* Docker 25's index only lends manifests: if it is odd, do without */
	if (ij && collect_oci(l, ij, oci, &ignored) < 0)
		images_free(oci);
	return lend(legacy, oci, e) < 0 || dedupe(legacy, e) < 0 ? -1 : 0;
}

int arc_images(struct arc_load *l, struct err *e)
{
	struct images *legacy = calloc(1, sizeof(*legacy)), *oci = calloc(1, sizeof(*oci)), *im;
	struct oci_image_rec *rec = malloc(sizeof(*rec));
	int r = -1;

	if (!legacy || !oci || !rec) {
		err_sys(e, ENOMEM, "load");
		goto out;
	}
	if (find_images(l, legacy, oci, e) < 0)
		goto out;
	im = arc_find(l, "manifest.json") ? legacy : oci;
	if (!im->n) {
		err_set(e, "the archive holds no image%s", im == oci ? " for this platform" : "");
		goto out;
	}
	for (size_t i = 0; i < im->n; i++)
		if (check_image(im->v[i], e) < 0)
			goto out;
	for (size_t i = 0; i < im->n; i++)
		if (commit_image(l, im->v[i], rec, e) < 0 || set_names(l, im->v[i], e) < 0)
			goto out;
	r = 0;
out:
	if (legacy)
		images_free(legacy);
	if (oci)
		images_free(oci);
	free(legacy);
	free(oci);
	free(rec);
	return r;
}
