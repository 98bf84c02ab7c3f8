/* cgroup-v1.c - the cgroup v1 driver: one folder per hierarchy, resources as
 * v1 files, freezer.state, v1 counters. It also runs hybrid hosts, where the
 * cgroup2 half gets the controllers no v1 hierarchy has. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/cgroup-priv.h"

#define ADD(ctrl, flags, what, file, ...)                                                          \
	do {                                                                                       \
		if (oci_cgroup_writes_add(w, ctrl, flags, what, file, e, __VA_ARGS__) < 0)         \
			return -1;                                                                 \
	} while (0)

/* runc's reading of the spec: 0 means unset, -1 unlimited, below -1 is wrong. */
static int limit_of(const struct oci_opt_i64 *o, const char *what, int64_t *v, struct err *e)
{
	*v = o->has ? o->v : 0;
	if (*v < -1)
		return err_set(e, "%s: %" PRId64 " is neither -1 (unlimited) nor a size", what, *v);
	return 0;
}

/* memory.memsw (memory+swap) may never be below memory.limit. Setting memsw
 * to unlimited first makes any limit valid, so the order never depends on
 * the values already there. */
static int map_memory_swap(const struct oci_resources *r, struct oci_cgroup_writes *w,
			   struct err *e)
{
	static const char LIM[] = "linux.resources.memory.limit";
	static const char SWP[] = "linux.resources.memory.swap";
	const char *memsw = "memory.memsw.limit_in_bytes";
	int64_t limit, swap;

	if (limit_of(&r->memory.limit, LIM, &limit, e) < 0 ||
	    limit_of(&r->memory.swap, SWP, &swap, e) < 0)
		return -1;
	if (limit == -1 && swap == 0)
		swap = -1; /* unlimited memory means unlimited swap too (runc) */
	if (limit > 0 && swap > 0 && swap < limit)
		return err_set(
			e, "%s: memory+swap limit %" PRId64 " is below the memory limit %" PRId64,
			SWP, swap, limit);
	if (limit && swap)
		ADD(OCI_CG_MEMORY, OCI_CGW_OPTIONAL, SWP, memsw, "-1");
	if (limit)
		ADD(OCI_CG_MEMORY, 0, LIM, "memory.limit_in_bytes", "%" PRId64, limit);
	if (swap)
		ADD(OCI_CG_MEMORY, swap == -1 ? OCI_CGW_OPTIONAL : 0, SWP, memsw, "%" PRId64, swap);
	return 0;
}

static int map_memory(const struct oci_resources *r, struct oci_cgroup_writes *w, struct err *e)
{
	const unsigned dep = OCI_CGW_OPTIONAL | OCI_CGW_BEST_EFFORT;
	int64_t v;

	if (map_memory_swap(r, w, e) < 0)
		return -1;
	if (limit_of(&r->memory.reservation, "linux.resources.memory.reservation", &v, e) < 0)
		return -1;
	if (v)
		ADD(OCI_CG_MEMORY, 0, "linux.resources.memory.reservation",
		    "memory.soft_limit_in_bytes", "%" PRId64, v);
	/* Kernel memory limits are gone from recent kernels; runc ignores them. */
	if (r->memory.kernel.has && r->memory.kernel.v)
		ADD(OCI_CG_MEMORY, dep, "linux.resources.memory.kernel",
		    "memory.kmem.limit_in_bytes", "%" PRId64, r->memory.kernel.v);
	if (r->memory.kernel_tcp.has && r->memory.kernel_tcp.v)
		ADD(OCI_CG_MEMORY, dep, "linux.resources.memory.kernelTCP",
		    "memory.kmem.tcp.limit_in_bytes", "%" PRId64, r->memory.kernel_tcp.v);
	if (r->memory.swappiness.has) {
		if (r->memory.swappiness.v > 100)
			return err_set(
				e, "linux.resources.memory.swappiness: %" PRIu64 " is above 100",
				r->memory.swappiness.v);
		ADD(OCI_CG_MEMORY, 0, "linux.resources.memory.swappiness", "memory.swappiness",
		    "%" PRIu64, r->memory.swappiness.v);
	}
	if (r->memory.disable_oom_killer)
		ADD(OCI_CG_MEMORY, 0, "linux.resources.memory.disableOOMKiller",
		    "memory.oom_control", "1");
	return 0;
}

