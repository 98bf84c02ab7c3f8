/* store-priv.h - what the store's files share: folder access, temp names,
 * the write guard, and sets of digests in use. Not for other modules. */
#ifndef TUG_OCI_STORE_PRIV_H
#define TUG_OCI_STORE_PRIV_H

#include <stddef.h>

#include "oci/store.h"

/* Caps on the small JSON files of the store. */
#define STORE_JSON_MAX (4u << 20)
#define STORE_REFS_MAX (16u << 20)

/* Writes need the exclusive lock; what names the operation. */
int store_writable(struct oci_store *s, const char *what, struct err *e);
/* Open a folder of the store (rel to the root) readable, for fsync and
 * *at calls; the caller closes the fd. */
int store_dir(struct oci_store *s, const char *rel, struct err *e);
int store_fsync_dir(struct oci_store *s, const char *rel, struct err *e);
/* Read the file rel (to the root, no symlink followed) whole, at most max
 * bytes; *text is the caller's. On failure e->errnum says why (ENOENT). */
int store_read(struct oci_store *s, const char *rel, size_t max, char **text, size_t *len,
	       struct err *e);
/* A fresh name for tmp/ ("<kind>-<pid>-<n>"). */
void store_tmp_name(char *out, size_t size, const char *kind);
/* Move folder/name into tmp/ (one atomic step: the entry is then gone
 * whatever happens) and remove it there. */
int store_discard(struct oci_store *s, const char *folder, const char *name, struct err *e);
/* renameat2(RENAME_NOREPLACE), with a plain renameat where the kernel or
 * file system has none (callers check the target first). */
int store_rename_noreplace(int olddir, const char *oldname, int newdir, const char *newname);

/* True for the temp file of an interrupted atomic replace in folder ("."
 * is the root), which an exclusive open removes. */
int store_is_temp(const char *folder, const char *name);

/* True when name is 64 lowercase hex digits (a folder or file name). */
int store_hex_valid(const char *name, size_t len);

/* A sorted set of digests (layers or blobs in use). */
struct store_set {
	char (*v)[DIGEST_STR_MAX];
	size_t n, cap;
};
int store_set_add(struct store_set *set, const char *digest, struct err *e);
void store_set_sort(struct store_set *set);
int store_set_has(const struct store_set *set, const char *digest);
void store_set_free(struct store_set *set);
/* The layers and blobs (manifest, config, layer blobs) of every image
 * record except the one named skip (may be NULL). */
int store_in_use(struct oci_store *s, const char *skip, struct store_set *layers,
		 struct store_set *blobs, struct err *e);

/* All names of folder fd (consumed) but "." and "..", sorted; *names and
 * each name are the caller's to free, also after a failure (*n of them). */
int store_read_names(int fd, char ***names, size_t *n, struct err *e);
/* Call fn with each entry name of folder rel, sorted, all but "." and "..".
 * fn returns 0 to go on, -1 with e filled to fail, 1 to stop; that value
 * is returned. */
int store_each_name(struct oci_store *s, const char *rel,
		    int (*fn)(struct oci_store *s, const char *name, void *arg, struct err *e),
		    void *arg, struct err *e);

/* Drop every reference to image id (before its record goes). */
int store_refs_drop_image(struct oci_store *s, const char *id, struct err *e);

/* Image records and layers, by the files that hold them. */
int store_image_parse(const char *text, size_t len, struct oci_image_rec *rec, struct err *e);
int store_chain_check(const struct oci_image_rec *rec, struct err *e);

#endif
