/* test_networks.c - the daemon's network records on real files in a temp
 * folder: built-ins made once, create as dockerd validates and allocates,
 * lookups, remove, prune, persistence and crash leftovers. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/daemon/ctr.h"
#include "core/daemon/networks.h"
#include "file.h"
#include "json.h"
#include "tap.h"

static struct daemon D;
static char base[64];
static char ev_last[512];

/* The daemon's side, stubbed. */
void daemon_event(struct daemon *d, const char *type, const char *action, const char *id,
		  const char *const *attrs)
{
	size_t n;

	(void)d;
	n = (size_t)snprintf(ev_last, sizeof(ev_last), "%s %s %s", type, action, id);
	for (size_t i = 0; attrs && attrs[i] && attrs[i + 1] && n < sizeof(ev_last); i += 2)
		n += (size_t)snprintf(ev_last + n, sizeof(ev_last) - n, " %s=%s", attrs[i],
				      attrs[i + 1]);
}

int64_t daemon_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void daemon_time_str(int64_t ns, char *buf, size_t size)
{
	snprintf(buf, size, "2026-01-01T00:00:%02d.%09lldZ", (int)(ns / 1000000000 % 60),
		 (long long)(ns % 1000000000));
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "(none)";
}

static const cJSON *ipam0(const cJSON *nw)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(nw, "IPAM"), "Config"),
				  0);
}

static int create(const char *json, char id[65], struct err *e)
{
	cJSON *req = cJSON_Parse(json);
	int rc = nw_create(&D, req, id, e);

	cJSON_Delete(req);
	return rc;
}

static char bridge_id[65];

static void test_builtins(void)
{
	struct err e = {0};
	cJSON *l = NULL, *b = NULL;
	const char *want[] = {"none", "host", "bridge"};
	char p[512];

	is_int(nw_init(&D, &e), 0, "init");
	is_int(nw_list(NULL, NULL, &l, &e), 0, "list");
	is_int(cJSON_GetArraySize(l), 3, "three built-ins");
	for (int i = 0; i < 3; i++)
		is_str(str(cJSON_GetArrayItem(l, i), "Name"), want[i],
		       "built-in %d in dockerd's order", i);
	is_str(str(cJSON_GetArrayItem(l, 0), "Driver"), "null", "none's driver is null");
	cJSON_Delete(l);
	is_int(nw_find("bridge", &b, &e), 0, "find bridge");
	snprintf(bridge_id, sizeof(bridge_id), "%s", str(b, "Id"));
	ok(strlen(bridge_id) == 64 && strspn(bridge_id, "0123456789abcdef") == 64, "64-hex id");
	is_str(str(ipam0(b), "Subnet"), "172.17.0.0/16", "bridge subnet");
	is_str(str(ipam0(b), "Gateway"), "172.17.0.1", "bridge gateway");
	is_str(str(cJSON_GetObjectItem(b, "Options"), "com.docker.network.bridge.name"),
	       NW_DEFAULT_BRIDGE, "bridge device name");
	ok(cJSON_IsObject(cJSON_GetObjectItem(b, "Containers")), "Containers is an object");
	cJSON_Delete(b);
	snprintf(p, sizeof(p), "%s/networks/%s.json", base, bridge_id);
	ok(access(p, F_OK) == 0, "bridge's record on disk");
	is_int(nw_init(&D, &e), 0, "init again");
	nw_find("bridge", &b, &e);
	is_str(str(b, "Id"), bridge_id, "the id is stable across restarts");
	cJSON_Delete(b);
}

static char anchor_id[65];

