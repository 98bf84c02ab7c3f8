/* test_path.c - path.c: lexical clean and join, and path_open_beneath through
 * openat2 and through the fallback walk, which must agree with each other. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "path.h"
#include "tap.h"

static char top[2048];
static int rootfd;

static const char *clean(const char *in)
{
	static char out[PATH_MAX];
	struct err e;

	if (path_clean(in, out, sizeof(out), &e) < 0)
		snprintf(out, sizeof(out), "error: %s", e.msg);
	return out;
}

static const char *join(const char *root, const char *rel)
{
	static char out[PATH_MAX];
	struct err e;

	if (path_join_under(root, rel, out, sizeof(out), &e) < 0)
		snprintf(out, sizeof(out), "error: %s", e.msg);
	return out;
}

static void test_clean(void)
{
	static const char *const cases[][2] = {
		{"", "."},
		{".", "."},
		{"/", "/"},
		{"//", "/"},
		{"a", "a"},
		{"a/", "a"},
		{"/a//b/./c/", "/a/b/c"},
		{"a/../b", "b"},
		{"a/..", "."},
		{"/..", "/"},
		{"/../../x", "/x"},
		{"..", ".."},
		{"../..", "../.."},
		{"../a/..", ".."},
		{"a/../../b", "../b"},
		{"./a/./b/.", "a/b"},
		{"/a/b/../../..", "/"},
		{"a/b/c/../../d", "a/d"},
		{"...", "..."},
		{"a/.../b", "a/.../b"},
		{"..a/b..", "..a/b.."},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(clean(cases[i][0]), cases[i][1], "clean \"%s\"", cases[i][0]);
}

static void test_join(void)
{
	static const char *const cases[][3] = {
		{"/r", "etc/passwd", "/r/etc/passwd"},
		{"/r", "/etc/passwd", "/r/etc/passwd"},
		{"/r", "../../etc/passwd", "/r/etc/passwd"},
		{"/r", "a/../../..", "/r"},
		{"/r", "", "/r"},
		{"/r", "/", "/r"},
		{"/r/", "//a//b/", "/r/a/b"},
		{"/r", "a/b/../c/./d", "/r/a/c/d"},
		{"/", "../x", "/x"},
		{"/", "", "/"},
		{"rootfs", "/etc", "rootfs/etc"},
		{".", "/etc", "etc"},
		{".", "..", "."},
		{"", "x", "x"},
		{"/r/../s", "x", "/s/x"},
		{"../r", "../x", "../r/x"},
	};
	char out[8], big[PATH_MAX + 10];
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(join(cases[i][0], cases[i][1]), cases[i][2], "join \"%s\" under \"%s\"",
		       cases[i][1], cases[i][0]);
	is_int(path_join_under_n("/r", "a\0/../../x", 10, out, sizeof(out), &e), -1,
	       "a NUL byte inside the counted path is refused");
	is_int(e.errnum, EINVAL, "... with EINVAL");
	is_int(path_join_under_n("/r", "abcdef", 3, out, sizeof(out), &e), 0, "counted join");
	is_str(out, "/r/abc", "... stops at the count");
	is_int(path_join_under("/r", "abcdefgh", out, sizeof(out), &e), -1, "out too small");
	is_int(e.errnum, ENAMETOOLONG, "... with ENAMETOOLONG");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int(path_clean(big, big, 0, &e), -1, "clean into a zero-size buffer fails");
	ok(strncmp(join("/r", big), "error: ", 7) == 0, "an over-long untrusted path fails");
}

static void mk(const char *rel, const char *content)
{
	char p[4096];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, content, strlen(content)) < 0)
		perror(p);
	close(fd);
}

static void mkd(const char *rel)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	if (mkdir(p, 0755) < 0)
		perror(p);
}

static void ln(const char *target, const char *rel)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	if (symlink(target, p) < 0)
		perror(p);
}

static const char *errname(int err)
{
	static char buf[32];

	switch (err) {
	case ENOENT:
		return "ENOENT";
	case ELOOP:
		return "ELOOP";
	case ENOTDIR:
		return "ENOTDIR";
	case EISDIR:
		return "EISDIR";
	case EEXIST:
		return "EEXIST";
	case ENAMETOOLONG:
		return "ENAMETOOLONG";
	case EXDEV:
		return "EXDEV";
	case EAGAIN:
		return "EAGAIN";
	case EINVAL:
		return "EINVAL";
	}
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

/* What an fd is: "file:<content>", "dir:<name>" for the known folders,
 * "link", or "err:<errno>" when the open failed. */
