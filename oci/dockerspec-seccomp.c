/* dockerspec-seccomp.c - Docker's default seccomp profile as a compact table
 * (the same allowed syscalls, argument filters and capability-conditional
 * groups), and Docker's profile format (archMap, includes/excludes) turned
 * into the OCI linux.seccomp object for one capability set on this arch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "oci/caps.h"
#include "json.h"
#include "oci/dockerspec-priv.h"

/* Architectures as Docker's profile names them (Go's names). */
enum {
	A_AMD64 = 1 << 0,
	A_X32 = 1 << 1,
	A_X86 = 1 << 2,
	A_ARM = 1 << 3,
	A_ARM64 = 1 << 4,
	A_S390 = 1 << 5,
	A_S390X = 1 << 6,
	A_PPC64LE = 1 << 7,
	A_RISCV64 = 1 << 8,
};
static const char *const arch_names[] = {"amd64", "x32",   "x86",     "arm",    "arm64",
					 "s390",  "s390x", "ppc64le", "riscv64"};

enum { OP_NONE, OP_LT, OP_EQ, OP_GT, OP_MASKED_EQ };
static const char *const op_names[] = {"", "SCMP_CMP_LT", "SCMP_CMP_EQ", "SCMP_CMP_GT",
				       "SCMP_CMP_MASKED_EQ"};

/* One group of syscalls with the same action and conditions. */
struct sc_group {
	const char *names; /* space-separated */
	unsigned short inc_arch, exc_arch; /* A_* bits; 0: any */
	const char *inc_cap, *exc_cap; /* NULL: none */
	unsigned char min_kernel[2]; /* {major, minor}; {0, 0}: any */
	unsigned char errno_ret; /* 0: SCMP_ACT_ALLOW; else SCMP_ACT_ERRNO with it */
	unsigned char op, index; /* one argument condition, OP_NONE for none */
	unsigned long value;
};

#define CLONE_NS_FLAGS 2114060288UL /* CLONE_NEW{NS,UTS,IPC,USER,PID,NET,CGROUP} */

