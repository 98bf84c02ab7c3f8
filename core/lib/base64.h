/* base64.h - RFC 4648 base64, standard and URL alphabets: registry
 * credentials ("auth" in config.json), Basic auth, X-Registry-Auth. */
#ifndef TUG_BASE64_H
#define TUG_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Bytes needed to encode n bytes, with the NUL. */
#define BASE64_ENCODED_SIZE(n) ((((n) + 2) / 3) * 4 + 1)

/* Encode with padding into out (BASE64_ENCODED_SIZE(n) bytes); returns the
 * length without the NUL. */
size_t base64_encode(const void *in, size_t n, char *out, bool url);

/* Decode s (either alphabet, padding optional, no whitespace) into out of
 * outsize bytes; returns the length, or -1 when s is not base64 or out is
 * too small. out gets a NUL after the data when there is room. */
ssize_t base64_decode(const char *s, size_t len, void *out, size_t outsize);

#endif
