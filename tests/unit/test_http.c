/* test_http.c - http.c against a scripted server in a child process on
 * 127.0.0.1 (and ::1 when there is one): bodies, keep-alive, the stale
 * connection retry, redirects, timeouts, truncation, request bodies. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http.h"
#include "tap.h"

static int port;

/* ---------------------------------------------------------------- server */

#define MAXC 32

struct sconn {
	int fd;
	bool close_next; /* the next request is dropped unanswered */
	size_t len;
	char buf[1 << 16];
};

static struct sconn conns[MAXC];
static int accepted;

static void put(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void puts_fd(int fd, const char *s)
{
	put(fd, s, strlen(s));
}

static void respond(int fd, const char *status, const char *extra, const char *body, bool head)
{
	char h[512];

	snprintf(h, sizeof(h), "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\n\r\n", status, extra,
		 strlen(body));
	puts_fd(fd, h);
	if (!head)
		puts_fd(fd, body);
}

/* The value of a request header, copied into out ("" when absent). */
static void req_header(const char *req, const char *name, char *out, size_t size)
{
	const char *p = req;
	size_t n = strlen(name);

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1, *end = strstr(v, "\r\n");
			while (*v == ' ')
				v++;
			snprintf(out, size, "%.*s", (int)(end - v), v);
			return;
		}
	}
}

static void big_body(int fd, bool head)
{
	static char chunk[4096];
	char h[128];

	snprintf(h, sizeof(h), "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", 1 << 20);
	puts_fd(fd, h);
	for (int i = 0; !head && i < (1 << 20) / 4096; i++) {
		for (int j = 0; j < 4096; j++)
			chunk[j] = (char)('a' + (i * 4096 + j) % 26);
		put(fd, chunk, sizeof(chunk));
	}
}

