/* cgroup-v2.c - the cgroup v2 driver: one folder in the unified hierarchy,
 * controllers handed down through cgroup.subtree_control, v2 files, the
 * cgroup.freeze/cgroup.kill knobs. Hybrid hosts use its helpers too. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/cgroup-priv.h"

#define ADD(ctrl, flags, what, file, ...)                                                          \
	do {                                                                                       \
		if (oci_cgroup_writes_add(w, ctrl, flags, what, file, e, __VA_ARGS__) < 0)         \
			return -1;                                                                 \
	} while (0)

/* The controllers this driver can use; a pure v2 host gets all it offers
 * of these turned on, so that stats work even without limits. */
#define V2_USABLE                                                                                  \
	(OCI_CG_BIT(OCI_CG_CPU) | OCI_CG_BIT(OCI_CG_CPUSET) | OCI_CG_BIT(OCI_CG_MEMORY) |          \
	 OCI_CG_BIT(OCI_CG_IO) | OCI_CG_BIT(OCI_CG_PIDS) | OCI_CG_BIT(OCI_CG_HUGETLB) |            \
	 OCI_CG_BIT(OCI_CG_RDMA) | OCI_CG_BIT(OCI_CG_MISC))

static void max_or(char *buf, size_t size, int64_t v)
{
	if (v < 0)
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%" PRId64, v);
}

/* OCI's swap is memory+swap (the v1 meaning); memory.swap.max is swap
 * alone. The conversion and its checks are runc's. */
static int map_memory(const struct oci_resources *r, struct oci_cgroup_writes *w, struct err *e)
{
	static const char LIM[] = "linux.resources.memory.limit";
	static const char SWP[] = "linux.resources.memory.swap";
	int64_t limit = r->memory.limit.has ? r->memory.limit.v : 0;
	int64_t swap = r->memory.swap.has ? r->memory.swap.v : 0;
	int64_t res = r->memory.reservation.has ? r->memory.reservation.v : 0;
	char v[32];

	if (limit < -1 || swap < -1 || res < -1)
		return err_set(e, "linux.resources.memory: a size below -1");
	if (limit == -1 && swap == 0)
		swap = -1;
	if (swap > 0 && limit > 0 && swap < limit)
		return err_set(
			e, "%s: memory+swap limit %" PRId64 " is below the memory limit %" PRId64,
			SWP, swap, limit);
	if (swap > 0 && limit <= 0) {
		/* Fine for v1 (memsw alone): an error only if v2 gets the memory controller. */
		ADD(OCI_CG_MEMORY, OCI_CGW_ERROR, SWP, "memory.swap.max",
		    "a swap limit needs a memory limit on cgroup v2");
	} else if (swap) {
		if (swap > 0)
			swap -= limit;
		max_or(v, sizeof(v), swap);
		ADD(OCI_CG_MEMORY, swap < 0 ? OCI_CGW_OPTIONAL : 0, SWP, "memory.swap.max", "%s",
		    v);
	}
	if (limit) {
		max_or(v, sizeof(v), limit);
		ADD(OCI_CG_MEMORY, 0, LIM, "memory.max", "%s", v);
	}
	if (res) {
		max_or(v, sizeof(v), res);
		ADD(OCI_CG_MEMORY, 0, "linux.resources.memory.reservation", "memory.low", "%s", v);
	}
	/* kernel, kernelTCP, swappiness and disableOOMKiller have no v2 knob:
	 * ignored, as runc does. */
	return 0;
}

