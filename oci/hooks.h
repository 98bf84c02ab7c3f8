/* hooks.h - running the spec's hooks: the OCI state on stdin, a timeout,
 * failure when a hook fails. */
#ifndef TUG_OCI_HOOKS_H
#define TUG_OCI_HOOKS_H

#include "err.h"
#include "oci/spec.h"

/* Run every hook of one kind in order; state_json is written to each one's
 * stdin. Stops at the first that fails or times out. */
int oci_hooks_run(const struct oci_spec *s, enum oci_hook_kind kind, const char *state_json,
		  struct err *e);

const char *oci_hook_kind_name(enum oci_hook_kind kind);

#endif
