/* test_store.c - the image store: blobs, layers, images, refs, gc, check,
 * the lock, tmp/ cleanup, beneath-safe removal and crashes at random points. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "oci/rmtree.h"
#include "oci/store.h"
#include "tap.h"

static char base[64];
static int nroot;

/* A fresh store root under the test's mkdtemp folder. */
static const char *new_root(char *buf, size_t size)
{
	snprintf(buf, size, "%s/s%d", base, nroot++);
	return buf;
}

/* Entries of root/rel whose name matches the grep pattern. */
static int count_match(const char *root, const char *rel, const char *pattern)
{
	char cmd[512];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s/%s' | grep -c '%s'", root, rel, pattern);
	f = popen(cmd, "r");
	if (f && fscanf(f, "%d", &n) != 1)
		n = -1;
	if (f)
		pclose(f);
	return n;
}

static int count_in(const char *root, const char *rel)
{
	return count_match(root, rel, "");
}

static int put_file(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* A layer with a few entries derived from seed; its diff id is the
 * digest of seed (any valid digest will do for the store). */
static int make_layer(struct oci_store *s, const char *parent, const char *seed,
		      char chain[DIGEST_STR_MAX], char diff[DIGEST_STR_MAX], struct err *e)
{
	struct oci_layer_tx tx;
	int sub;

	digest_buf(seed, strlen(seed), diff);
	oci_chain_id(parent, diff, chain);
	if (oci_layer_tx_begin(s, &tx, e) < 0)
		return -1;
	if (mkdirat(tx.diff_fd, "etc", 0755) < 0 ||
	    (sub = openat(tx.diff_fd, "etc", O_RDONLY | O_DIRECTORY)) < 0) {
		oci_layer_tx_abort(&tx);
		return err_sys(e, errno, "mkdir etc");
	}
	if (put_file(sub, "seed", seed) < 0 || symlinkat("/etc/seed", tx.diff_fd, "link") < 0 ||
	    mkfifoat(tx.diff_fd, "fifo", 0600) < 0) {
		close(sub);
		oci_layer_tx_abort(&tx);
		return err_sys(e, errno, "fill layer");
	}
	close(sub);
	return oci_layer_tx_commit(&tx, chain, diff, parent, e);
}

/* An image of n layers, the first seeds[0], ...; config and manifest blobs
 * made up from name. */
static int make_image(struct oci_store *s, const char *name, const char *const *seeds, size_t n,
		      struct oci_image_rec *rec, struct err *e)
{
	char text[256];

	memset(rec, 0, sizeof(*rec));
	for (size_t i = 0; i < n; i++) {
		if (make_layer(s, i ? rec->chain[i - 1] : NULL, seeds[i], rec->chain[i],
			       rec->diff[i], e) < 0)
			return -1;
		snprintf(text, sizeof(text), "layer blob %s", seeds[i]);
		if (oci_store_blob_put(s, text, strlen(text), NULL, rec->blob[i], e) < 0)
			return -1;
		rec->blob_size[i] = (int64_t)strlen(text);
		strcpy(rec->blob_media_type[i], "application/vnd.oci.image.layer.v1.tar+gzip");
	}
	rec->nlayers = n;
	snprintf(text, sizeof(text), "{\"config\":\"%s\",\"n\":%zu}", name, n);
	if (oci_store_blob_put(s, text, strlen(text), NULL, rec->id, e) < 0)
		return -1;
	snprintf(text, sizeof(text), "{\"manifest\":\"%s\"}", name);
	if (oci_store_blob_put(s, text, strlen(text), NULL, rec->manifest, e) < 0)
		return -1;
	strcpy(rec->manifest_media_type, "application/vnd.oci.image.manifest.v1+json");
	snprintf(rec->repo_digests[0], 512, "example.org/%s@%s", name, rec->manifest);
	rec->nrepo_digests = 1;
	return oci_store_image_put(s, rec, e);
}

static void print_line(const char *line, void *arg)
{
	(void)arg;
	diag("check: %s", line);
}

static int run_check(struct oci_store *s)
{
	struct err e = {0};
	int n = oci_store_check(s, print_line, NULL, &e);

	if (n < 0)
		diag("check failed: %s", e.msg);
	return n;
}

static void test_blobs(void)
{
	char root[128], out[DIGEST_STR_MAX], *buf = NULL;
	const char *hello =
		"sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
	struct oci_store s;
	struct err e = {0};
	size_t len = 0;
	struct stat st;

	ok(oci_store_open(&s, new_root(root, sizeof(root)), OCI_STORE_EXCLUSIVE, false, &e) == 0,
	   "open a new store");
	ok(stat(root, &st) == 0 && count_in(root, "") == 5, "root, lock and folders made");
	ok(oci_store_blob_put(&s, "hello", 5, hello, out, &e) == 0, "put a blob");
	is_str(out, hello, "its digest");
	ok(oci_store_blob_has(&s, hello), "blob present");
	ok(oci_store_blob_read(&s, hello, 100, &buf, &len, &e) == 0 && len == 5 &&
		   !memcmp(buf, "hello", 5),
	   "read it back");
	free(buf);
	ok(oci_store_blob_read(&s, hello, 4, &buf, &len, &e) < 0, "read refused over max");
	ok(oci_store_blob_put(&s, "hellO", 5, hello, out, &e) < 0 && strstr(e.msg, "mismatch"),
	   "a buffer with another digest is refused: %s", e.msg);
	is_int(count_in(root, "blobs/sha256"), 1, "nothing more in blobs/");
	is_int(count_in(root, "tmp"), 0, "nothing in tmp/");
	ok(oci_store_blob_put(&s, "hello", 5, NULL, NULL, &e) == 0, "put again is fine");
	ok(oci_store_blob_remove(&s, hello, &e) == 0 && !oci_store_blob_has(&s, hello), "remove");
	ok(oci_store_blob_remove(&s, hello, &e) == 0, "remove again is fine");
	ok(oci_store_blob_open(&s, "sha256:abc", &e) < 0 && strstr(e.msg, "invalid digest"),
	   "bad digest refused: %s", e.msg);
	oci_store_close(&s);
}

static void test_blob_writer(void)
{
	char root[128], want[DIGEST_STR_MAX], chunk[1000];
	struct oci_blob_writer w;
	struct oci_store s;
	struct err e = {0};
	struct digest_ctx d;
	int i, r = 0;

	oci_store_open(&s, new_root(root, sizeof(root)), OCI_STORE_EXCLUSIVE, false, &e);
	digest_init(&d);
	ok(oci_blob_writer_open(&s, &w, &e) == 0, "writer open");
	is_int(count_in(root, "tmp"), 1, "the blob is in tmp/ while written");
	for (i = 0; i < 300; i++) {
		memset(chunk, 'a' + i % 26, sizeof(chunk));
		digest_update(&d, chunk, sizeof(chunk));
		r |= oci_blob_writer_write(&w, chunk, sizeof(chunk), &e);
	}
	digest_final(&d, want);
	ok(r == 0 && oci_blob_writer_commit(&w, want, 300000, &e) == 0, "300 kB streamed");
	is_str(w.digest, want, "its digest");
	ok(oci_store_blob_has(&s, want), "in blobs/");
	oci_blob_writer_abort(&w); /* after commit: no-op */
	ok(oci_store_blob_has(&s, want), "abort after commit is a no-op");

	oci_blob_writer_open(&s, &w, &e);
	oci_blob_writer_write(&w, "abc", 3, &e);
	ok(oci_blob_writer_commit(&w, NULL, 4, &e) < 0 && strstr(e.msg, "size"),
	   "size mismatch refused: %s", e.msg);
	is_int(count_in(root, "tmp"), 0, "tmp/ clean after a refused commit");
	oci_blob_writer_open(&s, &w, &e);
	oci_blob_writer_write(&w, "abc", 3, &e);
	oci_blob_writer_abort(&w);
	is_int(count_in(root, "tmp") + count_in(root, "blobs/sha256"), 1, "abort leaves nothing");
	oci_store_close(&s);

	oci_store_open(&s, root, OCI_STORE_SHARED, false, &e);
	ok(oci_blob_writer_open(&s, &w, &e) < 0 && strstr(e.msg, "read-only"),
	   "a shared store is read-only: %s", e.msg);
	oci_store_close(&s);
}

static void test_chain_id(void)
{
	char a[DIGEST_STR_MAX] = "sha256:", b[DIGEST_STR_MAX] = "sha256:",
	     c[DIGEST_STR_MAX] = "sha256:", ab[DIGEST_STR_MAX], abc[DIGEST_STR_MAX];

	memset(a + 7, 'a', 64);
	memset(b + 7, 'b', 64);
	memset(c + 7, 'c', 64);
	oci_chain_id(NULL, a, ab);
	is_str(ab, a, "bottom layer: chain id is the diff id");
	oci_chain_id("", a, ab);
	is_str(ab, a, "empty parent too");
	oci_chain_id(a, b, ab);
	is_str(ab, "sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c",
	       "chain of 2 = sha256(\"<a> <b>\")");
	oci_chain_id(ab, c, abc);
	is_str(abc, "sha256:c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588",
	       "chain of 3");
}

static void test_layers(void)
{
	char root[128], chain[DIGEST_STR_MAX], diff[DIGEST_STR_MAX], path[4200], buf[64];
	struct oci_layer_info li;
	struct oci_layer_tx tx;
	struct oci_store s;
	struct err e = {0};

	oci_store_open(&s, new_root(root, sizeof(root)), OCI_STORE_EXCLUSIVE, false, &e);
	ok(make_layer(&s, NULL, "one", chain, diff, &e) == 0, "commit a layer");
	ok(oci_store_layer_has(&s, chain), "layer present");
	ok(oci_store_layer_path(&s, chain, path, sizeof(path), &e) == 0 &&
		   strstr(path, "/layers/") && !strcmp(path + strlen(path) - 5, "/diff"),
	   "its path %s", path);
	strcat(path, "/etc/seed");
	ok(readlink(path, buf, sizeof(buf)) < 0 && access(path, R_OK) == 0, "its files");
	ok(oci_store_layer_info(&s, chain, &li, &e) == 0 && !strcmp(li.diff, diff) &&
		   li.parent[0] == 0 && li.size == 3,
	   "layer.json: diff id, no parent, 3 bytes");
	is_int(count_in(root, "tmp"), 0, "tmp/ empty after commit");

	ok(make_layer(&s, NULL, "one", chain, diff, &e) == 0, "the same layer again: no error");
	is_int(count_in(root, "tmp"), 0, "the duplicate tx was discarded");
	is_int(count_in(root, "layers"), 1, "still one layer");

	oci_layer_tx_begin(&s, &tx, &e);
	put_file(tx.diff_fd, "x", "x");
	oci_layer_tx_abort(&tx);
	is_int(count_in(root, "tmp") + count_in(root, "layers"), 1, "abort leaves nothing");

	oci_layer_tx_begin(&s, &tx, &e);
	ok(oci_layer_tx_commit(&tx, chain, diff, chain, &e) < 0 && strstr(e.msg, "chain id"),
	   "a chain id that does not match refused: %s", e.msg);
	is_int(count_in(root, "tmp"), 0, "and discarded");
	oci_store_close(&s);
}

static void test_images_refs(void)
{
	const char *seeds[] = {"base", "mid", "top"};
	char root[128], id[DIGEST_STR_MAX];
	struct oci_image_rec *rec = calloc(2, sizeof(*rec)), *got = rec + 1;
	struct oci_store s;
	struct err e = {0};

	oci_store_open(&s, new_root(root, sizeof(root)), OCI_STORE_EXCLUSIVE, false, &e);
	ok(make_image(&s, "a", seeds, 3, rec, &e) == 0, "image with 3 layers: %s", e.msg);
	ok(oci_store_image_get(&s, rec->id, got, &e) == 0, "get it back");
	ok(got->nlayers == 3 && !strcmp(got->chain[2], rec->chain[2]) &&
		   !strcmp(got->blob[1], rec->blob[1]) && got->blob_size[1] == rec->blob_size[1] &&
		   !strcmp(got->manifest, rec->manifest) && got->created > 0 &&
		   got->nrepo_digests == 1 && !strcmp(got->repo_digests[0], rec->repo_digests[0]),
	   "the record round-trips");

	strcpy(rec->chain[2], rec->chain[1]);
	ok(oci_store_image_put(&s, rec, &e) < 0 && strstr(e.msg, "chain"),
	   "inconsistent chain refused: %s", e.msg);
	oci_chain_id(rec->chain[1], rec->chain[0], rec->chain[2]);
	strcpy(rec->diff[2], rec->chain[0]);
	ok(oci_store_image_put(&s, rec, &e) < 0 && strstr(e.msg, "not in the store"),
	   "missing layer refused: %s", e.msg);
	is_int(count_in(root, "images"), 1, "nothing written for it");

	ok(oci_store_ref_set(&s, "example.org/a:latest", got->id, &e) == 0, "tag");
	ok(oci_store_ref_set(&s, "example.org/b:latest", got->id, &e) == 0, "tag another");
	ok(oci_store_ref_get(&s, "example.org/a:latest", id, &e) == 0 && !strcmp(id, got->id),
	   "resolve");
	is_int(oci_store_ref_get(&s, "nope", id, &e), 1, "unknown name: 1");
	ok(oci_store_ref_set(&s, "x", rec->chain[0], &e) < 0 && strstr(e.msg, "not in the store"),
	   "tag of a missing image refused: %s", e.msg);
	ok(oci_store_ref_set(&s, "a\nb", got->id, &e) < 0, "control character refused");
	ok(oci_store_ref_set(&s, "", got->id, &e) < 0, "empty name refused");
	ok(oci_store_ref_set(&s, "x", "sha256:1234", &e) < 0, "bad id refused");
	is_int(oci_store_ref_delete(&s, "example.org/b:latest", &e), 0, "untag");
	is_int(oci_store_ref_delete(&s, "example.org/b:latest", &e), 1, "untag again: 1");
	is_int(oci_store_ref_get(&s, "example.org/b:latest", id, &e), 1, "gone");
	is_int(run_check(&s), 0, "check: consistent");
	oci_store_close(&s);
	free(rec);
}

static int count_ref(const char *name, const char *id, void *arg)
{
	(void)name, (void)id;
	++*(int *)arg;
	return 0;
}

static void test_remove_gc(void)
{
	const char *s1[] = {"base", "one"}, *s2[] = {"base", "two"};
	char root[128], orphan[DIGEST_STR_MAX], d[DIGEST_STR_MAX];
	struct oci_image_rec *a = calloc(2, sizeof(*a)), *b = a + 1;
	struct oci_store s;
	struct err e = {0};
	uint64_t freed = 0;
	int nrefs = 0;

	oci_store_open(&s, new_root(root, sizeof(root)), OCI_STORE_EXCLUSIVE, false, &e);
	ok(make_image(&s, "a", s1, 2, a, &e) == 0 && make_image(&s, "b", s2, 2, b, &e) == 0,
	   "two images sharing their bottom layer");
	oci_store_ref_set(&s, "a", a->id, &e);
	oci_store_ref_set(&s, "a2", a->id, &e);
	oci_store_ref_set(&s, "b", b->id, &e);
	is_int(count_in(root, "layers"), 3, "3 layers");
	ok(oci_store_image_remove(&s, a->id, NULL, &e) == 0, "remove image a: %s", e.msg);
	ok(!oci_store_layer_has(&s, a->chain[1]), "its own layer went");
	ok(oci_store_layer_has(&s, a->chain[0]), "the shared one stayed");
	ok(!oci_store_blob_has(&s, a->id) && !oci_store_blob_has(&s, a->manifest) &&
		   !oci_store_blob_has(&s, a->blob[1]) && oci_store_blob_has(&s, a->blob[0]),
	   "its config, manifest and own layer blob went, the shared blob stayed");
	oci_store_ref_each(&s, count_ref, &nrefs, &e);
	is_int(nrefs, 1, "its references went");
	is_int(count_in(root, "tmp"), 0, "tmp/ empty");
	ok(oci_store_image_remove(&s, a->id, NULL, &e) < 0 && e.errnum == ENOENT,
	   "remove again: %s", e.msg);

	make_layer(&s, NULL, "orphan", orphan, d, &e);
	oci_store_blob_put(&s, "loose", 5, NULL, d, &e);
	ok(oci_store_gc(&s, &freed, &e) == 0, "gc");
	ok(!oci_store_layer_has(&s, orphan) && !oci_store_blob_has(&s, d), "orphans removed");
	is_int((long long)freed, 6 + 5, "bytes freed");
	ok(oci_store_layer_has(&s, b->chain[0]) && oci_store_layer_has(&s, b->chain[1]) &&
		   oci_store_blob_has(&s, b->id) && oci_store_blob_has(&s, b->blob[1]),
	   "what b uses stays");
	ok(oci_store_image_remove(&s, b->id, NULL, &e) == 0, "remove b");
	is_int(count_in(root, "layers") + count_in(root, "blobs/sha256"), 0, "store empty");
	is_int(run_check(&s), 0, "check: consistent");
	oci_store_close(&s);
	free(a);
}

/* A store with an image, a tag, all checked clean. */
static int standard(struct oci_store *s, char *root, size_t size, struct oci_image_rec *rec)
{
	const char *seeds[] = {"base", "top"};
	struct err e = {0};

	if (oci_store_open(s, new_root(root, size), OCI_STORE_EXCLUSIVE, false, &e) < 0 ||
	    make_image(s, "std", seeds, 2, rec, &e) < 0 || oci_store_ref_set(s, "std", rec->id, &e))
		return diag("standard store: %s", e.msg), -1;
	return run_check(s);
}

static void flip_byte(const char *path)
{
	int fd = open(path, O_RDWR);
	char c;

	if (fd >= 0 && pread(fd, &c, 1, 0) == 1) {
		c ^= 1;
		if (pwrite(fd, &c, 1, 0) != 1)
			diag("pwrite %s", path);
	}
	if (fd >= 0)
		close(fd);
}

static void test_check(void)
{
	struct oci_image_rec *rec = malloc(sizeof(*rec));
	char root[128], path[512];
	const char *refs = "{\"refs\":{\"gone\":\"sha256:"
			   "1111111111111111111111111111111111111111111111111111111111111111\"}}";
	struct oci_store s;
	struct err e = {0};
	int fd;

	is_int(standard(&s, root, sizeof(root), rec), 0, "a clean store: 0 problems");
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", root, digest_hex(rec->manifest));
	flip_byte(path);
	is_int(run_check(&s), 1, "(1) a flipped byte in a blob");
	oci_store_close(&s);

	standard(&s, root, sizeof(root), rec);
	snprintf(path, sizeof(path), "%s/layers/%s/diff/etc/seed", root, digest_hex(rec->chain[1]));
	flip_byte(path);
	is_int(run_check(&s), 1, "(2) a changed file in a layer");
	chmod(path, 0600);
	flip_byte(path);
	is_int(run_check(&s), 1, "... and a changed mode");
	oci_store_close(&s);

	standard(&s, root, sizeof(root), rec);
	snprintf(path, sizeof(path), "%s/layers", root);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	oci_rm_tree(fd, digest_hex(rec->chain[1]), &e);
	close(fd);
	is_int(run_check(&s), 1, "(3) a missing layer");
	oci_store_close(&s);

	standard(&s, root, sizeof(root), rec);
	file_write_atomic(s.root_fd, "refs.json", refs, strlen(refs), 0600, &e);
	is_int(run_check(&s), 1, "(4) a reference to a missing image");
	oci_store_close(&s);

	standard(&s, root, sizeof(root), rec);
	snprintf(path, sizeof(path), "%s/tmp/layer-1-1", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/layers/zz", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/layers/%064d", root, 0);
	mkdir(path, 0700);
	is_int(run_check(&s), 2,
	       "(5) a stray name, a layer without layer.json (a leftover in tmp/ is only noted)");
	oci_store_close(&s);
	free(rec);
}

/* tmp/ with what layers hold: a 000 folder, a symlink to a folder outside. */
static void test_tmp_emptied(void)
{
	char root[128], path[512], outside[256];
	struct oci_store s;
	struct err e = {0};

	oci_store_open(&s, new_root(root, sizeof(root)), OCI_STORE_EXCLUSIVE, false, &e);
	oci_store_close(&s);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	mkdir(outside, 0755);
	snprintf(path, sizeof(path), "%s/keep", outside);
	put_file(AT_FDCWD, path, "keep");
	snprintf(path, sizeof(path), "%s/tmp/layer-9-9", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/tmp/layer-9-9/out", root);
	symlink(outside, path);
	snprintf(path, sizeof(path), "%s/tmp/layer-9-9/locked", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/tmp/layer-9-9/locked/f", root);
	put_file(AT_FDCWD, path, "f");
	snprintf(path, sizeof(path), "%s/tmp/layer-9-9/locked", root);
	chmod(path, 0);
	snprintf(path, sizeof(path), "%s/.refs.json.tmp.1.2", root);
	put_file(AT_FDCWD, path, "{");

	ok(oci_store_open(&s, root, OCI_STORE_SHARED, false, &e) == 0, "shared open");
	is_int(run_check(&s), 0, "check notes the leftovers, not as problems");
	oci_store_close(&s);
	is_int(count_in(root, "tmp"), 1, "a shared open leaves tmp/ alone");
	ok(oci_store_open(&s, root, OCI_STORE_EXCLUSIVE, false, &e) == 0, "exclusive open: %s",
	   e.msg);
	is_int(count_in(root, "tmp"), 0, "emptied tmp/");
	snprintf(path, sizeof(path), "%s/.refs.json.tmp.1.2", root);
	ok(access(path, F_OK) < 0, "removed a temp file of refs.json");
	snprintf(path, sizeof(path), "%s/keep", outside);
	ok(access(path, F_OK) == 0, "did not follow the symlink out");
	oci_store_close(&s);
}

/* A chain of depth folders "d", each with a file "f". */
static void make_deep(int top, int depth)
{
	int fd = dup(top);

	for (int i = 0; i < depth && fd >= 0; i++) {
		int next;

		mkdirat(fd, "d", 0755);
		put_file(fd, "f", "x");
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = next;
	}
	if (fd >= 0)
		close(fd);
}

/* Mode 000 on a few of the folders (through fds kept on the way down, as
 * a folder cannot be entered once it is 000). */
static void lock_some(int top, int depth)
{
	int fd = dup(top), keep[8], nkeep = 0;

	for (int i = 0; i < depth && fd >= 0; i++) {
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY);

		if (i % 500 == 7 && nkeep < 8)
			keep[nkeep++] = dup(fd);
		close(fd);
		fd = next;
	}
	if (fd >= 0)
		close(fd);
	while (nkeep > 0) {
		fchmod(keep[--nkeep], 0);
		close(keep[nkeep]);
	}
}

/* Deeper than any fd limit: both walks hold one folder fd at a time. */
static void test_deep_tree(void)
{
	char root[128], d1[DIGEST_STR_MAX], d2[DIGEST_STR_MAX];
	struct rlimit old, low = {40, 40};
	int top, fd, depth = 3000, r1, r2;
	int64_t size = 0;
	struct err e = {0};

	new_root(root, sizeof(root));
	mkdir(root, 0700);
	top = open(root, O_RDONLY | O_DIRECTORY);
	make_deep(top, depth);
	getrlimit(RLIMIT_NOFILE, &old);
	low.rlim_max = old.rlim_max;
	setrlimit(RLIMIT_NOFILE, &low);
	r1 = oci_store_tree_digest(top, d1, &size, &e);
	if (r1 < 0)
		diag("%s", e.msg);
	r2 = oci_store_tree_digest(top, d2, NULL, &e);
	ok(r1 == 0 && r2 == 0 && !strcmp(d1, d2) && size == depth,
	   "tree digest of %d levels under a 40-fd limit, stable", depth);
	setrlimit(RLIMIT_NOFILE, &old);
	lock_some(top, depth);
	setrlimit(RLIMIT_NOFILE, &low);
	fd = openat(top, ".", O_RDONLY | O_DIRECTORY);
	ok(fd >= 0 && oci_rm_tree(fd, "d", &e) == 0, "rm_tree of %d levels, some 000: %s", depth,
	   e.msg);
	setrlimit(RLIMIT_NOFILE, &old);
	ok(faccessat(top, "d", F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT, "all gone");
	ok(oci_rm_tree(fd, "d", &e) == 0, "a missing name is fine");
	ok(oci_rm_tree(fd, "../x", &e) < 0, "a path is refused");
	close(fd);
	close(top);
}

static void test_lock(void)
{
	char root[128], c;
	struct oci_store s;
	struct err e = {0};
	int p[2], q[2];
	pid_t pid;

	new_root(root, sizeof(root));
	if (pipe(p) < 0 || pipe(q) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		close(q[1]);
		if (oci_store_open(&s, root, OCI_STORE_EXCLUSIVE, false, &e) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1 || read(q[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	close(q[0]);
	ok(read(p[0], &c, 1) == 1, "a child holds the lock");
	ok(oci_store_open(&s, root, OCI_STORE_SHARED, true, &e) < 0 && e.errnum == EWOULDBLOCK &&
		   strstr(e.msg, "is in use"),
	   "nonblocking open fails: %s", e.msg);
	ok(oci_store_open(&s, root, OCI_STORE_EXCLUSIVE, true, &e) < 0, "exclusive too");
	close(q[1]);
	waitpid(pid, NULL, 0);
	ok(oci_store_open(&s, root, OCI_STORE_SHARED, true, &e) == 0, "free once it exits");
	oci_store_close(&s);
	close(p[0]);
}

/* The child's endless work: images in and out, tags, gc, stray writers. */
static void churn(const char *root)
{
	char name[32], seed[32], top[32];
	const char *seeds[3] = {"base", seed, top};
	struct oci_image_rec *rec = malloc(sizeof(*rec));
	struct oci_blob_writer w;
	struct oci_store s;
	struct err e;
	uint64_t freed;

	if (oci_store_open(&s, root, OCI_STORE_EXCLUSIVE, false, &e) < 0)
		_exit(1);
	srand((unsigned)getpid());
	for (unsigned i = 0;; i++) {
		snprintf(name, sizeof(name), "img%u", rand() % 6);
		snprintf(seed, sizeof(seed), "mid%u", rand() % 3);
		snprintf(top, sizeof(top), "top%u", rand() % 8);
		if (make_image(&s, name, seeds, 1 + rand() % 3, rec, &e) == 0)
			oci_store_ref_set(&s, name, rec->id, &e);
		if (rand() % 3 == 0 && oci_store_ref_get(&s, name, rec->id, &e) == 0)
			oci_store_image_remove(&s, rec->id, NULL, &e);
		if (rand() % 5 == 0)
			oci_store_gc(&s, &freed, &e);
		if (rand() % 4 == 0 && oci_blob_writer_open(&s, &w, &e) == 0)
			oci_blob_writer_write(&w, "partial", 7, &e); /* never committed */
	}
}

static void test_crashes(void)
{
	char root[128];
	struct oci_store s;
	struct err e = {0};
	int bad = 0, runs = 30, torn = 0;

	new_root(root, sizeof(root));
	srand((unsigned)time(NULL));
	for (int i = 0; i < runs; i++) {
		pid_t pid = fork();
		int n;

		if (pid == 0)
			churn(root);
		usleep((useconds_t)(1000 + (i * 3331 + rand()) % 40000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		torn += count_match(root, "tmp", "^layer-\\|^gone-") > 0;
		if (oci_store_open(&s, root, OCI_STORE_EXCLUSIVE, false, &e) < 0) {
			diag("run %d: open: %s", i, e.msg);
			bad++;
			continue;
		}
		n = run_check(&s);
		if (n != 0) {
			diag("run %d: %d problems", i, n);
			bad++;
		}
		oci_store_close(&s);
	}
	is_int(bad, 0, "%d children killed at random points: every store checks clean", runs);
	oci_store_open(&s, root, OCI_STORE_SHARED, false, &e);
	diag("%d of the kills hit a layer commit or removal; at the end: %d layers, %d blobs, %d "
	     "images",
	     torn, count_in(root, "layers"), count_in(root, "blobs/sha256"),
	     count_in(root, "images"));
	oci_store_close(&s);
}

int main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(base, sizeof(base), "%s/tug-store-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(base))
		return perror("mkdtemp"), 1;
	test_blobs();
	test_blob_writer();
	test_chain_id();
	test_layers();
	test_images_refs();
	test_remove_gc();
	test_check();
	test_tmp_emptied();
	test_deep_tree();
	test_lock();
	test_crashes();
	{
		char *slash = strrchr(base, '/');
		struct err e = {0};
		int fd;

		*slash = '\0';
		fd = open(*base ? base : "/", O_RDONLY | O_DIRECTORY);
		ok(oci_rm_tree(fd, slash + 1, &e) == 0, "clean up: %s", e.msg);
		close(fd);
	}
	return done_testing();
}