static const struct sc_group groups[] = {
	{.names =
		 "accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir "
		 "chmod "
		 "chown chown32 clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 "
		 "clock_gettime clock_gettime64 clock_nanosleep clock_nanosleep_time64 close "
		 "close_range "
		 "connect copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl "
		 "epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd "
		 "eventfd2 "
		 "execve execveat exit exit_group faccessat faccessat2 fadvise64 fadvise64_64 "
		 "fallocate "
		 "fanotify_mark fchdir fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl "
		 "fcntl64 "
		 "fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64 "
		 "fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_requeue "
		 "futex_time64 futex_wait futex_waitv futex_wake futimesat getcpu getcwd getdents "
		 "getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups "
		 "getgroups32 "
		 "getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom "
		 "getresgid "
		 "getresgid32 getresuid getresuid32 getrlimit get_robust_list getrusage getsid "
		 "getsockname getsockopt get_thread_area gettid gettimeofday getuid getuid32 "
		 "getxattr "
		 "getxattrat inotify_add_watch inotify_init inotify_init1 inotify_rm_watch "
		 "io_cancel "
		 "ioctl io_destroy io_getevents io_pgetevents io_pgetevents_time64 ioprio_get "
		 "ioprio_set "
		 "io_setup io_submit ipc kill landlock_add_rule landlock_create_ruleset "
		 "landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listmount "
		 "listxattr listxattrat llistxattr _llseek lremovexattr lseek lsetxattr lstat "
		 "lstat64 "
		 "madvise map_shadow_stack membarrier memfd_create memfd_secret mincore mkdir "
		 "mkdirat "
		 "mknod mknodat mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify "
		 "mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 "
		 "mq_unlink mremap mseal msgctl msgget msgrcv msgsnd msync munlock munlockall "
		 "munmap "
		 "name_to_handle_at nanosleep newfstatat _newselect open openat openat2 pause "
		 "pidfd_open "
		 "pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll "
		 "ppoll_time64 prctl pread64 preadv preadv2 prlimit64 process_mrelease pselect6 "
		 "pselect6_time64 pwrite64 pwritev pwritev2 read readahead readlink readlinkat "
		 "readv "
		 "recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr "
		 "removexattrat rename renameat renameat2 restart_syscall riscv_hwprobe rmdir rseq "
		 "rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn "
		 "rt_sigsuspend "
		 "rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity "
		 "sched_getattr sched_getparam sched_get_priority_max sched_get_priority_min "
		 "sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64 "
		 "sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield "
		 "seccomp "
		 "select semctl semget semop semtimedop semtimedop_time64 send sendfile sendfile64 "
		 "sendmmsg sendmsg sendto setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32 "
		 "setgroups setgroups32 setitimer setpgid setpriority setregid setregid32 "
		 "setresgid "
		 "setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit set_robust_list "
		 "setsid "
		 "setsockopt set_thread_area set_tid_address setuid setuid32 setxattr setxattrat "
		 "shmat "
		 "shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask "
		 "sigreturn "
		 "socketcall socketpair splice stat stat64 statfs statfs64 statmount statx symlink "
		 "symlinkat sync sync_file_range syncfs sysinfo tee tgkill time timer_create "
		 "timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime "
		 "timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime "
		 "timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink "
		 "unlinkat uretprobe utime utimensat utimensat_time64 utimes vfork vmsplice wait4 "
		 "waitid "
		 "waitpid write writev "},
	{"process_vm_readv process_vm_writev ptrace", .min_kernel = {4, 8}},
	/* socket(): every family but AF_ALG (38) and AF_VSOCK (40) */
	{"socket", .op = OP_LT, .value = 38},
	{"socket", .op = OP_EQ, .value = 39},
	{"socket", .op = OP_GT, .value = 40},
	/* personality(): PER_LINUX, UNAME26, PER_LINUX32, their mix, query */
	{"personality", .op = OP_EQ, .value = 0},
	{"personality", .op = OP_EQ, .value = 8},
	{"personality", .op = OP_EQ, .value = 131072},
	{"personality", .op = OP_EQ, .value = 131080},
	{"personality", .op = OP_EQ, .value = 4294967295UL},
	{"sync_file_range2 swapcontext", .inc_arch = A_PPC64LE},
	{"arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush set_tls",
	 .inc_arch = A_ARM | A_ARM64},
	{"arch_prctl", .inc_arch = A_AMD64 | A_X32},
	{"modify_ldt", .inc_arch = A_AMD64 | A_X32 | A_X86},
	{"s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr", .inc_arch = A_S390 | A_S390X},
	{"riscv_flush_icache", .inc_arch = A_RISCV64},
	{"open_by_handle_at", .inc_cap = "CAP_DAC_READ_SEARCH"},
	{"bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie "
	 "lsm_get_self_attr lsm_list_modules lsm_set_self_attr mount mount_setattr move_mount "
	 "open_tree perf_event_open quotactl quotactl_fd setdomainname sethostname setns syslog "
	 "umount umount2 unshare ",
	 .inc_cap = "CAP_SYS_ADMIN"},
	/* Without CAP_SYS_ADMIN: clone without namespace flags; clone3 (whose
	 * flags BPF cannot see) fails with ENOSYS so that libcs fall back. */
	{"clone", .exc_arch = A_S390 | A_S390X, .exc_cap = "CAP_SYS_ADMIN", .op = OP_MASKED_EQ,
	 .value = CLONE_NS_FLAGS},
	{"clone", .inc_arch = A_S390 | A_S390X, .exc_cap = "CAP_SYS_ADMIN", .op = OP_MASKED_EQ,
	 .index = 1, .value = CLONE_NS_FLAGS},
	{"clone3", .exc_cap = "CAP_SYS_ADMIN", .errno_ret = 38},
	{"reboot", .inc_cap = "CAP_SYS_BOOT"},
	{"chroot", .inc_cap = "CAP_SYS_CHROOT"},
	{"delete_module init_module finit_module", .inc_cap = "CAP_SYS_MODULE"},
	{"acct", .inc_cap = "CAP_SYS_PACCT"},
	{"kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev ptrace",
	 .inc_cap = "CAP_SYS_PTRACE"},
	{"iopl ioperm", .inc_cap = "CAP_SYS_RAWIO"},
	{"settimeofday stime clock_settime clock_settime64", .inc_cap = "CAP_SYS_TIME"},
	{"vhangup", .inc_cap = "CAP_SYS_TTY_CONFIG"},
	{"get_mempolicy mbind set_mempolicy set_mempolicy_home_node", .inc_cap = "CAP_SYS_NICE"},
	{"syslog", .inc_cap = "CAP_SYSLOG"},
	{"bpf", .inc_cap = "CAP_BPF"},
	{"perf_event_open", .inc_cap = "CAP_PERFMON"},
};

