/* test_dockerspec.c - dockerspec*.c: Docker create bodies (the captured
 * `docker run -d` one and made-up ones) and image configs turned into OCI
 * configs, checked field by field; dockerd's errors; the result accepted by
 * the runtime's own parser and its seccomp profile compiled to BPF. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "json.h"
#include "oci/caps.h"
#include "oci/dockerspec-priv.h" /* DS_SCMP_ARCH */
#include "oci/seccomp.h"
#include "oci/spec.h"
#include "tap.h"

#define ID "0c0d0a2dbcccd085ddbd802ca4ad2bf203ed4659bc928d5c4bae333a20d21607"

static char tmp[256], rootfs[300], voldir[300], hostdir[300];

/* The body `docker run -d -p 18080:80 --name web IMG httpd ...` sent (CLI 28). */
static const char run_d_web[] =
	"{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"
	"\"AttachStdout\":false,\"AttachStderr\":false,\"ExposedPorts\":{\"80/tcp\":{}},"
	"\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,"
	"\"Cmd\":[\"httpd\",\"-f\",\"-vv\",\"-p\",\"80\",\"-h\",\"/www\"],"
	"\"Image\":\"127.0.0.1:5000/small:1\",\"Volumes\":{},\"WorkingDir\":\"\","
	"\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{},\"HostConfig\":{\"Binds\":null,"
	"\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"\",\"Config\":{}},"
	"\"NetworkMode\":\"default\",\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\","
	"\"HostPort\":\"18080\"}]},\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},"
	"\"AutoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":[0,0],"
	"\"CapAdd\":null,\"CapDrop\":null,\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],"
	"\"DnsSearch\":[],\"ExtraHosts\":null,\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\","
	"\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false,"
	"\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,\"SecurityOpt\":null,\"UTSMode\":\"\","
	"\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\",\"CpuShares\":0,\"Memory\":0,"
	"\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[],"
	"\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadIOps\":[],"
	"\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0,"
	"\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],"
	"\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,"
	"\"MemorySwap\":0,\"MemorySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,"
	"\"Ulimits\":[],\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,"
	"\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"ReadonlyPaths\":null},"
	"\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{}}}}";

static cJSON *parse(const char *s)
{
	cJSON *v = NULL;
	struct err e = {0};

	if (json_parse(s, strlen(s), &v, &e) < 0) {
		diag("bad test JSON: %s: %s", e.msg, s);
		exit(2);
	}
	return v;
}

/* a.b.c, [n] for arrays: "process.args[0]". NULL when absent. */
static const cJSON *at(const cJSON *v, const char *path)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); v && tok; tok = strtok_r(NULL, ".", &save)) {
		char *br = strchr(tok, '[');

		if (br)
			*br = '\0';
		if (*tok)
			v = cJSON_GetObjectItemCaseSensitive(v, tok);
		while (v && br) {
			v = cJSON_GetArrayItem(v, atoi(br + 1));
			br = strchr(br + 1, '[');
		}
	}
	return v;
}

static const char *str(const cJSON *v, const char *path)
{
	const cJSON *s = at(v, path);

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

static long long num(const cJSON *v, const char *path)
{
	const cJSON *n = at(v, path);

	return cJSON_IsNumber(n) ? (long long)n->valuedouble : -999;
}

static bool has_string(const cJSON *arr, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
	{
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
			return true;
	}
	return false;
}

static const cJSON *mount_at(const cJSON *cfg, const char *dest)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, at(cfg, "mounts"))
	{
		if (strcmp(str(it, "destination"), dest) == 0)
			return it;
	}
	return NULL;
}

static int mount_index(const cJSON *cfg, const char *dest)
{
	int i = 0;
	const cJSON *it;

	cJSON_ArrayForEach(it, at(cfg, "mounts"))
	{
		if (strcmp(str(it, "destination"), dest) == 0)
			return i;
		i++;
	}
	return -1;
}

static const char *sysctl(const cJSON *cfg, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(at(cfg, "linux.sysctl"), key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Is name in an unconditional SCMP_ACT_ALLOW rule of the config's profile? */
static bool seccomp_allows(const cJSON *cfg, const char *name)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, at(cfg, "linux.seccomp.syscalls"))
	{
		if (strcmp(str(it, "action"), "SCMP_ACT_ALLOW") == 0 && !at(it, "args") &&
		    has_string(at(it, "names"), name))
			return true;
	}
	return false;
}

/* Volumes: folders under voldir; anonymous ones get a fixed hex name. */
static int vol_calls;
static int vol_get(void *arg, const char *name, char *name_out, size_t name_size, char *path_out,
		   size_t path_size, struct err *e)
{
	char dir[512];

	(void)arg;
	vol_calls++;
	if (name && strcmp(name, "broken") == 0)
		return err_set(e, "volume broken: no such driver");
	snprintf(name_out, name_size, "%s", name ? name : "a1b2c3");
	snprintf(dir, sizeof(dir), "%s/%s/_data", voldir, name ? name : "a1b2c3");
	if (file_mkdir_p(dir, 0755, e) < 0)
		return -1;
	snprintf(path_out, path_size, "%s", dir);
	return 0;
}
static const struct oci_dspec_volume_ops vols = {vol_get, NULL};

static struct oci_dspec_in in_for(const cJSON *body, const cJSON *img)
{
	struct oci_dspec_in in = {
		.id = ID,
		.image_config = img,
		.body = body,
		.rootfs = rootfs,
		.volumes = &vols,
	};
	return in;
}

