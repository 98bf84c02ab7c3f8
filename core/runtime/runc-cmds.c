/* runc-cmds.c - runc's commands about running containers: list, ps, pause,
 * resume, update, events; and signal names. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "json.h"
#include "sort.h"
#include "core/applet.h"
#include "core/runtime/runc.h"
#include "oci/cgroup.h"
#include "oci/container-internal.h"
#include "oci/container.h"
#include "oci/state.h"

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
	{"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
	{"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
	{"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
	{"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
	{"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
	{"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
	{"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
	{"SYS", SIGSYS},
};

int runc_signal(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s && !*end)
		return n > 0 && n < NSIG ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	return -1;
}

static const struct args_opt no_opts[] = {{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL}};

static const char *list_format;
static int list_quiet;

static int list_one(const char *id, bool json, cJSON *arr, struct err *e)
{
	struct oci_state st;
	char *text;
	cJSON *o;

	if (oci_state_read(runc_g.root, id, &st, e) < 0)
		return -1;
	if (list_quiet) {
		printf("%s\n", id);
		return 0;
	}
	if (!json) {
		enum oci_status s = oci_state_status(runc_g.root, &st);

		printf("%-12s %-10d %-10s %-40s %-30s %s\n", id,
		       s == OCI_STATUS_STOPPED ? 0 : (int)st.pid, oci_status_name(s), st.bundle,
		       st.created, "root");
		return 0;
	}
	if (oci_state_json(runc_g.root, &st, false, &text, e) < 0 ||
	    json_parse(text, strlen(text), &o, e) < 0)
		return -1;
	free(text);
	cJSON_AddItemToArray(arr, o);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The container ids under the root, sorted as runc lists them; NULL-ended,
 * the caller frees each and the array. NULL when the root is unreadable. */
static char **list_ids(size_t *count)
{
	DIR *d = opendir(runc_g.root);
	struct dirent *de;
	char **ids = NULL, **grown;
	size_t n = 0;

	*count = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		grown = realloc(ids, (n + 1) * sizeof(*ids));
		if (!grown || !(grown[n] = strdup(de->d_name))) {
			ids = grown ? grown : ids;
			break;
		}
		ids = grown;
		n++;
	}
	closedir(d);
	sort_heap(ids, n, sizeof(*ids), cmp_name);
	*count = n;
	return ids;
}

int runc_cmd_list(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"format", 'f', ARGS_VALUE, "table|json", "output format", NULL, &list_format, NULL,
		 NULL},
		{"quiet", 'q', 0, NULL, "print only the ids", &list_quiet, NULL, NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug runtime list [options]", "List containers",
					    ARGS_GO_FLAGS, opts};
	struct err e = {0};
	char **ids;
	size_t count;
	cJSON *arr = cJSON_CreateArray();
	bool json;
	int rc, n = runc_parse(&t, argc, argv, 0, 0, &rc);

	if (n < 0)
		return rc;
	json = list_format && !strcmp(list_format, "json");
	if (list_format && !json && strcmp(list_format, "table"))
		return runc_usage_error(&t, "--format: table or json");
	ids = list_ids(&count);
	if (!json && !list_quiet)
		printf("%-12s %-10s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	for (size_t i = 0; i < count; i++) {
		if (list_one(ids[i], json, arr, &e) < 0 && e.errnum != ENOENT)
			fprintf(stderr, "tug runtime list: %s\n", e.msg);
		free(ids[i]);
	}
	free(ids);
	if (json) {
		if (json_write_fd(STDOUT_FILENO, arr, false, &e) < 0)
			fprintf(stderr, "tug runtime list: %s\n", e.msg);
	}
	cJSON_Delete(arr);
	return TUG_EXIT_OK;
}

static const char *ps_format;

