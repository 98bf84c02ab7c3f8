/* digest-aarch64.c - SHA-256 blocks with the ARMv8 SHA2 instructions
 * (sha256h/h2 do four rounds on (a,b,c,d) and (e,f,g,h); sha256su0/su1
 * extend the schedule four words at a time). Chosen at run time by HWCAP:
 * the rest of the binary runs on cores without the crypto extension. */
#include <arm_neon.h>
#include <sys/auxv.h>

#include "digest-hw.h"

#ifndef HWCAP_SHA2
#define HWCAP_SHA2 (1 << 6)
#endif

bool digest_hw_available(void)
{
	static int have = -1;

	if (have < 0)
		have = (getauxval(AT_HWCAP) & HWCAP_SHA2) != 0;
	return have;
}

__attribute__((target("+crypto"))) void digest_hw_blocks(uint32_t state[8], const unsigned char *p,
							 size_t n)
{
	uint32x4_t abcd = vld1q_u32(&state[0]), efgh = vld1q_u32(&state[4]);

	for (; n--; p += 64) {
		uint32x4_t m[4], keep0 = abcd, keep1 = efgh;

		for (int i = 0; i < 4; i++)
			m[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16 * i)));
		for (int i = 0; i < 16; i++) {
			uint32x4_t w, prev = abcd;

			if (i >= 4)
				m[i & 3] =
					vsha256su1q_u32(vsha256su0q_u32(m[i & 3], m[(i + 1) & 3]),
							m[(i + 2) & 3], m[(i + 3) & 3]);
			w = vaddq_u32(m[i & 3], vld1q_u32(&digest_sha256_k[4 * i]));
			abcd = vsha256hq_u32(abcd, efgh, w);
			efgh = vsha256h2q_u32(efgh, prev, w);
		}
		abcd = vaddq_u32(abcd, keep0);
		efgh = vaddq_u32(efgh, keep1);
	}
	vst1q_u32(&state[0], abcd);
	vst1q_u32(&state[4], efgh);
}
