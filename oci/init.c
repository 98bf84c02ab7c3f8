/* init.c - what the container's first process does between clone and exec:
 * wait for the runtime, build the root, become the configured user, wait for
 * start on the exec fifo, exec. Errors go back over the sync socket. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci/console.h"
#include "json.h"
#include "oci/hooks.h"
#include "oci/init.h"
#include "oci/process.h"
#include "oci/rootfs.h"

#define KEYCTL_JOIN_SESSION_KEYRING 1

int oci_sync_send(int fd, char type, const void *data, size_t len)
{
	char buf[1 + ERR_MSG_MAX];

	if (len > ERR_MSG_MAX)
		len = ERR_MSG_MAX;
	buf[0] = type;
	if (len)
		memcpy(buf + 1, data, len);
	return send(fd, buf, 1 + len, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static int sync_wait(int fd, char want, struct err *e)
{
	char c;
	ssize_t n;

	do
		n = recv(fd, &c, 1, 0);
	while (n < 0 && errno == EINTR);
	if (n != 1 || c != want)
		return err_set(e, "the runtime went away during create");
	return 0;
}

/* GO carries the init's pid as the runtime sees it, for the hooks' state:
 * inside its pid namespace the init would read 1. The state the hooks get
 * is the one create made, with that pid put in. */
static int wait_go(struct oci_init_ctx *c, struct err *e)
{
	char buf[1 + sizeof(pid_t)];
	pid_t pid;
	cJSON *o = NULL;
	char *text;
	size_t len;
	ssize_t n;

	do
		n = recv(c->sync_fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(buf) || buf[0] != SYNC_GO)
		return err_set(e, "the runtime went away during create");
	memcpy(&pid, buf + 1, sizeof(pid));
	if (!c->state_json)
		return 0;
	if (json_parse(c->state_json, strlen(c->state_json), &o, e) < 0)
		return -1;
	cJSON_ReplaceItemInObject(o, "pid", cJSON_CreateNumber(pid));
	if (json_print(o, false, &text, &len, e) == 0)
		c->state_json = text; /* the init's own copy: it ends in exec */
	cJSON_Delete(o);
	return 0;
}

static __attribute__((noreturn)) void fail(const struct oci_init_ctx *c, struct err *e)
{
	if (oci_sync_send(c->sync_fd, SYNC_ERROR, e->msg, strlen(e->msg)) < 0)
		dprintf(2, "tug: container init: %s\n", e->msg);
	_exit(1);
}

static int write_sysctl(const char *key, const char *value, struct err *e)
{
	char path[256];
	int fd, n = snprintf(path, sizeof(path), "/proc/sys/%s", key);

	if (n < 0 || (size_t)n >= sizeof(path) || strstr(key, ".."))
		return err_set(e, "linux.sysctl: invalid key \"%s\"", key);
	for (char *p = path + 10; *p; p++)
		if (*p == '.')
			*p = '/';
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || write(fd, value, strlen(value)) < 0) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		return err_sys(e, saved, "linux.sysctl: set %s", key);
	}
	close(fd);
	return 0;
}

/* A new network namespace has lo down; runc brings it up, and containers
 * without a network (docker --network none) expect it to work. */
static int loopback_up(struct err *e)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

	if (fd < 0)
		return err_sys(e, errno, "bring up lo: socket");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		r = err_sys(e, errno, "bring up lo: get flags");
	ifr.ifr_flags |= IFF_UP;
	if (r == 0 && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		r = err_sys(e, errno, "bring up lo");
	close(fd);
	return r;
}

static int set_names(const struct oci_init_ctx *c, struct err *e)
{
	const struct oci_spec *s = c->spec;

	if ((s->hostname && *s->hostname) || (s->domainname && *s->domainname)) {
		if (!c->own_uts_ns)
			return err_set(e, "hostname: needs a uts namespace of the container's own");
		if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
			return err_sys(e, errno, "hostname: set \"%s\"", s->hostname);
		if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
			return err_sys(e, errno, "domainname: set \"%s\"", s->domainname);
	}
	for (size_t i = 0; i < s->lnx.n_sysctl; i++)
		if (write_sysctl(s->lnx.sysctl[i].key, s->lnx.sysctl[i].value, e) < 0)
			return -1;
	return 0;
}

