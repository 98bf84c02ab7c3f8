/* runopts-host.c - the HostConfig half of the create body: resources,
 * restart policy, logging, devices, ulimits, namespaces, security. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client/runopts-priv.h"

#define BAD(flag, v, why) err_set(e, "invalid argument \"%s\" for \"%s\" flag: %s", v, flag, why)

static int restart_policy(const char *s, cJSON *hc, bool rm, struct err *e)
{
	cJSON *rp = cJSON_CreateObject();
	const char *colon = s ? strchr(s, ':') : NULL;
	char name[64];
	long max = 0;

	cJSON_AddItemToObject(hc, "RestartPolicy", rp);
	snprintf(name, sizeof(name), "%.*s", colon ? (int)(colon - s) : (int)strlen(s ? s : "no"),
		 s ? s : "no");
	if (strcmp(name, "no") && strcmp(name, "always") && strcmp(name, "unless-stopped") &&
	    strcmp(name, "on-failure"))
		return BAD("--restart", s, "invalid restart policy");
	if (colon) {
		char *end;

		max = strtol(colon + 1, &end, 10);
		if (*end || strcmp(name, "on-failure"))
			return BAD("--restart", s, "maximum retry count must be an integer");
	}
	if (rm && strcmp(name, "no"))
		return err_set(e, "Conflicting options: --restart and --rm");
	cJSON_AddStringToObject(rp, "Name", name);
	cJSON_AddNumberToObject(rp, "MaximumRetryCount", (double)max);
	return 0;
}

static int log_config(const struct run_opts *o, cJSON *hc)
{
	cJSON *lc = cJSON_CreateObject();

	cJSON_AddItemToObject(hc, "LogConfig", lc);
	cJSON_AddStringToObject(lc, "Type", o->log_driver ? o->log_driver : "");
	cJSON_AddItemToObject(lc, "Config", run_kv_object(&o->log_opt));
	return 0;
}

/* --device /dev/a[:/dev/b][:rwm] */
static cJSON *devices(const struct run_opts *o)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < o->device.n; i++) {
		char buf[1024], *p[3] = {buf, NULL, NULL};
		cJSON *d = cJSON_CreateObject();

		snprintf(buf, sizeof(buf), "%s", o->device.v[i]);
		if ((p[1] = strchr(buf, ':')))
			*p[1]++ = '\0';
		if (p[1] && (p[2] = strchr(p[1], ':')))
			*p[2]++ = '\0';
		if (p[1] && !p[2] && p[1][0] != '/') {
			p[2] = p[1];
			p[1] = NULL;
		}
		cJSON_AddStringToObject(d, "PathOnHost", p[0]);
		cJSON_AddStringToObject(d, "PathInContainer", p[1] ? p[1] : p[0]);
		cJSON_AddStringToObject(d, "CgroupPermissions", p[2] ? p[2] : "rwm");
		cJSON_AddItemToArray(arr, d);
	}
	return arr;
}

/* --ulimit name=soft[:hard] */
static int ulimits(const struct run_opts *o, cJSON *hc, struct err *e)
{
	cJSON *arr = cJSON_CreateArray();

	cJSON_AddItemToObject(hc, "Ulimits", arr);
	for (size_t i = 0; i < o->ulimit.n; i++) {
		const char *s = o->ulimit.v[i], *eq = strchr(s, '=');
		char name[64], *end;
		long long soft, hard;
		cJSON *u;

		if (!eq || eq == s)
			return BAD("--ulimit", s, "invalid ulimit argument");
		soft = strtoll(eq + 1, &end, 10);
		hard = *end == ':' ? strtoll(end + 1, &end, 10) : soft;
		if (*end)
			return BAD("--ulimit", s, "invalid ulimit value");
		snprintf(name, sizeof(name), "%.*s", (int)(eq - s), s);
		cJSON_AddItemToArray(arr, u = cJSON_CreateObject());
		cJSON_AddStringToObject(u, "Name", name);
		cJSON_AddNumberToObject(u, "Hard", (double)hard);
		cJSON_AddNumberToObject(u, "Soft", (double)soft);
	}
	return 0;
}

static int bytes_opt(const char *v, const char *flag, const char *key, cJSON *hc, struct err *e)
{
	int64_t n = 0;

	if (v && !strcmp(v, "-1") && !strcmp(key, "MemorySwap"))
		n = -1;
	else if (v && run_parse_bytes(v, &n) < 0)
		return BAD(flag, v, "invalid size");
	cJSON_AddNumberToObject(hc, key, (double)n);
	return 0;
}

static int int_opt(const char *v, const char *flag, const char *key, cJSON *hc, struct err *e)
{
	char *end;
	long long n = v ? strtoll(v, &end, 10) : 0;

	if (v && (*end || end == v))
		return BAD(flag, v, "strconv.ParseInt: parsing: invalid syntax");
	cJSON_AddNumberToObject(hc, key, (double)n);
	return 0;
}

static cJSON *empty_if_none(const struct args_list *l)
{
	cJSON *a = run_str_array(l);

	if (cJSON_IsNull(a)) {
		cJSON_Delete(a);
		a = cJSON_CreateArray();
	}
	return a;
}

