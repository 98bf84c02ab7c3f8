/* dockerspec-resources.c - HostConfig's limits as linux.resources (memory,
 * cpu, pids, block I/O), Ulimits as rlimits, OomScoreAdj, Sysctls; and the
 * checks dockerd makes of them, with its messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "oci/dockerspec-priv.h"

#define MIN_MEMORY (6LL << 20)
#define CPU_PERIOD 100000 /* 100 ms, the period NanoCpus is spread over */

static const char *const rlimit_names[] = {
	"core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue", "nice",
	"nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack",
};

/* Sysctls in kernel namespaces: ipc ones and the prefixes. */
static const char *const ipc_sysctls[] = {
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

static bool mode_is(const cJSON *hc, const char *key, const char *want)
{
	const char *m = ds_str(hc, key);

	return m && strcmp(m, want) == 0;
}

static int check_sysctl(const cJSON *hc, const char *k, struct err *e)
{
	for (size_t i = 0; i < sizeof(ipc_sysctls) / sizeof(ipc_sysctls[0]); i++)
		if (strcmp(k, ipc_sysctls[i]) == 0)
			goto ipc;
	if (strncmp(k, "fs.mqueue.", 10) == 0)
		goto ipc;
	if (strncmp(k, "net.", 4) == 0) {
		if (mode_is(hc, "NetworkMode", "host"))
			return err_set(e, "sysctl \"%s\" not allowed in host network namespace", k);
		return 0;
	}
	if (strcmp(k, "kernel.hostname") == 0)
		return err_set(e,
			       "sysctl \"%s\" is not allowed as it conflicts with the OCI "
			       "\"hostname\" field",
			       k);
	if (strcmp(k, "kernel.domainname") == 0 && !mode_is(hc, "UTSMode", "host"))
		return 0;
	return err_set(e, "sysctl \"%s\" is not in a separate kernel namespace", k);
ipc:
	if (mode_is(hc, "IpcMode", "host"))
		return err_set(e, "sysctl \"%s\" is not allowed in the host's ipc namespace", k);
	return 0;
}

/* "0-2,4": each number below max (when max > 0). */
static int check_list(const char *s, long max, const char *what, struct err *e)
{
	const char *p = s;

	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b = a;

		if (end == p || a < 0 || (*end && *end != ',' && *end != '-'))
			goto bad;
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (end == p || b < a || (*end && *end != ','))
				goto bad;
		}
		if (max > 0 && b >= max)
			return err_set(e,
				       "Requested %s are not available - requested %s, available: "
				       "0-%ld",
				       what, s, max - 1);
		p = *end ? end + 1 : end;
		if (*end && !*p)
			goto bad;
	}
	return 0;
bad:
	return err_set(e, "Invalid value %s for cpuset %s: invalid format: %s", s,
		       strcmp(what, "CPUs") == 0 ? "cpus" : "mems", s);
}

static int check_memory(const cJSON *hc, bool update, struct err *e)
{
	int64_t mem = ds_int(hc, "Memory"), swap = ds_int(hc, "MemorySwap");
	int64_t res = ds_int(hc, "MemoryReservation");
	const cJSON *sw = ds_get(hc, "MemorySwappiness");

	if (mem != 0 && mem < MIN_MEMORY)
		return err_set(e, "Minimum memory limit allowed is 6MB");
	if (mem > 0 && swap > 0 && swap < mem)
		return err_set(e, "Minimum memoryswap limit should be larger than memory limit, "
				  "see usage");
	if (mem == 0 && swap > 0 && !update) /* an update may raise the swap alone */
		return err_set(e, "You should always set the Memory limit when using Memoryswap "
				  "limit, see usage");
	if (sw && sw->valuedouble != -1 && (sw->valuedouble < 0 || sw->valuedouble > 100))
		return err_set(e, "Invalid value: %lld, valid memory swappiness range is 0-100",
			       (long long)sw->valuedouble);
	if (res > 0 && res < MIN_MEMORY)
		return err_set(e, "Minimum memory reservation allowed is 6MB");
	if (mem > 0 && res > 0 && mem < res)
		return err_set(e, "Minimum memory limit can not be less than memory reservation "
				  "limit, see usage");
	return 0;
}

