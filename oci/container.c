/* container.c - `create`: the runtime's side of making a container. It makes
 * the state folder, clones the init into its namespaces, writes id maps,
 * puts it in its cgroup, runs the runtime-side hooks, and records the state;
 * on any failure it undoes all of that. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "timefmt.h"
#include "oci/cgroup.h"
#include "oci/console.h"
#include "oci/container.h"
#include "oci/hooks.h"
#include "oci/init.h"
#include "oci/ns.h"
#include "oci/state.h"
#include "oci/container-internal.h"

#define CONFIG_MAX (4u << 20)

struct create {
	const struct oci_create_opts *o;
	struct oci_spec *spec;
	char *config_text;
	size_t config_len;
	char dir[PATH_MAX];
	char rootfs[PATH_MAX];
	struct oci_state st;
	struct oci_bpf bpf;
	struct oci_cgroup_layout layout;
	struct oci_cgroup *cg;
	bool have_layout, dir_made;
	int sync[2], fifo_fd, console_fd;
	int clone_flags;
	pid_t pid;
};

static int load_bundle(struct create *c, struct err *e)
{
	char path[PATH_MAX], rootfs[PATH_MAX];
	const struct oci_spec *s;

	if ((size_t)snprintf(path, sizeof(path), "%s/config.json", c->o->bundle) >= sizeof(path))
		return err_sys(e, ENAMETOOLONG, "bundle %s", c->o->bundle);
	if (file_read_all(path, CONFIG_MAX, &c->config_text, &c->config_len, e) < 0 ||
	    oci_spec_parse(c->config_text, c->config_len, &c->spec, e) < 0)
		return err_wrap(e, "%s", path);
	s = c->spec;
	if (!s->process)
		return err_set(e, "%s: process: missing", path);
	if (!s->root.path)
		return err_set(e, "%s: root.path: missing", path);
	if ((size_t)snprintf(rootfs, sizeof(rootfs), "%s%s%s",
			     s->root.path[0] == '/' ? "" : c->o->bundle,
			     s->root.path[0] == '/' ? "" : "/", s->root.path) >= sizeof(rootfs))
		return err_sys(e, ENAMETOOLONG, "root.path");
	if (!realpath(rootfs, c->rootfs))
		return err_sys(e, errno, "root.path: %s", rootfs);
	if (s->process->terminal && !c->o->console_socket && c->o->console_fd < 0)
		return err_set(e, "process.terminal needs --console-socket");
	return 0;
}

static int make_state_dir(struct create *c, struct err *e)
{
	char fifo[PATH_MAX + 16], cfg[PATH_MAX + 16];

	if (file_mkdir_p(c->o->root, 0700, e) < 0 ||
	    oci_state_dir(c->o->root, c->o->id, c->dir, sizeof(c->dir), e) < 0)
		return -1;
	if (mkdir(c->dir, 0711) < 0) {
		if (errno == EEXIST)
			return err_sys(e, EEXIST, "container \"%s\" already exists", c->o->id);
		return err_sys(e, errno, "mkdir %s", c->dir);
	}
	c->dir_made = true;
	snprintf(fifo, sizeof(fifo), "%s/exec.fifo", c->dir);
	snprintf(cfg, sizeof(cfg), "%s/config.json", c->dir);
	if (file_write_replace(AT_FDCWD, cfg, c->config_text, c->config_len, 0600, e) < 0)
		return -1;
	/* 0622 whatever the umask: the init writes it as the container's user. */
	if (mkfifo(fifo, 0622) < 0 || chmod(fifo, 0622) < 0)
		return err_sys(e, errno, "mkfifo %s", fifo);
	c->fifo_fd = open(fifo, O_PATH | O_CLOEXEC);
	if (c->fifo_fd < 0)
		return err_sys(e, errno, "open %s", fifo);
	return 0;
}

static bool has_ns(const struct oci_spec *s, int type)
{
	for (size_t i = 0; i < s->lnx.n_namespaces; i++)
		if (s->lnx.namespaces[i].type == type)
			return true;
	return false;
}

/* New namespaces become clone flags; joined ones are entered before. */
static int ns_flags(const struct oci_spec *s, bool *joins, struct err *e)
{
	int flags = 0;

	*joins = false;
	for (size_t i = 0; i < s->lnx.n_namespaces; i++) {
		if (s->lnx.namespaces[i].path)
			*joins = true;
		else
			flags |= s->lnx.namespaces[i].type;
	}
	if (!has_ns(s, CLONE_NEWNS))
		return err_set(e, "linux.namespaces: a mount namespace is required "
				  "(without one the mounts would land on the host)");
	return flags;
}

/* A sysctl is set only when it belongs to a namespace of the container's own:
 * anything else would change the whole host (runc's rule). */
