/* ctr.h - the daemon's containers: records on disk, states, the shims that
 * run them, waiting, supervision (restart policies, AutoRemove). All of it
 * under d->mu unless a function says otherwise. */
#ifndef TUG_DAEMON_CTR_H
#define TUG_DAEMON_CTR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <cJSON.h>

#include "core/daemon/daemon.h"
#include "digest.h"
#include "core/daemon/health.h"

enum ctr_status {
	CS_CREATED,
	CS_RUNNING,
	CS_PAUSED,
	CS_RESTARTING,
	CS_REMOVING,
	CS_EXITED,
	CS_DEAD,
};

#define CTR_MAX_ATTACH 8

struct hmon;

struct ctr {
	char id[65];
	char name[256]; /* without the leading '/' */
	char image_id[DIGEST_STR_MAX]; /* sha256:... */
	char image_name[512]; /* Config.Image as given */
	cJSON *config; /* Config, merged with the image's (inspect) */
	cJSON *host_config; /* HostConfig */
	cJSON *net_config; /* NetworkingConfig */
	cJSON *mounts; /* inspect "Mounts" */
	char cdir[PATH_MAX + 96]; /* <containers>/<id> */
	char chains[128][DIGEST_STR_MAX]; /* the image's layers, bottom first */
	size_t nchains;
	char driver[16]; /* the snapshotter */
	int64_t created_ns;

	/* state */
	enum ctr_status status;
	pid_t pid;
	int exit_code;
	bool oom_killed;
	int64_t started_ns, finished_ns;
	char error[512];
	int restart_count;
	bool manual_stop; /* stop/kill by the user: no restart (unless-stopped keeps it) */
	bool has_been_started;
	int64_t restart_at_ms; /* monotonic, for a restart waiting for its delay */
	int64_t restart_delay_ms;
	int exits; /* counts exits: wait?condition=next-exit waits for a change */
	bool removed; /* gone: wait?condition=removed returns */
	bool creating; /* being made: not listed, not found */

	int shim_fd; /* the `wait` connection to the shim, -1 when none */
	int attach_fds[CTR_MAX_ATTACH]; /* attached before start: given to the shim */
	char attach_modes[CTR_MAX_ATTACH][4]; /* "iof" subset */
	int nattach;
	int refs; /* threads using it (not freed while > 0) */
	bool starting; /* a start is under way */
	bool pruned; /* a prune has tried it */
	bool exit_known; /* the shim told the exit code */
	struct health_state *health; /* State.Health; NULL: never had a healthcheck */
	struct hmon *hmon; /* its probes' thread (ctr-health.c), NULL when none */
	struct daemon *daemon;
	struct ctr *next;
};

/* Lookup by full id, unique id prefix or name (with or without '/').
 * NULL with e filled as dockerd words it ("No such container: x"). */
struct ctr *ctr_find(struct daemon *d, const char *what, struct err *e);
const char *ctr_status_name(enum ctr_status s);
/* Persist the record (container.json), atomically. */
int ctr_save(struct daemon *d, struct ctr *c, struct err *e);

/* Create from a request body (Config + HostConfig + NetworkingConfig);
 * returns the HTTP status for errors (400, 404, 409, 500) with e. */
int ctr_create(struct daemon *d, const char *name, const cJSON *body, struct ctr **out,
	       cJSON **warnings, struct err *e);
/* Start: the shim is started and the container runs. Called without d->mu
 * (it waits for the shim's report). 304 when already running. */
int ctr_start(struct daemon *d, struct ctr *c, struct err *e);
/* stop: signal, then SIGKILL after timeout_s (-1: the container's own
 * StopTimeout, else 10). Without d->mu. */
int ctr_stop(struct daemon *d, struct ctr *c, int timeout_s, const char *signal, struct err *e);
/* With d->mu held. */
int ctr_kill(struct daemon *d, struct ctr *c, int sig, struct err *e);
/* Remove (force: kill it first; volumes: its anonymous volumes too). */
int ctr_remove(struct daemon *d, struct ctr *c, bool force, bool volumes, struct err *e);
/* Block (d->mu held, it is released while waiting) until cond holds:
 * "not-running", "next-exit", "removed". */
int ctr_wait(struct daemon *d, struct ctr *c, const char *cond, int *code, struct err *e);

/* Mount the root filesystem again where it is not (after a reboot). */
int ctr_mount_rootfs(struct daemon *d, struct ctr *c, struct err *e);
/* pause / unpause; status codes as the others. */
int ctr_pause(struct daemon *d, struct ctr *c, bool pause, struct err *e);

/* Hold and release a container across a wait without the lock. */
void ctr_get(struct ctr *c);
void ctr_put(struct daemon *d, struct ctr *c);

/* The inspect JSON (GET /containers/{id}/json) and the list row. */
cJSON *ctr_inspect(struct daemon *d, struct ctr *c, bool size);
cJSON *ctr_list_row(struct daemon *d, struct ctr *c);

/* Daemon start: load records, re-attach to the shims still running, mark
 * the others exited, start those whose restart policy says so. */
int ctr_restore_all(struct daemon *d, struct err *e);
/* Every 200 ms on the loop: restarts whose delay has passed. */
void ctr_tick(void *d);
/* Daemon stop: stop the containers unless live-restore. */
void ctr_shutdown(struct daemon *d);

/* oci_store's pins: the layers of every container (its rootfs stacks them
 * even when its image was removed with force). Takes d->mu. */
int ctr_layer_pins(void *d, int (*add)(void *set, const char *chain, struct err *e), void *set,
		   struct err *e);
/* How many containers use the image (any state); the first one's id goes
 * to first (may be NULL). Takes d->mu. */
int ctr_image_users(struct daemon *d, const char *image_id, char first[65]);
/* How many containers mount the named volume; takes d->mu. */
int ctr_volume_users(struct daemon *d, const char *volume, char first[65]);

/* ctr-health.c (d->mu held). Start the probes of a running container
 * whose Config has a healthcheck (reset: Status starting, no streak, as at
 * each start; else only where there was no status); stop them (Status
 * unhealthy, as dockerd: the last results stay). Shutdown stops all and
 * waits (not held) for their threads and probes to end. */
void ctr_health_start(struct daemon *d, struct ctr *c, bool reset);
void ctr_health_stop(struct daemon *d, struct ctr *c);
void ctr_health_shutdown(struct daemon *d);

/* Remove c's anonymous volumes that no other container uses (rm -v). */
void ctr_remove_anon_volumes(struct daemon *d, struct ctr *c);

/* The snapshotter that made c's rootfs (the daemon's when unknown). */
const struct oci_snapshotter *ctr_snapshotter(struct daemon *d, const struct ctr *c);

/* Delete <containers>/<id> (its mounts gone first). */
int ctr_rm_dir(struct daemon *d, const struct ctr *c, struct err *e);
/* Rename <containers>/<id> into the trash, then unmount and delete it on a
 * thread of its own (ctr-trash.c). */
int ctr_trash(struct daemon *d, const struct ctr *c, struct err *e);
/* Daemon start: delete what removals cut short left in the trash. */
void ctr_trash_purge(struct daemon *d);

/* In a forked child before exec: close every fd from first up. */
void ctr_close_from(int first);
/* Config.Labels (NULL when none): event attributes, filters. */
const cJSON *ctr_labels(const struct ctr *c);
/* The path of a container file: <cdir>/<name>. */
void ctr_path(const struct ctr *c, const char *name, char *buf, size_t size);
/* The signal called name ("SIGTERM", "TERM", "15"), 0 when unknown. */
int ctr_signal_parse(const char *name);

#endif
