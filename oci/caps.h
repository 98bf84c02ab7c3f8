/* caps.h - capabilities by name, and applying a process's five capability
 * sets across the switch to the container's user. */
#ifndef TUG_OCI_CAPS_H
#define TUG_OCI_CAPS_H

#include "err.h"
#include "oci/spec.h"

/* "CAP_SYS_ADMIN" to its number; -1 when unknown (the spec spells names exactly). */
int oci_cap_from_name(const char *name);
/* "CAP_SYS_ADMIN"; NULL for a number this build has no name for. */
const char *oci_cap_name(int cap);
/* The highest capability this build knows. */
int oci_cap_last_known(void);
/* The highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap). */
int oci_cap_last_kernel(void);

/* Drop every capability not in c->bounding from the bounding set. Needs
 * CAP_SETPCAP; call before the user switch. */
int oci_caps_apply_bounding(const struct oci_caps *c, struct err *e);
/* Set effective, permitted and inheritable with capset, then the ambient set.
 * Call after the user switch (with PR_SET_KEEPCAPS held across it). */
int oci_caps_apply(const struct oci_caps *c, struct err *e);

#endif
