/* test_daemon_config.c - the daemon's settings: defaults, every flag, every
 * daemon.json key, dockerd's messages for unknown keys, conflicts and bad
 * values, sizes, hosts, and what a SIGHUP reload changes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/daemon/config.h"
#include "tap.h"

static bool has(const char *s, const char *part)
{
	return s && strstr(s, part);
}

/* Parse a command line given as one string (split at spaces). */
static int parse(struct tug_daemon_config *c, const char *line, struct err *e)
{
	char buf[1024], *argv[64];
	int argc = 0;

	snprintf(buf, sizeof(buf), "daemon %s", line);
	for (char *t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	tug_config_init(c);
	return tug_config_parse_args(c, argc, argv, e);
}

static int apply(struct tug_daemon_config *c, const char *json, struct err *e)
{
	if (tug_config_apply_json(c, json, strlen(json), e) < 0)
		return -1;
	return tug_config_finish(c, e);
}

static void test_defaults(void)
{
	struct tug_daemon_config c;
	struct err e;

	tug_config_init(&c);
	ok(tug_config_finish(&c, &e) == 0, "finish with nothing set");
	is_str(c.data_root, "/var/lib/tug", "data-root default");
	is_str(c.exec_root, "/run/tug", "exec-root default");
	is_int((long long)c.hosts.n, 1, "one host");
	is_str(c.hosts.v[0], "unix:///run/tug.sock", "default host");
	is_str(c.log_driver, "json-file", "log-driver default");
	is_str(c.pidfile, "/run/tug/tug.pid", "pidfile default");
	is_int(c.max_concurrent_downloads, 3, "max-concurrent-downloads default");
	ok(c.iptables && c.ip_forward && c.userland_proxy,
	   "iptables, ip-forward, userland-proxy on");
	ok(!c.tls && !c.tlsverify && !c.debug && !c.live_restore, "tls, debug, live-restore off");
	is_int(c.log_max_size, -1, "no rotation by default");
	is_int(c.log_max_file, 1, "one log file by default");
	ok(!c.tlscacert && !c.group && !c.storage_driver, "no TLS files, group, storage driver");
	ok(tug_config_finish(&c, &e) == 0 && c.hosts.n == 1, "finish twice is the same");
	tug_config_free(&c);
}

static void test_flags(void)
{
	struct tug_daemon_config c;
	struct err e;
	int r;

	r = parse(&c,
		  "-H unix:///tmp/a.sock --host=tcp://0.0.0.0:2376 --data-root /d --exec-root=/x "
		  "--config-file /etc/c.json --live-restore --tlsverify --tlscacert /ca "
		  "--tlscert /cert --tlskey /key --log-driver none --storage-driver vfs "
		  "--insecure-registry r:5000 --insecure-registry 10.0.0.0/8 "
		  "--registry-mirror https://m:5000 --max-concurrent-downloads 7 -D "
		  "--group wheel --pidfile /p.pid --bip 10.1.0.1/24 --dns 1.1.1.1 --dns ::1 "
		  "--userland-proxy=false --default-ulimit nofile=1024:2048 "
		  "--default-ulimit nproc=100 --iptables=false --ip-forward=false -l warn "
		  "--allow-insecure-tcp",
		  &e);
	ok(r == 0, "every flag parses%s%s", r ? ": " : "", r ? e.msg : "");
	if (r)
		return;
	ok(c.hosts.n == 2 && !strcmp(c.hosts.v[0], "unix:///tmp/a.sock") &&
		   !strcmp(c.hosts.v[1], "tcp://0.0.0.0:2376"),
	   "-H twice");
	is_str(c.data_root, "/d", "--data-root");
	is_str(c.exec_root, "/x", "--exec-root=");
	is_str(c.config_file, "/etc/c.json", "--config-file");
	ok(c.live_restore && c.tlsverify && c.debug && c.allow_insecure_tcp, "bool flags");
	ok(!c.userland_proxy && !c.iptables && !c.ip_forward, "bool flags =false");
	is_str(c.tlscacert, "/ca", "--tlscacert");
	is_str(c.tlscert, "/cert", "--tlscert");
	is_str(c.tlskey, "/key", "--tlskey");
	is_str(c.log_driver, "none", "--log-driver");
	is_str(c.storage_driver, CFG_SNAPSHOT_COPY ? "copy" : "", "--storage-driver vfs is copy");
	ok(c.insecure_registries.n == 2 && !strcmp(c.insecure_registries.v[1], "10.0.0.0/8"),
	   "--insecure-registry twice");
	ok(c.registry_mirrors.n == 1 && !strcmp(c.registry_mirrors.v[0], "https://m:5000"),
	   "--registry-mirror");
	is_int(c.max_concurrent_downloads, 7, "--max-concurrent-downloads");
	is_str(c.group, "wheel", "--group");
	is_str(c.pidfile, "/p.pid", "--pidfile");
	is_str(c.bip, "10.1.0.1/24", "--bip");
	ok(c.dns.n == 2 && !strcmp(c.dns.v[1], "::1"), "--dns twice");
	ok(c.default_ulimits.n == 2 && !strcmp(c.default_ulimits.v[1], "nproc=100:100"),
	   "--default-ulimit nproc=100 is 100:100");
	is_str(c.log_level, "warn", "-l");
	ok(c.set_by_flag & TUG_CONF_BIT(TUG_CONF_HOSTS) &&
		   c.set_by_flag & TUG_CONF_BIT(TUG_CONF_IPTABLES) &&
		   !(c.set_by_flag & TUG_CONF_BIT(TUG_CONF_BRIDGE)),
	   "set_by_flag records what was given");
	ok(tug_config_finish(&c, &e) == 0, "finish");
	ok(c.tls, "--tlsverify implies tls");
	ok(c.nulimits == 2 && !strcmp(c.ulimits[0].name, "nofile") && c.ulimits[0].soft == 1024 &&
		   c.ulimits[0].hard == 2048,
	   "ulimits parsed");
	tug_config_free(&c);

	ok(parse(&c, "--bridge br1 -b br2", &e) == 0 && !strcmp(c.bridge, "br2"),
	   "-b: the last wins");
	tug_config_free(&c);
	ok(parse(&c, "-h", &e) == 0 && c.help, "-h");
	tug_config_free(&c);
}

struct bad {
	const char *line, *want;
};

static void test_flag_errors(void)
{
	static const struct bad bad[] = {
		{"--nope", "unknown flag: --nope"},
		{"extra", "\"tug daemon\" accepts no arguments (got \"extra\")"},
		{"--dns 1.2.3", "invalid argument \"1.2.3\" for \"--dns\" flag: IP address is not "
				"correctly formatted"},
		{"-H foo://x", "invalid argument \"foo://x\" for \"--host\" flag: Invalid bind "
			       "address format: foo://x"},
		{"--log-driver syslog", "log driver syslog is not supported by tug"},
		{"--log-driver local", "log driver local is not supported by tug"},
		{"--log-driver xyz", "no log driver named 'xyz'"},
		{"--log-opt max-size", "invalid key value pair format in driver options"},
		{"--storage-driver zfs", "for \"--storage-driver\" flag: unknown storage driver"},
		{"--max-concurrent-downloads -1", "must be a whole number"},
		{"--max-concurrent-downloads x", "must be a whole number"},
		{"--default-ulimit nofile=10:5", "ulimit soft limit must be less than or equal to "
						 "hard limit: 10 > 5"},
		{"--default-ulimit nofiles=1", "invalid ulimit type: nofiles"},
		{"--default-ulimit nofile", "invalid ulimit argument"},
		{"--bip 10.0.0.1", "not an IPv4 address with a prefix length"},
		{"--insecure-registry http://r", "insecure registry should not contain '://'"},
		{"--registry-mirror ftp://m", "invalid mirror: the scheme must be http or https"},
		{"-l loud", "invalid logging level"},
		{"--tls=maybe", "invalid argument \"maybe\" for \"--tls\" flag"},
		{"--data-root", "flag needs an argument: --data-root"},
	};
	struct tug_daemon_config c;
	struct err e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(&c, bad[i].line, &e);
		ok(r < 0 && has(e.msg, bad[i].want), "%s: %s", bad[i].line, r < 0 ? e.msg : "ok?");
		tug_config_free(&c);
	}
}

