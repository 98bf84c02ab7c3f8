/* store-blob.c - content-addressed blobs under blobs/sha256/: written in
 * tmp/ while their digest is computed, renamed in only once it matches. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "oci/store-priv.h"

static int blob_rel(const char *digest, char out[DIGEST_STR_MAX + 16], struct err *e)
{
	if (digest_check(digest, "blob", e) < 0)
		return -1;
	snprintf(out, DIGEST_STR_MAX + 16, "blobs/sha256/%s", digest_hex(digest));
	return 0;
}

bool oci_store_blob_has(struct oci_store *s, const char *digest)
{
	char rel[DIGEST_STR_MAX + 16];
	struct stat st;

	return blob_rel(digest, rel, NULL) == 0 &&
	       fstatat(s->root_fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

int oci_store_blob_open(struct oci_store *s, const char *digest, struct err *e)
{
	char rel[DIGEST_STR_MAX + 16];
	int fd;

	if (blob_rel(digest, rel, e) < 0)
		return -1;
	fd = openat(s->root_fd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0 && errno == ENOENT)
		return err_sys(e, errno, "blob %s: not in the store", digest);
	if (fd < 0)
		return err_sys(e, errno, "blob %s: open", digest);
	return fd;
}

int oci_store_blob_read(struct oci_store *s, const char *digest, size_t max, char **buf,
			size_t *len, struct err *e)
{
	char got[DIGEST_STR_MAX];
	int fd = oci_store_blob_open(s, digest, e), r;
	size_t n;

	if (fd < 0)
		return -1;
	r = file_read_fd(fd, max, buf, &n, e);
	close(fd);
	if (r < 0)
		return err_wrap(e, "blob %s", digest);
	digest_buf(*buf, n, got);
	if (strcmp(got, digest) != 0) {
		free(*buf);
		*buf = NULL;
		return err_set(e, "blob %s: corrupt (its content has digest %s); run a store check",
			       digest, got);
	}
	if (len)
		*len = n;
	return 0;
}

int oci_store_blob_put(struct oci_store *s, const void *buf, size_t len, const char *expect,
		       char out[DIGEST_STR_MAX], struct err *e)
{
	char got[DIGEST_STR_MAX];
	struct oci_blob_writer w;

	if (expect && digest_check(expect, "blob", e) < 0)
		return -1;
	digest_buf(buf, len, got);
	if (expect && strcmp(got, expect) != 0)
		return err_set(e, "blob %s: digest mismatch (got %s); nothing was stored", expect,
			       got);
	if (out)
		memcpy(out, got, DIGEST_STR_MAX);
	if (oci_store_blob_has(s, got))
		return store_writable(s, "store blob", e);
	if (oci_blob_writer_open(s, &w, e) < 0)
		return -1;
	if (oci_blob_writer_write(&w, buf, len, e) < 0) {
		oci_blob_writer_abort(&w);
		return -1;
	}
	return oci_blob_writer_commit(&w, got, (int64_t)len, e);
}

int oci_blob_writer_open(struct oci_store *s, struct oci_blob_writer *w, struct err *e)
{
	int tmp;

	memset(w, 0, sizeof(*w));
	w->s = s;
	w->fd = -1;
	digest_init(&w->d);
	if (store_writable(s, "store blob", e) < 0 || (tmp = store_dir(s, "tmp", e)) < 0)
		return -1;
	store_tmp_name(w->tmpname, sizeof(w->tmpname), "blob");
	w->fd = openat(tmp, w->tmpname, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	close(tmp);
	if (w->fd < 0) {
		w->tmpname[0] = '\0';
		return err_sys(e, errno, "store %s: create tmp/ file", s->root);
	}
	return 0;
}

int oci_blob_writer_write(struct oci_blob_writer *w, const void *buf, size_t len, struct err *e)
{
	if (w->fd < 0)
		return err_sys(e, EBADF, "blob writer: not open");
	digest_update(&w->d, buf, len);
	if (file_write_full(w->fd, buf, len, e) < 0)
		return err_wrap(e, "store %s: tmp/%s", w->s->root, w->tmpname);
	return 0;
}

/* The verified temp file into blobs/; same content under the same name,
 * so an existing blob is simply replaced. */
static int blob_install(struct oci_blob_writer *w, struct err *e)
{
	struct oci_store *s = w->s;
	int tmp = store_dir(s, "tmp", e), blobs = tmp < 0 ? -1 : store_dir(s, "blobs/sha256", e);
	int r = -1;

	if (blobs < 0)
		goto out;
	if (renameat(tmp, w->tmpname, blobs, digest_hex(w->digest)) < 0) {
		err_sys(e, errno, "blob %s: rename into blobs/", w->digest);
		goto out;
	}
	w->tmpname[0] = '\0';
	if (fsync(blobs) < 0) {
		err_sys(e, errno, "blob %s: fsync blobs/sha256", w->digest);
		goto out;
	}
	r = 0;
out:
	if (blobs >= 0)
		close(blobs);
	if (tmp >= 0)
		close(tmp);
	return r;
}

int oci_blob_writer_commit(struct oci_blob_writer *w, const char *expect, int64_t size,
			   struct err *e)
{
	int fd = w->fd, r;

	if (fd < 0)
		return err_sys(e, EBADF, "blob writer: not open");
	digest_final(&w->d, w->digest);
	if (expect && strcmp(expect, w->digest) != 0) {
		err_set(e, "blob %s: digest mismatch (got %s); nothing was stored", expect,
			w->digest);
		goto fail;
	}
	if (size >= 0 && w->d.size != (uint64_t)size) {
		err_set(e, "blob %s: size mismatch (got %llu bytes, want %lld); nothing was stored",
			w->digest, (unsigned long long)w->d.size, (long long)size);
		goto fail;
	}
	w->fd = -1;
	r = fsync(fd);
	if (close(fd) < 0 || r < 0) {
		err_sys(e, errno, "blob %s: write tmp/%s", w->digest, w->tmpname);
		goto fail;
	}
	r = blob_install(w, e);
	oci_blob_writer_abort(w);
	return r;
fail:
	oci_blob_writer_abort(w);
	return -1;
}

void oci_blob_writer_abort(struct oci_blob_writer *w)
{
	int saved = errno, tmp;

	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (w->tmpname[0] && (tmp = store_dir(w->s, "tmp", NULL)) >= 0) {
		unlinkat(tmp, w->tmpname, 0);
		close(tmp);
	}
	w->tmpname[0] = '\0';
	errno = saved;
}

int oci_store_blob_remove(struct oci_store *s, const char *digest, struct err *e)
{
	char rel[DIGEST_STR_MAX + 16];

	if (store_writable(s, "remove blob", e) < 0 || blob_rel(digest, rel, e) < 0)
		return -1;
	if (unlinkat(s->root_fd, rel, 0) < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "blob %s: remove", digest);
	return store_fsync_dir(s, "blobs/sha256", e);
}
