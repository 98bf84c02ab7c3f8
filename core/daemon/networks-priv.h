/* networks-priv.h - what networks.c (the records) and networks-create.c
 * (the create request) share; not for other parts of the daemon. */
#ifndef TUG_DAEMON_NETWORKS_PRIV_H
#define TUG_DAEMON_NETWORKS_PRIV_H

#include <pthread.h>
#include <stdint.h>
#include <cJSON.h>

#include "err.h"

/* nw_all, the records in creation order, is under nw_mu. Never held while
 * d->mu is taken (nw_users): the container code may look networks up with
 * d->mu held. */
extern pthread_mutex_t nw_mu;
extern cJSON *nw_all;

/* o[key] when a string, else "". */
const char *nw_str(const cJSON *o, const char *key);
int nw_random_id(char id[65], struct err *e);
/* A record with every field dockerd shows, IPAM.Config empty, no options. */
cJSON *nw_record_new(const char *name, const char *id, const char *driver, int64_t created_ns);
/* Write <networks>/<id>.json atomically. */
int nw_save(const cJSON *rec, struct err *e);
/* The record named or with this full id (nw_mu held), NULL when none. */
cJSON *nw_lookup(const char *name_or_id);

#endif
