/* tap.h - the few TAP helpers the unit tests share: one "ok N - name" line per
 * check, the plan printed at the end, the exit status says if any failed. */
#ifndef TUG_TAP_H
#define TUG_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;
static int tap_planned = -1;

/* Optional: announce the count first; otherwise done_testing prints the plan
 * last, which TAP allows too. */
__attribute__((unused)) static void plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

static void tap_vresult(int pass, const char *fmt, va_list ap)
{
	tap_count++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

__attribute__((format(printf, 2, 3), unused)) static int ok(int pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(pass, fmt, ap);
	va_end(ap);
	return pass;
}

/* Diagnostics go to stdout as "#" lines so that prove shows them in order. */
__attribute__((format(printf, 1, 2), unused)) static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

__attribute__((format(printf, 3, 4), unused)) static int is_int(long long got, long long want,
								const char *fmt, ...)
{
	va_list ap;
	int pass = got == want;

	va_start(ap, fmt);
	tap_vresult(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("got %lld, want %lld", got, want);
	return pass;
}

__attribute__((format(printf, 3, 4), unused)) static int is_str(const char *got, const char *want,
								const char *fmt, ...)
{
	va_list ap;
	int pass = got && want ? strcmp(got, want) == 0 : got == want;

	va_start(ap, fmt);
	tap_vresult(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("got \"%s\", want \"%s\"", got ? got : "(null)", want ? want : "(null)");
	return pass;
}

/* A check that cannot run here (no kernel feature): counts as passed. */
__attribute__((format(printf, 1, 2), unused)) static void skip(const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("ok %d # SKIP ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Prints the plan and returns the exit status for main. */
__attribute__((unused)) static int done_testing(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_count);
	else if (tap_planned != tap_count)
		return diag("planned %d tests, ran %d", tap_planned, tap_count), 1;
	if (tap_failed)
		diag("failed %d of %d", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

#endif
