/* container-ops.c - the operations on a container that exists: start, kill,
 * delete, pause, resume, update, pids; and the pieces create shares. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "oci/container-internal.h"
#include "oci/container.h"
#include "oci/hooks.h"
#include "oci/init.h"

int oci_sync_recv(int fd, char *type, char *text, size_t size)
{
	char buf[1 + ERR_MSG_MAX];
	ssize_t n;

	do
		n = recv(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	*type = buf[0];
	if (text && size) {
		size_t len = (size_t)n - 1 < size - 1 ? (size_t)n - 1 : size - 1;

		memcpy(text, buf + 1, len);
		text[len] = '\0';
	}
	return 0;
}

int oci_sync_recv_pid(int fd, pid_t *pid, struct err *e)
{
	char buf[1 + ERR_MSG_MAX + 1];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	if (n > 0 && buf[0] == SYNC_ERROR) {
		buf[n] = '\0';
		return err_set(e, "%s", buf + 1);
	}
	if (n != 1 + (ssize_t)sizeof(pid_t) || buf[0] != SYNC_PID)
		return err_set(e, "the process that joins the namespaces failed");
	memcpy(pid, buf + 1, sizeof(pid_t));
	return 0;
}

int oci_hook_state(const char *root, const struct oci_state *st, const char *status, char **out,
		   struct err *e)
{
	cJSON *o = NULL;
	char *text = NULL;
	size_t len;
	int r = -1;

	if (oci_state_json(root, st, false, &text, e) < 0 ||
	    json_parse(text, strlen(text), &o, e) < 0)
		goto out;
	cJSON_ReplaceItemInObject(o, "status", cJSON_CreateString(status));
	cJSON_ReplaceItemInObject(o, "pid", cJSON_CreateNumber(st->pid));
	if (json_print(o, false, out, &len, e) < 0)
		goto out;
	r = 0;
out:
	cJSON_Delete(o);
	free(text);
	return r;
}

int oci_container_cgroup(const struct oci_state *st, struct oci_cgroup_layout *layout,
			 struct oci_cgroup **cg, struct err *e)
{
	*cg = NULL;
	if (oci_cgroup_detect(layout, e) < 0)
		return -1;
	if (oci_cgroup_open_saved(layout, st->cgroup, cg, e) < 0) {
		oci_cgroup_layout_free(layout);
		return -1;
	}
	return 0;
}

static int load_spec(const char *root, const char *id, struct oci_spec **s, struct err *e)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s/config.json", root, id);
	return oci_spec_load(path, s, e);
}

/* Wait for the init to write its byte into the fifo; it may die first. */
static int wait_fifo(const char *fifo, const struct oci_state *st, struct err *e)
{
	int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char c;

	if (fd < 0)
		return err_sys(e, errno, "open %s", fifo);
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		int n = poll(&p, 1, 100);

		if (n > 0 && read(fd, &c, 1) == 1)
			break;
		if (n < 0 && errno != EINTR) {
			close(fd);
			return err_sys(e, errno, "poll %s", fifo);
		}
		if (!oci_state_alive(st)) {
			close(fd);
			return err_set(e, "container \"%s\": its init exited before start", st->id);
		}
	}
	close(fd);
	return 0;
}

int oci_container_start(const char *root, const char *id, struct err *e)
{
	struct oci_state st;
	struct oci_spec *s = NULL;
	char fifo[PATH_MAX + 16], *json = NULL;
	enum oci_status status;

	if (oci_state_read(root, id, &st, e) < 0)
		return -1;
	status = oci_state_status(root, &st);
	if (status != OCI_STATUS_CREATED)
		return err_set(e, "cannot start container \"%s\": it is %s, not created", id,
			       oci_status_name(status));
	snprintf(fifo, sizeof(fifo), "%s/%s/exec.fifo", root, id);
	if (wait_fifo(fifo, &st, e) < 0)
		return -1;
	unlink(fifo);
	/* poststart failures are reported, but the container runs on (spec). */
	if (load_spec(root, id, &s, e) == 0 && s->hooks.n[OCI_HOOK_POSTSTART] &&
	    oci_hook_state(root, &st, "running", &json, e) == 0 &&
	    oci_hooks_run(s, OCI_HOOK_POSTSTART, json, e) < 0)
		dprintf(2, "tug: warning: %s\n", e->msg);
	free(json);
	oci_spec_free(s);
	return 0;
}

int oci_container_kill(const char *root, const char *id, int sig, bool all, struct err *e)
{
	struct oci_state st;
	struct oci_cgroup_layout layout;
	struct oci_cgroup *cg;
	int r;

	if (oci_state_read(root, id, &st, e) < 0)
		return -1;
	if (all) {
		if (oci_container_cgroup(&st, &layout, &cg, e) < 0)
			return -1;
		r = oci_cgroup_kill_all(cg, sig, e);
		oci_cgroup_free(cg);
		oci_cgroup_layout_free(&layout);
		return r;
	}
	if (!oci_state_alive(&st))
		return err_set(e, "container \"%s\" is not running", id);
	if (kill(st.pid, sig) < 0)
		return err_sys(e, errno, "kill container \"%s\"", id);
	return 0;
}

static bool wait_gone(const struct oci_state *st, int ms)
{
	struct timespec nap = {0, 5 * 1000 * 1000};

	for (int waited = 0; waited < ms; waited += 5) {
		if (!oci_state_alive(st))
			return true;
		nanosleep(&nap, NULL);
	}
	return !oci_state_alive(st);
}

