/* test_decompress.c - oci/decompress.c: detection by magic bytes, gzip with
 * several members, zstd frames, truncation and garbage, tiny reads. */
#include <string.h>

#include "layer.h"
#include "oci/unpack.h"
#include "tap.h"

/* Everything d gives, read chunk bytes at a time into out. */
static int drain(struct oci_decomp *d, size_t chunk, struct buf *out, struct err *e)
{
	struct stream_reader r = oci_decomp_stream(d);
	unsigned char tmp[70000];
	ssize_t n;

	for (;;) {
		n = stream_read(&r, tmp, chunk, e);
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		buf_add(out, tmp, (size_t)n);
	}
}

/* Decompress in (fed src_chunk bytes a call) with kind c; 0 and the bytes
 * in out, or -1 and e. */
static int run(const struct buf *in, size_t src_chunk, size_t chunk, enum oci_compression c,
	       enum oci_compression *found, struct buf *out, struct err *e)
{
	struct mem m = {in->p, in->len, src_chunk};
	struct oci_decomp *d;
	int r;

	out->len = 0;
	if (oci_decomp_open(&d, (struct stream_reader){mem_read, &m}, c, e) < 0)
		return -1;
	if (found)
		*found = oci_decomp_kind(d);
	r = drain(d, chunk, out, e);
	if (r == 0 && m.left != 0)
		r = err_set(e, "source not read to its end (%zu left)", m.left);
	oci_decomp_free(d);
	return r;
}

static void pattern(struct buf *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)("tug layers "[i % 11] ^ (i / 4096));

		buf_add(b, &c, 1);
	}
}

static int same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

static void test_gzip(const struct buf *plain)
{
	struct buf gz = {0}, two = {0}, out = {0}, cut = {0};
	enum oci_compression found;
	struct err e;

	gzip_member(&gz, plain->p, plain->len);
	is_int(run(&gz, 0, 65536, OCI_COMP_AUTO, &found, &out, &e), 0, "gzip: auto decodes");
	is_int(found, OCI_COMP_GZIP, "gzip: found by 1f 8b");
	ok(same(&out, plain), "gzip: same bytes back");
	is_int(run(&gz, 1, 3, OCI_COMP_GZIP, NULL, &out, &e), 0,
	       "gzip: 1-byte source, 3-byte reads");
	ok(same(&out, plain), "gzip: same bytes back in tiny pieces");

	gzip_member(&two, plain->p, plain->len / 3);
	gzip_member(&two, plain->p + plain->len / 3, plain->len - plain->len / 3);
	is_int(run(&two, 1000, 65536, OCI_COMP_AUTO, NULL, &out, &e), 0, "gzip: two members");
	ok(same(&out, plain), "gzip: members are concatenated");

	buf_add(&cut, gz.p, gz.len - 5);
	ok(run(&cut, 0, 65536, OCI_COMP_AUTO, NULL, &out, &e) < 0 &&
		   strstr(e.msg, "unexpected end of gzip stream"),
	   "gzip: cut in the trailer is an error (%s)", e.msg);
	cut.len = gz.len / 2;
	ok(run(&cut, 0, 65536, OCI_COMP_AUTO, NULL, &out, &e) < 0 &&
		   strstr(e.msg, "unexpected end of gzip stream"),
	   "gzip: cut in the middle is an error");
	cut.len = 0;
	ok(run(&cut, 0, 65536, OCI_COMP_GZIP, NULL, &out, &e) < 0 &&
		   strstr(e.msg, "unexpected end of gzip stream"),
	   "gzip: empty input is no gzip stream");

	cut.len = 0;
	buf_add(&cut, gz.p, gz.len);
	buf_add(&cut, "junk", 4);
	ok(run(&cut, 0, 65536, OCI_COMP_AUTO, NULL, &out, &e) < 0 && strstr(e.msg, "garbage"),
	   "gzip: garbage after a member is an error (%s)", e.msg);

	cut.len = 0;
	buf_add(&cut, gz.p, gz.len);
	cut.p[gz.len / 2] ^= 0x55;
	ok(run(&cut, 0, 65536, OCI_COMP_AUTO, NULL, &out, &e) < 0 && strstr(e.msg, "gzip"),
	   "gzip: corrupt data is an error (%s)", e.msg);
	buf_free(&gz);
	buf_free(&two);
	buf_free(&out);
	buf_free(&cut);
}

