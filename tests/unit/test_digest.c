/* test_digest.c - digest.c: NIST vectors, streaming equals one-shot, syntax. */
#include <string.h>

#include "digest-hw.h"
#include "digest.h"
#include "tap.h"

struct mem {
	const char *p;
	size_t left, chunk;
};

static ssize_t mem_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct mem *m = ctx;

	(void)e;
	if (n > m->chunk)
		n = m->chunk;
	if (n > m->left)
		n = m->left;
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (ssize_t)n;
}

int main(void)
{
	char out[DIGEST_STR_MAX], buf[7];
	struct digest_ctx d;
	struct digest_reader dr;
	struct mem m = {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, 5};
	struct stream_reader r;
	struct err e;

	digest_buf("", 0, out);
	is_str(out, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "empty input");
	digest_buf("abc", 3, out);
	is_str(out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "abc (FIPS 180-2)");

	digest_reader_init(&dr, (struct stream_reader){mem_read, &m});
	r = digest_reader_stream(&dr);
	while (stream_read(&r, buf, sizeof(buf), &e) > 0)
		;
	digest_final(&dr.d, out);
	is_str(out, "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	       "448-bit vector through a reader in 5-byte pieces");
	is_int((long long)dr.d.size, 56, "the reader counts bytes");

	digest_init(&d);
	digest_update(&d, "a", 1);
	digest_final(&d, out);
	digest_update(&d, "bc", 2);
	digest_final(&d, out);
	is_str(out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "final does not end the context");

	ok(digest_valid("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
	   "valid digest");
	ok(!digest_valid("sha256:BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
	   "upper case refused");
	ok(!digest_valid("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a"),
	   "63 digits refused");
	ok(!digest_valid(
		   "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0"),
	   "65 digits refused");
	ok(!digest_valid(NULL) && !digest_valid("") && !digest_valid("sha256:"), "empty refused");
	ok(digest_check("sha512:abcd", "layer 1", &e) == -1 &&
		   strstr(e.msg, "unsupported digest algorithm") && strstr(e.msg, "layer 1"),
	   "other algorithms named as unsupported");
	ok(digest_check("../../etc", "config", &e) == -1 && strstr(e.msg, "invalid digest"),
	   "garbage refused");
	{
		/* the CPU's instructions against BearSSL's C, every split point */
		static unsigned char big[4096 + 77];
		char hw[DIGEST_STR_MAX], sw[DIGEST_STR_MAX];
		int bad = 0;
		uint32_t x = 1;

		for (size_t i = 0; i < sizeof(big); i++)
			big[i] = (unsigned char)((x = x * 1103515245u + 12345u) >> 16);
		diag("SHA instructions: %s", digest_hw_available() ? "yes" : "no");
		for (size_t len = 0; len < sizeof(big); len += 61) {
			for (size_t cut = 0; cut <= len; cut += 29) {
				struct digest_ctx a, b;

				digest_init(&a);
				digest_init(&b);
				digest_no_hw(&b);
				digest_update(&a, big, cut);
				digest_update(&a, big + cut, len - cut);
				digest_update(&b, big, len);
				digest_final(&a, hw);
				digest_final(&b, sw);
				bad += strcmp(hw, sw) != 0;
			}
		}
		ok(!bad, "hardware and portable digests agree (%d differ)", bad);
	}
	return done_testing();
}
