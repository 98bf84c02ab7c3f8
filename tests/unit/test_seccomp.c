/* test_seccomp.c - seccomp.c: names, errors with JSON paths, the compiled
 * program run by a small classic-BPF interpreter for every arch of this CPU
 * family and checked against a model of runc + libseccomp semantics, and real
 * filters loaded in forked children (skipped where seccomp cannot be loaded,
 * e.g. under qemu-user, which refuses it for the emulated process). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "oci/seccomp.h"
#include "tap.h"

/* The generated table itself, to walk every name in it (the arch names its
 * SC_COL_ARCHES uses are seccomp.c's). */
enum { ARCH_X86_64, ARCH_X86, ARCH_X32, ARCH_AARCH64, ARCH_ARM };
#include "oci/seccomp-syscalls.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define X32_BIT 0x40000000u
#define CLONE_NS_FLAGS 0x7E020000u /* CLONE_NEW* as Docker's profile masks them */

/* ------------------------------------------------------------ profiles */

/* Docker's default profile (moby profiles/seccomp/default.json), resolved for
 * amd64 with the default capabilities: the long allow list, then the rules
 * with arguments. */
/* clang-format off */
static const char *const docker_allow[] = {
	"accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset",
	"chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
	"clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
	"clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat",
	"dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old",
	"epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2",
	"execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64",
	"fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown",
	"fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock",
	"fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs",
	"fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_time64", "futex_waitv",
	"futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32",
	"geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer",
	"getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom",
	"getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list",
	"getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid",
	"gettimeofday", "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init",
	"inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents",
	"io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup",
	"io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup", "ipc", "kill",
	"landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown",
	"lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "_llseek",
	"lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "membarrier",
	"memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock",
	"mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
	"mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
	"mq_unlink", "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock",
	"munlockall", "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect",
	"open", "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2",
	"pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl",
	"pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6",
	"pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink",
	"readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
	"remap_file_pages", "removexattr", "rename", "renameat", "renameat2", "restart_syscall",
	"rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
	"rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
	"rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam",
	"sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
	"sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity",
	"sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp",
	"select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send",
	"sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32",
	"setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer",
	"setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32",
	"setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list",
	"setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32",
	"setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd",
	"signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice", "stat",
	"stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync",
	"sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create",
	"timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
	"timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
	"timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate", "truncate64",
	"ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat",
	"utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write",
	"writev",
	/* minKernel 4.8, and the arch-specific ones Docker adds on amd64/arm64 */
	"process_vm_readv", "process_vm_writev", "ptrace", "arch_prctl", "modify_ldt",
	"arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint",
	"cacheflush", "set_tls", "chroot", NULL,
};
/* clang-format on */

#define MAXR 2048
#define MAXA 6

/* A spec's seccomp section, built in place. */
struct prof {
	struct oci_seccomp s;
	struct oci_seccomp_rule rules[MAXR];
	struct oci_seccomp_arg args[MAXR][MAXA];
	const char *names[MAXR][8]; /* short name lists are copied here */
	const char *arches[8];
	const char *flags[4];
};

static struct prof *prof_new(int def, long def_errno)
{
	struct prof *p = calloc(1, sizeof(*p));

	if (!p)
		abort();
	p->s.default_action = def;
	p->s.default_errno_ret = (struct oci_opt_u64){def_errno >= 0, (uint64_t)def_errno};
	p->s.syscalls = p->rules;
	p->s.architectures = p->arches;
	p->s.flags = p->flags;
	return p;
}

static void prof_arch(struct prof *p, const char *arch)
{
	p->arches[p->s.n_architectures++] = arch;
}

/* names: NULL-terminated; a list of more than 7 is borrowed, not copied. */
static struct oci_seccomp_rule *prof_rule(struct prof *p, const char *const *names, int action,
					  long eno)
{
	struct oci_seccomp_rule *r = &p->rules[p->s.n_syscalls];
	const char **copy = p->names[p->s.n_syscalls];
	size_t n = 0;

	while (names[n])
		n++;
	if (n < 8)
		names = memcpy(copy, names, (n + 1) * sizeof(*names));
	*r = (struct oci_seccomp_rule){.names = (const char **)names,
				       .n_names = n,
				       .action = action,
				       .errno_ret = {eno >= 0, (uint64_t)eno},
				       .args = p->args[p->s.n_syscalls]};
	p->s.n_syscalls++;
	return r;
}

static void rule_arg(struct oci_seccomp_rule *r, unsigned index, int op, uint64_t v, uint64_t v2)
{
	r->args[r->n_args++] = (struct oci_seccomp_arg){index, v, v2, op};
}

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ------------------------------------------------------------ arches */

struct t_arch {
	const char *name;
	uint32_t audit;
	bool is32;
};

static const struct t_arch t_arches[] = {
	{"SCMP_ARCH_X86_64", AUDIT_ARCH_X86_64, false},
	{"SCMP_ARCH_X86", AUDIT_ARCH_I386, true},
	{"SCMP_ARCH_X32", AUDIT_ARCH_X86_64, true},
	{"SCMP_ARCH_AARCH64", AUDIT_ARCH_AARCH64, false},
	{"SCMP_ARCH_ARM", AUDIT_ARCH_ARM, true},
};

/* The arches this build knows (its CPU family), the native one first. */
static const struct t_arch *fam[3];
static size_t nfam;

static void find_family(void)
{
	size_t i;

	for (i = 0; i < NELEM(t_arches); i++)
		if (oci_seccomp_syscall_nr(t_arches[i].name, "getpid") == SYS_getpid &&
		    !(SYS_getpid & X32_BIT))
			fam[nfam++] = &t_arches[i];
	for (i = 0; i < NELEM(t_arches); i++)
		if (oci_seccomp_syscall_nr(t_arches[i].name, "close") >= 0 &&
		    fam[0] != &t_arches[i])
			fam[nfam++] = &t_arches[i];
}

static long nr_on(const struct t_arch *a, const char *name)
{
	return oci_seccomp_syscall_nr(a->name, name);
}

/* ------------------------------------------------------------ interpreter */

static long steps; /* instructions the last run executed */

/* Run a filter as the kernel would; a program the kernel would refuse, or
 * one that runs off its end, returns 0xdead. */
static uint32_t run(const struct oci_bpf *f, const struct seccomp_data *d)
{
	const unsigned char *mem = (const unsigned char *)d;
	uint32_t a = 0, pc = 0;

	steps = 0;
	while (pc < f->len) {
		const struct sock_filter *in = &f->insns[pc++];

		steps++;
		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (in->k % 4 || in->k > sizeof(*d) - 4)
				return 0xdead;
			memcpy(&a, mem + in->k, 4);
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= in->k;
			break;
		case BPF_JMP | BPF_JA:
			pc += in->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == in->k ? in->jt : in->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += a > in->k ? in->jt : in->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= in->k ? in->jt : in->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += a & in->k ? in->jt : in->jf;
			break;
		case BPF_RET | BPF_K:
			return in->k;
		default:
			return 0xdead;
		}
	}
	return 0xdead;
}

/* What the kernel checks when it takes a filter: size, jumps in range, a
 * return at the end. */
static bool prog_valid(const struct oci_bpf *f)
{
	size_t i;

	if (!f->len || f->len > BPF_MAXINSNS || f->insns[f->len - 1].code != (BPF_RET | BPF_K))
		return false;
	for (i = 0; i < f->len; i++) {
		const struct sock_filter *in = &f->insns[i];

		if (in->code == (BPF_JMP | BPF_JA) && in->k >= f->len - i - 1)
			return false;
		if (BPF_CLASS(in->code) == BPF_JMP && in->code != (BPF_JMP | BPF_JA) &&
		    (i + 1 + in->jt >= f->len || i + 1 + in->jf >= f->len))
			return false;
	}
	return true;
}

static bool has_trampoline(const struct oci_bpf *f)
{
	size_t i;

	for (i = 0; i < f->len; i++)
		if (f->insns[i].code == (BPF_JMP | BPF_JA) && f->insns[i].k > 200)
			return true;
	return false;
}