/* Docker's archMap, for the arches tug builds for. */
static const char *const arch_map[][3] = {
	{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"},
	{"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL},
	/* not in Docker's map (its arm32 gets no list: the native arch);
	 * named here so that armv7 boards say what they filter */
	{"SCMP_ARCH_ARM", NULL, NULL},
};

static cJSON *str_array(const char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a && i < n; i++)
		if (v[i] && !cJSON_AddItemToArray(a, cJSON_CreateString(v[i])))
			return cJSON_Delete(a), NULL;
	return a;
}

/* includes/excludes of a group in Docker's format; NULL with ok when none. */
static cJSON *cond(unsigned arches, const char *cap, const unsigned char *kernel, bool *ok)
{
	const char *names[9];
	size_t n = 0;
	cJSON *c;
	char k[8];

	*ok = true;
	if (!arches && !cap && (!kernel || !kernel[0]))
		return NULL;
	c = cJSON_CreateObject();
	for (size_t i = 0; i < 9; i++)
		if (arches & (1u << i))
			names[n++] = arch_names[i];
	if (!c || (n && !cJSON_AddItemToObject(c, "arches", str_array(names, n))) ||
	    (cap && !cJSON_AddItemToObject(c, "caps", str_array(&cap, 1))))
		goto oom;
	snprintf(k, sizeof(k), "%u.%u", kernel ? kernel[0] : 0, kernel ? kernel[1] : 0);
	if (kernel && kernel[0] && !cJSON_AddStringToObject(c, "minKernel", k))
		goto oom;
	return c;
oom:
	cJSON_Delete(c);
	*ok = false;
	return NULL;
}

static cJSON *group_names(const char *list)
{
	cJSON *a = cJSON_CreateArray();

	for (const char *p = list; a && *p;) {
		size_t n = strcspn(p, " ");
		char name[64];

		if (n && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			if (!cJSON_AddItemToArray(a, cJSON_CreateString(name)))
				return cJSON_Delete(a), NULL;
		}
		p += n + (p[n] == ' ');
	}
	return a;
}

static cJSON *group_json(const struct sc_group *g)
{
	cJSON *r = cJSON_CreateObject(), *c, *args, *arg;
	bool ok;

	if (!r || !cJSON_AddItemToObject(r, "names", group_names(g->names)) ||
	    !cJSON_AddStringToObject(r, "action",
				     g->errno_ret ? "SCMP_ACT_ERRNO" : "SCMP_ACT_ALLOW") ||
	    (g->errno_ret && !cJSON_AddNumberToObject(r, "errnoRet", g->errno_ret)))
		goto oom;
	if ((c = cond(g->inc_arch, g->inc_cap, g->min_kernel, &ok)))
		cJSON_AddItemToObject(r, "includes", c);
	if (!ok ||
	    ((c = cond(g->exc_arch, g->exc_cap, NULL, &ok)) &&
	     !cJSON_AddItemToObject(r, "excludes", c)) ||
	    !ok)
		goto oom;
	if (g->op == OP_NONE)
		return r;
	args = cJSON_AddArrayToObject(r, "args");
	arg = cJSON_CreateObject();
	if (!args || !arg || !cJSON_AddItemToArray(args, arg) ||
	    !cJSON_AddNumberToObject(arg, "index", g->index) ||
	    !json_add_u64(arg, "value", g->value) || !cJSON_AddNumberToObject(arg, "valueTwo", 0) ||
	    !cJSON_AddStringToObject(arg, "op", op_names[g->op]))
		goto oom;
	return r;
oom:
	cJSON_Delete(r);
	return NULL;
}

/* The default profile in Docker's own format, so that it takes the same
 * path as a profile the user sends. */
static cJSON *default_profile(void)
{
	cJSON *p = cJSON_CreateObject(), *map, *sys;

	if (!p || !cJSON_AddStringToObject(p, "defaultAction", "SCMP_ACT_ERRNO") ||
	    !cJSON_AddNumberToObject(p, "defaultErrnoRet", 1) ||
	    !(map = cJSON_AddArrayToObject(p, "archMap")) ||
	    !(sys = cJSON_AddArrayToObject(p, "syscalls")))
		goto oom;
	for (size_t i = 0; i < sizeof(arch_map) / sizeof(arch_map[0]); i++) {
		cJSON *m = cJSON_CreateObject();

		if (!m || !cJSON_AddItemToArray(map, m) ||
		    !cJSON_AddStringToObject(m, "architecture", arch_map[i][0]) ||
		    !cJSON_AddItemToObject(m, "subArchitectures", str_array(arch_map[i] + 1, 2)))
			goto oom;
	}
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		cJSON *g = group_json(&groups[i]);

		if (!g || !cJSON_AddItemToArray(sys, g))
			goto oom;
	}
	return p;
oom:
	cJSON_Delete(p);
	return NULL;
}

