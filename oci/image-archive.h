/* image-archive.h - image archives: the tar `docker save` writes (Docker 25+: an
 * OCI image layout that is also a legacy docker-archive) made from the
 * store, and docker-archive, OCI layout and combined tars loaded into it in
 * one streaming pass. Nothing here prints: progress goes to a callback. */
#ifndef TUG_OCI_IMAGE_ARCHIVE_H
#define TUG_OCI_IMAGE_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "err.h"
#include "oci/store.h"
#include "stream.h"

struct reg_platform;

enum oci_archive_event_kind {
	OCI_ARCHIVE_LAYER, /* save: a layer written; load: a member unpacked */
	OCI_ARCHIVE_LOADED, /* load: image id loaded, under name (NULL: untagged) */
	OCI_ARCHIVE_RETAGGED, /* load: name moved to id from the image old_id */
};

struct oci_archive_event {
	enum oci_archive_event_kind kind;
	const char *id; /* LAYER: the layer's diff id (save) or member name (load) */
	const char *name; /* normalized ("docker.io/library/busybox:latest") or NULL */
	const char *old_id; /* RETAGGED only */
	int64_t bytes; /* LAYER: uncompressed size */
};

/* Events arrive in order from the calling thread; fn may be NULL. */
struct oci_archive_progress {
	void (*fn)(const struct oci_archive_event *ev, void *arg);
	void *arg;
};

/* One image to save: its id (config digest) and the names to record for it
 * (normalized, with a tag; none for an image saved by id). The same id may
 * come twice: its names are merged. Borrowed. */
struct oci_save_item {
	const char *id;
	const char *const *names;
	size_t nnames;
};

/* Write items to out (borrowed fd) as a tar: oci-layout, index.json (one
 * entry per name, annotated io.containerd.image.name and
 * org.opencontainers.image.ref.name), manifest.json, repositories, and
 * blobs/sha256/ with each config, an OCI manifest, and each layer as an
 * uncompressed tar whose digest is its diff id. A layer is made by
 * decompressing the compressed blob kept at pull time (keep_layer_blobs),
 * read twice: once for its size and digest, once into the tar. Every blob is
 * checked to be in the store before the first byte is written; a missing one
 * is an error naming the image and the layer. */
int oci_archive_save(struct oci_store *s, const struct oci_save_item *items, size_t n, int out,
		     const struct oci_archive_progress *pr, struct err *e);

struct oci_load_opts {
	const struct reg_platform *platform; /* of an index's manifests; NULL: the host's */
	struct oci_archive_progress progress;
};

/* Read a tar (plain, gzip or zstd) from in (borrowed fd) in one pass and
 * store the images it holds: docker-archive (manifest.json with configs
 * and layer files, compressed or not, found by path or symlink), an OCI
 * image layout (index.json, blobs/; nested indexes resolved for the
 * platform) or both at once. Members that can be layers are unpacked into
 * layer transactions as they stream past and small JSON members are kept
 * in memory (16 MiB each, 64 MiB in all); at the end each image's layers
 * must have the diff ids its config lists, in order, and only then is
 * anything committed: layers, config and manifest blobs (a manifest is
 * made when the archive has none), image records, then names. A hostile
 * or broken archive (absolute or ".." member names, a layer whose content
 * is not what the config says, a truncated tar) stores nothing. The store
 * must be open EXCLUSIVE. */
int oci_archive_load(struct oci_store *s, int in, const struct oci_load_opts *o, struct err *e);
/* The same from any stream (an HTTP request body): src is read once, in
 * order, and nothing of it is held beyond the members kept as above. */
int oci_archive_load_stream(struct oci_store *s, const struct stream_reader *src,
			    const struct oci_load_opts *o, struct err *e);

#endif
