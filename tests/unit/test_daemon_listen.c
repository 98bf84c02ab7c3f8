/* test_daemon_listen.c - listen.c with real sockets in a temporary folder:
 * unix sockets (mode, group, stale and live files), tcp:// rules, and
 * systemd's socket activation emulated in forked children. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/daemon/listen.h"
#include "tap.h"

static char dir[] = "/tmp/tug-listen-XXXXXX";
static char groups[256];

static bool has(const char *s, const char *part)
{
	return s && strstr(s, part);
}

static const char *P(const char *name)
{
	static char buf[4][256];
	static int i;
	char *p = buf[i++ % 4];

	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool nonblock_cloexec(int fd)
{
	return (fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

static int open1(const char *host, const struct tug_listen_opts *o, struct tug_listener **l,
		 size_t *n, char *warn, size_t wsize, struct err *e)
{
	const char *hosts[] = {host};

	return tug_listen_open(hosts, 1, o, l, n, warn, wsize, e);
}

static void write_groups(const char *text)
{
	FILE *f = fopen(groups, "w");

	fputs(text, f);
	fclose(f);
}

static void test_unix(void)
{
	struct tug_listen_opts o = {.group_file = groups};
	struct tug_listener *l;
	struct stat st;
	char host[300], text[256], warn[512];
	size_t n;
	struct err e;
	gid_t g = getgid();
	int c;

	snprintf(text, sizeof(text), "root:x:0:\nwheel:x:10:\ntug:x:%u:someone\n", (unsigned)g);
	write_groups(text);
	snprintf(host, sizeof(host), "unix://%s", P("sub/tug.sock"));
	ok(open1(host, &o, &l, &n, warn, sizeof(warn), &e) == 0, "unix socket in a new folder");
	if (!n) {
		diag("%s", e.msg);
		return;
	}
	ok(n == 1 && l[0].kind == TUG_LISTEN_UNIX && !strcmp(l[0].addr, host), "one unix listener");
	ok(stat(P("sub/tug.sock"), &st) == 0 && S_ISSOCK(st.st_mode), "the socket file is there");
	is_int(st.st_mode & 07777, 0660, "mode 0660");
	is_int(st.st_gid, g, "group tug (from the group file)");
	ok(nonblock_cloexec(l[0].fd), "non-blocking and close-on-exec");
	c = connect_unix(P("sub/tug.sock"));
	ok(c >= 0, "a client connects");
	close(c);
	is_str(warn, "", "no warning");

	{
		struct tug_listener *l2;
		size_t n2;
		ok(open1(host, &o, &l2, &n2, NULL, 0, &e) < 0 &&
			   has(e.msg, "another daemon is listening"),
		   "a live socket is not replaced: %s", e.msg);
	}
	tug_listen_close(l, 1);
	ok(access(P("sub/tug.sock"), F_OK) < 0, "close removes the socket file");

	/* A stale file: bound, then its socket closed. */
	{
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", P("sub/tug.sock"));
		bind(s, (struct sockaddr *)&sa, sizeof(sa));
		close(s);
	}
	ok(open1(host, &o, &l, &n, NULL, 0, &e) == 0, "a stale socket file is replaced");
	tug_listen_close(l, n);

	write_groups("root:x:0:\ndocker:x:4242:\n");
	o.group = "docker";
	ok(open1(host, &o, &l, &n, NULL, 0, &e) == 0 || has(e.msg, "Operation not permitted"),
	   "explicit group docker");
	if (getuid() == 0 && n) {
		stat(P("sub/tug.sock"), &st);
		is_int(st.st_gid, 4242, "chowned to docker's gid");
	}
	tug_listen_close(l, n);
	o.group = "nope";
	ok(open1(host, &o, &l, &n, NULL, 0, &e) < 0 && has(e.msg, "group nope not found"),
	   "an unknown group is an error: %s", e.msg);
	ok(access(P("sub/tug.sock"), F_OK) < 0, "nothing left behind");
	o.group = NULL;
	write_groups("root:x:0:\n");
	ok(open1(host, &o, &l, &n, NULL, 0, &e) == 0, "no tug or docker group: the creator's");
	tug_listen_close(l, n);

	close(open(P("file"), O_CREAT | O_WRONLY, 0644));
	snprintf(host, sizeof(host), "unix://%s", P("file"));
	ok(open1(host, &o, &l, &n, NULL, 0, &e) < 0 && has(e.msg, "is not a socket"),
	   "a regular file in the way is kept: %s", e.msg);
	ok(access(P("file"), F_OK) == 0, "and not removed");
}

static int tcp_port(int fd)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	getsockname(fd, (struct sockaddr *)&sa, &sl);
	return ntohs(sa.sin_port);
}

