/* pull.h - pull an image into the store: resolve the reference to a
 * manifest (choosing the platform from an index), fetch the config, then
 * stream each missing layer from the registry through its digest, the
 * decompressor and the tar reader into a layer folder that is committed only
 * once every digest matched; the image record and the names come last. */
#ifndef TUG_REGISTRY_PULL_H
#define TUG_REGISTRY_PULL_H

#include <stdbool.h>
#include <stdint.h>

#include "digest.h"
#include "err.h"
#include "oci/store.h"
#include "registry/client.h"
#include "registry/platform.h"
#include "registry/ref.h"

enum reg_pull_event_kind {
	REG_PULL_RESOLVED, /* digest: the manifest's; total: number of layers */
	REG_PULL_LAYER_EXISTS, /* "Already exists" */
	REG_PULL_LAYER_WAITING, /* "Waiting": queued behind the parallel limit */
	REG_PULL_LAYER_PROGRESS, /* current of total bytes downloaded (and unpacked) */
	REG_PULL_LAYER_DONE, /* "Pull complete" */
	REG_PULL_LAYER_FAILED, /* msg says why */
};

struct reg_pull_event {
	enum reg_pull_event_kind kind;
	size_t layer; /* index in the manifest */
	const char *digest; /* the layer's compressed digest, or the manifest's */
	int64_t current, total;
	const char *msg;
};

struct reg_pull_opts {
	const struct reg_options *reg;
	const struct reg_platform *platform; /* NULL: the host's */
	int parallel; /* layers at once; 0: 3 */
	/* Events, from several threads but never at once. May be NULL. */
	void (*progress)(const struct reg_pull_event *ev, void *arg);
	void *arg;
};

struct reg_pull_result {
	char id[DIGEST_STR_MAX]; /* the image id (config digest) */
	char digest[DIGEST_STR_MAX]; /* the manifest (or index) digest of the reference */
	bool fresh; /* new layers or a new image were stored */
	size_t layers_fetched, layers_reused;
	int resumes; /* downloads that went on with Range after a broken connection */
};

int reg_pull(struct oci_store *st, const struct reg_ref *ref, const struct reg_pull_opts *o,
	     struct reg_pull_result *res, struct err *e);

#endif
