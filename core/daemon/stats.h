/* stats.h - GET /containers/{id}/stats: one sample of a container (its
 * cgroup's counters, the host's CPU time, its network devices) and the
 * Engine API object dockerd makes of it. Library code (unit-tested from
 * recorded /proc and cgroup texts); api-stats.c serves it. */
#ifndef TUG_DAEMON_STATS_H
#define TUG_DAEMON_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <cJSON.h>

#include "err.h"
#include "oci/cgroup.h"

#define DSTATS_MAX_NET 8

struct dstats_net {
	char name[16];
	uint64_t rx_bytes, rx_packets, rx_errors, rx_dropped;
	uint64_t tx_bytes, tx_packets, tx_errors, tx_dropped;
};

struct dstats_sample {
	int64_t read_ns; /* when it was taken (CLOCK_REALTIME) */
	struct oci_cgroup_stats cg;
	uint64_t system_ns; /* the host's CPU time (/proc/stat "cpu"), ns */
	unsigned online_cpus;
	uint64_t mem_total; /* the host's memory: the limit of a cgroup without one */
	struct dstats_net net[DSTATS_MAX_NET]; /* the interfaces but lo */
	size_t nnet;
};

/* /proc/stat: dockerd's system_cpu_usage (user..softirq of the "cpu" line,
 * in ns at hz ticks a second) and the number of "cpuN" lines. -1 when the
 * text has no cpu line. */
int dstats_parse_proc_stat(const char *text, long hz, uint64_t *system_ns, unsigned *ncpu);
/* /proc/<pid>/net/dev: every interface but lo into s->net. */
void dstats_parse_net_dev(const char *text, struct dstats_sample *s);
/* /proc/meminfo: MemTotal in bytes, 0 when absent. */
uint64_t dstats_parse_meminfo(const char *text);

/* The stats object as dockerd sends it. cur NULL: the zeros dockerd sends
 * for a container that does not run; prev NULL: empty precpu_stats (the
 * first sample of a stream, one-shot). name without its '/'. The caller
 * frees the result (cJSON_Delete); NULL when out of memory. */
cJSON *dstats_json(const struct dstats_sample *cur, const struct dstats_sample *prev,
		   const char *name, const char *id);

/* Take a sample now: the container id's cgroup through the runtime state
 * under runtime_root, the host's /proc/stat and /proc/meminfo, the network
 * devices seen by pid (the container's init; 0: none). */
int dstats_take(const char *runtime_root, const char *id, pid_t pid, struct dstats_sample *s,
		struct err *e);

#endif
