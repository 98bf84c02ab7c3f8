/* jsonlog.c - the json-file writer: Docker's line format with Go's escaping,
 * lines cut at newlines and at 16 KiB, rotation into path.1 ... path.(N-1). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "jsonlog.h"
#include "timefmt.h"

/* A bounded appender: counts what would be written past the end too. */
struct out {
	char *p;
	size_t size, n;
};

static void put(struct out *o, char c)
{
	if (o->n < o->size)
		o->p[o->n] = c;
	o->n++;
}

static void puts_n(struct out *o, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put(o, s[i]);
}

/* The length of the UTF-8 sequence at s as Go's utf8.DecodeRune accepts it
 * (no overlongs, surrogates or values past U+10FFFF), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned char b = s[0], lo = 0x80, hi = 0xbf;
	size_t need;

	if (b >= 0xc2 && b <= 0xdf)
		need = 2;
	else if (b >= 0xe0 && b <= 0xef)
		need = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		need = 4;
	else
		return 0;
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	*cp = need == 2   ? (b & 0x1fu) << 6 | (s[1] & 0x3fu)
	      : need == 3 ? (b & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu)
			  : (b & 0x07u) << 18 | (s[1] & 0x3fu) << 12 | (s[2] & 0x3fu) << 6 |
				    (s[3] & 0x3fu);
	return need;
}

static void put_escaped(struct out *o, const unsigned char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	put(o, '"');
	for (size_t i = 0; i < len;) {
		unsigned char b = s[i];
		unsigned cp;
		size_t n;

		if (b < 0x80) {
			if (b == '"' || b == '\\') {
				put(o, '\\');
				put(o, (char)b);
			} else if (b == '\n') {
				puts_n(o, "\\n", 2);
			} else if (b == '\r') {
				puts_n(o, "\\r", 2);
			} else if (b < 0x20 || b == '<' || b == '>' || b == '&') {
				puts_n(o, "\\u00", 4);
				put(o, hex[b >> 4]);
				put(o, hex[b & 0xf]);
			} else {
				put(o, (char)b);
			}
			i++;
			continue;
		}
		n = utf8_len(s + i, len - i, &cp);
		if (n == 0) {
			puts_n(o, "\\ufffd", 6);
			i++;
		} else if (cp == 0x2028 || cp == 0x2029) {
			puts_n(o, cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
			i += n;
		} else {
			puts_n(o, (const char *)s + i, n);
			i += n;
		}
	}
	put(o, '"');
}

size_t jsonlog_format(char *out, size_t size, enum jsonlog_stream s, const void *log, size_t len,
		      const struct timespec *ts)
{
	struct out o = {out, size, 0};
	char t[40];
	size_t tlen = timefmt_rfc3339(t, sizeof(t), ts, 9);

	put(&o, '{');
	/* Go's omitempty: an empty log has no "log" key. */
	if (len) {
		puts_n(&o, "\"log\":", 6);
		put_escaped(&o, log, len);
		put(&o, ',');
	}
	puts_n(&o, s == JSONLOG_STDERR ? "\"stream\":\"stderr\"," : "\"stream\":\"stdout\",", 18);
	puts_n(&o, "\"time\":\"", 8);
	puts_n(&o, t, tlen);
	puts_n(&o, "\"}", 2);
	return o.n;
}

static int open_log(struct jsonlog_writer *w, int flags, struct err *e)
{
	struct stat st;

	w->fd = open(w->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | flags, 0640);
	if (w->fd < 0)
		return err_sys(e, errno, "open log %s", w->path);
	w->size = fstat(w->fd, &st) == 0 ? st.st_size : 0;
	return 0;
}

int jsonlog_open(struct jsonlog_writer *w, const char *path, int64_t max_size, unsigned max_files,
		 struct err *e)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	if (strlen(path) + 8 >= sizeof(w->path))
		return err_sys(e, ENAMETOOLONG, "log %s", path);
	strcpy(w->path, path);
	w->max_size = max_size;
	w->max_files = max_files ? max_files : 1;
	return open_log(w, 0, e);
}

/* Docker's order: the oldest is overwritten, each moves up one, the live
 * file becomes .1 and a new one starts. With one file it starts over. */
