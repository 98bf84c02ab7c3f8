/* test_hreq.c - the daemon's request head parser against well-formed heads
 * (as the docker CLI sends them) and the malformed and smuggling ones a
 * hostile client may send: each refused with the status dockerd's Go
 * server would answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/daemon/hreq.h"
#include "tap.h"

static char buf[1 << 17];
static struct hreq rq;
static struct err e;

/* Parse text (a whole head); the status (0 when parsed). */
static int parse(const char *text)
{
	size_t n = strlen(text);

	memcpy(buf, text, n + 1);
	memset(&e, 0, sizeof(e));
	return hreq_parse(buf, n, &rq, &e);
}

static void test_good(void)
{
	char v[64];

	is_int(parse("GET /v1.47/containers/json?all=1&filters=%7B%22status%22%3A%5B%22ex"
		     "ited%22%5D%7D HTTP/1.1\r\nHost: api.moby.localhost\r\n"
		     "User-Agent: Docker-Client/28.1.1 (linux)\r\n\r\n"),
	       0, "docker CLI's ps request");
	is_str(rq.method, "GET", "method");
	is_str(rq.path, "/containers/json", "path without the version");
	is_int(rq.api_major * 100 + rq.api_minor, 147, "version 1.47");
	ok(hreq_query(&rq, "filters", v, sizeof(v)) == 1 && !strcmp(v, "{\"status\":[\"exited\"]}"),
	   "filters decoded: %s", v);
	ok(hreq_query_bool(&rq, "all", false), "all=1 is true");
	ok(!hreq_query_bool(&rq, "size", false) && hreq_query_bool(&rq, "size", true),
	   "absent: the default");
	is_str(hreq_header(&rq, "user-agent"), "Docker-Client/28.1.1 (linux)",
	       "header names case-insensitive");
	ok(rq.keep_alive && rq.content_length == -1 && !rq.chunked, "1.1: keep-alive, no body");

	is_int(parse("\r\n\r\nHEAD /_ping HTTP/1.0\r\n\r\n"), 0, "empty lines before the request");
	ok(!rq.keep_alive && rq.api_major == 0, "1.0 without keep-alive; no version prefix");
	is_str(rq.path, "/_ping", "path");
	is_int(parse("GET /v1.24 HTTP/1.1\r\n\r\n"), 0, "a bare version prefix");
	is_str(rq.path, "/", "... is the root");
	is_int(parse("GET /v1x/info HTTP/1.1\r\n\r\n"), 0, "not a version");
	is_str(rq.path, "/v1x/info", "... stays in the path");
	is_int(parse("POST /v1.47/containers/x/attach?stream=1 HTTP/1.1\r\n"
		     "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n"),
	       0, "attach");
	ok(rq.upgrade && rq.content_length == 0, "upgrade to tcp");
	is_int(parse("POST /images/load HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
		     "Expect: 100-continue\r\n\r\n"),
	       0, "chunked load");
	ok(rq.chunked && rq.expect_continue, "chunked, expect 100-continue");
	is_int(parse("POST /x HTTP/1.1\r\nContent-Length: 12\r\nContent-Length: 12\r\n\r\n"), 0,
	       "a repeated equal length");
	is_int(parse("GET /x HTTP/1.1\r\nX:  padded  \t\r\n\r\n"), 0, "spaces around a value");
	is_str(hreq_header(&rq, "X"), "padded", "... are cut");
}

