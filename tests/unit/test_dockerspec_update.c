/* test_dockerspec_update.c - docker update's bodies against recorded
 * HostConfigs: dockerd's merge (what the request sets), its 400 and 409
 * errors with their words, the resources for the running cgroup (parsed by
 * the runtime's own parser) and for the next start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "oci/dockerspec.h"
#include "oci/spec.h"
#include "tap.h"

static cJSON *J(const char *txt)
{
	cJSON *o = NULL;

	if (json_parse(txt, strlen(txt), &o, NULL) < 0)
		diag("bad fixture: %s", txt);
	return o;
}

static double num(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);

	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_IsNumber(v) ? v->valuedouble : -99;
}

/* Run an update of hc (text) with body; returns 0/-1, fills the rest. */
static int upd(const char *hc_txt, const char *body_txt, cJSON **hc, cJSON **live, bool *conflict,
	       struct err *e)
{
	cJSON *body = J(body_txt);
	int r;

	*hc = J(hc_txt);
	r = oci_dspec_update(*hc, body, live, conflict, e);
	cJSON_Delete(body);
	return r;
}

static const char rec64[] = "{\"Memory\":67108864,\"MemorySwap\":134217728,\"CpuShares\":0,"
			    "\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},"
			    "\"AutoRemove\":false,\"PidsLimit\":null}";

static void test_merge(void)
{
	cJSON *hc, *live;
	bool conflict;
	struct err e;
	struct oci_spec *s = NULL;
	char *txt = NULL;
	size_t len;

	ok(upd(rec64, "{\"Memory\":134217728,\"MemorySwap\":268435456,\"CpuShares\":0}", &hc, &live,
	       &conflict, &e) == 0,
	   "memory and swap: accepted");
	ok(num(hc, "Memory", NULL) == 134217728 && num(hc, "MemorySwap", NULL) == 268435456 &&
		   num(hc, "CpuShares", NULL) == 0 &&
		   !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(
				   cJSON_GetObjectItem(hc, "RestartPolicy"), "Name")),
			   "no"),
	   "memory and swap: recorded, the rest kept");
	ok(num(live, "memory", "limit") == 134217728 && num(live, "memory", "swap") == 268435456 &&
		   !cJSON_GetObjectItem(live, "pids") &&
		   !cJSON_GetObjectItem(cJSON_GetObjectItem(live, "cpu"), "shares"),
	   "memory and swap: the live resources have only what was asked");
	ok(json_print(live, false, &txt, &len, NULL) == 0 &&
		   oci_spec_parse_resources(txt, len, &s, &e) == 0 &&
		   s->lnx.resources->memory.limit.v == 134217728 &&
		   s->lnx.resources->memory.swap.v == 268435456 &&
		   !s->lnx.resources->cpu.shares.has,
	   "the live resources go through the runtime's parser");
	oci_spec_free(s);
	free(txt);
	cJSON_Delete(hc);
	cJSON_Delete(live);

	ok(upd("{\"Memory\":67108864,\"MemorySwap\":0}", "{\"Memory\":100000000}", &hc, &live,
	       &conflict, &e) == 0 &&
		   num(hc, "MemorySwap", NULL) == 134217728 && num(hc, "Memory", NULL) == 100000000,
	   "a record without the default swap: twice the memory, as dockerd records it");
	cJSON_Delete(hc);
	cJSON_Delete(live);

	ok(upd(rec64, "{\"NanoCpus\":1500000000,\"PidsLimit\":0,\"CpusetCpus\":\"0\"}", &hc, &live,
	       &conflict, &e) == 0,
	   "cpus, pids, cpuset: accepted");
	ok(num(live, "cpu", "period") == 100000 && num(live, "cpu", "quota") == 150000 &&
		   num(live, "pids", "limit") == -1 &&
		   !strcmp(cJSON_GetStringValue(
				   cJSON_GetObjectItem(cJSON_GetObjectItem(live, "cpu"), "cpus")),
			   "0"),
	   "NanoCpus as a quota over 100 ms, PidsLimit 0 unlimited");
	ok(num(hc, "NanoCpus", NULL) == 1500000000 && num(hc, "PidsLimit", NULL) == 0 &&
		   num(hc, "Memory", NULL) == 67108864,
	   "cpus, pids: recorded");
	cJSON_Delete(hc);
	cJSON_Delete(live);

	ok(upd(rec64, "{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}}", &hc,
	       &live, &conflict, &e) == 0 &&
		   num(cJSON_GetObjectItem(hc, "RestartPolicy"), "MaximumRetryCount", NULL) == 3,
	   "restart policy: recorded");
	cJSON_Delete(hc);
	cJSON_Delete(live);
}

