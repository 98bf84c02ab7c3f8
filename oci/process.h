/* process.h - the last steps before a container process runs its program:
 * limits, scheduling, user, capabilities, no_new_privs, seccomp, exec.
 * Shared by a container's init and by exec. */
#ifndef TUG_OCI_PROCESS_H
#define TUG_OCI_PROCESS_H

#include <stddef.h>

#include "err.h"
#include "oci/spec.h"

/* rlimits, oom_score_adj, I/O priority, scheduler: what still needs
 * privileges. */
int oci_process_limits(const struct oci_process *p, struct err *e);

/* chdir to the cwd and check that it is inside the root. Before seccomp is
 * loaded (a profile may deny getcwd) and before the user switch. */
int oci_process_check_cwd(const struct oci_process *p, struct err *e);

/* Bounding set, user and groups, chdir, then the other capability sets. */
int oci_process_identity(const struct oci_process *p, struct err *e);

/* Find args[0] in the PATH of the process's env, like execvp; out gets the
 * path. ENOENT/EACCES errors say "executable file not found in $PATH". */
int oci_process_lookup(const struct oci_process *p, char *out, size_t size, struct err *e);

/* Mark every fd from 3 + preserve_fds up close-on-exec, then execve. Returns
 * only on failure. */
int oci_process_exec(const struct oci_process *p, const char *path, int preserve_fds,
		     struct err *e);

#endif
