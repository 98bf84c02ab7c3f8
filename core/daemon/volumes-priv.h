/* volumes-priv.h - what volumes.c (records) and volumes-mount.c (the local
 * driver's mounts) share; not for other parts of the daemon. */
#ifndef TUG_DAEMON_VOLUMES_PRIV_H
#define TUG_DAEMON_VOLUMES_PRIV_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <cJSON.h>

#include "core/daemon/daemon.h"
#include "err.h"

#define VOL_PATH_MAX (PATH_MAX + 320)

/* Held for every change of the volumes folder and of the mount table. Never
 * held while d->mu is taken (ctr_volume_users): the spec builder may call
 * vol_get with d->mu held. */
extern pthread_mutex_t vol_mu;

/* <volumes>/<name>[/sub] */
void vol_path(struct daemon *d, const char *name, const char *sub, char *buf, size_t size);

/* The record (opts.json) of name: 0, 404 or 500 with e. vol_mu held. */
int vol_rec_load(struct daemon *d, const char *name, cJSON **rec, struct err *e);

/* Does the record's Options ask for a mount (type or device given)? */
bool vol_needs_mount(const cJSON *rec);

/* Driver options: the local driver's checks at create (400 with e). */
int vol_opts_check(const cJSON *opts, struct err *e);

/* Before removal (vol_mu held): unmount the volume's _data when it is
 * mounted and ours (the volume has mount options), refuse when it is
 * mounted and not ours; forget its use count. */
int vol_mnt_release(struct daemon *d, const char *name, bool ours, struct err *e);

/* Is path (absolute, without symlinks) a mount point? */
bool vol_is_mountpoint(const char *path);

#endif
