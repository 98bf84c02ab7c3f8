/* stats-json.c - a container's sample as the Engine API's stats object, in
 * dockerd's shape for cgroup v1 and v2 (the docker CLI reads cpu_stats,
 * precpu_stats, memory_stats with its inactive_file entries, blkio_stats,
 * pids_stats and networks to print `docker stats`). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/daemon/stats.h"
#include "json.h"
#include "timefmt.h"

/* The memory.stat entries dockerd reports, in the order Go prints a map
 * (sorted); absent ones read 0, as in dockerd. */
static const char *const v1_keys[] = {
	"active_anon",
	"active_file",
	"cache",
	"dirty",
	"hierarchical_memory_limit",
	"hierarchical_memsw_limit",
	"inactive_anon",
	"inactive_file",
	"mapped_file",
	"pgfault",
	"pgmajfault",
	"pgpgin",
	"pgpgout",
	"rss",
	"rss_huge",
	"total_active_anon",
	"total_active_file",
	"total_cache",
	"total_dirty",
	"total_inactive_anon",
	"total_inactive_file",
	"total_mapped_file",
	"total_pgfault",
	"total_pgmajfault",
	"total_pgpgin",
	"total_pgpgout",
	"total_rss",
	"total_rss_huge",
	"total_unevictable",
	"total_writeback",
	"unevictable",
	"writeback",
	NULL,
};

static const char *const v2_keys[] = {
	"active_anon",
	"active_file",
	"anon",
	"anon_thp",
	"file",
	"file_dirty",
	"file_mapped",
	"file_writeback",
	"inactive_anon",
	"inactive_file",
	"kernel_stack",
	"pgactivate",
	"pgdeactivate",
	"pgfault",
	"pglazyfree",
	"pglazyfreed",
	"pgmajfault",
	"pgrefill",
	"pgscan",
	"pgsteal",
	"shmem",
	"slab",
	"slab_reclaimable",
	"slab_unreclaimable",
	"sock",
	"thp_collapse_alloc",
	"thp_fault_alloc",
	"unevictable",
	"workingset_activate",
	"workingset_nodereclaim",
	"workingset_refault",
	NULL,
};

static void add_time(cJSON *o, const char *key, int64_t ns)
{
	char t[48] = "0001-01-01T00:00:00Z";

	if (ns > 0) {
		struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
		timefmt_rfc3339(t, sizeof(t), &ts, 9);
	}
	cJSON_AddStringToObject(o, key, t);
}

static void add_nz(cJSON *o, const char *key, uint64_t v)
{
	if (v)
		json_add_u64(o, key, v);
}

/* cpu_stats / precpu_stats; s NULL: the zero object. */
static void cpu_json(cJSON *parent, const char *key, const struct dstats_sample *s)
{
	cJSON *c = cJSON_AddObjectToObject(parent, key), *u, *t;
	bool have = s && (s->cg.have & OCI_CG_BIT(OCI_CG_CPU));

	u = cJSON_AddObjectToObject(c, "cpu_usage");
	json_add_u64(u, "total_usage", have ? s->cg.cpu.total : 0);
	if (have && s->cg.cpu.ncpu) {
		cJSON *a = cJSON_AddArrayToObject(u, "percpu_usage");
		for (size_t i = 0; i < s->cg.cpu.ncpu; i++) {
			char n[24];
			snprintf(n, sizeof(n), "%llu", (unsigned long long)s->cg.cpu.percpu[i]);
			cJSON_AddItemToArray(a, cJSON_CreateRaw(n));
		}
	}
	json_add_u64(u, "usage_in_kernelmode", have ? s->cg.cpu.system : 0);
	json_add_u64(u, "usage_in_usermode", have ? s->cg.cpu.user : 0);
	if (s) {
		add_nz(c, "system_cpu_usage", s->system_ns);
		add_nz(c, "online_cpus", s->online_cpus);
	}
	t = cJSON_AddObjectToObject(c, "throttling_data");
	json_add_u64(t, "periods", s ? s->cg.cpu.periods : 0);
	json_add_u64(t, "throttled_periods", s ? s->cg.cpu.throttled_periods : 0);
	json_add_u64(t, "throttled_time", s ? s->cg.cpu.throttled_time : 0);
}

static void memory_json(cJSON *parent, const struct dstats_sample *s)
{
	cJSON *m = cJSON_AddObjectToObject(parent, "memory_stats"), *st;
	bool v2;
	uint64_t limit;

	if (!s || !(s->cg.have & OCI_CG_BIT(OCI_CG_MEMORY)))
		return;
	v2 = s->cg.from_v2 & OCI_CG_BIT(OCI_CG_MEMORY);
	add_nz(m, "usage", s->cg.memory.usage);
	if (!v2) /* cgroup2 has no peak before Linux 5.19; dockerd leaves it out */
		add_nz(m, "max_usage", s->cg.memory.max_usage);
	st = cJSON_AddObjectToObject(m, "stats");
	for (const char *const *k = v2 ? v2_keys : v1_keys; *k; k++)
		json_add_u64(st, *k, oci_cgroup_memstat(&s->cg, *k));
	/* v2: dockerd counts the OOM events as failures */
	add_nz(m, "failcnt", v2 ? s->cg.memory.oom : s->cg.memory.failcnt);
	limit = s->cg.memory.limit;
	if (s->mem_total && limit > s->mem_total)
		limit = s->mem_total;
	add_nz(m, "limit", limit);
}

