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

static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil). */
static long long days_from_civil(int y, int m, int d)
{
	long long era;
	int yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (int)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int timefmt_parse_rfc3339(const char *s, long long *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	const char *p = s;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' '))
		return -1;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
	    digits(&p, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	       sign * (oh * 3600 + om * 60);
	return 0;
}

/* Docker's units.HumanDuration: what ps prints after "Up" and before "ago". */
char *timefmt_human(int64_t s, char *buf, size_t size)
{
	int64_t m = s / 60, h = m / 60;

	if (s < 1)
		snprintf(buf, size, "Less than a second");
	else if (s == 1)
		snprintf(buf, size, "1 second");
	else if (s < 60)
		snprintf(buf, size, "%lld seconds", (long long)s);
	else if (m == 1)
		snprintf(buf, size, "About a minute");
	else if (m < 60)
		snprintf(buf, size, "%lld minutes", (long long)m);
	else if (h == 1)
		snprintf(buf, size, "About an hour");
	else if (h < 48)
		snprintf(buf, size, "%lld hours", (long long)h);
	else if (h < 24 * 7 * 2)
		snprintf(buf, size, "%lld days", (long long)(h / 24));
	else if (h < 24 * 30 * 2)
		snprintf(buf, size, "%lld weeks", (long long)(h / 24 / 7));
	else if (h < 24 * 365 * 2)
		snprintf(buf, size, "%lld months", (long long)(h / 24 / 30));
	else
		snprintf(buf, size, "%lld years", (long long)(h / 24 / 365));
	return buf;
}
