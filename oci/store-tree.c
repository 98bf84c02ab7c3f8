/* store-tree.c - the digest of an unpacked layer tree, recorded at commit
 * and recomputed by the store check, so that a changed byte, mode or owner
 * anywhere in a layer is found. One folder fd at any depth, like rmtree. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "oci/store-priv.h"

#define TREE_BUF (64 * 1024)

struct tree_level {
	char **names; /* sorted entries of the folder */
	size_t n, i;
	dev_t dev;
	ino_t ino;
	size_t pathlen; /* of the folder's own path */
};

struct tree_walk {
	struct tree_level *lv;
	size_t depth, cap;
	char *path; /* of the entry at hand, relative to the top */
	size_t pathlen, pathcap;
	struct digest_ctx d;
	int64_t size;
	unsigned char *buf;
};

static int path_set(struct tree_walk *w, size_t base, const char *name, struct err *e)
{
	size_t n = strlen(name), need = base + 1 + n + 1;

	if (need > w->pathcap) {
		char *p = realloc(w->path, need * 2);

		if (!p)
			return err_sys(e, ENOMEM, "tree digest");
		w->path = p;
		w->pathcap = need * 2;
	}
	w->pathlen = base;
	if (base)
		w->path[w->pathlen++] = '/';
	memcpy(w->path + w->pathlen, name, n + 1);
	w->pathlen += n;
	return 0;
}

static char type_char(mode_t m)
{
	return S_ISREG(m)    ? 'f'
	       : S_ISDIR(m)  ? 'd'
	       : S_ISLNK(m)  ? 'l'
	       : S_ISCHR(m)  ? 'c'
	       : S_ISBLK(m)  ? 'b'
	       : S_ISFIFO(m) ? 'p'
			     : 's';
}

/* One entry: every variable part is length-prefixed or a number, so two
 * different trees can never produce the same byte stream. */
static void emit(struct tree_walk *w, const struct stat *st, const char *target,
		 const char *content, int opaque)
{
	char hdr[160];
	size_t tlen = target ? strlen(target) : 0;
	int n;
	bool dev = S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode);

	n = snprintf(hdr, sizeof(hdr), "%zu:", w->pathlen);
	digest_update(&w->d, hdr, (size_t)n);
	digest_update(&w->d, w->path, w->pathlen);
	n = snprintf(hdr, sizeof(hdr), " %c %o %u %u %lld %llx %zu:", type_char(st->st_mode),
		     (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid, (unsigned)st->st_gid,
		     S_ISREG(st->st_mode) ? (long long)st->st_size : 0LL,
		     dev ? (unsigned long long)st->st_rdev : 0ULL, tlen);
	digest_update(&w->d, hdr, (size_t)n);
	digest_update(&w->d, target ? target : "", tlen);
	n = snprintf(hdr, sizeof(hdr), " %s %c\n", content ? content : "-", opaque ? 'o' : '-');
	digest_update(&w->d, hdr, (size_t)n);
}

static int is_opaque(int fd)
{
	char v[4];

	return fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y';
}

static int hash_file(struct tree_walk *w, int dirfd, const char *name, const struct stat *st,
		     char out[DIGEST_STR_MAX], struct err *e)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	struct digest_ctx d;
	struct stat fst;
	ssize_t n;

	if (fd < 0)
		return err_sys(e, errno, "tree digest: %s: open", w->path);
	digest_init(&d);
	if (fstat(fd, &fst) < 0 || fst.st_ino != st->st_ino) {
		close(fd);
		return err_sys(e, ESTALE, "tree digest: %s: changed while read", w->path);
	}
	while ((n = read(fd, w->buf, TREE_BUF)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return err_sys(e, errno, "tree digest: %s: read", w->path);
		}
		digest_update(&d, w->buf, (size_t)n);
	}
	close(fd);
	digest_final(&d, out);
	w->size += (int64_t)d.size;
	return 0;
}