/* Build from text; NULL (and e set) on failure. */
static cJSON *build(const char *body_text, const char *img_text, struct err *e, cJSON **mounts)
{
	cJSON *body = parse(body_text), *img = img_text ? parse(img_text) : NULL, *cfg = NULL;
	struct oci_dspec_in in = in_for(body, img);

	e->msg[0] = '\0';
	if (oci_dspec_build(&in, &cfg, mounts, e) < 0)
		cfg = NULL;
	cJSON_Delete(body);
	cJSON_Delete(img);
	return cfg;
}

static void write_file(const char *path, const char *text)
{
	struct err e;

	if (file_write_atomic(AT_FDCWD, path, text, strlen(text), 0644, &e) < 0) {
		diag("%s", e.msg);
		exit(2);
	}
}

static void setup(void)
{
	char p[512];
	struct err e;

	snprintf(tmp, sizeof(tmp), "/tmp/test_dockerspec.XXXXXX");
	if (!mkdtemp(tmp))
		exit(2);
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmp);
	snprintf(voldir, sizeof(voldir), "%s/volumes", tmp);
	snprintf(hostdir, sizeof(hostdir), "%s/host", tmp);
	snprintf(p, sizeof(p), "%s/etc", rootfs);
	if (file_mkdir_p(p, 0755, &e) < 0 || file_mkdir_p(hostdir, 0755, &e) < 0)
		exit(2);
	snprintf(p, sizeof(p), "%s/etc/passwd", rootfs);
	write_file(p, "root:x:0:0:root:/root:/bin/sh\n"
		      "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
		      "app:x:1000:1000:App:/home/app:/bin/sh\n");
	snprintf(p, sizeof(p), "%s/etc/group", rootfs);
	write_file(p, "root:x:0:\nwheel:x:10:root,app\naudio:x:29:app\napp:x:1000:\n"
		      "staff:x:50:\n");
}

/* ------------------------------------------------------------ merge */

static void test_merge(void)
{
	cJSON *img =
		parse("{\"Env\":[\"PATH=/bin\",\"A=1\"],\"Cmd\":[\"sh\"],"
		      "\"WorkingDir\":\"/w\",\"User\":\"app\",\"Labels\":{\"a\":\"1\",\"b\":\"2\"},"
		      "\"ExposedPorts\":{\"80/tcp\":{}},\"Volumes\":{\"/data\":{}},"
		      "\"StopSignal\":\"SIGQUIT\"}");
	cJSON *body = parse("{\"Cmd\":[\"echo\",\"hi\"],\"Env\":[\"A=2\",\"B=3\"],"
			    "\"Labels\":{\"a\":\"x\"},\"ExposedPorts\":{\"443/tcp\":{}},"
			    "\"Volumes\":{}}");
	cJSON *out = NULL;
	struct err e = {0};

	is_int(oci_dspec_merge_config(img, body, ID, &out, &e), 0, "merge: ok");
	is_str(str(out, "Hostname"), "0c0d0a2dbccc", "merge: Hostname is the id's first 12");
	is_str(str(out, "Env[0]"), "A=2", "merge: request Env first");
	is_str(str(out, "Env[1]"), "B=3", "merge: request Env second");
	is_str(str(out, "Env[2]"), "PATH=/bin", "merge: image's other keys appended");
	is_int(cJSON_GetArraySize(at(out, "Env")), 3, "merge: A not taken from the image");
	is_str(str(out, "Cmd[0]"), "echo", "merge: request Cmd replaces the image's");
	ok(cJSON_IsNull(at(out, "Entrypoint")), "merge: Entrypoint null");
	is_str(str(out, "WorkingDir"), "/w", "merge: WorkingDir from the image");
	is_str(str(out, "User"), "app", "merge: User from the image");
	is_str(str(out, "Labels.a"), "x", "merge: request label wins");
	is_str(str(out, "Labels.b"), "2", "merge: image label added");
	ok(at(out, "ExposedPorts.80/tcp") && at(out, "ExposedPorts.443/tcp"),
	   "merge: ExposedPorts united");
	ok(at(out, "Volumes./data") != NULL, "merge: empty Volumes take the image's");
	is_str(str(out, "StopSignal"), "SIGQUIT", "merge: StopSignal from the image");
	cJSON_Delete(out);
	cJSON_Delete(body);
	cJSON_Delete(img);

	img = parse("{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"a\"]}");
	body = parse("{\"Entrypoint\":[\"/x\"]}");
	is_int(oci_dspec_merge_config(img, body, ID, &out, &e), 0, "entrypoint: ok");
	is_str(str(out, "Entrypoint[0]"), "/x", "entrypoint: request's");
	ok(cJSON_IsNull(at(out, "Cmd")), "entrypoint: a request Entrypoint drops the image Cmd");
	cJSON_Delete(out);
	cJSON_Delete(body);

	body = parse("{\"Entrypoint\":[\"\"],\"Cmd\":[\"b\"]}");
	is_int(oci_dspec_merge_config(img, body, ID, &out, &e), 0, "entrypoint [\"\"]: ok");
	ok(cJSON_IsNull(at(out, "Entrypoint")), "entrypoint [\"\"]: cleared");
	is_str(str(out, "Cmd[0]"), "b", "entrypoint [\"\"]: Cmd kept");
	cJSON_Delete(out);
	cJSON_Delete(body);

	body = parse("{\"Cmd\":[\"c\"]}");
	is_int(oci_dspec_merge_config(img, body, ID, &out, &e), 0, "cmd only: ok");
	is_str(str(out, "Entrypoint[0]"), "/ep", "cmd only: image Entrypoint kept");
	is_str(str(out, "Cmd[0]"), "c", "cmd only: request Cmd");
	cJSON_Delete(out);
	cJSON_Delete(body);
	cJSON_Delete(img);

	body = parse("{\"Image\":\"x\"}");
	is_int(oci_dspec_merge_config(NULL, body, ID, &out, &e), -1, "no command: refused");
	is_str(e.msg, "no command specified", "no command: dockerd's message");
	cJSON_Delete(body);
}