/* Answer one request; returns false when the connection is to be closed. */
static bool handle(struct sconn *c, const char *req, size_t reqlen)
{
	char method[16], path[256], v[512], body[256];
	int fd = c->fd;
	bool head;

	if (sscanf(req, "%15s %255s", method, path) != 2)
		return false;
	head = strcmp(method, "HEAD") == 0;
	if (c->close_next)
		return false;
	if (!strcmp(path, "/sized")) {
		respond(fd, "200 OK", "", "hello world", head);
	} else if (!strcmp(path, "/chunked")) {
		static const char *const parts[] = {
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhel",
			"lo\r\n6\r\n world\r", "\n0\r\nT: 1\r\n\r\n"};
		for (int i = 0; i < 3; i++) {
			puts_fd(fd, parts[i]);
			usleep(2000);
		}
	} else if (!strcmp(path, "/count")) {
		snprintf(body, sizeof(body), "%d", accepted);
		respond(fd, "200 OK", "", body, head);
	} else if (!strcmp(path, "/close-next")) {
		c->close_next = true;
		respond(fd, "200 OK", "", "ok", head);
	} else if (!strcmp(path, "/redir-rel")) {
		respond(fd, "302 Found", "Location: sized\r\n", "moved", head);
	} else if (!strcmp(path, "/redir-abs")) {
		snprintf(v, sizeof(v), "Location: http://127.0.0.1:%d/sized\r\n", port);
		respond(fd, "301 Moved", v, "", head);
	} else if (!strcmp(path, "/loop")) {
		respond(fd, "302 Found", "Location: /loop\r\n", "", head);
	} else if (!strcmp(path, "/cross")) {
		snprintf(v, sizeof(v), "Location: http://localhost:%d/auth\r\n", port);
		respond(fd, "307 Temporary Redirect", v, "", head);
	} else if (!strcmp(path, "/same-auth")) {
		respond(fd, "308 Permanent Redirect", "Location: /auth\r\n", "", head);
	} else if (!strcmp(path, "/auth")) {
		req_header(req, "Authorization", v, sizeof(v));
		respond(fd, "200 OK", "", v[0] ? v : "none", head);
	} else if (!strcmp(path, "/hang")) {
		return true;
	} else if (!strcmp(path, "/trunc")) {
		puts_fd(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
		return false;
	} else if (!strcmp(path, "/trunc-chunked")) {
		puts_fd(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
		return false;
	} else if (!strcmp(path, "/nocontent")) {
		puts_fd(fd, "HTTP/1.1 204 No Content\r\n\r\n");
	} else if (!strcmp(path, "/echo")) {
		char h[128];
		snprintf(h, sizeof(h), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", reqlen);
		puts_fd(fd, h);
		put(fd, req, reqlen);
	} else if (!strcmp(path, "/range")) {
		req_header(req, "Range", v, sizeof(v));
		if (!strcmp(v, "bytes=2-4"))
			respond(fd, "206 Partial Content", "Content-Range: bytes 2-4/11\r\n", "llo",
				head);
		else
			respond(fd, "200 OK", "", "hello world", head);
	} else if (!strcmp(path, "/http10")) {
		puts_fd(fd, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close");
		return false;
	} else if (!strcmp(path, "/interim")) {
		puts_fd(fd,
			"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n");
		respond(fd, "200 OK", "", "ok", head);
	} else if (!strcmp(path, "/big")) {
		big_body(fd, head);
	} else {
		respond(fd, "404 Not Found", "", "no such thing", head);
	}
	return true;
}

/* Length of the first complete request in buf (head and body), 0 if none. */
static size_t request_len(const char *buf, size_t len)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4), *z;
	char v[64];
	size_t hl;

	if (!end)
		return 0;
	hl = (size_t)(end - buf) + 4;
	{
		char tmp[8192];
		snprintf(tmp, sizeof(tmp), "%.*s", (int)hl, buf);
		req_header(tmp, "Content-Length", v, sizeof(v));
		if (v[0])
			return len >= hl + strtoul(v, NULL, 10) ? hl + strtoul(v, NULL, 10) : 0;
		req_header(tmp, "Transfer-Encoding", v, sizeof(v));
	}
	if (!v[0])
		return hl;
	z = memmem(buf + hl - 2, len - hl + 2, "\r\n0\r\n\r\n", 7);
	return z ? (size_t)(z - buf) + 7 : 0;
}

static void serve_one(struct sconn *c)
{
	ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	size_t n;

	if (r <= 0)
		goto close;
	c->len += (size_t)r;
	while ((n = request_len(c->buf, c->len)) > 0) {
		if (!handle(c, c->buf, n))
			goto close;
		memmove(c->buf, c->buf + n, c->len - n);
		c->len -= n;
	}
	return;
close:
	close(c->fd);
	c->fd = -1;
}

static void serve(int l4, int l6)
{
	for (int i = 0; i < MAXC; i++)
		conns[i].fd = -1;
	for (;;) {
		struct pollfd p[MAXC + 2];
		int n = 0;
		p[n++] = (struct pollfd){.fd = l4, .events = POLLIN};
		p[n++] = (struct pollfd){.fd = l6, .events = POLLIN};
		for (int i = 0; i < MAXC; i++)
			p[n++] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN};
		if (poll(p, (nfds_t)n, -1) < 0)
			continue;
		for (int k = 0; k < 2; k++) {
			int fd = p[k].revents ? accept(p[k].fd, NULL, NULL) : -1;
			for (int i = 0; fd >= 0 && i < MAXC; i++) {
				if (conns[i].fd < 0) {
					conns[i].fd = fd;
					conns[i].len = 0;
					conns[i].close_next = false;
					accepted++;
					fd = -1;
				}
			}
			if (fd >= 0)
				close(fd);
		}
		for (int i = 0; i < MAXC; i++)
			if (p[i + 2].revents && conns[i].fd >= 0)
				serve_one(&conns[i]);
	}
}

static int listen_on(int family, const char *addr, int want_port, int *got_port)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl = family == AF_INET ? sizeof(*s4) : sizeof(*s6);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		inet_pton(AF_INET, addr, &s4->sin_addr);
		s4->sin_port = htons((uint16_t)want_port);
	} else {
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		s6->sin6_port = htons((uint16_t)want_port);
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		close(fd);
		return -1;
	}
	*got_port = ntohs(family == AF_INET ? s4->sin_port : s6->sin6_port);
	return fd;
}

