/* init.h - the container's first process between clone and exec, and the
 * messages it exchanges with the runtime that made it over a socketpair. */
#ifndef TUG_OCI_INIT_H
#define TUG_OCI_INIT_H

#include <stdbool.h>

#include "oci/cgroup.h"
#include "oci/seccomp.h"
#include "oci/spec.h"

/* One byte a message; 'E' is followed by the error text. */
#define SYNC_GO 'G' /* runtime -> init: maps written, cgroup joined */
#define SYNC_MOUNTED 'M' /* init -> runtime: mounts done, before pivot_root */
#define SYNC_HOOKS_DONE 'm' /* runtime -> init: prestart/createRuntime hooks ran */
#define SYNC_READY 'R' /* init -> runtime: waiting for start */
#define SYNC_ERROR 'E' /* init -> runtime: failed, text follows */
#define SYNC_PID 'P' /* intermediate -> runtime: the init's pid follows */

struct oci_init_ctx {
	const struct oci_spec *spec;
	const char *rootfs; /* absolute */
	int sync_fd; /* the init's end of the socketpair */
	int fifo_fd; /* O_PATH fd of exec.fifo */
	int console_fd; /* -1 or the console socket */
	int preserve_fds;
	bool no_pivot, no_new_keyring;
	bool own_uts_ns, new_user_ns, new_net_ns; /* own: new or joined by path */
	bool new_cgroup_ns; /* unshared after the runtime moved us into the cgroup */
	const struct oci_cgroup_layout *layout;
	const struct oci_cgroup *cg;
	const struct oci_bpf *seccomp; /* NULL: none */
	const char *state_json; /* for createContainer/startContainer hooks */
};

/* Never returns: execs the container's program or exits non-zero after
 * sending SYNC_ERROR with the reason. */
__attribute__((noreturn)) void oci_init_main(struct oci_init_ctx *c);

/* Send a message byte (and text for SYNC_ERROR); used by both sides. */
int oci_sync_send(int fd, char type, const void *data, size_t len);

#endif
