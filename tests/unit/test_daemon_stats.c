/* test_daemon_stats.c - docker stats' JSON from recorded samples: /proc/stat,
 * /proc/<pid>/net/dev and /proc/meminfo texts, the object for cgroup v1 and
 * v2 counters (checked field by field as the docker CLI reads them), the
 * zeros of a stopped container, precpu_stats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/daemon/stats.h"
#include "json.h"
#include "tap.h"

static const char proc_stat[] = "cpu  632052 10 228994 1713309 8900 1 3980 11056 0 0\n"
				"cpu0 312070 0 104391 874452 1869 0 515 5431 0 0\n"
				"cpu1 319981 0 124602 838857 7031 0 3465 5624 0 0\n"
				"intr 1 2 3\nctxt 99\nbtime 1796600000\ncpufreq 1\n";

static const char net_dev[] =
	"Inter-|   Receive                                                |  Transmit\n"
	" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "
	"errs drop fifo colls carrier compressed\n"
	"    lo: 7276064880  450731    0    0    0     0          0         0 7276064880  "
	"450731    0    0    0     0       0          0\n"
	"  eth0:     572       6    1    2    0     0          0         0      180       "
	"2    3    4    0     0       0          0\n";

static const char meminfo[] = "MemTotal:        8039484 kB\nMemFree:  1 kB\n";

static double num(const cJSON *o, const char *path)
{
	char buf[128], *save = NULL;
	const cJSON *v = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = cJSON_GetObjectItemCaseSensitive(v, k);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const cJSON *get(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);

	return b ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

/* The object as a client sees it: printed (json_add_u64 makes raw digits)
 * and parsed back. */
static cJSON *seen(const struct dstats_sample *cur, const struct dstats_sample *prev,
		   const char *name, const char *id)
{
	cJSON *o = dstats_json(cur, prev, name, id), *back = NULL;
	char *txt = NULL;
	size_t len;

	if (o && json_print(o, false, &txt, &len, NULL) == 0)
		json_parse(txt, len, &back, NULL);
	free(txt);
	cJSON_Delete(o);
	return back;
}

static void test_parsers(void)
{
	uint64_t sys;
	unsigned ncpu;
	static struct dstats_sample s;

	ok(dstats_parse_proc_stat(proc_stat, 100, &sys, &ncpu) == 0 &&
		   sys == (632052ull + 10 + 228994 + 1713309 + 8900 + 1 + 3980) * 10000000ull &&
		   ncpu == 2,
	   "/proc/stat: seven fields of the cpu line in ns, two cpuN lines");
	ok(dstats_parse_proc_stat("intr 1\n", 100, &sys, &ncpu) < 0 && sys == 0,
	   "/proc/stat without a cpu line");
	dstats_parse_net_dev(net_dev, &s);
	ok(s.nnet == 1 && !strcmp(s.net[0].name, "eth0"), "net/dev: lo left out");
	ok(s.net[0].rx_bytes == 572 && s.net[0].rx_packets == 6 && s.net[0].rx_errors == 1 &&
		   s.net[0].rx_dropped == 2 && s.net[0].tx_bytes == 180 &&
		   s.net[0].tx_packets == 2 && s.net[0].tx_errors == 3 && s.net[0].tx_dropped == 4,
	   "net/dev: receive and transmit columns");
	ok(dstats_parse_meminfo(meminfo) == 8039484ull * 1024, "meminfo: MemTotal in bytes");
	ok(dstats_parse_meminfo("XMemTotal: 5 kB\n") == 0, "meminfo: only a line's start");
}

static void v1_sample(struct dstats_sample *s, int64_t at, uint64_t cpu)
{
	memset(s, 0, sizeof(*s));
	s->read_ns = at;
	s->cg.have = OCI_CG_BIT(OCI_CG_CPU) | OCI_CG_BIT(OCI_CG_MEMORY) | OCI_CG_BIT(OCI_CG_PIDS) |
		     OCI_CG_BIT(OCI_CG_IO);
	s->cg.cpu.total = cpu;
	s->cg.cpu.user = 10000000;
	s->cg.cpu.system = 20000000;
	s->cg.cpu.ncpu = 2;
	s->cg.cpu.percpu[0] = cpu - 5;
	s->cg.cpu.percpu[1] = 5;
	s->cg.memory.usage = 323584;
	s->cg.memory.max_usage = 4186112;
	s->cg.memory.limit = 9223372036854771712ull; /* v1's "unlimited" */
	oci_cgroup_parse_memstat("total_inactive_file 8192\ncache 4096\nswap 1\n", &s->cg);
	s->cg.pids.current = 1;
	s->cg.io.n = 1;
	s->cg.io.dev[0].major = 8;
	s->cg.io.dev[0].rbytes = 4096;
	s->cg.io.dev[0].wbytes = 512;
	s->system_ns = 24588220000000ull;
	s->online_cpus = 2;
	s->mem_total = 8039484ull * 1024;
	dstats_parse_net_dev(net_dev, s);
}