/* ------------------------------------------------------------ the captured body */

static void test_run_d_web(void)
{
	struct err e = {0};
	cJSON *mounts = NULL;
	cJSON *cfg = build(run_d_web, "{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"]}", &e, &mounts);
	const cJSON *m;
	char *text = NULL;
	size_t len;
	struct oci_spec *s = NULL;

	if (!ok(cfg != NULL, "run -d web: built")) {
		diag("%s", e.msg);
		return;
	}
	is_str(str(cfg, "process.args[0]"), "httpd", "args[0]");
	is_int(cJSON_GetArraySize(at(cfg, "process.args")), 7, "args: Cmd whole");
	is_str(str(cfg, "process.env[0]"), "PATH=/bin",
	       "env: the image's PATH replaces the default");
	is_str(str(cfg, "process.env[1]"), "HOSTNAME=0c0d0a2dbccc", "env: HOSTNAME second");
	is_str(str(cfg, "process.env[2]"), "HOME=/root", "env: HOME from passwd");
	is_str(str(cfg, "process.cwd"), "/", "cwd /");
	ok(cJSON_IsFalse(at(cfg, "process.terminal")), "no terminal");
	is_int(num(cfg, "process.user.uid"), 0, "uid 0");
	is_int(num(cfg, "process.user.gid"), 0, "gid 0");
	is_int(cJSON_GetArraySize(at(cfg, "process.capabilities.bounding")), 14, "14 capabilities");
	ok(has_string(at(cfg, "process.capabilities.effective"), "CAP_NET_BIND_SERVICE") &&
		   !has_string(at(cfg, "process.capabilities.effective"), "CAP_SYS_ADMIN"),
	   "capabilities: the default set");
	is_str(str(cfg, "hostname"), "0c0d0a2dbccc", "hostname");
	is_str(str(cfg, "root.path"), rootfs, "root.path");
	is_str(str(cfg, "linux.cgroupsPath"), "/tug/" ID, "cgroupsPath");
	is_int(cJSON_GetArraySize(at(cfg, "mounts")), 7, "7 default mounts");
	m = mount_at(cfg, "/dev/shm");
	ok(m && has_string(at(m, "options"), "size=67108864"), "/dev/shm is 64 MiB");
	ok(has_string(at(mount_at(cfg, "/sys"), "options"), "ro"), "/sys read-only");
	ok(has_string(at(cfg, "linux.maskedPaths"), "/proc/kcore"), "masked /proc/kcore");
	ok(has_string(at(cfg, "linux.readonlyPaths"), "/proc/sys"), "read-only /proc/sys");
	is_int(cJSON_GetArraySize(at(cfg, "linux.resources.devices")), 8, "8 device rules");
	ok(cJSON_IsFalse(at(cfg, "linux.resources.devices[0].allow")), "device rules: deny first");
	is_str(str(cfg, "linux.namespaces[1].type"), "network", "a new network namespace");
	ok(!at(cfg, "linux.namespaces[1].path"), "network: no path");
	is_str(str(cfg, "linux.seccomp.defaultAction"), "SCMP_ACT_ERRNO", "seccomp: ERRNO default");
	is_int(num(cfg, "linux.seccomp.defaultErrnoRet"), 1, "seccomp: EPERM");
	ok(!at(cfg, "linux.resources.memory") && !at(cfg, "linux.resources.pids"),
	   "no limits asked, none set");
	is_int(num(cfg, "process.oomScoreAdj"), 0, "oomScoreAdj 0");
	is_int(cJSON_GetArraySize(mounts), 0, "inspect Mounts: []");

	if (json_print(cfg, false, &text, &len, &e) < 0 || oci_spec_parse(text, len, &s, &e) < 0) {
		ok(0, "the runtime's parser accepts it");
		diag("%s", e.msg);
	} else {
		ok(1, "the runtime's parser accepts it");
		ok(s->lnx.seccomp != NULL, "parsed: seccomp there");
		if (CFG_SECCOMP) {
			struct oci_bpf f = {0};
			int r = oci_seccomp_compile(s->lnx.seccomp, &f, &e);

			if (!ok(r == 0, "the default profile compiles to BPF"))
				diag("%s", e.msg);
			else
				ok(f.len > 100, "BPF: %u instructions", f.len);
			oci_seccomp_free(&f);
		}
		oci_spec_free(s);
	}
	free(text);
	cJSON_Delete(mounts);
	cJSON_Delete(cfg);
}

/* ------------------------------------------------------------ process */