static void namespaces(const struct run_opts *o, cJSON *hc)
{
	cJSON_AddItemToObject(hc, "CapAdd", run_str_array(&o->cap_add));
	cJSON_AddItemToObject(hc, "CapDrop", run_str_array(&o->cap_drop));
	cJSON_AddStringToObject(hc, "CgroupnsMode", o->cgroupns ? o->cgroupns : "");
	cJSON_AddItemToObject(hc, "Dns", empty_if_none(&o->dns));
	cJSON_AddItemToObject(hc, "DnsOptions", empty_if_none(&o->dns_option));
	cJSON_AddItemToObject(hc, "DnsSearch", empty_if_none(&o->dns_search));
	cJSON_AddItemToObject(hc, "ExtraHosts", run_str_array(&o->add_host));
	cJSON_AddItemToObject(hc, "GroupAdd", run_str_array(&o->group_add));
	cJSON_AddStringToObject(hc, "IpcMode", o->ipc ? o->ipc : "");
	cJSON_AddStringToObject(hc, "Cgroup", "");
	cJSON_AddNullToObject(hc, "Links");
	cJSON_AddNumberToObject(hc, "OomScoreAdj", 0);
	cJSON_AddStringToObject(hc, "PidMode", o->pid ? o->pid : "");
	cJSON_AddBoolToObject(hc, "Privileged", o->privileged);
	cJSON_AddBoolToObject(hc, "PublishAllPorts", o->publish_all);
	cJSON_AddBoolToObject(hc, "ReadonlyRootfs", o->read_only);
	cJSON_AddItemToObject(hc, "SecurityOpt", run_str_array(&o->security_opt));
	cJSON_AddStringToObject(hc, "UTSMode", o->uts ? o->uts : "");
	cJSON_AddStringToObject(hc, "UsernsMode", o->userns ? o->userns : "");
}

static int resources(const struct run_opts *o, cJSON *hc, struct err *e)
{
	int64_t nano = 0;

	if (o->cpus && run_parse_cpus(o->cpus, &nano) < 0)
		return BAD("--cpus", o->cpus, "failed to parse as a decimal");
	if (bytes_opt(o->shm_size, "--shm-size", "ShmSize", hc, e) < 0)
		return -1;
	if (o->sysctl.n)
		cJSON_AddItemToObject(hc, "Sysctls", run_kv_object(&o->sysctl));
	cJSON_AddStringToObject(hc, "Isolation", "");
	if (int_opt(o->cpu_shares, "-c, --cpu-shares", "CpuShares", hc, e) < 0 ||
	    bytes_opt(o->memory, "-m, --memory", "Memory", hc, e) < 0)
		return -1;
	cJSON_AddNumberToObject(hc, "NanoCpus", (double)nano);
	cJSON_AddStringToObject(hc, "CgroupParent", "");
	cJSON_AddStringToObject(hc, "CpusetCpus", o->cpuset_cpus ? o->cpuset_cpus : "");
	cJSON_AddStringToObject(hc, "CpusetMems", "");
	cJSON_AddItemToObject(hc, "Devices", devices(o));
	cJSON_AddNullToObject(hc, "DeviceCgroupRules");
	cJSON_AddNullToObject(hc, "DeviceRequests");
	if (bytes_opt(o->memory_reservation, "--memory-reservation", "MemoryReservation", hc, e) <
		    0 ||
	    bytes_opt(o->memory_swap, "--memory-swap", "MemorySwap", hc, e) < 0)
		return -1;
	cJSON_AddNumberToObject(hc, "MemorySwappiness", -1);
	cJSON_AddBoolToObject(hc, "OomKillDisable", o->oom_kill_disable);
	if (int_opt(o->pids_limit, "--pids-limit", "PidsLimit", hc, e) < 0)
		return -1;
	return ulimits(o, hc, e);
}

int run_body_host(const struct run_opts *o, cJSON *hc, cJSON *binds, cJSON *bindings, struct err *e)
{
	cJSON *cs;

	cJSON_AddItemToObject(hc, "Binds", binds);
	cJSON_AddStringToObject(hc, "ContainerIDFile", o->cidfile ? o->cidfile : "");
	log_config(o, hc);
	cJSON_AddStringToObject(hc, "NetworkMode", o->network ? o->network : "default");
	cJSON_AddItemToObject(hc, "PortBindings", bindings);
	if (restart_policy(o->restart, hc, o->rm, e) < 0)
		return -1;
	cJSON_AddBoolToObject(hc, "AutoRemove", o->rm);
	cJSON_AddStringToObject(hc, "VolumeDriver", "");
	cJSON_AddItemToObject(hc, "VolumesFrom", run_str_array(&o->volumes_from));
	cs = cJSON_AddArrayToObject(hc, "ConsoleSize");
	cJSON_AddItemToArray(cs, cJSON_CreateNumber(0));
	cJSON_AddItemToArray(cs, cJSON_CreateNumber(0));
	namespaces(o, hc);
	if (resources(o, hc, e) < 0)
		return -1;
	cJSON_AddNullToObject(hc, "MaskedPaths");
	cJSON_AddNullToObject(hc, "ReadonlyPaths");
	if (o->init)
		cJSON_AddBoolToObject(hc, "Init", true);
	return 0;
}