static uint32_t run_nr(const struct oci_bpf *f, uint32_t audit, uint32_t nr, const uint64_t *args)
{
	struct seccomp_data d = {.nr = (int)nr, .arch = audit};

	if (args)
		memcpy(d.args, args, sizeof(d.args));
	return run(f, &d);
}

static uint32_t run_name(const struct oci_bpf *f, const struct t_arch *a, const char *name,
			 const uint64_t *args)
{
	return run_nr(f, a->audit, (uint32_t)nr_on(a, name), args);
}

/* ------------------------------------------------------------ model */

/* runc + libseccomp semantics, written apart from the compiler. */
static uint32_t m_action(int action, struct oci_opt_u64 eno)
{
	uint32_t data = eno.has ? (uint32_t)eno.v : EPERM;

	switch (action) {
	case OCI_SCMP_KILL:
		return SECCOMP_RET_KILL_THREAD;
	case OCI_SCMP_KILL_PROCESS:
		return SECCOMP_RET_KILL_PROCESS;
	case OCI_SCMP_TRAP:
		return SECCOMP_RET_TRAP;
	case OCI_SCMP_ERRNO:
		return SECCOMP_RET_ERRNO | data;
	case OCI_SCMP_TRACE:
		return SECCOMP_RET_TRACE | data;
	case OCI_SCMP_LOG:
		return SECCOMP_RET_LOG;
	default:
		return SECCOMP_RET_ALLOW;
	}
}

static bool m_arg(const struct oci_seccomp_arg *a, uint64_t x, bool is32)
{
	uint64_t v = a->value, mask = UINT64_MAX;

	if (a->op == OCI_SCMP_CMP_MASKED_EQ)
		mask = a->value, v = a->value_two & mask;
	if (is32)
		x = (uint32_t)x, v = (uint32_t)v, mask = (uint32_t)mask;
	switch (a->op) {
	case OCI_SCMP_CMP_NE:
		return x != v;
	case OCI_SCMP_CMP_LT:
		return x < v;
	case OCI_SCMP_CMP_LE:
		return x <= v;
	case OCI_SCMP_CMP_EQ:
		return x == v;
	case OCI_SCMP_CMP_GE:
		return x >= v;
	case OCI_SCMP_CMP_GT:
		return x > v;
	default:
		return (x & mask) == v;
	}
}

static bool m_any_of(const struct oci_seccomp_rule *r)
{
	size_t i, j;

	for (i = 0; i < r->n_args; i++)
		for (j = 0; j < i; j++)
			if (r->args[i].index == r->args[j].index)
				return true;
	return false;
}

/* matched: the rule's comparisons hold; returns whether it is catch-all. */
static bool m_rule(const struct oci_seccomp_rule *r, const uint64_t *args, bool is32, bool *matched)
{
	bool any_of = m_any_of(r), all = true, any = false, uncond_all = true, uncond_any = false;
	size_t i;

	for (i = 0; i < r->n_args; i++) {
		const struct oci_seccomp_arg *a = &r->args[i];
		bool taut = a->op == OCI_SCMP_CMP_MASKED_EQ &&
			    (is32 ? (uint32_t)a->value : a->value) == 0;
		bool ok = m_arg(a, args[a->index], is32);

		all &= ok, any |= ok, uncond_all &= taut, uncond_any |= taut;
	}
	*matched = !r->n_args || (any_of ? any : all);
	return !r->n_args || (any_of ? uncond_any : uncond_all);
}

static bool m_names(const struct oci_seccomp_rule *r, const struct t_arch *a, uint32_t nr)
{
	size_t i;

	for (i = 0; i < r->n_names; i++)
		if (nr_on(a, r->names[i]) == (long)nr)
			return true;
	return false;
}

