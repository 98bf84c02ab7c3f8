/* obs.h - the arithmetic and text of the observation commands (stats,
 * events, system df), kept pure so that unit tests reach them: go-units'
 * sizes, the docker CLI's CPU and memory figures, its --since/--until
 * conversion and its event lines. */
#ifndef TUG_CLIENT_OBS_H
#define TUG_CLIENT_OBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cJSON.h>

#include "core/client/tmpl.h"
#include "err.h"

/* go-units' CustomSize: v divided by 1000 (kB, MB...) or 1024 (KiB,
 * MiB...) while it can, printed with %.<prec>g. docker's HumanSize is
 * (4, false), HumanSizeWithPrecision(v, 3) is (3, false), BytesSize is
 * (4, true). Returns buf. */
char *obs_size(double v, int prec, bool binary, char *buf, size_t size);

/* --filter (named flag in the message) name=value flags as the docker CLI sends them: names lowered, both
 * trimmed, {"name":{"value":true}}. *out (malloc'd) is NULL when there
 * are none (out NULL: only checked); -1 with docker's message for a flag
 * without "=". */
int obs_filters_json(const char *const *v, size_t n, const char *flag, char **out, struct err *e);

/* One stats sample (GET /containers/{id}/stats) as the docker CLI
 * computes it for Linux daemons. Absent fields count as 0. */
struct obs_stats {
	double cpu_pct; /* (cpu delta / system delta) * online cpus * 100 */
	double mem; /* usage minus inactive file pages (cgroup v1 or v2) */
	double mem_limit, mem_pct;
	double net_rx, net_tx; /* summed over the interfaces */
	double blk_read, blk_write; /* io_service_bytes_recursive by op */
	uint64_t pids;
};
void obs_stats_calc(const cJSON *sample, struct obs_stats *o);
double obs_cpu_percent(const cJSON *sample);
double obs_mem_usage(const cJSON *memory_stats);

/* The docker CLI's --since/--until value to what it sends: a Go duration
 * ("10m", "1h30m") is now minus it in unix seconds; a date ("2026-01-02",
 * "...T15:04", RFC 3339 with or without zone; without one, in the zone
 * offset local at now) becomes "sec.nanosec"; a unix timestamp ("123",
 * "123.45") is passed as is. Returns 0 or -1 (e filled). */
int obs_timestamp(const char *value, const struct timespec *now, char *out, size_t size,
		  struct err *e);

/* A Go duration ("1h30m", "-1.5s", "300ms") into nanoseconds; -1 when
 * s is not one. */
int obs_parse_duration(const char *s, int64_t *ns);

/* The docker CLI's line for one event (prettyPrintEvent), with its
 * newline: "2026-12-08T01:02:03.000000000+01:00 container start ID
 * (k=v, ...)", the time local, the attributes sorted by key. */
int obs_event_line(const cJSON *ev, int64_t time_nano, struct tmpl_buf *out);
/* The exact timeNano of an event's raw JSON text (0 when absent): cJSON's
 * doubles cannot hold nanoseconds since 1970. obs_event_line takes it (0:
 * the event's "time" in seconds is used). */
int64_t obs_time_nano_of(const char *raw);
/* Actor.Attributes in key order, as Go prints a map (JSON and templates). */
void obs_event_sort(cJSON *ev);
/* Local time as Go's RFC3339NanoFixed ("...05.000000001Z" or "+01:00"). */
char *obs_time_nano(int64_t sec, long nsec, char *buf, size_t size);

#endif
