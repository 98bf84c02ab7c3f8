/* ctr.c - the container table: lookup, the record on disk, reference
 * counts, and who uses an image or a volume. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/daemon/ctr.h"
#include "file.h"
#include "json.h"
#include "oci/rmtree.h"
#include <unistd.h>

const char *ctr_status_name(enum ctr_status s)
{
	static const char *const n[] = {"created",  "running", "paused", "restarting",
					"removing", "exited",  "dead"};
	return n[s];
}

void ctr_path(const struct ctr *c, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", c->cdir, name);
}

struct ctr *ctr_find(struct daemon *d, const char *what, struct err *e)
{
	struct ctr *hit = NULL;
	size_t n = strlen(what);
	int hits = 0;

	if (what[0] == '/')
		what++, n--;
	if (!n)
		return err_set(e, "No such container: %s", what), NULL;
	for (struct ctr *c = d->ctrs; c; c = c->next) {
		if (c->removed || c->creating)
			continue;
		if (!strcmp(c->id, what) || !strcmp(c->name, what))
			return c;
	}
	for (struct ctr *c = d->ctrs; c; c = c->next) {
		if (!c->removed && !c->creating && !strncmp(c->id, what, n)) {
			hit = c;
			hits++;
		}
	}
	if (hits == 1)
		return hit;
	if (hits > 1)
		err_set(e, "multiple IDs found with provided prefix: %s", what);
	else
		err_set(e, "No such container: %s", what);
	return NULL;
}

void ctr_get(struct ctr *c)
{
	c->refs++;
}

static void ctr_free(struct ctr *c)
{
	cJSON_Delete(c->config);
	cJSON_Delete(c->host_config);
	cJSON_Delete(c->net_config);
	cJSON_Delete(c->mounts);
	free(c->health);
	free(c);
}

void ctr_put(struct daemon *d, struct ctr *c)
{
	if (--c->refs > 0 || !c->removed)
		return;
	for (struct ctr **p = &d->ctrs; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	ctr_free(c);
}

int ctr_signal_parse(const char *name)
{
	static const struct {
		const char *n;
		int s;
	} t[] = {
		{"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},   {"ILL", SIGILL},
		{"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"BUS", SIGBUS},     {"FPE", SIGFPE},
		{"KILL", SIGKILL},     {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},   {"USR2", SIGUSR2},
		{"PIPE", SIGPIPE},     {"ALRM", SIGALRM}, {"TERM", SIGTERM},   {"CHLD", SIGCHLD},
		{"CONT", SIGCONT},     {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},
		{"TTOU", SIGTTOU},     {"URG", SIGURG},   {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},
		{"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
		{"PWR", SIGPWR},       {"SYS", SIGSYS},
	};
	char *end;
	long v;

	if (!name || !*name)
		return 0;
	v = strtol(name, &end, 10);
	if (!*end)
		return v > 0 && v < 65 ? (int)v : 0;
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcasecmp(t[i].n, name))
			return t[i].s;
	return 0;
}

static cJSON *jdup(const cJSON *v)
{
	return v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();
}

int ctr_save(struct daemon *d, struct ctr *c, struct err *e)
{
	cJSON *o = cJSON_CreateObject(), *st, *ch;
	char path[PATH_MAX + 128];
	char *txt = NULL;
	size_t len;
	int r = -1;

	(void)d;
	if (!o)
		return err_sys(e, ENOMEM, "save container %s", c->id);
	cJSON_AddStringToObject(o, "Id", c->id);
	cJSON_AddStringToObject(o, "Name", c->name);
	json_add_u64(o, "Created", (uint64_t)c->created_ns);
	cJSON_AddStringToObject(o, "Image", c->image_id);
	cJSON_AddStringToObject(o, "ImageName", c->image_name);
	cJSON_AddStringToObject(o, "Driver", c->driver);
	ch = cJSON_AddArrayToObject(o, "Chains");
	for (size_t i = 0; i < c->nchains; i++)
		cJSON_AddItemToArray(ch, cJSON_CreateString(c->chains[i]));
	cJSON_AddItemToObject(o, "Config", jdup(c->config));
	cJSON_AddItemToObject(o, "HostConfig", jdup(c->host_config));
	cJSON_AddItemToObject(o, "NetworkingConfig", jdup(c->net_config));
	cJSON_AddItemToObject(o, "Mounts", jdup(c->mounts));
	st = cJSON_AddObjectToObject(o, "State");
	cJSON_AddStringToObject(st, "Status", ctr_status_name(c->status));
	cJSON_AddNumberToObject(st, "Pid", c->pid);
	cJSON_AddNumberToObject(st, "ExitCode", c->exit_code);
	cJSON_AddBoolToObject(st, "OOMKilled", c->oom_killed);
	json_add_u64(st, "StartedAt", (uint64_t)c->started_ns);
	json_add_u64(st, "FinishedAt", (uint64_t)c->finished_ns);
	cJSON_AddStringToObject(st, "Error", c->error);
	cJSON_AddNumberToObject(st, "RestartCount", c->restart_count);
	cJSON_AddBoolToObject(st, "HasBeenStarted", c->has_been_started);
	cJSON_AddBoolToObject(st, "ManualStop", c->manual_stop);
	if (c->health)
		cJSON_AddItemToObject(st, "Health", health_to_json(c->health, false));
	if (json_print(o, true, &txt, &len, e) == 0) {
		ctr_path(c, "container.json", path, sizeof(path));
		r = file_write_atomic(AT_FDCWD, path, txt, len, 0600, e);
	}
	free(txt);
	cJSON_Delete(o);
	return r;
}

int ctr_layer_pins(void *arg, int (*add)(void *set, const char *chain, struct err *e), void *set,
		   struct err *e)
{
	struct daemon *d = arg;
	int r = 0;

	pthread_mutex_lock(&d->mu);
	for (struct ctr *c = d->ctrs; c && r == 0; c = c->next)
		for (size_t i = 0; i < c->nchains && r == 0 && !c->removed; i++)
			r = add(set, c->chains[i], e);
	pthread_mutex_unlock(&d->mu);
	return r;
}

int ctr_image_users(struct daemon *d, const char *image_id, char first[65])
{
	int n = 0;

	pthread_mutex_lock(&d->mu);
	for (struct ctr *c = d->ctrs; c; c = c->next) {
		if (c->removed || strcmp(c->image_id, image_id))
			continue;
		if (!n++ && first)
			snprintf(first, 65, "%s", c->id);
	}
	pthread_mutex_unlock(&d->mu);
	return n;
}

int ctr_volume_users(struct daemon *d, const char *volume, char first[65])
{
	int n = 0;

	pthread_mutex_lock(&d->mu);
	for (struct ctr *c = d->ctrs; c; c = c->next) {
		const cJSON *m;
		if (c->removed)
			continue;
		cJSON_ArrayForEach(m, c->mounts)
		{
			const cJSON *nm = cJSON_GetObjectItemCaseSensitive(m, "Name");
			if (cJSON_IsString(nm) && !strcmp(nm->valuestring, volume)) {
				if (!n++ && first)
					snprintf(first, 65, "%s", c->id);
				break;
			}
		}
	}
	pthread_mutex_unlock(&d->mu);
	return n;
}

int ctr_rm_dir(struct daemon *d, const struct ctr *c, struct err *e)
{
	int dfd = open(d->containers_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (dfd < 0)
		return err_sys(e, errno, "open %s", d->containers_dir);
	r = oci_rm_tree(dfd, c->id, e);
	close(dfd);
	return r;
}

const cJSON *ctr_labels(const struct ctr *c)
{
	return cJSON_GetObjectItemCaseSensitive(c->config, "Labels");
}

const struct oci_snapshotter *ctr_snapshotter(struct daemon *d, const struct ctr *c)
{
	/* the one that made it: the daemon may have been started with another */
	const struct oci_snapshotter *s = oci_snapshotter_find(c->driver);

	return s ? s : d->snap;
}
