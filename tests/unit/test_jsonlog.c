/* test_jsonlog.c - jsonlog.c and jsonlog-read.c: Docker's line format and
 * Go's escaping (known answers), lines cut at newlines and 16 KiB, rotation
 * and its file names, and the reader: round trips of binary data, tail across
 * files, since/until, follow through growth, rotation and truncation. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonlog.h"
#include "tap.h"

static char dir[256];

static const char *at(const char *name)
{
	static char buf[2][512];
	static int i;

	i ^= 1;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static const char *fmt(enum jsonlog_stream s, const char *log, size_t len, long long sec, long ns)
{
	static char out[4096];
	struct timespec ts = {sec, ns};
	size_t n = jsonlog_format(out, sizeof(out) - 1, s, log, len, &ts);

	out[n < sizeof(out) ? n : sizeof(out) - 1] = '\0';
	return out;
}

static void test_format(void)
{
	const struct timespec ts = {1796681211, 123456789};
	char small[10];
	size_t n;

	is_str(fmt(JSONLOG_STDOUT, "hello\n", 6, ts.tv_sec, ts.tv_nsec),
	       "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-07T22:06:51."
	       "123456789Z\"}",
	       "format: a stdout line");
	is_str(fmt(JSONLOG_STDERR, "x", 1, 0, 5),
	       "{\"log\":\"x\",\"stream\":\"stderr\",\"time\":\"1970-01-01T00:00:00.000000005Z\"}",
	       "format: stderr, nine fraction digits always");
	is_str(fmt(JSONLOG_STDOUT, "", 0, 0, 0),
	       "{\"stream\":\"stdout\",\"time\":\"1970-01-01T00:00:00.000000000Z\"}",
	       "format: an empty log has no log key (omitempty)");
	is_str(fmt(JSONLOG_STDOUT, "a\"b\\c\t<>&\x01\x7f\r\n", 13, 0, 0),
	       "{\"log\":\"a\\\"b\\\\c\\u0009\\u003c\\u003e\\u0026\\u0001\x7f\\r\\n\",\"stream\":"
	       "\"stdout\",\"time\":\"1970-01-01T00:00:00.000000000Z\"}",
	       "format: Go's escapes (tab as \\u0009, HTML characters, DEL as is)");
	is_str(fmt(JSONLOG_STDOUT, "\0z", 2, 0, 0),
	       "{\"log\":\"\\u0000z\",\"stream\":\"stdout\",\"time\":\"1970-01-01T00:00:00."
	       "000000000Z\"}",
	       "format: NUL");
	n = jsonlog_format(small, sizeof(small), JSONLOG_STDOUT, "hello\n", 6, &ts);
	is_int((long long)n, 75, "format: the full length is returned when the buffer is short");
	ok(!memcmp(small, "{\"log\":\"he", 10), "format: a short buffer holds the start");
}

/* The "log" value of one formatted entry, between the quotes. */
static const char *log_value(const char *log, size_t len)
{
	static char out[256];
	const char *s = fmt(JSONLOG_STDOUT, log, len, 0, 0);
	const char *end = strstr(s, "\",\"stream\"");

	if (strncmp(s, "{\"log\":\"", 8) || !end)
		return "(bad)";
	snprintf(out, sizeof(out), "%.*s", (int)(end - s - 8), s + 8);
	return out;
}

static void test_utf8(void)
{
	is_str(log_value("\xc3\xa9", 2), "\xc3\xa9", "utf8: two bytes kept");
	is_str(log_value("\xf0\x9f\x98\x80", 4), "\xf0\x9f\x98\x80", "utf8: four bytes kept");
	is_str(log_value("\xef\xbf\xbd", 3), "\xef\xbf\xbd", "utf8: an encoded U+FFFD is valid");
	is_str(log_value("a\xff"
			 "b",
			 3),
	       "a\\ufffdb", "utf8: 0xff");
	is_str(log_value("\xc3", 1), "\\ufffd", "utf8: cut at the end");
	is_str(log_value("\xc0\x80", 2), "\\ufffd\\ufffd", "utf8: overlong NUL, per byte");
	is_str(log_value("\xe0\x80\xaf", 3), "\\ufffd\\ufffd\\ufffd", "utf8: overlong 3 bytes");
	is_str(log_value("\xed\xa0\x80", 3), "\\ufffd\\ufffd\\ufffd", "utf8: a surrogate");
	is_str(log_value("\xf4\x90\x80\x80", 4), "\\ufffd\\ufffd\\ufffd\\ufffd",
	       "utf8: past U+10FFFF");
	is_str(log_value("\xe2\x80\xa8\xe2\x80\xa9", 6), "\\u2028\\u2029",
	       "utf8: line and paragraph separators escaped");
	is_str(log_value("\xe2\x82", 2), "\\ufffd\\ufffd", "utf8: a truncated 3-byte sequence");
}

