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
	return done_testing();
}