static const char full_json[] =
	"{\"data-root\": \"/srv/tug\", \"exec-root\": \"/run/t\", \"hosts\": [\"unix:///s.sock\", "
	"\"fd://\"], \"tls\": true, \"tlsverify\": true, \"tlscacert\": \"/c/ca.pem\", "
	"\"tlscert\": \"/c/cert.pem\", \"tlskey\": \"/c/key.pem\", \"log-driver\": "
	"\"json-file\", \"log-opts\": {\"max-size\": \"10m\", \"max-file\": \"3\"}, "
	"\"log-level\": \"debug\", \"debug\": true, \"live-restore\": true, \"storage-driver\": "
	"\"overlay2\", \"insecure-registries\": [\"reg:5000\"], \"registry-mirrors\": "
	"[\"http://m\"], \"max-concurrent-downloads\": 5, \"default-ulimits\": {\"nofile\": "
	"{\"Name\": \"nofile\", \"Hard\": 4096, \"Soft\": 1024}}, \"default-address-pools\": "
	"[{\"base\": \"172.30.0.0/16\", \"size\": 24}], \"bip\": \"172.18.0.1/16\", \"dns\": "
	"[\"8.8.8.8\"], \"userland-proxy\": false, \"iptables\": false, \"ip-forward\": false, "
	"\"group\": \"adm\", \"pidfile\": \"/run/t.pid\", \"allow-insecure-tcp\": false}";

