/* runopts-body.c - run/create flags into the create body, key by key as
 * the docker CLI sends it (see the run transcripts: Config fields first,
 * then HostConfig, then NetworkingConfig keyed by the network mode). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client/runopts-priv.h"
#include "file.h"

#define BAD(flag, v, why) err_set(e, "invalid argument \"%s\" for \"%s\" flag: %s", v, flag, why)

cJSON *run_str_array(const struct args_list *l)
{
	cJSON *a;

	if (!l->n)
		return cJSON_CreateNull();
	a = cJSON_CreateArray();
	for (size_t i = 0; i < l->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(l->v[i]));
	return a;
}

/* "k=v" items into an object ("k" alone: ""). */
cJSON *run_kv_object(const struct args_list *l)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; i < l->n; i++) {
		const char *eq = strchr(l->v[i], '=');
		char key[512];

		snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - l->v[i]) : (int)strlen(l->v[i]),
			 l->v[i]);
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
		cJSON_AddStringToObject(o, key, eq ? eq + 1 : "");
	}
	return o;
}

static int env_file(cJSON *env, const char *path, struct err *e)
{
	char *text = NULL, *line, *save = NULL;
	size_t len;

	if (file_read_all(path, 1 << 20, &text, &len, e) < 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\r")] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		if (!strchr(line, '=')) {
			const char *v = getenv(line);
			char buf[4096];

			if (!v)
				continue;
			snprintf(buf, sizeof(buf), "%s=%s", line, v);
			cJSON_AddItemToArray(env, cJSON_CreateString(buf));
		} else {
			cJSON_AddItemToArray(env, cJSON_CreateString(line));
		}
	}
	free(text);
	return 0;
}

/* Env: --env-file lines first, then -e (K=V, or K from our environment). */
static int env_array(const struct run_opts *o, cJSON **out, struct err *e)
{
	cJSON *env = cJSON_CreateArray();

	*out = env;
	for (size_t i = 0; i < o->env_file.n; i++)
		if (env_file(env, o->env_file.v[i], e) < 0)
			return -1;
	for (size_t i = 0; i < o->env.n; i++) {
		const char *s = o->env.v[i];

		if (!strchr(s, '=')) {
			const char *v = getenv(s);
			char buf[4096];

			if (!v)
				continue;
			snprintf(buf, sizeof(buf), "%s=%s", s, v);
			cJSON_AddItemToArray(env, cJSON_CreateString(buf));
		} else {
			cJSON_AddItemToArray(env, cJSON_CreateString(s));
		}
	}
	if (!env->child) {
		cJSON_Delete(env);
		*out = cJSON_CreateNull();
	}
	return 0;
}

/* -p [ip:][hostPort:]containerPort[/proto] and --expose port[/proto]. */
static int ports(const struct run_opts *o, cJSON *exposed, cJSON *bindings, struct err *e)
{
	for (size_t i = 0; i < o->publish.n + o->expose.n; i++) {
		bool pub = i < o->publish.n;
		const char *s = pub ? o->publish.v[i] : o->expose.v[i - o->publish.n];
		char buf[256], *parts[3] = {0}, key[300], *proto;
		int n = 0;
		cJSON *list, *b;

		snprintf(buf, sizeof(buf), "%s", s);
		for (char *p = buf, *c; n < 3; p = c + 1) {
			parts[n++] = p;
			if (!(c = strchr(p, ':')))
				break;
			*c = '\0';
		}
		proto = strchr(parts[n - 1], '/');
		if (proto)
			*proto++ = '\0';
		if (!*parts[n - 1] || strspn(parts[n - 1], "0123456789-") != strlen(parts[n - 1]))
			return BAD(pub ? "-p, --publish" : "--expose", s, "invalid containerPort");
		snprintf(key, sizeof(key), "%s/%s", parts[n - 1], proto && *proto ? proto : "tcp");
		if (!cJSON_GetObjectItemCaseSensitive(exposed, key))
			cJSON_AddItemToObject(exposed, key, cJSON_CreateObject());
		if (!pub)
			continue;
		if (!(list = cJSON_GetObjectItemCaseSensitive(bindings, key)))
			cJSON_AddItemToObject(bindings, key, list = cJSON_CreateArray());
		cJSON_AddItemToArray(list, b = cJSON_CreateObject());
		cJSON_AddStringToObject(b, "HostIp", n == 3 ? parts[0] : "");
		cJSON_AddStringToObject(b, "HostPort", n >= 2 ? parts[n - 2] : "");
	}
	return 0;
}

/* -v: "dst" alone is an anonymous volume (Config.Volumes), else a bind. */
static void volumes(const struct run_opts *o, cJSON *vols, cJSON **binds)
{
	cJSON *b = cJSON_CreateArray();

	for (size_t i = 0; i < o->volume.n; i++) {
		if (strchr(o->volume.v[i], ':'))
			cJSON_AddItemToArray(b, cJSON_CreateString(o->volume.v[i]));
		else
			cJSON_AddItemToObject(vols, o->volume.v[i], cJSON_CreateObject());
	}
	if (!b->child) {
		cJSON_Delete(b);
		b = cJSON_CreateNull();
	}
	*binds = b;
}

