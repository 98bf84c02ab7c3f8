/* test_file.c - file.c: atomic replace (whole and streaming), failures that
 * leave the target untouched, bounded reads, EINTR-safe writes, mkdir -p. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file.h"
#include "tap.h"

static char dir[2048];

static const char *at(const char *name)
{
	static char buf[2][4096];
	static int i;

	i ^= 1;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* Whole content of a file as a string, "(missing)" when it cannot be read. */
static const char *slurp(const char *path)
{
	static char buf[8192];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return "(missing)";
	buf[n] = '\0';
	return buf;
}

/* Entries in folder d whose name contains ".tmp.": leftovers of a write. */
static int temps(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *de;
	int n = 0;

	while (dp && (de = readdir(dp)))
		n += strstr(de->d_name, ".tmp.") != NULL;
	if (dp)
		closedir(dp);
	return n;
}

static void put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, s, strlen(s)) < 0)
		perror(path);
	close(fd);
}

static void test_atomic(void)
{
	struct err e;
	struct stat st;
	int dfd;

	umask(022);
	is_int(file_write_atomic(AT_FDCWD, at("a.json"), "one", 3, 0666, &e), 0, "write new file");
	is_str(slurp(at("a.json")), "one", "content written");
	if (stat(at("a.json"), &st) < 0)
		st.st_mode = 0;
	ok((st.st_mode & 07777) == 0666, "mode is exact, not reduced by the umask (%o)",
	   (unsigned)(st.st_mode & 07777));
	is_int(file_write_atomic(AT_FDCWD, at("a.json"), "two!", 4, 0600, &e), 0, "replace");
	is_str(slurp(at("a.json")), "two!", "content replaced");
	ok(stat(at("a.json"), &st) == 0 && (st.st_mode & 07777) == 0600, "mode replaced");
	is_int(temps(dir), 0, "no temp files left");
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	mkdir(at("sub"), 0755);
	is_int(file_write_atomic(dfd, "sub/b", "bee", 3, 0644, &e), 0, "write relative to dirfd");
	is_str(slurp(at("sub/b")), "bee", "dirfd content");
	is_int(file_write_atomic(dfd, "c", "", 0, 0644, &e), 0, "write empty file by base name");
	is_str(slurp(at("c")), "", "empty content");
	close(dfd);
	is_int(file_write_atomic(AT_FDCWD, at("nodir/x"), "x", 1, 0644, &e), -1,
	       "missing folder fails");
	is_int(e.errnum, ENOENT, "... with ENOENT");
	is_int(file_write_atomic(AT_FDCWD, at("sub/"), "x", 1, 0644, &e), -1,
	       "a path without a file name fails");
	is_int(e.errnum, EISDIR, "... with EISDIR");
}

/* The variant without fsync: same atomic replace, same mode, no temps left. */
static void test_replace(void)
{
	struct err e;
	struct stat st;

	is_int(file_write_replace(AT_FDCWD, at("r.json"), "first", 5, 0640, &e), 0,
	       "replace: write new file");
	is_int(file_write_replace(AT_FDCWD, at("r.json"), "2nd", 3, 0600, &e), 0,
	       "replace: replace it");
	is_str(slurp(at("r.json")), "2nd", "replace: new content");
	ok(stat(at("r.json"), &st) == 0 && (st.st_mode & 07777) == 0600, "replace: mode");
	is_int(temps(dir), 0, "replace: no temp files left");
	is_int(file_write_replace(AT_FDCWD, at("nodir/r"), "x", 1, 0644, &e), -1,
	       "replace: missing folder fails");
}

static void test_failures(void)
{
	struct file_atomic fa;
	struct err e;

	put(at("keep"), "original");
	is_int(file_atomic_open(&fa, AT_FDCWD, at("keep"), 0644, &e), 0, "stream open");
	is_int(temps(dir), 1, "temp file exists while writing");
	file_write_full(fa.fd, "partial", 7, &e);
	file_atomic_abort(&fa);
	is_str(slurp(at("keep")), "original", "abort leaves the target untouched");
	is_int(temps(dir), 0, "abort removes the temp file");
	file_atomic_abort(&fa);
	ok(fa.fd == -1 && fa.dirfd == -1, "second abort is a no-op");

	mkdir(at("busy"), 0755);
	put(at("busy/inside"), "x");
	is_int(file_write_atomic(AT_FDCWD, at("busy"), "new", 3, 0644, &e), -1,
	       "replacing a non-empty folder fails at rename");
	ok(strstr(e.msg, ": rename: ") != NULL, "... and says so: %s", e.msg);
	is_str(slurp(at("busy/inside")), "x", "the folder in the way is untouched");
	is_int(temps(dir), 0, "failed rename removes the temp file");

	is_int(file_atomic_open(&fa, AT_FDCWD, at("keep"), 0644, &e), 0, "stream open again");
	file_write_full(fa.fd, "streamed", 8, &e);
	is_int(file_atomic_commit(&fa, &e), 0, "stream commit");
	is_str(slurp(at("keep")), "streamed", "streamed content in place");
	is_int(file_atomic_commit(&fa, &e), -1, "commit twice fails");
	is_int(e.errnum, EBADF, "... with EBADF");
	file_atomic_abort(&fa);
	is_str(slurp(at("keep")), "streamed", "abort after commit is harmless");
}

