/* log.c - leveled log lines as text or JSON, each line one write(2) to stderr,
 * a caller's fd or a file opened for append. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "timefmt.h"

static const char *const level_names[] = {"error", "warn", "info", "debug"};

static struct {
	int fd; /* -1: stderr */
	int owned; /* fd was opened by log_open_file */
	enum log_level level;
	enum log_format format;
} g = {-1, 0, LOG_LEVEL_INFO, LOG_FORMAT_TEXT};

/* The line under construction; a full buffer cuts the message, never the
 * parts of the line that make it parseable. */
struct line {
	char buf[2 * LOG_MSG_MAX];
	size_t len;
	size_t lim; /* room left for the message, tail reserved */
	int cut;
};

void log_set_level(enum log_level level)
{
	g.level = level;
}

enum log_level log_get_level(void)
{
	return g.level;
}

void log_set_format(enum log_format format)
{
	g.format = format;
}

void log_close(void)
{
	if (g.owned && g.fd >= 0)
		close(g.fd);
	g.fd = -1;
	g.owned = 0;
}

void log_set_fd(int fd)
{
	log_close();
	g.fd = fd;
}

int log_open_file(const char *path, struct err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);

	if (fd < 0)
		return err_sys(e, errno, "open log file %s", path);
	log_close();
	g.fd = fd;
	g.owned = 1;
	return 0;
}

int log_level_parse(const char *s, enum log_level *out, struct err *e)
{
	size_t i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcasecmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcasecmp(s, "warning") == 0) {
		*out = LOG_LEVEL_WARN;
		return 0;
	}
	if (strcasecmp(s, "fatal") == 0) {
		*out = LOG_LEVEL_ERROR;
		return 0;
	}
	return err_set(e, "invalid log level \"%s\": expected debug, info, warn or error", s);
}

int log_format_parse(const char *s, enum log_format *out, struct err *e)
{
	if (strcasecmp(s, "text") == 0)
		*out = LOG_FORMAT_TEXT;
	else if (strcasecmp(s, "json") == 0)
		*out = LOG_FORMAT_JSON;
	else
		return err_set(e, "invalid log format \"%s\": expected text or json", s);
	return 0;
}

const char *log_level_name(enum log_level level)
{
	if ((unsigned)level >= sizeof(level_names) / sizeof(level_names[0]))
		return "unknown";
	return level_names[level];
}

int log_enabled(enum log_level level)
{
	return level <= g.level;
}

static void put(struct line *l, const char *s, size_t n)
{
	if (l->cut || l->len + n > l->lim) {
		l->cut = 1;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void put_str(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not valid
 * (overlong, surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
		return 0;
	if (len == 4 && (cp < 0x10000 || cp > 0x10ffff))
		return 0;
	return len;
}

/* The letter of a two-character escape ("\n"), or 0. */
static char short_escape(unsigned char c)
{
	switch (c) {
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	case '\t':
		return 't';
	case '\b':
		return 'b';
	case '\f':
		return 'f';
	}
	return 0;
}

/* JSON needs quotes, backslashes and control characters escaped and valid
 * UTF-8; text output escapes control characters only (tab stays), so that a
 * message (a container name, a registry's error body) cannot forge a line. */
static void put_escaped(struct line *l, const char *msg, int json)
{
	const unsigned char *s = (const unsigned char *)msg;
	size_t n = strlen(msg), i = 0, k;
	char esc[8];

	while (i < n && !l->cut) {
		unsigned char c = s[i];

		k = 1;
		if (c == '\t' && !json) {
			put(l, "\t", 1);
		} else if (short_escape(c)) {
			esc[0] = '\\';
			esc[1] = short_escape(c);
			put(l, esc, 2);
		} else if (c < 0x20 || (c == 0x7f && !json)) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(l, esc, 6);
		} else if (json && (c == '"' || c == '\\')) {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(l, esc, 2);
		} else if (!json || c < 0x80) {
			put(l, (const char *)s + i, 1);
		} else if ((k = utf8_len(s + i, n - i)) == 0) {
			put_str(l, "\\ufffd");
			k = 1;
		} else {
			put(l, (const char *)s + i, k);
		}
		i += k;
	}
}

static void fmt_time(char *buf, size_t size)
{
	timefmt_now(buf, size, 3);
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* nowhere left to report it */
		buf += n;
		len -= (size_t)n;
	}
}

static void build(struct line *l, enum log_level level, const char *msg)
{
	char ts[64];
	const char *tail = g.format == LOG_FORMAT_JSON ? "\"}\n" : "\n";

	fmt_time(ts, sizeof(ts));
	l->len = 0;
	l->cut = 0;
	l->lim = sizeof(l->buf) - 8; /* room for "..." and the tail */
	if (g.format == LOG_FORMAT_JSON) {
		put_str(l, "{\"level\":\"");
		put_str(l, log_level_name(level));
		put_str(l, "\",\"time\":\"");
		put_str(l, ts);
		put_str(l, "\",\"msg\":\"");
	} else {
		put_str(l, ts);
		put_str(l, " ");
		put_str(l, log_level_name(level));
		put_str(l, " ");
	}
	put_escaped(l, msg, g.format == LOG_FORMAT_JSON);
	l->lim = sizeof(l->buf);
	if (l->cut) {
		l->cut = 0;
		put_str(l, "...");
	}
	put_str(l, tail);
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	int saved = errno; /* callers log, then still use errno */
	char msg[LOG_MSG_MAX];
	struct line l;
	int n;

	if (!log_enabled(level))
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		snprintf(msg, sizeof(msg), "(bad log format \"%s\")", fmt);
	else if ((size_t)n >= sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	n = (int)strlen(msg);
	if (n > 0 && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	build(&l, level, msg);
	write_all(g.fd >= 0 ? g.fd : STDERR_FILENO, l.buf, l.len);
	errno = saved;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

#define LOG_FN(name, level)                                                                        \
	void name(const char *fmt, ...)                                                            \
	{                                                                                          \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		log_vmsg(level, fmt, ap);                                                          \
		va_end(ap);                                                                        \
	}

LOG_FN(log_error, LOG_LEVEL_ERROR)
LOG_FN(log_warn, LOG_LEVEL_WARN)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)