static int check_sysctls(const struct oci_spec *s, struct err *e)
{
	static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
					  "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
					  "kernel.shmmni", "kernel.shm_rmid_forced"};

	for (size_t i = 0; i < s->lnx.n_sysctl; i++) {
		const char *k = s->lnx.sysctl[i].key;
		int ns = 0;

		for (size_t j = 0; j < sizeof(ipc) / sizeof(ipc[0]); j++)
			if (!strcmp(k, ipc[j]))
				ns = CLONE_NEWIPC;
		if (!strncmp(k, "fs.mqueue.", 10))
			ns = CLONE_NEWIPC;
		else if (!strncmp(k, "net.", 4))
			ns = CLONE_NEWNET;
		else if (!strcmp(k, "kernel.hostname") || !strcmp(k, "kernel.domainname"))
			ns = CLONE_NEWUTS;
		if (!ns)
			return err_set(e,
				       "linux.sysctl: \"%s\" is not namespaced; it would "
				       "change the host",
				       k);
		if (!has_ns(s, ns))
			return err_set(e,
				       "linux.sysctl: \"%s\" needs a %s namespace of the "
				       "container's own",
				       k, oci_ns_spec_name(ns));
	}
	return 0;
}

static int join_namespaces(const struct oci_spec *s, struct err *e)
{
	const char *paths[OCI_NS_MAX];
	int types[OCI_NS_MAX];
	size_t n = 0;

	for (size_t i = 0; i < s->lnx.n_namespaces && n < OCI_NS_MAX; i++)
		if (s->lnx.namespaces[i].path) {
			paths[n] = s->lnx.namespaces[i].path;
			types[n++] = s->lnx.namespaces[i].type;
		}
	return oci_ns_join_all(paths, types, n, e);
}

static pid_t raw_clone(int flags)
{
	/* fork semantics (no new stack); argument order differs per arch but
	 * all the others are 0. */
	return (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0, 0, 0);
}

static void start_init(struct create *c, struct oci_init_ctx *ic)
{
	close(c->sync[0]);
	oci_init_main(ic);
}

/* Clone the init; with namespaces to join, through an intermediate process
 * that joins them and clones the init as our child (CLONE_PARENT). */
static int spawn(struct create *c, struct oci_init_ctx *ic, bool joins, struct err *e)
{
	pid_t mid, pid;
	int status;

	if (!joins) {
		pid = raw_clone(c->clone_flags);
		if (pid < 0)
			return err_sys(e, errno, "clone the container's init");
		if (pid == 0)
			start_init(c, ic);
		c->pid = pid;
		return 0;
	}
	mid = fork();
	if (mid < 0)
		return err_sys(e, errno, "fork");
	if (mid == 0) {
		struct err ce = {0};

		if (join_namespaces(c->spec, &ce) < 0) {
			oci_sync_send(c->sync[1], SYNC_ERROR, ce.msg, strlen(ce.msg));
			_exit(1);
		}
		pid = raw_clone(c->clone_flags | CLONE_PARENT);
		if (pid == 0)
			start_init(c, ic);
		if (pid < 0)
			_exit(1);
		oci_sync_send(c->sync[1], SYNC_PID, &pid, sizeof(pid));
		_exit(0);
	}
	waitpid(mid, &status, 0);
	return oci_sync_recv_pid(c->sync[0], &c->pid, e);
}

static int write_map(pid_t pid, const char *file, const struct oci_idmap *m, size_t n,
		     struct err *e)
{
	char path[64], buf[4096];
	size_t len = 0;

	for (size_t i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n",
					m[i].container_id, m[i].host_id, m[i].size);
	if (len >= sizeof(buf))
		return err_set(e, "linux.%s: too many mappings", file);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		return err_sys(e, saved, "write %s", path);
	}
	close(fd);
	return 0;
}

/* The devices every container gets (rootfs.c makes them), allowed after the
 * spec's own rules so that a "deny all" first still leaves them usable, as
 * runc does; with the pty slaves (136:any) and /dev/ptmx for terminals. */
static const struct oci_device_rule default_rules[] = {
	{true, 'c', 1, 3, "rwm"},    {true, 'c', 1, 5, "rwm"}, {true, 'c', 1, 7, "rwm"},
	{true, 'c', 1, 8, "rwm"},    {true, 'c', 1, 9, "rwm"}, {true, 'c', 5, 0, "rwm"},
	{true, 'c', 136, -1, "rwm"}, {true, 'c', 5, 2, "rwm"},
};
#define NDEFAULT_RULES (sizeof(default_rules) / sizeof(default_rules[0]))

/* Limits go on before the init runs; device rules only once it has made
 * its device nodes (SYNC_MOUNTED): a "deny all" first would stop mknod. */