static void test_json(void)
{
	struct tug_daemon_config c;
	struct err e;
	int r;

	tug_config_init(&c);
	r = apply(&c, full_json, &e);
	ok(r == 0, "every key of daemon.json%s%s", r ? ": " : "", r ? e.msg : "");
	if (r)
		return;
	is_str(c.data_root, "/srv/tug", "data-root");
	is_str(c.exec_root, "/run/t", "exec-root");
	ok(c.hosts.n == 2 && !strcmp(c.hosts.v[0], "unix:///s.sock") &&
		   !strcmp(c.hosts.v[1], "fd://"),
	   "hosts");
	ok(c.tls && c.tlsverify && c.debug && c.live_restore,
	   "tls, tlsverify, debug, live-restore");
	is_str(c.tlscacert, "/c/ca.pem", "tlscacert");
	is_str(c.tlscert, "/c/cert.pem", "tlscert");
	is_str(c.tlskey, "/c/key.pem", "tlskey");
	is_int(c.log_max_size, 10000000, "log-opts max-size 10m: decimal, as json-file's");
	is_int(c.log_max_file, 3, "log-opts max-file");
	is_str(c.log_level, "debug", "log-level");
	is_str(c.storage_driver, CFG_SNAPSHOT_OVERLAY ? "overlay" : "", "overlay2 is overlay");
	ok(c.insecure_registries.n == 1 && !strcmp(c.insecure_registries.v[0], "reg:5000"),
	   "insecure-registries");
	ok(c.registry_mirrors.n == 1 && !strcmp(c.registry_mirrors.v[0], "http://m"),
	   "registry-mirrors");
	is_int(c.max_concurrent_downloads, 5, "max-concurrent-downloads");
	ok(c.nulimits == 1 && c.ulimits[0].soft == 1024 && c.ulimits[0].hard == 4096,
	   "default-ulimits");
	ok(c.npools == 1 && !strcmp(c.pools[0].base, "172.30.0.0/16") && c.pools[0].size == 24,
	   "default-address-pools");
	is_str(c.bip, "172.18.0.1/16", "bip");
	ok(c.dns.n == 1 && !strcmp(c.dns.v[0], "8.8.8.8"), "dns");
	ok(!c.userland_proxy && !c.iptables && !c.ip_forward && !c.allow_insecure_tcp,
	   "false bools");
	is_str(c.group, "adm", "group");
	is_str(c.pidfile, "/run/t.pid", "pidfile");
	ok(c.set_by_file & TUG_CONF_BIT(TUG_CONF_ADDRESS_POOLS) && !c.set_by_flag,
	   "set_by_file records the file's keys");
	tug_config_free(&c);

	tug_config_init(&c);
	ok(apply(&c, "\xef\xbb\xbf  \n", &e) == 0, "a BOM and blanks: an empty configuration");
	tug_config_free(&c);
	tug_config_init(&c);
	ok(apply(&c, "{\"hosts\": [\"tcp://:2376\"], \"tlsverify\": true}", &e) == 0 &&
		   !strcmp(c.hosts.v[0], "tcp://localhost:2376") &&
		   !strcmp(c.tlscacert, "/etc/tug/ca.pem"),
	   "tcp host normalized; TLS files default to /etc/tug");
	tug_config_free(&c);
}