static void test_v1(void)
{
	static struct dstats_sample a, b;
	cJSON *o;
	const cJSON *st, *bio;

	v1_sample(&a, 1796693555000000000LL, 44860522);
	v1_sample(&b, 1796693556000000000LL, 54860522);
	o = seen(&b, &a, "s1", "abc");
	ok(o != NULL, "v1: built");
	ok(!strcmp(cJSON_GetStringValue(get(o, "name", NULL)), "/s1") &&
		   !strcmp(cJSON_GetStringValue(get(o, "read", NULL)),
			   "2026-12-08T01:32:36.000000000Z") &&
		   !strcmp(cJSON_GetStringValue(get(o, "preread", NULL)),
			   "2026-12-08T01:32:35.000000000Z"),
	   "v1: name with '/', read and preread");
	ok(num(o, "cpu_stats.cpu_usage.total_usage") == 54860522 &&
		   num(o, "precpu_stats.cpu_usage.total_usage") == 44860522 &&
		   num(o, "cpu_stats.system_cpu_usage") == 24588220000000.0 &&
		   num(o, "cpu_stats.online_cpus") == 2,
	   "v1: cpu and precpu, system usage, online cpus");
	ok(cJSON_GetArraySize(get(get(o, "cpu_stats", NULL), "cpu_usage", "percpu_usage")) == 2 &&
		   num(o, "cpu_stats.cpu_usage.usage_in_kernelmode") == 20000000,
	   "v1: percpu_usage, kernel mode");
	ok(num(o, "memory_stats.limit") == 8039484.0 * 1024 &&
		   num(o, "memory_stats.max_usage") == 4186112,
	   "v1: an unlimited cgroup shows the host's memory; max_usage");
	st = get(get(o, "memory_stats", NULL), "stats", NULL);
	ok(cJSON_GetArraySize(st) == 32 && num(st, "total_inactive_file") == 8192 &&
		   num(st, "cache") == 4096 && num(st, "rss") == 0 && num(st, "swap") == -1,
	   "v1: dockerd's 32 memory.stat entries, absent ones 0, others left out");
	ok(!strcmp(st->child->string, "active_anon") &&
		   !strcmp(cJSON_GetArrayItem(st, 31)->string, "writeback"),
	   "v1: entries sorted as Go prints a map");
	bio = get(o, "blkio_stats", "io_service_bytes_recursive");
	ok(cJSON_GetArraySize(bio) == 2 &&
		   !strcmp(cJSON_GetStringValue(get(cJSON_GetArrayItem(bio, 0), "op", NULL)),
			   "Read") &&
		   num(cJSON_GetArrayItem(bio, 1), "value") == 512 &&
		   cJSON_IsArray(get(o, "blkio_stats", "sectors_recursive")),
	   "v1: blkio Read/Write entries, the other lists empty");
	ok(num(o, "pids_stats.current") == 1 && !get(o, "pids_stats", "limit"),
	   "v1: pids, no limit left out");
	ok(num(o, "networks.eth0.rx_bytes") == 572 && !get(o, "networks", "lo"), "v1: networks");
	cJSON_Delete(o);

	o = seen(&a, NULL, "s1", "abc");
	ok(!strcmp(cJSON_GetStringValue(get(o, "preread", NULL)), "0001-01-01T00:00:00Z") &&
		   num(o, "precpu_stats.cpu_usage.total_usage") == 0 &&
		   !get(get(o, "precpu_stats", NULL), "system_cpu_usage", NULL) &&
		   cJSON_IsObject(get(get(o, "precpu_stats", NULL), "throttling_data", NULL)),
	   "v1: without a previous sample precpu_stats is dockerd's empty one");
	cJSON_Delete(o);
}