static const char *what(int fd, const struct err *e)
{
	static const char *const dirs[] = {"root", "root/etc", "root/a", "root/a/b", "."};
	static char buf[256];
	struct stat st, dst;
	char p[4096];
	ssize_t n;
	size_t i;

	if (fd < 0) {
		snprintf(buf, sizeof(buf), "err:%s", errname(e->errnum));
		return buf;
	}
	fstat(fd, &st);
	if (S_ISLNK(st.st_mode))
		return "link";
	if (S_ISREG(st.st_mode)) {
		n = pread(fd, buf + 5, sizeof(buf) - 6, 0);
		memcpy(buf, "file:", 5);
		buf[5 + (n > 0 ? n : 0)] = '\0';
		return buf;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", top, dirs[i]);
		if (stat(p, &dst) == 0 && dst.st_ino == st.st_ino && dst.st_dev == st.st_dev) {
			snprintf(buf, sizeof(buf), "dir:%s", dirs[i]);
			return buf;
		}
	}
	return "other";
}

static void setup(void)
{
	char p[4096];

	mkd("outside");
	mk("outside/secret", "SECRET");
	mkd("root");
	mkd("root/etc");
	mk("root/etc/passwd", "root-passwd");
	mkd("root/a");
	mkd("root/a/b");
	mk("root/a/x", "a-x");
	mk("root/x", "root-x");
	ln("/etc/passwd", "root/abs_passwd");
	ln("../../../../../../etc/passwd", "root/rel_escape");
	snprintf(p, sizeof(p), "%s/outside/secret", top);
	ln(p, "root/to_outside_abs");
	ln("../outside/secret", "root/to_outside_rel");
	ln("a/b", "root/lnk");
	ln("loop2", "root/loop1");
	ln("loop1", "root/loop2");
	ln("self/x", "root/self");
	ln("etc/passwd", "root/pl");
	ln("/etc", "root/dirlink");
	ln("../../../../etc", "root/esc_dir_rel");
	ln("a/lnk2", "root/chain1");
	ln("../etc/passwd", "root/a/lnk2");
	ln("/made_by_link", "root/dangle");
	ln("../../made_by_rel_link", "root/dangle_rel");
}

/* l0 -> l1 -> ... -> l40 -> etc/passwd: opening l0 follows 41 links. */
static void setup_chain(void)
{
	char name[32], target[32];
	int i;

	for (i = 0; i <= PATH_MAX_SYMLINKS; i++) {
		snprintf(name, sizeof(name), "root/l%d", i);
		if (i == PATH_MAX_SYMLINKS)
			snprintf(target, sizeof(target), "etc/passwd");
		else
			snprintf(target, sizeof(target), "l%d", i + 1);
		ln(target, name);
	}
}

struct ocase {
	const char *rel;
	int flags;
	const char *want;
};

static const struct ocase ocases[] = {
	{"etc/passwd", O_RDONLY, "file:root-passwd"},
	{"/etc/passwd", O_RDONLY, "file:root-passwd"},
	{"../../../../etc/passwd", O_RDONLY, "file:root-passwd"},
	{"abs_passwd", O_RDONLY, "file:root-passwd"},
	{"rel_escape", O_RDONLY, "file:root-passwd"},
	{"to_outside_abs", O_RDONLY, "err:ENOENT"},
	{"to_outside_rel", O_RDONLY, "err:ENOENT"},
	{"lnk/../x", O_RDONLY, "file:a-x"},
	{"loop1", O_RDONLY, "err:ELOOP"},
	{"self", O_RDONLY, "err:ELOOP"},
	{"etc/passwd/x", O_RDONLY, "err:ENOTDIR"},
	{"etc/passwd/", O_RDONLY, "err:ENOTDIR"},
	{"pl/", O_RDONLY, "err:ENOTDIR"},
	{"pl", O_RDONLY, "file:root-passwd"},
	{"etc/", O_RDONLY, "dir:root/etc"},
	{"a/b/../../../..", O_RDONLY | O_DIRECTORY, "dir:root"},
	{"a/b/..", O_RDONLY, "dir:root/a"},
	{"dirlink/passwd", O_RDONLY, "file:root-passwd"},
	{"dirlink/../a/x", O_RDONLY, "file:a-x"},
	{"esc_dir_rel/passwd", O_RDONLY, "file:root-passwd"},
	{"chain1", O_RDONLY, "file:root-passwd"},
	{"", O_RDONLY, "err:ENOENT"},
	{"/", O_RDONLY | O_DIRECTORY, "dir:root"},
	{".", O_RDONLY, "dir:root"},
	{"..", O_RDONLY, "dir:root"},
	{"missing/x", O_RDONLY, "err:ENOENT"},
	{"abs_passwd", O_PATH | O_NOFOLLOW, "link"},
	{"abs_passwd", O_RDONLY | O_NOFOLLOW, "err:ELOOP"},
	{"lnk", O_RDONLY | O_DIRECTORY, "dir:root/a/b"},
	{"lnk/", O_PATH, "dir:root/a/b"},
	{"l1", O_RDONLY, "file:root-passwd"},
	{"l0", O_RDONLY, "err:ELOOP"},
	{"dangle", O_WRONLY | O_CREAT | O_EXCL, "err:EEXIST"},
	{"newdir/", O_WRONLY | O_CREAT, "err:EISDIR"},
	{"a", O_WRONLY | O_CREAT, "err:EISDIR"},
	{"etc/passwd", O_RDONLY | O_CREAT | O_EXCL, "err:EEXIST"},
};

