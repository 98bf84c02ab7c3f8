/* cgroup-priv.h - what cgroup.c and the v1/v2 drivers share: the manager
 * struct, the ops table, the resources -> (file, value) plan, file helpers.
 * A driver that is compiled out becomes inline stubs that say so. */
#ifndef TUG_OCI_CGROUP_PRIV_H
#define TUG_OCI_CGROUP_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "oci/cgroup.h"

/* Hierarchy slots of a manager: 0..n_v1-1 are the layout's v1 hierarchies,
 * OCI_CG_V2SLOT is the cgroup2 mount (pure v2, or the v2 half of hybrid). */
#define OCI_CG_V2SLOT OCI_CG_MAX_HIER
#define OCI_CG_NSLOT (OCI_CG_MAX_HIER + 1)

enum oci_cgroup_freezer_op { OCI_CG_QUERY, OCI_CG_FREEZE, OCI_CG_THAW };

struct oci_cgroup_ops {
	const char *name;
	int (*create)(struct oci_cgroup *cg, const struct oci_resources *r, pid_t pid,
		      struct err *e);
	int (*enter)(struct oci_cgroup *cg, pid_t pid, struct err *e);
	int (*update)(struct oci_cgroup *cg, const struct oci_resources *r, struct err *e);
	/* FREEZE/THAW wait for the new state; QUERY returns 1 when frozen. */
	int (*freezer)(struct oci_cgroup *cg, enum oci_cgroup_freezer_op op, struct err *e);
	int (*pids)(struct oci_cgroup *cg, pid_t **pids, size_t *n, struct err *e);
	int (*kill_all)(struct oci_cgroup *cg, int sig, struct err *e);
	int (*stats)(struct oci_cgroup *cg, struct oci_cgroup_stats *st, struct err *e);
	int (*destroy)(struct oci_cgroup *cg, struct err *e);
};

struct oci_cgroup {
	const struct oci_cgroup_layout *l; /* borrowed */
	const struct oci_cgroup_ops *ops;
	char *path[OCI_CG_NSLOT]; /* the cgroup in hierarchy terms ("/a/b"), owned */
	char *dir[OCI_CG_NSLOT]; /* its folder, owned; NULL: not in this hierarchy */
	size_t made[OCI_CG_NSLOT]; /* create: dir[s][made[s]] is the first folder it
				    * made ('/'), 0 when it made none */
};

/* One write of a plan. The mapping functions are pure: they fill these from
 * the spec alone; oci_cgroup_apply does the writing. */
enum {
	OCI_CGW_OPTIONAL = 1, /* a missing file is skipped */
	OCI_CGW_ALT = 2, /* only when the write before was skipped as missing */
	OCI_CGW_SOFT_EINVAL = 4, /* EINVAL is ignored: a later write repeats it */
	OCI_CGW_BEST_EFFORT = 8, /* deprecated knob: any failure is ignored */
	OCI_CGW_ERROR = 16, /* value is an error message, raised if the plan takes it */
};

struct oci_cgroup_write {
	signed char ctrl; /* OCI_CG_*, -1 for a core cgroup2 file (unified) */
	unsigned char flags; /* OCI_CGW_* */
	short slot; /* set by oci_cgroup_plan; -1 in a driver's raw map */
	const char *what; /* the spec field it comes from, for messages */
	char file[64];
	char *value; /* owned */
};

struct oci_cgroup_writes {
	struct oci_cgroup_write *v;
	size_t n, cap;
};

struct oci_cgroup_plan {
	struct oci_cgroup_writes w; /* in order of writing */
	bool bpf_devices; /* device rules go to a cgroup2 BPF program */
	unsigned v2_need; /* controllers the writes need on cgroup2 */
};