static int check_cpu(const cJSON *hc, struct err *e)
{
	int64_t nano = ds_int(hc, "NanoCpus"), period = ds_int(hc, "CpuPeriod");
	int64_t quota = ds_int(hc, "CpuQuota");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	const char *cpus = ds_str(hc, "CpusetCpus"), *mems = ds_str(hc, "CpusetMems");

	if (nano > 0 && period > 0)
		return err_set(e,
			       "Conflicting options: Nano CPUs and CPU Period cannot both be set");
	if (nano > 0 && quota > 0)
		return err_set(e,
			       "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
	if (ncpu < 1)
		ncpu = 1;
	if (nano < 0 || nano > ncpu * 1000000000LL)
		return err_set(e,
			       "range of CPUs is from 0.01 to %ld.00, as there are only %ld CPUs "
			       "available",
			       ncpu, ncpu);
	if (ds_int(hc, "CpuShares") < 0)
		return err_set(e, "shares: invalid argument");
	if (period != 0 && (period < 1000 || period > 1000000))
		return err_set(e, "CPU cfs period can not be less than 1ms (i.e. 1000) or larger "
				  "than 1s (i.e. 1000000)");
	if (quota > 0 && quota < 1000)
		return err_set(e, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
	if (cpus && check_list(cpus, sysconf(_SC_NPROCESSORS_CONF), "CPUs", e) < 0)
		return -1;
	if (mems && check_list(mems, 0, "memory nodes", e) < 0)
		return -1;
	return 0;
}

static int check_ulimits(const cJSON *hc, struct err *e)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, ds_get(hc, "Ulimits"))
	{
		const char *name = ds_str(it, "Name");
		size_t i = 0;

		while (name && i < sizeof(rlimit_names) / sizeof(rlimit_names[0]) &&
		       strcmp(name, rlimit_names[i]) != 0)
			i++;
		if (!name || i == sizeof(rlimit_names) / sizeof(rlimit_names[0]))
			return err_set(e, "invalid ulimit type: %s", name ? name : "");
		if (ds_int(it, "Soft") > ds_int(it, "Hard"))
			return err_set(e,
				       "ulimit soft limit must be less than or equal to hard "
				       "limit: %lld > %lld",
				       (long long)ds_int(it, "Soft"),
				       (long long)ds_int(it, "Hard"));
	}
	return 0;
}

int ds_check_resources(const cJSON *hc, struct err *e)
{
	return ds_check_resources_for(hc, false, e);
}

int ds_check_resources_for(const cJSON *hc, bool update, struct err *e)
{
	int64_t w = ds_int(hc, "BlkioWeight"), oom = ds_int(hc, "OomScoreAdj");
	const cJSON *it;

	if (check_memory(hc, update, e) < 0 || check_cpu(hc, e) < 0 || check_ulimits(hc, e) < 0)
		return -1;
	if (w > 0 && (w < 10 || w > 1000))
		return err_set(e, "Range of blkio weight is from 10 to 1000");
	if (ds_int(hc, "IOMaximumBandwidth") || ds_int(hc, "IOMaximumIOps"))
		return err_set(e, "Invalid QoS settings: linux does not support Maximum IO "
				  "Bandwidth or Maximum IO IOps");
	if (ds_int(hc, "ShmSize") < 0)
		return err_set(e, "SHM size can not be less than 0");
	if (oom < -1000 || oom > 1000)
		return err_set(e, "Invalid value %lld, range for oom score adj is [-1000, 1000]",
			       (long long)oom);
	cJSON_ArrayForEach(it, ds_get(hc, "Sysctls"))
	{
		if (check_sysctl(hc, it->string, e) < 0)
			return -1;
	}
	return 0;
}

/* parent[key], made when missing. */
static cJSON *sub(struct ds *d, cJSON *parent, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);

	return o ? o : ds_obj(d, parent, key);
}

static int set_pos(struct ds *d, cJSON *res, const char *obj, const char *key, int64_t v)
{
	cJSON *o;

	if (v <= 0)
		return 0;
	o = sub(d, res, obj);
	return o ? ds_num(d, o, key, v) : -1;
}