static void test_process(void)
{
	struct err e;
	cJSON *cfg;

	cfg = build("{\"Cmd\":[\"sh\"],\"Tty\":true,\"Env\":[\"A=1\",\"PATH\",\"HOME=/h\"],"
		    "\"WorkingDir\":\"/srv//app/\",\"Hostname\":\"box\",\"Domainname\":\"ex.org\","
		    "\"HostConfig\":{\"ConsoleSize\":[40,120],\"OomScoreAdj\":-500}}",
		    NULL, &e, NULL);
	if (!ok(cfg != NULL, "tty: built"))
		return diag("%s", e.msg);
	ok(cJSON_IsTrue(at(cfg, "process.terminal")), "tty: terminal");
	is_str(str(cfg, "process.env[0]"), "HOSTNAME=box", "env: PATH unset by \"PATH\"");
	is_str(str(cfg, "process.env[1]"), "TERM=xterm", "env: TERM with a tty");
	is_str(str(cfg, "process.env[3]"), "HOME=/h", "env: HOME given is kept");
	is_int(cJSON_GetArraySize(at(cfg, "process.env")), 4, "env: 4 entries");
	is_int(num(cfg, "process.consoleSize.height"), 40, "console height");
	is_int(num(cfg, "process.consoleSize.width"), 120, "console width");
	is_str(str(cfg, "process.cwd"), "/srv/app", "cwd cleaned");
	is_str(str(cfg, "hostname"), "box", "hostname given");
	is_str(str(cfg, "domainname"), "ex.org", "domainname");
	is_int(num(cfg, "process.oomScoreAdj"), -500, "oomScoreAdj");
	cJSON_Delete(cfg);

	cfg = build("{\"Cmd\":[\"a\",\"b\"],\"HostConfig\":{\"Init\":true}}", NULL, &e, NULL);
	ok(cfg == NULL || !mount_at(cfg, "/sbin/docker-init"), "init without a path: no mount");
	cJSON_Delete(cfg);
	{
		cJSON *body = parse("{\"Cmd\":[\"a\",\"b\"],\"HostConfig\":{\"Init\":true}}");
		struct oci_dspec_in in = in_for(body, NULL);

		in.init_path = "/usr/bin/tug";
		cfg = NULL;
		is_int(oci_dspec_build(&in, &cfg, NULL, &e), 0, "init: built");
		is_str(str(cfg, "process.args[0]"), "/sbin/docker-init", "init: args[0]");
		is_str(str(cfg, "process.args[1]"), "--", "init: --");
		is_str(str(cfg, "process.args[2]"), "a", "init: then the command");
		is_str(str(mount_at(cfg, "/sbin/docker-init"), "source"), "/usr/bin/tug",
		       "init: bind-mounted read-only");
		cJSON_Delete(cfg);
		cJSON_Delete(body);
	}
}

static void test_user(void)
{
	static const struct {
		const char *user, *groupadd;
		long uid, gid;
		int ngids;
		const char *home;
	} cases[] = {
		{"app", NULL, 1000, 1000, 3, "/home/app"}, /* + wheel, audio */
		{"1000", NULL, 1000, 1000, 3, "/home/app"},
		{"app:staff", NULL, 1000, 50, 1, "/home/app"},
		{"1000:50", NULL, 1000, 50, 1, "/home/app"},
		{"4242", NULL, 4242, 0, 1, "/"},
		{"4242:4243", NULL, 4242, 4243, 1, "/"},
		{"daemon", "[\"staff\",\"777\"]", 1, 1, 3, "/usr/sbin"},
		{"", NULL, 0, 0, 2, "/root"}, /* root is in wheel */
	};
	struct err e;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char body[256];
		cJSON *cfg;
		char home[300];

		snprintf(body, sizeof(body),
			 "{\"Cmd\":[\"x\"],\"User\":\"%s\",\"HostConfig\":{%s%s}}", cases[i].user,
			 cases[i].groupadd ? "\"GroupAdd\":" : "",
			 cases[i].groupadd ? cases[i].groupadd : "");
		cfg = build(body, NULL, &e, NULL);
		if (!ok(cfg != NULL, "user \"%s\": built", cases[i].user)) {
			diag("%s", e.msg);
			continue;
		}
		is_int(num(cfg, "process.user.uid"), cases[i].uid, "user \"%s\": uid",
		       cases[i].user);
		is_int(num(cfg, "process.user.gid"), cases[i].gid, "user \"%s\": gid",
		       cases[i].user);
		is_int(cJSON_GetArraySize(at(cfg, "process.user.additionalGids")), cases[i].ngids,
		       "user \"%s\": additional gids", cases[i].user);
		snprintf(home, sizeof(home), "HOME=%s", cases[i].home);
		ok(has_string(at(cfg, "process.env"), home), "user \"%s\": %s", cases[i].user,
		   home);
		cJSON_Delete(cfg);
	}
	ok(!build("{\"Cmd\":[\"x\"],\"User\":\"nobody\"}", NULL, &e, NULL),
	   "unknown user: refused");
	is_str(e.msg, "unable to find user nobody: no matching entries in passwd file",
	       "unknown user: runc's message");
	ok(!build("{\"Cmd\":[\"x\"],\"User\":\"app:nogroup\"}", NULL, &e, NULL),
	   "unknown group: refused");
	is_str(e.msg, "unable to find group nogroup: no matching entries in group file",
	       "unknown group: message");
}

/* ------------------------------------------------------------ mounts */