int oci_cgroup_writes_add(struct oci_cgroup_writes *w, int ctrl, unsigned flags, const char *what,
			  const char *file, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
void oci_cgroup_writes_free(struct oci_cgroup_writes *w);

/* The whole resources -> writes mapping for a layout: each controller is
 * taken from the v1 hierarchy that has it, else from cgroup2; a limit whose
 * controller exists nowhere is an error that names it. Pure. */
int oci_cgroup_plan(const struct oci_cgroup_layout *l, const struct oci_resources *r,
		    struct oci_cgroup_plan *p, struct err *e);
void oci_cgroup_plan_free(struct oci_cgroup_plan *p);
int oci_cgroup_apply(struct oci_cgroup *cg, const struct oci_cgroup_plan *p, struct err *e);

/* Slot of the v1 hierarchy holding ctrl, -1 when none. */
int oci_cgroup_v1_slot(const struct oci_cgroup_layout *l, int ctrl);

/* File helpers on a cgroup folder. Errors name the full path. */
int oci_cgroup_write_file(const char *dir, const char *file, const char *value, struct err *e);
int oci_cgroup_read_file(const char *dir, const char *file, char **text, struct err *e);
/* A number, or "max" (UINT64_MAX). */
int oci_cgroup_read_u64(const char *dir, const char *file, uint64_t *v, struct err *e);
bool oci_cgroup_has_file(const char *dir, const char *file);
/* "8:16 rest": the device number, and the rest after the blanks; NULL if
 * the text does not start with one. */
const char *oci_cgroup_parse_devnum(const char *p, unsigned *maj, unsigned *min);
/* "key value" lines (memory.stat, cpu.stat, cgroup.events): false if absent. */
bool oci_cgroup_kv(const char *text, const char *key, uint64_t *v);

/* Make dir[slot] level by level from its hierarchy's mount. level() runs for
 * each folder on the way (made says if this call created it), after mkdir. */
typedef int (*oci_cgroup_level_fn)(struct oci_cgroup *cg, int slot, const char *parent,
				   const char *child, bool made, void *arg, struct err *e);
int oci_cgroup_mkdirs(struct oci_cgroup *cg, int slot, oci_cgroup_level_fn level, void *arg,
		      struct err *e);
/* Remove what oci_cgroup_mkdirs made in every slot (failure cleanup). */
void oci_cgroup_unmake(struct oci_cgroup *cg);

/* The shared halves of the drivers. */
int oci_cgroup_common_finish(struct oci_cgroup *cg, const struct oci_resources *r,
			     const struct oci_cgroup_plan *p, pid_t pid, struct err *e);
int oci_cgroup_common_update(struct oci_cgroup *cg, const struct oci_resources *r, struct err *e);
int oci_cgroup_common_enter(struct oci_cgroup *cg, pid_t pid, struct err *e);
int oci_cgroup_common_pids(struct oci_cgroup *cg, pid_t **pids, size_t *n, struct err *e);
int oci_cgroup_common_kill_all(struct oci_cgroup *cg, int sig, struct err *e);
int oci_cgroup_common_destroy(struct oci_cgroup *cg, struct err *e);
/* Wait for a freezer file to say the state wanted; state_of() reads it,
 * returning 1 for "reached", 0 for "not yet". */
int oci_cgroup_wait_state(const char *dir,
			  int (*state_of)(const char *dir, bool want_frozen, struct err *e),
			  bool want_frozen, struct err *e);

/* cpu.weight (v2) from cpu.shares (v1), runc's linear formula. */
uint64_t oci_cgroup_shares_to_weight(uint64_t shares);
/* io.weight (v2, 1..10000) from blkio.weight (v1, 10..1000). */
uint64_t oci_cgroup_blkio_to_io_weight(uint64_t w);

/* Each v1 controller's folder of a container (NULL: no such hierarchy). */
struct oci_cgroup_v1_dirs {
	const char *cpu, *cpuacct, *memory, *pids, *blkio;
};

#if CFG_CGROUP_V1
extern const struct oci_cgroup_ops oci_cgroup_v1_ops;
/* Read the v1 counters from those folders (tests give recorded files). */
void oci_cgroup_v1_read_stats(const struct oci_cgroup_v1_dirs *d, struct oci_cgroup_stats *st);
/* v1 writes for r, in order, slots unset. Pure. */
int oci_cgroup_v1_map(const struct oci_resources *r, struct oci_cgroup_writes *w, struct err *e);
static inline int oci_cgroup_v1_bind(struct oci_cgroup *cg, struct err *e)
{
	cg->ops = &oci_cgroup_v1_ops;
	return 0;
}
#else
static inline int oci_cgroup_v1_map(const struct oci_resources *r, struct oci_cgroup_writes *w,
				    struct err *e)
{
	return err_set(e, "cgroup v1 support is compiled out");
}
static inline void oci_cgroup_v1_read_stats(const struct oci_cgroup_v1_dirs *d,
					    struct oci_cgroup_stats *st)
{
}
static inline int oci_cgroup_v1_bind(struct oci_cgroup *cg, struct err *e)
{
	return err_set(e, "cgroup v1 support is compiled out (this host has %s cgroups)",
		       oci_cgroup_mode_name(cg->l->mode));
}
#endif

struct bpf_insn;

#if CFG_CGROUP_V2
extern const struct oci_cgroup_ops oci_cgroup_v2_ops;
int oci_cgroup_v2_map(const struct oci_resources *r, struct oci_cgroup_writes *w, struct err *e);
static inline int oci_cgroup_v2_bind(struct oci_cgroup *cg, struct err *e)
{
	cg->ops = &oci_cgroup_v2_ops;
	return 0;
}
/* Make the cgroup2 folder, enabling want in every ancestor's subtree_control
 * on the way down; fails naming any controller of need that did not come. */
int oci_cgroup_v2_mkdir(struct oci_cgroup *cg, unsigned want, unsigned need, struct err *e);
int oci_cgroup_v2_freezer(const char *dir, enum oci_cgroup_freezer_op op, struct err *e);
/* SIGKILL everything through cgroup.kill: 1 done, 0 the kernel has no cgroup.kill. */
int oci_cgroup_v2_kill(const char *dir, struct err *e);
/* Read the counters of the controllers in mask from a cgroup2 folder. */
int oci_cgroup_v2_read_stats(const char *dir, unsigned mask, struct oci_cgroup_stats *st,
			     struct err *e);

/* Device rules -> BPF_PROG_TYPE_CGROUP_DEVICE program: rules are tried last
 * to first, the first that matches decides; none matching denies. An allow
 * rule matches when it grants every access asked for, a deny rule when it
 * names any of them. *prog is malloc'd. Pure. */
int oci_cgroup_bpf_build(const struct oci_device_rule *rules, size_t n, struct bpf_insn **prog,
			 size_t *len, struct err *e);
/* Load the program and attach it to dir (BPF_F_ALLOW_MULTI), then detach the
 * device programs that were there before (an update replaces). */
int oci_cgroup_bpf_apply(const char *dir, const struct oci_device_rule *rules, size_t n,
			 struct err *e);
#else
static inline int oci_cgroup_v2_map(const struct oci_resources *r, struct oci_cgroup_writes *w,
				    struct err *e)
{
	return err_set(e, "cgroup v2 support is compiled out");
}
static inline int oci_cgroup_v2_bind(struct oci_cgroup *cg, struct err *e)
{
	return err_set(e, "cgroup v2 support is compiled out (this host has %s cgroups)",
		       oci_cgroup_mode_name(cg->l->mode));
}
static inline int oci_cgroup_v2_mkdir(struct oci_cgroup *cg, unsigned want, unsigned need,
				      struct err *e)
{
	return err_set(e, "cgroup v2 support is compiled out");
}
static inline int oci_cgroup_v2_freezer(const char *dir, enum oci_cgroup_freezer_op op,
					struct err *e)
{
	return err_set(e, "cgroup v2 support is compiled out");
}
static inline int oci_cgroup_v2_kill(const char *dir, struct err *e)
{
	return 0;
}
static inline int oci_cgroup_v2_read_stats(const char *dir, unsigned mask,
					   struct oci_cgroup_stats *st, struct err *e)
{
	return 0;
}
static inline int oci_cgroup_bpf_build(const struct oci_device_rule *rules, size_t n,
				       struct bpf_insn **prog, size_t *len, struct err *e)
{
	return err_set(e, "cgroup v2 support is compiled out");
}
static inline int oci_cgroup_bpf_apply(const char *dir, const struct oci_device_rule *rules,
				       size_t n, struct err *e)
{
	return err_set(e, "cgroup v2 support is compiled out");
}
#endif

#endif
