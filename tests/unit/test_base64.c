/* test_base64.c - base64.c: RFC 4648 section 10 vectors both ways, the URL
 * alphabet, bad input. */
#include <string.h>

#include "base64.h"
#include "tap.h"

int main(void)
{
	static const char *const vec[][2] = {{"", ""},
					     {"f", "Zg=="},
					     {"fo", "Zm8="},
					     {"foo", "Zm9v"},
					     {"foob", "Zm9vYg=="},
					     {"fooba", "Zm9vYmE="},
					     {"foobar", "Zm9vYmFy"}};
	char enc[64], dec[64];
	int bad = 0;

	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		ssize_t n;

		base64_encode(vec[i][0], strlen(vec[i][0]), enc, false);
		bad += strcmp(enc, vec[i][1]) != 0;
		n = base64_decode(vec[i][1], strlen(vec[i][1]), dec, sizeof(dec));
		bad += n != (ssize_t)strlen(vec[i][0]) || strcmp(dec, vec[i][0]) != 0;
	}
	ok(!bad, "RFC 4648 vectors, encode and decode");
	base64_encode("\xfb\xff", 2, enc, true);
	is_str(enc, "-_8=", "URL alphabet");
	ok(base64_decode("-_8", 3, dec, sizeof(dec)) == 2 && (unsigned char)dec[0] == 0xfb,
	   "URL alphabet without padding decodes");
	base64_encode("tug:secret", 10, enc, false);
	is_str(enc, "dHVnOnNlY3JldA==", "user:password as Docker stores it");
	ok(base64_decode("Zm9v!", 5, dec, sizeof(dec)) < 0, "a character outside both alphabets");
	ok(base64_decode("Zm9vY", 5, dec, sizeof(dec)) < 0, "an impossible length");
	ok(base64_decode("Zm9vYmFy", 8, dec, 5) < 0, "output too small is refused, not cut");
	return done_testing();
}