static int mount_cgroup(void *ctx, int rootfd, const char *rel, const struct oci_mount *m,
			struct err *e)
{
	const struct oci_init_ctx *c = ctx;

	return oci_cgroup_mount(c->cg, c->layout, rootfd, rel, m->flags, c->new_cgroup_ns, e);
}

static int build_root(const struct oci_init_ctx *c, struct err *e)
{
	struct oci_rootfs_opts ro = {.rootfs = c->rootfs,
				     .no_pivot = c->no_pivot,
				     .userns = c->new_user_ns,
				     .mount_cgroup = mount_cgroup,
				     .ctx = (void *)c};

	if (oci_rootfs_mount(c->spec, &ro, e) < 0 ||
	    oci_sync_send(c->sync_fd, SYNC_MOUNTED, NULL, 0) < 0 ||
	    sync_wait(c->sync_fd, SYNC_HOOKS_DONE, e) < 0 ||
	    oci_hooks_run(c->spec, OCI_HOOK_CREATE_CONTAINER, c->state_json, e) < 0 ||
	    oci_rootfs_pivot(c->spec, &ro, e) < 0)
		return -1;
	return 0;
}

/* Until the sync socket closes, errors travel back to `create`. */
static int prepare(struct oci_init_ctx *c, char *path, size_t size, struct err *e)
{
	const struct oci_process *p = c->spec->process;

	if (wait_go(c, e) < 0)
		return -1;
	if (c->new_user_ns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return err_sys(e, errno, "become root in the user namespace");
	/* Only now: the namespace's root is the cgroup we are in. */
	if (c->new_cgroup_ns && unshare(CLONE_NEWCGROUP) < 0)
		return err_sys(e, errno, "unshare the cgroup namespace");
	if (setsid() < 0)
		return err_sys(e, errno, "setsid");
	if (c->new_net_ns && loopback_up(e) < 0)
		return -1;
	if (build_root(c, e) < 0 || set_names(c, e) < 0)
		return -1;
	if (p->terminal &&
	    oci_console_setup(c->console_fd, p->console_height, p->console_width, e) < 0)
		return -1;
	if (oci_rootfs_finish(c->spec, e) < 0)
		return -1;
	if (c->spec->lnx.has_personality && personality(c->spec->lnx.personality) < 0)
		return err_sys(e, errno, "linux.personality: set");
	if (!c->no_new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 &&
	    errno != ENOSYS && errno != EPERM && errno != EACCES)
		return err_sys(e, errno, "join a new session keyring");
	if (oci_process_limits(p, e) < 0 || oci_process_check_cwd(p, e) < 0)
		return -1;
	/* Without no_new_privs, loading needs CAP_SYS_ADMIN: before the drop. */
	if (c->seccomp && !p->no_new_privileges && oci_seccomp_load(c->seccomp, e) < 0)
		return -1;
	if (oci_process_identity(p, e) < 0)
		return -1;

	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_sys(e, errno, "set no_new_privs");
	return oci_process_lookup(p, path, size, e);
}

void oci_init_main(struct oci_init_ctx *c)
{
	struct err e = {0};
	char path[4096], fifo[32];
	int fd;

	if (prepare(c, path, sizeof(path), &e) < 0)
		fail(c, &e);
	if (oci_sync_send(c->sync_fd, SYNC_READY, NULL, 0) < 0)
		_exit(1);
	close(c->sync_fd);
	/* Blocks until `start` opens the fifo for reading. */
	snprintf(fifo, sizeof(fifo), "/proc/self/fd/%d", c->fifo_fd);
	fd = open(fifo, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1) {
		dprintf(2, "tug: container init: signal start through the exec fifo: %s\n",
			strerror(errno));
		_exit(1);
	}
	close(fd);
	close(c->fifo_fd);
	if (oci_hooks_run(c->spec, OCI_HOOK_START_CONTAINER, c->state_json, &e) < 0 ||
	    (c->seccomp && c->spec->process->no_new_privileges &&
	     oci_seccomp_load(c->seccomp, &e) < 0))
		goto out;
	oci_process_exec(c->spec->process, path, c->preserve_fds, &e);
out:
	dprintf(2, "tug: %s\n", e.msg);
	_exit(127);
}