static int map_cpu(const struct oci_resources *r, struct oci_cgroup_writes *w, struct err *e)
{
	uint64_t period = r->cpu.period.has ? r->cpu.period.v : 0;
	int64_t quota = r->cpu.quota.has ? r->cpu.quota.v : 0;

	if (r->cpu.shares.has && r->cpu.shares.v)
		ADD(OCI_CG_CPU, 0, "linux.resources.cpu.shares", "cpu.weight", "%" PRIu64,
		    oci_cgroup_shares_to_weight(r->cpu.shares.v));
	if (quota || period) {
		char q[32] = "max";

		if (quota > 0)
			snprintf(q, sizeof(q), "%" PRId64, quota);
		if (period)
			ADD(OCI_CG_CPU, 0, "linux.resources.cpu.quota", "cpu.max", "%s %" PRIu64, q,
			    period);
		else
			ADD(OCI_CG_CPU, 0, "linux.resources.cpu.quota", "cpu.max", "%s", q);
	}
	if (r->cpu.burst.has)
		ADD(OCI_CG_CPU, 0, "linux.resources.cpu.burst", "cpu.max.burst", "%" PRIu64,
		    r->cpu.burst.v);
	if (r->cpu.idle.has)
		ADD(OCI_CG_CPU, 0, "linux.resources.cpu.idle", "cpu.idle", "%" PRId64,
		    r->cpu.idle.v);
	if ((r->cpu.realtime_period.has && r->cpu.realtime_period.v) ||
	    (r->cpu.realtime_runtime.has && r->cpu.realtime_runtime.v))
		ADD(OCI_CG_CPU, OCI_CGW_ERROR, "linux.resources.cpu.realtimeRuntime", "cpu.max",
		    "realtime CPU limits have no cgroup v2 equivalent");
	if (r->cpu.cpus && *r->cpu.cpus)
		ADD(OCI_CG_CPUSET, 0, "linux.resources.cpu.cpus", "cpuset.cpus", "%s", r->cpu.cpus);
	if (r->cpu.mems && *r->cpu.mems)
		ADD(OCI_CG_CPUSET, 0, "linux.resources.cpu.mems", "cpuset.mems", "%s", r->cpu.mems);
	return 0;
}

static void devnum(char *buf, size_t size, int64_t major, int64_t minor)
{
	snprintf(buf, size, "%" PRId64 ":%" PRId64, major, minor);
}

/* io.bfq.weight takes blkio's 1..1000 scale as is; io.weight is 1..10000. */
static int map_io(const struct oci_resources *r, struct oci_cgroup_writes *w, struct err *e)
{
	static const char *const key[4] = {"rbps", "wbps", "riops", "wiops"};
	static const char W[] = "linux.resources.blockIO.weight";
	static const char WD[] = "linux.resources.blockIO.weightDevice";
	char dev[48];

	if (r->block_io.weight.has && r->block_io.weight.v) {
		uint64_t v = r->block_io.weight.v;

		ADD(OCI_CG_IO, OCI_CGW_OPTIONAL, W, "io.bfq.weight", "%" PRIu64, v);
		ADD(OCI_CG_IO, OCI_CGW_ALT, W, "io.weight", "default %" PRIu64,
		    oci_cgroup_blkio_to_io_weight(v));
	}
	for (size_t i = 0; i < r->block_io.n_weight_device; i++) {
		const struct oci_weight_device *d = &r->block_io.weight_device[i];

		if (!d->weight.has)
			continue;
		if (d->major < 0 || d->minor < 0) {
			ADD(OCI_CG_IO, OCI_CGW_ERROR, WD, "io.weight",
			    "cgroup v2 needs a device number, not a wildcard");
			continue;
		}
		devnum(dev, sizeof(dev), d->major, d->minor);
		ADD(OCI_CG_IO, OCI_CGW_OPTIONAL, WD, "io.bfq.weight", "%s %" PRIu64, dev,
		    d->weight.v);
		ADD(OCI_CG_IO, OCI_CGW_ALT, WD, "io.weight", "%s %" PRIu64, dev,
		    oci_cgroup_blkio_to_io_weight(d->weight.v));
	}
	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < r->block_io.n_throttle[k]; i++) {
			const struct oci_throttle_device *t = &r->block_io.throttle[k][i];

			if (t->major < 0 || t->minor < 0) {
				ADD(OCI_CG_IO, OCI_CGW_ERROR, "linux.resources.blockIO.throttle",
				    "io.max", "cgroup v2 needs a device number, not a wildcard");
				continue;
			}
			devnum(dev, sizeof(dev), t->major, t->minor);
			/* v1 takes 0 as "no limit"; v2 would take it as a limit of 0. */
			if (t->rate)
				ADD(OCI_CG_IO, 0, "linux.resources.blockIO.throttle", "io.max",
				    "%s %s=%" PRIu64, dev, key[k], t->rate);
			else
				ADD(OCI_CG_IO, 0, "linux.resources.blockIO.throttle", "io.max",
				    "%s %s=max", dev, key[k]);
		}
	return 0;
}

/* Written verbatim, last, so that they win; a key is a file name in the
 * container's cgroup and nothing else. */
