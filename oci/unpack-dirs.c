/* unpack-dirs.c - folder metadata set after the folder's children are
 * written (each child changes its mtime, a read-only mode would stop them),
 * in bounded memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/unpack-priv.h"

/* Bytes of recorded folders beyond which the ones the stream has left are
 * finished early: tar streams list a folder's children right after it, so
 * only an out-of-order layer can still touch a folder finished then (its
 * mtime would be off; nothing worse). */
size_t unpack_dirfix_max_bytes = 1024 * 1024;

int unpack_dirs_record(struct unpack *u, struct archive_entry *ent, struct err *e)
{
	size_t len = strlen(u->path), size = sizeof(struct unpack_dirfix) + len + 1;
	struct unpack_dirfix *f, **grown;

	if (u->ndirs == u->capdirs) {
		size_t cap = u->capdirs ? u->capdirs * 2 : 64;

		grown = realloc(u->dirs, cap * sizeof(*grown));
		if (!grown)
			return err_sys(e, ENOMEM, "remember folders");
		u->dirs = grown;
		u->capdirs = cap;
	}
	f = malloc(size);
	if (!f)
		return err_sys(e, ENOMEM, "remember folders");
	f->mode = archive_entry_perm(ent) & 07777;
	f->uid = 0;
	f->gid = 0;
	if (u->o->same_owner && unpack_owner(ent, &f->uid, &f->gid, e) < 0) {
		free(f);
		return -1;
	}
	unpack_times(ent, f->ts);
	memcpy(f->path, u->path, len + 1);
	u->dirs[u->ndirs++] = f;
	u->dirbytes += size + sizeof(f);
	if (u->dirbytes > unpack_dirfix_max_bytes)
		return unpack_dirs_finish(u, 1, e);
	return 0;
}

/* dir is path or one of its ancestors. */
static int ancestor(const char *dir, const char *path)
{
	size_t len = strlen(dir);

	return strncmp(dir, path, len) == 0 && (path[len] == '/' || path[len] == '\0');
}

static int gone(int err)
{
	return err == ENOENT || err == ENOTDIR || err == ELOOP;
}

/* A folder replaced or removed later in the layer is no longer ours to
 * touch: skipped. */
static int apply(struct unpack *u, const struct unpack_dirfix *f, struct err *e)
{
	const char *slash = strrchr(f->path, '/');
	const char *name = slash ? slash + 1 : f->path;
	struct err le;
	int pfd, fd, r = 0;

	pfd = unpack_walk(u->root, f->path, slash ? (size_t)(slash - f->path) : 0, 0, &le);
	if (pfd < 0) {
		if (gone(le.errnum))
			return 0;
		*e = le;
		return err_wrap(e, "folder %.200s", f->path);
	}
	fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(pfd);
	if (fd < 0)
		return gone(errno) ? 0 : err_sys(e, errno, "folder %.200s: open", f->path);
	if (u->o->same_owner && fchown(fd, f->uid, f->gid) < 0)
		r = err_sys(e, errno, "folder %.200s: chown %u:%u", f->path, f->uid, f->gid);
	else if (fchmod(fd, f->mode) < 0)
		r = err_sys(e, errno, "folder %.200s: chmod %o", f->path, f->mode);
	else if (futimens(fd, f->ts) < 0)
		r = err_sys(e, errno, "folder %.200s: set times", f->path);
	close(fd);
	return r;
}

int unpack_dirs_finish(struct unpack *u, int only_left, struct err *e)
{
	size_t i, j;
	int r = 0;

	/* Deepest (latest) first: a parent made read-only or untraversable
	 * must not stop its children from being finished. */
	for (i = u->ndirs; i-- > 0;) {
		struct unpack_dirfix *f = u->dirs[i];

		if (only_left && ancestor(f->path, u->path))
			continue;
		if (r == 0 && apply(u, f, e) < 0)
			r = -1;
		u->dirbytes -= sizeof(*f) + strlen(f->path) + 1 + sizeof(f);
		free(f);
		u->dirs[i] = NULL;
	}
	for (i = j = 0; i < u->ndirs; i++)
		if (u->dirs[i])
			u->dirs[j++] = u->dirs[i];
	u->ndirs = j;
	return r;
}

void unpack_dirs_free(struct unpack *u)
{
	size_t i;

	for (i = 0; i < u->ndirs; i++)
		free(u->dirs[i]);
	free(u->dirs);
	u->dirs = NULL;
	u->ndirs = u->capdirs = u->dirbytes = 0;
}
