/* test_cgroup_stats.c - the cgroup counters from recorded v1 and v2 files
 * (written into a temp folder, read as the drivers read a container's):
 * CPU with per-CPU usage, memory with memory.stat and the OOM kills, pids,
 * block I/O. No root, nothing touches /sys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/cgroup-priv.h"
#include "tap.h"

/* Linux 6.18, cgroup v1 memory hierarchy (a container at its limit). */
static const char v1_memstat[] =
	"cache 4096\nrss 53248\nrss_huge 0\nshmem 0\nmapped_file 0\ndirty 0\nwriteback 0\n"
	"workingset_refault_anon 0\nworkingset_refault_file 0\nswap 0\nswapcached 0\n"
	"pgpgin 864\npgpgout 850\npgfault 1146\npgmajfault 1\ninactive_anon 49152\n"
	"active_anon 4096\ninactive_file 0\nactive_file 4096\nunevictable 0\n"
	"hierarchical_memory_limit 67108864\nhierarchical_memsw_limit 134217728\n"
	"total_cache 4096\ntotal_rss 53248\ntotal_rss_huge 0\ntotal_shmem 0\n"
	"total_mapped_file 0\ntotal_dirty 0\ntotal_writeback 0\n"
	"total_workingset_refault_anon 0\ntotal_workingset_refault_file 0\ntotal_swap 0\n"
	"total_swapcached 0\ntotal_pgpgin 864\ntotal_pgpgout 850\ntotal_pgfault 1146\n"
	"total_pgmajfault 1\ntotal_inactive_anon 49152\ntotal_active_anon 4096\n"
	"total_inactive_file 8192\ntotal_active_file 4096\ntotal_unevictable 0\n";

/* Linux 6.1, cgroup2 (a container whose child the OOM killer took). */
static const char v2_memstat[] =
	"anon 1286144\nfile 2977792\nkernel 360448\nkernel_stack 49152\npagetables 73728\n"
	"sec_pagetables 0\npercpu 0\nsock 0\nvmalloc 0\nshmem 0\nzswap 0\nzswapped 0\n"
	"file_mapped 1757184\nfile_dirty 0\nfile_writeback 0\nswapcached 0\nanon_thp 0\n"
	"file_thp 0\nshmem_thp 0\ninactive_anon 1269760\nactive_anon 16384\n"
	"inactive_file 2543616\nactive_file 434176\nunevictable 0\nslab_reclaimable 94160\n"
	"slab_unreclaimable 105816\nslab 199976\nworkingset_refault_anon 0\n"
	"workingset_refault_file 0\nworkingset_activate_anon 0\nworkingset_activate_file 0\n"
	"workingset_restore_anon 0\nworkingset_restore_file 0\nworkingset_nodereclaim 0\n"
	"pgscan 0\npgsteal 0\npgscan_kswapd 0\npgscan_direct 0\npgsteal_kswapd 0\n"
	"pgsteal_direct 0\npgfault 2730\npgmajfault 11\npgrefill 0\npgactivate 105\n"
	"pgdeactivate 0\npglazyfree 0\npglazyfreed 0\nzswpin 0\nzswpout 0\n"
	"thp_fault_alloc 0\nthp_collapse_alloc 0\n";

static char dir[64];

static void put(const char *file, const char *text)
{
	char p[160];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	f = fopen(p, "w");
	if (!f || fputs(text, f) < 0)
		diag("cannot write %s", p);
	if (f)
		fclose(f);
}

static void clean(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("cannot remove %s", dir);
}

