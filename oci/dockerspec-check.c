/* dockerspec-check.c - oci_dspec_check: the create body's fields checked for
 * type (as Go's decoder would refuse them) and value (as dockerd's
 * verifyContainerSettings does, with its messages), before anything is made. */
#include <string.h>

#include "oci/dockerspec-priv.h"

enum ft { T_STR, T_NUM, T_BOOL, T_STRS, T_OBJ, T_ARR, T_STRMAP, T_OBJS };

struct field {
	const char *name;
	enum ft type;
};

static const struct field config_fields[] = {
	{"Hostname", T_STR},         {"Domainname", T_STR},    {"User", T_STR},
	{"AttachStdin", T_BOOL},     {"AttachStdout", T_BOOL}, {"AttachStderr", T_BOOL},
	{"ExposedPorts", T_OBJ},     {"Tty", T_BOOL},          {"OpenStdin", T_BOOL},
	{"StdinOnce", T_BOOL},       {"Env", T_STRS},          {"Cmd", T_STRS},
	{"Healthcheck", T_OBJ},      {"ArgsEscaped", T_BOOL},  {"Image", T_STR},
	{"Volumes", T_OBJ},          {"WorkingDir", T_STR},    {"Entrypoint", T_STRS},
	{"NetworkDisabled", T_BOOL}, {"MacAddress", T_STR},    {"OnBuild", T_STRS},
	{"Labels", T_STRMAP},        {"StopSignal", T_STR},    {"StopTimeout", T_NUM},
	{"Shell", T_STRS},           {"HostConfig", T_OBJ},    {"NetworkingConfig", T_OBJ},
};

static const struct field host_fields[] = {
	{"Binds", T_STRS},
	{"ContainerIDFile", T_STR},
	{"LogConfig", T_OBJ},
	{"NetworkMode", T_STR},
	{"PortBindings", T_OBJ},
	{"RestartPolicy", T_OBJ},
	{"AutoRemove", T_BOOL},
	{"VolumeDriver", T_STR},
	{"VolumesFrom", T_STRS},
	{"ConsoleSize", T_ARR},
	{"Annotations", T_STRMAP},
	{"CapAdd", T_STRS},
	{"CapDrop", T_STRS},
	{"CgroupnsMode", T_STR},
	{"Dns", T_STRS},
	{"DnsOptions", T_STRS},
	{"DnsSearch", T_STRS},
	{"ExtraHosts", T_STRS},
	{"GroupAdd", T_STRS},
	{"IpcMode", T_STR},
	{"Cgroup", T_STR},
	{"Links", T_STRS},
	{"OomScoreAdj", T_NUM},
	{"PidMode", T_STR},
	{"Privileged", T_BOOL},
	{"PublishAllPorts", T_BOOL},
	{"ReadonlyRootfs", T_BOOL},
	{"SecurityOpt", T_STRS},
	{"StorageOpt", T_STRMAP},
	{"Tmpfs", T_STRMAP},
	{"UTSMode", T_STR},
	{"UsernsMode", T_STR},
	{"ShmSize", T_NUM},
	{"Sysctls", T_STRMAP},
	{"Runtime", T_STR},
	{"Isolation", T_STR},
	{"CpuShares", T_NUM},
	{"Memory", T_NUM},
	{"NanoCpus", T_NUM},
	{"CgroupParent", T_STR},
	{"BlkioWeight", T_NUM},
	{"BlkioWeightDevice", T_OBJS},
	{"BlkioDeviceReadBps", T_OBJS},
	{"BlkioDeviceWriteBps", T_OBJS},
	{"BlkioDeviceReadIOps", T_OBJS},
	{"BlkioDeviceWriteIOps", T_OBJS},
	{"CpuPeriod", T_NUM},
	{"CpuQuota", T_NUM},
	{"CpuRealtimePeriod", T_NUM},
	{"CpuRealtimeRuntime", T_NUM},
	{"CpusetCpus", T_STR},
	{"CpusetMems", T_STR},
	{"Devices", T_OBJS},
	{"DeviceCgroupRules", T_STRS},
	{"DeviceRequests", T_OBJS},
	{"KernelMemory", T_NUM},
	{"KernelMemoryTCP", T_NUM},
	{"MemoryReservation", T_NUM},
	{"MemorySwap", T_NUM},
	{"MemorySwappiness", T_NUM},
	{"OomKillDisable", T_BOOL},
	{"PidsLimit", T_NUM},
	{"Ulimits", T_OBJS},
	{"CpuCount", T_NUM},
	{"CpuPercent", T_NUM},
	{"IOMaximumIOps", T_NUM},
	{"IOMaximumBandwidth", T_NUM},
	{"Mounts", T_OBJS},
	{"MaskedPaths", T_STRS},
	{"ReadonlyPaths", T_STRS},
	{"Init", T_BOOL},
};

