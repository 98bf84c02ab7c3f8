/* state.h - what the runtime remembers of a container between commands:
 * <root>/<id>/state.json (written atomically), config.json, exec.fifo. */
#ifndef TUG_OCI_STATE_H
#define TUG_OCI_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

#define OCI_ID_MAX 1024

struct oci_state {
	char id[OCI_ID_MAX];
	pid_t pid; /* the init process; 0 once it is gone */
	unsigned long long pid_start; /* its start time, against pid reuse */
	char bundle[PATH_MAX];
	char rootfs[PATH_MAX];
	char created[40]; /* RFC 3339 with nanoseconds, UTC */
	uid_t owner;
	char cgroup[PATH_MAX]; /* the container's cgroup, relative to the roots */
	bool cgroup_made; /* this runtime made it: delete removes it */
	bool paused; /* frozen by `pause`, until `resume` */
};

enum oci_status {
	OCI_STATUS_CREATING,
	OCI_STATUS_CREATED,
	OCI_STATUS_RUNNING,
	OCI_STATUS_PAUSED,
	OCI_STATUS_STOPPED,
};
const char *oci_status_name(enum oci_status st);

/* runc's rule: letters, digits, '_', '+', '-', '.'; not "." or "..". */
int oci_id_check(const char *id, struct err *e);

/* The folder of a container's state: root/id. */
int oci_state_dir(const char *root, const char *id, char *out, size_t size, struct err *e);

int oci_state_write(const char *root, const struct oci_state *st, struct err *e);
/* Fails with ENOENT ("container \"x\" does not exist") when there is none. */
int oci_state_read(const char *root, const char *id, struct oci_state *st, struct err *e);

/* Status from what is true now: the process, the exec fifo, pause. */
enum oci_status oci_state_status(const char *root, const struct oci_state *st);

/* Whether st->pid is still the container's init (same start time). */
bool oci_state_alive(const struct oci_state *st);

/* Start time of pid from /proc/<pid>/stat (field 22); 0 when gone. */
unsigned long long oci_proc_start_time(pid_t pid);

/* The OCI state JSON (ociVersion, id, status, pid, bundle, annotations...),
 * as runc state prints it; *out is the caller's (free). */
int oci_state_json(const char *root, const struct oci_state *st, bool pretty, char **out,
		   struct err *e);

#endif
