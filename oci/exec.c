/* exec.c - a new process in a running container: join the init's namespaces
 * (through an intermediate, since a joined pid namespace only applies to
 * children), enter its cgroup, become the process's user, exec. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file.h"
#include "oci/console.h"
#include "oci/container-internal.h"
#include "oci/container.h"
#include "oci/init.h"
#include "oci/ns.h"
#include "oci/process.h"

struct exec {
	const struct oci_exec_opts *o;
	struct oci_state st;
	struct oci_spec *spec; /* the container's config.json */
	struct oci_bpf bpf;
	int sync[2], console_fd;
	pid_t pid;
};

/* The init's namespaces, the user namespace first. Only those the container
 * has of its own: the others are the host's, which we are in already. */
static int join_init(const struct exec *x, struct err *e)
{
	const struct oci_linux *l = &x->spec->lnx;
	char bufs[OCI_NS_MAX][64];
	const char *paths[OCI_NS_MAX];
	int types[OCI_NS_MAX];
	size_t n = 0;

	for (size_t i = 0; i < l->n_namespaces && n < OCI_NS_MAX; i++, n++) {
		types[n] = l->namespaces[i].type;
		snprintf(bufs[n], sizeof(bufs[n]), "/proc/%d/ns/%s", (int)x->st.pid,
			 oci_ns_proc_name(types[n]));
		paths[n] = bufs[n];
	}
	return oci_ns_join_all(paths, types, n, e);
}