static int map_unified(const struct oci_resources *r, struct oci_cgroup_writes *w, struct err *e)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key, *dot = strchr(k, '.');
		int c = -1;

		if (!*k || strchr(k, '/') || strstr(k, "..") || !dot || dot == k)
			return err_set(
				e, "linux.resources.unified: \"%s\" is not a cgroup file name", k);
		for (int j = 0; j < OCI_CG_NCTRL; j++) {
			const char *n = oci_cgroup_ctrl_name(j, true);

			if (n && strlen(n) == (size_t)(dot - k) && strncmp(n, k, dot - k) == 0)
				c = j;
		}
		if (c < 0 && strncmp(k, "cgroup.", 7) != 0)
			return err_set(e,
				       "linux.resources.unified: \"%s\" belongs to no cgroup v2 "
				       "controller tug knows",
				       k);
		ADD(c, 0, "linux.resources.unified", k, "%s", r->unified[i].value);
	}
	return 0;
}

int oci_cgroup_v2_map(const struct oci_resources *r, struct oci_cgroup_writes *w, struct err *e)
{
	char file[64];

	/* cgroup v2 has no net_cls or net_prio: say so rather than drop it. */
	if (r->network.class_id.has || r->network.n_priorities)
		return err_set(e, "linux.resources.network: cgroup v2 has no net_cls or "
				  "net_prio controller");

	if (map_memory(r, w, e) < 0 || map_cpu(r, w, e) < 0 || map_io(r, w, e) < 0)
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

		if (!*h->page_size || strchr(h->page_size, '/') || strchr(h->page_size, '.') ||
		    (size_t)snprintf(file, sizeof(file), "hugetlb.%s.max", h->page_size) >=
			    sizeof(file))
			return err_set(e, "linux.resources.hugepageLimits: bad page size \"%s\"",
				       h->page_size);
		ADD(OCI_CG_HUGETLB, 0, "linux.resources.hugepageLimits", file, "%" PRIu64,
		    h->limit);
	}
	return map_unified(r, w, e);
}

/* ---------------------------------------------------------------- create */

static unsigned read_ctrls(const char *dir, const char *file)
{
	unsigned mask = 0;
	char *text, *save = NULL;

	if (oci_cgroup_read_file(dir, file, &text, NULL) < 0)
		return 0;
	for (char *p = strtok_r(text, " \n", &save); p; p = strtok_r(NULL, " \n", &save))
		for (int c = 0; c < OCI_CG_NCTRL; c++) {
			const char *n = oci_cgroup_ctrl_name(c, true);

			if (n && strcmp(n, p) == 0)
				mask |= OCI_CG_BIT(c);
		}
	free(text);
	return mask;
}

/* Hand the wanted controllers down from parent to child. All at once first;
 * if the kernel refuses (a parent with processes in it, a controller in
 * threaded mode), one by one, and the check after mkdir names what failed. */
static int enable_level(struct oci_cgroup *cg, int slot, const char *parent, const char *child,
			bool made, void *arg, struct err *e)
{
	unsigned want = *(const unsigned *)arg & read_ctrls(parent, "cgroup.controllers");
	char buf[256];
	size_t n = 0;

	want &= ~read_ctrls(parent, "cgroup.subtree_control");
	if (!want)
		return 0;
	for (int c = 0; c < OCI_CG_NCTRL; c++)
		if (want & OCI_CG_BIT(c))
			n += snprintf(buf + n, sizeof(buf) - n, "%s+%s", n ? " " : "",
				      oci_cgroup_ctrl_name(c, true));
	if (oci_cgroup_write_file(parent, "cgroup.subtree_control", buf, NULL) == 0)
		return 0;
	for (int c = 0; c < OCI_CG_NCTRL; c++)
		if (want & OCI_CG_BIT(c)) {
			snprintf(buf, sizeof(buf), "+%s", oci_cgroup_ctrl_name(c, true));
			oci_cgroup_write_file(parent, "cgroup.subtree_control", buf, NULL);
		}
	return 0;
}

int oci_cgroup_v2_mkdir(struct oci_cgroup *cg, unsigned want, unsigned need, struct err *e)
{
	const char *dir = cg->dir[OCI_CG_V2SLOT];
	unsigned have;

	want |= need;
	if (oci_cgroup_mkdirs(cg, OCI_CG_V2SLOT, enable_level, &want, e) < 0)
		return -1;
	have = read_ctrls(dir, "cgroup.controllers");
	for (int c = 0; c < OCI_CG_NCTRL; c++)
		if ((need & ~have) & OCI_CG_BIT(c))
			return err_set(e,
				       "cgroup v2 controller \"%s\" could not be enabled for %s "
				       "(an ancestor has processes in it, or it is not delegated)",
				       oci_cgroup_ctrl_name(c, true), dir);
	return 0;
}