static void blkio_list(cJSON *b, const char *key, const struct dstats_sample *s, bool bytes,
		       bool v2)
{
	cJSON *a;

	if (!s || !(s->cg.have & OCI_CG_BIT(OCI_CG_IO)) || (v2 && !bytes) || (v2 && !s->cg.io.n)) {
		cJSON_AddNullToObject(b, key);
		return;
	}
	a = cJSON_AddArrayToObject(b, key);
	for (size_t i = 0; i < s->cg.io.n; i++) {
		const char *ops[2] = {v2 ? "read" : "Read", v2 ? "write" : "Write"};
		uint64_t v[2] = {bytes ? s->cg.io.dev[i].rbytes : s->cg.io.dev[i].rios,
				 bytes ? s->cg.io.dev[i].wbytes : s->cg.io.dev[i].wios};
		for (int k = 0; k < 2; k++) {
			cJSON *o = cJSON_CreateObject();
			json_add_u64(o, "major", s->cg.io.dev[i].major);
			json_add_u64(o, "minor", s->cg.io.dev[i].minor);
			cJSON_AddStringToObject(o, "op", ops[k]);
			json_add_u64(o, "value", v[k]);
			cJSON_AddItemToArray(a, o);
		}
	}
}

/* v1: what blkio.throttle.* has (Read and Write per device), the other
 * lists empty; v2 (io.stat): service bytes only, the others null. */
static void blkio_json(cJSON *parent, const struct dstats_sample *s)
{
	static const char *const rest[] = {"io_queue_recursive",     "io_service_time_recursive",
					   "io_wait_time_recursive", "io_merged_recursive",
					   "io_time_recursive",      "sectors_recursive"};
	cJSON *b = cJSON_AddObjectToObject(parent, "blkio_stats");
	bool have = s && (s->cg.have & OCI_CG_BIT(OCI_CG_IO));
	bool v2 = have && (s->cg.from_v2 & OCI_CG_BIT(OCI_CG_IO));

	blkio_list(b, "io_service_bytes_recursive", s, true, v2);
	blkio_list(b, "io_serviced_recursive", s, false, v2);
	for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++) {
		if (have && !v2)
			cJSON_AddArrayToObject(b, rest[i]);
		else
			cJSON_AddNullToObject(b, rest[i]);
	}
}

static void net_json(cJSON *parent, const struct dstats_sample *s)
{
	cJSON *n;

	if (!s || !s->nnet)
		return;
	n = cJSON_AddObjectToObject(parent, "networks");
	for (size_t i = 0; i < s->nnet; i++) {
		const struct dstats_net *d = &s->net[i];
		cJSON *o = cJSON_AddObjectToObject(n, d->name);
		json_add_u64(o, "rx_bytes", d->rx_bytes);
		json_add_u64(o, "rx_packets", d->rx_packets);
		json_add_u64(o, "rx_errors", d->rx_errors);
		json_add_u64(o, "rx_dropped", d->rx_dropped);
		json_add_u64(o, "tx_bytes", d->tx_bytes);
		json_add_u64(o, "tx_packets", d->tx_packets);
		json_add_u64(o, "tx_errors", d->tx_errors);
		json_add_u64(o, "tx_dropped", d->tx_dropped);
	}
}

cJSON *dstats_json(const struct dstats_sample *cur, const struct dstats_sample *prev,
		   const char *name, const char *id)
{
	cJSON *o = cJSON_CreateObject(), *p;
	char n[260];

	if (!o)
		return NULL;
	add_time(o, "read", cur ? cur->read_ns : 0);
	add_time(o, "preread", cur && prev ? prev->read_ns : 0);
	p = cJSON_AddObjectToObject(o, "pids_stats");
	if (cur && (cur->cg.have & OCI_CG_BIT(OCI_CG_PIDS))) {
		add_nz(p, "current", cur->cg.pids.current);
		add_nz(p, "limit", cur->cg.pids.limit);
	}
	blkio_json(o, cur);
	cJSON_AddNumberToObject(o, "num_procs", 0);
	cJSON_AddObjectToObject(o, "storage_stats");
	cpu_json(o, "cpu_stats", cur);
	cpu_json(o, "precpu_stats", cur ? prev : NULL);
	memory_json(o, cur);
	snprintf(n, sizeof(n), "/%s", name);
	cJSON_AddStringToObject(o, "name", n);
	cJSON_AddStringToObject(o, "id", id);
	net_json(o, cur);
	return o;
}
