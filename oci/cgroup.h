/* cgroup.h - a container's cgroups on cgroup v1, hybrid and pure v2 hosts: which
 * layout the host has (found at run time), where the container's cgroup lives,
 * and the operations the runtime needs (create, update, freeze, kill, stats). */
#ifndef TUG_OCI_CGROUP_H
#define TUG_OCI_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "oci/spec.h"

/* The controllers tug knows. OCI_CG_IO is "blkio" on v1 and "io" on v2. */
enum oci_cgroup_ctrl {
	OCI_CG_CPU,
	OCI_CG_CPUACCT,
	OCI_CG_CPUSET,
	OCI_CG_MEMORY,
	OCI_CG_DEVICES,
	OCI_CG_FREEZER,
	OCI_CG_IO,
	OCI_CG_PIDS,
	OCI_CG_HUGETLB,
	OCI_CG_NET_CLS,
	OCI_CG_NET_PRIO,
	OCI_CG_PERF_EVENT,
	OCI_CG_RDMA,
	OCI_CG_MISC,
	OCI_CG_NCTRL
};
#define OCI_CG_BIT(c) (1u << (c))

enum oci_cgroup_mode {
	OCI_CGROUP_LEGACY, /* v1 hierarchies only */
	OCI_CGROUP_HYBRID, /* v1 hierarchies plus a cgroup2 mount (systemd's "unified") */
	OCI_CGROUP_UNIFIED, /* pure v2: /sys/fs/cgroup itself is cgroup2 */
};

#define OCI_CG_MAX_HIER 16

/* One mounted hierarchy. Strings are owned by the layout. */
struct oci_cgroup_hier {
	char *mnt; /* mount point: "/sys/fs/cgroup/cpu,cpuacct" */
	char *root; /* the hierarchy path mounted there (mountinfo field 4), usually "/" */
	char *name; /* v1 named hierarchy ("systemd" for name=systemd), else NULL */
	unsigned ctrls; /* OCI_CG_BIT()s: v1 the mount's controllers, v2 cgroup.controllers */
	char *own; /* this process's cgroup in it (/proc/self/cgroup), NULL if not listed */
};

struct oci_cgroup_layout {
	enum oci_cgroup_mode mode;
	struct oci_cgroup_hier v1[OCI_CG_MAX_HIER]; /* empty in UNIFIED mode */
	size_t n_v1;
	bool has_v2; /* a cgroup2 mount was found (always in UNIFIED) */
	struct oci_cgroup_hier v2; /* valid when has_v2 */
};

/* What detection reads, so that tests can feed recorded texts. NULL texts
 * are read from /proc/self/...; root is where the hierarchies are expected. */
struct oci_cgroup_probe {
	const char *root; /* NULL: "/sys/fs/cgroup" */
	const char *mountinfo; /* /proc/self/mountinfo text */
	const char *self_cgroup; /* /proc/self/cgroup text */
	const char *v2_controllers; /* cgroup.controllers of the cgroup2 mount, NULL: read it */
	bool root_is_cgroup2; /* statfs(root) said CGROUP2_SUPER_MAGIC */
};

/* Look at the running system (statfs, /proc/self/mountinfo, /proc/self/cgroup). */
int oci_cgroup_detect(struct oci_cgroup_layout *l, struct err *e);
/* The same from given texts; fields the probe leaves NULL are read live. */
int oci_cgroup_detect_from(struct oci_cgroup_layout *l, const struct oci_cgroup_probe *p,
			   struct err *e);
void oci_cgroup_layout_free(struct oci_cgroup_layout *l);
const char *oci_cgroup_mode_name(enum oci_cgroup_mode m);
/* "memory", "io" on v2 / "blkio" on v1; NULL for an unknown number. */
const char *oci_cgroup_ctrl_name(int ctrl, bool v2);

/* A container's cgroup, resolved in every hierarchy of a layout. */
struct oci_cgroup;

/* Resolve linux.cgroupsPath (may be NULL) for container id:
 *   "/a/b"      absolute: under each hierarchy's root;
 *   "a/b"       relative: under this process's own cgroup (on cgroup2 its
 *               parent's, as runc does: a populated cgroup cannot delegate);
 *   NULL or ""  as runc: the relative path "<id>";
 *   "x:y:z"     the systemd form: refused, this build has no systemd driver.
 * ".." cannot climb out. The layout is borrowed and must outlive *out. */
int oci_cgroup_open(const struct oci_cgroup_layout *l, const char *cgroups_path, const char *id,
		    struct oci_cgroup **out, struct err *e);
/* Reopen from text in /proc/PID/cgroup form: what oci_cgroup_save wrote to
 * the container's state, or /proc/<init pid>/cgroup read while it runs. */
int oci_cgroup_open_saved(const struct oci_cgroup_layout *l, const char *text,
			  struct oci_cgroup **out, struct err *e);
/* The resolved paths, one "N:controllers:path" line per hierarchy; *text is
 * malloc'd, the caller frees it. */