/* ---------------------------------------------------------------- client */

static char url[256];

static const char *U(const char *path)
{
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	return url;
}

/* One request, the whole body read; returns the status or -1. */
static int fetch(struct http_client *c, const struct http_request *rq, char **body,
		 struct http_response *rs, struct err *e)
{
	size_t len;
	int st;

	*body = NULL;
	if (http_do(c, rq, rs, e) < 0)
		return -1;
	st = rs->status;
	if (http_body_all(rs, 4 << 20, body, &len, e) < 0)
		st = -1;
	http_response_end(c, rs);
	return st;
}

static int get(struct http_client *c, const char *method, const char *path, const char *const *hdrs,
	       char **body, struct http_response *rs, struct err *e)
{
	struct http_request rq = {.method = method, .url = U(path), .headers = hdrs};

	return fetch(c, &rq, body, rs, e);
}

static int count(struct http_client *c)
{
	struct http_response rs;
	struct err e;
	char *b;
	int n = -1;

	if (get(c, "GET", "/count", NULL, &b, &rs, &e) == 200)
		n = atoi(b);
	free(b);
	return n;
}

static struct http_client cl;
static struct http_response rs;
static struct err e;
static char *body;

static void test_bodies(void)
{
	is_int(get(&cl, "GET", "/sized", NULL, &body, &rs, &e), 200, "GET a sized body");
	is_str(body, "hello world", "sized body");
	is_int(rs.content_length, 11, "content_length");
	free(body);
	is_int(get(&cl, "GET", "/chunked", NULL, &body, &rs, &e), 200, "GET a chunked body");
	is_str(body, "hello world", "chunked body in pieces with extension and trailer");
	is_int(rs.content_length, -1, "no content_length for chunked");
	free(body);
	is_int(get(&cl, "HEAD", "/sized", NULL, &body, &rs, &e), 200, "HEAD");
	ok(body && !body[0] && rs.content_length == 11, "HEAD: no body, length given");
	free(body);
	is_int(get(&cl, "GET", "/nocontent", NULL, &body, &rs, &e), 204, "204");
	ok(body && !body[0], "204: no body");
	free(body);
	is_int(get(&cl, "GET", "/http10", NULL, &body, &rs, &e), 200, "HTTP/1.0 response");
	is_str(body, "until close", "body read until the server closes");
	free(body);
	is_int(get(&cl, "GET", "/interim", NULL, &body, &rs, &e), 200,
	       "1xx interim responses skipped");
	free(body);
	is_int(get(&cl, "GET", "/missing", NULL, &body, &rs, &e), 404,
	       "404 is a status, not an error");
	free(body);
}

