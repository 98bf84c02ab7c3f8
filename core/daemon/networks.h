/* networks.h - the daemon's network records: the built-in bridge, host and
 * none, and user-defined networks, each a JSON file under
 * <data-root>/networks/ in the shape `docker network inspect` shows. Only
 * records so far: no bridge, veth or NAT is made (the networking issue). */
#ifndef TUG_DAEMON_NETWORKS_H
#define TUG_DAEMON_NETWORKS_H

#include <stdbool.h>
#include <cJSON.h>

#include "core/daemon/daemon.h"
#include "err.h"

/* The kernel name the default bridge will get (the built-in "bridge"'s
 * com.docker.network.bridge.name). */
#define NW_DEFAULT_BRIDGE "tug0"

/* Daemon start: load the records; make the built-ins the first time (their
 * ids are made once and kept). May be called again (tests): the records
 * of the previous data-root are dropped. */
int nw_init(struct daemon *d, struct err *e);

/* Is name one of "bridge", "host", "none" (and "default", which means
 * bridge in a container's NetworkMode)? */
bool nw_is_predefined(const char *name);

/* The functions below return 0, or the HTTP status dockerd answers with
 * (400, 403, 404, 409, 500) and its message in e. */

/* A copy of the record (the inspect JSON; *out is the caller's) found by
 * full id, then name, then unique id prefix, as dockerd looks them up:
 * 404 "network x not found", 400 when ambiguous. */
int nw_find(const char *term, cJSON **out, struct err *e);

/* Copies of all records, oldest first (the built-ins none, host, bridge
 * lead); keep (may be NULL) returns false to leave a record out. */
int nw_list(bool (*keep)(const cJSON *nw, void *arg), void *arg, cJSON **out, struct err *e);

/* POST /networks/create with the request body: validates as dockerd does,
 * fills IPAM (a free subnet from the default pools, gateway .1), persists
 * the record and logs the event. id gets the new 64-hex id. */
int nw_create(struct daemon *d, const cJSON *req, char id[65], struct err *e);

/* DELETE /networks/{term}: 403 for the built-ins and while running
 * containers use it. */
int nw_remove(struct daemon *d, const char *term, struct err *e);

/* POST /networks/prune: the custom networks no running container uses and
 * keep (may be NULL) does not spare; *deleted gets their names (an array,
 * the caller's; empty when none). */
int nw_prune(struct daemon *d, bool (*keep)(const cJSON *nw, void *arg), void *arg, cJSON **deleted,
	     struct err *e);

/* How many running containers are attached to the network (by NetworkMode
 * or NetworkingConfig, by name or id); takes d->mu. Until the networking
 * issue this is what "active endpoints" means. */
int nw_users(struct daemon *d, const cJSON *nw);

#endif
