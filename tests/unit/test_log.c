/* test_log.c - log.c: levels, text and JSON lines, escaping, files, parsing. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

static int pipefd[2];
static char got[4 * LOG_MSG_MAX];

/* Read what the log wrote so far (it all fits in the pipe buffer). */
static const char *drain(void)
{
	ssize_t n = read(pipefd[0], got, sizeof(got) - 1);

	got[n > 0 ? n : 0] = '\0';
	return got;
}

/* "2026-01-02T03:04:05.678Z": 24 characters, digits where digits belong. */
static int is_time(const char *s)
{
	const char *pat = "dddd-dd-ddTdd:dd:dd.dddZ";
	size_t i;

	for (i = 0; pat[i]; i++) {
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
			return 0;
	}
	return 1;
}

/* A text line without its time stamp, or NULL when the stamp is wrong. */
static const char *text_rest(const char *line)
{
	return is_time(line) && line[24] == ' ' ? line + 25 : NULL;
}

/* A JSON line with its time value replaced by T, or "" when malformed. */
static const char *json_masked(const char *line)
{
	static char buf[sizeof(got)];
	const char *head = "{\"level\":\"";
	const char *t = strstr(line, "\"time\":\"");

	if (strncmp(line, head, strlen(head)) || !t || !is_time(t + 8))
		return "";
	snprintf(buf, sizeof(buf), "%.*sT%s", (int)(t + 8 - line), line, t + 8 + 24);
	return buf;
}

static void test_text(void)
{
	log_set_fd(pipefd[1]);
	log_set_format(LOG_FORMAT_TEXT);
	log_set_level(LOG_LEVEL_INFO);
	log_info("hello %s %d", "world", 42);
	is_str(text_rest(drain()), "info hello world 42\n", "text line: time level msg");
	log_debug("hidden");
	log_warn("shown\n");
	is_str(text_rest(drain()), "warn shown\n",
	       "debug filtered at info; trailing newline dropped");
	log_error("a\nb\x01"
		  "c\td");
	is_str(text_rest(drain()), "error a\\nb\\u0001c\td\n",
	       "text escapes control characters so a message cannot forge a line");
	ok(log_enabled(LOG_LEVEL_WARN) && !log_enabled(LOG_LEVEL_DEBUG), "log_enabled");
	log_set_level(LOG_LEVEL_DEBUG);
	log_debug("dbg");
	is_str(text_rest(drain()), "debug dbg\n", "debug shown at debug");
	log_set_level(LOG_LEVEL_ERROR);
	log_warn("nope");
	log_error("yes");
	is_str(text_rest(drain()), "error yes\n", "only error at error");
}

static void test_json(void)
{
	log_set_format(LOG_FORMAT_JSON);
	log_set_level(LOG_LEVEL_INFO);
	log_info("plain");
	is_str(json_masked(drain()), "{\"level\":\"info\",\"time\":\"T\",\"msg\":\"plain\"}\n",
	       "json line");
	log_warn("q\"b\\n\nr\rt\t\x01\x1f\x7f");
	is_str(json_masked(drain()),
	       "{\"level\":\"warn\",\"time\":\"T\",\"msg\":"
	       "\"q\\\"b\\\\n\\nr\\rt\\t\\u0001\\u001f\x7f\"}\n",
	       "json escapes quotes, backslashes and control characters");
	log_info("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3");
	is_str(json_masked(drain()),
	       "{\"level\":\"info\",\"time\":\"T\",\"msg\":"
	       "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3\"}\n",
	       "json keeps valid UTF-8");
	log_info("bad \xff \xc0\xaf \xed\xa0\x80 \xe2\x82");
	is_str(json_masked(drain()),
	       "{\"level\":\"info\",\"time\":\"T\",\"msg\":\"bad \\ufffd \\ufffd\\ufffd "
	       "\\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\"}\n",
	       "json replaces invalid UTF-8 (stray, overlong, surrogate, cut)");
}

static void test_long(void)
{
	char *big = malloc(3 * LOG_MSG_MAX);
	const char *line;
	size_t len;

	memset(big, '"', 3 * LOG_MSG_MAX - 1);
	big[3 * LOG_MSG_MAX - 1] = '\0';
	log_info("%s", big);
	line = drain();
	len = strlen(line);
	ok(len > LOG_MSG_MAX && len < 2 * LOG_MSG_MAX, "a long message is cut (%zu bytes)", len);
	ok(len > 8 && strcmp(line + len - 6, "...\"}\n") == 0 && line[len - 7] == '"' &&
		   line[len - 8] == '\\',
	   "cut JSON line still ends in ...\"} after a whole escape");
	free(big);
}

static void test_file(const char *dir)
{
	char path[8192], buf[256];
	struct err e;
	int fd, saved;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/log", dir);
	is_int(log_open_file(path, &e), 0, "log_open_file");
	log_set_format(LOG_FORMAT_TEXT);
	log_info("one");
	log_info("two");
	log_close();
	saved = dup(2);
	dup2(pipefd[1], 2);
	log_info("to stderr");
	dup2(saved, 2);
	close(saved);
	is_str(text_rest(drain()), "info to stderr\n", "after log_close lines go to stderr");
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	ok(n == 2 * 34 && is_time(buf) && strcmp(buf + 24, " info one\n") > 0 &&
		   strncmp(buf + 24, " info one\n", 10) == 0 &&
		   strcmp(buf + 34 + 24, " info two\n") == 0,
	   "two lines appended to the file");
	unlink(path);
	snprintf(path, sizeof(path), "%s/no/such/dir/log", dir);
	is_int(log_open_file(path, &e), -1, "log_open_file fails on a missing folder");
	is_int(e.errnum, ENOENT, "... with ENOENT");
}

static void test_parse(void)
{
	enum log_level lv = LOG_LEVEL_ERROR;
	enum log_format f = LOG_FORMAT_TEXT;
	struct err e;

	ok(log_level_parse("debug", &lv, &e) == 0 && lv == LOG_LEVEL_DEBUG, "parse debug");
	ok(log_level_parse("INFO", &lv, &e) == 0 && lv == LOG_LEVEL_INFO, "parse INFO");
	ok(log_level_parse("warning", &lv, &e) == 0 && lv == LOG_LEVEL_WARN, "parse warning");
	ok(log_level_parse("error", &lv, &e) == 0 && lv == LOG_LEVEL_ERROR, "parse error");
	is_int(log_level_parse("loud", &lv, &e), -1, "unknown level fails");
	is_str(e.msg, "invalid log level \"loud\": expected debug, info, warn or error",
	       "... with a message");
	ok(log_format_parse("json", &f, &e) == 0 && f == LOG_FORMAT_JSON, "parse json");
	is_int(log_format_parse("xml", &f, &e), -1, "unknown format fails");
	is_str(log_level_name(LOG_LEVEL_WARN), "warn", "level name");
	is_str(log_level_name((enum log_level)9), "unknown", "bad level name");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char tdir[4096];

	snprintf(tdir, sizeof(tdir), "%s/tug-test-log-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tdir) || pipe(pipefd) < 0) {
		printf("Bail out! cannot make a temp dir or pipe\n");
		return 1;
	}
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	test_text();
	test_json();
	test_long();
	log_set_fd(-1);
	test_file(tdir);
	test_parse();
	rmdir(tdir);
	return done_testing();
}