static void test_mounts(void)
{
	char body[2048], src[400], missing[400], want[400];
	struct err e;
	cJSON *mounts = NULL, *cfg;
	const cJSON *m;
	struct stat st;

	snprintf(src, sizeof(src), "%s/src", hostdir);
	mkdir(src, 0755);
	snprintf(missing, sizeof(missing), "%s/made/by/v", hostdir);
	snprintf(body, sizeof(body),
		 "{\"Cmd\":[\"x\"],\"Volumes\":{\"/anon\":{},\"/data\":{}},"
		 "\"HostConfig\":{\"Binds\":[\"%s:/data/sub:ro\",\"%s:/data\",\"named:/v:rw,z\","
		 "\"%s:/mnt:rshared\"],\"Tmpfs\":{\"/run\":\"size=64m,exec\"},"
		 "\"Mounts\":[{\"Type\":\"tmpfs\",\"Target\":\"/scratch\","
		 "\"TmpfsOptions\":{\"SizeBytes\":1048576,\"Mode\":1777}}]}}",
		 src, missing, src);
	vol_calls = 0;
	cfg = build(body, NULL, &e, &mounts);
	if (!ok(cfg != NULL, "mounts: built"))
		return diag("%s", e.msg);
	ok(stat(missing, &st) == 0 && S_ISDIR(st.st_mode), "Binds: a missing source is made");
	m = mount_at(cfg, "/data/sub");
	is_str(str(m, "type"), "bind", "bind: type");
	is_str(str(m, "source"), src, "bind: source");
	ok(has_string(at(m, "options"), "rbind") && has_string(at(m, "options"), "ro") &&
		   has_string(at(m, "options"), "rprivate"),
	   "bind: rbind,ro,rprivate");
	ok(mount_index(cfg, "/data") < mount_index(cfg, "/data/sub"), "parents before children");
	ok(mount_index(cfg, "/dev/shm") < mount_index(cfg, "/data"), "defaults first");
	m = mount_at(cfg, "/v");
	snprintf(want, sizeof(want), "%s/named/_data", voldir);
	is_str(str(m, "source"), want, "named volume: its data folder");
	ok(!has_string(at(m, "options"), "ro"), "named volume: rw");
	snprintf(want, sizeof(want), "%s/a1b2c3/_data", voldir);
	is_str(str(mount_at(cfg, "/anon"), "source"), want, "Config.Volumes: anonymous volume");
	is_int(vol_calls, 2, "volumes asked for twice (/data is a bind)");
	m = mount_at(cfg, "/run");
	is_str(str(m, "type"), "tmpfs", "Tmpfs: type");
	ok(has_string(at(m, "options"), "exec") && !has_string(at(m, "options"), "noexec") &&
		   has_string(at(m, "options"), "size=64m") &&
		   has_string(at(m, "options"), "nosuid"),
	   "Tmpfs: defaults merged, exec overrides noexec");
	m = mount_at(cfg, "/scratch");
	ok(has_string(at(m, "options"), "size=1m") && has_string(at(m, "options"), "mode=3361"),
	   "Mounts tmpfs: size=1m mode in octal");
	is_str(str(cfg, "linux.rootfsPropagation"), "shared", "rshared bind: rootfs shared");
	is_int(cJSON_GetArraySize(mounts), 6, "inspect: 6 Mounts (not Tmpfs)");
	is_str(str(mounts, "[0].Type"), "bind", "inspect[0]: bind");
	is_str(str(mounts, "[0].Destination"), "/data", "inspect[0]: sorted");
	is_str(str(mounts, "[0].Propagation"), "rprivate", "inspect: bind propagation");
	m = NULL;
	for (int i = 0; i < cJSON_GetArraySize(mounts); i++) {
		const char *name = str(cJSON_GetArrayItem(mounts, i), "Name");

		if (name && strcmp(name, "named") == 0)
			m = cJSON_GetArrayItem(mounts, i);
	}
	ok(m && strcmp(str(m, "Driver"), "local") == 0 && strcmp(str(m, "Mode"), "rw,z") == 0 &&
		   cJSON_IsTrue(at(m, "RW")),
	   "inspect: the named volume");
	cJSON_Delete(mounts);
	cJSON_Delete(cfg);

	/* A user /dev drops every default below it; ReadonlyRootfs. */
	snprintf(body, sizeof(body),
		 "{\"Cmd\":[\"x\"],\"HostConfig\":{\"ReadonlyRootfs\":true,\"IpcMode\":\"none\","
		 "\"Binds\":[\"%s:/dev\"]}}",
		 src);
	{
		cJSON *b = parse(body);
		struct oci_dspec_in in = in_for(b, NULL);

		in.resolv_path = "/tmp/resolv.conf";
		cfg = NULL;
		is_int(oci_dspec_build(&in, &cfg, NULL, &e), 0, "user /dev: built");
		ok(!mount_at(cfg, "/dev/pts") && !mount_at(cfg, "/dev/mqueue"),
		   "user /dev: no defaults under it");
		ok(cJSON_IsTrue(at(cfg, "root.readonly")), "ReadonlyRootfs: root.readonly");
		ok(has_string(at(mount_at(cfg, "/etc/resolv.conf"), "options"), "ro"),
		   "ReadonlyRootfs: resolv.conf read-only");
		cJSON_Delete(cfg);
		cJSON_Delete(b);
	}
}

/* ------------------------------------------------------------ resources, caps */

static void test_resources(void)
{
	struct err e;
	cJSON *cfg =
		build("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Memory\":67108864,\"MemoryReservation\":"
		      "33554432,\"NanoCpus\":1500000000,\"CpuShares\":512,\"PidsLimit\":100,"
		      "\"CpusetCpus\":\"0\",\"MemorySwappiness\":10,\"OomKillDisable\":true,"
		      "\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1024,\"Hard\":2048}],"
		      "\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\",\"kernel.shmmax\":\"1000\"},"
		      "\"ShmSize\":1048576,\"CgroupParent\":\"/mine\"}}",
		      NULL, &e, NULL);

	if (!ok(cfg != NULL, "resources: built"))
		return diag("%s", e.msg);
	is_int(num(cfg, "linux.resources.memory.limit"), 67108864, "memory.limit");
	is_int(num(cfg, "linux.resources.memory.swap"), 134217728, "memory.swap = 2 x Memory");
	is_int(num(cfg, "linux.resources.memory.reservation"), 33554432, "memory.reservation");
	is_int(num(cfg, "linux.resources.memory.swappiness"), 10, "memory.swappiness");
	ok(cJSON_IsTrue(at(cfg, "linux.resources.memory.disableOOMKiller")), "disableOOMKiller");
	is_int(num(cfg, "linux.resources.cpu.quota"), 150000, "NanoCpus: quota");
	is_int(num(cfg, "linux.resources.cpu.period"), 100000, "NanoCpus: period");
	is_int(num(cfg, "linux.resources.cpu.shares"), 512, "cpu.shares");
	is_str(str(cfg, "linux.resources.cpu.cpus"), "0", "cpu.cpus");
	is_int(num(cfg, "linux.resources.pids.limit"), 100, "pids.limit");
	is_str(str(cfg, "process.rlimits[0].type"), "RLIMIT_NOFILE", "rlimit type");
	is_int(num(cfg, "process.rlimits[0].soft"), 1024, "rlimit soft");
	is_int(num(cfg, "process.rlimits[0].hard"), 2048, "rlimit hard");
	is_str(sysctl(cfg, "net.ipv4.ip_forward"), "1", "sysctl net.*");
	ok(cJSON_GetObjectItemCaseSensitive(at(cfg, "linux.sysctl"), "kernel.shmmax") != NULL,
	   "sysctl kept");
	ok(has_string(at(mount_at(cfg, "/dev/shm"), "options"), "size=1048576"), "ShmSize");
	is_str(str(cfg, "linux.cgroupsPath"), "/mine/" ID, "CgroupParent");
	cJSON_Delete(cfg);
}

