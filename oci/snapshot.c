/* snapshot.c - the table of compiled-in snapshotters, picking one by probing,
 * and the beneath-safe tree removal they share. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/snapshot.h"

/* In order of preference. A configured-out entry folds to NULL at compile
 * time, so its symbol is never referenced. */
static const struct oci_snapshotter *const snapshotters[] = {
	CFG_SNAPSHOT_OVERLAY ? &oci_snapshotter_overlay : NULL,
	CFG_SNAPSHOT_COPY ? &oci_snapshotter_copy : NULL,
};
#define NSNAP (sizeof(snapshotters) / sizeof(snapshotters[0]))

const struct oci_snapshotter *oci_snapshotter_find(const char *name)
{
	for (size_t i = 0; i < NSNAP; i++)
		if (snapshotters[i] && !strcmp(snapshotters[i]->name, name))
			return snapshotters[i];
	return NULL;
}

static void compiled_in(char *out, size_t size)
{
	size_t len = 0;

	out[0] = 0;
	for (size_t i = 0; i < NSNAP && len < size; i++)
		if (snapshotters[i])
			len += snprintf(out + len, size - len, "%s%s", len ? ", " : "",
					snapshotters[i]->name);
	if (!out[0])
		snprintf(out, size, "none");
}

const struct oci_snapshotter *oci_snapshotter_pick(const char *dir, const char *name, struct err *e)
{
	char have[64], why[ERR_MSG_MAX] = "";
	size_t len = 0;
	struct err pe;

	if (name) {
		const struct oci_snapshotter *s = oci_snapshotter_find(name);

		if (!s) {
			compiled_in(have, sizeof(have));
			err_set(e, "snapshotter %s: not compiled in (this build has: %s)", name,
				have);
			return NULL;
		}
		if (s->probe(dir, e) < 0) {
			err_wrap(e, "snapshotter %s", name);
			return NULL;
		}
		return s;
	}
	for (size_t i = 0; i < NSNAP; i++) {
		if (!snapshotters[i])
			continue;
		err_clear(&pe);
		if (snapshotters[i]->probe(dir, &pe) == 0)
			return snapshotters[i];
		if (len < sizeof(why))
			len += snprintf(why + len, sizeof(why) - len, "%s%s: %s", len ? "; " : "",
					snapshotters[i]->name, pe.msg);
	}
	if (!len)
		err_set(e, "no snapshotter is usable under %s: none compiled in", dir);
	else
		err_set(e, "no snapshotter is usable under %s (%s)", dir, why);
	return NULL;
}
