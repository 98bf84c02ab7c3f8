/* test_health.c - the healthcheck's state machine (streaks, start period,
 * retries), the log of five, output capping, Go durations and State.Health
 * JSON, against what dockerd's daemon/health.go does. */
#include <stdio.h>
#include <string.h>

#include "core/daemon/health.h"
#include "json.h"
#include "tap.h"

#define S 1000000000LL

static cJSON *J(const char *s)
{
	return cJSON_Parse(s);
}

static struct health_result R(int64_t start, int code) {
	struct health_result r = {.start_ns = start, .end_ns = start + 1, .exit_code = code};

	snprintf(r.output, sizeof(r.output), "run at %lld", (long long)(start / S));
	return r;
}

static void
cfg_tests(void)
{
	struct health_cfg c;
	cJSON *hc, *argv, *shell;
	char *txt;

	ok(health_cfg_parse(NULL, &c) == 0, "no Healthcheck: no probe");
	hc = J("{\"Test\":[\"NONE\"]}");
	ok(health_cfg_parse(hc, &c) == 0, "NONE: no probe");
	cJSON_Delete(hc);
	hc = J("{\"Test\":[]}");
	ok(health_cfg_parse(hc, &c) == 0, "empty Test: no probe");
	cJSON_Delete(hc);
	hc = J("{\"Test\":[\"WHAT\",\"x\"]}");
	ok(health_cfg_parse(hc, &c) == 0, "unknown type: no probe");
	cJSON_Delete(hc);

	hc = J("{\"Test\":[\"CMD-SHELL\",\"echo hi\"],\"Interval\":0,\"Retries\":0}");
	ok(health_cfg_parse(hc, &c) == 1 && c.shell, "CMD-SHELL: a shell probe");
	ok(c.interval_ns == 30 * S && c.timeout_ns == 30 * S && c.start_period_ns == 0 &&
		   c.start_interval_ns == 5 * S && c.retries == 3,
	   "zeros are dockerd's defaults (30s, 30s, 0, 5s, 3)");
	argv = health_cfg_argv(&c, NULL);
	txt = cJSON_PrintUnformatted(argv);
	is_str(txt, "[\"/bin/sh\",\"-c\",\"echo hi\"]", "CMD-SHELL runs /bin/sh -c");
	cJSON_free(txt);
	cJSON_Delete(argv);
	shell = J("[\"/bin/ash\",\"-ec\"]");
	argv = health_cfg_argv(&c, shell);
	txt = cJSON_PrintUnformatted(argv);
	is_str(txt, "[\"/bin/ash\",\"-ec\",\"echo hi\"]", "Config.Shell replaces /bin/sh -c");
	cJSON_free(txt);
	cJSON_Delete(argv);
	cJSON_Delete(shell);
	cJSON_Delete(hc);

	hc = J("{\"Test\":[\"CMD\",\"true\",\"a b\"],\"Interval\":1000000000,"
	       "\"Timeout\":2000000000,\"StartPeriod\":3000000000,\"StartInterval\":"
	       "4000000000,\"Retries\":7}");
	ok(health_cfg_parse(hc, &c) == 1 && !c.shell, "CMD: a direct probe");
	ok(c.interval_ns == S && c.timeout_ns == 2 * S && c.start_period_ns == 3 * S &&
		   c.start_interval_ns == 4 * S && c.retries == 7,
	   "the given times and retries");
	argv = health_cfg_argv(&c, NULL);
	txt = cJSON_PrintUnformatted(argv);
	is_str(txt, "[\"true\",\"a b\"]", "CMD's words as they are");
	cJSON_free(txt);
	cJSON_Delete(argv);
	cJSON_Delete(hc);
}