static int memory(struct ds *d, cJSON *res)
{
	const cJSON *hc = d->hc, *sw = ds_get(hc, "MemorySwappiness");
	int64_t mem = ds_int(hc, "Memory"), swap = ds_int(hc, "MemorySwap");
	const cJSON *oomk = ds_get(hc, "OomKillDisable");

	if (mem > 0 && swap == 0)
		swap = 2 * mem; /* dockerd's default: as much swap as memory */
	if (set_pos(d, res, "memory", "limit", mem) < 0 ||
	    set_pos(d, res, "memory", "reservation", ds_int(hc, "MemoryReservation")) < 0 ||
	    set_pos(d, res, "memory", "swap", swap) < 0 ||
	    set_pos(d, res, "memory", "kernelTCP", ds_int(hc, "KernelMemoryTCP")) < 0)
		return -1;
	if (sw && sw->valuedouble >= 0 &&
	    (!sub(d, res, "memory") ||
	     ds_num(d, sub(d, res, "memory"), "swappiness", (int64_t)sw->valuedouble) < 0))
		return -1;
	if (cJSON_IsTrue(oomk) &&
	    (!sub(d, res, "memory") ||
	     !cJSON_AddBoolToObject(sub(d, res, "memory"), "disableOOMKiller", true)))
		return ds_oom(d->e);
	return 0;
}

static int cpu(struct ds *d, cJSON *res)
{
	const cJSON *hc = d->hc;
	int64_t nano = ds_int(hc, "NanoCpus"), period = ds_int(hc, "CpuPeriod");
	int64_t quota = ds_int(hc, "CpuQuota");
	const char *cpus = ds_str(hc, "CpusetCpus"), *mems = ds_str(hc, "CpusetMems");
	cJSON *c;

	if (nano > 0) {
		period = period ? period : CPU_PERIOD;
		quota = nano * CPU_PERIOD / 1000000000LL;
	}
	if (set_pos(d, res, "cpu", "shares", ds_int(hc, "CpuShares")) < 0 ||
	    set_pos(d, res, "cpu", "period", period) < 0 ||
	    set_pos(d, res, "cpu", "realtimePeriod", ds_int(hc, "CpuRealtimePeriod")) < 0 ||
	    set_pos(d, res, "cpu", "realtimeRuntime", ds_int(hc, "CpuRealtimeRuntime")) < 0)
		return -1;
	if (quota != 0 && (!(c = sub(d, res, "cpu")) || ds_num(d, c, "quota", quota) < 0))
		return -1;
	if (cpus && cpus[0] &&
	    (!(c = sub(d, res, "cpu")) || !cJSON_AddStringToObject(c, "cpus", cpus)))
		return ds_oom(d->e);
	if (mems && mems[0] &&
	    (!(c = sub(d, res, "cpu")) || !cJSON_AddStringToObject(c, "mems", mems)))
		return ds_oom(d->e);
	return set_pos(d, res, "pids", "limit", ds_int(hc, "PidsLimit"));
}

/* BlkioWeightDevice and the four throttles: the device's numbers by stat. */
static int blkio_devices(struct ds *d, cJSON *bio, const char *dkey, const char *okey,
			 const char *vkey, const char *ovkey)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, ds_get(d->hc, dkey))
	{
		const char *path = ds_str(it, "Path");
		struct stat st;
		cJSON *l = cJSON_GetObjectItemCaseSensitive(bio, okey), *o;

		if (!path || stat(path, &st) < 0)
			return err_set(d->e, "%s: failed to stat %s", dkey, path ? path : "");
		if (!l && !(l = ds_list(d, bio, okey)))
			return -1;
		o = ds_obj(d, l, NULL);
		if (!o || ds_num(d, o, "major", major(st.st_rdev)) < 0 ||
		    ds_num(d, o, "minor", minor(st.st_rdev)) < 0 ||
		    ds_num(d, o, ovkey, ds_int(it, vkey)) < 0)
			return -1;
	}
	return 0;
}