static uint32_t model(const struct oci_seccomp *s, const struct t_arch *a, uint32_t nr,
		      const uint64_t *args)
{
	uint32_t def = m_action(s->default_action, s->default_errno_ret), got = 0;
	long max = 0;
	size_t r, i;
	bool found = false, matched;

	for (r = 0; r < s->n_syscalls; r++)
		for (i = 0; i < s->syscalls[r].n_names; i++)
			if (nr_on(a, s->syscalls[r].names[i]) > max &&
			    !(a->audit == AUDIT_ARCH_ARM &&
			      nr_on(a, s->syscalls[r].names[i]) >= 0x0f0000))
				max = nr_on(a, s->syscalls[r].names[i]);
	if (def != SECCOMP_RET_ALLOW && def != SECCOMP_RET_LOG &&
	    (def & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_TRACE && max && (long)nr > max &&
	    !(a->audit == AUDIT_ARCH_ARM && nr >= 0x0f0000))
		return SECCOMP_RET_ERRNO | ENOSYS;
	/* a catch-all rule wins, the first one */
	for (r = 0; r < s->n_syscalls; r++) {
		const struct oci_seccomp_rule *x = &s->syscalls[r];
		uint32_t act = m_action(x->action, x->errno_ret);

		if (act != def && m_names(x, a, nr) && m_rule(x, args, a->is32, &matched))
			return act;
	}
	for (r = 0; r < s->n_syscalls && !found; r++) {
		const struct oci_seccomp_rule *x = &s->syscalls[r];
		uint32_t act = m_action(x->action, x->errno_ret);

		if (act != def && m_names(x, a, nr)) {
			m_rule(x, args, a->is32, &matched);
			if (matched)
				found = true, got = act;
		}
	}
	return found ? got : def;
}

/* ------------------------------------------------------------ helpers */

static int compile(struct prof *p, struct oci_bpf *f, struct err *e)
{
	int rc = oci_seccomp_compile(&p->s, f, e);

	if (rc < 0)
		diag("compile: %s", e->msg);
	else if (!prog_valid(f))
		diag("compiled program is not valid BPF");
	return rc;
}

static struct prof *docker_profile(void)
{
	struct prof *p = prof_new(OCI_SCMP_ERRNO, EPERM);
	struct oci_seccomp_rule *r;
	static const uint64_t personas[] = {0, 8, 0x20000, 0x20008, 0xffffffff};
	size_t i;

	prof_rule(p, docker_allow, OCI_SCMP_ALLOW, -1);
	r = prof_rule(p, NAMES("socket"), OCI_SCMP_ALLOW, -1);
	rule_arg(r, 0, OCI_SCMP_CMP_NE, 40 /* AF_VSOCK */, 0);
	for (i = 0; i < NELEM(personas); i++) {
		r = prof_rule(p, NAMES("personality"), OCI_SCMP_ALLOW, -1);
		rule_arg(r, 0, OCI_SCMP_CMP_EQ, personas[i], 0);
	}
	r = prof_rule(p, NAMES("clone"), OCI_SCMP_ALLOW, -1);
	rule_arg(r, 0, OCI_SCMP_CMP_MASKED_EQ, CLONE_NS_FLAGS, 0);
	prof_rule(p, NAMES("clone3"), OCI_SCMP_ERRNO, ENOSYS);
	return p;
}

/* ------------------------------------------------------------ tests: names */

static void test_names(void)
{
	static const char *const acts[] = {
		"SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
		"SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG",  "SCMP_ACT_NOTIFY"};
	static const char *const ops[] = {"SCMP_CMP_NE",       "SCMP_CMP_LT", "SCMP_CMP_LE",
					  "SCMP_CMP_EQ",       "SCMP_CMP_GE", "SCMP_CMP_GT",
					  "SCMP_CMP_MASKED_EQ"};
	size_t i;
	bool good = true;

	for (i = 0; i < NELEM(acts); i++)
		good &= oci_seccomp_action_from_name(acts[i]) == (int)i;
	ok(good, "action names map to their enums");
	is_int(oci_seccomp_action_from_name("SCMP_ACT_KILL_THREAD"), OCI_SCMP_KILL,
	       "SCMP_ACT_KILL_THREAD is SCMP_ACT_KILL");
	is_int(oci_seccomp_action_from_name("SCMP_ACT_FOO"), -1, "unknown action is -1");
	is_int(oci_seccomp_action_from_name(NULL), -1, "NULL action is -1");
	for (good = true, i = 0; i < NELEM(ops); i++)
		good &= oci_seccomp_op_from_name(ops[i]) == (int)i;
	ok(good, "operator names map to their enums");
	is_int(oci_seccomp_op_from_name("SCMP_CMP_FOO"), -1, "unknown operator is -1");
}

static void test_tables(void)
{
	bool x86 = oci_seccomp_syscall_nr("SCMP_ARCH_X86_64", "getpid") >= 0;

	ok(nfam >= 1 && oci_seccomp_syscall_nr(fam[0]->name, "getpid") == SYS_getpid,
	   "native arch %s: getpid is SYS_getpid", nfam ? fam[0]->name : "?");
	is_int(oci_seccomp_syscall_nr(fam[0]->name, "mkdirat"), SYS_mkdirat, "mkdirat native");
	is_int(oci_seccomp_syscall_nr(fam[0]->name, "no_such_syscall"), -1, "unknown name is -1");
	is_int(oci_seccomp_syscall_nr("SCMP_ARCH_FOO", "getpid"), -1, "unknown arch is -1");
	is_int(oci_seccomp_syscall_nr("SCMP_ARCH_S390X", "getpid"), -1, "foreign arch is -1");
	if (x86) {
		is_int(oci_seccomp_syscall_nr("SCMP_ARCH_X86_64", "getpid"), 39, "x86_64 getpid");
		is_int(oci_seccomp_syscall_nr("SCMP_ARCH_X86", "getpid"), 20, "i386 getpid");
		is_int(oci_seccomp_syscall_nr("SCMP_ARCH_X32", "getpid"), X32_BIT | 39,
		       "x32 getpid");
		is_int(oci_seccomp_syscall_nr("SCMP_ARCH_X32", "rt_sigaction"), X32_BIT | 512,
		       "x32 rt_sigaction has its own number");
		is_int(oci_seccomp_syscall_nr("SCMP_ARCH_X86", "socketcall"), 102,
		       "i386 socketcall");
		is_int(oci_seccomp_syscall_nr("SCMP_ARCH_X86_64", "socketcall"), -1,
		       "no socketcall on x86_64");
		is_int(oci_seccomp_syscall_nr("SCMP_ARCH_X86_64", "_sysctl"), 156,
		       "x86_64 _sysctl");
		is_int(oci_seccomp_syscall_nr("SCMP_ARCH_AARCH64", "getpid"), -1,
		       "arm arches are not in an x86 build");
	} else {
		is_int(oci_seccomp_syscall_nr("SCMP_ARCH_AARCH64", "getpid"), 172,
		       "aarch64 getpid");
		is_int(oci_seccomp_syscall_nr("SCMP_ARCH_ARM", "getpid"), 20, "arm getpid");
		is_int(oci_seccomp_syscall_nr("SCMP_ARCH_ARM", "cacheflush"), 0x0f0002,
		       "arm private cacheflush");
		is_int(oci_seccomp_syscall_nr("SCMP_ARCH_AARCH64", "open"), -1,
		       "no open on aarch64");
		is_int(oci_seccomp_syscall_nr("SCMP_ARCH_AARCH64", "fcntl"), 25, "aarch64 fcntl");
		is_int(oci_seccomp_syscall_nr("SCMP_ARCH_X86_64", "getpid"), -1,
		       "x86 arches are not in an arm build");
	}
	is_int(oci_seccomp_syscall_nr(fam[0]->name, "cachestat"), 451,
	       "syscalls newer than the headers are known (cachestat)");
	is_int(oci_seccomp_syscall_nr(fam[0]->name, "listns"), 470, "and listns");
}

static long table_number(int arch, unsigned v)
{
	if (v == SC_NONE)
		return -1;
	if (arch == ARCH_ARM && v >= 0xf000)
		return 0x0f0000 + (v & 0xfff);
	return arch == ARCH_X32 ? (long)(v | X32_BIT) : (long)v;
}

/* Every name of the table, decoded here on its own, looks up to its row's
 * numbers; names in between do not. */
static void test_table_walk(void)
{
	static const char *const names[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
					    "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};
	static const uint8_t cols[SC_COLS] = SC_COL_ARCHES;
	char name[64], prev[64] = "", probe_name[70];
	size_t b, row = 0, bad = 0, len;
	int c;

	for (b = 0; b < NELEM(sc_block); b++) {
		const char *p = sc_names + sc_block[b];
		const char *end = b + 1 < NELEM(sc_block) ? sc_names + sc_block[b + 1]
							  : sc_names + sizeof(sc_names) - 1;

		for (len = 0; p < end; row++) {
			if ((unsigned char)*p < 32)
				len = (unsigned char)*p++;
			while (p < end && (unsigned char)*p >= 32)
				name[len++] = *p++;
			name[len] = '\0';
			if (strcmp(prev, name) >= 0 && bad++ < 5)
				diag("not sorted: %s, %s", prev, name);
			for (c = 0; c < SC_COLS; c++) {
				long want = table_number(cols[c], sc_nr[row][c]);

				if (oci_seccomp_syscall_nr(names[cols[c]], name) != want &&
				    bad++ < 5)
					diag("%s on %s: %ld, want %ld", name, names[cols[c]],
					     oci_seccomp_syscall_nr(names[cols[c]], name), want);
			}
			snprintf(probe_name, sizeof(probe_name), "%s_", name);
			if (oci_seccomp_syscall_nr(names[cols[0]], probe_name) != -1 && bad++ < 5)
				diag("%s found", probe_name);
			name[len - 1]++;
			if (oci_seccomp_syscall_nr(names[cols[0]], name) != -1 &&
			    strcmp(name, "dup3") && strcmp(name, "dup2") &&
			    strcmp(name, "clone3") && bad++ < 5)
				diag("%s found", name);
			name[len - 1]--;
			strcpy(prev, name);
		}
	}
	ok(row == NELEM(sc_nr) && !bad, "all %zu names of the table look up right", row);
	is_int(oci_seccomp_syscall_nr(fam[0]->name, ""), -1, "the empty name is unknown");
	is_int(oci_seccomp_syscall_nr(fam[0]->name, "_"), -1, "\"_\" is unknown");
	is_int(oci_seccomp_syscall_nr(fam[0]->name, "zzz"), -1, "\"zzz\" is unknown");
	is_int(oci_seccomp_syscall_nr(fam[0]->name, "clon"), -1, "a prefix is unknown");
	ok(oci_seccomp_syscall_nr(fam[0]->name, "clone3") > 0 &&
		   oci_seccomp_syscall_nr(fam[0]->name, "clone") > 0 &&
		   oci_seccomp_syscall_nr(fam[0]->name, "clone") !=
			   oci_seccomp_syscall_nr(fam[0]->name, "clone3"),
	   "clone and clone3 differ");
}

/* ------------------------------------------------------------ tests: errors */

static void expect_error(struct prof *p, const char *want, const char *what)
{
	struct oci_bpf f = {(void *)1, 1, 1};
	struct err e;

	err_clear(&e);
	is_int(oci_seccomp_compile(&p->s, &f, &e), -1, "%s: refused", what);
	is_str(e.msg, want, "%s: message", what);
	ok(!f.insns && !f.len, "%s: nothing left to free", what);
	free(p);
}

static void test_errors(void)
{
	struct prof *p;
	struct oci_seccomp_rule *r;

	p = prof_new(OCI_SCMP_ALLOW, -1);
	prof_arch(p, "SCMP_ARCH_X86_64");
	prof_arch(p, "SCMP_ARCH_FOO");
	expect_error(p, "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_FOO\"",
		     "unknown arch");

	p = prof_new(OCI_SCMP_ALLOW, -1);
	p->flags[p->s.n_flags++] = "SECCOMP_FILTER_FLAG_FOO";
	expect_error(p, "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\"",
		     "unknown flag");

	p = prof_new(OCI_SCMP_ALLOW, -1);
	p->flags[p->s.n_flags++] = "SECCOMP_FILTER_FLAG_LOG";
	p->flags[p->s.n_flags++] = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV";
	expect_error(p,
		     "linux.seccomp.flags[1]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV only "
		     "applies to SCMP_ACT_NOTIFY, which tug does not support",
		     "notify-only flag");

	p = prof_new(OCI_SCMP_ALLOW, -1);
	prof_rule(p, NAMES("getpid"), OCI_SCMP_ERRNO, -1);
	r = prof_rule(p, NAMES("getppid"), OCI_SCMP_ERRNO, -1);
	rule_arg(r, 1, OCI_SCMP_CMP_EQ, 0, 0);
	rule_arg(r, 6, OCI_SCMP_CMP_EQ, 0, 0);
	expect_error(p, "linux.seccomp.syscalls[1].args[1].index: 6 is out of range (0-5)",
		     "arg index 6");

	p = prof_new(OCI_SCMP_ALLOW, -1);
	r = prof_rule(p, NAMES("getpid"), OCI_SCMP_ERRNO, -1);
	rule_arg(r, 0, 99, 0, 0);
	expect_error(p, "linux.seccomp.syscalls[0].args[0].op: unknown operator 99", "bad op");

	p = prof_new(OCI_SCMP_ALLOW, -1);
	prof_rule(p, NAMES("getpid"), 42, -1);
	expect_error(p, "linux.seccomp.syscalls[0].action: unknown action 42", "bad action");

	p = prof_new(OCI_SCMP_ALLOW, -1);
	prof_rule(p, NAMES("getpid"), OCI_SCMP_NOTIFY, -1);
	expect_error(p,
		     "linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY is not supported (tug "
		     "has no seccomp agent support)",
		     "notify rule");

	p = prof_new(OCI_SCMP_NOTIFY, -1);
	expect_error(p,
		     "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY is not supported (tug has no "
		     "seccomp agent support)",
		     "notify default");

	p = prof_new(OCI_SCMP_ALLOW, -1);
	prof_rule(p, NAMES("getpid"), OCI_SCMP_ERRNO, 65536);
	expect_error(p,
		     "linux.seccomp.syscalls[0].errnoRet: 65536 does not fit in the 16 bits of "
		     "data a seccomp action carries",
		     "errnoRet too big");

	p = prof_new(OCI_SCMP_ERRNO, 70000);
	expect_error(p,
		     "linux.seccomp.defaultErrnoRet: 70000 does not fit in the 16 bits of data "
		     "a seccomp action carries",
		     "defaultErrnoRet too big");

	p = prof_new(OCI_SCMP_ALLOW, -1);
	prof_rule(p, NAMES("getpid", ""), OCI_SCMP_ERRNO, -1);
	expect_error(p, "linux.seccomp.syscalls[0].names[1]: empty syscall name", "empty name");
}

static void test_too_big(void)
{
	static const char *const pers[] = {"personality", NULL};
	struct prof *p = prof_new(OCI_SCMP_ALLOW, -1);
	struct oci_bpf f;
	struct err e;
	size_t i;

	/* about 10 instructions a rule, 5 on 32-bit arches */
	for (i = 0; i < 900; i++) {
		struct oci_seccomp_rule *r = prof_rule(p, pers, OCI_SCMP_ERRNO, 1);

		rule_arg(r, 0, OCI_SCMP_CMP_GT, i, 0);
		rule_arg(r, 1, OCI_SCMP_CMP_LT, i, 0);
	}
	is_int(oci_seccomp_compile(&p->s, &f, &e), -1,
	       "a filter over 4096 instructions is refused");
	ok(strncmp(e.msg, "linux.seccomp: the filter needs at least ", 41) == 0 &&
		   strstr(e.msg, " BPF instructions, more than the kernel's limit of 4096"),
	   "and says so: %s", e.msg);
	/* just under the limit is fine */
	p->s.n_syscalls = 300;
	is_int(oci_seccomp_compile(&p->s, &f, &e), 0, "300 such rules fit");
	ok(prog_valid(&f) && f.len > 1500, "in %u instructions", f.len);
	oci_seccomp_free(&f);
	free(p);
}

static void test_accept(void)
{
	struct prof *p = prof_new(OCI_SCMP_ALLOW, -1);
	struct oci_bpf f, g;
	struct err e;

	prof_rule(p, NAMES("getpid"), OCI_SCMP_ERRNO, -1);
	is_int(compile(p, &f, &e), 0, "native arch only");
	prof_arch(p, "SCMP_ARCH_MIPS");
	prof_arch(p, "SCMP_ARCH_S390X");
	prof_arch(p, "SCMP_ARCH_PPC64LE");
	prof_arch(p, "SCMP_ARCH_RISCV64");
	prof_arch(p, nr_on(fam[0], "arch_prctl") >= 0 ? "SCMP_ARCH_AARCH64" : "SCMP_ARCH_X86_64");
	prof_arch(p, fam[0]->name);
	is_int(compile(p, &g, &e), 0, "arches of other CPUs are accepted");
	ok(f.len == g.len && !memcmp(f.insns, g.insns, f.len * sizeof(*f.insns)),
	   "and left out of the program");
	oci_seccomp_free(&f);
	oci_seccomp_free(&g);
	oci_seccomp_free(&g);

	p->flags[p->s.n_flags++] = "SECCOMP_FILTER_FLAG_LOG";
	p->flags[p->s.n_flags++] = "SECCOMP_FILTER_FLAG_SPEC_ALLOW";
	p->flags[p->s.n_flags++] = "SECCOMP_FILTER_FLAG_TSYNC";
	is_int(compile(p, &f, &e), 0, "flags");
	is_int(f.flags,
	       SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_TSYNC,
	       "flags become SECCOMP_FILTER_FLAG_* bits");
	oci_seccomp_free(&f);
	free(p);

	p = prof_new(OCI_SCMP_ALLOW, -1);
	prof_rule(p, NAMES("no_such_syscall", "arch_prctl", "cacheflush", "getpid"), OCI_SCMP_ERRNO,
		  1234);
	is_int(compile(p, &f, &e), 0, "names unknown here are skipped");
	is_int(run_name(&f, fam[0], "getpid", NULL), SECCOMP_RET_ERRNO | 1234,
	       "the known one still applies");
	oci_seccomp_free(&f);
	free(p);
}

/* ------------------------------------------------------------ tests: programs */

static void test_dispatch(void)
{
	struct prof *p = prof_new(OCI_SCMP_ALLOW, -1);
	struct oci_bpf f;
	struct err e;
	size_t i;

	prof_rule(p, NAMES("getpid"), OCI_SCMP_ERRNO, 1234);
	compile(p, &f, &e);
	is_int(run_name(&f, fam[0], "getpid", NULL), SECCOMP_RET_ERRNO | 1234, "native rule");
	is_int(run_name(&f, fam[0], "getppid", NULL), SECCOMP_RET_ALLOW, "native default");
	is_int(run_nr(&f, AUDIT_ARCH_PPC64LE, 20, NULL), SECCOMP_RET_KILL_THREAD,
	       "an arch not in the filter is killed");
	for (i = 1; i < nfam; i++)
		if (fam[i]->audit != fam[0]->audit)
			is_int(run_name(&f, fam[i], "getpid", NULL), SECCOMP_RET_KILL_THREAD,
			       "%s not listed: killed", fam[i]->name);
	oci_seccomp_free(&f);
	for (i = 1; i < nfam; i++)
		prof_arch(p, fam[i]->name);
	compile(p, &f, &e);
	for (i = 0; i < nfam; i++) {
		is_int(run_name(&f, fam[i], "getpid", NULL), SECCOMP_RET_ERRNO | 1234,
		       "%s listed: its getpid (%ld) matches", fam[i]->name,
		       nr_on(fam[i], "getpid"));
		is_int(run_name(&f, fam[i], "getppid", NULL), SECCOMP_RET_ALLOW,
		       "%s listed: default", fam[i]->name);
	}
	oci_seccomp_free(&f);
	free(p);
}

/* x32 shares AUDIT_ARCH_X86_64 with x86_64 and is told by bit 30. */
static void test_x32(void)
{
	const struct t_arch *x64 = &t_arches[0], *x32 = &t_arches[2];
	struct prof *p;
	struct oci_bpf f;
	struct err e;

	if (nr_on(x64, "getpid") < 0) {
		ok(1, "# SKIP x32 exists on x86 only");
		return;
	}
	p = prof_new(OCI_SCMP_ALLOW, -1);
	prof_rule(p, NAMES("rt_sigaction"), OCI_SCMP_ERRNO, 1234);
	prof_arch(p, "SCMP_ARCH_X86_64");
	compile(p, &f, &e);
	is_int(run_nr(&f, AUDIT_ARCH_X86_64, 13, NULL), SECCOMP_RET_ERRNO | 1234,
	       "x86_64 only: rt_sigaction (13) matches");
	is_int(run_nr(&f, AUDIT_ARCH_X86_64, X32_BIT | 13, NULL), SECCOMP_RET_KILL_THREAD,
	       "x86_64 only: an x32 syscall is a bad arch");
	is_int(run_nr(&f, AUDIT_ARCH_X86_64, X32_BIT | 512, NULL), SECCOMP_RET_KILL_THREAD,
	       "x86_64 only: x32 rt_sigaction too");
	is_int(run_nr(&f, AUDIT_ARCH_X86_64, UINT32_MAX, NULL), SECCOMP_RET_ALLOW,
	       "x86_64 only: nr -1 (a tracer skipping) gets the default");
	oci_seccomp_free(&f);

	prof_arch(p, "SCMP_ARCH_X32");
	compile(p, &f, &e);
	is_int(run_nr(&f, AUDIT_ARCH_X86_64, 13, NULL), SECCOMP_RET_ERRNO | 1234,
	       "x86_64+x32: x86_64 rt_sigaction (13) matches");
	is_int(run_nr(&f, AUDIT_ARCH_X86_64, X32_BIT | 512, NULL), SECCOMP_RET_ERRNO | 1234,
	       "x86_64+x32: x32 rt_sigaction (bit|512) matches");
	is_int(run_nr(&f, AUDIT_ARCH_X86_64, X32_BIT | 13, NULL), SECCOMP_RET_ALLOW,
	       "x86_64+x32: x32 nr 13 is not x86_64's 13");
	is_int(run_nr(&f, AUDIT_ARCH_X86_64, 512, NULL), SECCOMP_RET_ALLOW,
	       "x86_64+x32: x86_64 nr 512 is not x32's 512");
	oci_seccomp_free(&f);
	free(p);

	/* x32 is 32-bit for libseccomp: only low words are compared */
	p = prof_new(OCI_SCMP_ALLOW, -1);
	rule_arg(prof_rule(p, NAMES("personality"), OCI_SCMP_ERRNO, 7), 0, OCI_SCMP_CMP_EQ,
		 0x100000005ull, 0);
	prof_arch(p, "SCMP_ARCH_X32");
	compile(p, &f, &e);
	is_int(run_name(&f, x32, "personality", (uint64_t[6]){5}), SECCOMP_RET_ERRNO | 7,
	       "x32 compares the low word only");
	is_int(run_name(&f, x64, "personality", (uint64_t[6]){5}), SECCOMP_RET_ALLOW,
	       "x86_64 compares all 64 bits");
	is_int(run_name(&f, x64, "personality", (uint64_t[6]){0x100000005ull}),
	       SECCOMP_RET_ERRNO | 7, "x86_64 equal value matches");
	oci_seccomp_free(&f);
	free(p);
}

static void test_actions(void)
{
	static const struct {
		int action;
		long eno;
		uint32_t want;
	} cases[] = {
		{OCI_SCMP_KILL, -1, SECCOMP_RET_KILL_THREAD},
		{OCI_SCMP_KILL_PROCESS, -1, SECCOMP_RET_KILL_PROCESS},
		{OCI_SCMP_TRAP, -1, SECCOMP_RET_TRAP},
		{OCI_SCMP_ERRNO, -1, SECCOMP_RET_ERRNO | EPERM},
		{OCI_SCMP_ERRNO, 38, SECCOMP_RET_ERRNO | 38},
		{OCI_SCMP_ERRNO, 0, SECCOMP_RET_ERRNO},
		{OCI_SCMP_TRACE, -1, SECCOMP_RET_TRACE | EPERM},
		{OCI_SCMP_TRACE, 77, SECCOMP_RET_TRACE | 77},
		{OCI_SCMP_LOG, -1, SECCOMP_RET_LOG},
		{OCI_SCMP_KILL, 5, SECCOMP_RET_KILL_THREAD},
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct prof *p = prof_new(OCI_SCMP_ALLOW, -1);
		struct oci_bpf f;
		struct err e;

		prof_rule(p, NAMES("getpid"), cases[i].action, cases[i].eno);
		compile(p, &f, &e);
		is_int(run_name(&f, fam[0], "getpid", NULL), cases[i].want,
		       "action %d errnoRet %ld -> 0x%x", cases[i].action, cases[i].eno,
		       cases[i].want);
		oci_seccomp_free(&f);
		p->rules[0].action = OCI_SCMP_ALLOW;
		p->s.default_action = cases[i].action;
		p->s.default_errno_ret = p->rules[0].errno_ret;
		compile(p, &f, &e);
		is_int(run_name(&f, fam[0], "read", NULL), cases[i].want,
		       "as the default action too");
		oci_seccomp_free(&f);
		free(p);
	}
}

/* Every comparison against every interesting value, each arch: the program
 * must agree with plain C on 64-bit (or, on 32-bit ABIs, low-word) values. */
static void test_compare(void)
{
	static const uint64_t vals[] = {0,
					1,
					4,
					5,
					6,
					0x7fffffff,
					0x80000000,
					0xfffffffe,
					0xffffffff,
					0x100000000ull,
					0x100000004ull,
					0x100000005ull,
					0x100000006ull,
					0xffffffff00000005ull,
					0xfffffffffffffffeull,
					UINT64_MAX};
	size_t ai, op, vi, xi, bad = 0, runs = 0;

	for (ai = 0; ai < nfam; ai++) {
		for (op = OCI_SCMP_CMP_NE; op <= OCI_SCMP_CMP_MASKED_EQ; op++) {
			for (vi = 0; vi < NELEM(vals); vi++) {
				struct prof *p = prof_new(OCI_SCMP_ALLOW, -1);
				struct oci_seccomp_rule *r;
				struct oci_bpf f;
				struct err e;

				prof_arch(p, fam[ai]->name);
				r = prof_rule(p, NAMES("personality"), OCI_SCMP_ERRNO, 99);
				rule_arg(r, 2, (int)op, vals[vi], vals[(vi * 7 + 3) % NELEM(vals)]);
				if (compile(p, &f, &e) < 0) {
					bad++;
					free(p);
					continue;
				}
				for (xi = 0; xi < NELEM(vals); xi++) {
					uint64_t args[6] = {0, 0, vals[xi]};
					uint32_t want = model(
						&p->s, fam[ai],
						(uint32_t)nr_on(fam[ai], "personality"), args);

					runs++;
					if (run_name(&f, fam[ai], "personality", args) != want) {
						if (bad++ < 5)
							diag("%s op %zu value 0x%llx arg 0x%llx",
							     fam[ai]->name, op,
							     (unsigned long long)vals[vi],
							     (unsigned long long)vals[xi]);
					}
				}
				oci_seccomp_free(&f);
				free(p);
			}
		}
	}
	ok(!bad, "every operator and boundary agrees with C (%zu runs)", runs);
}

static void test_rule_semantics(void)
{
	const struct t_arch *a = fam[0];
	struct prof *p = prof_new(OCI_SCMP_ERRNO, 1);
	struct oci_seccomp_rule *r;
	struct oci_bpf f;
	struct err e;
	uint64_t args[6] = {0};

	prof_rule(p, NAMES("exit_group"), OCI_SCMP_ALLOW, -1);
	/* dropped: same action as the default, so it cannot shadow the next */
	rule_arg(prof_rule(p, NAMES("kill"), OCI_SCMP_ERRNO, 1), 0, OCI_SCMP_CMP_EQ, 1, 0);
	rule_arg(prof_rule(p, NAMES("kill"), OCI_SCMP_ALLOW, -1), 0, OCI_SCMP_CMP_LE, 3, 0);
	/* first matching conditional rule wins */
	rule_arg(prof_rule(p, NAMES("dup3"), OCI_SCMP_ERRNO, 10), 0, OCI_SCMP_CMP_GT, 5, 0);
	rule_arg(prof_rule(p, NAMES("dup3"), OCI_SCMP_ERRNO, 11), 0, OCI_SCMP_CMP_GT, 2, 0);
	/* an unconditional rule beats conditional ones before it */
	rule_arg(prof_rule(p, NAMES("close"), OCI_SCMP_ERRNO, 20), 0, OCI_SCMP_CMP_EQ, 0, 0);
	prof_rule(p, NAMES("close"), OCI_SCMP_ERRNO, 21);
	prof_rule(p, NAMES("close"), OCI_SCMP_ERRNO, 22);
	/* the same argument twice: runc ORs them */
	r = prof_rule(p, NAMES("getpriority"), OCI_SCMP_ALLOW, -1);
	rule_arg(r, 0, OCI_SCMP_CMP_EQ, 1, 0);
	rule_arg(r, 0, OCI_SCMP_CMP_EQ, 2, 0);
	/* different arguments: ANDed */
	r = prof_rule(p, NAMES("setpriority"), OCI_SCMP_ALLOW, -1);
	rule_arg(r, 0, OCI_SCMP_CMP_EQ, 1, 0);
	rule_arg(r, 2, OCI_SCMP_CMP_GE, 10, 0);
	/* a mask of 0 always holds: the rule is a catch-all */
	rule_arg(prof_rule(p, NAMES("socket"), OCI_SCMP_ERRNO, 30), 0, OCI_SCMP_CMP_EQ, 1, 0);
	rule_arg(prof_rule(p, NAMES("socket"), OCI_SCMP_ERRNO, 31), 1, OCI_SCMP_CMP_MASKED_EQ, 0,
		 7);
	compile(p, &f, &e);

	args[0] = 1;
	is_int(run_name(&f, a, "kill", args), SECCOMP_RET_ALLOW,
	       "rule like the default is dropped");
	args[0] = 4;
	is_int(run_name(&f, a, "kill", args), SECCOMP_RET_ERRNO | 1, "kill(4) gets the default");
	args[0] = 9;
	is_int(run_name(&f, a, "dup3", args), SECCOMP_RET_ERRNO | 10, "first matching rule wins");
	args[0] = 3;
	is_int(run_name(&f, a, "dup3", args), SECCOMP_RET_ERRNO | 11, "else the next");
	args[0] = 0;
	is_int(run_name(&f, a, "dup3", args), SECCOMP_RET_ERRNO | 1, "else the default");
	is_int(run_name(&f, a, "close", args), SECCOMP_RET_ERRNO | 21,
	       "the first catch-all beats conditions");
	args[0] = 2;
	is_int(run_name(&f, a, "getpriority", args), SECCOMP_RET_ALLOW, "same arg twice: ORed (2)");
	args[0] = 1;
	is_int(run_name(&f, a, "getpriority", args), SECCOMP_RET_ALLOW, "same arg twice: ORed (1)");
	args[0] = 3;
	is_int(run_name(&f, a, "getpriority", args), SECCOMP_RET_ERRNO | 1, "neither: default");
	args[0] = 1, args[2] = 10;
	is_int(run_name(&f, a, "setpriority", args), SECCOMP_RET_ALLOW, "two args: both hold");
	args[2] = 9;
	is_int(run_name(&f, a, "setpriority", args), SECCOMP_RET_ERRNO | 1, "two args: ANDed");
	args[0] = 1;
	is_int(run_name(&f, a, "socket", args), SECCOMP_RET_ERRNO | 31,
	       "a mask of 0 makes a catch-all");
	oci_seccomp_free(&f);
	free(p);
}

/* runc's stub: syscalls newer than the profile get ENOSYS, not the default. */
static void test_enosys(void)
{
	const struct t_arch *a = fam[0];
	struct prof *p = prof_new(OCI_SCMP_ERRNO, -1);
	struct oci_bpf f;
	struct err e;
	size_t i;

	prof_rule(p, NAMES("getpid", "read", "cacheflush"), OCI_SCMP_ALLOW, -1);
	prof_rule(p, NAMES("getrandom"), OCI_SCMP_ERRNO, -1); /* dropped, but counts */
	for (i = 1; i < nfam; i++)
		prof_arch(p, fam[i]->name);
	compile(p, &f, &e);
	for (i = 0; i < nfam; i++) {
		long max = nr_on(fam[i], "getrandom");

		is_int(run_nr(&f, fam[i]->audit, (uint32_t)max + 1, NULL),
		       SECCOMP_RET_ERRNO | ENOSYS, "%s: above the profile's last syscall: ENOSYS",
		       fam[i]->name);
		is_int(run_nr(&f, fam[i]->audit, (uint32_t)max, NULL), SECCOMP_RET_ERRNO | EPERM,
		       "%s: the last one itself: default", fam[i]->name);
		if (nr_on(fam[i], "cacheflush") < 0)
			continue;
		is_int(run_name(&f, fam[i], "cacheflush", NULL), SECCOMP_RET_ALLOW,
		       "%s: a private syscall is not newer than the profile", fam[i]->name);
		is_int(run_name(&f, fam[i], "usr26", NULL), SECCOMP_RET_ERRNO | EPERM,
		       "%s: nor is one the profile leaves out", fam[i]->name);
	}
	oci_seccomp_free(&f);
	p->s.default_action = OCI_SCMP_ALLOW;
	p->rules[0].action = OCI_SCMP_ERRNO;
	compile(p, &f, &e);
	is_int(run_nr(&f, a->audit, (uint32_t)nr_on(a, "getrandom") + 1, NULL), SECCOMP_RET_ALLOW,
	       "no stub when the default allows");
	oci_seccomp_free(&f);
	free(p);
}

/* Docker's profile: real names, a program large enough for long jumps, and
 * a lookup of a few dozen instructions at most. */
static void test_docker(void)
{
	struct prof *p = docker_profile();
	struct oci_bpf f;
	struct err e;
	size_t i, k, n, bad = 0;
	long maxsteps = 0;
	uint64_t args[6] = {0};

	is_int(compile(p, &f, &e), 0, "Docker's profile compiles (native only)");
	diag("Docker default profile, %s only: %u instructions", fam[0]->name, f.len);
	oci_seccomp_free(&f);
	for (i = 1; i < nfam; i++)
		prof_arch(p, fam[i]->name);
	is_int(compile(p, &f, &e), 0, "Docker's profile compiles (%zu arches)", nfam);
	ok(prog_valid(&f), "valid program of %u instructions", f.len);
	ok(has_trampoline(&f), "with long jumps");
	diag("Docker default profile, %zu arches: %u instructions", nfam, f.len);
	for (i = 0; i < nfam; i++) {
		for (k = n = 0; docker_allow[k]; k++) {
			if (nr_on(fam[i], docker_allow[k]) < 0)
				continue;
			n++;
			if (run_name(&f, fam[i], docker_allow[k], args) != SECCOMP_RET_ALLOW &&
			    bad++ < 5)
				diag("%s %s not allowed", fam[i]->name, docker_allow[k]);
			if (steps > maxsteps)
				maxsteps = steps;
		}
		ok(n > 200, "%s knows %zu of the profile's names", fam[i]->name, n);
	}
	ok(!bad, "every allowed name is allowed on every arch");
	ok(maxsteps < 50, "a lookup runs at most %ld instructions", maxsteps);
	diag("the longest lookup of an allowed syscall: %ld instructions", maxsteps);
	args[0] = 0xffffffff;
	is_int(run_name(&f, fam[0], "personality", args), SECCOMP_RET_ALLOW, "personality query");
	args[0] = 6;
	is_int(run_name(&f, fam[0], "personality", args), SECCOMP_RET_ERRNO | EPERM,
	       "personality(PER_BSD) denied");
	args[0] = 0x10000000; /* CLONE_NEWUSER */
	is_int(run_name(&f, fam[0], "clone", args), SECCOMP_RET_ERRNO | EPERM,
	       "clone(CLONE_NEWUSER) denied");
	args[0] = SIGCHLD;
	is_int(run_name(&f, fam[0], "clone", args), SECCOMP_RET_ALLOW, "clone(SIGCHLD) allowed");
	is_int(run_name(&f, fam[0], "clone3", args), SECCOMP_RET_ERRNO | ENOSYS, "clone3 ENOSYS");
	args[0] = 40;
	is_int(run_name(&f, fam[0], "socket", args), SECCOMP_RET_ERRNO | EPERM,
	       "socket(AF_VSOCK) denied");
	args[0] = 1;
	is_int(run_name(&f, fam[0], "socket", args), SECCOMP_RET_ALLOW, "socket(AF_UNIX) allowed");
	is_int(run_name(&f, fam[0], "mount", args), SECCOMP_RET_ERRNO | EPERM, "mount denied");
	is_int(run_name(&f, fam[0], "cachestat", args), SECCOMP_RET_ERRNO | ENOSYS,
	       "a syscall newer than the profile: ENOSYS");
	oci_seccomp_free(&f);
	free(p);
}

/* One syscall with so many conditional rules that its block, and the jumps
 * over it, are far longer than 255 instructions. */
static void test_long_blocks(void)
{
	struct prof *p = docker_profile();
	struct oci_bpf f;
	struct err e;
	size_t i, bad = 0;
	static const char *const names[] = {"personality", "mount", "unshare"};
	static const char *const lists[3][2] = {{"personality"}, {"mount"}, {"unshare"}};

	p->s.n_syscalls = 1;
	for (i = 0; i < 3 * 40; i++) {
		struct oci_seccomp_rule *r =
			prof_rule(p, lists[i % 3], OCI_SCMP_ERRNO, (long)(100 + i));

		rule_arg(r, 0, OCI_SCMP_CMP_EQ, i, 0);
		rule_arg(r, 1, OCI_SCMP_CMP_NE, 0x100000000ull, 0);
	}
	for (i = 1; i < nfam; i++)
		prof_arch(p, fam[i]->name);
	is_int(compile(p, &f, &e), 0, "Docker's list plus 120 conditional rules");
	ok(has_trampoline(&f), "%u instructions, with long jumps", f.len);
	for (i = 0; i < 3 * 40; i++) {
		size_t k;

		for (k = 0; k < nfam; k++) {
			uint64_t args[6] = {i, 1};
			uint32_t got = run_name(&f, fam[k], names[i % 3], args);

			if (got != (SECCOMP_RET_ERRNO | (100 + i)) && bad++ < 5)
				diag("%s %s(%zu): 0x%x", fam[k]->name, names[i % 3], i, got);
			/* 64-bit ABIs see a different value, 32-bit ones the same low word */
			args[1] = 0x200000000ull;
			got = run_name(&f, fam[k], names[i % 3], args);
			if (got != (fam[k]->is32 ? SECCOMP_RET_ERRNO | EPERM
						 : SECCOMP_RET_ERRNO | (100 + i)) &&
			    bad++ < 5)
				diag("%s %s(%zu, 2<<32): 0x%x", fam[k]->name, names[i % 3], i, got);
		}
	}
	ok(!bad, "every rule reaches its action");
	oci_seccomp_free(&f);
	free(p);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Random profiles over a few syscalls, random arguments: program == model. */
static void test_random(void)
{
	static const char *const pool[] = {"read", "write",       "close",  "getpid", "kill",
					   "dup3", "personality", "socket", "clone",  "mkdirat"};
	static const uint64_t vals[] = {0,
					1,
					2,
					5,
					0x7fffffff,
					0x80000000,
					0xffffffff,
					0x100000000ull,
					0x100000005ull,
					0xffffffff00000005ull,
					UINT64_MAX};
	static const int acts[] = {OCI_SCMP_ALLOW, OCI_SCMP_ERRNO, OCI_SCMP_KILL,
				   OCI_SCMP_TRAP,  OCI_SCMP_LOG,   OCI_SCMP_ERRNO};
	size_t t, runs = 0, bad = 0;

	for (t = 0; t < 400; t++) {
		struct prof *p = prof_new(acts[rnd() % NELEM(acts)], (long)(rnd() % 3));
		const char *names[16][4];
		struct oci_bpf f;
		struct err e;
		size_t r, k, i, nr = 1 + rnd() % 12;

		for (r = 0; r < nr; r++) {
			struct oci_seccomp_rule *x;
			size_t nn = 1 + rnd() % 3, na = rnd() % 4;

			for (k = 0; k < nn; k++)
				names[r][k] = pool[rnd() % NELEM(pool)];
			names[r][nn] = NULL;
			x = prof_rule(p, names[r], acts[rnd() % NELEM(acts)], (long)(rnd() % 3));
			for (k = 0; k < na; k++)
				rule_arg(x, (unsigned)(rnd() % 3), (int)(rnd() % 7),
					 vals[rnd() % NELEM(vals)],
					 rnd() % 4 ? vals[rnd() % NELEM(vals)] : rnd());
		}
		for (i = 1; i < nfam; i++)
			prof_arch(p, fam[i]->name);
		if (compile(p, &f, &e) < 0) {
			bad++;
			free(p);
			continue;
		}
		for (i = 0; i < nfam; i++) {
			for (k = 0; k < NELEM(pool) + 1; k++) {
				uint64_t args[6];
				size_t j;
				long n = k < NELEM(pool) ? nr_on(fam[i], pool[k])
							 : nr_on(fam[i], "getppid");

				if (n < 0)
					continue;
				for (r = 0; r < 6; r++) {
					for (j = 0; j < 6; j++)
						args[j] = vals[rnd() % NELEM(vals)] + rnd() % 3 - 1;
					runs++;
					if (run_nr(&f, fam[i]->audit, (uint32_t)n, args) !=
						    model(&p->s, fam[i], (uint32_t)n, args) &&
					    bad++ < 5)
						diag("profile %zu %s nr %ld differs", t,
						     fam[i]->name, n);
				}
			}
		}
		oci_seccomp_free(&f);
		free(p);
	}
	ok(!bad, "400 random profiles agree with the model (%zu runs)", runs);
}

/* ------------------------------------------------------------ tests: kernel */

struct res {
	long ret;
	int err;
	char msg[ERR_MSG_MAX];
};

/* Fork; the child sets no_new_privs, loads f and makes one syscall. Returns
 * the wait status; *r is what the syscall returned (ret -2: loading failed,
 * msg says why; ret -3: the child died before it could tell). */
static int probe(const struct oci_bpf *f, long nr, const long *a, struct res *r)
{
	int fd[2], status;
	pid_t pid;

	r->ret = -3;
	r->err = 0;
	r->msg[0] = '\0';
	if (pipe(fd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct rlimit nocore = {0, 0};
		struct res x = {0};
		struct err e;

		close(fd[0]);
		/* SIGSYS would dump core */
		setrlimit(RLIMIT_CORE, &nocore);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || oci_seccomp_load(f, &e) < 0) {
			x.ret = -2;
			x.err = errno;
			memcpy(x.msg, e.msg, sizeof(x.msg));
			(void)!write(fd[1], &x, sizeof(x));
			_exit(3);
		}
		errno = 0;
		x.ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		x.err = errno;
		if (nr == SYS_clone && x.ret == 0)
			_exit(0); /* the clone's child */
		(void)!write(fd[1], &x, sizeof(x));
		_exit(0);
	}
	close(fd[1]);
	if (pid < 0 || read(fd[0], r, sizeof(*r)) < 0)
		r->ret = -3;
	close(fd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return status;
}

static bool killed_by_sigsys(int status)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
}

/* The syscalls the probe child needs after loading (sigaltstack and mmap
 * for the sanitizers' _exit hook in the debug build). */
static struct prof *kprof(int def, long eno)
{
	struct prof *p = prof_new(def, eno);

	prof_rule(p, NAMES("write", "exit", "exit_group", "sigaltstack", "mmap", "munmap"),
		  OCI_SCMP_ALLOW, -1);
	return p;
}

static void kcheck(struct prof *p, long nr, const long *a, long want_ret, int want_err,
		   const char *what)
{
	struct oci_bpf f;
	struct err e;
	struct res r;
	int status;

	if (compile(p, &f, &e) < 0) {
		ok(0, "%s: compile", what);
		return;
	}
	status = probe(&f, nr, a, &r);
	oci_seccomp_free(&f);
	if (r.ret == -2)
		diag("load: %s", r.msg);
	if (want_ret == -1)
		ok(r.ret == -1 && r.err == want_err, "%s: errno %d (got %ld, errno %d)", what,
		   want_err, r.ret, r.err);
	else if (want_ret == -4)
		ok(killed_by_sigsys(status), "%s: killed by SIGSYS (status 0x%x)", what, status);
	else
		ok(r.ret >= want_ret && status == 0, "%s: allowed (got %ld, errno %d)", what, r.ret,
		   r.err);
}

#define DENIED -1
#define KILLED -4
#define ALLOWED 0

static long A0[6], A_PERQ[6] = {0xffffffff}, A_BSD[6] = {6};

static bool kernel_works(void)
{
	struct prof *p = prof_new(OCI_SCMP_ALLOW, -1);
	struct oci_bpf f;
	struct err e;
	struct res r;

	compile(p, &f, &e);
	probe(&f, SYS_getpid, A0, &r);
	oci_seccomp_free(&f);
	free(p);
	if (r.ret == -2)
		diag("cannot load a filter here: %s", r.msg);
	return r.ret > 0;
}

static void test_kernel_basic(void)
{
	struct prof *p;
	long a_mkdir[6] = {AT_FDCWD, (long)"/nonexistent/x", 0700};

	p = kprof(OCI_SCMP_ALLOW, -1);
	prof_rule(p, NAMES("mkdir", "mkdirat"), OCI_SCMP_ERRNO, -1);
	kcheck(p, SYS_getpid, A0, ALLOWED, 0, "getpid under an allow-all default");
	kcheck(p, SYS_mkdirat, a_mkdir, DENIED, EPERM, "mkdirat with SCMP_ACT_ERRNO");
	p->rules[1].errno_ret = (struct oci_opt_u64){true, 1234};
	kcheck(p, SYS_mkdirat, a_mkdir, DENIED, 1234, "errnoRet 1234");
	p->rules[1].errno_ret = (struct oci_opt_u64){true, ENOSYS};
	kcheck(p, SYS_mkdirat, a_mkdir, DENIED, ENOSYS, "errnoRet 38");
	p->rules[1].action = OCI_SCMP_KILL;
	kcheck(p, SYS_mkdirat, a_mkdir, KILLED, 0, "SCMP_ACT_KILL");
	p->rules[1].action = OCI_SCMP_KILL_PROCESS;
	kcheck(p, SYS_mkdirat, a_mkdir, KILLED, 0, "SCMP_ACT_KILL_PROCESS");
	p->rules[1].action = OCI_SCMP_TRAP;
	kcheck(p, SYS_mkdirat, a_mkdir, KILLED, 0, "SCMP_ACT_TRAP (SIGSYS unhandled)");
	p->rules[1].action = OCI_SCMP_TRACE;
	kcheck(p, SYS_mkdirat, a_mkdir, DENIED, ENOSYS, "SCMP_ACT_TRACE without a tracer");
	p->rules[1].action = OCI_SCMP_LOG;
	kcheck(p, SYS_mkdirat, a_mkdir, DENIED, ENOENT, "SCMP_ACT_LOG lets it run");
	free(p);

	/* an allow list: the rest gets defaultErrnoRet, newer syscalls ENOSYS */
	p = kprof(OCI_SCMP_ERRNO, 1234);
	prof_rule(p, NAMES("getpid", "getrandom"), OCI_SCMP_ALLOW, -1);
	kcheck(p, SYS_getpid, A0, ALLOWED, 0, "default ERRNO: getpid is on the list");
	kcheck(p, SYS_getppid, A0, DENIED, 1234, "default ERRNO: getppid gets defaultErrnoRet");
	kcheck(p, SYS_memfd_create, (long[6]){(long)"x"}, DENIED, ENOSYS,
	       "default ERRNO: a syscall newer than the list gets ENOSYS");
	free(p);
}

static void test_kernel_args(void)
{
	struct prof *p = docker_profile();
	long a_vsock[6] = {40, SOCK_STREAM}, a_unix[6] = {AF_UNIX, SOCK_STREAM};
	long a_fork[6] = {SIGCHLD}, a_userns[6] = {0x10000000 | SIGCHLD};
	size_t i;

	for (i = 1; i < nfam; i++)
		prof_arch(p, fam[i]->name);
	kcheck(p, SYS_getpid, A0, ALLOWED, 0, "Docker profile: getpid");
	kcheck(p, SYS_personality, A_PERQ, ALLOWED, 0, "Docker profile: personality(0xffffffff)");
	kcheck(p, SYS_personality, A_BSD, DENIED, EPERM, "Docker profile: personality(PER_BSD)");
	kcheck(p, SYS_socket, a_unix, ALLOWED, 0, "Docker profile: socket(AF_UNIX)");
	kcheck(p, SYS_socket, a_vsock, DENIED, EPERM, "Docker profile: socket(AF_VSOCK)");
	kcheck(p, SYS_clone, a_fork, ALLOWED, 0, "Docker profile: clone(SIGCHLD)");
	kcheck(p, SYS_clone, a_userns, DENIED, EPERM, "Docker profile: clone(CLONE_NEWUSER)");
	kcheck(p, SYS_mount, A0, DENIED, EPERM, "Docker profile: mount");
	kcheck(p, SYS_clone3, A0, DENIED, ENOSYS, "Docker profile: clone3 gets ENOSYS");
	kcheck(p, 451 /* cachestat */, A0, DENIED, ENOSYS,
	       "Docker profile: cachestat, newer than the profile, ENOSYS");
	p->s.default_action = OCI_SCMP_KILL_PROCESS;
	kcheck(p, SYS_getppid, A0, ALLOWED, 0, "Docker list, default KILL_PROCESS: getppid");
	kcheck(p, SYS_mount, A0, KILLED, 0, "Docker list, default KILL_PROCESS: mount");
	free(p);
}

/* Real x32 and i386 numbers go through the same filter on x86_64 kernels:
 * seccomp sees them before the kernel looks for an x32 entry. */
static void test_kernel_x32(void)
{
	struct prof *p;

	if (SYS_getpid != 39) {
		ok(1, "# SKIP x32 exists on x86_64 only");
		return;
	}
	p = kprof(OCI_SCMP_ALLOW, -1);
	prof_rule(p, NAMES("rt_sigaction"), OCI_SCMP_ERRNO, 1234);
	kcheck(p, X32_BIT | 39, A0, KILLED, 0, "x32 syscall, x32 not in the filter: killed");
	prof_arch(p, "SCMP_ARCH_X32");
	kcheck(p, X32_BIT | 512, A0, DENIED, 1234, "x32 rt_sigaction matches the x32 rule");
	kcheck(p, X32_BIT | 13, A0, DENIED, ENOSYS,
	       "x32 nr 13 is not x86_64's rt_sigaction (the kernel's own ENOSYS)");
	free(p);
}

int main(void)
{
	find_family();
	diag("arches of this build: %s%s%s %s%s", fam[0]->name, nfam > 1 ? " " : "",
	     nfam > 1 ? fam[1]->name : "", nfam > 2 ? fam[2]->name : "", "");
	test_names();
	test_tables();
	test_table_walk();
	test_errors();
	test_too_big();
	test_accept();
	test_dispatch();
	test_x32();
	test_actions();
	test_compare();
	test_rule_semantics();
	test_enosys();
	test_docker();
	test_long_blocks();
	test_random();
	if (kernel_works()) {
		test_kernel_basic();
		test_kernel_args();
		test_kernel_x32();
	} else {
		ok(1, "# SKIP seccomp cannot be loaded here (qemu-user?): kernel tests");
	}
	return done_testing();
}
