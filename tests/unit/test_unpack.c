/* test_unpack.c - oci/unpack.c: layers made in memory (or generated as they
 * are read) unpacked into a temporary folder. Hostile entries must be
 * refused by name with nothing written outside (a sibling "canary" folder
 * is watched); good layers must come out as tar says, in small memory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "oci/rmtree.h"
#include "layer.h"
#include "oci/unpack-priv.h"
#include "oci/unpack.h"
#include "tap.h"

static char base[] = "/tmp/tug-unpack-XXXXXX";
static char canary[64];
static struct stat canary_st, keep_st;
static int rootfd = -1;
static struct err E;
static struct oci_unpack_result R;
static int is_root;

static const struct oci_unpack_opts OVERLAY = {.whiteouts = OCI_WHITEOUT_OVERLAY,
					       .what = "layer sha256:test"};
static const struct oci_unpack_opts APPLY = {.whiteouts = OCI_WHITEOUT_APPLY,
					     .what = "layer sha256:test"};

/* An empty root folder for the next layer. */
static void fresh(void)
{
	struct err e;
	int bfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd >= 0)
		close(rootfd);
	if (oci_rm_tree(bfd, "root", &e) < 0 || mkdirat(bfd, "root", 0755) < 0) {
		diag("cannot reset the root: %s", e.msg);
		exit(1);
	}
	rootfd = openat(bfd, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(bfd);
}

static void setup(void)
{
	char p[PATH_MAX];
	int fd;

	if (!mkdtemp(base))
		exit(1);
	snprintf(canary, sizeof(canary), "%s/canary", base);
	snprintf(p, sizeof(p), "%s/keep", canary);
	mkdir(canary, 0755);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || write(fd, "canary", 6) != 6)
		exit(1);
	close(fd);
	stat(canary, &canary_st);
	stat(p, &keep_st);
	fresh();
}

static int names_in(const char *dir, const char *want1, const char *want2)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0, bad = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		if (strcmp(de->d_name, want1) && (!want2 || strcmp(de->d_name, want2)))
			bad = 1;
	}
	closedir(d);
	return !bad && n == (want2 ? 2 : 1);
}

/* Nothing was added, removed or changed next to the root or in the canary. */
static int canary_intact(void)
{
	char p[PATH_MAX], got[16] = "";
	struct stat st, kst;
	int fd;

	snprintf(p, sizeof(p), "%s/keep", canary);
	fd = open(p, O_RDONLY | O_NOFOLLOW);
	if (fd < 0 || read(fd, got, sizeof(got)) != 6)
		return 0;
	close(fd);
	return names_in(base, "root", "canary") && names_in(canary, "keep", NULL) &&
	       stat(canary, &st) == 0 && stat(p, &kst) == 0 &&
	       st.st_mtim.tv_sec == canary_st.st_mtim.tv_sec &&
	       st.st_mtim.tv_nsec == canary_st.st_mtim.tv_nsec && kst.st_ino == keep_st.st_ino &&
	       kst.st_mode == keep_st.st_mode && kst.st_nlink == 1 && !memcmp(got, "canary", 6);
}

static int unpack_with(struct stream_reader r, const struct oci_unpack_opts *o)
{
	memset(&E, 0, sizeof(E));
	memset(&R, 0, sizeof(R));
	return oci_unpack_tar(r, rootfd, o, &R, &E);
}

static int unpack_buf(const struct buf *b, const struct oci_unpack_opts *o)
{
	struct mem m = {b->p, b->len, 0};

	return unpack_with((struct stream_reader){mem_read, &m}, o);
}

/* Through oci_decomp with the kind found by magic. */
static int unpack_auto(const struct buf *b, const struct oci_unpack_opts *o,
		       enum oci_compression *found)
{
	struct mem m = {b->p, b->len, 4000};
	struct oci_decomp *d;
	int r;

	memset(&E, 0, sizeof(E));
	if (oci_decomp_open(&d, (struct stream_reader){mem_read, &m}, OCI_COMP_AUTO, &E) < 0)
		return -1;
	*found = oci_decomp_kind(d);
	r = unpack_with(oci_decomp_stream(d), o);
	oci_decomp_free(d);
	if (r == 0 && m.left)
		r = err_set(&E, "%zu bytes of the source left unread", m.left);
	return r;
}

