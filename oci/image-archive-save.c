/* image-archive-save.c - images from the store written as the tar Docker 25+
 * saves (image-archive.h): libarchive's ustar writer, every layer decompressed
 * from its kept blob twice (size first, as a tar header needs it). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "json.h"
#include "oci/image-archive.h"
#include "oci/unpack.h"
#include "registry/manifest.h"
#include "registry/ref.h"

#define CONFIG_MAX (16 << 20)

struct written {
	char digest[DIGEST_STR_MAX];
	int64_t size;
};

struct saver {
	struct oci_store *s;
	struct archive *a;
	int out;
	bool wfailed; /* the write callback failed: werr says why */
	struct err werr;
	const struct oci_archive_progress *pr;
	struct written *done; /* blobs already in the tar */
	size_t ndone;
	cJSON *index, *legacy, *repos; /* index.json's manifests, manifest.json, repositories */
	unsigned char buf[65536];
};

struct fd_reader {
	int fd;
};

static ssize_t fd_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct fd_reader *r = ctx;
	ssize_t got;

	do
		got = read(r->fd, buf, n);
	while (got < 0 && errno == EINTR);
	return got < 0 ? err_sys(e, errno, "read") : got;
}

static la_ssize_t out_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	struct saver *sv = ctx;

	if (file_write_full(sv->out, buf, n, &sv->werr) < 0) {
		sv->wfailed = true;
		archive_set_error(a, sv->werr.errnum ? sv->werr.errnum : EIO, "%s", sv->werr.msg);
		return -1;
	}
	return (la_ssize_t)n;
}

static int arch_err(struct saver *sv, const char *name, struct err *e)
{
	if (sv->wfailed)
		return err_set(e, "write %s: %s", name, sv->werr.msg);
	return err_set(e, "write %s: %s", name,
		       archive_error_string(sv->a) ? archive_error_string(sv->a) : "tar error");
}

