/* unpack.h - layer streams to files: a compressed layer is decompressed
 * (gzip, zstd, or none, by its magic bytes) and its tar entries are written
 * beneath a directory fd, every path resolved beneath it (never by string
 * checks alone), in constant memory. Hostile entries are refused with an
 * error naming the entry. */
#ifndef TUG_OCI_UNPACK_H
#define TUG_OCI_UNPACK_H

#include <stdbool.h>
#include <stdint.h>

#include "digest.h"
#include "err.h"
#include "stream.h"

enum oci_compression {
	OCI_COMP_AUTO, /* by magic bytes */
	OCI_COMP_NONE,
	OCI_COMP_GZIP,
	OCI_COMP_ZSTD,
};

/* A decompressing reader over src (constant memory; gzip with several
 * members, zstd frames). The compression found is in *found when not NULL.
 * A compression configured out (CFG_GZIP, CFG_ZSTD) is a clear error. */
struct oci_decomp;
int oci_decomp_open(struct oci_decomp **out, struct stream_reader src, enum oci_compression c,
		    struct err *e);
struct stream_reader oci_decomp_stream(struct oci_decomp *d);
enum oci_compression oci_decomp_kind(const struct oci_decomp *d);
void oci_decomp_free(struct oci_decomp *d);

enum oci_whiteout_mode {
	OCI_WHITEOUT_OVERLAY, /* .wh.x -> char device 0/0 x; .wh..wh..opq -> trusted.overlay.opaque=y */
	OCI_WHITEOUT_APPLY, /* delete x / empty the folder (copy snapshotter: layers unpacked onto one tree) */
};

struct oci_unpack_opts {
	enum oci_whiteout_mode whiteouts;
	bool allow_devices; /* char/block device entries (not whiteouts) */
	bool same_owner; /* chown to the archive's uid/gid (root) */
	const char *what; /* names the layer in messages ("layer sha256:ab12...") */
};

struct oci_unpack_result {
	uint64_t entries;
	uint64_t bytes; /* file contents written */
};

/* Extract the uncompressed tar stream src beneath dirfd. The stream is read
 * to its end (so a digest reader under it sees every byte). On failure what
 * was written beneath dirfd is left for the caller to discard. */
int oci_unpack_tar(struct stream_reader src, int dirfd, const struct oci_unpack_opts *o,
		   struct oci_unpack_result *res, struct err *e);

#endif
