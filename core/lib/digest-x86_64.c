/* digest-x86_64.c - SHA-256 blocks with the SHA-NI instructions. The state
 * lives in two registers as the instructions want it, (a,b,e,f) and
 * (c,d,g,h); each sha256rnds2 does two rounds, so four rounds take two of
 * them, and sha256msg1/msg2 extend the message schedule four words at a
 * time. Compiled for the target with a function attribute: the rest of the
 * binary still runs on CPUs without these instructions. */
#include <cpuid.h>
#include <immintrin.h>

#include "digest-hw.h"

#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

bool digest_hw_available(void)
{
	static int have = -1;
	unsigned a, b, c, d;

	if (have < 0) {
		have = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_1) && (c & bit_SSSE3) &&
		       __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
	}
	return have;
}

SHA_TARGET void digest_hw_blocks(uint32_t state[8], const unsigned char *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i t = _mm_loadu_si128((const __m128i *)&state[0]); /* lanes a b c d */
	__m128i s1 = _mm_loadu_si128((const __m128i *)&state[4]); /* lanes e f g h */
	__m128i s0;

	t = _mm_shuffle_epi32(t, 0xB1); /* b a d c */
	s1 = _mm_shuffle_epi32(s1, 0x1B); /* h g f e */
	s0 = _mm_alignr_epi8(t, s1, 8); /* f e b a: "abef" */
	s1 = _mm_blend_epi16(s1, t, 0xF0); /* h g d c: "cdgh" */
	for (; n--; p += 64) {
		__m128i m[4], keep0 = s0, keep1 = s1;

		for (int i = 0; i < 4; i++)
			m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)),
						bswap);
		for (int i = 0; i < 16; i++) {
			__m128i w, *cur = &m[i & 3];

			if (i >= 4) {
				/* W[t-16] + s0(W[t-15]) + W[t-7], then + s1(W[t-2]) */
				w = _mm_sha256msg1_epu32(*cur, m[(i + 1) & 3]);
				w = _mm_add_epi32(
					w, _mm_alignr_epi8(m[(i + 3) & 3], m[(i + 2) & 3], 4));
				*cur = _mm_sha256msg2_epu32(w, m[(i + 3) & 3]);
			}
			w = _mm_add_epi32(
				*cur, _mm_loadu_si128((const __m128i *)&digest_sha256_k[4 * i]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, w);
			s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(w, 0x0E));
		}
		s0 = _mm_add_epi32(s0, keep0);
		s1 = _mm_add_epi32(s1, keep1);
	}
	t = _mm_shuffle_epi32(s0, 0x1B); /* a b e f */
	s1 = _mm_shuffle_epi32(s1, 0xB1); /* g h c d */
	_mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(t, s1, 0xF0));
	_mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(s1, t, 8));
}
