/* timefmt.h - RFC 3339 timestamps in UTC, as Docker and runc write them,
 * without strftime (which pulls the time zone code into a static binary). */
#ifndef TUG_TIMEFMT_H
#define TUG_TIMEFMT_H

#include <stdint.h>
#include <stddef.h>
#include <time.h>

/* "2026-11-29T22:22:55.676476235Z" with digits fractional digits (0, 3 or
 * 9); returns the length written (out is always NUL-terminated). */
size_t timefmt_rfc3339(char *out, size_t size, const struct timespec *ts, int digits);

/* The same for the current time. */
size_t timefmt_now(char *out, size_t size, int digits);

/* Parse "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)" (a space or 't' for
 * the T, 'z' for Z, as RFC 3339 allows) into seconds since the epoch.
 * Returns 0, or -1 when s is not such a time. */
int timefmt_parse_rfc3339(const char *s, long long *out);

/* A duration of s seconds as Docker words it ("Less than a second",
 * "About a minute", "3 hours", ...); returns buf. */
char *timefmt_human(int64_t s, char *buf, size_t size);

#endif
