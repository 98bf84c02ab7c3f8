/* store.c - opening the image store: its folders, the flock that orders
 * readers and writers, and the discarding of what a crash left behind. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "oci/rmtree.h"
#include "oci/store-priv.h"

static const char *const store_folders[] = {"blobs", "blobs/sha256", "layers", "images", "tmp"};

static int make_folders(struct oci_store *s, struct err *e)
{
	for (size_t i = 0; i < sizeof(store_folders) / sizeof(store_folders[0]); i++) {
		struct stat st;

		if (mkdirat(s->root_fd, store_folders[i], 0700) < 0 && errno != EEXIST)
			return err_sys(e, errno, "store %s: mkdir %s", s->root, store_folders[i]);
		if (fstatat(s->root_fd, store_folders[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			return err_sys(e, errno, "store %s: %s", s->root, store_folders[i]);
		if (!S_ISDIR(st.st_mode))
			return err_sys(e, ENOTDIR, "store %s: %s", s->root, store_folders[i]);
	}
	return 0;
}

static int take_lock(struct oci_store *s, enum oci_store_lock lock, bool nonblock, struct err *e)
{
	int op = (lock == OCI_STORE_EXCLUSIVE ? LOCK_EX : LOCK_SH) | (nonblock ? LOCK_NB : 0);

	s->lock_fd = openat(s->root_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->lock_fd < 0)
		return err_sys(e, errno, "store %s: open lock", s->root);
	while (flock(s->lock_fd, op) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			err_set(e, "store %s is in use (another tug process holds its lock)",
				s->root);
			if (e)
				e->errnum = EWOULDBLOCK;
			return -1;
		}
		return err_sys(e, errno, "store %s: lock", s->root);
	}
	s->lock = lock;
	return 0;
}

/* file_atomic's temp names are ".<name>.tmp.<pid>.<n>". In the data-root
 * only refs.json is ours; images/ is ours whole. */
int store_is_temp(const char *folder, const char *name)
{
	if (!strcmp(folder, "."))
		return !strncmp(name, ".refs.json.tmp.", 15);
	return name[0] == '.' && strstr(name, ".tmp.") != NULL;
}

struct temp_ctx {
	int dirfd;
	const char *folder;
};

static int drop_temp(struct oci_store *s, const char *name, void *arg, struct err *e)
{
	struct temp_ctx *c = arg;

	if (store_is_temp(c->folder, name) && unlinkat(c->dirfd, name, 0) < 0 && errno != ENOENT)
		return err_sys(e, errno, "store %s: remove %s", s->root, name);
	return 0;
}

static int drop_tmp_entry(struct oci_store *s, const char *name, void *arg, struct err *e)
{
	int *dirfd = arg;

	if (oci_rm_tree(*dirfd, name, e) < 0)
		return err_wrap(e, "store %s: empty tmp/", s->root);
	return 0;
}

/* Only under the exclusive lock: nobody else can be writing. */
static int discard_leftovers(struct oci_store *s, struct err *e)
{
	static const char *const temp_folders[] = {".", "images"};
	int fd = store_dir(s, "tmp", e), r;

	if (fd < 0)
		return -1;
	r = store_each_name(s, "tmp", drop_tmp_entry, &fd, e);
	close(fd);
	for (size_t i = 0; i < 2 && r == 0; i++) {
		struct temp_ctx c = {store_dir(s, temp_folders[i], e), temp_folders[i]};

		if (c.dirfd < 0)
			return -1;
		r = store_each_name(s, temp_folders[i], drop_temp, &c, e);
		close(c.dirfd);
	}
	return r < 0 ? -1 : 0;
}

static int open_root(struct oci_store *s, const char *root, struct err *e)
{
	char *abs;

	if (file_mkdir_p(root, 0711, e) < 0)
		return err_wrap(e, "store %s", root);
	abs = realpath(root, NULL);
	if (!abs)
		return err_sys(e, errno, "store %s", root);
	if (strlen(abs) >= sizeof(s->root)) {
		free(abs);
		return err_sys(e, ENAMETOOLONG, "store %.64s...", root);
	}
	strcpy(s->root, abs);
	free(abs);
	s->root_fd = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0)
		return err_sys(e, errno, "store %s", s->root);
	return 0;
}

int oci_store_open(struct oci_store *s, const char *root, enum oci_store_lock lock, bool nonblock,
		   struct err *e)
{
	pthread_mutexattr_t ma;

	memset(s, 0, sizeof(*s));
	s->root_fd = -1;
	s->lock_fd = -1;
	s->lock = OCI_STORE_SHARED;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&s->mu, &ma);
	pthread_mutexattr_destroy(&ma);
	if (open_root(s, root, e) < 0 || take_lock(s, lock, nonblock, e) < 0)
		goto fail;
	if (make_folders(s, e) < 0)
		goto fail;
	if (lock == OCI_STORE_EXCLUSIVE && discard_leftovers(s, e) < 0)
		goto fail;
	return 0;
fail:
	oci_store_close(s);
	return -1;
}

/* The mutex is not destroyed at close: it holds no resource, and a store
 * closed twice (or never opened) must stay harmless. */
void oci_store_lock(struct oci_store *s)
{
	pthread_mutex_lock(&s->mu);
}

void oci_store_unlock(struct oci_store *s)
{
	pthread_mutex_unlock(&s->mu);
}

void oci_store_hold(struct oci_store *s)
{
	pthread_mutex_lock(&s->mu);
	s->holds++;
	pthread_mutex_unlock(&s->mu);
}

void oci_store_release(struct oci_store *s)
{
	pthread_mutex_lock(&s->mu);
	s->holds--;
	pthread_mutex_unlock(&s->mu);
}

void oci_store_close(struct oci_store *s)
{
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* drops the flock */
	if (s->root_fd >= 0)
		close(s->root_fd);
	s->lock_fd = -1;
	s->root_fd = -1;
}