static int rotate(struct jsonlog_writer *w, struct err *e)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];

	close(w->fd);
	w->fd = -1;
	if (w->max_files < 2)
		return open_log(w, O_TRUNC, e);
	for (unsigned i = w->max_files - 1; i > 1; i--) {
		snprintf(from, sizeof(from), "%s.%u", w->path, i - 1);
		snprintf(to, sizeof(to), "%s.%u", w->path, i);
		if (rename(from, to) < 0 && errno != ENOENT)
			return err_sys(e, errno, "rotate log %s", from);
	}
	snprintf(to, sizeof(to), "%s.1", w->path);
	if (rename(w->path, to) < 0 && errno != ENOENT)
		return err_sys(e, errno, "rotate log %s", w->path);
	return open_log(w, O_TRUNC, e);
}

int jsonlog_write_entry(struct jsonlog_writer *w, enum jsonlog_stream s, const void *log,
			size_t len, const struct timespec *ts, struct err *e)
{
	char small[1024], *buf = small;
	size_t n = jsonlog_format(NULL, 0, s, log, len, ts) + 1;
	int r;

	if (w->fd < 0 && open_log(w, 0, e) < 0)
		return -1;
	if (w->max_size > 0 && w->size >= w->max_size && rotate(w, e) < 0)
		return -1;
	/* Short lines on the stack; long ones (up to 6 x 16 KiB escaped)
	 * borrow the heap for the one write. */
	if (n > sizeof(small) && !(buf = malloc(n)))
		return err_sys(e, ENOMEM, "log entry");
	jsonlog_format(buf, n, s, log, len, ts);
	buf[n - 1] = '\n';
	r = file_write_full(w->fd, buf, n, e);
	if (buf != small)
		free(buf);
	if (r < 0)
		return err_wrap(e, "write log %s", w->path);
	w->size += (int64_t)n;
	return 0;
}

static int pending_add(struct jsonlog_partial *p, const char *buf, size_t len, struct err *e)
{
	char *grown = realloc(p->buf, p->len + len);

	if (!grown)
		return err_sys(e, ENOMEM, "log line");
	memcpy(grown + p->len, buf, len);
	p->buf = grown;
	p->len += len;
	return 0;
}

int jsonlog_flush(struct jsonlog_writer *w, enum jsonlog_stream s, struct err *e)
{
	struct jsonlog_partial *p = &w->part[s == JSONLOG_STDERR ? 2 : 1];
	struct timespec now;
	int r = 0;

	if (p->len) {
		clock_gettime(CLOCK_REALTIME, &now);
		r = jsonlog_write_entry(w, s, p->buf, p->len, &now, e);
	}
	free(p->buf);
	p->buf = NULL;
	p->len = 0;
	return r;
}

int jsonlog_feed(struct jsonlog_writer *w, enum jsonlog_stream s, const void *data, size_t len,
		 struct err *e)
{
	struct jsonlog_partial *p = &w->part[s == JSONLOG_STDERR ? 2 : 1];
	const char *buf = data;
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t take = nl ? (size_t)(nl - buf) + 1 : len;

		if (p->len) {
			/* Complete the pending line first. */
			if (take > JSONLOG_LINE_MAX - p->len)
				take = JSONLOG_LINE_MAX - p->len;
			if (pending_add(p, buf, take, e) < 0)
				return -1;
			if ((p->buf[p->len - 1] == '\n' || p->len == JSONLOG_LINE_MAX) &&
			    jsonlog_flush(w, s, e) < 0)
				return -1;
		} else if (nl && take <= JSONLOG_LINE_MAX) {
			if (jsonlog_write_entry(w, s, buf, take, &now, e) < 0)
				return -1;
		} else if (take >= JSONLOG_LINE_MAX) {
			/* No newline within 16 KiB: this piece is an entry. */
			take = JSONLOG_LINE_MAX;
			if (jsonlog_write_entry(w, s, buf, take, &now, e) < 0)
				return -1;
		} else if (pending_add(p, buf, take, e) < 0) {
			return -1;
		}
		buf += take;
		len -= take;
	}
	return 0;
}

void jsonlog_close(struct jsonlog_writer *w)
{
	jsonlog_flush(w, JSONLOG_STDOUT, NULL);
	jsonlog_flush(w, JSONLOG_STDERR, NULL);
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}
