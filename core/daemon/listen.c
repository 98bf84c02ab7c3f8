/* listen.c - the daemon's listening sockets: unix (stale file replaced,
 * 0660, group tug or docker), fd:// (systemd socket activation) and
 * tcp:// (TLS with client certificates, or plaintext only when forced). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "file.h"
#include "listen.h"

#define LISTEN_BACKLOG 128
#define GROUP_FILE "/etc/group"

struct lset {
	struct tug_listener *v;
	size_t n;
	int act_first, act_n; /* systemd's sockets: fds act_first.. */
	const struct tug_listen_opts *o;
	char *warn;
	size_t warn_size;
};

int tug_listen_group(const char *group_file, const char *name, gid_t *gid, struct err *e)
{
	const char *path = group_file ? group_file : GROUP_FILE;
	FILE *f = fopen(path, "re");
	char line[1024];
	size_t nl = strlen(name);
	int found = 0;

	if (!f)
		return errno == ENOENT ? 0 : err_sys(e, errno, "open %s", path);
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = line;
		/* name:password:gid:members */
		if (strncmp(p, name, nl) || p[nl] != ':' || !(p = strchr(p + nl + 1, ':')))
			continue;
		*gid = (gid_t)strtoul(p + 1, NULL, 10);
		found = 1;
	}
	fclose(f);
	return found;
}

static int set_flags(int fd, struct err *e)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return err_sys(e, errno, "fd %d", fd);
	return 0;
}

static int add(struct lset *s, int fd, enum tug_listen_kind kind, const char *addr,
	       const char *path, struct err *e)
{
	struct tug_listener *v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (!v) {
		close(fd);
		if (path)
			unlink(path);
		return err_sys(e, ENOMEM, "listen on %s", addr);
	}
	s->v = v;
	v += s->n++;
	v->fd = fd;
	v->kind = kind;
	snprintf(v->addr, sizeof(v->addr), "%s", addr);
	snprintf(v->path, sizeof(v->path), "%s", path ? path : "");
	return 0;
}

static void warn_line(struct lset *s, const char *fmt, const char *addr)
{
	size_t len;

	if (!s->warn || !s->warn_size)
		return;
	len = strlen(s->warn);
	if (len && len + 1 < s->warn_size)
		s->warn[len++] = '\n', s->warn[len] = '\0';
	if (len < s->warn_size)
		snprintf(s->warn + len, s->warn_size - len, fmt, addr);
}

/* What a TCP listener may be, from the TLS settings. */
static int tcp_kind(struct lset *s, const char *addr, enum tug_listen_kind *kind, struct err *e)
{
	const struct tug_listen_opts *o = s->o;

	if (o->tls && !o->tlsverify)
		return err_set(e,
			       "%s: refusing TLS without client certificates: add --tlsverify "
			       "(with --tlscacert) so that only holders of a certificate get in",
			       addr);
	if (o->tls && !CFG_TLS_SERVER)
		return err_set(e,
			       "%s: the TLS server is compiled out (CONFIG_TLS_SERVER); listen "
			       "on a unix socket, or reach it over ssh (docker -H ssh://...)",
			       addr);
	if (o->tls) {
		*kind = TUG_LISTEN_TCP_TLS;
		return 0;
	}
	if (!o->allow_insecure_tcp)
		return err_set(e,
			       "%s: refusing to listen on TCP without TLS: use --tlsverify with "
			       "--tlscacert, --tlscert and --tlskey, or --tls=false "
			       "--allow-insecure-tcp to accept that anyone who reaches the port "
			       "has root on this host",
			       addr);
	*kind = TUG_LISTEN_TCP_PLAIN;
	warn_line(s,
		  "listening on %s without TLS (--allow-insecure-tcp): anyone who can reach "
		  "this port has root access to this host; use --tlsverify",
		  addr);
	return 0;
}

static int open_tcp(struct lset *s, const char *addr, struct err *e)
{
	char host[256], *port;
	const char *a = addr + 6;
	struct addrinfo hints = {.ai_flags = AI_PASSIVE, .ai_socktype = SOCK_STREAM}, *ai;
	enum tug_listen_kind kind;
	int fd, one = 1, r;

	if (tcp_kind(s, addr, &kind, e) < 0)
		return -1;
	snprintf(host, sizeof(host), "%s", a[0] == '[' ? a + 1 : a);
	port = strrchr(host, ':');
	if (!port)
		return err_set(e, "%s: no port", addr);
	*port++ = '\0';
	if (a[0] == '[' && port - host >= 2)
		port[-2] = '\0'; /* the ']' */
	r = getaddrinfo(host, port, &hints, &ai);
	if (r)
		return err_set(e, "listen on %s: %s", addr, gai_strerror(r));
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		freeaddrinfo(ai);
		return err_sys(e, errno, "listen on %s", addr);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	r = bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, LISTEN_BACKLOG) < 0;
	freeaddrinfo(ai);
	if (r) {
		err_sys(e, errno, "listen on %s", addr);
		close(fd);
		return -1;
	}
	return add(s, fd, kind, addr, NULL, e);
}

/* A socket file left by a daemon that died is replaced; a live one, or
 * anything that is not a socket, is not. */
