/* ctr-inspect.c - a container as GET /containers/{id}/json and
 * GET /containers/json show it, in dockerd's field names and forms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/daemon/ctr.h"
#include "json.h"
#include "timefmt.h"

static void human(int64_t ns, char *buf, size_t size)
{
	timefmt_human(ns / 1000000000, buf, size);
}

static void status_text(const struct ctr *c, char *buf, size_t size)
{
	char d[64];
	int64_t now = daemon_now_ns();

	switch (c->status) {
	case CS_RUNNING:
	case CS_PAUSED:
		human(now - c->started_ns, d, sizeof(d));
		snprintf(buf, size, "Up %s%s", d, c->status == CS_PAUSED ? " (Paused)" : "");
		if (c->status == CS_RUNNING && c->health) {
			size_t n = strlen(buf);
			snprintf(buf + n, size - n, " (%s)", health_ps_word(c->health->status));
		}
		break;
	case CS_RESTARTING:
		human(now - c->finished_ns, d, sizeof(d));
		snprintf(buf, size, "Restarting (%d) %s ago", c->exit_code, d);
		break;
	case CS_REMOVING:
		snprintf(buf, size, "Removal In Progress");
		break;
	case CS_DEAD:
		snprintf(buf, size, "Dead");
		break;
	case CS_CREATED:
		snprintf(buf, size, "Created");
		break;
	case CS_EXITED:
		if (!c->finished_ns) {
			snprintf(buf, size, "Created");
			break;
		}
		human(now - c->finished_ns, d, sizeof(d));
		snprintf(buf, size, "Exited (%d) %s ago", c->exit_code, d);
		break;
	}
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

/* Entrypoint + Cmd: the process's path and arguments. */
static cJSON *argv_of(const struct ctr *c)
{
	cJSON *a = cJSON_CreateArray();
	const char *keys[] = {"Entrypoint", "Cmd"};

	for (int k = 0; k < 2; k++) {
		const cJSON *v = get(c->config, keys[k]), *it;
		cJSON_ArrayForEach(it, v) if (cJSON_IsString(it))
			cJSON_AddItemToArray(a, cJSON_CreateString(it->valuestring));
	}
	return a;
}

/* Ports as inspect shows them: {"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}
 * (null for an exposed port without a binding); ps shows them as a list. */
static cJSON *ports_map(const struct ctr *c, bool running)
{
	cJSON *o = cJSON_CreateObject(), *it;
	const cJSON *exp = get(c->config, "ExposedPorts");
	const cJSON *pb = get(c->host_config, "PortBindings");

	cJSON_ArrayForEach(it, exp) cJSON_AddItemToObject(o, it->string, cJSON_CreateNull());
	cJSON_ArrayForEach(it, pb)
	{
		cJSON *list = cJSON_CreateArray(), *b;
		cJSON_ArrayForEach(b, it)
		{
			const cJSON *ip = get(b, "HostIp"), *hp = get(b, "HostPort");
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "HostIp",
						cJSON_IsString(ip) && *ip->valuestring
							? ip->valuestring
							: "0.0.0.0");
			cJSON_AddStringToObject(e, "HostPort",
						cJSON_IsString(hp) ? hp->valuestring : "");
			cJSON_AddItemToArray(list, e);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(o, it->string);
		cJSON_AddItemToObject(o, it->string, list);
	}
	(void)running;
	return o;
}

static const char *network_mode(const struct ctr *c)
{
	const cJSON *m = get(c->host_config, "NetworkMode");

	return cJSON_IsString(m) && *m->valuestring && strcmp(m->valuestring, "default")
		       ? m->valuestring
		       : "bridge";
}

static cJSON *networks(const struct ctr *c)
{
	cJSON *o = cJSON_CreateObject(), *n = cJSON_AddObjectToObject(o, network_mode(c));

	cJSON_AddNullToObject(n, "IPAMConfig");
	cJSON_AddNullToObject(n, "Links");
	cJSON_AddNullToObject(n, "Aliases");
	cJSON_AddStringToObject(n, "NetworkID", "");
	cJSON_AddStringToObject(n, "EndpointID", "");
	cJSON_AddStringToObject(n, "Gateway", "");
	cJSON_AddStringToObject(n, "IPAddress", "");
	cJSON_AddNumberToObject(n, "IPPrefixLen", 0);
	cJSON_AddStringToObject(n, "MacAddress", "");
	return o;
}