static void test_json_errors(void)
{
	static const struct bad bad[] = {
		{"{\"foo\": 1, \"data-root\": \"/x\", \"bar\": 2}",
		 "the following directives don't match any configuration option: foo, bar"},
		{"[1]", "the file must hold a JSON object"},
		{"{\"debug\": tru}", "invalid JSON at line 1"},
		{"{\"debug\": \"yes\"}", "debug: invalid value \"yes\": expected true or false"},
		{"{\"max-concurrent-downloads\": -2}",
		 "max-concurrent-downloads: invalid value -2: expected a whole number"},
		{"{\"max-concurrent-downloads\": 1.5}",
		 "max-concurrent-downloads: invalid value 1.5"},
		{"{\"data-root\": 5}", "data-root: invalid value 5: expected a string"},
		{"{\"hosts\": \"unix:///x\"}",
		 "hosts: invalid value \"unix:///x\": expected a list"},
		{"{\"hosts\": [\"bad://x\"]}", "hosts: invalid value [\"bad://x\"]: Invalid bind "
					       "address format: bad://x"},
		{"{\"hosts\": [\"unix://rel\"]}", "the socket's path must be absolute"},
		{"{\"hosts\": [\"tcp://h:99999\"]}", "Invalid bind address format: tcp://h:99999"},
		{"{\"hosts\": [\"fd://x\"]}", "Invalid bind address format: fd://x"},
		{"{\"dns\": [\"8.8.8\"]}", "dns: invalid value [\"8.8.8\"]: IP address is not "
					   "correctly formatted"},
		{"{\"log-driver\": \"journald\"}", "log driver journald is not supported by tug"},
		{"{\"log-opts\": [\"max-size=1\"]}", "log-opts: invalid value [\"max-size=1\"]: "
						     "expected an object"},
		{"{\"log-opts\": {\"max-size\": 10}}", "expected an object of strings"},
		{"{\"log-opts\": {\"max-size\": \"10q\"}}",
		 "log-opts: max-size: invalid suffix: 'q'"},
		{"{\"log-opts\": {\"max-size\": \"0\"}}", "max-size must be a positive number"},
		{"{\"log-opts\": {\"max-file\": \"0\", \"max-size\": \"1k\"}}",
		 "max-file cannot be less than 1"},
		{"{\"log-opts\": {\"max-file\": \"3\"}}",
		 "max-file cannot be set without max-size"},
		{"{\"log-opts\": {\"mode\": \"x\"}}",
		 "unknown log opt 'mode' for json-file log driver"},
		{"{\"log-opts\": {\"tag\": \"x\"}}", "log opt 'tag' is not supported by tug"},
		{"{\"log-driver\": \"none\", \"log-opts\": {\"max-size\": \"1m\"}}",
		 "log driver none takes no options"},
		{"{\"storage-driver\": \"btrfs\"}",
		 "storage-driver: invalid value \"btrfs\": unknown "
		 "storage driver"},
		{"{\"default-ulimits\": {\"nofile\": {\"Soft\": 9, \"Hard\": 1}}}",
		 "ulimit soft limit must be less than or equal to hard limit: 9 > 1"},
		{"{\"default-ulimits\": {\"nofile\": {\"Name\": \"nproc\", \"Soft\": 1, \"Hard\": "
		 "1}}}",
		 "Name \"nproc\" differs from its key"},
		{"{\"default-ulimits\": {\"nofile\": 5}}", "expected {\"Name\""},
		{"{\"default-address-pools\": [{\"base\": \"10.0.0.0/16\", \"size\": 8}]}",
		 "size 8 must be between the base's prefix (16) and 32"},
		{"{\"default-address-pools\": [{\"base\": \"nope\", \"size\": 24}]}",
		 "base: not an IPv4 network"},
		{"{\"bip\": \"172.17.0.1/40\"}", "bip: invalid value \"172.17.0.1/40\""},
		{"{\"registry-mirrors\": [\"m.example\"]}", "invalid mirror"},
		{"{\"insecure-registries\": [\"https://r\"]}", "should not contain '://'"},
		{"{\"bip\": \"10.9.0.1/16\", \"bridge\": \"br0\"}",
		 "bip and bridge are mutually exclusive"},
	};
	struct tug_daemon_config c;
	struct err e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r;
		tug_config_init(&c);
		r = apply(&c, bad[i].line, &e);
		ok(r < 0 && has(e.msg, bad[i].want), "%s: %s", bad[i].line, r < 0 ? e.msg : "ok?");
		tug_config_free(&c);
	}
}