static void test_create(void)
{
	struct err e = {0};
	char id[65], want[200], *s = NULL;
	cJSON *n = NULL;
	size_t len;

	is_int(create("{\"Driver\":\"bridge\",\"Scope\":\"\",\"IPAM\":{\"Driver\":\"default\","
		      "\"Options\":{},\"Config\":[]},\"Internal\":false,\"Attachable\":false,"
		      "\"Ingress\":false,\"ConfigOnly\":false,\"ConfigFrom\":null,\"Options\":{},"
		      "\"Labels\":{},\"Name\":\"anchornet\",\"CheckDuplicate\":true}",
		      anchor_id, &e),
	       0, "create as the docker CLI sends it: %s", e.msg);
	snprintf(want, sizeof(want), "network create %s name=anchornet type=bridge", anchor_id);
	is_str(ev_last, want, "create event");
	is_int(nw_find(anchor_id, &n, &e), 0, "find by id");
	json_print(n, false, &s, &len, NULL);
	ok(s && strstr(s, "\"IPAM\":{\"Driver\":\"default\",\"Options\":{},\"Config\":[{\"Subnet\":"
			  "\"172.18.0.0/16\",\"Gateway\":\"172.18.0.1\"}]}"),
	   "first free pool 172.18.0.0/16: %s", s);
	ok(s && strstr(s, "\"ConfigOnly\":false,\"Containers\":{},\"Options\":{},\"Labels\":{}}"),
	   "the rest as dockerd shows it");
	ok(s && !strncmp(s, "{\"Name\":\"anchornet\",\"Id\":", 25), "Name and Id lead");
	free(s);
	cJSON_Delete(n);

	is_int(create("{\"Name\":\"second\"}", id, &e), 0, "create with only a name");
	nw_find("second", &n, &e);
	is_str(str(ipam0(n), "Subnet"), "172.19.0.0/16", "the next pool");
	ok(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(n, "IPAM"), "Options")),
	   "IPAM.Options null when not given");
	ok(cJSON_IsNull(cJSON_GetObjectItem(n, "Labels")), "Labels null when not given");
	is_int(cJSON_GetArraySize(cJSON_GetObjectItem(n, "Options")), 0, "Options {}");
	cJSON_Delete(n);

	is_int(create("{\"Name\":\"custom\",\"Internal\":true,\"Labels\":{\"a\":\"b\"},"
		      "\"Options\":{\"com.docker.network.enable_ipv6\":\"false\",\"x\":\"y\"},"
		      "\"IPAM\":{\"Config\":[{\"Subnet\":\"172.20.0.0/16\",\"IPRange\":"
		      "\"172.20.5.0/24\",\"Gateway\":\"172.20.0.254\"}]}}",
		      id, &e),
	       0, "create with a subnet: %s", e.msg);
	nw_find("custom", &n, &e);
	is_str(str(ipam0(n), "Subnet"), "172.20.0.0/16", "given subnet");
	is_str(str(ipam0(n), "Gateway"), "172.20.0.254", "given gateway");
	is_str(str(ipam0(n), "IPRange"), "172.20.5.0/24", "given range");
	ok(cJSON_IsTrue(cJSON_GetObjectItem(n, "Internal")), "Internal");
	is_str(str(cJSON_GetObjectItem(n, "Labels"), "a"), "b", "labels");
	ok(!cJSON_GetObjectItem(cJSON_GetObjectItem(n, "Options"),
				"com.docker.network.enable_ipv6") &&
		   cJSON_GetObjectItem(cJSON_GetObjectItem(n, "Options"), "x"),
	   "the ipv6 option became EnableIPv6, the others stay");
	cJSON_Delete(n);
	is_int(create("{\"Name\":\"after\"}", id, &e), 0, "create after a taken pool");
	nw_find("after", &n, &e);
	is_str(str(ipam0(n), "Subnet"), "172.21.0.0/16", "skips the pool a subnet took");
	cJSON_Delete(n);
}

