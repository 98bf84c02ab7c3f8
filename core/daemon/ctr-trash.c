/* ctr-trash.c - removing a container's folder in two steps: a rename into
 * <containers>/.trash-<id> (atomic: from then on the container is gone, on
 * disk as in the table, and waiters can be told), then the slow part off
 * the caller's path: the rootfs unmount (an overlay unmount syncs the upper
 * filesystem) and the deletion. What a crash leaves in the trash goes at
 * the next daemon start. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/daemon/ctr-priv.h"
#include "log.h"
#include "oci/rmtree.h"

#define TRASH_PREFIX ".trash-"

struct trash {
	struct daemon *d;
	char name[80]; /* .trash-<id> */
	char driver[32];
};

/* Unmount what a snapshotter may have mounted there, then delete it all:
 * the recorded driver when known, else every compiled-in one. */
static int empty(struct daemon *d, const char *name, const char *driver, struct err *e)
{
	static const char *const all[] = {"overlay", "copy"};
	char path[PATH_MAX + 96];
	int dfd, r;

	snprintf(path, sizeof(path), "%s/%s", d->containers_dir, name);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const struct oci_snapshotter *s =
			oci_snapshotter_find(driver && *driver ? driver : all[i]);
		if (s && s->remove(path, e) < 0)
			return -1;
		if (driver && *driver)
			break;
	}
	dfd = open(d->containers_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_sys(e, errno, "open %s", d->containers_dir);
	r = oci_rm_tree(dfd, name, e);
	close(dfd);
	return r;
}

static void empty_thread(void *arg)
{
	struct trash *t = arg;
	struct err e;

	if (empty(t->d, t->name, t->driver, &e) < 0)
		log_msg(LOG_LEVEL_WARN, "remove %s: %s (tried again at the next start)", t->name,
			e.msg);
	free(t);
}

int ctr_trash(struct daemon *d, const struct ctr *c, struct err *e)
{
	char from[PATH_MAX + 96], to[PATH_MAX + 96];
	struct trash *t = calloc(1, sizeof(*t));

	if (!t)
		return err_sys(e, ENOMEM, "remove container %s", c->id);
	t->d = d;
	snprintf(t->name, sizeof(t->name), TRASH_PREFIX "%s", c->id);
	snprintf(t->driver, sizeof(t->driver), "%s", ctr_snapshotter(d, c)->name);
	snprintf(from, sizeof(from), "%s/%s", d->containers_dir, c->id);
	snprintf(to, sizeof(to), "%s/%s", d->containers_dir, t->name);
	if (rename(from, to) < 0 && errno != ENOENT) {
		free(t);
		return err_sys(e, errno, "remove container %s: rename into the trash", c->id);
	}
	if (hsrv_spawn(empty_thread, t, NULL) < 0)
		empty_thread(t);
	return 0;
}

void ctr_trash_purge(struct daemon *d)
{
	DIR *dir = opendir(d->containers_dir);
	struct dirent *de;
	struct err e;

	if (!dir)
		return;
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, TRASH_PREFIX, strlen(TRASH_PREFIX)) &&
		    empty(d, de->d_name, NULL, &e) < 0)
			log_msg(LOG_LEVEL_WARN, "remove %s: %s", de->d_name, e.msg);
	closedir(dir);
}
