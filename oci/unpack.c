/* unpack.c - a layer's tar stream written beneath a directory fd. libarchive
 * only parses the tar; every file is made by unpack-make.c with *at() calls
 * relative to a parent reached by unpack_walk, which never follows a symlink.
 *
 * Decisions, for hostile or odd entries (each refusal names the entry):
 * - "/a" is read as "a" (as Docker does); ".." anywhere is refused.
 * - A parent component that is a symlink is refused, even one pointing
 *   inside the layer (RESOLVE_NO_SYMLINKS, not RESOLVE_IN_ROOT): tools that
 *   diff a tree never write "lib/x" below a symlink "lib", and a layer that
 *   does is either broken or an attack.
 * - The layer root is never replaced; a folder entry for it is ignored
 *   (containerd does the same).
 * - Hard links must name an existing regular file beneath the root, reached
 *   without symlinks.
 * - Unknown tar type flags are read as regular files (POSIX, libarchive);
 *   any other file type libarchive reports is refused.
 * - ".wh..wh..opq" is the opaque marker; other ".wh..wh." names (aufs
 *   metadata such as .wh..wh.plnk) are skipped with what is below them, as
 *   moby does; a ".wh.x" component in a parent path is refused, so is a
 *   whiteout of "", "." or "..".
 * - In APPLY mode the opaque marker empties its folder when it is seen:
 *   Docker writes it right after the folder's own entry, before children,
 *   so what it removes came from lower layers. A whiteout whose folder
 *   does not exist removes nothing.
 * - xattrs named trusted.overlay.* or user.overlay.* are dropped: they are
 *   overlayfs's own bookkeeping (opaque, redirect, metacopy) and would let
 *   a layer steer the mount; opaque folders come from the .wh. markers.
 * - xattrs: EOPNOTSUPP on user.* is ignored (a store on a file system
 *   without user xattrs still works; images rarely need them), so is EPERM
 *   on trusted.* / security.* when not unpacking as root (same_owner off);
 *   any other failure is an error.
 * - Bytes after the end-of-archive blocks are read and ignored. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "oci/rmtree.h"
#include "oci/unpack-priv.h"

enum kind { K_PLAIN, K_SKIP, K_WHITEOUT, K_OPAQUE };

#define WH ".wh."
#define WH_META ".wh..wh."
#define WH_OPQ ".wh..wh..opq"

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* What the entry is, by its name; a whiteout's base moves past ".wh.". */
static int classify(struct unpack *u, enum kind *k, struct err *e)
{
	const char *p = u->path, *name = u->path + u->base;

	for (; p < name; p = strchr(p, '/') + 1) {
		if (starts(p, WH_META))
			return *k = K_SKIP, 0;
		if (starts(p, WH))
			return err_set(e, "a whiteout name is used as a folder");
	}
	*k = K_PLAIN;
	if (strcmp(name, WH_OPQ) == 0) {
		*k = K_OPAQUE;
	} else if (starts(name, WH_META)) {
		*k = K_SKIP;
	} else if (starts(name, WH)) {
		name += strlen(WH);
		if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
			return err_set(e, "whiteout of an invalid name");
		u->base += strlen(WH);
		*k = K_WHITEOUT;
	}
	return 0;
}

/* The O_PATH fd of the entry's parent (borrowed from the cache). Entries
 * come grouped by folder, so most need no walk at all. The cached folder
 * stays valid: what an entry removes is a child of its parent, never the
 * parent itself or one of its ancestors. */
static int parent(struct unpack *u, int create, struct err *e)
{
	size_t len = u->plen;

	if (u->pfd >= 0 && strlen(u->ppath) == len && memcmp(u->ppath, u->path, len) == 0)
		return u->pfd;
	if (u->pfd >= 0)
		close(u->pfd);
	u->pfd = unpack_walk(u->root, u->path, len, create, e);
	if (u->pfd < 0)
		return -1;
	memcpy(u->ppath, u->path, len);
	u->ppath[len] = '\0';
	return u->pfd;
}