static int map_cpu(const struct oci_resources *r, struct oci_cgroup_writes *w, struct err *e)
{
	static const char PER[] = "linux.resources.cpu.period";
	uint64_t period = r->cpu.period.has ? r->cpu.period.v : 0;
	int64_t quota = r->cpu.quota.has ? r->cpu.quota.v : 0;

	if (r->cpu.shares.has && r->cpu.shares.v)
		ADD(OCI_CG_CPU, 0, "linux.resources.cpu.shares", "cpu.shares", "%" PRIu64,
		    r->cpu.shares.v);
	/* A shorter period can be refused until the new quota is in: try it,
	 * write the quota, then the period again (runc does the same). */
	if (period && quota)
		ADD(OCI_CG_CPU, OCI_CGW_SOFT_EINVAL, PER, "cpu.cfs_period_us", "%" PRIu64, period);
	if (quota)
		ADD(OCI_CG_CPU, 0, "linux.resources.cpu.quota", "cpu.cfs_quota_us", "%" PRId64,
		    quota < 0 ? -1 : quota);
	if (period)
		ADD(OCI_CG_CPU, 0, PER, "cpu.cfs_period_us", "%" PRIu64, period);
	if (r->cpu.burst.has)
		ADD(OCI_CG_CPU, 0, "linux.resources.cpu.burst", "cpu.cfs_burst_us", "%" PRIu64,
		    r->cpu.burst.v);
	if (r->cpu.realtime_period.has && r->cpu.realtime_period.v)
		ADD(OCI_CG_CPU, 0, "linux.resources.cpu.realtimePeriod", "cpu.rt_period_us",
		    "%" PRIu64, r->cpu.realtime_period.v);
	if (r->cpu.realtime_runtime.has && r->cpu.realtime_runtime.v)
		ADD(OCI_CG_CPU, 0, "linux.resources.cpu.realtimeRuntime", "cpu.rt_runtime_us",
		    "%" PRId64, r->cpu.realtime_runtime.v);
	if (r->cpu.idle.has)
		ADD(OCI_CG_CPU, 0, "linux.resources.cpu.idle", "cpu.idle", "%" PRId64,
		    r->cpu.idle.v);
	if (r->cpu.cpus && *r->cpu.cpus)
		ADD(OCI_CG_CPUSET, 0, "linux.resources.cpu.cpus", "cpuset.cpus", "%s", r->cpu.cpus);
	if (r->cpu.mems && *r->cpu.mems)
		ADD(OCI_CG_CPUSET, 0, "linux.resources.cpu.mems", "cpuset.mems", "%s", r->cpu.mems);
	return 0;
}

static void devnum(char *buf, size_t size, int64_t major, int64_t minor)
{
	char a[24] = "*", b[24] = "*";

	if (major >= 0)
		snprintf(a, sizeof(a), "%" PRId64, major);
	if (minor >= 0)
		snprintf(b, sizeof(b), "%" PRId64, minor);
	snprintf(buf, size, "%s:%s", a, b);
}

static int map_blkio(const struct oci_resources *r, struct oci_cgroup_writes *w, struct err *e)
{
	static const char *const thr_file[4] = {
		"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
		"blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"};
	static const char W[] = "linux.resources.blockIO.weight";
	static const char WD[] = "linux.resources.blockIO.weightDevice";
	static const char T[] = "linux.resources.blockIO.throttle";
	const unsigned opt = OCI_CGW_OPTIONAL;
	char dev[64];

	/* Kernels with BFQ only have blkio.bfq.weight: the same 10..1000 scale. */
	if (r->block_io.weight.has && r->block_io.weight.v) {
		ADD(OCI_CG_IO, opt, W, "blkio.weight", "%" PRIu64, r->block_io.weight.v);
		ADD(OCI_CG_IO, OCI_CGW_ALT, W, "blkio.bfq.weight", "%" PRIu64,
		    r->block_io.weight.v);
	}
	if (r->block_io.leaf_weight.has && r->block_io.leaf_weight.v)
		ADD(OCI_CG_IO, opt, "linux.resources.blockIO.leafWeight", "blkio.leaf_weight",
		    "%" PRIu64, r->block_io.leaf_weight.v);
	for (size_t i = 0; i < r->block_io.n_weight_device; i++) {
		const struct oci_weight_device *d = &r->block_io.weight_device[i];

		devnum(dev, sizeof(dev), d->major, d->minor);
		if (d->weight.has) {
			ADD(OCI_CG_IO, opt, WD, "blkio.weight_device", "%s %" PRIu64, dev,
			    d->weight.v);
			ADD(OCI_CG_IO, OCI_CGW_ALT, WD, "blkio.bfq.weight_device", "%s %" PRIu64,
			    dev, d->weight.v);
		}
		if (d->leaf_weight.has)
			ADD(OCI_CG_IO, opt, WD, "blkio.leaf_weight_device", "%s %" PRIu64, dev,
			    d->leaf_weight.v);
	}
	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < r->block_io.n_throttle[k]; i++) {
			const struct oci_throttle_device *t = &r->block_io.throttle[k][i];

			devnum(dev, sizeof(dev), t->major, t->minor);
			ADD(OCI_CG_IO, 0, T, thr_file[k], "%s %" PRIu64, dev, t->rate);
		}
	return 0;
}

