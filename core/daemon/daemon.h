/* daemon.h - what the daemon's parts share: its settings, the image store,
 * the container table and the event stream, all under one mutex. */
#ifndef TUG_DAEMON_DAEMON_H
#define TUG_DAEMON_DAEMON_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <cJSON.h>

#include "core/daemon/httpd.h"
#include "oci/snapshot.h"
#include "oci/store.h"

#define TUG_API_VERSION "1.47"
#define TUG_API_MIN_VERSION "1.24"

struct ctr;
struct execi;

struct daemon {
	/* settings (daemon.json and flags) */
	char data_root[PATH_MAX];
	char exec_root[PATH_MAX];
	bool live_restore;
	const char *log_driver; /* "json-file", "none" */
	int64_t log_max_size; /* bytes; 0: unbounded */
	int log_max_file;
	const char *storage_driver; /* NULL: the first that works */

	/* derived paths */
	char containers_dir[PATH_MAX + 16]; /* <data-root>/containers */
	char engine_id[37]; /* info's ID: <data-root>/engine-id (engine-id.c) */
	char volumes_dir[PATH_MAX + 16];
	char runtime_root[PATH_MAX + 16]; /* <exec-root>/runtime */
	char shims_dir[PATH_MAX + 16]; /* <exec-root>/shims */
	char self_exe[PATH_MAX]; /* the tug binary the shims are started from */

	struct oci_store store; /* opened EXCLUSIVE for the daemon's life */
	pthread_mutex_t store_mu; /* image writes (refs.json read-modify-write) */
	const struct oci_snapshotter *snap;
	struct hsrv *srv;

	pthread_mutex_t mu; /* everything below */
	pthread_cond_t changed; /* broadcast on every container/exec state change */
	struct ctr *ctrs;
	struct execi *execs;
	int64_t started_ns;
};

/* The routes of each API part (api-*.c), gathered in daemon.c. */
struct api_part {
	const struct hroute *routes;
	size_t n;
};
extern const struct api_part api_system, api_events, api_containers, api_exec, api_images,
	api_volumes, api_networks;

/* Events (events.c): Type "container", "image", "volume", "network";
 * attrs are name=value pairs, NULL-terminated (may be NULL). Call with or
 * without d->mu held. */
/* The engine's ID from <data-root>/engine-id, made (a random UUID) when
 * missing or damaged. */
int daemon_engine_id(const char *data_root, char id[37], struct err *e);
void daemon_event(struct daemon *d, const char *type, const char *action, const char *id,
		  const char *const *attrs);
/* The same for a container: its Config.Labels (may be NULL) join the
 * attributes, as dockerd's container events carry them. */
void daemon_event_labels(struct daemon *d, const char *type, const char *action, const char *id,
			 const char *const *attrs, const cJSON *labels);

/* daemon-listen.c: the listeners of the configuration's hosts. */
struct tug_daemon_config;
int daemon_listen_open(struct hsrv *srv, const struct tug_daemon_config *c, struct err *e);
void daemon_listen_close(void);

/* daemon-reload.c: SIGHUP. init keeps c (the daemon's configuration,
 * whose reloadable fields change under the reload's lock from then on)
 * and a copy of the unparsed argv. daemon_reload reads the settings again,
 * applies debug, live-restore, insecure-registries, registry-mirrors and
 * max-concurrent-downloads, logs what needs a restart and sends the
 * "daemon reload" event; a file that does not load changes nothing (the
 * error is logged). */
int daemon_reload_init(struct tug_daemon_config *c, int argc, char **argv, struct err *e);
void daemon_reload(struct daemon *d);
/* The log level of c: debug, else log-level, else info. */
void daemon_apply_log_level(const struct tug_daemon_config *c);
/* The registry settings now (reloadable): insecure registries and mirrors
 * as comma-separated lists (from the daemon's environment,
 * TUG_INSECURE_REGISTRIES / TUG_REGISTRY_MIRRORS, when the configuration
 * has none), and the download limit. */
void daemon_registry_settings(char *insecure, size_t isize, char *mirrors, size_t msize,
			      int *max_downloads);
/* GET /info's RegistryConfig object (the caller's cJSON_Delete). */
cJSON *daemon_registry_config(void);

/* Time as Docker prints it: RFC 3339 with nanoseconds, UTC. */
void daemon_time_str(int64_t ns, char *buf, size_t size);
int64_t daemon_now_ns(void);

#endif