/* ---------------------------------------------------------------- Docker's format -> OCI */

static bool list_has(const cJSON *arr, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
	{
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
			return true;
	}
	return false;
}

static bool caps_has(unsigned long long caps, const char *name)
{
	int c = oci_cap_from_name(name);

	return c >= 0 && c < 64 && (caps >> c) & 1;
}

/* Is the running kernel at least v ("4.8")? */
static int kernel_ge(const char *v, bool *ge, struct err *e)
{
	struct utsname u;
	unsigned a, b, x = 0, y = 0;
	char tail;

	if (sscanf(v, "%u.%u%c", &a, &b, &tail) != 2)
		return err_set(e, "seccomp profile: invalid kernel version \"%s\"", v);
	if (uname(&u) == 0)
		sscanf(u.release, "%u.%u", &x, &y);
	*ge = x > a || (x == a && y >= b);
	return 0;
}

/* dockerd's setupSeccomp filter: excludes (arch, any cap, kernel) drop a
 * rule, includes (arch, all caps, kernel) must all hold. */
static int keep_rule(const cJSON *r, unsigned long long caps, bool *keep, struct err *e)
{
	const cJSON *ex = ds_get(r, "excludes"), *in = ds_get(r, "includes"), *it;
	const char *mk;
	bool ge;

	*keep = false;
	if (list_has(ds_get(ex, "arches"), DS_GOARCH))
		return 0;
	cJSON_ArrayForEach(it, ds_get(ex, "caps"))
	{
		if (cJSON_IsString(it) && caps_has(caps, it->valuestring))
			return 0;
	}
	if ((mk = ds_str(ex, "minKernel")) && mk[0]) {
		if (kernel_ge(mk, &ge, e) < 0)
			return -1;
		if (ge)
			return 0;
	}
	if (ds_arr(in, "arches") && !list_has(ds_get(in, "arches"), DS_GOARCH))
		return 0;
	cJSON_ArrayForEach(it, ds_get(in, "caps"))
	{
		if (!cJSON_IsString(it) || !caps_has(caps, it->valuestring))
			return 0;
	}
	if ((mk = ds_str(in, "minKernel")) && mk[0]) {
		if (kernel_ge(mk, &ge, e) < 0)
			return -1;
		if (!ge)
			return 0;
	}
	*keep = true;
	return 0;
}

static int copy_key(cJSON *dst, const char *okey, const cJSON *src, const char *key, struct err *e)
{
	const cJSON *v = ds_get(src, key);
	cJSON *c;

	if (!v)
		return 0;
	c = cJSON_Duplicate(v, 1);
	if (!c || !cJSON_AddItemToObject(dst, okey, c))
		return cJSON_Delete(c), ds_oom(e);
	return 0;
}

