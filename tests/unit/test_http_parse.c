/* test_http_parse.c - http-parse.c and http-url.c: status lines, headers,
 * framing, chunked decoding cut at every byte, malformed input, URLs. */
#include <stdio.h>
#include <string.h>

#include "http-parse.h"
#include "tap.h"

static char hbuf[8192];
static struct http_response rs;
static int minor;

static int head(const char *text, struct err *e)
{
	size_t n = strlen(text);

	memcpy(hbuf, text, n + 1);
	memset(&rs, 0, sizeof(rs));
	return http_parse_head(hbuf, n, &rs, &minor, e);
}

/* Parse a head and its framing; returns -1 on either error. */
static int framing(const char *text, bool head_req, struct http_framing *f, struct err *e)
{
	if (head(text, e) < 0)
		return -1;
	return http_parse_framing(&rs, minor, head_req, f, e);
}

static void test_heads(void)
{
	struct err e;
	struct http_framing f;

	is_int(head("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Pad:  a b  \r\n\r\n", &e), 0,
	       "a plain head parses");
	is_int(rs.status, 200, "status 200");
	is_str(rs.reason, "OK", "reason");
	is_int(minor, 1, "HTTP/1.1");
	is_int((long long)rs.nheaders, 2, "two headers");
	is_str(http_header(&rs, "content-type"), "text/plain", "lookup ignores case");
	is_str(http_header(&rs, "X-PAD"), "a b", "value trimmed of blanks at both ends");
	ok(http_header(&rs, "missing") == NULL, "absent header is NULL");

	is_int(head("HTTP/1.0 404 Not Found\nEmpty:\n\n", &e), 0, "bare LF line ends");
	is_int(minor, 0, "HTTP/1.0");
	is_str(rs.reason, "Not Found", "reason with a space");
	is_str(http_header(&rs, "empty"), "", "empty value");
	is_int(head("HTTP/1.1 204\r\n\r\n", &e), 0, "status without reason");
	is_str(rs.reason, "", "empty reason");

	is_int((long long)http_head_len("HTTP/1.1 200 OK\r\nA: b\r\n", 23), 0, "incomplete head");
	is_int((long long)http_head_len("HTTP/1.1 200 OK\r\n\r\nbody", 23), 19, "head length CRLF");
	is_int((long long)http_head_len("HTTP/1.1 200 OK\n\nbody", 21), 17, "head length LF");

	is_int(framing("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", false, &f, &e), 0,
	       "sized framing");
	ok(f.kind == HTTP_BODY_SIZED && f.length == 11 && f.keep_alive, "sized, 11, keep-alive");
	is_int(rs.content_length, 11, "content_length set");
	framing("HTTP/1.1 200 OK\r\nContent-Length: 7, 7\r\nContent-Length: 7\r\n\r\n", false, &f,
		&e);
	ok(f.kind == HTTP_BODY_SIZED && f.length == 7, "repeated equal Content-Length is fine");
	framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n", false,
		&f, &e);
	ok(f.kind == HTTP_BODY_CHUNKED && !f.keep_alive && rs.content_length == -1,
	   "chunked wins over Content-Length, connection not reused");
	framing("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, close\r\nContent-Length: 1\r\n\r\n",
		false, &f, &e);
	ok(!f.keep_alive, "Connection: close");
	framing("HTTP/1.0 200 OK\r\n\r\n", false, &f, &e);
	ok(f.kind == HTTP_BODY_CLOSE && !f.keep_alive, "HTTP/1.0 without length: until close");
	framing("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n", false, &f,
		&e);
	ok(f.kind == HTTP_BODY_SIZED && f.keep_alive, "HTTP/1.0 with keep-alive");
	framing("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", true, &f, &e);
	ok(f.kind == HTTP_BODY_NONE && rs.content_length == 50 && f.keep_alive,
	   "HEAD: no body, length kept");
	framing("HTTP/1.1 204 No Content\r\n\r\n", false, &f, &e);
	ok(f.kind == HTTP_BODY_NONE && f.keep_alive, "204: no body");
	framing("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", false, &f, &e);
	ok(f.kind == HTTP_BODY_NONE, "304: no body");
	ok(http_token_in(" a ,b,  close ", "CLOSE") && !http_token_in("closed", "close"),
	   "token lists");
}

struct bad {
	const char *text, *want;
};