/* Read every entry of path; returns the count, entries' logs joined by '|'
 * into out, streams as 'o'/'e' into streams. */
static int read_all(const char *path, const struct jsonlog_read_opts *o, char *out, size_t size,
		    char *streams)
{
	struct jsonlog_reader *r;
	struct jsonlog_entry ent;
	struct err e = {0};
	size_t n = 0;
	int count = 0, rc;

	out[0] = '\0';
	if (jsonlog_reader_open(path, o, &r, &e) < 0) {
		diag("open: %s", e.msg);
		return -1;
	}
	while ((rc = jsonlog_reader_next(r, &ent, &e)) == 1) {
		if (streams)
			streams[count] = ent.stream == JSONLOG_STDERR ? 'e' : 'o';
		if (n + ent.len + 2 < size) {
			if (count)
				out[n++] = '|';
			memcpy(out + n, ent.log, ent.len);
			n += ent.len;
			out[n] = '\0';
		}
		count++;
	}
	if (streams)
		streams[count] = '\0';
	if (rc < 0)
		diag("next: %s", e.msg);
	jsonlog_reader_free(r);
	return rc < 0 ? -1 : count;
}

static const struct jsonlog_read_opts all = {.tail = -1};

static void test_lines(void)
{
	struct jsonlog_writer w;
	struct err e = {0};
	char got[65536], streams[64], *big = malloc(40000);
	struct jsonlog_read_opts o = all;
	const char *p = at("lines.log");

	ok(jsonlog_open(&w, p, 0, 1, &e) == 0, "lines: open %s", e.msg);
	jsonlog_feed(&w, JSONLOG_STDOUT, "a\nb", 3, &e);
	jsonlog_feed(&w, JSONLOG_STDERR, "err1\nerr", 8, &e);
	jsonlog_feed(&w, JSONLOG_STDOUT, "c\nd\n", 4, &e);
	jsonlog_feed(&w, JSONLOG_STDERR, "2\n", 2, &e);
	jsonlog_feed(&w, JSONLOG_STDOUT, "tail", 4, &e);
	is_int(read_all(p, &o, got, sizeof(got), streams), 5, "lines: the partial line waits");
	is_str(got, "a\n|err1\n|bc\n|d\n|err2\n", "lines: split at newlines, per stream");
	is_str(streams, "oeooe", "lines: streams");
	jsonlog_close(&w);
	is_int(read_all(p, &o, got, sizeof(got), NULL), 6, "lines: close flushes the partial line");
	ok(strstr(got, "|tail") != NULL, "lines: the partial line is an entry of its own");

	/* 20000 bytes without a newline, fed in 1000-byte pieces, then one. */
	unlink(p);
	memset(big, 'x', 40000);
	jsonlog_open(&w, p, 0, 1, &e);
	for (int i = 0; i < 20; i++)
		jsonlog_feed(&w, JSONLOG_STDOUT, big, 1000, &e);
	jsonlog_feed(&w, JSONLOG_STDOUT, "\n", 1, &e);
	/* and 40000 in one read with a newline at the end */
	big[39999] = '\n';
	jsonlog_feed(&w, JSONLOG_STDOUT, big, 40000, &e);
	jsonlog_close(&w);
	{
		struct jsonlog_reader *r;
		struct jsonlog_entry ent;
		size_t lens[8] = {0};
		int n = 0;

		jsonlog_reader_open(p, &o, &r, &e);
		while (n < 8 && jsonlog_reader_next(r, &ent, &e) == 1)
			lens[n++] = ent.len;
		jsonlog_reader_free(r);
		is_int(n, 5, "long lines: cut at 16 KiB");
		ok(lens[0] == 16384 && lens[1] == 3617 && lens[2] == 16384 && lens[3] == 16384 &&
			   lens[4] == 40000 - 32768,
		   "long lines: 16384+3617, 16384+16384+7232 (%zu %zu %zu %zu %zu)", lens[0],
		   lens[1], lens[2], lens[3], lens[4]);
	}
	free(big);
}

