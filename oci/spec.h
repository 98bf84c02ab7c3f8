/* spec.h - the OCI runtime spec (config.json, v1.0-v1.2) as C structs, parsed
 * and validated once so that the runtime's setup code never touches JSON. */
#ifndef TUG_OCI_SPEC_H
#define TUG_OCI_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* A value the spec may omit: has is false when the key was absent. */
struct oci_opt_i64 {
	bool has;
	int64_t v;
};
struct oci_opt_u64 {
	bool has;
	uint64_t v;
};

struct oci_kv {
	const char *key;
	const char *value;
};

struct oci_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

/* Capability sets as bit masks indexed by capability number (CAP_*). */
struct oci_caps {
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct oci_user {
	uid_t uid;
	gid_t gid;
	struct oci_opt_i64 umask;
	gid_t *additional_gids;
	size_t n_additional_gids;
	const char *username; /* Windows only; kept for completeness */
};

struct oci_process {
	bool terminal;
	unsigned console_height, console_width;
	const char **args; /* NULL-terminated */
	size_t n_args;
	const char **env; /* NULL-terminated, "KEY=value" */
	size_t n_env;
	const char *cwd;
	struct oci_user user;
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool has_caps; /* false: no "capabilities" object at all */
	struct oci_caps caps;
	bool no_new_privileges;
	struct oci_opt_i64 oom_score_adj;
	const char *apparmor_profile; /* accepted, ignored without AppArmor */
	const char *selinux_label; /* accepted, ignored without SELinux */
	bool has_io_priority;
	int io_priority_class; /* IOPRIO_CLASS_* */
	int io_priority;
	bool has_scheduler;
	int sched_policy; /* SCHED_* */
	int sched_nice;
	int sched_priority;
	uint64_t sched_flags;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

struct oci_mount {
	const char *destination;
	const char *type; /* NULL when absent (a bind mount is told by options) */
	const char *source; /* NULL when absent */
	const char **options; /* as given, NULL-terminated */
	size_t n_options;
	/* Derived from options: */
	unsigned long flags; /* MS_* to set */
	unsigned long clear_flags; /* MS_* an option turned off ("rw", "suid", ...) */
	unsigned long propagation; /* MS_SHARED|MS_PRIVATE|... with MS_REC, or 0 */
	unsigned long rec_set, rec_clear; /* MOUNT_ATTR_* for "rro", "rnosuid", ... */
	bool bind; /* "bind" or "rbind" */
	bool recursive; /* "rbind", "rro" ... */
	const char *data; /* the options the kernel takes as data, joined by ',' */
};

struct oci_hook {
	const char *path;
	const char **args; /* NULL-terminated, may be NULL */
	const char **env; /* NULL-terminated, may be NULL */
	struct oci_opt_i64 timeout; /* seconds */
};

enum oci_hook_kind {
	OCI_HOOK_PRESTART,
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_KINDS
};

struct oci_hooks {
	struct oci_hook *list[OCI_HOOK_KINDS];
	size_t n[OCI_HOOK_KINDS];
};

struct oci_namespace {
	int type; /* CLONE_NEW* */
	const char *path; /* join this namespace instead of making a new one */
};

struct oci_idmap {
	uint32_t container_id, host_id, size;
};

struct oci_device {
	char type; /* 'c', 'b', 'u', 'p' */
	const char *path;
	int64_t major, minor;
	struct oci_opt_i64 file_mode;
	struct oci_opt_i64 uid, gid;
};

/* linux.resources.devices[]: an allow/deny rule; -1 is the wildcard. */
struct oci_device_rule {
	bool allow;
	char type; /* 'a', 'c', 'b' */
	int64_t major, minor;
	char access[4]; /* some of "rwm", NUL-terminated */
};

struct oci_weight_device {
	int64_t major, minor;
	struct oci_opt_u64 weight, leaf_weight;
};

struct oci_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

struct oci_hugepage_limit {
	const char *page_size; /* "2MB", "1GB" */
	uint64_t limit;
};

struct oci_if_priority {
	const char *name; /* interface */
	uint32_t priority;
};

struct oci_resources {
	struct oci_device_rule *devices;
	size_t n_devices;
	struct {
		struct oci_opt_i64 limit, reservation, swap, kernel, kernel_tcp;
		struct oci_opt_u64 swappiness;
		bool disable_oom_killer;
		bool use_hierarchy;
		bool check_before_update;
	} memory;
	struct {
		struct oci_opt_u64 shares;
		struct oci_opt_i64 quota;
		struct oci_opt_u64 burst;
		struct oci_opt_u64 period;
		struct oci_opt_i64 realtime_runtime;
		struct oci_opt_u64 realtime_period;
		const char *cpus; /* cpuset, NULL when absent */
		const char *mems;
		struct oci_opt_i64 idle;
	} cpu;
	struct {
		struct oci_opt_i64 limit;
	} pids;
	struct {
		struct oci_opt_u64 weight, leaf_weight;
		struct oci_weight_device *weight_device;
		size_t n_weight_device;
		struct oci_throttle_device
			*throttle[4]; /* read bps, write bps, read iops, write iops */
		size_t n_throttle[4];
	} block_io;
	struct oci_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	struct oci_kv *unified; /* cgroup v2 file name -> value */
	size_t n_unified;
	struct {
		struct oci_opt_u64 class_id; /* net_cls.classid */
		struct oci_if_priority *priorities; /* net_prio.ifpriomap */
		size_t n_priorities;
	} network;
};

/* Seccomp actions, independent of the kernel's encoding. */
enum oci_seccomp_action {
	OCI_SCMP_KILL, /* SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD */
	OCI_SCMP_KILL_PROCESS,
	OCI_SCMP_TRAP,
	OCI_SCMP_ERRNO,
	OCI_SCMP_TRACE,
	OCI_SCMP_ALLOW,
	OCI_SCMP_LOG,
	OCI_SCMP_NOTIFY,
};

enum oci_seccomp_op {
	OCI_SCMP_CMP_NE,
	OCI_SCMP_CMP_LT,
	OCI_SCMP_CMP_LE,
	OCI_SCMP_CMP_EQ,
	OCI_SCMP_CMP_GE,
	OCI_SCMP_CMP_GT,
	OCI_SCMP_CMP_MASKED_EQ,
};

/* "SCMP_ACT_ERRNO" -> OCI_SCMP_ERRNO ("SCMP_ACT_KILL_THREAD" is KILL),
 * "SCMP_CMP_EQ" -> OCI_SCMP_CMP_EQ; -1 when unknown (or NULL). */
int oci_seccomp_action_from_name(const char *name);
int oci_seccomp_op_from_name(const char *name);

struct oci_seccomp_arg {
	unsigned index; /* 0..5 */
	uint64_t value, value_two;
	enum oci_seccomp_op op;
};

struct oci_seccomp_rule {
	const char **names; /* NULL-terminated */
	size_t n_names;
	enum oci_seccomp_action action;
	struct oci_opt_u64 errno_ret; /* for ERRNO and TRACE; default EPERM */
	struct oci_seccomp_arg *args;
	size_t n_args;
};

struct oci_seccomp {
	enum oci_seccomp_action default_action;
	struct oci_opt_u64 default_errno_ret;
	const char **architectures; /* "SCMP_ARCH_X86_64", ...; NULL-terminated */
	size_t n_architectures;
	const char **flags; /* "SECCOMP_FILTER_FLAG_LOG", ...; NULL-terminated */
	size_t n_flags;
	const char *listener_path;
	const char *listener_metadata;
	struct oci_seccomp_rule *syscalls;
	size_t n_syscalls;
};

struct oci_linux {
	struct oci_namespace *namespaces;
	size_t n_namespaces;
	struct oci_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct oci_device *devices;
	size_t n_devices;
	const char *cgroups_path; /* NULL when absent */
	struct oci_resources *resources; /* NULL when absent */
	struct oci_kv *sysctl;
	size_t n_sysctl;
	struct oci_seccomp *seccomp; /* NULL when absent */
	unsigned long rootfs_propagation; /* MS_* or 0 when absent */
	const char **masked_paths; /* NULL-terminated */
	size_t n_masked_paths;
	const char **readonly_paths; /* NULL-terminated */
	size_t n_readonly_paths;
	const char *mount_label;
	bool has_personality;
	unsigned long personality; /* PER_LINUX or PER_LINUX32, plus flags */
	bool has_intel_rdt; /* accepted and ignored with a warning */
	struct oci_opt_i64 time_offsets_boottime_secs, time_offsets_monotonic_secs;
	uint32_t time_offsets_boottime_nsecs, time_offsets_monotonic_nsecs;
};

struct oci_spec {
	const char *oci_version;
	struct oci_process *process; /* NULL when absent */
	struct {
		const char *path; /* relative to the bundle, or absolute */
		bool readonly;
	} root;
	const char *hostname;
	const char *domainname;
	struct oci_mount *mounts;
	size_t n_mounts;
	struct oci_hooks hooks;
	struct oci_linux lnx; /* "linux" (a predefined macro in GNU C) */
	struct oci_kv *annotations;
	size_t n_annotations;
	/* private: the arena everything above is allocated from, and the parsed
	 * JSON whose strings the struct borrows. Freed by oci_spec_free. */
	void *priv;
};

/* Parse and validate config.json text. On success *out is a new spec the
 * caller frees with oci_spec_free. Errors name the JSON path:
 * "linux.namespaces[2].type: unknown namespace \"foo\"". */
int oci_spec_parse(const char *json, size_t len, struct oci_spec **out, struct err *e);
int oci_spec_load(const char *path, struct oci_spec **out, struct err *e);
void oci_spec_free(struct oci_spec *s);

/* A resources object on its own (`update --resources`): the result is a spec
 * whose only content is linux.resources. */
int oci_spec_parse_resources(const char *json, size_t len, struct oci_spec **out, struct err *e);

#endif
