/* err.h - one error convention for all library code: a function that can fail
 * returns -1 and fills a caller-provided struct err with one line of context. */
#ifndef TUG_ERR_H
#define TUG_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX 512

struct err {
	int errnum; /* errno of the cause, 0 when not a system error */
	char msg[ERR_MSG_MAX]; /* "what failed: on which object: cause" */
};

/* Fill e (may be NULL) with a formatted message; returns -1. */
int err_set(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like err_set, appends ": strerror(errnum)" and records errnum; returns -1. */
int err_sys(struct err *e, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prefix the message already in e with more context ("pull x: " + old);
 * keeps errnum; returns -1. */
int err_wrap(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reset e to "no error". */
void err_clear(struct err *e);

#endif
