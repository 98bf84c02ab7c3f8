/* digest-hw.h - SHA-256 block compression in the CPU's own instructions
 * (x86 SHA-NI, ARMv8 SHA2), one file per architecture chosen by the build.
 * BearSSL's portable C runs at ~260 MB/s; a pull hashes every byte twice
 * (the compressed blob and the tar), so the hash bounded the pull. */
#ifndef TUG_DIGEST_HW_H
#define TUG_DIGEST_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when this CPU has the instructions (checked once). */
bool digest_hw_available(void);
/* Run n 64-byte blocks at p through the compression function, updating
 * state (a, b, ..., h). Only after digest_hw_available() said true. */
void digest_hw_blocks(uint32_t state[8], const unsigned char *p, size_t n);

/* The round constants (FIPS 180-4, 4.2.2), shared by the implementations. */
extern const uint32_t digest_sha256_k[64];

#endif
