/* image-info.h - what the daemonless image commands (tug images, image
 * inspect, rmi, image prune) and the daemon's image endpoints share: an
 * image found by name, id or id prefix as dockerd finds it, its names, the
 * inspect and list JSON, docker rmi's rules and image prune. */
#ifndef TUG_OCI_IMAGE_INFO_H
#define TUG_OCI_IMAGE_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "digest.h"
#include "err.h"
#include "oci/store.h"

/* An image by reference ("busybox", "x:5000/a/b:1", "name@sha256:...") or by
 * id (full, "sha256:" prefixed or not, or a unique prefix of 4+ hex digits);
 * a name first, as docker: "abcd" may be a repository too. ref_name (may be
 * NULL) gets the normalized name when it was a reference. Not found: -1 with
 * e->errnum ENOENT and dockerd's "No such image: busybox:latest". */
int oci_image_find(struct oci_store *s, const char *what, char id[DIGEST_STR_MAX], char *ref_name,
		   size_t ref_size, struct err *e);

/* Every name of refs.json at once (one read for a whole listing). */
struct oci_image_refs {
	size_t n;
	struct oci_image_ref {
		char name[512]; /* normalized: "docker.io/library/busybox:latest" */
		char id[DIGEST_STR_MAX];
	} * v;
};
int oci_image_refs_load(struct oci_store *s, struct oci_image_refs *r, struct err *e);
void oci_image_refs_free(struct oci_image_refs *r);
/* How many tags (names without a digest) image id has. */
size_t oci_image_tag_count(const struct oci_image_refs *r, const char *id);

/* Docker's familiar form of a normalized name ("busybox:latest",
 * "127.0.0.1:5000/x@sha256:..."); a name that does not parse is copied. */
char *oci_image_familiar(const char *name, char *buf, size_t size);
/* docker's reference filter (reference.FamiliarMatch): a path.Match glob,
 * "*" stopping at "/", against the familiar "repo:tag" and "repo". */
bool oci_image_ref_match(const char *pattern, const char *name);

/* When the image was built (its config's "created", unix seconds), else
 * when it was stored. cfg: the parsed config, or NULL to read it. */
int64_t oci_image_created(struct oci_store *s, const struct oci_image_rec *rec, const cJSON *cfg);
/* The config blob of image id, parsed; the caller deletes it. */
int oci_image_config(struct oci_store *s, const char *id, cJSON **cfg, struct err *e);

/* GET /images/{name}/json's object (docker image inspect's shape). */
cJSON *oci_image_inspect(struct oci_store *s, const char *id, struct err *e);

/* What GET /images/json lists, and docker images -f. */
struct oci_image_filter {
	int dangling; /* -1: any, 0: tagged only, 1: untagged only */
	const char *const *refs; /* reference=GLOB, any of them; NULL-terminated or NULL */
	const char *const *labels; /* label=KEY or KEY=VALUE, all of them */
	int64_t before, since; /* created before / after (unix s); 0: no bound */
};
/* The list row of rec (GET /images/json), or NULL when f leaves it out
 * (a reference filter also trims RepoTags and RepoDigests, as dockerd). */
cJSON *oci_image_summary(struct oci_store *s, const struct oci_image_rec *rec,
			 const struct oci_image_refs *refs, const struct oci_image_filter *f);

/* docker rmi. What it did goes to report ("Untagged" with a familiar name,
 * "Deleted" with the image id, then each layer's chain id it freed, top
 * first; image: the id of the image each line is about). users (may be NULL: no containers) counts the containers made
 * from an image, says whether one runs and gives one's id. Errors: ENOENT
 * (no such image), EBUSY (a conflict, worded as dockerd's: "conflict:
 * unable to delete 0123456789ab (must be forced) - ..."). */
struct oci_rmi_ops {
	int (*users)(const char *id, bool *running, char first[65], void *arg);
	void (*report)(const char *kind, const char *value, const char *image, void *arg);
	void *arg;
};
int oci_image_delete(struct oci_store *s, const char *what, bool force, const struct oci_rmi_ops *o,
		     struct err *e);

/* image prune: images without a tag (all: every image), but those keep
 * (may be NULL) says to leave (a container uses it, a filter), are
 * untagged and deleted, reported as above; then what no image uses is
 * collected. *freed: the bytes given back. */
int oci_image_prune(struct oci_store *s, bool all,
		    bool (*keep)(const struct oci_image_rec *rec, void *arg),
		    const struct oci_rmi_ops *o, uint64_t *freed, struct err *e);

#endif