static int exec_prepare(const struct exec *x, char *path, size_t size, struct err *e)
{
	const struct oci_process *p = x->o->process;
	char c;

	if (recv(x->sync[1], &c, 1, 0) != 1 || c != SYNC_GO)
		return err_set(e, "the runtime went away during exec");
	if (chdir("/") < 0)
		return err_sys(e, errno, "chdir /");
	if (p->terminal) {
		if (setsid() < 0)
			return err_sys(e, errno, "setsid");
		if (oci_console_setup(x->console_fd, p->console_height, p->console_width, e) < 0)
			return -1;
	}
	if (oci_process_limits(p, e) < 0 || oci_process_check_cwd(p, e) < 0)
		return -1;
	if (x->bpf.insns && !p->no_new_privileges && oci_seccomp_load(&x->bpf, e) < 0)
		return -1;
	if (oci_process_identity(p, e) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_sys(e, errno, "set no_new_privs");
	if (oci_process_lookup(p, path, size, e) < 0)
		return -1;
	if (x->bpf.insns && p->no_new_privileges && oci_seccomp_load(&x->bpf, e) < 0)
		return -1;
	return 0;
}

static __attribute__((noreturn)) void exec_child(const struct exec *x)
{
	struct err e = {0};
	char path[PATH_MAX];

	if (exec_prepare(x, path, sizeof(path), &e) == 0)
		oci_process_exec(x->o->process, path, x->o->preserve_fds, &e);
	oci_sync_send(x->sync[1], SYNC_ERROR, e.msg, strlen(e.msg));
	_exit(127);
}

/* An intermediate joins the namespaces and forks the process as our child;
 * the process is non-dumpable until exec, so the container cannot reach
 * this binary through /proc/<pid>/exe (CVE-2019-5736). */
static int spawn(struct exec *x, struct err *e)
{
	int status;
	pid_t mid = fork();

	if (mid < 0)
		return err_sys(e, errno, "fork");
	if (mid == 0) {
		struct err ce = {0};
		pid_t pid;

		close(x->sync[0]);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		if (join_init(x, &ce) < 0) {
			oci_sync_send(x->sync[1], SYNC_ERROR, ce.msg, strlen(ce.msg));
			_exit(1);
		}
		pid = (pid_t)syscall(SYS_clone, (unsigned long)CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
		if (pid == 0)
			exec_child(x);
		if (pid < 0)
			_exit(1);
		oci_sync_send(x->sync[1], SYNC_PID, &pid, sizeof(pid));
		_exit(0);
	}
	waitpid(mid, &status, 0);
	return oci_sync_recv_pid(x->sync[0], &x->pid, e);
}

static int follow(struct exec *x, struct err *e)
{
	struct oci_cgroup_layout layout;
	struct oci_cgroup *cg;
	char type, text[ERR_MSG_MAX + 1];
	int r;

	if (oci_container_cgroup(&x->st, &layout, &cg, e) < 0)
		return -1;
	r = oci_cgroup_enter(cg, x->pid, e);
	oci_cgroup_free(cg);
	oci_cgroup_layout_free(&layout);
	if (r < 0)
		return -1;
	if (oci_sync_send(x->sync[0], SYNC_GO, NULL, 0) < 0)
		return err_sys(e, errno, "tell the process to go on");
	/* The socket closes on exec; a message means it failed. */
	if (oci_sync_recv(x->sync[0], &type, text, sizeof(text)) == 0)
		return err_set(e, "%s", type == SYNC_ERROR ? text : "exec failed");
	return 0;
}

static int run(struct exec *x, int *status, struct err *e)
{
	char path[PATH_MAX + 16];
	int ws;

	if (oci_state_read(x->o->root, x->o->id, &x->st, e) < 0)
		return -1;
	if (oci_state_status(x->o->root, &x->st) != OCI_STATUS_RUNNING &&
	    oci_state_status(x->o->root, &x->st) != OCI_STATUS_CREATED)
		return err_set(e, "cannot exec in container \"%s\": it is %s", x->o->id,
			       oci_status_name(oci_state_status(x->o->root, &x->st)));
	snprintf(path, sizeof(path), "%s/%s/config.json", x->o->root, x->o->id);
	if (oci_spec_load(path, &x->spec, e) < 0)
		return -1;
	if (x->spec->lnx.seccomp && oci_seccomp_compile(x->spec->lnx.seccomp, &x->bpf, e) < 0)
		return -1;
	if (x->o->process->terminal && !x->o->console_socket && x->o->console_fd < 0)
		return err_set(e, "a terminal needs --console-socket");
	if (x->o->console_socket &&
	    (x->console_fd = oci_console_connect(x->o->console_socket, e)) < 0)
		return -1;
	if (!x->o->console_socket && x->o->console_fd >= 0 && x->o->process->terminal &&
	    (x->console_fd = fcntl(x->o->console_fd, F_DUPFD_CLOEXEC, 3)) < 0)
		return err_sys(e, errno, "console socket");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, x->sync) < 0)
		return err_sys(e, errno, "socketpair");
	if (spawn(x, e) < 0)
		return -1;
	close(x->sync[1]);
	x->sync[1] = -1;
	if (follow(x, e) < 0)
		return -1;
	if (x->o->pid_file) {
		char text[32];
		int n = snprintf(text, sizeof(text), "%d", (int)x->pid);

		if (file_write_replace(AT_FDCWD, x->o->pid_file, text, (size_t)n, 0644, e) < 0)
			return -1;
	}
	if (x->o->detach)
		return 0;
	if (x->o->running)
		x->o->running(x->o->arg, x->pid);
	while (waitpid(x->pid, &ws, 0) < 0)
		if (errno != EINTR)
			return err_sys(e, errno, "wait for the exec'd process");
	*status = WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws);
	return 0;
}

int oci_container_exec(const struct oci_exec_opts *o, int *status, struct err *e)
{
	struct exec x = {.o = o, .sync = {-1, -1}, .console_fd = -1};
	int r = run(&x, status, e);

	if (r < 0 && x.pid > 0) {
		kill(x.pid, SIGKILL);
		waitpid(x.pid, NULL, 0);
	}
	for (int i = 0; i < 2; i++)
		if (x.sync[i] >= 0)
			close(x.sync[i]);
	if (x.console_fd >= 0)
		close(x.console_fd);
	oci_seccomp_free(&x.bpf);
	oci_spec_free(x.spec);
	return r;
}