static void refused(const char *hc_txt, const char *body, bool want_conflict, const char *msg)
{
	cJSON *hc, *live = (cJSON *)1, *before = J(hc_txt);
	bool conflict = !want_conflict;
	struct err e = {0};

	const char *code = want_conflict ? "409" : "400";
	bool refused_ok = upd(hc_txt, body, &hc, &live, &conflict, &e) < 0 &&
			  conflict == want_conflict && !strcmp(e.msg, msg) && !live &&
			  cJSON_Compare(hc, before, true);

	ok(refused_ok, "%s: %s", code, e.msg[0] ? e.msg : "(no message)");
	if (strcmp(e.msg, msg))
		diag("got: %s", e.msg);
	cJSON_Delete(hc);
	cJSON_Delete(before);
}

static void test_errors(void)
{
	refused(rec64, "{\"Memory\":300000000}", true,
		"Memory limit should be smaller than already set memoryswap limit, update the "
		"memoryswap at the same time");
	refused("{\"Memory\":0}", "{\"Memory\":67108864}", true,
		"Memory limit should be smaller than already set memoryswap limit, update the "
		"memoryswap at the same time");
	refused(rec64, "{\"Memory\":1000000}", false, "Minimum memory limit allowed is 6MB");
	refused(rec64, "{\"Memory\":67108864,\"MemorySwap\":1000000000,\"MemoryReservation\":1}",
		false, "Minimum memory reservation allowed is 6MB");
	refused("{\"CpuPeriod\":50000}", "{\"NanoCpus\":500000000}", true,
		"Conflicting options: Nano CPUs cannot be updated as CPU Period has already been "
		"set");
	refused("{\"NanoCpus\":500000000}", "{\"CpuQuota\":50000}", true,
		"Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been "
		"set");
	refused(rec64, "{\"RestartPolicy\":{\"Name\":\"bogus\"}}", false,
		"invalid restart policy 'bogus'");
	refused(rec64, "{\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":-2}}",
		false, "maximum retry count cannot be negative");
	refused("{\"AutoRemove\":true}", "{\"RestartPolicy\":{\"Name\":\"always\"}}", true,
		"Restart policy cannot be updated because AutoRemove is enabled for the container");
	refused(rec64, "[1]", false, "update: the body is not a JSON object");
}

static void test_resources(void)
{
	cJSON *hc = J("{\"Memory\":104857600,\"MemorySwap\":209715200,\"CpuShares\":512,"
		      "\"PidsLimit\":40,\"NanoCpus\":500000000}"),
	      *res = NULL;
	struct err e;

	ok(oci_dspec_resources(hc, &res, &e) == 0 && num(res, "memory", "limit") == 104857600 &&
		   num(res, "memory", "swap") == 209715200 && num(res, "cpu", "shares") == 512 &&
		   num(res, "cpu", "quota") == 50000 && num(res, "pids", "limit") == 40 &&
		   !cJSON_GetObjectItem(res, "devices"),
	   "resources for the next start from HostConfig");
	cJSON_Delete(res);
	cJSON_Delete(hc);
	hc = J("{}");
	ok(oci_dspec_resources(hc, &res, &e) == 0 && res && !res->child,
	   "no limits: empty resources");
	cJSON_Delete(res);
	cJSON_Delete(hc);
}

int main(void)
{
	test_merge();
	test_errors();
	test_resources();
	return done_testing();
}