/* Fields inside the objects the translation reads. */
static const struct field mount_fields[] = {
	{"Type", T_STR},          {"Source", T_STR},       {"Target", T_STR},
	{"ReadOnly", T_BOOL},     {"Consistency", T_STR},  {"BindOptions", T_OBJ},
	{"VolumeOptions", T_OBJ}, {"TmpfsOptions", T_OBJ},
};
static const struct field bindopt_fields[] = {
	{"Propagation", T_STR},
	{"NonRecursive", T_BOOL},
	{"CreateMountpoint", T_BOOL},
	{"ReadOnlyNonRecursive", T_BOOL},
	{"ReadOnlyForceRecursive", T_BOOL},
};
static const struct field volopt_fields[] = {
	{"NoCopy", T_BOOL}, {"Labels", T_STRMAP}, {"Subpath", T_STR}, {"DriverConfig", T_OBJ}};
static const struct field tmpfsopt_fields[] = {
	{"SizeBytes", T_NUM}, {"Mode", T_NUM}, {"Options", T_ARR}};
static const struct field device_fields[] = {
	{"PathOnHost", T_STR}, {"PathInContainer", T_STR}, {"CgroupPermissions", T_STR}};
static const struct field ulimit_fields[] = {{"Name", T_STR}, {"Soft", T_NUM}, {"Hard", T_NUM}};
static const struct field weight_fields[] = {{"Path", T_STR}, {"Weight", T_NUM}};
static const struct field rate_fields[] = {{"Path", T_STR}, {"Rate", T_NUM}};
static const struct field restart_fields[] = {{"Name", T_STR}, {"MaximumRetryCount", T_NUM}};

#define N(a) (sizeof(a) / sizeof(a[0]))

static bool all_of(const cJSON *v, cJSON_bool (*is)(const cJSON *const))
{
	const cJSON *it;

	cJSON_ArrayForEach(it, v)
	{
		if (!is(it))
			return false;
	}
	return true;
}

/* Go decodes a number into an int64 only when it is whole. */
static bool whole(const cJSON *v)
{
	double d = v->valuedouble;

	return d == (double)(int64_t)d && d >= -9.2e18 && d <= 9.2e18;
}

static bool type_ok(const cJSON *v, enum ft t)
{
	switch (t) {
	case T_STR:
		return cJSON_IsString(v);
	case T_NUM:
		return cJSON_IsNumber(v) && whole(v);
	case T_BOOL:
		return cJSON_IsBool(v);
	case T_STRS:
		return cJSON_IsArray(v) && all_of(v, cJSON_IsString);
	case T_OBJ:
		return cJSON_IsObject(v);
	case T_ARR:
		return cJSON_IsArray(v);
	case T_STRMAP:
		return cJSON_IsObject(v) && all_of(v, cJSON_IsString);
	case T_OBJS:
		return cJSON_IsArray(v) && all_of(v, cJSON_IsObject);
	}
	return false;
}