static void run_cases(const char *mode)
{
	size_t i;
	struct err e;
	int fd;

	for (i = 0; i < sizeof(ocases) / sizeof(ocases[0]); i++) {
		fd = path_open_beneath(rootfd, ocases[i].rel, ocases[i].flags, 0644, &e);
		is_str(what(fd, &e), ocases[i].want, "%s: \"%s\" flags %#o", mode, ocases[i].rel,
		       ocases[i].flags);
		if (fd >= 0)
			close(fd);
	}
}

static int exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

/* Creating through dangling links must land inside the root. */
static void run_create(const char *mode)
{
	char in[4096], out1[4096], out2[4096];
	struct err e;
	int fd;

	fd = path_open_beneath(rootfd, "dangle", O_WRONLY | O_CREAT, 0600, &e);
	snprintf(in, sizeof(in), "%s/root/made_by_link", top);
	ok(fd >= 0 && exists(in) && !exists("/made_by_link"),
	   "%s: create through an absolute dangling link lands in the root", mode);
	if (fd >= 0)
		close(fd);
	unlink(in);
	unlink("/made_by_link"); /* only there if the test failed */
	fd = path_open_beneath(rootfd, "dangle_rel", O_WRONLY | O_CREAT, 0600, &e);
	snprintf(in, sizeof(in), "%s/root/made_by_rel_link", top);
	snprintf(out1, sizeof(out1), "%s/made_by_rel_link", top);
	snprintf(out2, sizeof(out2), "%s/../made_by_rel_link", top);
	ok(fd >= 0 && exists(in) && !exists(out1) && !exists(out2),
	   "%s: create through a relative dangling link lands in the root", mode);
	if (fd >= 0)
		close(fd);
	unlink(in);
	unlink(out1);
	unlink(out2);
	fd = path_open_beneath(rootfd, "dirlink/newfile", O_WRONLY | O_CREAT | O_EXCL, 0600, &e);
	snprintf(in, sizeof(in), "%s/root/etc/newfile", top);
	ok(fd >= 0 && exists(in), "%s: create through a folder link", mode);
	if (fd >= 0)
		close(fd);
	unlink(in);
}

/* /proc/self/fd/N and /proc/self/exe are magic links: never followed. */
static void run_magic(const char *mode)
{
	int proc = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char rel[64];
	struct err e;
	int fd;

	snprintf(rel, sizeof(rel), "fd/%d", rootfd);
	fd = path_open_beneath(proc, rel, O_RDONLY, 0, &e);
	ok(fd < 0, "%s: magic link %s is not followed (%s)", mode, rel, fd < 0 ? e.msg : "opened");
	if (fd >= 0)
		close(fd);
	fd = path_open_beneath(proc, "exe", O_RDONLY, 0, &e);
	ok(fd < 0, "%s: magic link exe is not followed (%s)", mode, fd < 0 ? e.msg : "opened");
	if (fd >= 0)
		close(fd);
	close(proc);
}

static void run_long(const char *mode)
{
	char *p = malloc(PATH_MAX + 100);
	struct err e;
	int fd, i;

	for (i = 0; i < PATH_MAX + 98; i += 2)
		memcpy(p + i, "a/", 2);
	p[PATH_MAX + 98] = '\0';
	fd = path_open_beneath(rootfd, p, O_RDONLY, 0, &e);
	ok(fd < 0 && e.errnum == ENAMETOOLONG, "%s: over-long path is ENAMETOOLONG", mode);
	free(p);
	if (fd >= 0)
		close(fd);
}

/* A seccomp filter that fails openat2 with errnum, built by hand because
 * musl builds see no kernel headers: load nr; if openat2 return errno; allow. */