static void test_caps(void)
{
	struct err e;
	cJSON *cfg;
	const cJSON *eff;

	cfg = build("{\"Cmd\":[\"x\"],\"HostConfig\":{\"CapAdd\":[\"net_admin\",\"CAP_SYS_ADMIN\"],"
		    "\"CapDrop\":[\"chown\",\"Cap_Kill\"]}}",
		    NULL, &e, NULL);
	if (!ok(cfg != NULL, "caps: built"))
		return diag("%s", e.msg);
	eff = at(cfg, "process.capabilities.effective");
	ok(has_string(eff, "CAP_NET_ADMIN") && has_string(eff, "CAP_SYS_ADMIN"),
	   "CapAdd without prefix, any case");
	ok(!has_string(eff, "CAP_CHOWN") && !has_string(eff, "CAP_KILL"), "CapDrop");
	is_int(cJSON_GetArraySize(eff), 14, "14 - 2 + 2");
	ok(seccomp_allows(cfg, "mount"), "seccomp: CAP_SYS_ADMIN allows mount");
	cJSON_Delete(cfg);

	cfg = build(
		"{\"Cmd\":[\"x\"],\"HostConfig\":{\"CapAdd\":[\"ALL\"],\"CapDrop\":[\"MKNOD\"]}}",
		NULL, &e, NULL);
	eff = at(cfg, "process.capabilities.effective");
	ok(has_string(eff, "CAP_SYS_MODULE") && !has_string(eff, "CAP_MKNOD"),
	   "CapAdd ALL less CapDrop");
	cJSON_Delete(cfg);

	cfg = build(
		"{\"Cmd\":[\"x\"],\"HostConfig\":{\"CapAdd\":[\"chown\"],\"CapDrop\":[\"all\"]}}",
		NULL, &e, NULL);
	eff = at(cfg, "process.capabilities.effective");
	ok(cJSON_GetArraySize(eff) == 1 && has_string(eff, "CAP_CHOWN"), "CapDrop ALL + CapAdd");
	cJSON_Delete(cfg);

	cfg = build("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Privileged\":true}}", NULL, &e, NULL);
	if (!ok(cfg != NULL, "privileged: built"))
		return diag("%s", e.msg);
	is_int(cJSON_GetArraySize(at(cfg, "process.capabilities.bounding")),
	       (oci_cap_last_kernel() < oci_cap_last_known() ? oci_cap_last_kernel()
							     : oci_cap_last_known()) +
		       1,
	       "privileged: every capability");
	ok(!at(cfg, "linux.seccomp"), "privileged: no seccomp");
	ok(!at(cfg, "linux.maskedPaths"), "privileged: no masked paths");
	ok(cJSON_IsTrue(at(cfg, "linux.resources.devices[0].allow")) &&
		   !at(cfg, "linux.resources.devices[0].type"),
	   "privileged: all devices allowed");
	ok(cJSON_GetArraySize(at(cfg, "linux.devices")) > 0, "privileged: host devices listed");
	ok(!has_string(at(mount_at(cfg, "/sys"), "options"), "ro"), "privileged: /sys rw");
	cJSON_Delete(cfg);
}