static int v2_create(struct oci_cgroup *cg, const struct oci_resources *r, pid_t pid, struct err *e)
{
	struct oci_cgroup_plan p;
	int rc = -1;

	if (oci_cgroup_plan(cg->l, r, &p, e) < 0)
		return -1;
	if (oci_cgroup_v2_mkdir(cg, cg->l->v2.ctrls & V2_USABLE, p.v2_need, e) < 0)
		goto out;
	rc = oci_cgroup_common_finish(cg, r, &p, pid, e);
out:
	oci_cgroup_plan_free(&p);
	return rc;
}

/* ---------------------------------------------------------------- freeze, kill */

static int events_frozen(const char *dir, bool want_frozen, struct err *e)
{
	uint64_t v = 0;
	char *text;

	if (oci_cgroup_read_file(dir, "cgroup.events", &text, e) < 0)
		return -1;
	oci_cgroup_kv(text, "frozen", &v);
	free(text);
	return (v == 1) == want_frozen;
}

int oci_cgroup_v2_freezer(const char *dir, enum oci_cgroup_freezer_op op, struct err *e)
{
	bool freeze = op == OCI_CG_FREEZE;

	if (!oci_cgroup_has_file(dir, "cgroup.freeze")) {
		if (op == OCI_CG_QUERY)
			return 0;
		return err_set(e, "%s %s: no cgroup.freeze (the kernel is older than 5.2)",
			       freeze ? "freeze" : "thaw", dir);
	}
	if (op == OCI_CG_QUERY)
		return events_frozen(dir, true, e);
	if (oci_cgroup_write_file(dir, "cgroup.freeze", freeze ? "1" : "0", e) < 0)
		return -1;
	if (oci_cgroup_wait_state(dir, events_frozen, freeze, e) == 0)
		return 0;
	if (freeze) /* half frozen is worse than not frozen */
		oci_cgroup_write_file(dir, "cgroup.freeze", "0", NULL);
	return -1;
}

static int v2_freezer(struct oci_cgroup *cg, enum oci_cgroup_freezer_op op, struct err *e)
{
	return oci_cgroup_v2_freezer(cg->dir[OCI_CG_V2SLOT], op, e);
}

int oci_cgroup_v2_kill(const char *dir, struct err *e)
{
	if (!oci_cgroup_has_file(dir, "cgroup.kill"))
		return 0;
	return oci_cgroup_write_file(dir, "cgroup.kill", "1", e) < 0 ? -1 : 1;
}

/* ---------------------------------------------------------------- stats */

static void v2_cpu(const char *dir, struct oci_cgroup_stats *st)
{
	char *t;

	if (oci_cgroup_read_file(dir, "cpu.stat", &t, NULL) < 0)
		return;
	if (oci_cgroup_kv(t, "usage_usec", &st->cpu.total)) {
		st->cpu.total *= 1000;
		st->have |= OCI_CG_BIT(OCI_CG_CPU);
		st->from_v2 |= OCI_CG_BIT(OCI_CG_CPU);
	}
	if (oci_cgroup_kv(t, "user_usec", &st->cpu.user))
		st->cpu.user *= 1000;
	if (oci_cgroup_kv(t, "system_usec", &st->cpu.system))
		st->cpu.system *= 1000;
	oci_cgroup_kv(t, "nr_periods", &st->cpu.periods);
	oci_cgroup_kv(t, "nr_throttled", &st->cpu.throttled_periods);
	if (oci_cgroup_kv(t, "throttled_usec", &st->cpu.throttled_time))
		st->cpu.throttled_time *= 1000;
	free(t);
}

