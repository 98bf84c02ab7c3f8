/* push.h - push an image from the store to a registry (distribution spec
 * v2): each blob is checked with HEAD, mounted from the repository it was
 * pulled from when that is on the same registry, else uploaded (whole or in
 * chunks) from its blob file; the stored manifest goes last, byte for byte,
 * so that its digest stays the one it had when it was pulled. */
#ifndef TUG_REGISTRY_PUSH_H
#define TUG_REGISTRY_PUSH_H

#include <stdbool.h>
#include <stdint.h>

#include "digest.h"
#include "err.h"
#include "oci/store.h"
#include "registry/client.h"
#include "registry/ref.h"

/* Blobs larger than the threshold go in PATCH chunks of the chunk size. */
#define REG_PUSH_CHUNK_THRESHOLD (64 << 20)
#define REG_PUSH_CHUNK_SIZE (16 << 20)

enum reg_push_event_kind {
	REG_PUSH_PREPARING, /* every layer first, top first (as docker lists them) */
	REG_PUSH_PROGRESS, /* current of total bytes sent */
	REG_PUSH_EXISTS, /* "Layer already exists" */
	REG_PUSH_MOUNTED, /* "Mounted from <msg>" */
	REG_PUSH_PUSHED, /* "Pushed" */
	REG_PUSH_SKIPPED, /* a foreign (nondistributable) layer: not uploaded */
	REG_PUSH_FAILED, /* msg says why */
};

struct reg_push_event {
	enum reg_push_event_kind kind;
	size_t layer; /* index in the manifest (bottom is 0) */
	const char *digest; /* the layer's (compressed) digest */
	int64_t current, total;
	const char *msg;
};

struct reg_push_opts {
	const struct reg_options *reg;
	/* Blobs larger than chunk_threshold are sent in chunk_size PATCHes,
	 * the others with one PUT. 0: the defaults above. */
	int64_t chunk_threshold;
	int64_t chunk_size;
	/* Events, in order, from the calling thread. May be NULL. */
	void (*progress)(const struct reg_push_event *ev, void *arg);
	void *arg;
};

struct reg_push_result {
	char digest[DIGEST_STR_MAX]; /* the manifest's, as the registry took it */
	size_t size; /* of the manifest */
	size_t pushed, existed, mounted; /* blobs (config included) */
	size_t chunks; /* PATCH requests sent */
};

/* Push the image rec (borrowed; read from st, which may be locked SHARED)
 * as ref (a tag; a digest reference is refused). Every layer's compressed
 * blob must be in the store (kept at pull time: --keep-layer-blobs); that
 * is checked before the registry is contacted. The mount source is taken
 * from rec's repo_digests: the first on ref's registry under another path. */
int reg_push(struct oci_store *st, const struct reg_ref *ref, const struct oci_image_rec *rec,
	     const struct reg_push_opts *o, struct reg_push_result *res, struct err *e);

/* The URL to finish an upload at: location (absolute, or relative to base)
 * with "digest=<digest>" added as its query or after its query. Returns 0,
 * or -1 when it does not fit in size or location is not a URL. */
int reg_push_finish_url(const char *base, const char *location, const char *digest, char *out,
			size_t size, struct err *e);

#endif
