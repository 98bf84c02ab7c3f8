/* api-pending.c - placeholders for the API parts being written (images,
 * volumes, networks); removed as each lands. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "core/daemon/daemon.h"
#include "core/daemon/volumes.h"
#include "file.h"

/* api_images: core/daemon/api-images.c (h-images) */
const struct api_part api_volumes = {NULL, 0}, api_networks = {NULL, 0};

int vol_get(struct daemon *d, const char *name, char *name_out, size_t name_size, char *path_out,
	    size_t path_size, struct err *e)
{
	if (!name)
		return err_set(e, "anonymous volumes: not yet");
	snprintf(name_out, name_size, "%s", name);
	snprintf(path_out, path_size, "%s/%s/_data", d->volumes_dir, name);
	return file_mkdir_p(path_out, 0755, e);
}

void vol_remove_unused(struct daemon *d, const char *name)
{
	(void)d;
	(void)name;
}
