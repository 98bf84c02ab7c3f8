/* container-internal.h - what container.c (create) and container-ops.c (the
 * other operations) share. */
#ifndef TUG_OCI_CONTAINER_INTERNAL_H
#define TUG_OCI_CONTAINER_INTERNAL_H

#include <sys/types.h>

#include "err.h"
#include "oci/cgroup.h"
#include "oci/spec.h"
#include "oci/state.h"

/* One message from the sync socket: *type, and its text (NUL-terminated)
 * for SYNC_ERROR. Returns 0, or -1 when the peer is gone (EOF). */
int oci_sync_recv(int fd, char *type, char *text, size_t size);
int oci_sync_recv_pid(int fd, pid_t *pid, struct err *e);

/* The container's cgroup from its saved state; layout and cg are the
 * caller's to free (oci_cgroup_free, oci_cgroup_layout_free). */
int oci_container_cgroup(const struct oci_state *st, struct oci_cgroup_layout *layout,
			 struct oci_cgroup **cg, struct err *e);

/* The state JSON for hooks and `state`, with status forced to status. */
int oci_hook_state(const char *root, const struct oci_state *st, const char *status, char **out,
		   struct err *e);

#endif
