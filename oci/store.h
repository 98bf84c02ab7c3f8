/* store.h - the image store under the data-root (DESIGN.md "State on disk"):
 * content-addressed blobs, unpacked layers keyed by chain id, image records
 * and name -> image references. Every commit is temp + fsync + rename +
 * fsync(dir), the reference last, so a crash at any instant leaves what was
 * complete intact and what was in progress in tmp/ (emptied on open). */
#ifndef TUG_OCI_STORE_H
#define TUG_OCI_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "digest.h"
#include "err.h"
#include "stream.h"

/* How the store is locked (flock on <root>/lock) for as long as it is open. */
enum oci_store_lock {
	OCI_STORE_SHARED, /* readers: images, inspect, check */
	OCI_STORE_EXCLUSIVE, /* writers: pull, rmi, tag, load; tmp/ is emptied */
};

struct oci_store {
	int root_fd; /* O_PATH|O_DIRECTORY of the data-root */
	int lock_fd;
	char root[4096]; /* absolute (resolved at open) */
	bool keep_layer_blobs; /* keep compressed layer blobs (push, save) */
	enum oci_store_lock lock; /* SHARED is read-only: writes fail */
	/* Threads of one process (the daemon) share one open store: mu (recursive)
	 * makes each read-modify-write of refs.json and of an image record whole;
	 * holds counts pulls and loads in flight, whose layers and blobs no
	 * record names yet, so that removal and collection leave them alone. */
	pthread_mutex_t mu;
	int holds;
	/* Layers used outside the store (the daemon's containers, whose
	 * rootfs stacks them even after their image was removed with force):
	 * removal and collection keep them. Called under mu; each chain id
	 * goes to add(set, chain), which returns -1 (and fills e) on failure. */
	int (*pins)(void *arg, int (*add)(void *set, const char *chain, struct err *e), void *set,
		    struct err *e);
	void *pins_arg;
};

/* Open (and create with its folders, 0700) the store at root, taking the
 * lock; waits for the lock unless nonblock, then fails with EWOULDBLOCK
 * ("store <root> is in use"). EXCLUSIVE also discards what a crash left:
 * tmp/ is emptied, temp files of interrupted replaces are removed. Every
 * function below that writes needs EXCLUSIVE. */
int oci_store_open(struct oci_store *s, const char *root, enum oci_store_lock lock, bool nonblock,
		   struct err *e);
void oci_store_close(struct oci_store *s);

/* Several calls as one step against the other threads using s (a record
 * read, changed and written back; a name looked up then moved). Nests. */
void oci_store_lock(struct oci_store *s);
void oci_store_unlock(struct oci_store *s);
/* A pull or a load in flight: from hold to release, image removal keeps the
 * layers and blobs it would free and oci_store_gc collects nothing (what
 * they leave is collected by the next sweep). */
void oci_store_hold(struct oci_store *s);
void oci_store_release(struct oci_store *s);

/* ---- blobs: blobs/sha256/<hex> ---- */
bool oci_store_blob_has(struct oci_store *s, const char *digest);
/* Open a blob for reading (O_RDONLY|O_CLOEXEC); the caller closes the fd. */
int oci_store_blob_open(struct oci_store *s, const char *digest, struct err *e);
/* Read a small blob (manifest, config) whole, at most max bytes. */
int oci_store_blob_read(struct oci_store *s, const char *digest, size_t max, char **buf,
			size_t *len, struct err *e);
/* Store buf as a blob; its digest goes to out (may be NULL). When expect is
 * not NULL, a buffer whose digest differs is refused and nothing stored.
 * oci_store_blob_read checks the digest of what it read, too. */
int oci_store_blob_put(struct oci_store *s, const void *buf, size_t len, const char *expect,
		       char out[DIGEST_STR_MAX], struct err *e);

/* A blob written as a stream: in tmp/ until commit verified digest and size. */
struct oci_blob_writer {
	struct oci_store *s;
	int fd;
	char tmpname[64];
	struct digest_ctx d;
	char digest[DIGEST_STR_MAX]; /* set by commit: the blob's digest */
};
int oci_blob_writer_open(struct oci_store *s, struct oci_blob_writer *w, struct err *e);
int oci_blob_writer_write(struct oci_blob_writer *w, const void *buf, size_t len, struct err *e);
/* size < 0: not checked; expect NULL: stored under the digest computed.
 * Verifies, fsyncs, renames into blobs/, fsyncs the dir. Commit and abort
 * both release the writer (abort after commit is a no-op). A blob already
 * present is not an error. */
int oci_blob_writer_commit(struct oci_blob_writer *w, const char *expect, int64_t size,
			   struct err *e);
void oci_blob_writer_abort(struct oci_blob_writer *w);
/* A blob that is not there is not an error. */
int oci_store_blob_remove(struct oci_store *s, const char *digest, struct err *e);

/* ---- layers: layers/<chain hex>/{diff/,layer.json} ---- */

/* chain id of a layer: its diff id for the first layer, else
 * sha256(parent chain id + " " + diff id) (the image spec's ChainID). */
void oci_chain_id(const char *parent_chain, const char *diff_id, char out[DIGEST_STR_MAX]);
bool oci_store_layer_has(struct oci_store *s, const char *chain_id);

/* What layers/<chain hex>/layer.json records. */
struct oci_layer_info {
	char chain[DIGEST_STR_MAX];
	char diff[DIGEST_STR_MAX];
	char parent[DIGEST_STR_MAX]; /* "" for a bottom layer */
	char tree[DIGEST_STR_MAX]; /* oci_store_tree_digest of diff/ */
	int64_t size; /* bytes of regular files in diff/ */
};
int oci_store_layer_info(struct oci_store *s, const char *chain_id, struct oci_layer_info *li,
			 struct err *e);
