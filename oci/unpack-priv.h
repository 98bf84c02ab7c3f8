/* unpack-priv.h - what unpack.c and unpack-fs.c share: entry names made
 * safe, and directory walks and removals that never follow a symlink. */
#ifndef TUG_OCI_UNPACK_PRIV_H
#define TUG_OCI_UNPACK_PRIV_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include <archive.h>
#include <archive_entry.h>

#include "err.h"
#include "oci/unpack.h"

#define UNPACK_BUF (64 * 1024)

/* A folder's metadata, set once its children are written. */
struct unpack_dirfix {
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec ts[2];
	char path[]; /* clean, relative to the root */
};

/* One unpack (heap: the buffers are large). */
struct unpack {
	const struct oci_unpack_opts *o;
	const char *what; /* names the layer */
	int root; /* borrowed */
	struct stream_reader src;
	int src_eof, src_failed;
	struct err src_err; /* why src failed, rather than libarchive's words */
	struct archive *a;
	struct oci_unpack_result res;
	char path[PATH_MAX]; /* the entry's clean path */
	size_t base; /* its last component starts here */
	size_t plen; /* its parent is path[0..plen) */
	char ppath[PATH_MAX]; /* the folder pfd is open on (cache) */
	int pfd; /* -1: none */
	struct unpack_dirfix **dirs;
	size_t ndirs, capdirs, dirbytes;
	unsigned char buf[UNPACK_BUF];
};

/* unpack-make.c: one entry of each kind made as name inside pfd (borrowed,
 * the entry's parent). */
int unpack_make_file(struct unpack *u, struct archive_entry *ent, int pfd, const char *name,
		     struct err *e);
int unpack_make_dir(struct unpack *u, struct archive_entry *ent, int pfd, const char *name,
		    struct err *e);
int unpack_make_symlink(struct unpack *u, struct archive_entry *ent, int pfd, const char *name,
			struct err *e);
int unpack_make_node(struct unpack *u, struct archive_entry *ent, int pfd, const char *name,
		     struct err *e);
int unpack_make_hardlink(struct unpack *u, struct archive_entry *ent, int pfd, const char *name,
			 struct err *e);
/* Make room for a new entry: an existing folder stays when keep_dir
 * (returns 1); anything else there is removed, never followed. */
int unpack_clear_for(int pfd, const char *name, int keep_dir, struct err *e);
/* unpack-dirs.c: remember a folder entry's metadata (u->path); past a
 * memory bound the folders the stream has left are finished early. */
int unpack_dirs_record(struct unpack *u, struct archive_entry *ent, struct err *e);
extern size_t unpack_dirfix_max_bytes; /* the bound (tests lower it) */
/* Set the metadata of the folders recorded so far, deepest first; with
 * only_left, only those that are no ancestor of u->path. */
int unpack_dirs_finish(struct unpack *u, int only_left, struct err *e);
void unpack_dirs_free(struct unpack *u);
/* libarchive's error, or the stream's when that is what failed. */
int unpack_arch_err(struct unpack *u, const char *what, struct err *e);
/* The entry's owner when in range for uid_t/gid_t. */
int unpack_owner(struct archive_entry *ent, uid_t *uid, gid_t *gid, struct err *e);
/* The entry's atime (its mtime when it has none) and mtime. */
void unpack_times(struct archive_entry *ent, struct timespec ts[2]);

/* Clean a tar entry name into out (PATH_MAX bytes): a leading "/" is dropped
 * (Docker reads "/etc/x" as "etc/x"), so are "." and empty components; a
 * ".." component anywhere is refused, so are a component longer than
 * NAME_MAX and a result of PATH_MAX or more. "" means the layer root.
 * *base is the offset of the last component in out. */
int unpack_clean_path(const char *in, char *out, size_t *base, struct err *e);

/* An O_PATH fd (the caller closes it) of the directory dir[0..len) beneath
 * root, walked one component at a time with O_NOFOLLOW: a component that is
 * a symlink is refused even when it points inside the root (errnum ELOOP),
 * one that is not a directory too (ENOTDIR). With create, missing
 * components are made (0755, as Docker does for parents the archive does
 * not list); without, a missing one fails with errnum ENOENT. root is
 * borrowed. */
int unpack_walk(int root, const char *dir, size_t len, int create, struct err *e);

#endif