static int hugetlb_file(char *buf, size_t size, const char *page, const char *suffix, struct err *e)
{
	if (!*page || strchr(page, '/') || strchr(page, '.') ||
	    (size_t)snprintf(buf, size, "hugetlb.%s.%s", page, suffix) >= size)
		return err_set(e, "linux.resources.hugepageLimits: bad page size \"%s\"", page);
	return 0;
}

/* A device rule in the kernel's v1 words. Type "a" in the kernel means
 * "everything" whatever else the rule says, so a narrower "a" rule is
 * written as the same rule for "c" and for "b". */
static int map_devices(const struct oci_resources *r, struct oci_cgroup_writes *w, struct err *e)
{
	static const char D[] = "linux.resources.devices";

	if (!r->n_devices)
		return 0;
	ADD(OCI_CG_DEVICES, 0, D, "devices.deny", "a");
	for (size_t i = 0; i < r->n_devices; i++) {
		const struct oci_device_rule *d = &r->devices[i];
		const char *file = d->allow ? "devices.allow" : "devices.deny";
		const char *acc = d->access[0] ? d->access : "rwm";
		char dev[64];

		devnum(dev, sizeof(dev), d->major, d->minor);
		if (d->type == 'a' && d->major < 0 && d->minor < 0 && strlen(acc) == 3) {
			ADD(OCI_CG_DEVICES, 0, D, file, "a");
		} else if (d->type == 'a') {
			ADD(OCI_CG_DEVICES, 0, D, file, "c %s %s", dev, acc);
			ADD(OCI_CG_DEVICES, 0, D, file, "b %s %s", dev, acc);
		} else if (d->type == 'c' || d->type == 'b') {
			ADD(OCI_CG_DEVICES, 0, D, file, "%c %s %s", d->type, dev, acc);
		} else {
			return err_set(e, "%s[%zu]: type '%c' is not a, b or c", D, i, d->type);
		}
	}
	return 0;
}

int oci_cgroup_v1_map(const struct oci_resources *r, struct oci_cgroup_writes *w, struct err *e)
{
	char file[64];

	if (map_memory(r, w, e) < 0 || map_cpu(r, w, e) < 0 || map_blkio(r, w, e) < 0)
		return -1;
	if (r->pids.limit.has) {
		if (r->pids.limit.v > 0)
			ADD(OCI_CG_PIDS, 0, "linux.resources.pids.limit", "pids.max", "%" PRId64,
			    r->pids.limit.v);
		else
			ADD(OCI_CG_PIDS, 0, "linux.resources.pids.limit", "pids.max", "max");
	}
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct oci_hugepage_limit *h = &r->hugepage_limits[i];

		if (hugetlb_file(file, sizeof(file), h->page_size, "limit_in_bytes", e) < 0)
			return -1;
		ADD(OCI_CG_HUGETLB, 0, "linux.resources.hugepageLimits", file, "%" PRIu64,
		    h->limit);
	}
	if (r->network.class_id.has)
		ADD(OCI_CG_NET_CLS, 0, "linux.resources.network.classID", "net_cls.classid",
		    "%" PRIu64, r->network.class_id.v);
	for (size_t i = 0; i < r->network.n_priorities; i++)
		ADD(OCI_CG_NET_PRIO, 0, "linux.resources.network.priorities", "net_prio.ifpriomap",
		    "%s %" PRIu32, r->network.priorities[i].name,
		    r->network.priorities[i].priority);
	return map_devices(r, w, e);
}

/* ---------------------------------------------------------------- create */

/* A new cpuset cgroup starts with no CPUs and no memory nodes, and nobody
 * can join it until both are set: inherit the parent's. */