static void v2_memory(const char *dir, struct oci_cgroup_stats *st)
{
	char *t;

	if (oci_cgroup_read_u64(dir, "memory.current", &st->memory.usage, NULL) < 0)
		return;
	oci_cgroup_read_u64(dir, "memory.peak", &st->memory.max_usage, NULL);
	oci_cgroup_read_u64(dir, "memory.max", &st->memory.limit, NULL);
	oci_cgroup_read_u64(dir, "memory.swap.current", &st->memory.swap_usage, NULL);
	oci_cgroup_read_u64(dir, "memory.swap.max", &st->memory.swap_limit, NULL);
	if (oci_cgroup_read_file(dir, "memory.events", &t, NULL) == 0) {
		oci_cgroup_kv(t, "max", &st->memory.failcnt);
		oci_cgroup_kv(t, "oom", &st->memory.oom);
		oci_cgroup_kv(t, "oom_kill", &st->memory.oom_kill);
		free(t);
	}
	if (oci_cgroup_read_file(dir, "memory.stat", &t, NULL) == 0) {
		oci_cgroup_kv(t, "file", &st->memory.cache);
		oci_cgroup_kv(t, "anon", &st->memory.rss);
		oci_cgroup_kv(t, "inactive_file", &st->memory.inactive_file);
		oci_cgroup_parse_memstat(t, st);
		free(t);
	}
	st->have |= OCI_CG_BIT(OCI_CG_MEMORY);
	st->from_v2 |= OCI_CG_BIT(OCI_CG_MEMORY);
}

/* io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0". */
static void v2_io(const char *dir, struct oci_cgroup_stats *st)
{
	static const char *const keys[4] = {"rbytes=", "wbytes=", "rios=", "wios="};
	char *t, *line, *save = NULL;

	if (oci_cgroup_read_file(dir, "io.stat", &t, NULL) < 0)
		return;
	for (line = strtok_r(t, "\n", &save); line && st->io.n < OCI_CG_STAT_MAX_BLKDEV;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *p;
		unsigned maj, min;
		uint64_t v[4] = {0, 0, 0, 0};

		if (!(p = oci_cgroup_parse_devnum(line, &maj, &min)))
			continue;
		for (; *p; p += strcspn(p, " "), p += strspn(p, " "))
			for (int k = 0; k < 4; k++)
				if (strncmp(p, keys[k], strlen(keys[k])) == 0)
					v[k] = strtoull(p + strlen(keys[k]), NULL, 10);
		st->io.dev[st->io.n].major = maj;
		st->io.dev[st->io.n].minor = min;
		st->io.dev[st->io.n].rbytes = v[0];
		st->io.dev[st->io.n].wbytes = v[1];
		st->io.dev[st->io.n].rios = v[2];
		st->io.dev[st->io.n++].wios = v[3];
	}
	free(t);
	st->have |= OCI_CG_BIT(OCI_CG_IO);
	st->from_v2 |= OCI_CG_BIT(OCI_CG_IO);
}

int oci_cgroup_v2_read_stats(const char *dir, unsigned mask, struct oci_cgroup_stats *st,
			     struct err *e)
{
	if (mask & OCI_CG_BIT(OCI_CG_CPU))
		v2_cpu(dir, st);
	if (mask & OCI_CG_BIT(OCI_CG_MEMORY))
		v2_memory(dir, st);
	if ((mask & OCI_CG_BIT(OCI_CG_PIDS)) &&
	    oci_cgroup_read_u64(dir, "pids.current", &st->pids.current, NULL) == 0) {
		if (oci_cgroup_read_u64(dir, "pids.max", &st->pids.limit, NULL) < 0 ||
		    st->pids.limit == UINT64_MAX)
			st->pids.limit = 0;
		st->have |= OCI_CG_BIT(OCI_CG_PIDS);
		st->from_v2 |= OCI_CG_BIT(OCI_CG_PIDS);
	}
	if (mask & OCI_CG_BIT(OCI_CG_IO))
		v2_io(dir, st);
	return 0;
}

/* cpu.stat is a core file: usage is there even without the cpu controller. */
static int v2_stats(struct oci_cgroup *cg, struct oci_cgroup_stats *st, struct err *e)
{
	return oci_cgroup_v2_read_stats(cg->dir[OCI_CG_V2SLOT],
					cg->l->v2.ctrls | OCI_CG_BIT(OCI_CG_CPU), st, e);
}

const struct oci_cgroup_ops oci_cgroup_v2_ops = {
	.name = "v2",
	.create = v2_create,
	.enter = oci_cgroup_common_enter,
	.update = oci_cgroup_common_update,
	.freezer = v2_freezer,
	.pids = oci_cgroup_common_pids,
	.kill_all = oci_cgroup_common_kill_all,
	.stats = v2_stats,
	.destroy = oci_cgroup_common_destroy,
};
