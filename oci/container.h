/* container.h - the runtime's operations on one container, as runc's command
 * line names them: create, start, kill, delete, pause, resume, update, exec. */
#ifndef TUG_OCI_CONTAINER_H
#define TUG_OCI_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "oci/spec.h"

struct oci_create_opts {
	const char *root; /* state root, e.g. /run/tug-runtime */
	const char *id;
	const char *bundle; /* absolute path of the bundle */
	const char *pid_file; /* NULL: none */
	const char *console_socket; /* NULL: none */
	int console_fd; /* or a connected socket for the master (borrowed); -1: none */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds; /* fds 3 .. 3+n-1 are passed to the container */
};

/* Create the container and leave its init waiting for start; *pid gets the
 * init's pid. On failure nothing is left: no state, cgroup, mount, process. */
int oci_container_create(const struct oci_create_opts *o, pid_t *pid, struct err *e);

/* Let a created container's init exec its program; poststart hooks after. */
int oci_container_start(const char *root, const char *id, struct err *e);

/* Send sig to the init, or with all to every process of the container. */
int oci_container_kill(const char *root, const char *id, int sig, bool all, struct err *e);

/* Remove a stopped (or, with force, any) container: processes, cgroup,
 * state; poststop hooks run. */
int oci_container_delete(const char *root, const char *id, bool force, struct err *e);

int oci_container_pause(const char *root, const char *id, struct err *e);
int oci_container_resume(const char *root, const char *id, struct err *e);

/* Apply new resources to the container's cgroup. */
int oci_container_update(const char *root, const char *id, const struct oci_resources *r,
			 struct err *e);

struct oci_cgroup_stats;

/* The counters of the container's cgroup (oci/cgroup.h). Also for an init
 * that has exited, as long as the container was not deleted: the shim reads
 * the OOM kills there before it deletes. st is zeroed first. */
int oci_container_stats(const char *root, const char *id, struct oci_cgroup_stats *st,
			struct err *e);

/* The pids in the container's cgroup; *pids is malloc'd. */
int oci_container_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct err *e);

struct oci_exec_opts {
	const char *root, *id;
	const struct oci_process *process; /* what to run, as in config.json */
	const char *pid_file, *console_socket;
	int console_fd; /* or a connected socket for the pty master (borrowed); -1: none */
	bool detach;
	int preserve_fds;
	/* Without detach: called once the process runs, before the wait (the
	 * caller's chance to serve the terminal); may be NULL. */
	void (*running)(void *arg, pid_t pid);
	void *arg;
};

/* Run a new process in a running container's namespaces and cgroup. Without
 * detach waits for it and sets *status to its exit code (128+signal). */
int oci_container_exec(const struct oci_exec_opts *o, int *status, struct err *e);

#endif
