/* timefmt.c - UTC timestamps by hand: gmtime_r needs no time zone data. */
#include <stdio.h>

#include "timefmt.h"

size_t timefmt_rfc3339(char *out, size_t size, const struct timespec *ts, int digits)
{
	struct tm tm;
	long frac = ts->tv_nsec % 1000000000L;
	int n;

	if (!gmtime_r(&ts->tv_sec, &tm))
		tm = (struct tm){.tm_mday = 1, .tm_year = 70};
	for (int d = 9; d > digits; d--)
		frac /= 10;
	n = snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d%s%0*ldZ", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     digits > 0 ? "." : "", digits > 0 ? digits : 0, digits > 0 ? frac : 0L);
	if (digits <= 0 && n > 0 && (size_t)n < size) {
		/* "%0*ld" with width 0 printed a "0": drop it, keep the Z. */
		out[n - 2] = 'Z';
		out[n - 1] = '\0';
		n--;
	}
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size ? size - 1 : 0;
}

size_t timefmt_now(char *out, size_t size, int digits)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return timefmt_rfc3339(out, size, &ts, digits);
}
