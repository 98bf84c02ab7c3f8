/* timefmt.h - RFC 3339 timestamps in UTC, as Docker and runc write them,
 * without strftime (which pulls the time zone code into a static binary). */
#ifndef TUG_TIMEFMT_H
#define TUG_TIMEFMT_H

#include <stddef.h>
#include <time.h>

/* "2026-11-29T22:22:55.676476235Z" with digits fractional digits (0, 3 or
 * 9); returns the length written (out is always NUL-terminated). */
size_t timefmt_rfc3339(char *out, size_t size, const struct timespec *ts, int digits);

/* The same for the current time. */
size_t timefmt_now(char *out, size_t size, int digits);

#endif
