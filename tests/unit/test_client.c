/* test_client.c - the client's pure pieces: stdcopy demultiplexing, and
 * run flags turned into the create body, checked against the bodies the
 * docker CLI 28 sent for the same command lines (engine-api transcripts). */
#include <stdlib.h>
#include <string.h>

#include "core/client/demux.h"
#include "core/client/runopts.h"
#include "json.h"
#include "tap.h"

/* docker run -d -p 18080:80 --name web 127.0.0.1:5000/small:1 httpd -f -vv -p 80 -h /www */
static const char *want_web =
	"{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"
	"\"AttachStdout\":false,\"AttachStderr\":false,\"ExposedPorts\":{\"80/tcp\":{}},"
	"\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":[\"httpd\","
	"\"-f\",\"-vv\",\"-p\",\"80\",\"-h\",\"/www\"],\"Image\":\"127.0.0.1:5000/small:1\","
	"\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{},"
	"\"HostConfig\":{\"Binds\":null,\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"\","
	"\"Config\":{}},\"NetworkMode\":\"default\",\"PortBindings\":{\"80/tcp\":[{\"HostIp\":"
	"\"\",\"HostPort\":\"18080\"}]},\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":"
	"0},\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":[0,"
	"0],\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],"
	"\"DnsSearch\":[],\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\","
	"\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,"
	"\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":"
	"\"\",\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,"
	"\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],"
	"\"CpuPeriod\":0,\"CpuQuota\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],"
	"\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,"
	"\"MemorySwap\":0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,"
	"\"Ulimits\":[],\"CpuCount\":0,\"CpuPercent\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":"
	"null},\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{\"IPAMConfig\":null,"
	"\"Links\":null,\"Aliases\":null,\"MacAddress\":\"\",\"NetworkID\":\"\"}}}}";

/* Keys the CLI sends with zero values that tug leaves to the daemon's defaults. */
static const char *const omitted[] = {"BlkioWeight", "BlkioWeightDevice", "CpuPeriod",
				      "CpuQuota",    "CpuCount",          "CpuPercent",
				      "MacAddress",  "NetworkID",         NULL};

static bool is_omitted(const char *k)
{
	for (size_t i = 0; omitted[i]; i++)
		if (!strcmp(k, omitted[i]))
			return true;
	return false;
}

/* Every key of want is in got with the same value (objects recursively),
 * and got has no key that want lacks; returns the number of differences. */
static int compare(const cJSON *got, const cJSON *want, const char *path)
{
	const cJSON *w, *g;
	int bad = 0;

	if (!cJSON_IsObject(want) || !cJSON_IsObject(got)) {
		if (cJSON_Compare(got, want, true))
			return 0;
		diag("%s differs", path);
		return 1;
	}
	cJSON_ArrayForEach(w, want)
	{
		g = cJSON_GetObjectItemCaseSensitive(got, w->string);
		if (!g && !is_omitted(w->string)) {
			diag("%s.%s missing", path, w->string);
			bad++;
		} else if (g) {
			char sub[256];

			bad += compare(g, w, json_path_key(sub, sizeof(sub), path, w->string));
		}
	}
	cJSON_ArrayForEach(g, got) if (!cJSON_GetObjectItemCaseSensitive(want, g->string))
	{
		diag("%s.%s unexpected", path, g->string);
		bad++;
	}
	return bad;
}

static cJSON *body_of(char **argv, int argc, struct err *e)
{
	struct args_table t = {"run", "", 0, run_opts_table};
	cJSON *out = NULL;
	int n;

	run_opts_free(&run_opts_v);
	memset(&run_opts_v, 0, sizeof(run_opts_v));
	n = args_parse(&t, argc, argv, NULL, e);
	if (n < 1)
		return NULL;
	if (run_opts_body(&run_opts_v, argv[1], n - 1, argv + 2, &out, e) < 0) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}

static void test_web(void)
{
	char *argv[] = {"run",   "-d", "-p",  "18080:80", "--name", "web", "127.0.0.1:5000/small:1",
			"httpd", "-f", "-vv", "-p",       "80",     "-h",  "/www",
			NULL};
	struct err e = {0};
	cJSON *got = body_of(argv, 14, &e), *want = NULL;

	json_parse(want_web, strlen(want_web), &want, &e);
	ok(got && want && compare(got, want, "") == 0, "run -d -p: the docker CLI's create body");
	ok(run_opts_v.detach && !strcmp(run_opts_v.name, "web"), "run -d --name parsed");
	cJSON_Delete(got);
	cJSON_Delete(want);
}

static const cJSON *at(const cJSON *j, const char *a, const char *b)
{
	j = cJSON_GetObjectItemCaseSensitive(j, a);
	return b ? cJSON_GetObjectItemCaseSensitive(j, b) : j;
}

static void test_flags(void)
{
	char *argv[] = {"run",
			"--rm",
			"-i",
			"-t",
			"-e",
			"A=1",
			"-m",
			"512m",
			"--cpus",
			"1.5",
			"-v",
			"/data",
			"-v",
			"/h:/c:ro",
			"--restart",
			"no",
			"--ulimit",
			"nofile=10:20",
			"--health-cmd",
			"true",
			"--health-interval",
			"1m30s",
			"--cap-add",
			"NET_ADMIN",
			"--init",
			"-l",
			"a=b",
			"--tmpfs",
			"/run:size=1m",
			"--mount",
			"type=bind,src=/x,dst=/y,readonly",
			"busybox",
			NULL};
	struct err e = {0};
	cJSON *b = body_of(argv, 33, &e);
	char *s = b ? cJSON_PrintUnformatted(b) : NULL;

	ok(b != NULL, "many flags parse (%s)", e.msg);
	if (!b)
		return;
	ok(cJSON_IsTrue(at(b, "AttachStdin", NULL)) && cJSON_IsTrue(at(b, "StdinOnce", NULL)) &&
		   cJSON_IsTrue(at(b, "Tty", NULL)),
	   "-i -t: stdin attached once, tty");
	ok(!strcmp(cJSON_GetArrayItem(at(b, "Env", NULL), 0)->valuestring, "A=1"), "-e");
	ok(at(b, "HostConfig", "Memory")->valuedouble == 536870912.0, "-m 512m");
	ok(at(b, "HostConfig", "NanoCpus")->valuedouble == 1.5e9, "--cpus 1.5");
	ok(at(at(b, "Volumes", NULL), "/data", NULL) != NULL, "-v /data: anonymous volume");
	ok(!strcmp(cJSON_GetArrayItem(at(b, "HostConfig", "Binds"), 0)->valuestring, "/h:/c:ro"),
	   "-v /h:/c:ro: a bind");
	ok(at(cJSON_GetArrayItem(at(b, "HostConfig", "Ulimits"), 0), "Hard", NULL)->valuedouble ==
		   20,
	   "--ulimit nofile=10:20");
	ok(at(at(b, "Healthcheck", NULL), "Interval", NULL)->valuedouble == 90e9,
	   "--health-interval 1m30s");
	ok(cJSON_IsTrue(at(b, "HostConfig", "Init")) &&
		   cJSON_IsTrue(at(b, "HostConfig", "AutoRemove")),
	   "--init --rm");
	ok(!strcmp(at(at(b, "HostConfig", "Tmpfs"), "/run", NULL)->valuestring, "size=1m"),
	   "--tmpfs");
	ok(cJSON_IsTrue(at(cJSON_GetArrayItem(at(b, "HostConfig", "Mounts"), 0), "ReadOnly", NULL)),
	   "--mount readonly");
	ok(!strcmp(at(at(b, "Labels", NULL), "a", NULL)->valuestring, "b"), "-l a=b");
	free(s);
	cJSON_Delete(b);
}

static void test_bad(void)
{
	char *a1[] = {"run", "-m", "lots", "busybox", NULL};
	char *a2[] = {"run", "--rm", "--restart", "always", "busybox", NULL};
	char *a3[] = {"run", "-p", "80:x", "busybox", NULL};
	struct err e = {0};

	ok(!body_of(a1, 4, &e) && strstr(e.msg, "-m, --memory"), "bad -m: %s", e.msg);
	ok(!body_of(a2, 5, &e) && strstr(e.msg, "Conflicting"), "--rm --restart: %s", e.msg);
	ok(!body_of(a3, 4, &e) && strstr(e.msg, "containerPort"), "bad -p: %s", e.msg);
}

static int out_cb(void *ctx, int stream, const char *buf, size_t len, struct err *e)
{
	char *acc = ctx;

	(void)e;
	strncat(acc, stream == 1 ? "O:" : "E:", 3);
	strncat(acc, buf, len);
	return 0;
}

static void test_demux(void)
{
	static const char frames[] = "\1\0\0\0\0\0\0\3hi\n\2\0\0\0\0\0\0\4err\n";
	char acc[128] = "";
	struct demux d;
	struct err e;
	int rc = 0;

	demux_init(&d);
	for (size_t i = 0; i < sizeof(frames) - 1; i++) /* one byte at a time */
		rc |= demux_feed(&d, frames + i, 1, out_cb, acc, &e);
	ok(rc == 0 && demux_idle(&d), "demux: split frames");
	ok(!strcmp(acc, "O:hO:iO:\nE:eE:rE:rE:\n"), "demux: streams and payloads (%s)", acc);
	demux_init(&d);
	ok(demux_feed(&d, "\7\0\0\0\0\0\0\1x", 9, out_cb, acc, &e) < 0, "demux: bad header");
}

static void test_parsers(void)
{
	int64_t v;

	ok(run_parse_bytes("1g", &v) == 0 && v == 1073741824, "bytes 1g");
	ok(run_parse_bytes("100kb", &v) == 0 && v == 102400, "bytes 100kb");
	ok(run_parse_bytes("2048", &v) == 0 && v == 2048, "bytes 2048");
	ok(run_parse_bytes("1x", &v) < 0, "bytes 1x refused");
	ok(run_parse_duration("500ms", &v) == 0 && v == 500000000, "duration 500ms");
	ok(run_parse_duration("1h2m3s", &v) == 0 && v == 3723000000000LL, "duration 1h2m3s");
	ok(run_parse_duration("5", &v) < 0, "duration without unit refused");
	ok(run_parse_cpus("0.25", &v) == 0 && v == 250000000, "cpus 0.25");
}

int main(void)
{
	test_web();
	test_flags();
	test_bad();
	test_demux();
	test_parsers();
	run_opts_free(&run_opts_v);
	return done_testing();
}
