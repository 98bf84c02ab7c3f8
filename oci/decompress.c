/* decompress.c - a stream_reader that undoes a layer's compression (gzip with
 * any number of members, zstd frames, or none) in constant memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

#include "oci/unpack.h"

#define DECOMP_BUF (64 * 1024)

struct oci_decomp {
	struct stream_reader src; /* borrowed */
	enum oci_compression kind;
	int src_eof; /* src said 0 */
	int member_done; /* gzip: a member ended, the next one may follow */
	int frame_open; /* zstd: inside a frame (not at a frame boundary) */
	int zstd_started; /* zstd: some input was seen (empty input is no frame) */
	int failed; /* sticky: every later read repeats err */
	struct err err;
	z_stream z;
	int z_ready;
	ZSTD_DStream *zs;
	size_t in_pos, in_len; /* unread input is in[in_pos..in_len) */
	unsigned char in[DECOMP_BUF];
};

static const char *kind_name(enum oci_compression c)
{
	switch (c) {
	case OCI_COMP_GZIP:
		return "gzip";
	case OCI_COMP_ZSTD:
		return "zstd";
	case OCI_COMP_NONE:
		return "uncompressed";
	default:
		return "auto";
	}
}

/* Remembers the first failure so that a caller retrying sees it again. */
static ssize_t fail(struct oci_decomp *d, struct err *e)
{
	d->failed = 1;
	if (e && e != &d->err)
		*e = d->err;
	return -1;
}

/* Refill the input buffer when it is empty. Returns 1 with bytes, 0 at the
 * end of src, -1 on error (d->err filled). */
static int fill(struct oci_decomp *d)
{
	ssize_t n;

	if (d->in_pos < d->in_len)
		return 1;
	if (d->src_eof)
		return 0;
	d->in_pos = d->in_len = 0;
	n = stream_read(&d->src, d->in, sizeof(d->in), &d->err);
	if (n < 0)
		return -1;
	if (n == 0) {
		d->src_eof = 1;
		return 0;
	}
	d->in_len = (size_t)n;
	return 1;
}

/* Reads until 4 bytes are buffered (or src ends) and names the format. */
static int sniff(struct oci_decomp *d, enum oci_compression *c)
{
	static const unsigned char zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
	ssize_t n;

	while (d->in_len < 4 && !d->src_eof) {
		n = stream_read(&d->src, d->in + d->in_len, sizeof(d->in) - d->in_len, &d->err);
		if (n < 0)
			return -1;
		if (n == 0)
			d->src_eof = 1;
		d->in_len += (size_t)n;
	}
	if (d->in_len >= 2 && d->in[0] == 0x1f && d->in[1] == 0x8b)
		*c = OCI_COMP_GZIP;
	else if (d->in_len >= 4 && memcmp(d->in, zstd_magic, 4) == 0)
		*c = OCI_COMP_ZSTD;
	else
		*c = OCI_COMP_NONE;
	return 0;
}

static ssize_t read_none(struct oci_decomp *d, void *buf, size_t n)
{
	size_t have;

	if (d->in_pos < d->in_len) {
		have = d->in_len - d->in_pos;
		if (have > n)
			have = n;
		memcpy(buf, d->in + d->in_pos, have);
		d->in_pos += have;
		return (ssize_t)have;
	}
	if (d->src_eof)
		return 0;
	return stream_read(&d->src, buf, n, &d->err);
}

/* Between gzip members: the end of src ends the stream; anything else must
 * be the next member's magic (Go's gzip reader, which made most layers,
 * refuses trailing garbage the same way). */
static int gzip_next_member(struct oci_decomp *d)
{
	int r;

	r = fill(d);
	if (r <= 0)
		return r;
	if (d->in[d->in_pos] != 0x1f) {
		err_set(&d->err, "gzip: garbage after the end of a member");
		return -1;
	}
	if (inflateReset(&d->z) != Z_OK) {
		err_set(&d->err, "gzip: cannot start the next member");
		return -1;
	}
	d->member_done = 0;
	return 1;
}