/* ---------------------------------------------------------------- hostile */

static void hostile_with(const char *label, struct buf *b, const char *needle,
			 const struct oci_unpack_opts *o)
{
	fresh();
	ok(unpack_buf(b, o) < 0, "hostile %s: refused", label);
	ok(strstr(E.msg, needle) != NULL, "hostile %s: the error names \"%s\"", label, needle);
	diag("%s", E.msg);
	ok(canary_intact(), "hostile %s: nothing changed outside the root", label);
	buf_free(b);
}

static void hostile(const char *label, struct buf *b, const char *needle)
{
	hostile_with(label, b, needle, &OVERLAY);
}

static void test_hostile_paths(void)
{
	struct buf b = {0};
	char name[5000];
	int i;

	t_file(&b, "../escape", "x");
	hostile("dotdot-leading", &b, "\"../escape\"");
	t_file(&b, "a/../../escape", "x");
	hostile("dotdot-middle", &b, "a/../../escape");
	t_file(&b, "/../canary/keep", "x");
	hostile("dotdot-after-slash", &b, "/../canary/keep");
	t_dir(&b, "sub/..");
	hostile("dotdot-dir", &b, "sub/..");

	memset(name, 'n', 300);
	memcpy(name, "a/", 2);
	name[300] = '\0';
	t_file(&b, name, "x");
	hostile("name-component-too-long", &b, "a/nnnnnnnn");

	for (i = 0; i < 40; i++) {
		memset(name + i * 121, 'p', 120);
		name[i * 121 + 120] = '/';
	}
	name[40 * 121 - 1] = '\0';
	t_file(&b, name, "x");
	hostile("path-too-long", &b, "pppp");

	t_file(&b, "f", "x");
	t_file(&b, "f/x", "x");
	hostile("file-as-parent", &b, "f/x");

	tar_add(&b, &(struct tent){.name = ".", .type = '0', .data = "x", .size = 1});
	hostile("file-replaces-root", &b, "\".\"");
	t_file(&b, ".wh...", "");
	hostile("whiteout-of-dotdot", &b, ".wh...");
	t_file(&b, "a/.wh.b/c", "x");
	hostile("whiteout-as-folder", &b, "a/.wh.b/c");
}

static void test_hostile_links(void)
{
	struct buf b = {0};

	t_sym(&b, "link", canary);
	t_file(&b, "link/pwned", "x");
	hostile("symlink-abs-parent", &b, "link/pwned");
	t_sym(&b, "link", "../canary");
	t_file(&b, "link/pwned", "x");
	hostile("symlink-rel-parent", &b, "link/pwned");
	t_dir(&b, "d");
	t_sym(&b, "link", "d");
	t_file(&b, "link/x", "x");
	hostile("symlink-inside-parent", &b, "link/x");
	t_sym(&b, "a", "b");
	t_sym(&b, "b", canary);
	t_file(&b, "a/x", "x");
	hostile("symlink-chain-parent", &b, "a/x");
	t_dir(&b, "d");
	t_sym(&b, "d", canary);
	t_file(&b, "d/pwned", "x");
	hostile("symlink-replaces-folder", &b, "d/pwned");
	t_sym(&b, "s", canary);
	t_dir(&b, "s/newdir");
	hostile("folder-through-symlink", &b, "s/newdir");
	t_sym(&b, "s", canary);
	t_sym(&b, "s/evil", "/");
	hostile("symlink-through-symlink", &b, "s/evil");
	t_sym(&b, "s", canary);
	tar_add(&b, &(struct tent){.name = "s/fifo", .type = '6'});
	hostile("fifo-through-symlink", &b, "s/fifo");

	t_hard(&b, "h", "../canary/keep");
	hostile("hardlink-dotdot", &b, "\"h\"");
	t_hard(&b, "h", "/etc/passwd");
	hostile("hardlink-missing", &b, "\"h\"");
	t_sym(&b, "s", "/etc/passwd");
	t_hard(&b, "h", "s");
	hostile("hardlink-to-symlink", &b, "\"h\"");
	t_sym(&b, "d", canary);
	t_hard(&b, "h", "d/keep");
	hostile("hardlink-via-symlink-parent", &b, "\"h\"");
	t_dir(&b, "dd");
	t_hard(&b, "h", "dd");
	hostile("hardlink-to-folder", &b, "\"h\"");
	t_sym(&b, "s", canary);
	t_file(&b, "f", "x");
	t_hard(&b, "s/h", "f");
	hostile("hardlink-name-through-symlink", &b, "s/h");
}