static int create_cgroup(struct create *c, struct err *e)
{
	const struct oci_resources *r = c->spec->lnx.resources;
	struct oci_resources no_devices;

	if (!r || !r->n_devices)
		return oci_cgroup_create(c->cg, r, c->pid, e);
	no_devices = *r;
	no_devices.devices = NULL;
	no_devices.n_devices = 0;
	return oci_cgroup_create(c->cg, &no_devices, c->pid, e);
}

static int apply_device_rules(struct create *c, struct err *e)
{
	const struct oci_resources *r = c->spec->lnx.resources;
	struct oci_device_rule rules[256 + NDEFAULT_RULES];
	struct oci_resources devices = {0};

	if (!r || !r->n_devices)
		return 0;
	if (r->n_devices > 256)
		return err_set(e, "linux.resources.devices: more than 256 rules");
	memcpy(rules, r->devices, r->n_devices * sizeof(*rules));
	memcpy(rules + r->n_devices, default_rules, sizeof(default_rules));
	devices.devices = rules;
	devices.n_devices = r->n_devices + NDEFAULT_RULES;
	return oci_cgroup_update(c->cg, &devices, e);
}

static int setup_cgroup(struct create *c, struct err *e)
{
	char *saved = NULL;

	if (create_cgroup(c, e) < 0)
		return -1;
	c->st.cgroup_made = true;
	if (oci_cgroup_save(c->cg, &saved, e) < 0)
		return -1;
	if (strlen(saved) >= sizeof(c->st.cgroup)) {
		free(saved);
		return err_set(e, "cgroup paths too long to record");
	}
	strcpy(c->st.cgroup, saved);
	free(saved);
	return 0;
}

static int run_runtime_hooks(struct create *c, struct err *e)
{
	char *json = NULL;
	int r;

	if (!c->spec->hooks.n[OCI_HOOK_PRESTART] && !c->spec->hooks.n[OCI_HOOK_CREATE_RUNTIME])
		return 0;
	/* "created", as crun says and runtime-tools checks (runc says "creating"). */
	if (oci_hook_state(c->o->root, &c->st, "created", &json, e) < 0)
		return -1;
	r = oci_hooks_run(c->spec, OCI_HOOK_PRESTART, json, e) < 0 ||
			    oci_hooks_run(c->spec, OCI_HOOK_CREATE_RUNTIME, json, e) < 0
		    ? -1
		    : 0;
	free(json);
	return r;
}

/* Follow the init until it is ready or failed. */
static int converse(struct create *c, struct err *e)
{
	char type, text[ERR_MSG_MAX + 1];

	if (oci_sync_send(c->sync[0], SYNC_GO, &c->pid, sizeof(c->pid)) < 0)
		return err_sys(e, errno, "tell the container's init to go on");
	for (;;) {
		if (oci_sync_recv(c->sync[0], &type, text, sizeof(text)) < 0)
			return err_set(e, "the container's init exited before it was ready");
		if (type == SYNC_READY)
			return 0;
		if (type == SYNC_ERROR)
			return err_set(e, "%s", text);
		if (type != SYNC_MOUNTED)
			return err_set(e, "unexpected message from the container's init");
		if (apply_device_rules(c, e) < 0 || run_runtime_hooks(c, e) < 0)
			return -1;
		if (oci_sync_send(c->sync[0], SYNC_HOOKS_DONE, NULL, 0) < 0)
			return err_sys(e, errno, "tell the container's init to go on");
	}
}

static int record(struct create *c, struct err *e)
{
	char text[32];
	int n;

	if (oci_state_write(c->o->root, &c->st, e) < 0)
		return -1;
	if (!c->o->pid_file)
		return 0;
	n = snprintf(text, sizeof(text), "%d", (int)c->pid);
	return file_write_replace(AT_FDCWD, c->o->pid_file, text, (size_t)n, 0644, e);
}

