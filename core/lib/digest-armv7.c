/* digest-armv7.c - no SHA instructions used on 32-bit ARM (ARMv7 has none;
 * ARMv8 cores in AArch32 mode are left to the portable code). */
#include "digest-hw.h"

bool digest_hw_available(void)
{
	return false;
}

void digest_hw_blocks(uint32_t state[8], const unsigned char *p, size_t n)
{
	(void)state;
	(void)p;
	(void)n;
}