static void test_security(void)
{
	struct err e;
	cJSON *cfg;
	char *p;

	cfg = build("{\"Cmd\":[\"x\"],\"HostConfig\":{\"SecurityOpt\":[\"seccomp=unconfined\","
		    "\"no-new-privileges\"]}}",
		    NULL, &e, NULL);
	ok(cfg && !at(cfg, "linux.seccomp"), "seccomp=unconfined: none");
	ok(cJSON_IsTrue(at(cfg, "process.noNewPrivileges")), "no-new-privileges");
	cJSON_Delete(cfg);

	cfg = build("{\"Cmd\":[\"x\"],\"HostConfig\":{\"SecurityOpt\":[\"no-new-privileges:true\","
		    "\"seccomp={\\\"defaultAction\\\":\\\"SCMP_ACT_ALLOW\\\",\\\"archMap\\\":["
		    "{\\\"architecture\\\":\\\"" DS_SCMP_ARCH "\\\",\\\"subArchitectures\\\":[]}],"
		    "\\\"syscalls\\\":[{\\\"name\\\":\\\"mkdir\\\",\\\"action\\\":"
		    "\\\"SCMP_ACT_ERRNO\\\"},{\\\"names\\\":[\\\"chmod\\\"],\\\"action\\\":"
		    "\\\"SCMP_ACT_ERRNO\\\",\\\"includes\\\":{\\\"caps\\\":[\\\"CAP_SYS_ADMIN\\\"]}"
		    "}]}\"]}}",
		    NULL, &e, NULL);
	if (!ok(cfg != NULL, "custom profile: built"))
		return diag("%s", e.msg);
	is_str(str(cfg, "linux.seccomp.defaultAction"), "SCMP_ACT_ALLOW", "custom: defaultAction");
	is_str(str(cfg, "linux.seccomp.syscalls[0].names[0]"), "mkdir", "custom: name -> names");
	is_int(cJSON_GetArraySize(at(cfg, "linux.seccomp.syscalls")), 1,
	       "custom: a rule for CAP_SYS_ADMIN left out");
	is_int(cJSON_GetArraySize(at(cfg, "linux.seccomp.architectures")), 1, "custom: archMap");
	ok(cJSON_IsTrue(at(cfg, "process.noNewPrivileges")), "no-new-privileges:true");
	cJSON_Delete(cfg);

	/* The default profile without CAP_SYS_ADMIN: clone without namespace
	 * flags, clone3 ENOSYS; not mount. */
	if (oci_dspec_default_seccomp(1ULL << 0, &cfg, &e) == 0) {
		p = cJSON_PrintUnformatted(cfg);
		ok(strstr(p, "\"SCMP_CMP_MASKED_EQ\"") && strstr(p, "2114060288"),
		   "default: clone with the namespace-flag mask");
		ok(strstr(p, "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":"
			     "38}") != NULL,
		   "default: clone3 ENOSYS");
		ok(!strstr(p, "\"mount\""), "default: no mount without CAP_SYS_ADMIN");
		ok(strstr(p, "\"" DS_SCMP_ARCH "\"") != NULL, "default: this arch");
		free(p);
		cJSON_Delete(cfg);
	} else {
		ok(0, "default profile: %s", e.msg);
	}
}

/* ------------------------------------------------------------ errors */

