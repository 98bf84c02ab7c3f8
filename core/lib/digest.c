/* digest.c - sha256 digests of streams, in the "sha256:<hex>" form the
 * image specs use. */
#include <string.h>

#include "digest-hw.h"
#include "digest.h"

void digest_init(struct digest_ctx *d)
{
	br_sha256_init(&d->sha);
	d->size = 0;
	d->hw = digest_hw_available();
}

/* Whole blocks go to the CPU's SHA instructions when it has them; the
 * partial block waits in BearSSL's context (its buf/count/val fields), so
 * br_sha256_out still pads and finishes. */
static void update_hw(br_sha256_context *c, const unsigned char *p, size_t len)
{
	size_t have = (size_t)(c->count & 63), n;

	c->count += len;
	if (have) {
		n = 64 - have < len ? 64 - have : len;
		memcpy(c->buf + have, p, n);
		p += n;
		len -= n;
		if (have + n < 64)
			return;
		digest_hw_blocks(c->val, c->buf, 1);
	}
	if (len >= 64) {
		digest_hw_blocks(c->val, p, len / 64);
		p += len & ~(size_t)63;
		len &= 63;
	}
	memcpy(c->buf, p, len);
}

void digest_update(struct digest_ctx *d, const void *buf, size_t len)
{
	if (d->hw)
		update_hw(&d->sha, buf, len);
	else
		br_sha256_update(&d->sha, buf, len);
	d->size += len;
}

void digest_final(const struct digest_ctx *d, char out[DIGEST_STR_MAX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char bin[br_sha256_SIZE];

	br_sha256_out(&d->sha, bin);
	memcpy(out, "sha256:", 7);
	for (size_t i = 0; i < sizeof(bin); i++) {
		out[7 + 2 * i] = hex[bin[i] >> 4];
		out[8 + 2 * i] = hex[bin[i] & 15];
	}
	out[7 + DIGEST_HEX_LEN] = '\0';
}

void digest_buf(const void *buf, size_t len, char out[DIGEST_STR_MAX])
{
	struct digest_ctx d;

	digest_init(&d);
	digest_update(&d, buf, len);
	digest_final(&d, out);
}

bool digest_valid(const char *s)
{
	if (!s || strncmp(s, "sha256:", 7) != 0)
		return false;
	s += 7;
	for (int i = 0; i < DIGEST_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[DIGEST_HEX_LEN] == '\0';
}

int digest_check(const char *s, const char *what, struct err *e)
{
	if (digest_valid(s))
		return 0;
	if (s && strchr(s, ':') && strncmp(s, "sha256:", 7) != 0)
		return err_set(e, "%s: unsupported digest algorithm in \"%.80s\" (only sha256)",
			       what, s);
	return err_set(e, "%s: invalid digest \"%.80s\" (want sha256:<64 lowercase hex digits>)",
		       what, s ? s : "");
}

const char *digest_hex(const char *s)
{
	return s + 7;
}

static ssize_t digest_reader_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct digest_reader *dr = ctx;
	ssize_t got = stream_read(&dr->src, buf, n, e);

	if (got > 0)
		digest_update(&dr->d, buf, (size_t)got);
	return got;
}

void digest_reader_init(struct digest_reader *dr, struct stream_reader src)
{
	dr->src = src;
	digest_init(&dr->d);
}

struct stream_reader digest_reader_stream(struct digest_reader *dr)
{
	return (struct stream_reader){.read = digest_reader_read, .ctx = dr};
}
