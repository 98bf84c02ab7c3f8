/* runc-spec.c - `spec` (a starting config.json, as runc writes it) and
 * `features` (what this runtime accepts, in runc's features JSON). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "json.h"
#include "core/applet.h"
#include "core/runtime/runc.h"
#include "oci/caps.h"

static const char spec_template[] =
	"{\"ociVersion\":\"1.0.2\",\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},"
	"\"args\":[\"sh\"],\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
	"/sbin:/bin\",\"TERM=xterm\"],\"cwd\":\"/\",\"capabilities\":{"
	"\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
	"\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
	"\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
	"\"ambient\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},"
	"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],"
	"\"noNewPrivileges\":true},\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
	"\"hostname\":\"tug\",\"mounts\":["
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":"
	"[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
	"{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":"
	"[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"
	"{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\",\"options\":"
	"[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
	"{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\",\"options\":"
	"[\"nosuid\",\"noexec\",\"nodev\"]},"
	"{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":"
	"[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
	"{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}],"
	"\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
	"\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"
	"{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}],"
	"\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\","
	"\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\","
	"\"/proc/sched_debug\",\"/sys/firmware\",\"/proc/scsi\"],"
	"\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\","
	"\"/proc/sysrq-trigger\"]}}";

/* --rootless: a user namespace mapping the caller to root, no cgroup limits,
 * /sys bound from the host (a new sysfs needs a network namespace we own). */
static void make_rootless(cJSON *spec)
{
	cJSON *lnx = cJSON_GetObjectItemCaseSensitive(spec, "linux");
	cJSON *ns = cJSON_GetObjectItemCaseSensitive(lnx, "namespaces"), *m, *it;
	const char *maps[] = {"uidMappings", "gidMappings"};
	unsigned ids[] = {(unsigned)getuid(), (unsigned)getgid()};

	cJSON_DeleteItemFromObjectCaseSensitive(lnx, "resources");
	for (int i = cJSON_GetArraySize(ns) - 1; i >= 0; i--) {
		const char *type = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ns, i), "type"));
		if (type && (!strcmp(type, "network") || !strcmp(type, "cgroup")))
			cJSON_DeleteItemFromArray(ns, i);
	}
	it = cJSON_CreateObject();
	cJSON_AddStringToObject(it, "type", "user");
	cJSON_AddItemToArray(ns, it);
	for (int i = 0; i < 2; i++) {
		m = cJSON_AddArrayToObject(lnx, maps[i]);
		it = cJSON_CreateObject();
		cJSON_AddNumberToObject(it, "containerID", 0);
		cJSON_AddNumberToObject(it, "hostID", ids[i]);
		cJSON_AddNumberToObject(it, "size", 1);
		cJSON_AddItemToArray(m, it);
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(spec, "mounts"))
	{
		const char *dest =
			cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "destination"));
		cJSON *opts = cJSON_GetObjectItemCaseSensitive(it, "options");

		if (dest && !strcmp(dest, "/sys")) {
			cJSON_ReplaceItemInObject(it, "type", cJSON_CreateString("none"));
			cJSON_ReplaceItemInObject(it, "source", cJSON_CreateString("/sys"));
			cJSON_AddItemToArray(opts, cJSON_CreateString("rbind"));
		} else if (dest && !strcmp(dest, "/dev/pts")) {
			cJSON_DeleteItemFromArray(opts, cJSON_GetArraySize(opts) - 1); /* gid=5 */
		}
	}
	cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(spec, "mounts"), 6);
}

static const char *spec_bundle;
static int spec_rootless;

