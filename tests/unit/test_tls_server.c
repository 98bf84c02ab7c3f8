/* test_tls_server.c - tls-server.c against `openssl s_client` and tug's own
 * TLS client, with certificates made for the test: client certificates
 * required and checked, bytes relayed both ways, half-close each way,
 * close_notify, a handshake timeout. Skipped when openssl is not there. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file.h"
#include "tap.h"
#include "tls-server.h"
#include "tls.h"

static char dir[] = "/tmp/tug-tlss-XXXXXX";

/* A CA and a second one, server certificates with RSA and EC keys, client
 * certificates from each CA. */
static const char gen_sh[] =
	"set -e\n"
	"exec >gen.log 2>&1\n"
	"ca() {\n"
	"  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $1.key \\\n"
	"    -out $1.crt -days 2 -subj /CN=$1 -addext basicConstraints=critical,CA:TRUE \\\n"
	"    -addext keyUsage=critical,keyCertSign,cRLSign\n"
	"}\n"
	"leaf() {\n"
	"  ca=$1 name=$2 san=$3 eku=$4; shift 4\n"
	"  openssl req -newkey \"$@\" -nodes -keyout $name.key -out $name.csr -subj /CN=$name\n"
	"  printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=%s\\n' \\\n"
	"    \"$san\" \"$eku\" >$name.ext\n"
	"  openssl x509 -req -in $name.csr -CA $ca.crt -CAkey $ca.key -CAcreateserial \\\n"
	"    -out $name.crt -days 2 -extfile $name.ext\n"
	"}\n"
	"ca ca\n"
	"ca other-ca\n"
	"leaf ca srv-rsa DNS:localhost,IP:127.0.0.1 serverAuth rsa:2048\n"
	"leaf ca srv-ec DNS:localhost,IP:127.0.0.1 serverAuth ec -pkeyopt ec_paramgen_curve:P-256\n"
	"leaf ca client DNS:client clientAuth ec -pkeyopt ec_paramgen_curve:P-256\n"
	"leaf ca client-rsa DNS:client clientAuth rsa:2048\n"
	"leaf other-ca rogue DNS:client clientAuth ec -pkeyopt ec_paramgen_curve:P-256\n";

static const char *P(const char *name)
{
	static char buf[8][256];
	static int i;
	char *p = buf[i++ % 8];

	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

static bool has(const char *s, const char *part)
{
	return s && strstr(s, part);
}

struct relay_run {
	pid_t pid;
	int port;
	int plain; /* the daemon's side of the socketpair */
	int result; /* a pipe: the relay's return and message */
};

/* A child accepts one connection on 127.0.0.1 and relays it. */
static struct relay_run start_relay(const struct tls_server_config *cfg)
{
	struct relay_run r = {0};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), sp[2], pp[2];

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	bind(lfd, (struct sockaddr *)&sa, sizeof(sa));
	listen(lfd, 4);
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	r.port = ntohs(sa.sin_port);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	if (pipe(pp) < 0)
		return r;
	r.pid = fork();
	if (r.pid == 0) {
		struct err e = {0};
		char msg[600];
		int c, rc;
		alarm(20);
		close(sp[0]);
		close(pp[0]);
		c = accept(lfd, NULL, NULL);
		rc = tls_server_relay(cfg, c, sp[1], &e);
		snprintf(msg, sizeof(msg), "%d %s", rc, rc ? e.msg : "");
		(void)!write(pp[1], msg, strlen(msg));
		_exit(0);
	}
	close(lfd);
	close(sp[1]);
	close(pp[1]);
	r.plain = sp[0];
	r.result = pp[0];
	return r;
}