static void test_create_errors(void)
{
	struct err e = {0};
	char id[65];

	is_int(create("{\"Name\":\"anchornet\"}", id, &e), 409, "duplicate name: 409");
	is_str(e.msg, "network with name anchornet already exists", "its message");
	is_int(create("{\"Name\":\"bridge\"}", id, &e), 403, "predefined name: 403");
	is_str(e.msg, "operation is not permitted on predefined bridge network ", "its message");
	is_int(create("{\"Name\":\"  \"}", id, &e), 400, "blank name: 400");
	is_str(e.msg, "invalid name:   ", "its message");
	is_int(create("{\"Name\":\"x1\",\"Driver\":\"foo\"}", id, &e), 404, "unknown driver: 404");
	is_str(e.msg, "plugin \"foo\" not found", "its message");
	is_int(create("{\"Name\":\"x1\",\"Driver\":\"host\"}", id, &e), 403, "a second host: 403");
	is_str(e.msg, "only one instance of \"host\" network is allowed", "its message");
	is_int(create("{\"Name\":\"x1\",\"Driver\":\"overlay\"}", id, &e), 403, "overlay: 403");
	is_int(create("{\"Name\":\"x1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"172.18.5.0/24\"}]}}",
		      id, &e),
	       403, "overlapping subnet: 403");
	is_str(e.msg, "Pool overlaps with other one on this address space", "its message");
	is_int(create("{\"Name\":\"x1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.1.0.1/16\"}]}}", id,
		      &e),
	       400, "subnet not masked: 400");
	is_str(e.msg,
	       "invalid network config:\ninvalid subnet 10.1.0.1/16: it should be 10.1.0.0/16",
	       "its message");
	is_int(create("{\"Name\":\"x1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.1.0.1/16\","
		      "\"Gateway\":\"10.2.0.1\"}]}}",
		      id, &e),
	       400, "two mistakes: 400");
	is_str(e.msg,
	       "invalid network config:\n* invalid subnet 10.1.0.1/16: it should be 10.1.0.0/16\n* "
	       "invalid gateway 10.2.0.1: parent subnet 10.1.0.1/16 doesn't contain this address",
	       "both listed");
	is_int(create("{\"Name\":\"x1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"bogus\"}]}}", id, &e),
	       400, "bad subnet: 400");
	is_str(e.msg, "invalid network config:\ninvalid subnet bogus: invalid CIDR block notation",
	       "its message");
	is_int(create("{\"Name\":\"x1\",\"Options\":{\"com.docker.network.enable_ipv6\":\"maybe\"}"
		      "}",
		      id, &e),
	       400, "bad ipv6 option: 400");
	is_int(create("{\"Name\":\"x1\",\"Labels\":{\"a\":1}}", id, &e), 400, "label not a string");
	is_int(create("{\"Name\":\"x1\",\"EnableIPv6\":true}", id, &e), 400,
	       "IPv6 without a subnet: 400");
	is_int(create("{\"Name\":\"x1\",\"EnableIPv6\":true,\"IPAM\":{\"Config\":[{\"Subnet\":"
		      "\"fd00:1::/64\"}]}}",
		      id, &e),
	       0, "IPv6 with a subnet: %s", e.msg);
	{
		cJSON *n = NULL;
		nw_find("x1", &n, &e);
		is_str(str(ipam0(n), "Subnet"), "172.22.0.0/16", "IPv4 allocated first");
		is_str(str(cJSON_GetArrayItem(
				   cJSON_GetObjectItem(cJSON_GetObjectItem(n, "IPAM"), "Config"),
				   1),
			   "Gateway"),
		       "fd00:1::1", "IPv6 gateway ::1");
		cJSON_Delete(n);
	}
}

static bool only_labelled(const cJSON *nw, void *arg)
{
	return cJSON_GetObjectItem(cJSON_GetObjectItem(nw, "Labels"), arg) != NULL;
}

static void test_find_remove(void)
{
	struct err e = {0};
	cJSON *n = NULL, *l = NULL, *hc, *nc;
	char prefix[13], want[256], p[512];
	struct ctr c;

	snprintf(prefix, sizeof(prefix), "%.12s", anchor_id);
	is_int(nw_find(prefix, &n, &e), 0, "find by id prefix");
	is_str(str(n, "Name"), "anchornet", "the right one");
	cJSON_Delete(n);
	is_int(nw_find("nosuch", &n, &e), 404, "missing: 404");
	is_str(e.msg, "network nosuch not found", "its message");
	is_int(nw_list(only_labelled, "a", &l, &e), 0, "list with a filter");
	is_int(cJSON_GetArraySize(l), 1, "only the labelled one");
	cJSON_Delete(l);

	is_int(nw_remove(&D, "host", &e), 403, "remove host: 403");
	is_str(e.msg, "host is a pre-defined network and cannot be removed", "its message");
	/* a running container attached by name */
	memset(&c, 0, sizeof(c));
	hc = cJSON_Parse("{\"NetworkMode\":\"anchornet\"}");
	nc = cJSON_Parse("{\"EndpointsConfig\":{\"anchornet\":{}}}");
	c.host_config = hc;
	c.net_config = nc;
	c.status = CS_RUNNING;
	D.ctrs = &c;
	pthread_mutex_init(&D.mu, NULL);
	is_int(nw_remove(&D, "anchornet", &e), 403, "in use: 403");
	snprintf(want, sizeof(want),
		 "error while removing network: network anchornet id %s has active endpoints",
		 anchor_id);
	is_str(e.msg, want, "its message");
	nw_find("bridge", &n, &e);
	is_int(nw_users(&D, n), 0, "the container is not on bridge");
	cJSON_Delete(n);
	c.status = CS_EXITED;
	is_int(nw_remove(&D, anchor_id, &e), 0, "removable once the container stopped");
	D.ctrs = NULL;
	cJSON_Delete(hc);
	cJSON_Delete(nc);
	snprintf(want, sizeof(want), "network destroy %s name=anchornet type=bridge", anchor_id);
	is_str(ev_last, want, "destroy event");
	snprintf(p, sizeof(p), "%s/networks/%s.json", base, anchor_id);
	ok(access(p, F_OK) != 0, "its record is gone");
	is_int(nw_find("anchornet", &n, &e), 404, "and it is not found");
}

