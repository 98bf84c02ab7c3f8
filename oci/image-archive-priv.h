/* image-archive-priv.h - what the streaming pass of a load (image-archive-load.c)
 * hands to the matching and committing of its images (image-archive-images.c). */
#ifndef TUG_OCI_IMAGE_ARCHIVE_PRIV_H
#define TUG_OCI_IMAGE_ARCHIVE_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "oci/image-archive.h"
#include "oci/store.h"
#include "oci/unpack.h"

enum arc_kind {
	ARC_JSON, /* kept in memory: configs, manifests, index.json, manifest.json */
	ARC_LAYER, /* unpacked into tx, digests known */
	ARC_BAD, /* neither: why says what the unpacker found */
	ARC_LINK, /* a symlink or hardlink to another member */
};

struct arc_member {
	char *name; /* normalized: no "./", no "//" */
	enum arc_kind kind;
	char *buf; /* ARC_JSON, NUL-terminated */
	size_t len;
	char *target; /* ARC_LINK: the member it names; NULL when outside the archive */
	char *why; /* ARC_BAD */
	char raw[DIGEST_STR_MAX]; /* ARC_JSON, ARC_LAYER: digest of the member's bytes */
	int64_t raw_size;
	char diff[DIGEST_STR_MAX]; /* ARC_LAYER: digest of the tar inside */
	int64_t diff_size;
	enum oci_compression comp;
	struct oci_layer_tx tx;
	bool tx_open;
	struct oci_blob_writer w; /* the member's bytes as a blob (keep_layer_blobs) */
	bool w_open;
	char chain[DIGEST_STR_MAX]; /* the chain id its tx was committed under */
};

struct arc_load {
	struct oci_store *s;
	const struct oci_load_opts *o;
	struct arc_member *m;
	size_t n, cap;
	size_t json_bytes, nlayers;
};

/* The member called name (normalized first), links followed; NULL when
 * there is none. */
struct arc_member *arc_find(struct arc_load *l, const char *name);
/* "a/./b//c" -> "a/b/c" relative to dir ("" for the top); ".." goes up,
 * but never above the top. Returns -1 for a path that leaves the archive
 * or does not fit. */
int arc_path(const char *dir, const char *path, char *out, size_t size);

/* After the pass: find the images in manifest.json and/or index.json,
 * check them whole, then commit layers, blobs, records and names. */
int arc_images(struct arc_load *l, struct err *e);

static inline void arc_event(struct arc_load *l, const struct oci_archive_event *ev)
{
	if (l->o && l->o->progress.fn)
		l->o->progress.fn(ev, l->o->progress.arg);
}

#endif