static int prepare(struct create *c, bool *joins, struct err *e)
{
	if (load_bundle(c, e) < 0)
		return -1;
	c->clone_flags = ns_flags(c->spec, joins, e);
	if (c->clone_flags < 0 || check_sysctls(c->spec, e) < 0)
		return -1;
	if (c->spec->lnx.seccomp && oci_seccomp_compile(c->spec->lnx.seccomp, &c->bpf, e) < 0)
		return -1;
	/* Before the clone, so that the init knows where its cgroups are. */
	if (oci_cgroup_detect(&c->layout, e) < 0)
		return -1;
	c->have_layout = true;
	if (oci_cgroup_open(&c->layout, c->spec->lnx.cgroups_path, c->o->id, &c->cg, e) < 0)
		return -1;
	if (make_state_dir(c, e) < 0)
		return -1;
	if (c->o->console_socket &&
	    (c->console_fd = oci_console_connect(c->o->console_socket, e)) < 0)
		return -1;
	if (!c->o->console_socket && c->o->console_fd >= 0 && c->spec->process->terminal &&
	    (c->console_fd = fcntl(c->o->console_fd, F_DUPFD_CLOEXEC, 3)) < 0)
		return err_sys(e, errno, "console socket");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c->sync) < 0)
		return err_sys(e, errno, "socketpair");
	strcpy(c->st.id, c->o->id);
	snprintf(c->st.bundle, sizeof(c->st.bundle), "%s", c->o->bundle);
	strcpy(c->st.rootfs, c->rootfs);
	timefmt_now(c->st.created, sizeof(c->st.created), 9);
	c->st.owner = getuid();
	return 0;
}

static int create(struct create *c, struct err *e)
{
	bool joins;
	char *hook_json = NULL;
	int r = -1;

	if (prepare(c, &joins, e) < 0)
		return -1;
	/* The container-side hooks get the state as it is at create time. */
	if (oci_hook_state(c->o->root, &c->st, "creating", &hook_json, e) < 0)
		return -1;
	struct oci_init_ctx ic = {
		.spec = c->spec,
		.rootfs = c->rootfs,
		.sync_fd = c->sync[1],
		.fifo_fd = c->fifo_fd,
		.console_fd = c->console_fd,
		.preserve_fds = c->o->preserve_fds,
		.no_pivot = c->o->no_pivot,
		.no_new_keyring = c->o->no_new_keyring,
		.own_uts_ns = has_ns(c->spec, CLONE_NEWUTS),
		.new_user_ns = c->clone_flags & CLONE_NEWUSER,
		.new_net_ns = c->clone_flags & CLONE_NEWNET,
		.new_cgroup_ns = c->clone_flags & CLONE_NEWCGROUP,
		.layout = &c->layout,
		.cg = c->cg,
		.seccomp = c->bpf.insns ? &c->bpf : NULL,
		.state_json = hook_json,
	};
	/* The cgroup namespace is unshared by the init once it is in its cgroup. */
	c->clone_flags &= ~CLONE_NEWCGROUP;
	if (spawn(c, &ic, joins, e) < 0)
		goto out;
	close(c->sync[1]);
	c->sync[1] = -1;
	c->st.pid = c->pid;
	/* Now, while the init waits for us: read later it may be gone already. */
	c->st.pid_start = oci_proc_start_time(c->pid);
	if (c->clone_flags & CLONE_NEWUSER &&
	    ((c->spec->lnx.n_uid_mappings && write_map(c->pid, "uid_map", c->spec->lnx.uid_mappings,
						       c->spec->lnx.n_uid_mappings, e) < 0) ||
	     (c->spec->lnx.n_gid_mappings && write_map(c->pid, "gid_map", c->spec->lnx.gid_mappings,
						       c->spec->lnx.n_gid_mappings, e) < 0)))
		goto out;
	if (setup_cgroup(c, e) < 0 || converse(c, e) < 0 || record(c, e) < 0)
		goto out;
	r = 0;
out:
	free(hook_json);
	return r;
}

/* Undo a failed create: the process, the cgroup, the state folder. */
static void undo(struct create *c)
{
	char cmd[PATH_MAX + 32];

	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
	}
	if (c->cg && c->st.cgroup_made)
		oci_cgroup_destroy(c->cg, NULL);
	if (c->dir_made) {
		snprintf(cmd, sizeof(cmd), "%s/exec.fifo", c->dir);
		unlink(cmd);
		snprintf(cmd, sizeof(cmd), "%s/config.json", c->dir);
		unlink(cmd);
		snprintf(cmd, sizeof(cmd), "%s/state.json", c->dir);
		unlink(cmd);
		rmdir(c->dir);
	}
}

int oci_container_create(const struct oci_create_opts *o, pid_t *pid, struct err *e)
{
	struct create c = {.o = o, .sync = {-1, -1}, .fifo_fd = -1, .console_fd = -1};
	int r = create(&c, e);

	if (r < 0)
		undo(&c);
	else
		*pid = c.pid;
	for (int i = 0; i < 2; i++)
		if (c.sync[i] >= 0)
			close(c.sync[i]);
	if (c.fifo_fd >= 0)
		close(c.fifo_fd);
	if (c.console_fd >= 0)
		close(c.console_fd);
	oci_seccomp_free(&c.bpf);
	oci_cgroup_free(c.cg);
	if (c.have_layout)
		oci_cgroup_layout_free(&c.layout);
	oci_spec_free(c.spec);
	free(c.config_text);
	return r;
}