static int clear_stale(const char *path, struct err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_sys(e, errno, "%s", path);
	if (!S_ISSOCK(st.st_mode))
		return err_set(e, "%s: exists and is not a socket; not removing it", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(e, errno, "socket");
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (r == 0)
		return err_set(e, "%s: another daemon is listening on it", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return err_sys(e, errno, "remove stale socket %s", path);
	return 0;
}

/* The socket's group: the one asked for, else tug, else docker. -1 keeps
 * the creator's group (root's, for a daemon run by root). */
static int socket_gid(const struct tug_listen_opts *o, gid_t *gid, struct err *e)
{
	static const char *const fallback[] = {"tug", "docker"};
	char *end;
	int r;

	*gid = (gid_t)-1;
	if (o->group) {
		unsigned long n = strtoul(o->group, &end, 10);
		if (*o->group && !*end) {
			*gid = (gid_t)n;
			return 0;
		}
		r = tug_listen_group(o->group_file, o->group, gid, e);
		if (r == 0)
			return err_set(e, "group %s not found in %s", o->group,
				       o->group_file ? o->group_file : GROUP_FILE);
		return r < 0 ? -1 : 0;
	}
	for (size_t i = 0; i < 2; i++) {
		r = tug_listen_group(o->group_file, fallback[i], gid, e);
		if (r)
			return r < 0 ? -1 : 0;
	}
	return 0;
}

static int open_unix(struct lset *s, const char *addr, struct err *e)
{
	const char *path = addr + 7;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[PATH_MAX];
	gid_t gid;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(e, "%s: the path is too long for a unix socket", addr);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	if (socket_gid(s->o, &gid, e) < 0 || (dir[0] && file_mkdir_p(dir, 0755, e) < 0) ||
	    clear_stale(path, e) < 0)
		return err_wrap(e, "listen on %s", addr);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_sys(e, errno, "listen on %s", addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err_sys(e, errno, "listen on %s", addr);
		close(fd);
		return -1;
	}
	/* Before listen: nobody connects while the mode is still the umask's. */
	if (chmod(path, 0660) < 0 || (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0) ||
	    listen(fd, LISTEN_BACKLOG) < 0) {
		err_sys(e, errno, "listen on %s", addr);
		close(fd);
		unlink(path);
		return -1;
	}
	return add(s, fd, TUG_LISTEN_UNIX, addr, path, e);
}

static int add_activated(struct lset *s, int fd, struct err *e)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	enum tug_listen_kind kind = TUG_LISTEN_UNIX;
	char addr[32];
	int on = 0;
	socklen_t ol = sizeof(on);

	snprintf(addr, sizeof(addr), "fd://%d", fd);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &ol) < 0)
		return err_sys(e, errno, "%s: not a socket", addr);
	if (!on)
		return err_set(e, "%s: not a listening socket", addr);
	if (ss.ss_family != AF_UNIX && tcp_kind(s, addr, &kind, e) < 0)
		return -1;
	if (set_flags(fd, e) < 0)
		return -1;
	/* The fd is systemd's socket: the daemon closes it but never unlinks. */
	return add(s, fd, kind, addr, NULL, e);
}

static int open_fd(struct lset *s, const char *addr, struct err *e)
{
	int want = addr[5] ? atoi(addr + 5) : -1;

	if (!s->act_n)
		return err_set(e,
			       "%s: no sockets were passed (LISTEN_FDS, LISTEN_PID); start "
			       "the daemon from a systemd socket unit",
			       addr);
	if (want >= 0) {
		if (want < s->act_first || want >= s->act_first + s->act_n)
			return err_set(e, "%s: not among the %d passed sockets (fds %d-%d)", addr,
				       s->act_n, s->act_first, s->act_first + s->act_n - 1);
		return add_activated(s, want, e);
	}
	for (int fd = s->act_first; fd < s->act_first + s->act_n; fd++)
		if (add_activated(s, fd, e) < 0)
			return -1;
	return 0;
}

/* sd_listen_fds(3): the sockets are ours only when LISTEN_PID is our pid. */
static void read_activation(struct lset *s)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

	s->act_first = 3;
	s->act_n = 0;
	if (pid && fds && strtol(pid, NULL, 10) == (long)getpid())
		s->act_n = (int)strtol(fds, NULL, 10);
	if (s->act_n < 0 || s->act_n > 1024)
		s->act_n = 0;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

int tug_listen_open(const char *const *hosts, size_t nhosts, const struct tug_listen_opts *o,
		    struct tug_listener **out, size_t *n, char *warn, size_t warn_size,
		    struct err *e)
{
	struct lset s = {.o = o, .warn = warn, .warn_size = warn_size};
	int r = 0;

	*out = NULL;
	*n = 0;
	if (warn && warn_size)
		warn[0] = '\0';
	read_activation(&s);
	for (size_t i = 0; r == 0 && i < nhosts; i++) {
		const char *h = hosts[i];
		if (!strncmp(h, "unix://", 7))
			r = open_unix(&s, h, e);
		else if (!strncmp(h, "tcp://", 6))
			r = open_tcp(&s, h, e);
		else if (!strncmp(h, "fd://", 5))
			r = open_fd(&s, h, e);
		else
			r = err_set(e, "%s: unknown kind of host (unix://, tcp:// or fd://)", h);
	}
	if (r < 0) {
		tug_listen_close(s.v, s.n);
		return -1;
	}
	*out = s.v;
	*n = s.n;
	return 0;
}

void tug_listen_close(struct tug_listener *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		close(l[i].fd);
		if (l[i].path[0])
			unlink(l[i].path);
	}
	free(l);
}