static int cpuset_level(struct oci_cgroup *cg, int slot, const char *parent, const char *child,
			bool made, void *arg, struct err *e)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};

	if (!made)
		return 0;
	for (int i = 0; i < 2; i++) {
		char *mine, *theirs;
		int rc = 0;

		if (oci_cgroup_read_file(child, files[i], &mine, e) < 0)
			return -1;
		if (mine[strspn(mine, " \n")] == '\0') {
			rc = oci_cgroup_read_file(parent, files[i], &theirs, e);
			if (rc == 0) {
				theirs[strcspn(theirs, "\n")] = '\0';
				rc = oci_cgroup_write_file(child, files[i], theirs, e);
				free(theirs);
			}
		}
		free(mine);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Slots a plan writes to: their folders must exist. Other hierarchies
 * (name=systemd, perf_event...) are joined when possible; a read-only one,
 * as in a container, is left out rather than failing the start. */
static unsigned used_slots(const struct oci_cgroup_plan *p)
{
	unsigned used = 0;

	for (size_t i = 0; i < p->w.n; i++)
		used |= 1u << p->w.v[i].slot;
	if (p->bpf_devices)
		used |= 1u << OCI_CG_V2SLOT;
	return used;
}

static int make_slot(struct oci_cgroup *cg, int s, const struct oci_cgroup_plan *p, struct err *e)
{
	struct err tmp;
	int rc;

	if (s == OCI_CG_V2SLOT)
		rc = oci_cgroup_v2_mkdir(cg, p->v2_need, p->v2_need, &tmp);
	else
		rc = oci_cgroup_mkdirs(
			cg, s, cg->l->v1[s].ctrls & OCI_CG_BIT(OCI_CG_CPUSET) ? cpuset_level : NULL,
			NULL, &tmp);
	if (rc == 0)
		return 0;
	if (!(used_slots(p) & (1u << s)) &&
	    (tmp.errnum == EROFS || tmp.errnum == EACCES || tmp.errnum == EPERM)) {
		free(cg->dir[s]);
		cg->dir[s] = NULL;
		return 0;
	}
	if (e)
		*e = tmp;
	return -1;
}

static int v1_create(struct oci_cgroup *cg, const struct oci_resources *r, pid_t pid, struct err *e)
{
	struct oci_cgroup_plan p;
	int rc = -1;

	if (oci_cgroup_plan(cg->l, r, &p, e) < 0)
		return -1;
	for (int s = 0; s < OCI_CG_NSLOT; s++)
		if (cg->dir[s] && make_slot(cg, s, &p, e) < 0)
			goto out;
	rc = oci_cgroup_common_finish(cg, r, &p, pid, e);
out:
	oci_cgroup_plan_free(&p);
	return rc;
}

/* ---------------------------------------------------------------- freezer */

/* 1 reached, 0 not yet. A cgroup stuck in FREEZING is asked again: old
 * kernels could miss tasks that forked during the first request. */
static int freezer_state(const char *dir, bool want_frozen, struct err *e)
{
	char *s;
	int r;

	if (oci_cgroup_read_file(dir, "freezer.state", &s, e) < 0)
		return -1;
	if (want_frozen)
		r = strncmp(s, "FROZEN", 6) == 0;
	else
		r = strncmp(s, "THAWED", 6) == 0;
	free(s);
	if (r == 0 &&
	    oci_cgroup_write_file(dir, "freezer.state", want_frozen ? "FROZEN" : "THAWED", e) < 0)
		return -1;
	return r;
}

static int v1_freezer(struct oci_cgroup *cg, enum oci_cgroup_freezer_op op, struct err *e)
{
	int s = oci_cgroup_v1_slot(cg->l, OCI_CG_FREEZER);
	const char *dir = s >= 0 ? cg->dir[s] : NULL;
	char *state;
	int r;

	if (!dir && cg->dir[OCI_CG_V2SLOT] && CFG_CGROUP_V2)
		return oci_cgroup_v2_freezer(cg->dir[OCI_CG_V2SLOT], op, e);
	if (!dir && op == OCI_CG_QUERY)
		return 0;
	if (!dir)
		return err_set(e, "no freezer: the freezer cgroup controller is not mounted");
	if (op == OCI_CG_QUERY) {
		if (oci_cgroup_read_file(dir, "freezer.state", &state, e) < 0)
			return -1;
		r = strncmp(state, "THAWED", 6) != 0;
		free(state);
		return r;
	}
	if (oci_cgroup_write_file(dir, "freezer.state", op == OCI_CG_FREEZE ? "FROZEN" : "THAWED",
				  e) < 0)
		return -1;
	if (oci_cgroup_wait_state(dir, freezer_state, op == OCI_CG_FREEZE, e) == 0)
		return 0;
	if (op == OCI_CG_FREEZE) /* half frozen is worse than not frozen */
		oci_cgroup_write_file(dir, "freezer.state", "THAWED", NULL);
	return -1;
}

/* ---------------------------------------------------------------- stats */

static const char *ctrl_dir(struct oci_cgroup *cg, int ctrl)
{
	int s = oci_cgroup_v1_slot(cg->l, ctrl);

	return s >= 0 ? cg->dir[s] : NULL;
}

/* The first of memory.stat's hierarchical ("total_") or local counters. */
static uint64_t stat_of(const char *text, const char *key)
{
	char total[64];
	uint64_t v = 0;

	snprintf(total, sizeof(total), "total_%s", key);
	if (!oci_cgroup_kv(text, total, &v))
		oci_cgroup_kv(text, key, &v);
	return v;
}

static void v1_memory(const char *dir, struct oci_cgroup_stats *st)
{
	char *text;
	uint64_t v;

	if (oci_cgroup_read_u64(dir, "memory.usage_in_bytes", &st->memory.usage, NULL) < 0)
		return;
	oci_cgroup_read_u64(dir, "memory.max_usage_in_bytes", &st->memory.max_usage, NULL);
	oci_cgroup_read_u64(dir, "memory.limit_in_bytes", &st->memory.limit, NULL);
	oci_cgroup_read_u64(dir, "memory.failcnt", &st->memory.failcnt, NULL);
	oci_cgroup_read_u64(dir, "memory.memsw.usage_in_bytes", &st->memory.swap_usage, NULL);
	oci_cgroup_read_u64(dir, "memory.memsw.limit_in_bytes", &st->memory.swap_limit, NULL);
	if (oci_cgroup_read_file(dir, "memory.stat", &text, NULL) == 0) {
		st->memory.cache = stat_of(text, "cache");
		st->memory.rss = stat_of(text, "rss");
		st->memory.inactive_file = stat_of(text, "inactive_file");
		oci_cgroup_parse_memstat(text, st);
		free(text);
	}
	/* oom_kill is there since Linux 4.13; before, under_oom is all. */
	if (oci_cgroup_read_file(dir, "memory.oom_control", &text, NULL) == 0) {
		if (oci_cgroup_kv(text, "oom_kill", &v))
			st->memory.oom_kill = v;
		free(text);
	}
	st->have |= OCI_CG_BIT(OCI_CG_MEMORY);
}

/* cpuacct.usage_percpu: one number per possible CPU, blank-separated. */
static void v1_percpu(const char *dir, struct oci_cgroup_stats *st)
{
	char *text, *p, *end;

	if (oci_cgroup_read_file(dir, "cpuacct.usage_percpu", &text, NULL) < 0)
		return;
	for (p = text; st->cpu.ncpu < OCI_CG_STAT_MAX_CPU; p = end) {
		uint64_t v = strtoull(p, &end, 10);

		if (end == p)
			break;
		st->cpu.percpu[st->cpu.ncpu++] = v;
	}
	free(text);
}

static void v1_cpu(const char *acct, const char *cpu, struct oci_cgroup_stats *st)
{
	char *text;

	if (acct && oci_cgroup_read_u64(acct, "cpuacct.usage", &st->cpu.total, NULL) == 0) {
		st->have |= OCI_CG_BIT(OCI_CG_CPU);
		v1_percpu(acct, st);
		if (oci_cgroup_read_file(acct, "cpuacct.stat", &text, NULL) == 0) {
			/* In USER_HZ ticks. */
			uint64_t ns = 1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK), v;

			if (oci_cgroup_kv(text, "user", &v))
				st->cpu.user = v * ns;
			if (oci_cgroup_kv(text, "system", &v))
				st->cpu.system = v * ns;
			free(text);
		}
	}
	if (cpu && oci_cgroup_read_file(cpu, "cpu.stat", &text, NULL) == 0) {
		oci_cgroup_kv(text, "nr_periods", &st->cpu.periods);
		oci_cgroup_kv(text, "nr_throttled", &st->cpu.throttled_periods);
		oci_cgroup_kv(text, "throttled_time", &st->cpu.throttled_time);
		free(text);
	}
}