static int put_header(struct saver *sv, const char *name, int64_t size, bool dir, struct err *e)
{
	struct archive_entry *ent = archive_entry_new();
	int r;

	if (!ent)
		return err_sys(e, ENOMEM, "write %s", name);
	archive_entry_set_pathname(ent, name);
	archive_entry_set_filetype(ent, dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(ent, dir ? 0755 : 0644);
	archive_entry_set_size(ent, dir ? 0 : size);
	archive_entry_set_mtime(ent, 0, 0); /* the same image gives the same bytes */
	r = archive_write_header(sv->a, ent);
	archive_entry_free(ent);
	return r == ARCHIVE_OK ? 0 : arch_err(sv, name, e);
}

static int put_data(struct saver *sv, const char *name, const void *buf, size_t n, struct err *e)
{
	const char *p = buf;

	while (n) {
		la_ssize_t w = archive_write_data(sv->a, p, n);

		if (w <= 0)
			return arch_err(sv, name, e);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int put_file(struct saver *sv, const char *name, const void *buf, size_t len, struct err *e)
{
	if (put_header(sv, name, (int64_t)len, false, e) < 0)
		return -1;
	return put_data(sv, name, buf, len, e);
}

static struct written *find_done(struct saver *sv, const char *digest)
{
	for (size_t i = 0; i < sv->ndone; i++)
		if (!strcmp(sv->done[i].digest, digest))
			return &sv->done[i];
	return NULL;
}

static int mark_done(struct saver *sv, const char *digest, int64_t size, struct err *e)
{
	struct written *nd = realloc(sv->done, (sv->ndone + 1) * sizeof(*nd));

	if (!nd)
		return err_sys(e, ENOMEM, "save");
	sv->done = nd;
	snprintf(nd[sv->ndone].digest, DIGEST_STR_MAX, "%s", digest);
	nd[sv->ndone++].size = size;
	return 0;
}

/* blobs/sha256/<hex>, once per digest. */
static int put_blob(struct saver *sv, const void *buf, size_t len, char digest[DIGEST_STR_MAX],
		    struct err *e)
{
	char name[DIGEST_STR_MAX + 16];

	digest_buf(buf, len, digest);
	if (find_done(sv, digest))
		return 0;
	snprintf(name, sizeof(name), "blobs/sha256/%s", digest_hex(digest));
	if (put_file(sv, name, buf, len, e) < 0)
		return -1;
	return mark_done(sv, digest, (int64_t)len, e);
}

/* One read of a layer's uncompressed tar, digested, into the tar if name. */
static int layer_pass(struct saver *sv, const char *blob, const char *name, struct digest_ctx *d,
		      struct err *e)
{
	struct fd_reader fr = {oci_store_blob_open(sv->s, blob, e)};
	struct oci_decomp *dc = NULL;
	struct stream_reader r;
	ssize_t n = -1;

	if (fr.fd < 0)
		return -1;
	if (oci_decomp_open(&dc, (struct stream_reader){fd_read, &fr}, OCI_COMP_AUTO, e) < 0)
		goto out;
	r = oci_decomp_stream(dc);
	digest_init(d);
	while ((n = stream_read(&r, sv->buf, sizeof(sv->buf), e)) > 0) {
		digest_update(d, sv->buf, (size_t)n);
		if (name && put_data(sv, name, sv->buf, (size_t)n, e) < 0) {
			n = -1;
			break;
		}
	}
out:
	oci_decomp_free(dc);
	close(fr.fd);
	return n < 0 ? err_wrap(e, "blob %s", blob) : 0;
}

static int check_diff(const struct digest_ctx *d, const char *blob, const char *diff, struct err *e)
{
	char got[DIGEST_STR_MAX];

	digest_final(d, got);
	if (strcmp(got, diff))
		return err_set(e, "blob %s: its tar has digest %s, not the diff id %s", blob, got,
			       diff);
	return 0;
}

/* blobs/sha256/<diff id hex>: the layer uncompressed; *size gets its size. */
static int put_layer(struct saver *sv, const struct oci_image_rec *rec, size_t i, int64_t *size,
		     struct err *e)
{
	const struct written *w = find_done(sv, rec->diff[i]);
	struct oci_archive_event ev = {.kind = OCI_ARCHIVE_LAYER, .id = rec->diff[i]};
	struct digest_ctx d;
	char name[DIGEST_STR_MAX + 16];

	if (w) {
		*size = w->size;
		return 0;
	}
	if (layer_pass(sv, rec->blob[i], NULL, &d, e) < 0 ||
	    check_diff(&d, rec->blob[i], rec->diff[i], e) < 0)
		return -1;
	*size = (int64_t)d.size;
	snprintf(name, sizeof(name), "blobs/sha256/%s", digest_hex(rec->diff[i]));
	if (put_header(sv, name, *size, false, e) < 0 ||
	    layer_pass(sv, rec->blob[i], name, &d, e) < 0 ||
	    check_diff(&d, rec->blob[i], rec->diff[i], e) < 0 ||
	    mark_done(sv, rec->diff[i], *size, e) < 0)
		return -1;
	ev.bytes = *size;
	if (sv->pr && sv->pr->fn)
		sv->pr->fn(&ev, sv->pr->arg);
	return 0;
}

/* "busybox:latest" for messages and manifest.json; the name when it does
 * not parse (it came from the store, so it should). */
static const char *familiar(const char *name, char *buf, size_t size)
{
	struct reg_ref ref;
	struct err e;

	if (reg_ref_parse(&ref, name, &e) < 0)
		return snprintf(buf, size, "%s", name), buf;
	return reg_ref_familiar(&ref, buf, size);
}

/* index.json: one entry per name (docker's), or one bare entry (name NULL).
 * Returns 1 when an entry was added, 0 for a name without a tag, -1 when
 * out of memory. */
static int add_index(struct saver *sv, const char *mdigest, size_t mlen, const char *name)
{
	cJSON *d, *an;
	struct reg_ref ref;
	struct err e;

	if (name && (reg_ref_parse(&ref, name, &e) < 0 || !ref.tag[0]))
		return 0;
	d = cJSON_CreateObject();
	if (!d || !cJSON_AddItemToArray(sv->index, d) ||
	    !cJSON_AddStringToObject(d, "mediaType", REG_MT_OCI_MANIFEST) ||
	    !cJSON_AddStringToObject(d, "digest", mdigest) ||
	    !json_add_u64(d, "size", (uint64_t)mlen))
		return -1;
	if (!name)
		return 1;
	if (!(an = cJSON_AddObjectToObject(d, "annotations")) ||
	    !cJSON_AddStringToObject(an, "io.containerd.image.name", name) ||
	    !cJSON_AddStringToObject(an, "org.opencontainers.image.ref.name", ref.tag))
		return -1;
	return 1;
}

/* manifest.json's entry and repositories' names for one image. */
static int add_legacy(struct saver *sv, const struct oci_image_rec *rec,
		      const struct oci_save_item *items, size_t n, size_t first)
{
	cJSON *o = cJSON_CreateObject(), *tags, *layers;
	char path[DIGEST_STR_MAX + 16], fam[REG_REF_STR_MAX];

	snprintf(path, sizeof(path), "blobs/sha256/%s", digest_hex(rec->id));
	if (!o || !cJSON_AddItemToArray(sv->legacy, o) ||
	    !cJSON_AddStringToObject(o, "Config", path) ||
	    !(tags = cJSON_AddArrayToObject(o, "RepoTags")) ||
	    !(layers = cJSON_AddArrayToObject(o, "Layers")))
		return -1;
	for (size_t i = 0; i < rec->nlayers; i++) {
		snprintf(path, sizeof(path), "blobs/sha256/%s", digest_hex(rec->diff[i]));
		if (!cJSON_AddItemToArray(layers, cJSON_CreateString(path)))
			return -1;
	}
	for (size_t k = first; k < n; k++)
		for (size_t j = 0; !strcmp(items[k].id, rec->id) && j < items[k].nnames; j++) {
			struct reg_ref ref;
			struct err e;
			cJSON *repo;

			if (reg_ref_parse(&ref, items[k].names[j], &e) < 0 || !ref.tag[0])
				continue;
			reg_ref_familiar(&ref, fam, sizeof(fam));
			if (!cJSON_AddItemToArray(tags, cJSON_CreateString(fam)))
				return -1;
			if (!rec->nlayers)
				continue;
			reg_ref_familiar_name(&ref, fam, sizeof(fam));
			repo = cJSON_GetObjectItemCaseSensitive(sv->repos, fam);
			if (!repo && !(repo = cJSON_AddObjectToObject(sv->repos, fam)))
				return -1;
			cJSON_DeleteItemFromObjectCaseSensitive(repo, ref.tag);
			if (!cJSON_AddStringToObject(repo, ref.tag,
						     digest_hex(rec->diff[rec->nlayers - 1])))
				return -1;
		}
	return 0;
}

/* Config, layers, then the OCI manifest naming them and the listings. */
static int save_image(struct saver *sv, const struct oci_image_rec *rec,
		      const struct oci_save_item *items, size_t n, size_t first, struct err *e)
{
	struct reg_manifest *m = calloc(1, sizeof(*m));
	char *cbuf = NULL, *mbuf = NULL, digest[DIGEST_STR_MAX];
	size_t clen, mlen;
	int r = -1;

	if (!m) {
		err_sys(e, ENOMEM, "save");
		goto out;
	}
	if (oci_store_blob_read(sv->s, rec->id, CONFIG_MAX, &cbuf, &clen, e) < 0 ||
	    put_blob(sv, cbuf, clen, digest, e) < 0)
		goto out;
	m->kind = REG_MANIFEST_OCI;
	m->config = (struct reg_descriptor){REG_MT_OCI_CONFIG, "", (int64_t)clen, REG_COMP_NONE, 0};
	snprintf(m->config.digest, DIGEST_STR_MAX, "%s", rec->id);
	m->nlayers = rec->nlayers;
	for (size_t i = 0; i < rec->nlayers; i++) {
		struct reg_descriptor *d = &m->layers[i];

		snprintf(d->media_type, sizeof(d->media_type), "%s", REG_MT_OCI_LAYER);
		snprintf(d->digest, sizeof(d->digest), "%s", rec->diff[i]);
		if (put_layer(sv, rec, i, &d->size, e) < 0)
			goto out;
	}
	if (reg_manifest_to_json(m, &mbuf, &mlen, e) < 0 || put_blob(sv, mbuf, mlen, digest, e) < 0)
		goto out;
	r = 0;
	for (size_t k = first; k < n; k++)
		for (size_t j = 0; r >= 0 && !strcmp(items[k].id, rec->id) && j < items[k].nnames;
		     j++) {
			int a = add_index(sv, digest, mlen, items[k].names[j]);

			r = a < 0 ? -1 : r + a;
		}
	if (r == 0)
		r = add_index(sv, digest, mlen, NULL);
	r = r < 0 ? -1 : 0;
	if (r < 0 || add_legacy(sv, rec, items, n, first) < 0) {
		r = -1;
		err_sys(e, ENOMEM, "save %s", rec->id);
	}
out:
	free(cbuf);
	cJSON_free(mbuf);
	free(m);
	return r;
}

/* Before the first byte: every image and every kept layer blob is there. */
static int preflight(struct oci_store *s, const struct oci_save_item *it, struct oci_image_rec *rec,
		     struct err *e)
{
	char fam[REG_REF_STR_MAX];
	const char *what = it->nnames ? familiar(it->names[0], fam, sizeof(fam)) : it->id;

	if (oci_store_image_get(s, it->id, rec, e) < 0)
		return err_wrap(e, "image %s", what);
	for (size_t i = 0; i < rec->nlayers; i++)
		if (!rec->blob[i][0] || !oci_store_blob_has(s, rec->blob[i]))
			return err_set(e,
				       "image %s: layer %s: its compressed blob %s was not kept "
				       "(pulled or loaded without --keep-layer-blobs); pull it "
				       "again with `tug --keep-layer-blobs pull` (or "
				       "TUG_KEEP_LAYER_BLOBS=1), which fetches only the blobs",
				       what, rec->diff[i],
				       rec->blob[i][0] ? rec->blob[i] : "(none)");
	return 0;
}

static int put_json(struct saver *sv, const char *name, const cJSON *v, struct err *e)
{
	char *text;
	size_t len;
	int r;

	if (json_print(v, false, &text, &len, e) < 0)
		return -1;
	r = put_file(sv, name, text, len, e);
	free(text);
	return r;
}

static int put_listings(struct saver *sv, struct err *e)
{
	cJSON *idx = cJSON_CreateObject();
	int r = -1;

	if (!idx || !cJSON_AddNumberToObject(idx, "schemaVersion", 2) ||
	    !cJSON_AddStringToObject(idx, "mediaType", REG_MT_OCI_INDEX)) {
		err_sys(e, ENOMEM, "save");
		goto out;
	}
	cJSON_AddItemReferenceToObject(idx, "manifests", sv->index);
	if (put_json(sv, "index.json", idx, e) < 0 ||
	    put_json(sv, "manifest.json", sv->legacy, e) < 0 ||
	    put_json(sv, "repositories", sv->repos, e) < 0)
		goto out;
	r = 0;
out:
	cJSON_Delete(idx);
	return r;
}

static int save_all(struct saver *sv, const struct oci_save_item *items, size_t n,
		    struct oci_image_rec *rec, struct err *e)
{
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

	if (put_header(sv, "blobs/", 0, true, e) < 0 ||
	    put_header(sv, "blobs/sha256/", 0, true, e) < 0 ||
	    put_file(sv, "oci-layout", layout, sizeof(layout) - 1, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t k = 0; k < i; k++)
			dup |= !strcmp(items[k].id, items[i].id);
		if (dup)
			continue;
		if (oci_store_image_get(sv->s, items[i].id, rec, e) < 0 ||
		    save_image(sv, rec, items, n, i, e) < 0)
			return -1;
	}
	if (put_listings(sv, e) < 0)
		return -1;
	if (archive_write_close(sv->a) != ARCHIVE_OK)
		return arch_err(sv, "the end of the tar", e);
	return 0;
}

int oci_archive_save(struct oci_store *s, const struct oci_save_item *items, size_t n, int out,
		     const struct oci_archive_progress *pr, struct err *e)
{
	struct saver *sv = calloc(1, sizeof(*sv));
	struct oci_image_rec *rec = malloc(sizeof(*rec));
	int r = -1;

	if (!sv || !rec) {
		err_sys(e, ENOMEM, "save");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (preflight(s, &items[i], rec, e) < 0)
			goto out;
	*sv = (struct saver){.s = s, .out = out, .pr = pr};
	sv->index = cJSON_CreateArray();
	sv->legacy = cJSON_CreateArray();
	sv->repos = cJSON_CreateObject();
	sv->a = archive_write_new();
	if (!sv->index || !sv->legacy || !sv->repos || !sv->a) {
		err_sys(e, ENOMEM, "save");
		goto out;
	}
	/* ustar (pax only for what ustar cannot say), as Go's archive/tar */
	if (archive_write_set_format_pax_restricted(sv->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(sv->a) != ARCHIVE_OK ||
	    archive_write_open(sv->a, sv, NULL, out_write, NULL) != ARCHIVE_OK) {
		arch_err(sv, "the tar", e);
		goto out;
	}
	r = save_all(sv, items, n, rec, e);
out:
	if (sv) {
		if (sv->a && r < 0)
			archive_write_fail(sv->a); /* no end-of-tar after a failure */
		if (sv->a)
			archive_write_free(sv->a);
		cJSON_Delete(sv->index);
		cJSON_Delete(sv->legacy);
		cJSON_Delete(sv->repos);
		free(sv->done);
	}
	free(sv);
	free(rec);
	return r;
}
