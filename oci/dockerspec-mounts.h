/* dockerspec-mounts.h - the user mounts as the two mount files share them:
 * dockerspec-mounts.c parses and checks, dockerspec-mounts-out.c emits. */
#ifndef TUG_OCI_DOCKERSPEC_MOUNTS_H
#define TUG_OCI_DOCKERSPEC_MOUNTS_H

#include <limits.h>

#include "oci/dockerspec-priv.h"

enum um_type { UM_BIND, UM_VOLUME, UM_TMPFS };

/* One user mount, parsed. */
struct um {
	enum um_type type;
	char dest[PATH_MAX];
	char src[PATH_MAX]; /* bind source; volume path once resolved */
	char name[256]; /* volume name, "" for a new anonymous one */
	char subpath[256]; /* VolumeOptions.Subpath */
	char mode[64]; /* the Binds mode text, for inspect */
	char prop[12]; /* propagation, "" for none */
	char data[512]; /* tmpfs options after the defaults */
	bool rw, nonrec, rro, create, from_binds, in_inspect;
};

struct ums {
	struct um *v;
	size_t n, cap;
};

/* A zeroed entry (rw, shown in inspect) at the end of l; NULL + e. */
struct um *ds_um_add(struct ums *l, struct err *e);
/* Binds, Mounts and Tmpfs of hc into l (the caller frees l->v); no side
 * effects: nothing is made, no volume is looked up. */
int ds_mounts_parse(const cJSON *hc, struct ums *l, struct err *e);
/* "noexec,nosuid,nodev,rprivate" + data merged as dockerd merges tmpfs
 * options (a later flag or key wins), appended to arr; arr NULL: check only. */
int ds_tmpfs_options(struct ds *d, const char *data, cJSON *arr, struct err *e);

#endif