static size_t io_dev(struct oci_cgroup_stats *st, unsigned maj, unsigned min)
{
	size_t i;

	for (i = 0; i < st->io.n; i++)
		if (st->io.dev[i].major == maj && st->io.dev[i].minor == min)
			return i;
	if (i == OCI_CG_STAT_MAX_BLKDEV)
		return i;
	st->io.dev[i].major = maj;
	st->io.dev[i].minor = min;
	st->io.n++;
	return i;
}

/* "8:0 Read 4096" lines; bytes or ios by file. */
static int v1_io_file(const char *dir, const char *file, bool bytes, struct oci_cgroup_stats *st)
{
	char *text, *line, *save = NULL;

	if (oci_cgroup_read_file(dir, file, &text, NULL) < 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *op;
		unsigned maj, min;
		size_t i;
		uint64_t v;

		if (!(op = oci_cgroup_parse_devnum(line, &maj, &min)) ||
		    (i = io_dev(st, maj, min)) == OCI_CG_STAT_MAX_BLKDEV)
			continue;
		v = strtoull(op + strcspn(op, " "), NULL, 10);
		if (strncmp(op, "Read ", 5) == 0)
			*(bytes ? &st->io.dev[i].rbytes : &st->io.dev[i].rios) = v;
		else if (strncmp(op, "Write ", 6) == 0)
			*(bytes ? &st->io.dev[i].wbytes : &st->io.dev[i].wios) = v;
	}
	free(text);
	return 0;
}

