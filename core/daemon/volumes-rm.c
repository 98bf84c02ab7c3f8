/* volumes-rm.c - removing local volumes: one rename takes the volume away
 * (a crash cannot leave half of one visible), then the tree goes; prune
 * with the space it gave back. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/daemon/ctr.h"
#include "core/daemon/volumes-priv.h"
#include "core/daemon/volumes.h"
#include "file.h"
#include "log.h"
#include "oci/rmtree.h"

/* vol_mu held. */
static int remove_locked(struct daemon *d, const char *name, const cJSON *rec, struct err *e)
{
	char gone[32] = ".rm-";
	unsigned char r[8];
	int dfd, rc = 0;

	if (vol_mnt_release(d, name, vol_needs_mount(rec), e) < 0)
		return err_wrap(e, "remove %s", name), 500;
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return err_sys(e, errno, "remove %s", name), 500;
	for (size_t i = 0; i < sizeof(r); i++)
		sprintf(gone + 4 + 2 * i, "%02x", r[i]);
	dfd = open(d->volumes_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_sys(e, errno, "remove %s: open %s", name, d->volumes_dir), 500;
	if (renameat(dfd, name, dfd, gone) < 0)
		rc = (err_sys(e, errno, "remove %s", name), 500);
	else if (file_fsync_dir(d->volumes_dir, e) < 0 || oci_rm_tree(dfd, gone, e) < 0)
		rc = (err_wrap(e, "remove %s", name), 500); /* vol_init retries the .rm- */
	close(dfd);
	return rc;
}

int vol_remove(struct daemon *d, const char *name, bool force, struct err *e)
{
	char first[65] = "";
	cJSON *rec;
	int rc;

	pthread_mutex_lock(&vol_mu);
	rc = vol_rec_load(d, name, &rec, e);
	pthread_mutex_unlock(&vol_mu);
	if (rc)
		return rc == 404 && force ? 0 : rc;
	cJSON_Delete(rec);
	/* d->mu is taken in there: not under vol_mu (see volumes-priv.h) */
	if (ctr_volume_users(d, name, first) > 0)
		return err_set(e, "remove %s: volume is in use - [%s]", name, first), 409;
	pthread_mutex_lock(&vol_mu);
	rc = vol_rec_load(d, name, &rec, e);
	if (!rc) {
		rc = remove_locked(d, name, rec, e);
		cJSON_Delete(rec);
	}
	pthread_mutex_unlock(&vol_mu);
	if (rc)
		return rc == 404 && force ? 0 : rc;
	{
		const char *attrs[] = {"driver", "local", NULL};
		daemon_event(d, "volume", "destroy", name, attrs);
	}
	return 0;
}

/* The bytes a tree holds, as dockerd counts them: the sizes of what is not
 * a folder, a file with several links once, not crossing into mounts. */
static __thread uint64_t du_total;
static __thread struct {
	dev_t dev;
	ino_t ino;
} * du_seen;
static __thread size_t du_nseen, du_cap;

static int du_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (type == FTW_D || type == FTW_DP || type == FTW_DNR || type == FTW_NS)
		return 0;
	if (st->st_nlink > 1) {
		for (size_t i = 0; i < du_nseen; i++)
			if (du_seen[i].dev == st->st_dev && du_seen[i].ino == st->st_ino)
				return 0;
		if (du_nseen == du_cap) {
			size_t cap = du_cap ? du_cap * 2 : 64;
			void *p = realloc(du_seen, cap * sizeof(*du_seen));
			if (!p)
				return 0;
			du_seen = p;
			du_cap = cap;
		}
		du_seen[du_nseen].dev = st->st_dev;
		du_seen[du_nseen++].ino = st->st_ino;
	}
	du_total += (uint64_t)st->st_size;
	return 0;
}

static uint64_t tree_size(const char *path)
{
	du_total = 0;
	du_nseen = 0;
	nftw(path, du_one, 16, FTW_PHYS | FTW_MOUNT);
	free(du_seen);
	du_seen = NULL;
	du_cap = 0;
	return du_total;
}

static bool is_anonymous(const cJSON *v)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(v, "Labels");

	return cJSON_IsObject(l) && cJSON_GetObjectItemCaseSensitive(l, VOL_ANON_LABEL);
}

/* May v go? Unused, local, without mount options (dockerd skips those:
 * pruning them would reclaim nothing), anonymous unless all. */
static bool prunable(struct daemon *d, const cJSON *v, bool all,
		     bool (*keep)(const cJSON *, void *), void *arg)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(v, "Options");
	const char *name = cJSON_GetObjectItemCaseSensitive(v, "Name")->valuestring;

	if (cJSON_IsObject(o) && cJSON_GetArraySize(o) > 0)
		return false;
	if (!all && !is_anonymous(v))
		return false;
	if (keep && keep(v, arg))
		return false;
	return ctr_volume_users(d, name, NULL) == 0;
}

int vol_prune(struct daemon *d, bool all, bool (*keep)(const cJSON *vol, void *arg), void *arg,
	      cJSON **deleted, uint64_t *reclaimed, struct err *e)
{
	cJSON *list = NULL, *v, *out = cJSON_CreateArray();
	char rec[24];
	int rc;

	*reclaimed = 0;
	*deleted = NULL;
	if (!out)
		return err_set(e, "prune volumes: out of memory"), 500;
	rc = vol_list(d, &list, e);
	if (rc)
		return cJSON_Delete(out), rc;
	cJSON_ArrayForEach(v, list)
	{
		const char *name = cJSON_GetObjectItemCaseSensitive(v, "Name")->valuestring;
		const char *mp = cJSON_GetObjectItemCaseSensitive(v, "Mountpoint")->valuestring;
		struct err skip;
		uint64_t size;

		if (!prunable(d, v, all, keep, arg))
			continue;
		size = tree_size(mp);
		if (vol_remove(d, name, false, &skip) != 0)
			continue; /* in use by now, or failed: dockerd logs and goes on */
		*reclaimed += size;
		cJSON_AddItemToArray(out, cJSON_CreateString(name));
	}
	cJSON_Delete(list);
	snprintf(rec, sizeof(rec), "%llu", (unsigned long long)*reclaimed);
	{
		const char *attrs[] = {"reclaimed", rec, NULL};
		daemon_event(d, "volume", "prune", "", attrs);
	}
	*deleted = out;
	return 0;
}

void vol_remove_unused(struct daemon *d, const char *name)
{
	struct err e = {0};
	int rc = vol_remove(d, name, true, &e);

	if (rc && rc != 409)
		log_msg(LOG_LEVEL_WARN, "%s", e.msg);
}
