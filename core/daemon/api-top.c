/* api-top.c - top: the container's processes (from its cgroup) as ps -ef
 * shows them from /proc. */
#include <dirent.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/daemon/api.h"
#include "file.h"
#include "json.h"
#include "oci/container.h"

static unsigned long long boot_time(void)
{
	char *txt = NULL, *b;
	size_t len;
	unsigned long long t = 0;

	if (file_read_all("/proc/stat", 1 << 20, &txt, &len, NULL) < 0)
		return 0;
	if ((b = strstr(txt, "\nbtime ")))
		t = strtoull(b + 7, NULL, 10);
	free(txt);
	return t;
}

/* One /proc/<pid> row: UID PID PPID C STIME TTY TIME CMD, as `ps -ef`. */
static cJSON *proc_row(pid_t pid)
{
	char p[64], *txt = NULL, *cmd = NULL, *rp;
	size_t len, clen;
	unsigned long ut = 0, st = 0;
	unsigned long long start = 0;
	int ppid = 0;
	char uid[64] = "?", tbuf[32], cbuf[4096] = "";
	cJSON *row;

	snprintf(p, sizeof(p), "/proc/%d/stat", pid);
	if (file_read_all(p, 4096, &txt, &len, NULL) < 0)
		return NULL;
	rp = strrchr(txt, ')');
	if (rp)
		sscanf(rp + 2,
		       "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d %*d "
		       "%llu",
		       &ppid, &ut, &st, &start);
	free(txt);
	snprintf(p, sizeof(p), "/proc/%d/status", pid);
	if (file_read_all(p, 16384, &txt, &len, NULL) == 0) {
		char *u = strstr(txt, "\nUid:");
		unsigned id;
		if (u && sscanf(u + 5, "%u", &id) == 1) {
			/* ps -ef on the host: the host's name for the uid */
			struct passwd *pw = getpwuid(id);
			snprintf(uid, sizeof(uid), "%s", pw ? pw->pw_name : "");
			if (!pw)
				snprintf(uid, sizeof(uid), "%u", id);
		}
		free(txt);
	}
	snprintf(p, sizeof(p), "/proc/%d/cmdline", pid);
	if (file_read_all(p, sizeof(cbuf) - 1, &cmd, &clen, NULL) == 0) {
		for (size_t i = 0; i + 1 < clen; i++)
			if (!cmd[i])
				cmd[i] = ' ';
		snprintf(cbuf, sizeof(cbuf), "%s", cmd);
		free(cmd);
	}
	long hz = sysconf(_SC_CLK_TCK);
	char stime[16] = "";
	time_t t0 = (time_t)(boot_time() + start / (unsigned long long)(hz > 0 ? hz : 100));
	struct tm tm;
	if (start && localtime_r(&t0, &tm))
		strftime(stime, sizeof(stime), "%H:%M", &tm);
	unsigned long secs = (ut + st) / (unsigned long)(hz > 0 ? hz : 100);
	snprintf(tbuf, sizeof(tbuf), "%02lu:%02lu:%02lu", secs / 3600, secs / 60 % 60, secs % 60);
	row = cJSON_CreateArray();
	char n[16], pp[16];
	snprintf(n, sizeof(n), "%d", pid);
	snprintf(pp, sizeof(pp), "%d", ppid);
	const char *cols[] = {uid, n, pp, "0", stime, "?", tbuf, cbuf};
	for (int i = 0; i < 8; i++)
		cJSON_AddItemToArray(row, cJSON_CreateString(cols[i]));
	return row;
}

void api_top(struct hx *x)
{
	struct daemon *d = x->user;
	struct ctr *c = api_ctr(x, x->arg[0]);
	static const char *const titles[] = {"UID",   "PID", "PPID", "C",
					     "STIME", "TTY", "TIME", "CMD"};
	pid_t *pids = NULL;
	size_t n = 0;
	struct err e;
	cJSON *o, *t, *ps;

	if (!c)
		return;
	if (c->status != CS_RUNNING && c->status != CS_PAUSED) {
		hx_error(x, 409, "Container %s is not running", c->id);
		goto out;
	}
	if (oci_container_pids(d->runtime_root, c->id, &pids, &n, &e) < 0) {
		hx_error(x, 500, "%s", e.msg);
		goto out;
	}
	o = cJSON_CreateObject();
	t = cJSON_AddArrayToObject(o, "Titles");
	for (int i = 0; i < 8; i++)
		cJSON_AddItemToArray(t, cJSON_CreateString(titles[i]));
	ps = cJSON_AddArrayToObject(o, "Processes");
	for (size_t i = 0; i < n; i++) {
		cJSON *row = proc_row(pids[i]);
		if (row)
			cJSON_AddItemToArray(ps, row);
	}
	free(pids);
	hx_json(x, 200, o);
	cJSON_Delete(o);
out:
	api_ctr_put(x, c);
}
