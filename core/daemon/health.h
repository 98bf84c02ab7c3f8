/* health.h - Docker's healthchecks without the processes: Config.Healthcheck
 * read with dockerd's defaults, the state machine of a probe's results
 * (streaks, start period, the last five results), the capped probe output
 * and State.Health as JSON. The probes themselves run in ctr-health.c. */
#ifndef TUG_DAEMON_HEALTH_H
#define TUG_DAEMON_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#define HEALTH_LOG_MAX 5 /* results kept, as dockerd */
#define HEALTH_OUTPUT_MAX 4096 /* probe output bytes kept; "..." marks more */

/* dockerd's defaults, in ns */
#define HEALTH_DEF_INTERVAL 30000000000LL
#define HEALTH_DEF_TIMEOUT 30000000000LL
#define HEALTH_DEF_START_INTERVAL 5000000000LL
#define HEALTH_DEF_RETRIES 3

enum health_status {
	HEALTH_NONE, /* no healthcheck: ps's health=none */
	HEALTH_STARTING,
	HEALTH_HEALTHY,
	HEALTH_UNHEALTHY,
};

/* A probe's command and timing; cmd is borrowed from the Healthcheck. */
struct health_cfg {
	const cJSON *test; /* ["CMD", ...] or ["CMD-SHELL", "..."] */
	bool shell; /* CMD-SHELL: the rest goes to /bin/sh -c */
	int64_t interval_ns, timeout_ns, start_period_ns, start_interval_ns;
	int retries;
};

struct health_result {
	int64_t start_ns, end_ns;
	int exit_code; /* -1: timed out or could not run */
	char output[HEALTH_OUTPUT_MAX + 4];
};

struct health_state {
	enum health_status status;
	int failing_streak;
	struct health_result log[HEALTH_LOG_MAX]; /* oldest first */
	size_t nlog;
};

/* Output collected up to HEALTH_OUTPUT_MAX bytes; the rest is counted as
 * lost and health_out_str adds "..." for it. */
struct health_out {
	char buf[HEALTH_OUTPUT_MAX + 4];
	size_t len;
	bool truncated;
};

/* 1 with cfg filled when hc (Config.Healthcheck, may be NULL) asks for
 * probes; 0 when it does not (no Test, [], ["NONE"], an unknown type or a
 * type without a command). */
int health_cfg_parse(const cJSON *hc, struct health_cfg *cfg);
/* The probe's argv as exec's Cmd: CMD's arguments, or the shell (shell:
 * Config.Shell, may be NULL: /bin/sh -c) and CMD-SHELL's words. */
cJSON *health_cfg_argv(const struct health_cfg *cfg, const cJSON *shell);

/* The container (re)started: starting, no streak; the log stays. */
void health_reset(struct health_state *h);
/* Add a result (the log keeps the last HEALTH_LOG_MAX); started_ns is the
 * container's start. Failures in the start period while still starting do
 * not count. Returns true when the status changed. */
bool health_record(struct health_state *h, const struct health_result *r,
		   const struct health_cfg *cfg, int64_t started_ns);
/* The wait before the next probe: StartInterval while starting within the
 * start period, Interval otherwise. */
int64_t health_next_ns(const struct health_state *h, const struct health_cfg *cfg,
		       int64_t started_ns, int64_t now_ns);

void health_out_feed(struct health_out *o, const void *buf, size_t len);
/* The text (NUL-terminated in o->buf), with "..." when some was lost. */
const char *health_out_str(struct health_out *o);

const char *health_status_name(enum health_status s);
/* "starting", "healthy", "unhealthy", "none"; -1 for anything else. */
int health_status_parse(const char *s);
/* ps's words: "health: starting", "healthy", "unhealthy". */
const char *health_ps_word(enum health_status s);

/* State.Health: {Status, FailingStreak, Log: [{Start, End, ExitCode,
 * Output}]}; with rfc3339 the times as inspect shows them, else as ns
 * (the record on disk). NULL on allocation failure. */
cJSON *health_to_json(const struct health_state *h, bool rfc3339);
/* Back from the record on disk (times as ns); 0, or -1 when o is not an
 * object. */
int health_from_json(const cJSON *o, struct health_state *h);

/* Go's time.Duration.String: "30s", "1.5s", "500ms", "1m30s", "1h0m0s"
 * (size: 32 bytes hold any). */
void health_go_duration(int64_t ns, char *buf, size_t size);

#endif