static void test_malformed(void)
{
	static const struct bad bad[] = {
		{"HTTP/2 200 OK\r\n\r\n", "unsupported protocol version"},
		{"HTTX/1.1 200 OK\r\n\r\n", "not an HTTP status line"},
		{"ICY 200 OK\r\n\r\n", "not an HTTP status line"},
		{"HTTP/1.1 20 OK\r\n\r\n", "bad status code"},
		{"HTTP/1.1 2000 OK\r\n\r\n", "bad status code"},
		{"HTTP/1.1 600 Odd\r\n\r\n", "bad status code"},
		{"HTTP/1.1 099 Odd\r\n\r\n", "bad status code"},
		{"HTTP/1.1 200 OK\r\nA: b\r\n  folded\r\n\r\n", "folded header"},
		{"HTTP/1.1 200 OK\r\nA: b\r\n\tfolded\r\n\r\n", "folded header"},
		{"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "bad header name"},
		{"HTTP/1.1 200 OK\r\nName : x\r\n\r\n", "bad header name"},
		{"HTTP/1.1 200 OK\r\n: x\r\n\r\n", "without a name"},
		{"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "without a name"},
		{"HTTP/1.1 200 OK\r\nA: b\x01\r\n\r\n", "control character"},
		{"HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", "control character"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
		 "conflicting Content-Length"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", "conflicting Content-Length"},
		{"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "bad Content-Length"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", "bad Content-Length"},
		{"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", "empty Content-Length"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", "too large"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		 "unsupported Transfer"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
		 "chunked applied"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n",
		 "unsupported Transfer"},
	};
	struct http_framing f;
	char many[4096];
	size_t n;
	struct err e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r;
		err_clear(&e);
		r = framing(bad[i].text, false, &f, &e);
		ok(r == -1 && strstr(e.msg, bad[i].want), "refused: %s (%s)", bad[i].want, e.msg);
	}
	n = (size_t)snprintf(many, sizeof(many), "HTTP/1.1 200 OK\r\n");
	for (int i = 0; i <= HTTP_MAX_HEADERS; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "H%d: v\r\n", i);
	snprintf(many + n, sizeof(many) - n, "\r\n");
	ok(head(many, &e) == -1 && strstr(e.msg, "more than"), "too many headers (%s)", e.msg);
}

/* Decode in pieces cut at the given offsets, as http.c does: framing is fed,
 * data is taken straight from the piece. Returns 1 done, 0 not, -1 error. */
static int decode(const char *in, size_t len, const size_t *cuts, size_t ncuts, char *out,
		  size_t *outlen, const char **err)
{
	struct http_chunked c;
	size_t start = 0;

	http_chunked_init(&c);
	*outlen = 0;
	for (size_t k = 0; k <= ncuts; k++) {
		size_t end = k < ncuts ? cuts[k] : len;
		const char *p = in + start;
		size_t l = end - start;
		while (l) {
			uint64_t avail = http_chunked_data(&c);
			if (avail) {
				size_t t = avail < l ? (size_t)avail : l;
				memcpy(out + *outlen, p, t);
				*outlen += t;
				http_chunked_take(&c, t);
				p += t;
				l -= t;
				continue;
			}
			if (http_chunked_done(&c) || c.err)
				break;
			size_t used = http_chunked_feed(&c, p, l);
			p += used;
			l -= used;
		}
		start = end;
	}
	*err = c.err;
	return c.err ? -1 : http_chunked_done(&c);
}

static void test_chunked(void)
{
	static const char body[] = "5;name=value;x\r\nhello\r\n6 ; ext\r\n world\r\n"
				   "A\r\n0123456789\r\n0\r\nTrailer: x\r\nOther: y\r\n\r\n";
	const char *want = "hello world0123456789";
	size_t len = sizeof(body) - 1, outlen, cuts[2];
	char out[128];
	const char *err;
	bool all = true;

	is_int(decode(body, len, NULL, 0, out, &outlen, &err), 1, "chunked body in one piece");
	out[outlen] = '\0';
	is_str(out, want, "decoded data (extensions and trailers skipped)");
	for (size_t i = 1; i < len && all; i++) {
		cuts[0] = i;
		all = decode(body, len, cuts, 1, out, &outlen, &err) == 1 && outlen == 21 &&
		      !memcmp(out, want, 21);
		if (!all)
			diag("split at %zu fails", i);
	}
	ok(all, "split in two at every byte boundary");
	for (size_t i = 1; i < len && all; i++)
		for (size_t j = i + 1; j < len && all; j++) {
			cuts[0] = i;
			cuts[1] = j;
			all = decode(body, len, cuts, 2, out, &outlen, &err) == 1 && outlen == 21 &&
			      !memcmp(out, want, 21);
		}
	ok(all, "split in three at every pair of boundaries");

	{
		size_t bytes[sizeof(body)];
		for (size_t i = 0; i + 1 < len; i++)
			bytes[i] = i + 1;
		ok(decode(body, len, bytes, len - 1, out, &outlen, &err) == 1 && outlen == 21,
		   "one byte at a time");
	}
	is_int(decode("0\n\n", 3, NULL, 0, out, &outlen, &err), 1, "bare LF, empty body");
	is_int(decode("3\r\nabc", 6, NULL, 0, out, &outlen, &err), 0, "cut short: not done");

	static const struct bad bad[] = {
		{"x\r\n", "bad chunk size"},
		{"\r\n", "missing chunk size"},
		{";ext\r\n", "missing chunk size"},
		{"5\r\nhelloX\r\n", "missing CRLF"},
		{"5\rX", "bare CR"},
		{"1000000000000000\r\n", "too large"},
		{"5;a\x01\r\n", "control character"},
		{"-5\r\n", "bad chunk size"},
		{"0\r\nTrailer\rX", "bare CR"},
		{"0\r\n\rX", "bad end"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = decode(bad[i].text, strlen(bad[i].text), NULL, 0, out, &outlen, &err);
		ok(r == -1 && strstr(err, bad[i].want), "chunked refused: %s", bad[i].want);
	}
	{
		static char big[20000];
		memset(big, 'a', sizeof(big));
		memcpy(big, "5;", 2);
		ok(decode(big, sizeof(big), NULL, 0, out, &outlen, &err) == -1 &&
			   strstr(err, "line too long"),
		   "endless extension refused");
		memcpy(big, "0\r\nX:", 5);
		ok(decode(big, sizeof(big), NULL, 0, out, &outlen, &err) == -1 &&
			   strstr(err, "trailers too long"),
		   "endless trailers refused");
	}
}

static void url_is(const char *s, const struct http_url *base, const char *want, const char *name)
{
	struct http_url u;
	struct err e;
	char buf[2200];

	if (http_url_parse(&u, s, base, &e) < 0) {
		ok(0, "%s", name);
		diag("%s", e.msg);
		return;
	}
	http_url_format(&u, buf, sizeof(buf));
	is_str(buf, want, "%s", name);
}

static void test_urls(void)
{
	struct http_url u, base;
	struct err e;

	ok(http_url_parse(&u, "https://Registry.example:5000/v2/?n=1#frag", NULL, &e) == 0 &&
		   u.tls && u.port == 5000 && !strcmp(u.host, "Registry.example") &&
		   !strcmp(u.path, "/v2/?n=1"),
	   "https URL with port, query, fragment dropped");
	ok(http_url_parse(&u, "http://[::1]:8080", NULL, &e) == 0 && !strcmp(u.host, "::1") &&
		   u.port == 8080 && !strcmp(u.path, "/"),
	   "IPv6 literal, empty path is /");
	url_is("http://[::1]/x", NULL, "http://[::1]/x", "IPv6 formats back with brackets");
	url_is("https://h:443/a", NULL, "https://h/a", "default port left out");
	http_url_parse(&base, "http://h:81/v2/lib/blobs/x?y=1", NULL, &e);
	url_is("/other", &base, "http://h:81/other", "absolute path reference");
	url_is("sibling", &base, "http://h:81/v2/lib/blobs/sibling", "relative path reference");
	url_is("../up?q", &base, "http://h:81/v2/lib/up?q", "dot-dot segment");
	url_is("?z=2", &base, "http://h:81/v2/lib/blobs/x?z=2", "query-only reference");
	url_is("//cdn.example/p", &base, "http://cdn.example/p", "scheme-relative reference");
	url_is("HTTPS://cdn.example/p", &base, "https://cdn.example/p", "absolute reference");
	ok(http_url_parse(&u, "ftp://h/", NULL, &e) < 0, "ftp refused: %s", e.msg);
	ok(http_url_parse(&u, "http://u:p@h/", NULL, &e) < 0, "credentials refused");
	ok(http_url_parse(&u, "http://h:99999/", NULL, &e) < 0, "port out of range refused");
	ok(http_url_parse(&u, "http://h/a b", NULL, &e) < 0, "space refused");
	ok(http_url_parse(&u, "http://h/a\r\nX: y", NULL, &e) < 0, "CRLF refused");
	ok(http_url_parse(&u, "http://[zz]/", NULL, &e) < 0, "bad IPv6 refused");
	ok(http_url_parse(&u, "http:///x", NULL, &e) < 0, "empty host refused");
}

int main(void)
{
	test_heads();
	test_malformed();
	test_chunked();
	test_urls();
	return done_testing();
}