static void test_v2(void)
{
	static struct dstats_sample s;
	cJSON *o;
	const cJSON *st;

	memset(&s, 0, sizeof(s));
	s.read_ns = 1;
	s.cg.have = s.cg.from_v2 =
		OCI_CG_BIT(OCI_CG_CPU) | OCI_CG_BIT(OCI_CG_MEMORY) | OCI_CG_BIT(OCI_CG_IO);
	s.cg.cpu.total = 99;
	s.cg.memory.usage = 4419584;
	s.cg.memory.max_usage = 5000000;
	s.cg.memory.limit = 33554432;
	s.cg.memory.failcnt = 12;
	s.cg.memory.oom = 2;
	oci_cgroup_parse_memstat("anon 1286144\ninactive_file 2543616\nkernel 5\n", &s.cg);
	s.mem_total = 1ull << 33;
	o = seen(&s, NULL, "v", "id");
	ok(num(o, "memory_stats.usage") == 4419584 && num(o, "memory_stats.limit") == 33554432 &&
		   !get(get(o, "memory_stats", NULL), "max_usage", NULL),
	   "v2: usage and limit, no max_usage");
	ok(num(o, "memory_stats.failcnt") == 2, "v2: failcnt counts the OOM events (as dockerd)");
	st = get(get(o, "memory_stats", NULL), "stats", NULL);
	ok(cJSON_GetArraySize(st) == 31 && num(st, "inactive_file") == 2543616 &&
		   num(st, "anon") == 1286144 && num(st, "kernel") == -1 &&
		   !get(st, "total_inactive_file", NULL),
	   "v2: dockerd's 31 entries, no total_ ones");
	ok(!get(get(get(o, "cpu_stats", NULL), "cpu_usage", NULL), "percpu_usage", NULL),
	   "v2: no percpu_usage");
	ok(cJSON_IsNull(get(o, "blkio_stats", "io_service_bytes_recursive")) &&
		   cJSON_IsNull(get(o, "blkio_stats", "io_serviced_recursive")),
	   "v2: no device with I/O: null lists");
	ok(!get(o, "networks", NULL) && cJSON_IsObject(get(o, "pids_stats", NULL)) &&
		   !get(o, "pids_stats", "current"),
	   "v2: no interface: no networks; pids not read: empty");
	cJSON_Delete(o);
}

static void test_stopped(void)
{
	cJSON *o = dstats_json(NULL, NULL, "c1", "42ac");
	char *txt = NULL;
	size_t len;

	ok(json_print(o, false, &txt, &len, NULL) == 0 &&
		   !strcmp(txt,
			   "{\"read\":\"0001-01-01T00:00:00Z\",\"preread\":\"0001-01-01T00:00:"
			   "00Z\","
			   "\"pids_stats\":{},\"blkio_stats\":{\"io_service_bytes_recursive\":null,"
			   "\"io_serviced_recursive\":null,\"io_queue_recursive\":null,"
			   "\"io_service_time_recursive\":null,\"io_wait_time_recursive\":null,"
			   "\"io_merged_recursive\":null,\"io_time_recursive\":null,"
			   "\"sectors_recursive\":null},\"num_procs\":0,\"storage_stats\":{},"
			   "\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":0,\"usage_in_"
			   "kernelmode\":0,"
			   "\"usage_in_usermode\":0},\"throttling_data\":{\"periods\":0,"
			   "\"throttled_periods\":0,\"throttled_time\":0}},\"precpu_stats\":{"
			   "\"cpu_usage\":{\"total_usage\":0,\"usage_in_kernelmode\":0,"
			   "\"usage_in_usermode\":0},\"throttling_data\":{\"periods\":0,"
			   "\"throttled_periods\":0,\"throttled_time\":0}},\"memory_stats\":{},"
			   "\"name\":\"/c1\",\"id\":\"42ac\"}"),
	   "stopped: dockerd 20.10's answer byte for byte");
	if (txt && strncmp(txt, "{\"read\":\"0001", 13))
		diag("%s", txt);
	free(txt);
	cJSON_Delete(o);
}

int main(void)
{
	test_parsers();
	test_v1();
	test_v2();
	test_stopped();
	return done_testing();
}