static int one_rule(cJSON *out, const cJSON *r, size_t i, unsigned long long caps, struct err *e)
{
	const cJSON *names = ds_get(r, "names"), *it;
	const char *name = ds_str(r, "name");
	cJSON *o;
	bool keep;

	if (!cJSON_IsObject(r) || (names && !cJSON_IsArray(names)) ||
	    (ds_get(r, "name") && !name) || !ds_str(r, "action"))
		return err_set(e, "seccomp profile: syscalls[%zu]: expected names and an action",
			       i);
	if (name && name[0] && cJSON_GetArraySize(names) > 0)
		return err_set(e, "both 'name' and 'names' are specified in the seccomp profile, "
				  "use either 'name' or 'names'");
	cJSON_ArrayForEach(it, names)
	{
		if (!cJSON_IsString(it))
			return err_set(e, "seccomp profile: syscalls[%zu].names: expected strings",
				       i);
	}
	if ((ds_get(r, "args") && !cJSON_IsArray(ds_get(r, "args"))) ||
	    (ds_get(r, "errnoRet") && !cJSON_IsNumber(ds_get(r, "errnoRet"))))
		return err_set(e, "seccomp profile: syscalls[%zu]: bad args or errnoRet", i);
	if (keep_rule(r, caps, &keep, e) < 0)
		return -1;
	if (!keep)
		return 0;
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddItemToArray(out, o))
		return cJSON_Delete(o), ds_oom(e);
	if (name && name[0]) {
		cJSON *a = cJSON_AddArrayToObject(o, "names");

		if (!a || !cJSON_AddItemToArray(a, cJSON_CreateString(name)))
			return ds_oom(e);
	} else if (copy_key(o, "names", r, "names", e) < 0) {
		return -1;
	}
	if (copy_key(o, "action", r, "action", e) < 0 ||
	    copy_key(o, "errnoRet", r, "errnoRet", e) < 0 || copy_key(o, "args", r, "args", e) < 0)
		return -1;
	return 0;
}

static int arches(cJSON *out, const cJSON *prof, struct err *e)
{
	const cJSON *map = ds_get(prof, "archMap"), *it;

	if (ds_arr(prof, "architectures") && ds_arr(prof, "archMap"))
		return err_set(e, "both 'architectures' and 'archMap' are specified in the seccomp "
				  "profile, use either 'architectures' or 'archMap'");
	if (ds_get(prof, "architectures"))
		return copy_key(out, "architectures", prof, "architectures", e);
	cJSON_ArrayForEach(it, map)
	{
		const char *a = ds_str(it, "architecture");
		cJSON *l, *c;

		if (!a || strcmp(a, DS_SCMP_ARCH) != 0)
			continue;
		l = cJSON_AddArrayToObject(out, "architectures");
		if (!l || !cJSON_AddItemToArray(l, cJSON_CreateString(a)))
			return ds_oom(e);
		cJSON_ArrayForEach(c, ds_get(it, "subArchitectures"))
		{
			if (cJSON_IsString(c) &&
			    !cJSON_AddItemToArray(l, cJSON_CreateString(c->valuestring)))
				return ds_oom(e);
		}
		break;
	}
	return 0;
}

static int setup(const cJSON *prof, unsigned long long caps, cJSON **out, struct err *e)
{
	const cJSON *sys = ds_get(prof, "syscalls"), *it;
	const char *da = ds_str(prof, "defaultAction");
	cJSON *o, *l;
	size_t i = 0;

	*out = NULL;
	if (!cJSON_IsObject(prof) || (sys && !cJSON_IsArray(sys)) ||
	    (ds_get(prof, "defaultAction") && !da))
		return err_set(e, "seccomp profile: expected an object with defaultAction and "
				  "syscalls");
	if ((!da || !da[0]) && !cJSON_GetArraySize(sys))
		return 0;
	o = cJSON_CreateObject();
	if (!o)
		return ds_oom(e);
	if (copy_key(o, "defaultAction", prof, "defaultAction", e) < 0 ||
	    copy_key(o, "defaultErrnoRet", prof, "defaultErrnoRet", e) < 0 ||
	    arches(o, prof, e) < 0 || copy_key(o, "flags", prof, "flags", e) < 0 ||
	    copy_key(o, "listenerPath", prof, "listenerPath", e) < 0 ||
	    copy_key(o, "listenerMetadata", prof, "listenerMetadata", e) < 0)
		goto fail;
	if (!(l = cJSON_AddArrayToObject(o, "syscalls"))) {
		ds_oom(e);
		goto fail;
	}
	cJSON_ArrayForEach(it, sys)
	{
		if (one_rule(l, it, i++, caps, e) < 0)
			goto fail;
	}
	*out = o;
	return 0;
fail:
	cJSON_Delete(o);
	return -1;
}

int oci_dspec_default_seccomp(unsigned long long caps, cJSON **out, struct err *e)
{
	cJSON *p = default_profile();
	int r;

	*out = NULL;
	if (!p)
		return ds_oom(e);
	r = setup(p, caps, out, e);
	cJSON_Delete(p);
	return r;
}

