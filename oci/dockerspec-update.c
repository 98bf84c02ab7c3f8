/* dockerspec-update.c - docker update: the request checked and merged into
 * the recorded HostConfig the way dockerd 20.10 does it, and the resources
 * for the running container's cgroup. */
#include <stdio.h>
#include <string.h>

#include "oci/dockerspec-priv.h"

#define CPU_PERIOD 100000 /* as create: NanoCpus spread over 100 ms */

/* hc[key] = n, replacing the entry whatever the case of its key. */
static int set_num(cJSON *hc, const char *key, int64_t n, struct err *e)
{
	cJSON *v = n < (1LL << 53) && n > -(1LL << 53) ? cJSON_CreateNumber((double)n) : NULL;

	if (!v)
		return err_set(e, "%s: %lld is out of range", key, (long long)n);
	cJSON_DeleteItemFromObject(hc, key);
	if (!cJSON_AddItemToObject(hc, key, v)) {
		cJSON_Delete(v);
		return ds_oom(e);
	}
	return 0;
}

/* dockerd 20.10's validateRestartPolicy, with its words. */
static int check_restart(const cJSON *rp, struct err *e)
{
	const char *name = ds_str(rp, "Name");
	int64_t n = ds_int(rp, "MaximumRetryCount");

	if (!name || !*name)
		return 0;
	if (!strcmp(name, "always") || !strcmp(name, "unless-stopped") || !strcmp(name, "no")) {
		if (n)
			return err_set(
				e, "maximum retry count cannot be used with restart policy '%s'",
				name);
		return 0;
	}
	if (!strcmp(name, "on-failure"))
		return n < 0 ? err_set(e, "maximum retry count cannot be negative") : 0;
	return err_set(e, "invalid restart policy '%s'", name);
}

/* NanoCpus and CpuPeriod/CpuQuota exclude each other across updates. */
static int cpu_conflicts(const cJSON *hc, const cJSON *b, struct err *e)
{
	static const char *const pre = "Conflicting options: ";

	if (ds_int(b, "NanoCpus") > 0 && ds_int(hc, "CpuPeriod") > 0)
		return err_set(
			e, "%sNano CPUs cannot be updated as CPU Period has already been set", pre);
	if (ds_int(b, "NanoCpus") > 0 && ds_int(hc, "CpuQuota") > 0)
		return err_set(e, "%sNano CPUs cannot be updated as CPU Quota has already been set",
			       pre);
	if (ds_int(b, "CpuPeriod") > 0 && ds_int(hc, "NanoCpus") > 0)
		return err_set(e, "%sCPU Period cannot be updated as NanoCPUs has already been set",
			       pre);
	if (ds_int(b, "CpuQuota") > 0 && ds_int(hc, "NanoCpus") > 0)
		return err_set(e, "%sCPU Quota cannot be updated as NanoCPUs has already been set",
			       pre);
	return 0;
}

/* What the request sets (non-zero numbers, non-empty strings, a PidsLimit
 * that is not null) replaces the record's; hc is a copy the caller keeps
 * only on success. */
static int merge(cJSON *hc, const cJSON *b, struct err *e)
{
	static const char *const nums[] = {
		"BlkioWeight",        "CpuShares",         "NanoCpus",     "CpuPeriod",
		"CpuQuota",           "MemoryReservation", "KernelMemory", "CpuRealtimePeriod",
		"CpuRealtimeRuntime", "MemorySwap",        NULL,
	};
	int64_t mem = ds_int(b, "Memory"), swap = ds_int(hc, "MemorySwap");
	const cJSON *rp = ds_get(b, "RestartPolicy");
	const char *rpn = ds_str(rp, "Name");

	if (cpu_conflicts(hc, b, e) < 0)
		return -1;
	/* dockerd records the default swap (twice the memory) at create */
	if (!swap && ds_int(hc, "Memory") > 0)
		swap = 2 * ds_int(hc, "Memory");
	if (mem && mem > swap && !ds_int(b, "MemorySwap"))
		return err_set(e, "Memory limit should be smaller than already set memoryswap "
				  "limit, update the memoryswap at the same time");
	if (swap != ds_int(hc, "MemorySwap") && set_num(hc, "MemorySwap", swap, e) < 0)
		return -1;
	if (mem && set_num(hc, "Memory", mem, e) < 0)
		return -1;
	for (const char *const *k = nums; *k; k++)
		if (ds_int(b, *k) && set_num(hc, *k, ds_int(b, *k), e) < 0)
			return -1;
	for (const char *k = "CpusetCpus"; k; k = strcmp(k, "CpusetMems") ? "CpusetMems" : NULL) {
		const char *v = ds_str(b, k);
		if (v && *v) {
			cJSON_DeleteItemFromObject(hc, k);
			if (!cJSON_AddStringToObject(hc, k, v))
				return ds_oom(e);
		}
	}
	if (ds_get(b, "PidsLimit") && set_num(hc, "PidsLimit", ds_int(b, "PidsLimit"), e) < 0)
		return -1;
	if (rpn && *rpn) {
		if (strcmp(rpn, "no") && ds_bool(hc, "AutoRemove"))
			return err_set(e, "Restart policy cannot be updated because AutoRemove is "
					  "enabled for the container");
		cJSON *copy = cJSON_Duplicate(rp, true);
		cJSON_DeleteItemFromObject(hc, "RestartPolicy");
		if (!copy || !cJSON_AddItemToObject(hc, "RestartPolicy", copy)) {
			cJSON_Delete(copy);
			return ds_oom(e);
		}
	}
	return 0;
}