static ssize_t read_gzip(struct oci_decomp *d, void *buf, size_t n)
{
	int r, zr;

	if (n > UINT32_MAX)
		n = UINT32_MAX;
	d->z.next_out = buf;
	d->z.avail_out = (uInt)n;
	while (d->z.avail_out == n) {
		if (d->member_done) {
			r = gzip_next_member(d);
			if (r <= 0)
				return r;
		}
		r = fill(d);
		if (r < 0)
			return -1;
		if (r == 0) {
			err_set(&d->err, "unexpected end of gzip stream");
			return -1;
		}
		d->z.next_in = d->in + d->in_pos;
		d->z.avail_in = (uInt)(d->in_len - d->in_pos);
		zr = inflate(&d->z, Z_NO_FLUSH);
		d->in_pos = d->in_len - d->z.avail_in;
		if (zr == Z_STREAM_END)
			d->member_done = 1;
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			return err_set(&d->err, "gzip: corrupt data (%s)",
				       d->z.msg ? d->z.msg : "inflate failed");
	}
	return (ssize_t)(n - d->z.avail_out);
}

static ssize_t read_zstd(struct oci_decomp *d, void *buf, size_t n)
{
	ZSTD_outBuffer out = {buf, n, 0};
	ZSTD_inBuffer in;
	size_t zr;
	int r;

	while (out.pos == 0) {
		r = fill(d);
		if (r < 0)
			return -1;
		if (r == 0 && (d->frame_open || !d->zstd_started)) {
			err_set(&d->err, "unexpected end of zstd stream");
			return -1;
		}
		if (r == 0)
			return 0;
		d->zstd_started = 1;
		in = (ZSTD_inBuffer){d->in, d->in_len, d->in_pos};
		zr = ZSTD_decompressStream(d->zs, &out, &in);
		d->in_pos = in.pos;
		if (ZSTD_isError(zr))
			return err_set(&d->err, "zstd: corrupt data (%s)", ZSTD_getErrorName(zr));
		/* 0: a frame ended and everything in it was flushed. */
		d->frame_open = zr != 0;
	}
	return (ssize_t)out.pos;
}

static ssize_t decomp_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct oci_decomp *d = ctx;
	ssize_t r;

	if (d->failed)
		return fail(d, e);
	switch (d->kind) {
	/* The CFG_ tests let the linker drop a decoder that is compiled out
	 * (start() refused such a stream already). */
	case OCI_COMP_GZIP:
		r = CFG_GZIP ? read_gzip(d, buf, n) : -1;
		break;
	case OCI_COMP_ZSTD:
		r = CFG_ZSTD ? read_zstd(d, buf, n) : -1;
		break;
	default:
		r = read_none(d, buf, n);
		break;
	}
	return r < 0 ? fail(d, e) : r;
}

static int start(struct oci_decomp *d, struct err *e)
{
	if ((d->kind == OCI_COMP_GZIP && !CFG_GZIP) || (d->kind == OCI_COMP_ZSTD && !CFG_ZSTD))
		return err_set(e, "%s layers are compiled out of this tug (CONFIG_%s)",
			       kind_name(d->kind), d->kind == OCI_COMP_GZIP ? "GZIP" : "ZSTD");
	if (CFG_GZIP && d->kind == OCI_COMP_GZIP) {
		/* 16 + 15: gzip wrapper only, the largest window. */
		if (inflateInit2(&d->z, 16 + 15) != Z_OK)
			return err_sys(e, ENOMEM, "gzip: cannot start the decoder");
		d->z_ready = 1;
	}
	if (CFG_ZSTD && d->kind == OCI_COMP_ZSTD) {
		/* The window is bounded by zstd's default limit (2^27): a frame
		 * asking for more is refused rather than allocated. */
		d->zs = ZSTD_createDStream();
		if (!d->zs || ZSTD_isError(ZSTD_initDStream(d->zs)))
			return err_sys(e, ENOMEM, "zstd: cannot start the decoder");
	}
	return 0;
}

int oci_decomp_open(struct oci_decomp **out, struct stream_reader src, enum oci_compression c,
		    struct err *e)
{
	struct oci_decomp *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d)
		return err_sys(e, ENOMEM, "decompress: allocate");
	d->src = src;
	d->kind = c;
	if (c == OCI_COMP_AUTO && sniff(d, &d->kind) < 0) {
		if (e)
			*e = d->err;
		goto fail;
	}
	if (start(d, e) < 0)
		goto fail;
	*out = d;
	return 0;
fail:
	oci_decomp_free(d);
	return -1;
}

struct stream_reader oci_decomp_stream(struct oci_decomp *d)
{
	return (struct stream_reader){.read = decomp_read, .ctx = d};
}

enum oci_compression oci_decomp_kind(const struct oci_decomp *d)
{
	return d->kind;
}

void oci_decomp_free(struct oci_decomp *d)
{
	if (!d)
		return;
	if (CFG_GZIP && d->z_ready)
		inflateEnd(&d->z);
	if (CFG_ZSTD && d->zs)
		ZSTD_freeDStream(d->zs);
	free(d);
}