static void test_binary(void)
{
	struct jsonlog_writer w;
	struct jsonlog_reader *r;
	struct jsonlog_entry ent;
	struct err e = {0};
	char data[200], want[400];
	size_t n = 0, wn = 0;
	const char *p = at("bin.log");
	struct timespec ts = {1, 0};

	/* Every ASCII byte, NULs included, and valid multi-byte text. */
	for (int c = 0; c < 128; c++)
		data[n++] = (char)c;
	memcpy(data + n, "\xc3\xa9\xf0\x9f\x98\x80\xe2\x80\xa8", 9);
	n += 9;
	memcpy(want, data, n);
	wn = n;
	/* Invalid bytes come back as U+FFFD, one per byte. */
	memcpy(data + n, "\xff\xc0", 2);
	n += 2;
	memcpy(want + wn, "\xef\xbf\xbd\xef\xbf\xbd", 6);
	wn += 6;
	jsonlog_open(&w, p, 0, 1, &e);
	ok(jsonlog_write_entry(&w, JSONLOG_STDERR, data, n, &ts, &e) == 0, "binary: written");
	jsonlog_close(&w);
	jsonlog_reader_open(p, &all, &r, &e);
	ok(jsonlog_reader_next(r, &ent, &e) == 1, "binary: read back");
	ok(ent.len == wn && !memcmp(ent.log, want, wn), "binary: the same bytes (%zu, want %zu)",
	   ent.len, wn);
	is_int(ent.time_ns, 1000000000, "binary: time");
	is_int(ent.stream, JSONLOG_STDERR, "binary: stream");
	is_int(jsonlog_reader_next(r, &ent, &e), 0, "binary: then the end");
	jsonlog_reader_free(r);
}

static int file_count(const char *base)
{
	char name[600];
	struct stat st;
	int n = 0;

	if (stat(base, &st) == 0)
		n++;
	for (int i = 1; i < 10; i++) {
		snprintf(name, sizeof(name), "%s.%d", base, i);
		if (stat(name, &st) == 0)
			n++;
	}
	return n;
}