static void v1_io(const char *dir, struct oci_cgroup_stats *st)
{
	if (v1_io_file(dir, "blkio.throttle.io_service_bytes_recursive", true, st) < 0 &&
	    v1_io_file(dir, "blkio.throttle.io_service_bytes", true, st) < 0)
		return;
	if (v1_io_file(dir, "blkio.throttle.io_serviced_recursive", false, st) < 0)
		v1_io_file(dir, "blkio.throttle.io_serviced", false, st);
	st->have |= OCI_CG_BIT(OCI_CG_IO);
}

void oci_cgroup_v1_read_stats(const struct oci_cgroup_v1_dirs *d, struct oci_cgroup_stats *st)
{
	v1_cpu(d->cpuacct, d->cpu, st);
	if (d->memory)
		v1_memory(d->memory, st);
	if (d->pids && oci_cgroup_read_u64(d->pids, "pids.current", &st->pids.current, NULL) == 0) {
		if (oci_cgroup_read_u64(d->pids, "pids.max", &st->pids.limit, NULL) < 0 ||
		    st->pids.limit == UINT64_MAX)
			st->pids.limit = 0;
		st->have |= OCI_CG_BIT(OCI_CG_PIDS);
	}
	if (d->blkio)
		v1_io(d->blkio, st);
}

static int v1_stats(struct oci_cgroup *cg, struct oci_cgroup_stats *st, struct err *e)
{
	struct oci_cgroup_v1_dirs d = {
		.cpu = ctrl_dir(cg, OCI_CG_CPU),
		.cpuacct = ctrl_dir(cg, OCI_CG_CPUACCT),
		.memory = ctrl_dir(cg, OCI_CG_MEMORY),
		.pids = ctrl_dir(cg, OCI_CG_PIDS),
		.blkio = ctrl_dir(cg, OCI_CG_IO),
	};
	unsigned v2_mask = 0;

	oci_cgroup_v1_read_stats(&d, st);
	/* On hybrid hosts, what v1 lacks may be on the cgroup2 half (cpu.stat
	 * is there without any controller). */
	for (int c = 0; c < OCI_CG_NCTRL; c++)
		if (!(st->have & OCI_CG_BIT(c)) &&
		    ((cg->l->v2.ctrls & OCI_CG_BIT(c)) || c == OCI_CG_CPU))
			v2_mask |= OCI_CG_BIT(c);
	if (v2_mask && cg->dir[OCI_CG_V2SLOT])
		return oci_cgroup_v2_read_stats(cg->dir[OCI_CG_V2SLOT], v2_mask, st, e);
	return 0;
}

const struct oci_cgroup_ops oci_cgroup_v1_ops = {
	.name = "v1",
	.create = v1_create,
	.enter = oci_cgroup_common_enter,
	.update = oci_cgroup_common_update,
	.freezer = v1_freezer,
	.pids = oci_cgroup_common_pids,
	.kill_all = oci_cgroup_common_kill_all,
	.stats = v1_stats,
	.destroy = oci_cgroup_common_destroy,
};
