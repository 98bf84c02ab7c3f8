/* test_tls.c - tls*.c through the HTTP client against `openssl s_server`
 * with certificates made for the test: trust, names, IP SANs, client
 * certificates, timeouts. Skipped when openssl is not installed. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "http.h"
#include "tap.h"
#include "tls.h"

static char dir[] = "/tmp/tug-tls-XXXXXX";

/* A CA, a second CA the servers do not use, server certificates for
 * localhost + 127.0.0.1 and for another name, a self-signed server
 * certificate, and client certificates with EC (PKCS#8) and RSA (PKCS#1)
 * keys. */
static const char gen_sh[] =
	"set -e\n"
	"exec >gen.log 2>&1\n"
	"ca() {\n"
	"  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $1.key \\\n"
	"    -out $1.crt -days 2 -subj /CN=$1 -addext basicConstraints=critical,CA:TRUE \\\n"
	"    -addext keyUsage=critical,keyCertSign,cRLSign\n"
	"}\n"
	"leaf() {\n"
	"  name=$1 san=$2 eku=$3; shift 3\n"
	"  openssl req -newkey \"$@\" -nodes -keyout $name.key -out $name.csr -subj /CN=$name\n"
	"  printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=%s\\n' \\\n"
	"    \"$san\" \"$eku\" >$name.ext\n"
	"  openssl x509 -req -in $name.csr -CA ca.crt -CAkey ca.key -CAcreateserial \\\n"
	"    -out $name.crt -days 2 -extfile $name.ext\n"
	"}\n"
	"ca ca\n"
	"ca other-ca\n"
	"leaf srv DNS:localhost,IP:127.0.0.1 serverAuth rsa:2048\n"
	"leaf wrong DNS:wrong.example serverAuth ec -pkeyopt ec_paramgen_curve:P-256\n"
	"leaf client-ec DNS:client clientAuth ec -pkeyopt ec_paramgen_curve:P-256\n"
	"leaf client-rsa DNS:client clientAuth rsa:2048\n"
	"openssl rsa -in client-rsa.key -traditional -out client-rsa1.key\n"
	"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout self.key \\\n"
	"  -out self.crt -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost \\\n"
	"  -addext basicConstraints=critical,CA:FALSE\n"
	"openssl x509 -in srv.crt -outform der -out srv.der\n";

static char path_buf[8][256];
static int path_i;

