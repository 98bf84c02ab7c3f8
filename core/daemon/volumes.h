/* volumes.h - the daemon's local volumes: <data-root>/volumes/<name>/_data
 * with the record <name>/opts.json, made and removed atomically; the local
 * driver's mount options (type, device, o) mounted while containers use
 * the volume, as dockerd's local driver does. */
#ifndef TUG_DAEMON_VOLUMES_H
#define TUG_DAEMON_VOLUMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "core/daemon/daemon.h"
#include "err.h"

/* Set on volumes made without a name, as dockerd (API 1.42+) does: prune
 * removes only these unless asked for all. */
#define VOL_ANON_LABEL "com.docker.volume.anonymous"
#define VOL_NAME_MAX 255

/* Daemon start: make the folder, drop what a crash left half made or half
 * removed, note the volumes whose mount is still there. */
int vol_init(struct daemon *d, struct err *e);

/* Is name a valid local volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)? */
bool vol_name_valid(const char *name);

/* The functions below return 0, or the HTTP status dockerd answers with
 * (400, 404, 409, 500) with its message in e ("get x: no such volume"). */

/* POST /volumes/create: driver NULL or "" is "local"; name NULL or "" makes
 * an anonymous volume; opts and labels are string maps (may be NULL) and
 * are kept as given (null stays null). An existing volume is returned as
 * it is. *out (may be NULL) gets the volume's API JSON (the caller's). */
int vol_create(struct daemon *d, const char *name, const char *driver, const cJSON *opts,
	       const cJSON *labels, cJSON **out, struct err *e);

/* The API JSON of one volume / an array of all of them, sorted by name. */
int vol_inspect(struct daemon *d, const char *name, cJSON **out, struct err *e);
int vol_list(struct daemon *d, cJSON **out, struct err *e);

/* DELETE /volumes/{name}: 409 while a container uses it; force only makes
 * a missing volume no error, as in dockerd. */
int vol_remove(struct daemon *d, const char *name, bool force, struct err *e);

/* POST /volumes/prune: removes the unused local volumes without mount
 * options, only the anonymous ones unless all; keep (may be NULL) is asked
 * first with the volume's API JSON and returns true to spare it (the
 * label filters). *deleted (an array of names) and *reclaimed (bytes) are
 * the caller's. */
int vol_prune(struct daemon *d, bool all, bool (*keep)(const cJSON *vol, void *arg), void *arg,
	      cJSON **deleted, uint64_t *reclaimed, struct err *e);

/* For the container spec builder (struct oci_dspec_volume_ops.get, with
 * arg = the daemon): name NULL makes an anonymous volume, else the named
 * one is made on first use, as `-v name:/x` does. Writes the volume's name
 * and the host path of its _data folder. Returns 0 or -1 with e. */
int vol_get(struct daemon *d, const char *name, char *name_out, size_t name_size, char *path_out,
	    size_t path_size, struct err *e);
int vol_get_op(void *daemon, const char *name, char *name_out, size_t name_size, char *path_out,
	       size_t path_size, struct err *e);

/* A container that uses the volume starts / has stopped: a volume with
 * mount options (type/device/o) is mounted on its _data folder at the first
 * use and unmounted after the last, as dockerd's local driver does; for the
 * others these do nothing. Returns 0 or -1 with e (vol_mount: "error while
 * mounting volume '<path>': ..."). */
int vol_mount(struct daemon *d, const char *name, struct err *e);
int vol_unmount(struct daemon *d, const char *name, struct err *e);

/* `docker rm -v`: remove the volume unless a container still uses it or it
 * is gone already; failures are only logged. */
void vol_remove_unused(struct daemon *d, const char *name);

#endif