static int one_mount(const char *spec, cJSON *m, struct err *e)
{
	char buf[2048], *save = NULL;
	cJSON *bind = NULL, *tmpfs = NULL;

	snprintf(buf, sizeof(buf), "%s", spec);
	cJSON_AddStringToObject(m, "Type", "volume");
	for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *v = strchr(kv, '=');

		if (v)
			*v++ = '\0';
		if (!strcmp(kv, "type") && v)
			cJSON_ReplaceItemInObject(m, "Type", cJSON_CreateString(v));
		else if ((!strcmp(kv, "source") || !strcmp(kv, "src")) && v)
			cJSON_AddStringToObject(m, "Source", v);
		else if ((!strcmp(kv, "target") || !strcmp(kv, "dst") ||
			  !strcmp(kv, "destination")) &&
			 v)
			cJSON_AddStringToObject(m, "Target", v);
		else if (!strcmp(kv, "readonly") || !strcmp(kv, "ro"))
			cJSON_AddBoolToObject(m, "ReadOnly",
					      !v || !strcmp(v, "true") || !strcmp(v, "1"));
		else if (!strcmp(kv, "bind-propagation") && v)
			cJSON_AddStringToObject(bind = bind ? bind : cJSON_CreateObject(),
						"Propagation", v);
		else if (!strcmp(kv, "tmpfs-size") && v) {
			int64_t n;

			if (run_parse_bytes(v, &n) < 0)
				return BAD("--mount", spec, "bad tmpfs-size");
			tmpfs = tmpfs ? tmpfs : cJSON_CreateObject();
			cJSON_AddNumberToObject(tmpfs, "SizeBytes", (double)n);
		} else
			return BAD("--mount", spec, "unexpected key");
	}
	if (bind)
		cJSON_AddItemToObject(m, "BindOptions", bind);
	if (tmpfs)
		cJSON_AddItemToObject(m, "TmpfsOptions", tmpfs);
	if (!cJSON_GetObjectItemCaseSensitive(m, "Target"))
		return BAD("--mount", spec, "target is required");
	return 0;
}

static int mounts(const struct run_opts *o, cJSON *hc, struct err *e)
{
	cJSON *arr, *tm;

	if (o->mount.n) {
		cJSON_AddItemToObject(hc, "Mounts", arr = cJSON_CreateArray());
		for (size_t i = 0; i < o->mount.n; i++) {
			cJSON *m = cJSON_CreateObject();

			cJSON_AddItemToArray(arr, m);
			if (one_mount(o->mount.v[i], m, e) < 0)
				return -1;
		}
	}
	if (o->tmpfs.n) {
		cJSON_AddItemToObject(hc, "Tmpfs", tm = cJSON_CreateObject());
		for (size_t i = 0; i < o->tmpfs.n; i++) {
			char key[1024];
			const char *c = strchr(o->tmpfs.v[i], ':');

			snprintf(key, sizeof(key), "%.*s",
				 c ? (int)(c - o->tmpfs.v[i]) : (int)strlen(o->tmpfs.v[i]),
				 o->tmpfs.v[i]);
			cJSON_AddStringToObject(tm, key, c ? c + 1 : "");
		}
	}
	return 0;
}

static int run_body_config(const struct run_opts *o, const char *image, int argc, char **argv,
			   cJSON *c, struct err *e)
{
	bool in = false, out = !o->detach, err = !o->detach;
	cJSON *exposed = cJSON_CreateObject(), *env, *cmd, *vols;

	if (o->attach.n) {
		out = err = false;
		for (size_t i = 0; i < o->attach.n; i++) {
			in |= !strcasecmp(o->attach.v[i], "stdin");
			out |= !strcasecmp(o->attach.v[i], "stdout");
			err |= !strcasecmp(o->attach.v[i], "stderr");
		}
	} else {
		in = o->interactive && !o->detach;
	}
	cJSON_AddStringToObject(c, "Hostname", o->hostname ? o->hostname : "");
	cJSON_AddStringToObject(c, "Domainname", o->domainname ? o->domainname : "");
	cJSON_AddStringToObject(c, "User", o->user ? o->user : "");
	cJSON_AddBoolToObject(c, "AttachStdin", in);
	cJSON_AddBoolToObject(c, "AttachStdout", out);
	cJSON_AddBoolToObject(c, "AttachStderr", err);
	cJSON_AddItemToObject(c, "ExposedPorts", exposed);
	cJSON_AddBoolToObject(c, "Tty", o->tty);
	cJSON_AddBoolToObject(c, "OpenStdin", o->interactive);
	cJSON_AddBoolToObject(c, "StdinOnce", o->interactive && in);
	if (env_array(o, &env, e) < 0) {
		cJSON_AddItemToObject(c, "Env", env);
		return -1;
	}
	cJSON_AddItemToObject(c, "Env", env);
	cmd = argc ? cJSON_CreateArray() : cJSON_CreateNull();
	for (int i = 0; i < argc; i++)
		cJSON_AddItemToArray(cmd, cJSON_CreateString(argv[i]));
	cJSON_AddItemToObject(c, "Cmd", cmd);
	cJSON_AddStringToObject(c, "Image", image);
	cJSON_AddItemToObject(c, "Volumes", vols = cJSON_CreateObject());
	cJSON_AddStringToObject(c, "WorkingDir", o->workdir ? o->workdir : "");
	if (o->entrypoint) {
		cJSON *ep = cJSON_CreateArray();

		cJSON_AddItemToArray(ep, cJSON_CreateString(o->entrypoint));
		cJSON_AddItemToObject(c, "Entrypoint", ep);
	} else {
		cJSON_AddNullToObject(c, "Entrypoint");
	}
	cJSON_AddNullToObject(c, "OnBuild");
	cJSON_AddItemToObject(c, "Labels", run_kv_object(&o->label));
	if (o->stop_signal)
		cJSON_AddStringToObject(c, "StopSignal", o->stop_signal);
	if (o->stop_timeout) {
		char *end;
		long t = strtol(o->stop_timeout, &end, 10);

		if (*end || end == o->stop_timeout)
			return BAD("--stop-timeout", o->stop_timeout, "invalid syntax");
		cJSON_AddNumberToObject(c, "StopTimeout", (double)t);
	}
	return 0;
}

