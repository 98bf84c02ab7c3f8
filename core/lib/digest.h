/* digest.h - content digests ("sha256:<64 hex>") computed as bytes stream
 * past (BearSSL's SHA-256), and a reader that digests what it passes on. */
#ifndef TUG_DIGEST_H
#define TUG_DIGEST_H

#include <stdbool.h>
#include <stdint.h>

#include <bearssl_hash.h>

#include "err.h"
#include "stream.h"

#define DIGEST_HEX_LEN 64
#define DIGEST_STR_MAX 72 /* "sha256:" + 64 hex + NUL, rounded up */

struct digest_ctx {
	br_sha256_context sha;
	uint64_t size; /* bytes digested so far */
	bool hw; /* whole blocks go through the CPU's SHA instructions */
};

void digest_init(struct digest_ctx *d);
/* Use BearSSL's portable code even where the CPU has SHA instructions (for
 * the tests that compare the two). */
static inline void digest_no_hw(struct digest_ctx *d)
{
	d->hw = false;
}
void digest_update(struct digest_ctx *d, const void *buf, size_t len);
/* Write "sha256:<hex>" into out; d may be updated further afterwards. */
void digest_final(const struct digest_ctx *d, char out[DIGEST_STR_MAX]);
/* Digest a whole buffer. */
void digest_buf(const void *buf, size_t len, char out[DIGEST_STR_MAX]);

/* True when s is "sha256:" followed by exactly 64 lowercase hex digits.
 * Other algorithms (sha512, ...) are refused: tug only stores sha256. */
bool digest_valid(const char *s);
/* Like digest_valid, with a message naming what and why on failure. */
int digest_check(const char *s, const char *what, struct err *e);
/* The 64 hex digits of a valid digest (a pointer into s). */
const char *digest_hex(const char *s);

/* A reader that passes src through and digests every byte it returns. */
struct digest_reader {
	struct stream_reader src; /* borrowed */
	struct digest_ctx d;
};
void digest_reader_init(struct digest_reader *dr, struct stream_reader src);
struct stream_reader digest_reader_stream(struct digest_reader *dr);

#endif
