/* process.c - from a privileged setup process to the container's program:
 * the order matters (limits while privileged, the bounding set before the
 * user switch, the other capabilities after it with KEEPCAPS across it). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci/caps.h"
#include "oci/process.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct sched_attr_v1 {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
};

static int set_scheduler(const struct oci_process *p, struct err *e)
{
	struct sched_attr_v1 a = {sizeof(a),
				  (uint32_t)p->sched_policy,
				  p->sched_flags,
				  p->sched_nice,
				  (uint32_t)p->sched_priority,
				  p->sched_runtime,
				  p->sched_deadline,
				  p->sched_period};

	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
		return err_sys(e, errno, "process.scheduler: set policy %d", p->sched_policy);
	return 0;
}

int oci_process_limits(const struct oci_process *p, struct err *e)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = {p->rlimits[i].soft, p->rlimits[i].hard};

		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return err_sys(e, errno, "process.rlimits[%zu]: set", i);
	}
	if (p->oom_score_adj.has) {
		char v[16];
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC), n;

		n = snprintf(v, sizeof(v), "%lld", (long long)p->oom_score_adj.v);
		if (fd < 0 || write(fd, v, (size_t)n) != n) {
			int saved = errno;

			if (fd >= 0)
				close(fd);
			return err_sys(e, saved, "process.oomScoreAdj: set %s", v);
		}
		close(fd);
	}
	if (p->has_io_priority && syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0,
					  (p->io_priority_class << 13) | p->io_priority) < 0)
		return err_sys(e, errno, "process.ioPriority: set");
	if (p->has_scheduler && set_scheduler(p, e) < 0)
		return -1;
	return 0;
}

static int switch_user(const struct oci_user *u, struct err *e)
{
	if (setgroups(u->n_additional_gids, u->additional_gids) < 0 && errno != EPERM)
		return err_sys(e, errno, "process.user.additionalGids: set");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return err_sys(e, errno, "process.user.gid: set %u", (unsigned)u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return err_sys(e, errno, "process.user.uid: set %u", (unsigned)u->uid);
	return 0;
}

int oci_process_check_cwd(const struct oci_process *p, struct err *e)
{
	char cwd[PATH_MAX];

	/* A cwd that resolves outside the new root (through a leaked fd's
	 * /proc/self/fd link, CVE-2024-21626) reads back as "(unreachable)". */
	if (chdir(p->cwd) < 0)
		return err_sys(e, errno, "process.cwd: chdir to %s", p->cwd);
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
		return err_set(e, "process.cwd: %s is outside the container", p->cwd);
	return 0;
}

int oci_process_identity(const struct oci_process *p, struct err *e)
{
	if (p->has_caps && oci_caps_apply_bounding(&p->caps, e) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return err_sys(e, errno, "keep capabilities across the user switch");
	if (switch_user(&p->user, e) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return err_sys(e, errno, "reset keepcaps");
	/* Again as the user: its permissions are the ones that count. */
	if (chdir(p->cwd) < 0)
		return err_sys(e, errno, "process.cwd: chdir to %s", p->cwd);
	if (p->has_caps && oci_caps_apply(&p->caps, e) < 0)
		return -1;
	if (p->user.umask.has)
		umask((mode_t)p->user.umask.v);
	return 0;
}

static const char *env_path(const struct oci_process *p)
{
	for (size_t i = 0; i < p->n_env; i++)
		if (strncmp(p->env[i], "PATH=", 5) == 0)
			return p->env[i] + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

int oci_process_lookup(const struct oci_process *p, char *out, size_t size, struct err *e)
{
	const char *name, *dir, *end;
	struct stat st;

	if (!p->n_args || !p->args[0][0])
		return err_set(e, "process.args: no program to run");
	name = p->args[0];
	if (strchr(name, '/')) {
		if (strlen(name) >= size)
			return err_sys(e, ENAMETOOLONG, "exec %s", name);
		strcpy(out, name);
		if (stat(out, &st) < 0)
			return err_sys(e, errno, "exec: \"%s\": stat %s", name, name);
		return 0;
	}
	for (dir = env_path(p); dir; dir = *end ? end + 1 : NULL) {
		end = strchr(dir, ':');
		if (!end)
			end = dir + strlen(dir);
		int n = snprintf(out, size, "%.*s%s%s", (int)(end - dir), dir,
				 end == dir ? "" : "/", name);
		if (n > 0 && (size_t)n < size && stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(out, X_OK) == 0)
			return 0;
	}
	err_set(e, "exec: \"%s\": executable file not found in $PATH", name);
	if (e)
		e->errnum = ENOENT;
	return -1;
}

int oci_process_exec(const struct oci_process *p, const char *path, int preserve_fds, struct err *e)
{
	static const char *const noenv[] = {NULL};

	/* Nothing of the runtime's may reach the container (CVE-2024-21626). */
	if (syscall(SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		for (int fd = 3 + preserve_fds; fd < 1024; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	execve(path, (char *const *)p->args, (char *const *)(p->env ? p->env : noenv));
	return err_sys(e, errno, "exec %s", path);
}
