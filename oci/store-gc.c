/* store-gc.c - removing what no image record uses: after `rmi` (only what
 * the removed image held) and in a sweep (everything unused). The record
 * goes first, so an interrupted removal leaves garbage, never a record
 * that points at nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/store-priv.h"

struct use_ctx {
	const char *skip;
	struct store_set *layers, *blobs;
	struct err *e;
	int failed;
};

static int note_use(const struct oci_image_rec *rec, void *arg)
{
	struct use_ctx *c = arg;

	if (c->skip && !strcmp(rec->id, c->skip))
		return 0;
	if (store_set_add(c->blobs, rec->id, c->e) < 0 ||
	    store_set_add(c->blobs, rec->manifest, c->e) < 0)
		return c->failed = 1;
	for (size_t i = 0; i < rec->nlayers; i++)
		if (store_set_add(c->layers, rec->chain[i], c->e) < 0 ||
		    (rec->blob[i][0] && store_set_add(c->blobs, rec->blob[i], c->e) < 0))
			return c->failed = 1;
	return 0;
}

static int pin(void *set, const char *chain, struct err *e)
{
	return store_set_add(set, chain, e);
}

int store_in_use(struct oci_store *s, const char *skip, struct store_set *layers,
		 struct store_set *blobs, struct err *e)
{
	struct use_ctx c = {skip, layers, blobs, e, 0};

	if (oci_store_image_each(s, note_use, &c, e) < 0 || c.failed ||
	    (s->pins && s->pins(s->pins_arg, pin, layers, e) < 0)) {
		store_set_free(layers);
		store_set_free(blobs);
		return -1;
	}
	store_set_sort(layers);
	store_set_sort(blobs);
	return 0;
}

static int blob_size(struct oci_store *s, const char *digest, uint64_t *freed)
{
	char rel[DIGEST_STR_MAX + 16];
	struct stat st;

	snprintf(rel, sizeof(rel), "blobs/sha256/%s", digest_hex(digest));
	if (fstatat(s->root_fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0)
		*freed += (uint64_t)st.st_size;
	return 0;
}

static int drop_layer(struct oci_store *s, const char *chain, uint64_t *freed, struct err *e)
{
	struct oci_layer_info li;

	if (freed && oci_store_layer_info(s, chain, &li, NULL) == 0 && li.size > 0)
		*freed += (uint64_t)li.size;
	return store_discard(s, "layers", digest_hex(chain), e);
}

static int drop_blob(struct oci_store *s, const char *digest, uint64_t *freed, struct err *e)
{
	if (freed)
		blob_size(s, digest, freed);
	return oci_store_blob_remove(s, digest, e);
}

static int drop_unused(struct oci_store *s, const struct oci_image_rec *rec, uint64_t *freed,
		       struct err *e)
{
	struct store_set layers = {0}, blobs = {0};
	int r = 0;

	if (s->holds > 0)
		return 0; /* a pull may be about to name them: the next sweep frees them */
	if (store_in_use(s, NULL, &layers, &blobs, e) < 0)
		return -1;
	for (size_t i = 0; i < rec->nlayers && r == 0; i++) {
		if (!store_set_has(&layers, rec->chain[i]))
			r = drop_layer(s, rec->chain[i], freed, e);
		if (r == 0 && rec->blob[i][0] && !store_set_has(&blobs, rec->blob[i]))
			r = drop_blob(s, rec->blob[i], freed, e);
	}
	if (r == 0 && !store_set_has(&blobs, rec->manifest))
		r = drop_blob(s, rec->manifest, freed, e);
	if (r == 0 && !store_set_has(&blobs, rec->id))
		r = drop_blob(s, rec->id, freed, e);
	store_set_free(&layers);
	store_set_free(&blobs);
	return r;
}

int oci_store_image_remove(struct oci_store *s, const char *id, uint64_t *freed, struct err *e)
{
	struct oci_image_rec *rec = malloc(sizeof(*rec));
	char rel[DIGEST_STR_MAX + 16];
	int r = -1;

	if (!rec)
		return err_sys(e, ENOMEM, "remove image %s", id);
	oci_store_lock(s);
	if (store_writable(s, "remove image", e) < 0 || oci_store_image_get(s, id, rec, e) < 0)
		goto out;
	if (store_refs_drop_image(s, id, e) < 0)
		goto fail;
	snprintf(rel, sizeof(rel), "images/%s.json", digest_hex(id));
	if (unlinkat(s->root_fd, rel, 0) < 0) {
		err_sys(e, errno, "remove %s", rel);
		goto fail;
	}
	if (store_fsync_dir(s, "images", e) < 0 || drop_unused(s, rec, freed, e) < 0)
		goto fail;
	r = 0;
	goto out;
fail:
	err_wrap(e, "remove image %s", id);
out:
	oci_store_unlock(s);
	free(rec);
	return r;
}

struct sweep_ctx {
	struct store_set *used;
	uint64_t *freed;
};

static int sweep_layer(struct oci_store *s, const char *name, void *arg, struct err *e)
{
	struct sweep_ctx *c = arg;
	char chain[DIGEST_STR_MAX];

	if (!store_hex_valid(name, strlen(name)))
		return 0; /* not ours: the check reports it */
	snprintf(chain, sizeof(chain), "sha256:%s", name);
	if (store_set_has(c->used, chain))
		return 0;
	return drop_layer(s, chain, c->freed, e) < 0 ? -1 : 0;
}

static int sweep_blob(struct oci_store *s, const char *name, void *arg, struct err *e)
{
	struct sweep_ctx *c = arg;
	char digest[DIGEST_STR_MAX];

	if (!store_hex_valid(name, strlen(name)))
		return 0;
	snprintf(digest, sizeof(digest), "sha256:%s", name);
	if (store_set_has(c->used, digest))
		return 0;
	return drop_blob(s, digest, c->freed, e) < 0 ? -1 : 0;
}

int oci_store_gc(struct oci_store *s, uint64_t *freed, struct err *e)
{
	struct store_set layers = {0}, blobs = {0};
	struct sweep_ctx lc = {&layers, freed}, bc = {&blobs, freed};
	uint64_t dummy;
	int r;

	if (!freed)
		lc.freed = bc.freed = &dummy;
	*lc.freed = 0;
	if (store_writable(s, "collect garbage", e) < 0)
		return -1;
	oci_store_lock(s); /* no pull starts (oci_store_hold) while it sweeps */
	if (s->holds > 0) {
		oci_store_unlock(s);
		return 0;
	}
	if (store_in_use(s, NULL, &layers, &blobs, e) < 0) {
		oci_store_unlock(s);
		return -1;
	}
	r = store_each_name(s, "layers", sweep_layer, &lc, e);
	if (r == 0)
		r = store_each_name(s, "blobs/sha256", sweep_blob, &bc, e);
	oci_store_unlock(s);
	store_set_free(&layers);
	store_set_free(&blobs);
	return r < 0 ? err_wrap(e, "store %s: collect garbage", s->root) : 0;
}