static void test_tcp(void)
{
	struct tug_listen_opts o = {.group_file = groups};
	struct tug_listener *l;
	struct sockaddr_in sa = {.sin_family = AF_INET};
	char warn[512];
	size_t n;
	struct err e;
	int c;

	ok(open1("tcp://127.0.0.1:0", &o, &l, &n, warn, sizeof(warn), &e) < 0 &&
		   has(e.msg, "refusing to listen on TCP without TLS") &&
		   has(e.msg, "--allow-insecure-tcp"),
	   "plaintext tcp refused: %s", e.msg);
	o.tls = true;
	ok(open1("tcp://127.0.0.1:0", &o, &l, &n, warn, sizeof(warn), &e) < 0 &&
		   has(e.msg, "refusing TLS without client certificates"),
	   "TLS without --tlsverify refused: %s", e.msg);
	o.tlsverify = true;
	if (CFG_TLS_SERVER) {
		ok(open1("tcp://127.0.0.1:0", &o, &l, &n, warn, sizeof(warn), &e) == 0 && n == 1 &&
			   l[0].kind == TUG_LISTEN_TCP_TLS && !warn[0],
		   "tls + tlsverify: a TLS listener, no warning");
		if (n)
			tug_listen_close(l, n);
	} else {
		ok(open1("tcp://127.0.0.1:0", &o, &l, &n, warn, sizeof(warn), &e) < 0 &&
			   has(e.msg, "compiled out (CONFIG_TLS_SERVER)"),
		   "TLS server compiled out: %s", e.msg);
	}
	o.tls = o.tlsverify = false;
	o.allow_insecure_tcp = true;
	ok(open1("tcp://127.0.0.1:0", &o, &l, &n, warn, sizeof(warn), &e) == 0 && n == 1 &&
		   l[0].kind == TUG_LISTEN_TCP_PLAIN,
	   "--tls=false --allow-insecure-tcp: a plaintext listener");
	if (!n)
		return;
	ok(has(warn, "listening on tcp://127.0.0.1:0 without TLS") && has(warn, "root access"),
	   "with a warning: %s", warn);
	ok(nonblock_cloexec(l[0].fd), "non-blocking and close-on-exec");
	sa.sin_port = htons((uint16_t)tcp_port(l[0].fd));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	c = socket(AF_INET, SOCK_STREAM, 0);
	ok(connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0, "a client connects");
	close(c);
	tug_listen_close(l, n);
	ok(open1("tcp://no.such.host.invalid:1", &o, &l, &n, NULL, 0, &e) < 0 &&
		   has(e.msg, "no.such.host.invalid"),
	   "an unknown host name: %s", e.msg);
}

/* In a child: two listening sockets as fds 3 and 4, LISTEN_* set; returns
 * a bit per passed check through the exit status. */
static int child_activation(const char *hosts0, const char *pid_env)
{
	struct tug_listen_opts o = {0};
	struct tug_listener *l;
	const char *hosts[] = {hosts0};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[32];
	size_t n;
	struct err e;
	int bits = 0;

	for (int i = 0; i < 2; i++) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", P(i ? "act4" : "act3"));
		unlink(sa.sun_path);
		bind(s, (struct sockaddr *)&sa, sizeof(sa));
		listen(s, 4);
		if (s != 3 + i) {
			dup2(s, 3 + i);
			close(s);
		}
	}
	snprintf(buf, sizeof(buf), "%d", (int)getpid());
	setenv("LISTEN_PID", pid_env ? pid_env : buf, 1);
	setenv("LISTEN_FDS", "2", 1);
	setenv("LISTEN_FDNAMES", "a:b", 1);
	if (tug_listen_open(hosts, 1, &o, &l, &n, NULL, 0, &e) == 0) {
		bits |= 1;
		if (!strcmp(hosts0, "fd://") && n == 2 && l[0].fd == 3 && l[1].fd == 4 &&
		    !strcmp(l[1].addr, "fd://4"))
			bits |= 2;
		if (!strcmp(hosts0, "fd://4") && n == 1 && l[0].fd == 4)
			bits |= 2;
		if (n && l[0].kind == TUG_LISTEN_UNIX && nonblock_cloexec(l[0].fd) && !l[0].path[0])
			bits |= 4;
	} else if (has(e.msg, "no sockets were passed") || has(e.msg, "not among")) {
		bits |= 16;
	}
	if (!getenv("LISTEN_PID") && !getenv("LISTEN_FDS") && !getenv("LISTEN_FDNAMES"))
		bits |= 8;
	return bits;
}

static int run_child(const char *host, const char *pid_env)
{
	int st;
	pid_t p = fork();

	if (p == 0)
		_exit(child_activation(host, pid_env));
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_activation(void)
{
	is_int(run_child("fd://", NULL), 1 | 2 | 4 | 8,
	       "fd://: both passed sockets, unix, flags, "
	       "variables unset");
	is_int(run_child("fd://4", NULL), 1 | 2 | 4 | 8, "fd://4: that one only");
	is_int(run_child("fd://7", NULL), 8 | 16, "fd://7: not passed");
	is_int(run_child("fd://", "1"), 8 | 16, "LISTEN_PID of another process: none passed");
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(groups, sizeof(groups), "%s/group", dir);
	test_unix();
	test_tcp();
	test_activation();
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			diag("cleanup failed");
	}
	return done_testing();
}