static int check_fields(const cJSON *obj, const char *path, const struct field *f, size_t n,
			struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		const cJSON *v = ds_get(obj, f[i].name);

		if (v && !type_ok(v, f[i].type))
			return err_set(e, "%s%s%s: wrong type", path, path[0] ? "." : "",
				       f[i].name);
	}
	return 0;
}

static int check_each(const cJSON *hc, const char *key, const struct field *f, size_t n,
		      struct err *e)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, ds_get(hc, key))
	{
		if (check_fields(it, key, f, n, e) < 0)
			return -1;
	}
	return 0;
}

static int check_types(const cJSON *b, const cJSON *hc, struct err *e)
{
	const cJSON *it;

	if (check_fields(b, "", config_fields, N(config_fields), e) < 0 ||
	    check_fields(hc, "HostConfig", host_fields, N(host_fields), e) < 0 ||
	    check_fields(ds_get(hc, "RestartPolicy"), "RestartPolicy", restart_fields,
			 N(restart_fields), e) < 0 ||
	    check_each(hc, "Mounts", mount_fields, N(mount_fields), e) < 0 ||
	    check_each(hc, "Devices", device_fields, N(device_fields), e) < 0 ||
	    check_each(hc, "Ulimits", ulimit_fields, N(ulimit_fields), e) < 0 ||
	    check_each(hc, "BlkioWeightDevice", weight_fields, N(weight_fields), e) < 0)
		return -1;
	for (const char *const *k =
		     (const char *const[]){"BlkioDeviceReadBps", "BlkioDeviceWriteBps",
					   "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps", NULL};
	     *k; k++)
		if (check_each(hc, *k, rate_fields, N(rate_fields), e) < 0)
			return -1;
	cJSON_ArrayForEach(it, ds_get(hc, "Mounts"))
	{
		if (check_fields(ds_get(it, "BindOptions"), "BindOptions", bindopt_fields,
				 N(bindopt_fields), e) < 0 ||
		    check_fields(ds_get(it, "VolumeOptions"), "VolumeOptions", volopt_fields,
				 N(volopt_fields), e) < 0 ||
		    check_fields(ds_get(it, "TmpfsOptions"), "TmpfsOptions", tmpfsopt_fields,
				 N(tmpfsopt_fields), e) < 0)
			return -1;
	}
	if (cJSON_IsArray(ds_get(hc, "ConsoleSize")) &&
	    (cJSON_GetArraySize(ds_get(hc, "ConsoleSize")) != 2 ||
	     !cJSON_IsNumber(cJSON_GetArrayItem(ds_get(hc, "ConsoleSize"), 0)) ||
	     !cJSON_IsNumber(cJSON_GetArrayItem(ds_get(hc, "ConsoleSize"), 1))))
		return err_set(e, "HostConfig.ConsoleSize: expected [height, width]");
	return 0;
}

static bool in_list(const char *v, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(v, *list) == 0)
			return true;
	return false;
}

static bool container_ref(const char *v)
{
	return strncmp(v, "container:", 10) == 0 && v[10];
}

static int check_modes(const cJSON *hc, struct err *e)
{
	static const char *const ipc[] = {"", "host", "private", "shareable", "none", NULL};
	static const char *const pid[] = {"", "host", NULL};
	static const char *const cg[] = {"", "host", "private", NULL};
	const char *v;

	if ((v = ds_str(hc, "IpcMode")) && !in_list(v, ipc) && !container_ref(v))
		return err_set(e, "invalid IPC mode: %s", v);
	if ((v = ds_str(hc, "PidMode")) && !in_list(v, pid) && !container_ref(v))
		return err_set(e, "invalid PID mode: %s", v);
	if ((v = ds_str(hc, "UTSMode")) && !in_list(v, pid))
		return err_set(e, "invalid UTS mode: %s", v);
	if ((v = ds_str(hc, "CgroupnsMode")) && !in_list(v, cg))
		return err_set(e, "invalid cgroup namespace mode: %s", v);
	return 0;
}

