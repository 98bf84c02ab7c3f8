/* fuzz_ref.c - libFuzzer harness for reg_ref_parse: no input may crash it,
 * and what it accepts must print back to a reference that parses to the
 * same thing (the store keys images by that string).
 *
 * Not part of `make`. Build and run from the top of the tree (the host's
 * static libraries come from `make debug`, which builds build/sysroot/host):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -std=gnu11 \
 *     -Icore/lib -I. -Ibuild/sysroot/host/include \
 *     tests/fuzz/fuzz_ref.c registry/ref.c core/lib/digest.c core/lib/err.c \
 *     build/sysroot/host/lib/libbearssl.a -o build/fuzz_ref
 *   build/fuzz_ref -max_len=600 -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[1024], out[REG_REF_STR_MAX], again[REG_REF_STR_MAX], fam[REG_REF_STR_MAX];
	struct reg_ref r, r2;
	struct err e;

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (reg_ref_parse(&r, in, &e) < 0)
		return 0;
	reg_ref_string(&r, out, sizeof(out));
	reg_ref_familiar(&r, fam, sizeof(fam));
	reg_ref_registry_host(&r);
	/* the normalized form is a fixed point */
	if (reg_ref_parse(&r2, out, &e) < 0)
		abort();
	if (strcmp(reg_ref_string(&r2, again, sizeof(again)), out) != 0)
		abort();
	/* and so is the familiar one, back to the same full name */
	if (reg_ref_parse(&r2, fam, &e) < 0 ||
	    strcmp(reg_ref_string(&r2, again, sizeof(again)), out) != 0)
		abort();
	return 0;
}
