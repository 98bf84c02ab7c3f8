/* ns.h - namespaces by name, and joining one by path (setns). */
#ifndef TUG_OCI_NS_H
#define TUG_OCI_NS_H

#include <sched.h>

#include "err.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

/* "pid" -> CLONE_NEWPID (also "network" -> CLONE_NEWNET); -1 when unknown. */
int oci_ns_from_name(const char *name);
/* CLONE_NEWNET -> "net", the name under /proc/<pid>/ns/; NULL when unknown. */
const char *oci_ns_proc_name(int type);
/* CLONE_NEWNET -> "network", the spec's name. */
const char *oci_ns_spec_name(int type);

/* Join the namespace at path (a /proc/<pid>/ns/<x> file or a bind mount of
 * one); type is the CLONE_NEW* the file must be. */
int oci_ns_join(const char *path, int type, struct err *e);

/* Join several: all paths are opened first (joining a mount namespace
 * changes what later paths mean), then joined, the user namespace first
 * (the others may belong to it). */
#define OCI_NS_MAX 8
int oci_ns_join_all(const char *const *paths, const int *types, size_t n, struct err *e);

#endif