static int deny_openat2(int errnum)
{
	struct bpf_insn {
		uint16_t code;
		uint8_t jt, jf;
		uint32_t k;
	} prog[] = {
		{0x20, 0, 0, 0}, /* ld [nr] */
		{0x15, 0, 1, SYS_openat2}, /* jeq openat2 */
		{0x06, 0, 0, 0x00050000u | (uint32_t)errnum}, /* ret ERRNO */
		{0x06, 0, 0, 0x7fff0000u}, /* ret ALLOW */
	};
	struct {
		unsigned short len;
		struct bpf_insn *filter;
	} fprog = {4, prog};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, &fprog, 0, 0);
}

/* In a child whose kernel "lacks" openat2, the automatic choice must fall
 * back to the walk. Exit status: 0 all good, 1 a check failed, 2 no seccomp. */
static int child_without_openat2(int errnum)
{
	struct err e;
	long r;
	int fd;

	if (deny_openat2(errnum) < 0)
		return 2;
	r = syscall(SYS_openat2, rootfd, "x", NULL, 0);
	if (r >= 0 || errno != errnum)
		return 2; /* the fake did not take (valgrind answers ENOSYS itself) */
	fd = path_open_beneath(rootfd, "rel_escape", O_RDONLY, 0, &e);
	if (strcmp(what(fd, &e), "file:root-passwd") != 0)
		return 1;
	fd = path_open_beneath(rootfd, "to_outside_abs", O_RDONLY, 0, &e);
	if (strcmp(what(fd, &e), "err:ENOENT") != 0)
		return 1;
	fd = path_open_beneath(rootfd, "loop1", O_RDONLY, 0, &e);
	return strcmp(what(fd, &e), "err:ELOOP") != 0;
}

static void run_no_openat2(int errnum, const char *name)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(child_without_openat2(errnum));
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		skip("cannot fake openat2 failing with %s here (no seccomp?)", name);
	else
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "openat2 failing with %s falls back to the walk", name);
}

/* 200 nested folders, then 200 "..": the walk re-walks from the root for
 * each "..", so it gives up (ELOOP) where openat2 just answers. */
static void run_dotdot_storm(const char *mode)
{
	char *p = malloc(2048);
	struct err e;
	size_t len = 0;
	int fd, i, walked = strcmp(mode, "openat2") != 0;

	for (i = 0; i < 200; i++)
		len += (size_t)sprintf(p + len, "d/");
	for (i = 0; i < 200; i++)
		len += (size_t)sprintf(p + len, "../");
	sprintf(p + len, "x");
	fd = path_open_beneath(rootfd, p, O_RDONLY, 0, &e);
	if (walked)
		ok(fd < 0 && e.errnum == ELOOP, "%s: a \"..\" storm runs out of budget", mode);
	else
		ok(fd >= 0, "%s: a \"..\" storm resolves", mode);
	if (fd >= 0)
		close(fd);
	free(p);
}

/* Whether this kernel (or valgrind, which does not know it) runs openat2. */
static int have_openat2(void)
{
	struct {
		uint64_t flags, mode, resolve;
	} how = {O_PATH, 0, 0};
	long fd = syscall(SYS_openat2, rootfd, ".", &how, sizeof(how));

	if (fd >= 0)
		close((int)fd);
	return fd >= 0;
}

static void run_all(const char *mode)
{
	run_cases(mode);
	run_create(mode);
	run_magic(mode);
	run_long(mode);
	run_dotdot_storm(mode);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char p[4096];
	struct err e;
	long fd;
	int i, len;

	test_clean();
	test_join();
	snprintf(top, sizeof(top), "%s/tug-test-path-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(top)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	setup();
	setup_chain();
	for (i = 0, len = snprintf(p, sizeof(p), "%s/root", top); i < 200; i++) {
		len += snprintf(p + len, sizeof(p) - (size_t)len, "/d");
		mkdir(p, 0755);
	}
	snprintf(p, sizeof(p), "%s/root", top);
	rootfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	path_force_fallback(0);
	fd = path_open_beneath(rootfd, ".", O_PATH, 0, &e);
	if (fd >= 0)
		close((int)fd);
	if (!have_openat2())
		diag("openat2 is not available here: both runs use the walk");
	run_all(have_openat2() ? "openat2" : "auto");
	path_force_fallback(1);
	run_all("walk");
	path_force_fallback(0);
	run_no_openat2(ENOSYS, "ENOSYS");
	run_no_openat2(EPERM, "EPERM");
	close(rootfd);
	snprintf(p, sizeof(p), "rm -rf '%s'", top);
	if (system(p) != 0)
		diag("could not remove %s", top);
	return done_testing();
}