/* Enter folder fd (owned from here on): record it, read its names. */
static int push_level(struct tree_walk *w, int fd, const struct stat *st, struct err *e)
{
	struct tree_level *l;
	int dfd;

	emit(w, st, NULL, NULL, is_opaque(fd));
	if (w->depth == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 16;
		struct tree_level *n = realloc(w->lv, ncap * sizeof(*n));

		if (!n)
			return err_sys(e, ENOMEM, "tree digest");
		w->lv = n;
		w->cap = ncap;
	}
	l = &w->lv[w->depth++];
	memset(l, 0, sizeof(*l));
	l->dev = st->st_dev;
	l->ino = st->st_ino;
	l->pathlen = w->pathlen;
	dfd = dup(fd);
	if (dfd < 0)
		return err_sys(e, errno, "tree digest: %s", w->pathlen ? w->path : ".");
	if (store_read_names(dfd, &l->names, &l->n, e) < 0)
		return err_wrap(e, "tree digest: %s", w->pathlen ? w->path : ".");
	return 0;
}

static void pop_level(struct tree_walk *w)
{
	struct tree_level *l = &w->lv[--w->depth];

	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
}

/* Back up to the parent of *fd, which must be the folder seen going down. */
static int climb(struct tree_walk *w, int *fd, struct err *e)
{
	struct tree_level *up = &w->lv[w->depth - 1];
	int parent = openat(*fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (parent < 0)
		return err_sys(e, errno, "tree digest: %s: open ..", w->path);
	if (fstat(parent, &st) < 0 || st.st_dev != up->dev || st.st_ino != up->ino) {
		close(parent);
		return err_sys(e, ESTALE, "tree digest: %s: moved while read", w->path);
	}
	close(*fd);
	*fd = parent;
	return 0;
}

static int visit_dir(struct tree_walk *w, int *fd, const char *name, const struct stat *st,
		     struct err *e)
{
	int child = openat(*fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat cst;

	if (child < 0)
		return err_sys(e, errno, "tree digest: %s: open", w->path);
	if (fstat(child, &cst) < 0 || cst.st_ino != st->st_ino || cst.st_dev != w->lv[0].dev) {
		close(child);
		return err_sys(e, EXDEV, "tree digest: %s: changed or a mount point", w->path);
	}
	close(*fd);
	*fd = child;
	return push_level(w, child, &cst, e);
}

static int visit(struct tree_walk *w, int *fd, const char *name, struct err *e)
{
	char content[DIGEST_STR_MAX], target[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (fstatat(*fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys(e, errno, "tree digest: %s", w->path);
	if (S_ISDIR(st.st_mode))
		return visit_dir(w, fd, name, &st, e);
	if (S_ISREG(st.st_mode)) {
		if (hash_file(w, *fd, name, &st, content, e) < 0)
			return -1;
		emit(w, &st, NULL, content, 0);
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(*fd, name, target, sizeof(target) - 1);
		if (n < 0)
			return err_sys(e, errno, "tree digest: %s: readlink", w->path);
		target[n] = '\0';
		emit(w, &st, target, NULL, 0);
		return 0;
	}
	emit(w, &st, NULL, NULL, 0);
	return 0;
}

static int walk(struct tree_walk *w, int fd, struct err *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return close(fd), err_sys(e, errno, "tree digest: stat");
	if (path_set(w, 0, "", e) < 0 || push_level(w, fd, &st, e) < 0)
		return close(fd), -1;
	while (w->depth > 0) {
		struct tree_level *l = &w->lv[w->depth - 1];

		if (l->i == l->n) {
			w->pathlen = l->pathlen;
			w->path[w->pathlen] = '\0';
			pop_level(w);
			if (w->depth > 0 && climb(w, &fd, e) < 0)
				break;
			continue;
		}
		if (path_set(w, l->pathlen, l->names[l->i++], e) < 0 ||
		    visit(w, &fd, l->names[l->i - 1], e) < 0)
			break;
	}
	close(fd);
	return w->depth > 0 ? -1 : 0;
}

int oci_store_tree_digest(int dirfd, char out[DIGEST_STR_MAX], int64_t *size, struct err *e)
{
	struct tree_walk w = {0};
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd < 0)
		return err_sys(e, errno, "tree digest: open");
	w.buf = malloc(TREE_BUF);
	if (!w.buf) {
		close(fd);
		return err_sys(e, ENOMEM, "tree digest");
	}
	digest_init(&w.d);
	r = walk(&w, fd, e);
	while (w.depth > 0)
		pop_level(&w);
	free(w.lv);
	free(w.path);
	free(w.buf);
	if (r < 0)
		return -1;
	digest_final(&w.d, out);
	if (size)
		*size = w.size;
	return 0;
}
