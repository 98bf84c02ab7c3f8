/* test_err.c - err.c: messages, errno text, wrapping, truncation. */
#include <errno.h>
#include <string.h>

#include "err.h"
#include "tap.h"

static void test_basic(void)
{
	struct err e;

	err_clear(&e);
	is_str(e.msg, "", "err_clear empties the message");
	is_int(err_set(&e, "bad %s %d", "thing", 7), -1, "err_set returns -1");
	is_str(e.msg, "bad thing 7", "err_set formats");
	is_int(e.errnum, 0, "err_set leaves errnum 0");
	is_int(err_sys(&e, ENOENT, "open %s", "/x"), -1, "err_sys returns -1");
	is_str(e.msg, "open /x: No such file or directory", "err_sys appends strerror");
	is_int(e.errnum, ENOENT, "err_sys records errnum");
	is_int(err_wrap(&e, "pull %s", "img"), -1, "err_wrap returns -1");
	is_str(e.msg, "pull img: open /x: No such file or directory", "err_wrap prefixes");
	is_int(e.errnum, ENOENT, "err_wrap keeps errnum");
	err_wrap(&e, "layer: ");
	is_str(e.msg, "layer: pull img: open /x: No such file or directory",
	       "err_wrap does not double a trailing ': '");
	err_clear(&e);
	is_int(e.errnum, 0, "err_clear resets errnum");
	err_wrap(&e, "only");
	is_str(e.msg, "only", "err_wrap on an empty message has no separator");
}

static void test_null_and_errno(void)
{
	struct err e;

	errno = EBUSY;
	is_int(err_set(NULL, "x"), -1, "err_set(NULL) returns -1");
	is_int(err_sys(NULL, EIO, "x"), -1, "err_sys(NULL) returns -1");
	is_int(err_wrap(NULL, "x"), -1, "err_wrap(NULL) returns -1");
	err_clear(NULL);
	err_sys(&e, EIO, "x");
	err_wrap(&e, "y");
	is_int(errno, EBUSY, "errno is preserved across err_*");
}

static void test_overlap(void)
{
	struct err e;

	err_set(&e, "inner");
	err_wrap(&e, "%s again", e.msg);
	is_str(e.msg, "inner again: inner", "err_wrap with e->msg as argument");
	err_set(&e, "%s/%s", e.msg, e.msg);
	is_str(e.msg, "inner again: inner/inner again: inner", "err_set with e->msg as argument");
	err_sys(&e, EPERM, "%s", e.msg);
	is_str(e.msg, "inner again: inner/inner again: inner: Operation not permitted",
	       "err_sys with e->msg as argument");
}

static void test_truncation(void)
{
	struct err e;
	char big[2 * ERR_MSG_MAX];
	size_t len;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&e, "%s", big);
	len = strlen(e.msg);
	is_int(len, ERR_MSG_MAX - 1, "err_set truncates to the buffer");
	is_str(e.msg + len - 3, "...", "truncated message ends in ...");
	err_sys(&e, ENOSPC, "%s", big);
	len = strlen(e.msg);
	ok(len < ERR_MSG_MAX, "err_sys stays NUL-terminated");
	ok(strstr(e.msg, "...: No space left on device") != NULL,
	   "err_sys keeps the cause when the context is too long");
	err_set(&e, "%s", big + ERR_MSG_MAX);
	err_wrap(&e, "%s", big + 10);
	len = strlen(e.msg);
	is_int(len, ERR_MSG_MAX - 1, "err_wrap truncates");
	is_str(e.msg + len - 3, "...", "err_wrap truncation ends in ...");
	err_set(&e, "%s", big + 10);
	err_wrap(&e, "%s", e.msg);
	ok(strlen(e.msg) == ERR_MSG_MAX - 1, "err_wrap overlap with a full message");
}

int main(void)
{
	test_basic();
	test_null_and_errno();
	test_overlap();
	test_truncation();
	return done_testing();
}