static void machine_tests(void)
{
	struct health_cfg c = {.interval_ns = 10 * S,
			       .timeout_ns = S,
			       .start_period_ns = 0,
			       .start_interval_ns = 2 * S,
			       .retries = 2};
	struct health_state h = {0};
	struct health_result r;
	int64_t t0 = 1000 * S;

	health_reset(&h);
	ok(h.status == HEALTH_STARTING && !h.failing_streak, "reset: starting");
	r = R(t0 + S, 1);
	ok(!health_record(&h, &r, &c, t0) && h.failing_streak == 1 && h.status == HEALTH_STARTING,
	   "one failure of two retries: still starting");
	r = R(t0 + 2 * S, 1);
	ok(health_record(&h, &r, &c, t0) && h.status == HEALTH_UNHEALTHY && h.failing_streak == 2,
	   "retries failures: unhealthy, changed");
	r = R(t0 + 3 * S, 0);
	ok(health_record(&h, &r, &c, t0) && h.status == HEALTH_HEALTHY && !h.failing_streak,
	   "a success: healthy, streak 0");
	r = R(t0 + 4 * S, 0);
	ok(!health_record(&h, &r, &c, t0), "healthy again: no change");
	r = R(t0 + 5 * S, -1);
	ok(!health_record(&h, &r, &c, t0) && h.status == HEALTH_HEALTHY && h.failing_streak == 1,
	   "a timeout counts as a failure, healthy stays below retries");
	ok(h.nlog == 5, "the log holds five");
	r = R(t0 + 6 * S, 0);
	health_record(&h, &r, &c, t0);
	ok(h.nlog == 5 && h.log[0].start_ns == t0 + 2 * S && h.log[4].start_ns == t0 + 6 * S,
	   "the oldest goes first");

	/* the start period */
	c.start_period_ns = 5 * S;
	memset(&h, 0, sizeof(h));
	health_reset(&h);
	for (int i = 1; i <= 4; i++) {
		r = R(t0 + i * S, 1);
		health_record(&h, &r, &c, t0);
	}
	ok(h.status == HEALTH_STARTING && h.failing_streak == 0 && h.nlog == 4,
	   "failures in the start period do not count (but are logged)");
	ok(health_next_ns(&h, &c, t0, t0 + 4 * S) == 2 * S,
	   "starting in the start period: StartInterval");
	r = R(t0 + 6 * S, 1);
	health_record(&h, &r, &c, t0);
	ok(h.failing_streak == 1, "after the start period they count");
	ok(health_next_ns(&h, &c, t0, t0 + 6 * S) == 10 * S, "after it: Interval");
	memset(&h, 0, sizeof(h));
	health_reset(&h);
	r = R(t0 + S, 0);
	health_record(&h, &r, &c, t0);
	ok(health_next_ns(&h, &c, t0, t0 + 2 * S) == 10 * S,
	   "healthy in the start period: Interval");
	r = R(t0 + 2 * S, 1);
	health_record(&h, &r, &c, t0);
	ok(h.failing_streak == 1, "once healthy, failures in the start period count");
}

static void output_tests(void)
{
	static struct health_out o;
	char big[5000];

	memset(&o, 0, sizeof(o));
	health_out_feed(&o, "abc", 3);
	is_str(health_out_str(&o), "abc", "short output kept");
	memset(big, 'x', sizeof(big));
	memset(&o, 0, sizeof(o));
	health_out_feed(&o, big, 4000);
	health_out_feed(&o, big, 96);
	ok(o.len == 4096 && !o.truncated && strlen(health_out_str(&o)) == 4096,
	   "exactly 4096: no dots");
	health_out_feed(&o, "y", 1);
	ok(o.truncated && strlen(health_out_str(&o)) == 4099 &&
		   !strcmp(health_out_str(&o) + 4096, "..."),
	   "more than 4096: cut, \"...\" added");
	memset(&o, 0, sizeof(o));
	health_out_feed(&o, big, sizeof(big));
	ok(o.len == 4096 && o.truncated, "one large piece is cut too");
}

static void duration_tests(void)
{
	static const struct {
		int64_t ns;
		const char *s;
	} v[] = {{0, "0s"},
		 {1, "1ns"},
		 {1500, "1.5µs"},
		 {500000000, "500ms"},
		 {S, "1s"},
		 {1500000000, "1.5s"},
		 {30 * S, "30s"},
		 {60 * S, "1m0s"},
		 {90 * S, "1m30s"},
		 {3600 * S, "1h0m0s"},
		 {3723 * S + 5, "1h2m3.000000005s"}};
	char buf[48];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		health_go_duration(v[i].ns, buf, sizeof(buf));
		is_str(buf, v[i].s, "Go duration %lld", (long long)v[i].ns);
	}
}

static void json_tests(void)
{
	static struct health_state h, back;
	struct health_result r = R(1700000000 * S + 5, 1);
	cJSON *j, *e;
	char *txt;

	h.status = HEALTH_UNHEALTHY;
	h.failing_streak = 3;
	h.log[h.nlog++] = r;
	j = health_to_json(&h, true);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "Log"), 0);
	is_str(cJSON_GetObjectItem(j, "Status")->valuestring, "unhealthy", "Status");
	is_str(cJSON_GetObjectItem(e, "Start")->valuestring, "2023-11-14T22:13:20.000000005Z",
	       "Start in RFC 3339 with ns");
	ok(cJSON_GetObjectItem(e, "ExitCode")->valueint == 1, "ExitCode");
	cJSON_Delete(j);
	j = health_to_json(&h, false);
	txt = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	j = cJSON_Parse(txt);
	ok(health_from_json(j, &back) == 0 && back.status == HEALTH_UNHEALTHY &&
		   back.failing_streak == 3 && back.nlog == 1 &&
		   back.log[0].start_ns / 1000 == r.start_ns / 1000 &&
		   !strcmp(back.log[0].output, r.output),
	   "the record on disk reads back (ns as doubles: to the µs)");
	cJSON_Delete(j);
	cJSON_free(txt);
	ok(health_from_json(NULL, &back) < 0, "no record: -1");
	ok(health_status_parse("healthy") == HEALTH_HEALTHY && health_status_parse("none") == 0 &&
		   health_status_parse("sick") < 0,
	   "status words (ps's filter)");
	is_str(health_ps_word(HEALTH_STARTING), "health: starting", "ps: health: starting");
	is_str(health_ps_word(HEALTH_HEALTHY), "healthy", "ps: healthy");
}

int main(void)
{
	cfg_tests();
	machine_tests();
	output_tests();
	duration_tests();
	json_tests();
	return done_testing();
}
