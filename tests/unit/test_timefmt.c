/* test_timefmt.c - timefmt.c: known instants, fraction widths, truncation. */
#include <string.h>

#include "tap.h"
#include "timefmt.h"

int main(void)
{
	char buf[64];
	struct timespec ts = {1795990975, 676476235}; /* 2026-11-29T22:22:55Z */
	struct timespec epoch = {0, 5};

	timefmt_rfc3339(buf, sizeof(buf), &ts, 9);
	is_str(buf, "2026-11-29T22:22:55.676476235Z", "nanoseconds");
	timefmt_rfc3339(buf, sizeof(buf), &ts, 3);
	is_str(buf, "2026-11-29T22:22:55.676Z", "milliseconds, truncated not rounded");
	is_int((long long)timefmt_rfc3339(buf, sizeof(buf), &ts, 0), 20, "seconds: length");
	is_str(buf, "2026-11-29T22:22:55Z", "whole seconds");
	timefmt_rfc3339(buf, sizeof(buf), &epoch, 9);
	is_str(buf, "1970-01-01T00:00:00.000000005Z", "the epoch, leading zeros kept");
	timefmt_rfc3339(buf, 8, &ts, 9);
	is_int((long long)strlen(buf), 7, "a small buffer is cut and terminated");
	ok(timefmt_now(buf, sizeof(buf), 9) == 30 && buf[29] == 'Z', "now: 30 characters");
	{
		long long t;

		ok(timefmt_parse_rfc3339("2026-11-29T22:22:55.676476235Z", &t) == 0 &&
			   t == 1795990975,
		   "parse: what we write");
		ok(timefmt_parse_rfc3339("1970-01-01T00:00:00Z", &t) == 0 && t == 0,
		   "parse: epoch");
		ok(timefmt_parse_rfc3339("2000-03-01T01:00:00+01:00", &t) == 0 && t == 951868800,
		   "parse: offset east, after a leap day");
		ok(timefmt_parse_rfc3339("1969-12-31T19:00:00-05:00", &t) == 0 && t == 0,
		   "parse: offset west across the epoch");
		ok(timefmt_parse_rfc3339("2016-12-31t23:59:60z", &t) == 0 && t == 1483228800,
		   "parse: lower case t and z, a leap second");
		ok(timefmt_parse_rfc3339("2026-11-29T22:22:55", &t) < 0, "parse: no zone refused");
		ok(timefmt_parse_rfc3339("2026-13-01T00:00:00Z", &t) < 0, "parse: month 13");
		ok(timefmt_parse_rfc3339("2026-11-29T22:22:55Zjunk", &t) < 0,
		   "parse: trailing junk");
		ok(timefmt_parse_rfc3339("2026-11-29T22:22:55.Z", &t) < 0, "parse: empty fraction");
	}
	{
		static const struct {
			int64_t s;
			const char *want;
		} h[] = {
			{0, "Less than a second"}, {1, "1 second"},
			{59, "59 seconds"},        {60, "About a minute"},
			{119, "About a minute"},   {120, "2 minutes"},
			{3600, "About an hour"},   {7200, "2 hours"},
			{47 * 3600, "47 hours"},   {48 * 3600, "2 days"},
			{14 * 86400, "2 weeks"},   {60 * 86400, "2 months"},
			{730 * 86400, "2 years"},
		};
		for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++)
			is_str(timefmt_human(h[i].s, buf, sizeof(buf)), h[i].want,
			       "human: Docker's words for a duration");
	}
	return done_testing();
}