static void remove_state(const char *root, const char *id)
{
	static const char *const files[] = {"exec.fifo", "config.json", "state.json"};
	char path[PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", root, id, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/%s", root, id);
	rmdir(path);
}

int oci_container_delete(const char *root, const char *id, bool force, struct err *e)
{
	struct oci_state st;
	struct oci_cgroup_layout layout;
	struct oci_cgroup *cg = NULL;
	struct oci_spec *s = NULL;
	enum oci_status status;
	char *json = NULL;

	if (oci_state_read(root, id, &st, e) < 0)
		return -1;
	status = oci_state_status(root, &st);
	/* The spec: deleting what is not stopped is an error, "created"
	 * included (runc kills a created one; --force does that here). */
	if (status != OCI_STATUS_STOPPED && !force)
		return err_set(e, "cannot delete container \"%s\" that is not stopped: %s", id,
			       oci_status_name(status));
	if (oci_container_cgroup(&st, &layout, &cg, e) < 0)
		return -1;
	if (status != OCI_STATUS_STOPPED) {
		if (status == OCI_STATUS_PAUSED)
			oci_cgroup_thaw(cg, NULL);
		kill(st.pid, SIGKILL);
		oci_cgroup_kill_all(cg, SIGKILL, NULL);
		if (!wait_gone(&st, 10000)) {
			err_set(e, "container \"%s\": init %d did not die", id, (int)st.pid);
			goto fail;
		}
	}
	if (st.cgroup_made && oci_cgroup_destroy(cg, e) < 0)
		goto fail;
	if (load_spec(root, id, &s, NULL) == 0 && s->hooks.n[OCI_HOOK_POSTSTOP] &&
	    oci_hook_state(root, &st, "stopped", &json, NULL) == 0 &&
	    oci_hooks_run(s, OCI_HOOK_POSTSTOP, json, e) < 0)
		dprintf(2, "tug: warning: %s\n", e->msg);
	free(json);
	oci_spec_free(s);
	remove_state(root, id);
	oci_cgroup_free(cg);
	oci_cgroup_layout_free(&layout);
	return 0;
fail:
	oci_cgroup_free(cg);
	oci_cgroup_layout_free(&layout);
	return -1;
}

static int with_cgroup(const char *root, const char *id,
		       int (*op)(struct oci_cgroup *, void *, struct err *), void *arg,
		       struct oci_state *st, struct err *e)
{
	struct oci_cgroup_layout layout;
	struct oci_cgroup *cg;
	int r;

	if (oci_state_read(root, id, st, e) < 0)
		return -1;
	if (!oci_state_alive(st))
		return err_set(e, "container \"%s\" is not running", id);
	if (oci_container_cgroup(st, &layout, &cg, e) < 0)
		return -1;
	r = op(cg, arg, e);
	oci_cgroup_free(cg);
	oci_cgroup_layout_free(&layout);
	return r;
}

static int op_freeze(struct oci_cgroup *cg, void *arg, struct err *e)
{
	return *(bool *)arg ? oci_cgroup_freeze(cg, e) : oci_cgroup_thaw(cg, e);
}

static int set_paused(const char *root, const char *id, bool pause, struct err *e)
{
	struct oci_state st;
	enum oci_status want = pause ? OCI_STATUS_RUNNING : OCI_STATUS_PAUSED, now;

	if (oci_state_read(root, id, &st, e) < 0)
		return -1;
	now = oci_state_status(root, &st);
	if (now != want)
		return err_set(e, "cannot %s container \"%s\": it is %s",
			       pause ? "pause" : "resume", id, oci_status_name(now));
	if (with_cgroup(root, id, op_freeze, &pause, &st, e) < 0)
		return -1;
	st.paused = pause;
	return oci_state_write(root, &st, e);
}

int oci_container_pause(const char *root, const char *id, struct err *e)
{
	return set_paused(root, id, true, e);
}

int oci_container_resume(const char *root, const char *id, struct err *e)
{
	return set_paused(root, id, false, e);
}

static int op_update(struct oci_cgroup *cg, void *arg, struct err *e)
{
	return oci_cgroup_update(cg, arg, e);
}

int oci_container_update(const char *root, const char *id, const struct oci_resources *r,
			 struct err *e)
{
	struct oci_state st;

	return with_cgroup(root, id, op_update, (void *)r, &st, e);
}

struct pids_arg {
	pid_t **pids;
	size_t *n;
};

static int op_pids(struct oci_cgroup *cg, void *arg, struct err *e)
{
	struct pids_arg *a = arg;

	return oci_cgroup_pids(cg, a->pids, a->n, e);
}

int oci_container_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct err *e)
{
	struct oci_state st;
	struct pids_arg a = {pids, n};

	return with_cgroup(root, id, op_pids, &a, &st, e);
}

int oci_container_stats(const char *root, const char *id, struct oci_cgroup_stats *st,
			struct err *e)
{
	struct oci_state state;
	struct oci_cgroup_layout layout;
	struct oci_cgroup *cg;
	int r;

	memset(st, 0, sizeof(*st));
	if (oci_state_read(root, id, &state, e) < 0 ||
	    oci_container_cgroup(&state, &layout, &cg, e) < 0)
		return -1;
	r = oci_cgroup_stats(cg, st, e);
	oci_cgroup_free(cg);
	oci_cgroup_layout_free(&layout);
	return r;
}