/* The table form runs the host's ps and keeps the container's lines. */
static int ps_table(pid_t *pids, size_t n, int argc, char **argv)
{
	char *args[64] = {"ps"};
	int fds[2], pid_col = -1, line_no = 0, status;
	char line[4096];
	FILE *f;
	pid_t child;

	if (argc > 60)
		argc = 60;
	for (int i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	if (argc == 0)
		args[1] = "-ef";
	if (pipe(fds) < 0 || (child = fork()) < 0)
		return TUG_EXIT_FAIL;
	if (child == 0) {
		dup2(fds[1], 1);
		execvp("ps", args);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	while (f && fgets(line, sizeof(line), f)) {
		char copy[4096], *tok, *save;
		int col = 0;

		strcpy(copy, line);
		for (tok = strtok_r(copy, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save), col++) {
			if (line_no == 0 && !strcmp(tok, "PID"))
				pid_col = col;
			else if (line_no > 0 && col == pid_col)
				break;
		}
		if (line_no == 0)
			fputs(line, stdout);
		else if (tok)
			for (size_t i = 0; i < n; i++)
				if (atoi(tok) == pids[i])
					fputs(line, stdout);
		line_no++;
	}
	if (f)
		fclose(f);
	waitpid(child, &status, 0);
	return pid_col < 0 ? TUG_EXIT_FAIL : TUG_EXIT_OK;
}

int runc_cmd_ps(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"format", 'f', ARGS_VALUE, "table|json", "output format", NULL, &ps_format, NULL,
		 NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug runtime ps [options] <id> [ps options]",
					    "List the processes of a container", ARGS_GO_FLAGS,
					    opts};
	struct err e = {0};
	pid_t *pids = NULL;
	size_t np = 0;
	int rc, n = runc_parse(&t, argc, argv, 1, 64, &rc);

	if (n < 0)
		return rc;
	if (oci_container_pids(runc_g.root, argv[1], &pids, &np, &e) < 0)
		return runc_fail("ps", &e);
	if (ps_format && !strcmp(ps_format, "json")) {
		printf("[");
		for (size_t i = 0; i < np; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
		rc = TUG_EXIT_OK;
	} else {
		rc = ps_table(pids, np, n - 1, argv + 2);
	}
	free(pids);
	return rc;
}

static int one_id(int argc, char **argv, const char *usage, const char *summary,
		  int (*op)(const char *, const char *, struct err *), const char *name)
{
	const struct args_table t = {usage, summary, ARGS_GO_FLAGS, no_opts};
	struct err e = {0};
	int rc, n = runc_parse(&t, argc, argv, 1, 1, &rc);

	if (n < 0)
		return rc;
	if (op(runc_g.root, argv[1], &e) < 0)
		return runc_fail(name, &e);
	return TUG_EXIT_OK;
}

int runc_cmd_pause(int argc, char **argv)
{
	return one_id(argc, argv, "tug runtime pause <id>", "Freeze a container",
		      oci_container_pause, "pause");
}

int runc_cmd_resume(int argc, char **argv)
{
	return one_id(argc, argv, "tug runtime resume <id>", "Thaw a container",
		      oci_container_resume, "resume");
}

static const char *update_resources;

int runc_cmd_update(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"resources", 'r', ARGS_VALUE, "path",
		 "a linux.resources JSON object from a file, or - for stdin", NULL,
		 &update_resources, NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug runtime update --resources <file|-> <id>",
					    "Change a container's resources", ARGS_GO_FLAGS, opts};
	struct err e = {0};
	struct oci_spec *s = NULL;
	char *text = NULL;
	size_t len;
	int rc, n = runc_parse(&t, argc, argv, 1, 1, &rc);

	if (n < 0)
		return rc;
	if (!update_resources)
		return runc_usage_error(&t, "--resources is required");
	rc = !strcmp(update_resources, "-")
		     ? file_read_fd(0, 1u << 20, &text, &len, &e)
		     : file_read_all(update_resources, 1u << 20, &text, &len, &e);
	if (rc < 0 || oci_spec_parse_resources(text, len, &s, &e) < 0 ||
	    oci_container_update(runc_g.root, argv[1], s->lnx.resources, &e) < 0)
		rc = runc_fail("update", &e);
	else
		rc = TUG_EXIT_OK;
	oci_spec_free(s);
	free(text);
	return rc;
}

static cJSON *stats_json(const struct oci_cgroup_stats *st)
{
	cJSON *d = cJSON_CreateObject(), *cpu, *usage, *mem, *mu, *pids;

	cpu = cJSON_AddObjectToObject(d, "cpu");
	usage = cJSON_AddObjectToObject(cpu, "usage");
	json_add_u64(usage, "total", st->cpu.total);
	json_add_u64(usage, "kernel", st->cpu.system);
	json_add_u64(usage, "user", st->cpu.user);
	cJSON *thr = cJSON_AddObjectToObject(cpu, "throttling");
	json_add_u64(thr, "periods", st->cpu.periods);
	json_add_u64(thr, "throttledPeriods", st->cpu.throttled_periods);
	json_add_u64(thr, "throttledTime", st->cpu.throttled_time);
	mem = cJSON_AddObjectToObject(d, "memory");
	json_add_u64(mem, "cache", st->memory.cache);
	mu = cJSON_AddObjectToObject(mem, "usage");
	json_add_u64(mu, "usage", st->memory.usage);
	json_add_u64(mu, "max", st->memory.max_usage);
	json_add_u64(mu, "limit", st->memory.limit);
	json_add_u64(mu, "failcnt", st->memory.failcnt);
	pids = cJSON_AddObjectToObject(d, "pids");
	json_add_u64(pids, "current", st->pids.current);
	json_add_u64(pids, "limit", st->pids.limit);
	return d;
}

static int print_stats(const char *id, struct err *e)
{
	struct oci_state st;
	struct oci_cgroup_layout layout;
	struct oci_cgroup *cg;
	struct oci_cgroup_stats s = {0};
	cJSON *o;
	int r;

	if (oci_state_read(runc_g.root, id, &st, e) < 0 ||
	    oci_container_cgroup(&st, &layout, &cg, e) < 0)
		return -1;
	r = oci_cgroup_stats(cg, &s, e);
	oci_cgroup_free(cg);
	oci_cgroup_layout_free(&layout);
	if (r < 0)
		return -1;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "stats");
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddItemToObject(o, "data", stats_json(&s));
	fflush(stdout);
	r = json_write_fd(STDOUT_FILENO, o, false, e);
	cJSON_Delete(o);
	return r;
}

static int events_stats;
static const char *events_interval;

int runc_cmd_events(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"stats", 0, 0, NULL, "print the stats once and exit", &events_stats, NULL, NULL,
		 NULL},
		{"interval", 0, ARGS_VALUE, "seconds", "stats interval (default 5s)", NULL,
		 &events_interval, NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug runtime events [options] <id>",
					    "Print container stats", ARGS_GO_FLAGS, opts};
	struct err e = {0};
	struct oci_state st;
	long secs = 5;
	int rc, n = runc_parse(&t, argc, argv, 1, 1, &rc);

	if (n < 0)
		return rc;
	if (events_interval && (secs = strtol(events_interval, NULL, 10)) <= 0)
		return runc_usage_error(&t, "--interval: a positive number of seconds");
	do {
		if (print_stats(argv[1], &e) < 0)
			return runc_fail("events", &e);
		if (events_stats)
			break;
		sleep((unsigned)secs);
	} while (oci_state_read(runc_g.root, argv[1], &st, &e) == 0 && oci_state_alive(&st));
	return TUG_EXIT_OK;
}