static const char *P(const char *name)
{
	char *p = path_buf[path_i++ % 8];

	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

static int free_port(void)
{
	struct sockaddr_in s = {.sin_family = AF_INET};
	socklen_t sl = sizeof(s);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	inet_pton(AF_INET, "127.0.0.1", &s.sin_addr);
	bind(fd, (struct sockaddr *)&s, sizeof(s));
	getsockname(fd, (struct sockaddr *)&s, &sl);
	port = ntohs(s.sin_port);
	close(fd);
	return port;
}

static bool can_connect(int port)
{
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	inet_pton(AF_INET, "127.0.0.1", &s.sin_addr);
	ok = connect(fd, (struct sockaddr *)&s, sizeof(s)) == 0;
	close(fd);
	return ok;
}

struct server {
	pid_t pid;
	int port;
};

/* openssl s_server -www on 127.0.0.1 with cert/key; verify_ca non-NULL
 * makes it require a client certificate signed by that CA. */
static struct server start_server(const char *cert, const char *key, const char *verify_ca)
{
	struct server s = {0, free_port()};
	char accept[64], c[256], k[256], v[256];

	snprintf(accept, sizeof(accept), "127.0.0.1:%d", s.port);
	snprintf(c, sizeof(c), "%s", P(cert));
	snprintf(k, sizeof(k), "%s", P(key));
	snprintf(v, sizeof(v), "%s", verify_ca ? P(verify_ca) : "");
	s.pid = fork();
	if (s.pid == 0) {
		int null = open("/dev/null", O_RDWR),
		    log = open(P("server.log"), O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(null, 0);
		dup2(log, 1);
		dup2(log, 2);
		if (verify_ca)
			execlp("openssl", "openssl", "s_server", "-accept", accept, "-cert", c,
			       "-key", k, "-www", "-quiet", "-Verify", "1", "-CAfile", v,
			       (char *)NULL);
		else
			execlp("openssl", "openssl", "s_server", "-accept", accept, "-cert", c,
			       "-key", k, "-www", "-quiet", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && !can_connect(s.port); i++)
		usleep(25000);
	return s;
}

static void stop_server(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
}

/* GET https://host:port/ with cfg; returns the status or -1 (e filled). */
static int get(const struct tls_config *cfg, const char *host, int port, char **body, struct err *e)
{
	struct http_client c;
	struct http_response rs;
	char url[128];
	struct http_request rq = {.method = "GET", .url = url};
	size_t len;
	int st = -1;

	*body = NULL;
	snprintf(url, sizeof(url), "https://%s:%d/", host, port);
	http_client_init(&c);
	c.tls = cfg;
	c.timeout_ms = 5000;
	if (http_do(&c, &rq, &rs, e) == 0) {
		st = rs.status;
		if (http_body_all(&rs, 1 << 20, body, &len, e) < 0)
			st = -1;
		http_response_end(&c, &rs);
	}
	http_client_close(&c);
	return st;
}

static bool has(const char *s, const char *part)
{
	return s && strstr(s, part);
}

static struct tls_config *config(const char *ca)
{
	struct tls_config *cfg;
	struct err e;

	if (tls_config_new(&cfg, "", &e) < 0 ||
	    (ca && tls_config_add_ca_file(cfg, P(ca), &e) < 0)) {
		diag("%s", e.msg);
		return NULL;
	}
	return cfg;
}

static void test_trust(void)
{
	struct server srv = start_server("srv.crt", "srv.key", NULL);
	struct tls_config *good = config("ca.crt"), *bad = config("other-ca.crt");
	char *body, want[64];
	struct err e;

	is_int(get(good, "localhost", srv.port, &body, &e), 200,
	       "GET https://localhost with the CA");
	ok(has(body, "TLSv1.2"), "TLS 1.2 negotiated");
	free(body);
	is_int(get(good, "127.0.0.1", srv.port, &body, &e), 200, "GET https://127.0.0.1: IP SAN");
	free(body);
	is_int(get(bad, "localhost", srv.port, &body, &e), -1, "wrong CA refused");
	snprintf(want, sizeof(want), "localhost:%d", srv.port);
	ok(has(e.msg, "certificate verify failed") && has(e.msg, "not signed by a trusted CA") &&
		   has(e.msg, want),
	   "message: %s", e.msg);
	tls_config_free(bad);
	bad = config(NULL);
	is_int(get(bad, "localhost", srv.port, &body, &e), -1, "no CA at all refused");
	ok(has(e.msg, "no CA certificates are loaded"), "message: %s", e.msg);
	tls_config_free(bad);
	tls_config_free(good);
	stop_server(&srv);
}

static void test_names(void)
{
	struct server wrong = start_server("wrong.crt", "wrong.key", NULL);
	struct server self = start_server("self.crt", "self.key", NULL);
	struct tls_config *cfg = config("ca.crt"), *selfcfg = config("self.crt");
	char *body;
	struct err e;

	is_int(get(cfg, "localhost", wrong.port, &body, &e), -1, "name mismatch refused");
	ok(has(e.msg, "not valid for localhost"), "message: %s", e.msg);
	is_int(get(cfg, "127.0.0.1", wrong.port, &body, &e), -1, "IP not in the SANs refused");
	ok(has(e.msg, "not valid for 127.0.0.1"), "message: %s", e.msg);
	is_int(get(selfcfg, "localhost", self.port, &body, &e), 200,
	       "a self-signed server certificate trusted directly (certs.d ca.crt)");
	free(body);
	is_int(get(cfg, "localhost", self.port, &body, &e), -1, "... and not through the CA");
	tls_config_free(cfg);
	tls_config_free(selfcfg);
	stop_server(&wrong);
	stop_server(&self);
}

/* An insecure registry's configuration: any certificate, any name, RSA
 * and EC keys; switched back, the same configuration verifies again. */
static void test_noverify(void)
{
	struct server srv = start_server("srv.crt", "srv.key", NULL);
	struct server wrong = start_server("wrong.crt", "wrong.key", NULL);
	struct server self = start_server("self.crt", "self.key", NULL);
	struct tls_config *cfg = config(NULL);
	char *body = NULL;
	struct err e;

	tls_config_set_verify(cfg, false);
	is_int(get(cfg, "localhost", srv.port, &body, &e), 200,
	       "no verification: RSA key, CA unknown");
	ok(has(body, "TLSv1.2"), "TLS 1.2 negotiated");
	free(body);
	is_int(get(cfg, "127.0.0.1", wrong.port, &body, &e), 200,
	       "no verification: EC key, name not in the certificate");
	free(body);
	is_int(get(cfg, "127.0.0.1", self.port, &body, &e), 200, "no verification: self-signed");
	free(body);
	tls_config_set_verify(cfg, true);
	is_int(get(cfg, "localhost", srv.port, &body, &e), -1, "verification back on: refused");
	ok(has(e.msg, "not signed by a trusted CA"), "message: %s", e.msg);
	tls_config_free(cfg);
	stop_server(&srv);
	stop_server(&wrong);
	stop_server(&self);
}

static void test_client_cert(void)
{
	struct server srv = start_server("srv.crt", "srv.key", "ca.crt");
	struct tls_config *cfg = config("ca.crt");
	char *body;
	struct err e;

	is_int(get(cfg, "localhost", srv.port, &body, &e), -1, "client certificate required");
	ok(has(e.msg, "alert"), "message: %s", e.msg);
	is_int(tls_config_set_client_cert(cfg, P("client-ec.crt"), P("client-ec.key"), &e), 0,
	       "EC client certificate and PKCS#8 key loaded");
	is_int(get(cfg, "localhost", srv.port, &body, &e), 200, "accepted with the EC certificate");
	free(body);
	is_int(tls_config_set_client_cert(cfg, P("client-rsa.crt"), P("client-rsa1.key"), &e), 0,
	       "RSA client certificate and PKCS#1 key loaded");
	is_int(get(cfg, "localhost", srv.port, &body, &e), 200,
	       "accepted with the RSA certificate");
	free(body);
	ok(tls_config_set_client_cert(cfg, P("client-rsa.crt"), P("ca.crt"), &e) < 0 &&
		   has(e.msg, "no private key"),
	   "a key file without a key: %s", e.msg);
	tls_config_free(cfg);
	stop_server(&srv);
}

static void test_timeout(void)
{
	struct sockaddr_in s = {.sin_family = AF_INET};
	socklen_t sl = sizeof(s);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct tls_config *cfg = config("ca.crt");
	struct http_client c;
	struct http_response rs;
	char url[64];
	struct http_request rq = {.method = "GET", .url = url};
	struct err e;

	/* Listening, never accepting: the kernel completes the TCP handshake,
	 * nobody answers the ClientHello. */
	inet_pton(AF_INET, "127.0.0.1", &s.sin_addr);
	bind(fd, (struct sockaddr *)&s, sizeof(s));
	listen(fd, 4);
	getsockname(fd, (struct sockaddr *)&s, &sl);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/", ntohs(s.sin_port));
	http_client_init(&c);
	c.tls = cfg;
	c.timeout_ms = 300;
	is_int(http_do(&c, &rq, &rs, &e), -1, "silent TLS server");
	ok(has(e.msg, "timed out after 0.3 s reading from 127.0.0.1"), "message: %s", e.msg);
	http_client_close(&c);
	tls_config_free(cfg);
	close(fd);
}

static void test_files(void)
{
	struct tls_config *cfg = config(NULL);
	char *der;
	size_t len;
	struct err e;

	ok(tls_config_add_ca_file(cfg, P("nonexistent.crt"), &e) < 0 &&
		   has(e.msg, "nonexistent.crt"),
	   "missing CA file: %s", e.msg);
	ok(tls_config_add_ca_file(cfg, P("srv.key"), &e) < 0 && has(e.msg, "no usable certificate"),
	   "a key is not a CA: %s", e.msg);
	tls_config_free(cfg);
	if (access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0) {
		int r = tls_config_new(&cfg, NULL, &e);
		size_t n = r == 0 ? tls_config_anchors(cfg) : 0;
		ok(r == 0 && n > 50, "system bundle loaded (%zu anchors)", n);
		tls_config_free(cfg);
	} else {
		skip("no system CA bundle");
	}
	if (file_read_all(P("srv.der"), 1 << 16, &der, &len, &e) < 0) {
		ok(0, "read srv.der: %s", e.msg);
		return;
	}
	is_int(tls_cert_has_ip((unsigned char *)der, len, "127.0.0.1"), 1, "IP SAN found");
	is_int(tls_cert_has_ip((unsigned char *)der, len, "127.0.0.2"), 0, "other IP not found");
	is_int(tls_cert_has_ip((unsigned char *)der, len, "::1"), 0, "IPv6 not found");
	is_int(tls_cert_has_ip((unsigned char *)der, len / 2, "127.0.0.1"), -1,
	       "cut DER is malformed");
	free(der);
}

int main(void)
{
	char cmd[512];

	if (!CFG_TLS)
		return printf("1..0 # SKIP TLS compiled out\n"), 0;
	if (system("openssl version >/dev/null 2>&1") != 0)
		return printf("1..0 # SKIP no openssl command\n"), 0;
	if (!mkdtemp(dir))
		return printf("Bail out! mkdtemp\n"), 1;
	if (file_write_atomic(AT_FDCWD, P("gen.sh"), gen_sh, sizeof(gen_sh) - 1, 0644, NULL) < 0)
		return printf("Bail out! gen.sh\n"), 1;
	snprintf(cmd, sizeof(cmd), "cd %s && sh gen.sh", dir);
	if (system(cmd) != 0) {
		snprintf(cmd, sizeof(cmd), "sed 's/^/# /' %s/gen.log", dir);
		(void)!system(cmd);
		return printf("Bail out! certificate generation failed\n"), 1;
	}
	test_trust();
	test_names();
	test_noverify();
	test_client_cert();
	test_timeout();
	test_files();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return done_testing();
}