static void test_hostile_other(void)
{
	struct buf b = {0}, tar = {0};
	char junk[3000];

	tar_add(&b, &(struct tent){.name = "null", .type = '3', .maj = 1, .min = 3});
	hostile("chardev-not-allowed", &b, "\"null\"");
	tar_add(&b, &(struct tent){.name = "sda", .type = '4', .maj = 8});
	hostile("blockdev-not-allowed", &b, "\"sda\"");

	memset(junk, 'j', sizeof(junk));
	buf_add(&b, junk, sizeof(junk));
	hostile("not-tar", &b, "layer sha256:test");

	t_file(&b, "ok", "fine");
	tar_add(&b,
		&(struct tent){
			.name = "cut", .type = '0', .data = junk, .size = 1000, .hdr_size = 10000});
	hostile("truncated-contents", &b, "\"cut\"");

	t_file(&b, "first", "fine");
	t_file(&b, "second", "fine");
	b.len -= 700; /* into the second header */
	hostile("truncated-header", &b, "first");

	t_sym(&b, "s", canary);
	t_file(&b, "s/.wh.keep", "");
	hostile_with("apply-whiteout-through-symlink", &b, "s/.wh.keep", &APPLY);
	t_sym(&b, "s", canary);
	t_file(&b, "s/.wh..wh..opq", "");
	hostile_with("apply-opaque-through-symlink", &b, "s/.wh..wh..opq", &APPLY);

	if (CFG_GZIP) {
		enum oci_compression found;

		t_file(&tar, "a", "some contents that are long enough to be cut");
		tar_end(&tar);
		gzip_member(&b, tar.p, tar.len);
		b.len /= 2;
		fresh();
		ok(unpack_auto(&b, &OVERLAY, &found) < 0 &&
			   strstr(E.msg, "unexpected end of gzip stream") &&
			   strstr(E.msg, "layer sha256:test"),
		   "hostile truncated-gzip: refused, naming the layer (%s)", E.msg);
		ok(canary_intact(), "hostile truncated-gzip: nothing outside");
		buf_free(&b);
		buf_free(&tar);
	}
}

/* ---------------------------------------------------------------- good */