int runc_cmd_spec(int argc, char **argv)
{
	static const struct args_opt opts[] = {
		{"bundle", 'b', ARGS_VALUE, "path", "where to write config.json", NULL,
		 &spec_bundle, NULL, NULL},
		{"rootless", 0, 0, NULL, "a spec for a container run by a user", &spec_rootless,
		 NULL, NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	static const struct args_table t = {"tug runtime spec [options]",
					    "Write a default config.json", ARGS_GO_FLAGS, opts};
	struct err e = {0};
	char path[PATH_MAX], *text = NULL;
	size_t len;
	cJSON *spec = NULL;
	int rc, n = runc_parse(&t, argc, argv, 0, 0, &rc);

	if (n < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/config.json", spec_bundle ? spec_bundle : ".");
	if (access(path, F_OK) == 0) {
		err_set(&e, "%s exists; remove it first", path);
		return runc_fail("spec", &e);
	}
	if (json_parse(spec_template, sizeof(spec_template) - 1, &spec, &e) < 0)
		return runc_fail("spec", &e);
	if (spec_rootless)
		make_rootless(spec);
	rc = json_print(spec, true, &text, &len, &e) < 0 ||
			     file_write_atomic(AT_FDCWD, path, text, len, 0644, &e) < 0
		     ? runc_fail("spec", &e)
		     : TUG_EXIT_OK;
	cJSON_free(text);
	cJSON_Delete(spec);
	return rc;
}

static cJSON *strings(const char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

#define STRINGS(v) strings(v, sizeof(v) / sizeof(v[0]))

static cJSON *linux_features(void)
{
	static const char *const ns[] = {"cgroup", "ipc",  "mount", "network",
					 "pid",    "time", "user",  "uts"};
	static const char *const actions[] = {
		"SCMP_ACT_ALLOW",       "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS",
		"SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",   "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"};
	static const char *const ops[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
					  "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
					  "SCMP_CMP_NE"};
	static const char *const archs[] = {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_X32",
					    "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"};
	cJSON *l = cJSON_CreateObject(), *caps = cJSON_AddArrayToObject(l, "capabilities");
	cJSON *cg, *sc;

	cJSON_AddItemToObject(l, "namespaces", STRINGS(ns));
	for (int i = 0; i <= oci_cap_last_known(); i++)
		cJSON_AddItemToArray(caps, cJSON_CreateString(oci_cap_name(i)));
	cg = cJSON_AddObjectToObject(l, "cgroup");
	cJSON_AddBoolToObject(cg, "v1", CFG_CGROUP_V1);
	cJSON_AddBoolToObject(cg, "v2", CFG_CGROUP_V2);
	cJSON_AddBoolToObject(cg, "systemd", 0);
	cJSON_AddBoolToObject(cg, "systemdUser", 0);
	sc = cJSON_AddObjectToObject(l, "seccomp");
	cJSON_AddBoolToObject(sc, "enabled", CFG_SECCOMP);
	if (CFG_SECCOMP) {
		cJSON_AddItemToObject(sc, "actions", STRINGS(actions));
		cJSON_AddItemToObject(sc, "operators", STRINGS(ops));
		cJSON_AddItemToObject(sc, "archs", STRINGS(archs));
	}
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(l, "apparmor"), "enabled", 0);
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(l, "selinux"), "enabled", 0);
	return l;
}

int runc_cmd_features(int argc, char **argv)
{
	static const char *const hooks[] = {"prestart",       "createRuntime", "createContainer",
					    "startContainer", "poststart",     "poststop"};
	static const char *const mopts[] = {
		"async",         "atime",      "bind",        "defaults", "dev",
		"diratime",      "dirsync",    "exec",        "iversion", "lazytime",
		"loud",          "mand",       "noatime",     "nodev",    "nodiratime",
		"noexec",        "noiversion", "nolazytime",  "nomand",   "norelatime",
		"nostrictatime", "nosuid",     "private",     "rbind",    "relatime",
		"remount",       "ro",         "rprivate",    "rro",      "rrw",
		"rshared",       "rslave",     "runbindable", "rw",       "shared",
		"silent",        "slave",      "strictatime", "suid",     "sync",
		"tmpcopyup",     "unbindable"};
	static const struct args_opt none[] = {{NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL}};
	static const struct args_table t = {
		"tug runtime features", "Print what this runtime supports", ARGS_GO_FLAGS, none};
	cJSON *o;
	struct err e;
	int rc, n = runc_parse(&t, argc, argv, 0, 0, &rc);

	if (n < 0)
		return rc;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "ociVersionMin", "1.0.0");
	cJSON_AddStringToObject(o, "ociVersionMax", "1.2.0");
	cJSON_AddItemToObject(o, "hooks", STRINGS(hooks));
	cJSON_AddItemToObject(o, "mountOptions", STRINGS(mopts));
	cJSON_AddItemToObject(o, "linux", linux_features());
	if (json_write_fd(STDOUT_FILENO, o, true, &e) < 0)
		fprintf(stderr, "tug runtime features: %s\n", e.msg);
	cJSON_Delete(o);
	return TUG_EXIT_OK;
}
