/* fuzz_dockerspec.c - libFuzzer harness for the Docker create body ->
 * config.json translation: any body either fails oci_dspec_check with a
 * message or builds; the input also serves as the image config. Binds,
 * Mounts, Devices and Privileged are dropped before the build: they make
 * folders on and walk the host. Built and run by `make fuzz` (FUZZ_TIME seconds). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "oci/dockerspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int vol_get(void *arg, const char *name, char *name_out, size_t name_size, char *path_out,
		   size_t path_size, struct err *e)
{
	(void)arg;
	(void)e;
	snprintf(name_out, name_size, "%s", name ? name : "0123abcd");
	snprintf(path_out, path_size, "/nonexistent/volumes/%s/_data", name_out);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct oci_dspec_volume_ops vols = {vol_get, NULL};
	struct oci_dspec_in in = {
		.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		.rootfs = "/nonexistent/rootfs",
		.volumes = &vols,
	};
	cJSON *body = NULL, *cfg = NULL, *mounts = NULL, *hc;
	struct err e = {0};

	if (json_parse((const char *)data, size, &body, &e) < 0)
		return 0;
	if (oci_dspec_check(body, &e) < 0) {
		if (!e.msg[0])
			abort();
		goto out;
	}
	hc = cJSON_GetObjectItem(body, "HostConfig");
	cJSON_DeleteItemFromObject(hc, "Binds");
	cJSON_DeleteItemFromObject(hc, "Mounts");
	cJSON_DeleteItemFromObject(hc, "Devices");
	cJSON_DeleteItemFromObject(hc, "Privileged");
	in.body = body;
	in.image_config = body;
	e.msg[0] = '\0';
	if (oci_dspec_build(&in, &cfg, &mounts, &e) < 0 && !e.msg[0])
		abort();
out:
	cJSON_Delete(cfg);
	cJSON_Delete(mounts);
	cJSON_Delete(body);
	return 0;
}