static void test_conflicts(void)
{
	struct tug_daemon_config c;
	struct err e;

	parse(&c, "-H tcp://0.0.0.0:2376 -H unix:///a -D --log-opt max-size=1m --data-root /d", &e);
	ok(apply(&c,
		 "{\"hosts\": [\"unix:///x\"], \"debug\": false, \"log-opts\": {\"max-file\": "
		 "\"2\", \"max-size\": \"5m\"}, \"exec-root\": \"/e\"}",
		 &e) < 0,
	   "flags and file keys in conflict");
	is_str(e.msg,
	       "the following directives are specified both as a flag and in the configuration "
	       "file: hosts: (from flag: [tcp://0.0.0.0:2376 unix:///a], from file: [unix:///x]), "
	       "debug: (from flag: true, from file: false), log-opts: (from flag: "
	       "map[max-size:1m], from file: map[max-file:2 max-size:5m])",
	       "dockerd's message, every conflict");
	tug_config_free(&c);

	parse(&c, "--default-ulimit nofile=1:2 --max-concurrent-downloads 2", &e);
	apply(&c,
	      "{\"default-ulimits\": {\"nofile\": {\"Name\": \"nofile\", \"Soft\": 1, \"Hard\": "
	      "2}}, \"max-concurrent-downloads\": 1000000}",
	      &e);
	ok(has(e.msg, "default-ulimits: (from flag: [nofile=1:2], from file: "
		      "map[nofile:map[Hard:2 Name:nofile Soft:1]])") &&
		   has(e.msg, "max-concurrent-downloads: (from flag: 2, from file: 1e+06)"),
	   "values printed as Go's %%v: %s", e.msg);
	tug_config_free(&c);

	parse(&c, "--data-root /d --iptables=false", &e);
	ok(apply(&c, "{\"exec-root\": \"/e\", \"ip-forward\": false}", &e) == 0 &&
		   !strcmp(c.data_root, "/d") && !strcmp(c.exec_root, "/e") && !c.iptables &&
		   !c.ip_forward,
	   "disjoint flags and file keys merge");
	tug_config_free(&c);
}

static void test_load(void)
{
	char dir[] = "/tmp/tug-conf-XXXXXX", path[128], line[200];
	struct tug_daemon_config c;
	struct err e;
	FILE *f;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/daemon.json", dir);
	f = fopen(path, "w");
	fputs("{\"debug\": true, \"hosts\": [\"unix:///x\"]}\n", f);
	fclose(f);
	snprintf(line, sizeof(line), "--config-file %s", path);
	parse(&c, line, &e);
	ok(tug_config_load(&c, &e) == 0 && c.debug && !strcmp(c.hosts.v[0], "unix:///x"),
	   "--config-file read");
	tug_config_free(&c);
	snprintf(line, sizeof(line), "--config-file %s -H unix:///y", path);
	parse(&c, line, &e);
	ok(tug_config_load(&c, &e) < 0 && has(e.msg, "unable to configure the daemon with file ") &&
		   has(e.msg, "hosts: (from flag: [unix:///y], from file: [unix:///x])"),
	   "conflict names the file: %s", e.msg);
	tug_config_free(&c);
	snprintf(line, sizeof(line), "--config-file %s/missing.json", dir);
	parse(&c, line, &e);
	ok(tug_config_load(&c, &e) < 0 && has(e.msg, "missing.json"),
	   "a missing --config-file is an error: %s", e.msg);
	tug_config_free(&c);
	unlink(path);
	rmdir(dir);
}

static void test_size(void)
{
	static const struct {
		const char *in;
		long long want; /* -1: an error */
	} v[] = {
		{"10m", 10000000},
		{"10M", 10000000},
		{"1k", 1000},
		{"512", 512},
		{"100b", 100},
		{"100B", 100},
		{"1.5g", 1500000000},
		{"10MB", 10000000},
		{"10MiB", 10000000},
		{"2 k", 2000},
		{"1t", 1000000000000LL},
		{"", -1},
		{"m", -1},
		{"10x", -1},
		{"10mbb", -1},
		{"10bb", -1},
		{"-1k", -1},
		{"1kx", -1},
	};
	struct err e;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int64_t got = -1;
		int r = tug_config_parse_size(v[i].in, &got, &e);
		if (v[i].want < 0)
			ok(r < 0, "size '%s' refused: %s", v[i].in, r < 0 ? e.msg : "");
		else
			ok(r == 0 && got == v[i].want, "size '%s' = %lld", v[i].in, (long long)got);
	}
}