static void test_big(void)
{
	struct http_request rq = {.method = "GET", .url = U("/big")};
	struct stream_reader r;
	char buf[7000];
	long total = 0;
	bool same = true;
	ssize_t n;

	is_int(http_do(&cl, &rq, &rs, &e), 0, "GET 1 MiB");
	r = http_body_stream(&rs);
	while ((n = stream_read(&r, buf, sizeof(buf), &e)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			same &= buf[i] == (char)('a' + (total + i) % 26);
		total += n;
	}
	http_response_end(&cl, &rs);
	ok(n == 0 && total == 1 << 20 && same, "1 MiB read as a stream in odd pieces, intact");
}

static void test_keepalive(void)
{
	int n0, n1;

	http_client_close(&cl);
	n0 = count(&cl);
	get(&cl, "GET", "/sized", NULL, &body, &rs, &e);
	free(body);
	get(&cl, "HEAD", "/sized", NULL, &body, &rs, &e);
	free(body);
	n1 = count(&cl);
	ok(n0 > 0 && n1 == n0, "four requests on one connection (%d, %d)", n0, n1);

	get(&cl, "GET", "/close-next", NULL, &body, &rs, &e);
	free(body);
	is_int(get(&cl, "GET", "/sized", NULL, &body, &rs, &e), 200,
	       "kept-alive connection closed by the server: retried");
	is_str(body, "hello world", "retried request answered");
	free(body);
	is_int(count(&cl), n1 + 1, "the retry made one new connection");
	http_client_close(&cl);
}

static void test_redirects(void)
{
	const char *auth[] = {"Authorization: Bearer secret", NULL};
	struct http_request rq = {.method = "GET", .no_redirect = true};
	char want[128];

	is_int(get(&cl, "GET", "/redir-rel", NULL, &body, &rs, &e), 200, "relative 302 followed");
	is_str(body, "hello world", "redirected body");
	is_str(rs.url, U("/sized"), "final URL");
	free(body);
	is_int(get(&cl, "GET", "/redir-abs", NULL, &body, &rs, &e), 200, "absolute 301 followed");
	free(body);
	rq.url = U("/redir-rel");
	is_int(http_do(&cl, &rq, &rs, &e), 0, "no_redirect");
	is_int(rs.status, 302, "the 302 is returned");
	is_str(http_header(&rs, "location"), "sized", "with its Location");
	http_response_end(&cl, &rs);
	is_int(get(&cl, "GET", "/loop", NULL, &body, &rs, &e), -1, "redirect loop fails");
	ok(strstr(e.msg, "too many redirects") != NULL, "message: %s", e.msg);
	is_int(get(&cl, "GET", "/same-auth", auth, &body, &rs, &e), 200, "same-host redirect");
	is_str(body, "Bearer secret", "Authorization kept on the same host");
	free(body);
	is_int(get(&cl, "GET", "/cross", auth, &body, &rs, &e), 200, "cross-host redirect");
	is_str(body, "none", "Authorization dropped for another host");
	snprintf(want, sizeof(want), "http://localhost:%d/auth", port);
	is_str(rs.url, want, "answered by localhost");
	free(body);
}

static void test_failures(void)
{
	struct http_client quick;
	char want[128];

	http_client_init(&quick);
	quick.timeout_ms = 300;
	is_int(get(&quick, "GET", "/hang", NULL, &body, &rs, &e), -1, "silent server times out");
	snprintf(want, sizeof(want), "timed out after 0.3 s reading from 127.0.0.1:%d", port);
	ok(strstr(e.msg, want) != NULL, "message: %s", e.msg);
	http_client_close(&quick);

	is_int(get(&cl, "GET", "/trunc", NULL, &body, &rs, &e), -1, "sized body cut short");
	ok(strstr(e.msg, "after 10 of 100 bytes") != NULL, "message: %s", e.msg);
	is_int(get(&cl, "GET", "/trunc-chunked", NULL, &body, &rs, &e), -1,
	       "chunked body cut short");
	ok(strstr(e.msg, "chunked body") != NULL, "message: %s", e.msg);
	is_int(get(&cl, "GET", "/sized", NULL, &body, &rs, &e), 200, "the client works afterwards");
	free(body);

	{
		struct http_request rq = {.method = "GET", .url = "https://127.0.0.1:1/"};
		is_int(http_do(&cl, &rq, &rs, &e), -1, "https without a TLS configuration");
		diag("%s", e.msg);
	}
	{
		int dead, fd = listen_on(AF_INET, "127.0.0.1", 0, &dead);
		struct http_request rq = {.method = "GET", .url = url};
		close(fd);
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/", dead);
		is_int(http_do(&cl, &rq, &rs, &e), -1, "connection refused");
		ok(strstr(e.msg, "Connection refused") != NULL, "message: %s", e.msg);
	}
}

static ssize_t pieces_read(void *ctx, void *buf, size_t n, struct err *err)
{
	const char *const **p = ctx;
	size_t l;

	if (!**p)
		return 0;
	l = strlen(**p) < n ? strlen(**p) : n;
	memcpy(buf, **p, l);
	(*p)++;
	return (ssize_t)l;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = s ? strlen(s) : 0, b = strlen(tail);

	return a >= b && !strcmp(s + a - b, tail);
}

static void test_request_bodies(void)
{
	static const char *const parts[] = {"abc", "defg", NULL};
	const char *const *cur = parts;
	struct stream_reader sr = {pieces_read, &cur};
	struct http_request rq = {
		.method = "PUT", .url = U("/echo"), .body = "payload", .body_len = 7};
	const char *range[] = {"Range: bytes=2-4", NULL};
	char want[128];

	is_int(fetch(&cl, &rq, &body, &rs, &e), 200, "PUT a buffer");
	ok(strstr(body, "Content-Length: 7\r\n") && ends_with(body, "\r\n\r\npayload"),
	   "sized body received intact");
	snprintf(want, sizeof(want), "PUT /echo HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n", port);
	ok(!strncmp(body, want, strlen(want)), "request line and Host with the port");
	ok(strstr(body, "\r\nUser-Agent: tug/9.8.7\r\n") != NULL, "User-Agent tug/<version>");
	free(body);

	rq = (struct http_request){
		.method = "POST", .url = U("/echo"), .body_stream = &sr, .body_len = -1};
	is_int(fetch(&cl, &rq, &body, &rs, &e), 200, "POST a chunked stream");
	ok(strstr(body, "Transfer-Encoding: chunked\r\n") &&
		   ends_with(body, "\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"),
	   "chunked body received intact");
	free(body);

	cur = parts;
	rq.body_len = 7;
	is_int(fetch(&cl, &rq, &body, &rs, &e), 200, "POST a sized stream");
	ok(ends_with(body, "\r\n\r\nabcdefg"), "sized stream received intact");
	free(body);

	cur = parts;
	rq.body_len = 9;
	is_int(fetch(&cl, &rq, &body, &rs, &e), -1, "stream shorter than body_len");
	ok(strstr(e.msg, "ended after 7 of 9 bytes") != NULL, "message: %s", e.msg);

	is_int(get(&cl, "GET", "/range", range, &body, &rs, &e), 206, "Range passed through: 206");
	is_str(body, "llo", "the range");
	is_str(http_header(&rs, "content-range"), NULL, "headers gone after the response ends");
	free(body);
}

static void test_ipv6(int l6)
{
	char u6[128];
	struct http_request rq = {.method = "GET", .url = u6};

	if (l6 < 0) {
		skip("no IPv6 loopback");
		skip("no IPv6 loopback");
		return;
	}
	snprintf(u6, sizeof(u6), "http://[::1]:%d/sized", port);
	is_int(fetch(&cl, &rq, &body, &rs, &e), 200, "GET over an IPv6 literal");
	is_str(body, "hello world", "IPv6 body");
	free(body);
}

int main(void)
{
	int l4 = listen_on(AF_INET, "127.0.0.1", 0, &port), l6, p6;
	pid_t pid;

	if (l4 < 0)
		return printf("1..0 # SKIP no 127.0.0.1\n"), 0;
	/* The same port on ::1, so that one URL pattern serves both. */
	l6 = listen_on(AF_INET6, "::1", port, &p6);
	pid = fork();
	if (pid == 0) {
		/* The server may write to a client that left; the client side
		 * must not need this (it sends with MSG_NOSIGNAL). */
		signal(SIGPIPE, SIG_IGN);
		serve(l4, l6);
		_exit(0);
	}
	close(l4);
	if (l6 >= 0)
		close(l6);

	http_client_init(&cl);
	cl.version = "9.8.7";
	test_bodies();
	test_big();
	test_keepalive();
	test_redirects();
	test_failures();
	test_request_bodies();
	test_ipv6(l6);
	http_client_close(&cl);

	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return done_testing();
}
