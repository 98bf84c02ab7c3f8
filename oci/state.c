/* state.c - the runtime's record of each container under --root, and the
 * OCI state document `runc state` prints. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "json.h"
#include "oci/state.h"

#define STATE_MAX (1u << 20)

const char *oci_status_name(enum oci_status st)
{
	static const char *const names[] = {"creating", "created", "running", "paused", "stopped"};
	return names[st];
}

int oci_id_check(const char *id, struct err *e)
{
	size_t n = strlen(id);

	if (n == 0 || n >= OCI_ID_MAX)
		return err_set(e, "invalid container id \"%s\": empty or too long", id);
	if (!strcmp(id, ".") || !strcmp(id, ".."))
		return err_set(e, "invalid container id \"%s\"", id);
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-' || c == '.'))
			return err_set(e,
				       "invalid container id \"%s\": only letters, digits "
				       "and _+-. are allowed",
				       id);
	}
	return 0;
}

int oci_state_dir(const char *root, const char *id, char *out, size_t size, struct err *e)
{
	if (oci_id_check(id, e) < 0)
		return -1;
	if ((size_t)snprintf(out, size, "%s/%s", root, id) >= size)
		return err_sys(e, ENAMETOOLONG, "state folder of %s", id);
	return 0;
}

int oci_state_write(const char *root, const struct oci_state *st, struct err *e)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	char *text = NULL;
	size_t len;
	int r = -1;
	cJSON *o = cJSON_CreateObject();

	if (!o || oci_state_dir(root, st->id, dir, sizeof(dir), e) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/state.json", dir);
	if (!cJSON_AddStringToObject(o, "id", st->id) ||
	    !cJSON_AddNumberToObject(o, "pid", st->pid) ||
	    !cJSON_AddNumberToObject(o, "pidStart", (double)st->pid_start) ||
	    !cJSON_AddStringToObject(o, "bundle", st->bundle) ||
	    !cJSON_AddStringToObject(o, "rootfs", st->rootfs) ||
	    !cJSON_AddStringToObject(o, "created", st->created) ||
	    !cJSON_AddNumberToObject(o, "owner", st->owner) ||
	    !cJSON_AddStringToObject(o, "cgroup", st->cgroup) ||
	    !cJSON_AddBoolToObject(o, "cgroupMade", st->cgroup_made) ||
	    !cJSON_AddBoolToObject(o, "paused", st->paused)) {
		err_sys(e, ENOMEM, "write %s", path);
		goto out;
	}
	if (json_print(o, false, &text, &len, e) < 0 ||
	    file_write_replace(AT_FDCWD, path, text, len, 0600, e) < 0)
		goto out;
	r = 0;
out:
	cJSON_free(text);
	cJSON_Delete(o);
	return r;
}

static int copy_str(const cJSON *o, const char *key, char *out, size_t size, struct err *e)
{
	const char *v = "";

	if (json_get_string(o, "state.json", key, 0, &v, e) < 0)
		return -1;
	if (strlen(v) >= size)
		return err_set(e, "state.json.%s: too long", key);
	strcpy(out, v);
	return 0;
}

int oci_state_read(const char *root, const char *id, struct oci_state *st, struct err *e)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	char *text;
	size_t len;
	cJSON *o = NULL;
	int64_t pid = 0, start = 0, owner = 0;
	int r = -1;

	memset(st, 0, sizeof(*st));
	if (oci_state_dir(root, id, dir, sizeof(dir), e) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/state.json", dir);
	if (file_read_all(path, STATE_MAX, &text, &len, e) < 0) {
		if (e && e->errnum == ENOENT)
			err_sys(e, ENOENT, "container \"%s\" does not exist", id);
		return -1;
	}
	if (json_parse(text, len, &o, e) < 0 ||
	    json_get_int64(o, "state.json", "pid", 0, &pid, e) < 0 ||
	    json_get_int64(o, "state.json", "pidStart", 0, &start, e) < 0 ||
	    json_get_int64(o, "state.json", "owner", 0, &owner, e) < 0 ||
	    json_get_bool(o, "state.json", "cgroupMade", 0, &st->cgroup_made, e) < 0 ||
	    json_get_bool(o, "state.json", "paused", 0, &st->paused, e) < 0 ||
	    copy_str(o, "bundle", st->bundle, sizeof(st->bundle), e) < 0 ||
	    copy_str(o, "rootfs", st->rootfs, sizeof(st->rootfs), e) < 0 ||
	    copy_str(o, "created", st->created, sizeof(st->created), e) < 0 ||
	    copy_str(o, "cgroup", st->cgroup, sizeof(st->cgroup), e) < 0) {
		err_wrap(e, "%s", path);
		goto out;
	}
	strcpy(st->id, id);
	st->pid = (pid_t)pid;
	st->pid_start = (unsigned long long)start;
	st->owner = (uid_t)owner;
	r = 0;
out:
	cJSON_Delete(o);
	free(text);
	return r;
}

unsigned long long oci_proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and ')': the fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	/* state is field 3; starttime field 22, so 19 more fields on. */
	if (p[2] == 'Z' || p[2] == 'X')
		return 0;
	p += 2;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		start = strtoull(p, NULL, 10);
	return start;
}