static void test_v1(void)
{
	struct oci_cgroup_stats st;
	struct oci_cgroup_v1_dirs d = {dir, dir, dir, dir, dir};

	put("cpuacct.usage", "44860522\n");
	put("cpuacct.usage_percpu", "42843508 2017014 \n");
	put("cpuacct.stat", "user 1\nsystem 2\n");
	put("cpu.stat", "nr_periods 5\nnr_throttled 2\nthrottled_time 7000\nnr_bursts 0\n");
	put("memory.usage_in_bytes", "323584\n");
	put("memory.max_usage_in_bytes", "4186112\n");
	put("memory.limit_in_bytes", "67108864\n");
	put("memory.failcnt", "3\n");
	put("memory.memsw.limit_in_bytes", "134217728\n");
	put("memory.stat", v1_memstat);
	put("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
	put("pids.current", "1\n");
	put("pids.max", "max\n");
	put("blkio.throttle.io_service_bytes_recursive",
	    "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Discard 0\n"
	    "8:0 Total 12288\nTotal 12288\n");
	put("blkio.throttle.io_serviced_recursive", "8:0 Read 1\n8:0 Write 2\nTotal 3\n");

	memset(&st, 0, sizeof(st));
	oci_cgroup_v1_read_stats(&d, &st);
	ok(st.have == (OCI_CG_BIT(OCI_CG_CPU) | OCI_CG_BIT(OCI_CG_MEMORY) |
		       OCI_CG_BIT(OCI_CG_PIDS) | OCI_CG_BIT(OCI_CG_IO)) &&
		   st.from_v2 == 0,
	   "v1: every controller read, none from cgroup2");
	ok(st.cpu.total == 44860522 && st.cpu.ncpu == 2 && st.cpu.percpu[0] == 42843508 &&
		   st.cpu.percpu[1] == 2017014,
	   "v1: cpuacct.usage and usage_percpu");
	ok(st.cpu.user == 1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK) && st.cpu.periods == 5 &&
		   st.cpu.throttled_time == 7000,
	   "v1: user ticks in ns, throttling");
	ok(st.memory.usage == 323584 && st.memory.max_usage == 4186112 &&
		   st.memory.limit == 67108864 && st.memory.failcnt == 3,
	   "v1: memory usage, peak, limit, failcnt");
	ok(st.memory.oom_kill == 2, "v1: oom_kill from memory.oom_control");
	ok(st.memory.nstat == 42, "v1: memory.stat: 42 entries (got %zu)", st.memory.nstat);
	ok(oci_cgroup_memstat(&st, "total_inactive_file") == 8192 &&
		   oci_cgroup_memstat(&st, "hierarchical_memsw_limit") == 134217728 &&
		   oci_cgroup_memstat(&st, "nosuch") == 0,
	   "v1: memory.stat entries by name");
	ok(st.pids.current == 1 && st.pids.limit == 0, "v1: pids, max reads 0");
	ok(st.io.n == 1 && st.io.dev[0].major == 8 && st.io.dev[0].rbytes == 4096 &&
		   st.io.dev[0].wbytes == 8192 && st.io.dev[0].rios == 1 && st.io.dev[0].wios == 2,
	   "v1: blkio Read/Write bytes and ios per device, totals skipped");

	/* An old kernel: no oom_kill line, no per-CPU file. */
	put("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
	char p[160];
	snprintf(p, sizeof(p), "%s/cpuacct.usage_percpu", dir);
	unlink(p);
	memset(&st, 0, sizeof(st));
	oci_cgroup_v1_read_stats(&d, &st);
	ok(st.memory.oom_kill == 0 && st.cpu.ncpu == 0 && st.cpu.total == 44860522,
	   "v1: without oom_kill and usage_percpu");
}

static void test_v2(void)
{
	struct oci_cgroup_stats st;
	unsigned all = OCI_CG_BIT(OCI_CG_CPU) | OCI_CG_BIT(OCI_CG_MEMORY) |
		       OCI_CG_BIT(OCI_CG_PIDS) | OCI_CG_BIT(OCI_CG_IO);
	struct err e;

	put("cpu.stat", "usage_usec 8650241\nuser_usec 6320504\nsystem_usec 2329736\n"
			"nice_usec 0\nnr_periods 10\nnr_throttled 4\nthrottled_usec 300\n"
			"nr_bursts 0\nburst_usec 0\n");
	put("memory.current", "4419584\n");
	put("memory.max", "33554432\n");
	put("memory.swap.current", "0\n");
	put("memory.swap.max", "max\n");
	put("memory.events", "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n");
	put("memory.stat", v2_memstat);
	put("pids.current", "3\n");
	put("pids.max", "100\n");
	put("io.stat", "259:0 rbytes=1048576 wbytes=4096 rios=10 wios=1 dbytes=0 dios=0\n"
		       "8:16 rbytes=0 wbytes=512 rios=0 wios=3 dbytes=0 dios=0\n");

	memset(&st, 0, sizeof(st));
	ok(oci_cgroup_v2_read_stats(dir, all, &st, &e) == 0, "v2: read");
	ok(st.have == all && st.from_v2 == all, "v2: every controller, all from cgroup2");
	ok(st.cpu.total == 8650241000ull && st.cpu.user == 6320504000ull &&
		   st.cpu.system == 2329736000ull && st.cpu.ncpu == 0,
	   "v2: usage in ns, no per-CPU counters");
	ok(st.cpu.periods == 10 && st.cpu.throttled_periods == 4 && st.cpu.throttled_time == 300000,
	   "v2: throttling, time in ns");
	ok(st.memory.usage == 4419584 && st.memory.limit == 33554432 &&
		   st.memory.swap_limit == UINT64_MAX,
	   "v2: memory.current, memory.max, swap max");
	ok(st.memory.failcnt == 12 && st.memory.oom == 2 && st.memory.oom_kill == 1,
	   "v2: memory.events max, oom, oom_kill");
	ok(oci_cgroup_memstat(&st, "inactive_file") == 2543616 &&
		   oci_cgroup_memstat(&st, "anon") == 1286144 &&
		   oci_cgroup_memstat(&st, "thp_collapse_alloc") == 0 && st.memory.nstat == 51,
	   "v2: memory.stat entries (%zu)", st.memory.nstat);
	ok(st.pids.current == 3 && st.pids.limit == 100, "v2: pids");
	ok(st.io.n == 2 && st.io.dev[0].major == 259 && st.io.dev[0].rbytes == 1048576 &&
		   st.io.dev[1].minor == 16 && st.io.dev[1].wbytes == 512 && st.io.dev[1].wios == 3,
	   "v2: io.stat per device");

	/* Only what the mask asks for. */
	memset(&st, 0, sizeof(st));
	oci_cgroup_v2_read_stats(dir, OCI_CG_BIT(OCI_CG_MEMORY), &st, &e);
	ok(st.have == OCI_CG_BIT(OCI_CG_MEMORY) && st.cpu.total == 0, "v2: the mask decides");
}

static void test_memstat(void)
{
	static struct oci_cgroup_stats st;
	char big[8192] = "";

	oci_cgroup_parse_memstat("a 1\nbroken\nb 2\n\nc  3\nd 4", &st);
	ok(st.memory.nstat == 4 && oci_cgroup_memstat(&st, "a") == 1 &&
		   oci_cgroup_memstat(&st, "b") == 2 && oci_cgroup_memstat(&st, "d") == 4,
	   "memstat: lines without a value are skipped, the last without newline kept");
	for (int i = 0; i < 150; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big), "key%d %d\n", i, i);
	oci_cgroup_parse_memstat(big, &st);
	ok(st.memory.nstat == OCI_CG_STAT_MAX_MEMSTAT && oci_cgroup_memstat(&st, "key95") == 95 &&
		   oci_cgroup_memstat(&st, "key96") == 0,
	   "memstat: at most %d entries", OCI_CG_STAT_MAX_MEMSTAT);
	oci_cgroup_parse_memstat("a_key_longer_than_forty_characters_is_dropped_here 1\nb 2\n",
				 &st);
	ok(st.memory.nstat == 1 && oci_cgroup_memstat(&st, "b") == 2, "memstat: long keys dropped");
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_cgroup_stats.XXXXXX");
	if (!mkdtemp(dir)) {
		printf("1..0 # SKIP no temp folder\n");
		return 0;
	}
	if (CFG_CGROUP_V1)
		test_v1();
	if (CFG_CGROUP_V2)
		test_v2();
	test_memstat();
	clean();
	return done_testing();
}
