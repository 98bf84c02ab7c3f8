/* volumes.h - local volumes (placeholder until the volume store lands). */
#ifndef TUG_DAEMON_VOLUMES_H
#define TUG_DAEMON_VOLUMES_H
#include <stddef.h>
#include "core/daemon/daemon.h"
int vol_get(struct daemon *d, const char *name, char *name_out, size_t name_size, char *path_out,
	    size_t path_size, struct err *e);
void vol_remove_unused(struct daemon *d, const char *name);
#endif
