/* test_obs.c - the observation commands' pure pieces against what the
 * docker CLI computes: go-units sizes, stats arithmetic, --since/--until
 * conversion, event lines. */
#include <stdlib.h>
#include <string.h>

#include "core/client/obs.h"
#include "json.h"
#include "tap.h"

static void size_is(double v, int prec, bool bin, const char *want)
{
	char buf[32];

	obs_size(v, prec, bin, buf, sizeof(buf));
	ok(!strcmp(buf, want), "size %.1f (%d, %s) -> %s (got %s)", v, prec,
	   bin ? "binary" : "decimal", want, buf);
}

static cJSON *js(const char *s)
{
	cJSON *v = NULL;
	struct err e = {0};

	if (json_parse(s, strlen(s), &v, &e) < 0)
		diag("bad test JSON: %s", e.msg);
	return v;
}

static void test_sizes(void)
{
	size_is(0, 4, false, "0B");
	size_is(1000, 4, false, "1kB");
	size_is(1234567, 3, false, "1.23MB");
	size_is(1234567, 4, false, "1.235MB");
	size_is(999.9, 3, false, "1e+03B");
	size_is(1536, 4, true, "1.5KiB");
	size_is(104857600, 4, true, "100MiB");
	size_is(2147483648.0, 4, true, "2GiB");
}

static void test_stats(void)
{
	struct obs_stats o;
	cJSON *s = js(
		"{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":2000000000},"
		"\"system_cpu_usage\":20000000000,\"online_cpus\":4},"
		"\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":1000000000},"
		"\"system_cpu_usage\":10000000000},"
		"\"memory_stats\":{\"usage\":100,\"limit\":200,\"stats\":{\"total_inactive_file\":"
		"30}},"
		"\"blkio_stats\":{\"io_service_bytes_recursive\":[{\"op\":\"Read\",\"value\":10},"
		"{\"op\":\"read\",\"value\":5},{\"op\":\"Write\",\"value\":7},{\"op\":\"Total\","
		"\"value\":22}]},\"networks\":{\"eth0\":{\"rx_bytes\":100,\"tx_bytes\":50},"
		"\"eth1\":{\"rx_bytes\":1,\"tx_bytes\":2}},\"pids_stats\":{\"current\":7}}");
	cJSON *m;

	obs_stats_calc(s, &o);
	ok(o.cpu_pct > 39.999 && o.cpu_pct < 40.001, "cpu: delta/system delta * 4 cpus = 40%% (%f)",
	   o.cpu_pct);
	ok(o.mem == 70, "memory v1: usage minus total_inactive_file (%f)", o.mem);
	ok(o.mem_limit == 200 && o.mem_pct == 35, "memory %%: of the limit (%f)", o.mem_pct);
	ok(o.blk_read == 15 && o.blk_write == 7, "block I/O by op, Total ignored (%f/%f)",
	   o.blk_read, o.blk_write);
	ok(o.net_rx == 101 && o.net_tx == 52, "network summed over interfaces");
	ok(o.pids == 7, "pids");
	cJSON_Delete(s);

	s = js("{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":30,\"percpu_usage\":[10,20]},"
	       "\"system_cpu_usage\":200},\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":10},"
	       "\"system_cpu_usage\":100}}");
	ok(obs_cpu_percent(s) == 40, "cpu: no online_cpus, per-CPU counters counted (%f)",
	   obs_cpu_percent(s));
	cJSON_Delete(s);
	s = js("{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":30},\"online_cpus\":1,"
	       "\"system_cpu_usage\":100},\"precpu_stats\":{}}");
	ok(obs_cpu_percent(s) == 30, "cpu: an empty precpu counts from zero");
	cJSON_Delete(s);
	s = js("{\"pids_stats\":{\"current\":1},\"memory_stats\":{\"usage\":4096}}");
	obs_stats_calc(s, &o);
	ok(o.cpu_pct == 0 && o.mem == 4096 && o.mem_pct == 0,
	   "missing fields: 0%% cpu, no limit -> 0%% memory");
	cJSON_Delete(s);

	m = js("{\"usage\":100,\"stats\":{\"inactive_file\":30}}");
	ok(obs_mem_usage(m) == 70, "memory v2: usage minus inactive_file");
	cJSON_Delete(m);
	m = js("{\"usage\":100,\"stats\":{\"inactive_file\":300}}");
	ok(obs_mem_usage(m) == 100, "memory: inactive larger than usage is not subtracted");
	cJSON_Delete(m);
	m = js("{\"usage\":100,\"stats\":{\"total_inactive_file\":100,\"inactive_file\":40}}");
	ok(obs_mem_usage(m) == 60, "memory: v1 figure not below usage falls to v2's");
	cJSON_Delete(m);
}

static void ts_is(const char *v, const char *want)
{
	struct timespec now = {1700000000, 500000000};
	struct err e = {0};
	char out[64] = "";
	int rc = obs_timestamp(v, &now, out, sizeof(out), &e);

	if (want)
		ok(rc == 0 && !strcmp(out, want), "since %s -> %s (got %s %s)", v, want, out,
		   e.msg);
	else
		ok(rc < 0, "since %s is refused (%s)", v, e.msg);
}