static void test_errors(void)
{
	static const struct {
		const char *hc, *want;
	} cases[] = {
		{"\"Memory\":1024", "Minimum memory limit allowed is 6MB"},
		{"\"Memory\":67108864,\"MemorySwap\":1000",
		 "Minimum memoryswap limit should be larger than memory limit, see usage"},
		{"\"MemorySwap\":67108864",
		 "You should always set the Memory limit when using Memoryswap limit, see usage"},
		{"\"MemorySwappiness\":101",
		 "Invalid value: 101, valid memory swappiness range is 0-100"},
		{"\"NanoCpus\":1000000,\"CpuQuota\":5000",
		 "Conflicting options: Nano CPUs and CPU Quota cannot both be set"},
		{"\"CpuPeriod\":10", "CPU cfs period can not be less than 1ms (i.e. 1000) or "
				     "larger than 1s (i.e. 1000000)"},
		{"\"CpusetCpus\":\"0-x\"",
		 "Invalid value 0-x for cpuset cpus: invalid format: 0-x"},
		{"\"BlkioWeight\":5", "Range of blkio weight is from 10 to 1000"},
		{"\"OomScoreAdj\":1001",
		 "Invalid value 1001, range for oom score adj is [-1000, 1000]"},
		{"\"ShmSize\":-1", "SHM size can not be less than 0"},
		{"\"RestartPolicy\":{\"Name\":\"sometimes\"}",
		 "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', "
		 "'on-failure', or 'unless-stopped'"},
		{"\"RestartPolicy\":{\"Name\":\"always\",\"MaximumRetryCount\":3}",
		 "invalid restart policy: maximum retry count can only be used with 'on-failure'"},
		{"\"RestartPolicy\":{\"Name\":\"always\"},\"AutoRemove\":true",
		 "can't create 'AutoRemove' container with restart policy"},
		{"\"CapAdd\":[\"CAP_FOO\"]", "invalid CapAdd: unknown capability: \"CAP_FOO\""},
		{"\"CapDrop\":[\"bar\"]", "invalid CapDrop: unknown capability: \"CAP_BAR\""},
		{"\"SecurityOpt\":[\"bogus\"]", "invalid --security-opt 1: \"bogus\""},
		{"\"SecurityOpt\":[\"no-new-privileges=maybe\"]",
		 "invalid --security-opt 2: \"no-new-privileges=maybe\""},
		{"\"Sysctls\":{\"kernel.panic\":\"1\"}",
		 "sysctl \"kernel.panic\" is not in a separate kernel namespace"},
		{"\"NetworkMode\":\"host\",\"Sysctls\":{\"net.core.somaxconn\":\"1\"}",
		 "sysctl \"net.core.somaxconn\" not allowed in host network namespace"},
		{"\"IpcMode\":\"weird\"", "invalid IPC mode: weird"},
		{"\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/nonexistent/x\",\"Target\":\"/x\"}]",
		 "invalid mount config for type \"bind\": bind source path does not exist: "
		 "/nonexistent/x"},
		{"\"Mounts\":[{\"Type\":\"bind\",\"Target\":\"/x\"}]",
		 "invalid mount config for type \"bind\": field Source must not be empty"},
		{"\"Mounts\":[{\"Type\":\"tmpfs\",\"Source\":\"a\",\"Target\":\"/x\"}]",
		 "invalid mount config for type \"tmpfs\": field Source must not be specified"},
		{"\"Mounts\":[{\"Type\":\"nfs\",\"Target\":\"/x\"}]",
		 "invalid mount config for type \"nfs\": mount type unknown"},
		{"\"Binds\":[\"/a:/x:rw,ro\"]", "invalid mode: rw,ro"},
		{"\"Binds\":[\"/a:ro\"]", "invalid volume specification: '/a:ro'"},
		{"\"Binds\":[\"/a:/\"]", "invalid volume specification: '/a:/': invalid "
					 "specification: destination can't be '/'"},
		{"\"Binds\":[\"/a:/x\",\"/b:/x/\"]", "Duplicate mount point: /x"},
		{"\"Tmpfs\":{\"/t\":\"size=1m,bogus\"}", "invalid tmpfs option [\"bogus\"]"},
		{"\"DeviceCgroupRules\":[\"c 1:x rwm\"]",
		 "invalid device cgroup rule format: 'c 1:x rwm'"},
		{"\"Memory\":\"lots\"", "HostConfig.Memory: wrong type"},
		{"\"Binds\":[1]", "HostConfig.Binds: wrong type"},
		{"\"Ulimits\":[{\"Name\":\"nofiles\",\"Soft\":1,\"Hard\":1}]",
		 "invalid ulimit type: nofiles"},
		{"\"SecurityOpt\":[\"seccomp={nope\"]", NULL},
	};
	struct err e;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char body[1024];
		cJSON *b;
		int r;

		snprintf(body, sizeof(body), "{\"Cmd\":[\"x\"],\"HostConfig\":{%s}}", cases[i].hc);
		b = parse(body);
		e.msg[0] = '\0';
		r = oci_dspec_check(b, &e);
		ok(r == -1 && (!cases[i].want || strcmp(e.msg, cases[i].want) == 0), "refused: %s",
		   cases[i].hc);
		if (cases[i].want && strcmp(e.msg, cases[i].want) != 0)
			diag("got \"%s\"", e.msg);
		if (!cases[i].want)
			ok(strncmp(e.msg, "Decoding seccomp profile failed", 31) == 0,
			   "message: %s", e.msg);
		cJSON_Delete(b);
	}
	{
		cJSON *b = parse(
			"{\"Cmd\":[\"x\"],\"Hostname\":\"0123456789012345678901234567890123456789"
			"0123456789012345678901234567890\"}");

		is_int(oci_dspec_check(b, &e), -1, "hostname too long: refused");
		cJSON_Delete(b);
		b = parse("{\"Cmd\":[\"x\"],\"WorkingDir\":\"rel\"}");
		is_int(oci_dspec_check(b, &e), -1, "relative WorkingDir: refused");
		is_str(e.msg,
		       "the working directory 'rel' is invalid, it needs to be an absolute path",
		       "relative WorkingDir: message");
		cJSON_Delete(b);
		b = parse("{\"Cmd\":[\"x\"],\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],"
			  "\"Interval\":0,\"Timeout\":999999}}");
		is_int(oci_dspec_check(b, &e), -1, "Healthcheck Timeout under 1ms: refused");
		is_str(e.msg, "Timeout in Healthcheck cannot be less than 1ms",
		       "Healthcheck Timeout: dockerd's message");
		cJSON_Delete(b);
		b = parse("{\"Cmd\":[\"x\"],\"Healthcheck\":{\"Interval\":1000000,"
			  "\"Retries\":-1}}");
		is_int(oci_dspec_check(b, &e), -1, "Healthcheck negative Retries: refused");
		is_str(e.msg, "Retries in Healthcheck cannot be negative",
		       "Healthcheck Retries: dockerd's message");
		cJSON_Delete(b);
		b = parse(run_d_web);
		is_int(oci_dspec_check(b, &e), 0, "the captured body passes");
		cJSON_Delete(b);
	}
	ok(!build("{\"Cmd\":[\"x\"],\"HostConfig\":{\"Binds\":[\"broken:/b\"]}}", NULL, &e, NULL),
	   "a volume error fails the build");
	is_str(e.msg, "volume for /b: volume broken: no such driver", "volume error: message");
}

static void test_netns(void)
{
	cJSON *b =
		parse("{\"Cmd\":[\"x\"],\"HostConfig\":{\"UTSMode\":\"host\",\"PidMode\":\"host\","
		      "\"IpcMode\":\"host\",\"CgroupnsMode\":\"private\"}}");
	struct oci_dspec_in in = in_for(b, NULL);
	const cJSON *it;
	cJSON *cfg = NULL;
	struct err e;
	char types[128] = "";

	in.netns = "/run/netns/x";
	is_int(oci_dspec_build(&in, &cfg, NULL, &e), 0, "namespaces: built");
	cJSON_ArrayForEach(it, at(cfg, "linux.namespaces"))
	{
		strcat(types, str(it, "type"));
		strcat(types, " ");
	}
	is_str(types, "mount network cgroup ", "host uts/pid/ipc: left out; cgroupns private");
	is_str(str(cfg, "linux.namespaces[1].path"), "/run/netns/x", "netns path joined");
	ok(!at(cfg, "hostname"), "UTSMode host: no hostname");
	ok(!sysctl(cfg, "net.ipv4.ping_group_range"), "joined netns: no net sysctls");
	cJSON_Delete(cfg);
	in.netns = "host";
	cfg = NULL;
	is_int(oci_dspec_build(&in, &cfg, NULL, &e), 0, "host network: built");
	is_str(str(cfg, "linux.namespaces[1].type"), "cgroup", "host network: no network ns");
	cJSON_Delete(cfg);
	cJSON_Delete(b);
}

int main(void)
{
	setup();
	test_merge();
	test_run_d_web();
	test_process();
	test_user();
	test_mounts();
	test_resources();
	test_caps();
	test_security();
	test_errors();
	test_netns();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
		if (system(cmd) != 0)
			diag("could not remove %s", tmp);
	}
	return done_testing();
}