static cJSON *state(const struct ctr *c)
{
	cJSON *s = cJSON_CreateObject();
	char t[64];

	cJSON_AddStringToObject(s, "Status", ctr_status_name(c->status));
	cJSON_AddBoolToObject(s, "Running", c->status == CS_RUNNING || c->status == CS_PAUSED);
	cJSON_AddBoolToObject(s, "Paused", c->status == CS_PAUSED);
	cJSON_AddBoolToObject(s, "Restarting", c->status == CS_RESTARTING);
	cJSON_AddBoolToObject(s, "OOMKilled", c->oom_killed);
	cJSON_AddBoolToObject(s, "Dead", c->status == CS_DEAD);
	cJSON_AddNumberToObject(s, "Pid",
				c->status == CS_RUNNING || c->status == CS_PAUSED ? c->pid : 0);
	cJSON_AddNumberToObject(s, "ExitCode", c->exit_code);
	cJSON_AddStringToObject(s, "Error", c->error);
	daemon_time_str(c->started_ns, t, sizeof(t));
	cJSON_AddStringToObject(s, "StartedAt", t);
	daemon_time_str(c->finished_ns, t, sizeof(t));
	cJSON_AddStringToObject(s, "FinishedAt", t);
	if (c->health)
		cJSON_AddItemToObject(s, "Health", health_to_json(c->health, true));
	return s;
}

cJSON *ctr_inspect(struct daemon *d, struct ctr *c, bool size)
{
	cJSON *o = cJSON_CreateObject(), *args = argv_of(c), *ns, *gd;
	char t[64], p[PATH_MAX + 160], name[260];

	(void)d;
	(void)size;
	cJSON_AddStringToObject(o, "Id", c->id);
	daemon_time_str(c->created_ns, t, sizeof(t));
	cJSON_AddStringToObject(o, "Created", t);
	cJSON *first = cJSON_DetachItemFromArray(args, 0);
	cJSON_AddStringToObject(o, "Path", first ? first->valuestring : "");
	cJSON_Delete(first);
	cJSON_AddItemToObject(o, "Args", args);
	cJSON_AddItemToObject(o, "State", state(c));
	cJSON_AddStringToObject(o, "Image", c->image_id);
	ctr_path(c, "resolv.conf", p, sizeof(p));
	cJSON_AddStringToObject(o, "ResolvConfPath", p);
	ctr_path(c, "hostname", p, sizeof(p));
	cJSON_AddStringToObject(o, "HostnamePath", p);
	ctr_path(c, "hosts", p, sizeof(p));
	cJSON_AddStringToObject(o, "HostsPath", p);
	snprintf(name, sizeof(name), "%s-json.log", c->id);
	ctr_path(c, name, p, sizeof(p));
	cJSON_AddStringToObject(o, "LogPath", p);
	snprintf(name, sizeof(name), "/%s", c->name);
	cJSON_AddStringToObject(o, "Name", name);
	cJSON_AddNumberToObject(o, "RestartCount", c->restart_count);
	cJSON_AddStringToObject(o, "Driver", c->driver);
	cJSON_AddStringToObject(o, "Platform", "linux");
	cJSON_AddStringToObject(o, "MountLabel", "");
	cJSON_AddStringToObject(o, "ProcessLabel", "");
	cJSON_AddStringToObject(o, "AppArmorProfile", "");
	cJSON_AddNullToObject(o, "ExecIDs");
	cJSON_AddItemToObject(o, "HostConfig", cJSON_Duplicate(c->host_config, 1));
	gd = cJSON_AddObjectToObject(o, "GraphDriver");
	cJSON *gdd = cJSON_AddObjectToObject(gd, "Data");
	ctr_path(c, "rootfs", p, sizeof(p));
	cJSON_AddStringToObject(gdd, "MergedDir", p);
	cJSON_AddStringToObject(gd, "Name", c->driver);
	cJSON_AddItemToObject(o, "Mounts",
			      c->mounts ? cJSON_Duplicate(c->mounts, 1) : cJSON_CreateArray());
	cJSON_AddItemToObject(o, "Config", cJSON_Duplicate(c->config, 1));
	ns = cJSON_AddObjectToObject(o, "NetworkSettings");
	cJSON_AddStringToObject(ns, "Bridge", "");
	cJSON_AddStringToObject(ns, "SandboxID", "");
	cJSON_AddStringToObject(ns, "SandboxKey", "");
	cJSON_AddItemToObject(ns, "Ports", ports_map(c, true));
	cJSON_AddStringToObject(ns, "Gateway", "");
	cJSON_AddStringToObject(ns, "IPAddress", "");
	cJSON_AddNumberToObject(ns, "IPPrefixLen", 0);
	cJSON_AddStringToObject(ns, "MacAddress", "");
	cJSON_AddItemToObject(ns, "Networks", networks(c));
	return o;
}