int oci_dspec_load_seccomp(const char *profile, unsigned long long caps, cJSON **out, struct err *e)
{
	cJSON *p;
	int r;

	*out = NULL;
	if (json_parse(profile, strlen(profile), &p, e) < 0)
		return err_wrap(e, "Decoding seccomp profile failed");
	r = setup(p, caps, out, e);
	cJSON_Delete(p);
	return r;
}

/* ---------------------------------------------------------------- SecurityOpt */

struct secopts {
	const char *seccomp; /* NULL: the default */
	bool nnp;
};

/* Go's strconv.ParseBool. */
static int parse_bool(const char *v, bool *out)
{
	static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};

	for (size_t i = 0; i < 6; i++) {
		if (strcmp(v, t[i]) == 0)
			return *out = true, 0;
		if (strcmp(v, f[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

static int parse_secopts(const cJSON *hc, struct secopts *o, struct err *e)
{
	const cJSON *it;

	*o = (struct secopts){NULL, false};
	cJSON_ArrayForEach(it, ds_get(hc, "SecurityOpt"))
	{
		const char *opt = it->valuestring, *sep = strchr(opt, '=');
		size_t kn;
		bool b;

		if (strcmp(opt, "no-new-privileges") == 0) {
			o->nnp = true;
			continue;
		}
		if (strcmp(opt, "writable-cgroups") == 0 || strcmp(opt, "disable") == 0)
			continue;
		if (!sep)
			sep = strchr(opt, ':');
		if (!sep)
			return err_set(e, "invalid --security-opt 1: \"%s\"", opt);
		kn = (size_t)(sep - opt);
		if ((kn == 5 && strncmp(opt, "label", 5) == 0) ||
		    (kn == 8 && strncmp(opt, "apparmor", 8) == 0))
			continue;
		if (kn == 7 && strncmp(opt, "seccomp", 7) == 0)
			o->seccomp = sep + 1;
		else if (kn == 17 && strncmp(opt, "no-new-privileges", 17) == 0 &&
			 parse_bool(sep + 1, &b) == 0)
			o->nnp = b;
		else if (!(kn == 16 && strncmp(opt, "writable-cgroups", 16) == 0 &&
			   parse_bool(sep + 1, &b) == 0))
			return err_set(e, "invalid --security-opt 2: \"%s\"", opt);
	}
	return 0;
}

static bool is_builtin(const char *p)
{
	return !p || strcmp(p, "builtin") == 0;
}

int ds_check_security(const cJSON *hc, struct err *e)
{
	struct secopts o;
	cJSON *out = NULL;

	if (parse_secopts(hc, &o, e) < 0)
		return -1;
	if (is_builtin(o.seccomp) || strcmp(o.seccomp, "unconfined") == 0)
		return 0;
	if (!CFG_SECCOMP)
		return err_set(e, "seccomp is not enabled in this tug, cannot run a custom seccomp "
				  "profile");
	if (oci_dspec_load_seccomp(o.seccomp, 0, &out, e) < 0)
		return -1;
	cJSON_Delete(out);
	return 0;
}

int ds_seccomp(struct ds *d, cJSON *lnx)
{
	struct secopts o;
	cJSON *sc = NULL, *proc = cJSON_GetObjectItemCaseSensitive(d->spec, "process");
	int r = 0;

	if (parse_secopts(d->hc, &o, d->e) < 0)
		return -1;
	if (o.nnp && !cJSON_AddBoolToObject(proc, "noNewPrivileges", true))
		return ds_oom(d->e);
	if (!CFG_SECCOMP || (o.seccomp && strcmp(o.seccomp, "unconfined") == 0))
		return 0;
	if (d->privileged && is_builtin(o.seccomp))
		return 0;
	if (is_builtin(o.seccomp))
		r = oci_dspec_default_seccomp(d->caps, &sc, d->e);
	else
		r = oci_dspec_load_seccomp(o.seccomp, d->caps, &sc, d->e);
	if (r < 0)
		return -1;
	if (sc && !cJSON_AddItemToObject(lnx, "seccomp", sc)) {
		cJSON_Delete(sc);
		return ds_oom(d->e);
	}
	return 0;
}