static long long fsize(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Entries "NN\n" with their number as seconds: 100 bytes max per file. */
static void write_numbered(struct jsonlog_writer *w, int from, int to)
{
	char line[16];
	struct err e = {0};

	for (int i = from; i <= to; i++) {
		struct timespec ts = {i, 0};
		int n = snprintf(line, sizeof(line), "%02d\n", i);

		jsonlog_write_entry(w, JSONLOG_STDOUT, line, (size_t)n, &ts, &e);
	}
}

static void test_rotation(void)
{
	struct jsonlog_writer w;
	struct err e = {0};
	char got[4096], want[4096], name[600];
	const char *p = at("rot.log");
	struct jsonlog_read_opts o = all;
	int n = 0;
	size_t wl = 0;

	/* One entry is 73 bytes: after two the size passes 140, the third rotates. */
	ok(jsonlog_open(&w, p, 140, 3, &e) == 0, "rotation: open");
	write_numbered(&w, 1, 10);
	is_int(file_count(p), 3, "rotation: max-file 3 keeps path, .1, .2");
	snprintf(name, sizeof(name), "%s.3", p);
	ok(fsize(name) < 0, "rotation: no .3");
	is_int(fsize(p), 2 * 73, "rotation: the live file has 9 and 10");
	read_all(p, &o, got, sizeof(got), NULL);
	is_str(got, "05\n|06\n|07\n|08\n|09\n|10\n", "rotation: read oldest first across files");
	snprintf(name, sizeof(name), "%s.2", p);
	is_int(read_all(name, &o, got, sizeof(got), NULL), 2, "rotation: .2 is the oldest");
	is_str(got, "05\n|06\n", "rotation: .2 holds 5 and 6");

	o.tail = 3;
	read_all(p, &o, got, sizeof(got), NULL);
	is_str(got, "08\n|09\n|10\n", "tail 3: across .1 and the live file");
	o.tail = 2;
	read_all(p, &o, got, sizeof(got), NULL);
	is_str(got, "09\n|10\n", "tail 2: the live file only");
	o.tail = 5;
	read_all(p, &o, got, sizeof(got), NULL);
	is_str(got, "06\n|07\n|08\n|09\n|10\n", "tail 5: into .2");
	o.tail = 100;
	is_int(read_all(p, &o, got, sizeof(got), NULL), 6, "tail 100: everything");
	o.tail = 0;
	is_int(read_all(p, &o, got, sizeof(got), NULL), 0, "tail 0: nothing");

	o.tail = -1;
	o.since_ns = 6000000000LL;
	o.until_ns = 8000000000LL;
	read_all(p, &o, got, sizeof(got), NULL);
	is_str(got, "06\n|07\n|08\n", "since 6s until 8s: both ends included");
	o.tail = 4;
	read_all(p, &o, got, sizeof(got), NULL);
	is_str(got, "07\n|08\n", "tail 4 then since/until, as Docker applies them");
	jsonlog_close(&w);

	/* max-file 1: the file starts over. */
	p = at("one.log");
	jsonlog_open(&w, p, 140, 1, &e);
	write_numbered(&w, 1, 7);
	jsonlog_close(&w);
	is_int(file_count(p), 1, "max-file 1: one file");
	o = all;
	read_all(p, &o, got, sizeof(got), NULL);
	is_str(got, "07\n", "max-file 1: truncated at each rotation");
	(void)want;
	(void)wl;
	(void)n;
}

/* A tail of many lines that spans several read chunks of the reader. */
static void test_tail_big(void)
{
	struct jsonlog_writer w;
	struct jsonlog_reader *r;
	struct jsonlog_entry ent;
	struct err e = {0};
	struct jsonlog_read_opts o = {.tail = 500};
	const char *p = at("big.log");
	int n = 0, first = -1, last = -1;

	jsonlog_open(&w, p, 0, 1, &e);
	write_numbered(&w, 1, 2000);
	jsonlog_close(&w);
	jsonlog_reader_open(p, &o, &r, &e);
	while (jsonlog_reader_next(r, &ent, &e) == 1) {
		if (first < 0)
			first = atoi(ent.log);
		last = atoi(ent.log);
		n++;
	}
	jsonlog_reader_free(r);
	ok(n == 500 && first == 1501 && last == 2000, "tail 500 of 2000: %d entries, %d..%d", n,
	   first, last);
}

static void test_parse(void)
{
	const char *p = at("hand.log");
	const char *text = "{\"log\":\"caf\\u00e9 \\ud83d\\ude00 \\ud800x "
			   "\\/\\b\\f\\t\",\"stream\":\"stdout\","
			   "\"attrs\":{\"a\":[1,{\"b\":\"}\"}],\"c\":null},\"time\":\"2026-12-"
			   "07T22:06:51.5Z\"}\n"
			   "not json\n"
			   "{\"time\":\"2026-12-07T23:06:51.000000001+01:00\",\"stream\":"
			   "\"stderr\",\"log\":\"x\"}\n"
			   "{\"log\":\"no time\"}\n";
	char got[256], streams[8];
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int64_t ns = 0;

	if (write(fd, text, strlen(text)) < 0)
		diag("write: %s", strerror(errno));
	close(fd);
	is_int(read_all(p, &all, got, sizeof(got), streams), 2, "parse: bad lines are skipped");
	is_str(got, "caf\xc3\xa9 \xf0\x9f\x98\x80 \xef\xbf\xbdx /\b\f\t|x",
	       "parse: escapes, pairs, a lone surrogate, attrs skipped");
	is_str(streams, "oe", "parse: streams; keys in any order");
	ok(jsonlog_parse_time("2026-12-07T22:06:51.5Z", 22, &ns) == 0 &&
		   ns == 1796681211500000000LL,
	   "parse_time: .5");
	ok(jsonlog_parse_time("2026-12-07T23:06:51.000000001+01:00", 35, &ns) == 0 &&
		   ns == 1796681211000000001LL,
	   "parse_time: an offset");
	ok(jsonlog_parse_time("yesterday", 9, &ns) < 0, "parse_time: not a time");
	is_int(read_all(at("missing.log"), &all, got, sizeof(got), NULL), 0,
	       "a log not written yet reads as empty");
}

static int next_text(struct jsonlog_reader *r, char *out, size_t size)
{
	struct jsonlog_entry ent;
	struct err e = {0};
	int rc = jsonlog_reader_next(r, &ent, &e);

	out[0] = '\0';
	if (rc == 1)
		snprintf(out, size, "%.*s", (int)ent.len, ent.log);
	return rc;
}

static void test_follow(void)
{
	struct jsonlog_writer w;
	struct jsonlog_reader *r;
	struct err e = {0};
	struct jsonlog_read_opts o = {.tail = 0, .follow = true};
	const char *p = at("follow.log");
	char got[64], all_got[1024] = "";
	int n = 0;

	jsonlog_open(&w, p, 140, 3, &e);
	write_numbered(&w, 1, 1);
	ok(jsonlog_reader_open(p, &o, &r, &e) == 0, "follow: open %s", e.msg);
	ok(jsonlog_reader_fd(r) >= 0, "follow: an fd to poll");
	is_int(next_text(r, got, sizeof(got)), 0, "follow: tail 0 starts at the end");
	is_int(jsonlog_reader_wait(r, 0, &e), 0, "follow: nothing new yet");
	write_numbered(&w, 2, 2);
	is_int(jsonlog_reader_wait(r, 1000, &e), 1, "follow: a write wakes the wait");
	is_int(next_text(r, got, sizeof(got)), 1, "follow: the new entry");
	is_str(got, "02\n", "follow: its text");
	/* 3 rotates; 3..7 go through two rotations while we read. */
	write_numbered(&w, 3, 7);
	for (int i = 0; i < 20 && n < 5; i++) {
		while (next_text(r, got, sizeof(got)) == 1 && n < 10) {
			strcat(all_got, got);
			n++;
		}
		if (n < 5)
			jsonlog_reader_wait(r, 200, &e);
	}
	is_str(all_got, "03\n04\n05\n06\n07\n", "follow: through rotations, nothing lost");
	jsonlog_close(&w);

	/* Truncation (max-file 1) starts the reader over. */
	p = at("trunc.log");
	jsonlog_reader_free(r);
	jsonlog_open(&w, p, 140, 1, &e);
	write_numbered(&w, 1, 2);
	o.tail = -1;
	jsonlog_reader_open(p, &o, &r, &e);
	next_text(r, got, sizeof(got));
	next_text(r, got, sizeof(got));
	is_int(next_text(r, got, sizeof(got)), 0, "truncate: at the end");
	write_numbered(&w, 3, 3);
	jsonlog_reader_wait(r, 1000, &e);
	is_int(next_text(r, got, sizeof(got)), 1, "truncate: the entry after the truncation");
	is_str(got, "03\n", "truncate: read from the new start");
	jsonlog_close(&w);
	jsonlog_reader_free(r);

	/* until ends a follow. */
	o = (struct jsonlog_read_opts){.tail = -1, .until_ns = 1500000000LL, .follow = true};
	unlink(p);
	jsonlog_reader_open(p, &o, &r, &e);
	ok(!jsonlog_reader_done(r), "until: not done before reading");
	jsonlog_open(&w, p, 0, 1, &e);
	write_numbered(&w, 1, 2);
	jsonlog_reader_wait(r, 1000, &e);
	is_int(next_text(r, got, sizeof(got)), 1, "until: a log made after the reader opened");
	is_int(next_text(r, got, sizeof(got)), 0, "until: the entry after until ends it");
	ok(jsonlog_reader_done(r), "until: done");
	jsonlog_close(&w);
	jsonlog_reader_free(r);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_jsonlog.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_format();
	test_utf8();
	test_lines();
	test_binary();
	test_rotation();
	test_tail_big();
	test_parse();
	test_follow();
	if (fork() == 0) {
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
		_exit(1);
	}
	return done_testing();
}
