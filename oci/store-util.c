/* store-util.c - the store's small shared pieces: folder fds, temp names,
 * atomic discard through tmp/, sorted folder listings and digest sets. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "file.h"
#include "oci/rmtree.h"
#include "oci/store-priv.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

int store_writable(struct oci_store *s, const char *what, struct err *e)
{
	if (s->lock == OCI_STORE_EXCLUSIVE)
		return 0;
	return err_sys(e, EROFS, "%s: store %s is open read-only (shared lock)", what, s->root);
}

int store_dir(struct oci_store *s, const char *rel, struct err *e)
{
	int fd = openat(s->root_fd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return err_sys(e, errno, "store %s: open %s", s->root, rel);
	return fd;
}

int store_fsync_dir(struct oci_store *s, const char *rel, struct err *e)
{
	int fd = store_dir(s, rel, e), r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	if (r < 0)
		err_sys(e, errno, "store %s: fsync %s", s->root, rel);
	close(fd);
	return r < 0 ? -1 : 0;
}

void store_tmp_name(char *out, size_t size, const char *kind)
{
	static unsigned counter;
	unsigned c = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);

	snprintf(out, size, "%s-%ld-%u", kind, (long)getpid(), c);
}

int store_rename_noreplace(int olddir, const char *oldname, int newdir, const char *newname)
{
	if (syscall(SYS_renameat2, olddir, oldname, newdir, newname, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -1;
	return renameat(olddir, oldname, newdir, newname);
}

int store_discard(struct oci_store *s, const char *folder, const char *name, struct err *e)
{
	char tmpname[64];
	int from = store_dir(s, folder, e), tmp = from < 0 ? -1 : store_dir(s, "tmp", e), r = -1;

	if (tmp < 0)
		goto out;
	store_tmp_name(tmpname, sizeof(tmpname), "gone");
	if (renameat(from, name, tmp, tmpname) < 0) {
		r = errno == ENOENT
			    ? 0
			    : err_sys(e, errno, "store %s: remove %s/%s", s->root, folder, name);
		goto out;
	}
	/* Durable before the slow part: a crash then only leaves tmp/ work. */
	if (fsync(from) < 0) {
		err_sys(e, errno, "store %s: fsync %s", s->root, folder);
		goto out;
	}
	r = oci_rm_tree(tmp, tmpname, e);
	if (r < 0)
		err_wrap(e, "store %s: remove %s/%s", s->root, folder, name);
out:
	if (tmp >= 0)
		close(tmp);
	if (from >= 0)
		close(from);
	return r;
}

int store_hex_valid(const char *name, size_t len)
{
	if (len != DIGEST_HEX_LEN)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	return 1;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int store_read_names(int fd, char ***names, size_t *n, struct err *e)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	size_t cap = 0;
	int saved;

	*names = NULL;
	*n = 0;
	if (!d) {
		close(fd);
		return err_sys(e, errno, "read folder");
	}
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n == cap) {
			char **nn = realloc(*names, (cap = cap ? cap * 2 : 32) * sizeof(char *));

			if (!nn)
				break;
			*names = nn;
		}
		if (!((*names)[*n] = strdup(de->d_name)))
			break;
		(*n)++;
	}
	saved = errno;
	closedir(d);
	if (saved)
		return err_sys(e, saved, "read folder");
	if (*n)
		qsort(*names, *n, sizeof(char *), cmp_names);
	return 0;
}

int store_each_name(struct oci_store *s, const char *rel,
		    int (*fn)(struct oci_store *s, const char *name, void *arg, struct err *e),
		    void *arg, struct err *e)
{
	int fd = store_dir(s, rel, e), r = 0;
	char **names;
	size_t n, i;

	if (fd < 0)
		return -1;
	if (store_read_names(fd, &names, &n, e) < 0) {
		r = err_wrap(e, "store %s: %s", s->root, rel);
	} else {
		for (i = 0; i < n && r == 0; i++)
			r = fn(s, names[i], arg, e);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int store_set_add(struct store_set *set, const char *digest, struct err *e)
{
	if (set->n == set->cap) {
		size_t ncap = set->cap ? set->cap * 2 : 64;
		void *v = realloc(set->v, ncap * sizeof(*set->v));

		if (!v)
			return err_sys(e, ENOMEM, "store: digest set");
		set->v = v;
		set->cap = ncap;
	}
	snprintf(set->v[set->n++], DIGEST_STR_MAX, "%s", digest);
	return 0;
}

static int cmp_digest(const void *a, const void *b)
{
	return strcmp(a, b);
}

void store_set_sort(struct store_set *set)
{
	if (set->n)
		qsort(set->v, set->n, sizeof(*set->v), cmp_digest);
}

int store_set_has(const struct store_set *set, const char *digest)
{
	return set->n && bsearch(digest, set->v, set->n, sizeof(*set->v), cmp_digest) != NULL;
}

void store_set_free(struct store_set *set)
{
	free(set->v);
	set->v = NULL;
	set->n = set->cap = 0;
}

int store_read(struct oci_store *s, const char *rel, size_t max, char **text, size_t *len,
	       struct err *e)
{
	int fd = openat(s->root_fd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), r;

	if (fd < 0)
		return err_sys(e, errno, "open %s", rel);
	r = file_read_fd(fd, max, text, len, e);
	close(fd);
	return r;
}
