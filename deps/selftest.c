/* deps/selftest.c: proves a deps sysroot links statically and works: each
 * library does one real job, and the kernel uapi headers are reachable.
 * Built and run (under qemu for foreign arches) by `deps/build ARCH check`. */
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>
#include <linux/seccomp.h>

#include <archive.h>
#include <archive_entry.h>
#include <bearssl.h>
#include <cJSON.h>
#include <zlib.h>
#include <zstd.h>

#include "tug-deps-versions.h"

static int tests, failed;

static void ok(int cond, const char *name)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++tests, name);
	failed |= !cond;
}

/* A ustar archive holding hello.txt ("hello from zstd\n"), made with
 * `tar --format=ustar` and `zstd -19 --no-check`: an encoder we do not link. */
static const unsigned char tar_zst[] = {
	0x28, 0xb5, 0x2f, 0xfd, 0x60, 0x00, 0x27, 0xa5, 0x02, 0x00, 0xb2, 0x43, 0x0c, 0x11,
	0xa0, 0xed, 0x70, 0xe8, 0xa9, 0xef, 0xb4, 0x43, 0x55, 0xe8, 0x9d, 0x0c, 0x18, 0x70,
	0x8e, 0x4f, 0x01, 0x06, 0x69, 0xe1, 0x0c, 0x4e, 0xdf, 0x0a, 0x5e, 0xd5, 0xf7, 0xfb,
	0xa1, 0x85, 0xd1, 0x7e, 0xf0, 0x30, 0x87, 0x8c, 0xfb, 0x3e, 0xf9, 0xef, 0x52, 0xce,
	0xbd, 0x72, 0x85, 0xb6, 0xa6, 0x58, 0x0c, 0x00, 0xec, 0xc5, 0xe5, 0x39, 0x40, 0x08,
	0x40, 0x72, 0x14, 0x80, 0x1f, 0x02, 0x43, 0xe1, 0x00, 0x08, 0xff, 0x83, 0x99, 0xdc,
	0xad, 0x5c, 0x04, 0xc0, 0xa0, 0x00, 0x60, 0x37, 0x81, 0x2e,
};

/* Reads the first entry of an in-memory tar, compressed or not, the way a
 * layer is read: tar format, gzip and zstd filters only. */
static int read_first(const void *p, size_t len, const char *want_name, const char *want_data)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char buf[64] = "";
	int good = 0;

	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	if (archive_read_open_memory(a, p, len) == ARCHIVE_OK &&
	    archive_read_next_header(a, &e) == ARCHIVE_OK &&
	    strcmp(archive_entry_pathname(e), want_name) == 0 &&
	    archive_read_data(a, buf, sizeof buf - 1) == (la_ssize_t)strlen(want_data))
		good = strcmp(buf, want_data) == 0;
	archive_read_free(a);
	return good;
}

/* Writes a one-file tar.gz into out (libarchive's gzip writer is zlib's
 * deflate); returns its size or 0. */
static size_t write_targz(char *out, size_t cap, const char *name, const char *data)
{
	struct archive *w = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t used = 0;
	int r;

	archive_write_set_format_pax_restricted(w);
	archive_write_add_filter_gzip(w);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)strlen(data));
	r = archive_write_open_memory(w, out, cap, &used);
	if (r == ARCHIVE_OK)
		r = archive_write_header(w, e);
	if (r == ARCHIVE_OK &&
	    archive_write_data(w, data, strlen(data)) != (la_ssize_t)strlen(data))
		r = ARCHIVE_FATAL;
	if (archive_write_close(w) != ARCHIVE_OK)
		r = ARCHIVE_FATAL;
	archive_entry_free(e);
	archive_write_free(w);
	return r == ARCHIVE_OK ? used : 0;
}

int main(void)
{
	static char raw[10240], targz[16384];
	static const unsigned char sha256_abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
		0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
		0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	unsigned char digest[32];
	br_sha256_context sha;
	cJSON *json;
	size_t n;

	n = ZSTD_decompress(raw, sizeof raw, tar_zst, sizeof tar_zst);
	ok(!ZSTD_isError(n) && n == sizeof raw && memcmp(raw + 512, "hello from zstd\n", 16) == 0,
	   "zstd: ZSTD_decompress of a known frame");
	ok(ZSTD_versionNumber() == ZSTD_VERSION_NUMBER, "zstd: library matches header");

	ok(strcmp(zlibVersion(), ZLIB_VERSION) == 0 &&
		   crc32(0, (const Bytef *)"abc", 3) == 0x352441c2,
	   "zlib: version and crc32");

	ok(read_first(tar_zst, sizeof tar_zst, "hello.txt", "hello from zstd\n"),
	   "libarchive: reads a tar.zst");
	n = write_targz(targz, sizeof targz, "etc/motd", "hello from gzip\n");
	ok(n > 2 && (unsigned char)targz[0] == 0x1f && (unsigned char)targz[1] == 0x8b,
	   "libarchive: writes a tar.gz through zlib");
	ok(n && read_first(targz, n, "etc/motd", "hello from gzip\n"), "libarchive: reads it back");

	br_sha256_init(&sha);
	br_sha256_update(&sha, "abc", 3);
	br_sha256_out(&sha, digest);
	ok(memcmp(digest, sha256_abc, sizeof digest) == 0, "bearssl: SHA-256(\"abc\")");

	json = cJSON_Parse("{\"layers\": [\"a\", \"b\", \"c\"], \"size\": 1024}");
	ok(json && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(json, "layers")) == 3 &&
		   cJSON_GetObjectItemCaseSensitive(json, "size")->valuedouble == 1024,
	   "cjson: parses an object");
	cJSON_Delete(json);

	ok(SECCOMP_RET_ALLOW == 0x7fff0000U && NETLINK_ROUTE == 0, "kernel uapi headers");

	printf("# %s\n", archive_version_details());
#define SHOW(name, version) printf("# %s %s\n", name, version);
	TUG_DEPS_FOREACH(SHOW)
	printf("1..%d\n", tests);
	return failed;
}