static int healthcheck(const struct run_opts *o, cJSON *c, struct err *e)
{
	cJSON *h, *test;
	struct {
		const char *v, *flag, *key;
	} d[] = {{o->health_interval, "--health-interval", "Interval"},
		 {o->health_timeout, "--health-timeout", "Timeout"},
		 {o->health_start_period, "--health-start-period", "StartPeriod"}};

	if (!o->no_healthcheck && !o->health_cmd && !o->health_interval && !o->health_timeout &&
	    !o->health_retries && !o->health_start_period)
		return 0;
	h = cJSON_CreateObject();
	cJSON_AddItemToObject(c, "Healthcheck", h);
	if (o->no_healthcheck || o->health_cmd) {
		cJSON_AddItemToObject(h, "Test", test = cJSON_CreateArray());
		cJSON_AddItemToArray(test,
				     cJSON_CreateString(o->no_healthcheck ? "NONE" : "CMD-SHELL"));
		if (!o->no_healthcheck)
			cJSON_AddItemToArray(test, cJSON_CreateString(o->health_cmd));
	}
	for (size_t i = 0; i < 3; i++) {
		int64_t ns;

		if (!d[i].v)
			continue;
		if (run_parse_duration(d[i].v, &ns) < 0)
			return BAD(d[i].flag, d[i].v, "time: invalid duration");
		cJSON_AddNumberToObject(h, d[i].key, (double)ns);
	}
	if (o->health_retries)
		cJSON_AddNumberToObject(h, "Retries", atoi(o->health_retries));
	return 0;
}

int run_opts_body(const struct run_opts *o, const char *image, int argc, char **argv, cJSON **out,
		  struct err *e)
{
	cJSON *c = cJSON_CreateObject(), *hc = cJSON_CreateObject(), *nc, *ep, *one, *exposed;
	cJSON *bindings = cJSON_CreateObject(), *binds;
	const char *net = o->network ? o->network : "default";

	*out = c;
	cJSON_AddItemToObject(c, "HostConfig", hc);
	cJSON_AddItemToObject(hc, "PortBindings", bindings);
	if (run_body_config(o, image, argc, argv, c, e) < 0 || healthcheck(o, c, e) < 0)
		return -1;
	/* HostConfig went in first to be owned; docker sends it after Config */
	cJSON_DetachItemViaPointer(c, hc);
	cJSON_AddItemToObject(c, "HostConfig", hc);
	exposed = cJSON_GetObjectItemCaseSensitive(c, "ExposedPorts");
	if (ports(o, exposed, bindings, e) < 0)
		return -1;
	if (!exposed->child)
		cJSON_DeleteItemFromObjectCaseSensitive(c, "ExposedPorts");
	volumes(o, cJSON_GetObjectItemCaseSensitive(c, "Volumes"), &binds);
	cJSON_DetachItemViaPointer(hc, bindings);
	if (run_body_host(o, hc, binds, bindings, e) < 0 || mounts(o, hc, e) < 0)
		return -1;
	cJSON_AddItemToObject(c, "NetworkingConfig", nc = cJSON_CreateObject());
	cJSON_AddItemToObject(nc, "EndpointsConfig", ep = cJSON_CreateObject());
	cJSON_AddItemToObject(ep, net, one = cJSON_CreateObject());
	if (o->ip) {
		cJSON *ipam = cJSON_CreateObject();

		cJSON_AddStringToObject(ipam, "IPv4Address", o->ip);
		cJSON_AddItemToObject(one, "IPAMConfig", ipam);
	} else {
		cJSON_AddNullToObject(one, "IPAMConfig");
	}
	cJSON_AddNullToObject(one, "Links");
	cJSON_AddItemToObject(one, "Aliases", run_str_array(&o->network_alias));
	return 0;
}
