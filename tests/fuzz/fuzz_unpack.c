/* fuzz_unpack.c - libFuzzer harness for layer unpacking: any bytes, through
 * oci_decomp (gzip, zstd or none by magic) into oci_unpack_tar in apply
 * mode, beneath a scratch folder emptied after each input. An entry written
 * outside it (a sibling "canary" folder is watched) aborts.
 * Not wired into make; from the top of the tree, after `make`:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -Ibuild/x86_64/include -Ibuild/sysroot/host/include -Icore/lib -I. \
 *     -include build/x86_64/include/cfg.h tests/fuzz/fuzz_unpack.c \
 *     oci/decompress.c oci/unpack.c oci/unpack-make.c oci/unpack-dirs.c \
 *     oci/unpack-fs.c core/lib/err.c -Lbuild/sysroot/host/lib \
 *     -larchive -lzstd -lz -o build/fuzz_unpack
 *   mkdir -p build/corpus-unpack && build/fuzz_unpack build/corpus-unpack */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/rmtree.h"
#include "oci/unpack-priv.h"
#include "oci/unpack.h"

struct input {
	const uint8_t *p;
	size_t left;
};

static ssize_t input_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct input *in = ctx;

	(void)e;
	if (n > in->left)
		n = in->left;
	memcpy(buf, in->p, n);
	in->p += n;
	in->left -= n;
	return (ssize_t)n;
}

static int scratch = -1;

static void prepare(void)
{
	static char dir[] = "/tmp/tug-fuzz-unpack-XXXXXX";

	if (!mkdtemp(dir))
		abort();
	scratch = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (scratch < 0 || mkdirat(scratch, "canary", 0755) < 0)
		abort();
}

/* The canary folder is still empty. */
static int canary_empty(void)
{
	int fd = openat(scratch, "canary", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd)))
		return 0;
	while ((de = readdir(d)))
		n++;
	closedir(d);
	return n == 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct oci_unpack_opts o = {.whiteouts = OCI_WHITEOUT_APPLY,
						 .what = "layer fuzz"};
	struct input in = {data, size};
	struct oci_decomp *d;
	struct err e;
	int root;

	if (scratch < 0)
		prepare();
	if (mkdirat(scratch, "root", 0700) < 0)
		abort();
	root = openat(scratch, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		abort();
	if (oci_decomp_open(&d, (struct stream_reader){input_read, &in}, OCI_COMP_AUTO, &e) == 0) {
		oci_unpack_tar(oci_decomp_stream(d), root, &o, NULL, &e);
		oci_decomp_free(d);
	}
	close(root);
	/* Run as root: a folder the input made read-only stops a non-root
	 * removal, which would abort here without being a bug. */
	if (oci_rm_tree(scratch, "root", &e) < 0 || !canary_empty())
		abort();
	return 0;
}