static int opaque_overlay(int pfd, struct err *e)
{
	int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return err_sys(e, errno, "open the opaque folder");
	if (fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
		r = err_sys(e, errno, "set trusted.overlay.opaque");
	close(fd);
	return r;
}

static int whiteout(struct unpack *u, enum kind k, struct err *e)
{
	int apply = u->o->whiteouts == OCI_WHITEOUT_APPLY;
	const char *name = u->path + u->base;
	int pfd = parent(u, !apply, e);

	if (pfd < 0)
		return apply && e->errnum == ENOENT ? 0 : -1;
	if (k == K_OPAQUE)
		return apply ? oci_rm_contents(pfd, e) : opaque_overlay(pfd, e);
	if (apply)
		return oci_rm_tree(pfd, name, e);
	if (unpack_clear_for(pfd, name, 0, e) < 0)
		return -1;
	if (mknodat(pfd, name, S_IFCHR, makedev(0, 0)) < 0)
		return err_sys(e, errno, "make the whiteout device %s", name);
	return 0;
}

static int entry(struct unpack *u, struct archive_entry *ent, struct err *e)
{
	const char *name = archive_entry_pathname(ent);
	mode_t type = archive_entry_filetype(ent);
	enum kind k;
	int pfd;

	if (!name)
		return err_set(e, "entry without a name");
	if (unpack_clean_path(name, u->path, &u->base, e) < 0)
		return -1;
	u->plen = u->base ? u->base - 1 : 0;
	if (classify(u, &k, e) < 0)
		return -1;
	if (k == K_SKIP)
		return 0;
	if (!u->path[0])
		return type == AE_IFDIR && !archive_entry_hardlink(ent)
			       ? 0
			       : err_set(e, "would replace the layer root");
	if (k != K_PLAIN)
		return whiteout(u, k, e);
	pfd = parent(u, 1, e);
	if (pfd < 0)
		return -1;
	name = u->path + u->base;
	if (archive_entry_hardlink(ent))
		return unpack_make_hardlink(u, ent, pfd, name, e);
	switch (type) {
	case AE_IFREG:
		return unpack_make_file(u, ent, pfd, name, e);
	case AE_IFDIR:
		return unpack_make_dir(u, ent, pfd, name, e);
	case AE_IFLNK:
		return unpack_make_symlink(u, ent, pfd, name, e);
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
		return unpack_make_node(u, ent, pfd, name, e);
	default:
		return err_set(e, "unsupported file type 0%o", (unsigned)type);
	}
}

static la_ssize_t la_read(struct archive *a, void *ctx, const void **buf)
{
	struct unpack *u = ctx;
	ssize_t n;

	*buf = u->buf;
	if (u->src_eof)
		return 0;
	n = stream_read(&u->src, u->buf, sizeof(u->buf), &u->src_err);
	if (n < 0) {
		u->src_failed = 1;
		archive_set_error(a, EIO, "%s", u->src_err.msg);
		return ARCHIVE_FATAL;
	}
	if (n == 0)
		u->src_eof = 1;
	return n;
}

static int read_entries(struct unpack *u, struct err *e)
{
	struct archive_entry *ent;
	int r;

	for (;;) {
		r = archive_read_next_header(u->a, &ent);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN) {
			if (u->res.entries == 0)
				return unpack_arch_err(u, "not a tar archive", e);
			unpack_arch_err(u, "read the tar", e);
			return err_wrap(e, "after entry \"%.200s\"", u->path);
		}
		u->res.entries++;
		if (entry(u, ent, e) < 0)
			return err_wrap(e, "entry \"%.200s\"",
					archive_entry_pathname(ent) ? archive_entry_pathname(ent)
								    : "");
	}
}

/* The stream to its end, so that a digest reader beneath sees every byte. */
static int drain(struct unpack *u, struct err *e)
{
	ssize_t n;

	while (!u->src_eof) {
		n = stream_read(&u->src, u->buf, sizeof(u->buf), e);
		if (n < 0)
			return -1;
		u->src_eof = n == 0;
	}
	return 0;
}

static int run(struct unpack *u, struct err *e)
{
	u->a = archive_read_new();
	if (!u->a)
		return err_sys(e, ENOMEM, "start the tar reader");
	/* Only tar (with pax and GNU extensions) and an empty stream; no
	 * filter: decompression is oci_decomp's job. */
	if (archive_read_support_format_tar(u->a) != ARCHIVE_OK ||
	    archive_read_support_format_empty(u->a) != ARCHIVE_OK ||
	    archive_read_support_filter_none(u->a) != ARCHIVE_OK ||
	    archive_read_open(u->a, u, NULL, la_read, NULL) != ARCHIVE_OK)
		return unpack_arch_err(u, "not a tar archive", e);
	if (read_entries(u, e) < 0 || unpack_dirs_finish(u, 0, e) < 0)
		return -1;
	return drain(u, e);
}

int oci_unpack_tar(struct stream_reader src, int dirfd, const struct oci_unpack_opts *o,
		   struct oci_unpack_result *res, struct err *e)
{
	static const struct oci_unpack_opts defaults;
	struct unpack *u = calloc(1, sizeof(*u));
	struct err le;
	int r;

	err_clear(&le);
	if (!u)
		return err_sys(e, ENOMEM, "unpack: allocate");
	u->o = o ? o : &defaults;
	u->what = o && o->what ? o->what : "layer";
	u->root = dirfd;
	u->src = src;
	u->pfd = -1;
	r = run(u, &le);
	if (r < 0) {
		err_wrap(&le, "unpack %s", u->what);
		if (e)
			*e = le;
	}
	if (res)
		*res = u->res;
	if (u->a)
		archive_read_free(u->a);
	if (u->pfd >= 0)
		close(u->pfd);
	unpack_dirs_free(u);
	free(u);
	return r;
}