/* "sh -c 'echo hi'" as ps shows the command: the arguments joined by
 * spaces (Docker quotes none). */
static void command_text(const struct ctr *c, char *buf, size_t size)
{
	cJSON *a = argv_of(c), *it;
	size_t n = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(it, a)
	{
		/* dockerd quotes an argument holding a space */
		bool q = n && strchr(it->valuestring, ' ');
		int k = snprintf(buf + n, size - n, q ? "%s'%s'" : "%s%s", n ? " " : "",
				 it->valuestring);
		if (k < 0 || (size_t)k >= size - n)
			break;
		n += (size_t)k;
	}
	cJSON_Delete(a);
}

static cJSON *ports_list(const struct ctr *c)
{
	cJSON *l = cJSON_CreateArray(), *m, *it, *b;

	/* a stopped container publishes nothing: dockerd lists no ports */
	if (c->status != CS_RUNNING && c->status != CS_PAUSED)
		return l;
	m = ports_map(c, true);

	cJSON_ArrayForEach(it, m)
	{
		int priv = atoi(it->string);
		const char *proto = strchr(it->string, '/');
		proto = proto ? proto + 1 : "tcp";
		if (!cJSON_IsArray(it) || !cJSON_GetArraySize(it)) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "PrivatePort", priv);
			cJSON_AddStringToObject(e, "Type", proto);
			cJSON_AddItemToArray(l, e);
			continue;
		}
		cJSON_ArrayForEach(b, it)
		{
			cJSON *e = cJSON_CreateObject();
			const cJSON *hp = get(b, "HostPort"), *ip = get(b, "HostIp");
			cJSON_AddStringToObject(e, "IP", ip->valuestring);
			cJSON_AddNumberToObject(e, "PrivatePort", priv);
			if (c->status == CS_RUNNING || c->status == CS_PAUSED)
				cJSON_AddNumberToObject(e, "PublicPort", atoi(hp->valuestring));
			cJSON_AddStringToObject(e, "Type", proto);
			cJSON_AddItemToArray(l, e);
		}
	}
	cJSON_Delete(m);
	return l;
}

cJSON *ctr_list_row(struct daemon *d, struct ctr *c)
{
	cJSON *o = cJSON_CreateObject(), *names = cJSON_AddArrayToObject(o, "Names"), *hc, *ns;
	char buf[4096];
	const cJSON *labels = get(c->config, "Labels");

	(void)d;
	cJSON_AddStringToObject(o, "Id", c->id);
	snprintf(buf, sizeof(buf), "/%s", c->name);
	cJSON_AddItemToArray(names, cJSON_CreateString(buf));
	cJSON_AddStringToObject(o, "Image", c->image_name);
	cJSON_AddStringToObject(o, "ImageID", c->image_id);
	command_text(c, buf, sizeof(buf));
	cJSON_AddStringToObject(o, "Command", buf);
	cJSON_AddNumberToObject(o, "Created", (double)(c->created_ns / 1000000000));
	cJSON_AddItemToObject(o, "Ports", ports_list(c));
	cJSON_AddItemToObject(o, "Labels",
			      labels ? cJSON_Duplicate(labels, 1) : cJSON_CreateObject());
	cJSON_AddStringToObject(o, "State", ctr_status_name(c->status));
	status_text(c, buf, sizeof(buf));
	cJSON_AddStringToObject(o, "Status", buf);
	hc = cJSON_AddObjectToObject(o, "HostConfig");
	cJSON_AddStringToObject(hc, "NetworkMode", network_mode(c));
	ns = cJSON_AddObjectToObject(o, "NetworkSettings");
	cJSON_AddItemToObject(ns, "Networks", networks(c));
	cJSON_AddItemToObject(o, "Mounts",
			      c->mounts ? cJSON_Duplicate(c->mounts, 1) : cJSON_CreateArray());
	return o;
}