static void test_refused(void)
{
	static const struct {
		const char *head;
		int status;
		const char *why;
	} cases[] = {
		{"GET /x HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
		 "both lengths (smuggling)"},
		{"GET /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400,
		 "two different lengths"},
		{"GET /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "negative length"},
		{"GET /x HTTP/1.1\r\nContent-Length: +1\r\n\r\n", 400, "signed length"},
		{"GET /x HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\n", 400, "a length list"},
		{"GET /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501,
		 "other coding"},
		{"GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
		 "chunked\r\n\r\n",
		 400, "repeated Transfer-Encoding"},
		{"GET /x HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 400, "obs-fold"},
		{"GET /x HTTP/1.1\r\nA : b\r\n\r\n", 400, "a space before the colon"},
		{"GET /x HTTP/1.1\r\nA\r\n\r\n", 400, "no colon"},
		{"GET /x HTTP/1.1\r\n: b\r\n\r\n", 400, "no name"},
		{"GET /x HTTP/1.1\r\nA: b\rc\r\n\r\n", 400, "a bare CR"},
		{"GET /x HTTP/2.0\r\n\r\n", 505, "HTTP/2.0"},
		{"GET /x HTTPS/1.1\r\n\r\n", 400, "not HTTP"},
		{"GET /x HTTP/1.10\r\n\r\n", 505, "a two-digit minor"},
		{"GET x HTTP/1.1\r\n\r\n", 400, "a target without /"},
		{"G(T /x HTTP/1.1\r\n\r\n", 400, "a bad method"},
		{" /x HTTP/1.1\r\n\r\n", 400, "no method"},
		{"GET /x\r\n\r\n", 400, "no version"},
		{"GET /a%00b HTTP/1.1\r\n\r\n", 400, "an encoded NUL"},
		{"GET /a%zz HTTP/1.1\r\n\r\n", 400, "a bad escape"},
		{"GET /a%4 HTTP/1.1\r\n\r\n", 400, "a cut escape"},
		{"GET /x HTTP/1.1\r\nA: b", 400, "no end of the head"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = parse(cases[i].head);
		ok(st == cases[i].status && e.msg[0], "%s: %d (%s)", cases[i].why, st, e.msg);
	}
	/* a NUL inside a header line (strlen-based parse() cannot carry it) */
	static const char nul[] = "GET /x HTTP/1.1\r\nA: b\0c\r\n\r\n";
	memcpy(buf, nul, sizeof(nul));
	ok(hreq_parse(buf, sizeof(nul) - 1, &rq, &e) == 400, "a NUL in a header");
}

static void test_limits(void)
{
	char *head = malloc(HREQ_HEAD_MAX * 2);
	size_t n;

	n = (size_t)sprintf(head, "GET /");
	memset(head + n, 'a', 9000);
	n += 9000;
	n += (size_t)sprintf(head + n, " HTTP/1.1\r\n\r\n");
	ok(parse(head) == 414, "a target over 8 KiB: 414");
	n = (size_t)sprintf(head, "GET /x HTTP/1.1\r\n");
	for (int i = 0; i < HREQ_MAX_HEADERS + 1; i++)
		n += (size_t)sprintf(head + n, "H%d: v\r\n", i);
	sprintf(head + n, "\r\n");
	ok(parse(head) == 431, "too many fields: 431");
	free(head);
}

static int count(const char *v, void *arg)
{
	(*(int *)arg) += (int)strlen(v) + 1;
	return 0;
}

static void test_query(void)
{
	char v[8];
	long long n;
	int total = 0;

	parse("GET /x?a=1&a=22&b=x+y%2B&c&d=&t=T&f=false&n=12&bad=1x&k%3D=v&y=yes&no=+NO+&z=0"
	      "&none=None HTTP/1.1\r\n\r\n");
	ok(hreq_query(&rq, "a", v, sizeof(v)) == 1 && !strcmp(v, "1"), "the first value wins");
	hreq_query_each(&rq, "a", count, &total);
	is_int(total, 5, "each value of a repeated parameter");
	ok(hreq_query(&rq, "b", v, sizeof(v)) == 1 && !strcmp(v, "x y+"), "'+' and %%2B: %s", v);
	ok(hreq_query(&rq, "c", v, sizeof(v)) == 1 && !v[0], "present without a value");
	ok(!hreq_query_bool(&rq, "d", true), "an empty value is false");
	ok(hreq_query_bool(&rq, "t", false), "T is true");
	ok(hreq_query_bool(&rq, "y", false), "yes is true (dockerd: anything but the false words)");
	ok(!hreq_query_bool(&rq, "f", true), "false");
	ok(!hreq_query_bool(&rq, "no", true), "' NO ' is false");
	ok(!hreq_query_bool(&rq, "z", true), "0 is false");
	ok(!hreq_query_bool(&rq, "none", true), "None is false");
	ok(hreq_query(&rq, "nope", v, sizeof(v)) == 0, "absent");
	ok(hreq_query(&rq, "k=", v, sizeof(v)) == 1 && !strcmp(v, "v"), "an encoded key");
	ok(hreq_query_int(&rq, "n", 0, &n, &e) == 0 && n == 12, "an integer");
	ok(hreq_query_int(&rq, "bad", 0, &n, &e) < 0 && strstr(e.msg, "bad"), "garbage: %s", e.msg);
	ok(hreq_query_int(&rq, "missing", 7, &n, &e) == 0 && n == 7, "absent: the default");
	ok(hreq_query(&rq, "b", v, 3) == 1 && !strcmp(v, "x "), "cut to the buffer");
}

int main(void)
{
	test_good();
	test_refused();
	test_limits();
	test_query();
	return done_testing();
}