/* dockerd's toContainerdResources: only what the request sets; swap only
 * when positive; PidsLimit 0 or below is unlimited. */
static int live_resources(const cJSON *b, cJSON *res, struct err *e)
{
	struct ds d = {.e = e};
	cJSON *m = cJSON_AddObjectToObject(res, "memory"), *c = cJSON_AddObjectToObject(res, "cpu");
	int64_t nano = ds_int(b, "NanoCpus"), period = ds_int(b, "CpuPeriod");
	int64_t quota = ds_int(b, "CpuQuota");
	const char *cpus = ds_str(b, "CpusetCpus"), *mems = ds_str(b, "CpusetMems");

	if (!m || !c)
		return ds_oom(e);
	if (nano) {
		period = CPU_PERIOD;
		quota = nano * CPU_PERIOD / 1000000000LL;
	}
	if ((ds_int(b, "Memory") && ds_num(&d, m, "limit", ds_int(b, "Memory")) < 0) ||
	    (ds_int(b, "MemoryReservation") &&
	     ds_num(&d, m, "reservation", ds_int(b, "MemoryReservation")) < 0) ||
	    (ds_int(b, "MemorySwap") > 0 && ds_num(&d, m, "swap", ds_int(b, "MemorySwap")) < 0) ||
	    (ds_int(b, "CpuShares") && ds_num(&d, c, "shares", ds_int(b, "CpuShares")) < 0) ||
	    (period && ds_num(&d, c, "period", period) < 0) ||
	    (quota && ds_num(&d, c, "quota", quota) < 0))
		return -1;
	if ((cpus && *cpus && !cJSON_AddStringToObject(c, "cpus", cpus)) ||
	    (mems && *mems && !cJSON_AddStringToObject(c, "mems", mems)))
		return ds_oom(e);
	if (ds_get(b, "PidsLimit")) {
		cJSON *p = cJSON_AddObjectToObject(res, "pids");
		int64_t n = ds_int(b, "PidsLimit");
		if (!p || ds_num(&d, p, "limit", n > 0 ? n : -1) < 0)
			return -1;
	}
	if (ds_int(b, "BlkioWeight")) {
		cJSON *w = cJSON_AddObjectToObject(res, "blockIO");
		if (!w || ds_num(&d, w, "weight", ds_int(b, "BlkioWeight")) < 0)
			return -1;
	}
	return 0;
}

int oci_dspec_update(cJSON *host_config, const cJSON *body, cJSON **live, bool *conflict,
		     struct err *e)
{
	cJSON *hc = NULL, *res = NULL, *it;

	*live = NULL;
	*conflict = false;
	if (!cJSON_IsObject(body))
		return err_set(e, "update: the body is not a JSON object");
	if (ds_check_resources_for(body, true, e) < 0 ||
	    check_restart(ds_get(body, "RestartPolicy"), e) < 0)
		return -1;
	if (!(hc = cJSON_Duplicate(host_config, true)) || !(res = cJSON_CreateObject())) {
		ds_oom(e);
		goto fail;
	}
	if (merge(hc, body, e) < 0) {
		*conflict = true;
		goto fail;
	}
	if (live_resources(body, res, e) < 0)
		goto fail;
	/* the merged copy's entries replace the record's, in place */
	it = hc->child;
	hc->child = NULL;
	cJSON_Delete(hc);
	while (host_config->child)
		cJSON_Delete(cJSON_DetachItemViaPointer(host_config, host_config->child));
	host_config->child = it;
	*live = res;
	return 0;
fail:
	cJSON_Delete(hc);
	cJSON_Delete(res);
	return -1;
}
