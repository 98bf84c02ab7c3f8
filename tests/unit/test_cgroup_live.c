/* test_cgroup_live.c - the cgroup drivers against this machine's real cgroups
 * (needs root; skipped otherwise): v1 hierarchies, the cgroup2 mount of a hybrid
 * host with the BPF device filter, and pure v2 on a private cgroup2 mount. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "oci/cgroup-priv.h"
#include "tap.h"

static struct oci_cgroup_layout live;

static unsigned read_ctrls_mask(const char *dir)
{
	unsigned mask = 0;
	char *t, *save = NULL;

	if (oci_cgroup_read_file(dir, "cgroup.subtree_control", &t, NULL) < 0)
		return 0;
	for (char *w = strtok_r(t, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		for (int c = 0; c < OCI_CG_NCTRL; c++)
			if (oci_cgroup_ctrl_name(c, true) &&
			    !strcmp(w, oci_cgroup_ctrl_name(c, true)))
				mask |= OCI_CG_BIT(c);
	free(t);
	return mask;
}
static char top[64], top_v2[64];
static pid_t kids[8];
static size_t n_kids;

static void skip_named(const char *name, const char *why)
{
	ok(1, "%s # SKIP %s", name, why);
}

static void msleep(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* What the cgroup2 root handed down before the run: restored at the end. */
static unsigned v2_root_before;

static void restore_v2_root(void)
{
	unsigned now;
	char buf[32];

	if (!live.has_v2)
		return;
	now = read_ctrls_mask(live.v2.mnt);
	for (int c = 0; c < OCI_CG_NCTRL; c++)
		if ((now & ~v2_root_before) & OCI_CG_BIT(c)) {
			snprintf(buf, sizeof(buf), "-%s", oci_cgroup_ctrl_name(c, true));
			oci_cgroup_write_file(live.v2.mnt, "cgroup.subtree_control", buf, NULL);
		}
}

static bool gone(const char *dir)
{
	struct stat st;

	return stat(dir, &st) < 0 && errno == ENOENT;
}

/* Kill what is left in a test cgroup tree and remove it, without the code
 * under test (which may be the reason it is left, or compiled out). */
static void rm_test_tree(const char *dir)
{
	char sub[4096], *procs;
	struct dirent *de;
	DIR *d;

	if (oci_cgroup_read_file(dir, "cgroup.procs", &procs, NULL) == 0) {
		for (char *p = procs; *p; p += strcspn(p, "\n"), p += *p == '\n')
			kill((pid_t)atoi(p), SIGKILL);
		free(procs);
		oci_cgroup_write_file(dir, "freezer.state", "THAWED", NULL);
		oci_cgroup_write_file(dir, "cgroup.freeze", "0", NULL);
	}
	if ((d = opendir(dir))) {
		while ((de = readdir(d)))
			if (de->d_type == DT_DIR && de->d_name[0] != '.') {
				snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
				rm_test_tree(sub);
			}
		closedir(d);
	}
	for (int i = 0; i < 100 && rmdir(dir) < 0 && errno == EBUSY; i++)
		msleep(10);
	if (!gone(dir))
		diag("cleanup: could not remove %s", dir);
}

static void rm_test_cgroups(const struct oci_cgroup_hier *h, bool v2)
{
	const char *names[] = {top, top_v2};
	char base[4096], dir[4200];

	if (!h->own)
		return;
	snprintf(base, sizeof(base), "%s%s", h->mnt,
		 h->own + (strcmp(h->root, "/") == 0 ? 0 : strlen(h->root)));
	if (v2 && strrchr(base, '/') > base + strlen(h->mnt))
		*strrchr(base, '/') = '\0';
	for (int i = 0; i < 2; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", base, names[i]);
		if (!gone(dir))
			rm_test_tree(dir);
	}
}

/* Whatever happens, no test cgroup and no test child outlives the run. */
static void cleanup(void)
{
	for (size_t i = 0; i < n_kids; i++)
		if (kids[i] > 0 && kill(kids[i], SIGKILL) == 0)
			waitpid(kids[i], NULL, 0);
	n_kids = 0;
	if (!top[0])
		return;
	for (size_t i = 0; i < live.n_v1; i++)
		rm_test_cgroups(&live.v1[i], false);
	if (live.has_v2)
		rm_test_cgroups(&live.v2, true);
	restore_v2_root();
}

