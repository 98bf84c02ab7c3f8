/* manifest.h - image manifests, indexes and image configs (Docker schema 2
 * and OCI) parsed into fixed structs, and manifests written back as JSON. */
#ifndef TUG_REG_MANIFEST_H
#define TUG_REG_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "digest.h"
#include "err.h"
#include "registry/platform.h"

#define REG_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define REG_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define REG_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define REG_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define REG_MT_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define REG_MT_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"

#define REG_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define REG_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"

#define REG_MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define REG_MT_DOCKER_LAYER_TAR "application/vnd.docker.image.rootfs.diff.tar"
#define REG_MT_DOCKER_LAYER_FOREIGN "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
#define REG_MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define REG_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define REG_MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define REG_MT_OCI_LAYER_ND "application/vnd.oci.image.layer.nondistributable.v1.tar"
#define REG_MT_OCI_LAYER_ND_GZIP "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
#define REG_MT_OCI_LAYER_ND_ZSTD "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"

/* The Accept header of a manifest request: every kind we can read. */
#define REG_MANIFEST_ACCEPT                                                                        \
	REG_MT_OCI_INDEX ", " REG_MT_DOCKER_LIST ", " REG_MT_OCI_MANIFEST                          \
			 ", " REG_MT_DOCKER_MANIFEST

#define REG_MANIFEST_MAX_LAYERS 128 /* as the store's OCI_STORE_MAX_LAYERS */
#define REG_INDEX_MAX_ENTRIES 256
#define REG_MEDIA_TYPE_MAX 96

enum reg_manifest_kind {
	REG_MANIFEST_NONE,
	REG_MANIFEST_DOCKER_V2,
	REG_MANIFEST_DOCKER_LIST,
	REG_MANIFEST_OCI,
	REG_MANIFEST_OCI_INDEX,
};

enum reg_compression {
	REG_COMP_NONE,
	REG_COMP_GZIP,
	REG_COMP_ZSTD,
};

struct reg_descriptor {
	char media_type[REG_MEDIA_TYPE_MAX];
	char digest[DIGEST_STR_MAX];
	int64_t size;
	/* layers only */
	enum reg_compression comp;
	bool foreign; /* nondistributable / foreign: may come from elsewhere (urls) */
};

struct reg_index_entry {
	struct reg_descriptor d;
	bool has_platform;
	struct reg_platform platform; /* as written in the index, not normalized */
	char os_version[48];
	char os_features[64]; /* comma-separated */
	bool attestation; /* annotation vnd.docker.reference.type */
};

/* A manifest or an index; the caller allocates it (it is large: ~100 KiB,
 * keep it off small stacks). Nothing in it needs freeing. */
struct reg_manifest {
	enum reg_manifest_kind kind;
	union {
		struct { /* REG_MANIFEST_DOCKER_V2, REG_MANIFEST_OCI */
			struct reg_descriptor config;
			size_t nlayers;
			struct reg_descriptor layers[REG_MANIFEST_MAX_LAYERS];
		};
		struct { /* REG_MANIFEST_DOCKER_LIST, REG_MANIFEST_OCI_INDEX */
			size_t nmanifests;
			struct reg_index_entry manifests[REG_INDEX_MAX_ENTRIES];
		};
	};
};

/* Parse len bytes of a manifest or an index. content_type is the header the
 * registry sent (parameters allowed), or NULL when there is none (a file).
 * Refused, with the JSON path in the message ("manifest: layers[2].digest:
 * invalid digest ..."): schema 1; schemaVersion other than 2; a mediaType
 * that disagrees with content_type; a document with both "manifests" and
 * "layers"/"config" (CVE-2021-41190); invalid digests; negative sizes;
 * unknown layer or config media types; more than the maximum of layers or
 * entries. Without a mediaType field (OCI allows it) the kind comes from
 * content_type, else from the fields present. */
int reg_manifest_parse(struct reg_manifest *m, const char *buf, size_t len,
		       const char *content_type, struct err *e);

/* The media type of a kind; NULL for REG_MANIFEST_NONE. */
const char *reg_manifest_media_type(enum reg_manifest_kind kind);
/* The kind of a manifest media type; REG_MANIFEST_NONE when unknown. */
enum reg_manifest_kind reg_manifest_kind_of(const char *media_type);
static inline bool reg_manifest_is_index(enum reg_manifest_kind k)
{
	return k == REG_MANIFEST_DOCKER_LIST || k == REG_MANIFEST_OCI_INDEX;
}

/* True for a layer media type tug can unpack; *comp and *foreign say how
 * (either may be NULL). */
bool reg_layer_media_type(const char *media_type, enum reg_compression *comp, bool *foreign);

/* Build the JSON of m (any kind), keys in the order the specs list them,
 * sizes as exact integers. The tree is the caller's (cJSON_Delete), so that
 * annotations can be added before printing. */
int reg_manifest_to_cjson(const struct reg_manifest *m, cJSON **out, struct err *e);
/* The same, printed compact; *out is the caller's (cJSON_free), *len
 * excludes the NUL. Its digest is the manifest's digest. */
int reg_manifest_to_json(const struct reg_manifest *m, char **out, size_t *len, struct err *e);

/* What tug needs from an image config before unpacking; the daemon reads
 * the rest from the config blob itself. */
struct reg_image_config {
	struct reg_platform platform; /* normalized; fields "" when absent */
	char created[48]; /* RFC 3339 as written; "" when absent or too long */
	size_t ndiff_ids;
	char diff_ids[REG_MANIFEST_MAX_LAYERS][DIGEST_STR_MAX];
};

/* Parse an image config: rootfs.type must be "layers", rootfs.diff_ids
 * valid digests. Errors read "image config: rootfs.diff_ids[1]: ...". */
int reg_config_parse(struct reg_image_config *c, const char *buf, size_t len, struct err *e);
/* The config's diff_ids must be as many as the manifest's layers. */
int reg_config_check_layers(const struct reg_image_config *c, const struct reg_manifest *m,
			    struct err *e);

#endif