static void test_durations(void)
{
	int64_t ns = 0;

	ok(obs_parse_duration("300ms", &ns) == 0 && ns == 300000000, "duration 300ms");
	ok(obs_parse_duration("-1.5s", &ns) == 0 && ns == -1500000000, "duration -1.5s");
	ok(obs_parse_duration("1h2m3s", &ns) == 0 && ns == 3723000000000LL, "duration 1h2m3s");
	ok(obs_parse_duration("2\xc2\xb5s", &ns) == 0 && ns == 2000, "duration 2 micro sign s");
	ok(obs_parse_duration("1", &ns) < 0, "duration without a unit is refused");
	ok(obs_parse_duration("", &ns) < 0, "empty duration is refused");
	ok(obs_parse_duration("1x", &ns) < 0, "unknown unit is refused");
	ok(obs_parse_duration(".s", &ns) < 0, "no digits is refused");
}

static void test_timestamps(void)
{
	setenv("TZ", "UTC0", 1);
	tzset();
	ts_is("10m", "1699999400");
	ts_is("1h30m", "1699994600");
	ts_is("1.5h", "1699994600");
	ts_is("-10m", "1700000600");
	ts_is("2026-01-02", "1767312000.000000000");
	ts_is("2026-01-02T15", "1767366000.000000000");
	ts_is("2026-01-02T15:04", "1767366240.000000000");
	ts_is("2026-01-02T15:04:05", "1767366245.000000000");
	ts_is("2026-01-02T15:04:05Z", "1767366245.000000000");
	ts_is("2026-01-02T15:04:05.5+02:00", "1767359045.500000000");
	ts_is("2026-01-02T15:04+02:00", "1767359040.000000000");
	ts_is("1700000000", "1700000000");
	ts_is("1700000000.123", "1700000000.123");
	ts_is("0", "0");
	ts_is("abc", NULL);
	ts_is("2026-13-01", NULL);
	ts_is("2026-02-30", NULL);
	ts_is("-5", NULL);
	setenv("TZ", "CET-1", 1);
	tzset();
	ts_is("2026-01-02", "1767308400.000000000");
	ts_is("2026-01-02T15:04:05Z", "1767366245.000000000");
}

static void line_is(const char *ev_json, int64_t nano, const char *tz, const char *want)
{
	cJSON *ev = js(ev_json);
	struct tmpl_buf b = {0};

	setenv("TZ", tz, 1);
	tzset();
	obs_event_line(ev, nano, &b);
	ok(b.s && !strcmp(b.s, want), "event line in %s: %.*s", tz, (int)strcspn(want, "\n"), want);
	if (!b.s || strcmp(b.s, want))
		diag("got %s", b.s ? b.s : "(null)");
	free(b.s);
	cJSON_Delete(ev);
}

static void test_events(void)
{
	const char *ev =
		"{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"abc\","
		"\"Attributes\":{\"name\":\"x\",\"image\":\"busybox\"}},\"time\":1700000000}";

	line_is(ev, 0, "UTC0",
		"2023-11-14T22:13:20.000000000Z container start abc (image=busybox, name=x)\n");
	line_is(ev, 1700000000123456789LL, "UTC0",
		"2023-11-14T22:13:20.123456789Z container start abc (image=busybox, name=x)\n");
	line_is(ev, 0, "CET-1",
		"2023-11-14T23:13:20.000000000+01:00 container start abc (image=busybox, "
		"name=x)\n");
	line_is(ev, 0, "<-0330>3:30",
		"2023-11-14T18:43:20.000000000-03:30 container start abc (image=busybox, "
		"name=x)\n");
	line_is("{\"Type\":\"network\",\"Action\":\"create\",\"Actor\":{\"ID\":\"n1\"}}", 0, "UTC0",
		"network create n1\n");
	ok(obs_time_nano_of("{\"Actor\":{\"Attributes\":{\"timeNano\":\"5\"}},\"time\":1700000000,"
			    "\"timeNano\":1700000000123456789}") == 1700000000123456789LL,
	   "timeNano read exactly from the text, a label of that name skipped");
	ok(obs_time_nano_of("{\"time\":1}") == 0, "no timeNano: 0");
	{
		cJSON *e = js("{\"Actor\":{\"ID\":\"x\",\"Attributes\":{\"name\":\"n\","
			      "\"exitCode\":\"0\",\"image\":\"i\"}}}");
		char *s;

		obs_event_sort(e);
		s = cJSON_PrintUnformatted(e);
		ok(s && !strcmp(s, "{\"Actor\":{\"ID\":\"x\",\"Attributes\":{\"exitCode\":\"0\","
				   "\"image\":\"i\",\"name\":\"n\"}}}"),
		   "attributes sorted by key, as Go prints a map");
		free(s);
		cJSON_Delete(e);
	}
}

static void test_filters(void)
{
	const char *v[] = {" Type = container", "event=start", "event=die", "event=start",
			   "label=a=b"};
	const char *bad[] = {"nofilter"};
	struct err e = {0};
	char *out = NULL;

	ok(obs_filters_json(v, 5, "-f, --filter", &out, &e) == 0 && out &&
		   !strcmp(out, "{\"type\":{\"container\":true},\"event\":{\"start\":true,\"die\":"
				"true},\"label\":{\"a=b\":true}}"),
	   "filters: names lowered and trimmed, values as a set (%s)", out ? out : "");
	free(out);
	ok(obs_filters_json(v, 0, "-f", &out, &e) == 0 && !out, "no filters: no JSON");
	ok(obs_filters_json(bad, 1, "--filter", NULL, &e) < 0 &&
		   strstr(e.msg, "for \"--filter\" flag: bad format of filter"),
	   "filter without = refused as docker says it (%s)", e.msg);
}

int main(void)
{
	test_filters();
	test_sizes();
	test_stats();
	test_durations();
	test_timestamps();
	test_events();
	return done_testing();
}