static void test_two_writers(void)
{
	struct file_atomic a, b;
	struct err e;

	file_atomic_open(&a, AT_FDCWD, at("race"), 0644, &e);
	file_atomic_open(&b, AT_FDCWD, at("race"), 0644, &e);
	ok(a.fd >= 0 && b.fd >= 0 && strcmp(a.tmp, b.tmp) != 0, "two writers get distinct temps");
	file_write_full(a.fd, "A", 1, &e);
	file_write_full(b.fd, "B", 1, &e);
	ok(file_atomic_commit(&a, &e) == 0 && file_atomic_commit(&b, &e) == 0, "both commit");
	is_str(slurp(at("race")), "B", "the last commit wins whole");
}

static void test_read(void)
{
	char *buf = NULL;
	size_t len = 99;
	struct err e;
	char small[4];
	int fd;

	put(at("r"), "0123456789");
	ok(file_read_all(at("r"), 10, &buf, &len, &e) == 0 && len == 10, "read at the cap");
	is_str(buf, "0123456789", "content is NUL-terminated");
	free(buf);
	is_int(file_read_all(at("r"), 9, &buf, &len, &e), -1, "one byte over the cap fails");
	is_int(e.errnum, EFBIG, "... with EFBIG");
	ok(strstr(e.msg, at("r")) != NULL, "... naming the file: %s", e.msg);
	put(at("empty"), "");
	ok(file_read_all(at("empty"), 10, &buf, &len, &e) == 0 && len == 0 && buf && !buf[0],
	   "empty file gives an empty string");
	free(buf);
	ok(file_read_all("/proc/self/status", 1 << 20, &buf, &len, &e) == 0 && len > 100 &&
		   strncmp(buf, "Name:", 5) == 0,
	   "procfs file (st_size 0) is read whole");
	free(buf);
	ok(file_read_all("/proc/self/status", 50, &buf, &len, &e) == -1 && e.errnum == EFBIG,
	   "procfs file over the cap fails");
	is_int(file_read_all(at("none"), 10, &buf, &len, &e), -1, "missing file fails");
	is_int(e.errnum, ENOENT, "... with ENOENT");
	fd = open(at("r"), O_RDONLY);
	ok(file_read_full(fd, small, 4, &e) == 0 && memcmp(small, "0123", 4) == 0,
	   "read_full reads exactly");
	ok(file_read_full(fd, buf = malloc(20), 20, &e) == -1 && e.errnum == EIO,
	   "read_full at a short end fails with EIO");
	free(buf);
	close(fd);
	is_int(file_write_full(fd, "x", 1, &e), -1, "write_full on a closed fd fails");
	is_int(e.errnum, EBADF, "... with EBADF");
}

static volatile sig_atomic_t alarms;

/* The storm stops by itself: under valgrind a 1 ms timer could otherwise
 * interrupt every write before it moves a byte. */
static void on_alarm(int sig)
{
	static const struct itimerval off;

	(void)sig;
	if (++alarms >= 500)
		setitimer(ITIMER_REAL, &off, NULL);
}

/* A slow reader and a timer firing every millisecond without SA_RESTART:
 * the writer sees EINTR and short writes and must still deliver every byte. */
static void test_eintr(void)
{
	enum { N = 1 << 21 };
	struct sigaction sa = {.sa_handler = on_alarm};
	struct itimerval it = {{0, 1000}, {0, 1000}};
	struct itimerval off = {{0, 0}, {0, 0}};
	unsigned char *data = malloc(N);
	int fds[2], status, rc, i;
	struct err e;
	pid_t pid;

	for (i = 0; i < N; i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	if (pipe(fds) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		unsigned char *got = malloc(N + 1);
		ssize_t n;
		size_t have = 0;

		int bad;

		close(fds[1]);
		/* one byte of room past N, so that extra data shows up too */
		size_t room;

		while (have <= N && (room = N + 1 - have < 4096 ? N + 1 - have : 4096) &&
		       (n = read(fds[0], got + have, room)) > 0) {
			have += (size_t)n;
			if (have % (64 << 10) < 4096)
				usleep(1000);
		}
		bad = have != N || memcmp(got, data, N) != 0;
		free(got);
		free(data);
		_exit(bad);
	}
	close(fds[0]);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	rc = file_write_full(fds[1], data, N, &e);
	setitimer(ITIMER_REAL, &off, NULL);
	close(fds[1]);
	waitpid(pid, &status, 0);
	is_int(rc, 0, "write_full under a 1 ms signal storm");
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the reader got every byte in order");
	diag("%d signals arrived during the write", (int)alarms);
	free(data);
}

static void test_mkdir(void)
{
	struct err e;
	struct stat st;

	is_int(file_mkdir_p(at("m/n//o/"), 0755, &e), 0, "mkdir -p nested with // and trailing /");
	ok(stat(at("m/n/o"), &st) == 0 && S_ISDIR(st.st_mode), "the folders exist");
	is_int(file_mkdir_p(at("m/n/o"), 0755, &e), 0, "existing folders are fine");
	put(at("m/file"), "");
	is_int(file_mkdir_p(at("m/file/x"), 0755, &e), -1, "a file in the way fails");
	is_int(e.errnum, ENOTDIR, "... with ENOTDIR");
	is_int(file_mkdir_p("", 0755, &e), -1, "empty path fails");
	is_int(file_fsync_dir(at("m/n"), &e), 0, "fsync_dir");
	is_int(file_fsync_dir(at("m/file"), &e), -1, "fsync_dir on a file fails");
	is_int(e.errnum, ENOTDIR, "... with ENOTDIR");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[4200];

	snprintf(dir, sizeof(dir), "%s/tug-test-file-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	test_atomic();
	test_replace();
	test_failures();
	test_two_writers();
	test_read();
	test_eintr();
	test_mkdir();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
