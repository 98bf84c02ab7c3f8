/* err.c - fill a caller's struct err. Never allocates and never touches errno
 * as seen by the caller, so it is safe on every failure path. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

/* A cut message ends in "..." so that a reader knows text is missing. */
static void vfmt(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if (n < 0)
		buf[0] = '\0';
	else if ((size_t)n >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
}

/* Every function formats into a local buffer first: the arguments may point
 * into e->msg itself (err_wrap(e, "%s", e->msg)). */
int err_set(struct err *e, const char *fmt, ...)
{
	int saved = errno;
	char msg[ERR_MSG_MAX];
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vfmt(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(e->msg, msg, sizeof(msg));
	e->errnum = 0;
	errno = saved;
	return -1;
}

/* The cause (strerror) is what a user acts on, so when the message is too
 * long the context is cut, never the cause. */
int err_sys(struct err *e, int errnum, const char *fmt, ...)
{
	int saved = errno;
	char msg[ERR_MSG_MAX];
	char cause[128];
	size_t clen;
	va_list ap;

	if (!e)
		return -1;
	snprintf(cause, sizeof(cause), ": %s", strerror(errnum));
	clen = strlen(cause);
	va_start(ap, fmt);
	vfmt(msg, sizeof(msg) - clen, fmt, ap);
	va_end(ap);
	memcpy(msg + strlen(msg), cause, clen + 1);
	memcpy(e->msg, msg, sizeof(msg));
	e->errnum = errnum;
	errno = saved;
	return -1;
}

/* The ": " separator is added unless the prefix already ends in ": ". */
int err_wrap(struct err *e, const char *fmt, ...)
{
	int saved = errno;
	char old[ERR_MSG_MAX];
	char prefix[ERR_MSG_MAX];
	const char *sep = ": ";
	size_t plen;
	va_list ap;
	int n;

	if (!e)
		return -1;
	memcpy(old, e->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	va_start(ap, fmt);
	vfmt(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	plen = strlen(prefix);
	if (!old[0] || (plen >= 2 && strcmp(prefix + plen - 2, ": ") == 0))
		sep = "";
	n = snprintf(e->msg, sizeof(e->msg), "%s%s%s", prefix, sep, old);
	if (n < 0 || (size_t)n >= sizeof(e->msg))
		memcpy(e->msg + sizeof(e->msg) - 4, "...", 4);
	errno = saved;
	return -1;
}

void err_clear(struct err *e)
{
	if (!e)
		return;
	e->errnum = 0;
	e->msg[0] = '\0';
}