/* The relay's "rc message", after it ended. */
static char *relay_result(struct relay_run *r)
{
	static char msg[600];
	ssize_t n;

	n = read(r->result, msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	waitpid(r->pid, NULL, 0);
	close(r->result);
	close(r->plain);
	return msg;
}

/* Read until want has arrived or 5 s passed. */
static bool read_expect(int fd, const char *want)
{
	char buf[256];
	size_t got = 0, len = strlen(want);

	while (got < len) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t n;
		if (poll(&p, 1, 5000) <= 0)
			break;
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (strcmp(buf, want))
		diag("read \"%s\", wanted \"%s\"", buf, want);
	return !strcmp(buf, want);
}

static bool read_eof(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	char c;

	return poll(&p, 1, 5000) == 1 && read(fd, &c, 1) == 0;
}

struct client {
	pid_t pid;
	int in, out; /* its stdin (we write), its stdout (we read) */
};

/* openssl s_client to the relay; cert NULL sends none. quiet: only data on
 * stdout, and stdin's EOF does not end the session. */
static struct client s_client(int port, const char *cert, const char *key, bool quiet)
{
	struct client c = {0};
	char addr[32], crt[256], k[256], ca[256];
	int in[2], out[2];

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	snprintf(crt, sizeof(crt), "%s", cert ? P(cert) : "");
	snprintf(k, sizeof(k), "%s", key ? P(key) : "");
	snprintf(ca, sizeof(ca), "%s", P("ca.crt"));
	if (pipe(in) < 0 || pipe(out) < 0)
		return c;
	c.pid = fork();
	if (c.pid == 0) {
		int log = open(P("s_client.log"), O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(in[0], 0);
		dup2(quiet ? out[1] : log, 1);
		dup2(log, 2);
		for (int fd = 3; fd < 1024; fd++)
			if (fd != log)
				close(fd); /* the relay's sockets are not the client's */
		alarm(20);
		if (cert)
			execlp("openssl", "openssl", "s_client", "-connect", addr, "-CAfile", ca,
			       "-cert", crt, "-key", k, quiet ? "-quiet" : "-no_ign_eof",
			       (char *)NULL);
		else
			execlp("openssl", "openssl", "s_client", "-connect", addr, "-CAfile", ca,
			       quiet ? "-quiet" : "-no_ign_eof", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c.in = in[1];
	c.out = out[0];
	return c;
}

static void end_client(struct client *c)
{
	close(c->in);
	close(c->out);
	kill(c->pid, SIGTERM);
	waitpid(c->pid, NULL, 0);
}

static void test_refused(struct tls_server_config *cfg)
{
	struct relay_run r = start_relay(cfg);
	struct client c = s_client(r.port, NULL, NULL, false);
	char *res = relay_result(&r);

	ok(res[0] == '-' && has(res, "the client sent no certificate"),
	   "no client certificate: refused: %s", res);
	end_client(&c);

	r = start_relay(cfg);
	c = s_client(r.port, "rogue.crt", "rogue.key", false);
	res = relay_result(&r);
	ok(res[0] == '-' &&
		   has(res, "client certificate refused: not signed by a CA of --tlscacert"),
	   "a client certificate from another CA: refused: %s", res);
	end_client(&c);
}

/* s_client with a good certificate: bytes both ways, then the daemon's
 * side ends: its FIN reaches the client, which closes, and the relay ends. */
static void test_relay_s_client(struct tls_server_config *cfg, const char *what, const char *cert,
				const char *key)
{
	struct relay_run r = start_relay(cfg);
	struct client c = s_client(r.port, cert, key, true);
	char *res;

	(void)!write(c.in, "ping\n", 5);
	ok(read_expect(r.plain, "ping\n"), "%s: client -> daemon", what);
	(void)!write(r.plain, "pong\n", 5);
	ok(read_expect(c.out, "pong\n"), "%s: daemon -> client", what);
	close(r.plain);
	r.plain = -1;
	ok(read_eof(c.out), "%s: the daemon's close reaches the client", what);
	res = relay_result(&r);
	is_str(res, "0 ", "%s: the relay ends without an error", what);
	end_client(&c);
}

/* s_client without -quiet: its stdin's EOF sends close_notify. */
static void test_close_notify(struct tls_server_config *cfg)
{
	struct relay_run r = start_relay(cfg);
	struct client c = s_client(r.port, "client.crt", "client.key", false);
	char *res;

	(void)!write(c.in, "bye\n", 4);
	ok(read_expect(r.plain, "bye\n"), "close_notify: data first");
	close(c.in);
	c.in = -1;
	ok(read_eof(r.plain), "close_notify: the daemon's side sees EOF");
	res = relay_result(&r);
	is_str(res, "0 ", "close_notify: the relay ends without an error");
	end_client(&c);
}

static int tcp_connect(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* tug's own client (RSA client key): the client's TCP FIN passes on as
 * EOF while the daemon still answers. */
static void test_client_half_close(struct tls_server_config *cfg)
{
	struct relay_run r = start_relay(cfg);
	struct tls_config *cc;
	struct tls_conn *t = NULL;
	struct err e;
	char buf[16];
	ssize_t n;
	int fd = tcp_connect(r.port);

	if (tls_config_new(&cc, P("ca.crt"), &e) < 0 ||
	    tls_config_set_client_cert(cc, P("client-rsa.crt"), P("client-rsa.key"), &e) < 0 ||
	    tls_conn_open(&t, cc, fd, "127.0.0.1", "relay", 5000, &e) < 0) {
		ok(0, "tug's client connects: %s", e.msg);
		goto out;
	}
	ok(1, "tug's client with an RSA certificate connects");
	ok(tls_conn_write(t, "req", 3, &e) == 0 && tls_conn_flush(t, &e) == 0, "client writes");
	shutdown(fd, SHUT_WR);
	ok(read_expect(r.plain, "req"), "the request arrives");
	ok(read_eof(r.plain), "the client's FIN arrives as EOF");
	(void)!write(r.plain, "answer", 6);
	n = tls_conn_read(t, buf, sizeof(buf), &e);
	ok(n == 6 && !memcmp(buf, "answer", 6), "the daemon still answers after the client's FIN");
	close(r.plain);
	r.plain = -1;
	n = tls_conn_read(t, buf, sizeof(buf), &e);
	is_int(n, 0, "then the session ends");
out:
	tls_conn_close(t);
	close(fd);
	tls_config_free(cc);
	is_str(relay_result(&r), "0 ", "the relay ends without an error");
}

/* The daemon's shutdown(SHUT_WR): a FIN to the client, which still sends. */
static void test_daemon_half_close(struct tls_server_config *cfg)
{
	struct relay_run r = start_relay(cfg);
	struct tls_config *cc;
	struct tls_conn *t = NULL;
	struct err e;
	char buf[16];
	int fd = tcp_connect(r.port);

	if (tls_config_new(&cc, P("ca.crt"), &e) < 0 ||
	    tls_config_set_client_cert(cc, P("client.crt"), P("client.key"), &e) < 0 ||
	    tls_conn_open(&t, cc, fd, "localhost", "relay", 5000, &e) < 0) {
		ok(0, "tug's client connects: %s", e.msg);
		goto out;
	}
	(void)!write(r.plain, "out", 3);
	shutdown(r.plain, SHUT_WR);
	ok(tls_conn_read(t, buf, sizeof(buf), &e) == 3 && !memcmp(buf, "out", 3),
	   "the daemon's last output arrives");
	{
		struct pollfd p = {fd, POLLRDHUP, 0};
		ok(poll(&p, 1, 5000) == 1 && (p.revents & POLLRDHUP), "then the relay's FIN");
	}
	ok(tls_conn_write(t, "more", 4, &e) == 0 && tls_conn_flush(t, &e) == 0,
	   "the client still sends");
	ok(read_expect(r.plain, "more"), "and the daemon still receives");
	is_int(tls_conn_read(t, buf, sizeof(buf), &e), 0, "EOF at the client");
	shutdown(fd, SHUT_WR);
	ok(read_eof(r.plain), "the client's FIN ends the other way");
out:
	tls_conn_close(t);
	close(fd);
	tls_config_free(cc);
	is_str(relay_result(&r), "0 ", "the relay ends without an error");
}

static void test_timeout(struct tls_server_config *cfg)
{
	struct relay_run r;
	char *res;
	int fd;

	tls_server_config_set_timeouts(cfg, 300, 0);
	r = start_relay(cfg);
	fd = tcp_connect(r.port);
	res = relay_result(&r);
	ok(res[0] == '-' && has(res, "TLS handshake with 127.0.0.1:") && has(res, "timed out"),
	   "a silent client is dropped: %s", res);
	close(fd);
	tls_server_config_set_timeouts(cfg, TLS_SERVER_HANDSHAKE_MS, 0);
}

static void test_config_errors(void)
{
	struct tls_server_config *c;
	struct err e;

	ok(tls_server_config_new(&c, P("srv-ec.crt"), P("srv-ec.key"), P("missing.crt"), &e) < 0 &&
		   has(e.msg, "client CA certificates (--tlscacert)") && has(e.msg, "missing.crt"),
	   "a missing CA file: %s", e.msg);
	ok(tls_server_config_new(&c, P("srv-ec.crt"), P("srv-ec.crt"), P("ca.crt"), &e) < 0 &&
		   has(e.msg, "server certificate (--tlscert, --tlskey)") &&
		   has(e.msg, "no private key in it"),
	   "a key file without a key: %s", e.msg);
	ok(tls_server_config_new(&c, P("srv-ec.key"), P("srv-ec.key"), P("ca.crt"), &e) < 0 &&
		   has(e.msg, "no certificate in it"),
	   "a certificate file without a certificate: %s", e.msg);
}

int main(void)
{
	struct tls_server_config *rsa = NULL, *ec = NULL;
	char cmd[512];
	struct err e;

	if (!CFG_TLS_SERVER)
		return printf("1..0 # SKIP TLS server compiled out\n"), 0;
	if (system("openssl version >/dev/null 2>&1") != 0)
		return printf("1..0 # SKIP no openssl command\n"), 0;
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		return printf("Bail out! mkdtemp\n"), 1;
	if (file_write_atomic(AT_FDCWD, P("gen.sh"), gen_sh, sizeof(gen_sh) - 1, 0644, NULL) < 0)
		return printf("Bail out! gen.sh\n"), 1;
	snprintf(cmd, sizeof(cmd), "cd %s && sh gen.sh", dir);
	if (system(cmd) != 0)
		return printf("Bail out! certificate generation failed\n"), 1;
	ok(tls_server_config_new(&rsa, P("srv-rsa.crt"), P("srv-rsa.key"), P("ca.crt"), &e) == 0,
	   "server configuration with an RSA key");
	ok(tls_server_config_new(&ec, P("srv-ec.crt"), P("srv-ec.key"), P("ca.crt"), &e) == 0,
	   "server configuration with an EC key");
	if (rsa && ec) {
		test_refused(ec);
		test_relay_s_client(rsa, "RSA server", "client.crt", "client.key");
		test_relay_s_client(ec, "EC server", "client.crt", "client.key");
		test_close_notify(ec);
		test_client_half_close(rsa);
		test_daemon_half_close(ec);
		test_timeout(ec);
	}
	test_config_errors();
	tls_server_config_free(rsa);
	tls_server_config_free(ec);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return done_testing();
}
