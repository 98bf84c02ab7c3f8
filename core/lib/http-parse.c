/* http-parse.c - response heads, body framing and chunked decoding over
 * caller buffers. A registry may be hostile: every limit is checked here
 * and the inputs that request smuggling relies on are refused. */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "http-parse.h"

#define CHUNK_LINE_MAX 4096 /* a size line with its extensions */
#define TRAILERS_MAX 16384

size_t http_head_len(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* RFC 9110 tchar. */
static bool is_tchar(unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
		return true;
	return ch && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

/* Cut the next line out of [*p, end): NUL-terminates it in place (over its
 * CR or LF) and checks that it holds no control characters. */
static int next_line(char **p, char *end, char **line, struct err *e)
{
	char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
	char *stop;

	if (!nl)
		return err_set(e, "response head: line without an end");
	stop = nl > s && nl[-1] == '\r' ? nl - 1 : nl;
	for (char *q = s; q < stop; q++) {
		unsigned char ch = (unsigned char)*q;
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return err_set(e, "response head: control character 0x%02x in a line", ch);
	}
	*stop = '\0';
	*line = s;
	*p = nl + 1;
	return 0;
}

static int parse_status(char *line, struct http_response *rs, int *minor, struct err *e)
{
	const char *r;
	size_t n;

	if (strncmp(line, "HTTP/", 5) != 0 || !line[5] || !line[6] || !line[7])
		return err_set(e, "response head: not an HTTP status line: \"%.40s\"", line);
	if (line[5] != '1' || line[6] != '.' || line[7] < '0' || line[7] > '9')
		return err_set(e, "response head: unsupported protocol version \"%.8s\"", line);
	*minor = line[7] - '0';
	if (line[8] != ' ' || line[9] < '1' || line[9] > '5' || line[10] < '0' || line[10] > '9' ||
	    line[11] < '0' || line[11] > '9' || (line[12] && line[12] != ' '))
		return err_set(e, "response head: bad status code in \"%.40s\"", line);
	rs->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	r = line[12] ? line + 13 : "";
	n = strlen(r);
	if (n >= sizeof(rs->reason))
		n = sizeof(rs->reason) - 1;
	memcpy(rs->reason, r, n);
	rs->reason[n] = '\0';
	return 0;
}

static int parse_field(char *line, struct http_response *rs, struct err *e)
{
	char *colon, *v, *end;

	if (line[0] == ' ' || line[0] == '\t')
		return err_set(e, "response head: folded header line refused (obs-fold)");
	colon = strchr(line, ':');
	if (!colon || colon == line)
		return err_set(e, "response head: header line without a name: \"%.40s\"", line);
	for (char *q = line; q < colon; q++)
		if (!is_tchar((unsigned char)*q))
			return err_set(e, "response head: bad header name \"%.*s\"",
				       (int)(colon - line > 40 ? 40 : colon - line), line);
	if (rs->nheaders >= HTTP_MAX_HEADERS)
		return err_set(e, "response head: more than %d headers", HTTP_MAX_HEADERS);
	*colon = '\0';
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	rs->headers[rs->nheaders].name = line;
	rs->headers[rs->nheaders].value = v;
	rs->nheaders++;
	return 0;
}

int http_parse_head(char *buf, size_t len, struct http_response *rs, int *minor, struct err *e)
{
	char *p = buf, *end = buf + len, *line;

	rs->nheaders = 0;
	rs->content_length = -1;
	if (next_line(&p, end, &line, e) < 0 || parse_status(line, rs, minor, e) < 0)
		return -1;
	for (;;) {
		if (next_line(&p, end, &line, e) < 0)
			return -1;
		if (!line[0])
			break;
		if (parse_field(line, rs, e) < 0)
			return -1;
	}
	if (p != end)
		return err_set(e, "response head: data after the empty line");
	return 0;
}

/* The next element of a comma-separated list, without its blanks; returns
 * its length (0 for an empty element) and advances *s, or -1 at the end. */
static int list_next(const char **s, const char **tok)
{
	const char *p = *s, *q;
	int n;

	if (!*p)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	q = p;
	while (*q && *q != ',')
		q++;
	*s = *q ? q + 1 : q;
	n = (int)(q - p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	*tok = p;
	return n;
}

bool http_token_in(const char *list, const char *token)
{
	size_t tl = strlen(token);
	const char *tok;
	int n;

	while ((n = list_next(&list, &tok)) >= 0)
		if ((size_t)n == tl && strncasecmp(tok, token, tl) == 0)
			return true;
	return false;
}

/* Every element of every Content-Length header must be the same number. */
static int content_length(const char *v, int64_t *cl, struct err *e)
{
	const char *tok;
	int n;

	if (!*v)
		return err_set(e, "response head: empty Content-Length");
	while ((n = list_next(&v, &tok)) >= 0) {
		int64_t x = 0;
		if (n == 0)
			return err_set(e, "response head: empty Content-Length");
		for (int i = 0; i < n; i++) {
			if (tok[i] < '0' || tok[i] > '9')
				return err_set(e, "response head: bad Content-Length \"%.*s\"",
					       n > 30 ? 30 : n, tok);
			if (x > (INT64_MAX - 9) / 10)
				return err_set(e, "response head: Content-Length too large");
			x = x * 10 + (tok[i] - '0');
		}
		if (*cl >= 0 && *cl != x)
			return err_set(
				e,
				"response head: conflicting Content-Length values (%lld and %lld)",
				(long long)*cl, (long long)x);
		*cl = x;
	}
	return 0;
}

/* Only chunked is understood, and it must come last (RFC 9112 6.1). */
static int transfer_encoding(const char *v, bool *chunked, struct err *e)
{
	const char *tok;
	int n;

	while ((n = list_next(&v, &tok)) >= 0) {
		if (n == 0)
			continue;
		if (n != 7 || strncasecmp(tok, "chunked", 7) != 0)
			return err_set(e, "response head: unsupported Transfer-Encoding \"%.*s\"",
				       n > 30 ? 30 : n, tok);
		if (*chunked)
			return err_set(e, "response head: chunked applied twice");
		*chunked = true;
	}
	return 0;
}

int http_parse_framing(struct http_response *rs, int minor, bool head_request,
		       struct http_framing *f, struct err *e)
{
	bool chunked = false, te = false, close = false, keep = false;
	int64_t cl = -1;

	for (size_t i = 0; i < rs->nheaders; i++) {
		const char *n = rs->headers[i].name, *v = rs->headers[i].value;
		if (strcasecmp(n, "content-length") == 0 && content_length(v, &cl, e) < 0)
			return -1;
		if (strcasecmp(n, "transfer-encoding") == 0) {
			te = true;
			if (transfer_encoding(v, &chunked, e) < 0)
				return -1;
		}
		if (strcasecmp(n, "connection") == 0) {
			close |= http_token_in(v, "close");
			keep |= http_token_in(v, "keep-alive");
		}
	}
	if (te && !chunked)
		return err_set(e, "response head: empty Transfer-Encoding");
	f->keep_alive = !close && (minor >= 1 || keep);
	f->length = -1;
	rs->content_length = chunked ? -1 : cl;
	if (head_request || rs->status / 100 == 1 || rs->status == 204 || rs->status == 304) {
		f->kind = HTTP_BODY_NONE;
	} else if (chunked) {
		f->kind = HTTP_BODY_CHUNKED;
		/* Both headers: a smuggling attempt or a broken proxy; the
		 * connection is not trusted for another request. */
		if (cl >= 0)
			f->keep_alive = false;
	} else if (cl >= 0) {
		f->kind = HTTP_BODY_SIZED;
		f->length = cl;
	} else {
		f->kind = HTTP_BODY_CLOSE;
		f->keep_alive = false;
	}
	return 0;
}

enum {
	CH_SIZE, /* hex digits */
	CH_SIZE_WS, /* blanks after the digits */
	CH_EXT, /* ";name=value" extensions, ignored */
	CH_SIZE_LF, /* CR seen, LF wanted */
	CH_DATA,
	CH_DATA_CR, /* CRLF after the data */
	CH_DATA_LF,
	CH_TRAILER_START, /* start of a trailer line or the final empty line */
	CH_TRAILER,
	CH_TRAILER_LF,
	CH_END_LF,
	CH_DONE,
	CH_ERR,
};

static void enter_size(struct http_chunked *c)
{
	c->state = CH_SIZE;
	c->left = 0;
	c->digits = 0;
	c->line = 0;
}

void http_chunked_init(struct http_chunked *c)
{
	memset(c, 0, sizeof(*c));
	enter_size(c);
}

static int hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static void fail(struct http_chunked *c, const char *why)
{
	c->state = CH_ERR;
	c->err = why;
}

static void size_line_end(struct http_chunked *c)
{
	if (!c->digits)
		fail(c, "missing chunk size");
	else
		c->state = c->left ? CH_DATA : CH_TRAILER_START;
}

/* One byte of the size line. */
static void size_byte(struct http_chunked *c, unsigned char ch)
{
	int v = hexval(ch);

	if (++c->line > CHUNK_LINE_MAX) {
		fail(c, "chunk size line too long");
		return;
	}
	if (c->state == CH_SIZE && v >= 0) {
		if (c->digits >= 15) {
			fail(c, "chunk size too large");
			return;
		}
		c->left = c->left * 16 + (unsigned)v;
		c->digits++;
	} else if (ch == '\n') {
		size_line_end(c);
	} else if (ch == '\r') {
		c->state = CH_SIZE_LF;
	} else if (c->state == CH_EXT) {
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			fail(c, "control character in a chunk extension");
	} else if (ch == ';') {
		c->state = CH_EXT;
	} else if ((ch == ' ' || ch == '\t') && c->digits) {
		c->state = CH_SIZE_WS;
	} else {
		fail(c, "bad chunk size");
	}
}

static void trailer_byte(struct http_chunked *c, unsigned char ch)
{
	if (++c->trailers > TRAILERS_MAX) {
		fail(c, "chunked trailers too long");
		return;
	}
	switch (c->state) {
	case CH_TRAILER_START:
		c->state = ch == '\r' ? CH_END_LF : ch == '\n' ? CH_DONE : CH_TRAILER;
		break;
	case CH_TRAILER:
		if (ch == '\r')
			c->state = CH_TRAILER_LF;
		else if (ch == '\n')
			c->state = CH_TRAILER_START;
		break;
	case CH_TRAILER_LF:
		if (ch != '\n') {
			fail(c, "bare CR in a chunked trailer");
			return;
		}
		c->state = CH_TRAILER_START;
		break;
	case CH_END_LF:
		if (ch != '\n') {
			fail(c, "bad end of a chunked body");
			return;
		}
		c->state = CH_DONE;
		break;
	}
}

size_t http_chunked_feed(struct http_chunked *c, const char *in, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (c->state == CH_DATA || c->state == CH_DONE || c->state == CH_ERR)
			break;
		switch (c->state) {
		case CH_SIZE:
		case CH_SIZE_WS:
		case CH_EXT:
			size_byte(c, ch);
			break;
		case CH_SIZE_LF:
			if (ch == '\n')
				size_line_end(c);
			else
				fail(c, "bare CR in a chunk size line");
			break;
		case CH_DATA_CR:
		case CH_DATA_LF:
			if (ch == '\n')
				enter_size(c);
			else if (ch == '\r' && c->state == CH_DATA_CR)
				c->state = CH_DATA_LF;
			else
				fail(c, "missing CRLF after chunk data");
			break;
		default:
			trailer_byte(c, ch);
		}
		if (c->state == CH_ERR)
			break;
	}
	return i;
}

uint64_t http_chunked_data(const struct http_chunked *c)
{
	return c->state == CH_DATA ? c->left : 0;
}

void http_chunked_take(struct http_chunked *c, size_t n)
{
	if (c->state != CH_DATA || n > c->left) {
		fail(c, "chunk data overrun (caller bug)");
		return;
	}
	c->left -= n;
	if (!c->left)
		c->state = CH_DATA_CR;
}

bool http_chunked_done(const struct http_chunked *c)
{
	return c->state == CH_DONE;
}
