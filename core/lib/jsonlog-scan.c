/* jsonlog-scan.c - one json-file line decoded in place: its strings (all of
 * JSON's escapes, surrogate pairs, a lone surrogate as U+FFFD as Go does),
 * other values ("attrs") skipped, the time to nanoseconds. */
#include <stdbool.h>
#include <string.h>

#include "jsonlog.h"
#include "timefmt.h"

/* The line's JSON, scanned in place: only strings are decoded, anything
 * else ("attrs") is skipped. Decoded text is never longer than its source. */
struct scan {
	const char *p, *end;
};

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n'))
		s->p++;
}

static int hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
						    : 16u;
		if (d > 15)
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80)
		return o[0] = (char)cp, 1;
	if (cp < 0x800)
		return o[0] = (char)(0xc0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3f)), 2;
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX at s->p (after the backslash and u), a surrogate pair joined; a
 * lone surrogate becomes U+FFFD, as Go decodes it. */
static int unicode_escape(struct scan *s, unsigned *cp)
{
	unsigned lo;

	if (s->end - s->p < 4 || hex4(s->p, cp) < 0)
		return -1;
	s->p += 4;
	if (*cp < 0xd800 || *cp > 0xdfff)
		return 0;
	if (*cp < 0xdc00 && s->end - s->p >= 6 && s->p[0] == '\\' && s->p[1] == 'u' &&
	    hex4(s->p + 2, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
		*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
		s->p += 6;
		return 0;
	}
	*cp = 0xfffd;
	return 0;
}

/* JSON's one-letter escapes, as pairs: the letter, then what it means. */
static const char escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";

/* A string at s->p into out (up to cap bytes; *len counts all of it). */
static int string(struct scan *s, char *out, size_t cap, size_t *len)
{
	char tmp[4];
	size_t n = 0;

	if (s->p >= s->end || *s->p++ != '"')
		return -1;
	while (s->p < s->end && *s->p != '"') {
		const char *src = s->p;
		size_t k = 1;
		unsigned cp;

		if (*s->p++ == '\\') {
			if (s->p >= s->end)
				return -1;
			char c = *s->p++;
			const char *m = strchr(escapes, c);

			if (c == 'u') {
				if (unicode_escape(s, &cp) < 0)
					return -1;
				k = put_utf8(tmp, cp);
			} else if (c && m && (m - escapes) % 2 == 0) {
				tmp[0] = m[1];
			} else {
				return -1;
			}
			src = tmp;
		}
		for (size_t i = 0; i < k; i++, n++)
			if (n < cap)
				out[n] = src[i];
	}
	if (s->p >= s->end)
		return -1;
	s->p++;
	*len = n;
	return 0;
}

/* Skip any value: strings with their escapes, nested objects and arrays,
 * and bare words (numbers, true, false, null). */
static int skip_value(struct scan *s)
{
	int depth = 0;
	size_t len;

	do {
		ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == '"') {
			if (string(s, NULL, 0, &len) < 0)
				return -1;
		} else if (*s->p == '{' || *s->p == '[') {
			depth++;
			s->p++;
		} else if (*s->p == '}' || *s->p == ']') {
			depth--;
			s->p++;
		} else {
			s->p++;
		}
	} while (depth > 0);
	return 0;
}

int jsonlog_parse_time(const char *s, size_t len, int64_t *ns)
{
	char t[64];
	long long secs;
	int64_t frac = 0;
	int digits = 0;

	if (len >= sizeof(t))
		return -1;
	memcpy(t, s, len);
	t[len] = '\0';
	if (timefmt_parse_rfc3339(t, &secs) < 0)
		return -1;
	if (len > 19 && t[19] == '.')
		for (size_t i = 20; i < len && t[i] >= '0' && t[i] <= '9'; i++)
			if (digits < 9) {
				frac = frac * 10 + (t[i] - '0');
				digits++;
			}
	while (digits++ < 9)
		frac *= 10;
	*ns = (int64_t)secs * 1000000000 + frac;
	return 0;
}

int jsonlog_parse_line(const char *line, size_t len, char *dec, size_t dcap,
		       struct jsonlog_entry *ent)
{
	struct scan s = {line, line + len};
	char key[8], val[64];
	size_t klen, vlen;
	bool have_time = false;

	memset(ent, 0, sizeof(*ent));
	ent->log = dec;
	ws(&s);
	if (s.p >= s.end || *s.p++ != '{')
		return -1;
	for (ws(&s); s.p < s.end && *s.p != '}';) {
		if (string(&s, key, sizeof(key), &klen) < 0)
			return -1;
		ws(&s);
		if (s.p >= s.end || *s.p++ != ':')
			return -1;
		ws(&s);
		if (klen == 3 && !memcmp(key, "log", 3)) {
			if (string(&s, dec, dcap, &ent->len) < 0 || ent->len > dcap)
				return -1;
		} else if ((klen == 6 && !memcmp(key, "stream", 6)) ||
			   (klen == 4 && !memcmp(key, "time", 4))) {
			if (string(&s, val, sizeof(val), &vlen) < 0 || vlen >= sizeof(val))
				return -1;
			if (klen == 4)
				have_time = jsonlog_parse_time(val, vlen, &ent->time_ns) == 0;
			else if (vlen == 6 && !memcmp(val, "stdout", 6))
				ent->stream = JSONLOG_STDOUT;
			else if (vlen == 6 && !memcmp(val, "stderr", 6))
				ent->stream = JSONLOG_STDERR;
		} else if (skip_value(&s) < 0) {
			return -1;
		}
		ws(&s);
		if (s.p < s.end && *s.p == ',')
			s.p++, ws(&s);
	}
	return s.p < s.end && have_time ? 0 : -1;
}