static void test_hosts(void)
{
	static const struct {
		const char *in;
		bool tls;
		const char *want; /* NULL: an error */
	} v[] = {
		{"", false, "unix:///run/tug.sock"},
		{"unix://", false, "unix:///run/tug.sock"},
		{"unix:///var/run/docker.sock", false, "unix:///var/run/docker.sock"},
		{"tcp://", false, "tcp://localhost:2375"},
		{"tcp://", true, "tcp://localhost:2376"},
		{"tcp://0.0.0.0:2376", false, "tcp://0.0.0.0:2376"},
		{"tcp://:4243", false, "tcp://localhost:4243"},
		{"tcp://10.0.0.1", true, "tcp://10.0.0.1:2376"},
		{"tcp://[::1]:2376", false, "tcp://[::1]:2376"},
		{"tcp://[::]", true, "tcp://[::]:2376"},
		{"192.168.1.1:80", false, "tcp://192.168.1.1:80"},
		{"fd://", false, "fd://"},
		{"fd://3", false, "fd://3"},
		{"fd://2", false, NULL},
		{"tcp://a:b", false, NULL},
		{"tcp://unix://x", false, NULL},
		{"udp://x:1", false, NULL},
		{"tcp://::1:5", false, NULL},
	};
	struct err e;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *got = NULL;
		int r = tug_config_parse_host(v[i].in, v[i].tls, &got, &e);
		if (!v[i].want)
			ok(r < 0, "host '%s' refused: %s", v[i].in, r < 0 ? e.msg : got);
		else
			ok(r == 0 && !strcmp(got, v[i].want), "host '%s'%s -> %s", v[i].in,
			   v[i].tls ? " (tls)" : "", r == 0 ? got : e.msg);
		free(got);
	}
}

static void load_json(struct tug_daemon_config *c, const char *flags, const char *json)
{
	struct err e;

	parse(c, flags, &e);
	if (apply(c, json, &e) < 0)
		diag("%s", e.msg);
}

static void test_reload(void)
{
	struct tug_daemon_config cur, next;
	uint64_t changed;
	char ignored[256];
	struct err e;

	load_json(&cur, "-H unix:///a",
		  "{\"registry-mirrors\": [\"https://a\"], \"max-concurrent-downloads\": 9, "
		  "\"debug\": true}");
	load_json(&next, "-H unix:///a",
		  "{\"registry-mirrors\": [\"https://b\"], \"data-root\": \"/other\", "
		  "\"live-restore\": true, \"bip\": \"10.3.0.1/16\"}");
	ok(tug_config_reload(&cur, &next, &changed, ignored, sizeof(ignored), &e) == 0, "reload");
	is_int((long long)changed,
	       (long long)(TUG_CONF_BIT(TUG_CONF_REGISTRY_MIRRORS) |
			   TUG_CONF_BIT(TUG_CONF_LIVE_RESTORE) |
			   TUG_CONF_BIT(TUG_CONF_MAX_DOWNLOADS)),
	       "mirrors, live-restore and the download limit changed");
	is_str(cur.registry_mirrors.v[0], "https://b", "new mirror applied");
	is_int(cur.max_concurrent_downloads, 3, "download limit back to its default when unset");
	ok(cur.debug, "debug left out of the new file: kept, as dockerd does");
	ok(cur.live_restore, "live-restore applied");
	is_str(cur.data_root, "/var/lib/tug", "data-root not reloaded");
	is_str(ignored, "data-root, bip", "the ignored keys are named");
	ok(tug_config_reloadable(TUG_CONF_DEBUG) && !tug_config_reloadable(TUG_CONF_HOSTS),
	   "reloadable: debug yes, hosts no");
	is_str(tug_config_key_name(TUG_CONF_MAX_DOWNLOADS), "max-concurrent-downloads", "key name");
	ok(tug_config_reload(&cur, &next, &changed, ignored, sizeof(ignored), &e) == 0 &&
		   changed == 0,
	   "a second reload of the same changes nothing");
	tug_config_free(&next);
	load_json(&next, "-H unix:///a", "{\"debug\": false}");
	tug_config_reload(&cur, &next, &changed, NULL, 0, &e);
	ok(!cur.debug && changed & TUG_CONF_BIT(TUG_CONF_DEBUG), "debug: false applied");
	tug_config_free(&next);
	tug_config_free(&cur);
}

int main(void)
{
	test_defaults();
	test_flags();
	test_flag_errors();
	test_json();
	test_json_errors();
	test_conflicts();
	test_load();
	test_size();
	test_hosts();
	test_reload();
	return done_testing();
}