static const char *read_str(const char *dir, const char *file)
{
	static char buf[4096];
	char *t;

	if (!dir || oci_cgroup_read_file(dir, file, &t, NULL) < 0)
		return "(unreadable)";
	snprintf(buf, sizeof(buf), "%s", t);
	buf[strcspn(buf, "\n")] = '\0';
	free(t);
	return buf;
}

static bool all_gone(const struct oci_cgroup *cg)
{
	for (int s = 0; s < OCI_CG_NSLOT; s++)
		if (cg->dir[s] && !gone(cg->dir[s]))
			return diag("left: %s", cg->dir[s]), false;
	return true;
}

/* A child that counts in shared memory: frozen, the count stands still. */
static pid_t spawn_counter(volatile unsigned long *ctr)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;) {
			for (volatile int i = 0; i < 100000; i++)
				;
			(*ctr)++;
			msleep(1);
		}
	}
	if (pid > 0)
		kids[n_kids++] = pid;
	return pid;
}

static bool counting(volatile unsigned long *ctr)
{
	unsigned long a = *ctr;

	msleep(60);
	return *ctr != a;
}

static const char *proc_state(pid_t pid)
{
	static char line[128];
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	line[0] = '\0';
	if ((f = fopen(path, "r"))) {
		while (fgets(line, sizeof(line), f) && strncmp(line, "State:", 6) != 0)
			;
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static void reap(pid_t pid)
{
	for (size_t i = 0; i < n_kids; i++)
		if (kids[i] == pid)
			kids[i] = 0;
}

/* A child that waits for the go, then tries device opens and exits with
 * one bit per expectation met. */
static int try_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int device_probe(struct oci_cgroup *cg, int (*probe)(void), struct err *e)
{
	int go[2], status;
	pid_t pid;
	char c = 'x';

	if (pipe(go) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		close(go[1]);
		_exit(read(go[0], &c, 1) == 1 ? probe() : 100);
	}
	close(go[0]);
	kids[n_kids++] = pid;
	if (oci_cgroup_enter(cg, pid, e) < 0) {
		diag("enter: %s", e->msg);
		close(go[1]);
		return -1;
	}
	if (write(go[1], &c, 1) != 1)
		diag("write go: %s", strerror(errno));
	close(go[1]);
	waitpid(pid, &status, 0);
	reap(pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int probe_docker_defaults(void)
{
	return (try_open("/dev/null", O_RDWR) == 0) | (try_open("/dev/kmsg", O_RDONLY) == EPERM)
							      << 1;
}

static int probe_null_no_write(void)
{
	return (try_open("/dev/null", O_WRONLY) == EPERM) |
	       (try_open("/dev/null", O_RDONLY) == 0) << 1 |
	       (try_open("/dev/zero", O_RDWR) == 0) << 2;
}

static int probe_null_write(void)
{
	return try_open("/dev/null", O_WRONLY) == 0 ? 7 : 0;
}

static const struct oci_device_rule docker_rules[] = {
	{false, 'a', -1, -1, "rwm"}, {true, 'c', -1, -1, "m"},    {true, 'b', -1, -1, "m"},
	{true, 'c', 1, 3, "rwm"},    {true, 'c', 1, 5, "rwm"},    {true, 'c', 1, 7, "rwm"},
	{true, 'c', 5, 0, "rwm"},    {true, 'c', 5, 1, "rwm"},    {true, 'c', 1, 8, "rwm"},
	{true, 'c', 1, 9, "rwm"},    {true, 'c', 136, -1, "rwm"}, {true, 'c', 5, 2, "rwm"},
	{true, 'c', 10, 200, "rwm"},
};

#define I64(x) ((struct oci_opt_i64){true, (x)})
#define U64(x) ((struct oci_opt_u64){true, (x)})

static void v1_limits(struct oci_cgroup *cg)
{
	const char *mem = oci_cgroup_dir(cg, OCI_CG_MEMORY),
		   *cs = oci_cgroup_dir(cg, OCI_CG_CPUSET);
	char parent[4096];

	is_str(read_str(mem, "memory.limit_in_bytes"), "67108864", "v1: memory.limit_in_bytes");
	if (oci_cgroup_has_file(mem, "memory.memsw.limit_in_bytes"))
		is_str(read_str(mem, "memory.memsw.limit_in_bytes"), "134217728",
		       "v1: memory.memsw.limit_in_bytes");
	else
		skip_named("v1: memory.memsw.limit_in_bytes", "no swap accounting");
	is_str(read_str(oci_cgroup_dir(cg, OCI_CG_PIDS), "pids.max"), "32", "v1: pids.max");
	is_str(read_str(oci_cgroup_dir(cg, OCI_CG_CPU), "cpu.shares"), "512", "v1: cpu.shares");
	is_str(read_str(oci_cgroup_dir(cg, OCI_CG_CPU), "cpu.cfs_quota_us"), "20000",
	       "v1: cpu.cfs_quota_us");
	is_str(read_str(cs, "cpuset.cpus"), "0", "v1: cpuset.cpus");
	snprintf(parent, sizeof(parent), "%s", cs);
	*strrchr(parent, '/') = '\0';
	is_str(read_str(parent, "cpuset.mems"),
	       read_str(live.v1[oci_cgroup_v1_slot(&live, OCI_CG_CPUSET)].mnt, "cpuset.mems"),
	       "v1: new intermediate cpuset got the parent's mems");
	ok(strstr(read_str(oci_cgroup_dir(cg, OCI_CG_DEVICES), "devices.list"), "a *:* rwm") ==
		   NULL,
	   "v1: devices.list no longer allows everything");
	if (oci_cgroup_dir(cg, OCI_CG_HUGETLB) && cg->dir[OCI_CG_V2SLOT] &&
	    oci_cgroup_v1_slot(&live, OCI_CG_HUGETLB) < 0)
		is_str(read_str(cg->dir[OCI_CG_V2SLOT], "hugetlb.2MB.max"), "4194304",
		       "hybrid: hugetlb limit went to the cgroup2 half");
	else
		skip_named("hybrid: hugetlb on the cgroup2 half",
			   "hugetlb is not cgroup2-only here");
}

static void v1_lifecycle(struct oci_cgroup *cg)
{
	volatile unsigned long *ctr =
		mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct oci_cgroup_stats st;
	struct oci_resources r;
	struct err e;
	pid_t pid = spawn_counter(ctr), *pids = NULL;
	size_t n = 0;
	int frozen = -1, status;

	ok(oci_cgroup_enter(cg, pid, &e) == 0, "v1: enter a child");
	ok(oci_cgroup_pids(cg, &pids, &n, &e) == 0 && n == 1 && pids[0] == pid,
	   "v1: pids lists it");
	free(pids);
	ok(oci_cgroup_freeze(cg, &e) == 0, "v1: freeze");
	oci_cgroup_frozen(cg, &frozen, &e);
	ok(frozen == 1 && !counting(ctr), "v1: frozen child stands still (%s)", proc_state(pid));
	ok(oci_cgroup_thaw(cg, &e) == 0, "v1: thaw");
	oci_cgroup_frozen(cg, &frozen, &e);
	ok(frozen == 0 && counting(ctr), "v1: thawed child runs (%s)", proc_state(pid));
	ok(oci_cgroup_stats(cg, &st, &e) == 0, "v1: stats");
	ok(st.memory.usage > 0 && st.memory.limit == 67108864, "v1: memory usage %llu, limit %llu",
	   (unsigned long long)st.memory.usage, (unsigned long long)st.memory.limit);
	ok(st.pids.current == 1 && st.pids.limit == 32, "v1: pids %llu of %llu",
	   (unsigned long long)st.pids.current, (unsigned long long)st.pids.limit);
	ok(st.cpu.total > 0, "v1: cpu usage %llu ns (user %llu, system %llu)",
	   (unsigned long long)st.cpu.total, (unsigned long long)st.cpu.user,
	   (unsigned long long)st.cpu.system);
	memset(&r, 0, sizeof(r));
	r.pids.limit = I64(64);
	ok(oci_cgroup_update(cg, &r, &e) == 0 &&
		   strcmp(read_str(oci_cgroup_dir(cg, OCI_CG_PIDS), "pids.max"), "64") == 0,
	   "v1: update pids.max to 64");
	ok(oci_cgroup_kill_all(cg, SIGTERM, &e) == 0, "v1: kill_all SIGTERM");
	ok(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	   "v1: the child died of SIGTERM");
	reap(pid);
	munmap((void *)ctr, 4096);
}

static void test_v1(void)
{
	struct oci_resources r;
	struct oci_hugepage_limit huge = {"2MB", 4194304};
	struct oci_cgroup *cg;
	char name[128];
	struct err e;

	if (!live.n_v1) {
		skip_named("v1 driver on real hierarchies",
			   "this host has no cgroup v1 hierarchies");
		return;
	}
	snprintf(name, sizeof(name), "%s/c1", top);
	memset(&r, 0, sizeof(r));
	r.memory.limit = I64(64 << 20);
	r.memory.swap = I64(128 << 20);
	r.pids.limit = I64(32);
	r.cpu.shares = U64(512);
	r.cpu.quota = I64(20000);
	r.cpu.period = U64(100000);
	r.cpu.cpus = "0";
	r.devices = (struct oci_device_rule *)docker_rules;
	r.n_devices = sizeof(docker_rules) / sizeof(docker_rules[0]);
	if (CFG_CGROUP_V2 && live.has_v2 && (live.v2.ctrls & OCI_CG_BIT(OCI_CG_HUGETLB)) &&
	    access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) == 0) {
		r.hugepage_limits = &huge;
		r.n_hugepage_limits = 1;
	}
	if (!ok(oci_cgroup_open(&live, name, "x", &cg, &e) == 0, "v1: open %s", name))
		return diag("%s", e.msg);
	if (!ok(oci_cgroup_create(cg, &r, 0, &e) == 0, "v1: create with limits")) {
		diag("%s", e.msg);
		oci_cgroup_free(cg);
		return;
	}
	v1_limits(cg);
	is_int(device_probe(cg, probe_docker_defaults, &e), 3,
	       "v1: devices: /dev/null opens, /dev/kmsg is EPERM");
	v1_lifecycle(cg);
	ok(oci_cgroup_destroy(cg, &e) == 0, "v1: destroy");
	ok(all_gone(cg), "v1: no folder left in any hierarchy");
	oci_cgroup_free(cg);
}

/* destroy of a cgroup with a live process: killed, then removed. */
static void test_destroy_busy(void)
{
	volatile unsigned long ctr;
	struct oci_cgroup *cg;
	char name[128];
	struct err e = {0};
	pid_t pid;

	snprintf(name, sizeof(name), "%s/busy", top);
	if (oci_cgroup_open(&live, name, "x", &cg, &e) < 0 ||
	    oci_cgroup_create(cg, NULL, 0, &e) < 0) {
		ok(0, "busy: create (%s)", e.msg);
		return;
	}
	pid = spawn_counter(&ctr);
	ok(oci_cgroup_enter(cg, pid, &e) == 0, "busy: a child in it");
	ok(oci_cgroup_destroy(cg, &e) == 0, "busy: destroy kills it and removes the cgroup%s%s",
	   e.msg[0] ? ": " : "", e.msg);
	ok(waitpid(pid, NULL, 0) == pid, "busy: child reaped");
	reap(pid);
	ok(all_gone(cg), "busy: folders gone");
	oci_cgroup_free(cg);
}

/* The BPF device filter on the real cgroup2 mount (a hybrid host's
 * .../unified, or /sys/fs/cgroup on a v2 host). */
static void test_bpf_live(void)
{
	static const struct oci_device_rule no_write[] = {{true, 'a', -1, -1, "rwm"},
							  {false, 'c', 1, 3, "w"}};
	static const struct oci_device_rule all[] = {{true, 'a', -1, -1, "rwm"}};
	struct oci_cgroup *cg;
	const char *dir;
	char name[128];
	struct err e;

	if (!live.has_v2) {
		skip_named("BPF device filter", "no cgroup2 mount");
		return;
	}
	snprintf(name, sizeof(name), "%s/bpf", top);
	if (oci_cgroup_open(&live, name, "x", &cg, &e) < 0 ||
	    oci_cgroup_create(cg, NULL, 0, &e) < 0) {
		ok(0, "bpf: create (%s)", e.msg);
		return;
	}
	dir = cg->dir[OCI_CG_V2SLOT];
	ok(oci_cgroup_bpf_apply(dir, no_write, 2, &e) == 0, "bpf: attach to %s%s%s", dir,
	   e.msg[0] ? ": " : "", e.msg);
	is_int(device_probe(cg, probe_null_no_write, &e), 7,
	       "bpf: /dev/null write is EPERM, read and /dev/zero work");
	ok(oci_cgroup_bpf_apply(dir, all, 1, &e) == 0, "bpf: replace the filter");
	is_int(device_probe(cg, probe_null_write, &e), 7, "bpf: the old filter is gone");
	ok(oci_cgroup_destroy(cg, &e) == 0 && all_gone(cg), "bpf: destroy");
	oci_cgroup_free(cg);
}

static void v2_lifecycle(struct oci_cgroup *cg, const struct oci_cgroup_layout *l)
{
	volatile unsigned long *ctr =
		mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct oci_cgroup_stats st;
	struct err e;
	pid_t pid = spawn_counter(ctr);
	int frozen = -1, status;

	ok(oci_cgroup_enter(cg, pid, &e) == 0, "v2: enter a child");
	ok(oci_cgroup_freeze(cg, &e) == 0, "v2: freeze (cgroup.freeze)");
	oci_cgroup_frozen(cg, &frozen, &e);
	ok(frozen == 1 && !counting(ctr), "v2: frozen child stands still (%s)", proc_state(pid));
	ok(oci_cgroup_thaw(cg, &e) == 0, "v2: thaw");
	oci_cgroup_frozen(cg, &frozen, &e);
	ok(frozen == 0 && counting(ctr), "v2: thawed child runs (%s)", proc_state(pid));
	ok(oci_cgroup_stats(cg, &st, &e) == 0, "v2: stats");
	ok((st.have & OCI_CG_BIT(OCI_CG_CPU)) && st.cpu.total > 0,
	   "v2: cpu usage %llu ns from cpu.stat", (unsigned long long)st.cpu.total);
	ok(oci_cgroup_has_file(cg->dir[OCI_CG_V2SLOT], "cgroup.kill"),
	   "v2: kernel has cgroup.kill");
	ok(oci_cgroup_kill_all(cg, SIGKILL, &e) == 0, "v2: kill_all SIGKILL");
	ok(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "v2: the child died of SIGKILL");
	reap(pid);
	munmap((void *)ctr, 4096);
}

/* Pure v2 in a private mount namespace: a fresh cgroup2 mount as the root.
 * It shows the same (only) cgroup2 hierarchy, so what runs is what that
 * hierarchy offers: on a hybrid host, controllers bound to v1 are not there. */
static void private_v2(void)
{
	static const struct oci_device_rule no_write[] = {{true, 'a', -1, -1, "rwm"},
							  {false, 'c', 1, 3, "w"}};
	struct oci_hugepage_limit huge = {"2MB", 2097152};
	struct oci_cgroup_probe p = {0};
	struct oci_cgroup_layout l;
	struct oci_resources r;
	struct oci_cgroup *cg;
	char mnt[] = "/tmp/tug-cg2-XXXXXX", name[128], ctrls[256] = "";
	struct err e;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    !mkdtemp(mnt) || mount("cgroup2", mnt, "cgroup2", 0, NULL) < 0) {
		skip_named("pure v2 in a private mount", strerror(errno));
		return;
	}
	p.root = mnt;
	ok(oci_cgroup_detect_from(&l, &p, &e) == 0 && l.mode == OCI_CGROUP_UNIFIED,
	   "v2: a private cgroup2 mount detects as pure v2");
	for (int c = 0; c < OCI_CG_NCTRL; c++)
		if (l.v2.ctrls & OCI_CG_BIT(c))
			snprintf(ctrls + strlen(ctrls), sizeof(ctrls) - strlen(ctrls), " %s",
				 oci_cgroup_ctrl_name(c, true));
	diag("cgroup2 controllers here:%s", ctrls[0] ? ctrls : " none");
	snprintf(name, sizeof(name), "%s/c1", top_v2);
	ok(oci_cgroup_open(&l, name, "x", &cg, &e) == 0 && strcmp(oci_cgroup_driver(cg), "v2") == 0,
	   "v2: open with the v2 driver");
	memset(&r, 0, sizeof(r));
	r.pids.limit = I64(10);
	if (!(l.v2.ctrls & OCI_CG_BIT(OCI_CG_PIDS)))
		ok(oci_cgroup_create(cg, &r, 0, &e) < 0 && strstr(e.msg, "pids"),
		   "v2: a limit for a missing controller is a clear error (%s)", e.msg);
	memset(&r, 0, sizeof(r));
	r.devices = (struct oci_device_rule *)no_write;
	r.n_devices = 2;
	if ((l.v2.ctrls & OCI_CG_BIT(OCI_CG_HUGETLB)) &&
	    access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) == 0) {
		r.hugepage_limits = &huge;
		r.n_hugepage_limits = 1;
	}
	if (!ok(oci_cgroup_create(cg, &r, 0, &e) == 0, "v2: create (%s devices by BPF)",
		r.n_hugepage_limits ? "hugetlb limit," : ""))
		diag("%s", e.msg);
	if (r.n_hugepage_limits)
		is_str(read_str(cg->dir[OCI_CG_V2SLOT], "hugetlb.2MB.max"), "2097152",
		       "v2: hugetlb.2MB.max");
	is_int(device_probe(cg, probe_null_no_write, &e), 7, "v2: BPF device filter from the spec");
	v2_lifecycle(cg, &l);
	ok(oci_cgroup_destroy(cg, &e) == 0 && all_gone(cg), "v2: destroy");
	oci_cgroup_free(cg);
	oci_cgroup_layout_free(&l);
	umount(mnt);
	rmdir(mnt);
}

static void test_private_v2(void)
{
	int res[2], counts[2] = {0, 0}, status;
	pid_t pid;

	if (pipe(res) < 0 || (pid = fork()) < 0)
		return skip_named("pure v2 in a private mount", "fork");
	if (pid == 0) {
		close(res[0]);
		n_kids = 0;
		private_v2();
		counts[0] = tap_count;
		counts[1] = tap_failed;
		if (write(res[1], counts, sizeof(counts)) != sizeof(counts))
			_exit(2);
		_exit(0);
	}
	close(res[1]);
	if (read(res[0], counts, sizeof(counts)) == sizeof(counts)) {
		tap_count = counts[0];
		tap_failed = counts[1];
	} else {
		ok(0, "pure v2 child reported nothing");
	}
	close(res[0]);
	waitpid(pid, &status, 0);
}

int main(void)
{
	struct err e;

	if (geteuid() != 0) {
		skip_named("cgroup drivers on this host", "not root");
		return done_testing();
	}
	if (oci_cgroup_detect(&live, &e) < 0) {
		skip_named("cgroup drivers on this host", e.msg);
		return done_testing();
	}
	diag("host cgroups: %s, %zu v1 hierarchies, cgroup2 %s", oci_cgroup_mode_name(live.mode),
	     live.n_v1, live.has_v2 ? live.v2.mnt : "none");
	if (live.has_v2)
		v2_root_before = read_ctrls_mask(live.v2.mnt);
	snprintf(top, sizeof(top), "tug-test-%d", (int)getpid());
	snprintf(top_v2, sizeof(top_v2), "tug-test-%d-v2", (int)getpid());
	atexit(cleanup);
	if (CFG_CGROUP_V1 && live.mode != OCI_CGROUP_UNIFIED) {
		test_v1();
		test_destroy_busy();
	} else {
		skip_named("v1 driver", CFG_CGROUP_V1 ? "pure v2 host" : "compiled out");
	}
	if (CFG_CGROUP_V2) {
		if (CFG_CGROUP_V1 || live.mode == OCI_CGROUP_UNIFIED)
			test_bpf_live();
		else
			skip_named("BPF device filter on this host's cgroup2",
				   "a hybrid host needs the v1 driver, compiled out");
		test_private_v2();
	} else {
		skip_named("v2 driver", "compiled out");
	}
	cleanup();
	oci_cgroup_layout_free(&live);
	return done_testing();
}
