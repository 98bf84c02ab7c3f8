/* selfexe.h - run from a sealed in-memory copy of this binary, so that a
 * container cannot overwrite the host's tug through /proc/self/exe
 * (CVE-2019-5736: an entrypoint or interpreter of "/proc/self/exe" makes the
 * container run the runtime's own binary, then opens it for writing). */
#ifndef TUG_OCI_SELFEXE_H
#define TUG_OCI_SELFEXE_H

#include <stdbool.h>

#include "err.h"

/* True when this process already runs from a sealed memfd. */
bool oci_self_is_sealed(void);

/* When not yet sealed: copy /proc/self/exe into a memfd, seal it against
 * writes and size changes, and execute it with the same argv and environment.
 * Does not return on success; returns -1 with e set when it cannot. */
int oci_reexec_sealed(char **argv, struct err *e);

#endif
