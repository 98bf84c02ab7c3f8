/* fuzz_auth.c - libFuzzer harness for what registries and clients send
 * tug about auth: WWW-Authenticate challenges, token server answers,
 * X-Registry-Auth values. No input may crash them; what a challenge
 * parse accepts is a Basic or a Bearer with a realm.
 * Built and run by `make fuzz` (FUZZ_TIME seconds). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[4096];
	struct reg_challenge c;
	struct reg_token t;
	struct reg_creds cr;
	struct err e;

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (reg_challenge_parse(in, &c, &e) == 0 &&
	    !(c.scheme == REG_AUTH_BASIC || (c.scheme == REG_AUTH_BEARER && c.realm[0])))
		abort();
	if (reg_token_parse(in, size, 0, &t, &e) == 0) {
		if (!t.token || !t.token[0])
			abort();
		free(t.token);
	}
	reg_creds_from_header(in, &cr, &e);
	return 0;
}