static int mode_of(const char *p, mode_t *mode)
{
	struct stat st;

	if (fstatat(rootfd, p, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	*mode = st.st_mode;
	return 0;
}

static int exists(const char *p)
{
	mode_t m;

	return mode_of(p, &m) == 0;
}

static char *slurp(const char *p, char *out, size_t n)
{
	int fd = openat(rootfd, p, O_RDONLY | O_NOFOLLOW);
	ssize_t got;

	out[0] = '\0';
	if (fd < 0)
		return out;
	got = read(fd, out, n - 1);
	out[got > 0 ? got : 0] = '\0';
	close(fd);
	return out;
}

static void basic_layer(struct buf *b)
{
	tar_add(b, &(struct tent){.name = "etc/", .type = '5', .mode = 0751, .mtime = 1000000});
	tar_add(b, &(struct tent){.name = "etc/hostname",
				  .data = "tug\n",
				  .size = 4,
				  .mode = 0640,
				  .mtime = 1234567890});
	t_sym(b, "etc/link", "/does/not/exist");
	t_hard(b, "etc/hard", "etc/hostname");
	tar_add(b, &(struct tent){.name = "run/fifo", .type = '6', .mode = 0600});
	tar_add(b, &(struct tent){.name = "bin/su", .data = "#!", .size = 2, .mode = 04755});
	t_file(b, "/abs/file", "abs");
	t_file(b, "./dot/./file", "dot");
	tar_add(b, &(struct tent){.name = "unknown-type", .type = 'Z', .data = "z", .size = 1});
	tar_add(b, &(struct tent){.name = "./", .type = '5', .mode = 0700});
	tar_end(b);
}

static void check_basic(const char *how)
{
	struct stat st, st2;
	char buf[64];
	mode_t m;

	ok(fstatat(rootfd, "etc/hostname", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		   (st.st_mode & 07777) == 0640 && st.st_size == 4 &&
		   st.st_mtim.tv_sec == 1234567890,
	   "%s: file with mode, size, mtime", how);
	is_str(slurp("etc/hostname", buf, sizeof(buf)), "tug\n", "%s: file contents", how);
	ok(readlinkat(rootfd, "etc/link", buf, sizeof(buf)) == 15 &&
		   !memcmp(buf, "/does/not/exist", 15),
	   "%s: symlink target kept verbatim", how);
	ok(fstatat(rootfd, "etc/hard", &st2, AT_SYMLINK_NOFOLLOW) == 0 && st2.st_ino == st.st_ino &&
		   st2.st_nlink == 2,
	   "%s: hard link shares the inode", how);
	ok(mode_of("run/fifo", &m) == 0 && S_ISFIFO(m), "%s: fifo", how);
	ok(mode_of("run", &m) == 0 && S_ISDIR(m) && (m & 07777) == 0755,
	   "%s: an unlisted parent is made 0755", how);
	ok(mode_of("bin/su", &m) == 0 && (m & 07777) == 04755, "%s: setuid kept", how);
	is_str(slurp("abs/file", buf, sizeof(buf)), "abs", "%s: /abs/file lands in abs/file", how);
	is_str(slurp("dot/file", buf, sizeof(buf)), "dot", "%s: ./dot/./file lands in dot/file",
	       how);
	is_str(slurp("unknown-type", buf, sizeof(buf)), "z",
	       "%s: an unknown type flag is a regular file (POSIX)", how);
	ok(fstatat(rootfd, "etc", &st, 0) == 0 && st.st_mtim.tv_sec == 1000000 &&
		   (st.st_mode & 07777) == 0751,
	   "%s: folder mode and mtime set after its children", how);
	ok(fstat(rootfd, &st) == 0 && (st.st_mode & 07777) == 0755,
	   "%s: an entry for the root changes nothing", how);
}

static void test_basic(void)
{
	struct buf b = {0}, c = {0};
	enum oci_compression found;

	basic_layer(&b);
	fresh();
	is_int(unpack_buf(&b, &OVERLAY), 0, "plain tar unpacks (%s)", E.msg);
	is_int((long long)R.entries, 10, "every entry counted");
	is_int((long long)R.bytes, 4 + 2 + 3 + 3 + 1, "file bytes counted");
	check_basic("plain");

	if (CFG_GZIP) {
		gzip_member(&c, b.p, b.len);
		fresh();
		ok(unpack_auto(&c, &OVERLAY, &found) == 0 && found == OCI_COMP_GZIP,
		   "gzip layer unpacks (%s)", E.msg);
		check_basic("gzip");
		c.len = 0;
		gzip_member(&c, b.p, 777);
		gzip_member(&c, b.p + 777, b.len - 777);
		fresh();
		ok(unpack_auto(&c, &OVERLAY, &found) == 0, "multi-member gzip layer unpacks (%s)",
		   E.msg);
		check_basic("gzip members");
	}
	if (CFG_ZSTD) {
		c.len = 0;
		zstd_frame(&c, b.p, b.len);
		fresh();
		ok(unpack_auto(&c, &OVERLAY, &found) == 0 && found == OCI_COMP_ZSTD,
		   "zstd layer unpacks (%s)", E.msg);
		check_basic("zstd");
	}
	buf_free(&b);
	buf_free(&c);
}

static void test_names(void)
{
	struct buf b = {0};
	char name[700], target[400], buf[400];
	ssize_t n;

	memset(name, 'l', 650);
	memcpy(name, "long/", 5);
	name[200] = '/';
	name[400] = '/';
	name[650] = '\0';
	memset(target, 't', 300);
	target[0] = '/';
	target[300] = '\0';
	tar_add(&b, &(struct tent){.name = name, .data = "long", .size = 4});
	tar_add(&b, &(struct tent){.name = "longlink", .type = '2', .link = target});
	tar_add(&b, &(struct tent){.name = "longhard", .type = '1', .link = name});
	t_file(&b, "caf\xc3\xa9-\xe2\x82\xac", "utf8");
	t_file(&b, "latin-\xfc", "latin1");
	tar_add(&b, &(struct tent){.name = "pax-caf\xc3\xa9",
				   .data = "p",
				   .size = 1,
				   .pax = "path=pax-caf\xc3\xa9"});
	tar_end(&b);
	fresh();
	is_int(unpack_buf(&b, &OVERLAY), 0, "long names (pax) unpack (%s)", E.msg);
	is_str(slurp(name, buf, sizeof(buf)), "long", "a 650-byte path through pax");
	n = readlinkat(rootfd, "longlink", buf, sizeof(buf));
	ok(n == 300 && !memcmp(buf, target, 300), "a 300-byte symlink target through pax");
	is_str(slurp("longhard", buf, sizeof(buf)), "long", "a hard link to a long name");
	ok(exists("caf\xc3\xa9-\xe2\x82\xac") && exists("latin-\xfc") && exists("pax-caf\xc3\xa9"),
	   "UTF-8 and Latin-1 names keep their bytes");
	buf_free(&b);
}

static void test_xattrs(void)
{
	struct buf b = {0};
	char val[32] = "";

	if (fsetxattr(rootfd, "user.tug.probe", "1", 1, 0) < 0 && errno == EOPNOTSUPP) {
		skip("the file system under %s has no user xattrs", base);
		return;
	}
	tar_add(&b,
		&(struct tent){
			.name = "x", .data = "x", .size = 1, .xkey = "user.tug", .xval = "hello"});
	tar_add(&b, &(struct tent){.name = "d",
				   .type = '5',
				   .mode = 0755,
				   .xkey = "user.dir",
				   .xval = "folder"});
	tar_end(&b);
	fresh();
	is_int(unpack_buf(&b, &OVERLAY), 0, "xattrs unpack (%s)", E.msg);
	ok(getxattr(base, "user.none", val, sizeof(val)) < 0, "(probe)");
	memset(val, 0, sizeof(val));
	{
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/root/x", base);
		ok(getxattr(p, "user.tug", val, sizeof(val)) == 5 && !strcmp(val, "hello"),
		   "user xattr on a file");
		memset(val, 0, sizeof(val));
		snprintf(p, sizeof(p), "%s/root/d", base);
		ok(getxattr(p, "user.dir", val, sizeof(val)) == 6 && !strcmp(val, "folder"),
		   "user xattr on a folder");
	}
	buf_free(&b);
}

static void lower_layer(void)
{
	struct buf b = {0};

	t_dir(&b, "a");
	t_file(&b, "a/f1", "1");
	t_file(&b, "a/f2", "2");
	t_dir(&b, "a/sub");
	t_file(&b, "a/sub/deep", "d");
	t_dir(&b, "o");
	t_file(&b, "o/lower1", "l");
	t_dir(&b, "o/lowerdir");
	t_file(&b, "o/lowerdir/x", "x");
	t_file(&b, "keep", "k");
	t_file(&b, "x", "was a file");
	t_dir(&b, "y");
	t_file(&b, "y/inner", "i");
	t_sym(&b, "out", canary);
	tar_end(&b);
	fresh();
	if (unpack_buf(&b, &APPLY) < 0)
		diag("lower layer: %s", E.msg);
	buf_free(&b);
}

static void test_apply(void)
{
	struct buf b = {0};
	char buf[32];
	mode_t m;

	lower_layer();
	t_file(&b, "a/.wh.f1", "");
	t_file(&b, "a/.wh.sub", "");
	tar_add(&b, &(struct tent){.name = "o", .type = '5', .mode = 0700});
	t_file(&b, "o/.wh..wh..opq", "");
	t_file(&b, "o/upper", "u");
	t_file(&b, ".wh.missing", "");
	t_file(&b, "nodir/.wh.x", "");
	t_dir(&b, "x");
	t_file(&b, "y", "now a file");
	t_file(&b, "out", "replaced the symlink");
	t_file(&b, ".wh..wh.plnk/123", "aufs");
	t_file(&b, ".wh..wh.aufs", "");
	tar_end(&b);
	is_int(unpack_buf(&b, &APPLY), 0, "apply: whiteouts over a lower layer (%s)", E.msg);
	ok(!exists("a/f1") && exists("a/f2"), "apply: .wh.f1 removes f1 only");
	ok(!exists("a/sub"), "apply: .wh.sub removes a folder with contents");
	ok(!exists("o/lower1") && !exists("o/lowerdir") && exists("o/upper"),
	   "apply: the opaque marker empties lower contents, the layer's own stay");
	ok(mode_of("o", &m) == 0 && (m & 07777) == 0700,
	   "apply: an existing folder takes the mode");
	ok(exists("keep") && !exists("nodir"),
	   "apply: a whiteout in a missing folder does nothing");
	ok(mode_of("x", &m) == 0 && S_ISDIR(m), "apply: a folder replaces a file");
	ok(mode_of("y", &m) == 0 && S_ISREG(m), "apply: a file replaces a folder");
	ok(mode_of("out", &m) == 0 && S_ISREG(m) && canary_intact(),
	   "apply: a file replaces a symlink, never written through it");
	is_str(slurp("out", buf, sizeof(buf)), "replaced the symlink", "apply: its contents");
	ok(!exists(".wh..wh.plnk") && !exists(".wh..wh.aufs"), "apply: aufs metadata skipped");
	buf_free(&b);
}

static void test_overlay(void)
{
	struct buf b = {0};
	struct stat st;
	char p[PATH_MAX], val[8] = "";

	if (!is_root) {
		skip("overlay whiteouts need root (mknod, trusted xattrs)");
		return;
	}
	t_dir(&b, "a");
	t_file(&b, "a/.wh.f1", "");
	t_dir(&b, "o");
	t_file(&b, "o/.wh..wh..opq", "");
	t_file(&b, "o/new", "n");
	t_file(&b, "deep/.wh.gone", "");
	tar_end(&b);
	fresh();
	is_int(unpack_buf(&b, &OVERLAY), 0, "overlay: whiteouts unpack (%s)", E.msg);
	ok(fstatat(rootfd, "a/f1", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) &&
		   st.st_rdev == makedev(0, 0),
	   "overlay: .wh.f1 is a 0/0 character device f1");
	ok(fstatat(rootfd, "deep/gone", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode),
	   "overlay: a whiteout's folder is made");
	ok(!exists("a/.wh.f1") && !exists("o/.wh..wh..opq"), "overlay: no .wh. files left");
	snprintf(p, sizeof(p), "%s/root/o", base);
	ok(getxattr(p, "trusted.overlay.opaque", val, sizeof(val)) == 1 && val[0] == 'y',
	   "overlay: the opaque folder has trusted.overlay.opaque=y");
	buf_free(&b);
}

static void test_root_only(void)
{
	struct oci_unpack_opts o = APPLY;
	struct buf b = {0};
	struct stat st;
	char p[PATH_MAX], val[64];

	if (!is_root) {
		skip("ownership and devices need root");
		return;
	}
	o.same_owner = true;
	o.allow_devices = true;
	tar_add(&b,
		&(struct tent){.name = "d", .type = '5', .mode = 0750, .uid = 1234, .gid = 5678});
	tar_add(&b, &(struct tent){.name = "d/suid",
				   .data = "x",
				   .size = 1,
				   .mode = 06755,
				   .uid = 1234,
				   .gid = 5678});
	tar_add(&b, &(struct tent){.name = "d/s",
				   .type = '2',
				   .link = "suid",
				   .uid = 42,
				   .gid = 43,
				   .xkey = "trusted.tug",
				   .xval = "link"});
	tar_add(&b, &(struct tent){.name = "null", .type = '3', .mode = 0666, .maj = 1, .min = 3});
	tar_add(&b, &(struct tent){.name = "sda", .type = '4', .mode = 0660, .maj = 8});
	tar_add(&b, &(struct tent){.name = "redir",
				   .type = '5',
				   .mode = 0755,
				   .xkey = "trusted.overlay.redirect",
				   .xval = "/etc"});
	tar_add(&b, &(struct tent){.name = "cap",
				   .data = "x",
				   .size = 1,
				   .mode = 0755,
				   .xkey = "security.capability",
				   .xval = "\x01\x00\x00\x02\x00\x04\x00\x00\0\0\0\0"
					   "\0\0\0\0\0\0\0\0",
				   .xlen = 20}); /* v2, cap_net_bind_service permitted */
	tar_end(&b);
	fresh();
	is_int(unpack_buf(&b, &o), 0, "root: owners and devices unpack (%s)", E.msg);
	ok(fstatat(rootfd, "d/suid", &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_uid == 1234 &&
		   st.st_gid == 5678 && (st.st_mode & 07777) == 06755,
	   "root: owner set, setuid/setgid kept after chown");
	ok(fstatat(rootfd, "d/s", &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_uid == 42 &&
		   st.st_gid == 43,
	   "root: a symlink's own owner");
	snprintf(p, sizeof(p), "%s/root/d/s", base);
	memset(val, 0, sizeof(val));
	ok(lgetxattr(p, "trusted.tug", val, sizeof(val)) == 4 && !strcmp(val, "link"),
	   "root: a symlink's own xattr (through /proc/self/fd)");
	snprintf(p, sizeof(p), "%s/root/d/suid", base);
	ok(getxattr(p, "trusted.tug", val, sizeof(val)) < 0, "root: ... and not its target's");
	ok(fstatat(rootfd, "d", &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_uid == 1234 &&
		   (st.st_mode & 07777) == 0750,
	   "root: folder owner and mode");
	ok(fstatat(rootfd, "null", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) &&
		   st.st_rdev == makedev(1, 3) && (st.st_mode & 0777) == 0666,
	   "root: character device when allowed");
	ok(fstatat(rootfd, "sda", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISBLK(st.st_mode),
	   "root: block device when allowed");
	snprintf(p, sizeof(p), "%s/root/redir", base);
	ok(exists("redir") && getxattr(p, "trusted.overlay.redirect", val, sizeof(val)) < 0,
	   "root: a layer's own trusted.overlay.* xattr is dropped");
	snprintf(p, sizeof(p), "%s/root/cap", base);
	ok(getxattr(p, "security.capability", val, sizeof(val)) == 20 && val[5] == 4,
	   "root: security.capability is kept (set after chown, which clears it)");
	buf_free(&b);
}

/* A reader that counts what it hands out. */
struct counted {
	struct mem m;
	size_t given;
};

static ssize_t counted_read(void *ctx, void *buf, size_t n, struct err *e)
{
	struct counted *c = ctx;
	ssize_t r = mem_read(&c->m, buf, n, e);

	c->given += r > 0 ? (size_t)r : 0;
	return r;
}

static void test_stream_end(void)
{
	struct buf b = {0};
	struct counted c;

	t_file(&b, "f", "x");
	tar_end(&b);
	buf_add(&b, NULL, 150000); /* more zero blocks, as some tools pad */
	buf_add(&b, "trailing", 8);
	c = (struct counted){{b.p, b.len, 1000}, 0};
	fresh();
	is_int(unpack_with((struct stream_reader){counted_read, &c}, &OVERLAY), 0,
	       "padded tar unpacks (%s)", E.msg);
	is_int((long long)c.given, (long long)b.len, "the stream is read to its very end");

	b.len = 0;
	fresh();
	is_int(unpack_buf(&b, &OVERLAY), 0, "an empty stream is an empty layer (%s)", E.msg);
	tar_end(&b);
	is_int(unpack_buf(&b, &OVERLAY), 0, "end blocks only: an empty layer");
	is_int((long long)R.entries, 0, "no entries");
	buf_free(&b);
}

static void test_deep_and_many(void)
{
	struct buf b = {0};
	char p[PATH_MAX];
	struct stat st;
	int i;

	/* 1500 nested folders, then a whiteout of the top one. */
	for (i = 0; i < 1500; i++)
		memcpy(p + 2 * i, "a/", 2);
	memcpy(p + 2 * i, "f", 2);
	t_file(&b, p, "deep");
	tar_end(&b);
	fresh();
	is_int(unpack_buf(&b, &APPLY), 0, "1500 nested folders unpack (%s)", E.msg);
	b.len = 0;
	t_file(&b, ".wh.a", "");
	tar_end(&b);
	ok(unpack_buf(&b, &APPLY) == 0 && !exists("a"),
	   "a whiteout removes them without an fd per level (%s)", E.msg);

	/* More folders than the metadata list holds: finished early, right. */
	b.len = 0;
	memset(p, 'm', 200);
	unpack_dirfix_max_bytes = 16 * 1024;
	for (i = 0; i < 600; i++) {
		snprintf(p + 200, 32, "%05d", i);
		tar_add(&b, &(struct tent){.name = p, .type = '5', .mode = 0711, .mtime = 777});
		snprintf(p + 205, 32, "/f");
		t_file(&b, p, "");
	}
	tar_end(&b);
	fresh();
	is_int(unpack_buf(&b, &OVERLAY), 0, "600 folders, 16 KiB for their metadata (%s)", E.msg);
	unpack_dirfix_max_bytes = 1024 * 1024;
	snprintf(p + 200, 32, "%05d", 0);
	ok(fstatat(rootfd, p, &st, 0) == 0 && st.st_mtim.tv_sec == 777 &&
		   (st.st_mode & 07777) == 0711,
	   "the first folder's metadata (finished early) is right");
	snprintf(p + 200, 32, "%05d", 599);
	ok(fstatat(rootfd, p, &st, 0) == 0 && st.st_mtim.tv_sec == 777,
	   "the last folder's metadata is right");
	buf_free(&b);
}

/* The peak RSS of this process image in KiB: VmHWM, as getrusage's
 * ru_maxrss also counts the image before exec (the shell that ran us). */
static long peak_kib(long *ru)
{
	struct rusage r;
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	getrusage(RUSAGE_SELF, &r);
	*ru = r.ru_maxrss;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			kib = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kib >= 0 ? kib : r.ru_maxrss;
}

static int check_generated(const char *name, uint64_t size)
{
	static unsigned char buf[65536], want[65536];
	uint64_t at = 0;
	ssize_t n;
	int fd = openat(rootfd, name, O_RDONLY), good = fd >= 0;

	while (good && (n = read(fd, buf, sizeof(buf))) > 0) {
		gen_fill(want, at, (size_t)n);
		good = memcmp(buf, want, (size_t)n) == 0;
		at += (uint64_t)n;
	}
	if (fd >= 0)
		close(fd);
	return good && at == size;
}

static void test_big(void)
{
	struct gen g;
	struct gz_reader gz;
	struct oci_decomp *d;
	uint64_t size = 20u << 20;

	gen_init(&g, "big/twenty", size, 5000);
	gz_reader_init(&gz, (struct stream_reader){gen_read, &g});
	fresh();
	if (CFG_GZIP &&
	    oci_decomp_open(&d, (struct stream_reader){gz_read, &gz}, OCI_COMP_AUTO, &E) == 0) {
		is_int(unpack_with(oci_decomp_stream(d), &OVERLAY), 0,
		       "20 MB generated, gzip'd on the fly, unpacked (%s)", E.msg);
		oci_decomp_free(d);
		ok(check_generated("big/twenty", size), "its contents are right");
		ok(g.pos == g.total, "the generator was read to its end");
	}
	deflateEnd(&gz.z);
	fresh();
}

/* First of all tests, so that the peak RSS before it is not some earlier
 * test's: what grows is the unpacker's own memory. */
static void test_rss(void)
{
	uint64_t size = 200u << 20;
	long before, after, ru_before, ru_after;
	struct gen g;

	gen_init(&g, "big/two-hundred", size, 0);
	fresh();
	before = peak_kib(&ru_before);
	is_int(unpack_with((struct stream_reader){gen_read, &g}, &OVERLAY), 0,
	       "200 MB generated and unpacked (%s)", E.msg);
	after = peak_kib(&ru_after);
	diag("peak RSS %ld KiB before, %ld KiB after 200 MB: %ld KiB growth (ru_maxrss %ld -> "
	     "%ld KiB)",
	     before, after, after - before, ru_before, ru_after);
	ok(after - before < 8 * 1024, "peak RSS grows by less than 8 MiB");
	ok(check_generated("big/two-hundred", size) && R.bytes == size, "its contents are right");
	fresh();
}

int main(void)
{
	struct err e;
	int bfd;

	is_root = geteuid() == 0;
	setup();
	test_rss();
	test_hostile_paths();
	test_hostile_links();
	test_hostile_other();
	test_basic();
	test_names();
	test_xattrs();
	test_apply();
	test_overlay();
	test_root_only();
	test_stream_end();
	test_deep_and_many();
	test_big();
	close(rootfd);
	bfd = open("/tmp", O_PATH | O_DIRECTORY);
	oci_rm_tree(bfd, base + 5, &e);
	close(bfd);
	return done_testing();
}
