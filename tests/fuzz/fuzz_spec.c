/* fuzz_spec.c - libFuzzer harness for the OCI runtime config parser
 * (config.json, and the resources object `update` reads): no input may
 * crash it or leak, and an error always comes with a message.
 * Built and run by `make fuzz` (FUZZ_TIME seconds). */
#include <stdint.h>
#include <stdlib.h>

#include "oci/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_spec *s = NULL;
	struct err e = {0};

	if (oci_spec_parse((const char *)data, size, &s, &e) == 0)
		oci_spec_free(s);
	else if (!e.msg[0])
		abort();
	s = NULL;
	e.msg[0] = '\0';
	if (oci_spec_parse_resources((const char *)data, size, &s, &e) == 0)
		oci_spec_free(s);
	else if (!e.msg[0])
		abort();
	return 0;
}