bool oci_state_alive(const struct oci_state *st)
{
	/* A start time of 0 was recorded for an init already gone. */
	return st->pid > 0 && st->pid_start && oci_proc_start_time(st->pid) == st->pid_start;
}

enum oci_status oci_state_status(const char *root, const struct oci_state *st)
{
	char path[PATH_MAX + 16];

	if (!oci_state_alive(st))
		return OCI_STATUS_STOPPED;
	snprintf(path, sizeof(path), "%s/%s/exec.fifo", root, st->id);
	if (access(path, F_OK) == 0)
		return OCI_STATUS_CREATED;
	return st->paused ? OCI_STATUS_PAUSED : OCI_STATUS_RUNNING;
}

/* The annotations of the config.json kept beside the state. */
static cJSON *load_annotations(const char *root, const char *id)
{
	char path[PATH_MAX + 16], *text;
	size_t len;
	cJSON *cfg = NULL, *ann = NULL;

	snprintf(path, sizeof(path), "%s/%s/config.json", root, id);
	if (file_read_all(path, 4u << 20, &text, &len, NULL) < 0)
		return NULL;
	if (json_parse(text, len, &cfg, NULL) == 0) {
		ann = cJSON_DetachItemFromObjectCaseSensitive(cfg, "annotations");
		if (ann && !cJSON_IsObject(ann)) {
			cJSON_Delete(ann);
			ann = NULL;
		}
	}
	cJSON_Delete(cfg);
	free(text);
	return ann;
}

int oci_state_json(const char *root, const struct oci_state *st, bool pretty, char **out,
		   struct err *e)
{
	enum oci_status status = oci_state_status(root, st);
	cJSON *o = cJSON_CreateObject(), *ann;
	size_t len;
	int r = -1;

	if (!o || !cJSON_AddStringToObject(o, "ociVersion", "1.2.0") ||
	    !cJSON_AddStringToObject(o, "id", st->id) ||
	    !cJSON_AddNumberToObject(o, "pid", status == OCI_STATUS_STOPPED ? 0 : st->pid) ||
	    !cJSON_AddStringToObject(o, "status", oci_status_name(status)) ||
	    !cJSON_AddStringToObject(o, "bundle", st->bundle) ||
	    !cJSON_AddStringToObject(o, "rootfs", st->rootfs) ||
	    !cJSON_AddStringToObject(o, "created", st->created) ||
	    !cJSON_AddStringToObject(o, "owner", "")) {
		err_sys(e, ENOMEM, "state of %s", st->id);
		goto out;
	}
	ann = load_annotations(root, st->id);
	if (ann)
		cJSON_AddItemToObject(o, "annotations", ann);
	if (json_print(o, pretty, out, &len, e) < 0)
		goto out;
	r = 0;
out:
	cJSON_Delete(o);
	return r;
}