/* The digest of an unpacked tree beneath dirfd (borrowed): a canonical walk
 * in name order over each entry's path, type, mode, owner, size, device
 * number, symlink target, the overlay opaque mark and the sha256 of file
 * contents. *size gets the sum of the regular files' sizes. */
int oci_store_tree_digest(int dirfd, char out[DIGEST_STR_MAX], int64_t *size, struct err *e);

/* A layer being unpacked: a folder in tmp/ whose diff/ the caller fills. */
struct oci_layer_tx {
	struct oci_store *s;
	char tmpname[64]; /* tmp/<name> */
	int diff_fd; /* O_DIRECTORY fd of tmp/<name>/diff, for the unpacker */
	int64_t size; /* set by commit: bytes of regular files in the layer */
};
int oci_layer_tx_begin(struct oci_store *s, struct oci_layer_tx *tx, struct err *e);
/* Record the layer's metadata (chain, diff id, parent, size in bytes of the
 * unpacked tree, a digest of the unpacked tree for `system check`), flush
 * everything that was written beneath it (syncfs), rename it to
 * layers/<chain hex>, fsync layers/. A layer already present (another pull
 * won the race) is not an error: the tx is discarded. */
int oci_layer_tx_commit(struct oci_layer_tx *tx, const char *chain_id, const char *diff_id,
			const char *parent_chain, struct err *e);
/* Commit and abort both release the tx (abort after commit is a no-op);
 * parent_chain is NULL or "" for a bottom layer, whose chain id must then
 * equal its diff id. */
void oci_layer_tx_abort(struct oci_layer_tx *tx);
/* Path of a committed layer's diff folder (for overlay lowerdir). */
int oci_store_layer_path(struct oci_store *s, const char *chain_id, char *out, size_t outsz,
			 struct err *e);

/* ---- images: images/<config hex>.json, refs.json ---- */

#define OCI_STORE_MAX_LAYERS 128

struct oci_image_rec {
	char id[DIGEST_STR_MAX]; /* config digest */
	char manifest[DIGEST_STR_MAX]; /* digest of the manifest pulled or loaded */
	char manifest_media_type[96];
	size_t nlayers;
	char chain[OCI_STORE_MAX_LAYERS][DIGEST_STR_MAX]; /* bottom first */
	char diff[OCI_STORE_MAX_LAYERS][DIGEST_STR_MAX];
	char blob[OCI_STORE_MAX_LAYERS][DIGEST_STR_MAX]; /* compressed digests */
	int64_t blob_size[OCI_STORE_MAX_LAYERS];
	char blob_media_type[OCI_STORE_MAX_LAYERS][96];
	int64_t size; /* sum of the unpacked layer sizes (put computes it) */
	int64_t created; /* unix seconds the record was written (0 at put: now) */
	char repo_digests[8][512]; /* "name@sha256:..." where pulled from */
	size_t nrepo_digests;
};

/* Write the image record (config and manifest blobs and every layer must
 * already be committed: this is checked). */
int oci_store_image_put(struct oci_store *s, const struct oci_image_rec *rec, struct err *e);
int oci_store_image_get(struct oci_store *s, const char *id, struct oci_image_rec *rec,
			struct err *e);
/* Remove an image record; the references to it go first, layers and blobs
 * no image uses any more after it. *freed (may be NULL) grows by the bytes
 * those layers and blobs held. */
int oci_store_image_remove(struct oci_store *s, const char *id, uint64_t *freed, struct err *e);
/* Call fn for each image record; stop early when fn returns non-zero. */
int oci_store_image_each(struct oci_store *s, int (*fn)(const struct oci_image_rec *rec, void *arg),
			 void *arg, struct err *e);

/* References: a normalized name ("docker.io/library/busybox:latest" or
 * "...@sha256:...") -> image id, all in refs.json (rewritten atomically).
 * Names are non-empty, under 512 bytes, without control characters; set
 * needs the image record to exist. */
int oci_store_ref_set(struct oci_store *s, const char *name, const char *id, struct err *e);
/* 0 and the id in out when name is known, 1 when it is not, -1 on error. */
int oci_store_ref_get(struct oci_store *s, const char *name, char out[DIGEST_STR_MAX],
		      struct err *e);
/* 0 when removed, 1 when the name was not there. */
int oci_store_ref_delete(struct oci_store *s, const char *name, struct err *e);
/* Call fn for each name; stop when fn returns non-zero and return that
 * value (0 when every name was seen, -1 on error). */
int oci_store_ref_each(struct oci_store *s, int (*fn)(const char *name, const char *id, void *arg),
		       void *arg, struct err *e);

/* Remove layers and blobs that no image record uses (image prune, after an
 * interrupted pull); image records stay, referenced or not. Returns the
 * number of bytes freed (blob sizes, layers' file sizes) in *freed. */
int oci_store_gc(struct oci_store *s, uint64_t *freed, struct err *e);

/* Verify everything: each blob against its digest, each layer's tree against
 * the digest recorded at commit, each image's blobs and layers present, each
 * reference pointing to an image. Every problem is reported through report
 * (one line naming the object and what is wrong; what a crash leaves in
 * tmp/ by design is reported as a "note: " line and not counted). Returns the count of
 * problems (0: consistent) or -1 when the check itself failed. */
int oci_store_check(struct oci_store *s, void (*report)(const char *line, void *arg), void *arg,
		    struct err *e);

#endif