static bool spare_labelled(const cJSON *nw, void *arg)
{
	return only_labelled(nw, arg);
}

/* Records written by hand: two ids with one prefix, a broken one, a temp
 * file of an interrupted write. */
static void test_reload(void)
{
	struct err e = {0};
	char p[512], id1[65], id2[65];
	cJSON *n = NULL, *l = NULL;

	memset(id1, 'a', 64);
	memset(id2, 'a', 64);
	id1[64] = id2[64] = '\0';
	id2[63] = 'b';
	for (int i = 0; i < 2; i++) {
		cJSON *r = cJSON_Parse("{\"Name\":\"hand\",\"Created\":\"2025-01-01T00:00:00Z\"}");
		cJSON_AddStringToObject(r, "Id", i ? id2 : id1);
		cJSON_ReplaceItemInObject(r, "Name", cJSON_CreateString(i ? "hand2" : "hand1"));
		snprintf(p, sizeof(p), "%s/networks/%s.json", base, i ? id2 : id1);
		{
			char *s = cJSON_PrintUnformatted(r);
			file_write_atomic(AT_FDCWD, p, s, strlen(s), 0600, NULL);
			free(s);
		}
		cJSON_Delete(r);
	}
	snprintf(p, sizeof(p), "%s/networks/%064d.json", base, 0);
	file_write_atomic(AT_FDCWD, p, "{broken", 7, 0600, NULL);
	snprintf(p, sizeof(p), "%s/networks/.x.json.tmp.1.2", base);
	file_write_atomic(AT_FDCWD, p, "{}", 2, 0600, NULL);
	is_int(nw_init(&D, &e), 0, "init with hand-made records");
	ok(access(p, F_OK) != 0, "a temp file is dropped");
	is_int(nw_find("aaaa", &n, &e), 400, "a shared prefix is ambiguous");
	is_str(e.msg, "network aaaa is ambiguous (2 matches found based on ID prefix)",
	       "its message");
	nw_list(NULL, NULL, &l, &e);
	is_str(str(cJSON_GetArrayItem(l, 0), "Name"), "hand1", "oldest first");
	ok(nw_find("custom", &n, &e) == 0, "networks made before the restart are back");
	cJSON_Delete(n);
	cJSON_Delete(l);

	is_int(nw_prune(&D, spare_labelled, "a", &l, &e), 0, "prune");
	ok(cJSON_GetArraySize(l) == 5, "five custom networks went (%d)", cJSON_GetArraySize(l));
	cJSON_Delete(l);
	nw_list(NULL, NULL, &l, &e);
	is_int(cJSON_GetArraySize(l), 4, "the built-ins and the spared one stay");
	cJSON_Delete(l);
	is_str(ev_last, "network prune  reclaimed=0", "prune event");
	nw_prune(&D, NULL, NULL, &l, &e);
	cJSON_Delete(l);
	nw_prune(&D, NULL, NULL, &l, &e);
	ok(cJSON_IsArray(l) && cJSON_GetArraySize(l) == 0, "nothing left to prune");
	cJSON_Delete(l);
}

int main(void)
{
	char cmd[128];

	snprintf(base, sizeof(base), "/tmp/test_networks.XXXXXX");
	if (!mkdtemp(base))
		return 1;
	snprintf(D.data_root, sizeof(D.data_root), "%s", base);
	test_builtins();
	test_create();
	test_create_errors();
	test_find_remove();
	test_reload();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		diag("could not remove %s", base);
	return done_testing();
}