static void test_zstd(const struct buf *plain)
{
	struct buf zs = {0}, out = {0}, cut = {0};
	enum oci_compression found;
	struct err e;

	zstd_frame(&zs, plain->p, plain->len / 2);
	zstd_frame(&zs, plain->p + plain->len / 2, plain->len - plain->len / 2);
	is_int(run(&zs, 0, 65536, OCI_COMP_AUTO, &found, &out, &e), 0, "zstd: auto decodes");
	is_int(found, OCI_COMP_ZSTD, "zstd: found by 28 b5 2f fd");
	ok(same(&out, plain), "zstd: two frames concatenated");
	is_int(run(&zs, 7, 5, OCI_COMP_ZSTD, NULL, &out, &e), 0, "zstd: tiny pieces");
	ok(same(&out, plain), "zstd: same bytes back in tiny pieces");

	buf_add(&cut, zs.p, zs.len - 100);
	ok(run(&cut, 0, 65536, OCI_COMP_AUTO, NULL, &out, &e) < 0 &&
		   strstr(e.msg, "unexpected end of zstd stream"),
	   "zstd: truncated frame is an error (%s)", e.msg);
	cut.len = 0;
	ok(run(&cut, 0, 65536, OCI_COMP_ZSTD, NULL, &out, &e) < 0, "zstd: empty input is an error");
	cut.len = 0;
	buf_add(&cut, zs.p, zs.len);
	buf_add(&cut, "\x01\x02\x03\x04\x05\x06", 6);
	ok(run(&cut, 0, 65536, OCI_COMP_AUTO, NULL, &out, &e) < 0 && strstr(e.msg, "zstd"),
	   "zstd: garbage after the frames is an error (%s)", e.msg);
	buf_free(&zs);
	buf_free(&out);
	buf_free(&cut);
}

static void test_none(const struct buf *plain)
{
	struct buf out = {0}, tiny = {0};
	enum oci_compression found;
	struct err e;

	is_int(run(plain, 100, 4096, OCI_COMP_AUTO, &found, &out, &e), 0, "none: passes through");
	is_int(found, OCI_COMP_NONE, "none: other magic is uncompressed");
	ok(same(&out, plain), "none: same bytes");
	buf_add(&tiny, "\x1f", 1);
	is_int(run(&tiny, 0, 4096, OCI_COMP_AUTO, &found, &out, &e), 0, "none: one byte");
	ok(found == OCI_COMP_NONE && same(&out, &tiny), "none: a lone 1f byte is data");
	tiny.len = 0;
	is_int(run(&tiny, 0, 4096, OCI_COMP_AUTO, &found, &out, &e), 0, "none: empty input");
	ok(found == OCI_COMP_NONE && out.len == 0, "none: empty gives nothing");
	buf_free(&out);
	buf_free(&tiny);
}

static ssize_t failing_read(void *ctx, void *buf, size_t n, struct err *e)
{
	(void)ctx, (void)buf, (void)n;
	return err_set(e, "blob sha256:0000: digest mismatch");
}

static void test_errors(void)
{
	struct stream_reader bad = {failing_read, NULL}, r;
	struct oci_decomp *d;
	unsigned char tmp[16];
	struct err e;

	ok(oci_decomp_open(&d, bad, OCI_COMP_AUTO, &e) < 0 && strstr(e.msg, "digest mismatch"),
	   "a failing source fails the sniffing open with its own message");
	ok(oci_decomp_open(&d, bad, OCI_COMP_GZIP, &e) == 0 || !CFG_GZIP, "gzip opens lazily");
	if (CFG_GZIP) {
		r = oci_decomp_stream(d);
		ok(stream_read(&r, tmp, sizeof(tmp), &e) < 0 && strstr(e.msg, "digest mismatch"),
		   "the source's error comes through");
		memset(&e, 0, sizeof(e));
		ok(stream_read(&r, tmp, sizeof(tmp), &e) < 0 && strstr(e.msg, "digest mismatch"),
		   "and stays (sticky)");
		oci_decomp_free(d);
	}
}

/* A kind configured out is refused by name, asked for or found. */
static void compiled_out(enum oci_compression c, const char *magic, const char *option)
{
	struct buf in = {0}, out = {0};
	struct err e;

	buf_add(&in, magic, 4);
	ok(run(&in, 0, 4096, c, NULL, &out, &e) < 0 && strstr(e.msg, option),
	   "%s: asked for, compiled out (%s)", option, e.msg);
	ok(run(&in, 0, 4096, OCI_COMP_AUTO, NULL, &out, &e) < 0 && strstr(e.msg, "compiled out"),
	   "%s: found by magic, compiled out", option);
	buf_free(&in);
	buf_free(&out);
}

int main(void)
{
	struct buf plain = {0};

	pattern(&plain, 300000);
	if (CFG_GZIP)
		test_gzip(&plain);
	else
		compiled_out(OCI_COMP_GZIP, "\x1f\x8b\x08\x00", "CONFIG_GZIP");
	if (CFG_ZSTD)
		test_zstd(&plain);
	else
		compiled_out(OCI_COMP_ZSTD, "\x28\xb5\x2f\xfd", "CONFIG_ZSTD");
	test_none(&plain);
	test_errors();
	buf_free(&plain);
	return done_testing();
}