static int check_restart(const cJSON *hc, struct err *e)
{
	static const char *const plain[] = {"always", "unless-stopped", "no", NULL};
	const cJSON *rp = ds_get(hc, "RestartPolicy");
	const char *name = ds_str(rp, "Name");
	int64_t n = ds_int(rp, "MaximumRetryCount");

	name = name ? name : "";
	if (in_list(name, plain) && n != 0)
		return err_set(e,
			       "invalid restart policy: maximum retry count can only be used with "
			       "'on-failure'%s",
			       n < 0 ? " and cannot be negative" : "");
	if (strcmp(name, "on-failure") == 0 && n < 0)
		return err_set(e, "invalid restart policy: maximum retry count cannot be negative");
	if (name[0] && !in_list(name, plain) && strcmp(name, "on-failure") != 0)
		return err_set(e,
			       "invalid restart policy: unknown policy '%s'; use one of 'no', "
			       "'always', 'on-failure', or 'unless-stopped'",
			       name);
	if (ds_bool(hc, "AutoRemove") && name[0] && strcmp(name, "no") != 0)
		return err_set(e, "can't create 'AutoRemove' container with restart policy");
	return 0;
}

/* dockerd's validateHealthCheck: durations of 0 take the defaults, others
 * must be 1ms at least. */
static int check_health(const cJSON *hc, struct err *e)
{
	static const char *const keys[] = {"Interval", "Timeout", "StartPeriod", "StartInterval"};
	const cJSON *r = ds_get(hc, "Retries");

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *v = ds_get(hc, keys[i]);
		if (cJSON_IsNumber(v) && v->valuedouble != 0 && v->valuedouble < 1e6)
			return err_set(e, "%s in Healthcheck cannot be less than 1ms", keys[i]);
	}
	if (cJSON_IsNumber(r) && r->valuedouble < 0)
		return err_set(e, "Retries in Healthcheck cannot be negative");
	return 0;
}

static int check_config(const cJSON *b, struct err *e)
{
	const char *h = ds_str(b, "Hostname"), *wd = ds_str(b, "WorkingDir");

	if (h && strlen(h) > 64)
		return err_set(e, "hostname \"%s\" is too long (maximum 64 bytes)", h);
	if (wd && wd[0] && wd[0] != '/')
		return err_set(e,
			       "the working directory '%s' is invalid, it needs to be an absolute "
			       "path",
			       wd);
	return check_health(ds_get(b, "Healthcheck"), e);
}

static int check_devices(const cJSON *hc, struct err *e)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, ds_get(hc, "Devices"))
	{
		const char *p = ds_str(it, "PathOnHost"), *perm = ds_str(it, "CgroupPermissions");

		if (!p || !p[0])
			return err_set(e, "Devices: PathOnHost must not be empty");
		if (perm && (strlen(perm) > 3 || strspn(perm, "rwm") != strlen(perm)))
			return err_set(e, "invalid device permissions: %s", perm);
	}
	cJSON_ArrayForEach(it, ds_get(hc, "DeviceCgroupRules"))
	{
		if (ds_check_device_rule(it->valuestring, e) < 0)
			return -1;
	}
	return 0;
}

int oci_dspec_check(const cJSON *body, struct err *e)
{
	const cJSON *hc;

	if (!cJSON_IsObject(body))
		return err_set(e, "config: expected a JSON object");
	hc = ds_get(body, "HostConfig");
	if (check_types(body, hc, e) < 0 || check_config(body, e) < 0)
		return -1;
	if (!hc)
		return 0;
	if (check_modes(hc, e) < 0 || check_restart(hc, e) < 0 || ds_check_resources(hc, e) < 0 ||
	    ds_check_caps(hc, e) < 0 || ds_check_security(hc, e) < 0 || check_devices(hc, e) < 0 ||
	    ds_check_mounts(hc, body, e) < 0)
		return -1;
	return 0;
}
