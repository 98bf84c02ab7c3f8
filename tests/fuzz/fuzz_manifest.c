/* fuzz_manifest.c - libFuzzer harness for reg_manifest_parse and
 * reg_config_parse: no input may crash them; a manifest accepted must
 * write back to JSON that parses to the same JSON again.
 * The first byte picks the Content-Type, the rest is the document.
 *
 * Not part of `make`. Build and run from the top of the tree (the host's
 * static libraries come from `make debug`, which builds build/sysroot/host):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -std=gnu11 \
 *     -Icore/lib -I. -Ibuild/sysroot/host/include \
 *     tests/fuzz/fuzz_manifest.c registry/manifest.c registry/platform.c \
 *     core/lib/json.c core/lib/digest.c core/lib/err.c core/lib/file.c core/lib/path.c \
 *     build/sysroot/host/lib/libcjson.a build/sysroot/host/lib/libbearssl.a \
 *     -o build/fuzz_manifest
 *   build/fuzz_manifest -max_len=20000 -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const content_types[] = {
	NULL,
	REG_MT_DOCKER_MANIFEST,
	REG_MT_DOCKER_LIST,
	REG_MT_OCI_MANIFEST,
	REG_MT_OCI_INDEX,
	REG_MT_DOCKER_SCHEMA1_SIGNED,
	"application/json",
	REG_MT_OCI_INDEX "; charset=utf-8",
};

static void roundtrip(const struct reg_manifest *m)
{
	static struct reg_manifest again;
	char *json = NULL, *json2 = NULL;
	size_t len = 0, len2 = 0;
	struct err e;

	if (reg_manifest_to_json(m, &json, &len, &e) < 0)
		abort();
	if (reg_manifest_parse(&again, json, len, NULL, &e) < 0)
		abort();
	if (reg_manifest_to_json(&again, &json2, &len2, &e) < 0 || strcmp(json, json2) != 0)
		abort();
	cJSON_free(json);
	cJSON_free(json2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct reg_manifest m;
	static struct reg_image_config c;
	struct reg_platform want;
	const struct reg_index_entry *x;
	struct err e;

	if (size < 1)
		return 0;
	if (reg_manifest_parse(
		    &m, (const char *)data + 1, size - 1,
		    content_types[data[0] % (sizeof(content_types) / sizeof(*content_types))],
		    &e) == 0) {
		roundtrip(&m);
		reg_platform_from_machine(&want, "x86_64");
		if (reg_manifest_is_index(m.kind))
			reg_index_select(&m, &want, &x, &e);
	}
	if (reg_config_parse(&c, (const char *)data + 1, size - 1, &e) == 0)
		reg_config_check_layers(&c, &m, &e);
	return 0;
}