int oci_cgroup_save(const struct oci_cgroup *cg, char **text, struct err *e);
void oci_cgroup_free(struct oci_cgroup *cg);
/* The container's folder in the hierarchy that holds ctrl (-1: the cgroup2
 * part), NULL when there is none; borrowed from cg. */
const char *oci_cgroup_dir(const struct oci_cgroup *cg, int ctrl);
/* "v1" or "v2": which driver handles cg. */
const char *oci_cgroup_driver(const struct oci_cgroup *cg);

/* Make the cgroup in every hierarchy, apply r (may be NULL), then move pid in
 * (pid 0: nobody). On failure, folders this call made are removed again. */
int oci_cgroup_create(struct oci_cgroup *cg, const struct oci_resources *r, pid_t pid,
		      struct err *e);
/* Move pid into the container's cgroups (exec). */
int oci_cgroup_enter(struct oci_cgroup *cg, pid_t pid, struct err *e);
int oci_cgroup_update(struct oci_cgroup *cg, const struct oci_resources *r, struct err *e);
/* Freeze and thaw wait until the kernel reports the new state (2 s at most). */
int oci_cgroup_freeze(struct oci_cgroup *cg, struct err *e);
int oci_cgroup_thaw(struct oci_cgroup *cg, struct err *e);
/* *frozen: 1 frozen, 0 not (also when no freezer exists). */
int oci_cgroup_frozen(struct oci_cgroup *cg, int *frozen, struct err *e);
/* Every process in the cgroup and its sub-cgroups; *pids is malloc'd. */
int oci_cgroup_pids(struct oci_cgroup *cg, pid_t **pids, size_t *n, struct err *e);
/* Signal every process. Uses cgroup.kill for SIGKILL when the kernel has it,
 * otherwise freezes the cgroup around the walk so nobody forks past it. */
int oci_cgroup_kill_all(struct oci_cgroup *cg, int sig, struct err *e);
/* Remove the container's cgroups (sub-cgroups first) in every hierarchy;
 * processes still there are killed and the removal retried for a second. */
int oci_cgroup_destroy(struct oci_cgroup *cg, struct err *e);

#define OCI_CG_STAT_MAX_BLKDEV 16
#define OCI_CG_STAT_MAX_CPU 256
#define OCI_CG_STAT_MAX_MEMSTAT 96

/* One "key value" line of memory.stat. */
struct oci_cgroup_kv {
	char key[40];
	uint64_t v;
};

/* Counters for `events --stats` and docker stats. "Unlimited" limits read
 * as UINT64_MAX; pids.limit reads 0 when unlimited (runc's convention).
 * Fixed arrays, no allocation: about 7 KiB, fine on a thread's stack. */
struct oci_cgroup_stats {
	unsigned have; /* OCI_CG_BIT(OCI_CG_CPU / MEMORY / PIDS / IO) for what was read */
	unsigned from_v2; /* the same bits for what came from cgroup2 files */
	struct {
		uint64_t total, user, system; /* nanoseconds */
		uint64_t periods, throttled_periods, throttled_time; /* time in ns */
		uint64_t percpu[OCI_CG_STAT_MAX_CPU]; /* v1 cpuacct.usage_percpu, ns */
		size_t ncpu; /* 0 on v2: it has no per-CPU counters */
	} cpu;
	struct {
		uint64_t usage, max_usage, limit, failcnt;
		uint64_t swap_usage, swap_limit; /* v1: memory+swap (memsw), v2: swap alone */
		uint64_t cache, rss, inactive_file;
		/* processes the OOM killer took (v1 memory.oom_control, v2
		 * memory.events oom_kill) and, v2 only, times the limit made
		 * the kernel run it (memory.events oom) */
		uint64_t oom_kill, oom;
		struct oci_cgroup_kv stat[OCI_CG_STAT_MAX_MEMSTAT]; /* memory.stat as read */
		size_t nstat;
	} memory;
	struct {
		uint64_t current, limit;
	} pids;
	struct {
		size_t n;
		struct {
			uint32_t major, minor;
			uint64_t rbytes, wbytes, rios, wios;
		} dev[OCI_CG_STAT_MAX_BLKDEV];
	} io;
};

int oci_cgroup_stats(struct oci_cgroup *cg, struct oci_cgroup_stats *st, struct err *e);
/* memory.stat text into st->memory.stat (the first OCI_CG_STAT_MAX_MEMSTAT
 * lines); the value of key in it, 0 when absent. */
void oci_cgroup_parse_memstat(const char *text, struct oci_cgroup_stats *st);
uint64_t oci_cgroup_memstat(const struct oci_cgroup_stats *st, const char *key);

/* Mount the container's view of the cgroups on dest (relative to rootfd, a
 * container's root): cgroup2 on unified hosts, else a tmpfs with a folder
 * per v1 hierarchy, mounted fresh with cgroupns or bound from cg without.
 * flags are the mount's MS_* (MS_RDONLY makes all of it read-only). */
int oci_cgroup_mount(const struct oci_cgroup *cg, const struct oci_cgroup_layout *l, int rootfd,
		     const char *dest, unsigned long flags, bool cgroupns, struct err *e);

#endif
