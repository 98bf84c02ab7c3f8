/* mountopt.h - a mount's option strings ("ro", "nosuid", "rbind", "mode=755")
 * turned into mount(2) flags, propagation and the data string. */
#ifndef TUG_OCI_MOUNTOPT_H
#define TUG_OCI_MOUNTOPT_H

#include <stdbool.h>
#include <stddef.h>

struct oci_mountopts {
	unsigned long flags; /* MS_* to set */
	unsigned long clear_flags; /* MS_* turned off by "rw", "suid", "dev", ... */
	unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE [|MS_REC] */
	unsigned long rec_set, rec_clear; /* "rro", "rnosuid": MOUNT_ATTR_* for mount_setattr */
	bool bind, recursive;
};

/* Parse one option. Returns 1 when it is a flag (recorded in o), 0 when it is
 * data for the filesystem ("size=64m"), -1 when it is known to be unsupported
 * (recorded nowhere; the caller reports it). */
int oci_mountopt_parse(const char *opt, struct oci_mountopts *o);

#endif