static int blkio(struct ds *d, cJSON *res)
{
	static const char *const thr[][2] = {
		{"BlkioDeviceReadBps", "throttleReadBpsDevice"},
		{"BlkioDeviceWriteBps", "throttleWriteBpsDevice"},
		{"BlkioDeviceReadIOps", "throttleReadIOPSDevice"},
		{"BlkioDeviceWriteIOps", "throttleWriteIOPSDevice"},
	};
	cJSON *bio;

	if (!ds_int(d->hc, "BlkioWeight") && !ds_arr(d->hc, "BlkioWeightDevice") &&
	    !ds_arr(d->hc, thr[0][0]) && !ds_arr(d->hc, thr[1][0]) && !ds_arr(d->hc, thr[2][0]) &&
	    !ds_arr(d->hc, thr[3][0]))
		return 0;
	if (!(bio = sub(d, res, "blockIO")) ||
	    set_pos(d, res, "blockIO", "weight", ds_int(d->hc, "BlkioWeight")) < 0 ||
	    blkio_devices(d, bio, "BlkioWeightDevice", "weightDevice", "Weight", "weight") < 0)
		return -1;
	for (size_t i = 0; i < 4; i++)
		if (blkio_devices(d, bio, thr[i][0], thr[i][1], "Rate", "rate") < 0)
			return -1;
	return 0;
}

static int rlimits(struct ds *d, cJSON *proc)
{
	const cJSON *it;
	cJSON *l = NULL;

	cJSON_ArrayForEach(it, ds_get(d->hc, "Ulimits"))
	{
		char type[32];
		cJSON *o;

		if (!l && !(l = ds_list(d, proc, "rlimits")))
			return -1;
		snprintf(type, sizeof(type), "RLIMIT_%s", ds_str(it, "Name"));
		for (char *p = type; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		o = ds_obj(d, l, NULL);
		if (!o || !cJSON_AddStringToObject(o, "type", type) ||
		    ds_num(d, o, "hard", ds_int(it, "Hard")) < 0 ||
		    ds_num(d, o, "soft", ds_int(it, "Soft")) < 0)
			return -1;
	}
	return 0;
}

/* dockerd's defaults for a container with its own network namespace (ping
 * without CAP_NET_RAW, low ports without CAP_NET_BIND_SERVICE), then the
 * request's, which win. */
static int sysctls(struct ds *d, cJSON *lnx)
{
	static const char *const dflt[][2] = {
		{"net.ipv4.ping_group_range", "0 2147483647"},
		{"net.ipv4.ip_unprivileged_port_start", "0"},
	};
	cJSON *s = ds_obj(d, lnx, "sysctl");
	const cJSON *it;

	if (!s)
		return -1;
	for (size_t i = 0; !d->in->netns && i < 2; i++) {
		char path[128];
		struct stat st;

		snprintf(path, sizeof(path), "/proc/sys/%s", dflt[i][0]);
		for (char *p = path + 10; *p; p++)
			*p = *p == '.' ? '/' : *p;
		if (stat(path, &st) == 0 && !cJSON_AddStringToObject(s, dflt[i][0], dflt[i][1]))
			return ds_oom(d->e);
	}
	cJSON_ArrayForEach(it, ds_get(d->hc, "Sysctls"))
	{
		cJSON_DeleteItemFromObjectCaseSensitive(s, it->string);
		if (!cJSON_AddStringToObject(s, it->string, it->valuestring))
			return ds_oom(d->e);
	}
	return 0;
}

int ds_resources(struct ds *d, cJSON *lnx, cJSON *proc)
{
	cJSON *res = sub(d, lnx, "resources");

	if (!res || memory(d, res) < 0 || cpu(d, res) < 0 || blkio(d, res) < 0 ||
	    rlimits(d, proc) < 0 || sysctls(d, lnx) < 0)
		return -1;
	return ds_num(d, proc, "oomScoreAdj", ds_int(d->hc, "OomScoreAdj"));
}

int oci_dspec_resources(const cJSON *host_config, cJSON **out, struct err *e)
{
	struct ds d = {.hc = host_config, .e = e};
	cJSON *res = cJSON_CreateObject();

	*out = NULL;
	if (!res)
		return ds_oom(e);
	if (memory(&d, res) < 0 || cpu(&d, res) < 0 || blkio(&d, res) < 0) {
		cJSON_Delete(res);
		return -1;
	}
	*out = res;
	return 0;
}
